//! Environments, components and models: validation, defaults, containers and auto-increment.

use serde_json::json;

use super::{body, code, environment, message, target, workspace, ws_url};

#[tokio::test]
async fn environment_versions_validate_and_create_their_container() {
    let f = workspace().await;
    let r = f
        .put(
            &ws_url("/environments/e1/versions/1"),
            json!({"properties": {"condaFile": "x"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(code(&r), "UserError");
    assert_eq!(target(&r), "properties.image");
    assert!(
        message(&r).contains("properties.build.contextUri"),
        "{}",
        message(&r)
    );
    let r = f
        .put(
            &ws_url("/environments/e1/versions/1"),
            json!({"properties": {"image": "python:3.10", "condaFile": {"dependencies": []}}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.condaFile");
    let r = f
        .put(
            &ws_url("/environments/e1/versions/1"),
            json!({"properties": {"image": "python:3.10", "osType": "Solaris"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        message(&r).contains("properties.osType") && message(&r).contains("Linux, Windows"),
        "{}",
        message(&r)
    );
    let r = f
        .put(
            &ws_url("/environments/e1/versions/1"),
            json!({"properties": {"build": {"contextUri": "https://st1.blob.core.windows.net/ctx/"}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let p = &body(&r)["properties"];
    assert_eq!(p["osType"], "Linux");
    assert_eq!(p["environmentType"], "UserCreated");
    assert_eq!(p["build"]["dockerfilePath"], "Dockerfile");
    assert_eq!(
        body(&r)["type"],
        "Microsoft.MachineLearningServices/workspaces/environments/versions"
    );
    let c = f.get(&ws_url("/environments/e1")).await;
    assert_eq!(c.status, 200);
    assert_eq!(body(&c)["properties"]["latestVersion"], "1");
    assert_eq!(body(&c)["properties"]["nextVersion"], "2");
    // Versions are immutable.
    let r = f
        .put(
            &ws_url("/environments/e1/versions/1"),
            json!({"properties": {"image": "python:3.11"}}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(target(&r), "properties.image");
}

#[tokio::test]
async fn component_specs_are_checked_by_type() {
    let f = workspace().await;
    let url = ws_url("/components/train/versions/1");
    let r = f.put(&url, json!({"properties": {}})).await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.componentSpec");
    let r = f
        .put(&url, json!({"properties": {"componentSpec": {"type": "command", "command": "python train.py"}}}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.componentSpec.environment");
    let r = f
        .put(
            &url,
            json!({"properties": {"componentSpec": {"type": "pipeline"}}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.componentSpec.jobs");
    let r = f
        .put(
            &url,
            json!({"properties": {"componentSpec": {"type": "sql"}}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(message(&r).contains("command, pipeline"), "{}", message(&r));
    let spec = json!({"type": "command", "command": "python train.py --data ${{inputs.data}}",
        "environment": "azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu:1",
        "inputs": {"data": {"type": "uri_folder"}}, "outputs": {"model": {"type": "blob"}}});
    let r = f
        .put(&url, json!({"properties": {"componentSpec": spec.clone()}}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.componentSpec.outputs.model.type");
    let mut good = spec;
    good["outputs"]["model"]["type"] = json!("mlflow_model");
    let r = f
        .put(&url, json!({"properties": {"componentSpec": good}}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(body(&r)["properties"]["componentSpec"]["name"], "train");
    assert_eq!(body(&r)["properties"]["componentSpec"]["version"], "1");
    assert_eq!(body(&r)["properties"]["isAnonymous"], false);
}

#[tokio::test]
async fn model_container_next_version_drives_auto_increment() {
    let f = workspace().await;
    let r = f
        .put(
            &ws_url("/models/m1/versions/1"),
            json!({"properties": {"modelType": "onnx_model", "modelUri": "azureml://x"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        message(&r).contains("custom_model, mlflow_model, triton_model"),
        "{}",
        message(&r)
    );
    let r = f
        .put(
            &ws_url("/models/m1/versions/1"),
            json!({"properties": {"modelType": "mlflow_model"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.modelUri");
    let r = f
        .put(
            &ws_url("/models/m1/versions/1"),
            json!({"properties": {"modelType": "mlflow_model", "modelUri": "ftp://x"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.modelUri");
    // A fresh container says the next version is 1.
    let r = f
        .put(
            &ws_url("/models/m2"),
            json!({"properties": {"description": "d"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(body(&r)["properties"]["nextVersion"], "1");
    for _ in 0..3 {
        let c = f.get(&ws_url("/models/m2")).await;
        let next = body(&c)["properties"]["nextVersion"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let r = f
            .put(
                &ws_url(&format!("/models/m2/versions/{next}")),
                json!({"properties": {"modelType": "MLFlowModel", "modelUri": "azureml://jobs/run1/outputs/artifacts/paths/model/"}}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(body(&r)["properties"]["modelType"], "mlflow_model");
    }
    let c = f.get(&ws_url("/models/m2")).await;
    assert_eq!(body(&c)["properties"]["latestVersion"], "3");
    assert_eq!(body(&c)["properties"]["nextVersion"], "4");
    assert_eq!(body(&c)["properties"]["description"], "d");
    let list = f.get(&ws_url("/models/m2/versions")).await;
    assert_eq!(body(&list)["value"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn environment_helper_makes_bare_and_conda_versions() {
    let f = workspace().await;
    let bare = environment(&f, "bare", false).await;
    let conda = environment(&f, "conda", true).await;
    let b = f
        .get(&format!(
            "https://management.azure.com{bare}?api-version=2025-12-01"
        ))
        .await;
    assert!(
        body(&b)["properties"]
            .get("condaFile")
            .is_none_or(serde_json::Value::is_null)
    );
    let c = f
        .get(&format!(
            "https://management.azure.com{conda}?api-version=2025-12-01"
        ))
        .await;
    assert!(
        body(&c)["properties"]["condaFile"]
            .as_str()
            .is_some_and(|s| s.contains("pandas"))
    );
}

#[tokio::test]
async fn model_package_creates_the_target_environment_version() {
    let f = workspace().await;
    let model = json!({"properties": {"modelType": "mlflow_model",
        "modelUri": "azureml://datastores/workspaceblobstore/paths/model/"}});
    f.put_ok(&ws_url("/models/diabetes/versions/1"), model, 201)
        .await;
    let request = |target: &str| {
        json!({"inferencingServer": {"serverType": "AzureMLOnline"},
            "targetEnvironmentId": target, "tags": {"stage": "test"}})
    };
    let url = ws_url("/models/diabetes/versions/1/package");
    let r = f.post(&url, Some(request("azureml:diabetes-pkg:1"))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let env_id = body(&r)["targetEnvironmentId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        env_id.ends_with("/environments/diabetes-pkg/versions/1"),
        "{env_id}"
    );
    assert_eq!(body(&r)["inferencingServer"]["serverType"], "AzureMLOnline");
    let env = f
        .get(&ws_url("/environments/diabetes-pkg/versions/1"))
        .await;
    assert_eq!(env.status, 200, "{:?}", env.body);
    assert_eq!(body(&env)["properties"]["tags"]["stage"], "test");
    let c = f.get(&ws_url("/environments/diabetes-pkg")).await;
    assert_eq!(body(&c)["properties"]["latestVersion"], "1");
    // Without a version: the container's next one. The same version again: 409.
    let r = f.post(&url, Some(request("azureml:diabetes-pkg"))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        body(&r)["targetEnvironmentId"]
            .as_str()
            .is_some_and(|s| s.ends_with("/versions/2"))
    );
    let r = f.post(&url, Some(request("azureml:diabetes-pkg:1"))).await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    // The 2025-12-01 spelling: a name and an optional version.
    let by_name = json!({"inferencingServer": {"serverType": "AzureMLBatch"},
        "targetEnvironmentName": "diabetes-pkg"});
    let r = f.post(&url, Some(by_name)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(body(&r)["targetEnvironmentVersion"], "3");
    let mut bad = request("azureml:other:1");
    bad["inferencingServer"]["serverType"] = json!("Flask");
    let r = f.post(&url, Some(bad)).await;
    assert_eq!(
        (r.status, target(&r)),
        (400, "inferencingServer.serverType")
    );
    let r = f.post(&url, Some(request("docker.io/some/image"))).await;
    assert_eq!((r.status, target(&r)), (400, "targetEnvironmentId"));
    // Only models are packaged; a missing model version is a 404.
    let r = f
        .post(
            &ws_url("/models/diabetes/versions/9/package"),
            Some(request("azureml:x:1")),
        )
        .await;
    assert_eq!(r.status, 404);
}
