//! Behaviour tests of the emulator through its [`Transport`] interface, on a manual clock.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Emulator, EmulatorError, EmulatorOptions, ManualClock};
use crate::arm::transport::{HttpRequest, HttpResponse, Method, Transport};

const BASE: &str = "https://management.azure.com/subscriptions/sub1";
const ML: &str = "2025-12-01";

struct Fixture {
    emu: Emulator,
    clock: Arc<ManualClock>,
}

fn fixture() -> Fixture {
    let clock = Arc::new(ManualClock::default());
    let options = EmulatorOptions {
        provisioning_delay: Duration::from_millis(1500),
        ..EmulatorOptions::default()
    };
    let emu = match Emulator::open_with_clock(options, clock.clone()) {
        Ok(e) => e,
        Err(e) => panic!("open: {e}"),
    };
    Fixture { emu, clock }
}

fn rg_url(rg: &str) -> String {
    format!("{BASE}/resourceGroups/{rg}")
}

fn res_url(rg: &str, rest: &str, api: &str) -> String {
    let sep = if rest.contains('?') { '&' } else { '?' };
    format!("{BASE}/resourceGroups/{rg}/providers/{rest}{sep}api-version={api}")
}

fn ws_url(rest: &str) -> String {
    res_url(
        "rg1",
        &format!("Microsoft.MachineLearningServices/workspaces/ws1{rest}"),
        ML,
    )
}

impl Fixture {
    async fn send(&self, method: Method, url: &str, body: Option<Value>) -> HttpResponse {
        let mut req = HttpRequest::new(method, url);
        req.body = body;
        match self.emu.send(req).await {
            Ok(r) => r,
            Err(e) => panic!("transport error: {e}"),
        }
    }

    async fn get(&self, url: &str) -> HttpResponse {
        self.send(Method::Get, url, None).await
    }

    async fn put(&self, url: &str, body: Value) -> HttpResponse {
        self.send(Method::Put, url, Some(body)).await
    }

    fn settle(&self) {
        self.clock.advance(Duration::from_secs(2));
    }

    /// RG, storage, key vault, insights and workspace, settled.
    async fn workspace_chain(&self) {
        let r = self
            .put(
                &format!("{}?api-version=2024-03-01", rg_url("rg1")),
                json!({"location": "eastus"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let r = self
            .put(
                &res_url("rg1", "Microsoft.Storage/storageAccounts/st1", "2023-05-01"),
                json!({"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}),
            )
            .await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        let r = self
            .put(
                &res_url("rg1", "Microsoft.KeyVault/vaults/kv1", "2023-07-01"),
                json!({"location": "eastus", "properties": {"tenantId": "00000000-0000-0000-0000-000000000000", "sku": {"family": "A", "name": "standard"}}}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let r = self
            .put(
                &res_url("rg1", "Microsoft.Insights/components/ai1", "2020-02-02"),
                json!({"location": "eastus", "kind": "web", "properties": {"Application_Type": "web"}}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = self.put(&ws_url(""), workspace_body()).await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        self.settle();
    }
}

fn workspace_body() -> Value {
    let p = "/subscriptions/sub1/resourceGroups/rg1/providers";
    json!({"location": "eastus", "properties": {
        "storageAccount": format!("{p}/Microsoft.Storage/storageAccounts/st1"),
        "keyVault": format!("{p}/Microsoft.KeyVault/vaults/kv1"),
        "applicationInsights": format!("{p}/Microsoft.Insights/components/ai1")}})
}

fn cluster_body(max: Option<u64>, min: u64) -> Value {
    let mut scale = json!({"minNodeCount": min});
    if let Some(m) = max {
        scale["maxNodeCount"] = json!(m);
    }
    json!({"properties": {"computeType": "AmlCompute", "properties": {"vmSize": "STANDARD_DS11_V2", "scaleSettings": scale}}})
}

fn body(r: &HttpResponse) -> &Value {
    r.body.as_ref().unwrap_or(&Value::Null)
}

fn error_code(r: &HttpResponse) -> &str {
    body(r)["error"]["code"].as_str().unwrap_or("")
}

fn error_message(r: &HttpResponse) -> &str {
    body(r)["error"]["message"].as_str().unwrap_or("")
}

#[tokio::test]
async fn workspace_chain_settles_after_the_delay() {
    let f = fixture();
    f.put(
        &format!("{}?api-version=2024-03-01", rg_url("rg1")),
        json!({"location": "East US"}),
    )
    .await;
    let storage = res_url("rg1", "Microsoft.Storage/storageAccounts/st1", "2023-05-01");
    let r = f
        .put(
            &storage,
            json!({"location": "eastus", "sku": {"name": "standard_lrs"}, "kind": "StorageV2"}),
        )
        .await;
    assert_eq!(r.status, 202);
    let location = r.header("Location").unwrap_or_default().to_owned();
    assert!(location.starts_with("https://management.azure.com/subscriptions/sub1/providers/Microsoft.Storage/locations/eastus/"), "{location}");
    assert_eq!(f.get(&location).await.status, 202);
    let s = f.get(&storage).await;
    assert_eq!(body(&s)["properties"]["provisioningState"], "Creating");
    f.settle();
    let done = f.get(&location).await;
    assert_eq!(done.status, 200);
    assert_eq!(body(&done)["properties"]["provisioningState"], "Succeeded");
    let s = f.get(&storage).await;
    assert_eq!(body(&s)["sku"]["name"], "Standard_LRS");
    assert_eq!(body(&s)["properties"]["accessTier"], "Hot");
    assert_eq!(
        body(&s)["properties"]["primaryEndpoints"]["blob"],
        "https://st1.blob.core.windows.net/"
    );
    assert!(
        !s.body
            .as_ref()
            .map(Value::to_string)
            .unwrap_or_default()
            .contains("keys")
    );

    let f = fixture();
    f.workspace_chain().await;
    let ws = f.get(&ws_url("")).await;
    assert_eq!(ws.status, 200);
    let b = body(&ws);
    assert_eq!(b["properties"]["provisioningState"], "Succeeded");
    assert_eq!(b["name"], "ws1");
    assert_eq!(b["type"], "Microsoft.MachineLearningServices/workspaces");
    assert_eq!(b["identity"]["type"], "SystemAssigned");
    assert_eq!(b["sku"]["name"], "Basic");
    assert_eq!(b["properties"]["hbiWorkspace"], false);
    assert!(b["systemData"]["createdAt"].is_string());
    assert_eq!(
        b["properties"]["workspaceId"].as_str().map(str::len),
        Some(36)
    );
    let kv = f
        .get(&res_url(
            "rg1",
            "Microsoft.KeyVault/vaults/kv1",
            "2023-07-01",
        ))
        .await;
    assert_eq!(body(&kv)["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        body(&kv)["properties"]["vaultUri"],
        "https://kv1.vault.azure.net/"
    );
}

#[tokio::test]
async fn workspace_put_is_lro_with_location_and_retry_after() {
    let f = fixture();
    f.workspace_chain().await;
    let r = f
        .put(&ws_url("").replace("ws1", "ws2"), workspace_body())
        .await;
    assert_eq!(r.status, 202);
    let loc = r.header("Location").unwrap_or_default().to_owned();
    assert!(loc.contains("/providers/Microsoft.MachineLearningServices/locations/eastus/workspaceOperationsStatus/"), "{loc}");
    assert_eq!(r.header("Retry-After"), Some("2"));
    assert_eq!(r.header("retry-after-ms"), Some("1500"));
    let poll = f.get(&loc).await;
    assert_eq!(poll.status, 202);
    assert!(poll.header("Retry-After").is_some());
    f.settle();
    let poll = f.get(&loc).await;
    assert_eq!(poll.status, 200);
    assert_eq!(body(&poll)["name"], "ws2");
}

#[tokio::test]
async fn workspace_with_missing_dependency_is_400_naming_it() {
    let f = fixture();
    f.workspace_chain().await;
    let mut b = workspace_body();
    b["properties"]["keyVault"] =
        json!("/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/nope");
    let r = f.put(&ws_url("").replace("ws1", "ws3"), b).await;
    assert_eq!(r.status, 400);
    assert!(
        error_message(&r).contains("properties.keyVault"),
        "{}",
        error_message(&r)
    );
}

#[tokio::test]
async fn default_datastores_appear_and_secrets_stay_hidden() {
    let f = fixture();
    f.workspace_chain().await;
    let list = f.get(&ws_url("/datastores")).await;
    assert_eq!(list.status, 200);
    let names: Vec<&str> = body(&list)["value"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["name"].as_str())
        .collect();
    for n in [
        "workspaceblobstore",
        "workspacefilestore",
        "workspaceartifactstore",
        "workspaceworkingdirectory",
    ] {
        assert!(names.contains(&n), "{names:?}");
    }
    let ws = f.get(&ws_url("")).await;
    let wsid = body(&ws)["properties"]["workspaceId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let blob = f.get(&ws_url("/datastores/workspaceblobstore")).await;
    let p = &body(&blob)["properties"];
    assert_eq!(p["isDefault"], true);
    assert_eq!(p["datastoreType"], "AzureBlob");
    assert_eq!(p["accountName"], "st1");
    assert_eq!(p["containerName"], format!("azureml-blobstore-{wsid}"));
    let file = f.get(&ws_url("/datastores/workspacefilestore")).await;
    assert_eq!(
        body(&file)["properties"]["fileShareName"],
        format!("code-{wsid}")
    );
    // No issued secret appears in any GET.
    let secrets = f.emu.secrets();
    assert_eq!(secrets.len(), 2, "two storage keys");
    let text = format!("{}{}", body(&list), body(&blob));
    assert!(secrets.iter().all(|s| !text.contains(s.as_str())));
}

#[tokio::test]
async fn datastore_secrets_only_from_list_secrets() {
    let f = fixture();
    f.workspace_chain().await;
    let url = ws_url("/datastores/mystore");
    let r = f
        .put(
            &url,
            json!({"properties": {"datastoreType": "AzureBlob", "accountName": "st1", "containerName": "data",
                   "credentials": {"credentialsType": "AccountKey", "secrets": {"secretsType": "AccountKey", "key": "c2VjcmV0LWtleQ=="}}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(!body(&r).to_string().contains("c2VjcmV0LWtleQ=="));
    let g = f.get(&url).await;
    assert_eq!(
        body(&g)["properties"]["credentials"]["secrets"],
        json!({"secretsType": "AccountKey"})
    );
    assert_eq!(body(&g)["properties"]["endpoint"], "core.windows.net");
    assert_eq!(body(&g)["properties"]["isDefault"], false);
    let s = f
        .send(
            Method::Post,
            &ws_url("/datastores/mystore/listSecrets"),
            None,
        )
        .await;
    assert_eq!(s.status, 200);
    assert_eq!(body(&s)["key"], "c2VjcmV0LWtleQ==");
    assert!(f.emu.secrets().contains(&"c2VjcmV0LWtleQ==".to_owned()));
    assert!(
        f.emu
            .requests()
            .iter()
            .all(|r| !r.path.contains("c2VjcmV0"))
    );
    // Re-PUT: 200.
    let r2 = f
        .put(&url, json!({"properties": {"datastoreType": "AzureBlob", "accountName": "st1", "containerName": "data",
                          "credentials": {"credentialsType": "AccountKey", "secrets": {"key": "b3RoZXI="}}}}))
        .await;
    assert_eq!(r2.status, 200);
    // Missing secrets for AccountKey.
    let bad = f
        .put(&url, json!({"properties": {"datastoreType": "AzureBlob", "accountName": "st1", "containerName": "data",
                          "credentials": {"credentialsType": "AccountKey"}}}))
        .await;
    assert_eq!(bad.status, 400);
    assert!(error_message(&bad).contains("properties.credentials.secrets"));
}

#[tokio::test]
async fn storage_list_keys_returns_two_88_char_keys() {
    let f = fixture();
    f.workspace_chain().await;
    let r = f
        .send(
            Method::Post,
            &res_url(
                "rg1",
                "Microsoft.Storage/storageAccounts/st1/listKeys",
                "2023-05-01",
            ),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let keys = body(&r)["keys"].as_array().cloned().unwrap_or_default();
    assert_eq!(keys.len(), 2);
    for k in &keys {
        let v = k["value"].as_str().unwrap_or_default();
        assert_eq!(v.len(), 88);
        assert!(f.emu.secrets().contains(&v.to_owned()));
    }
}

#[tokio::test]
async fn storage_regenerate_key_replaces_one_key_and_its_creation_time() {
    let f = fixture();
    f.workspace_chain().await;
    let url = |action: &str| {
        res_url(
            "rg1",
            &format!("Microsoft.Storage/storageAccounts/st1/{action}"),
            "2023-05-01",
        )
    };
    let values = |r: &HttpResponse| -> Vec<String> {
        body(r)["keys"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|k| k["value"].as_str())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = values(&f.send(Method::Post, &url("listKeys"), None).await);
    f.clock.advance(Duration::from_secs(60));
    let r = f
        .send(
            Method::Post,
            &url("regenerateKey"),
            Some(json!({"keyName": "key2"})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let after = values(&r);
    assert_eq!(after.len(), 2);
    assert_eq!(after[0], before[0]);
    assert_ne!(after[1], before[1]);
    assert_eq!(after[1].len(), 88);
    assert!(f.emu.secrets().contains(&after[1]));
    assert_eq!(
        values(&f.send(Method::Post, &url("listKeys"), None).await),
        after
    );
    let account = res_url("rg1", "Microsoft.Storage/storageAccounts/st1", "2023-05-01");
    let got = f.get(&account).await;
    let times = &body(&got)["properties"]["keyCreationTime"];
    assert_ne!(times["key1"], times["key2"], "{times}");
    for bad in [json!({"keyName": "kerb1"}), json!({})] {
        let r = f.send(Method::Post, &url("regenerateKey"), Some(bad)).await;
        assert_eq!(r.status, 400, "{:?}", r.body);
    }
}

#[tokio::test]
async fn blob_containers_are_listed_through_arm_with_their_etag_and_legal_hold() {
    let f = fixture();
    f.workspace_chain().await;
    let containers = |account: &str| {
        res_url(
            "rg1",
            &format!("Microsoft.Storage/storageAccounts/{account}/blobServices/default/containers"),
            "2023-05-01",
        )
    };
    let before = body(&f.get(&containers("st1")).await)["value"]
        .as_array()
        .map_or(0, Vec::len);
    let one = containers("st1").replace("/containers?", "/containers/training-data?");
    let r = f
        .put(&one, json!({"properties": {"publicAccess": "None"}}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = f.get(&containers("st1")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let list = body(&r)["value"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), before + 1, "{list:?}");
    let mine = list.iter().find(|c| c["name"] == "training-data");
    let mine = mine.cloned().unwrap_or_default();
    assert!(
        mine["etag"].as_str().is_some_and(|e| e.starts_with("\"0x")),
        "{mine}"
    );
    assert_eq!(mine["properties"]["legalHold"]["hasLegalHold"], false);
    assert_eq!(f.get(&containers("st9")).await.status, 404);
}

#[tokio::test]
async fn blob_container_legal_hold_tags_are_set_and_cleared() {
    let f = fixture();
    f.workspace_chain().await;
    let at = |rest: &str| {
        res_url(
            "rg1",
            &format!(
                "Microsoft.Storage/storageAccounts/st1/blobServices/default/containers/evidence{rest}"
            ),
            "2023-05-01",
        )
    };
    assert_eq!(f.put(&at(""), json!({"properties": {}})).await.status, 201);
    let r = f
        .send(
            Method::Post,
            &at("/setLegalHold"),
            Some(json!({"tags": ["Case1", "audit2024"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(body(&r)["hasLegalHold"], true);
    assert_eq!(body(&r)["tags"], json!(["case1", "audit2024"]));
    let props = body(&f.get(&at("")).await)["properties"].clone();
    assert_eq!(props["hasLegalHold"], true);
    assert_eq!(props["legalHold"]["tags"][0]["tag"], "case1");
    // A re-PUT keeps the hold; a bad tag is refused.
    assert_eq!(f.put(&at(""), json!({"properties": {}})).await.status, 200);
    assert_eq!(
        body(&f.get(&at("")).await)["properties"]["hasLegalHold"],
        true
    );
    let r = f
        .send(
            Method::Post,
            &at("/setLegalHold"),
            Some(json!({"tags": ["x!"]})),
        )
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    let r = f
        .send(
            Method::Post,
            &at("/clearLegalHold"),
            Some(json!({"tags": ["case1", "audit2024"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(body(&r)["hasLegalHold"], false);
    assert_eq!(
        body(&f.get(&at("")).await)["properties"]["hasLegalHold"],
        false
    );
}

#[tokio::test]
async fn blob_container_immutability_policy_is_shown_locked_and_kept() {
    let f = fixture();
    f.workspace_chain().await;
    let at = |rest: &str| {
        res_url(
            "rg1",
            &format!(
                "Microsoft.Storage/storageAccounts/st1/blobServices/default/containers/records{rest}"
            ),
            "2023-05-01",
        )
    };
    let policy = |days: u64| json!({"properties": {"immutabilityPeriodSinceCreationInDays": days}});
    assert_eq!(f.put(&at(""), json!({"properties": {}})).await.status, 201);
    assert_eq!(
        f.put(&at("/immutabilityPolicies/custom"), policy(3))
            .await
            .status,
        400
    );
    assert_eq!(
        f.put(&at("/immutabilityPolicies/default"), policy(0))
            .await
            .status,
        400
    );
    let r = f.put(&at("/immutabilityPolicies/default"), policy(3)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(body(&r)["properties"]["state"], "Unlocked");
    let c = body(&f.get(&at("")).await)["properties"].clone();
    assert_eq!(c["hasImmutabilityPolicy"], true);
    assert_eq!(
        c["immutabilityPolicy"]["properties"]["immutabilityPeriodSinceCreationInDays"],
        3
    );
    assert_eq!(c["immutabilityPolicy"]["updateHistory"][0]["update"], "put");
    // A re-PUT of the container keeps it; lock makes it permanent.
    assert_eq!(f.put(&at(""), json!({"properties": {}})).await.status, 200);
    assert_eq!(
        body(&f.get(&at("")).await)["properties"]["hasImmutabilityPolicy"],
        true
    );
    let r = f
        .send(
            Method::Post,
            &at("/immutabilityPolicies/default/lock"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(body(&r)["properties"]["state"], "Locked");
    let c = body(&f.get(&at("")).await)["properties"].clone();
    assert_eq!(c["immutabilityPolicy"]["properties"]["state"], "Locked");
    assert_eq!(
        f.put(&at("/immutabilityPolicies/default"), policy(5))
            .await
            .status,
        409
    );
    let r = f
        .send(Method::Delete, &at("/immutabilityPolicies/default"), None)
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    // An unlocked policy is deleted, and the container no longer shows one.
    let other = |rest: &str| at(rest).replace("/records", "/drafts");
    assert_eq!(
        f.put(&other(""), json!({"properties": {}})).await.status,
        201
    );
    assert_eq!(
        f.put(&other("/immutabilityPolicies/default"), policy(1))
            .await
            .status,
        200
    );
    assert_eq!(
        f.send(
            Method::Delete,
            &other("/immutabilityPolicies/default"),
            None
        )
        .await
        .status,
        200
    );
    let c = body(&f.get(&other("")).await)["properties"].clone();
    assert_eq!(c["hasImmutabilityPolicy"], false);
    assert!(c.get("immutabilityPolicy").is_none(), "{c}");
}

#[tokio::test]
async fn compute_in_missing_workspace_is_404_in_arm_shape() {
    let f = fixture();
    f.workspace_chain().await;
    let url = res_url(
        "rg1",
        "Microsoft.MachineLearningServices/workspaces/nows/computes/cpu1",
        ML,
    );
    let r = f.put(&url, cluster_body(Some(2), 0)).await;
    assert_eq!(r.status, 404);
    assert_eq!(error_code(&r), "ResourceNotFound");
    assert_eq!(
        error_message(&r).split(" For more").next(),
        Some(
            "The Resource 'Microsoft.MachineLearningServices/workspaces/nows' under resource group 'rg1' was not found."
        )
    );
    let r = f
        .get(&res_url(
            "nosuchrg",
            "Microsoft.Storage/storageAccounts/x",
            "2023-05-01",
        ))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(error_code(&r), "ResourceGroupNotFound");
    assert_eq!(
        error_message(&r),
        "Resource group 'nosuchrg' could not be found."
    );
}

#[tokio::test]
async fn aml_compute_validation_names_the_field() {
    let f = fixture();
    f.workspace_chain().await;
    let url = ws_url("/computes/cpu-cluster");
    let r = f.put(&url, cluster_body(None, 0)).await;
    assert_eq!(r.status, 400);
    assert_eq!(error_code(&r), "UserError");
    assert_eq!(
        error_message(&r),
        "properties.properties.scaleSettings.maxNodeCount is required"
    );
    let r = f.put(&url, cluster_body(Some(1), 3)).await;
    assert_eq!(r.status, 400);
    assert!(error_message(&r).contains("properties.properties.scaleSettings.minNodeCount"));
    let mut b = cluster_body(Some(2), 0);
    b["properties"]["properties"]["vmPriority"] = json!("Spot");
    let r = f.put(&url, b).await;
    assert_eq!(r.status, 400);
    assert!(error_message(&r).contains("vmPriority") && error_message(&r).contains("Dedicated"));
    let r = f
        .put(&url, json!({"properties": {"computeType": "Spark"}}))
        .await;
    assert_eq!(r.status, 400);
    assert!(error_message(&r).contains("properties.computeType"));
    // An attached type needs the id of the resource it attaches.
    let r = f
        .put(&url, json!({"properties": {"computeType": "Kubernetes"}}))
        .await;
    assert_eq!(r.status, 400);
    assert!(error_message(&r).contains("properties.resourceId"));
}

#[tokio::test]
async fn aml_compute_lifecycle_with_async_operation() {
    let f = fixture();
    f.workspace_chain().await;
    let url = ws_url("/computes/cpu-cluster");
    let r = f.put(&url, cluster_body(Some(4), 0)).await;
    assert_eq!(r.status, 201);
    assert_eq!(body(&r)["properties"]["provisioningState"], "Creating");
    assert_eq!(body(&r)["location"], "eastus");
    let ao = r
        .header("Azure-AsyncOperation")
        .unwrap_or_default()
        .to_owned();
    assert!(ao.starts_with("https://management.azure.com/subscriptions/sub1/providers/Microsoft.MachineLearningServices/locations/eastus/computeOperationsStatus/"), "{ao}");
    assert_eq!(r.header("Retry-After"), Some("2"));
    let st = f.get(&ao).await;
    assert_eq!(body(&st)["status"], "InProgress");
    assert!(st.header("retry-after-ms").is_some());
    f.settle();
    let st = f.get(&ao).await;
    assert_eq!(body(&st)["status"], "Succeeded");
    let g = f.get(&url).await;
    let p = &body(&g)["properties"];
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(p["properties"]["vmPriority"], "Dedicated");
    assert_eq!(
        p["properties"]["scaleSettings"]["nodeIdleTimeBeforeScaleDown"],
        "PT120S"
    );
    assert_eq!(p["properties"]["allocationState"], "Steady");
    assert_eq!(p["properties"]["currentNodeCount"], 0);
    // PATCH merges scale settings.
    let patch = json!({"properties": {"properties": {"scaleSettings": {"maxNodeCount": 6, "minNodeCount": 1}}}});
    let r = f.send(Method::Patch, &url, Some(patch)).await;
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["properties"]["provisioningState"], "Updating");
    f.settle();
    let g = f.get(&url).await;
    assert_eq!(
        body(&g)["properties"]["properties"]["scaleSettings"]["maxNodeCount"],
        6
    );
    assert_eq!(
        body(&g)["properties"]["properties"]["vmSize"],
        "STANDARD_DS11_V2"
    );
    // A PUT of the existing cluster with the SDK's default size (what
    // `AmlCompute(name=..., max_instances=2)` sends) updates the scale settings only.
    let mut again = cluster_body(Some(2), 0);
    again["properties"]["properties"]["vmSize"] = json!("STANDARD_DS3_V2");
    let r = f.put(&url, again).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    f.settle();
    let p = &body(&f.get(&url).await)["properties"]["properties"].clone();
    assert_eq!(p["scaleSettings"]["maxNodeCount"], 2);
    assert_eq!(p["vmSize"], "STANDARD_DS11_V2");
    // DELETE needs underlyingResourceAction.
    let r = f.send(Method::Delete, &url, None).await;
    assert_eq!(r.status, 400);
    assert!(error_message(&r).contains("underlyingResourceAction"));
    let r = f
        .send(
            Method::Delete,
            &format!("{url}&underlyingResourceAction=Delete"),
            None,
        )
        .await;
    assert_eq!(r.status, 202);
    assert!(r.header("Azure-AsyncOperation").is_some() && r.header("Location").is_some());
    assert_eq!(f.get(&url).await.status, 200, "still deleting");
    f.settle();
    assert_eq!(f.get(&url).await.status, 404);
}

#[tokio::test]
async fn compute_instance_state_and_actions() {
    let f = fixture();
    f.workspace_chain().await;
    let url = ws_url("/computes/ci-learner1");
    let r = f
        .put(
            &url,
            json!({"properties": {"computeType": "ComputeInstance", "properties": {"vmSize": "STANDARD_DS11_V2",
                "idleTimeBeforeShutdown": "PT60M",
                "schedules": {"computeStartStop": [{"action": "Stop", "triggerType": "Cron", "cron": {"expression": "0 18 * * *"}}]}}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(body(&r)["properties"]["properties"]["state"], "Creating");
    f.settle();
    let g = f.get(&url).await;
    assert_eq!(body(&g)["properties"]["properties"]["state"], "Running");
    assert_eq!(
        body(&g)["properties"]["properties"]["schedules"]["computeStartStop"][0]["status"],
        "Enabled"
    );
    let r = f
        .send(Method::Post, &ws_url("/computes/ci-learner1/stop"), None)
        .await;
    assert_eq!(r.status, 202);
    assert!(r.header("Azure-AsyncOperation").is_some());
    assert_eq!(
        body(&f.get(&url).await)["properties"]["properties"]["state"],
        "Stopping"
    );
    f.settle();
    assert_eq!(
        body(&f.get(&url).await)["properties"]["properties"]["state"],
        "Stopped"
    );
    let bad = f
        .put(&ws_url("/computes/ci-two"), json!({"properties": {"computeType": "ComputeInstance", "properties": {"idleTimeBeforeShutdown": "60 minutes"}}}))
        .await;
    assert_eq!(bad.status, 400);
    assert!(error_message(&bad).contains("idleTimeBeforeShutdown"));
}

#[tokio::test]
async fn compute_instance_names_are_unique_in_their_region() {
    let f = fixture();
    f.workspace_chain().await;
    let ws2 = |loc: &str| {
        let mut b = workspace_body();
        b["location"] = json!(loc);
        b
    };
    let other = |ws: &str, rest: &str| {
        res_url(
            "rg1",
            &format!("Microsoft.MachineLearningServices/workspaces/{ws}{rest}"),
            ML,
        )
    };
    assert_eq!(f.put(&other("ws2", ""), ws2("eastus")).await.status, 202);
    assert_eq!(
        f.put(&other("ws3", ""), ws2("westeurope")).await.status,
        202
    );
    f.settle();
    let ci = json!({"properties": {"computeType": "ComputeInstance", "properties": {"vmSize": "STANDARD_DS11_V2"}}});
    let r = f.put(&ws_url("/computes/ci-Alice"), ci.clone()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // Another workspace of the region: refused (names compare without case).
    let r = f.put(&other("ws2", "/computes/ci-alice"), ci.clone()).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert!(
        error_message(&r).contains("unique"),
        "{}",
        error_message(&r)
    );
    // Another region is fine; so is a re-PUT of the same one.
    assert_eq!(
        f.put(&other("ws3", "/computes/ci-alice"), ci.clone())
            .await
            .status,
        201
    );
    f.settle();
    assert_eq!(f.put(&ws_url("/computes/ci-Alice"), ci).await.status, 200);
}

#[tokio::test]
async fn delete_of_missing_ml_resource_is_204() {
    let f = fixture();
    f.workspace_chain().await;
    let r = f
        .send(Method::Delete, &ws_url("/datastores/nothing"), None)
        .await;
    assert_eq!(r.status, 204);
    let r = f
        .send(
            Method::Delete,
            &ws_url("/computes/nothing?underlyingResourceAction=Delete"),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let r = f
        .send(
            Method::Delete,
            &res_url(
                "rg1",
                "Microsoft.Storage/storageAccounts/nothing",
                "2023-05-01",
            ),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn resource_group_delete_cascades() {
    let f = fixture();
    f.workspace_chain().await;
    let r = f
        .send(
            Method::Delete,
            &format!("{}?api-version=2024-03-01", rg_url("rg1")),
            None,
        )
        .await;
    assert_eq!(r.status, 202);
    let loc = r.header("Location").unwrap_or_default().to_owned();
    assert!(
        loc.starts_with("https://management.azure.com/subscriptions/sub1/operationresults/"),
        "{loc}"
    );
    assert!(r.header("Retry-After").is_some());
    assert_eq!(f.get(&loc).await.status, 202);
    f.settle();
    assert_eq!(f.get(&loc).await.status, 200);
    assert_eq!(
        f.get(&format!("{}?api-version=2024-03-01", rg_url("rg1")))
            .await
            .status,
        404
    );
    let ds = f.get(&ws_url("/datastores/workspaceblobstore")).await;
    assert_eq!(ds.status, 404);
    assert_eq!(error_code(&ds), "ResourceGroupNotFound");
    // Recreating the group finds it empty.
    f.put(
        &format!("{}?api-version=2024-03-01", rg_url("rg1")),
        json!({"location": "eastus"}),
    )
    .await;
    assert_eq!(f.get(&ws_url("")).await.status, 404);
}

#[tokio::test]
async fn list_paging_with_next_link() {
    let f = fixture();
    f.workspace_chain().await;
    let emu = f.emu.with_page_size(3);
    let f = Fixture {
        emu,
        clock: f.clock,
    };
    let list_url =
        ws_url("/datastores").replace("https://management.azure.com", "http://127.0.0.1:9999");
    let r = f.get(&list_url).await;
    assert_eq!(body(&r)["value"].as_array().map(Vec::len), Some(3));
    let next = body(&r)["nextLink"].as_str().unwrap_or_default().to_owned();
    assert!(
        next.starts_with("http://127.0.0.1:9999/subscriptions/sub1/"),
        "{next}"
    );
    assert!(next.contains("api-version=2025-12-01"));
    let r2 = f.get(&next).await;
    assert_eq!(body(&r2)["value"].as_array().map(Vec::len), Some(1));
    assert!(body(&r2).get("nextLink").is_none());
}

#[tokio::test]
async fn api_version_and_provider_checks() {
    let f = fixture();
    let r = f.get(&rg_url("rg1")).await;
    assert_eq!(r.status, 400);
    assert_eq!(error_code(&r), "MissingApiVersionParameter");
    let r = f
        .get(&format!("{}?api-version=1999-01-01", rg_url("rg1")))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(error_code(&r), "InvalidApiVersionParameter");
    assert!(error_message(&r).contains("'1999-01-01'") && error_message(&r).contains("2024-03-01"));
    f.put(
        &format!("{}?api-version=2024-03-01", rg_url("rg1")),
        json!({"location": "eastus"}),
    )
    .await;
    // A published ML version is accepted; one the provider never had is refused as ARM does.
    let r = f.get(&ws_url("").replace(ML, "2020-01-01")).await;
    assert_eq!((r.status, error_code(&r)), (404, "ResourceNotFound"));
    let r = f.get(&ws_url("").replace(ML, "2020-01-02")).await;
    assert_eq!(
        (r.status, error_code(&r)),
        (400, "NoRegisteredProviderFound")
    );
    assert!(error_message(&r).contains("'2020-01-02'") && error_message(&r).contains("2025-12-01"));
    let r = f
        .get(&res_url("rg1", "Microsoft.Nope/things/x", "2020-01-01"))
        .await;
    assert_eq!(
        (r.status, error_code(&r)),
        (400, "NoRegisteredProviderFound")
    );
    let r = f
        .get(&res_url("rg1", "Microsoft.Storage/widgets/x", "2023-05-01"))
        .await;
    assert_eq!((r.status, error_code(&r)), (404, "InvalidResourceType"));
    let r = f
        .put(
            &format!("{}?api-version=2024-03-01", rg_url("rg2")),
            json!({}),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (400, "LocationRequired"));
    let r = f
        .put(
            &res_url(
                "rg1",
                "Microsoft.Storage/storageAccounts/Bad_Name",
                "2023-05-01",
            ),
            json!({"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (400, "AccountNameInvalid"));
    let r = f
        .put(
            &res_url(
                "rg1",
                "Microsoft.Storage/storageAccounts/good1",
                "2023-05-01",
            ),
            json!({"location": "eastus", "sku": {"name": "Ultra_LRS"}, "kind": "StorageV2"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(error_message(&r).contains("sku.name"));
}

#[tokio::test]
async fn ids_are_case_insensitive_and_names_echo_the_creator() {
    let f = fixture();
    f.workspace_chain().await;
    let r = f
        .get(
            &ws_url("")
                .replace("resourceGroups/rg1", "RESOURCEGROUPS/RG1")
                .replace("ws1", "WS1"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["name"], "ws1");
    assert_eq!(
        body(&r)["id"],
        "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1"
    );
}

#[tokio::test]
async fn data_versions_maintain_their_container() {
    let f = fixture();
    f.workspace_chain().await;
    let v1 = json!({"properties": {"dataType": "uri_file", "dataUri": "azureml://datastores/workspaceblobstore/paths/a.csv"}});
    let r = f
        .put(&ws_url("/data/diabetes/versions/1"), v1.clone())
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        f.put(&ws_url("/data/diabetes/versions/1"), v1).await.status,
        200
    );
    let changed = json!({"properties": {"dataType": "uri_file", "dataUri": "azureml://datastores/workspaceblobstore/paths/b.csv"}});
    let r = f
        .put(&ws_url("/data/diabetes/versions/1"), changed.clone())
        .await;
    assert_eq!(r.status, 409);
    f.put(&ws_url("/data/diabetes/versions/2"), changed).await;
    let c = f.get(&ws_url("/data/diabetes")).await;
    assert_eq!(body(&c)["properties"]["latestVersion"], "2");
    assert_eq!(body(&c)["properties"]["nextVersion"], "3");
    let r = f
        .put(
            &ws_url("/data/diabetes/versions/3"),
            json!({"properties": {"dataType": "csv", "dataUri": "x"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(error_message(&r).contains("properties.dataType"));
    let list = f.get(&ws_url("/data/diabetes/versions")).await;
    assert_eq!(body(&list)["value"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn state_persists_across_opens_and_corrupt_files_are_clear_errors() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let path = dir.path().join("nested/state.json");
    let options = EmulatorOptions {
        state_path: Some(path.clone()),
        provisioning_delay: Duration::ZERO,
        ..EmulatorOptions::default()
    };
    {
        let emu = Emulator::open(options.clone()).unwrap_or_else(|e| panic!("{e}"));
        // The lock is exclusive while the first emulator lives.
        assert!(matches!(
            Emulator::open(options.clone()),
            Err(EmulatorError::State { .. })
        ));
        let r = emu
            .send(
                HttpRequest::new(
                    Method::Put,
                    format!("{}?api-version=2024-03-01", rg_url("keep")),
                )
                .with_body(json!({"location": "westeurope"})),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status, 201);
    }
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(text.contains("\"version\": 1"));
    {
        let emu = Emulator::open(options.clone()).unwrap_or_else(|e| panic!("{e}"));
        let r = emu
            .send(HttpRequest::new(
                Method::Get,
                format!("{}?api-version=2024-03-01", rg_url("keep")),
            ))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status, 200);
        assert_eq!(emu.requests().len(), 2);
    }
    {
        let fresh = EmulatorOptions {
            fresh: true,
            ..options.clone()
        };
        let emu = Emulator::open(fresh).unwrap_or_else(|e| panic!("{e}"));
        assert!(emu.requests().is_empty());
    }
    std::fs::write(&path, "{not json").unwrap_or_else(|e| panic!("{e}"));
    match Emulator::open(options) {
        Err(EmulatorError::State { path: p, message }) => {
            assert_eq!(p, path);
            assert!(message.contains("--fresh"), "{message}");
        }
        other => panic!("expected a state error, got {other:?}"),
    }
}

#[tokio::test]
async fn emulator_is_shared_across_tasks() {
    let f = fixture();
    f.put(
        &format!("{}?api-version=2024-03-01", rg_url("rg1")),
        json!({"location": "eastus"}),
    )
    .await;
    let emu = Arc::new(f.emu);
    let mut handles = Vec::new();
    for i in 0..8 {
        let emu = emu.clone();
        handles.push(tokio::spawn(async move {
            let url = format!("{BASE}/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv-{i}x?api-version=2023-07-01");
            let body = json!({"location": "eastus", "properties": {"tenantId": "00000000-0000-0000-0000-000000000000", "sku": {"family": "A", "name": "premium"}}});
            emu.send(HttpRequest::new(Method::Put, url).with_body(body)).await.map(|r| r.status).unwrap_or(0)
        }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap_or(0), 201);
    }
    assert_eq!(emu.requests().len(), 9);
}

/// Dot segments, `\\` and empty segments name no resource: the emulator answers
/// InvalidRequestUri, and the ARM client refuses to send such a path at all.
#[tokio::test]
async fn dot_segments_are_refused_by_the_emulator_and_the_client() {
    let f = fixture();
    f.workspace_chain().await;
    for path in [
        "/subscriptions/sub1/resourceGroups/rg1/../rg1",
        "/subscriptions/sub1/resourceGroups/%2e%2e/rg1",
        "/subscriptions/sub1/resourceGroups/rg1/..\\rg1",
        "/subscriptions/sub1//resourceGroups/rg1",
    ] {
        let r = f
            .get(&format!(
                "https://management.azure.com{path}?api-version=2024-03-01"
            ))
            .await;
        assert_eq!(r.status, 404, "{path}: {:?}", r.body);
        assert_eq!(
            r.body.as_ref().map(|b| b["error"]["code"].clone()),
            Some(json!("InvalidRequestUri")),
            "{path}"
        );
    }
    let emu = Arc::new(fixture().emu);
    let client = crate::arm::client::ArmClient::new(emu.clone(), "https://management.azure.com");
    let overrides = std::collections::BTreeMap::new();
    let api = crate::arm::client::ApiVersions {
        step: None,
        lab: &overrides,
    };
    let e = client
        .get("/subscriptions/sub1/resourceGroups/rg1/../../x", &api)
        .await
        .err();
    assert!(
        matches!(e, Some(crate::arm::error::ArmError::InvalidPath { .. })),
        "{e:?}"
    );
    assert!(emu.requests().is_empty(), "nothing was sent");
}
