//! `--auth github-oidc`: GitHub Actions OIDC federation. The job's OIDC ID token (requested
//! from `ACTIONS_ID_TOKEN_REQUEST_URL` with `audience=api://AzureADTokenExchange`, bearer
//! `ACTIONS_ID_TOKEN_REQUEST_TOKEN`) is exchanged at Entra as a client assertion for the app
//! `AZURE_CLIENT_ID` in `AZURE_TENANT_ID`, through azure_identity's `ClientAssertionCredential`.
//! The workflow needs `permissions: id-token: write`.

use std::fmt;
use std::time::Duration;

use azure_core::error::ErrorKind;
use azure_core::http::ClientMethodOptions;
use azure_identity::{
    ClientAssertion, ClientAssertionCredential, ClientAssertionCredentialOptions,
};
use serde::Deserialize;

use super::{AuthError, AuthMode, AuthOptions, Credential, Env, Secret, construction_error, vars};

/// The audience Entra expects in a federated GitHub token.
pub(crate) const AUDIENCE: &str = "api://AzureADTokenExchange";

/// Fetches a fresh GitHub OIDC ID token each time Entra needs an assertion.
#[derive(Clone)]
pub(crate) struct GithubOidcAssertion {
    url: String,
    request_token: Secret,
    client: reqwest::Client,
}

impl fmt::Debug for GithubOidcAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubOidcAssertion")
            .field("url", &self.url)
            .field("request_token", &self.request_token)
            .finish()
    }
}

#[derive(Deserialize)]
struct IdToken {
    value: String,
}

fn credential_error(message: String) -> azure_core::Error {
    azure_core::Error::with_message(ErrorKind::Credential, message)
}

#[async_trait::async_trait]
impl ClientAssertion for GithubOidcAssertion {
    async fn secret(
        &self,
        _options: Option<ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        let mut url = reqwest::Url::parse(&self.url).map_err(|e| {
            credential_error(format!(
                "{} is not a URL: {e}",
                vars::ACTIONS_ID_TOKEN_REQUEST_URL
            ))
        })?;
        url.query_pairs_mut().append_pair("audience", AUDIENCE);
        let response = self
            .client
            .get(url)
            .bearer_auth(self.request_token.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| {
                credential_error(format!(
                    "requesting the GitHub OIDC token failed: {}",
                    e.without_url()
                ))
            })?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| credential_error(format!("reading the GitHub OIDC token failed: {e}")))?;
        if !status.is_success() {
            return Err(credential_error(format!(
                "GitHub refused the OIDC token request with HTTP {status} (does the workflow \
                 have `permissions: id-token: write`?): {}",
                body.chars().take(300).collect::<String>()
            )));
        }
        let token: IdToken = serde_json::from_str(&body).map_err(|e| {
            credential_error(format!("the GitHub OIDC answer has no token value: {e}"))
        })?;
        Ok(token.value)
    }
}

/// Builds the `github-oidc` credential.
pub(super) fn build(env: &Env, options: &AuthOptions) -> Result<Credential, AuthError> {
    let tenant = env.get(vars::AZURE_TENANT_ID)?;
    let client = env.get(vars::AZURE_CLIENT_ID)?;
    let url = env.get(vars::ACTIONS_ID_TOKEN_REQUEST_URL)?;
    let request_token = env.get(vars::ACTIONS_ID_TOKEN_REQUEST_TOKEN)?;
    let description = format!(
        "GitHub Actions OIDC federated credential (AZURE_TENANT_ID={tenant}, AZURE_CLIENT_ID={client})"
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| AuthError::Invalid(format!("cannot build an HTTP client: {e}")))?;
    let assertion = GithubOidcAssertion {
        url,
        request_token: Secret::new(request_token.clone()),
        client: http,
    };
    let credential = ClientAssertionCredential::new(
        tenant,
        client,
        assertion,
        Some(ClientAssertionCredentialOptions {
            client_options: options.client_options(env)?,
        }),
    )
    .map_err(|e| construction_error(&description, &e))?;
    Ok(Credential::new(AuthMode::GithubOidc, description, credential).redacting(request_token))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::arm::auth::test_support::FakeEntra;
    use crate::arm::auth::{RedirectHttpClient, TokenCache, build_credential};
    use crate::arm::cloud::Cloud;

    #[tokio::test]
    async fn github_token_is_requested_with_audience_and_bearer_then_exchanged() {
        // One fake plays both GitHub (plain http, reached directly) and Entra (via redirect).
        let fake = FakeEntra::start(3600).await;
        let options = AuthOptions {
            cloud: Cloud::Public,
            http_client: Some(Arc::new(
                RedirectHttpClient::new(&fake.url).expect("redirect"),
            )),
            az_dir: None,
        };
        let env = Env::from_pairs([
            ("AZURE_TENANT_ID", "gh-tenant"),
            ("AZURE_CLIENT_ID", "gh-client"),
            (
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                format!("{}/github/token?api-version=2.0", fake.url).as_str(),
            ),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token"),
        ]);
        let cred = build_credential(AuthMode::Auto, &env, &options).expect("credential");
        assert_eq!(cred.mode(), AuthMode::GithubOidc);
        assert!(!format!("{cred:?} {}", cred.describe()).contains("gh-request-token"));
        let cache = TokenCache::new(cred, Cloud::Public.scope());
        assert_eq!(cache.token().await.expect("token").expose(), "entra-1");

        let seen = fake.requests();
        assert_eq!(seen.len(), 2, "{seen:?}");
        let github = &seen[0];
        assert_eq!(github.path, "/github/token");
        assert_eq!(github.method, "GET");
        assert_eq!(github.query["audience"], AUDIENCE);
        assert_eq!(github.query["api-version"], "2.0");
        assert_eq!(github.headers["authorization"], "Bearer gh-request-token");
        let entra = &seen[1];
        assert_eq!(entra.path, "/gh-tenant/oauth2/v2.0/token");
        assert_eq!(entra.form["client_id"], "gh-client");
        assert_eq!(entra.form["client_assertion"], "github-id-token-jwt");
        assert_eq!(
            entra.form["client_assertion_type"],
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        );
    }

    #[test]
    fn assertion_debug_hides_the_request_token() {
        let a = GithubOidcAssertion {
            url: "https://example.invalid/x".into(),
            request_token: Secret::new("gh-request-token"),
            client: reqwest::Client::new(),
        };
        let shown = format!("{a:?}");
        assert!(!shown.contains("gh-request-token"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
