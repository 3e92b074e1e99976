//! Batch endpoints and deployments.

use serde_json::json;

use super::{WS, body, model, target, workspace, ws_url};

#[tokio::test]
async fn batch_endpoint_and_deployment_defaults_and_checks() {
    let f = workspace().await;
    let ep = ws_url("/batchEndpoints/diabetes-batch");
    let r = f
        .put(
            &ep,
            json!({"location": "eastus", "properties": {"authMode": "Key"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.authMode");
    let r = f
        .put(&ep, json!({"location": "eastus", "properties": {"defaults": {"deploymentName": "classifier"}}}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.defaults.deploymentName");
    let r = f
        .put(&ep, json!({"location": "eastus", "properties": {}}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(body(&r)["properties"]["authMode"], "AADToken");
    assert!(r.header("Azure-AsyncOperation").is_some());
    f.settle();
    let keys = f
        .post(&ws_url("/batchEndpoints/diabetes-batch/listkeys"), None)
        .await;
    assert_eq!(keys.status, 200);
    assert!(body(&keys)["primaryKey"].is_string());
    assert!(
        !f.get(&ep)
            .await
            .body
            .map(|b| b.to_string())
            .unwrap_or_default()
            .contains("primaryKey")
    );

    let m = model(&f, "diabetes-mlflow", "mlflow_model").await;
    let dep = ws_url("/batchEndpoints/diabetes-batch/deployments/classifier");
    let good = json!({"location": "eastus", "properties": {
        "compute": format!("{WS}/computes/cpu-cluster"),
        "model": {"referenceType": "Id", "assetId": m},
        "outputAction": "AppendRow", "retrySettings": {"maxRetries": 3, "timeout": "PT300S"},
        "resources": {"instanceCount": 2}}});
    let mut bad = good.clone();
    bad["properties"]["compute"] = json!(format!("{WS}/computes/gpu-cluster"));
    let r = f.put(&dep, bad).await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.compute");
    let mut bad = good.clone();
    bad["properties"]["outputAction"] = json!("Append");
    assert_eq!(target(&f.put(&dep, bad).await), "properties.outputAction");
    let mut bad = good.clone();
    bad["properties"]["retrySettings"]["timeout"] = json!("300 seconds");
    assert_eq!(
        target(&f.put(&dep, bad).await),
        "properties.retrySettings.timeout"
    );
    let mut bad = good.clone();
    bad["properties"]["model"]["assetId"] = json!(format!("{WS}/models/none/versions/1"));
    assert_eq!(target(&f.put(&dep, bad).await), "properties.model.assetId");
    let r = f.put(&dep, good).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let p = &body(&r)["properties"];
    assert_eq!(p["miniBatchSize"], 10);
    assert_eq!(p["maxConcurrencyPerInstance"], 1);
    assert_eq!(p["outputFileName"], "predictions.csv");
    assert_eq!(p["loggingLevel"], "Info");
    assert_eq!(p["errorThreshold"], -1);
    assert_eq!(p["resources"]["instanceCount"], 2);
    f.settle();
    let r = f
        .put(&ep, json!({"location": "eastus", "properties": {"defaults": {"deploymentName": "classifier"}}}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

/// A pipeline component deployment as `az ml batch-deployment create` sends it
/// (`type: pipeline`, no `settings`): the component must exist; no compute or model needed.
#[tokio::test]
async fn pipeline_component_deployments_need_the_component_not_a_model() {
    let f = workspace().await;
    let ep = ws_url("/batchEndpoints/hello-batch");
    f.put_ok(&ep, json!({"location": "eastus", "properties": {}}), 201)
        .await;
    f.settle();
    let component = format!("{WS}/components/hello/versions/1");
    let dep = ws_url("/batchEndpoints/hello-batch/deployments/hello-dpl");
    let body_for = |id: &str| {
        json!({"location": "eastus", "properties": {"deploymentConfiguration": {
            "componentId": {"assetId": id, "referenceType": "Id"},
            "deploymentConfigurationType": "PipelineComponent"}}})
    };
    let r = f.put(&dep, body_for(&component)).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        target(&r),
        "properties.deploymentConfiguration.componentId.assetId"
    );
    let spec = json!({"type": "command", "command": "echo hello",
        "environment": "azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu:1"});
    f.put_ok(
        &ws_url("/components/hello/versions/1"),
        json!({"properties": {"componentSpec": spec}}),
        201,
    )
    .await;
    let r = f.put(&dep, body_for(&component)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(body(&r)["properties"].get("miniBatchSize").is_none());
}
