//! Online endpoints and deployments: long-running PUT, traffic validation, keys only through
//! POST actions, tokens, model and environment references, PATCH of the instance count.

use serde_json::{Value, json};

use super::{Fixture, body, code, environment, message, model, target, workspace, ws_url};

pub(super) async fn endpoint(f: &Fixture, name: &str, auth: &str) {
    let r = f
        .put(
            &ws_url(&format!("/onlineEndpoints/{name}")),
            json!({"location": "eastus", "properties": {"authMode": auth}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    f.settle();
}

pub(super) fn deployment(model: &str, env: Option<&str>) -> Value {
    let mut p = json!({"endpointComputeType": "Managed", "model": model, "instanceType": "Standard_DS3_v2"});
    if let Some(e) = env {
        p["environmentId"] = json!(e);
        p["codeConfiguration"] = json!({"codeId": "azureml:code:1", "scoringScript": "score.py"});
    }
    json!({"location": "eastus", "properties": p, "sku": {"name": "Default", "capacity": 1}})
}

#[tokio::test]
async fn endpoint_put_is_long_running_and_keys_come_only_from_post() {
    let f = workspace().await;
    let url = ws_url("/onlineEndpoints/diabetes-ep");
    let r = f
        .put(
            &url,
            json!({"location": "eastus", "properties": {"authMode": "Token"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        message(&r).contains("Key, AMLToken, AADToken"),
        "{}",
        message(&r)
    );
    let r = f
        .put(&url, json!({"properties": {"authMode": "Key"}}))
        .await;
    assert_eq!(code(&r), "LocationRequired");
    let r = f
        .put(
            &url,
            json!({"location": "eastus", "properties": {"authMode": "key"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(
        r.header("Azure-AsyncOperation")
            .is_some_and(|h| h.contains("mfeOperationsStatus"))
    );
    let b = body(&r);
    assert_eq!(b["properties"]["provisioningState"], "Creating");
    assert_eq!(b["properties"]["authMode"], "Key");
    assert_eq!(
        b["properties"]["scoringUri"],
        "https://diabetes-ep.eastus.inference.ml.azure.com/score"
    );
    assert_eq!(
        b["properties"]["swaggerUri"],
        "https://diabetes-ep.eastus.inference.ml.azure.com/swagger.json"
    );
    assert_eq!(b["identity"]["type"], "SystemAssigned");
    f.settle();
    let g = f.get(&url).await;
    assert_eq!(body(&g)["properties"]["provisioningState"], "Succeeded");
    let before = f.secrets().len();
    let keys = f
        .post(&ws_url("/onlineEndpoints/diabetes-ep/listKeys"), None)
        .await;
    assert_eq!(keys.status, 200);
    let primary = body(&keys)["primaryKey"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let secondary = body(&keys)["secondaryKey"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(primary.len() >= 40 && secondary.len() >= 40 && primary != secondary);
    assert!(f.secrets().contains(&primary) && f.secrets().len() >= before);
    // No GET shows a key: not the endpoint, not the list, and GET listKeys is no action.
    for u in [url.clone(), ws_url("/onlineEndpoints")] {
        let text = f
            .get(&u)
            .await
            .body
            .map(|b| b.to_string())
            .unwrap_or_default();
        assert!(
            !text.contains(&primary) && !text.contains("primaryKey"),
            "{text}"
        );
    }
    let g = f
        .get(&ws_url("/onlineEndpoints/diabetes-ep/listKeys"))
        .await;
    assert!(
        !g.body
            .map(|b| b.to_string())
            .unwrap_or_default()
            .contains(&primary)
    );
    // Regenerating the primary key replaces it (and only it).
    let r = f
        .post(
            &ws_url("/onlineEndpoints/diabetes-ep/regenerateKeys"),
            Some(json!({"keyType": "Primary"})),
        )
        .await;
    assert_eq!(r.status, 202);
    assert!(r.header("Azure-AsyncOperation").is_some());
    let keys = f
        .post(&ws_url("/onlineEndpoints/diabetes-ep/listKeys"), None)
        .await;
    assert_ne!(body(&keys)["primaryKey"], json!(primary));
    assert_eq!(body(&keys)["secondaryKey"], json!(secondary));
    let r = f
        .post(
            &ws_url("/onlineEndpoints/diabetes-ep/regenerateKeys"),
            Some(json!({"keyType": "Tertiary"})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "keyType");
    // Tokens are for AMLToken endpoints.
    let r = f
        .post(&ws_url("/onlineEndpoints/diabetes-ep/token"), None)
        .await;
    assert_eq!(r.status, 400);
    endpoint(&f, "token-ep", "AMLToken").await;
    let t = f
        .post(&ws_url("/onlineEndpoints/token-ep/token"), None)
        .await;
    assert_eq!(t.status, 200);
    assert_eq!(body(&t)["tokenType"], "Bearer");
    let token = body(&t)["accessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(f.secrets().contains(&token));
    assert_eq!(
        f.post(&ws_url("/onlineEndpoints/token-ep/listKeys"), None)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn traffic_must_sum_to_100_over_existing_deployments() {
    let f = workspace().await;
    endpoint(&f, "ep1", "Key").await;
    let m = model(&f, "diabetes-mlflow", "mlflow_model").await;
    let url = ws_url("/onlineEndpoints/ep1");
    let r = f.put(&url, json!({"location": "eastus", "properties": {"authMode": "Key", "traffic": {"blue": 100}}})).await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.traffic");
    assert!(message(&r).contains("blue"), "{}", message(&r));
    for d in ["blue", "green"] {
        f.put_ok(
            &ws_url(&format!("/onlineEndpoints/ep1/deployments/{d}")),
            deployment(&m, None),
            201,
        )
        .await;
    }
    f.settle();
    let r = f
        .put(&url, json!({"location": "eastus", "properties": {"authMode": "Key", "traffic": {"blue": 50, "green": 40}}}))
        .await;
    assert_eq!(r.status, 400);
    assert!(
        message(&r).contains("sum to 90")
            && message(&r).contains("blue=50")
            && message(&r).contains("green=40"),
        "{}",
        message(&r)
    );
    let r = f
        .put(&url, json!({"location": "eastus", "properties": {"authMode": "Key", "traffic": {"blue": 90, "green": 10}}}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        body(&r)["properties"]["traffic"],
        json!({"blue": 90, "green": 10})
    );
    let r = f
        .put(&url, json!({"location": "eastus", "properties": {"authMode": "Key", "traffic": {"blue": 0, "green": 0}}}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[tokio::test]
async fn deployments_check_model_environment_and_settings() {
    let f = workspace().await;
    endpoint(&f, "ep2", "Key").await;
    let url = ws_url("/onlineEndpoints/ep2/deployments/blue");
    let missing = format!("{}/models/nope/versions/1", super::WS);
    let r = f.put(&url, deployment(&missing, None)).await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.model");
    let custom = model(&f, "custom", "custom_model").await;
    let r = f.put(&url, deployment(&custom, None)).await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.environmentId");
    let mut d = deployment(&custom, None);
    d["properties"]["endpointComputeType"] = json!("Serverless");
    assert_eq!(
        target(&f.put(&url, d).await),
        "properties.endpointComputeType"
    );
    let env = environment(&f, "inference", true).await;
    let mut d = deployment(&custom, Some(&env));
    d["properties"]["dataCollector"] = json!({"collections": {"model_inputs": {"dataCollectionMode": "enabled"}, "model_outputs": {"dataCollectionMode": "Sometimes"}}});
    let r = f.put(&url, d.clone()).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        target(&r),
        "properties.dataCollector.collections.model_outputs.dataCollectionMode"
    );
    d["properties"]["dataCollector"]["collections"]["model_outputs"]["dataCollectionMode"] =
        json!("Disabled");
    let r = f.put(&url, d).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(r.header("Azure-AsyncOperation").is_some());
    let p = &body(&r)["properties"];
    assert_eq!(
        p["dataCollector"]["collections"]["model_inputs"]["dataCollectionMode"],
        "Enabled"
    );
    assert_eq!(p["requestSettings"]["requestTimeout"], "PT5S");
    assert_eq!(p["livenessProbe"]["failureThreshold"], 30);
    assert_eq!(p["readinessProbe"]["period"], "PT10S");
    assert_eq!(p["scaleSettings"]["scaleType"], "Default");
    assert_eq!(body(&r)["sku"]["capacity"], 1);
    f.settle();
    let r = f
        .send(
            crate::arm::transport::Method::Patch,
            &url,
            Some(json!({"sku": {"capacity": 3}})),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    f.settle();
    let g = f.get(&url).await;
    assert_eq!(body(&g)["sku"]["capacity"], 3);
    assert_eq!(body(&g)["properties"]["provisioningState"], "Succeeded");
    let r = f
        .send(
            crate::arm::transport::Method::Patch,
            &url,
            Some(json!({"sku": {"capacity": 0}})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "sku.capacity");
    // A registry model needs no local check.
    let r = f
        .put(
            &ws_url("/onlineEndpoints/ep2/deployments/green"),
            deployment(
                "azureml://registries/azureml/models/distilbert/versions/1",
                None,
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}
