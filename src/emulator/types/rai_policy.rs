//! `Microsoft.CognitiveServices/accounts/raiPolicies`: content filters ("guardrails") that
//! model deployments reference by `properties.raiPolicyName`.
//!
//! Modelled: `basePolicyName` (a built-in policy), `mode`, `contentFilters` (category name,
//! `enabled`, `blocking`, `severityThreshold` Low/Medium/High for the harm categories, `source`
//! Prompt/Completion), `customBlocklists`; `type: UserManaged`. PUT is synchronous (200/201),
//! DELETE long-running; a guardrail a deployment still uses cannot be deleted.

use serde_json::{Value, json};

use super::cognitive_deployment::BUILT_IN_POLICIES;
use super::{Built, LocationPolicy, Lro, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::world::{StoredResource, World};

const CHECK: Check = Check {
    code: "InvalidResourceProperties",
    detail: None,
};

/// Harm categories that take a severity threshold.
const SEVERITY_FILTERS: &[&str] = &["Hate", "Sexual", "Selfharm", "Violence"];

/// Content filter names the service knows.
const FILTERS: &[&str] = &[
    "Hate",
    "Sexual",
    "Selfharm",
    "Violence",
    "Jailbreak",
    "Indirect Attack",
    "Protected Material Text",
    "Protected Material Code",
    "Profanity",
];

/// Guardrails.
pub(crate) struct RaiPolicies;

impl ResourceType for RaiPolicies {
    fn type_name(&self) -> &'static str {
        "Microsoft.CognitiveServices/accounts/raiPolicies"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::None
    }

    fn has_tags(&self) -> bool {
        true
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let reserved = BUILT_IN_POLICIES
            .iter()
            .any(|b| b.eq_ignore_ascii_case(name));
        let ok = (2..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if ok && !reserved {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidResourceName",
                format!(
                    "RAI policy name '{name}' is invalid: use 2 to 64 letters, digits, '-', '_' and '.', and not a built-in policy's name."
                ),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut input = ctx.body.clone();
        CHECK.require(&input, "properties")?;
        let base = CHECK
            .opt_str(&input, "properties.basePolicyName")?
            .unwrap_or("Microsoft.DefaultV2")
            .to_owned();
        let base = BUILT_IN_POLICIES
            .iter()
            .find(|b| b.eq_ignore_ascii_case(&base))
            .ok_or_else(|| {
                CHECK.error(
                    "properties.basePolicyName",
                    format!(
                        "basePolicyName '{base}' is not a built-in policy; use one of: {}",
                        BUILT_IN_POLICIES.join(", ")
                    ),
                )
            })?;
        CHECK.enum_or(
            &mut input,
            "properties.mode",
            &["Default", "Deferred", "Blocking", "Asynchronous_filter"],
            "Default",
        )?;
        let filters = check_filters(&mut input)?;
        let mut props = fields::object_or_empty(input.get("properties"));
        fields::set(&mut props, "basePolicyName", json!(base));
        fields::set(&mut props, "contentFilters", filters);
        fields::default(&mut props, "customBlocklists", json!([]));
        fields::set(&mut props, "type", json!("UserManaged"));
        Ok(Built {
            fields: json!({"properties": props}),
            ..Built::default()
        })
    }

    fn delete_lro(&self) -> Lro {
        Lro::AsyncOperation
    }

    fn refuse_delete(
        &self,
        world: &World,
        resource: &StoredResource,
        now_ms: u64,
    ) -> ArmResult<()> {
        let name = super::last_segment(&resource.id).to_owned();
        let account = super::cognitive_deployment::parent_id(&resource.id).to_ascii_lowercase();
        let prefix = format!("{account}/deployments/");
        let users: Vec<&str> = world
            .resources
            .iter()
            .filter(|(k, r)| {
                k.starts_with(&prefix)
                    && r.exists_at(now_ms)
                    && r.body["properties"]["raiPolicyName"]
                        .as_str()
                        .is_some_and(|p| p.eq_ignore_ascii_case(&name))
            })
            .map(|(_, r)| super::last_segment(&r.id))
            .collect();
        if users.is_empty() {
            return Ok(());
        }
        Err(ArmError::new(
            409,
            "Conflict",
            format!(
                "The RAI policy '{name}' is used by deployment(s) {}; assign another policy to them first.",
                users.join(", ")
            ),
        ))
    }
}

/// Checks `properties.contentFilters` and returns it canonicalized.
fn check_filters(input: &mut Value) -> ArmResult<Value> {
    let path = "properties.contentFilters";
    let items = match fields::get(input, path) {
        None => return Ok(json!([])),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err(CHECK.error(path, format!("{path} must be an array"))),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, mut f) in items.into_iter().enumerate() {
        let at = format!("{path}[{i}]");
        let name = CHECK
            .require_str(&f, "name")
            .map_err(|_| CHECK.missing(&format!("{at}.name")))?;
        let name = CHECK.one_of(&format!("{at}.name"), name, FILTERS)?;
        f["name"] = json!(name);
        CHECK
            .require_enum(&mut f, "source", &["Prompt", "Completion"])
            .map_err(|e| e.with_target(format!("{at}.source")))?;
        if SEVERITY_FILTERS.contains(&name) {
            CHECK.enum_or(
                &mut f,
                "severityThreshold",
                &["Low", "Medium", "High"],
                "Medium",
            )?;
        }
        for flag in ["enabled", "blocking"] {
            match f.get(flag) {
                None => f[flag] = json!(true),
                Some(Value::Bool(_)) => {}
                Some(_) => {
                    return Err(CHECK.error(
                        &format!("{at}.{flag}"),
                        format!("{at}.{flag} must be true or false"),
                    ));
                }
            }
        }
        out.push(f);
    }
    Ok(Value::Array(out))
}
