//! `Microsoft.KeyVault/vaults`: PUT answers with the vault while `provisioningState` is
//! `RegisteringDns`, which settles to `Succeeded`.

use serde_json::json;

use super::{Built, LocationPolicy, Lro, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::world::Phase;

const CHECK: Check = Check {
    code: "BadRequest",
    detail: None,
};

/// Key vaults.
pub(crate) struct Vaults;

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

impl ResourceType for Vaults {
    fn type_name(&self) -> &'static str {
        "Microsoft.KeyVault/vaults"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let ok = (3..=24).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && !name.ends_with('-')
            && !name.contains("--");
        if ok {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "VaultNameNotValid",
                format!("The vault name '{name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens."),
            )
            .with_target("name"))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut input = ctx.body.clone();
        let tenant = CHECK.require_str(&input, "properties.tenantId")?;
        if !is_guid(tenant) {
            return Err(CHECK.error("properties.tenantId", "properties.tenantId must be a GUID"));
        }
        CHECK.require_enum(&mut input, "properties.sku.family", &["A"])?;
        CHECK.require_enum(&mut input, "properties.sku.name", &["standard", "premium"])?;
        let mut props = fields::object_or_empty(input.get("properties"));
        fields::default(&mut props, "accessPolicies", json!([]));
        fields::default(&mut props, "enabledForDeployment", json!(false));
        fields::default(&mut props, "enabledForDiskEncryption", json!(false));
        fields::default(&mut props, "enabledForTemplateDeployment", json!(false));
        fields::default(&mut props, "enableSoftDelete", json!(true));
        fields::default(&mut props, "softDeleteRetentionInDays", json!(90));
        fields::default(&mut props, "enableRbacAuthorization", json!(false));
        fields::default(&mut props, "publicNetworkAccess", json!("Enabled"));
        fields::set(
            &mut props,
            "vaultUri",
            json!(format!(
                "https://{}.vault.azure.net/",
                ctx.name.to_ascii_lowercase()
            )),
        );
        Ok(Built {
            fields: json!({"properties": props}),
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::BodyPoll
    }

    fn transient_overlay(&self, phase: Phase, _settled: &serde_json::Value) -> serde_json::Value {
        let state = if phase == Phase::Creating {
            "RegisteringDns"
        } else {
            phase.as_str()
        };
        json!({"properties": {"provisioningState": state}})
    }

    /// `Vaults_Update`: a PATCH (`VaultPatchParameters`) merged into the vault.
    fn supports_patch(&self) -> bool {
        true
    }
}
