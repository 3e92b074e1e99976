//! Conditional headers (`If-Match`, `If-None-Match`, `If-Modified-Since`,
//! `If-Unmodified-Since`) and byte ranges (`x-ms-range` / `Range`), with the service's answers:
//! a read whose `If-None-Match`/`If-Modified-Since` fails is 304, any other failed condition is
//! 412 `ConditionNotMet`, a write with `If-None-Match: *` on an existing blob is 409
//! `BlobAlreadyExists`, an unsatisfiable range is 416 `InvalidRange`.

use super::{BlobError, Parsed};

/// Whether the request is a read (GET/HEAD).
fn is_read(p: &Parsed<'_>) -> bool {
    matches!(p.method.as_str(), "GET" | "HEAD")
}

fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t == etag || t.trim_matches('"') == etag.trim_matches('"'))
}

/// Seconds of an HTTP date header; `None` when absent or unparsable (the service ignores it).
fn date_s(p: &Parsed<'_>, name: &str) -> Option<u64> {
    let t = httpdate::parse_http_date(p.header(name)?).ok()?;
    t.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

fn not_met() -> BlobError {
    BlobError::new(
        412,
        "ConditionNotMet",
        "The condition specified using HTTP conditional header(s) is not met.",
    )
}

fn not_modified() -> BlobError {
    // A 304 has no body; the code is only sent as a header.
    BlobError::new(
        304,
        "ConditionNotMet",
        "The condition specified using HTTP conditional header(s) is not met.",
    )
}

/// Checks the conditions against the target's ETag and last-modified time (`None`: the target
/// does not exist).
pub(crate) fn check(p: &Parsed<'_>, current: Option<(&str, u64)>) -> Result<(), BlobError> {
    let read = is_read(p);
    let Some((etag, modified_ms)) = current else {
        if p.header("if-match").is_some() && !read {
            return Err(not_met());
        }
        return Ok(());
    };
    let modified_s = modified_ms / 1000;
    if let Some(m) = p.header("if-match")
        && !etag_matches(m, etag)
    {
        return Err(not_met());
    }
    if let Some(s) = date_s(p, "if-unmodified-since")
        && modified_s > s
    {
        return Err(not_met());
    }
    if let Some(m) = p.header("if-none-match")
        && etag_matches(m, etag)
    {
        return Err(if read {
            not_modified()
        } else if m.trim() == "*" && p.blob.is_some() {
            BlobError::new(
                409,
                "BlobAlreadyExists",
                "The specified blob already exists.",
            )
        } else {
            not_met()
        });
    }
    if let Some(s) = date_s(p, "if-modified-since")
        && modified_s <= s
    {
        return Err(if read { not_modified() } else { not_met() });
    }
    Ok(())
}

/// The byte range asked for (`x-ms-range` wins over `Range`), clamped to `size`: `Ok(None)` for
/// the whole blob, `Ok(Some((start, end_inclusive)))`, or 416.
pub(crate) fn range(p: &Parsed<'_>, size: u64) -> Result<Option<(u64, u64)>, BlobError> {
    let Some(spec) = p.header("x-ms-range").or_else(|| p.header("range")) else {
        return Ok(None);
    };
    let Some((a, b)) = spec
        .trim()
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
    else {
        // An unparsable range is ignored, as HTTP says.
        return Ok(None);
    };
    let Ok(start) = a.trim().parse::<u64>() else {
        return Ok(None);
    };
    let end = match b.trim() {
        "" => None,
        e => match e.parse::<u64>() {
            Ok(e) if e >= start => Some(e),
            _ => return Ok(None),
        },
    };
    if start >= size {
        return Err(BlobError::new(
            416,
            "InvalidRange",
            "The range specified is invalid for the current size of the resource.",
        )
        .with_header("Content-Range", format!("bytes */{size}")));
    }
    let last = size - 1;
    Ok(Some((start, end.map_or(last, |e| e.min(last)))))
}
