//! Blob operations: Put Blob (block blobs), Get Blob (whole or a range), Get Blob Properties /
//! Metadata, Set Blob Properties, Set Blob Metadata, Delete Blob, and List Blobs (prefix,
//! delimiter, marker, maxresults, include=metadata).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};

use super::auth::Grant;
use super::containers::{find, max_results, opt_element};
use super::model::{Blob, ContentSettings};
use super::{
    BlobError, BlobResponse, BlobResult, Ctx, Parsed, conditions, empty, http_date, stamp, xml,
    xml_ok,
};

/// base64 of the MD5 of `bytes`.
pub(crate) fn md5_b64(bytes: &[u8]) -> String {
    STANDARD.encode(Md5::digest(bytes))
}

/// 413 for a body or blob over the limit `max`.
pub(crate) fn too_large(size: u64, max: u64) -> BlobError {
    BlobError::new(
        413,
        "RequestBodyTooLarge",
        format!(
            "The request body is too large and exceeds the maximum permissible limit: amlab's emulated storage holds blobs of at most {max} bytes (this one would be {size})."
        ),
    )
    .with_extra(format!("<MaxLimit>{max}</MaxLimit>"))
}

/// The blob's data-plane entry, or 404.
pub(crate) fn existing<'c>(ctx: &'c Ctx<'_>, key: &str, blob: &str) -> Result<&'c Blob, BlobError> {
    ctx.world
        .blobs
        .get(key)
        .and_then(|d| d.blobs.get(blob))
        .ok_or_else(BlobError::blob_not_found)
}

/// The content settings a write sets: `x-ms-blob-*` headers (Put Blob also reads the plain
/// `Content-*` headers), `application/octet-stream` by default.
pub(crate) fn content_settings(p: &Parsed<'_>, plain_too: bool) -> ContentSettings {
    let pick = |ms: &str, plain: &str| {
        p.header(ms)
            .or_else(|| if plain_too { p.header(plain) } else { None })
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    ContentSettings {
        content_type: Some(
            pick("x-ms-blob-content-type", "content-type")
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
        ),
        content_encoding: pick("x-ms-blob-content-encoding", "content-encoding"),
        content_language: pick("x-ms-blob-content-language", "content-language"),
        content_disposition: pick(
            "x-ms-blob-content-disposition",
            "x-ms-blob-content-disposition",
        ),
        cache_control: pick("x-ms-blob-cache-control", "x-ms-blob-cache-control"),
        content_md5: pick("x-ms-blob-content-md5", "x-ms-blob-content-md5"),
    }
}

/// Checks a `Content-MD5` request header against the body.
pub(crate) fn check_md5(p: &Parsed<'_>, body: &[u8]) -> Result<(), BlobError> {
    match p.header("content-md5") {
        Some(given) if given != md5_b64(body) => Err(BlobError::new(
            400,
            "Md5Mismatch",
            "The MD5 value specified in the request did not match with the MD5 value calculated by the server.",
        )
        .with_extra(format!(
            "<UserSpecifiedMd5>{}</UserSpecifiedMd5><ServerCalculatedMd5>{}</ServerCalculatedMd5>",
            xml::esc(given),
            md5_b64(body)
        ))),
        _ => Ok(()),
    }
}

/// Put Blob: writes a whole block blob.
pub(crate) fn put(
    ctx: &mut Ctx<'_>,
    p: &Parsed<'_>,
    c: &str,
    b: &str,
    grant: &Grant,
) -> BlobResult {
    let (_, key) = find(ctx, p, c)?;
    match p.header("x-ms-blob-type") {
        Some("BlockBlob") => {}
        Some(t @ ("PageBlob" | "AppendBlob")) => {
            return Err(BlobError::new(
                501,
                "NotImplemented",
                format!("amlab's blob emulator models block blobs only, not {t}s."),
            ));
        }
        Some(other) => {
            return Err(BlobError::new(
                400,
                "InvalidHeaderValue",
                format!(
                    "The value '{other}' of x-ms-blob-type is not BlockBlob, PageBlob or AppendBlob."
                ),
            ));
        }
        None => {
            return Err(BlobError::new(
                400,
                "MissingRequiredHeader",
                "An HTTP header that's mandatory for this request is not specified.",
            )
            .with_extra("<HeaderName>x-ms-blob-type</HeaderName>".to_owned()));
        }
    }
    let body = &p.req.body;
    let size = body.len() as u64;
    if size > ctx.limits.max_blob {
        return Err(too_large(size, ctx.limits.max_blob));
    }
    check_md5(p, body)?;
    let prior = ctx.world.blobs[&key].blobs.get(b).cloned();
    grant.require(if prior.is_some() { "w" } else { "cw" })?;
    conditions::check(
        p,
        prior
            .as_ref()
            .map(|x| (x.etag.as_str(), x.last_modified_ms)),
    )?;
    let metadata = p.metadata()?;
    ctx.check_room(size.saturating_sub(prior.as_ref().map_or(0, |x| x.size)))?;
    let payload = ctx
        .payloads
        .put(body.clone())
        .map_err(BlobError::internal)?;
    let mut content = content_settings(p, true);
    let computed = md5_b64(body);
    if content.content_md5.is_none() {
        content.content_md5 = Some(computed.clone());
    }
    let etag = ctx.etag();
    let blob = Blob {
        size,
        payload,
        etag: etag.clone(),
        created_ms: prior.as_ref().map_or(ctx.now_ms, |x| x.created_ms),
        last_modified_ms: ctx.now_ms,
        content,
        metadata,
        blocks: Vec::new(),
    };
    store(ctx, &key, b, blob);
    let mut headers = stamp(&etag, ctx.now_ms);
    headers.push(("Content-MD5".into(), computed));
    headers.push(("x-ms-request-server-encrypted".into(), "true".into()));
    Ok(empty(201, headers))
}

/// Stores `blob` as `name` in container `key`, dropping what it replaces (the old content and
/// the blob's uncommitted blocks).
pub(crate) fn store(ctx: &mut Ctx<'_>, key: &str, name: &str, blob: Blob) {
    let Some(data) = ctx.world.blobs.get_mut(key) else {
        return;
    };
    let mut dropped: Vec<String> = data
        .uncommitted
        .remove(name)
        .unwrap_or_default()
        .into_iter()
        .map(|b| b.payload)
        .collect();
    if let Some(old) = data.blobs.insert(name.to_owned(), blob) {
        dropped.push(old.payload);
    }
    for p in dropped {
        ctx.payloads.forget(&p);
    }
    ctx.changed = true;
}

/// The headers that describe a blob (Get Blob and Get Blob Properties).
fn describe(blob: &Blob) -> Vec<(String, String)> {
    let mut h = stamp(&blob.etag, blob.last_modified_ms);
    h.push(("x-ms-creation-time".into(), http_date(blob.created_ms)));
    for (k, v) in &blob.metadata {
        h.push((format!("x-ms-meta-{k}"), v.clone()));
    }
    let c = &blob.content;
    for (name, value) in [
        ("Content-Type", &c.content_type),
        ("Content-Encoding", &c.content_encoding),
        ("Content-Language", &c.content_language),
        ("Content-Disposition", &c.content_disposition),
        ("Cache-Control", &c.cache_control),
    ] {
        if let Some(v) = value {
            h.push((name.to_owned(), v.clone()));
        }
    }
    h.extend(
        [
            ("x-ms-blob-type", "BlockBlob"),
            ("x-ms-lease-status", "unlocked"),
            ("x-ms-lease-state", "available"),
            ("x-ms-server-encrypted", "true"),
            ("x-ms-access-tier", "Hot"),
            ("x-ms-access-tier-inferred", "true"),
            ("Accept-Ranges", "bytes"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    if !blob.blocks.is_empty() {
        h.push((
            "x-ms-blob-committed-block-count".into(),
            blob.blocks.len().to_string(),
        ));
    }
    h
}

/// Get Blob: the content (200), or a range of it (206).
pub(crate) fn get(ctx: &mut Ctx<'_>, p: &Parsed<'_>, c: &str, b: &str) -> BlobResult {
    let (_, key) = find(ctx, p, c)?;
    let blob = existing(ctx, &key, b)?;
    conditions::check(p, Some((&blob.etag, blob.last_modified_ms)))?;
    let range = conditions::range(p, blob.size)?;
    let bytes = ctx
        .payloads
        .get(&blob.payload)
        .map_err(BlobError::internal)?;
    let mut headers = describe(blob);
    let (status, body) = match range {
        None => {
            if let Some(md5) = &blob.content.content_md5 {
                headers.push(("Content-MD5".into(), md5.clone()));
            }
            (200, bytes.to_vec())
        }
        Some((start, end)) => {
            let (s, e) = (
                usize::try_from(start).unwrap_or(usize::MAX),
                usize::try_from(end).unwrap_or(usize::MAX),
            );
            let part = bytes.get(s..=e).unwrap_or_default().to_vec();
            headers.push((
                "Content-Range".into(),
                format!("bytes {start}-{end}/{}", blob.size),
            ));
            if let Some(md5) = &blob.content.content_md5 {
                headers.push(("x-ms-blob-content-md5".into(), md5.clone()));
            }
            if p.header("x-ms-range-get-content-md5") == Some("true") {
                headers.push(("Content-MD5".into(), md5_b64(&part)));
            }
            (206, part)
        }
    };
    headers.push(("Content-Length".into(), body.len().to_string()));
    Ok(BlobResponse {
        status,
        headers,
        body,
    })
}

/// Get Blob Properties / Metadata: the headers of Get Blob, no body.
pub(crate) fn properties(ctx: &mut Ctx<'_>, p: &Parsed<'_>, c: &str, b: &str) -> BlobResult {
    let (_, key) = find(ctx, p, c)?;
    let blob = existing(ctx, &key, b)?;
    conditions::check(p, Some((&blob.etag, blob.last_modified_ms)))?;
    let mut headers = describe(blob);
    if let Some(md5) = &blob.content.content_md5 {
        headers.push(("Content-MD5".into(), md5.clone()));
    }
    headers.push(("Content-Length".into(), blob.size.to_string()));
    Ok(BlobResponse {
        status: 200,
        headers,
        body: Vec::new(),
    })
}

/// Applies `change` to an existing blob (conditions checked), with a new ETag: 200.
fn update(
    ctx: &mut Ctx<'_>,
    p: &Parsed<'_>,
    c: &str,
    b: &str,
    change: impl FnOnce(&mut Blob),
) -> BlobResult {
    let (_, key) = find(ctx, p, c)?;
    let blob = existing(ctx, &key, b)?;
    conditions::check(p, Some((&blob.etag, blob.last_modified_ms)))?;
    let etag = ctx.etag();
    let now = ctx.now_ms;
    let blob = ctx
        .world
        .blobs
        .get_mut(&key)
        .and_then(|d| d.blobs.get_mut(b))
        .ok_or_else(BlobError::blob_not_found)?;
    change(blob);
    blob.etag = etag.clone();
    blob.last_modified_ms = now;
    ctx.changed = true;
    Ok(empty(200, stamp(&etag, now)))
}

/// Set Blob Properties: the content headers given replace all of them (one left out is
/// cleared, as the service does).
pub(crate) fn set_properties(ctx: &mut Ctx<'_>, p: &Parsed<'_>, c: &str, b: &str) -> BlobResult {
    let mut settings = content_settings(p, false);
    if p.header("x-ms-blob-content-type").is_none() {
        settings.content_type = None;
    }
    update(ctx, p, c, b, |blob| blob.content = settings)
}

/// Set Blob Metadata: replaces the metadata.
pub(crate) fn set_metadata(ctx: &mut Ctx<'_>, p: &Parsed<'_>, c: &str, b: &str) -> BlobResult {
    let metadata = p.metadata()?;
    update(ctx, p, c, b, |blob| blob.metadata = metadata)
}

/// Delete Blob: 202.
pub(crate) fn delete(ctx: &mut Ctx<'_>, p: &Parsed<'_>, c: &str, b: &str) -> BlobResult {
    let (_, key) = find(ctx, p, c)?;
    let blob = existing(ctx, &key, b)?;
    conditions::check(p, Some((&blob.etag, blob.last_modified_ms)))?;
    if let Some(data) = ctx.world.blobs.get_mut(&key) {
        let mut dropped: Vec<String> = data
            .uncommitted
            .remove(b)
            .unwrap_or_default()
            .into_iter()
            .map(|x| x.payload)
            .collect();
        if let Some(old) = data.blobs.remove(b) {
            dropped.push(old.payload);
        }
        for d in dropped {
            ctx.payloads.forget(&d);
        }
    }
    ctx.changed = true;
    Ok(empty(
        202,
        vec![("x-ms-delete-type-permanent".into(), "true".into())],
    ))
}

/// One entry of a List Blobs answer.
enum Item<'a> {
    Blob(&'a str, &'a Blob),
    Prefix(String),
}

impl Item<'_> {
    fn key(&self) -> &str {
        match self {
            Item::Blob(n, _) => n,
            Item::Prefix(p) => p,
        }
    }
}

/// List Blobs: names in byte order from `marker`, collapsed at `delimiter` into
/// `BlobPrefix` entries, at most `maxresults` entries, then `NextMarker`.
pub(crate) fn list(ctx: &mut Ctx<'_>, p: &Parsed<'_>, c: &str) -> BlobResult {
    let max = max_results(p)?;
    let (_, key) = find(ctx, p, c)?;
    let prefix = p.param("prefix").unwrap_or_default();
    let delimiter = p.param("delimiter").unwrap_or_default();
    let marker = p.param("marker").unwrap_or_default();
    let with_meta = p
        .param("include")
        .is_some_and(|i| i.split(',').any(|x| x == "metadata"));
    let data = &ctx.world.blobs[&key];
    let mut items: Vec<Item<'_>> = Vec::new();
    let mut next = None;
    // Names starting with the prefix are contiguous from the prefix on (byte order).
    let start = if marker > prefix { marker } else { prefix };
    for (name, blob) in data.blobs.range(start.to_owned()..) {
        let Some(rest) = name.strip_prefix(prefix) else {
            break;
        };
        let item = match rest.find(delimiter).filter(|_| !delimiter.is_empty()) {
            Some(i) => Item::Prefix(format!("{prefix}{}", &rest[..i + delimiter.len()])),
            None => Item::Blob(name, blob),
        };
        if items.last().is_some_and(|last| last.key() == item.key()) {
            continue;
        }
        if items.len() == max {
            next = Some(item.key().to_owned());
            break;
        }
        items.push(item);
    }
    let mut body = String::new();
    for item in &items {
        match item {
            Item::Prefix(pfx) => body.push_str(&format!(
                "<BlobPrefix>{}</BlobPrefix>",
                xml::element("Name", pfx)
            )),
            Item::Blob(name, blob) => body.push_str(&blob_xml(name, blob, with_meta)),
        }
    }
    let xml_body = format!(
        "{}<EnumerationResults ServiceEndpoint=\"https://{}.blob.core.windows.net/\" ContainerName=\"{}\">{}{}{}{}<Blobs>{body}</Blobs>{}</EnumerationResults>",
        xml::DECLARATION,
        p.account,
        xml::esc(c),
        opt_element("Prefix", p.param("prefix")),
        opt_element("Marker", p.param("marker")),
        opt_element("MaxResults", p.param("maxresults")),
        opt_element("Delimiter", p.param("delimiter")),
        xml::element("NextMarker", next.as_deref().unwrap_or_default()),
    );
    Ok(xml_ok(xml_body))
}

fn blob_xml(name: &str, blob: &Blob, with_meta: bool) -> String {
    let c = &blob.content;
    let opt = |tag: &str, v: &Option<String>| xml::element(tag, v.as_deref().unwrap_or_default());
    let mut s = format!(
        "<Blob>{}<Properties><Creation-Time>{}</Creation-Time><Last-Modified>{}</Last-Modified><Etag>{}</Etag><Content-Length>{}</Content-Length>{}{}{}<Content-CRC64 />{}{}{}<BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties>",
        xml::element("Name", name),
        http_date(blob.created_ms),
        http_date(blob.last_modified_ms),
        xml::esc(blob.etag.trim_matches('"')),
        blob.size,
        opt("Content-Type", &c.content_type),
        opt("Content-Encoding", &c.content_encoding),
        opt("Content-Language", &c.content_language),
        opt("Content-MD5", &c.content_md5),
        opt("Cache-Control", &c.cache_control),
        opt("Content-Disposition", &c.content_disposition),
    );
    if with_meta && !blob.metadata.is_empty() {
        s.push_str("<Metadata>");
        for (k, v) in &blob.metadata {
            s.push_str(&xml::element(k, v));
        }
        s.push_str("</Metadata>");
    }
    s.push_str("</Blob>");
    s
}
