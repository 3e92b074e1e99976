//! `Microsoft.MachineLearningServices/workspaces/batchEndpoints`: AADToken auth, a default
//! deployment that must exist, a scoring URI; long-running PUT; `POST listkeys`.

use serde_json::{Value, json};

use super::endpoint_keys::{self, KeyAction};
use super::online_endpoint::{check_endpoint_name, identity, keep_kind_and_sku};
use super::{
    ActionContext, ActionOutcome, Built, LocationPolicy, Lro, ML_CHECK, PutContext, ResourceType,
};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::world::StoredResource;

/// Batch endpoints.
pub(crate) struct BatchEndpoints;

impl ResourceType for BatchEndpoints {
    fn type_name(&self) -> &'static str {
        "Microsoft.MachineLearningServices/workspaces/batchEndpoints"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        check_endpoint_name("Endpoint", name)
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let c = ML_CHECK;
        let mut input = ctx.body.clone();
        c.require(&input, "properties")?;
        // The spec's EndpointAuthMode; batch endpoints take Microsoft Entra tokens (AADToken,
        // or the workspace-issued AMLToken of the spec's own BatchEndpoint example), never keys
        // (learn.microsoft.com/azure/machine-learning/how-to-authenticate-batch-endpoint).
        c.enum_or(
            &mut input,
            "properties.authMode",
            &["AADToken", "AMLToken"],
            "AADToken",
        )?;
        if let Some(d) = c.opt_str(&input, "properties.defaults.deploymentName")?
            && !d.is_empty()
            && ctx
                .world
                .get(&format!("{}/deployments/{d}", ctx.id), ctx.now_ms)
                .is_none()
        {
            return Err(c.error(
                "properties.defaults.deploymentName",
                format!("The deployment '{d}' named by properties.defaults.deploymentName does not exist under batch endpoint '{}'", ctx.name),
            ));
        }
        let location = ctx.location.unwrap_or("eastus");
        let name = ctx.name.to_ascii_lowercase();
        let mut props = fields::object_or_empty(input.get("properties"));
        fields::default(&mut props, "description", Value::Null);
        fields::default(&mut props, "properties", json!({}));
        fields::default(&mut props, "defaults", json!({"deploymentName": null}));
        fields::set(
            &mut props,
            "scoringUri",
            json!(format!(
                "https://{name}.{location}.inference.ml.azure.com/jobs"
            )),
        );
        fields::set(
            &mut props,
            "swaggerUri",
            json!(format!(
                "https://{name}.{location}.inference.ml.azure.com/swagger.json"
            )),
        );
        let (secrets, issued) = endpoint_keys::keep_or_generate(ctx.existing);
        let mut out = json!({"properties": props, "identity": identity(ctx), "kind": "Managed"});
        keep_kind_and_sku(ctx.body, &mut out);
        Ok(Built {
            fields: out,
            secrets: Some(secrets),
            issued,
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::AsyncOperation
    }

    fn supports_patch(&self) -> bool {
        true
    }

    fn patch_lro(&self) -> Lro {
        Lro::Location
    }

    fn delete_lro(&self) -> Lro {
        Lro::Location
    }

    fn operation_kind(&self) -> &'static str {
        "mfeOperationsStatus"
    }

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        body: Option<&Value>,
        ctx: &ActionContext,
    ) -> ArmResult<ActionOutcome> {
        if name.eq_ignore_ascii_case("listkeys") {
            return endpoint_keys::run(KeyAction::List, "Key", resource, body, ctx);
        }
        Err(ArmError::new(
            404,
            "ActionNotFound",
            format!("The action '{name}' is not supported for batch endpoints."),
        ))
    }
}
