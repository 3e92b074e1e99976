//! `Microsoft.MachineLearningServices/workspaces/data` (containers) and
//! `.../data/{name}/versions/{version}`: synchronous PUT; versions are immutable and keep their
//! container's `latestVersion`/`nextVersion` up to date, deletes included.

use regex::Regex;
use serde_json::{Value, json};

use super::{Built, ML_CHECK, PutContext, ResourceType, SideResource};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::world::{StoredResource, World};

const DATA_TYPES: &[&str] = &["uri_file", "uri_folder", "mltable"];
const CONTAINER_TYPE: &str = "Microsoft.MachineLearningServices/workspaces/data";
const VERSION_TYPE: &str = "Microsoft.MachineLearningServices/workspaces/data/versions";

/// Data asset containers.
pub(crate) struct DataContainers;

/// Data asset versions.
pub(crate) struct DataVersions;

fn check_asset_name(what: &str, name: &str, max: usize) -> ArmResult<()> {
    let ok = name.len() <= max
        && Regex::new(r"^[a-zA-Z0-9][a-zA-Z0-9\-_.]*$").is_ok_and(|r| r.is_match(name));
    if ok {
        Ok(())
    } else {
        Err(ML_CHECK.error(
            "name",
            format!("{what} '{name}' is invalid: use letters, digits, '-', '_' and '.'"),
        ))
    }
}

/// Accepts `UriFile`-style spellings as well as the wire enum.
fn data_type(input: &mut Value, field: &str) -> ArmResult<&'static str> {
    let raw = ML_CHECK.require_str(input, field)?.to_owned();
    let snake = match raw.to_ascii_lowercase().as_str() {
        "urifile" => "uri_file".to_owned(),
        "urifolder" => "uri_folder".to_owned(),
        other => other.to_owned(),
    };
    let canon = ML_CHECK.one_of(field, &snake, DATA_TYPES).map_err(|_| {
        ML_CHECK.error(
            field,
            format!(
                "{field} has an invalid value '{raw}'; allowed values are: {}",
                DATA_TYPES.join(", ")
            ),
        )
    })?;
    fields::set(input, field, json!(canon));
    Ok(canon)
}

fn common_props(props: &mut Value) {
    fields::default(props, "description", Value::Null);
    fields::default(props, "tags", json!({}));
    fields::default(props, "properties", json!({}));
    fields::default(props, "isArchived", json!(false));
}

impl ResourceType for DataContainers {
    fn type_name(&self) -> &'static str {
        CONTAINER_TYPE
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        check_asset_name("Data asset name", name, 255)
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut input = ctx.body.clone();
        data_type(&mut input, "properties.dataType")?;
        let mut props = fields::object_or_empty(input.get("properties"));
        common_props(&mut props);
        for f in ["latestVersion", "nextVersion"] {
            let v = ctx
                .existing
                .and_then(|e| fields::get(&e.body, &format!("properties.{f}")))
                .cloned();
            fields::set(&mut props, f, v.unwrap_or(Value::Null));
        }
        Ok(Built {
            fields: json!({"properties": props}),
            ..Built::default()
        })
    }
}

impl ResourceType for DataVersions {
    fn type_name(&self) -> &'static str {
        VERSION_TYPE
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn creates_parent(&self) -> bool {
        true
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        check_asset_name("Data asset version", name, 30)
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut input = ctx.body.clone();
        let kind = data_type(&mut input, "properties.dataType")?;
        let uri = ML_CHECK
            .require_str(&input, "properties.dataUri")?
            .to_owned();
        let mut status = None;
        if let Some(existing) = ctx.existing {
            let same = fields::get_str(&existing.body, "properties.dataUri") == Some(uri.as_str())
                && fields::get_str(&existing.body, "properties.dataType") == Some(kind);
            if !same {
                return Err(ArmError::new(
                    409,
                    "UserError",
                    format!("Data asset version '{}' already exists with a different properties.dataType or properties.dataUri; versions are immutable, create a new version instead", ctx.name),
                )
                .with_target("properties.dataUri"));
            }
            status = Some(200);
        }
        let mut props = fields::object_or_empty(input.get("properties"));
        common_props(&mut props);
        fields::default(&mut props, "isAnonymous", json!(false));
        let side = vec![container_update(ctx, kind)];
        Ok(Built {
            fields: json!({"properties": props}),
            side,
            status,
            ..Built::default()
        })
    }

    fn after_delete(&self, world: &mut World, deleted: &StoredResource, now_ms: u64) {
        super::asset::version_deleted(world, deleted, now_ms);
    }
}

/// The container with `latestVersion`/`nextVersion` recomputed to include this version.
fn container_update(ctx: &PutContext<'_>, kind: &str) -> SideResource {
    let container_id = super::asset::container_of(ctx.id).to_owned();
    let (latest, next) =
        super::asset::recount(ctx.world, &container_id, ctx.now_ms, Some(ctx.name));
    let mut props = ctx
        .world
        .get(&container_id, ctx.now_ms)
        .and_then(|c| c.body.get("properties").cloned())
        .unwrap_or_else(|| json!({"dataType": kind}));
    common_props(&mut props);
    fields::default(&mut props, "dataType", json!(kind));
    fields::set(&mut props, "latestVersion", latest);
    fields::set(&mut props, "nextVersion", next);
    SideResource {
        id: container_id,
        type_name: CONTAINER_TYPE,
        fields: json!({"properties": props}),
        secrets: None,
    }
}
