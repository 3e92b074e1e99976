//! `POST .../blobServices/default/containers/{c}/setLegalHold` and `clearLegalHold`
//! (BlobContainers_SetLegalHold / ClearLegalHold, Microsoft.Storage 2023-05-01): a container's
//! legal hold tags. The spec: "Each tag should be 3 to 23 alphanumeric characters and is
//! normalized to lower case at SRP"; a set adds tags (append pattern), a clear removes the given
//! ones; `hasLegalHold` is whether any tag remains. The answer is the `LegalHold` the spec
//! shows; the container's `legalHold` lists each tag with when it was set.

use serde_json::{Value, json};

use super::ActionOutcome;
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::ids;
use crate::emulator::world::StoredResource;

/// The request's tags, lower-cased; each 3 to 23 letters or digits, at least one.
fn requested_tags(body: Option<&Value>) -> ArmResult<Vec<String>> {
    let tags = body
        .and_then(|b| b.get("tags"))
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            ArmError::bad_request(
                "InvalidRequestPropertyValue",
                "tags is required: a list of legal hold tags.",
            )
        })?;
    tags.iter()
        .map(|t| match t.as_str() {
            Some(s)
                if (3..=23).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                Ok(s.to_ascii_lowercase())
            }
            _ => Err(ArmError::bad_request(
                "InvalidRequestPropertyValue",
                format!("Legal hold tag {t} is invalid: use 3 to 23 letters and digits."),
            )),
        })
        .collect()
}

/// Runs `setLegalHold` (`set`) or `clearLegalHold` on `container`.
pub(super) fn run(
    container: &StoredResource,
    body: Option<&Value>,
    set: bool,
    now_ms: u64,
) -> ArmResult<ActionOutcome> {
    let requested = requested_tags(body)?;
    let mut held: Vec<Value> = fields::get(&container.body, "properties.legalHold.tags")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let has = |held: &[Value], tag: &str| held.iter().any(|h| h["tag"] == tag);
    for tag in &requested {
        if set && !has(&held, tag) {
            held.push(json!({"tag": tag, "timestamp": ids::timestamp(now_ms),
                "objectIdentifier": super::TENANT_ID, "tenantId": super::TENANT_ID}));
        } else if !set {
            held.retain(|h| h["tag"] != tag.as_str());
        }
    }
    let on = !held.is_empty();
    let names: Vec<Value> = held.iter().map(|h| h["tag"].clone()).collect();
    let mut updated = container.body.clone();
    fields::set(&mut updated, "properties.hasLegalHold", json!(on));
    fields::set(&mut updated, "properties.legalHold.hasLegalHold", json!(on));
    fields::set(&mut updated, "properties.legalHold.tags", json!(held));
    let mut out = ActionOutcome::ok(json!({"hasLegalHold": on, "tags": names}));
    out.updated_body = Some(updated);
    Ok(out)
}
