//! `Microsoft.OperationalInsights/workspaces` (Log Analytics): what a workspace-based
//! Application Insights component names in `WorkspaceResourceId`, and what azure-ai-ml's
//! workspace template creates alongside it. Synchronous PUT; the shape of
//! `LogAnalyticsRP/stable/2020-08-01/examples/WorkspacesGet.json` (`customerId` kept across
//! updates, `sku` defaulting to `PerGB2018`, 30 days' retention).

use serde_json::json;

use super::{Built, LocationPolicy, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::ids;

const CHECK: Check = Check {
    code: "BadRequest",
    detail: None,
};

/// Log Analytics workspaces.
pub(crate) struct Workspaces;

impl ResourceType for Workspaces {
    fn type_name(&self) -> &'static str {
        "Microsoft.OperationalInsights/workspaces"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let ok = (4..=63).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !name.starts_with('-')
            && !name.ends_with('-');
        if ok {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidWorkspaceName",
                format!(
                    "The workspace name '{name}' is invalid: 4-63 letters, digits or '-', starting and ending with a letter or digit."
                ),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut input = ctx.body.clone();
        let mut props = fields::object_or_empty(input.get("properties"));
        if let Some(days) = CHECK.opt_u64(&input, "properties.retentionInDays")?
            && !(30..=730).contains(&days)
        {
            return Err(CHECK.error(
                "properties.retentionInDays",
                "retentionInDays must be between 30 and 730",
            ));
        }
        CHECK.enum_or(
            &mut input,
            "properties.sku.name",
            &[
                "Free",
                "Standard",
                "Premium",
                "PerNode",
                "PerGB2018",
                "Standalone",
                "CapacityReservation",
                "LACluster",
            ],
            "PerGB2018",
        )?;
        let customer = ctx
            .existing
            .and_then(|e| fields::get_str(&e.body, "properties.customerId"))
            .map_or_else(ids::guid, str::to_owned);
        let created = ctx
            .existing
            .and_then(|e| fields::get_str(&e.body, "properties.createdDate"))
            .map_or_else(|| ids::timestamp(ctx.now_ms), str::to_owned);
        fields::set(&mut props, "sku", input["properties"]["sku"].clone());
        fields::default(&mut props, "retentionInDays", json!(30));
        fields::default(
            &mut props,
            "publicNetworkAccessForIngestion",
            json!("Enabled"),
        );
        fields::default(&mut props, "publicNetworkAccessForQuery", json!("Enabled"));
        fields::default(
            &mut props,
            "workspaceCapping",
            json!({"dailyQuotaGb": -1.0}),
        );
        fields::set(&mut props, "customerId", json!(customer));
        fields::set(&mut props, "createdDate", json!(created));
        fields::set(
            &mut props,
            "modifiedDate",
            json!(ids::timestamp(ctx.now_ms)),
        );
        Ok(Built {
            fields: json!({"properties": props}),
            ..Built::default()
        })
    }
}
