//! The resource-type registry: one file per ARM resource type, each implementing
//! [`ResourceType`] (validation, defaults, long-running behaviour, actions).
//!
//! Adding a type is one new file plus one line in [`registry`].

use serde_json::{Value, json};

use super::error::{ArmError, ArmResult};
use super::url::RequestUrl;
use super::world::{Phase, StoredResource, World};

mod activity_log_alert;
mod asset;
mod asset_publish;
mod batch_deployment;
mod batch_endpoint;
pub(crate) mod blob_container;
mod code;
mod cognitive_account;
mod cognitive_connection;
mod cognitive_deployment;
mod component;
mod compute;
mod compute_actions;
mod compute_attached;
mod container_group;
mod container_registry;
pub(crate) mod curated;
mod data;
mod datastore;
pub(crate) mod deleted_accounts;
pub(crate) mod deployment;
mod diagnostic_setting;
mod endpoint_keys;
mod environment;
mod foundry_project;
mod immutability_policy;
mod insights;
mod job;
mod job_finetuning;
mod job_list;
pub(crate) mod job_log;
mod job_spec;
mod key_vault;
mod legal_hold;
mod log_analytics;
mod ml_registry;
mod model;
pub(crate) mod model_catalog;
mod model_package;
mod online_deployment;
mod online_deployment_ops;
mod online_endpoint;
mod pipeline_steps;
mod private_endpoint;
mod private_endpoint_connection;
mod rai_policy;
mod refs;
mod registry_asset;
mod resource_group;
mod role_assignment;
mod role_assignment_scope;
mod role_definition;
mod schedule;
mod scoped;
pub(crate) mod search_keys;
pub(crate) mod search_service;
mod storage;
mod traffic_guard;
mod virtual_network;
mod workspace;
mod workspace_actions;
mod workspace_connection;

pub(crate) use storage::name_availability as storage_name_availability;

/// Every registered resource type.
pub(crate) fn registry() -> &'static [&'static dyn ResourceType] {
    REGISTRY
}

/// The registered types, in registration order.
static REGISTRY: &[&dyn ResourceType] = &[
    &resource_group::ResourceGroups,
    &deployment::Deployments,
    &storage::StorageAccounts,
    &blob_container::BlobContainers,
    &immutability_policy::ImmutabilityPolicies,
    &key_vault::Vaults,
    &insights::Components,
    &log_analytics::Workspaces,
    &container_registry::Registries,
    &workspace::Workspaces,
    &compute::Computes,
    &datastore::Datastores,
    &data::DataContainers,
    &data::DataVersions,
    &environment::CONTAINERS,
    &environment::VERSIONS,
    &code::CONTAINERS,
    &code::VERSIONS,
    &component::CONTAINERS,
    &component::VERSIONS,
    &model::CONTAINERS,
    &model::VERSIONS,
    &ml_registry::MlRegistries,
    &registry_asset::MODEL_CONTAINERS,
    &registry_asset::MODEL_VERSIONS,
    &registry_asset::ENV_CONTAINERS,
    &registry_asset::ENV_VERSIONS,
    &registry_asset::COMPONENT_CONTAINERS,
    &registry_asset::COMPONENT_VERSIONS,
    &registry_asset::CODE_CONTAINERS,
    &registry_asset::CODE_VERSIONS,
    &job::Jobs,
    &online_endpoint::OnlineEndpoints,
    &online_deployment::OnlineDeployments,
    &batch_endpoint::BatchEndpoints,
    &batch_deployment::BatchDeployments,
    &schedule::Schedules,
    &workspace_connection::WorkspaceConnections,
    &role_assignment::RoleAssignments,
    &role_definition::RoleDefinitions,
    &search_service::SearchServices,
    &cognitive_account::Accounts,
    &cognitive_deployment::Deployments,
    &rai_policy::RaiPolicies,
    &foundry_project::Projects,
    &cognitive_connection::ACCOUNT,
    &cognitive_connection::PROJECT,
    &activity_log_alert::ActivityLogAlerts,
    &diagnostic_setting::DiagnosticSettings,
    &virtual_network::VirtualNetworks,
    &private_endpoint::PrivateEndpoints,
    &private_endpoint_connection::ACCOUNT,
    &private_endpoint_connection::SEARCH,
    &container_group::ContainerGroups,
];

/// The registered type named `type_name` (case-insensitive).
pub(crate) fn lookup(type_name: &str) -> Option<&'static dyn ResourceType> {
    registry()
        .iter()
        .copied()
        .find(|t| t.type_name().eq_ignore_ascii_case(type_name))
}

/// Whether any registered type lives in the namespace `ns`.
/// Checks a name of `len` characters, each alphanumeric or one of `extra`, starting with a
/// letter or digit; else `InvalidResourceName` with `message`.
pub(crate) fn check_plain_name(
    name: &str,
    len: std::ops::RangeInclusive<usize>,
    extra: &str,
    message: impl FnOnce() -> String,
) -> ArmResult<()> {
    let ok = len.contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(c));
    if ok {
        Ok(())
    } else {
        Err(ArmError::bad_request("InvalidResourceName", message()))
    }
}

pub(crate) fn known_namespace(ns: &str) -> Option<&'static str> {
    registry()
        .iter()
        .map(|t| t.type_name())
        .find(|n| {
            n.split('/')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(ns))
        })
        .and_then(|n| n.split('/').next())
}

/// Where a resource's `location` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LocationPolicy {
    /// Required in the body (tracked resource).
    Required,
    /// Optional; defaults to the parent's.
    FromParent,
    /// The resource has no location.
    None,
}

/// How a PUT, DELETE or action completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lro {
    /// Synchronous.
    Sync,
    /// 200/201 with a non-terminal `provisioningState` and `Retry-After`; poll the resource.
    BodyPoll,
    /// 200/201 (PUT) or 202 (DELETE/action) with `Azure-AsyncOperation`; poll the status resource.
    AsyncOperation,
    /// 202 with `Location`; the Location answers 202 until done, then the final result.
    Location,
    /// 202 with the resource (PUT) or nothing (DELETE) and neither `Location` nor
    /// `Azure-AsyncOperation`: the client reads the resource until it settles (Foundry
    /// projects).
    Accepted,
}

/// What a PUT (or a merged PATCH) is about.
#[derive(Debug)]
pub(crate) struct PutContext<'a> {
    /// The world as it is.
    pub(crate) world: &'a World,
    /// Now (ms since the epoch).
    pub(crate) now_ms: u64,
    /// The provisioning delay (ms).
    pub(crate) delay_ms: u64,
    /// The resource id (parent spelling preserved).
    pub(crate) id: &'a str,
    /// The resource name as written.
    pub(crate) name: &'a str,
    /// The subscription id.
    pub(crate) subscription: &'a str,
    /// The resource as it is, when this is an update.
    pub(crate) existing: Option<&'a StoredResource>,
    /// The location decided by the engine (normalized), if the type has one.
    pub(crate) location: Option<&'a str>,
    /// The request body.
    pub(crate) body: &'a Value,
    /// The request's api-version.
    pub(crate) api_version: &'a str,
}

/// A resource created as a side effect (default datastores, a data container).
#[derive(Debug, Clone)]
pub(crate) struct SideResource {
    /// Its id.
    pub(crate) id: String,
    /// Its type.
    pub(crate) type_name: &'static str,
    /// Its type-specific fields (the engine adds id, name, type, systemData).
    pub(crate) fields: Value,
    /// Its secret material, if any.
    pub(crate) secrets: Option<Value>,
}

/// What a type makes of a PUT.
#[derive(Debug, Clone, Default)]
pub(crate) struct Built {
    /// Type-specific fields of the body (`properties`, `sku`, `kind`, `identity`, ...).
    pub(crate) fields: Value,
    /// Secret material kept out of every GET.
    pub(crate) secrets: Option<Value>,
    /// Secret values to remember in the issued list.
    pub(crate) issued: Vec<String>,
    /// Resources created or replaced alongside.
    pub(crate) side: Vec<SideResource>,
    /// Overrides the status code the engine would choose (e.g. 200 for an identical re-PUT).
    pub(crate) status: Option<u16>,
    /// The key of the soft-deleted account this PUT restores (removed from the deleted list).
    pub(crate) restored: Option<String>,
}

/// The key of a body's private state: kept in the stored body, stripped from every answer.
pub(crate) const PRIVATE_KEY: &str = "x-amlab-private";

/// What a POST action (or a GET of a sub-resource) sees besides the resource and the request
/// body.
#[derive(Debug)]
pub(crate) struct ActionContext<'a> {
    /// Now (ms since the epoch).
    pub(crate) now_ms: u64,
    /// The world as it is (the resources an action reads: a workspace's storage account).
    pub(crate) world: &'a World,
}

/// What a POST action on an existing resource wants.
#[derive(Debug, Clone)]
pub(crate) struct ActionOutcome {
    /// Status for a synchronous action.
    pub(crate) status: u16,
    /// Response body.
    pub(crate) body: Option<Value>,
    /// The resource's new settled body, if the action changes it.
    pub(crate) updated_body: Option<Value>,
    /// Shown while the action runs (long-running actions only).
    pub(crate) overlay: Option<Value>,
    /// How it completes.
    pub(crate) lro: Lro,
    /// Secret values issued by the action.
    pub(crate) issued: Vec<String>,
    /// The resource's new secret material, if the action replaces it (`regenerateKeys`).
    pub(crate) updated_secrets: Option<Value>,
    /// Resources the action creates or replaces (a model package's environment version).
    pub(crate) side: Vec<SideResource>,
}

impl ActionOutcome {
    /// A synchronous 200 with a body.
    pub(crate) fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body: Some(body),
            updated_body: None,
            overlay: None,
            lro: Lro::Sync,
            issued: Vec::new(),
            updated_secrets: None,
            side: Vec::new(),
        }
    }
}

/// One ARM resource type.
pub(crate) trait ResourceType: Send + Sync {
    /// Full type, e.g. `Microsoft.MachineLearningServices/workspaces/computes`.
    fn type_name(&self) -> &'static str;

    /// Where `location` comes from.
    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::None
    }

    /// Whether the engine maintains `properties.provisioningState`.
    fn has_provisioning_state(&self) -> bool {
        true
    }

    /// Whether `tags` is a top-level field.
    fn has_tags(&self) -> bool {
        self.location_policy() != LocationPolicy::None
    }

    /// Checks the resource name.
    fn validate_name(&self, name: &str) -> ArmResult<()>;

    /// Validates a PUT body and returns the settled type-specific fields.
    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built>;

    /// How PUT completes.
    fn put_lro(&self, _created: bool) -> Lro {
        Lro::Sync
    }

    /// The status of a PUT that created (`true`) or replaced the resource.
    fn put_status(&self, created: bool) -> u16 {
        if created { 201 } else { 200 }
    }

    /// Whether a PUT creates the missing parent (a data version creates its container).
    fn creates_parent(&self) -> bool {
        false
    }

    /// Whether the type can live directly under a subscription
    /// (`/subscriptions/{sub}/providers/{ns}/{type}/{name}`).
    fn at_subscription_scope(&self) -> bool {
        false
    }

    /// Whether a synchronous DELETE answers 200 with the deleted resource (role assignments)
    /// rather than without a body.
    fn delete_answers_body(&self) -> bool {
        false
    }

    /// The body of a resource a DELETE has removed, as that DELETE answers it (when
    /// [`Self::delete_answers_body`]): unchanged unless the type says otherwise.
    fn as_deleted(&self, _body: &mut Value) {}

    /// Whether PATCH is supported (merged into the existing body, then built again).
    fn supports_patch(&self) -> bool {
        false
    }

    /// How PATCH completes.
    fn patch_lro(&self) -> Lro {
        Lro::Sync
    }

    /// How DELETE completes.
    fn delete_lro(&self) -> Lro {
        Lro::Sync
    }

    /// Checks DELETE's query parameters before anything else.
    fn check_delete(&self, _url: &RequestUrl) -> ArmResult<()> {
        Ok(())
    }

    /// Refuses the DELETE of an existing resource the service would keep (an online deployment
    /// that still receives traffic). Runs once the resource is found, before anything changes.
    fn refuse_delete(
        &self,
        _world: &World,
        _resource: &StoredResource,
        _now_ms: u64,
    ) -> ArmResult<()> {
        Ok(())
    }

    /// Updates what depends on a resource a DELETE has just removed (an asset container's
    /// `latestVersion`), or, for a long-running DELETE, has just started removing (a private
    /// endpoint's connection on its target).
    fn after_delete(&self, _world: &mut World, _deleted: &StoredResource, _now_ms: u64) {}

    /// The status of a DELETE of a missing resource (`None`: 404 not found).
    fn delete_missing_status(&self) -> Option<u16> {
        Some(204)
    }

    /// The `locations/{loc}/{kind}` segment of this type's operation-status URLs.
    fn operation_kind(&self) -> &'static str {
        "operationStatuses"
    }

    /// What is shown over the settled body while a create or update runs.
    fn transient_overlay(&self, phase: Phase, _settled: &Value) -> Value {
        if self.has_provisioning_state() {
            json!({"properties": {"provisioningState": phase.as_str()}})
        } else {
            json!({})
        }
    }

    /// Adjusts what a client sees now: `body` is the settled body (overlay merged), `private`
    /// the type's private state (never shown). Jobs compute their status from the clock here.
    fn present(&self, _body: &mut Value, _private: &Value, _now_ms: u64) {}

    /// Checks a list request's query once, before any resource is considered (a bad
    /// `listViewType` is a 400 even when the list would be empty).
    fn check_list_query(&self, _url: &RequestUrl) -> ArmResult<()> {
        Ok(())
    }

    /// Whether a resource belongs in a list answer, given the list's query (`listViewType`).
    fn listed(&self, _url: &RequestUrl, _body: &Value) -> ArmResult<bool> {
        Ok(true)
    }

    /// The read-only sub-resources a GET can read under a resource of this type
    /// (`workspaces/{w}/outboundNetworkDependenciesEndpoints`, `deployments/{d}/skus`).
    fn sub_resources(&self) -> &'static [&'static str] {
        &[]
    }

    /// Answers a GET of the sub-resource `name` (one of [`Self::sub_resources`]).
    fn sub_resource(
        &self,
        name: &str,
        _resource: &StoredResource,
        _ctx: &ActionContext<'_>,
    ) -> ArmResult<Value> {
        Err(ArmError::new(
            404,
            "NotFound",
            format!("'{name}' was not found under {}", self.type_name()),
        ))
    }

    /// A wider scope for a list than the parent's own (lower-cased id prefix), given the
    /// list's query: code versions looked up by `hash` are searched in the whole workspace.
    fn list_prefix(&self, _url: &RequestUrl, _parent_id: &str) -> Option<String> {
        None
    }

    /// Whether listing this type under a parent that does not exist answers an empty list
    /// (when the grandparent exists) rather than 404.
    fn lists_without_parent(&self) -> bool {
        false
    }

    /// An action that may run whether or not the resource exists, and may change the world
    /// beyond the resource (`startPendingUpload` creates a container): `None` when `name` is
    /// not one; else the 200 body and the secret values it issued.
    fn world_action(
        &self,
        _name: &str,
        _world: &mut World,
        _id: &str,
        _now_ms: u64,
    ) -> Option<ArmResult<(Value, Vec<String>)>> {
        None
    }

    /// Whether `segment` names an action whose argument is the next path segment
    /// (`regenerateAdminKey/primary`); such actions reach [`ResourceType::action`] as
    /// `segment/argument`; `delete`: the request is a DELETE (`deleteQueryKey/{key}`), else a POST.
    fn keyed_action(&self, _segment: &str, _delete: bool) -> bool {
        false
    }

    /// Runs a POST action (`listKeys`, `stop`, ...).
    fn action(
        &self,
        name: &str,
        _resource: &StoredResource,
        _body: Option<&Value>,
        _ctx: &ActionContext<'_>,
    ) -> ArmResult<ActionOutcome> {
        Err(ArmError::new(
            404,
            "ActionNotFound",
            format!(
                "The action '{name}' is not supported for type '{}'.",
                self.type_name()
            ),
        ))
    }
}

/// The last segment of a resource id.
pub(crate) fn last_segment(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// The tenant the emulator pretends to be.
pub(crate) const TENANT_ID: &str = "11111111-2222-4333-8444-555555555555";

/// Validation errors of the ML provider: `UserError` with a `ValidationError` detail.
pub(crate) const ML_CHECK: super::fields::Check = super::fields::Check {
    code: "UserError",
    detail: Some("ValidationError"),
};

/// The `{rg}` of an id, as written.
pub(crate) fn resource_group_of(id: &str) -> &str {
    let parts: Vec<&str> = id.split('/').collect();
    parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("resourceGroups"))
        .and_then(|i| parts.get(i + 1).copied())
        .unwrap_or_default()
}

/// Checks that `field` of `body` (when present, or always when `required`) is the id of an
/// existing resource of type `type_name`.
pub(crate) fn check_reference(
    check: super::fields::Check,
    ctx: &PutContext<'_>,
    field: &str,
    type_name: &str,
    required: bool,
) -> ArmResult<Option<StoredResource>> {
    let id = match check.opt_str(ctx.body, field)? {
        Some(id) if !id.trim().is_empty() => id,
        _ if required => return Err(check.missing(field)),
        _ => return Ok(None),
    };
    match ctx.world.get(id, ctx.now_ms) {
        Some(r) if r.type_name.eq_ignore_ascii_case(type_name) => Ok(Some(r.clone())),
        Some(_) => Err(check.error(
            field,
            format!("{field} must be the id of a {type_name} resource"),
        )),
        None => Err(check.error(
            field,
            format!("The {type_name} resource '{id}' referenced by {field} was not found"),
        )),
    }
}
