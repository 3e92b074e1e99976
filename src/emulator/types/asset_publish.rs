//! `POST .../workspaces/{w}/{models|environments|components|codes}/{name}/versions/{v}/publish`
//! (`*Versions_Publish`, ML spec 2025-12-01, body `DestinationAsset`): copies a workspace asset
//! version into a registry of your own (learn.microsoft.com/azure/machine-learning/
//! how-to-share-models-pipelines-across-workspaces-with-registries). Long-running: 202 with
//! `Location`; the copy is readable at `.../registries/{r}/{kind}/{name}/versions/{v}`.
//!
//! Checked: `registryName` is required and names a registry of the subscription (404 when it
//! does not exist); `destinationName` and `destinationVersion` default to the source's name and
//! version and follow the asset naming rules; a destination version that exists already is a
//! 409 (registry versions are immutable). The copy keeps the source's properties, tags and
//! description (a model's `modelUri` as registered: amlab copies no files).

use serde_json::{Value, json};

use super::asset::{AssetSpec, check_asset_name, recount};
use super::{ActionContext, ActionOutcome, Lro, ML_CHECK, SideResource, registry_asset};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::world::StoredResource;

/// The registry types (container, version) of a workspace asset kind.
fn registry_types(kind: &str) -> Option<(&'static str, &'static str)> {
    let spec: &AssetSpec = match kind {
        "models" => registry_asset::MODEL_VERSIONS.0,
        "environments" => registry_asset::ENV_VERSIONS.0,
        "components" => registry_asset::COMPONENT_VERSIONS.0,
        "codes" => registry_asset::CODE_VERSIONS.0,
        _ => return None,
    };
    Some((spec.container_type, spec.version_type))
}

/// Runs `publish` on the workspace asset version `source` of `spec`.
pub(super) fn publish(
    spec: &AssetSpec,
    source: &StoredResource,
    body: Option<&Value>,
    ctx: &ActionContext<'_>,
) -> ArmResult<ActionOutcome> {
    let request = body
        .filter(|b| b.is_object())
        .ok_or_else(ArmError::invalid_body)?;
    let kind = super::last_segment(spec.container_type);
    let (container_type, version_type) = registry_types(kind).ok_or_else(|| not_supported(spec))?;
    let registry = ML_CHECK
        .opt_str(request, "registryName")?
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| ML_CHECK.missing("registryName"))?;
    let (src_container, src_version) = source
        .id
        .rsplit_once("/versions/")
        .unwrap_or((&source.id, "1"));
    let name = ML_CHECK
        .opt_str(request, "destinationName")?
        .unwrap_or_else(|| super::last_segment(src_container));
    let version = ML_CHECK
        .opt_str(request, "destinationVersion")?
        .unwrap_or(src_version);
    check_asset_name(&format!("{} name", spec.label), name, 255)?;
    check_asset_name(&format!("{} version", spec.label), version, 255)?;
    let registry_id = super::ml_registry::find(ctx.world, ctx.now_ms, &source.id, registry)?;
    let container_id = format!("{registry_id}/{kind}/{name}");
    let version_id = format!("{container_id}/versions/{version}");
    if ctx.world.get(&version_id, ctx.now_ms).is_some() {
        return Err(ArmError::new(
            409,
            "UserError",
            format!("{} version '{name}:{version}' already exists in registry '{registry}'; registry versions are immutable: publish to a new destinationVersion", spec.label),
        )
        .with_target("destinationVersion".to_owned()));
    }
    let mut props = source
        .body
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    fields::set(&mut props, "provisioningState", json!("Succeeded"));
    fields::set(&mut props, "isAnonymous", json!(false));
    let side = vec![
        container(ctx, &container_id, version, container_type),
        SideResource {
            id: version_id,
            type_name: version_type,
            fields: json!({"properties": props}),
            secrets: None,
        },
    ];
    Ok(ActionOutcome {
        status: 202,
        body: None,
        lro: Lro::Location,
        side,
        ..ActionOutcome::ok(Value::Null)
    })
}

/// The destination container, created or with its latest and next versions recounted.
fn container(
    ctx: &ActionContext<'_>,
    id: &str,
    version: &str,
    type_name: &'static str,
) -> SideResource {
    let (latest, next) = recount(ctx.world, id, ctx.now_ms, Some(version));
    let mut props = ctx
        .world
        .get(id, ctx.now_ms)
        .and_then(|c| c.body.get("properties").cloned())
        .unwrap_or_else(
            || json!({"description": null, "tags": {}, "properties": {}, "isArchived": false}),
        );
    props["latestVersion"] = latest;
    props["nextVersion"] = next;
    props["provisioningState"] = json!("Succeeded");
    SideResource {
        id: id.to_owned(),
        type_name,
        fields: json!({"properties": props}),
        secrets: None,
    }
}

fn not_supported(spec: &AssetSpec) -> ArmError {
    ArmError::new(
        404,
        "ActionNotFound",
        format!(
            "The action 'publish' is not supported for {} versions.",
            spec.label
        ),
    )
}
