//! The Search data plane through the emulator's transport: definitions, an indexer run over
//! a blob container the world holds, pushed documents, statistics, and who may do what.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::arm::transport::{HttpRequest, HttpResponse, Method, Transport};
use crate::emulator::{Emulator, EmulatorOptions, ManualClock};

const RG: &str = "https://management.azure.com/subscriptions/sub1/resourceGroups/rg1";
const DP: &str = "https://srch1.search.windows.net";
const V: &str = "api-version=2025-09-01";

struct World {
    emu: Emulator,
    clock: Arc<ManualClock>,
    admin: String,
    query: String,
    storage_key: String,
}

async fn send(
    emu: &Emulator,
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> HttpResponse {
    let mut req = HttpRequest::new(method, url);
    req.headers = headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    req.body = body;
    emu.send(req)
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"))
}

impl World {
    async fn arm(
        &self,
        method: Method,
        rest: &str,
        api: &str,
        body: Option<Value>,
    ) -> HttpResponse {
        let r = send(
            &self.emu,
            method,
            &format!("{RG}{rest}?api-version={api}"),
            &[],
            body,
        )
        .await;
        self.clock.advance(Duration::from_secs(5));
        r
    }

    async fn dp(&self, method: Method, path: &str, key: &str, body: Option<Value>) -> HttpResponse {
        let sep = if path.contains('?') { '&' } else { '?' };
        send(
            &self.emu,
            method,
            &format!("{DP}{path}{sep}{V}"),
            &[("api-key", key)],
            body,
        )
        .await
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> HttpResponse {
        self.dp(method, path, &self.admin, body).await
    }
}

/// A world with storage account `st1` and its container `margies`, and a settled Basic
/// search service `srch1` (with `extra` properties).
async fn world(extra: Value) -> World {
    let clock = Arc::new(ManualClock::default());
    let options = EmulatorOptions {
        provisioning_delay: Duration::from_secs(1),
        ..EmulatorOptions::default()
    };
    let emu = Emulator::open_with_clock(options, clock.clone()).unwrap_or_else(|e| panic!("{e}"));
    let mut w = World {
        emu,
        clock,
        admin: String::new(),
        query: String::new(),
        storage_key: String::new(),
    };
    w.arm(
        Method::Put,
        "",
        "2024-03-01",
        Some(json!({"location": "eastus"})),
    )
    .await;
    let st = "/providers/Microsoft.Storage/storageAccounts/st1";
    w.arm(
        Method::Put,
        st,
        "2023-05-01",
        Some(json!({"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"})),
    )
    .await;
    w.arm(
        Method::Put,
        &format!("{st}/blobServices/default/containers/margies"),
        "2023-05-01",
        Some(json!({})),
    )
    .await;
    let keys = w
        .arm(Method::Post, &format!("{st}/listKeys"), "2023-05-01", None)
        .await;
    w.storage_key = keys
        .body
        .as_ref()
        .and_then(|b| b["keys"][0]["value"].as_str())
        .unwrap_or_default()
        .to_owned();
    let svc = "/providers/Microsoft.Search/searchServices/srch1";
    let r = w
        .arm(
            Method::Put,
            svc,
            "2025-05-01",
            Some(json!({"location": "eastus", "sku": {"name": "basic"}, "properties": extra})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let admin = w
        .arm(
            Method::Post,
            &format!("{svc}/listAdminKeys"),
            "2025-05-01",
            None,
        )
        .await;
    w.admin = admin
        .body
        .as_ref()
        .and_then(|b| b["primaryKey"].as_str())
        .unwrap_or_default()
        .to_owned();
    let query = w
        .arm(
            Method::Post,
            &format!("{svc}/listQueryKeys"),
            "2025-05-01",
            None,
        )
        .await;
    w.query = query
        .body
        .as_ref()
        .and_then(|b| b["value"][0]["key"].as_str())
        .unwrap_or_default()
        .to_owned();
    w
}

fn body(r: &HttpResponse) -> &Value {
    r.body.as_ref().unwrap_or(&Value::Null)
}

fn data_source(w: &World, container: &str) -> Value {
    json!({"name": "margies-data", "type": "azureblob",
           "credentials": {"connectionString": format!("DefaultEndpointsProtocol=https;AccountName=st1;AccountKey={};EndpointSuffix=core.windows.net", w.storage_key)},
           "container": {"name": container}})
}

fn index() -> Value {
    json!({"name": "margies-index", "fields": [
        {"name": "id", "type": "Edm.String", "key": true},
        {"name": "content", "type": "Edm.String", "searchable": true},
        {"name": "keyphrases", "type": "Collection(Edm.String)"}]})
}

async fn definitions(w: &World, container: &str) {
    let r = w
        .admin(
            Method::Put,
            "/datasources/margies-data",
            Some(data_source(w, container)),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = w
        .admin(Method::Put, "/indexes('margies-index')", Some(index()))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let skills = json!({"name": "margies-skillset", "skills": [{"@odata.type": "#Microsoft.Skills.Text.KeyPhraseExtractionSkill", "name": "kp",
        "inputs": [{"name": "text", "source": "/document/content"}], "outputs": [{"name": "keyPhrases", "targetName": "keyphrases"}]}]});
    let r = w
        .admin(Method::Put, "/skillsets/margies-skillset", Some(skills))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let indexer = json!({"name": "margies-indexer", "dataSourceName": "margies-data", "targetIndexName": "margies-index", "skillsetName": "margies-skillset"});
    let r = w
        .admin(Method::Put, "/indexers/margies-indexer", Some(indexer))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

#[tokio::test]
async fn an_indexer_over_an_empty_container_succeeds_with_zero_documents() {
    let w = world(json!({})).await;
    definitions(&w, "margies").await;
    let st = w
        .admin(
            Method::Get,
            "/indexers('margies-indexer')/search.status",
            None,
        )
        .await;
    assert_eq!(st.status, 200, "{:?}", st.body);
    assert_eq!(body(&st)["lastResult"]["status"], "success");
    assert_eq!(body(&st)["lastResult"]["itemsProcessed"], 0);
    assert_eq!(
        w.admin(Method::Post, "/indexers/margies-indexer/run", None)
            .await
            .status,
        202
    );
    let st = w
        .admin(Method::Get, "/indexers/margies-indexer/status", None)
        .await;
    assert_eq!(
        body(&st)["executionHistory"].as_array().map(Vec::len),
        Some(2)
    );
    let stats = w
        .admin(Method::Get, "/indexes/margies-index/stats", None)
        .await;
    assert_eq!(body(&stats)["documentCount"], 0);
    // The connection string is kept aside.
    let ds = w
        .admin(Method::Get, "/datasources/margies-data", None)
        .await;
    assert_eq!(body(&ds)["credentials"]["connectionString"], Value::Null);
    assert!(!body(&ds).to_string().contains(&w.storage_key));
}

#[tokio::test]
async fn a_missing_container_or_a_wrong_key_fails_the_run() {
    let w = world(json!({})).await;
    definitions(&w, "no-such-container").await;
    let st = w
        .admin(Method::Get, "/indexers/margies-indexer/status", None)
        .await;
    assert_eq!(body(&st)["lastResult"]["status"], "transientFailure");
    assert!(
        body(&st)["lastResult"]["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("no-such-container")
    );
    let mut ds = data_source(&w, "margies");
    ds["credentials"]["connectionString"] = json!("AccountName=st1;AccountKey=bm90LXRoZS1rZXk=");
    w.admin(Method::Put, "/datasources/margies-data", Some(ds))
        .await;
    w.admin(Method::Post, "/indexers/margies-indexer/search.run", None)
        .await;
    let st = w
        .admin(Method::Get, "/indexers/margies-indexer/status", None)
        .await;
    assert!(
        body(&st)["lastResult"]["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("Credentials")
    );
}

#[tokio::test]
async fn pushed_documents_are_counted_and_query_keys_only_read() {
    let w = world(json!({})).await;
    definitions(&w, "margies").await;
    let batch = json!({"value": [
        {"@search.action": "upload", "id": "1", "content": "a"},
        {"@search.action": "upload", "id": "2", "content": "bb"},
        {"@search.action": "merge", "id": "3", "content": "c"}]});
    let r = w
        .admin(
            Method::Post,
            "/indexes/margies-index/docs/index",
            Some(batch),
        )
        .await;
    assert_eq!(r.status, 207, "one merge of a missing document fails");
    let count = w
        .dp(
            Method::Get,
            "/indexes/margies-index/docs/$count",
            &w.query,
            None,
        )
        .await;
    assert_eq!(count.status, 200);
    assert_eq!(body(&count), &json!(2));
    let stats = w
        .admin(Method::Get, "/indexes/margies-index/stats", None)
        .await;
    assert_eq!(body(&stats)["documentCount"], 2);
    assert!(body(&stats)["storageSize"].as_u64().unwrap_or(0) > 0);
    // A query key reads documents, nothing else.
    assert_eq!(
        w.dp(Method::Get, "/indexes", &w.query, None).await.status,
        403
    );
    assert_eq!(
        w.dp(Method::Get, "/indexes", "not-a-key", None)
            .await
            .status,
        403
    );
    assert_eq!(
        w.dp(Method::Get, "/indexes", &w.admin, None).await.status,
        200
    );
}

#[tokio::test]
async fn definitions_follow_the_service_rules() {
    let w = world(json!({})).await;
    definitions(&w, "margies").await;
    let mut changed = index();
    changed["fields"][1]["type"] = json!("Edm.Int32");
    let r = w
        .admin(Method::Put, "/indexes/margies-index", Some(changed))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        body(&r)["error"]["message"],
        "Existing field 'content' cannot be changed."
    );
    let mut dangling =
        json!({"name": "x", "dataSourceName": "nope", "targetIndexName": "margies-index"});
    let r = w
        .admin(Method::Post, "/indexers", Some(dangling.clone()))
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    dangling["dataSourceName"] = json!("margies-data");
    assert_eq!(
        w.admin(Method::Post, "/indexers", Some(dangling.clone()))
            .await
            .status,
        201
    );
    assert_eq!(
        w.admin(Method::Post, "/indexers", Some(dangling))
            .await
            .status,
        409
    );
    let r = send(
        &w.emu,
        Method::Put,
        &format!("{DP}/indexes/margies-index?{V}"),
        &[("api-key", &w.admin), ("If-None-Match", "*")],
        Some(index()),
    )
    .await;
    assert_eq!(r.status, 412);
    let r = send(
        &w.emu,
        Method::Get,
        &format!("{DP}/indexes"),
        &[("api-key", &w.admin)],
        None,
    )
    .await;
    assert_eq!(r.status, 400, "no api-version");
    assert_eq!(
        w.admin(Method::Delete, "/indexers/x", None).await.status,
        204
    );
    assert_eq!(
        w.admin(Method::Delete, "/indexers/x", None).await.status,
        404
    );
}

/// A JWT-shaped bearer token for principal `oid` (in process, a token is proof of sign-in).
fn bearer(oid: &str) -> String {
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(json!({"oid": oid, "aud": "https://search.azure.com"}).to_string());
    format!("Bearer eyJ0eXAi.{payload}.sig")
}

const LEARNER: &str = "11111111-2222-4333-8444-555555555555";

impl World {
    /// A data-plane request with `LEARNER`'s token.
    async fn as_learner(&self, method: Method, path: &str, body: Option<Value>) -> HttpResponse {
        let sep = if path.contains('?') { '&' } else { '?' };
        let token = bearer(LEARNER);
        let headers = [("Authorization", token.as_str())];
        send(
            &self.emu,
            method,
            &format!("{DP}{path}{sep}{V}"),
            &headers,
            body,
        )
        .await
    }

    /// Assigns `role` (a GUID) to `LEARNER` at `scope` (relative to the resource group).
    async fn assign(&self, scope: &str, name: &str, role: &str) {
        let body = json!({"properties": {
            "roleDefinitionId": format!("/subscriptions/sub1/providers/Microsoft.Authorization/roleDefinitions/{role}"),
            "principalId": LEARNER, "principalType": "User"}});
        let path = format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}");
        let r = self.arm(Method::Put, &path, "2022-04-01", Some(body)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
}

const SRCH: &str = "/providers/Microsoft.Search/searchServices/srch1";
const ROLE_READER: &str = "1407120a-92aa-4202-b7e9-c0e197c71c8f";
const ROLE_DATA_CONTRIBUTOR: &str = "8ebe5a00-799e-43f5-93ac-243d3dce84a7";
const ROLE_SERVICE_CONTRIBUTOR: &str = "7ca78c08-252a-4471-8644-bb5ff32d4ba0";

fn message(r: &HttpResponse) -> String {
    r.body
        .as_ref()
        .map_or_else(String::new, |b| b["error"]["message"].to_string())
}

#[tokio::test]
async fn entra_tokens_need_role_based_access_and_keys_can_be_disabled() {
    let w = world(json!({})).await;
    w.assign(
        SRCH,
        "00000000-0000-4000-8000-000000000001",
        ROLE_SERVICE_CONTRIBUTOR,
    )
    .await;
    let r = w.as_learner(Method::Get, "/indexes", None).await;
    assert_eq!(
        r.status, 403,
        "apiKeyOnly refuses tokens, whatever the roles"
    );
    let w = world(json!({"disableLocalAuth": true})).await;
    let r = w.as_learner(Method::Get, "/indexes", None).await;
    assert_eq!(r.status, 403, "no role yet: {:?}", r.body);
    w.assign(
        SRCH,
        "00000000-0000-4000-8000-000000000001",
        ROLE_SERVICE_CONTRIBUTOR,
    )
    .await;
    let r = w.as_learner(Method::Get, "/indexes", None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = w.admin(Method::Get, "/indexes", None).await;
    assert_eq!(r.status, 403, "keys are refused once local auth is off");
    assert!(message(&r).contains("disableLocalAuth"), "{}", message(&r));
}

#[tokio::test]
async fn each_search_role_allows_what_the_service_documents() {
    let w = world(json!({"authOptions": {"aadOrApiKey": {"aadAuthFailureMode": "http403"}}})).await;
    definitions(&w, "margies").await;
    let docs = "/indexes/margies-index/docs";
    let batch =
        || Some(json!({"value": [{"@search.action": "upload", "id": "1", "content": "a"}]}));
    // No role: nothing, and the refusal names the role it needs.
    let r = w
        .as_learner(Method::Get, &format!("{docs}/$count"), None)
        .await;
    assert_eq!(r.status, 403);
    assert!(
        message(&r).contains("Search Index Data Reader"),
        "{}",
        message(&r)
    );
    // A role on another resource's scope does not count.
    let st = "/providers/Microsoft.Storage/storageAccounts/st1";
    w.assign(st, "00000000-0000-4000-8000-000000000009", ROLE_READER)
        .await;
    assert_eq!(
        w.as_learner(Method::Get, &format!("{docs}/$count"), None)
            .await
            .status,
        403
    );
    // Search Index Data Reader on the service: query, but neither load nor manage.
    w.assign(SRCH, "00000000-0000-4000-8000-000000000002", ROLE_READER)
        .await;
    assert_eq!(
        w.as_learner(Method::Get, &format!("{docs}/$count"), None)
            .await
            .status,
        200
    );
    let r = w
        .as_learner(Method::Post, &format!("{docs}/index"), batch())
        .await;
    assert_eq!(r.status, 403);
    assert!(
        message(&r).contains("Search Index Data Contributor"),
        "{}",
        message(&r)
    );
    let r = w
        .as_learner(Method::Get, "/indexes/margies-index", None)
        .await;
    assert_eq!(r.status, 403);
    assert!(
        message(&r).contains("Search Service Contributor"),
        "{}",
        message(&r)
    );
    // Search Index Data Contributor on the resource group (a parent scope): load documents.
    w.assign(
        "",
        "00000000-0000-4000-8000-000000000003",
        ROLE_DATA_CONTRIBUTOR,
    )
    .await;
    assert_eq!(
        w.as_learner(Method::Post, &format!("{docs}/index"), batch())
            .await
            .status,
        200
    );
    assert_eq!(
        w.as_learner(Method::Get, "/indexes/margies-index", None)
            .await
            .status,
        403
    );
    // Search Service Contributor: manage objects.
    w.assign(
        SRCH,
        "00000000-0000-4000-8000-000000000004",
        ROLE_SERVICE_CONTRIBUTOR,
    )
    .await;
    assert_eq!(
        w.as_learner(Method::Get, "/indexes/margies-index", None)
            .await
            .status,
        200
    );
    // Keys still work alongside Entra (aadOrApiKey).
    assert_eq!(w.admin(Method::Get, "/indexes", None).await.status, 200);
}

#[tokio::test]
async fn the_data_plane_goes_with_its_service() {
    let w = world(json!({})).await;
    definitions(&w, "margies").await;
    let r = w
        .arm(
            Method::Delete,
            "/providers/Microsoft.Search/searchServices/srch1",
            "2025-05-01",
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let req = HttpRequest::new(Method::Get, format!("{DP}/indexes?{V}"));
    assert!(
        w.emu.send(req).await.is_err(),
        "the host no longer resolves"
    );
    // Re-created, the service starts empty.
    let svc = "/providers/Microsoft.Search/searchServices/srch1";
    w.arm(
        Method::Put,
        svc,
        "2025-05-01",
        Some(json!({"location": "eastus", "sku": {"name": "basic"}})),
    )
    .await;
    let admin = w
        .arm(
            Method::Post,
            &format!("{svc}/listAdminKeys"),
            "2025-05-01",
            None,
        )
        .await;
    let key = body(&admin)["primaryKey"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = w.dp(Method::Get, "/indexes", &key, None).await;
    assert_eq!(body(&r)["value"], json!([]));
}

/// An encryption key's application secret is write-only (answered `null`, kept out of logs);
/// indexers and skill inputs show the service's defaults (`fieldMappings`, `disabled`,
/// nested `inputs`).
#[tokio::test]
async fn application_secrets_are_write_only_and_indexers_show_their_defaults() {
    let w = world(json!({})).await;
    definitions(&w, "margies").await;
    let skills = w
        .admin(Method::Get, "/skillsets('margies-skillset')", None)
        .await;
    assert_eq!(body(&skills)["skills"][0]["inputs"][0]["inputs"], json!([]));
    let secret = "planted-application-secret";
    let map = json!({"name": "sm1", "format": "solr", "synonyms": "usa, united states",
        "encryptionKey": {"keyVaultKeyName": "k", "keyVaultKeyVersion": "v",
            "keyVaultUri": "https://kv1.vault.azure.net",
            "accessCredentials": {"applicationId": "00000000-0000-0000-0000-000000000000",
                "applicationSecret": secret}}});
    let r = w.admin(Method::Post, "/synonymmaps", Some(map)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let got = w.admin(Method::Get, "/synonymmaps('sm1')", None).await;
    let creds = &body(&got)["encryptionKey"]["accessCredentials"];
    assert_eq!(creds["applicationSecret"], Value::Null);
    assert_eq!(
        creds["applicationId"],
        "00000000-0000-0000-0000-000000000000"
    );
    assert!(!body(&got).to_string().contains(secret));
    assert!(w.emu.secrets().iter().any(|s| s == secret));
    let ixr = json!({"name": "plain", "dataSourceName": "margies-data",
        "targetIndexName": "margies-index"});
    let r = w.admin(Method::Put, "/indexers('plain')", Some(ixr)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(body(&r)["fieldMappings"], json!([]));
    assert_eq!(body(&r)["disabled"], json!(false));
}

/// An index of every field kind, created with no attribute but its type (and the key).
fn bare_index() -> Value {
    json!({"name": "kinds", "fields": [
        {"name": "id", "type": "Edm.String", "key": true},
        {"name": "rating", "type": "Edm.Int32"},
        {"name": "tags", "type": "Collection(Edm.String)"},
        {"name": "where", "type": "Edm.GeographyPoint"},
        {"name": "emb", "type": "Collection(Edm.Single)", "dimensions": 3, "vectorSearchProfile": "p"},
        {"name": "address", "type": "Edm.ComplexType", "fields": [{"name": "city", "type": "Edm.String"}]}],
        "scoringProfiles": [{"name": "sp", "functions": [{"type": "tag", "fieldName": "tags", "boost": 2, "tag": {"tagsParameter": "t"}}]}],
        "vectorSearch": {"algorithms": [{"name": "a", "kind": "hnsw"}],
            "profiles": [{"name": "p", "algorithm": "a", "compression": "c"}],
            "compressions": [{"name": "c", "kind": "scalarQuantization"}]}})
}

fn field<'a>(index: &'a Value, name: &str) -> &'a Value {
    index["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == name))
        .unwrap_or(&Value::Null)
}

#[tokio::test]
async fn an_index_reads_back_with_the_services_field_attribute_defaults() {
    let w = world(json!({})).await;
    let r = w.admin(Method::Post, "/indexes", Some(bare_index())).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let ix = w.admin(Method::Get, "/indexes('kinds')", None).await;
    let ix = body(&ix);
    let attrs = |n: &str| {
        let f = field(ix, n);
        [
            "searchable",
            "filterable",
            "retrievable",
            "stored",
            "sortable",
            "facetable",
            "key",
        ]
        .map(|a| f[a].as_bool())
    };
    let t = Some(true);
    let f = Some(false);
    assert_eq!(attrs("id"), [t, t, t, t, t, t, t]);
    assert_eq!(attrs("rating"), [f, t, t, t, t, t, f]);
    assert_eq!(attrs("tags"), [t, t, t, t, f, t, f]);
    assert_eq!(attrs("where"), [f, t, t, t, t, f, f]);
    assert_eq!(attrs("emb"), [t, f, t, t, f, f, f]);
    assert_eq!(field(ix, "id")["synonymMaps"], json!([]));
    assert!(field(ix, "id").get("analyzer").is_some_and(Value::is_null));
    // A complex field carries no attributes; its sub-fields do.
    let address = field(ix, "address");
    assert!(address.get("searchable").is_none());
    assert_eq!(address["fields"][0]["searchable"], true);
    assert_eq!(address["fields"][0]["sortable"], true);
}

#[tokio::test]
async fn an_index_reads_back_with_scoring_and_vector_defaults() {
    let w = world(json!({})).await;
    let r = w
        .admin(Method::Put, "/indexes('kinds')", Some(bare_index()))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let ix = body(&r);
    assert_eq!(ix["scoringProfiles"][0]["functionAggregation"], "sum");
    assert_eq!(
        ix["scoringProfiles"][0]["functions"][0]["interpolation"],
        "linear"
    );
    let hnsw = &ix["vectorSearch"]["algorithms"][0]["hnswParameters"];
    assert_eq!(
        (
            &hnsw["metric"],
            &hnsw["m"],
            &hnsw["efConstruction"],
            &hnsw["efSearch"]
        ),
        (&json!("cosine"), &json!(4), &json!(400), &json!(500))
    );
    let c = &ix["vectorSearch"]["compressions"][0];
    assert_eq!(c["rerankWithOriginalVectors"], true);
    assert_eq!(c["defaultOversampling"], 4.0);
    // What the client sets is kept.
    let mut custom = bare_index();
    custom["fields"][1]["filterable"] = json!(false);
    let r = w
        .admin(Method::Put, "/indexes('kinds')", Some(custom))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(field(body(&r), "rating")["filterable"], false);
}

/// A world whose index `kinds` holds three documents (`rating` 3, 1, 2; `where` not
/// retrievable).
async fn held_documents() -> World {
    let w = world(json!({})).await;
    let mut ix = bare_index();
    ix["fields"][3]["retrievable"] = json!(false);
    let r = w.admin(Method::Post, "/indexes", Some(ix)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let batch = json!({"value": [
        {"@search.action": "upload", "id": "a", "rating": 3, "tags": ["x"], "where": {"type": "Point", "coordinates": [1.0, 2.0]}},
        {"@search.action": "upload", "id": "b", "rating": 1, "tags": []},
        {"@search.action": "upload", "id": "c", "rating": 2}]});
    let r = w
        .admin(
            Method::Post,
            "/indexes('kinds')/docs/search.index",
            Some(batch),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    w
}

#[tokio::test]
async fn a_document_is_read_by_key_with_select_and_only_retrievable_fields() {
    let w = held_documents().await;
    let q = w.query.clone();
    let r = w
        .dp(
            Method::Get,
            "/indexes('kinds')/docs('a')?$select=id,rating",
            &q,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(body(&r), &json!({"id": "a", "rating": 3}));
    let r = w.dp(Method::Get, "/indexes/kinds/docs/a", &q, None).await;
    assert_eq!(body(&r)["tags"], json!(["x"]));
    assert!(body(&r).get("where").is_none(), "not retrievable");
    assert_eq!(body(&r)["address"], Value::Null);
    let r = w
        .dp(Method::Get, "/indexes/kinds/docs('zz')", &q, None)
        .await;
    assert_eq!(r.status, 404);
    let r = w
        .dp(
            Method::Get,
            "/indexes/kinds/docs('a')?$select=nope",
            &q,
            None,
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn a_match_all_search_pages_counts_orders_and_selects_held_documents() {
    let w = held_documents().await;
    let q = w.query.clone();
    let path =
        "/indexes('kinds')/docs?search=*&$count=true&$orderby=rating%20desc&$top=2&$select=id";
    let r = w.dp(Method::Get, path, &q, None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        body(&r),
        &json!({"@odata.count": 3, "value": [
            {"id": "a", "@search.score": 1.0}, {"id": "c", "@search.score": 1.0}]})
    );
    let post = json!({"search": "*", "orderby": "rating asc", "skip": 1, "select": "id, rating"});
    let r = w
        .dp(
            Method::Post,
            "/indexes('kinds')/docs/search.post.search",
            &q,
            Some(post),
        )
        .await;
    assert_eq!(
        body(&r)["value"],
        json!([{"id": "c", "rating": 2, "@search.score": 1.0}, {"id": "a", "rating": 3, "@search.score": 1.0}])
    );
    let r = w
        .dp(
            Method::Get,
            "/indexes('kinds')/docs?$orderby=tags",
            &q,
            None,
        )
        .await;
    assert_eq!(r.status, 400, "a collection is not sortable");
}

#[tokio::test]
async fn queries_the_emulator_cannot_compute_are_refused_never_scored() {
    let w = held_documents().await;
    let q = w.query.clone();
    for (method, path, b) in [
        (Method::Get, "/indexes('kinds')/docs?search=hotel", None),
        (
            Method::Get,
            "/indexes('kinds')/docs?search=*&$filter=rating%20gt%201",
            None,
        ),
        (
            Method::Post,
            "/indexes('kinds')/docs/search.post.search",
            Some(
                json!({"search": "*", "vectorQueries": [{"kind": "vector", "vector": [1, 2, 3], "fields": "emb"}]}),
            ),
        ),
        (
            Method::Post,
            "/indexes('kinds')/docs/search.post.search",
            Some(json!({"search": "*", "queryType": "semantic"})),
        ),
        (
            Method::Get,
            "/indexes('kinds')/docs/search.suggest?search=ho&suggesterName=sg",
            None,
        ),
        (
            Method::Post,
            "/indexes('kinds')/docs/search.post.autocomplete",
            Some(json!({"search": "ho", "suggesterName": "sg"})),
        ),
    ] {
        let r = w.dp(method, path, &q, b).await;
        assert_eq!(r.status, 501, "{path}: {:?}", r.body);
        assert!(message(&r).contains("never invents a score"), "{path}");
    }
}

#[tokio::test]
async fn analyze_computes_the_predefined_analyzers_it_can_and_refuses_the_rest() {
    let w = world(json!({})).await;
    let r = w.admin(Method::Post, "/indexes", Some(bare_index())).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let path = "/indexes('kinds')/search.analyze";
    let toks = |r: &HttpResponse| -> Vec<(String, u64, u64, u64)> {
        body(r)["tokens"]
            .as_array()
            .map(|t| {
                t.iter()
                    .map(|t| {
                        let n = |k: &str| t[k].as_u64().unwrap_or(u64::MAX);
                        (
                            t["token"].as_str().unwrap_or_default().to_owned(),
                            n("startOffset"),
                            n("endOffset"),
                            n("position"),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let tok = |t: &str, s: u64, e: u64, p: u64| (t.to_owned(), s, e, p);
    let r = w
        .admin(
            Method::Post,
            path,
            Some(json!({"text": "The Quick-brown FOX", "analyzer": "standard.lucene"})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        toks(&r),
        vec![
            tok("the", 0, 3, 0),
            tok("quick", 4, 9, 1),
            tok("brown", 10, 15, 2),
            tok("fox", 16, 19, 3)
        ]
    );
    let r = w
        .admin(
            Method::Post,
            path,
            Some(json!({"text": "The fox is in it", "analyzer": "stop"})),
        )
        .await;
    assert_eq!(
        toks(&r),
        vec![tok("fox", 4, 7, 1)],
        "stop words leave position gaps"
    );
    let r = w
        .admin(
            Method::Post,
            path,
            Some(json!({"text": "Ab  c\td", "analyzer": "whitespace"})),
        )
        .await;
    assert_eq!(
        toks(&r),
        vec![tok("Ab", 0, 2, 0), tok("c", 4, 5, 1), tok("d", 6, 7, 2)]
    );
    let r = w
        .admin(
            Method::Post,
            path,
            Some(json!({"text": "A b", "analyzer": "keyword"})),
        )
        .await;
    assert_eq!(toks(&r), vec![tok("A b", 0, 3, 0)]);
    for refused in [
        json!({"text": "e.g. U.S.A.", "analyzer": "standard.lucene"}),
        json!({"text": "clouds", "analyzer": "en.lucene"}),
        json!({"text": "clouds", "tokenizer": "standard_v2"}),
    ] {
        let r = w.admin(Method::Post, path, Some(refused.clone())).await;
        assert_eq!(r.status, 501, "{refused}: {:?}", r.body);
    }
}

#[tokio::test]
async fn the_index_limits_are_enforced_and_answered_in_the_service_statistics() {
    let w = world(json!({})).await;
    let mut many: Vec<Value> = (0..1000)
        .map(|i| json!({"name": format!("f{i}"), "type": "Edm.Int32"}))
        .collect();
    many.push(json!({"name": "id", "type": "Edm.String", "key": true}));
    let r = w
        .admin(
            Method::Post,
            "/indexes",
            Some(json!({"name": "wide", "fields": many})),
        )
        .await;
    assert_eq!(r.status, 400, "1001 fields: {:?}", r.body);
    assert!(message(&r).contains("1000"), "{}", message(&r));
    let mut deep = json!({"name": "leaf", "type": "Edm.String"});
    for i in 0..10 {
        deep = json!({"name": format!("c{i}"), "type": "Edm.ComplexType", "fields": [deep]});
    }
    let ix = json!({"name": "deep", "fields": [{"name": "id", "type": "Edm.String", "key": true}, deep]});
    let r = w.admin(Method::Post, "/indexes", Some(ix)).await;
    assert_eq!(r.status, 400, "11 levels: {:?}", r.body);
    let ix = json!({"name": "rooms", "fields": [{"name": "id", "type": "Edm.String", "key": true},
        {"name": "rooms", "type": "Collection(Edm.ComplexType)", "fields": [{"name": "n", "type": "Edm.Int32"}]}]});
    let r = w.admin(Method::Post, "/indexes", Some(ix)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let rooms = |n: usize| json!(vec![json!({"n": 1}); n]);
    let batch =
        json!({"value": [{"id": "ok", "rooms": rooms(3000)}, {"id": "big", "rooms": rooms(3001)}]});
    let r = w
        .admin(Method::Post, "/indexes/rooms/docs/index", Some(batch))
        .await;
    assert_eq!(r.status, 207, "{:?}", r.body);
    assert_eq!(body(&r)["value"][0]["status"], true);
    assert_eq!(body(&r)["value"][1]["status"], false);
    let stats = w.admin(Method::Get, "/servicestats", None).await;
    assert_eq!(
        body(&stats)["limits"],
        json!({"maxFieldsPerIndex": 1000, "maxFieldNestingDepthPerIndex": 10,
               "maxComplexCollectionFieldsPerIndex": 100, "maxComplexObjectsInCollectionsPerDocument": 3000})
    );
}

#[tokio::test]
async fn a_vectorizer_api_key_is_redacted_and_kept_when_sent_back_redacted() {
    let w = world(json!({})).await;
    let secret = "sk-vectorizer-0123456789";
    let mut ix = bare_index();
    ix["vectorSearch"]["vectorizers"] = json!([{"name": "oai", "kind": "azureOpenAI",
        "azureOpenAIParameters": {"resourceUri": "https://x.openai.azure.com", "deploymentId": "d", "apiKey": secret, "modelName": "text-embedding-3-large"}}]);
    let r = w.admin(Method::Post, "/indexes", Some(ix)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let got = w.admin(Method::Get, "/indexes('kinds')", None).await;
    let params = &body(&got)["vectorSearch"]["vectorizers"][0]["azureOpenAIParameters"];
    assert_eq!(params["apiKey"], "<redacted>");
    assert!(!body(&got).to_string().contains(secret));
    // Sending the definition back as read keeps the key (it stays a secret of the index).
    let r = w
        .admin(Method::Put, "/indexes('kinds')", Some(body(&got).clone()))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let kept = w
        .emu
        .lock()
        .world
        .resources
        .values()
        .find(|r| r.id.ends_with("/dataPlane/indexes/kinds"))
        .and_then(|r| r.secrets.clone());
    assert_eq!(
        kept,
        Some(json!({"vectorizerApiKeys": {"oai": secret}})),
        "the key is kept with the index's secrets"
    );
    assert!(w.emu.secrets().iter().any(|s| s == secret));
}
