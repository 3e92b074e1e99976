//! `privateEndpointConnections` of AI services accounts
//! (`Microsoft.CognitiveServices/accounts/privateEndpointConnections`, cognitiveservices
//! 2025-06-01) and search services (`Microsoft.Search/searchServices/privateEndpointConnections`,
//! search 2025-05-01): the resource owner's side of a private endpoint.
//!
//! A connection is created by the private endpoint that asks for it
//! ([`super::private_endpoint`]), named `{endpoint}.{guid}`; its owner lists and reads it,
//! approves or rejects it with a PUT of `privateLinkServiceConnectionState` (a rejected
//! connection stays rejected: the endpoint must be made again), or deletes it, after which the
//! endpoint shows `Disconnected`. The endpoint mirrors every state change. A PUT of a
//! connection no endpoint made is a 404. Accounts: PUT and DELETE answer with
//! `Azure-AsyncOperation`; search services: both synchronous, DELETE answers 200 with the
//! deleted connection (now `Disconnected`) and a missing connection 404, as the examples
//! document.

use serde_json::{Value, json};

use super::virtual_network::PRIVATE_ENDPOINTS;
use super::{Built, LocationPolicy, Lro, PutContext, ResourceType, SideResource};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::world::{StoredResource, World};

const CHECK: Check = Check {
    code: "BadRequest",
    detail: None,
};

/// The connections of one parent type.
pub(crate) struct Connections {
    parent: &'static str,
    type_name: &'static str,
    /// Search's shape: one `groupId`, synchronous operations.
    search: bool,
}

/// Connections of AI services accounts.
pub(crate) static ACCOUNT: Connections = Connections {
    parent: "Microsoft.CognitiveServices/accounts",
    type_name: "Microsoft.CognitiveServices/accounts/privateEndpointConnections",
    search: false,
};

/// Connections of search services.
pub(crate) static SEARCH: Connections = Connections {
    parent: "Microsoft.Search/searchServices",
    type_name: "Microsoft.Search/searchServices/privateEndpointConnections",
    search: true,
};

/// Every connection type.
pub(crate) static CONNECTIONS: [&Connections; 2] = [&ACCOUNT, &SEARCH];

const STATES: &[&str] = &["Approved", "Rejected", "Pending"];

impl Connections {
    /// The parent's type.
    pub(crate) fn parent(&self) -> &'static str {
        self.parent
    }

    /// A connection's fields for endpoint `pe_id`, group `group` and `state`.
    pub(crate) fn connection_fields(&self, pe_id: &str, group: &str, state: &Value) -> Value {
        let mut props = json!({
            "privateEndpoint": {"id": pe_id},
            "privateLinkServiceConnectionState": state,
            "provisioningState": "Succeeded",
        });
        if self.search {
            fields::set(&mut props, "groupId", json!(group));
        } else {
            fields::set(&mut props, "groupIds", json!([group]));
        }
        json!({"properties": props})
    }
}

impl ResourceType for Connections {
    fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::None
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        if (1..=260).contains(&name.len()) && !name.contains(['/', '\\', '?', '#']) {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidResourceName",
                format!("Private endpoint connection name '{name}' is invalid."),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let Some(existing) = ctx.existing else {
            return Err(ArmError::new(
                404,
                "PrivateEndpointConnectionNotFound",
                format!(
                    "Private endpoint connection '{}' was not found: connections are made by creating a private endpoint (Microsoft.Network/privateEndpoints) that targets the resource.",
                    ctx.name
                ),
            ));
        };
        let state = new_state(ctx.body, existing)?;
        let old = &existing.body["properties"];
        let pe_id = old["privateEndpoint"]["id"].as_str().unwrap_or_default();
        let group = old["groupId"]
            .as_str()
            .or_else(|| old["groupIds"][0].as_str())
            .unwrap_or_default();
        let side = mirror(ctx.world, pe_id, &state, ctx.now_ms)
            .into_iter()
            .collect();
        Ok(Built {
            fields: self.connection_fields(pe_id, group, &state),
            side,
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        if self.search {
            Lro::Sync
        } else {
            Lro::AsyncOperation
        }
    }

    fn delete_lro(&self) -> Lro {
        self.put_lro(false)
    }

    fn delete_missing_status(&self) -> Option<u16> {
        if self.search { None } else { Some(204) }
    }

    fn delete_answers_body(&self) -> bool {
        self.search
    }

    fn as_deleted(&self, body: &mut Value) {
        fields::merge(
            body,
            &json!({"properties": {"privateLinkServiceConnectionState": disconnected()}}),
        );
    }

    fn after_delete(&self, world: &mut World, deleted: &StoredResource, now_ms: u64) {
        let pe_id =
            fields::get_str(&deleted.body, "properties.privateEndpoint.id").unwrap_or_default();
        let state = disconnected();
        let Some(side) = mirror(world, pe_id, &state, now_ms) else {
            return;
        };
        if let Some(pe) = world.resources.get_mut(&side.id.to_ascii_lowercase()) {
            fields::merge(&mut pe.body, &side.fields);
        }
    }
}

/// The state of a connection that was deleted.
fn disconnected() -> Value {
    json!({"status": "Disconnected", "description": "", "actionsRequired": "None"})
}

/// The state a PUT asks for, checked against the current one.
fn new_state(body: &Value, existing: &StoredResource) -> ArmResult<Value> {
    let field = "properties.privateLinkServiceConnectionState.status";
    let mut state = fields::object_or_empty(fields::get(
        body,
        "properties.privateLinkServiceConnectionState",
    ));
    let status = CHECK
        .require_enum(&mut state, "status", STATES)
        .map_err(|_| {
            CHECK.error(
                field,
                format!("{field} must be one of {}", STATES.join(", ")),
            )
        })?;
    let before = fields::get_str(
        &existing.body,
        "properties.privateLinkServiceConnectionState.status",
    )
    .unwrap_or_default();
    if before == "Rejected" && status != "Rejected" {
        return Err(CHECK.error(
            field,
            format!("Private endpoint connection '{}' was rejected and cannot become {status}; the endpoint's owner must create the private endpoint again.", existing.id.rsplit('/').next().unwrap_or_default()),
        ));
    }
    fields::default(&mut state, "description", json!(""));
    fields::default(&mut state, "actionsRequired", json!("None"));
    Ok(state)
}

/// The endpoint `pe_id` with its connection showing `state`, to store alongside.
fn mirror(world: &World, pe_id: &str, state: &Value, now_ms: u64) -> Option<SideResource> {
    let pe = world.get(pe_id, now_ms)?;
    let mut body = pe.body.clone();
    for list in [
        "privateLinkServiceConnections",
        "manualPrivateLinkServiceConnections",
    ] {
        if let Some(Value::Array(conns)) = body.pointer_mut(&format!("/properties/{list}")) {
            for c in conns {
                fields::set(
                    c,
                    "properties.privateLinkServiceConnectionState",
                    state.clone(),
                );
            }
        }
    }
    if let Some(o) = body.as_object_mut() {
        o.remove("systemData");
    }
    Some(SideResource {
        id: pe.id.clone(),
        type_name: PRIVATE_ENDPOINTS,
        fields: body,
        secrets: None,
    })
}

/// The connection that endpoint `pe_id` made, if it still exists.
pub(crate) fn of_endpoint(world: &World, pe_id: &str, now_ms: u64) -> Option<StoredResource> {
    world
        .resources
        .values()
        .filter(|r| r.exists_at(now_ms))
        .filter(|r| {
            CONNECTIONS
                .iter()
                .any(|c| c.type_name.eq_ignore_ascii_case(&r.type_name))
        })
        .find(|r| {
            fields::get_str(&r.body, "properties.privateEndpoint.id")
                .is_some_and(|p| p.eq_ignore_ascii_case(pe_id))
        })
        .cloned()
}
