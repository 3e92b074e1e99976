//! Workspace actions and sub-resources, registry credentials, the storage name check and
//! subscription-wide lists.

use serde_json::json;

use super::{BASE, body, code, target, workspace, ws_url};

fn rg_url(rest: &str, api: &str) -> String {
    format!("{BASE}/resourceGroups/rg1{rest}?api-version={api}")
}

#[tokio::test]
async fn workspace_keys_come_from_its_dependencies_and_are_issued_secrets() {
    let f = workspace().await;
    let storage = f
        .post(
            &rg_url(
                "/providers/Microsoft.Storage/storageAccounts/st1/listKeys",
                "2023-05-01",
            ),
            None,
        )
        .await;
    let key1 = body(&storage)["keys"][0]["value"].clone();
    let keys = f.post(&ws_url("/listKeys"), None).await;
    assert_eq!(keys.status, 200, "{:?}", keys.body);
    let b = body(&keys);
    assert_eq!(b["userStorageKey"], key1);
    assert!(
        b["userStorageArmId"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/storageAccounts/st1")
    );
    assert!(b["appInsightsInstrumentationKey"].is_string());
    assert!(
        b["containerRegistryCredentials"].is_null(),
        "no registry: {b}"
    );
    let notebook = b["notebookAccessKeys"]["primaryAccessKey"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(notebook.len() >= 40 && f.secrets().contains(&notebook));
    // The notebook keys are issued once: listNotebookKeys answers the same.
    let nb = f.post(&ws_url("/listNotebookKeys"), None).await;
    assert_eq!(body(&nb)["primaryAccessKey"], json!(notebook));
    let st = f.post(&ws_url("/listStorageAccountKeys"), None).await;
    assert_eq!(body(&st)["userStorageKey"], key1);
    // No key reaches a GET of the workspace.
    let get = f
        .get(&ws_url(""))
        .await
        .body
        .map(|b| b.to_string())
        .unwrap_or_default();
    assert!(!get.contains(&notebook) && !get.contains(key1.as_str().unwrap_or("-")));
}

#[tokio::test]
async fn notebook_token_diagnose_resync_and_prepare() {
    let f = workspace().await;
    let t = f.post(&ws_url("/listNotebookAccessToken"), None).await;
    assert_eq!(t.status, 200, "{:?}", t.body);
    let token = body(&t)["accessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(token.len() >= 40 && f.secrets().contains(&token));
    assert_eq!(body(&t)["tokenType"], "Bearer");
    let p = f.post(&ws_url("/prepareNotebook"), None).await;
    assert!(
        body(&p)["fqdn"]
            .as_str()
            .unwrap_or_default()
            .ends_with(".notebooks.azure.net")
    );
    let r = f.post(&ws_url("/resyncKeys"), None).await;
    assert_eq!(r.status, 200);
    let d = f
        .post(
            &ws_url("/diagnose"),
            Some(json!({"value": {"udr": {}, "nsg": {}}})),
        )
        .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    let v = &body(&d)["value"];
    assert_eq!(v.as_object().map(|o| o.len()), Some(9), "{v}");
    assert_eq!(v["dnsResolutionResults"], json!([]));
    let bad = f
        .post(&ws_url("/diagnose"), Some(json!({"value": 3})))
        .await;
    assert_eq!((bad.status, target(&bad)), (400, "value"));
}

#[tokio::test]
async fn outbound_endpoints_are_a_read_only_sub_resource() {
    let f = workspace().await;
    let r = f
        .get(&ws_url("/outboundNetworkDependenciesEndpoints"))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let categories: Vec<&str> = body(&r)["value"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["properties"]["category"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        categories.contains(&"Azure Active Directory"),
        "{categories:?}"
    );
    let storage = body(&r).to_string();
    assert!(storage.contains("st1.blob.core.windows.net"));
    // Only GET; and only under an existing workspace.
    let put = f
        .put(&ws_url("/outboundNetworkDependenciesEndpoints"), json!({}))
        .await;
    assert_eq!(put.status, 405);
    let missing = f
        .get(&ws_url("/outboundNetworkDependenciesEndpoints").replace("/ws1/", "/nope/"))
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn registry_credentials_need_the_admin_user_and_are_secrets() {
    let f = workspace().await;
    let acr = |rest: &str| {
        rg_url(
            &format!("/providers/Microsoft.ContainerRegistry/registries/acrone1{rest}"),
            "2023-07-01",
        )
    };
    f.put(
        &acr(""),
        json!({"location": "eastus", "sku": {"name": "Basic"}}),
    )
    .await;
    f.settle();
    let r = f.post(&acr("/listCredentials"), None).await;
    assert_eq!((r.status, code(&r)), (400, "AdminUserDisabled"));
    let patch = f
        .send(
            crate::arm::transport::Method::Patch,
            &acr(""),
            Some(json!({"properties": {"adminUserEnabled": true}})),
        )
        .await;
    assert_eq!(patch.status, 200, "{:?}", patch.body);
    let r = f.post(&acr("/listCredentials"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["username"], "acrone1");
    let p2 = body(&r)["passwords"][1]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(p2.len() == 52 && f.secrets().contains(&p2));
    let regen = f
        .post(
            &acr("/regenerateCredential"),
            Some(json!({"name": "password2"})),
        )
        .await;
    let fresh = body(&regen)["passwords"][1]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(fresh != p2 && f.secrets().contains(&fresh));
    let generated = f.post(&acr("/generateCredentials"), Some(json!({}))).await;
    assert_eq!(
        body(&generated)["passwords"].as_array().map(Vec::len),
        Some(2)
    );
    let get = f
        .get(&acr(""))
        .await
        .body
        .map(|b| b.to_string())
        .unwrap_or_default();
    assert!(!get.contains(&fresh));
    assert_eq!(
        f.get(&acr("")).await.body.unwrap_or_default()["properties"]["networkRuleSet"]["defaultAction"],
        "Allow"
    );
}

async fn check(f: &super::Fixture, name: &str) -> serde_json::Value {
    let r = f
        .post(
            &format!(
                "{BASE}/providers/Microsoft.Storage/checkNameAvailability?api-version=2023-05-01"
            ),
            Some(json!({"name": name, "type": "Microsoft.Storage/storageAccounts"})),
        )
        .await;
    body(&r).clone()
}

#[tokio::test]
async fn storage_name_check_and_subscription_wide_workspace_list() {
    let f = workspace().await;
    assert_eq!(check(&f, "st1").await["reason"], "AlreadyExists");
    assert_eq!(check(&f, "Bad_Name").await["reason"], "AccountNameInvalid");
    assert_eq!(check(&f, "freename1").await["nameAvailable"], true);
    let list = f
        .get(&format!(
            "{BASE}/providers/Microsoft.MachineLearningServices/workspaces?api-version=2025-12-01"
        ))
        .await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    assert_eq!(body(&list)["value"][0]["name"], "ws1");
}

#[tokio::test]
async fn app_insights_and_key_vault_accept_patch() {
    let f = workspace().await;
    let ai = rg_url("/providers/Microsoft.Insights/components/ai1", "2020-02-02");
    let r = f
        .send(
            crate::arm::transport::Method::Patch,
            &ai,
            Some(json!({"tags": {"team": "ml"}})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(body(&r)["tags"]["team"], "ml");
    assert_eq!(body(&r)["properties"]["Application_Type"], "web");
    let kv = rg_url("/providers/Microsoft.KeyVault/vaults/kv1", "2023-07-01");
    let r = f
        .send(
            crate::arm::transport::Method::Patch,
            &kv,
            Some(json!({"properties": {"enableSoftDelete": true}})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(body(&r)["properties"]["enableSoftDelete"], true);
    assert_eq!(body(&r)["properties"]["sku"]["name"], "standard");
}

#[tokio::test]
async fn workspace_connections_keep_credentials_for_listsecrets_and_list_by_category() {
    let f = workspace().await;
    let acr = json!({"properties": {"category": "ContainerRegistry", "target": "myacr.azurecr.io",
        "authType": "UsernamePassword",
        "credentials": {"username": "myacr", "password": "planted-acr-password-1"}}});
    let r = f.put(&ws_url("/connections/acr"), acr).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        body(&r)["type"],
        "Microsoft.MachineLearningServices/workspaces/connections"
    );
    assert!(!format!("{:?}", r.body).contains("planted-acr-password-1"));
    let git = json!({"properties": {"category": "Git", "target": "https://github.com/x/y", "authType": "None"}});
    assert_eq!(f.put(&ws_url("/connections/git"), git).await.status, 200);
    let r = f.get(&ws_url("/connections/acr")).await;
    assert!(!format!("{:?}", r.body).contains("planted-acr-password-1"));
    assert_eq!(body(&r)["properties"]["target"], "myacr.azurecr.io");
    let r = f.post(&ws_url("/connections/acr/listsecrets"), None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        body(&r)["properties"]["credentials"]["password"],
        "planted-acr-password-1"
    );
    assert!(f.secrets().contains(&"planted-acr-password-1".to_owned()));
    let names = |r: &crate::arm::transport::HttpResponse| -> Vec<String> {
        body(r)["value"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c["name"].as_str())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(names(&f.get(&ws_url("/connections")).await), ["acr", "git"]);
    let r = f
        .get(&ws_url("/connections?category=containerregistry"))
        .await;
    assert_eq!(names(&r), ["acr"]);
    let r = f
        .get(&ws_url("/connections?category=Git&target=https://other"))
        .await;
    assert!(names(&r).is_empty());
    // PATCH keeps the credentials; a missing authType is refused.
    let r = f
        .patch(
            &ws_url("/connections/acr"),
            json!({"properties": {"target": "other.azurecr.io"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = f.post(&ws_url("/connections/acr/listsecrets"), None).await;
    assert_eq!(body(&r)["properties"]["credentials"]["username"], "myacr");
    let r = f
        .put(
            &ws_url("/connections/bad"),
            json!({"properties": {"category": "Git", "target": "t"}}),
        )
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(f.delete(&ws_url("/connections/acr")).await.status, 200);
    assert_eq!(f.get(&ws_url("/connections/acr")).await.status, 404);
    assert_eq!(names(&f.get(&ws_url("/connections")).await), ["git"]);
}
