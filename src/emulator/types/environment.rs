//! `Microsoft.MachineLearningServices/workspaces/environments` (containers) and
//! `.../environments/{name}/versions/{version}`: a docker `image` or a `build` context, an
//! optional conda file (YAML text), `osType`; versions create their container.

use serde_json::{Value, json};

use super::asset::{AssetContainers, AssetSpec, AssetVersions};
use super::{ML_CHECK, PutContext};
use crate::emulator::error::ArmResult;
use crate::emulator::fields;

/// Environments.
pub(crate) static SPEC: AssetSpec = AssetSpec {
    container_type: "Microsoft.MachineLearningServices/workspaces/environments",
    version_type: "Microsoft.MachineLearningServices/workspaces/environments/versions",
    label: "Environment",
    build_version,
    immutable: &["image", "build", "condaFile", "osType"],
};

/// Environment containers.
pub(crate) static CONTAINERS: AssetContainers = AssetContainers(&SPEC);
/// Environment versions.
pub(crate) static VERSIONS: AssetVersions = AssetVersions(&SPEC);

pub(super) fn build_version(p: &mut Value, ctx: &PutContext<'_>) -> ArmResult<()> {
    let c = ML_CHECK;
    let container = super::last_segment(super::asset::container_of(ctx.id));
    if super::curated::is_reserved(container) {
        return Err(c.error(
            "name",
            format!("Environment name '{container}' is invalid: the prefix 'AzureML-' is reserved for curated environments; choose another name"),
        ));
    }
    let image = c.opt_str(p, "image")?.map(str::trim).map(str::to_owned);
    let has_build = fields::get(p, "build").is_some();
    match (&image, has_build) {
        (Some(_), true) => {
            return Err(c.error(
                "properties.build",
                "properties.image and properties.build are mutually exclusive: give a docker image or a build context, not both",
            ));
        }
        (None, false) => {
            return Err(c.error(
                "properties.image",
                "properties.image or properties.build.contextUri is required",
            ));
        }
        (Some(i), false) if i.is_empty() || i.contains(char::is_whitespace) => {
            return Err(c.error(
                "properties.image",
                format!("properties.image '{i}' is not a valid docker image reference"),
            ));
        }
        _ => {}
    }
    if has_build {
        let mut build = fields::object_or_empty(fields::get(p, "build"));
        c.require_str(&build, "contextUri")
            .map_err(|_| c.missing("properties.build.contextUri"))?;
        fields::default(&mut build, "dockerfilePath", json!("Dockerfile"));
        fields::set(p, "build", build);
    }
    match fields::get(p, "condaFile") {
        None | Some(Value::String(_)) => {}
        Some(_) => {
            return Err(c.error(
                "properties.condaFile",
                "properties.condaFile must be a string: the text of the conda YAML file",
            ));
        }
    }
    c.enum_or(p, "osType", &["Linux", "Windows"], "Linux")
        .map_err(|e| rename(e, "osType"))?;
    c.enum_or(
        p,
        "autoRebuild",
        &["Disabled", "OnBaseImageUpdate"],
        "Disabled",
    )
    .map_err(|e| rename(e, "autoRebuild"))?;
    fields::default(p, "condaFile", Value::Null);
    fields::default(p, "inferenceConfig", Value::Null);
    fields::set(p, "environmentType", json!("UserCreated"));
    Ok(())
}

/// Re-targets an error about a field of `properties` to its full path.
pub(crate) fn rename(
    e: crate::emulator::error::ArmError,
    field: &str,
) -> crate::emulator::error::ArmError {
    let full = format!("properties.{field}");
    let message = e.message.replacen(field, &full, 1);
    ML_CHECK.error(&full, message)
}

/// Whether an environment version carries Python dependencies (a conda file or a build
/// context); a plain image has none.
pub(crate) fn has_python_dependencies(version_body: &Value) -> bool {
    fields::get_str(version_body, "properties.environmentType") == Some("Curated")
        || fields::get_str(version_body, "properties.condaFile")
            .is_some_and(|s| !s.trim().is_empty())
        || fields::get(version_body, "properties.build").is_some()
}
