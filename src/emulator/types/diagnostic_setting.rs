//! `Microsoft.Insights/diagnosticSettings`: an extension resource on any resource, sending its
//! resource logs and metrics to a storage account, a Log Analytics workspace or an event hub.
//!
//! Modelled: at least one destination; `storageAccountId` must be an existing storage account
//! (the other destinations' types are not emulated and are kept as given); `logs[]` entries
//! name a `category` or `categoryGroup` and say `enabled`; on Cognitive Services accounts the
//! categories are the service's (`Audit`, `RequestResponse`, `Trace`,
//! `AzureOpenAIRequestUsage`; groups `allLogs`, `audit`); `metrics[]` (`AllMetrics`). PUT is
//! synchronous.

use serde_json::{Value, json};

use super::{Built, LocationPolicy, PutContext, ResourceType, check_reference};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};

const CHECK: Check = Check {
    code: "BadRequest",
    detail: None,
};

/// Log categories of Cognitive Services accounts.
const COGNITIVE_CATEGORIES: &[&str] = &[
    "Audit",
    "RequestResponse",
    "Trace",
    "AzureOpenAIRequestUsage",
];

/// Category groups every resource type has.
const GROUPS: &[&str] = &["allLogs", "audit"];

/// Diagnostic settings.
pub(crate) struct DiagnosticSettings;

impl ResourceType for DiagnosticSettings {
    fn type_name(&self) -> &'static str {
        "Microsoft.Insights/diagnosticSettings"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::None
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let ok =
            (1..=260).contains(&name.len()) && !name.chars().any(|c| "*#&+:<>?/%\\".contains(c));
        if ok {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidResourceName",
                format!(
                    "Diagnostic setting name '{name}' is invalid: 1 to 260 characters, none of * # & + : < > ? / % \\."
                ),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let input = ctx.body;
        let destinations = [
            "storageAccountId",
            "workspaceId",
            "eventHubAuthorizationRuleId",
            "marketplacePartnerId",
        ];
        if !destinations.iter().any(|d| {
            fields::get_str(input, &format!("properties.{d}")).is_some_and(|s| !s.is_empty())
        }) {
            return Err(CHECK.error(
                "properties",
                "A diagnostic setting needs a destination: storageAccountId, workspaceId, eventHubAuthorizationRuleId or marketplacePartnerId.",
            ));
        }
        check_reference(
            CHECK,
            ctx,
            "properties.storageAccountId",
            "Microsoft.Storage/storageAccounts",
            false,
        )?;
        let target = ctx
            .id
            .split_once("/providers/Microsoft.Insights/")
            .map_or("", |(t, _)| t);
        let on_cognitive = ctx.world.get(target, ctx.now_ms).is_some_and(|r| {
            r.type_name
                .eq_ignore_ascii_case("Microsoft.CognitiveServices/accounts")
        });
        let logs = check_logs(input, on_cognitive)?;
        let metrics = match fields::get(input, "properties.metrics") {
            None => json!([]),
            Some(Value::Array(m)) => Value::Array(m.clone()),
            Some(_) => {
                return Err(
                    CHECK.error("properties.metrics", "properties.metrics must be an array")
                );
            }
        };
        let enabled = |v: &Value| {
            v.as_array()
                .is_some_and(|a| a.iter().any(|e| e["enabled"] == json!(true)))
        };
        if !enabled(&logs) && !enabled(&metrics) {
            return Err(CHECK.error(
                "properties.logs",
                "A diagnostic setting must enable at least one log category or metric.",
            ));
        }
        let mut props = fields::object_or_empty(input.get("properties"));
        fields::set(&mut props, "logs", logs);
        fields::set(&mut props, "metrics", metrics);
        Ok(Built {
            fields: json!({"properties": props}),
            ..Built::default()
        })
    }
}

/// Checks `properties.logs` (categories of the target's type when known) and returns it.
fn check_logs(input: &Value, on_cognitive: bool) -> ArmResult<Value> {
    let logs = match fields::get(input, "properties.logs") {
        None => return Ok(json!([])),
        Some(Value::Array(l)) => l.clone(),
        Some(_) => return Err(CHECK.error("properties.logs", "properties.logs must be an array")),
    };
    for (i, l) in logs.iter().enumerate() {
        let at = format!("properties.logs[{i}]");
        match (l["category"].as_str(), l["categoryGroup"].as_str()) {
            (Some(c), None) => {
                if on_cognitive
                    && !COGNITIVE_CATEGORIES
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(c))
                {
                    return Err(ArmError::bad_request(
                        "BadRequest",
                        format!(
                            "Category '{c}' is not supported. Supported categories: {}.",
                            COGNITIVE_CATEGORIES.join(", ")
                        ),
                    )
                    .with_target(format!("{at}.category")));
                }
            }
            (None, Some(g)) => {
                if !GROUPS.iter().any(|k| k.eq_ignore_ascii_case(g)) {
                    return Err(CHECK.error(
                        &format!("{at}.categoryGroup"),
                        format!("Category group '{g}' is not supported; use allLogs or audit."),
                    ));
                }
            }
            _ => {
                return Err(CHECK.error(
                    &at,
                    format!("{at} needs exactly one of 'category' and 'categoryGroup'"),
                ));
            }
        }
        if !l["enabled"].is_boolean() {
            return Err(CHECK.error(
                &format!("{at}.enabled"),
                format!("{at}.enabled must be true or false"),
            ));
        }
    }
    Ok(Value::Array(logs))
}
