//! `Microsoft.Authorization/roleAssignments/{guid}` at every scope (subscription, resource
//! group, resource; the `...ById` operations address the same ids): a known role definition,
//! a principal and its type; 409 `RoleAssignmentExists` for the same principal, role and scope
//! under another name. Synchronous PUT (201); DELETE answers the deleted assignment (200) or
//! 204 when there was none. Lists answer what applies to the scope (see
//! [`super::role_assignment_scope`]).

use regex::Regex;
use serde_json::{Value, json};

use super::role_assignment_scope as scope;
use super::{Built, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::ids;
use crate::emulator::url::RequestUrl;

/// Role assignments.
pub(crate) struct RoleAssignments;

const TYPE: &str = "Microsoft.Authorization/roleAssignments";

/// Authorization errors carry no detail code.
pub(super) const AUTHZ: Check = Check {
    code: "InvalidRequestContent",
    detail: None,
};

/// Built-in role definitions the emulator knows: (GUID, role name).
pub(crate) const BUILT_IN_ROLES: &[(&str, &str)] = &[
    ("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"),
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"),
    ("acdd72a7-3b0f-41ad-9dbb-8b6f9e4dc3b2", "Reader"),
    (
        "f6c7c914-8db3-469d-8ca1-694a8f32e121",
        "AzureML Data Scientist",
    ),
    (
        "e503ece1-11d0-4e8e-8e2c-7a6c3bf38815",
        "AzureML Compute Operator",
    ),
    (
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "Storage Blob Data Contributor",
    ),
    (
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        "Storage Blob Data Reader",
    ),
    ("7f951dda-4ed3-4680-a7ca-43fe172d538d", "AcrPull"),
    (
        "a97b65f3-24c7-4388-baec-2e87135dc908",
        "Cognitive Services User",
    ),
    (
        "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68",
        "Cognitive Services Contributor",
    ),
    (
        "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
        "Cognitive Services OpenAI User",
    ),
    (
        "a001fd3d-188f-4b5d-821b-7da978bf7442",
        "Cognitive Services OpenAI Contributor",
    ),
    (
        "7ca78c08-252a-4471-8644-bb5ff32d4ba0",
        "Search Service Contributor",
    ),
    (
        "8ebe5a00-799e-43f5-93ac-243d3dce84a7",
        "Search Index Data Contributor",
    ),
    (
        "1407120a-92aa-4202-b7e9-c0e197c71c8f",
        "Search Index Data Reader",
    ),
    (
        "4633458b-17de-408a-b874-0445c86b69e6",
        "Key Vault Secrets User",
    ),
];

pub(super) fn is_guid(s: &str) -> bool {
    Regex::new(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
        .is_ok_and(|r| r.is_match(s))
}

/// The scope of an assignment id (everything before `/providers/Microsoft.Authorization/`).
fn scope_of(id: &str) -> &str {
    let lower = id.to_ascii_lowercase();
    lower
        .rfind("/providers/microsoft.authorization/")
        .map_or(id, |i| &id[..i])
}

impl ResourceType for RoleAssignments {
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

    fn check_list_query(&self, url: &RequestUrl) -> ArmResult<()> {
        scope::parse(url).map(|_| ())
    }

    /// The whole subscription: assignments above the scope apply to it too.
    fn list_prefix(&self, _url: &RequestUrl, parent_id: &str) -> Option<String> {
        let sub = parent_id.split('/').nth(2).unwrap_or_default();
        Some(format!("/subscriptions/{}/", sub.to_ascii_lowercase()))
    }

    fn listed(&self, url: &RequestUrl, body: &Value) -> ArmResult<bool> {
        let filter = scope::parse(url)?;
        Ok(scope::keeps(&filter, &scope::listed_scope(url), body))
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        if is_guid(name) {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidRoleAssignmentId",
                format!(
                    "The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."
                ),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let c = AUTHZ;
        let role = c
            .require_str(ctx.body, "properties.roleDefinitionId")?
            .to_owned();
        let principal = c
            .require_str(ctx.body, "properties.principalId")?
            .to_owned();
        if !is_guid(&principal) {
            return Err(c.error(
                "properties.principalId",
                format!("The principal id '{principal}' is not valid: it must be the object id (a GUID) of a user, group or service principal."),
            ));
        }
        let principal_type = match c.opt_str(ctx.body, "properties.principalType")? {
            Some(t) => c.one_of(
                "properties.principalType",
                t,
                &[
                    "User",
                    "Group",
                    "ServicePrincipal",
                    "ForeignGroup",
                    "Device",
                ],
            )?,
            None => "User",
        };
        let role_guid = role
            .strip_prefix(&format!("/subscriptions/{}", ctx.subscription))
            .unwrap_or(&role)
            .strip_prefix("/providers/Microsoft.Authorization/roleDefinitions/")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let scope = scope_of(ctx.id).to_owned();
        if !BUILT_IN_ROLES.iter().any(|(g, _)| *g == role_guid)
            && !super::role_definition::custom_role_at(ctx.world, ctx.now_ms, &role_guid, &scope)
        {
            return Err(ArmError::bad_request(
                "RoleDefinitionDoesNotExist",
                format!(
                    "The specified role definition with ID '{}' does not exist.",
                    super::last_segment(&role)
                ),
            ));
        }
        let role_id = format!(
            "/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}",
            ctx.subscription
        );
        if let Some(e) = ctx.existing {
            let same = fields::get_str(&e.body, "properties.roleDefinitionId")
                .is_some_and(|r| r.eq_ignore_ascii_case(&role_id))
                && fields::get_str(&e.body, "properties.principalId")
                    .is_some_and(|p| p.eq_ignore_ascii_case(&principal));
            if !same {
                return Err(ArmError::new(
                    409,
                    "RoleAssignmentUpdateNotPermitted",
                    "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
                ));
            }
        }
        let duplicate = ctx.world.resources.values().any(|r| {
            r.type_name.eq_ignore_ascii_case(TYPE)
                && !r.id.eq_ignore_ascii_case(ctx.id)
                && r.exists_at(ctx.now_ms)
                && scope_of(&r.id).eq_ignore_ascii_case(&scope)
                && fields::get_str(&r.body, "properties.roleDefinitionId")
                    .is_some_and(|x| x.eq_ignore_ascii_case(&role_id))
                && fields::get_str(&r.body, "properties.principalId")
                    .is_some_and(|x| x.eq_ignore_ascii_case(&principal))
        });
        if duplicate {
            return Err(ArmError::new(
                409,
                "RoleAssignmentExists",
                "The role assignment already exists.",
            ));
        }
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
                "roleDefinitionId": role_id,
                "principalId": principal,
                "principalType": principal_type,
                "scope": scope,
                "condition": null,
                "conditionVersion": null,
                "description": description,
                "createdOn": created,
                "updatedOn": now,
                "createdBy": super::TENANT_ID,
                "updatedBy": super::TENANT_ID,
                "delegatedManagedIdentityResourceId": null
            }}),
            status: ctx.existing.map(|_| 201),
            ..Built::default()
        })
    }
}
