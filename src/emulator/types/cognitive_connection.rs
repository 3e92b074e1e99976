//! `Microsoft.CognitiveServices/accounts/connections` and `accounts/projects/connections`:
//! a Foundry resource's or project's connections to other services (Azure AI Search, storage,
//! another AI services account, ...).
//!
//! Modelled: `category`, `target`, `authType` (required); `credentials` are secrets: kept
//! aside, never in a GET; `isSharedToAll`, `metadata`. PUT is synchronous.

use serde_json::json;

use super::{Built, LocationPolicy, PutContext, ResourceType};
use crate::emulator::error::ArmResult;
use crate::emulator::fields::{self, Check};

const CHECK: Check = Check {
    code: "BadRequest",
    detail: None,
};

const AUTH_TYPES: &[&str] = &[
    "AAD",
    "ApiKey",
    "AccountKey",
    "ManagedIdentity",
    "None",
    "SAS",
    "ServicePrincipal",
    "CustomKeys",
    "AccessKey",
    "PAT",
    "UsernamePassword",
    "OAuth2",
];

/// Connections of an account or of a project.
pub(crate) struct Connections {
    type_name: &'static str,
}

/// Account connections.
pub(crate) static ACCOUNT: Connections = Connections {
    type_name: "Microsoft.CognitiveServices/accounts/connections",
};

/// Project connections.
pub(crate) static PROJECT: Connections = Connections {
    type_name: "Microsoft.CognitiveServices/accounts/projects/connections",
};

impl ResourceType for Connections {
    fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::None
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        super::check_plain_name(name, 3..=33, "-_", || {
            format!(
                "Connection name '{name}' is invalid: use 3 to 33 letters, digits, '-' and '_', starting with a letter or digit."
            )
        })
    }

    /// `200` for a create too, as the spec's example answers.
    fn put_status(&self, _created: bool) -> u16 {
        200
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        build(ctx, CHECK)
    }
}

/// A connection's settled fields (shared with the ML workspace connections): `category`,
/// `target` and `authType` required, `credentials` kept aside as secrets (the stored ones stay
/// when an update gives none).
pub(super) fn build(ctx: &PutContext<'_>, check: Check) -> ArmResult<Built> {
    let mut input = ctx.body.clone();
    check.require_str(&input, "properties.category")?;
    check.require_str(&input, "properties.target")?;
    check.require_enum(&mut input, "properties.authType", AUTH_TYPES)?;
    let mut props = fields::object_or_empty(input.get("properties"));
    let credentials = fields::take(&mut props, "credentials");
    fields::default(&mut props, "isSharedToAll", json!(false));
    fields::default(&mut props, "metadata", json!({}));
    let issued = credentials
        .as_ref()
        .and_then(|c| c.as_object())
        .map(|o| {
            o.values()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let secrets = credentials
        .map(|c| json!({"credentials": c}))
        .or_else(|| ctx.existing.and_then(|e| e.secrets.clone()));
    Ok(Built {
        fields: json!({"properties": props}),
        secrets,
        issued,
        ..Built::default()
    })
}
