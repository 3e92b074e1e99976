//! `Microsoft.CognitiveServices/accounts/deployments`: model deployments of Azure OpenAI and
//! Foundry (`AIServices`) accounts.
//!
//! Modelled: `properties.model` (format, name, version; the default version when omitted) from
//! the catalogue of [`super::model_catalog`]; the deployment type (`sku.name`) offered for that
//! model in the account's region; `sku.capacity` (thousands of tokens per minute) within the
//! subscription's quota for (region, model, deployment type): `InsufficientQuota` in the
//! service's words otherwise, and lowering another deployment's capacity frees quota;
//! `raiPolicyName` naming a guardrail of the same account (or a built-in one); the legacy
//! `scaleSettings` of old templates. PUT is long-running (201 `Accepted`, then `Creating`,
//! `Succeeded`, `Azure-AsyncOperation`), PATCH of `sku`/`tags` and DELETE too. While the
//! account or a sibling deployment is being written, a write fails with `RequestConflict`, as
//! the service serializes writes under one account.

use regex::Regex;
use serde_json::{Value, json};

use super::model_catalog::{self, DEPLOYMENT_SKUS};
use super::{Built, LocationPolicy, Lro, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::world::Phase;

const CHECK: Check = Check {
    code: "InvalidResourceProperties",
    detail: None,
};

/// Guardrails every account has without creating them.
pub(crate) const BUILT_IN_POLICIES: &[&str] =
    &["Microsoft.Default", "Microsoft.DefaultV2", "Microsoft.Nil"];

/// Model deployments.
pub(crate) struct Deployments;

impl ResourceType for Deployments {
    fn type_name(&self) -> &'static str {
        "Microsoft.CognitiveServices/accounts/deployments"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::None
    }

    fn has_tags(&self) -> bool {
        true
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let ok = (2..=64).contains(&name.len())
            && Regex::new(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$").is_ok_and(|r| r.is_match(name));
        if ok {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidResourceName",
                format!(
                    "Deployment name '{name}' is invalid: use 2 to 64 letters, digits, '_', '.' and '-', starting with a letter or digit."
                ),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let account_id = parent_id(ctx.id);
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
        check_parent_free(ctx, account_id)?;
        let kind = account.body["kind"].as_str().unwrap_or_default();
        if !matches!(kind, "OpenAI" | "AIServices") {
            return Err(ArmError::bad_request(
                "InvalidResourceProperties",
                format!(
                    "Model deployments are not supported by accounts of kind '{kind}'; create an 'OpenAI' or 'AIServices' (Foundry) account."
                ),
            ));
        }
        let location = account.body["location"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let mut input = ctx.body.clone();
        legacy_scale_settings(&mut input);
        let format = CHECK
            .require_str(&input, "properties.model.format")?
            .to_owned();
        let name = CHECK
            .require_str(&input, "properties.model.name")?
            .to_owned();
        let model = model_catalog::model(&format, &name).ok_or_else(|| {
            ArmError::bad_request(
                "DeploymentModelNotSupported",
                format!("Creating a deployment with model '{format}/{name}' is not supported by the account '{}'.", last(account_id)),
            )
        })?;
        if ctx
            .existing
            .is_some_and(|e| e.body["properties"]["model"]["name"].as_str() != Some(model.name))
        {
            return Err(CHECK.error(
                "properties.model.name",
                "The model of an existing deployment cannot be changed; create another deployment.",
            ));
        }
        let version = match CHECK.opt_str(&input, "properties.model.version")? {
            Some(v) if !v.is_empty() => model
                .versions
                .iter()
                .find(|x| **x == v)
                .copied()
                .ok_or_else(|| {
                    ArmError::bad_request(
                        "DeploymentModelNotSupported",
                        format!("The model '{name}' version '{v}' is not available; available versions: {}.", model.versions.join(", ")),
                    )
                })?,
            _ => model.versions[0],
        };
        let sku = CHECK.require_str(&input, "sku.name")?;
        let sku = CHECK.one_of("sku.name", sku, DEPLOYMENT_SKUS)?;
        if !model_catalog::offered(&ctx.world.cognitive, &location, sku, model) {
            return Err(ArmError::bad_request(
                "InvalidResourceProperties",
                format!(
                    "The specified SKU '{sku}' for model '{} {version}' is not supported in this region '{location}'.",
                    model.name
                ),
            ));
        }
        let capacity = match fields::get(&input, "sku.capacity") {
            None => 1,
            Some(v) => v.as_u64().filter(|c| *c >= 1).ok_or_else(|| {
                CHECK.error(
                    "sku.capacity",
                    "sku.capacity must be a positive integer (thousands of tokens per minute)",
                )
            })?,
        };
        check_quota(ctx, &location, sku, model, capacity)?;
        let rai = check_rai_policy(ctx, account_id, &input)?;
        let mut props = fields::object_or_empty(input.get("properties"));
        fields::set(
            &mut props,
            "model",
            json!({"format": model.format, "name": model.name, "version": version}),
        );
        if let Some(o) = props.as_object_mut() {
            o.remove("scaleSettings");
        }
        fields::set(&mut props, "raiPolicyName", json!(rai));
        fields::default(
            &mut props,
            "versionUpgradeOption",
            json!("OnceNewDefaultVersionAvailable"),
        );
        fields::set(&mut props, "currentCapacity", json!(capacity));
        fields::set(
            &mut props,
            "capabilities",
            json!({"chatCompletion": "true", "maxContextToken": "128000"}),
        );
        fields::set(
            &mut props,
            "rateLimits",
            json!([
                {"key": "request", "renewalPeriod": 10, "count": capacity * 10},
                {"key": "token", "renewalPeriod": 60, "count": capacity * 1000}
            ]),
        );
        fields::set(&mut props, "deploymentState", json!("Running"));
        CHECK.enum_or(
            &mut props,
            "serviceTier",
            &["Default", "Priority"],
            "Default",
        )?;
        Ok(Built {
            fields: json!({"sku": {"name": sku, "capacity": capacity}, "properties": props}),
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
        Lro::AsyncOperation
    }

    fn delete_lro(&self) -> Lro {
        Lro::AsyncOperation
    }

    fn transient_overlay(&self, phase: Phase, _settled: &Value) -> Value {
        let state = match phase {
            Phase::Creating => "Creating",
            Phase::Updating => "Updating",
            Phase::Deleting => "Deleting",
        };
        json!({"properties": {"provisioningState": state}})
    }
}

/// `.../accounts/{a}` of `.../accounts/{a}/{type}/{name}`.
pub(crate) fn parent_id(id: &str) -> &str {
    let mut cut = id;
    for _ in 0..2 {
        cut = cut.rsplit_once('/').map_or(cut, |(head, _)| head);
    }
    cut
}

fn last(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// The service writes one child of an account at a time: a write while the account or another
/// deployment is being created, updated or deleted is refused.
pub(crate) fn check_parent_free(ctx: &PutContext<'_>, account_id: &str) -> ArmResult<()> {
    let busy_account = ctx
        .world
        .get(account_id, ctx.now_ms)
        .is_some_and(|a| a.active_transition(ctx.now_ms).is_some());
    let prefix = format!("{}/deployments/", account_id.to_ascii_lowercase());
    let busy_sibling = ctx.world.resources.iter().any(|(k, r)| {
        k.starts_with(&prefix)
            && !r.id.eq_ignore_ascii_case(ctx.id)
            && r.active_transition(ctx.now_ms).is_some()
    });
    if busy_account || busy_sibling {
        return Err(ArmError::new(
            409,
            "RequestConflict",
            format!(
                "Another operation is being performed on the parent resource '{account_id}'. Please try again later."
            ),
        ));
    }
    Ok(())
}

/// Old templates (api-version 2022-12-01 and before) give `properties.scaleSettings` instead of
/// `sku`: `{scaleType: Standard, capacity}` becomes `sku {name: Standard, capacity}`.
fn legacy_scale_settings(input: &mut Value) {
    if fields::get(input, "sku").is_some() {
        return;
    }
    if let Some(scale) = fields::get(input, "properties.scaleSettings").cloned() {
        let name = scale["scaleType"].as_str().unwrap_or("Standard").to_owned();
        let capacity = scale["capacity"].as_u64().unwrap_or(1);
        input["sku"] = json!({"name": name, "capacity": capacity});
    }
}

/// The deployment's capacity must fit in what the pool has left (this deployment's own current
/// capacity counts as free when it is updated).
fn check_quota(
    ctx: &PutContext<'_>,
    location: &str,
    sku: &str,
    model: &model_catalog::Model,
    capacity: u64,
) -> ArmResult<()> {
    let limit = model_catalog::limit(&ctx.world.cognitive, location, sku, model);
    let used: u64 = model_catalog::allocations(
        ctx.world,
        ctx.now_ms,
        ctx.subscription,
        location,
        sku,
        model.name,
    )
    .iter()
    .filter(|(id, _)| !id.eq_ignore_ascii_case(ctx.id))
    .map(|(_, c)| c)
    .sum();
    let available = limit.saturating_sub(used);
    if capacity <= available {
        return Ok(());
    }
    let pool = model_catalog::localized_usage(sku, model.name);
    Err(ArmError::bad_request(
        "InsufficientQuota",
        format!(
            "This operation require {capacity} new capacity in quota {pool}, which is bigger than the current available capacity {available}. The current quota usage is {used} and the quota limit is {limit} for quota {pool}."
        ),
    ))
}

/// `raiPolicyName` must name a guardrail of the account (or a built-in one); default
/// `Microsoft.DefaultV2`.
fn check_rai_policy(ctx: &PutContext<'_>, account_id: &str, input: &Value) -> ArmResult<String> {
    let Some(name) = CHECK.opt_str(input, "properties.raiPolicyName")? else {
        return Ok("Microsoft.DefaultV2".to_owned());
    };
    if let Some(b) = BUILT_IN_POLICIES
        .iter()
        .find(|b| b.eq_ignore_ascii_case(name))
    {
        return Ok((*b).to_owned());
    }
    let policy = format!("{account_id}/raiPolicies/{name}");
    match ctx.world.get(&policy, ctx.now_ms) {
        Some(p) => Ok(super::last_segment(&p.id).to_owned()),
        None => Err(CHECK.error(
            "properties.raiPolicyName",
            format!("The RAI policy '{name}' does not exist under account '{}'. Create the guardrail (raiPolicies/{name}) first, or use Microsoft.DefaultV2.", last(account_id)),
        )),
    }
}
