//! The API keys of a search service: two admin keys and any number of query keys (one, named
//! `""`, made with the service), generated at creation and kept aside (never in a GET).
//! Revealed and changed only by the documented POST actions: `listAdminKeys`,
//! `regenerateAdminKey/{primary|secondary}`, `listQueryKeys`, `createQueryKey/{name}`, and by
//! `DELETE deleteQueryKey/{key}`. All synchronous.

use serde_json::{Value, json};

use super::ActionOutcome;
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::world::StoredResource;

/// The most query keys a service holds.
const MAX_QUERY_KEYS: usize = 50;

/// Whether `segment` is an action taking a path argument: `deleteQueryKey/{key}` by DELETE,
/// `regenerateAdminKey/{kind}` and `createQueryKey/{name}` by POST.
pub(crate) fn is_keyed(segment: &str, delete: bool) -> bool {
    if delete {
        segment.eq_ignore_ascii_case("deleteQueryKey")
    } else {
        ["regenerateAdminKey", "createQueryKey"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(segment))
    }
}

/// A fresh API key: 52 letters and digits, as the service issues them.
pub(crate) fn api_key() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..52)
        .map(|_| char::from(CHARS[fastrand::usize(..CHARS.len())]))
        .collect()
}

/// The existing keys, or new ones (returned also as values to remember as secrets).
pub(crate) fn keep_or_generate(existing: Option<&StoredResource>) -> (Value, Vec<String>) {
    if let Some(s) = existing.and_then(|e| e.secrets.clone()) {
        return (s, Vec::new());
    }
    let (p, s, q) = (api_key(), api_key(), api_key());
    let issued = vec![p.clone(), s.clone(), q.clone()];
    (
        json!({"primaryKey": p, "secondaryKey": s, "queryKeys": [{"name": "", "key": q}]}),
        issued,
    )
}

/// The admin keys of `secrets`.
fn admin(secrets: &Value) -> Value {
    json!({"primaryKey": secrets.get("primaryKey"), "secondaryKey": secrets.get("secondaryKey")})
}

fn query_keys(secrets: &Value) -> Vec<Value> {
    secrets
        .get("queryKeys")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn outcome(status: u16, body: Option<Value>, secrets: Option<Value>) -> ActionOutcome {
    let mut out = ActionOutcome::ok(body.unwrap_or(Value::Null));
    out.status = status;
    if out.body.as_ref().is_some_and(Value::is_null) {
        out.body = None;
    }
    out.updated_secrets = secrets;
    out
}

/// Runs `name` (`listAdminKeys`, or `createQueryKey/{arg}` for a keyed action).
pub(crate) fn run(name: &str, resource: &StoredResource) -> ArmResult<ActionOutcome> {
    let secrets = resource.secrets.clone().unwrap_or_else(|| json!({}));
    let (action, arg) = name.split_once('/').unwrap_or((name, ""));
    match action.to_ascii_lowercase().as_str() {
        "listadminkeys" => Ok(outcome(200, Some(admin(&secrets)), None)),
        "listquerykeys" => Ok(outcome(
            200,
            Some(json!({"value": query_keys(&secrets), "nextLink": null})),
            None,
        )),
        "regenerateadminkey" => regenerate(secrets, arg),
        "createquerykey" => create_query_key(secrets, arg),
        "deletequerykey" => {
            let mut keys = query_keys(&secrets);
            let before = keys.len();
            keys.retain(|k| k.get("key").and_then(Value::as_str) != Some(arg));
            if keys.len() == before {
                return Ok(outcome(404, None, None));
            }
            let mut updated = secrets;
            updated["queryKeys"] = Value::Array(keys);
            Ok(outcome(200, None, Some(updated)))
        }
        _ => Err(ArmError::new(
            404,
            "ActionNotFound",
            format!("The action '{action}' is not supported for search services."),
        )),
    }
}

fn regenerate(secrets: Value, kind: &str) -> ArmResult<ActionOutcome> {
    let field = match kind.to_ascii_lowercase().as_str() {
        "primary" => "primaryKey",
        "secondary" => "secondaryKey",
        _ => {
            return Err(ArmError::bad_request(
                "InvalidRequestContent",
                format!("keyKind '{kind}' is not valid: it must be 'primary' or 'secondary'."),
            ));
        }
    };
    let fresh = api_key();
    let mut updated = secrets;
    updated[field] = json!(fresh);
    let mut out = outcome(200, Some(admin(&updated)), Some(updated));
    out.issued = vec![fresh];
    Ok(out)
}

fn create_query_key(secrets: Value, name: &str) -> ArmResult<ActionOutcome> {
    let mut keys = query_keys(&secrets);
    if keys.len() >= MAX_QUERY_KEYS {
        return Err(ArmError::bad_request(
            "QuotaExceeded",
            format!("A search service can have at most {MAX_QUERY_KEYS} query keys."),
        ));
    }
    let fresh = api_key();
    let key = json!({"name": name, "key": fresh});
    keys.push(key.clone());
    let mut updated = secrets;
    updated["queryKeys"] = Value::Array(keys);
    let mut out = outcome(200, Some(key), Some(updated));
    out.issued = vec![fresh];
    Ok(out)
}
