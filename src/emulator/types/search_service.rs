//! `Microsoft.Search/searchServices` (Azure AI Search), as the 2025-05-01 spec and the service
//! behave: a long-running PUT answered 200/201 with the lower-case `provisioningState`
//! `provisioning` and `status` `provisioning` (then `succeeded`/`running`; a free service is
//! ready at once), a PATCH that reprovisions the same way, a synchronous DELETE, replica and
//! partition rules per SKU, one free service per subscription, a SKU that older api-versions
//! never change ("Cannot update sku for an existing search service") and newer ones change only
//! between the Basic and Standard tiers, and admin and query keys kept out of every GET
//! ([`super::search_keys`]). The data plane of a service lives in [`crate::emulator::search`].

use serde_json::{Value, json};

use super::{ActionContext, ActionOutcome, Built, LocationPolicy, Lro, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::world::{Phase, StoredResource};

/// The type name.
pub(crate) const TYPE: &str = "Microsoft.Search/searchServices";

const CHECK: Check = Check {
    code: "InvalidRequestContent",
    detail: None,
};

/// SKU names (`sku.name`), as the service spells them.
const SKUS: &[&str] = &[
    "free",
    "basic",
    "standard",
    "standard2",
    "standard3",
    "storage_optimized_l1",
    "storage_optimized_l2",
];

/// SKUs a service may move between (api-versions from [`SKU_CHANGE_SINCE`]).
const TIER_CHANGE_SKUS: &[&str] = &["basic", "standard", "standard2", "standard3"];

/// The first api-version with SKU migration (Azure/azure-rest-api-specs PR #31829,
/// "SKU update & Service upgrade / 2025-02-01-preview").
const SKU_CHANGE_SINCE: &str = "2025-02-01-preview";

/// Allowed partition counts.
const PARTITIONS: &[u64] = &[1, 2, 3, 4, 6, 12];

/// Search services.
pub(crate) struct SearchServices;

/// The service's name rule, in its own words.
fn check_name(name: &str) -> ArmResult<()> {
    let b = name.as_bytes();
    let ok = (2..=60).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[1] != b'-'
        && b[b.len() - 1] != b'-'
        && !name.contains("--");
    if ok {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidName",
        format!("Service name '{name}' is invalid: Service name must only contain lowercase letters, digits or dashes, cannot use dash as the first two or last one characters, cannot contain consecutive dashes, and is limited between 2 and 60 characters in length."),
    )
    .with_target("name"))
}

/// The SKU of a create or update, checked against the existing one.
fn sku(ctx: &PutContext<'_>) -> ArmResult<&'static str> {
    let old = ctx
        .existing
        .and_then(|e| fields::get_str(&e.body, "sku.name"))
        .and_then(|s| SKUS.iter().find(|k| k.eq_ignore_ascii_case(s)).copied());
    let new = match (fields::get_str(ctx.body, "sku.name"), old) {
        (Some(s), _) => CHECK.one_of("sku.name", s, SKUS)?,
        (None, Some(o)) => o,
        (None, None) => return Err(CHECK.missing("sku")),
    };
    match old {
        Some(o) if o != new => refuse_sku_change(o, new, ctx.api_version).map(|()| new),
        _ => Ok(new),
    }
}

fn refuse_sku_change(old: &str, new: &str, api_version: &str) -> ArmResult<()> {
    let migrates = api_version >= SKU_CHANGE_SINCE
        && TIER_CHANGE_SKUS.contains(&old)
        && TIER_CHANGE_SKUS.contains(&new);
    if migrates {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "BadRequest",
        "Cannot update sku for an existing search service.",
    )
    .with_target("sku.name"))
}

/// Replica, partition and hosting-mode rules of `sku` (amlab's wording; limits from the SKU
/// descriptions of the spec: basic up to 3 replicas, standard tiers 12 x 12, free one of each).
fn check_scale(sku: &str, props: &mut Value) -> ArmResult<()> {
    let replicas = CHECK.opt_u64(props, "replicaCount")?.unwrap_or(1);
    let partitions = CHECK.opt_u64(props, "partitionCount")?.unwrap_or(1);
    let mode = CHECK.enum_or(props, "hostingMode", &["default", "highDensity"], "default")?;
    let max_replicas = match sku {
        "free" => 1,
        "basic" => 3,
        _ => 12,
    };
    if !(1..=max_replicas).contains(&replicas) {
        return Err(CHECK.error(
            "properties.replicaCount",
            format!("replicaCount {replicas} is not valid for the '{sku}' SKU: it must be between 1 and {max_replicas}."),
        ));
    }
    let max_partitions = match (sku, mode) {
        ("free" | "basic", _) => 1,
        ("standard3", "highDensity") => 3,
        _ => 12,
    };
    if !PARTITIONS.contains(&partitions) || partitions > max_partitions {
        return Err(CHECK.error(
            "properties.partitionCount",
            format!("partitionCount {partitions} is not valid for the '{sku}' SKU{}: it must be one of 1, 2, 3, 4, 6, 12 and at most {max_partitions}.",
                if mode == "highDensity" { " in highDensity mode" } else { "" }),
        ));
    }
    if mode == "highDensity" && sku != "standard3" {
        return Err(CHECK.error(
            "properties.hostingMode",
            format!(
                "hostingMode 'highDensity' is only available for the 'standard3' SKU, not '{sku}'."
            ),
        ));
    }
    fields::set(props, "replicaCount", json!(replicas));
    fields::set(props, "partitionCount", json!(partitions));
    Ok(())
}

/// `disableLocalAuth` and `authOptions`: exclusive; API keys only by default.
fn check_auth(props: &mut Value) -> ArmResult<()> {
    let disabled = match fields::get(props, "disableLocalAuth") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(CHECK.error(
                "properties.disableLocalAuth",
                "disableLocalAuth must be a boolean",
            ));
        }
    };
    let options = fields::get(props, "authOptions")
        .filter(|v| !v.is_null())
        .cloned();
    if disabled && options.is_some() {
        return Err(CHECK.error(
            "properties.authOptions",
            "'authOptions' cannot be set when 'disableLocalAuth' is true: with local authentication disabled, only Microsoft Entra ID is accepted.",
        ));
    }
    if let Some(o) = &options {
        let mode = o.get("aadOrApiKey").map(|a| {
            a.get("aadAuthFailureMode")
                .and_then(Value::as_str)
                .unwrap_or("http401WithBearerChallenge")
        });
        let valid = match (o.get("apiKeyOnly"), mode) {
            (Some(_), None) => true,
            (None, Some(m)) => ["http403", "http401WithBearerChallenge"].contains(&m),
            _ => false,
        };
        if !valid {
            return Err(CHECK.error(
                "properties.authOptions",
                "authOptions must be either {\"apiKeyOnly\": {}} or {\"aadOrApiKey\": {\"aadAuthFailureMode\": \"http403\" | \"http401WithBearerChallenge\"}}",
            ));
        }
    }
    fields::set(props, "disableLocalAuth", json!(disabled));
    let options = if disabled {
        Value::Null
    } else {
        options.unwrap_or_else(|| json!({"apiKeyOnly": {}}))
    };
    fields::set(props, "authOptions", options);
    Ok(())
}

/// Refuses a second free service in the subscription (its wording is amlab's: the service's
/// exact text is not published).
fn check_one_free(ctx: &PutContext<'_>, sku: &str) -> ArmResult<()> {
    if sku != "free" || ctx.existing.is_some() {
        return Ok(());
    }
    let prefix = format!("/subscriptions/{}/", ctx.subscription.to_ascii_lowercase());
    let other = ctx.world.resources.values().find(|r| {
        r.type_name.eq_ignore_ascii_case(TYPE)
            && r.id.to_ascii_lowercase().starts_with(&prefix)
            && !r.id.eq_ignore_ascii_case(ctx.id)
            && r.exists_at(ctx.now_ms)
            && fields::get_str(&r.body, "sku.name").is_some_and(|s| s == "free")
    });
    match other {
        Some(r) => Err(ArmError::new(
            409,
            "ServiceQuotaExceeded",
            format!(
                "Operation would exceed 'free' tier service quota: only one free search service is allowed per subscription, and '{}' already uses it.",
                super::last_segment(&r.id)
            ),
        )),
        None => Ok(()),
    }
}

fn check_identity(input: &Value, sku: &str) -> ArmResult<Value> {
    let kind = fields::get_str(input, "identity.type").unwrap_or("None");
    let kind = CHECK.one_of(
        "identity.type",
        kind,
        &[
            "None",
            "SystemAssigned",
            "UserAssigned",
            "SystemAssigned, UserAssigned",
        ],
    )?;
    if kind == "None" {
        return Ok(Value::Null);
    }
    if sku == "free" {
        return Err(CHECK.error(
            "identity",
            "Managed identity is not supported for the 'free' SKU.",
        ));
    }
    let mut identity = fields::object_or_empty(input.get("identity"));
    fields::set(&mut identity, "type", json!(kind));
    if kind.contains("SystemAssigned") {
        fields::default(
            &mut identity,
            "principalId",
            json!(crate::emulator::ids::guid()),
        );
        fields::set(&mut identity, "tenantId", json!(super::TENANT_ID));
    }
    Ok(identity)
}

fn properties(ctx: &PutContext<'_>, sku: &str) -> ArmResult<Value> {
    let mut props = fields::object_or_empty(ctx.body.get("properties"));
    check_scale(sku, &mut props)?;
    check_auth(&mut props)?;
    CHECK.enum_or(
        &mut props,
        "publicNetworkAccess",
        &["enabled", "disabled", "securedByPerimeter"],
        "enabled",
    )?;
    CHECK.enum_or(
        &mut props,
        "semanticSearch",
        &["disabled", "free", "standard"],
        "disabled",
    )?;
    CHECK.enum_or(
        &mut props,
        "computeType",
        &["default", "confidential"],
        "default",
    )?;
    fields::default(
        &mut props,
        "networkRuleSet",
        json!({"ipRules": [], "bypass": "None"}),
    );
    fields::default(
        &mut props,
        "encryptionWithCmk",
        json!({"enforcement": "Unspecified", "encryptionComplianceStatus": "Compliant"}),
    );
    fields::default(&mut props, "disabledDataExfiltrationOptions", json!([]));
    let keep = |path: &str, dflt: Value| {
        ctx.existing
            .and_then(|e| fields::get(&e.body, path))
            .cloned()
            .unwrap_or(dflt)
    };
    let endpoint = format!(
        "https://{}.search.windows.net/",
        ctx.name.to_ascii_lowercase()
    );
    fields::set(&mut props, "endpoint", json!(endpoint));
    fields::set(&mut props, "status", json!("running"));
    fields::set(&mut props, "statusDetails", json!(""));
    fields::set(
        &mut props,
        "privateEndpointConnections",
        keep("properties.privateEndpointConnections", json!([])),
    );
    fields::set(
        &mut props,
        "sharedPrivateLinkResources",
        keep("properties.sharedPrivateLinkResources", json!([])),
    );
    fields::set(&mut props, "upgradeAvailable", json!("notAvailable"));
    fields::set(&mut props, "serviceUpgradedAt", Value::Null);
    Ok(props)
}

impl ResourceType for SearchServices {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        check_name(name)
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let sku = sku(ctx)?;
        check_one_free(ctx, sku)?;
        let identity = check_identity(ctx.body, sku)?;
        let props = properties(ctx, sku)?;
        let mut fields = json!({"sku": {"name": sku}, "properties": props});
        if !identity.is_null() {
            fields::set(&mut fields, "identity", identity);
        }
        let (secrets, issued) = super::search_keys::keep_or_generate(ctx.existing);
        Ok(Built {
            fields,
            secrets: Some(secrets),
            issued,
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::BodyPoll
    }

    fn supports_patch(&self) -> bool {
        true
    }

    fn patch_lro(&self) -> Lro {
        Lro::BodyPoll
    }

    fn transient_overlay(&self, phase: Phase, settled: &Value) -> Value {
        let free = fields::get_str(settled, "sku.name") == Some("free");
        if free && phase == Phase::Creating {
            return json!({});
        }
        json!({"properties": {"provisioningState": "provisioning", "status": "provisioning"}})
    }

    fn present(&self, body: &mut Value, _private: &Value, _now_ms: u64) {
        // The engine settles every resource as `Succeeded`; this service spells it in lower case.
        if fields::get_str(body, "properties.provisioningState") == Some("Succeeded") {
            fields::set(body, "properties.provisioningState", json!("succeeded"));
        }
    }

    fn delete_missing_status(&self) -> Option<u16> {
        Some(204)
    }

    fn keyed_action(&self, segment: &str, delete: bool) -> bool {
        super::search_keys::is_keyed(segment, delete)
    }

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        _body: Option<&Value>,
        _ctx: &ActionContext,
    ) -> ArmResult<ActionOutcome> {
        super::search_keys::run(name, resource)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_service_rule() {
        for ok in ["ab", "my-search-1", "a1b2"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "a",
            "-ab",
            "a-b-",
            "a--b",
            "Ab",
            "a-",
            "a_b",
            &"a".repeat(61),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sku_changes_follow_the_api_version() {
        assert!(refuse_sku_change("basic", "standard", "2023-11-01").is_err());
        assert!(refuse_sku_change("basic", "standard", "2025-05-01").is_ok());
        assert!(refuse_sku_change("free", "basic", "2025-05-01").is_err());
        assert!(refuse_sku_change("standard", "storage_optimized_l1", "2025-05-01").is_err());
    }

    #[test]
    fn scale_rules_per_sku() {
        let mut p = json!({"replicaCount": 4});
        assert!(check_scale("basic", &mut p).is_err());
        let mut p = json!({"partitionCount": 2});
        assert!(check_scale("free", &mut p).is_err());
        let mut p = json!({"partitionCount": 5});
        assert!(check_scale("standard", &mut p).is_err());
        let mut p = json!({"partitionCount": 6, "hostingMode": "highDensity"});
        assert!(check_scale("standard3", &mut p).is_err());
        let mut p = json!({"hostingMode": "highDensity"});
        assert!(check_scale("standard", &mut p).is_err());
        let mut p = json!({"replicaCount": 12, "partitionCount": 12});
        assert!(check_scale("standard", &mut p).is_ok());
    }
}
