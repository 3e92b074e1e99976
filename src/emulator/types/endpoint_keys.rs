//! Endpoint keys and tokens: generated at creation, kept aside (never in a GET), revealed by
//! `POST listKeys`/`listkeys`, replaced by `POST regenerateKeys`, and `POST token` for AMLToken.

use serde_json::{Value, json};

use super::{ActionContext, ActionOutcome, Lro, ML_CHECK};
use crate::emulator::error::ArmResult;
use crate::emulator::fields;
use crate::emulator::ids;
use crate::emulator::world::StoredResource;

/// What a key action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyAction {
    /// `listKeys`.
    List,
    /// `regenerateKeys` with `{keyType: Primary|Secondary}`.
    Regenerate,
    /// `token`.
    Token,
}

/// A fresh endpoint key (32 random bytes, base64).
fn key() -> String {
    let bytes: Vec<u8> = (0..32).map(|_| fastrand::u8(..)).collect();
    ids::base64(&bytes)
}

/// The existing keys, or new ones (returned also as values to remember as secrets).
pub(crate) fn keep_or_generate(existing: Option<&StoredResource>) -> (Value, Vec<String>) {
    if let Some(s) = existing.and_then(|e| e.secrets.clone()) {
        return (s, Vec::new());
    }
    let (p, s) = (key(), key());
    (json!({"primaryKey": p, "secondaryKey": s}), vec![p, s])
}

/// Runs a key action on an endpoint with auth mode `mode`.
pub(crate) fn run(
    action: KeyAction,
    mode: &str,
    resource: &StoredResource,
    body: Option<&Value>,
    ctx: &ActionContext,
) -> ArmResult<ActionOutcome> {
    let c = ML_CHECK;
    let keys = resource.secrets.clone().unwrap_or_else(|| json!({}));
    match action {
        KeyAction::List => {
            if mode != "Key" {
                return Err(c.error(
                    "properties.authMode",
                    format!("Keys are only available for endpoints with authMode Key; this endpoint uses {mode}"),
                ));
            }
            let issued = ["primaryKey", "secondaryKey"]
                .iter()
                .filter_map(|k| fields::get_str(&keys, k).map(str::to_owned))
                .collect();
            let mut out = ActionOutcome::ok(keys);
            out.issued = issued;
            Ok(out)
        }
        KeyAction::Regenerate => {
            if mode != "Key" {
                return Err(c.error(
                    "properties.authMode",
                    format!("Keys can only be regenerated for endpoints with authMode Key; this endpoint uses {mode}"),
                ));
            }
            let body = body.cloned().unwrap_or_else(|| json!({}));
            let kind = c.require_str(&body, "keyType")?;
            let canon = c.one_of("keyType", kind, &["Primary", "Secondary"])?;
            let field = if canon == "Primary" {
                "primaryKey"
            } else {
                "secondaryKey"
            };
            let mut updated = keys;
            let fresh = body
                .get("keyValue")
                .and_then(Value::as_str)
                .map_or_else(key, str::to_owned);
            fields::set(&mut updated, field, json!(fresh));
            Ok(ActionOutcome {
                status: 202,
                body: None,
                updated_body: None,
                overlay: None,
                lro: Lro::AsyncOperation,
                issued: vec![fresh],
                updated_secrets: Some(updated),
                side: Vec::new(),
            })
        }
        KeyAction::Token => {
            if mode != "AMLToken" {
                return Err(c.error(
                    "properties.authMode",
                    format!("Tokens are only issued for endpoints with authMode AMLToken; this endpoint uses {mode}"),
                ));
            }
            let token = format!("eyJ{}", key().replace(['+', '/', '='], ""));
            let now_s = ctx.now_ms / 1000;
            let mut out = ActionOutcome::ok(json!({
                "accessToken": token,
                "tokenType": "Bearer",
                "expiryTimeUtc": now_s + 3600,
                "refreshAfterTimeUtc": now_s + 1800
            }));
            out.issued = vec![token];
            Ok(out)
        }
    }
}
