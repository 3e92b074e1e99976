//! `Microsoft.Network/privateEndpoints`: a network interface in a subnet that reaches one
//! resource privately (Microsoft.Network `privateEndpoint.json`, 2024-07-01).
//!
//! Modelled: `subnet.id` (a subnet of an existing virtual network in the endpoint's region),
//! exactly one connection, in `privateLinkServiceConnections` (approved at once, as when the
//! creator may approve: "Auto-Approved") or `manualPrivateLinkServiceConnections` (`Pending`
//! with the request message until the resource's owner approves it), to an existing resource
//! (`privateLinkServiceId`) with one `groupIds` entry valid for its type ([`group_ids`]).
//! Creating the endpoint creates the matching `privateEndpointConnections` child on an AI
//! services account or a search service ([`super::private_endpoint_connection`]); the
//! endpoint shows that connection's state, and deleting the endpoint removes it. The target and
//! group of an endpoint cannot change. No network interface or IP address is allocated:
//! `networkInterfaces` and `customDnsConfigs` stay empty. PUT and DELETE answer with
//! `Azure-AsyncOperation`, showing `Updating` until settled.

use serde_json::{Value, json};

use super::private_endpoint_connection::{self as pec, CONNECTIONS};
use super::virtual_network::{PRIVATE_ENDPOINTS, find_subnet, network_name};
use super::{Built, LocationPolicy, Lro, PutContext, ResourceType, SideResource};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::world::{Phase, StoredResource, World};

const CHECK: Check = Check {
    code: "InvalidRequestFormat",
    detail: None,
};

/// The group ids (sub-resources) a private endpoint may reach, per target type.
pub(crate) fn group_ids(target_type: &str) -> Option<&'static [&'static str]> {
    let table: &[(&str, &[&str])] = &[
        ("Microsoft.CognitiveServices/accounts", &["account"]),
        ("Microsoft.Search/searchServices", &["searchService"]),
        (
            "Microsoft.MachineLearningServices/workspaces",
            &["amlworkspace"],
        ),
        (
            "Microsoft.Storage/storageAccounts",
            &[
                "blob",
                "blob_secondary",
                "file",
                "queue",
                "table",
                "web",
                "dfs",
            ],
        ),
        ("Microsoft.KeyVault/vaults", &["vault"]),
        ("Microsoft.ContainerRegistry/registries", &["registry"]),
    ];
    table
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(target_type))
        .map(|(_, g)| *g)
}

/// Private endpoints.
pub(crate) struct PrivateEndpoints;

/// The one connection an endpoint asks for.
struct Request {
    /// `privateLinkServiceConnections` or `manualPrivateLinkServiceConnections`.
    list: &'static str,
    name: String,
    target: StoredResource,
    group: &'static str,
    props: Value,
}

impl ResourceType for PrivateEndpoints {
    fn type_name(&self) -> &'static str {
        PRIVATE_ENDPOINTS
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        network_name(name, "Private endpoint")
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut props = fields::object_or_empty(ctx.body.get("properties"));
        check_subnet(ctx, &props)?;
        let req = connection_request(ctx, &props)?;
        let existing = ctx
            .existing
            .and_then(|e| pec::of_endpoint(ctx.world, &e.id, ctx.now_ms));
        if let Some(e) = ctx.existing {
            check_unchanged(e, &req)?;
        }
        let state = existing.as_ref().map_or_else(
            || initial_state(&req),
            |c| c.body["properties"]["privateLinkServiceConnectionState"].clone(),
        );
        let conn = connection_view(ctx.id, &req, &state);
        let (auto, manual) = if req.list == "privateLinkServiceConnections" {
            (json!([conn]), json!([]))
        } else {
            (json!([]), json!([conn]))
        };
        fields::set(&mut props, "privateLinkServiceConnections", auto);
        fields::set(&mut props, "manualPrivateLinkServiceConnections", manual);
        fields::default(&mut props, "networkInterfaces", json!([]));
        fields::default(&mut props, "customDnsConfigs", json!([]));
        fields::default(&mut props, "ipConfigurations", json!([]));
        fields::default(&mut props, "applicationSecurityGroups", json!([]));
        let side = target_side(ctx, &req, existing, &state);
        Ok(Built {
            fields: json!({"properties": props}),
            side,
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::AsyncOperation
    }

    fn delete_lro(&self) -> Lro {
        Lro::AsyncOperation
    }

    fn transient_overlay(&self, _phase: Phase, _settled: &Value) -> Value {
        json!({"properties": {"provisioningState": "Updating"}})
    }

    fn after_delete(&self, world: &mut World, deleted: &StoredResource, now_ms: u64) {
        if let Some(c) = pec::of_endpoint(world, &deleted.id, now_ms) {
            world.resources.remove(&c.id.to_ascii_lowercase());
        }
    }
}

/// The subnet exists, in the endpoint's region.
fn check_subnet(ctx: &PutContext<'_>, props: &Value) -> ArmResult<()> {
    let subnet_id = CHECK
        .require_str(props, "subnet.id")
        .map_err(|_| CHECK.missing("properties.subnet.id"))?;
    let Some((vnet, _)) = find_subnet(ctx.world, subnet_id, ctx.now_ms) else {
        return Err(ArmError::bad_request(
            "InvalidResourceReference",
            format!(
                "Resource {subnet_id} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.",
                ctx.id
            ),
        ));
    };
    let vnet_location = fields::get_str(&vnet.body, "location").unwrap_or_default();
    match ctx.location {
        Some(l) if !l.eq_ignore_ascii_case(vnet_location) => Err(ArmError::bad_request(
            "InvalidResourceReference",
            format!(
                "Resource {subnet_id} referenced by resource {} was not found in {l}: the private endpoint must be in the region of its virtual network ({vnet_location}).",
                ctx.id
            ),
        )),
        _ => Ok(()),
    }
}

/// The one connection of the body, its target and group checked.
fn connection_request(ctx: &PutContext<'_>, props: &Value) -> ArmResult<Request> {
    let mut found = Vec::new();
    for list in [
        "privateLinkServiceConnections",
        "manualPrivateLinkServiceConnections",
    ] {
        match props.get(list) {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => found.extend(a.iter().map(|c| (list, c.clone()))),
            Some(_) => {
                return Err(CHECK.error(
                    &format!("properties.{list}"),
                    format!("properties.{list} must be an array"),
                ));
            }
        }
    }
    let [(list, conn)] = <[_; 1]>::try_from(found).map_err(|f: Vec<_>| {
        CHECK.error(
            "properties.privateLinkServiceConnections",
            format!("A private endpoint has exactly one connection, in privateLinkServiceConnections (approved at once) or manualPrivateLinkServiceConnections (approved by the resource's owner); {} given.", f.len()),
        )
    })?;
    let at = format!("properties.{list}[0].properties");
    let target_id = CHECK
        .require_str(&conn, "properties.privateLinkServiceId")
        .map_err(|_| CHECK.missing(&format!("{at}.privateLinkServiceId")))?;
    let target = ctx
        .world
        .get(target_id, ctx.now_ms)
        .cloned()
        .ok_or_else(|| {
            ArmError::bad_request(
                "PrivateLinkServiceNotFound",
                format!(
                    "The resource {target_id} that private endpoint {} connects to was not found.",
                    ctx.id
                ),
            )
        })?;
    let group = check_group(&conn, &target, &at)?;
    let name = conn["name"].as_str().unwrap_or(ctx.name).to_owned();
    network_name(&name, "Private link service connection")?;
    Ok(Request {
        list,
        name,
        target,
        group,
        props: fields::object_or_empty(conn.get("properties")),
    })
}

/// `groupIds`: one entry, valid for the target's type.
fn check_group(conn: &Value, target: &StoredResource, at: &str) -> ArmResult<&'static str> {
    let Some(valid) = group_ids(&target.type_name) else {
        return Err(ArmError::bad_request(
            "PrivateEndpointBadRequest",
            format!(
                "Resources of type {} cannot be reached through a private endpoint in the emulator.",
                target.type_name
            ),
        ));
    };
    let given: Vec<&str> = conn["properties"]["groupIds"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let found = match given.as_slice() {
        [g] => valid.iter().find(|v| v.eq_ignore_ascii_case(g)).copied(),
        _ => None,
    };
    found.ok_or_else(|| {
        ArmError::bad_request(
            "PrivateEndpointBadRequest",
            format!(
                "Call to {} failed. Error message: {at}.groupIds must name one group id of the resource, one of: {}; given: [{}].",
                target.type_name,
                valid.join(", "),
                given.join(", ")
            ),
        )
        .with_target(format!("{at}.groupIds"))
    })
}

/// An update keeps the endpoint's target, group and kind of connection.
fn check_unchanged(existing: &StoredResource, req: &Request) -> ArmResult<()> {
    let before = fields::get(&existing.body, &format!("properties.{}", req.list))
        .and_then(|l| l.get(0))
        .map(|c| &c["properties"]);
    let same = before.is_some_and(|b| {
        b["privateLinkServiceId"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case(&req.target.id))
            && b["groupIds"][0]
                .as_str()
                .is_some_and(|g| g.eq_ignore_ascii_case(req.group))
    });
    if same {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "CannotChangePrivateLinkServiceConnection",
            format!(
                "The connection of private endpoint {} cannot change its target, group id or approval kind; delete the endpoint and create it again.",
                existing.id
            ),
        ))
    }
}

/// A new connection's state: approved at once, or pending the owner's approval.
fn initial_state(req: &Request) -> Value {
    if req.list == "privateLinkServiceConnections" {
        json!({"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"})
    } else {
        let message = req.props["requestMessage"].as_str().unwrap_or_default();
        json!({"status": "Pending", "description": message, "actionsRequired": "None"})
    }
}

/// The connection as the endpoint shows it.
fn connection_view(pe_id: &str, req: &Request, state: &Value) -> Value {
    let mut props = req.props.clone();
    fields::set(&mut props, "privateLinkServiceId", json!(req.target.id));
    fields::set(&mut props, "groupIds", json!([req.group]));
    fields::set(
        &mut props,
        "privateLinkServiceConnectionState",
        state.clone(),
    );
    fields::set(&mut props, "provisioningState", json!("Succeeded"));
    json!({
        "id": format!("{pe_id}/{}/{}", req.list, req.name),
        "name": req.name,
        "type": format!("Microsoft.Network/privateEndpoints/{}", req.list),
        "properties": props,
    })
}

/// The connection child on the target, when its type has one.
fn target_side(
    ctx: &PutContext<'_>,
    req: &Request,
    existing: Option<StoredResource>,
    state: &Value,
) -> Vec<SideResource> {
    let Some(ty) = CONNECTIONS
        .iter()
        .find(|c| c.parent().eq_ignore_ascii_case(&req.target.type_name))
    else {
        return Vec::new();
    };
    let id = existing.map_or_else(
        || {
            format!(
                "{}/privateEndpointConnections/{}.{}",
                req.target.id,
                ctx.name,
                crate::emulator::ids::guid()
            )
        },
        |c| c.id,
    );
    vec![SideResource {
        id,
        type_name: ty.type_name(),
        fields: ty.connection_fields(ctx.id, req.group, state),
        secrets: None,
    }]
}
