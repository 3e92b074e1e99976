//! User-created ML registries (`Microsoft.MachineLearningServices/registries`), their assets at
//! ARM paths, and `publish` of a workspace asset version into one.

use serde_json::{Value, json};

use super::{
    BASE, Fixture, ML, body, code, environment, message, model, target, workspace, ws_url,
};

/// The ARM URL of `rest` under registry `name` in `rg1`.
fn reg_url(name: &str, rest: &str) -> String {
    format!(
        "{BASE}/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/registries/{name}{rest}?api-version={ML}"
    )
}

fn registry_body(location: &str, regions: &[&str]) -> Value {
    let details: Vec<Value> = regions.iter().map(|r| json!({"location": r})).collect();
    json!({"location": location, "properties": {"regionDetails": details}})
}

/// Creates registry `name` (eastus, replicated to westus) and lets it settle.
async fn registry(f: &Fixture, name: &str) -> Value {
    let r = f
        .put(
            &reg_url(name, ""),
            registry_body("eastus", &["eastus", "westus"]),
        )
        .await;
    assert!(matches!(r.status, 200 | 201), "{:?}", r.body);
    f.settle();
    let r = f.get(&reg_url(name, "")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    body(&r).clone()
}

#[tokio::test]
async fn a_registry_is_created_read_listed_patched_and_deleted() {
    let f = workspace().await;
    let reg = registry(&f, "shared-reg").await;
    let p = &reg["properties"];
    assert_eq!(
        p["discoveryUrl"],
        "https://eastus.api.azureml.ms/registrymanagement/v1.0/registries/shared-reg/discovery"
    );
    assert!(
        p["mlFlowRegistryUri"]
            .as_str()
            .is_some_and(|u| u.starts_with(
                "azureml://eastus.api.azureml.ms/mlflow/v1.0/subscriptions/sub1/resourceGroups/rg1/"
            )),
        "{p}"
    );
    let mrg = p["managedResourceGroup"]["resourceId"].clone();
    assert!(
        mrg.as_str()
            .is_some_and(|m| m.contains("/resourceGroups/azureml-rg-shared-reg_"))
    );
    assert_eq!(p["regionDetails"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        p["regionDetails"][1]["acrDetails"][0]["systemCreatedAcrAccount"]["acrAccountSku"],
        "Premium"
    );
    assert_eq!(reg["identity"]["type"], "SystemAssigned");
    let list = f
        .get(&format!(
            "{BASE}/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/registries?api-version={ML}"
        ))
        .await;
    assert_eq!(body(&list)["value"].as_array().map(Vec::len), Some(1));
    let r = f
        .patch(&reg_url("shared-reg", ""), json!({"tags": {"team": "ml"}}))
        .await;
    assert!(r.is_success(), "{:?}", r.body);
    f.settle();
    let after = f.get(&reg_url("shared-reg", "")).await;
    assert_eq!(body(&after)["tags"]["team"], "ml");
    assert_eq!(
        body(&after)["properties"]["managedResourceGroup"]["resourceId"],
        mrg
    );
    let r = f.delete(&reg_url("shared-reg", "")).await;
    assert!(matches!(r.status, 200 | 202 | 204), "{:?}", r.body);
    f.settle();
    assert_eq!(f.get(&reg_url("shared-reg", "")).await.status, 404);
}

#[tokio::test]
async fn a_registry_needs_a_valid_name_and_its_primary_region() {
    let f = workspace().await;
    let r = f
        .put(&reg_url("r", ""), registry_body("eastus", &["eastus"]))
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert!(message(&r).contains("3 to 33"), "{}", message(&r));
    let r = f
        .put(
            &reg_url("reg1", ""),
            json!({"location": "eastus", "properties": {}}),
        )
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(target(&r), "properties.regionDetails");
    let r = f
        .put(&reg_url("reg1", ""), registry_body("eastus", &["westus"]))
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert!(message(&r).contains("primary region"), "{}", message(&r));
}

#[tokio::test]
async fn registry_model_versions_are_created_read_and_immutable() {
    let f = workspace().await;
    registry(&f, "reg1").await;
    let v = json!({"properties": {"modelType": "custom_model", "modelUri": "azureml://registries/reg1/models/m/versions/1"}});
    f.put_ok(&reg_url("reg1", "/models/m/versions/1"), v, 201)
        .await;
    let c = f.get(&reg_url("reg1", "/models/m")).await;
    assert_eq!(body(&c)["properties"]["latestVersion"], "1");
    let changed = json!({"properties": {"modelType": "mlflow_model", "modelUri": "azureml://registries/reg1/models/m/versions/1"}});
    let r = f
        .put(&reg_url("reg1", "/models/m/versions/1"), changed)
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    let r = f
        .put(
            &reg_url("nope", "/models/m/versions/1"),
            json!({"properties": {"modelUri": "azureml://x"}}),
        )
        .await;
    assert_eq!(
        r.status, 404,
        "a registry asset needs its registry: {:?}",
        r.body
    );
}

#[tokio::test]
async fn publishing_a_model_copies_it_into_the_registry() {
    let f = workspace().await;
    registry(&f, "reg1").await;
    model(&f, "credit-model", "mlflow_model").await;
    let src = body(&f.get(&ws_url("/models/credit-model/versions/1")).await).clone();
    let r = f
        .post(
            &ws_url("/models/credit-model/versions/1/publish"),
            Some(json!({"registryName": "reg1", "destinationName": "credit", "destinationVersion": "7"})),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert!(r.header("location").is_some(), "publish answers a Location");
    let got = f.get(&reg_url("reg1", "/models/credit/versions/7")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    let p = &body(&got)["properties"];
    for k in ["modelType", "modelUri", "flavors", "tags", "properties"] {
        assert_eq!(p[k], src["properties"][k], "{k}");
    }
    let c = f.get(&reg_url("reg1", "/models/credit")).await;
    assert_eq!(body(&c)["properties"]["latestVersion"], "7");
    // Once there, the same destination version cannot be published again.
    let again = f
        .post(
            &ws_url("/models/credit-model/versions/1/publish"),
            Some(json!({"registryName": "reg1", "destinationName": "credit", "destinationVersion": "7"})),
        )
        .await;
    assert_eq!(again.status, 409, "{:?}", again.body);
    assert_eq!(target(&again), "destinationVersion");
}

#[tokio::test]
async fn publishing_an_environment_keeps_its_name_and_version_by_default() {
    let f = workspace().await;
    registry(&f, "reg1").await;
    environment(&f, "train-env", true).await;
    let r = f
        .post(
            &ws_url("/environments/train-env/versions/1/publish"),
            Some(json!({"registryName": "reg1"})),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let got = f
        .get(&reg_url("reg1", "/environments/train-env/versions/1"))
        .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    let src = body(&f.get(&ws_url("/environments/train-env/versions/1")).await).clone();
    assert_eq!(
        body(&got)["properties"]["condaFile"],
        src["properties"]["condaFile"]
    );
    assert_eq!(
        body(&got)["properties"]["image"],
        src["properties"]["image"]
    );
}

#[tokio::test]
async fn publishing_to_a_missing_registry_or_without_one_is_refused() {
    let f = workspace().await;
    model(&f, "m", "custom_model").await;
    let url = ws_url("/models/m/versions/1/publish");
    let r = f.post(&url, Some(json!({"registryName": "nowhere"}))).await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    assert_eq!(code(&r), "NotFound");
    let r = f.post(&url, Some(json!({"destinationVersion": "2"}))).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert!(message(&r).contains("registryName"), "{}", message(&r));
    let r = f
        .post(
            &ws_url("/models/absent/versions/1/publish"),
            Some(json!({"registryName": "nowhere"})),
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
}

#[tokio::test]
async fn registries_are_long_running_listed_by_subscription_and_keep_their_accounts() {
    let f = workspace().await;
    let r = f
        .put(&reg_url("reg1", ""), registry_body("East US", &["East US"]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(
        r.header("azure-asyncoperation").is_some(),
        "PUT is long-running"
    );
    f.settle();
    let first = body(&f.get(&reg_url("reg1", "")).await).clone();
    assert_eq!(
        first["properties"]["regionDetails"][0]["location"],
        "eastus"
    );
    let by_sub = f
        .get(&format!(
            "{BASE}/providers/Microsoft.MachineLearningServices/registries?api-version={ML}"
        ))
        .await;
    assert_eq!(by_sub.status, 200, "{:?}", by_sub.body);
    assert_eq!(body(&by_sub)["value"][0]["name"], "reg1");
    // A re-PUT that names no accounts keeps the ones the region has.
    let r = f
        .put(&reg_url("reg1", ""), registry_body("eastus", &["eastus"]))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    f.settle();
    let again = body(&f.get(&reg_url("reg1", "")).await).clone();
    assert_eq!(
        again["properties"]["regionDetails"][0]["storageAccountDetails"],
        first["properties"]["regionDetails"][0]["storageAccountDetails"]
    );
    let r = f.delete(&reg_url("reg1", "")).await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert!(r.header("location").is_some(), "DELETE answers a Location");
}

#[tokio::test]
async fn registry_assets_are_listed_deleted_and_go_with_their_registry() {
    let f = workspace().await;
    registry(&f, "reg1").await;
    let env = |image: &str| json!({"properties": {"image": image}});
    f.put_ok(
        &reg_url("reg1", "/environments/e/versions/1"),
        env("python:3.10"),
        201,
    )
    .await;
    f.put_ok(
        &reg_url("reg1", "/environments/e/versions/2"),
        env("python:3.11"),
        201,
    )
    .await;
    let list = f.get(&reg_url("reg1", "/environments/e/versions")).await;
    assert_eq!(body(&list)["value"].as_array().map(Vec::len), Some(2));
    // In a registry, asset PUTs and DELETEs are long-running (unlike in a workspace).
    let r = f
        .put(
            &reg_url("reg1", "/environments/e/versions/3"),
            env("python:3.9"),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(
        r.header("azure-asyncoperation").is_some(),
        "{:?}",
        r.headers
    );
    let r = f
        .delete(&reg_url("reg1", "/environments/e/versions/3"))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert!(r.header("location").is_some(), "{:?}", r.headers);
    let r = f
        .delete(&reg_url("reg1", "/environments/e/versions/2"))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    // The versions being deleted no longer count.
    let c = f.get(&reg_url("reg1", "/environments/e")).await;
    assert_eq!(body(&c)["properties"]["latestVersion"], "1");
    let r = f
        .put(
            &reg_url("reg1", "/environments/e/versions/1"),
            env("python:3.12"),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    f.delete(&reg_url("reg1", "")).await;
    f.settle();
    assert_eq!(
        f.get(&reg_url("reg1", "/environments/e/versions/1"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn publishing_code_and_a_component_copies_them() {
    let f = workspace().await;
    registry(&f, "reg1").await;
    let code_uri = "https://st.blob.core.windows.net/code/src";
    f.put_ok(
        &ws_url("/codes/train-src/versions/1"),
        json!({"properties": {"codeUri": code_uri}}),
        201,
    )
    .await;
    let r = f
        .post(
            &ws_url("/codes/train-src/versions/1/publish"),
            Some(json!({"registryName": "reg1"})),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let got = f.get(&reg_url("reg1", "/codes/train-src/versions/1")).await;
    assert_eq!(
        body(&got)["properties"]["codeUri"],
        code_uri,
        "{:?}",
        got.body
    );
    let spec = json!({"type": "command", "command": "python train.py",
        "environment": "azureml:train-env:1"});
    f.put_ok(
        &ws_url("/components/train/versions/3"),
        json!({"properties": {"componentSpec": spec}}),
        201,
    )
    .await;
    let r = f
        .post(
            &ws_url("/components/train/versions/3/publish"),
            Some(json!({"registryName": "reg1", "destinationVersion": "1"})),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let got = f
        .get(&reg_url("reg1", "/components/train/versions/1"))
        .await;
    assert_eq!(
        body(&got)["properties"]["componentSpec"]["command"],
        "python train.py",
        "{:?}",
        got.body
    );
    // Publishing is for workspace assets: a registry version has no publish.
    let r = f
        .post(
            &reg_url("reg1", "/components/train/versions/1/publish"),
            Some(json!({"registryName": "reg1"})),
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
}
