//! The steps of a pipeline job that use a registry's components
//! (`componentId: azureml://registries/{registry}/components/{name}/versions/{v}` or
//! `.../labels/latest`): the component must exist (see [`crate::emulator::registry`]) and every
//! input and output a step binds must be one of the component's ports, as the service checks
//! when the job is submitted. Components of the workspace are not checked here.

use serde_json::Value;

use super::scoped::At;
use crate::emulator::error::ArmResult;
use crate::emulator::registry;

/// Checks every step of `jobs` (the pipeline job's `jobs` map) that names a registry component.
pub(crate) fn check(at: At<'_>, jobs: &serde_json::Map<String, Value>) -> ArmResult<()> {
    for (step, job) in jobs {
        let Some(reference) = job.get("componentId").and_then(Value::as_str) else {
            continue;
        };
        let field = format!("jobs.{step}.componentId");
        let resolved = match registry::component(reference) {
            None => continue,
            Some(Err(message)) => {
                return Err(at.error(&field, format!("{}: {message}", at.path(&field))));
            }
            Some(Ok(r)) => r,
        };
        for kind in ["inputs", "outputs"] {
            bound(at, step, job, kind, &resolved)?;
        }
    }
    Ok(())
}

/// The ports of `kind` that step `step` binds must be the component's.
fn bound(at: At<'_>, step: &str, job: &Value, kind: &str, r: &registry::Resolved) -> ArmResult<()> {
    let Some(given) = job.get(kind).and_then(Value::as_object) else {
        return Ok(());
    };
    let ports = r.component.ports(kind);
    let singular = kind.trim_end_matches('s');
    match given.keys().find(|k| !ports.contains(&k.as_str())) {
        None => Ok(()),
        Some(name) => {
            let field = format!("jobs.{step}.{kind}.{name}");
            Err(at.error(
                &field,
                format!(
                    "{}: the component {} has no {singular} '{name}'; its {kind} are: {}",
                    at.path(&field),
                    r.id,
                    ports.join(", ")
                ),
            ))
        }
    }
}
