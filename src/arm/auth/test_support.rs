//! Loopback stand-ins for the tests of the auth and live modules: a fake identity server (Entra
//! token endpoint, App Service managed identity endpoint, GitHub OIDC endpoint) and a fake ARM
//! endpoint, both axum servers on 127.0.0.1 that record what they receive.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One request a fake received.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: HashMap<String, String>,
    /// Header names lower-cased.
    pub(crate) headers: HashMap<String, String>,
    /// The body parsed as a form (empty when it is not one).
    pub(crate) form: HashMap<String, String>,
}

async fn record(req: Request) -> Seen {
    let (parts, body) = req.into_parts();
    let body: Bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let pairs = |s: &str| -> HashMap<String, String> {
        reqwest::Url::parse(&format!("http://form.invalid/?{s}"))
            .map(|u| {
                u.query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    };
    Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: pairs(parts.uri.query().unwrap_or("")),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or("").to_owned(),
                )
            })
            .collect(),
        form: pairs(std::str::from_utf8(&body).unwrap_or("")),
    }
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

#[derive(Default)]
struct IdentityState {
    seen: Mutex<Vec<Seen>>,
    issued: AtomicUsize,
    expires_in: i64,
    failing: bool,
}

/// A fake identity server: `POST /{tenant}/oauth2/v2.0/token` (Entra), `GET /msi/token`
/// (App Service managed identity), `GET /github/token` (GitHub OIDC ID token).
pub(crate) struct FakeEntra {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    state: Arc<IdentityState>,
}

impl FakeEntra {
    /// Issues `entra-1`, `entra-2`, ... valid for `expires_in` seconds.
    pub(crate) async fn start(expires_in: i64) -> Self {
        Self::start_with(expires_in, false).await
    }

    /// Answers every Entra token request with 401 `invalid_client`, echoing the secret.
    pub(crate) async fn start_failing() -> Self {
        Self::start_with(3600, true).await
    }

    async fn start_with(expires_in: i64, failing: bool) -> Self {
        let state = Arc::new(IdentityState {
            expires_in,
            failing,
            ..IdentityState::default()
        });
        let app = Router::new().fallback(identity).with_state(state.clone());
        Self {
            url: serve(app).await,
            state,
        }
    }

    /// Every request received, in order.
    pub(crate) fn requests(&self) -> Vec<Seen> {
        self.state.seen.lock().expect("lock").clone()
    }

    /// The Entra token requests only.
    pub(crate) fn token_requests(&self) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|s| s.path.ends_with("/oauth2/v2.0/token"))
            .collect()
    }
}

async fn identity(State(state): State<Arc<IdentityState>>, req: Request) -> Response {
    let seen = record(req).await;
    let path = seen.path.clone();
    let secret = seen.form.get("client_secret").cloned().unwrap_or_default();
    state.seen.lock().expect("lock").push(seen);
    if path == "/github/token" {
        return axum::Json(json!({"count": 1, "value": "github-id-token-jwt"})).into_response();
    }
    let n = state.issued.fetch_add(1, Ordering::SeqCst) + 1;
    if path == "/msi/token" {
        let expires_on = time::OffsetDateTime::now_utc().unix_timestamp() + state.expires_in;
        return axum::Json(json!({
            "access_token": format!("mi-{n}"),
            "expires_on": expires_on.to_string(),
            "token_type": "Bearer",
            "resource": "https://management.azure.com",
        }))
        .into_response();
    }
    if path.ends_with("/oauth2/v2.0/token") {
        if state.failing {
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({
                    "error": "invalid_client",
                    "error_description": format!(
                        "AADSTS7000215: Invalid client secret provided ({secret})."
                    ),
                    "error_codes": [7000215],
                })),
            )
                .into_response();
        }
        return axum::Json(json!({
            "token_type": "Bearer",
            "expires_in": state.expires_in,
            "ext_expires_in": state.expires_in,
            "access_token": format!("entra-{n}"),
        }))
        .into_response();
    }
    StatusCode::NOT_FOUND.into_response()
}

#[derive(Default)]
struct ArmState {
    seen: Mutex<Vec<Seen>>,
    /// How many of the next requests to answer 401.
    reject: AtomicUsize,
}

/// A fake ARM endpoint: answers 200 `{"path": ...}` to anything, `text/plain` under
/// `/text`, 204 under `/empty`; after [`FakeArm::reject_next`] answers 401 first.
pub(crate) struct FakeArm {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    state: Arc<ArmState>,
}

impl FakeArm {
    pub(crate) async fn start() -> Self {
        let state = Arc::new(ArmState::default());
        let app = Router::new().fallback(arm).with_state(state.clone());
        Self {
            url: serve(app).await,
            state,
        }
    }

    /// Answers the next `n` requests with 401.
    pub(crate) fn reject_next(&self, n: usize) {
        self.state.reject.store(n, Ordering::SeqCst);
    }

    /// Every request received, in order.
    pub(crate) fn requests(&self) -> Vec<Seen> {
        self.state.seen.lock().expect("lock").clone()
    }

    /// The `Authorization` header of each request, in order.
    pub(crate) fn authorizations(&self) -> Vec<Option<String>> {
        self.requests()
            .into_iter()
            .map(|s| s.headers.get("authorization").cloned())
            .collect()
    }
}

async fn arm(State(state): State<Arc<ArmState>>, req: Request) -> Response {
    let seen = record(req).await;
    let path = seen.path.clone();
    state.seen.lock().expect("lock").push(seen);
    let rejecting = state
        .reject
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if rejecting {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": {
                "code": "ExpiredAuthenticationToken",
                "message": "The access token expiry UTC time is earlier than current UTC time.",
            }})),
        )
            .into_response();
    }
    if path.starts_with("/text") {
        return (StatusCode::OK, "plain words").into_response();
    }
    if path.starts_with("/empty") {
        return StatusCode::NO_CONTENT.into_response();
    }
    axum::Json(json!({"path": path, "ok": Value::Bool(true)})).into_response()
}
