//! The POST actions and read-only sub-resources of workspaces, as `Workspaces_*` in the
//! 2025-12-01 REST spec (`workspaceRP.json`): `listKeys`, `resyncKeys`,
//! `listStorageAccountKeys`, `listNotebookKeys`, `listNotebookAccessToken`, `prepareNotebook`,
//! `diagnose` and `GET outboundNetworkDependenciesEndpoints`.
//!
//! Keys come from the workspace's dependencies (the storage account's `key1`, the container
//! registry's admin passwords) or are issued once per workspace (notebook keys); every one is
//! an issued secret, so reports scrub it.

use serde_json::{Value, json};

use super::{ActionContext, ActionOutcome, last_segment};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::ids;
use crate::emulator::world::StoredResource;

/// The sub-resources a GET reads under a workspace.
pub(super) const SUB_RESOURCES: &[&str] = &["outboundNetworkDependenciesEndpoints"];

/// Runs the workspace action `name`.
pub(super) fn action(
    name: &str,
    ws: &StoredResource,
    body: Option<&Value>,
    ctx: &ActionContext<'_>,
) -> ArmResult<ActionOutcome> {
    match name.to_ascii_lowercase().as_str() {
        "listkeys" => Ok(list_keys(ws, ctx)),
        "liststorageaccountkeys" => {
            let (key, issued) = storage_key(ws, ctx);
            Ok(with_issued(json!({"userStorageKey": key}), issued))
        }
        "listnotebookkeys" => {
            let (keys, outcome) = notebook_keys(ws);
            Ok(ActionOutcome {
                body: Some(keys),
                ..outcome
            })
        }
        "listnotebookaccesstoken" => Ok(notebook_token(ws)),
        "preparenotebook" => Ok(ActionOutcome::ok(notebook_info(ws))),
        // Resynchronizes the keys the workspace holds with its dependencies' keys; in the
        // emulator they are always read from the dependencies, so there is nothing to do.
        "resynckeys" => Ok(ActionOutcome {
            body: None,
            ..ActionOutcome::ok(Value::Null)
        }),
        "diagnose" => diagnose(body),
        _ => Err(ArmError::new(
            404,
            "ActionNotFound",
            format!(
                "The action '{name}' is not supported for type 'Microsoft.MachineLearningServices/workspaces'."
            ),
        )),
    }
}

fn with_issued(body: Value, issued: Vec<String>) -> ActionOutcome {
    ActionOutcome {
        issued,
        ..ActionOutcome::ok(body)
    }
}

/// The workspace storage account's id and `key1` (`null` if the account is gone).
fn storage_key(ws: &StoredResource, ctx: &ActionContext<'_>) -> (Value, Vec<String>) {
    let key = fields::get_str(&ws.body, "properties.storageAccount")
        .and_then(|id| ctx.world.get(id, ctx.now_ms))
        .and_then(|st| st.secrets.as_ref())
        .and_then(|s| s.get("key1"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    match key {
        Some(k) => (json!(k), vec![k]),
        None => (Value::Null, Vec::new()),
    }
}

/// The container registry's admin credentials (`null` without a registry or admin user).
fn registry_credentials(ws: &StoredResource, ctx: &ActionContext<'_>) -> (Value, Vec<String>) {
    let Some(acr) = fields::get_str(&ws.body, "properties.containerRegistry")
        .and_then(|id| ctx.world.get(id, ctx.now_ms))
    else {
        return (Value::Null, Vec::new());
    };
    super::container_registry::credentials(acr).map_or((Value::Null, Vec::new()), |c| {
        let issued = super::container_registry::passwords(&c);
        (c, issued)
    })
}

/// `Workspaces_ListKeys`: the storage key, the registry credentials, the App Insights
/// instrumentation key and the notebook keys.
fn list_keys(ws: &StoredResource, ctx: &ActionContext<'_>) -> ActionOutcome {
    let (user_storage_key, mut issued) = storage_key(ws, ctx);
    let (acr, acr_issued) = registry_credentials(ws, ctx);
    issued.extend(acr_issued);
    let instrumentation = fields::get_str(&ws.body, "properties.applicationInsights")
        .and_then(|id| ctx.world.get(id, ctx.now_ms))
        .and_then(|ai| fields::get(&ai.body, "properties.InstrumentationKey"))
        .cloned()
        .unwrap_or(Value::Null);
    let (notebook, mut outcome) = notebook_keys(ws);
    outcome.issued.extend(issued);
    outcome.body = Some(json!({
        "userStorageKey": user_storage_key,
        "userStorageArmId": fields::get(&ws.body, "properties.storageAccount").cloned().unwrap_or(Value::Null),
        "appInsightsInstrumentationKey": instrumentation,
        "containerRegistryCredentials": acr,
        "notebookAccessKeys": notebook,
    }));
    outcome
}

/// The notebook keys (`ListNotebookKeysResult`), issued at the first call and kept with the
/// workspace's secrets.
fn notebook_keys(ws: &StoredResource) -> (Value, ActionOutcome) {
    let kept = ws
        .secrets
        .as_ref()
        .and_then(|s| s.get("notebookAccessKeys"))
        .cloned();
    let mut outcome = ActionOutcome::ok(Value::Null);
    let keys = kept.unwrap_or_else(|| {
        let (p, s) = (ids::account_key(), ids::account_key());
        outcome.issued = vec![p.clone(), s.clone()];
        let keys = json!({"primaryAccessKey": p, "secondaryAccessKey": s});
        let mut secrets = ws.secrets.clone().unwrap_or_else(|| json!({}));
        fields::set(&mut secrets, "notebookAccessKeys", keys.clone());
        outcome.updated_secrets = Some(secrets);
        keys
    });
    (keys, outcome)
}

/// The workspace's notebook resource (`NotebookResourceInfo`).
fn notebook_info(ws: &StoredResource) -> Value {
    let fqdn = fields::get(&ws.body, "properties.notebookInfo.fqdn")
        .cloned()
        .unwrap_or(Value::Null);
    json!({
        "fqdn": fqdn,
        "resourceId": fields::get(&ws.body, "properties.workspaceId").cloned().unwrap_or(Value::Null),
        "isPrivateLinkEnabled": false,
        "notebookPreparationError": null,
    })
}

/// `Workspaces_ListNotebookAccessToken` (`NotebookAccessTokenResult`): a fresh bearer token
/// for the notebook service, valid 8 hours.
fn notebook_token(ws: &StoredResource) -> ActionOutcome {
    let info = notebook_info(ws);
    let (access, refresh) = (ids::account_key(), ids::account_key());
    let body = json!({
        "notebookResourceId": info["resourceId"],
        "hostName": info["fqdn"],
        "publicDns": info["fqdn"],
        "accessToken": access,
        "tokenType": "Bearer",
        "expiresIn": 28800,
        "refreshToken": refresh,
        "scope": "aznb_identity",
    });
    with_issued(body, vec![access, refresh])
}

/// The categories `Workspaces_Diagnose` reports, by the request flag that asks for each.
const DIAGNOSE: &[(&str, &str)] = &[
    ("udr", "userDefinedRouteResults"),
    ("nsg", "networkSecurityRuleResults"),
    ("resourceLock", "resourceLockResults"),
    ("dnsResolution", "dnsResolutionResults"),
    ("storageAccount", "storageAccountResults"),
    ("keyVault", "keyVaultResults"),
    ("containerRegistry", "containerRegistryResults"),
    ("applicationInsights", "applicationInsightsResults"),
    ("others", "otherResults"),
];

/// `Workspaces_Diagnose`: an emulated workspace has no network configuration to fault, so
/// every category is checked and none reports a finding. The body (`DiagnoseWorkspaceParameters`)
/// is optional; when given, `value` must be an object.
fn diagnose(body: Option<&Value>) -> ArmResult<ActionOutcome> {
    if let Some(v) = body.and_then(|b| b.get("value"))
        && !v.is_object()
    {
        return Err(super::ML_CHECK.error("value", "value must be an object of diagnose flags"));
    }
    let results: serde_json::Map<String, Value> = DIAGNOSE
        .iter()
        .map(|(_, result)| ((*result).to_owned(), json!([])))
        .collect();
    Ok(ActionOutcome::ok(json!({"value": results})))
}

/// `GET outboundNetworkDependenciesEndpoints` (`ExternalFQDNResponse`): the hosts a workspace
/// reaches, as the service documents them for a workspace behind a firewall
/// (learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall).
pub(super) fn outbound(ws: &StoredResource) -> Value {
    let location = fields::get_str(&ws.body, "location").unwrap_or("eastus");
    let storage = fields::get_str(&ws.body, "properties.storageAccount")
        .map(last_segment)
        .unwrap_or_default();
    let rule = |category: &str, hosts: Vec<String>| {
        let endpoints: Vec<Value> = hosts
            .into_iter()
            .map(|h| json!({"domainName": h, "endpointDetails": [{"port": 443}]}))
            .collect();
        json!({"properties": {"category": category, "endpoints": endpoints}})
    };
    json!({"value": [
        rule("Azure Active Directory", vec!["login.microsoftonline.com".into()]),
        rule("Azure portal", vec!["management.azure.com".into()]),
        rule("Azure Machine Learning", vec![
            format!("{location}.api.azureml.ms"),
            format!("{location}.notebooks.azure.net"),
            "ml.azure.com".into(),
        ]),
        rule("Azure Storage", vec![
            format!("{storage}.blob.core.windows.net"),
            format!("{storage}.file.core.windows.net"),
        ]),
    ]})
}
