//! Which resource a spec describes: from its `$schema` and its contents together. The schema's
//! file name picks the family (placeholder or unknown schemas fall back to the contents); the
//! contents (`type`, `create_monitor`, `endpoint_name`, ...) pick the kind inside the family,
//! as the SDK's loaders do.

use super::error::Problem;
use super::node::Obj;

/// The kinds of spec amlab translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `az ml workspace create`.
    Workspace,
    /// AmlCompute or ComputeInstance.
    Compute,
    /// Blob, file share, ADLS Gen2 (or Gen1) datastore.
    Datastore,
    /// Data asset (uri_file, uri_folder, mltable).
    Data,
    /// Environment.
    Environment,
    /// Model.
    Model,
    /// Component (not translated yet).
    Component,
    /// Job (command, sweep, automl; pipeline not translated yet).
    Job,
    /// Managed online endpoint.
    OnlineEndpoint,
    /// Managed online deployment.
    OnlineDeployment,
    /// Batch endpoint.
    BatchEndpoint,
    /// Batch deployment (model or pipeline component).
    BatchDeployment,
    /// Schedule (job or monitor).
    Schedule,
}

impl Kind {
    /// The kind's name in output (`online_deployment`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Workspace => "workspace",
            Kind::Compute => "compute",
            Kind::Datastore => "datastore",
            Kind::Data => "data",
            Kind::Environment => "environment",
            Kind::Model => "model",
            Kind::Component => "component",
            Kind::Job => "job",
            Kind::OnlineEndpoint => "online_endpoint",
            Kind::OnlineDeployment => "online_deployment",
            Kind::BatchEndpoint => "batch_endpoint",
            Kind::BatchDeployment => "batch_deployment",
            Kind::Schedule => "schedule",
        }
    }
}

/// The kind named by a `$schema` URL's file name, if it is one amlab knows.
fn from_schema(url: &str) -> Option<Kind> {
    let file = url.rsplit('/').next().unwrap_or(url);
    let stem = file.split('.').next().unwrap_or(file).to_ascii_lowercase();
    Some(match stem.as_str() {
        "workspace" => Kind::Workspace,
        "amlcompute" | "computeinstance" => Kind::Compute,
        "azureblob" | "azurefile" | "azuredatalakegen2" | "azuredatalakegen1" => Kind::Datastore,
        "data" => Kind::Data,
        "environment" => Kind::Environment,
        "model" => Kind::Model,
        "commandcomponent" | "pipelinecomponent" | "sparkcomponent" => Kind::Component,
        "commandjob" | "sweepjob" | "pipelinejob" | "automljob" | "sparkjob" => Kind::Job,
        "managedonlineendpoint" | "kubernetesonlineendpoint" => Kind::OnlineEndpoint,
        "managedonlinedeployment" | "kubernetesonlinedeployment" => Kind::OnlineDeployment,
        "batchendpoint" => Kind::BatchEndpoint,
        "batchdeployment" | "modelbatchdeployment" | "pipelinecomponentbatchdeployment" => {
            Kind::BatchDeployment
        }
        "schedule" | "monitorschedule" => Kind::Schedule,
        _ => return None,
    })
}

/// The kind from contents alone (placeholder or missing `$schema`).
fn from_contents(root: Obj<'_>) -> Option<Kind> {
    let t = root
        .get("type")
        .and_then(|n| n.value.scalar_text())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if root.has("create_monitor") || root.has("create_job") || root.has("trigger") {
        return Some(Kind::Schedule);
    }
    Some(match t.as_str() {
        "amlcompute" | "computeinstance" => Kind::Compute,
        "azure_blob" | "azure_file" | "azure_data_lake_gen2" | "azure_data_lake_gen1" => {
            Kind::Datastore
        }
        "sweep" | "automl" | "pipeline" => Kind::Job,
        "uri_file" | "uri_folder" | "mltable" => Kind::Data,
        "custom_model" | "mlflow_model" | "triton_model" => Kind::Model,
        "command" if root.has("jobs") || root.has("experiment_name") || root.has("compute") => {
            Kind::Job
        }
        "command" | "spark" => Kind::Component,
        _ if root.has("endpoint_name") && root.has("instance_type") => Kind::OnlineDeployment,
        _ if root.has("endpoint_name") => Kind::BatchDeployment,
        _ if root.has("auth_mode") => Kind::OnlineEndpoint,
        _ if root.has("image") || root.has("conda_file") || root.has("build") => Kind::Environment,
        _ => return None,
    })
}

/// Detects the kind of the document `root`.
pub(crate) fn detect(root: Obj<'_>) -> Result<Kind, Problem> {
    let node = root.node;
    let schema = root.str("$schema");
    let by_schema = schema.as_deref().and_then(from_schema);
    let by_contents = from_contents(root);
    let kind = match (by_schema, by_contents) {
        (Some(s), _) => s,
        (None, Some(c)) => c,
        (None, None) => {
            return Err(Problem::at(root.key("$schema").map_or(node, |_| root.get("$schema").unwrap_or(node)),
                "cannot tell which Azure ML resource this spec describes")
                .with_help("add a `$schema` such as https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json, or a `type` field"));
        }
    };
    // An online endpoint spec with a compute is a Kubernetes endpoint (not supported).
    if kind == Kind::OnlineEndpoint && root.has("compute") {
        return Err(Problem::at(
            root.get("compute").unwrap_or(node),
            "Kubernetes online endpoints are not supported",
        ));
    }
    Ok(kind)
}
