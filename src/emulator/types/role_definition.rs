//! `Microsoft.Authorization/roleDefinitions/{guid}`: custom roles (RoleDefinitions_CreateOrUpdate
//! of the Authorization spec 2022-04-01), at subscription or resource-group scope. A custom role
//! has a `roleName` unique in the tenant (a built-in role's name included), `permissions`, and
//! non-empty `assignableScopes` inside the subscription; a role assignment may name it at any
//! scope inside one of them (elsewhere the role is not visible, as with Azure, where role
//! definitions are looked up at the assignment's scope). Built-in roles are the emulator's
//! fixed list (`role_assignment::BUILT_IN_ROLES`) and are not stored.

use serde_json::{Value, json};

use super::role_assignment::{AUTHZ, BUILT_IN_ROLES, is_guid};
use super::{Built, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::ids;
use crate::emulator::world::World;

/// Role definitions.
pub(crate) struct RoleDefinitions;

const TYPE: &str = "Microsoft.Authorization/roleDefinitions";

/// Whether `scope` is `outer` or inside it (case-insensitive).
fn within(scope: &str, outer: &str) -> bool {
    let (s, o) = (scope.to_ascii_lowercase(), outer.to_ascii_lowercase());
    let o = o.trim_end_matches('/');
    s == o || s.starts_with(&format!("{o}/"))
}

/// Whether a custom role `guid` exists and is assignable at `scope`.
pub(crate) fn custom_role_at(world: &World, now_ms: u64, guid: &str, scope: &str) -> bool {
    world.resources.values().any(|r| {
        r.type_name.eq_ignore_ascii_case(TYPE)
            && r.exists_at(now_ms)
            && super::last_segment(&r.id).eq_ignore_ascii_case(guid)
            && fields::get(&r.body, "properties.assignableScopes")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().filter_map(Value::as_str).any(|o| within(scope, o)))
    })
}

/// The assignable scopes of the body: a non-empty list of scopes inside the subscription.
fn assignable_scopes(ctx: &PutContext<'_>) -> ArmResult<Vec<String>> {
    let field = "properties.assignableScopes";
    let list = fields::get(ctx.body, field)
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| AUTHZ.missing(field))?;
    let sub = format!("/subscriptions/{}", ctx.subscription);
    list.iter()
        .map(|v| match v.as_str() {
            Some(s) if within(s, &sub) => Ok(s.to_owned()),
            _ => Err(AUTHZ.error(
                field,
                format!("{field} must list scopes of the subscription '{sub}'; {v} is not one."),
            )),
        })
        .collect()
}

/// 409 when another role (built-in or custom) already has `name`.
fn check_unique_name(ctx: &PutContext<'_>, name: &str) -> ArmResult<()> {
    let built_in = BUILT_IN_ROLES
        .iter()
        .any(|(_, n)| n.eq_ignore_ascii_case(name));
    let custom = ctx.world.resources.values().any(|r| {
        r.type_name.eq_ignore_ascii_case(TYPE)
            && !r.id.eq_ignore_ascii_case(ctx.id)
            && r.exists_at(ctx.now_ms)
            && fields::get_str(&r.body, "properties.roleName")
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    });
    if built_in || custom {
        return Err(ArmError::new(
            409,
            "RoleDefinitionWithSameNameExists",
            format!(
                "A role definition cannot be updated with a name that already exists: '{name}'."
            ),
        ));
    }
    Ok(())
}

impl ResourceType for RoleDefinitions {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn at_subscription_scope(&self) -> bool {
        true
    }

    fn delete_answers_body(&self) -> bool {
        true
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        if is_guid(name) {
            return Ok(());
        }
        Err(ArmError::bad_request(
            "InvalidRoleDefinitionId",
            format!(
                "The role definition ID '{name}' is not valid. The role definition ID must be a GUID."
            ),
        ))
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let role_name = AUTHZ
            .require_str(ctx.body, "properties.roleName")?
            .to_owned();
        check_unique_name(ctx, &role_name)?;
        let scopes = assignable_scopes(ctx)?;
        let permissions = match fields::get(ctx.body, "properties.permissions") {
            None => json!([]),
            Some(p @ Value::Array(_)) => p.clone(),
            Some(_) => return Err(AUTHZ.error("properties.permissions", "properties.permissions must be an array of {actions, notActions, dataActions, notDataActions}")),
        };
        let now = ids::timestamp(ctx.now_ms);
        let created = ctx
            .existing
            .and_then(|e| fields::get_str(&e.body, "properties.createdOn"))
            .map_or_else(|| now.clone(), str::to_owned);
        let description = fields::get(ctx.body, "properties.description")
            .cloned()
            .unwrap_or(Value::Null);
        Ok(Built {
            fields: json!({"properties": {
                "roleName": role_name,
                "type": "CustomRole",
                "description": description,
                "permissions": permissions,
                "assignableScopes": scopes,
                "createdOn": created,
                "updatedOn": now,
                "createdBy": super::TENANT_ID,
                "updatedBy": super::TENANT_ID
            }}),
            ..Built::default()
        })
    }
}
