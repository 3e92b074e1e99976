//! Block operations: Put Block (an uncommitted block), Put Block List (commits blocks into
//! the blob, from the uncommitted and the committed lists), Get Block List.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::auth::Grant;
use super::blobs::{check_md5, content_settings, md5_b64, store, too_large};
use super::containers::find;
use super::model::{Blob, Block};
use super::xml::{self, BlockSource};
use super::{BlobError, BlobResult, Ctx, Parsed, conditions, empty, stamp, xml_ok};

/// The most uncommitted blocks a blob may have (the service's limit).
const MAX_UNCOMMITTED: usize = 100_000;

fn invalid_block_id(id: &str) -> BlobError {
    BlobError::new(
        400,
        "InvalidQueryParameterValue",
        "Value for one of the query parameters specified in the request URI is invalid.",
    )
    .with_extra(format!(
        "<QueryParameterName>blockid</QueryParameterName><QueryParameterValue>{}</QueryParameterValue><Reason>a block id is base64 of at most 64 bytes</Reason>",
        xml::esc(id)
    ))
}

/// The decoded length of a valid block id.
fn id_len(id: &str) -> Option<usize> {
    STANDARD
        .decode(id)
        .ok()
        .map(|d| d.len())
        .filter(|n| (1..=64).contains(n))
}

/// Put Block: stores an uncommitted block.
pub(crate) fn put_block(
    ctx: &mut Ctx<'_>,
    p: &Parsed<'_>,
    c: &str,
    b: &str,
    grant: &Grant,
) -> BlobResult {
    let (_, key) = find(ctx, p, c)?;
    let Some(id) = p.param("blockid").map(str::to_owned) else {
        return Err(BlobError::new(
            400,
            "MissingRequiredQueryParameter",
            "A query parameter that's mandatory for this request is not specified.",
        )
        .with_extra("<QueryParameterName>blockid</QueryParameterName>".to_owned()));
    };
    let len = id_len(&id).ok_or_else(|| invalid_block_id(&id))?;
    let body = &p.req.body;
    let size = body.len() as u64;
    if size > ctx.limits.max_blob {
        return Err(too_large(size, ctx.limits.max_blob));
    }
    check_md5(p, body)?;
    let data = &ctx.world.blobs[&key];
    let committed = data.blobs.get(b);
    grant.require(if committed.is_some() { "w" } else { "cw" })?;
    let pending = data.uncommitted.get(b).map_or(&[][..], Vec::as_slice);
    let other_len = pending
        .iter()
        .chain(committed.map_or(&[][..], |x| x.blocks.as_slice()))
        .find_map(|x| id_len(&x.id))
        .filter(|n| *n != len);
    if other_len.is_some() {
        return Err(BlobError::new(
            400,
            "InvalidBlobOrBlock",
            "The specified blob or block content is invalid: all block ids of a blob must have the same length.",
        ));
    }
    if pending.len() >= MAX_UNCOMMITTED {
        return Err(BlobError::new(
            409,
            "BlockCountExceedsLimit",
            "The uncommitted block count cannot exceed the maximum limit of 100,000 blocks.",
        ));
    }
    ctx.check_room(size)?;
    let payload = ctx
        .payloads
        .put(body.clone())
        .map_err(BlobError::internal)?;
    let blocks = ctx
        .world
        .blobs
        .get_mut(&key)
        .map(|d| d.uncommitted.entry(b.to_owned()).or_default());
    if let Some(blocks) = blocks {
        let replaced: Vec<String> = blocks
            .iter()
            .filter(|x| x.id == id)
            .map(|x| x.payload.clone())
            .collect();
        blocks.retain(|x| x.id != id);
        blocks.push(Block { id, size, payload });
        for r in replaced {
            ctx.payloads.forget(&r);
        }
    }
    ctx.changed = true;
    Ok(empty(
        201,
        vec![
            ("Content-MD5".into(), md5_b64(body)),
            ("x-ms-request-server-encrypted".into(), "true".into()),
        ],
    ))
}

/// Where a committed block's bytes come from: a range of the current blob.
enum Source {
    Pending(String),
    Committed(usize, usize),
}

fn invalid_list(why: &str) -> BlobError {
    BlobError::new(
        400,
        "InvalidBlockList",
        format!("The specified block list is invalid: {why}."),
    )
}

/// Put Block List: the blob becomes the named blocks, in order.
pub(crate) fn put_block_list(
    ctx: &mut Ctx<'_>,
    p: &Parsed<'_>,
    c: &str,
    b: &str,
    grant: &Grant,
) -> BlobResult {
    let (_, key) = find(ctx, p, c)?;
    let list = xml::parse_block_list(&p.req.body).map_err(|why| {
        BlobError::new(
            400,
            "InvalidXmlDocument",
            format!("XML specified is not syntactically valid: {why}."),
        )
    })?;
    let data = &ctx.world.blobs[&key];
    let prior = data.blobs.get(b).cloned();
    grant.require(if prior.is_some() { "w" } else { "cw" })?;
    conditions::check(
        p,
        prior
            .as_ref()
            .map(|x| (x.etag.as_str(), x.last_modified_ms)),
    )?;
    let pending = data.uncommitted.get(b).cloned().unwrap_or_default();
    let mut offsets = Vec::new();
    let mut at = 0usize;
    for block in prior.as_ref().map_or(&[][..], |x| x.blocks.as_slice()) {
        let size = usize::try_from(block.size).unwrap_or(usize::MAX);
        offsets.push((block.id.clone(), at, size));
        at = at.saturating_add(size);
    }
    let mut chosen = Vec::with_capacity(list.len());
    let mut total: u64 = 0;
    for (source, id) in &list {
        let from_pending = || {
            pending
                .iter()
                .rev()
                .find(|x| &x.id == id)
                .map(|x| (Source::Pending(x.payload.clone()), x.size))
        };
        let from_committed = || {
            offsets
                .iter()
                .find(|(i, _, _)| i == id)
                .map(|(_, o, s)| (Source::Committed(*o, *s), *s as u64))
        };
        let found = match source {
            BlockSource::Uncommitted => from_pending(),
            BlockSource::Committed => from_committed(),
            BlockSource::Latest => from_pending().or_else(from_committed),
        };
        let (src, size) = found
            .ok_or_else(|| invalid_list(&format!("block '{id}' is not in the {source:?} list")))?;
        total = total.saturating_add(size);
        if total > ctx.limits.max_blob {
            return Err(too_large(total, ctx.limits.max_blob));
        }
        chosen.push((id.clone(), size, src));
    }
    let metadata = p.metadata()?;
    let held = prior.as_ref().map_or(0, |x| x.size) + pending.iter().map(|x| x.size).sum::<u64>();
    ctx.check_room(total.saturating_sub(held))?;
    let old = match &prior {
        Some(x)
            if chosen
                .iter()
                .any(|(_, _, s)| matches!(s, Source::Committed(..))) =>
        {
            Some(ctx.payloads.get(&x.payload).map_err(BlobError::internal)?)
        }
        _ => None,
    };
    let mut bytes = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut blocks = Vec::with_capacity(chosen.len());
    for (id, size, src) in chosen {
        match src {
            Source::Pending(payload) => {
                bytes.extend_from_slice(&ctx.payloads.get(&payload).map_err(BlobError::internal)?)
            }
            Source::Committed(o, s) => bytes.extend_from_slice(
                old.as_ref()
                    .and_then(|o_bytes| o_bytes.get(o..o + s))
                    .unwrap_or_default(),
            ),
        }
        blocks.push(Block {
            id,
            size,
            payload: String::new(),
        });
    }
    let payload = ctx.payloads.put(bytes).map_err(BlobError::internal)?;
    let etag = ctx.etag();
    let mut content = content_settings(p, false);
    content.content_md5 = p.header("x-ms-blob-content-md5").map(str::to_owned);
    let blob = Blob {
        size: total,
        payload,
        etag: etag.clone(),
        created_ms: prior.as_ref().map_or(ctx.now_ms, |x| x.created_ms),
        last_modified_ms: ctx.now_ms,
        content,
        metadata,
        blocks,
    };
    store(ctx, &key, b, blob);
    let mut headers = stamp(&etag, ctx.now_ms);
    headers.push(("x-ms-request-server-encrypted".into(), "true".into()));
    Ok(empty(201, headers))
}

/// Get Block List: the committed and/or uncommitted blocks.
pub(crate) fn get_block_list(ctx: &mut Ctx<'_>, p: &Parsed<'_>, c: &str, b: &str) -> BlobResult {
    let (_, key) = find(ctx, p, c)?;
    let kind = p
        .param("blocklisttype")
        .unwrap_or("committed")
        .to_ascii_lowercase();
    if !matches!(kind.as_str(), "committed" | "uncommitted" | "all") {
        return Err(BlobError::new(
            400,
            "InvalidQueryParameterValue",
            "Value for one of the query parameters specified in the request URI is invalid.",
        )
        .with_extra("<QueryParameterName>blocklisttype</QueryParameterName>".to_owned()));
    }
    let data = &ctx.world.blobs[&key];
    let blob = data.blobs.get(b);
    let pending = data.uncommitted.get(b);
    if blob.is_none() && pending.is_none() {
        return Err(BlobError::blob_not_found());
    }
    let render = |blocks: &[Block]| -> String {
        blocks
            .iter()
            .map(|x| {
                format!(
                    "<Block><Name>{}</Name><Size>{}</Size></Block>",
                    xml::esc(&x.id),
                    x.size
                )
            })
            .collect()
    };
    let committed = if kind == "uncommitted" {
        String::new()
    } else {
        render(blob.map_or(&[][..], |x| x.blocks.as_slice()))
    };
    let uncommitted = if kind == "committed" {
        String::new()
    } else {
        render(pending.map_or(&[][..], Vec::as_slice))
    };
    let body = format!(
        "{}<BlockList><CommittedBlocks>{committed}</CommittedBlocks><UncommittedBlocks>{uncommitted}</UncommittedBlocks></BlockList>",
        xml::DECLARATION
    );
    let mut response = xml_ok(body);
    if let Some(x) = blob {
        response.headers.extend(stamp(&x.etag, x.last_modified_ms));
        response
            .headers
            .push(("x-ms-blob-content-length".into(), x.size.to_string()));
    }
    Ok(response)
}
