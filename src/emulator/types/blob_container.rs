//! `Microsoft.Storage/storageAccounts/blobServices/containers`: a blob container in a storage
//! account (synchronous PUT; the account's `default` blob service is implied). Listed through
//! ARM under `blobServices/default/containers` (BlobContainers_List). Each carries the `etag`,
//! `legalHold` and retention fields of the spec's answers; legal holds are set and cleared by
//! `setLegalHold`/`clearLegalHold` (see [`super::legal_hold`]); `hasImmutabilityPolicy` and
//! `immutabilityPolicy` follow the container's policy (see [`super::immutability_policy`]).

use serde_json::{Value, json};

use super::{ActionContext, ActionOutcome, Built, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::ids;
use crate::emulator::url::RequestUrl;
use crate::emulator::world::StoredResource;

const CHECK: Check = Check {
    code: "InvalidRequestPropertyValue",
    detail: None,
};

/// Blob containers.
pub(crate) struct BlobContainers;

impl ResourceType for BlobContainers {
    fn type_name(&self) -> &'static str {
        "Microsoft.Storage/storageAccounts/blobServices/containers"
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    /// 3-63 characters: lower-case letters, digits and single hyphens, starting and ending
    /// with a letter or digit.
    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let chars_ok = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let ok = (3..=63).contains(&name.len())
            && chars_ok
            && !name.starts_with('-')
            && !name.ends_with('-')
            && !name.contains("--");
        if ok {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "ContainerOperationFailure",
                format!(
                    "The specified resource name '{name}' is invalid: use 3 to 63 lower-case letters, digits and single hyphens."
                ),
            ))
        }
    }

    /// The blob service `default` is not a stored resource: the storage account is the parent.
    fn creates_parent(&self) -> bool {
        true
    }

    /// The containers under `blobServices/default`, which is not a stored resource.
    fn list_prefix(&self, _url: &RequestUrl, parent_id: &str) -> Option<String> {
        Some(format!("{}/", parent_id.to_ascii_lowercase()))
    }

    fn lists_without_parent(&self) -> bool {
        true
    }

    /// `setLegalHold` and `clearLegalHold`.
    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        body: Option<&Value>,
        ctx: &ActionContext<'_>,
    ) -> ArmResult<ActionOutcome> {
        match name.to_ascii_lowercase().as_str() {
            "setlegalhold" => super::legal_hold::run(resource, body, true, ctx.now_ms),
            "clearlegalhold" => super::legal_hold::run(resource, body, false, ctx.now_ms),
            _ => Err(ArmError::new(
                404,
                "ActionNotFound",
                format!("The action '{name}' is not supported for blob containers."),
            )),
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut input = ctx.body.clone();
        CHECK.enum_or(
            &mut input,
            "properties.publicAccess",
            &["None", "Blob", "Container"],
            "None",
        )?;
        let mut props = fields::object_or_empty(input.get("properties"));
        let modified = ids::timestamp(ctx.now_ms);
        fields::default(
            &mut props,
            "defaultEncryptionScope",
            json!("$account-encryption-key"),
        );
        fields::default(&mut props, "denyEncryptionScopeOverride", json!(false));
        fields::default(&mut props, "hasImmutabilityPolicy", json!(false));
        fields::default(&mut props, "hasLegalHold", json!(false));
        fields::set(&mut props, "lastModifiedTime", json!(modified));
        fields::set(&mut props, "leaseStatus", json!("Unlocked"));
        fields::set(&mut props, "leaseState", json!("Available"));
        fields::default(&mut props, "metadata", json!({}));
        retention_fields(&mut props);
        // A re-PUT keeps the legal hold and the immutability policy (only their own
        // operations change them).
        if let Some(e) = ctx.existing {
            for (flag, object) in [
                ("hasLegalHold", "legalHold"),
                ("hasImmutabilityPolicy", "immutabilityPolicy"),
            ] {
                if let Some(kept) = fields::get(&e.body, &format!("properties.{object}")) {
                    fields::set(&mut props, object, kept.clone());
                    let on = fields::get(&e.body, &format!("properties.{flag}"));
                    fields::set(&mut props, flag, on.cloned().unwrap_or(json!(false)));
                }
            }
        }
        Ok(Built {
            fields: json!({"etag": etag(ctx.now_ms), "properties": props}),
            ..Built::default()
        })
    }
}

/// A storage `etag`: the modification time as a Windows file time in hex, quoted.
fn etag(now_ms: u64) -> String {
    format!("\"0x{:X}\"", now_ms * 10_000 + 116_444_736_000_000_000)
}

/// What the spec's container answers show besides the request's fields: no legal hold, not
/// deleted, nothing left to retain.
fn retention_fields(props: &mut serde_json::Value) {
    fields::set(
        props,
        "legalHold",
        json!({"hasLegalHold": false, "tags": []}),
    );
    fields::set(props, "deleted", json!(false));
    fields::set(props, "remainingRetentionDays", json!(0));
}

/// The ARM body of a container created through the blob data plane (Create Container): what a
/// PUT with `publicAccess` and `metadata` would have stored.
pub(crate) fn data_plane_body(
    id: &str,
    name: &str,
    now_ms: u64,
    public_access: &str,
    metadata: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let now = ids::timestamp(now_ms);
    let mut body = json!({
        "id": id,
        "name": name,
        "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
        "properties": {
            "publicAccess": public_access,
            "defaultEncryptionScope": "$account-encryption-key",
            "denyEncryptionScopeOverride": false,
            "hasImmutabilityPolicy": false,
            "hasLegalHold": false,
            "lastModifiedTime": now,
            "leaseStatus": "Unlocked",
            "leaseState": "Available",
            "metadata": metadata,
        },
        "systemData": {
            "createdAt": now, "createdBy": "amlab@emulator.local", "createdByType": "User",
            "lastModifiedAt": now, "lastModifiedBy": "amlab@emulator.local", "lastModifiedByType": "User"
        },
        "etag": etag(now_ms),
    });
    retention_fields(&mut body["properties"]);
    body
}

/// Whether `name` is a valid container name (3-63 lower-case letters, digits and single
/// hyphens, starting and ending with a letter or digit).
pub(crate) fn valid_name(name: &str) -> bool {
    BlobContainers.validate_name(name).is_ok()
}
