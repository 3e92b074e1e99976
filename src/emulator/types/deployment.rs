//! `Microsoft.Resources/deployments` (resource-group scope): the stored deployment that GET,
//! list and DELETE read. A PUT is not built here: the engine's `deploy` module evaluates the
//! template and applies each resource through the other types (see `crate::emulator::template`).

use serde_json::{Value, json};

use super::{Built, Lro, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::world::Phase;

/// The type name.
pub(crate) const TYPE: &str = "Microsoft.Resources/deployments";

/// Template deployments.
pub(crate) struct Deployments;

impl ResourceType for Deployments {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let ok = (1..=64).contains(&name.chars().count())
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || "-_.()".contains(c));
        if ok {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidDeploymentName",
                format!(
                    "The deployment name '{name}' is invalid. It must be 1-64 characters of letters, digits, '-', '_', '.', '(' or ')'."
                ),
            ))
        }
    }

    fn build(&self, _ctx: &PutContext<'_>) -> ArmResult<Built> {
        Err(ArmError::new(
            500,
            "InternalServerError",
            "A deployment is created by the deployment engine, not built as a plain resource.",
        ))
    }

    fn delete_lro(&self) -> Lro {
        Lro::Location
    }

    fn operation_kind(&self) -> &'static str {
        "deploymentOperationStatuses"
    }

    fn transient_overlay(&self, phase: Phase, _settled: &Value) -> Value {
        let state = match phase {
            Phase::Deleting => "Deleting",
            _ => "Running",
        };
        json!({"properties": {"provisioningState": state}})
    }
}
