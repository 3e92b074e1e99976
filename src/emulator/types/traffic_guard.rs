//! The rule that an online deployment still receiving traffic cannot be deleted on its own.
//!
//! Azure ML documents it ("You can't delete a deployment that has live traffic allocated to it.
//! Before you delete the deployment, set the traffic allocation for the deployment to 0
//! percent."): a DELETE of a deployment to which its endpoint's `properties.traffic` gives a
//! non-zero share, or which is the endpoint's `properties.mirrorTraffic` target with a non-zero
//! share, is a 400. Deleting the endpoint itself deletes its deployments and is allowed.

use serde_json::Value;

use super::last_segment;
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::world::{StoredResource, World};

/// The share (percent) `map_field` of `endpoint` gives deployment `name`, when non-zero.
fn share(endpoint: &Value, map_field: &str, name: &str) -> Option<i64> {
    fields::get(endpoint, map_field)
        .and_then(Value::as_object)?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_i64())
        .filter(|n| *n > 0)
}

/// Refuses to delete `deployment` while its endpoint routes live or mirrored traffic to it.
pub(crate) fn refuse_if_routed(
    world: &World,
    deployment: &StoredResource,
    now_ms: u64,
) -> ArmResult<()> {
    let Some((endpoint_id, name)) = deployment.id.rsplit_once("/deployments/") else {
        return Ok(());
    };
    let Some(endpoint) = world.get(endpoint_id, now_ms) else {
        return Ok(());
    };
    let endpoint_name = last_segment(&endpoint.id);
    if let Some(pct) = share(&endpoint.body, "properties.traffic", name) {
        return Err(refusal(format!(
            "You can't delete a deployment that has live traffic allocated to it: deployment '{name}' receives {pct}% of the traffic of online endpoint '{endpoint_name}'. Set the traffic allocation for the deployment to 0 percent before you delete it (az ml online-endpoint update --name {endpoint_name} --traffic \"{name}=0 ...\"), or delete the endpoint, which deletes its deployments."
        )));
    }
    if let Some(pct) = share(&endpoint.body, "properties.mirrorTraffic", name) {
        return Err(refusal(format!(
            "You can't delete a deployment that has mirrored traffic allocated to it: deployment '{name}' receives a {pct}% mirror of the traffic of online endpoint '{endpoint_name}'. Set the mirror traffic for the deployment to 0 percent before you delete it (az ml online-endpoint update --name {endpoint_name} --mirror-traffic \"{name}=0\"), or delete the endpoint, which deletes its deployments."
        )));
    }
    Ok(())
}

/// The ML provider's user error: 400 `UserError` (the exact code and wording the service
/// answers were not found in public sources; the message follows the documentation).
fn refusal(message: String) -> ArmError {
    ArmError::new(400, "UserError", message)
}
