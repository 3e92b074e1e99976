//! `--auth token`: a bearer token taken from `AZURE_ACCESS_TOKEN` and used as is.
//!
//! Its expiry is unknown, so it is treated as valid; it is never refreshed, and a 401 from ARM
//! surfaces as an authentication error.

use std::fmt;
use std::sync::Arc;

use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::time::{Duration, OffsetDateTime};

use super::{AuthError, AuthMode, Credential, Env, vars};

/// An azure_core credential that always returns the same token.
pub struct FixedTokenCredential {
    token: Secret,
}

impl FixedTokenCredential {
    /// A credential returning `token`.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: Secret::new(token.into()),
        }
    }
}

impl fmt::Debug for FixedTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FixedTokenCredential(<redacted>)")
    }
}

#[async_trait::async_trait]
impl TokenCredential for FixedTokenCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        // Unknown expiry: valid for as long as anyone asks (a day from now, every time).
        Ok(AccessToken::new(
            self.token.clone(),
            OffsetDateTime::now_utc() + Duration::days(1),
        ))
    }
}

/// Builds the `token` credential from `AZURE_ACCESS_TOKEN`.
pub(super) fn build(env: &Env) -> Result<Credential, AuthError> {
    let token = env.get(vars::AZURE_ACCESS_TOKEN)?;
    let token = token.trim().trim_start_matches("Bearer ").trim().to_owned();
    Ok(Credential::new(
        AuthMode::Token,
        "access token from AZURE_ACCESS_TOKEN (used as is, never refreshed)",
        Arc::new(FixedTokenCredential::new(token.clone())),
    )
    .redacting(token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::auth::{AuthOptions, TokenCache, build_credential};

    #[tokio::test]
    async fn token_mode_returns_the_variable_and_hides_it() {
        let env = Env::from_pairs([("AZURE_ACCESS_TOKEN", "Bearer eyJfixed.token.value")]);
        let cred = build_credential(AuthMode::Token, &env, &AuthOptions::default())
            .expect("token credential");
        assert_eq!(cred.mode(), AuthMode::Token);
        let shown = format!("{} {:?}", cred.describe(), cred);
        assert!(!shown.contains("eyJfixed"), "{shown}");
        let cache = TokenCache::new(cred, "https://management.azure.com/.default");
        let token = cache.token().await.expect("token");
        assert_eq!(token.expose(), "eyJfixed.token.value");
        assert_eq!(format!("{token} {token:?}"), "<redacted> <redacted>");
        assert_eq!(
            format!("{:?}", FixedTokenCredential::new("abc")),
            "FixedTokenCredential(<redacted>)"
        );
    }
}
