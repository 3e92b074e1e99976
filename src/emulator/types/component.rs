//! `Microsoft.MachineLearningServices/workspaces/components` (containers) and
//! `.../components/{name}/versions/{version}`: a `componentSpec` of type `command` (with
//! `command` and `environment`) or `pipeline` (with `jobs`), typed inputs and outputs.

use serde_json::{Value, json};

use super::asset::{AssetContainers, AssetSpec, AssetVersions};
use super::{ML_CHECK, PutContext, last_segment};
use crate::emulator::error::ArmResult;
use crate::emulator::fields;

/// Components.
pub(crate) static SPEC: AssetSpec = AssetSpec {
    container_type: "Microsoft.MachineLearningServices/workspaces/components",
    version_type: "Microsoft.MachineLearningServices/workspaces/components/versions",
    label: "Component",
    build_version,
    immutable: &["componentSpec"],
};

/// Component containers.
pub(crate) static CONTAINERS: AssetContainers = AssetContainers(&SPEC);
/// Component versions.
pub(crate) static VERSIONS: AssetVersions = AssetVersions(&SPEC);

const SPEC_TYPES: &[&str] = &["command", "pipeline", "parallel"];
const INPUT_TYPES: &[&str] = &[
    "uri_file",
    "uri_folder",
    "mltable",
    "custom_model",
    "mlflow_model",
    "triton_model",
    "string",
    "integer",
    "number",
    "boolean",
];
const OUTPUT_TYPES: &[&str] = &[
    "uri_file",
    "uri_folder",
    "mltable",
    "custom_model",
    "mlflow_model",
    "triton_model",
];

const S: &str = "properties.componentSpec";

pub(super) fn build_version(p: &mut Value, ctx: &PutContext<'_>) -> ArmResult<()> {
    let c = ML_CHECK;
    let mut spec = match fields::get(p, "componentSpec") {
        Some(s @ Value::Object(_)) => s.clone(),
        Some(_) => return Err(c.error(S, format!("{S} must be an object"))),
        None => return Err(c.missing(S)),
    };
    let kind = c
        .require_enum(&mut spec, "type", SPEC_TYPES)
        .map_err(|_| match fields::get_str(&spec, "type") {
            None => c.missing(&format!("{S}.type")),
            Some(t) => c.error(
                &format!("{S}.type"),
                format!(
                    "{S}.type has an invalid value '{t}'; allowed values are: {}",
                    SPEC_TYPES.join(", ")
                ),
            ),
        })?;
    let container = ctx
        .id
        .rsplit_once("/versions/")
        .map_or("", |(c, _)| last_segment(c));
    match fields::get_str(&spec, "name") {
        Some(n) if !n.eq_ignore_ascii_case(container) => {
            return Err(c.error(
                &format!("{S}.name"),
                format!("{S}.name '{n}' does not match the component name '{container}'"),
            ));
        }
        _ => fields::set(&mut spec, "name", json!(container)),
    }
    fields::default(&mut spec, "version", json!(ctx.name));
    match kind {
        "command" => {
            for f in ["command", "environment"] {
                if fields::get_str(&spec, f).is_none_or(|s| s.trim().is_empty()) {
                    return Err(c.missing(&format!("{S}.{f}")));
                }
            }
        }
        "pipeline"
            if fields::get(&spec, "jobs")
                .is_none_or(|j| j.as_object().is_none_or(serde_json::Map::is_empty)) =>
        {
            return Err(c.error(
                &format!("{S}.jobs"),
                format!("{S}.jobs is required: a pipeline component needs at least one job"),
            ));
        }
        _ => {}
    }
    ports(&mut spec, "inputs", INPUT_TYPES)?;
    ports(&mut spec, "outputs", OUTPUT_TYPES)?;
    fields::set(p, "componentSpec", spec);
    Ok(())
}

/// Checks the `type` of every input or output.
fn ports(spec: &mut Value, which: &str, allowed: &[&'static str]) -> ArmResult<()> {
    let c = ML_CHECK;
    let Some(map) = fields::get(spec, which).cloned() else {
        fields::set(spec, which, json!({}));
        return Ok(());
    };
    let Some(map) = map.as_object() else {
        return Err(c.error(
            &format!("{S}.{which}"),
            format!("{S}.{which} must be an object"),
        ));
    };
    let mut out = serde_json::Map::new();
    for (name, port) in map {
        let field = format!("{S}.{which}.{name}.type");
        let mut port = port.clone();
        let t = fields::get_str(&port, "type").ok_or_else(|| c.missing(&field))?;
        let canon = c.one_of(&field, t, allowed)?;
        fields::set(&mut port, "type", json!(canon));
        out.insert(name.clone(), port);
    }
    fields::set(spec, which, Value::Object(out));
    Ok(())
}
