//! `.../blobServices/default/containers/{c}/immutabilityPolicies/default` (Microsoft.Storage
//! 2023-05-01, `BlobContainers_CreateOrUpdateImmutabilityPolicy`, `GetImmutabilityPolicy`,
//! `DeleteImmutabilityPolicy`, `LockImmutabilityPolicy`): a container's time-based retention.
//! The policy is named `default`; `immutabilityPeriodSinceCreationInDays` is 1 to 146000 days
//! (learn.microsoft.com/azure/storage/blobs/immutable-time-based-retention-policy-overview);
//! it starts `Unlocked`; `POST lock` makes it `Locked`, after which it can be neither replaced
//! nor deleted. The container shows `hasImmutabilityPolicy` and the policy with its
//! `updateHistory`.

use serde_json::{Value, json};

use super::{ActionContext, ActionOutcome, Built, PutContext, ResourceType, SideResource};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::ids;
use crate::emulator::world::{StoredResource, World};

/// Immutability policies.
pub(crate) struct ImmutabilityPolicies;

const CONTAINER: &str = "Microsoft.Storage/storageAccounts/blobServices/containers";

fn locked(policy: &Value) -> bool {
    fields::get_str(policy, "properties.state") == Some("Locked")
}

fn conflict(message: &str) -> ArmError {
    ArmError::new(
        409,
        "ContainerImmutabilityPolicyFailure",
        message.to_owned(),
    )
}

/// The container of a policy id.
fn container_id(policy_id: &str) -> &str {
    policy_id
        .rsplit_once("/immutabilityPolicies/")
        .map_or(policy_id, |(c, _)| c)
}

/// The container's body showing `policy` (or none), one `update` recorded in its history.
fn container_with(
    container: &StoredResource,
    policy: Option<&Value>,
    update: &str,
    now_ms: u64,
) -> SideResource {
    let mut body = container.body.clone();
    let mut history = fields::get(&body, "properties.immutabilityPolicy.updateHistory")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let props = policy
        .and_then(|p| p.get("properties"))
        .cloned()
        .unwrap_or(Value::Null);
    history.push(
        json!({"update": update, "timestamp": ids::timestamp(now_ms),
        "immutabilityPeriodSinceCreationInDays": props["immutabilityPeriodSinceCreationInDays"],
        "objectIdentifier": super::TENANT_ID, "tenantId": super::TENANT_ID}),
    );
    fields::set(
        &mut body,
        "properties.hasImmutabilityPolicy",
        json!(policy.is_some()),
    );
    match policy {
        Some(p) => fields::set(
            &mut body,
            "properties.immutabilityPolicy",
            json!({"etag": p["etag"], "properties": props, "updateHistory": history}),
        ),
        None => {
            if let Some(o) = body.get_mut("properties").and_then(Value::as_object_mut) {
                o.remove("immutabilityPolicy");
            }
        }
    }
    SideResource {
        id: container.id.clone(),
        type_name: CONTAINER,
        fields: body,
        secrets: None,
    }
}

fn etag(now_ms: u64) -> String {
    format!("\"{:x}\"", now_ms)
}

impl ResourceType for ImmutabilityPolicies {
    fn type_name(&self) -> &'static str {
        "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies"
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    /// 200 for a create too, as the spec's example answers.
    fn put_status(&self, _created: bool) -> u16 {
        200
    }

    /// The deleted policy, as the spec's example answers.
    fn delete_answers_body(&self) -> bool {
        true
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        if name == "default" {
            return Ok(());
        }
        Err(ArmError::bad_request(
            "InvalidResourceName",
            format!("The immutability policy name '{name}' is invalid: it must be 'default'."),
        ))
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        if ctx.existing.is_some_and(|e| locked(&e.body)) {
            return Err(conflict(
                "The immutability policy is locked: it can only be extended.",
            ));
        }
        let field = "properties.immutabilityPeriodSinceCreationInDays";
        let days = fields::get(ctx.body, field).and_then(Value::as_i64);
        let Some(days) = days.filter(|d| (1..=146_000).contains(d)) else {
            return Err(ArmError::bad_request(
                "InvalidRequestPropertyValue",
                format!("{field} must be a number of days from 1 to 146000."),
            ));
        };
        let flag = |k: &str| {
            fields::get(ctx.body, &format!("properties.{k}"))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let policy = json!({"etag": etag(ctx.now_ms), "properties": {
            "immutabilityPeriodSinceCreationInDays": days, "state": "Unlocked",
            "allowProtectedAppendWrites": flag("allowProtectedAppendWrites"),
            "allowProtectedAppendWritesAll": flag("allowProtectedAppendWritesAll")}});
        let container = ctx.world.get(container_id(ctx.id), ctx.now_ms);
        let side = container.map(|c| container_with(c, Some(&policy), "put", ctx.now_ms));
        Ok(Built {
            fields: policy,
            side: side.into_iter().collect(),
            ..Built::default()
        })
    }

    fn refuse_delete(
        &self,
        _world: &World,
        resource: &StoredResource,
        _now_ms: u64,
    ) -> ArmResult<()> {
        if locked(&resource.body) {
            return Err(conflict(
                "The immutability policy is locked and cannot be deleted.",
            ));
        }
        Ok(())
    }

    fn after_delete(&self, world: &mut World, deleted: &StoredResource, now_ms: u64) {
        let Some(container) = world.get(container_id(&deleted.id), now_ms).cloned() else {
            return;
        };
        let side = container_with(&container, None, "delete", now_ms);
        if let Some(r) = world.resources.get_mut(&container.id.to_ascii_lowercase()) {
            r.body = side.fields;
        }
    }

    /// `lock`: the policy becomes `Locked`.
    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        _body: Option<&Value>,
        ctx: &ActionContext<'_>,
    ) -> ArmResult<ActionOutcome> {
        if !name.eq_ignore_ascii_case("lock") {
            return Err(ArmError::new(
                404,
                "ActionNotFound",
                format!("The action '{name}' is not supported for immutability policies."),
            ));
        }
        let mut policy = resource.body.clone();
        fields::set(&mut policy, "properties.state", json!("Locked"));
        fields::set(&mut policy, "etag", json!(etag(ctx.now_ms)));
        let mut out = ActionOutcome::ok(policy.clone());
        if let Some(c) = ctx.world.get(container_id(&resource.id), ctx.now_ms) {
            out.side = vec![container_with(c, Some(&policy), "lock", ctx.now_ms)];
        }
        out.updated_body = Some(policy);
        Ok(out)
    }
}
