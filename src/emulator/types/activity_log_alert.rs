//! `Microsoft.Insights/activityLogAlerts`: alert rules on Activity Log events (for example
//! every `listKeys` on an AI services account, as the mslearn-ai-services monitoring exercise
//! sets up).
//!
//! Modelled (2020-10-01 shape): `scopes` (at least one resource id prefix), `condition.allOf`
//! (each a leaf `{field, equals | containsAny}` or an `anyOf` of leaves, over the documented
//! event fields or any `properties.*`), `actions.actionGroups`, `enabled` (default true),
//! `description`. The rule is global: its location is kept as given (`Global` by convention).
//! PUT is synchronous.

use serde_json::{Value, json};

use super::{Built, LocationPolicy, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};

const CHECK: Check = Check {
    code: "BadRequest",
    detail: None,
};

/// The Activity Log event fields a condition may examine (besides `properties.*`).
const FIELDS: &[&str] = &[
    "resourceId",
    "category",
    "caller",
    "level",
    "operationName",
    "resourceGroup",
    "resourceProvider",
    "status",
    "subStatus",
    "resourceType",
];

/// Activity log alert rules.
pub(crate) struct ActivityLogAlerts;

impl ResourceType for ActivityLogAlerts {
    fn type_name(&self) -> &'static str {
        "Microsoft.Insights/activityLogAlerts"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let ok = (1..=260).contains(&name.len())
            && !name.chars().any(|c| "*#&+:<>?/%\\".contains(c))
            && !name.ends_with(['.', ' ']);
        if ok {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidResourceName",
                format!(
                    "Activity log alert name '{name}' is invalid: 1 to 260 characters, none of * # & + : < > ? / % \\, not ending with '.' or a space."
                ),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let input = ctx.body;
        let scopes = match fields::get(input, "properties.scopes") {
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => a.clone(),
            _ => {
                return Err(CHECK.error(
                    "properties.scopes",
                    "properties.scopes must list at least one resource id the rule applies to",
                ));
            }
        };
        let all_of = match fields::get(input, "properties.condition.allOf") {
            Some(Value::Array(a)) if !a.is_empty() => a.clone(),
            _ => {
                return Err(CHECK.error(
                    "properties.condition.allOf",
                    "properties.condition.allOf must hold at least one condition",
                ));
            }
        };
        for (i, c) in all_of.iter().enumerate() {
            let at = format!("properties.condition.allOf[{i}]");
            match c.get("anyOf").and_then(Value::as_array) {
                Some(leaves) => {
                    for (j, leaf) in leaves.iter().enumerate() {
                        check_leaf(leaf, &format!("{at}.anyOf[{j}]"))?;
                    }
                }
                None => check_leaf(c, &at)?,
            }
        }
        CHECK.require(input, "properties.actions")?;
        let mut props = fields::object_or_empty(input.get("properties"));
        fields::set(&mut props, "scopes", Value::Array(scopes));
        fields::default(&mut props, "enabled", json!(true));
        fields::default(&mut props, "actions.actionGroups", json!([]));
        Ok(Built {
            fields: json!({"properties": props}),
            ..Built::default()
        })
    }
}

/// A leaf condition: a known field, and `equals` or `containsAny`.
fn check_leaf(c: &Value, at: &str) -> ArmResult<()> {
    let field = c.get("field").and_then(Value::as_str).unwrap_or_default();
    let known = FIELDS.iter().any(|f| f.eq_ignore_ascii_case(field))
        || field.to_ascii_lowercase().starts_with("properties");
    if !known {
        return Err(CHECK.error(
            &format!("{at}.field"),
            format!("{at}.field '{field}' is not an Activity Log event field; use one of {} or properties.*", FIELDS.join(", ")),
        ));
    }
    let has_value = c.get("equals").is_some_and(Value::is_string)
        || c.get("containsAny").is_some_and(Value::is_array);
    if !has_value {
        return Err(CHECK.error(
            at,
            format!("{at} needs 'equals' (a string) or 'containsAny' (a list)"),
        ));
    }
    Ok(())
}
