//! `Microsoft.MachineLearningServices/workspaces/models` (containers) and
//! `.../models/{name}/versions/{version}`: `modelType` and `modelUri`; the container's
//! `nextVersion` is what the SDK reads to register "the next version".

use serde_json::{Value, json};

use super::asset::{AssetContainers, AssetSpec, AssetVersions};
use super::{ML_CHECK, PutContext};
use crate::emulator::error::ArmResult;
use crate::emulator::fields;

/// Model types (the Python SDK's spellings).
pub(crate) const MODEL_TYPES: &[&str] = &["custom_model", "mlflow_model", "triton_model"];

/// Models.
pub(crate) static SPEC: AssetSpec = AssetSpec {
    container_type: "Microsoft.MachineLearningServices/workspaces/models",
    version_type: "Microsoft.MachineLearningServices/workspaces/models/versions",
    label: "Model",
    build_version,
    immutable: &["modelType", "modelUri"],
};

/// Model containers.
pub(crate) static CONTAINERS: AssetContainers = AssetContainers(&SPEC);
/// Model versions.
pub(crate) static VERSIONS: AssetVersions = AssetVersions(&SPEC);

const URI_SCHEMES: &[&str] = &[
    "azureml://",
    "azureml:",
    "https://",
    "http://",
    "runs:/",
    "wasbs://",
    "abfss://",
];

pub(super) fn build_version(p: &mut Value, _ctx: &PutContext<'_>) -> ArmResult<()> {
    let c = ML_CHECK;
    let raw = c
        .opt_str(p, "modelType")?
        .unwrap_or("custom_model")
        .to_owned();
    let snake = match raw.to_ascii_lowercase().replace('_', "").as_str() {
        "custommodel" => "custom_model".to_owned(),
        "mlflowmodel" => "mlflow_model".to_owned(),
        "tritonmodel" => "triton_model".to_owned(),
        _ => raw.clone(),
    };
    let canon = c
        .one_of("properties.modelType", &snake, MODEL_TYPES)
        .map_err(|_| {
            c.error(
                "properties.modelType",
                format!(
                    "properties.modelType has an invalid value '{raw}'; allowed values are: {}",
                    MODEL_TYPES.join(", ")
                ),
            )
        })?;
    fields::set(p, "modelType", json!(canon));
    let uri = c
        .require_str(p, "modelUri")
        .map_err(|_| c.missing("properties.modelUri"))?
        .to_owned();
    if !URI_SCHEMES
        .iter()
        .any(|s| uri.to_ascii_lowercase().starts_with(s))
    {
        return Err(c.error(
            "properties.modelUri",
            format!(
                "properties.modelUri '{uri}' is not a supported URI; use one of: {}",
                URI_SCHEMES.join(", ")
            ),
        ));
    }
    let flavors = if canon == "mlflow_model" {
        json!({"python_function": {"data": {"loader_module": "mlflow.sklearn"}}})
    } else {
        json!({})
    };
    fields::default(p, "flavors", flavors);
    fields::default(p, "jobName", Value::Null);
    fields::default(p, "stage", json!("Development"));
    Ok(())
}
