//! Cognitive Services accounts: kinds and SKUs, one free account per kind, subdomains, keys,
//! soft delete (FlagMustBeSetForRestore, purge, restore), Foundry projects and connections.

use serde_json::{Value, json};

use super::{BASE, Fixture, body, code, message, resource_group};
use crate::arm::transport::Method;

pub(super) const API: &str = "2025-06-01";

pub(super) fn account_url(name: &str, rest: &str) -> String {
    format!(
        "{BASE}/resourceGroups/rg1/providers/Microsoft.CognitiveServices/accounts/{name}{rest}?api-version={API}"
    )
}

fn deleted_url(name: &str) -> String {
    format!(
        "{BASE}/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/rg1/deletedAccounts/{name}?api-version={API}"
    )
}

pub(super) fn account(kind: &str, sku: &str, subdomain: Option<&str>) -> Value {
    let mut b =
        json!({"location": "East US", "kind": kind, "sku": {"name": sku}, "properties": {}});
    if let Some(s) = subdomain {
        b["properties"]["customSubDomainName"] = json!(s);
    }
    b
}

/// Creates and settles an account.
pub(super) async fn create(f: &Fixture, name: &str, body: Value) -> Value {
    let r = f.put_ok(&account_url(name, ""), body, 201).await;
    assert!(
        r.header("Azure-AsyncOperation").is_some(),
        "{:?}",
        r.headers
    );
    f.settle();
    let r = f.get(&account_url(name, "")).await;
    assert_eq!(r.status, 200);
    r.body.unwrap_or_default()
}

#[tokio::test]
async fn accounts_have_kinds_skus_endpoints_and_an_async_put() {
    let f = resource_group().await;
    let r = f
        .put(&account_url("a1", ""), account("Emotionz", "S0", None))
        .await;
    assert_eq!((r.status, code(&r)), (400, "InvalidApiSetId"));
    let r = f
        .put(&account_url("a1", ""), account("OpenAI", "F0", None))
        .await;
    assert_eq!((r.status, code(&r)), (400, "InvalidSkuId"), "{:?}", r.body);
    let r = f
        .put_ok(
            &account_url("a1", ""),
            account("OpenAI", "S0", Some("oai-a1")),
            201,
        )
        .await;
    assert_eq!(body(&r)["properties"]["provisioningState"], "Creating");
    f.settle();
    let a = f.get(&account_url("a1", "")).await;
    let a = body(&a);
    assert_eq!(a["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        a["properties"]["endpoint"],
        "https://oai-a1.openai.azure.com/"
    );
    assert_eq!(a["location"], "eastus");
    assert!(a.get("key1").is_none() && !a.to_string().contains("key1"));
    // The kind cannot change.
    let r = f
        .put(
            &account_url("a1", ""),
            account("AIServices", "S0", Some("oai-a1")),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "Conflict"));
    // A multi-service account without subdomain answers on the regional endpoint.
    let c = create(&f, "multi", account("CognitiveServices", "S0", None)).await;
    assert_eq!(
        c["properties"]["endpoint"],
        "https://eastus.api.cognitive.microsoft.com/"
    );
}

#[tokio::test]
async fn a_second_free_account_of_a_kind_is_refused() {
    let f = resource_group().await;
    create(&f, "speech1", account("SpeechServices", "F0", None)).await;
    let r = f
        .put(
            &account_url("speech2", ""),
            account("SpeechServices", "F0", None),
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "CanNotCreateMultipleFreeAccounts")
    );
    assert_eq!(
        message(&r),
        "Operation failed. Only one free account is allowed for account type 'SpeechServices'."
    );
    // Another kind may have its own free account, and S0 is always fine.
    create(&f, "lang1", account("TextAnalytics", "F0", None)).await;
    create(&f, "speech2", account("SpeechServices", "S0", None)).await;
    // Re-putting the free account itself is an update, not a second one.
    f.put_ok(
        &account_url("speech1", ""),
        account("SpeechServices", "F0", None),
        200,
    )
    .await;
}

#[tokio::test]
async fn subdomains_are_unique_and_needed_by_network_rules() {
    let f = resource_group().await;
    create(&f, "a1", account("AIServices", "S0", Some("shared-name"))).await;
    let r = f
        .put(
            &account_url("a2", ""),
            account("AIServices", "S0", Some("Shared-Name")),
        )
        .await;
    assert_eq!((r.status, code(&r)), (400, "CustomDomainInUse"));
    let mut b = account("ComputerVision", "S1", None);
    b["properties"]["networkAcls"] =
        json!({"defaultAction": "Deny", "ipRules": [{"value": "203.0.113.7"}]});
    let r = f.put(&account_url("cv", ""), b.clone()).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert!(
        message(&r).contains("customSubDomainName"),
        "{}",
        message(&r)
    );
    b["properties"]["customSubDomainName"] = json!("cv-rules");
    let a = create(&f, "cv", b).await;
    assert_eq!(a["properties"]["networkAcls"]["defaultAction"], "Deny");
    assert_eq!(
        a["properties"]["networkAcls"]["virtualNetworkRules"],
        json!([])
    );
}

#[tokio::test]
async fn keys_are_listed_regenerated_one_at_a_time_and_refused_without_local_auth() {
    let f = resource_group().await;
    create(&f, "a1", account("ContentSafety", "S0", Some("cs-a1"))).await;
    let r = f.post(&account_url("a1", "/listKeys"), None).await;
    assert_eq!(r.status, 200);
    let k1 = body(&r)["key1"].as_str().unwrap_or_default().to_owned();
    let k2 = body(&r)["key2"].as_str().unwrap_or_default().to_owned();
    assert_eq!((k1.len(), k2.len()), (32, 32));
    assert!(f.secrets().contains(&k1) && f.secrets().contains(&k2));
    let r = f
        .post(
            &account_url("a1", "/regenerateKey"),
            Some(json!({"keyName": "Key1"})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_ne!(body(&r)["key1"], json!(k1));
    assert_eq!(body(&r)["key2"], json!(k2));
    let mut b = account("ContentSafety", "S0", Some("cs-a1"));
    b["properties"]["disableLocalAuth"] = json!(true);
    f.put_ok(&account_url("a1", ""), b, 200).await;
    f.settle();
    let r = f.post(&account_url("a1", "/listKeys"), None).await;
    assert_eq!(r.status, 400);
    assert!(message(&r).contains("disableLocalAuth"));
}

#[tokio::test]
async fn soft_delete_blocks_the_name_until_purged() {
    let f = resource_group().await;
    create(&f, "lang", account("TextAnalytics", "S", Some("lang-sd"))).await;
    let r = f.delete(&account_url("lang", "")).await;
    assert_eq!(r.status, 202);
    assert!(r.header("Azure-AsyncOperation").is_some());
    f.settle();
    assert_eq!(f.get(&account_url("lang", "")).await.status, 404);
    let r = f.get(&deleted_url("lang")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        body(&r)["id"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/resourceGroups/rg1/deletedAccounts/lang")
    );
    assert!(body(&r)["properties"]["scheduledPurgeDate"].is_string());
    let list = f
        .get(&format!(
            "{BASE}/providers/Microsoft.CognitiveServices/deletedAccounts?api-version={API}"
        ))
        .await;
    assert_eq!(body(&list)["value"].as_array().map(Vec::len), Some(1));
    // Re-creating the name fails, in the service's words.
    let r = f
        .put(
            &account_url("lang", ""),
            account("TextAnalytics", "S", Some("lang-sd")),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "FlagMustBeSetForRestore"));
    assert!(message(&r).contains(
        "has been soft-deleted. To restore the resource, you must specify 'restore' to be 'true'"
    ));
    // Its subdomain stays taken too.
    let r = f
        .put(
            &account_url("other", ""),
            account("TextAnalytics", "S", Some("lang-sd")),
        )
        .await;
    assert_eq!(code(&r), "CustomDomainInUse");
    // Purge (long-running), then the name is free.
    let r = f.delete(&deleted_url("lang")).await;
    assert_eq!(r.status, 202);
    let op = r
        .header("Azure-AsyncOperation")
        .unwrap_or_default()
        .to_owned();
    assert_eq!(body(&f.get(&op).await)["status"], "InProgress");
    f.settle();
    assert_eq!(body(&f.get(&op).await)["status"], "Succeeded");
    assert_eq!(f.get(&deleted_url("lang")).await.status, 404);
    create(&f, "lang", account("TextAnalytics", "S", Some("lang-sd"))).await;
}

#[tokio::test]
async fn restore_brings_back_the_account_its_deployments_and_keys() {
    let f = resource_group().await;
    create(&f, "oai", account("OpenAI", "S0", Some("oai-restore"))).await;
    let keys = f.post(&account_url("oai", "/listKeys"), None).await;
    f.put_ok(
        &account_url("oai", "/deployments/gpt-4o"),
        json!({"sku": {"name": "Standard", "capacity": 5}, "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-05-13"}}}),
        201,
    )
    .await;
    f.settle();
    // Deleting the resource group soft-deletes the account too.
    let r = f
        .delete(&format!("{BASE}/resourceGroups/rg1?api-version=2024-03-01"))
        .await;
    assert_eq!(r.status, 202);
    f.settle();
    f.put_ok(
        &format!("{BASE}/resourceGroups/rg1?api-version=2024-03-01"),
        json!({"location": "eastus"}),
        201,
    )
    .await;
    assert_eq!(f.get(&deleted_url("oai")).await.status, 200);
    let mut b = account("OpenAI", "S0", Some("oai-restore"));
    b["properties"]["restore"] = json!(true);
    f.put_ok(&account_url("oai", ""), b, 201).await;
    f.settle();
    assert_eq!(f.get(&deleted_url("oai")).await.status, 404);
    let a = f.get(&account_url("oai", "")).await;
    assert_eq!(body(&a)["properties"]["restore"], Value::Null);
    let d = f.get(&account_url("oai", "/deployments/gpt-4o")).await;
    assert_eq!(d.status, 200);
    assert_eq!(body(&d)["sku"]["capacity"], 5);
    let again = f.post(&account_url("oai", "/listKeys"), None).await;
    assert_eq!(body(&again), body(&keys));
    // Restoring what is not deleted is an error.
    let mut b = account("OpenAI", "S0", Some("never"));
    b["properties"]["restore"] = json!(true);
    let r = f.put(&account_url("never", ""), b).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn foundry_projects_need_project_management_and_answer_202_without_location() {
    let f = resource_group().await;
    create(&f, "plain", account("AIServices", "S0", Some("plain-ai"))).await;
    let purl = |a: &str| account_url(a, "/projects/proj1");
    let r = f
        .put(
            &purl("plain"),
            json!({"location": "eastus", "properties": {}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(message(&r).contains("allowProjectManagement"));
    let mut b = account("CognitiveServices", "S0", Some("cog-x"));
    b["properties"]["allowProjectManagement"] = json!(true);
    let r = f.put(&account_url("cog", ""), b).await;
    assert_eq!(r.status, 400);
    let mut b = account("AIServices", "S0", Some("foundry-x"));
    b["properties"]["allowProjectManagement"] = json!(true);
    let a = create(&f, "foundry", b).await;
    assert_eq!(
        a["properties"]["endpoints"]["AI Foundry API"],
        "https://foundry-x.services.ai.azure.com/"
    );
    let r = f
        .put(&purl("foundry"), json!({"location": "eastus", "properties": {"displayName": "p1"}, "identity": {"type": "SystemAssigned"}}))
        .await;
    assert_eq!(r.status, 202);
    assert!(r.header("Location").is_none() && r.header("Azure-AsyncOperation").is_none());
    assert_eq!(body(&r)["properties"]["provisioningState"], "Creating");
    f.settle();
    let p = f.get(&purl("foundry")).await;
    let p = body(&p);
    assert_eq!(p["properties"]["isDefault"], true);
    assert_eq!(
        p["properties"]["endpoints"]["AI Foundry API"],
        "https://foundry-x.services.ai.azure.com/api/projects/proj1"
    );
    // Connections keep their credentials out of every GET.
    let conn = account_url("foundry", "/projects/proj1/connections/search1");
    let r = f
        .send(
            Method::Put,
            &conn,
            Some(json!({"properties": {"category": "CognitiveSearch", "target": "https://srch.search.windows.net", "authType": "ApiKey", "credentials": {"key": "planted-search-admin-key-123"}}})),
        )
        .await;
    // Synchronous, and 200 for a create too (as the spec's example answers).
    assert_eq!(r.status, 200, "{:?}", r.body);
    let g = f.get(&conn).await;
    assert!(
        !g.body
            .unwrap_or_default()
            .to_string()
            .contains("planted-search-admin-key-123")
    );
    assert!(
        f.secrets()
            .iter()
            .any(|s| s == "planted-search-admin-key-123")
    );
}

#[tokio::test]
async fn activity_log_alerts_need_scopes_and_known_event_fields() {
    let f = resource_group().await;
    let url = format!(
        "{BASE}/resourceGroups/rg1/providers/Microsoft.Insights/activityLogAlerts/Key%20List%20Alert?api-version=2020-10-01"
    );
    let rule = |field: &str| {
        json!({"location": "Global", "properties": {
            "scopes": ["/subscriptions/sub1/resourceGroups/rg1"],
            "condition": {"allOf": [{"field": "category", "equals": "Administrative"},
                                    {"field": field, "equals": "Microsoft.CognitiveServices/accounts/listKeys/action"}]},
            "actions": {"actionGroups": []}}})
    };
    let r = f.put(&url, rule("operation")).await;
    assert_eq!(r.status, 400);
    assert!(
        message(&r).contains("not an Activity Log event field"),
        "{}",
        message(&r)
    );
    let mut no_scope = rule("operationName");
    no_scope["properties"]["scopes"] = json!([]);
    assert_eq!(f.put(&url, no_scope).await.status, 400);
    let r = f.put(&url, rule("operationName")).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(body(&r)["name"], "Key List Alert");
    assert_eq!(body(&r)["properties"]["enabled"], true);
}

#[tokio::test]
async fn diagnostic_settings_need_a_destination_and_the_service_categories() {
    let f = resource_group().await;
    create(&f, "ai", account("AIServices", "S0", Some("diag-ai"))).await;
    let url = |name: &str| {
        format!(
            "{BASE}/resourceGroups/rg1/providers/Microsoft.CognitiveServices/accounts/ai/providers/Microsoft.Insights/diagnosticSettings/{name}?api-version=2021-05-01-preview"
        )
    };
    let st =
        "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/stdiag";
    let setting = |category: &str| {
        json!({"properties": {"storageAccountId": st,
            "logs": [{"category": category, "enabled": true}],
            "metrics": [{"category": "AllMetrics", "enabled": true}]}})
    };
    // The storage account must exist.
    let r = f.put(&url("logs"), setting("Audit")).await;
    assert_eq!(r.status, 400);
    assert!(message(&r).contains("was not found"), "{}", message(&r));
    f.put_ok(
        &format!("{BASE}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/stdiag?api-version=2023-05-01"),
        json!({"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}),
        202,
    )
    .await;
    f.settle();
    let r = f.put(&url("logs"), setting("FunctionAppLogs")).await;
    assert_eq!(r.status, 400);
    assert!(
        message(&r).contains("Category 'FunctionAppLogs' is not supported"),
        "{}",
        message(&r)
    );
    let r = f
        .put(
            &url("logs"),
            json!({"properties": {"logs": [{"category": "Audit", "enabled": true}]}}),
        )
        .await;
    assert!(
        message(&r).contains("needs a destination"),
        "{}",
        message(&r)
    );
    let r = f.put(&url("logs"), setting("RequestResponse")).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    // It lives and dies with the account: a soft-deleted account keeps it for a restore.
    f.delete(&account_url("ai", "")).await;
    f.settle();
    assert_eq!(f.get(&url("logs")).await.status, 404);
}
