//! `--auth managed-identity`: the managed identity of the machine amlab runs on.
//!
//! - App Service style (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`) and virtual machines (IMDS) go
//!   through azure_identity's `ManagedIdentityCredential`, which reads those two variables from
//!   the process environment itself.
//! - Azure ML compute instances and clusters (`MSI_ENDPOINT` + `MSI_SECRET`, where DP-100
//!   learners often run) are not supported by azure_identity 1.0, so amlab speaks that endpoint
//!   itself: `GET {MSI_ENDPOINT}?api-version=2017-09-01&resource=...` with header `secret`.
//!
//! `AZURE_CLIENT_ID`, when set, selects a user-assigned identity.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;
use azure_core::time::OffsetDateTime;
use azure_identity::{ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId};
use serde::Deserialize;

use super::{AuthError, AuthMode, AuthOptions, Credential, Env, Secret, construction_error, vars};

/// Builds the `managed-identity` credential.
pub(super) fn build(env: &Env, options: &AuthOptions) -> Result<Credential, AuthError> {
    let client = env.var(vars::AZURE_CLIENT_ID);
    let which = match &client {
        Some(id) => format!("user-assigned, AZURE_CLIENT_ID={id}"),
        None => "system-assigned".to_owned(),
    };
    if env.var(vars::IDENTITY_ENDPOINT).is_none()
        && let (Some(endpoint), Some(secret)) =
            (env.var(vars::MSI_ENDPOINT), env.var(vars::MSI_SECRET))
    {
        let description = format!("managed identity (Azure ML compute endpoint, {which})");
        let credential =
            AzureMlManagedIdentity::new(endpoint, Secret::new(secret.clone()), client)?;
        return Ok(
            Credential::new(AuthMode::ManagedIdentity, description, Arc::new(credential))
                .redacting(secret),
        );
    }
    let source = if env.var(vars::IDENTITY_ENDPOINT).is_some() {
        "App Service endpoint"
    } else {
        "instance metadata service"
    };
    let description = format!("managed identity ({source}, {which})");
    let mut client_options = options.client_options(env)?;
    client_options.cloud = None;
    let credential = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
        user_assigned_id: client.map(UserAssignedId::ClientId),
        client_options,
    }))
    .map_err(|e| construction_error(&description, &e))?;
    let redact = env.var(vars::IDENTITY_HEADER).unwrap_or_default();
    Ok(Credential::new(AuthMode::ManagedIdentity, description, credential).redacting(redact))
}

/// The Azure ML compute managed identity endpoint (`MSI_ENDPOINT`, `MSI_SECRET`).
pub(crate) struct AzureMlManagedIdentity {
    endpoint: reqwest::Url,
    secret: Secret,
    client_id: Option<String>,
    http: reqwest::Client,
}

impl fmt::Debug for AzureMlManagedIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureMlManagedIdentity")
            .field("endpoint", &self.endpoint.as_str())
            .field("secret", &self.secret)
            .field("client_id", &self.client_id)
            .finish()
    }
}

#[derive(Deserialize)]
struct MsiToken {
    access_token: String,
    #[serde(default)]
    expires_on: Option<serde_json::Value>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

fn seconds(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl AzureMlManagedIdentity {
    fn new(endpoint: String, secret: Secret, client_id: Option<String>) -> Result<Self, AuthError> {
        let endpoint = reqwest::Url::parse(&endpoint).map_err(|e| {
            AuthError::Invalid(format!(
                "{} is not a URL ({e}): {endpoint}",
                vars::MSI_ENDPOINT
            ))
        })?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| AuthError::Invalid(format!("cannot build an HTTP client: {e}")))?;
        Ok(Self {
            endpoint,
            secret,
            client_id,
            http,
        })
    }
}

#[async_trait::async_trait]
impl TokenCredential for AzureMlManagedIdentity {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let fail = |m: String| azure_core::Error::with_message(ErrorKind::Credential, m);
        let [scope] = scopes else {
            return Err(fail("exactly one scope is required".into()));
        };
        let resource = scope.strip_suffix("/.default").unwrap_or(scope);
        let mut url = self.endpoint.clone();
        url.query_pairs_mut()
            .append_pair("api-version", "2017-09-01")
            .append_pair("resource", resource);
        if let Some(id) = &self.client_id {
            url.query_pairs_mut().append_pair("clientid", id);
        }
        let response = self
            .http
            .get(url)
            .header("secret", self.secret.expose())
            .header("Metadata", "true")
            .send()
            .await
            .map_err(|e| fail(format!("Azure ML managed identity endpoint: {e}")))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| fail(format!("Azure ML managed identity endpoint: {e}")))?;
        if !status.is_success() {
            return Err(fail(format!(
                "Azure ML managed identity endpoint answered HTTP {status}: {}",
                body.chars().take(300).collect::<String>()
            )));
        }
        let token: MsiToken = serde_json::from_str(&body)
            .map_err(|e| fail(format!("Azure ML managed identity answer: {e}")))?;
        let now = OffsetDateTime::now_utc();
        let expires_on = token
            .expires_on
            .as_ref()
            .and_then(seconds)
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
            .or_else(|| {
                token
                    .expires_in
                    .as_ref()
                    .and_then(seconds)
                    .map(|s| now + time::Duration::seconds(s))
            })
            .unwrap_or(now + time::Duration::minutes(30));
        Ok(AccessToken::new(token.access_token, expires_on))
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;
    use std::sync::Arc;

    use super::*;
    use crate::arm::auth::test_support::{FakeArm, FakeEntra};
    use crate::arm::auth::{TokenCache, build_credential};
    use crate::arm::cloud::Cloud;
    use crate::arm::live::{LiveOptions, LiveTransport};
    use crate::arm::transport::{HttpRequest, Method, Transport};

    /// Set only in the child process: the fake ARM URL.
    const CHILD_ARM_URL: &str = "AMLAB_TEST_MI_CHILD_ARM_URL";

    /// azure_identity reads `IDENTITY_ENDPOINT` from the process environment, which tests must
    /// not change; so this test runs `app_service_child` in a child process of the test binary
    /// with the App Service variables pointing at a loopback fake.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn app_service_managed_identity_over_http_loopback() {
        // azure_identity reads IDENTITY_ENDPOINT from the process environment: this test runs
        // itself again as a child process with those variables set, and the child does the
        // credential half.
        if let Ok(arm_url) = std::env::var(CHILD_ARM_URL) {
            return app_service_child(arm_url).await;
        }
        let identity = FakeEntra::start(3600).await;
        let arm = FakeArm::start().await;
        let exe = std::env::current_exe().expect("test binary");
        let endpoint = format!("{}/msi/token", identity.url);
        let arm_url = arm.url.clone();
        let output = tokio::task::spawn_blocking(move || {
            let mut cmd = Command::new(exe);
            cmd.args([
                "--exact",
                "arm::auth::managed::tests::app_service_managed_identity_over_http_loopback",
                "--test-threads=1",
            ]);
            for name in [
                "MSI_ENDPOINT",
                "MSI_SECRET",
                "IMDS_ENDPOINT",
                "IDENTITY_SERVER_THUMBPRINT",
            ] {
                cmd.env_remove(name);
            }
            cmd.env("IDENTITY_ENDPOINT", endpoint)
                .env("IDENTITY_HEADER", "identity-header-secret")
                .env("AZURE_CLIENT_ID", "uai-client")
                .env(CHILD_ARM_URL, arm_url)
                .output()
        })
        .await
        .expect("join")
        .expect("run child");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "child failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let seen = identity.requests();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].method, "GET");
        assert_eq!(seen[0].path, "/msi/token");
        assert_eq!(
            seen[0].headers["x-identity-header"],
            "identity-header-secret"
        );
        assert_eq!(seen[0].query["api-version"], "2019-08-01");
        assert_eq!(seen[0].query["resource"], "https://management.azure.com");
        assert_eq!(seen[0].query["client_id"], "uai-client");
        assert_eq!(arm.authorizations(), vec![Some("Bearer mi-1".to_owned())]);
    }

    /// The child-process half of the App Service test.
    async fn app_service_child(arm_url: String) {
        let cred = build_credential(
            AuthMode::ManagedIdentity,
            &Env::process(),
            &AuthOptions::default(),
        )
        .expect("credential");
        let described = cred.describe();
        assert!(described.contains("App Service"), "{described}");
        assert!(
            described.contains("AZURE_CLIENT_ID=uai-client"),
            "{described}"
        );
        let tokens = Arc::new(TokenCache::new(cred, Cloud::Public.scope()));
        let live = LiveTransport::new(LiveOptions::new(&arm_url), tokens).expect("transport");
        let response = live
            .send(HttpRequest::new(
                Method::Get,
                format!("{arm_url}/subscriptions?api-version=2022-12-01"),
            ))
            .await
            .expect("response");
        assert_eq!(response.status, 200);
    }

    #[tokio::test]
    async fn azure_ml_compute_endpoint_from_injected_env() {
        let identity = FakeEntra::start(3600).await;
        let env = Env::from_pairs([
            (
                "MSI_ENDPOINT",
                format!("{}/msi/token", identity.url).as_str(),
            ),
            ("MSI_SECRET", "aml-msi-secret"),
        ]);
        let cred =
            build_credential(AuthMode::Auto, &env, &AuthOptions::default()).expect("credential");
        assert_eq!(cred.mode(), AuthMode::ManagedIdentity);
        assert!(
            cred.describe().contains("Azure ML compute"),
            "{}",
            cred.describe()
        );
        assert!(!format!("{cred:?}").contains("aml-msi-secret"));
        let cache = TokenCache::new(cred, Cloud::Public.scope());
        assert_eq!(cache.token().await.expect("token").expose(), "mi-1");
        // Valid for an hour: the second call is served from the cache.
        cache.token().await.expect("token");
        let seen = identity.requests();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].headers["secret"], "aml-msi-secret");
        assert_eq!(seen[0].query["api-version"], "2017-09-01");
        assert_eq!(seen[0].query["resource"], "https://management.azure.com");
        assert!(!seen[0].query.contains_key("clientid"));
    }
}
