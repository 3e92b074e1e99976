//! `Microsoft.MachineLearningServices/workspaces/onlineEndpoints`: `authMode`, a `traffic` map
//! over existing deployments summing to 100 (or 0), scoring and swagger URIs; long-running PUT
//! (`Azure-AsyncOperation`); keys kept aside and revealed only by `POST listKeys`;
//! `POST regenerateKeys` and `POST token` (AMLToken endpoints).

use regex::Regex;
use serde_json::{Value, json};

use super::endpoint_keys::{self, KeyAction};
use super::{
    ActionContext, ActionOutcome, Built, LocationPolicy, Lro, ML_CHECK, PutContext, ResourceType,
    TENANT_ID,
};
use crate::emulator::error::ArmResult;
use crate::emulator::fields;
use crate::emulator::ids;
use crate::emulator::world::StoredResource;

/// Online endpoints.
pub(crate) struct OnlineEndpoints;

/// Endpoint and deployment names: 3 to 32 characters, a letter first, no trailing `-`.
pub(crate) fn check_endpoint_name(what: &str, name: &str) -> ArmResult<()> {
    let ok = Regex::new(r"^[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]$").is_ok_and(|r| r.is_match(name));
    if ok {
        Ok(())
    } else {
        Err(ML_CHECK.error(
            "name",
            format!("{what} name '{name}' is invalid: it must be 3 to 32 characters, start with a letter, contain only letters, digits and '-', and not end with '-'"),
        ))
    }
}

/// The identity an endpoint or deployment shows (SystemAssigned unless given).
pub(crate) fn identity(ctx: &PutContext<'_>) -> Value {
    let prior = ctx.existing.and_then(|e| e.body.get("identity")).cloned();
    let mut id = ctx
        .body
        .get("identity")
        .filter(|v| v.is_object())
        .cloned()
        .unwrap_or_else(|| json!({"type": "SystemAssigned"}));
    if fields::get_str(&id, "type").is_some_and(|t| t.contains("SystemAssigned")) {
        let principal = prior
            .as_ref()
            .and_then(|p| fields::get_str(p, "principalId"))
            .map_or_else(ids::guid, str::to_owned);
        fields::default(&mut id, "principalId", json!(principal));
        fields::default(&mut id, "tenantId", json!(TENANT_ID));
    }
    user_assigned_ids(&mut id, prior.as_ref());
    id
}

/// Gives each user-assigned identity its `principalId` and `clientId` (read-only in the
/// spec's `UserAssignedIdentity`), kept across updates.
pub(crate) fn user_assigned_ids(identity: &mut Value, prior: Option<&Value>) {
    let Some(map) = identity
        .get_mut("userAssignedIdentities")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (key, entry) in map.iter_mut() {
        if !entry.is_object() {
            *entry = json!({});
        }
        let before = prior
            .and_then(|p| p.get("userAssignedIdentities"))
            .and_then(|m| m.get(key));
        for f in ["principalId", "clientId"] {
            let kept = before
                .and_then(|b| fields::get_str(b, f))
                .map_or_else(ids::guid, str::to_owned);
            fields::default(entry, f, json!(kept));
        }
    }
}

/// Copies the tracked-resource fields `kind` and `sku` of a PUT body into `out` (the spec's
/// `BatchEndpoint`, `BatchDeployment` and `OnlineEndpoint` carry them as given).
pub(crate) fn keep_kind_and_sku(body: &Value, out: &mut Value) {
    if let Some(kind) = body.get("kind").filter(|v| v.is_string()) {
        out["kind"] = kind.clone();
    }
    if let Some(sku) = body.get("sku").filter(|v| v.is_object()) {
        out["sku"] = sku.clone();
    }
}

impl ResourceType for OnlineEndpoints {
    fn type_name(&self) -> &'static str {
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        check_endpoint_name("Endpoint", name)
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let c = ML_CHECK;
        let mut input = ctx.body.clone();
        c.require(&input, "properties")?;
        c.require_enum(
            &mut input,
            "properties.authMode",
            &["Key", "AMLToken", "AADToken"],
        )?;
        c.enum_or(
            &mut input,
            "properties.publicNetworkAccess",
            &["Enabled", "Disabled"],
            "Enabled",
        )?;
        let traffic = check_traffic(ctx, &input, "properties.traffic")?;
        let mirror = check_traffic_values(&input, "properties.mirrorTraffic", 50)?;
        let location = ctx.location.unwrap_or("eastus");
        let name = ctx.name.to_ascii_lowercase();
        let mut props = fields::object_or_empty(input.get("properties"));
        fields::default(&mut props, "description", Value::Null);
        fields::default(&mut props, "properties", json!({}));
        fields::set(&mut props, "traffic", traffic);
        fields::set(&mut props, "mirrorTraffic", mirror);
        fields::set(
            &mut props,
            "scoringUri",
            json!(format!(
                "https://{name}.{location}.inference.ml.azure.com/score"
            )),
        );
        fields::set(
            &mut props,
            "swaggerUri",
            json!(format!(
                "https://{name}.{location}.inference.ml.azure.com/swagger.json"
            )),
        );
        let mut fields_out = json!({"properties": props, "identity": identity(ctx)});
        fields_out["kind"] = input.get("kind").cloned().unwrap_or(json!("Managed"));
        if let Some(sku) = input.get("sku").filter(|v| v.is_object()) {
            fields_out["sku"] = sku.clone();
        }
        let (secrets, issued) = endpoint_keys::keep_or_generate(ctx.existing);
        Ok(Built {
            fields: fields_out,
            secrets: Some(secrets),
            issued,
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::AsyncOperation
    }

    fn supports_patch(&self) -> bool {
        true
    }

    fn patch_lro(&self) -> Lro {
        Lro::Location
    }

    fn delete_lro(&self) -> Lro {
        Lro::Location
    }

    fn operation_kind(&self) -> &'static str {
        "mfeOperationsStatus"
    }

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        body: Option<&Value>,
        ctx: &ActionContext,
    ) -> ArmResult<ActionOutcome> {
        let mode = fields::get_str(&resource.body, "properties.authMode").unwrap_or("Key");
        match name.to_ascii_lowercase().as_str() {
            "listkeys" => endpoint_keys::run(KeyAction::List, mode, resource, body, ctx),
            "regeneratekeys" => {
                endpoint_keys::run(KeyAction::Regenerate, mode, resource, body, ctx)
            }
            "token" => endpoint_keys::run(KeyAction::Token, mode, resource, body, ctx),
            _ => Err(crate::emulator::error::ArmError::new(
                404,
                "ActionNotFound",
                format!("The action '{name}' is not supported for online endpoints."),
            )),
        }
    }
}

/// Checks a traffic map's values (integers 0..=`max`) and returns it (or `{}`).
fn check_traffic_values(input: &Value, field: &str, max: i64) -> ArmResult<Value> {
    let c = ML_CHECK;
    let Some(t) = fields::get(input, field) else {
        return Ok(json!({}));
    };
    let Some(map) = t.as_object() else {
        return Err(c.error(
            field,
            format!("{field} must be an object mapping deployment names to percentages"),
        ));
    };
    for (k, v) in map {
        if !v.as_i64().is_some_and(|n| (0..=max).contains(&n)) {
            return Err(c.error(
                field,
                format!("{field}.{k} must be an integer percentage between 0 and {max}, not {v}"),
            ));
        }
    }
    Ok(t.clone())
}

/// Checks `traffic`: its deployments must exist under this endpoint and its values must sum
/// to 100 (or 0 when no traffic is routed).
fn check_traffic(ctx: &PutContext<'_>, input: &Value, field: &str) -> ArmResult<Value> {
    let c = ML_CHECK;
    let t = check_traffic_values(input, field, 100)?;
    let map = t.as_object().cloned().unwrap_or_default();
    let missing: Vec<&str> = map
        .keys()
        .filter(|d| {
            ctx.world
                .get(&format!("{}/deployments/{d}", ctx.id), ctx.now_ms)
                .is_none()
        })
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(c.error(
            field,
            format!(
                "{field} routes traffic to deployments that do not exist under endpoint '{}': {}. Create the deployments first, then set traffic",
                ctx.name,
                missing.join(", ")
            ),
        ));
    }
    let sum: i64 = map.values().filter_map(Value::as_i64).sum();
    if sum != 100 && sum != 0 {
        let parts: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
        return Err(c.error(
            field,
            format!(
                "{field} values must sum to 100 (or 0 when no traffic is routed), but they sum to {sum} ({})",
                parts.join(", ")
            ),
        ));
    }
    Ok(t)
}
