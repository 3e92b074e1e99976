//! `amlab serve`: the emulator over HTTP, with fault injection, an emulated Entra ID whose signed
//! tokens are verified on every ARM request (as ARM does), the cloud metadata document, and two
//! inspection endpoints for tests (`/_emulator/requests`, `/_emulator/secrets`). With `--tls` it
//! is also an HTTPS proxy for the Azure hosts the SDKs call ([`proxy`]); the blob endpoints of
//! emulated storage accounts are served by [`blob`] (fault injection applies to ARM only).
//!
//! Bounded whatever clients send: request bodies up to [`MAX_BODY`] (413 with an ARM error
//! beyond), and a request log of the last [`log::LOG_CAPACITY`] requests with paths cut to
//! [`log::MAX_LOGGED_PATH`] bytes (see [`log`]).
//!
//! Injected dropped connections and hangs send no HTTP response at all: the handler answers with
//! a body that fails before its first byte, which makes hyper abort the connection before the
//! status line is written. The request log records them with status 0.

mod asset_plane;
pub mod batch_jobs;
pub mod blob;
pub mod entra;
pub mod env_file;
pub mod faults;
pub mod hosts;
pub mod identity;
pub mod log;
pub mod metadata;
mod own_search;
pub mod proxy;
pub mod tls;
pub mod workspace_api;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method as HttpMethod, Request, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use crate::arm::transport::{HttpRequest, HttpResponse, Method, Transport};
use crate::emulator::Emulator;
use faults::{Fault, Faults};
use log::{Logged, RequestLog};

/// Largest request body accepted: 4 MiB, ARM's own limit on a request's content.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// Largest token request accepted (a form with a client assertion is a few kilobytes).
const MAX_FORM: usize = 64 * 1024;

/// Shared state of the server.
pub struct Server {
    emulator: Emulator,
    scheme: &'static str,
    faults: Faults,
    identity: identity::Identity,
    log: Mutex<RequestLog>,
    /// Set when the server shuts down, releasing hung requests.
    stopping: tokio::sync::watch::Sender<bool>,
}

impl Server {
    /// A server in front of `emulator`, reached over `https` when `tls`, issuing and verifying
    /// tokens as `identity`.
    pub fn new(
        emulator: Emulator,
        faults: Faults,
        tls: bool,
        identity: identity::Identity,
    ) -> Self {
        Self {
            emulator,
            scheme: if tls { "https" } else { "http" },
            faults,
            identity,
            log: Mutex::new(RequestLog::default()),
            stopping: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Saves the emulator's state file now (`--fresh`: empties it once the address is bound).
    pub fn flush_state(&self) -> Result<(), crate::emulator::EmulatorError> {
        self.emulator.flush()
    }

    /// The emulated tenant (its client secret goes to the `--env-file`, never to the terminal).
    pub fn identity(&self) -> &identity::Identity {
        &self.identity
    }

    /// Releases requests held by `--hang-after` (their connections are then closed).
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    async fn stopped(&self) {
        let mut rx = self.stopping.subscribe();
        let _ = rx.wait_for(|s| *s).await;
    }

    /// The logged requests numbered above `since` (every one kept with 0), oldest first.
    pub fn requests(&self, since: u64) -> Vec<Logged> {
        self.with_log(|log| log.since(since))
    }

    /// How many requests the log keeps, and the bytes of their methods and paths.
    pub fn log_size(&self) -> (usize, usize) {
        self.with_log(|log| (log.len(), log.text_bytes()))
    }

    fn with_log<T>(&self, f: impl FnOnce(&mut RequestLog) -> T) -> T {
        f(&mut self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn record(&self, method: &str, path: &str, status: u16) {
        self.with_log(|log| log.push(method, path, status));
    }
}

/// The axum router: every path goes to one handler.
pub fn router(server: Arc<Server>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(server)
}

/// Serves until `shutdown` completes. `on_bound` receives the bound address first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    server: Arc<Server>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stopper = Arc::clone(&server);
    let shutdown = async move {
        shutdown.await;
        stopper.stop();
    };
    axum::serve(listener, router(server).into_make_service())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serves over TLS with `identity` until `shutdown` completes; the same port is the HTTPS proxy
/// for Azure hosts ([`proxy`]).
pub async fn serve_tls(
    listener: std::net::TcpListener,
    server: Arc<Server>,
    identity: tls::ServerIdentity,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    proxy::serve_tls(listener, server, identity, shutdown).await
}

/// The address a listener is bound to, as `http://HOST:PORT`.
pub fn base_url(addr: SocketAddr, tls: bool) -> String {
    format!("{}://{}", if tls { "https" } else { "http" }, addr)
}

async fn handle(State(server): State<Arc<Server>>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let origin = origin(server.scheme, &parts.uri, &parts.headers);
    if let Some(account) = blob_account(&origin) {
        return blob::serve(&server, &parts, &origin, &account, body).await;
    }
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |p| p.as_str());
    let answer = answer(&server, &parts.method, &parts.uri, &parts.headers, body).await;
    let status = match &answer {
        Answer::Reply(r) => r.status,
        Answer::Drop | Answer::Hang => 0,
    };
    // The inspection endpoints are not part of the traffic they report on.
    if !parts.uri.path().starts_with("/_emulator/") {
        server.record(parts.method.as_str(), path, status);
    }
    let latency = server.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match answer {
        Answer::Reply(response) => to_axum(response),
        Answer::Drop => aborted(),
        Answer::Hang => {
            server.stopped().await;
            aborted()
        }
    }
}

/// What the handler does with a request.
enum Answer {
    /// Send this response.
    Reply(HttpResponse),
    /// Close the connection without a response.
    Drop,
    /// Hold the request until the server stops, then close the connection.
    Hang,
}

/// A response hyper cannot send: its body fails before the first byte, so hyper closes the
/// connection without writing the status line (what a client sees as a dropped connection).
fn aborted() -> Response {
    let failing = futures_util::stream::once(std::future::ready(Err::<Bytes, std::io::Error>(
        std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "amlab serve: injected dropped connection",
        ),
    )));
    Response::new(Body::from_stream(failing))
}

async fn answer(
    server: &Server,
    method: &HttpMethod,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Answer {
    match serve_request(server, method, uri, headers, body).await {
        Ok(response) => Answer::Reply(response),
        Err(Fault::Respond(response)) => Answer::Reply(response),
        Err(Fault::Drop) => Answer::Drop,
        Err(Fault::Hang) => Answer::Hang,
    }
}

/// Serves one request, or returns the fault injected instead.
async fn serve_request(
    server: &Server,
    method: &HttpMethod,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<HttpResponse, Fault> {
    if method == HttpMethod::GET {
        match uri.path() {
            "/_emulator/requests" => {
                return Ok(match log::parse_since(uri.query()) {
                    Ok(since) => {
                        HttpResponse::new(200, serde_json::to_value(server.requests(since)).ok())
                    }
                    Err(message) => HttpResponse::new(
                        400,
                        Some(
                            json!({"error": {"code": "InvalidQueryParameterValue", "message": message}}),
                        ),
                    ),
                });
            }
            "/_emulator/world" => {
                return Ok(HttpResponse::new(
                    200,
                    Some(json!({"id": server.emulator.world_id()})),
                ));
            }
            "/_emulator/secrets" => {
                let mut secrets = server.emulator.secrets();
                secrets.push(server.identity.client_secret().to_owned());
                secrets.push(server.identity.user_password().to_owned());
                return Ok(HttpResponse::new(200, Some(json!(secrets))));
            }
            _ => {}
        }
    }
    let own = origin(server.scheme, uri, headers);
    let (origin, uri) =
        own_search::unprefix(&own, uri).unwrap_or_else(|| (own.clone(), uri.clone()));
    let uri = &uri;
    let query = query_pairs(uri.query().unwrap_or_default());
    if method == HttpMethod::GET && uri.path() == "/metadata/endpoints" {
        return Ok(metadata::answer(&origin, &query));
    }
    if entra::is_identity_path(uri.path()) {
        let bytes = axum::body::to_bytes(body, MAX_FORM)
            .await
            .unwrap_or_default();
        let answer = entra::answer(
            &server.identity,
            method.as_str(),
            &origin,
            uri.path(),
            &query,
            &bytes,
        );
        return Ok(answer.unwrap_or_else(|| HttpResponse::new(404, None)));
    }
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    if is_workspace_host(&origin) {
        // A batch endpoint's scoring URI takes a JSON body (the job to create); bounded.
        let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
            return Ok(too_large());
        };
        let deployment = headers
            .get("azureml-model-deployment")
            .and_then(|v| v.to_str().ok());
        if let Some(answer) = workspace_host(
            server,
            method,
            &origin,
            uri,
            authorization,
            (deployment, &bytes),
        ) {
            return Ok(answer);
        }
        return Ok(HttpResponse::new(404, None));
    }
    let search = hosts::is_search(host_of(&origin));
    if !search && let Some(answer) = not_modelled(&origin) {
        return Ok(answer);
    }
    let forwarded = if search {
        // The Search data plane: an api-key, or a token for its own audience (checked here,
        // where the tokens' signing key is; the emulator then decides what the caller may do).
        if authorization.is_some()
            && let Err(refusal) = server
                .identity
                .verify_for(authorization, hosts::SEARCH_AUDIENCES)
        {
            return Ok(refusal.response());
        }
        data_plane_headers(headers)
    } else {
        if let Err(refusal) = server.identity.verify(authorization) {
            return Ok(refusal.response());
        }
        Vec::new()
    };
    if let Some(fault) = server.faults.draw() {
        return Err(fault);
    }
    let Some(method) = to_method(method) else {
        return Ok(HttpResponse::new(
            405,
            Some(
                json!({"error": {"code": "MethodNotAllowed", "message": format!("The method {method} is not allowed.")}}),
            ),
        ));
    };
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return Ok(too_large());
        }
    };
    let body = if bytes.is_empty() {
        None
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                return Ok(HttpResponse::new(
                    400,
                    Some(
                        json!({"error": {"code": "InvalidRequestContent", "message": format!("The request content was invalid and could not be deserialized: {e}")}}),
                    ),
                ));
            }
        }
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let request = HttpRequest {
        method,
        url: format!("{origin}{path}"),
        headers: forwarded,
        body,
    };
    let mut response = match server.emulator.send(request).await {
        Ok(r) => r,
        Err(e) => HttpResponse::new(
            500,
            Some(json!({"error": {"code": "InternalServerError", "message": e.to_string()}})),
        ),
    };
    if own_search::is_own(&own)
        && let Some(body) = response.body.as_mut()
    {
        own_search::advertise(&own, body);
    }
    Ok(response)
}

/// `scheme://host[:port]` the client addressed: HTTP/2 carries the authority in the URI,
/// HTTP/1.1 in the Host header.
fn origin(scheme: &str, uri: &Uri, headers: &HeaderMap) -> String {
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "localhost".to_owned());
    // The default port is not part of the origin clients compare (`https://management.azure.com`).
    let host = match (scheme, host.strip_suffix(":443")) {
        ("https", Some(h)) => h.to_owned(),
        _ => host,
    };
    format!("{scheme}://{host}")
}

/// 413 with ARM's error: the body exceeds [`MAX_BODY`].
fn too_large() -> HttpResponse {
    HttpResponse::new(
        413,
        Some(
            json!({"error": {"code": "RequestTooLarge", "message": format!(
                "The request content exceeds the maximum allowed size of {MAX_BODY} bytes."
            )}}),
        ),
    )
}

/// Whether `origin` is one of the workspace's own hosts ([`workspace_api`]).
fn is_workspace_host(origin: &str) -> bool {
    let host = host_of(origin);
    hosts::role(host) == hosts::Role::DataPlane && workspace_api::is_workspace_host(host)
}

/// The workspace's own hosts ([`workspace_api`]): run history needs a token the emulator
/// issued (discovery and a run's log URL are read without one, as the SDK reads them); a scoring URI needs a bearer credential (an endpoint key or a token), and
/// answers that no model runs.
fn workspace_host(
    server: &Server,
    method: &HttpMethod,
    origin: &str,
    uri: &Uri,
    authorization: Option<&str>,
    (deployment, body): (Option<&str>, &[u8]),
) -> Option<HttpResponse> {
    let host = origin.split_once("://").map_or(origin, |(_, h)| h);
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    if hosts::role(host) != hosts::Role::DataPlane {
        return None;
    }
    let scoring = host
        .to_ascii_lowercase()
        .ends_with(".inference.ml.azure.com");
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let creates_a_job =
        scoring && method == HttpMethod::POST && workspace_api::is_batch_invoke(path);
    let refusal = if creates_a_job {
        // Invoking a batch endpoint creates a job: only with a token the emulator issued.
        server
            .identity
            .verify_for(authorization, hosts::ML_AUDIENCES)
            .err()
            .map(|r| r.response())
    } else if scoring {
        authorization
            .is_none_or(|a| !a.to_ascii_lowercase().starts_with("bearer "))
            .then(|| {
                identity::Refusal {
                    code: "AuthenticationFailed",
                    message: "Authentication failed: a scoring request needs 'Authorization: Bearer' with an endpoint key or a token.".into(),
                }
                .response()
            })
    } else if workspace_api::is_anonymous(path) {
        None
    } else {
        server
            .identity
            .verify_for(authorization, hosts::ML_AUDIENCES)
            .err()
            .map(|r| r.response())
    };
    if let Some(refusal) = refusal {
        return Some(refusal);
    }
    workspace_api::answer_with(
        &server.emulator,
        method.as_str(),
        host,
        path,
        deployment,
        body,
    )
}

/// The host of an origin, without scheme and port.
fn host_of(origin: &str) -> &str {
    let host = origin.split_once("://").map_or(origin, |(_, h)| h);
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

/// The request headers a data plane decides on (credentials and preconditions).
fn data_plane_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    ["api-key", "authorization", "if-match", "if-none-match"]
        .iter()
        .filter_map(|name| {
            let value = headers.get(*name)?.to_str().ok()?;
            Some(((*name).to_owned(), value.to_owned()))
        })
        .collect()
}

/// The answer for a proxied host whose service is not emulated (yet): said plainly, never an
/// invented result. Entra's hosts serve only the identity endpoints.
fn not_modelled(origin: &str) -> Option<HttpResponse> {
    let host = origin.split_once("://").map_or(origin, |(_, h)| h);
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    match hosts::role(host) {
        hosts::Role::Arm => None,
        hosts::Role::Login => Some(HttpResponse::new(
            404,
            Some(
                json!({"error": "not_found", "error_description": format!("amlab serve emulates only the identity endpoints of {host} (token, OpenID configuration, keys, instance discovery).")}),
            ),
        )),
        hosts::Role::DataPlane => Some(HttpResponse::new(
            501,
            Some(
                json!({"error": {"code": "NotEmulated", "message": format!("amlab serve does not emulate the service at {host} yet; the emulated services are Azure Resource Manager, Entra ID, blob storage, the Azure ML workspace and registry hosts and the Azure AI Search data plane. Nothing was forwarded to Azure.")}}),
            ),
        )),
    }
}

/// The storage account of a blob endpoint origin (`https://{account}.blob.core.windows.net`).
fn blob_account(origin: &str) -> Option<String> {
    let host = origin.split_once("://").map_or(origin, |(_, h)| h);
    crate::emulator::blob::account_of_host(host).map(str::to_ascii_lowercase)
}

/// Query parameters, percent-decoded.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    identity::parse_form(query.as_bytes())
}

fn to_method(m: &HttpMethod) -> Option<Method> {
    Some(match *m {
        HttpMethod::GET => Method::Get,
        HttpMethod::PUT => Method::Put,
        HttpMethod::PATCH => Method::Patch,
        HttpMethod::DELETE => Method::Delete,
        HttpMethod::POST => Method::Post,
        _ => return None,
    })
}

fn to_axum(r: HttpResponse) -> Response {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in &r.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let text = r
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/"));
    let body = match &r.body {
        Some(Value::String(s)) if text => Body::from(s.clone()),
        Some(v) => {
            // The emulator sets the content type of most answers; one header, never two.
            if r.header("content-type").is_none() {
                builder = builder.header("content-type", "application/json; charset=utf-8");
            }
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    builder
        .body(body)
        .unwrap_or_else(|_| Response::new(Body::empty()))
}
