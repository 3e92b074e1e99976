//! The workspace's asset data planes on `{region}.api.azureml.ms` that `mltable.load()` and its
//! reader (azureml-dataprep-rslex) call, answered from the emulator's own ARM resources:
//!
//! - `GET /data/v1.0{workspace}/dataversion/{name}/versions/{version}`: a data asset version in
//!   the data-plane shape (`DataVersionEntity` of azure-ai-ml's `dataset_dataplane` client:
//!   `dataVersion`, `entityMetadata`, and `isV2`, which mltable reads to know the asset is a v2
//!   one whose `dataUri` holds an `MLTable` file).
//! - `GET /datastore/v1.0{workspace}/datastores/{name}`: a datastore in the legacy datastore
//!   service's shape (`DataStore`: `dataStoreType`, `azureStorageSection` with the account,
//!   container, endpoint, protocol and credential), which rslex reads to turn an
//!   `azureml://.../datastores/{name}/paths/...` URI into a blob URL. As on Azure, an
//!   account-key datastore's key is in the answer (the credential rslex signs its blob reads
//!   with); it is read from the datastore's secrets (`listSecrets`) and never logged.
//!
//! Both need a token the emulator issued, like run history.

use serde_json::{Value, json};

use crate::arm::transport::{HttpRequest, HttpResponse, Method};
use crate::emulator::Emulator;

/// The api-version used to read assets and datastores from the emulator.
const ML_API: &str = "2025-12-01";

/// The answer to `GET {path}` when `path` is one of these planes' paths, or `None`.
pub(super) fn answer(emulator: &Emulator, path: &str) -> Option<HttpResponse> {
    if let Some(rest) = path.strip_prefix("/data/v1.0") {
        let (workspace, tail) = split_workspace(rest, "/dataversion/")?;
        let (name, version) = tail.split_once("/versions/")?;
        if !is_segment(name) || !is_segment(version) {
            return None;
        }
        return Some(data_version(emulator, workspace, name, version));
    }
    let rest = path.strip_prefix("/datastore/v1.0")?;
    let (workspace, name) = split_workspace(rest, "/datastores/")?;
    is_segment(name).then(|| datastore(emulator, workspace, name))
}

/// `(workspace id, rest)` of `{workspace}{marker}{rest}`, where the workspace id is
/// `/subscriptions/.../providers/Microsoft.MachineLearningServices/workspaces/{ws}`.
fn split_workspace<'a>(path: &'a str, marker: &str) -> Option<(&'a str, &'a str)> {
    let lower = path.to_ascii_lowercase();
    let at = lower.find(marker)?;
    let head = &lower[..at];
    let ok = head.starts_with("/subscriptions/")
        && head.contains("/resourcegroups/")
        && head.contains("/providers/microsoft.machinelearningservices/workspaces/");
    ok.then(|| (&path[..at], &path[at + marker.len()..]))
}

fn is_segment(s: &str) -> bool {
    !s.is_empty() && !s.contains('/') && s != "." && s != ".."
}

fn error(status: u16, code: &str, message: String) -> HttpResponse {
    HttpResponse::new(
        status,
        Some(json!({"error": {"code": code, "message": message}})),
    )
}

/// A request to the emulator's ARM surface: its body on 200, or its error as is.
fn arm(emulator: &Emulator, request: HttpRequest) -> Result<Value, HttpResponse> {
    match emulator.handle(&request) {
        Ok(r) if r.status == 200 => Ok(r.body.unwrap_or(Value::Null)),
        Ok(r) => Err(r),
        Err(e) => Err(error(503, "ServiceUnavailable", e.to_string())),
    }
}

fn arm_get(emulator: &Emulator, id: &str) -> Result<Value, HttpResponse> {
    let url = format!("https://management.azure.com{id}?api-version={ML_API}");
    arm(emulator, HttpRequest::new(Method::Get, url))
}

fn data_version(emulator: &Emulator, workspace: &str, name: &str, version: &str) -> HttpResponse {
    match arm_get(
        emulator,
        &format!("{workspace}/data/{name}/versions/{version}"),
    ) {
        Ok(asset) => {
            let mut entity = data_version_entity(&asset, name, version);
            if let Some(uri) = entity["dataVersion"]["dataUri"].as_str() {
                entity["dataVersion"]["dataUri"] = json!(long_datastore_uri(uri, workspace));
            }
            HttpResponse::new(200, Some(entity))
        }
        Err(response) => response,
    }
}

/// A datastore URI in its long form: `azureml://datastores/{d}/paths/{p}` (the short form the
/// SDK registers an upload with) becomes
/// `azureml://subscriptions/{s}/resourcegroups/{rg}/workspaces/{ws}/datastores/{d}/paths/{p}`,
/// the form the data plane answers with: mltable hands `dataUri` to rslex as is, and rslex
/// refuses a datastore URI that does not name its workspace (`IncompleteUri`). Any other URI
/// is returned unchanged.
fn long_datastore_uri(uri: &str, workspace: &str) -> String {
    let Some(rest) = uri.strip_prefix("azureml://datastores/") else {
        return uri.to_owned();
    };
    let parts: Vec<&str> = workspace.split('/').collect();
    match parts.as_slice() {
        ["", _, sub, _, rg, _, _, _, ws] => {
            format!(
                "azureml://subscriptions/{sub}/resourcegroups/{rg}/workspaces/{ws}/datastores/{rest}"
            )
        }
        _ => uri.to_owned(),
    }
}

/// An ARM data version (`.../data/{name}/versions/{version}`) as the data plane's
/// `DataVersionEntity`.
fn data_version_entity(asset: &Value, name: &str, version: &str) -> Value {
    let p = &asset["properties"];
    let system = &asset["systemData"];
    json!({
        "dataVersion": {
            "assetId": asset["id"],
            "dataContainerName": name,
            "dataType": data_type(p["dataType"].as_str().unwrap_or_default()),
            "dataUri": p["dataUri"],
            "versionId": version,
            "mutableProps": {
                "description": p["description"],
                "tags": p.get("tags").cloned().unwrap_or(json!({})),
                "isArchived": p["isArchived"].as_bool().unwrap_or(false),
            },
            "referencedDataUris": p.get("referencedUris").cloned().unwrap_or(json!([])),
            "properties": p.get("properties").cloned().unwrap_or(json!({})),
        },
        "entityMetadata": {
            "createdTime": system["createdAt"],
            "modifiedTime": system["lastModifiedAt"],
        },
        "isV2": true,
    })
}

/// The data plane's name of an ARM `dataType` (`uri_file`, `uri_folder`, `mltable`): the
/// names mltable compares with (`MLTable`).
fn data_type(arm: &str) -> &str {
    match arm.to_ascii_lowercase().as_str() {
        "uri_file" => "UriFile",
        "uri_folder" => "UriFolder",
        "mltable" => "MLTable",
        _ => arm,
    }
}

fn datastore(emulator: &Emulator, workspace: &str, name: &str) -> HttpResponse {
    let id = format!("{workspace}/datastores/{name}");
    let store = match arm_get(emulator, &id) {
        Ok(store) => store,
        Err(response) => return response,
    };
    let url = format!("https://management.azure.com{id}/listSecrets?api-version={ML_API}");
    let secrets = arm(
        emulator,
        HttpRequest::new(Method::Post, url).with_body(json!({})),
    )
    .unwrap_or(Value::Null);
    match legacy_datastore(&store, &secrets) {
        Some(dto) => HttpResponse::new(200, Some(dto)),
        None => error(
            501,
            "NotEmulated",
            format!(
                "amlab serve answers the legacy datastore service for blob datastores only; {name} is a {} datastore. Nothing was forwarded to Azure.",
                store["properties"]["datastoreType"]
                    .as_str()
                    .unwrap_or("different")
            ),
        ),
    }
}

/// An ARM blob datastore and its secrets as the legacy datastore service's `DataStore`, or
/// `None` for another kind of datastore.
fn legacy_datastore(store: &Value, secrets: &Value) -> Option<Value> {
    let p = &store["properties"];
    if p["datastoreType"].as_str() != Some("AzureBlob") {
        return None;
    }
    let kind = p["credentials"]["credentialsType"]
        .as_str()
        .unwrap_or("None");
    let (credential_type, credential) = match kind {
        "AccountKey" => ("AccountKey", secrets["key"].clone()),
        "Sas" => ("Sas", secrets["sasToken"].clone()),
        _ => ("None", Value::Null),
    };
    Some(json!({
        "name": store["name"],
        "dataStoreType": "AzureBlob",
        "isDefaultDataStore": p["isDefault"].as_bool().unwrap_or(false),
        "hasBeenValidated": true,
        "tags": p.get("tags").cloned().unwrap_or(json!({})),
        "azureStorageSection": {
            "accountName": p["accountName"],
            "containerName": p["containerName"],
            "endpoint": p["endpoint"].as_str().unwrap_or("core.windows.net"),
            "protocol": p["protocol"].as_str().unwrap_or("https"),
            "credentialType": credential_type,
            "credential": credential,
            "isSas": credential_type == "Sas",
            "accountKey": if credential_type == "AccountKey" { credential.clone() } else { Value::Null },
            "sasToken": if credential_type == "Sas" { credential.clone() } else { Value::Null },
            "blobCacheTimeout": 0,
            "areWorkspaceManagedIdentitiesAllowed": false,
        },
        "serviceDataAccessAuthIdentity": p["serviceDataAccessAuthIdentity"].as_str().unwrap_or("None"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_workspace_and_names() {
        let ws = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w";
        let p = format!("{ws}/dataversion/diabetes-table/versions/1");
        assert_eq!(
            split_workspace(&p, "/dataversion/"),
            Some((ws, "diabetes-table/versions/1"))
        );
        assert!(split_workspace("/subscriptions/s/dataversion/x", "/dataversion/").is_none());
    }

    #[test]
    fn short_datastore_uris_are_answered_long() {
        let ws = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w";
        assert_eq!(
            long_datastore_uri("azureml://datastores/d/paths/a/b/", ws),
            "azureml://subscriptions/s/resourcegroups/rg/workspaces/w/datastores/d/paths/a/b/"
        );
        let long = "azureml://subscriptions/s/resourcegroups/rg/workspaces/w/datastores/d/paths/a";
        assert_eq!(long_datastore_uri(long, ws), long);
        let https = "https://st.blob.core.windows.net/c/a.csv";
        assert_eq!(long_datastore_uri(https, ws), https);
    }

    #[test]
    fn data_version_maps_arm_fields() {
        let asset = json!({"id": "/x/data/t/versions/1", "properties": {"dataType": "mltable",
            "dataUri": "azureml://x/datastores/workspaceblobstore/paths/LocalUpload/a/data/",
            "description": "d", "isArchived": false}, "systemData": {"createdAt": "2026-01-01T00:00:00Z"}});
        let e = data_version_entity(&asset, "t", "1");
        assert_eq!(e["isV2"], true);
        assert_eq!(e["dataVersion"]["dataType"], "MLTable");
        assert_eq!(e["dataVersion"]["versionId"], "1");
        assert_eq!(e["dataVersion"]["mutableProps"]["description"], "d");
    }

    #[test]
    fn only_blob_datastores_have_a_legacy_shape() {
        let store = json!({"name": "workspaceblobstore", "properties": {"datastoreType": "AzureBlob",
            "accountName": "st1", "containerName": "c1", "isDefault": true,
            "credentials": {"credentialsType": "AccountKey"}}});
        let dto = legacy_datastore(&store, &json!({"key": "k"}));
        let s = dto.map(|d| d["azureStorageSection"].clone());
        assert_eq!(
            s.as_ref().map(|s| s["credentialType"].clone()),
            Some(json!("AccountKey"))
        );
        assert_eq!(s.map(|s| s["credential"].clone()), Some(json!("k")));
        let file = json!({"properties": {"datastoreType": "AzureFile"}});
        assert!(legacy_datastore(&file, &Value::Null).is_none());
    }
}
