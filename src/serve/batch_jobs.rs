//! Batch endpoint jobs, as `ml_client.batch_endpoints.invoke(...)` and `.list_jobs(...)` use
//! them:
//!
//! - `POST https://{endpoint}.{region}.inference.ml.azure.com/jobs` (the endpoint's
//!   `scoringUri`) with `{"properties": {"inputData": {NAME: {"jobInputType": "UriFolder",
//!   "uri": ...}}, ...}}` and, optionally, the `azureml-model-deployment` header: creates the
//!   scoring job in the workspace, a pipeline job with the deployment's compute, the inputs
//!   given, tagged and described as the service does (`azureml.batchrun`,
//!   `azureml.endpointname`, `azureml.deploymentname`, `runSource: BatchDeployment`). Its
//!   lifecycle is the emulator's, like any job's: it runs no scoring code and produces no
//!   output (its run-history log says so). Without the header, the endpoint's default deployment
//!   takes the job; with neither, the request is refused.
//! - `GET https://{region}.api.azureml.ms{workspace}/batchEndpoints/{endpoint}/jobs`: the
//!   workspace's jobs made by invoking that endpoint, newest first.
//!
//! Both answer jobs in the batch job shape (`.../batchEndpoints/{e}/deployments/{d}/jobs/{name}`,
//! `properties.status`), which `BatchJob._from_rest_object` reads.

use serde_json::{Map, Value, json};

use crate::arm::transport::{HttpRequest, HttpResponse, Method};
use crate::emulator::{Emulator, ids};

/// The api-version used to read and write jobs and endpoints in the emulator.
const ML_API: &str = "2025-12-01";
/// The type of a batch job as the batch endpoint data plane answers it.
const BATCH_JOB_TYPE: &str =
    "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/jobs";

fn error(status: u16, code: &str, message: String) -> HttpResponse {
    HttpResponse::new(
        status,
        Some(json!({"error": {"code": code, "message": message}})),
    )
}

/// A request to the emulator (as ARM); the emulator's own error as the answer otherwise.
fn arm(
    emulator: &Emulator,
    method: Method,
    id: &str,
    body: Option<Value>,
) -> Result<Value, HttpResponse> {
    let mut req = HttpRequest::new(
        method,
        format!("https://management.azure.com{id}?api-version={ML_API}"),
    );
    req.body = body;
    match emulator.handle(&req) {
        Ok(r) if (200..300).contains(&r.status) => Ok(r.body.unwrap_or(Value::Null)),
        Ok(r) => Err(r),
        Err(e) => Err(error(503, "ServiceUnavailable", e.to_string())),
    }
}

/// `POST /jobs` on batch endpoint `endpoint_id`: creates the scoring job.
pub fn invoke(
    emulator: &Emulator,
    endpoint_id: &str,
    deployment_header: Option<&str>,
    body: &[u8],
) -> HttpResponse {
    match create(emulator, endpoint_id, deployment_header, body) {
        Ok(job) => HttpResponse::new(200, Some(job)),
        Err(response) => response,
    }
}

fn create(
    emulator: &Emulator,
    endpoint_id: &str,
    deployment_header: Option<&str>,
    body: &[u8],
) -> Result<Value, HttpResponse> {
    let endpoint_name = endpoint_id
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let endpoint = arm(emulator, Method::Get, endpoint_id, None)?;
    let deployment = deployment_header
        .map(str::to_owned)
        .or_else(|| endpoint["properties"]["defaults"]["deploymentName"].as_str().map(str::to_owned))
        .ok_or_else(|| error(400, "UserError", format!(
            "The batch endpoint '{endpoint_name}' has no default deployment: name one with the azureml-model-deployment header (deployment_name=...)."
        )))?;
    let deployment_body = arm(
        emulator,
        Method::Get,
        &format!("{endpoint_id}/deployments/{deployment}"),
        None,
    )
    .map_err(|_| {
        error(
            404,
            "DeploymentNotFound",
            format!("The batch endpoint '{endpoint_name}' has no deployment '{deployment}'."),
        )
    })?;
    let request: Value = serde_json::from_slice(body).map_err(|e| {
        error(
            400,
            "BadRequest",
            format!("The request body is not JSON: {e}"),
        )
    })?;
    if !request.is_object() {
        return Err(error(
            400,
            "BadRequest",
            "The request body must be a JSON object: {\"properties\": {...}}.".into(),
        ));
    }
    let given = &request["properties"];
    let inputs = inputs(&given["inputData"])?;
    let name = given["name"]
        .as_str()
        .map_or_else(|| format!("batchjob-{}", ids::guid()), str::to_owned);
    let experiment = given["properties"]["experimentName"]
        .as_str()
        .unwrap_or(&endpoint_name)
        .to_owned();
    let compute = deployment_body["properties"]["compute"].clone();
    let workspace = endpoint_id
        .split("/batchEndpoints/")
        .next()
        .unwrap_or_default();
    let job = json!({"properties": {
        "jobType": "Pipeline",
        "displayName": name,
        "experimentName": experiment,
        "description": format!("Batch scoring job of deployment '{deployment}' of batch endpoint '{endpoint_name}'."),
        "computeId": compute,
        "inputs": inputs,
        "settings": {"default_compute": compute},
        "tags": {"azureml.batchrun": "true", "azureml.deploymentname": deployment,
                 "azureml.jobtype": "azureml.pipelinejob"},
        "properties": {"azureml.endpointname": endpoint_name, "azureml.deploymentname": deployment,
                       "azureml.defaultComputeName": compute.as_str().and_then(|c| c.rsplit('/').next()),
                       "azureml.runLineageType": "batchDeployment",
                       "runSource": "BatchDeployment", "runType": "HTTP"},
    }});
    let created = arm(
        emulator,
        Method::Put,
        &format!("{workspace}/jobs/{name}"),
        Some(job),
    )?;
    Ok(batch_shape(&created, endpoint_id))
}

/// The inputs of the request (`{"UriFolder": {...}}` or named ones) as job inputs.
fn inputs(given: &Value) -> Result<Map<String, Value>, HttpResponse> {
    let mut out = Map::new();
    let Some(map) = given.as_object() else {
        return if given.is_null() {
            Ok(out)
        } else {
            Err(error(
                400,
                "BadRequest",
                "properties.inputData must be an object of inputs".into(),
            ))
        };
    };
    for (name, input) in map {
        let kind = input["jobInputType"].as_str().unwrap_or_default();
        let kind = match kind.to_ascii_lowercase().replace('_', "").as_str() {
            "urifolder" => "uri_folder",
            "urifile" => "uri_file",
            "mltable" => "mltable",
            "literal" => "literal",
            _ => {
                return Err(error(
                    400,
                    "BadRequest",
                    format!(
                        "properties.inputData.{name}.jobInputType '{kind}' is not one of UriFolder, UriFile, MLTable, Literal"
                    ),
                ));
            }
        };
        let mut input = input.clone();
        input["jobInputType"] = json!(kind);
        out.insert(name.clone(), input);
    }
    Ok(out)
}

/// A workspace job in the batch job shape, under the endpoint and deployment that made it.
fn batch_shape(job: &Value, endpoint_id: &str) -> Value {
    let name = job["name"].as_str().unwrap_or_default();
    let p = &job["properties"];
    let deployment = p["properties"]["azureml.deploymentname"]
        .as_str()
        .unwrap_or_default();
    json!({
        "id": format!("{endpoint_id}/deployments/{deployment}/jobs/{name}"),
        "name": name,
        "type": BATCH_JOB_TYPE,
        "properties": {
            "status": p["status"], "experimentName": p["experimentName"],
            "compute": p["computeId"], "inputData": p["inputs"], "outputs": p["outputs"],
            "properties": p["properties"], "tags": p["tags"],
            "jobType": p["jobType"],
        },
        "systemData": job["systemData"],
    })
}

/// `GET {workspace}/batchEndpoints/{endpoint}/jobs`: the jobs invoking it made, newest first.
pub fn list(emulator: &Emulator, endpoint_id: &str) -> HttpResponse {
    if let Err(r) = arm(emulator, Method::Get, endpoint_id, None) {
        return r;
    }
    let endpoint_name = endpoint_id.rsplit('/').next().unwrap_or_default();
    let workspace = endpoint_id
        .split("/batchEndpoints/")
        .next()
        .unwrap_or_default();
    let mut jobs = Vec::new();
    let mut next = Some(format!(
        "https://management.azure.com{workspace}/jobs?api-version={ML_API}"
    ));
    // Bounded: at most 1000 pages of jobs.
    for _ in 0..1000 {
        let Some(url) = next.take() else { break };
        let page = match emulator.handle(&HttpRequest::new(Method::Get, &url)) {
            Ok(r) if r.status == 200 => r.body.unwrap_or(Value::Null),
            Ok(r) => return r,
            Err(e) => return error(503, "ServiceUnavailable", e.to_string()),
        };
        for job in page["value"].as_array().into_iter().flatten() {
            let made_by = job["properties"]["properties"]["azureml.endpointname"].as_str();
            if made_by.is_some_and(|e| e.eq_ignore_ascii_case(endpoint_name)) {
                jobs.push(batch_shape(job, endpoint_id));
            }
        }
        next = page["nextLink"].as_str().map(str::to_owned);
    }
    jobs.sort_by(|a, b| {
        b["systemData"]["createdAt"]
            .as_str()
            .cmp(&a["systemData"]["createdAt"].as_str())
    });
    HttpResponse::new(200, Some(json!({"value": jobs})))
}
