//! `--auth secret`: a service principal with a client secret (`AZURE_TENANT_ID`,
//! `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`), through azure_identity's
//! `ClientSecretCredential` at the cloud's Entra authority.

use azure_core::credentials::Secret;
use azure_identity::{ClientSecretCredential, ClientSecretCredentialOptions};

use super::{AuthError, AuthMode, AuthOptions, Credential, Env, construction_error, vars};

/// Builds the `secret` credential.
pub(super) fn build(env: &Env, options: &AuthOptions) -> Result<Credential, AuthError> {
    let tenant = env.get(vars::AZURE_TENANT_ID)?;
    let client = env.get(vars::AZURE_CLIENT_ID)?;
    let secret = env.get(vars::AZURE_CLIENT_SECRET)?;
    let description = format!(
        "service principal with client secret (AZURE_TENANT_ID={tenant}, AZURE_CLIENT_ID={client})"
    );
    let credential = ClientSecretCredential::new(
        &tenant,
        client,
        Secret::new(secret.clone()),
        Some(ClientSecretCredentialOptions {
            client_options: options.client_options(env)?,
        }),
    )
    .map_err(|e| construction_error(&description, &e))?;
    Ok(Credential::new(AuthMode::Secret, description, credential).redacting(secret))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::arm::auth::test_support::{FakeArm, FakeEntra};
    use crate::arm::auth::{RedirectHttpClient, TokenCache, build_credential};
    use crate::arm::cloud::Cloud;
    use crate::arm::live::{LiveOptions, LiveTransport};
    use crate::arm::transport::{HttpRequest, Method, Transport};

    fn env() -> Env {
        Env::from_pairs([
            ("AZURE_TENANT_ID", "my-tenant"),
            ("AZURE_CLIENT_ID", "my-client"),
            ("AZURE_CLIENT_SECRET", "very-secret-value"),
        ])
    }

    /// Service principal end to end: Entra token endpoint and ARM both on loopback; a token
    /// that expires inside the refresh margin is refreshed before the next request.
    #[tokio::test]
    async fn secret_mode_end_to_end_with_refresh() {
        // 120 s of validity is inside the 5-minute margin, so every request needs a new token.
        let entra = FakeEntra::start(120).await;
        let redirect = Arc::new(RedirectHttpClient::new(&entra.url).expect("redirect"));
        let options = AuthOptions {
            cloud: Cloud::Public,
            http_client: Some(redirect.clone()),
            az_dir: None,
        };
        let cred = build_credential(AuthMode::Secret, &env(), &options).expect("credential");
        assert!(cred.describe().contains("AZURE_CLIENT_ID=my-client"));
        let arm = FakeArm::start().await;
        let tokens = Arc::new(TokenCache::new(cred, Cloud::Public.scope()));
        let live = LiveTransport::new(LiveOptions::new(&arm.url), tokens).expect("transport");

        let url = format!("{}/subscriptions/s1?api-version=2022-12-01", arm.url);
        let first = live
            .send(HttpRequest::new(Method::Get, &url))
            .await
            .expect("first");
        assert_eq!(first.status, 200);
        let second = live
            .send(HttpRequest::new(Method::Get, &url))
            .await
            .expect("second");
        assert_eq!(second.status, 200);

        // Two token requests, each a client-credentials grant for the ARM scope.
        let grants = entra.requests();
        assert_eq!(grants.len(), 2, "{grants:?}");
        for g in &grants {
            assert_eq!(g.path, "/my-tenant/oauth2/v2.0/token");
            assert_eq!(g.form["grant_type"], "client_credentials");
            assert_eq!(g.form["client_id"], "my-client");
            assert_eq!(g.form["client_secret"], "very-secret-value");
            assert_eq!(g.form["scope"], "https://management.azure.com/.default");
        }
        // The ARM fake saw the first and then the refreshed token.
        assert_eq!(
            arm.authorizations(),
            vec![
                Some("Bearer entra-1".to_owned()),
                Some("Bearer entra-2".to_owned())
            ]
        );
        // The credential addressed the public-cloud authority.
        assert!(redirect.seen()[0].starts_with("https://login.microsoftonline.com/my-tenant/"));
    }

    #[tokio::test]
    async fn sovereign_cloud_uses_its_authority_and_scope() {
        let entra = FakeEntra::start(3600).await;
        let redirect = Arc::new(RedirectHttpClient::new(&entra.url).expect("redirect"));
        let options = AuthOptions {
            cloud: Cloud::UsGov,
            http_client: Some(redirect.clone()),
            az_dir: None,
        };
        let cred = build_credential(AuthMode::Secret, &env(), &options).expect("credential");
        let cache = TokenCache::new(cred, Cloud::UsGov.scope());
        assert_eq!(cache.token().await.expect("token").expose(), "entra-1");
        assert!(
            redirect.seen()[0].starts_with("https://login.microsoftonline.us/my-tenant/"),
            "{:?}",
            redirect.seen()
        );
        assert_eq!(
            entra.requests()[0].form["scope"],
            "https://management.usgovcloudapi.net/.default"
        );
    }

    /// Entra refusing the secret: the error carries Entra's message, never the secret, even
    /// when the server echoes it.
    #[tokio::test]
    async fn rejected_secret_error_names_the_credential_not_the_secret() {
        let entra = FakeEntra::start_failing().await;
        let options = AuthOptions {
            cloud: Cloud::Public,
            http_client: Some(Arc::new(
                RedirectHttpClient::new(&entra.url).expect("redirect"),
            )),
            az_dir: None,
        };
        let cred = build_credential(AuthMode::Secret, &env(), &options).expect("credential");
        let cache = TokenCache::new(cred, Cloud::Public.scope())
            .with_refresh_margin(Duration::from_secs(1));
        let err = cache.token().await.expect_err("rejected");
        let text = format!("{err} / {err:?}");
        assert!(text.contains("AADSTS7000215"), "{text}");
        assert!(text.contains("AZURE_CLIENT_ID=my-client"), "{text}");
        assert!(!text.contains("very-secret-value"), "{text}");
    }
}
