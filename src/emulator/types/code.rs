//! `Microsoft.MachineLearningServices/workspaces/codes` (containers) and
//! `.../codes/{name}/versions/{version}`: a snapshot of code (`codeUri`, where it was uploaded)
//! with its content hash in `properties.properties` (`hash_sha256`, `hash_version`), what
//! azure-ai-ml sends and then looks up with the `hash`/`hashVersion` list filter to reuse an
//! upload instead of repeating it (searched across the workspace's code assets: an anonymous
//! snapshot is asked for under a fresh random name).
//!
//! `POST .../versions/{version}/startPendingUpload` (the version need not exist yet) answers a
//! SAS URI on the blob endpoint of the workspace's storage account: a new container for this
//! upload (`{workspaceId}-{20 hex digits}`, so an uploaded snapshot is never overwritten by
//! another), with read, add, create, write and list permissions for two hours, signed with the
//! account's `key1`. The SDK uploads there with azure-storage-blob, then PUTs the version.

use serde_json::{Map, Value, json};

use super::asset::{AssetContainers, AssetSpec, AssetVersions};
use super::{ML_CHECK, PutContext, ResourceType, last_segment};
use crate::emulator::blob::{containers::create_container, sign};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::url::RequestUrl;
use crate::emulator::world::{StoredResource, World};
use crate::emulator::{fields, ids};

/// Codes.
pub(crate) static SPEC: AssetSpec = AssetSpec {
    container_type: "Microsoft.MachineLearningServices/workspaces/codes",
    version_type: "Microsoft.MachineLearningServices/workspaces/codes/versions",
    label: "Code",
    build_version,
    immutable: &["codeUri"],
};

/// Code containers.
pub(crate) static CONTAINERS: AssetContainers = AssetContainers(&SPEC);
/// Code versions (the asset rules, plus the hash filter and pending uploads).
pub(crate) static VERSIONS: CodeVersions = CodeVersions(AssetVersions(&SPEC));

/// How long an upload SAS is valid.
const UPLOAD_SAS_MS: u64 = 2 * 60 * 60 * 1000;

/// The permissions of an upload SAS: read, add, create, write, list.
const UPLOAD_SAS_PERMISSIONS: &str = "racwl";

pub(super) fn build_version(p: &mut Value, _ctx: &PutContext<'_>) -> ArmResult<()> {
    let c = ML_CHECK;
    let uri = c
        .opt_str(p, "codeUri")?
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    let Some(uri) = uri else {
        return Err(c.missing("properties.codeUri"));
    };
    let lower = uri.to_ascii_lowercase();
    if ![
        "https://", "http://", "azureml:", "wasbs://", "abfss://", "git+",
    ]
    .iter()
    .any(|s| lower.starts_with(s))
    {
        return Err(c.error(
            "properties.codeUri",
            format!(
                "properties.codeUri '{uri}' is not a supported URI: give the https URL of the uploaded snapshot (or an azureml:// datastore path)"
            ),
        ));
    }
    fields::set(p, "codeUri", json!(uri));
    match fields::get(p, "properties").cloned() {
        None | Some(Value::Null) => {}
        Some(Value::Object(props)) => {
            // A string-to-string dictionary: numbers and booleans are kept as their text (the
            // SDK sends `hash_version` as a number).
            let mut strings = Map::new();
            for (k, v) in props {
                let text = match v {
                    Value::String(s) => s,
                    Value::Number(_) | Value::Bool(_) => v.to_string(),
                    _ => {
                        return Err(c.error(
                            &format!("properties.properties.{k}"),
                            format!("properties.properties.{k} must be a string"),
                        ));
                    }
                };
                strings.insert(k, Value::String(text));
            }
            fields::set(p, "properties", Value::Object(strings));
        }
        Some(_) => {
            return Err(c.error(
                "properties.properties",
                "properties.properties must be an object of strings",
            ));
        }
    }
    Ok(())
}

/// Code versions.
pub(crate) struct CodeVersions(AssetVersions);

impl ResourceType for CodeVersions {
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    fn creates_parent(&self) -> bool {
        true
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        self.0.validate_name(name)
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<super::Built> {
        self.0.build(ctx)
    }

    fn after_delete(&self, world: &mut World, deleted: &StoredResource, now_ms: u64) {
        self.0.after_delete(world, deleted, now_ms);
    }

    /// `publish` into a registry, as any asset version.
    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        body: Option<&Value>,
        ctx: &super::ActionContext<'_>,
    ) -> ArmResult<super::ActionOutcome> {
        self.0.action(name, resource, body, ctx)
    }

    /// `hash` and `hashVersion` keep the versions whose `properties.properties` hold that
    /// `hash_sha256` and `hash_version`.
    fn listed(&self, url: &RequestUrl, body: &Value) -> ArmResult<bool> {
        let field = |f: &str| {
            fields::get(body, &format!("properties.properties.{f}")).and_then(Value::as_str)
        };
        let matches = |param: &str, f: &str| {
            url.query_param(param)
                .is_none_or(|want| field(f).is_some_and(|have| have.eq_ignore_ascii_case(want)))
        };
        Ok(matches("hash", "hash_sha256") && matches("hashVersion", "hash_version"))
    }

    /// With `hash`, the versions of every code asset of the workspace are searched: the SDK
    /// asks under a new random name for an anonymous snapshot and reuses whichever version the
    /// answer names (it reads the name and version from the id).
    fn list_prefix(&self, url: &RequestUrl, parent_id: &str) -> Option<String> {
        url.query_param("hash")?;
        let workspace = parent_id.split_once("/codes/").map(|(w, _)| w)?;
        Some(format!("{}/codes/", workspace.to_ascii_lowercase()))
    }

    /// The versions of a code name never registered are an empty list (the SDK asks before
    /// its first upload).
    fn lists_without_parent(&self) -> bool {
        true
    }

    fn world_action(
        &self,
        name: &str,
        world: &mut World,
        id: &str,
        now_ms: u64,
    ) -> Option<ArmResult<(Value, Vec<String>)>> {
        name.eq_ignore_ascii_case("startPendingUpload")
            .then(|| start_pending_upload(world, id, now_ms))
    }
}

/// Creates the upload container and answers its SAS URI.
fn start_pending_upload(
    world: &mut World,
    version_id: &str,
    now_ms: u64,
) -> ArmResult<(Value, Vec<String>)> {
    let workspace_id = version_id
        .split_once("/codes/")
        .map_or(version_id, |(w, _)| w)
        .to_owned();
    let Some(workspace) = world.get(&workspace_id, now_ms).cloned() else {
        return Err(ArmError::new(
            404,
            "ResourceNotFound",
            format!(
                "The workspace '{}' was not found.",
                last_segment(&workspace_id)
            ),
        ));
    };
    let storage_id =
        fields::get_str(&workspace.body, "properties.storageAccount").unwrap_or_default();
    let storage = world.get(storage_id, now_ms).cloned().ok_or_else(|| {
        ArmError::new(
            409,
            "UserError",
            format!("The storage account '{storage_id}' of the workspace no longer exists; the upload cannot start."),
        )
    })?;
    let key = storage
        .secrets
        .as_ref()
        .and_then(|s| s.get("key1"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let account = last_segment(&storage.id).to_ascii_lowercase();
    let ws_guid = fields::get_str(&workspace.body, "properties.workspaceId").unwrap_or_default();
    let suffix: String = ids::guid().replace('-', "").chars().take(20).collect();
    let container = format!("{ws_guid}-{suffix}").to_ascii_lowercase();
    create_container(world, &storage.id, &container, now_ms, "None", &Map::new());
    // Whole seconds, as the service writes SAS times.
    let start = ids::timestamp(now_ms.saturating_sub(5 * 60 * 1000) / 1000 * 1000);
    let expiry = ids::timestamp((now_ms + UPLOAD_SAS_MS) / 1000 * 1000);
    let sas = sign::container_sas(
        &account,
        &container,
        UPLOAD_SAS_PERMISSIONS,
        &start,
        &expiry,
        &key,
    )
    .ok_or_else(|| {
        ArmError::new(
            500,
            "InternalServerError",
            "The storage account key is not valid base64.",
        )
    })?;
    let blob_uri = format!("https://{account}.blob.core.windows.net/{container}");
    let sas_uri = format!("{blob_uri}?{sas}");
    let body = json!({
        "blobReferenceForConsumption": {
            "blobUri": blob_uri,
            "storageAccountArmId": storage.id,
            "credential": {"credentialType": "SAS", "sasUri": sas_uri},
        },
        "pendingUploadId": ids::guid(),
        "pendingUploadType": "TemporaryBlobReference",
    });
    Ok((body, vec![sas_uri, sas]))
}
