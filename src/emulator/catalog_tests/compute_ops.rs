//! Compute actions, attached computes, online deployment logs and SKUs, batch endpoint
//! authentication and tracked fields, pipeline jobs without steps.

use serde_json::json;

use super::online::{deployment, endpoint};
use super::{BASE, WS, body, model, target, workspace, ws_url};

async fn instance(f: &super::Fixture) {
    f.put_ok(
        &ws_url("/computes/ci1"),
        json!({"properties": {"computeType": "ComputeInstance", "properties": {"vmSize": "STANDARD_DS3_V2"}}}),
        201,
    )
    .await;
    f.settle();
}

#[tokio::test]
async fn compute_instance_settings_actions_store_what_they_are_given() {
    let f = workspace().await;
    instance(&f).await;
    let idle = f
        .post(
            &ws_url("/computes/ci1/updateIdleShutdownSetting"),
            Some(json!({"idleTimeBeforeShutdown": "PT120M"})),
        )
        .await;
    assert_eq!(idle.status, 200, "{:?}", idle.body);
    let bad = f
        .post(
            &ws_url("/computes/ci1/updateIdleShutdownSetting"),
            Some(json!({"idleTimeBeforeShutdown": "2 hours"})),
        )
        .await;
    assert_eq!((bad.status, target(&bad)), (400, "idleTimeBeforeShutdown"));
    let services = json!([{"name": "rstudio", "image": {"type": "docker", "reference": "ghcr.io/azure/rstudio-workbench:latest"}}]);
    let r = f
        .post(
            &ws_url("/computes/ci1/customServices"),
            Some(services.clone()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mounts = json!([{"mountName": "hello", "mountAction": "Mount", "source": "azureml://datastores/workspaceblobstore/paths/x", "sourceType": "URI"}]);
    let r = f
        .post(
            &ws_url("/computes/ci1/updateDataMounts"),
            Some(mounts.clone()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let not_a_list = f
        .post(&ws_url("/computes/ci1/updateDataMounts"), Some(json!({})))
        .await;
    assert_eq!(not_a_list.status, 400);
    let g = f.get(&ws_url("/computes/ci1")).await;
    let p = &body(&g)["properties"]["properties"];
    assert_eq!(p["idleTimeBeforeShutdown"], "PT120M");
    assert_eq!(p["customServices"], services);
    assert_eq!(p["dataMounts"], mounts);
    // Instance-only actions on a cluster are refused.
    let r = f
        .post(
            &ws_url("/computes/cpu-cluster/updateIdleShutdownSetting"),
            Some(json!({"idleTimeBeforeShutdown": "PT1H"})),
        )
        .await;
    assert_eq!((r.status, target(&r)), (400, "properties.computeType"));
}

#[tokio::test]
async fn list_nodes_shows_a_clusters_current_nodes() {
    let f = workspace().await;
    f.put_ok(
        &ws_url("/computes/warm"),
        json!({"properties": {"computeType": "AmlCompute", "properties": {"vmSize": "STANDARD_DS11_V2", "scaleSettings": {"minNodeCount": 2, "maxNodeCount": 4}}}}),
        201,
    )
    .await;
    f.settle();
    let r = f.post(&ws_url("/computes/warm/listNodes"), None).await;
    let nodes = body(&r)["nodes"].as_array().cloned().unwrap_or_default();
    assert_eq!(nodes.len(), 2, "{:?}", r.body);
    assert_eq!(nodes[0]["nodeState"], "idle");
    assert_ne!(nodes[0]["port"], nodes[1]["port"]);
    let r = f
        .post(&ws_url("/computes/cpu-cluster/listNodes"), None)
        .await;
    assert_eq!(body(&r)["nodes"], json!([]));
}

#[tokio::test]
async fn attached_computes_are_validated_and_keep_their_credentials_secret() {
    let f = workspace().await;
    let aks = format!(
        "{BASE}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1"
    )
    .replace("https://management.azure.com", "");
    let wrong = f
        .put(&ws_url("/computes/k8s"), json!({"properties": {"computeType": "Kubernetes", "resourceId": "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1"}}))
        .await;
    assert_eq!(
        (wrong.status, target(&wrong)),
        (400, "properties.resourceId")
    );
    let k8s = f
        .put(&ws_url("/computes/k8s"), json!({"properties": {"computeType": "Kubernetes", "resourceId": aks, "properties": {"defaultInstanceType": "small"}}}))
        .await;
    assert_eq!(k8s.status, 201, "{:?}", k8s.body);
    f.settle();
    let g = f.get(&ws_url("/computes/k8s")).await;
    assert_eq!(body(&g)["properties"]["isAttachedCompute"], true);
    assert_eq!(body(&g)["properties"]["resourceId"], json!(aks));
    assert_eq!(body(&g)["properties"]["properties"]["namespace"], "default");
    f.put_ok(
        &ws_url("/computes/aks"),
        json!({"properties": {"computeType": "AKS", "resourceId": aks}}),
        201,
    )
    .await;
    let vm =
        "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1";
    f.put_ok(
        &ws_url("/computes/vm1"),
        json!({"properties": {"computeType": "VirtualMachine", "resourceId": vm,
            "properties": {"administratorAccount": {"username": "azureuser", "password": "Pa55w0rd-not-shown"}}}}),
        201,
    )
    .await;
    f.settle();
    let shown = f
        .get(&ws_url("/computes/vm1"))
        .await
        .body
        .map(|b| b.to_string())
        .unwrap_or_default();
    assert!(!shown.contains("Pa55w0rd-not-shown"), "{shown}");
    let keys = f.post(&ws_url("/computes/vm1/listKeys"), None).await;
    assert_eq!(
        body(&keys)["administratorAccount"]["password"],
        "Pa55w0rd-not-shown"
    );
    assert!(f.secrets().iter().any(|s| s == "Pa55w0rd-not-shown"));
    let keys = f.post(&ws_url("/computes/aks/listKeys"), None).await;
    let kube = body(&keys)["userKubeConfig"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(kube.contains("kind: Config") && f.secrets().contains(&kube));
    let none = f
        .post(&ws_url("/computes/cpu-cluster/listKeys"), None)
        .await;
    assert_eq!(none.status, 400);
}

#[tokio::test]
async fn online_deployment_logs_and_skus() {
    let f = workspace().await;
    let m = model(&f, "m", "mlflow_model").await;
    endpoint(&f, "ep1", "Key").await;
    f.put_ok(
        &ws_url("/onlineEndpoints/ep1/deployments/blue"),
        deployment(&m, None),
        201,
    )
    .await;
    f.settle();
    let logs = f
        .post(
            &ws_url("/onlineEndpoints/ep1/deployments/blue/getLogs"),
            Some(json!({"containerType": "InferenceServer", "tail": 2})),
        )
        .await;
    assert_eq!(logs.status, 200, "{:?}", logs.body);
    let content = body(&logs)["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content.lines().count(), 2, "{content}");
    let init = f
        .post(
            &ws_url("/onlineEndpoints/ep1/deployments/blue/getLogs"),
            Some(json!({"containerType": "StorageInitializer"})),
        )
        .await;
    assert!(
        body(&init)["content"]
            .as_str()
            .unwrap_or_default()
            .contains(&m)
    );
    let bad = f
        .post(
            &ws_url("/onlineEndpoints/ep1/deployments/blue/getLogs"),
            Some(json!({"containerType": "Sidecar"})),
        )
        .await;
    assert_eq!((bad.status, target(&bad)), (400, "containerType"));
    let skus = f
        .get(&ws_url("/onlineEndpoints/ep1/deployments/blue/skus"))
        .await;
    assert_eq!(skus.status, 200, "{:?}", skus.body);
    let s = &body(&skus)["value"][0];
    assert_eq!(s["sku"]["name"], "Default");
    assert_eq!(s["capacity"]["scaleType"], "Manual");
    assert_eq!(s["capacity"]["default"], 1);
}

#[tokio::test]
async fn batch_endpoints_take_aml_tokens_and_keep_tracked_fields() {
    let f = workspace().await;
    let key = f
        .put(
            &ws_url("/batchEndpoints/be1"),
            json!({"location": "eastus", "properties": {"authMode": "Key"}}),
        )
        .await;
    assert_eq!((key.status, target(&key)), (400, "properties.authMode"));
    let uai = "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1";
    let r = f
        .put(
            &ws_url("/batchEndpoints/be1"),
            json!({"location": "eastus", "kind": "string", "sku": {"name": "Default", "capacity": 1},
                "identity": {"type": "UserAssigned", "userAssignedIdentities": {uai: {}}},
                "properties": {"authMode": "AMLToken"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    f.settle();
    let g = f.get(&ws_url("/batchEndpoints/be1")).await;
    let b = body(&g);
    assert_eq!(b["properties"]["authMode"], "AMLToken");
    assert_eq!(b["kind"], "string");
    assert_eq!(b["sku"]["name"], "Default");
    let ids = &b["identity"]["userAssignedIdentities"][uai];
    assert!(
        ids["principalId"].is_string() && ids["clientId"].is_string(),
        "{b}"
    );
    let m = model(&f, "m", "mlflow_model").await;
    let dep = json!({"location": "eastus", "kind": "k", "sku": {"name": "Default"},
        "identity": {"type": "SystemAssigned"},
        "properties": {"compute": format!("{WS}/computes/cpu-cluster"), "model": {"referenceType": "Id", "assetId": m}}});
    f.put_ok(&ws_url("/batchEndpoints/be1/deployments/dep1"), dep, 201)
        .await;
    f.settle();
    let g = f.get(&ws_url("/batchEndpoints/be1/deployments/dep1")).await;
    let b = body(&g);
    assert_eq!(
        (b["kind"].as_str(), b["sku"]["name"].as_str()),
        (Some("k"), Some("Default"))
    );
    assert!(b["identity"]["principalId"].is_string(), "{b}");
}

#[tokio::test]
async fn a_pipeline_job_without_jobs_is_accepted_as_the_spec_example_shows() {
    let f = workspace().await;
    let r = f
        .put(
            &ws_url("/jobs/empty-pipeline"),
            json!({"properties": {"jobType": "Pipeline", "settings": {}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(body(&r)["properties"].get("jobs").is_none());
}

#[tokio::test]
async fn a_kubernetes_deployment_needs_an_endpoint_on_kubernetes_compute() {
    let f = workspace().await;
    let m = model(&f, "m", "mlflow_model").await;
    endpoint(&f, "ep1", "Key").await;
    let mut dep = deployment(&m, None);
    dep["properties"]["endpointComputeType"] = json!("Kubernetes");
    let r = f
        .put(
            &ws_url("/onlineEndpoints/ep1/deployments/blue"),
            dep.clone(),
        )
        .await;
    assert_eq!(
        (r.status, target(&r)),
        (400, "properties.endpointComputeType")
    );
    let aks = "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1";
    f.put_ok(
        &ws_url("/computes/k8s"),
        json!({"properties": {"computeType": "Kubernetes", "resourceId": aks}}),
        201,
    )
    .await;
    f.settle();
    f.put_ok(
        &ws_url("/onlineEndpoints/kep"),
        json!({"location": "eastus", "properties": {"authMode": "Key", "compute": "k8s"}}),
        201,
    )
    .await;
    f.settle();
    f.put_ok(&ws_url("/onlineEndpoints/kep/deployments/blue"), dep, 201)
        .await;
}
