//! `Microsoft.MachineLearningServices/workspaces/connections`: a workspace's connections to
//! other services (a container registry, Azure OpenAI, AI Search, a Git repository, ...), as
//! in the ML spec's `WorkspaceConnections` operations.
//!
//! Modelled: create or replace (synchronous, 200 as the spec's example answers), `PATCH`, get,
//! delete, list filtered by the `category` and `target` query parameters (`Connections_List`),
//! and `POST listsecrets`, the one answer that carries `properties.credentials` (kept aside
//! as secrets, never in a GET). `category`, `target` and `authType` are required.

use serde_json::Value;

use super::{ActionContext, ActionOutcome, Built, PutContext, ResourceType, cognitive_connection};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::url::RequestUrl;
use crate::emulator::world::StoredResource;

/// Workspace connections.
pub(crate) struct WorkspaceConnections;

impl ResourceType for WorkspaceConnections {
    fn type_name(&self) -> &'static str {
        "Microsoft.MachineLearningServices/workspaces/connections"
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        super::check_plain_name(name, 1..=255, "-_", || {
            format!(
                "Connection name '{name}' is invalid: use letters, digits, '-' and '_', starting with a letter or digit."
            )
        })
    }

    fn put_status(&self, _created: bool) -> u16 {
        200
    }

    fn supports_patch(&self) -> bool {
        true
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        cognitive_connection::build(ctx, super::ML_CHECK)
    }

    /// `category` and `target`, when given, must equal the connection's (case-insensitive).
    fn listed(&self, url: &RequestUrl, body: &Value) -> ArmResult<bool> {
        let matches = |param: &str, field: &str| {
            url.query_param(param)
                .filter(|v| !v.is_empty())
                .is_none_or(|want| {
                    fields::get_str(body, field).is_some_and(|have| have.eq_ignore_ascii_case(want))
                })
        };
        Ok(matches("category", "properties.category") && matches("target", "properties.target"))
    }

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        _body: Option<&Value>,
        _ctx: &ActionContext<'_>,
    ) -> ArmResult<ActionOutcome> {
        if !name.eq_ignore_ascii_case("listsecrets") {
            return Err(ArmError::new(
                404,
                "ActionNotFound",
                format!("The action '{name}' is not supported for workspace connections."),
            ));
        }
        let mut answer = resource.body.clone();
        if let Some(obj) = answer.as_object_mut() {
            obj.remove(super::PRIVATE_KEY);
        }
        if let Some(c) = resource.secrets.as_ref().and_then(|s| s.get("credentials")) {
            fields::set(&mut answer, "properties.credentials", c.clone());
        }
        Ok(ActionOutcome::ok(answer))
    }
}
