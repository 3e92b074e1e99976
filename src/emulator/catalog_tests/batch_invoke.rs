//! Invoking a batch endpoint (its scoring URI `POST /jobs`, what `batch_endpoints.invoke` sends)
//! creates the scoring job in the workspace: a pipeline job with the deployment's compute and
//! the inputs given, listed under the endpoint's jobs, on the emulator's job lifecycle.

use serde_json::{Value, json};

use super::{Fixture, WS, body, model, workspace, ws_url};
use crate::serve::workspace_api;

const SCORING: &str = "diabetes-batch.eastus.inference.ml.azure.com";

/// A batch endpoint `diabetes-batch` with deployment `classifier` on `cpu-cluster`; the
/// endpoint's default deployment when `default` is set.
async fn endpoint(default: bool) -> Fixture {
    let f = workspace().await;
    let ep = ws_url("/batchEndpoints/diabetes-batch");
    f.put_ok(&ep, json!({"location": "eastus", "properties": {}}), 201)
        .await;
    f.settle();
    let m = model(&f, "diabetes-mlflow", "mlflow_model").await;
    let dep = json!({"location": "eastus", "properties": {
        "compute": format!("{WS}/computes/cpu-cluster"),
        "model": {"referenceType": "Id", "assetId": m}}});
    f.put_ok(
        &ws_url("/batchEndpoints/diabetes-batch/deployments/classifier"),
        dep,
        201,
    )
    .await;
    f.settle();
    if default {
        let defaults = json!({"location": "eastus", "properties": {"defaults": {"deploymentName": "classifier"}}});
        let r = f.put(&ep, defaults).await;
        assert!(matches!(r.status, 200 | 201), "{:?}", r.body);
        f.settle();
    }
    f
}

fn invoke(f: &Fixture, deployment: Option<&str>, request: &Value) -> (u16, Value) {
    let bytes = request.to_string().into_bytes();
    match workspace_api::answer_with(&f.emu, "POST", SCORING, "/jobs", deployment, &bytes) {
        Some(r) => (r.status, r.body.unwrap_or(Value::Null)),
        None => panic!("{SCORING} is a scoring host"),
    }
}

fn input_request() -> Value {
    json!({"properties": {"inputData": {"UriFolder": {"jobInputType": "UriFolder",
        "uri": "azureml://datastores/workspaceblobstore/paths/batch-data/"}}}})
}

#[tokio::test]
async fn invoke_creates_the_scoring_job_listed_under_the_endpoint() {
    let f = endpoint(true).await;
    let (status, job) = invoke(&f, None, &input_request());
    assert_eq!(status, 200, "{job}");
    let name = job["name"].as_str().unwrap_or_default().to_owned();
    assert!(name.starts_with("batchjob-"), "{job}");
    assert_eq!(job["properties"]["status"], "NotStarted", "{job}");
    assert!(
        job["id"].as_str().is_some_and(|i| i.ends_with(&format!(
            "/batchEndpoints/diabetes-batch/deployments/classifier/jobs/{name}"
        ))),
        "{job}"
    );
    // The job itself, in the workspace.
    let r = f.get(&ws_url(&format!("/jobs/{name}"))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let p = &body(&r)["properties"];
    assert_eq!(p["jobType"], "Pipeline");
    assert_eq!(p["computeId"], format!("{WS}/computes/cpu-cluster"));
    assert_eq!(p["experimentName"], "diabetes-batch");
    assert_eq!(p["inputs"]["UriFolder"]["jobInputType"], "uri_folder");
    assert_eq!(
        p["inputs"]["UriFolder"]["uri"],
        "azureml://datastores/workspaceblobstore/paths/batch-data/"
    );
    assert_eq!(p["tags"]["azureml.batchrun"], "true");
    assert_eq!(p["properties"]["azureml.endpointname"], "diabetes-batch");
    assert_eq!(p["properties"]["azureml.deploymentname"], "classifier");
    // Listed under the endpoint, with its status following the emulator clock.
    let list = String::from(
        "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1/batchEndpoints/diabetes-batch/jobs",
    );
    let listed =
        |f: &Fixture| match workspace_api::answer(&f.emu, "GET", "eastus.api.azureml.ms", &list) {
            Some(r) => (r.status, r.body.unwrap_or(Value::Null)),
            None => panic!("eastus.api.azureml.ms is a workspace host"),
        };
    let (status, page) = listed(&f);
    assert_eq!(status, 200, "{page}");
    // The SDK's path has the management front end's prefix.
    let prefixed = format!("/mferp/managementfrontend{list}");
    let r = workspace_api::answer(&f.emu, "GET", "eastus.api.azureml.ms", &prefixed);
    assert_eq!(r.and_then(|r| r.body), Some(page.clone()));
    assert_eq!(page["value"][0]["name"], name.as_str(), "{page}");
    assert_eq!(page["value"].as_array().map(Vec::len), Some(1), "{page}");
    f.settle();
    f.settle();
    let (_, page) = listed(&f);
    assert_eq!(
        page["value"][0]["properties"]["status"], "Completed",
        "{page}"
    );
    // A job submitted directly in the workspace is not the endpoint's.
    let other = json!({"properties": {"jobType": "Pipeline", "computeId": format!("{WS}/computes/cpu-cluster")}});
    f.put_ok(&ws_url("/jobs/not-batch"), other, 201).await;
    let (_, page) = listed(&f);
    assert_eq!(page["value"].as_array().map(Vec::len), Some(1), "{page}");
}

#[tokio::test]
async fn invoke_names_the_deployment_or_uses_the_default() {
    let f = endpoint(false).await;
    let (status, answer) = invoke(&f, None, &input_request());
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("no default deployment")
    );
    let (status, answer) = invoke(&f, Some("missing"), &input_request());
    assert_eq!(status, 404, "{answer}");
    let (status, job) = invoke(&f, Some("classifier"), &input_request());
    assert_eq!(status, 200, "{job}");
    let bad = json!({"properties": {"inputData": {"x": {"jobInputType": "Folder", "uri": "azureml:x:1"}}}});
    let (status, answer) = invoke(&f, Some("classifier"), &bad);
    assert_eq!(status, 400, "{answer}");
    let (status, _) = invoke(&f, Some("classifier"), &json!("not a job"));
    assert_eq!(status, 400);
}

#[tokio::test]
async fn an_online_endpoints_scoring_uri_still_does_not_run_models() {
    let f = workspace().await;
    let bytes = b"{}";
    let r = workspace_api::answer_with(&f.emu, "POST", SCORING, "/jobs", None, bytes);
    assert_eq!(r.map(|r| r.status), Some(404), "no endpoint of that name");
}
