//! The operations on an existing online deployment besides CRUD, as `OnlineDeployments_*` in
//! the 2025-12-01 REST spec: `POST getLogs` (`DeploymentLogsRequest` -> `DeploymentLogs`) and
//! `GET skus` (`SkuResourceArmPaginatedResult`).

use serde_json::{Value, json};

use super::{ActionOutcome, ML_CHECK};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::world::StoredResource;

/// The sub-resources a GET reads under a deployment.
pub(super) const SUB_RESOURCES: &[&str] = &["skus"];

/// `POST getLogs`: the last `tail` lines of the container's log (`InferenceServer` by
/// default, or `StorageInitializer`, which downloads the model before the server starts).
pub(super) fn get_logs(dep: &StoredResource, body: Option<&Value>) -> ArmResult<ActionOutcome> {
    let empty = json!({});
    let body = body.unwrap_or(&empty);
    let container = match fields::get_str(body, "containerType") {
        None => "InferenceServer",
        Some(c) if c.eq_ignore_ascii_case("InferenceServer") => "InferenceServer",
        Some(c) if c.eq_ignore_ascii_case("StorageInitializer") => "StorageInitializer",
        Some(c) => {
            return Err(ML_CHECK.error(
                "containerType",
                format!("containerType has an invalid value '{c}'; allowed values are: InferenceServer, StorageInitializer"),
            ));
        }
    };
    let tail = match body.get("tail") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            ML_CHECK.error(
                "tail",
                "tail must be a non-negative integer (the number of lines)",
            )
        })?),
    };
    let lines = log_lines(dep, container);
    let keep = match tail {
        Some(n) if n > 0 => lines
            .len()
            .saturating_sub(usize::try_from(n).unwrap_or(usize::MAX)),
        _ => 0,
    };
    Ok(ActionOutcome::ok(
        json!({"content": lines[keep..].join("\n")}),
    ))
}

fn log_lines(dep: &StoredResource, container: &str) -> Vec<String> {
    let model = fields::get_str(&dep.body, "properties.model").unwrap_or("(none)");
    if container == "StorageInitializer" {
        return vec![
            format!("Downloading model {model}"),
            "Model downloaded to /var/azureml-app/azureml-models".into(),
            "Storage initializer finished".into(),
        ];
    }
    let script = fields::get_str(&dep.body, "properties.codeConfiguration.scoringScript")
        .unwrap_or("(no-code deployment)");
    vec![
        "Starting AzureML Inference Server HTTP.".into(),
        format!("Entry Script Name: {script}"),
        "Initializing logger".into(),
        "Users's init has completed successfully".into(),
        "Scoring timeout is set to 60000".into(),
        "Swagger file not present".into(),
        "Listening at: http://0.0.0.0:31311".into(),
    ]
}

/// `GET skus`: the deployment's SKU and the instance counts it can scale between
/// (`Automatic` for target-utilization scaling, `Manual` otherwise).
pub(super) fn skus(dep: &StoredResource) -> Value {
    let sku = json!({
        "name": fields::get(&dep.body, "sku.name").cloned().unwrap_or(json!("Default")),
        "tier": fields::get(&dep.body, "sku.tier").cloned().unwrap_or(json!("Standard")),
    });
    let automatic = fields::get_str(&dep.body, "properties.scaleSettings.scaleType")
        == Some("TargetUtilization");
    let current = fields::get(&dep.body, "sku.capacity")
        .cloned()
        .unwrap_or(json!(1));
    let capacity = if automatic {
        json!({"minimum": fields::get(&dep.body, "properties.scaleSettings.minInstances").cloned().unwrap_or(json!(1)),
               "maximum": fields::get(&dep.body, "properties.scaleSettings.maxInstances").cloned().unwrap_or(json!(1)),
               "default": current, "scaleType": "Automatic"})
    } else {
        json!({"minimum": 1, "maximum": 1000, "default": current, "scaleType": "Manual"})
    };
    json!({"value": [{
        "resourceType": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
        "sku": sku,
        "capacity": capacity,
    }]})
}

/// The action `name` on a deployment.
pub(super) fn action(
    name: &str,
    dep: &StoredResource,
    body: Option<&Value>,
) -> ArmResult<ActionOutcome> {
    if name.eq_ignore_ascii_case("getLogs") {
        return get_logs(dep, body);
    }
    Err(ArmError::new(
        404,
        "ActionNotFound",
        format!(
            "The action '{name}' is not supported for type 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments'."
        ),
    ))
}
