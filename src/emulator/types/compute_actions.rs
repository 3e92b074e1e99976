//! The POST actions of computes, as `Compute_*` in the 2025-12-01 REST spec
//! (`machineLearningServices.json`): `start`, `stop`, `restart`,
//! `updateIdleShutdownSetting`, `customServices` and `updateDataMounts` (compute instances),
//! `listNodes` and `listKeys`.

use serde_json::{Value, json};

use super::{ActionOutcome, Lro, ML_CHECK};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::world::StoredResource;

const P: &str = "properties.properties";

/// Runs the compute action `name`.
pub(super) fn action(
    name: &str,
    resource: &StoredResource,
    body: Option<&Value>,
) -> ArmResult<ActionOutcome> {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "listnodes" => Ok(ActionOutcome::ok(list_nodes(resource))),
        "listkeys" => super::compute_attached::list_keys(resource),
        "start" | "stop" | "restart" => {
            instance_only(name, resource)?;
            Ok(power(&lower, resource))
        }
        "updateidleshutdownsetting" => {
            instance_only(name, resource)?;
            idle_shutdown(resource, body)
        }
        "customservices" => {
            instance_only(name, resource)?;
            replace_list(resource, body, "customServices")
        }
        "updatedatamounts" => {
            instance_only(name, resource)?;
            replace_list(resource, body, "dataMounts")
        }
        _ => Err(ArmError::new(
            404,
            "ActionNotFound",
            format!("The action '{name}' is not supported for computes."),
        )),
    }
}

fn instance_only(name: &str, resource: &StoredResource) -> ArmResult<()> {
    if fields::get_str(&resource.body, "properties.computeType") == Some("ComputeInstance") {
        Ok(())
    } else {
        Err(ML_CHECK.error(
            "properties.computeType",
            format!("The action '{name}' is only supported for compute instances"),
        ))
    }
}

/// `start`, `stop`, `restart`: 202 with `Azure-AsyncOperation`, the state moving through its
/// transient value.
fn power(action: &str, resource: &StoredResource) -> ActionOutcome {
    let (final_state, transient) = match action {
        "start" => ("Running", "Starting"),
        "stop" => ("Stopped", "Stopping"),
        _ => ("Running", "Restarting"),
    };
    let mut updated = resource.body.clone();
    fields::set(&mut updated, &format!("{P}.state"), json!(final_state));
    ActionOutcome {
        status: 202,
        body: None,
        updated_body: Some(updated),
        overlay: Some(json!({"properties": {"properties": {"state": transient}}})),
        lro: Lro::AsyncOperation,
        issued: Vec::new(),
        updated_secrets: None,
        side: Vec::new(),
    }
}

/// `listNodes` (`AmlComputeNodesInformation`): a cluster's current nodes, all idle (a job's
/// nodes are not tracked); other computes have none.
fn list_nodes(resource: &StoredResource) -> Value {
    let count = fields::get(&resource.body, &format!("{P}.currentNodeCount"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let nodes: Vec<Value> = (0..count.min(100))
        .map(|i| {
            json!({
                "nodeId": format!("tvm-{}_{}-20250101t000000z", resource.seq, i + 1),
                "privateIpAddress": format!("10.0.0.{}", 4 + i),
                "publicIpAddress": format!("20.0.0.{}", 4 + i),
                "port": 50000 + i,
                "nodeState": "idle",
            })
        })
        .collect();
    json!({"nodes": nodes})
}

/// `updateIdleShutdownSetting` (`IdleShutdownSetting`): a new idle time before shutdown.
fn idle_shutdown(resource: &StoredResource, body: Option<&Value>) -> ArmResult<ActionOutcome> {
    let field = "idleTimeBeforeShutdown";
    let body = body.cloned().unwrap_or_else(|| json!({}));
    let idle = ML_CHECK.require_str(&body, field)?;
    if !super::compute::is_iso_duration(idle) {
        return Err(ML_CHECK.error(
            field,
            format!("{field} must be an ISO 8601 duration such as PT60M"),
        ));
    }
    let mut updated = resource.body.clone();
    fields::set(&mut updated, &format!("{P}.{field}"), json!(idle));
    Ok(settled(updated))
}

/// `customServices` / `updateDataMounts`: the body (an array) replaces the instance's list.
fn replace_list(
    resource: &StoredResource,
    body: Option<&Value>,
    field: &str,
) -> ArmResult<ActionOutcome> {
    let Some(list) = body.filter(|b| b.is_array()) else {
        return Err(ML_CHECK.error(field, format!("The body must be an array of {field}")));
    };
    let mut updated = resource.body.clone();
    fields::set(&mut updated, &format!("{P}.{field}"), list.clone());
    Ok(settled(updated))
}

/// A synchronous 200 without a body that stores `updated`.
fn settled(updated: Value) -> ActionOutcome {
    ActionOutcome {
        body: None,
        updated_body: Some(updated),
        ..ActionOutcome::ok(Value::Null)
    }
}
