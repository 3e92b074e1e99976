//! `POST .../models/{name}/versions/{version}/package` (`ModelVersions_Package`, ML spec
//! 2025-12-01): packages a model version with its inferencing server into a new environment
//! version, the one the request targets (a model package is an environment:
//! learn.microsoft.com/azure/machine-learning/how-to-package-models). The emulator builds no
//! image: the environment version it creates names `azureml/packages/{environment}:{version}`
//! as its image (amlab's naming) and answers synchronously with the `PackageResponse`.
//!
//! Checked: `inferencingServer.serverType` (`AzureMLOnline`, `AzureMLBatch`, `Triton`,
//! `Custom`); `targetEnvironmentId` as `azureml:{name}:{version}`, `azureml:{name}` (the next
//! version) or the environment version's ARM id in the same workspace; or, as 2025-12-01
//! spells it, `targetEnvironmentName` with an optional `targetEnvironmentVersion` (the next
//! version when absent). A target version that exists already is a 409 (versions are
//! immutable).

use serde_json::{Value, json};

use super::asset::{check_asset_name, recount};
use super::{ActionContext, ActionOutcome, ML_CHECK, SideResource};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::ids;
use crate::emulator::world::StoredResource;

const SERVER_TYPES: &[&str] = &["AzureMLOnline", "AzureMLBatch", "Triton", "Custom"];
const ENV_CONTAINER: &str = "Microsoft.MachineLearningServices/workspaces/environments";
const ENV_VERSION: &str = "Microsoft.MachineLearningServices/workspaces/environments/versions";

/// The next version of environment `name` in the workspace `ws`.
fn next_version(ws: &str, name: &str, ctx: &ActionContext<'_>) -> String {
    let container = format!("{ws}/environments/{name}");
    let (_, next) = recount(ctx.world, &container, ctx.now_ms, None);
    next.as_str().unwrap_or("1").to_owned()
}

/// The environment (name, version) the request targets, in the workspace `ws`.
fn requested_environment(
    request: &Value,
    ws: &str,
    ctx: &ActionContext<'_>,
) -> ArmResult<(String, String)> {
    let (name, version) = match ML_CHECK.opt_str(request, "targetEnvironmentName")? {
        Some(name) => {
            let version = ML_CHECK.opt_str(request, "targetEnvironmentVersion")?;
            let version = version.map_or_else(|| next_version(ws, name, ctx), str::to_owned);
            (name.to_owned(), version)
        }
        None => {
            let target = ML_CHECK.require_str(request, "targetEnvironmentId")?;
            target_environment(target, ws, ctx)?
        }
    };
    check_asset_name("Environment", &name, 255)?;
    check_asset_name("Environment version", &version, 255)?;
    Ok((name, version))
}

/// The environment (name, version) `target` names, in the workspace `ws`.
fn target_environment(
    target: &str,
    ws: &str,
    ctx: &ActionContext<'_>,
) -> ArmResult<(String, String)> {
    let bad = || {
        ML_CHECK.error(
            "targetEnvironmentId",
            format!("targetEnvironmentId '{target}' must be azureml:<name>:<version>, azureml:<name> or an environment version id of this workspace"),
        )
    };
    if let Some(rest) = target.strip_prefix("azureml:") {
        return Ok(match rest.split_once(':') {
            Some((n, v)) => (n.to_owned(), v.to_owned()),
            None => (rest.to_owned(), next_version(ws, rest, ctx)),
        });
    }
    let prefix = format!("{}/environments/", ws.to_ascii_lowercase());
    if !target.to_ascii_lowercase().starts_with(&prefix) {
        return Err(bad());
    }
    let (n, v) = target[prefix.len()..]
        .split_once("/versions/")
        .ok_or_else(bad)?;
    Ok((n.to_owned(), v.to_owned()))
}

/// The new environment version (image named after it, tags and properties of the request)
/// and its container, as side resources.
fn environment(
    env_id: &str,
    model_id: &str,
    request: &Value,
    ctx: &ActionContext<'_>,
) -> Vec<SideResource> {
    let (container_id, version) = env_id.rsplit_once("/versions/").unwrap_or((env_id, "1"));
    let name = super::last_segment(container_id);
    let (latest, next) = recount(ctx.world, container_id, ctx.now_ms, Some(version));
    let mut container_props = ctx
        .world
        .get(container_id, ctx.now_ms)
        .and_then(|c| c.body.get("properties").cloned())
        .unwrap_or_else(
            || json!({"description": null, "tags": {}, "properties": {}, "isArchived": false}),
        );
    container_props["latestVersion"] = latest;
    container_props["nextVersion"] = next;
    container_props["provisioningState"] = json!("Succeeded");
    let version_props = json!({
        "image": format!("azureml/packages/{name}:{version}"),
        "osType": "Linux",
        "description": format!("Package of model {model_id}"),
        "tags": request.get("tags").cloned().unwrap_or_else(|| json!({})),
        "properties": request.get("properties").cloned().unwrap_or_else(|| json!({})),
        "isAnonymous": false,
        "isArchived": false,
        "provisioningState": "Succeeded"
    });
    vec![
        SideResource {
            id: container_id.to_owned(),
            type_name: ENV_CONTAINER,
            fields: json!({"properties": container_props}),
            secrets: None,
        },
        SideResource {
            id: env_id.to_owned(),
            type_name: ENV_VERSION,
            fields: json!({"properties": version_props}),
            secrets: None,
        },
    ]
}

/// Runs `package` on the model version `model`.
pub(super) fn package(
    model: &StoredResource,
    body: Option<&Value>,
    ctx: &ActionContext<'_>,
) -> ArmResult<ActionOutcome> {
    let mut request = body
        .filter(|b| b.is_object())
        .cloned()
        .ok_or_else(ArmError::invalid_body)?;
    ML_CHECK.require_enum(&mut request, "inferencingServer.serverType", SERVER_TYPES)?;
    let ws = model
        .id
        .split("/models/")
        .next()
        .unwrap_or_default()
        .to_owned();
    let (name, version) = requested_environment(&request, &ws, ctx)?;
    let env_id = format!("{ws}/environments/{name}/versions/{version}");
    if ctx.world.get(&env_id, ctx.now_ms).is_some() {
        return Err(ArmError::new(
            409,
            "UserError",
            format!("Environment version '{name}:{version}' already exists; versions are immutable: package into a new version"),
        )
        .with_target("targetEnvironmentVersion".to_owned()));
    }
    let side = environment(&env_id, &model.id, &request, ctx);
    let field = |k: &str| request.get(k).cloned().unwrap_or(Value::Null);
    let answer = json!({
        "baseEnvironmentSource": field("baseEnvironmentSource"),
        "buildId": ids::guid(),
        "buildState": "Succeeded",
        "environmentVariables": field("environmentVariables"),
        "inferencingServer": field("inferencingServer"),
        "inputs": field("inputs"),
        "logUrl": null,
        "modelConfiguration": field("modelConfiguration"),
        "properties": field("properties"),
        "tags": field("tags"),
        "targetEnvironmentId": env_id,
        "targetEnvironmentName": name,
        "targetEnvironmentVersion": version
    });
    let mut out = ActionOutcome::ok(answer);
    out.side = side;
    Ok(out)
}
