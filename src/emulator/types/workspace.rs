//! `Microsoft.MachineLearningServices/workspaces`: dependency checks, service defaults, the
//! default datastores, and long-running PUT/DELETE (202 + Location to
//! `workspaceOperationsStatus`).

use regex::Regex;
use serde_json::{Value, json};

use super::{
    ActionContext, ActionOutcome, Built, LocationPolicy, Lro, ML_CHECK, PutContext, ResourceType,
    SideResource, TENANT_ID, check_reference, last_segment, resource_group_of,
};
use crate::emulator::error::ArmResult;
use crate::emulator::fields;
use crate::emulator::ids;
use crate::emulator::world::StoredResource;

use super::workspace_actions;

/// Workspaces.
pub(crate) struct Workspaces;

const DATASTORE_TYPE: &str = "Microsoft.MachineLearningServices/workspaces/datastores";
const CONTAINER_TYPE: &str = "Microsoft.Storage/storageAccounts/blobServices/containers";

impl ResourceType for Workspaces {
    fn type_name(&self) -> &'static str {
        "Microsoft.MachineLearningServices/workspaces"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let ok = Regex::new("^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$").is_ok_and(|r| r.is_match(name));
        if ok {
            Ok(())
        } else {
            Err(ML_CHECK.error(
                "name",
                format!("Workspace name '{name}' is invalid: it must match ^[a-zA-Z0-9][a-zA-Z0-9_-]{{2,32}}$"),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let storage = check_reference(
            ML_CHECK,
            ctx,
            "properties.storageAccount",
            "Microsoft.Storage/storageAccounts",
            true,
        )?;
        check_reference(
            ML_CHECK,
            ctx,
            "properties.keyVault",
            "Microsoft.KeyVault/vaults",
            true,
        )?;
        check_reference(
            ML_CHECK,
            ctx,
            "properties.applicationInsights",
            "Microsoft.Insights/components",
            false,
        )?;
        check_reference(
            ML_CHECK,
            ctx,
            "properties.containerRegistry",
            "Microsoft.ContainerRegistry/registries",
            false,
        )?;
        let existing = ctx.existing.map(|e| &e.body);
        let keep = |path: &str, fresh: String| {
            existing
                .and_then(|b| fields::get_str(b, path))
                .map_or(fresh, str::to_owned)
        };
        let workspace_id = keep("properties.workspaceId", ids::guid());
        let principal = keep("identity.principalId", ids::guid());
        let location = ctx.location.unwrap_or_default();
        let rg = resource_group_of(ctx.id);
        let mut props = fields::object_or_empty(ctx.body.get("properties"));
        fields::default(&mut props, "friendlyName", json!(ctx.name));
        fields::default(&mut props, "description", json!(""));
        fields::default(&mut props, "hbiWorkspace", json!(false));
        fields::default(&mut props, "publicNetworkAccess", json!("Enabled"));
        fields::default(&mut props, "v1LegacyMode", json!(false));
        fields::default(&mut props, "allowPublicAccessWhenBehindVnet", json!(false));
        fields::default(&mut props, "enableDataIsolation", json!(false));
        fields::default(&mut props, "storageHnsEnabled", json!(false));
        fields::set(&mut props, "workspaceId", json!(workspace_id));
        fields::set(&mut props, "tenantId", json!(TENANT_ID));
        fields::set(
            &mut props,
            "discoveryUrl",
            json!(format!("https://{location}.api.azureml.ms/discovery")),
        );
        fields::set(
            &mut props,
            "mlFlowTrackingUri",
            json!(format!(
                "azureml://{location}.api.azureml.ms/mlflow/v1.0/subscriptions/{}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{}",
                ctx.subscription, ctx.name
            )),
        );
        fields::set(
            &mut props,
            "notebookInfo",
            json!({"fqdn": format!("ml-{}-{location}-{workspace_id}.{location}.notebooks.azure.net", ctx.name.to_ascii_lowercase())}),
        );
        let sku = ctx
            .body
            .get("sku")
            .filter(|s| s.is_object())
            .cloned()
            .unwrap_or_else(|| json!({"name": "Basic", "tier": "Basic"}));
        let kind = fields::get_str(ctx.body, "kind").unwrap_or("Default");
        let identity_type = fields::get_str(ctx.body, "identity.type").unwrap_or("SystemAssigned");
        let mut identity =
            json!({"type": identity_type, "principalId": principal, "tenantId": TENANT_ID});
        if let Some(uai) =
            fields::get(ctx.body, "identity.userAssignedIdentities").filter(|v| v.is_object())
        {
            identity["userAssignedIdentities"] = uai.clone();
            let prior = existing.and_then(|b| b.get("identity"));
            super::online_endpoint::user_assigned_ids(&mut identity, prior);
        }
        let fields = json!({
            "identity": identity,
            "kind": kind,
            "sku": sku,
            "properties": props,
        });
        let side = match (ctx.existing, storage) {
            (None, Some(storage)) => {
                let mut side = default_datastores(
                    ctx.id,
                    &workspace_id,
                    &storage.id,
                    storage.secrets.as_ref(),
                );
                side.extend(default_containers(ctx, &workspace_id, &storage.id));
                side
            }
            _ => Vec::new(),
        };
        Ok(Built {
            fields,
            side,
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::Location
    }

    fn supports_patch(&self) -> bool {
        true
    }

    fn delete_lro(&self) -> Lro {
        Lro::Location
    }

    fn operation_kind(&self) -> &'static str {
        "workspaceOperationsStatus"
    }

    fn sub_resources(&self) -> &'static [&'static str] {
        workspace_actions::SUB_RESOURCES
    }

    fn sub_resource(
        &self,
        _name: &str,
        resource: &StoredResource,
        _ctx: &ActionContext<'_>,
    ) -> ArmResult<Value> {
        Ok(workspace_actions::outbound(resource))
    }

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        body: Option<&Value>,
        ctx: &ActionContext<'_>,
    ) -> ArmResult<ActionOutcome> {
        workspace_actions::action(name, resource, body, ctx)
    }
}

/// The blob containers the service creates with a workspace in its storage account: the
/// default datastore's `azureml-blobstore-{workspaceId}` and the artifact store's `azureml`
/// (one that already exists is left as it is).
fn default_containers(
    ctx: &PutContext<'_>,
    workspace_id: &str,
    storage_id: &str,
) -> Vec<SideResource> {
    [
        format!("azureml-blobstore-{workspace_id}"),
        "azureml".to_owned(),
    ]
    .into_iter()
    .map(|name| format!("{storage_id}/blobServices/default/containers/{name}"))
    .filter(|id| ctx.world.get(id, ctx.now_ms).is_none())
    .map(|id| {
        let name = last_segment(&id).to_owned();
        let body = super::blob_container::data_plane_body(
            &id,
            &name,
            ctx.now_ms,
            "None",
            &serde_json::Map::new(),
        );
        SideResource {
            fields: json!({"properties": body.get("properties").cloned().unwrap_or_default()}),
            id,
            type_name: CONTAINER_TYPE,
            secrets: None,
        }
    })
    .collect()
}

/// The four datastores the service creates with a workspace.
fn default_datastores(
    workspace: &str,
    workspace_id: &str,
    storage_id: &str,
    keys: Option<&Value>,
) -> Vec<SideResource> {
    let account = last_segment(storage_id);
    let key = keys
        .and_then(|k| k.get("key1"))
        .cloned()
        .unwrap_or(Value::Null);
    let secrets = json!({"secretsType": "AccountKey", "key": key});
    let store = |name: &str, kind: &str, (field, value): (&str, String), is_default: bool| {
        let mut props = json!({
            "description": "",
            "tags": {},
            "properties": {},
            "isDefault": is_default,
            "credentials": {"credentialsType": "AccountKey", "secrets": {"secretsType": "AccountKey"}},
            "datastoreType": kind,
            "accountName": account,
            "endpoint": "core.windows.net",
            "protocol": "https",
            "serviceDataAccessAuthIdentity": "WorkspaceSystemAssignedIdentity",
        });
        fields::set(&mut props, field, json!(value));
        SideResource {
            id: format!("{workspace}/datastores/{name}"),
            type_name: DATASTORE_TYPE,
            fields: json!({"properties": props}),
            secrets: Some(secrets.clone()),
        }
    };
    vec![
        store(
            "workspaceblobstore",
            "AzureBlob",
            ("containerName", format!("azureml-blobstore-{workspace_id}")),
            true,
        ),
        store(
            "workspacefilestore",
            "AzureFile",
            ("fileShareName", format!("code-{workspace_id}")),
            false,
        ),
        store(
            "workspaceartifactstore",
            "AzureBlob",
            ("containerName", "azureml".to_owned()),
            false,
        ),
        store(
            "workspaceworkingdirectory",
            "AzureFile",
            ("fileShareName", format!("azureml-filestore-{workspace_id}")),
            false,
        ),
    ]
}
