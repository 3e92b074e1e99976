//! `Microsoft.CognitiveServices/accounts/projects`: Foundry projects under a Foundry resource
//! (an `AIServices` account with `allowProjectManagement: true`).
//!
//! Modelled: the parent must allow project management; `displayName`, `description`;
//! `endpoints` derived from the account's subdomain (the Foundry project API and the account's
//! OpenAI endpoint); `isDefault` for the first project; identity. PUT, PATCH and DELETE answer
//! 202 without `Location` (as the spec's suppression says: "Align with existing API
//! behavior"); the client reads the resource until `provisioningState` settles.

use serde_json::{Value, json};

use super::{Built, LocationPolicy, Lro, PutContext, ResourceType, TENANT_ID};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::ids;

/// Foundry projects.
pub(crate) struct Projects;

impl ResourceType for Projects {
    fn type_name(&self) -> &'static str {
        "Microsoft.CognitiveServices/accounts/projects"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::FromParent
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        super::check_plain_name(name, 2..=64, "-_.", || {
            format!(
                "Project name '{name}' is invalid: use 2 to 64 letters, digits, '-', '_' and '.', starting with a letter or digit."
            )
        })
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let account_id = super::cognitive_deployment::parent_id(ctx.id);
        let account = ctx
            .world
            .get(account_id, ctx.now_ms)
            .cloned()
            .ok_or_else(|| {
                ArmError::new(
                    404,
                    "ResourceNotFound",
                    format!("The account '{account_id}' was not found."),
                )
            })?;
        if account.body["properties"]["allowProjectManagement"] != json!(true) {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "Account '{}' does not allow project management: create it with kind 'AIServices' and properties.allowProjectManagement true.",
                    super::last_segment(account_id)
                ),
            ));
        }
        let sub = account.body["properties"]["customSubDomainName"]
            .as_str()
            .unwrap_or_default();
        let mut props = fields::object_or_empty(ctx.body.get("properties"));
        fields::default(&mut props, "displayName", json!(ctx.name));
        fields::default(&mut props, "description", json!(""));
        fields::set(
            &mut props,
            "endpoints",
            json!({
                "AI Foundry API": format!("https://{sub}.services.ai.azure.com/api/projects/{}", ctx.name),
                "OpenAI Language Model Instance API": format!("https://{sub}.openai.azure.com/"),
                "OpenAI Dall-E API": format!("https://{sub}.openai.azure.com/"),
                "OpenAI Sora API": format!("https://{sub}.openai.azure.com/"),
            }),
        );
        let prefix = format!("{}/projects/", account_id.to_ascii_lowercase());
        let first = !ctx.world.resources.iter().any(|(k, r)| {
            k.starts_with(&prefix) && !r.id.eq_ignore_ascii_case(ctx.id) && r.exists_at(ctx.now_ms)
        });
        let was_default = ctx
            .existing
            .map(|e| e.body["properties"]["isDefault"] == json!(true));
        fields::set(&mut props, "isDefault", json!(was_default.unwrap_or(first)));
        let etag = format!(
            "W/\"datetime'{}'\"",
            ids::timestamp(ctx.now_ms).replace(':', "%3A")
        );
        let mut out = json!({"properties": props, "etag": etag});
        out["identity"] = identity(ctx);
        Ok(Built {
            fields: out,
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::Accepted
    }

    fn supports_patch(&self) -> bool {
        true
    }

    fn patch_lro(&self) -> Lro {
        Lro::Accepted
    }

    fn delete_lro(&self) -> Lro {
        Lro::Accepted
    }
}

/// The project's identity (SystemAssigned unless given), with a stable principal.
fn identity(ctx: &PutContext<'_>) -> Value {
    let mut id = ctx
        .body
        .get("identity")
        .filter(|v| v.is_object())
        .cloned()
        .unwrap_or_else(|| json!({"type": "SystemAssigned"}));
    if fields::get_str(&id, "type").is_some_and(|t| t.contains("SystemAssigned")) {
        let prior = ctx
            .existing
            .and_then(|e| fields::get_str(&e.body, "identity.principalId"))
            .map_or_else(ids::guid, str::to_owned);
        fields::default(&mut id, "principalId", json!(prior));
        fields::default(&mut id, "tenantId", json!(TENANT_ID));
    }
    id
}
