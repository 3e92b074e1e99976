//! The blob data plane behind `amlab serve`: requests to `https://{account}.blob.core.windows.net`
//! (through the proxy) go to [`crate::emulator::Emulator::blob`] with their raw bodies (up to
//! [`MAX_BLOB_BYTES`]), Entra bearer tokens checked by the server's identity (audience
//! `https://storage.azure.com` or the account's endpoint). Logged like every request, with SAS
//! signatures redacted ([`crate::emulator::RequestRecord::new`]).

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;

use super::Server;
use crate::emulator::blob::MAX_BLOB_BYTES;
use crate::emulator::{BlobRequest, BlobResponse};

/// Serves one blob request.
pub(super) async fn serve(
    server: &Server,
    parts: &Parts,
    origin: &str,
    account: &str,
    body: Body,
) -> Response {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let limit = usize::try_from(MAX_BLOB_BYTES).unwrap_or(usize::MAX);
    let response = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => answer(server, parts, origin, account, path, bytes),
        Err(_) => too_large(),
    };
    server.record(parts.method.as_str(), path, response.status);
    to_axum(response)
}

fn answer(
    server: &Server,
    parts: &Parts,
    origin: &str,
    account: &str,
    path: &str,
    bytes: Bytes,
) -> BlobResponse {
    let headers = parts
        .headers
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let request = BlobRequest {
        method: parts.method.as_str().to_owned(),
        url: format!("{origin}{path}"),
        headers,
        body: bytes.to_vec(),
    };
    let identity = server.identity();
    let check = |authorization: &str| {
        identity
            .verify_storage(authorization, account)
            .map_err(|r| r.message)
    };
    server
        .emulator
        .blob(&request, &check)
        .unwrap_or_else(|| BlobResponse {
            status: 404,
            ..BlobResponse::default()
        })
}

/// 413 for a body over the limit, as the service words it.
fn too_large() -> BlobResponse {
    let body = format!(
        "{}<Error><Code>RequestBodyTooLarge</Code><Message>The request body is too large and exceeds the maximum permissible limit: amlab's emulated storage accepts at most {MAX_BLOB_BYTES} bytes in one request.</Message><MaxLimit>{MAX_BLOB_BYTES}</MaxLimit></Error>",
        crate::emulator::blob::xml::DECLARATION
    );
    BlobResponse {
        status: 413,
        headers: vec![
            ("x-ms-error-code".into(), "RequestBodyTooLarge".into()),
            ("Content-Type".into(), "application/xml".into()),
        ],
        body: body.into_bytes(),
    }
}

fn to_axum(r: BlobResponse) -> Response {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in &r.headers {
        // hyper computes Content-Length from the body (a HEAD keeps the blob's length).
        if k.eq_ignore_ascii_case("content-length") && !r.body.is_empty() {
            continue;
        }
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder
        .body(Body::from(r.body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}
