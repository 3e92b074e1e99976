//! Secrets never reach the state file: what is saved is a *sealed* copy of the world, where
//! every secret value (storage and endpoint keys the emulator issued, datastore account keys,
//! SAS tokens, client secrets and certificates a lab sent) is replaced by its SHA-256 digest,
//! `sha256:<hex>`, and the list of issued secrets is left out.
//!
//! In memory nothing changes: within one process `listKeys` and `listSecrets` return the real
//! values. When a later process opens the state file ([`unseal`]):
//! - keys the emulator generates itself (storage `key1`/`key2`, endpoint
//!   `primaryKey`/`secondaryKey`) are generated afresh, as if rotated, so `listKeys` answers
//!   with working keys again;
//! - secrets a lab sent cannot be recovered: `listSecrets` answers with their digests (which
//!   tell whether a later PUT sent the same value, and nothing more).

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::world::World;

/// What a sealed value starts with.
pub(crate) const SEALED_PREFIX: &str = "sha256:";

/// The digest that stands for a secret value in the state file.
fn digest(value: &str) -> String {
    let hash = Sha256::digest(value.as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("{SEALED_PREFIX}{hex}")
}

/// Whether `value` is a digest left by [`seal`].
pub(crate) fn is_sealed(value: &str) -> bool {
    value
        .strip_prefix(SEALED_PREFIX)
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Replaces every string in a secrets object by its digest (`secretsType` and the `name` of a
/// search query key stay: they are not secret).
fn seal_value(value: &mut Value, key: Option<&str>) {
    match value {
        Value::String(s) if !matches!(key, Some("secretsType" | "name")) && !is_sealed(s) => {
            *s = digest(s);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| seal_value(v, key)),
        Value::Object(map) => map.iter_mut().for_each(|(k, v)| seal_value(v, Some(k))),
        _ => {}
    }
}

/// The world as the state file keeps it: no secret value in it.
pub(crate) fn seal(world: &World) -> World {
    let mut sealed = world.clone();
    sealed.secrets.clear();
    let deleted = sealed
        .deleted_accounts
        .values_mut()
        .flat_map(|d| std::iter::once(&mut d.account).chain(d.children.iter_mut()));
    for resource in sealed.resources.values_mut().chain(deleted) {
        if let Some(secrets) = &mut resource.secrets {
            seal_value(secrets, None);
        }
    }
    sealed
}

/// A fresh generated key for `field` of a resource of type `type_name`: Cognitive Services
/// account keys are 32 hexadecimal characters, the others base64 of `len` random bytes.
fn fresh_key(type_name: &str, len: usize) -> String {
    if type_name.eq_ignore_ascii_case("Microsoft.CognitiveServices/accounts") {
        return (0..32)
            .map(|_| char::from(b"0123456789abcdef"[fastrand::usize(..16)]))
            .collect();
    }
    let bytes: Vec<u8> = (0..len).map(|_| fastrand::u8(..)).collect();
    super::ids::base64(&bytes)
}

/// The key fields the emulator generates, and how long each key is in bytes.
const GENERATED: &[(&str, usize)] = &[
    ("key1", 64),
    ("key2", 64),
    ("primaryKey", 32),
    ("secondaryKey", 32),
];

/// Gives sealed generated keys fresh values (remembered as issued secrets); leaves the digests
/// of secrets a lab sent as they are.
pub(crate) fn unseal(world: &mut World) {
    let mut issued = Vec::new();
    let deleted = world
        .deleted_accounts
        .values_mut()
        .flat_map(|d| std::iter::once(&mut d.account).chain(d.children.iter_mut()));
    for resource in world.resources.values_mut().chain(deleted) {
        let Some(Value::Object(map)) = &mut resource.secrets else {
            continue;
        };
        if resource
            .type_name
            .eq_ignore_ascii_case(super::types::search_service::TYPE)
        {
            unseal_search_keys(map, &mut issued);
            continue;
        }
        for (field, len) in GENERATED {
            if let Some(Value::String(s)) = map.get_mut(*field)
                && is_sealed(s)
            {
                *s = fresh_key(&resource.type_name, *len);
                issued.push(s.clone());
            }
        }
    }
    for s in issued {
        world.remember_secret(&s);
    }
}

/// A search service's admin and query keys, generated afresh in the service's key shape.
fn unseal_search_keys(map: &mut serde_json::Map<String, Value>, issued: &mut Vec<String>) {
    let mut fresh = |s: &mut String| {
        if is_sealed(s) {
            *s = super::types::search_keys::api_key();
            issued.push(s.clone());
        }
    };
    for field in ["primaryKey", "secondaryKey"] {
        if let Some(Value::String(s)) = map.get_mut(field) {
            fresh(s);
        }
    }
    if let Some(Value::Array(keys)) = map.get_mut("queryKeys") {
        for k in keys {
            if let Some(Value::String(s)) = k.get_mut("key") {
                fresh(s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::emulator::world::StoredResource;

    fn resource(secrets: Value) -> StoredResource {
        StoredResource {
            id: "/x".into(),
            type_name: "t".into(),
            body: json!({}),
            secrets: Some(secrets),
            transition: None,
            seq: 1,
        }
    }

    #[test]
    fn sealing_keeps_no_value_and_unsealing_rotates_generated_keys() {
        let mut world = World::default();
        world.resources.insert(
            "ds".into(),
            resource(json!({"secretsType": "Sas", "sasToken": "sv=2022&sig=planted"})),
        );
        world.resources.insert(
            "st".into(),
            resource(json!({"key1": "planted-key-one", "key2": "planted-key-two"})),
        );
        world.remember_secret("sv=2022&sig=planted");
        let sealed = seal(&world);
        let text = serde_json::to_string(&sealed).expect("json");
        assert!(!text.contains("planted"), "{text}");
        assert!(text.contains("\"secretsType\":\"Sas\""), "{text}");
        // The in-memory world is untouched.
        assert_eq!(world.secrets.len(), 1);

        let mut reopened: World = serde_json::from_str(&text).expect("world");
        unseal(&mut reopened);
        let ds = reopened.resources["ds"].secrets.clone().expect("ds");
        assert_eq!(ds["sasToken"], json!(digest("sv=2022&sig=planted")));
        let st = reopened.resources["st"].secrets.clone().expect("st");
        let key1 = st["key1"].as_str().expect("key1");
        assert_eq!(key1.len(), 88, "{key1}");
        assert!(!is_sealed(key1));
        assert!(reopened.secrets.contains(&key1.to_owned()));
    }

    #[test]
    fn soft_deleted_accounts_keep_no_key_on_disk() {
        let mut world = World::default();
        let mut account = resource(
            json!({"key1": "0123456789abcdef0123456789abcdef", "key2": "planted-cog-key-2"}),
        );
        account.type_name = "Microsoft.CognitiveServices/accounts".into();
        let mut conn = resource(json!({"credentials": {"key": "planted-connection-key"}}));
        conn.type_name = "Microsoft.CognitiveServices/accounts/connections".into();
        world.deleted_accounts.insert(
            "d".into(),
            crate::emulator::world::DeletedAccount {
                account,
                children: vec![conn],
                deleted_ms: 0,
                purge_ms: 1,
            },
        );
        let text = serde_json::to_string(&seal(&world)).expect("json");
        assert!(
            !text.contains("planted") && !text.contains("0123456789abcdef"),
            "{text}"
        );
        let mut reopened: World = serde_json::from_str(&text).expect("world");
        unseal(&mut reopened);
        let keys = reopened.deleted_accounts["d"]
            .account
            .secrets
            .clone()
            .expect("keys");
        let key1 = keys["key1"].as_str().expect("key1");
        assert_eq!(key1.len(), 32, "{key1}");
        assert!(reopened.secrets.contains(&key1.to_owned()));
    }
}
