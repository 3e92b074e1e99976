//! `Microsoft.ContainerRegistry/registries`: long-running PUT with `Azure-AsyncOperation`.

use serde_json::json;

use super::{Built, LocationPolicy, Lro, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::ids;

const CHECK: Check = Check {
    code: "InvalidParameter",
    detail: None,
};

/// Container registries.
pub(crate) struct Registries;

impl ResourceType for Registries {
    fn type_name(&self) -> &'static str {
        "Microsoft.ContainerRegistry/registries"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        if (5..=50).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidRegistryName",
                format!(
                    "Registry name '{name}' is invalid: it must be 5-50 alphanumeric characters."
                ),
            )
            .with_target("name"))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut input = ctx.body.clone();
        let sku = CHECK.require_enum(&mut input, "sku.name", &["Basic", "Standard", "Premium"])?;
        let mut props = fields::object_or_empty(input.get("properties"));
        let created = ctx
            .existing
            .and_then(|e| fields::get_str(&e.body, "properties.creationDate"))
            .map_or_else(|| ids::timestamp(ctx.now_ms), str::to_owned);
        fields::default(&mut props, "adminUserEnabled", json!(false));
        fields::default(&mut props, "publicNetworkAccess", json!("Enabled"));
        fields::default(&mut props, "zoneRedundancy", json!("Disabled"));
        fields::default(&mut props, "dataEndpointEnabled", json!(false));
        fields::default(
            &mut props,
            "networkRuleBypassOptions",
            json!("AzureServices"),
        );
        fields::default(&mut props, "encryption", json!({"status": "disabled"}));
        fields::default(
            &mut props,
            "policies",
            json!({"quarantinePolicy": {"status": "disabled"}, "trustPolicy": {"type": "Notary", "status": "disabled"},
                   "retentionPolicy": {"days": 7, "status": "disabled"}, "exportPolicy": {"status": "enabled"}}),
        );
        fields::set(
            &mut props,
            "loginServer",
            json!(format!("{}.azurecr.io", ctx.name.to_ascii_lowercase())),
        );
        fields::set(&mut props, "creationDate", json!(created));
        fields::set(&mut props, "dataEndpointHostNames", json!([]));
        fields::set(&mut props, "privateEndpointConnections", json!([]));
        Ok(Built {
            fields: json!({"sku": {"name": sku, "tier": sku}, "properties": props}),
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::AsyncOperation
    }

    fn delete_lro(&self) -> Lro {
        Lro::Location
    }
}
