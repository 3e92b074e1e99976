//! `Microsoft.Storage/storageAccounts/blobServices/containers`: a blob container in a storage
//! account (synchronous PUT; the account's `default` blob service is implied).

use serde_json::json;

use super::{Built, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::ids;

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
        Ok(Built {
            fields: json!({"properties": props}),
            ..Built::default()
        })
    }
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
    json!({
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
        }
    })
}

/// Whether `name` is a valid container name (3-63 lower-case letters, digits and single
/// hyphens, starting and ending with a letter or digit).
pub(crate) fn valid_name(name: &str) -> bool {
    BlobContainers.validate_name(name).is_ok()
}
