//! The blob data plane of emulated storage accounts, `https://{account}.blob.core.windows.net`:
//! the subset azure-storage-blob uses to upload, download, list and delete (containers, Put
//! Blob, Put Block / Put Block List, Get Blob with ranges, blob properties and metadata, List
//! Blobs, Delete Blob), with SharedKey and SAS signatures verified against the account's keys
//! and Entra bearer tokens checked by the caller ([`BearerCheck`]).
//!
//! Layout: this file routes a request and holds the shared helpers; `auth` decides who may do
//! what; `containers`, `blobs` and `blocks` are the operations; `model` is what the world keeps;
//! `payloads` keeps the bytes outside the JSON state; `sign` and `xml` are the wire formats;
//! `conditions` the conditional headers and ranges.
//!
//! A container is the ARM resource `.../blobServices/default/containers/{name}` (created or
//! deleted from either plane, seen from both); its data-plane state lives in
//! [`crate::emulator::world::World::blobs`] under the container's lower-cased resource id.
//!
//! Bounded: a request body (so a blob written whole or one block) and a committed blob hold at
//! most [`MAX_BLOB_BYTES`]; a world holds at most [`MAX_WORLD_BYTES`] of blob data; beyond
//! either the answer is a 413 that says which limit.

mod auth;
mod blobs;
mod blocks;
mod collation;
mod conditions;
pub(crate) mod containers;
pub(crate) mod model;
pub(crate) mod payloads;
pub(crate) mod service;
pub mod sign;
#[cfg(test)]
mod tests;
pub(crate) mod xml;

use std::collections::BTreeSet;

use super::ids;
use super::world::{StoredResource, World};
use payloads::Payloads;

/// The largest blob (and request body) the emulator accepts: 256 MiB.
pub const MAX_BLOB_BYTES: u64 = 256 * 1024 * 1024;

/// The most blob data one world holds: 2 GiB.
pub const MAX_WORLD_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The version answered when a request names none.
const DEFAULT_VERSION: &str = "2009-09-19";

const STORAGE_ACCOUNT_TYPE: &str = "Microsoft.Storage/storageAccounts";

/// One data-plane request.
#[derive(Debug, Clone, Default)]
pub struct BlobRequest {
    /// The HTTP method (`GET`, `HEAD`, `PUT`, `DELETE`, ...).
    pub method: String,
    /// The absolute URL as sent (`https://{account}.blob.core.windows.net/{container}/{blob}?...`).
    pub url: String,
    /// The request headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// One data-plane response.
#[derive(Debug, Clone, Default)]
pub struct BlobResponse {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: Vec<(String, String)>,
    /// The body (empty for HEAD).
    pub body: Vec<u8>,
}

impl BlobResponse {
    /// The value of a header, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Checks an `Authorization: Bearer ...` header value: `Ok` for a token the emulated Entra ID
/// issued, else why not. In-process callers without an identity pass one that refuses.
pub type BearerCheck<'a> = &'a dyn Fn(&str) -> Result<(), String>;

/// Whether `host` (without port) is a blob endpoint, and of which account.
pub fn account_of_host(host: &str) -> Option<&str> {
    let host = host.split(':').next().unwrap_or(host);
    let account = host.strip_suffix(".blob.core.windows.net")?;
    (!account.is_empty() && !account.contains('.')).then_some(account)
}

/// An error answer: status, code (also sent as `x-ms-error-code`), message, extra XML.
#[derive(Debug, Clone)]
pub(crate) struct BlobError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) extra: String,
    pub(crate) headers: Vec<(String, String)>,
}

impl BlobError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            extra: String::new(),
            headers: Vec::new(),
        }
    }

    pub(crate) fn with_extra(mut self, extra: String) -> Self {
        self.extra = extra;
        self
    }

    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn container_not_found() -> Self {
        Self::new(
            404,
            "ContainerNotFound",
            "The specified container does not exist.",
        )
    }

    pub(crate) fn blob_not_found() -> Self {
        Self::new(404, "BlobNotFound", "The specified blob does not exist.")
    }

    pub(crate) fn internal(message: String) -> Self {
        Self::new(500, "InternalError", message)
    }
}

/// What an operation answers.
pub(crate) type BlobResult = Result<BlobResponse, BlobError>;

/// A parsed request.
#[derive(Debug)]
pub(crate) struct Parsed<'a> {
    pub(crate) req: &'a BlobRequest,
    pub(crate) method: String,
    pub(crate) scheme: String,
    pub(crate) account: String,
    /// The path as sent (percent-encoded), for SharedKey.
    pub(crate) raw_path: String,
    /// The container (decoded), if any.
    pub(crate) container: Option<String>,
    /// The blob name (decoded), if any.
    pub(crate) blob: Option<String>,
    /// The query, decoded.
    pub(crate) query: Vec<(String, String)>,
}

impl Parsed<'_> {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.req
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `x-ms-meta-*` headers: (name as sent, value).
    pub(crate) fn metadata(&self) -> Result<std::collections::BTreeMap<String, String>, BlobError> {
        let mut out = std::collections::BTreeMap::new();
        for (k, v) in &self.req.headers {
            let Some(name) = k
                .get(..10)
                .filter(|p| p.eq_ignore_ascii_case("x-ms-meta-"))
                .map(|_| &k[10..])
            else {
                continue;
            };
            let valid = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(BlobError::new(
                    400,
                    "InvalidMetadata",
                    format!("The metadata name '{name}' is not a valid C# identifier."),
                ));
            }
            out.insert(name.to_owned(), v.clone());
        }
        if out.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>() > 8 * 1024 {
            return Err(BlobError::new(
                400,
                "MetadataTooLarge",
                "The size of the specified metadata exceeds the maximum size permitted (8 KiB).",
            ));
        }
        Ok(out)
    }
}

/// Decodes `%XX` escapes (a `+` stays a `+`, as the service reads a query).
pub(crate) fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Splits an absolute URL into its parts; `None` for a host that is not a blob endpoint.
fn parse(req: &BlobRequest) -> Option<Parsed<'_>> {
    let (scheme, rest) = req.url.split_once("://")?;
    let (authority, path_query) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let account = account_of_host(authority)?.to_ascii_lowercase();
    let (raw_path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    let trimmed = raw_path.trim_start_matches('/');
    let (container, blob) = match trimmed.split_once('/') {
        Some((c, b)) if !b.is_empty() => (Some(decode(c)), Some(decode(b))),
        Some((c, _)) => (Some(decode(c)), None),
        None if trimmed.is_empty() => (None, None),
        None => (Some(decode(trimmed)), None),
    };
    Some(Parsed {
        req,
        method: req.method.to_ascii_uppercase(),
        scheme: scheme.to_ascii_lowercase(),
        account,
        raw_path: raw_path.to_owned(),
        container,
        blob,
        query,
    })
}

/// One request being served.
pub(crate) struct Ctx<'a> {
    pub(crate) world: &'a mut World,
    pub(crate) payloads: &'a mut Payloads,
    pub(crate) now_ms: u64,
    pub(crate) changed: bool,
    pub(crate) limits: Limits,
}

/// The size limits of the blob plane.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest blob (and request body), bytes.
    pub max_blob: u64,
    /// The most blob data one world holds, bytes.
    pub max_world: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_blob: MAX_BLOB_BYTES,
            max_world: MAX_WORLD_BYTES,
        }
    }
}

impl Ctx<'_> {
    /// The storage account named `account`.
    pub(crate) fn account(&self, account: &str) -> Option<&StoredResource> {
        self.world.resources.values().find(|r| {
            r.type_name.eq_ignore_ascii_case(STORAGE_ACCOUNT_TYPE)
                && super::types::last_segment(&r.id).eq_ignore_ascii_case(account)
                && r.exists_at(self.now_ms)
        })
    }

    /// A fresh ETag (see [`World::next_blob_etag`]).
    pub(crate) fn etag(&mut self) -> String {
        self.world.next_blob_etag(self.now_ms)
    }

    /// Bytes of blob data the world holds.
    pub(crate) fn world_bytes(&self) -> u64 {
        self.world
            .blobs
            .values()
            .map(model::ContainerData::bytes)
            .sum()
    }

    /// Refuses `adding` more bytes when the world would exceed [`MAX_WORLD_BYTES`].
    pub(crate) fn check_room(&self, adding: u64) -> Result<(), BlobError> {
        let held = self.world_bytes();
        let max = self.limits.max_world;
        if held.saturating_add(adding) > max {
            return Err(BlobError::new(
                413,
                "AmlabStorageFull",
                format!(
                    "amlab's emulated storage holds at most {max} bytes of blob data in one world; it holds {held} and this request adds {adding}. Delete blobs or containers, or start over with --fresh."
                ),
            ));
        }
        Ok(())
    }

    /// Forgets data-plane state of containers whose ARM resource is gone.
    fn purge_orphans(&mut self) {
        if forget_orphans(self.world, self.payloads, self.now_ms) {
            self.changed = true;
        }
    }
}

/// Forgets the data-plane state of containers whose ARM resource is gone (deleted through ARM,
/// or with their account or resource group); true if any was.
pub(crate) fn forget_orphans(world: &mut World, payloads: &mut Payloads, now_ms: u64) -> bool {
    let gone: Vec<String> = world
        .blobs
        .keys()
        .filter(|k| world.get(k, now_ms).is_none())
        .cloned()
        .collect();
    for key in &gone {
        if let Some(data) = world.blobs.remove(key) {
            for p in data.payloads() {
                payloads.forget(p);
            }
        }
    }
    !gone.is_empty()
}

/// The answer when the state could not be saved (the change is not durable).
pub(crate) fn unavailable(why: &str) -> BlobResponse {
    error_response(
        "GET",
        BlobError::new(
            503,
            "ServerBusy",
            format!("amlab could not save its state: {why}"),
        ),
        &ids::guid(),
        0,
    )
}

/// Every payload the world refers to.
pub(crate) fn referenced(world: &World) -> BTreeSet<&str> {
    world
        .blobs
        .values()
        .flat_map(model::ContainerData::payloads)
        .collect()
}

/// Serves one data-plane request. `None` when the URL is not a blob endpoint.
pub(crate) fn handle(
    ctx: &mut Ctx<'_>,
    req: &BlobRequest,
    bearer: BearerCheck<'_>,
) -> Option<BlobResponse> {
    let parsed = parse(req)?;
    ctx.purge_orphans();
    let request_id = ids::guid();
    let version = parsed
        .header("x-ms-version")
        .unwrap_or(DEFAULT_VERSION)
        .to_owned();
    let result = check_version(&parsed)
        .and_then(|()| auth::authorize(ctx, &parsed, bearer))
        .and_then(|grant| route(ctx, &parsed, &grant));
    let mut response = match result {
        Ok(r) => r,
        Err(e) => error_response(&parsed.method, e, &request_id, ctx.now_ms),
    };
    response
        .headers
        .push(("x-ms-request-id".into(), request_id));
    response.headers.push(("x-ms-version".into(), version));
    response
        .headers
        .push(("Date".into(), http_date(ctx.now_ms)));
    response.headers.push((
        "Server".into(),
        "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0 (amlab emulator)".into(),
    ));
    if let Some(id) = parsed.header("x-ms-client-request-id") {
        response
            .headers
            .push(("x-ms-client-request-id".into(), id.to_owned()));
    }
    if parsed.method == "HEAD" {
        response.body.clear();
    }
    Some(response)
}

fn check_version(p: &Parsed<'_>) -> Result<(), BlobError> {
    let Some(v) = p.header("x-ms-version") else {
        return Ok(());
    };
    let ok = v.len() == 10
        && v.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && v >= "2009-09-19";
    if ok {
        Ok(())
    } else {
        Err(BlobError::new(
            400,
            "InvalidHeaderValue",
            "The value for one of the HTTP headers is not in the correct format.",
        )
        .with_extra(format!(
            "<HeaderName>x-ms-version</HeaderName><HeaderValue>{}</HeaderValue>",
            xml::esc(v)
        )))
    }
}

/// Routes by path depth, method, `restype` and `comp`.
fn route(ctx: &mut Ctx<'_>, p: &Parsed<'_>, grant: &auth::Grant) -> BlobResult {
    let restype = p.param("restype").unwrap_or_default().to_ascii_lowercase();
    let comp = p.param("comp").unwrap_or_default().to_ascii_lowercase();
    let m = p.method.as_str();
    match (&p.container, &p.blob) {
        (None, _) => match (m, restype.as_str(), comp.as_str()) {
            ("GET", "", "list") => grant.require("l").and_then(|()| containers::list(ctx, p)),
            ("GET" | "HEAD", "account", "properties") => containers::account_info(ctx, p),
            _ => Err(not_emulated(p)),
        },
        (Some(c), None) => match (m, restype.as_str(), comp.as_str()) {
            ("PUT", "container", "") => grant
                .require("c")
                .and_then(|()| containers::create(ctx, p, c)),
            ("DELETE", "container", "") => grant
                .require("d")
                .and_then(|()| containers::delete(ctx, p, c)),
            ("GET" | "HEAD", "container", "" | "metadata") => grant
                .require("r")
                .and_then(|()| containers::properties(ctx, p, c)),
            ("PUT", "container", "metadata") => grant
                .require("w")
                .and_then(|()| containers::set_metadata(ctx, p, c)),
            ("GET", "container", "list") => {
                grant.require("l").and_then(|()| blobs::list(ctx, p, c))
            }
            _ => Err(not_emulated(p)),
        },
        (Some(c), Some(b)) => match (m, comp.as_str()) {
            ("PUT", "") => blobs::put(ctx, p, c, b, grant),
            ("PUT", "block") => blocks::put_block(ctx, p, c, b, grant),
            ("PUT", "blocklist") => blocks::put_block_list(ctx, p, c, b, grant),
            ("GET", "blocklist") => grant
                .require("r")
                .and_then(|()| blocks::get_block_list(ctx, p, c, b)),
            ("GET", "") => grant.require("r").and_then(|()| blobs::get(ctx, p, c, b)),
            ("HEAD", "" | "metadata") | ("GET", "metadata") => grant
                .require("r")
                .and_then(|()| blobs::properties(ctx, p, c, b)),
            ("PUT", "properties") => grant
                .require("w")
                .and_then(|()| blobs::set_properties(ctx, p, c, b)),
            ("PUT", "metadata") => grant
                .require("w")
                .and_then(|()| blobs::set_metadata(ctx, p, c, b)),
            ("DELETE", "") => grant
                .require("d")
                .and_then(|()| blobs::delete(ctx, p, c, b)),
            _ => Err(not_emulated(p)),
        },
    }
}

/// The honest answer for an operation the emulator does not model.
fn not_emulated(p: &Parsed<'_>) -> BlobError {
    let what: Vec<String> = p
        .query
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "comp" | "restype"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    BlobError::new(
        501,
        "NotImplemented",
        format!(
            "amlab's blob emulator does not implement {} {} ({}); it models containers, Put Blob, Put Block, Put Block List, Get Blob, blob properties and metadata, List Blobs and Delete Blob.",
            p.method,
            if p.blob.is_some() {
                "on a blob"
            } else if p.container.is_some() {
                "on a container"
            } else {
                "on the account"
            },
            if what.is_empty() {
                "no comp".to_owned()
            } else {
                what.join("&")
            }
        ),
    )
}

/// The XML error answer (no body for HEAD, as the service sends none).
fn error_response(method: &str, e: BlobError, request_id: &str, now_ms: u64) -> BlobResponse {
    let message = format!(
        "{}\nRequestId:{request_id}\nTime:{}",
        e.message,
        ids::timestamp(now_ms)
    );
    let body = if method == "HEAD" || e.status == 304 {
        Vec::new()
    } else {
        xml::error(e.code, &message, &e.extra).into_bytes()
    };
    let mut headers = vec![
        ("x-ms-error-code".to_owned(), e.code.to_owned()),
        ("Content-Type".to_owned(), "application/xml".to_owned()),
    ];
    headers.extend(e.headers);
    headers.push(("Content-Length".to_owned(), body.len().to_string()));
    BlobResponse {
        status: e.status,
        headers,
        body,
    }
}

/// An RFC 1123 date (`Thu, 03 Dec 2026 08:00:00 GMT`).
pub(crate) fn http_date(ms: u64) -> String {
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
}

/// A response with a status, headers and no body.
pub(crate) fn empty(status: u16, headers: Vec<(String, String)>) -> BlobResponse {
    let mut headers = headers;
    headers.push(("Content-Length".to_owned(), "0".to_owned()));
    BlobResponse {
        status,
        headers,
        body: Vec::new(),
    }
}

/// A 200 with an XML body.
pub(crate) fn xml_ok(body: String) -> BlobResponse {
    let body = body.into_bytes();
    BlobResponse {
        status: 200,
        headers: vec![
            ("Content-Type".to_owned(), "application/xml".to_owned()),
            ("Content-Length".to_owned(), body.len().to_string()),
        ],
        body,
    }
}

/// The `ETag` and `Last-Modified` headers.
pub(crate) fn stamp(etag: &str, modified_ms: u64) -> Vec<(String, String)> {
    vec![
        ("ETag".to_owned(), etag.to_owned()),
        ("Last-Modified".to_owned(), http_date(modified_ms)),
    ]
}

/// The lower-cased resource id of container `name` of `account` (the key of its data).
pub(crate) fn container_key(account_id: &str, name: &str) -> String {
    format!("{account_id}/blobServices/default/containers/{name}").to_ascii_lowercase()
}
