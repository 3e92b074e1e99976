//! `Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments`: an existing
//! compute, a model, mini-batch and concurrency settings, output action and file, retry
//! settings, logging level, instance count and error threshold; or a pipeline component
//! (`deploymentConfiguration`) and an optional compute; long-running PUT.

use serde_json::{Value, json};

use super::online_deployment::check_model_and_code;
use super::online_endpoint::check_endpoint_name;
use super::refs::{Lookup, workspace_of};
use super::scoped::At;
use super::{Built, LocationPolicy, Lro, PutContext, ResourceType};
use crate::emulator::error::ArmResult;
use crate::emulator::fields;

/// Batch deployments.
pub(crate) struct BatchDeployments;

const P: At<'static> = At {
    prefix: "properties",
};

impl ResourceType for BatchDeployments {
    fn type_name(&self) -> &'static str {
        "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        check_endpoint_name("Deployment", name)
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut p = At { prefix: "" }
            .req_object(ctx.body, "properties")?
            .clone();
        let look = Lookup {
            world: ctx.world,
            now_ms: ctx.now_ms,
            workspace: workspace_of(ctx.id),
        };
        let kind = fields::get_str(&p, "deploymentConfiguration.deploymentConfigurationType");
        if kind == Some("PipelineComponent") {
            return pipeline_component(ctx, p, &look);
        }
        let compute = P.req_str(&p, "compute")?.to_owned();
        let compute = look.compute(&P.path("compute"), &compute)?;
        fields::set(&mut p, "compute", json!(compute.id));
        if fields::get(&p, "model").is_some() {
            let kind = P.enum_or(
                &mut p,
                "model.referenceType",
                &["Id", "DataPath", "OutputPath"],
                "Id",
            )?;
            if kind == "Id" {
                P.req_str(&p, "model.assetId")?;
                check_model_and_code(ctx, &mut p, "model.assetId")?;
            }
        } else {
            return Err(P.missing("model"));
        }
        P.int_or(&mut p, "maxConcurrencyPerInstance", 1, 10_000, 1)?;
        P.int_or(&mut p, "miniBatchSize", 1, 1_000_000, 10)?;
        P.int_or(&mut p, "errorThreshold", -1, i64::MAX, -1)?;
        let action = P.enum_or(
            &mut p,
            "outputAction",
            &["SummaryOnly", "AppendRow"],
            "AppendRow",
        )?;
        if action == "AppendRow" {
            fields::default(&mut p, "outputFileName", json!("predictions.csv"));
        }
        P.int_or(&mut p, "retrySettings.maxRetries", 0, 1000, 3)?;
        P.duration_or(&mut p, "retrySettings.timeout", "PT30S")?;
        P.enum_or(
            &mut p,
            "loggingLevel",
            &["Info", "Warning", "Debug"],
            "Info",
        )?;
        P.int_or(&mut p, "resources.instanceCount", 1, 1000, 1)?;
        fields::default(&mut p, "description", Value::Null);
        fields::default(&mut p, "properties", json!({}));
        fields::default(&mut p, "environmentVariables", json!({}));
        let mut out = json!({"properties": p});
        if ctx.body.get("identity").is_some_and(Value::is_object) {
            out["identity"] = super::online_endpoint::identity(ctx);
        }
        super::online_endpoint::keep_kind_and_sku(ctx.body, &mut out);
        Ok(Built {
            fields: out,
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
}

/// A pipeline component deployment (`deploymentConfiguration.deploymentConfigurationType:
/// PipelineComponent`, REST spec `PipelineComponentDeploymentConfiguration`): the component
/// version must exist; `compute` is optional (the spec's `BatchDeploymentProperties` does not
/// require it: the pipeline's `settings.default_compute` can name it); the model settings
/// (mini-batch, retries, output) belong to model deployments and are not defaulted.
fn pipeline_component(ctx: &PutContext<'_>, mut p: Value, look: &Lookup<'_>) -> ArmResult<Built> {
    let field = "deploymentConfiguration.componentId.assetId";
    let component = P.req_str(&p, field)?.to_owned();
    look.component(&P.path(field), &component)?;
    if let Some(c) = P.opt_str(&p, "compute")?.map(str::to_owned) {
        let compute = look.compute(&P.path("compute"), &c)?;
        fields::set(&mut p, "compute", json!(compute.id));
    }
    fields::default(&mut p, "description", Value::Null);
    fields::default(&mut p, "properties", json!({}));
    let mut out = json!({"properties": p});
    super::online_endpoint::keep_kind_and_sku(ctx.body, &mut out);
    Ok(Built {
        fields: out,
        ..Built::default()
    })
}
