//! `Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments`: compute type,
//! model and environment references, instance type and count (`sku.capacity`), scale, request
//! and probe settings, data collection; long-running PUT (`Azure-AsyncOperation`) and PATCH;
//! DELETE refused while the endpoint routes traffic to the deployment ([`super::traffic_guard`]).

use super::online_deployment_ops;
use serde_json::{Value, json};

use super::online_endpoint::{check_endpoint_name, identity};
use super::refs::{Lookup, Resolved, workspace_of};
use super::scoped::At;
use super::{Built, LocationPolicy, Lro, PutContext, ResourceType};
use crate::emulator::error::ArmResult;
use crate::emulator::fields;
use crate::emulator::world::{StoredResource, World};

/// Online deployments.
pub(crate) struct OnlineDeployments;

const P: At<'static> = At {
    prefix: "properties",
};

/// Checks a deployment's `model` (at `model_field` of `p`), `environmentId` and
/// `codeConfiguration`: a model that is not MLflow needs an environment and a scoring script.
pub(crate) fn check_model_and_code(
    ctx: &PutContext<'_>,
    p: &mut Value,
    model_field: &str,
) -> ArmResult<()> {
    let look = Lookup {
        world: ctx.world,
        now_ms: ctx.now_ms,
        workspace: workspace_of(ctx.id),
    };
    let mut needs_code = true;
    if let Some(model) = P.opt_str(p, model_field)?.map(str::to_owned) {
        match look.model(&P.path(model_field), &model)? {
            Resolved::Local(m) => {
                needs_code =
                    fields::get_str(&m.body, "properties.modelType") != Some("mlflow_model");
                fields::set(p, model_field, json!(m.id));
            }
            Resolved::External => needs_code = false,
        }
    }
    if let Some(env) = P.opt_str(p, "environmentId")?.map(str::to_owned) {
        if let Resolved::Local(e) = look.environment(&P.path("environmentId"), &env)? {
            fields::set(p, "environmentId", json!(e.id));
        }
    } else if needs_code {
        return Err(P.error(
            "environmentId",
            "properties.environmentId is required: only MLflow models can be deployed without an environment and a scoring script",
        ));
    }
    if fields::get(p, "codeConfiguration").is_some() {
        P.req_str(p, "codeConfiguration.scoringScript")?;
    } else if needs_code {
        return Err(P.error(
            "codeConfiguration",
            "properties.codeConfiguration.scoringScript is required: only MLflow models can be deployed without a scoring script",
        ));
    }
    Ok(())
}

fn probe(p: &mut Value, name: &str) -> ArmResult<()> {
    P.duration_or(p, &format!("{name}.initialDelay"), "PT10S")?;
    P.duration_or(p, &format!("{name}.period"), "PT10S")?;
    P.duration_or(p, &format!("{name}.timeout"), "PT2S")?;
    P.int_or(p, &format!("{name}.failureThreshold"), 1, 1000, 30)?;
    P.int_or(p, &format!("{name}.successThreshold"), 1, 1000, 1)?;
    Ok(())
}

impl ResourceType for OnlineDeployments {
    fn type_name(&self) -> &'static str {
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
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
        let kind = P.req_enum(
            &mut p,
            "endpointComputeType",
            &["Managed", "Kubernetes", "AzureMLCompute"],
        )?;
        check_model_and_code(ctx, &mut p, "model")?;
        if kind == "Kubernetes" {
            kubernetes_endpoint(ctx)?;
        }
        if kind == "Managed" {
            P.req_str(&p, "instanceType")?;
        }
        let scale = P.enum_or(
            &mut p,
            "scaleSettings.scaleType",
            &["Default", "TargetUtilization"],
            "Default",
        )?;
        if scale == "TargetUtilization" {
            let min = P.int_or(&mut p, "scaleSettings.minInstances", 1, 1000, 1)?;
            let max = P.int_or(&mut p, "scaleSettings.maxInstances", 1, 1000, 1)?;
            if min > max {
                return Err(P.error("scaleSettings.minInstances", format!("properties.scaleSettings.minInstances ({min}) must not exceed properties.scaleSettings.maxInstances ({max})")));
            }
            P.int_or(
                &mut p,
                "scaleSettings.targetUtilizationPercentage",
                1,
                100,
                70,
            )?;
            P.duration_or(&mut p, "scaleSettings.pollingInterval", "PT1S")?;
        }
        P.int_or(
            &mut p,
            "requestSettings.maxConcurrentRequestsPerInstance",
            1,
            1000,
            1,
        )?;
        P.duration_or(&mut p, "requestSettings.requestTimeout", "PT5S")?;
        P.duration_or(&mut p, "requestSettings.maxQueueWait", "PT0.5S")?;
        probe(&mut p, "livenessProbe")?;
        probe(&mut p, "readinessProbe")?;
        P.enum_or(
            &mut p,
            "egressPublicNetworkAccess",
            &["Enabled", "Disabled"],
            "Enabled",
        )?;
        fields::default(&mut p, "appInsightsEnabled", json!(false));
        data_collector(&mut p)?;
        fields::default(&mut p, "description", Value::Null);
        fields::default(&mut p, "properties", json!({}));
        fields::default(&mut p, "environmentVariables", json!({}));
        let mut sku = fields::object_or_empty(ctx.body.get("sku"));
        fields::default(&mut sku, "name", json!("Default"));
        let capacity = match fields::get(&sku, "capacity") {
            None => 1,
            Some(v) => v
                .as_i64()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| {
                    At { prefix: "" }.error(
                        "sku.capacity",
                        "sku.capacity must be an integer between 1 and 1000 (the instance count)",
                    )
                })?,
        };
        fields::set(&mut sku, "capacity", json!(capacity));
        fields::default(&mut sku, "tier", json!("Standard"));
        let mut out = json!({"properties": p, "sku": sku, "identity": identity(ctx)});
        out["kind"] = ctx.body.get("kind").cloned().unwrap_or(json!(kind));
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

    fn refuse_delete(
        &self,
        world: &World,
        resource: &StoredResource,
        now_ms: u64,
    ) -> ArmResult<()> {
        super::traffic_guard::refuse_if_routed(world, resource, now_ms)
    }

    fn sub_resources(&self) -> &'static [&'static str] {
        online_deployment_ops::SUB_RESOURCES
    }

    fn sub_resource(
        &self,
        _name: &str,
        resource: &StoredResource,
        _ctx: &super::ActionContext<'_>,
    ) -> ArmResult<Value> {
        Ok(online_deployment_ops::skus(resource))
    }

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        body: Option<&Value>,
        _ctx: &super::ActionContext<'_>,
    ) -> ArmResult<super::ActionOutcome> {
        online_deployment_ops::action(name, resource, body)
    }

    fn operation_kind(&self) -> &'static str {
        "mfeOperationsStatus"
    }
}

/// `dataCollector.collections`: each `{dataCollectionMode: Enabled|Disabled}` (default Enabled).
/// A Kubernetes deployment runs on its endpoint's compute, which must be a Kubernetes compute
/// of the workspace (learn.microsoft.com/azure/machine-learning/reference-yaml-endpoint-online:
/// `compute` "must have computeType: Kubernetes").
fn kubernetes_endpoint(ctx: &PutContext<'_>) -> ArmResult<()> {
    let endpoint_id = ctx
        .id
        .rsplit_once("/deployments/")
        .map_or(ctx.id, |(e, _)| e);
    let compute = ctx
        .world
        .get(endpoint_id, ctx.now_ms)
        .and_then(|e| fields::get_str(&e.body, "properties.compute"))
        .map(|c| c.trim_start_matches("azureml:").to_owned());
    let found = compute.as_deref().and_then(|c| {
        let id = if c.starts_with('/') {
            c.to_owned()
        } else {
            format!("{}/computes/{c}", workspace_of(ctx.id))
        };
        ctx.world.get(&id, ctx.now_ms)
    });
    match found {
        Some(c) if fields::get_str(&c.body, "properties.computeType") == Some("Kubernetes") => Ok(()),
        _ => Err(P.error(
            "endpointComputeType",
            format!(
                "A Kubernetes deployment needs an endpoint whose properties.compute names a Kubernetes compute of the workspace; endpoint '{}' has {}",
                super::last_segment(endpoint_id),
                compute.map_or_else(|| "none".to_owned(), |c| format!("'{c}', which is not one")),
            ),
        )),
    }
}

fn data_collector(p: &mut Value) -> ArmResult<()> {
    if fields::get(p, "dataCollector").is_none() {
        return Ok(());
    }
    let collections = P.req_object(p, "dataCollector.collections")?.clone();
    let mut out = serde_json::Map::new();
    for (name, coll) in collections.as_object().cloned().unwrap_or_default() {
        let rel = format!("dataCollector.collections.{name}");
        if !coll.is_object() {
            return Err(P.error(&rel, format!("properties.{rel} must be an object")));
        }
        let mut coll = coll;
        let at = At {
            prefix: &P.path(&rel),
        };
        at.enum_or(
            &mut coll,
            "dataCollectionMode",
            &["Enabled", "Disabled"],
            "Enabled",
        )?;
        out.insert(name, coll);
    }
    fields::set(p, "dataCollector.collections", Value::Object(out));
    P.enum_or(
        p,
        "dataCollector.rollingRate",
        &["Year", "Month", "Day", "Hour", "Minute"],
        "Hour",
    )?;
    Ok(())
}
