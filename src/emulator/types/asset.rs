//! Versioned ML assets (environments, components, models): containers, immutable versions,
//! and the container's `latestVersion`/`nextVersion` (what the SDK reads to auto-increment),
//! recounted when a version is added or deleted.
//!
//! Each asset kind is an [`AssetSpec`]; [`AssetContainers`] and [`AssetVersions`] implement
//! [`ResourceType`] for it. PUT is synchronous; a version PUT creates its container.

use regex::Regex;
use serde_json::{Value, json};

use super::{
    ActionContext, ActionOutcome, Built, Lro, ML_CHECK, PutContext, ResourceType, SideResource,
};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::world::{Phase, StoredResource, World};

/// One kind of versioned asset.
#[derive(Debug)]
pub(crate) struct AssetSpec {
    /// Container type, e.g. `Microsoft.MachineLearningServices/workspaces/models`.
    pub(crate) container_type: &'static str,
    /// Version type (`.../versions`).
    pub(crate) version_type: &'static str,
    /// Human name, e.g. `Model`.
    pub(crate) label: &'static str,
    /// Validates a version's `properties` and fills in defaults.
    pub(crate) build_version: fn(&mut Value, &PutContext<'_>) -> ArmResult<()>,
    /// Properties a re-PUT of a version may not change.
    pub(crate) immutable: &'static [&'static str],
}

impl AssetSpec {
    /// Whether the kind lives in a registry (`registries/{r}/...`): its PUT and DELETE are
    /// long-running there (`Registry*Containers_*`, `Registry*Versions_*`), synchronous in a
    /// workspace.
    pub(crate) fn in_registry(&self) -> bool {
        self.container_type.contains("/registries/")
    }

    fn put_lro(&self) -> Lro {
        if self.in_registry() {
            Lro::AsyncOperation
        } else {
            Lro::Sync
        }
    }

    fn delete_lro(&self) -> Lro {
        if self.in_registry() {
            Lro::Location
        } else {
            Lro::Sync
        }
    }
}

/// The containers of an asset kind.
#[derive(Debug)]
pub(crate) struct AssetContainers(pub(crate) &'static AssetSpec);

/// The versions of an asset kind.
#[derive(Debug)]
pub(crate) struct AssetVersions(pub(crate) &'static AssetSpec);

/// Checks an asset or version name.
pub(crate) fn check_asset_name(what: &str, name: &str, max: usize) -> ArmResult<()> {
    let ok = name.len() <= max
        && Regex::new(r"^[a-zA-Z0-9][a-zA-Z0-9\-_.]*$").is_ok_and(|r| r.is_match(name));
    if ok {
        Ok(())
    } else {
        Err(ML_CHECK.error(
            "name",
            format!("{what} '{name}' is invalid: use at most {max} letters, digits, '-', '_' and '.', starting with a letter or digit"),
        ))
    }
}

fn common_props(props: &mut Value) {
    fields::default(props, "description", Value::Null);
    fields::default(props, "tags", json!({}));
    fields::default(props, "properties", json!({}));
    fields::default(props, "isArchived", json!(false));
}

impl ResourceType for AssetContainers {
    fn type_name(&self) -> &'static str {
        self.0.container_type
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        check_asset_name(&format!("{} name", self.0.label), name, 255)
    }

    fn put_lro(&self, _created: bool) -> Lro {
        self.0.put_lro()
    }

    fn delete_lro(&self) -> Lro {
        self.0.delete_lro()
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        if let Some(p) = ctx.body.get("properties")
            && !p.is_object()
            && !p.is_null()
        {
            return Err(ML_CHECK.error("properties", "properties must be an object"));
        }
        let mut props = fields::object_or_empty(ctx.body.get("properties"));
        common_props(&mut props);
        let prior = |f: &str| {
            ctx.existing
                .and_then(|e| fields::get(&e.body, &format!("properties.{f}")))
                .cloned()
        };
        fields::set(
            &mut props,
            "latestVersion",
            prior("latestVersion").unwrap_or(Value::Null),
        );
        fields::set(
            &mut props,
            "nextVersion",
            prior("nextVersion").unwrap_or(json!("1")),
        );
        Ok(Built {
            fields: json!({"properties": props}),
            ..Built::default()
        })
    }
}

impl ResourceType for AssetVersions {
    fn type_name(&self) -> &'static str {
        self.0.version_type
    }

    fn creates_parent(&self) -> bool {
        true
    }

    fn put_lro(&self, _created: bool) -> Lro {
        self.0.put_lro()
    }

    fn delete_lro(&self) -> Lro {
        self.0.delete_lro()
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        // Anonymous assets the SDK registers (an inline environment, a job's code) are versioned
        // by their 64-hex-digit content hash.
        check_asset_name(&format!("{} version", self.0.label), name, 255)
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let c = ML_CHECK;
        let Some(given) = ctx.body.get("properties").filter(|p| p.is_object()) else {
            return Err(c.missing("properties"));
        };
        let mut props = given.clone();
        (self.0.build_version)(&mut props, ctx)?;
        common_props(&mut props);
        fields::default(&mut props, "isAnonymous", json!(false));
        let mut status = None;
        if let Some(existing) = ctx.existing {
            for f in self.0.immutable {
                let before = fields::get(&existing.body, &format!("properties.{f}"));
                if before != fields::get(&props, f) {
                    return Err(ArmError::new(
                        409,
                        "UserError",
                        format!(
                            "{} version '{}' already exists with a different properties.{f}; versions are immutable, create a new version instead",
                            self.0.label, ctx.name
                        ),
                    )
                    .with_target(format!("properties.{f}")));
                }
            }
            status = Some(200);
        }
        let side = vec![container_update(ctx, self.0.container_type)];
        Ok(Built {
            fields: json!({"properties": props}),
            side,
            status,
            ..Built::default()
        })
    }

    fn after_delete(&self, world: &mut World, deleted: &StoredResource, now_ms: u64) {
        version_deleted(world, deleted, now_ms);
    }

    /// `package` on a workspace model version, `publish` on a workspace asset version; no
    /// other action on asset versions.
    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        body: Option<&Value>,
        ctx: &ActionContext<'_>,
    ) -> ArmResult<ActionOutcome> {
        let in_workspace = !self.0.in_registry();
        if in_workspace && self.0.label == "Model" && name.eq_ignore_ascii_case("package") {
            return super::model_package::package(resource, body, ctx);
        }
        if in_workspace && name.eq_ignore_ascii_case("publish") {
            return super::asset_publish::publish(self.0, resource, body, ctx);
        }
        Err(ArmError::new(
            404,
            "ActionNotFound",
            format!(
                "The action '{name}' is not supported for {} versions.",
                self.0.label
            ),
        ))
    }
}

/// The container id of a version id (`.../models/m/versions/2` -> `.../models/m`).
pub(crate) fn container_of(version_id: &str) -> &str {
    version_id
        .rsplit_once("/versions/")
        .map_or(version_id, |(c, _)| c)
}

/// The `latestVersion` and `nextVersion` of container `container_id` over its versions at
/// `now_ms`, with version `added` counted in (a PUT about to store it). The latest is the
/// highest numeric version (else the newest), `null` when no version remains; the next is one
/// past the highest numeric version and never goes back: deleting versions does not make their
/// numbers reusable (the service keeps counting where it left off).
pub(crate) fn recount(
    world: &World,
    container_id: &str,
    now_ms: u64,
    added: Option<&str>,
) -> (Value, Value) {
    count(world, container_id, now_ms, added, None)
}

/// [`recount`] with the version id `removed` left out (a long-running DELETE has just started).
fn count(
    world: &World,
    container_id: &str,
    now_ms: u64,
    added: Option<&str>,
    removed: Option<&str>,
) -> (Value, Value) {
    let prefix = format!("{}/versions/", container_id.to_ascii_lowercase());
    let removed = removed.map(str::to_ascii_lowercase);
    let mut versions: Vec<(u64, String)> = world
        .resources
        .iter()
        .filter(|(k, r)| k.starts_with(&prefix) && r.exists_at(now_ms) && !being_deleted(r))
        .filter(|(k, _)| removed.as_ref() != Some(*k))
        .map(|(_, r)| (r.seq, super::last_segment(&r.id).to_owned()))
        .collect();
    if let Some(name) = added
        && !versions.iter().any(|(_, v)| v == name)
    {
        versions.push((u64::MAX, name.to_owned()));
    }
    let numeric_max = versions
        .iter()
        .filter_map(|(_, v)| v.parse::<u64>().ok())
        .max();
    let latest = match numeric_max {
        Some(n) => json!(n.to_string()),
        None => versions
            .iter()
            .max_by_key(|(s, _)| *s)
            .map_or(Value::Null, |(_, v)| json!(v)),
    };
    let prior_next = world
        .get(container_id, now_ms)
        .and_then(|c| fields::get_str(&c.body, "properties.nextVersion"))
        .and_then(|n| n.parse::<u64>().ok());
    let next = numeric_max.map(|n| n + 1).max(prior_next).unwrap_or(1);
    (latest, json!(next.to_string()))
}

/// Whether a long-running DELETE (a registry's version) is removing `r`: it no longer counts.
fn being_deleted(r: &StoredResource) -> bool {
    r.transition
        .as_ref()
        .is_some_and(|t| t.phase == Phase::Deleting)
}

/// After a version was deleted: its container's `latestVersion` names the highest remaining
/// version (or is `null`), and `nextVersion` stays where it was.
pub(crate) fn version_deleted(world: &mut World, deleted: &StoredResource, now_ms: u64) {
    let container_id = container_of(&deleted.id).to_owned();
    let (latest, next) = count(world, &container_id, now_ms, None, Some(&deleted.id));
    if let Some(c) = world.resources.get_mut(&container_id.to_ascii_lowercase()) {
        fields::set(&mut c.body, "properties.latestVersion", latest);
        fields::set(&mut c.body, "properties.nextVersion", next);
    }
}

/// The container with `latestVersion`/`nextVersion` recomputed to include this version.
fn container_update(ctx: &PutContext<'_>, container_type: &'static str) -> SideResource {
    let container_id = container_of(ctx.id).to_owned();
    let (latest, next) = recount(ctx.world, &container_id, ctx.now_ms, Some(ctx.name));
    let mut props = ctx
        .world
        .get(&container_id, ctx.now_ms)
        .and_then(|c| c.body.get("properties").cloned())
        .unwrap_or_else(|| json!({}));
    common_props(&mut props);
    fields::set(&mut props, "latestVersion", latest);
    fields::set(&mut props, "nextVersion", next);
    fields::set(&mut props, "provisioningState", json!("Succeeded"));
    SideResource {
        id: container_id,
        type_name: container_type,
        fields: json!({"properties": props}),
        secrets: None,
    }
}
