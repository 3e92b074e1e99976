//! The live transport (`--target azure` and `--target http(s)://URL`): one HTTP exchange with an
//! ARM-compatible endpoint over reqwest, authenticated with a bearer token from a
//! [`TokenCache`].
//!
//! What it owns: the bearer header (only for URLs on the configured base's scheme, host and
//! port, so a polling URL on another host never receives the token), `User-Agent`,
//! `x-ms-client-request-id`, JSON bodies, the per-request timeout, an extra trusted root CA
//! (for a self-signed `amlab serve --tls`), and one retry after a 401 with a refreshed token.
//! Everything else (throttling, transient errors, LRO polling, paging) is the
//! [`ArmClient`](super::client::ArmClient)'s job: this transport never retries on its own.
//!
//! TLS is rustls with the aws-lc-rs provider that reqwest's `rustls` feature selects, so no
//! process-wide crypto provider has to be installed (the "no provider" panic described in the
//! research notes only happens with `rustls-no-provider`).

use std::error::Error as _;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, USER_AGENT};
use serde_json::Value;

use super::auth::{Secret, TokenCache};
use super::client::arm_error;
use super::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};

/// The default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The `User-Agent` amlab sends.
pub const USER_AGENT_VALUE: &str = concat!("amlab/", env!("CARGO_PKG_VERSION"));

/// Settings of a [`LiveTransport`].
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// The ARM endpoint: `https://management.azure.com` (see
    /// [`Cloud::resource_manager`](super::cloud::Cloud::resource_manager)) or any
    /// ARM-compatible `http(s)://` endpoint such as `http://127.0.0.1:PORT`. Only URLs with this
    /// scheme, host and port get the bearer token.
    pub base: String,
    /// A PEM file of extra root certificates to trust (a self-signed `amlab serve --tls`).
    pub ca_cert: Option<PathBuf>,
    /// Time limit of one exchange, connection to last body byte.
    pub timeout: Duration,
}

impl LiveOptions {
    /// Options for `base` with the default timeout and the system's trust store.
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            ca_cert: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Trusts the certificates of a PEM file as well.
    pub fn with_ca_cert(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_cert = Some(path.into());
        self
    }

    /// Sets the per-request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Why a [`LiveTransport`] could not be built.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// The base is not an `http(s)://` URL.
    #[error("invalid ARM endpoint `{base}`: {message}")]
    InvalidBase {
        /// The value given.
        base: String,
        /// What is wrong with it.
        message: String,
    },
    /// The CA certificate file could not be read or parsed.
    #[error("CA certificate {}: {message}", path.display())]
    CaCert {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// Sends ARM requests over HTTP(S) with a bearer token.
pub struct LiveTransport {
    client: reqwest::Client,
    base: Url,
    tokens: Arc<TokenCache>,
    /// Token caches of the same credential for data planes' scopes, made on first use.
    scoped: std::sync::Mutex<std::collections::BTreeMap<String, Arc<TokenCache>>>,
    timeout: Duration,
}

impl fmt::Debug for LiveTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveTransport")
            .field("base", &self.base.as_str())
            .field("credential", &self.tokens.credential().describe())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl LiveTransport {
    /// A transport to `options.base` taking tokens from `tokens`.
    pub fn new(options: LiveOptions, tokens: Arc<TokenCache>) -> Result<Self, LiveError> {
        let invalid = |message: String| LiveError::InvalidBase {
            base: options.base.clone(),
            message,
        };
        let base = Url::parse(options.base.trim()).map_err(|e| invalid(e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(invalid("expected an http:// or https:// URL".into()));
        }
        let mut builder = reqwest::Client::builder()
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(path) = &options.ca_cert {
            let ca_error = |message: String| LiveError::CaCert {
                path: path.clone(),
                message,
            };
            let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ca_error(e.to_string()))?;
            if certs.is_empty() {
                return Err(ca_error("no PEM certificate in the file".into()));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| LiveError::Client(error_chain(&e)))?;
        Ok(Self {
            client,
            base,
            tokens,
            scoped: std::sync::Mutex::default(),
            timeout: options.timeout,
        })
    }

    /// The ARM endpoint (scheme, host, port and any path given).
    pub fn base(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// The token cache (to say which credential is in use, or to invalidate it).
    pub fn tokens(&self) -> &Arc<TokenCache> {
        &self.tokens
    }

    /// Whether `url` is on the base's scheme, host and port, the only place the token goes.
    fn is_base_origin(&self, url: &Url) -> bool {
        url.scheme() == self.base.scheme()
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default()
    }

    /// The token cache of the ARM credential for another `scope` (a data plane's).
    fn scoped_tokens(&self, scope: &str) -> Arc<TokenCache> {
        let mut scoped = self
            .scoped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(
            scoped.entry(scope.to_owned()).or_insert_with(|| {
                Arc::new(TokenCache::new(self.tokens.credential().clone(), scope))
            }),
        )
    }

    async fn token(&self) -> Result<Secret, TransportError> {
        self.tokens
            .token()
            .await
            .map_err(|e| TransportError::Auth(e.to_string()))
    }

    /// One HTTP exchange, with or without a token.
    async fn exchange(
        &self,
        request: &HttpRequest,
        url: &Url,
        token: Option<&Secret>,
    ) -> Result<HttpResponse, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
            Method::Post => reqwest::Method::POST,
        };
        let mut builder = self
            .client
            .request(method, url.clone())
            .header(USER_AGENT, USER_AGENT_VALUE)
            .header("x-ms-client-request-id", request_id());
        for (name, value) in &request.headers {
            let controlled = [
                "authorization",
                "user-agent",
                "x-ms-client-request-id",
                super::data_plane::ENTRA_SCOPE_HEADER,
            ]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h));
            let content_type = name.eq_ignore_ascii_case("content-type");
            if controlled || (content_type && request.body.is_none()) {
                continue;
            }
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(body) = &request.body {
            if request.header("content-type").is_none() {
                builder = builder.header(CONTENT_TYPE, "application/json");
            }
            let bytes = serde_json::to_vec(body)
                .map_err(|e| TransportError::Unavailable(format!("cannot encode body: {e}")))?;
            builder = builder.body(bytes);
        }
        if let Some(token) = token {
            builder = builder.bearer_auth(token.expose());
        }
        let response = builder.send().await.map_err(|e| self.map_error(&e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let bytes = response.bytes().await.map_err(|e| self.map_error(&e))?;
        let body =
            if bytes.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                Some(serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                    Value::String(String::from_utf8_lossy(&bytes).into_owned())
                }))
            };
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    fn map_error(&self, e: &reqwest::Error) -> TransportError {
        if e.is_timeout() {
            TransportError::Timeout(self.timeout)
        } else if e.is_builder() {
            TransportError::Unavailable(error_chain(e))
        } else {
            TransportError::Connection(error_chain(e))
        }
    }
}

#[async_trait::async_trait]
impl Transport for LiveTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let url = Url::parse(&request.url).map_err(|e| {
            TransportError::Unavailable(format!("invalid URL {}: {e}", request.url))
        })?;
        if let Some(scope) = request.header(super::data_plane::ENTRA_SCOPE_HEADER) {
            // A data-plane request asking for a token of its own scope (and only that one).
            let token = self
                .scoped_tokens(scope)
                .token()
                .await
                .map_err(|e| TransportError::Auth(e.to_string()))?;
            return self.exchange(&request, &url, Some(&token)).await;
        }
        if !self.is_base_origin(&url) || super::data_plane::carries_key(&request) {
            return self.exchange(&request, &url, None).await;
        }
        let token = self.token().await?;
        let response = self.exchange(&request, &url, Some(&token)).await?;
        if response.status != 401 {
            return Ok(response);
        }
        // Rejected: refresh the token once and try once more.
        self.tokens.invalidate_token(&token).await;
        let fresh = self.token().await?;
        let response = self.exchange(&request, &url, Some(&fresh)).await?;
        if response.status == 401 {
            let (code, message) = arm_error(&response);
            return Err(TransportError::Auth(self.tokens.credential().scrub(
                &format!(
                    "the endpoint rejected the token of {} (HTTP 401 {code}: {message})",
                    self.tokens.credential().describe()
                ),
            )));
        }
        Ok(response)
    }
}

/// A random UUID (version 4) for `x-ms-client-request-id`.
fn request_id() -> String {
    let mut bytes: [u8; 16] = fastrand::u128(..).to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// An error and its causes, `: `-separated (reqwest's own message leaves the cause out).
fn error_chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
    use azure_core::time::OffsetDateTime;
    use serde_json::json;

    use super::*;
    use crate::arm::auth::test_support::FakeArm;
    use crate::arm::auth::{AuthMode, AuthOptions, Credential, Env, build_credential};
    use crate::arm::cloud::Cloud;

    const TOKEN: &str = "eyJ0eXAiOiJKV1Qi.fixed-token.sig";

    fn token_transport(base: &str) -> LiveTransport {
        let env = Env::from_pairs([("AZURE_ACCESS_TOKEN", TOKEN)]);
        let cred = build_credential(AuthMode::Auto, &env, &AuthOptions::default())
            .expect("token credential");
        assert_eq!(cred.mode(), AuthMode::Token);
        let tokens = Arc::new(TokenCache::new(cred, Cloud::Public.scope()));
        LiveTransport::new(LiveOptions::new(base), tokens).expect("transport")
    }

    /// Issues `tok-1`, `tok-2`, ... valid for an hour.
    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    #[async_trait::async_trait]
    impl TokenCredential for Counting {
        async fn get_token(
            &self,
            _scopes: &[&str],
            _options: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(AccessToken::new(
                format!("tok-{n}"),
                OffsetDateTime::now_utc() + time::Duration::hours(1),
            ))
        }
    }

    #[tokio::test]
    async fn token_mode_sends_bearer_headers_and_parses_json() {
        let arm = FakeArm::start().await;
        let live = token_transport(&arm.url);
        let url = format!(
            "{}/subscriptions/s/resourceGroups/rg?api-version=2021-04-01",
            arm.url
        );
        let response = live
            .send(HttpRequest::new(Method::Put, &url).with_body(json!({"location": "eastus"})))
            .await
            .expect("response");
        assert_eq!(response.status, 200);
        assert_eq!(
            response.body,
            Some(json!({"path": "/subscriptions/s/resourceGroups/rg", "ok": true}))
        );
        assert_eq!(response.header("content-type"), Some("application/json"));

        let seen = &arm.requests()[0];
        assert_eq!(seen.method, "PUT");
        assert_eq!(seen.headers["authorization"], format!("Bearer {TOKEN}"));
        assert_eq!(seen.headers["content-type"], "application/json");
        assert_eq!(seen.headers["user-agent"], USER_AGENT_VALUE);
        assert!(USER_AGENT_VALUE.starts_with("amlab/"));
        let id = &seen.headers["x-ms-client-request-id"];
        assert_eq!(id.len(), 36, "{id}");
        assert_eq!(&id[14..15], "4", "{id}");
        assert_eq!(seen.query["api-version"], "2021-04-01");
    }

    #[tokio::test]
    async fn token_goes_only_to_the_base_origin() {
        let arm = FakeArm::start().await;
        let other = FakeArm::start().await;
        let live = token_transport(&arm.url);
        let port = arm.url.rsplit(':').next().expect("port");
        // Same server, other host name; other port; base again.
        let urls = [
            format!("http://localhost:{port}/operations/1"),
            format!("{}/operations/2", other.url),
            format!("{}/operations/3", arm.url),
        ];
        for url in &urls {
            let r = live
                .send(HttpRequest::new(Method::Get, url))
                .await
                .expect("response");
            assert_eq!(r.status, 200);
        }
        assert_eq!(
            arm.authorizations(),
            vec![None, Some(format!("Bearer {TOKEN}"))]
        );
        assert_eq!(other.authorizations(), vec![None]);
        // A foreign 401 is handed back as is: no token was involved, no retry.
        other.reject_next(1);
        let r = live
            .send(HttpRequest::new(Method::Get, format!("{}/x", other.url)))
            .await
            .expect("response");
        assert_eq!(r.status, 401);
        assert_eq!(other.requests().len(), 2);
    }

    #[tokio::test]
    async fn a_401_refreshes_the_token_and_retries_once() {
        let arm = FakeArm::start().await;
        let counting = Arc::new(Counting::default());
        let cred = Credential::new(
            AuthMode::Secret,
            "counting test credential",
            counting.clone(),
        );
        let tokens = Arc::new(TokenCache::new(cred, Cloud::Public.scope()));
        let live = LiveTransport::new(LiveOptions::new(&arm.url), tokens.clone()).expect("live");
        arm.reject_next(1);
        let r = live
            .send(HttpRequest::new(Method::Get, format!("{}/sub", arm.url)))
            .await
            .expect("response");
        assert_eq!(r.status, 200);
        assert_eq!(
            arm.authorizations(),
            vec![Some("Bearer tok-1".into()), Some("Bearer tok-2".into())]
        );
        assert_eq!(tokens.fetch_count().await, 2);
        // The new token is cached for the next request.
        live.send(HttpRequest::new(Method::Get, format!("{}/sub", arm.url)))
            .await
            .expect("response");
        assert_eq!(counting.0.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_second_401_is_an_auth_error_without_the_token() {
        let arm = FakeArm::start().await;
        let live = token_transport(&arm.url);
        arm.reject_next(5);
        let err = live
            .send(HttpRequest::new(Method::Get, format!("{}/sub", arm.url)))
            .await
            .expect_err("rejected");
        assert!(matches!(err, TransportError::Auth(_)), "{err:?}");
        assert!(!err.is_retryable());
        let text = format!("{err} {err:?}");
        assert!(text.contains("ExpiredAuthenticationToken"), "{text}");
        assert!(text.contains("AZURE_ACCESS_TOKEN"), "{text}");
        assert!(!text.contains(TOKEN), "{text}");
        // Exactly one retry.
        assert_eq!(arm.requests().len(), 2);
    }

    #[tokio::test]
    async fn credential_failure_is_an_auth_error_and_sends_nothing() {
        let arm = FakeArm::start().await;
        let dir = tempfile::tempdir().expect("tempdir");
        // An `az` that fails as a signed-out CLI does.
        let az = dir.path().join("az");
        std::fs::write(&az, "#!/bin/sh\necho 'ERROR: not logged in' >&2\nexit 1\n").expect("write");
        std::fs::set_permissions(
            &az,
            <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755),
        )
        .expect("chmod");
        let options = AuthOptions {
            az_dir: Some(dir.path().to_owned()),
            ..AuthOptions::default()
        };
        let cred = build_credential(AuthMode::Cli, &Env::from_pairs::<&str, &str>([]), &options)
            .expect("credential");
        let tokens = Arc::new(TokenCache::new(cred, Cloud::Public.scope()));
        let live = LiveTransport::new(LiveOptions::new(&arm.url), tokens).expect("live");
        let err = live
            .send(HttpRequest::new(Method::Get, format!("{}/sub", arm.url)))
            .await
            .expect_err("no token");
        assert!(
            matches!(&err, TransportError::Auth(m) if m.contains("not logged in")),
            "{err:?}"
        );
        assert!(arm.requests().is_empty());
    }

    #[tokio::test]
    async fn non_json_and_empty_bodies() {
        let arm = FakeArm::start().await;
        let live = token_transport(&arm.url);
        let text = live
            .send(HttpRequest::new(Method::Get, format!("{}/text", arm.url)))
            .await
            .expect("text");
        assert_eq!(text.body, Some(Value::String("plain words".into())));
        let empty = live
            .send(HttpRequest::new(
                Method::Delete,
                format!("{}/empty", arm.url),
            ))
            .await
            .expect("empty");
        assert_eq!(empty.status, 204);
        assert_eq!(empty.body, None);
        // A GET without a body sends no Content-Type even when the caller names one.
        let mut get = HttpRequest::new(Method::Get, format!("{}/x", arm.url));
        get.headers
            .push(("Content-Type".into(), "application/json".into()));
        live.send(get).await.expect("get");
        assert!(!arm.requests()[2].headers.contains_key("content-type"));
    }

    #[tokio::test]
    async fn refused_connection_and_timeout_are_typed() {
        // A port that was just free: nothing listens there.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let closed = format!("http://{}", listener.local_addr().expect("addr"));
        drop(listener);
        let live = token_transport(&closed);
        let err = live
            .send(HttpRequest::new(Method::Get, format!("{closed}/x")))
            .await
            .expect_err("refused");
        assert!(matches!(err, TransportError::Connection(_)), "{err:?}");
        assert!(err.is_retryable());

        // A server that accepts and never answers.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let silent_url = format!("http://{}", silent.local_addr().expect("addr"));
        let held = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((socket, _)) = silent.accept().await {
                open.push(socket);
            }
        });
        let env = Env::from_pairs([("AZURE_ACCESS_TOKEN", TOKEN)]);
        let cred = build_credential(AuthMode::Token, &env, &AuthOptions::default()).expect("cred");
        let tokens = Arc::new(TokenCache::new(cred, Cloud::Public.scope()));
        let timeout = Duration::from_millis(300);
        let live = LiveTransport::new(LiveOptions::new(&silent_url).with_timeout(timeout), tokens)
            .expect("live");
        let err = live
            .send(HttpRequest::new(Method::Get, format!("{silent_url}/x")))
            .await
            .expect_err("timeout");
        assert!(
            matches!(err, TransportError::Timeout(d) if d == timeout),
            "{err:?}"
        );
        held.abort();
    }

    #[test]
    fn bad_base_and_ca_cert_are_clear_errors() {
        let tokens = || {
            Arc::new(TokenCache::new(
                Credential::fixed("t", "test"),
                Cloud::Public.scope(),
            ))
        };
        let err = LiveTransport::new(LiveOptions::new("ftp://example.com"), tokens())
            .expect_err("scheme");
        assert!(err.to_string().contains("http"), "{err}");
        let err = LiveTransport::new(
            LiveOptions::new("https://127.0.0.1:1").with_ca_cert("/nonexistent/ca.pem"),
            tokens(),
        )
        .expect_err("missing file");
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
        let dir = tempfile::tempdir().expect("tempdir");
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").expect("write");
        let err = LiveTransport::new(
            LiveOptions::new("https://127.0.0.1:1").with_ca_cert(&junk),
            tokens(),
        )
        .expect_err("junk");
        assert!(matches!(err, LiveError::CaCert { .. }), "{err:?}");
        let good = dir.path().join("ca.pem");
        std::fs::write(&good, TEST_CA_PEM).expect("write");
        let live = LiveTransport::new(
            LiveOptions::new("https://127.0.0.1:8443/").with_ca_cert(&good),
            tokens(),
        )
        .expect("a valid PEM is accepted");
        assert_eq!(live.base(), "https://127.0.0.1:8443");
    }

    #[test]
    fn request_ids_are_uuid_v4() {
        let a = request_id();
        let b = request_id();
        assert_ne!(a, b);
        assert_eq!(
            a.split('-').map(str::len).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    /// A self-signed certificate for `127.0.0.1` (test data only).
    const TEST_CA_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBfjCCASWgAwIBAgIUPXfNBwstMHScthQwPsif+4zaT8YwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMjAxNDQzNloYDzIxMjYxMDI5
MDE0NDM2WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARPhjuinNKB7ImgI/LOwXGW1OynBj2XW6ElP+8wYpKs6lUkGa+ioH54
BW+vW4t8tzpF1/+9r9Or+cexE1vwWpamo1MwUTAdBgNVHQ4EFgQUhhZDrS4X1o2A
fGyJa/ospcjDg9AwHwYDVR0jBBgwFoAUhhZDrS4X1o2AfGyJa/ospcjDg9AwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBdmeiaMTB5xEufYGDsoY3Y
W9Gv9NT+hPsu6ssEVlazhQIgFmMfGRifagZJ1MLhulMk5U5CCrmpvcoBV2ajhiHv
8Jw=
-----END CERTIFICATE-----
";
}
