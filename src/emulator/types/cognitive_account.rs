//! `Microsoft.CognitiveServices/accounts`: Azure AI services, Azure OpenAI and Foundry
//! resources of every kind the AI-102/AI-103 exercises create.
//!
//! Modelled: `kind` from the service's list (`InvalidApiSetId` otherwise) and immutable; the
//! SKUs each kind sells; one free (F0) account per kind per subscription
//! (`CanNotCreateMultipleFreeAccounts`); `customSubDomainName` unique across every account,
//! soft-deleted ones included, and required by network rules and Foundry projects; the
//! endpoint(s) that follow from kind and subdomain; `networkAcls`, `publicNetworkAccess`,
//! `disableLocalAuth` (which makes `listKeys` fail), identity; `allowProjectManagement` (kind
//! `AIServices` only). PUT, PATCH and DELETE are long-running with `Azure-AsyncOperation`;
//! `listKeys` and `regenerateKey` are synchronous and their keys are secrets.
//!
//! Soft delete: deleting the account, or its resource group, keeps it under `deletedAccounts`
//! (see [`super::deleted_accounts`]); a PUT of the same name then fails with
//! `FlagMustBeSetForRestore` until it is purged, or restores it when `properties.restore` is
//! `true`.

use regex::Regex;
use serde_json::{Value, json};

use super::{
    ActionContext, ActionOutcome, Built, LocationPolicy, Lro, PutContext, ResourceType,
    SideResource, TENANT_ID, deleted_accounts, resource_group_of,
};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::ids;
use crate::emulator::world::StoredResource;

/// The type name.
pub(crate) const TYPE: &str = "Microsoft.CognitiveServices/accounts";

const CHECK: Check = Check {
    code: "BadRequest",
    detail: None,
};

/// Kinds and the SKUs each sells (from `az cognitiveservices account list-kinds` / `list-skus`;
/// the classic kinds' legacy S1-S4 tiers are kept where labs still use them).
const KINDS: &[(&str, &[&str])] = &[
    ("AIServices", &["S0"]),
    ("CognitiveServices", &["S0"]),
    ("OpenAI", &["S0"]),
    ("ContentSafety", &["F0", "S0"]),
    ("FormRecognizer", &["F0", "S0"]),
    ("TextAnalytics", &["F0", "S", "S0", "S1", "S2", "S3", "S4"]),
    ("ComputerVision", &["F0", "S1"]),
    ("SpeechServices", &["F0", "S0"]),
    ("Face", &["F0", "S0"]),
    ("TextTranslation", &["F0", "S1", "S2", "S3", "S4"]),
    ("CustomVision.Training", &["F0", "S0"]),
    ("CustomVision.Prediction", &["F0", "S0"]),
    ("ContentModerator", &["F0", "S0"]),
    ("LanguageAuthoring", &["F0", "S0"]),
    ("ConversationalLanguageUnderstanding", &["F0", "S0"]),
    ("HealthInsights", &["F0", "S0"]),
    ("ImmersiveReader", &["S0"]),
];

/// Cognitive Services accounts.
pub(crate) struct Accounts;

/// A fresh account key: 32 hexadecimal characters.
fn key() -> String {
    (0..32)
        .map(|_| char::from(b"0123456789abcdef"[fastrand::usize(..16)]))
        .collect()
}

/// The kind's canonical spelling and its SKUs.
fn kind(name: &str) -> Option<(&'static str, &'static [&'static str])> {
    KINDS
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .copied()
}

impl ResourceType for Accounts {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let ok = name.len() >= 2
            && name.len() <= 64
            && Regex::new(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$").is_ok_and(|r| r.is_match(name));
        if ok {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidAccountName",
                format!(
                    "Account name '{name}' is invalid: it must be 2 to 64 characters, start with a letter or digit, and contain only letters, digits, '_', '.' and '-'."
                ),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        if ctx.existing.is_none()
            && let Some(restored) = restore(ctx)?
        {
            return Ok(restored);
        }
        let location = ctx.location.unwrap_or_default();
        let (kind, skus) = check_kind(ctx)?;
        let sku = CHECK.require_str(ctx.body, "sku.name")?;
        let sku = skus
            .iter()
            .find(|s| s.eq_ignore_ascii_case(sku))
            .copied()
            .ok_or_else(|| {
                ArmError::bad_request(
                    "InvalidSkuId",
                    format!(
                        "The SKU '{sku}' is not valid for kind '{kind}'. Valid SKUs: {}.",
                        skus.join(", ")
                    ),
                )
            })?;
        if sku == "F0" {
            check_one_free(ctx, kind)?;
        }
        let mut props = fields::object_or_empty(ctx.body.get("properties"));
        let subdomain = check_subdomain(ctx, &props)?;
        check_network(&mut props, subdomain.as_deref())?;
        check_foundry(&props, kind, subdomain.as_deref())?;
        if let Some(o) = props.as_object_mut() {
            o.remove("restore");
        }
        fields::default(&mut props, "disableLocalAuth", json!(false));
        fields::default(&mut props, "publicNetworkAccess", json!("Enabled"));
        let endpoints = endpoints(kind, location, subdomain.as_deref());
        let main = endpoints
            .get("main")
            .cloned()
            .unwrap_or_else(|| json!(format!("https://{location}.api.cognitive.microsoft.com/")));
        fields::set(&mut props, "endpoint", main);
        fields::set(&mut props, "endpoints", endpoints["all"].clone());
        fields::set(
            &mut props,
            "internalId",
            json!(
                ctx.existing
                    .and_then(|e| fields::get_str(&e.body, "properties.internalId"))
                    .map_or_else(key, str::to_owned)
            ),
        );
        fields::set(&mut props, "dateCreated", json!(created(ctx)));
        let etag = format!(
            "W/\"datetime'{}'\"",
            ids::timestamp(ctx.now_ms).replace(':', "%3A")
        );
        let mut out =
            json!({"kind": kind, "sku": {"name": sku}, "etag": etag, "properties": props});
        if let Some(id) = identity(ctx)? {
            out["identity"] = id;
        }
        let (secrets, issued) = match ctx.existing.and_then(|e| e.secrets.clone()) {
            Some(s) => (s, Vec::new()),
            None => {
                let (k1, k2) = (key(), key());
                (json!({"key1": k1, "key2": k2}), vec![k1, k2])
            }
        };
        Ok(Built {
            fields: out,
            secrets: Some(secrets),
            issued,
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::AsyncOperation
    }

    fn supports_patch(&self) -> bool {
        true
    }

    fn patch_lro(&self) -> Lro {
        Lro::AsyncOperation
    }

    fn delete_lro(&self) -> Lro {
        Lro::AsyncOperation
    }

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        body: Option<&Value>,
        _ctx: &ActionContext,
    ) -> ArmResult<ActionOutcome> {
        let action = name.to_ascii_lowercase();
        if !matches!(action.as_str(), "listkeys" | "regeneratekey") {
            return Err(ArmError::new(
                404,
                "ActionNotFound",
                format!("The action '{name}' is not supported for Cognitive Services accounts."),
            ));
        }
        if resource.body["properties"]["disableLocalAuth"] == json!(true) {
            return Err(ArmError::bad_request(
                "BadRequest",
                "Failed to list key. disableLocalAuth is set to be true",
            ));
        }
        let keys = resource.secrets.clone().unwrap_or_else(|| json!({}));
        if action == "listkeys" {
            let issued = ["key1", "key2"]
                .iter()
                .filter_map(|k| keys[k].as_str().map(str::to_owned))
                .collect();
            let mut out = ActionOutcome::ok(keys);
            out.issued = issued;
            return Ok(out);
        }
        let body = body.cloned().unwrap_or_else(|| json!({}));
        let which = CHECK.require_str(&body, "keyName")?;
        let field = match CHECK.one_of("keyName", which, &["Key1", "Key2"])? {
            "Key1" => "key1",
            _ => "key2",
        };
        let mut updated = keys;
        let fresh = key();
        updated[field] = json!(fresh);
        let mut out = ActionOutcome::ok(updated.clone());
        out.issued = vec![fresh];
        out.updated_secrets = Some(updated);
        Ok(out)
    }
}

/// The account's kind: required, one the service knows, and unchanged on update.
fn check_kind(ctx: &PutContext<'_>) -> ArmResult<(&'static str, &'static [&'static str])> {
    let given = CHECK.require_str(ctx.body, "kind")?;
    let location = ctx.location.unwrap_or_default();
    let (kind, skus) = kind(given).ok_or_else(|| {
        ArmError::bad_request(
            "InvalidApiSetId",
            format!("The account type '{given}' is either invalid or unavailable in given region '{location}'."),
        )
    })?;
    if let Some(old) = ctx.existing.and_then(|e| fields::get_str(&e.body, "kind"))
        && !old.eq_ignore_ascii_case(kind)
    {
        return Err(ArmError::new(
            409,
            "Conflict",
            format!(
                "The kind of account '{}' cannot be changed from '{old}' to '{kind}'.",
                ctx.name
            ),
        ));
    }
    Ok((kind, skus))
}

/// One free account per kind per subscription (soft-deleted ones count until purged).
fn check_one_free(ctx: &PutContext<'_>, kind: &str) -> ArmResult<()> {
    let prefix = format!("/subscriptions/{}/", ctx.subscription.to_ascii_lowercase());
    let is_other_free = |r: &StoredResource| {
        !r.id.eq_ignore_ascii_case(ctx.id)
            && r.type_name.eq_ignore_ascii_case(TYPE)
            && fields::get_str(&r.body, "kind").is_some_and(|k| k.eq_ignore_ascii_case(kind))
            && fields::get_str(&r.body, "sku.name") == Some("F0")
    };
    let live = ctx
        .world
        .resources
        .iter()
        .any(|(k, r)| k.starts_with(&prefix) && r.exists_at(ctx.now_ms) && is_other_free(r));
    let deleted = ctx
        .world
        .deleted_accounts
        .iter()
        .any(|(k, d)| k.starts_with(&prefix) && is_other_free(&d.account));
    if live || deleted {
        return Err(ArmError::new(
            409,
            "CanNotCreateMultipleFreeAccounts",
            format!(
                "Operation failed. Only one free account is allowed for account type '{kind}'."
            ),
        ));
    }
    Ok(())
}

/// `customSubDomainName`: DNS-shaped, unchangeable once set, and used by no other account
/// (live or soft-deleted) in any subscription.
fn check_subdomain(ctx: &PutContext<'_>, props: &Value) -> ArmResult<Option<String>> {
    let old = ctx
        .existing
        .and_then(|e| fields::get_str(&e.body, "properties.customSubDomainName"))
        .map(str::to_owned);
    let Some(given) = CHECK.opt_str(props, "customSubDomainName")? else {
        return Ok(old);
    };
    let sub = given.to_ascii_lowercase();
    let ok = (2..=64).contains(&sub.len())
        && Regex::new(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$").is_ok_and(|r| r.is_match(&sub));
    if !ok {
        return Err(CHECK.error(
            "properties.customSubDomainName",
            format!("The custom subdomain name '{given}' is invalid: use 2 to 64 letters, digits and '-', starting and ending with a letter or digit."),
        ));
    }
    if let Some(o) = &old
        && !o.eq_ignore_ascii_case(&sub)
    {
        return Err(CHECK.error(
            "properties.customSubDomainName",
            format!(
                "The custom subdomain name of account '{}' is '{o}' and cannot be changed.",
                ctx.name
            ),
        ));
    }
    let uses = |r: &StoredResource| {
        !r.id.eq_ignore_ascii_case(ctx.id)
            && r.type_name.eq_ignore_ascii_case(TYPE)
            && fields::get_str(&r.body, "properties.customSubDomainName")
                .is_some_and(|s| s.eq_ignore_ascii_case(&sub))
    };
    let taken = ctx
        .world
        .resources
        .values()
        .any(|r| r.exists_at(ctx.now_ms) && uses(r))
        || ctx
            .world
            .deleted_accounts
            .values()
            .any(|d| uses(&d.account));
    if taken {
        return Err(ArmError::bad_request(
            "CustomDomainInUse",
            format!(
                "Custom domain name '{sub}' is already in use by another account (a soft-deleted account keeps its name until it is purged)."
            ),
        ));
    }
    Ok(Some(sub))
}

/// `networkAcls` (default action, IP and virtual-network rules) and `publicNetworkAccess`;
/// rules need a custom subdomain.
fn check_network(props: &mut Value, subdomain: Option<&str>) -> ArmResult<()> {
    CHECK.enum_or(
        props,
        "publicNetworkAccess",
        &["Enabled", "Disabled"],
        "Enabled",
    )?;
    if fields::get(props, "networkAcls").is_none() {
        return Ok(());
    }
    CHECK.require_enum(props, "networkAcls.defaultAction", &["Allow", "Deny"])?;
    for list in ["ipRules", "virtualNetworkRules"] {
        let path = format!("networkAcls.{list}");
        match fields::get(props, &path) {
            None => fields::set(props, &path, json!([])),
            Some(Value::Array(items)) => {
                let field = if list == "ipRules" { "value" } else { "id" };
                if items.iter().any(|i| !i[field].is_string()) {
                    return Err(CHECK.error(
                        &path,
                        format!("every entry of {path} needs a '{field}' string"),
                    ));
                }
            }
            Some(_) => return Err(CHECK.error(&path, format!("{path} must be an array"))),
        }
    }
    let has_rules = ["ipRules", "virtualNetworkRules"].iter().any(|l| {
        props["networkAcls"][l]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    });
    if has_rules && subdomain.is_none() {
        return Err(CHECK.error(
            "properties.networkAcls",
            "Network rules need a custom subdomain: set properties.customSubDomainName.",
        ));
    }
    Ok(())
}

/// `allowProjectManagement` is for Foundry (`AIServices`) accounts with a custom subdomain.
fn check_foundry(props: &Value, kind: &str, subdomain: Option<&str>) -> ArmResult<()> {
    if props["allowProjectManagement"] != json!(true) {
        return Ok(());
    }
    if kind != "AIServices" {
        return Err(CHECK.error(
            "properties.allowProjectManagement",
            format!("allowProjectManagement is only supported for accounts of kind 'AIServices', not '{kind}'."),
        ));
    }
    if subdomain.is_none() {
        return Err(CHECK.error(
            "properties.customSubDomainName",
            "A Foundry resource (allowProjectManagement: true) needs properties.customSubDomainName.",
        ));
    }
    Ok(())
}

/// The main endpoint (`main`) and the named endpoints (`all`) of an account.
fn endpoints(kind: &str, location: &str, subdomain: Option<&str>) -> Value {
    let Some(sub) = subdomain else {
        let e = format!("https://{location}.api.cognitive.microsoft.com/");
        return json!({"main": e, "all": {}});
    };
    let cog = format!("https://{sub}.cognitiveservices.azure.com/");
    let openai = format!("https://{sub}.openai.azure.com/");
    match kind {
        "OpenAI" => json!({"main": openai, "all": {
            "OpenAI Language Model Instance API": openai,
            "OpenAI Dall-E API": openai,
            "OpenAI Realtime API": format!("wss://{sub}.openai.azure.com/")
        }}),
        "AIServices" => json!({"main": cog, "all": {
            "AI Foundry API": format!("https://{sub}.services.ai.azure.com/"),
            "OpenAI Language Model Instance API": openai,
            "Content Safety": cog,
            "Speech Services Speech to Text": format!("https://{location}.stt.speech.microsoft.com"),
            "Language": cog,
            "Computer Vision": cog
        }}),
        "SpeechServices" => json!({"main": cog, "all": {
            "Speech Services Speech to Text": format!("https://{location}.stt.speech.microsoft.com"),
            "Token": format!("https://{sub}.cognitiveservices.azure.com/sts/v1.0/issueToken")
        }}),
        _ => json!({"main": cog, "all": {"Cognitive Services": cog}}),
    }
}

/// When the account was created (kept over updates).
fn created(ctx: &PutContext<'_>) -> String {
    ctx.existing
        .and_then(|e| fields::get_str(&e.body, "properties.dateCreated"))
        .map_or_else(|| ids::timestamp(ctx.now_ms), str::to_owned)
}

/// `identity`: None, SystemAssigned, UserAssigned or both; a system identity gets a principal.
fn identity(ctx: &PutContext<'_>) -> ArmResult<Option<Value>> {
    let Some(given) = ctx.body.get("identity").filter(|v| v.is_object()) else {
        return Ok(None);
    };
    let mut id = given.clone();
    let t = CHECK.require_enum(
        &mut id,
        "type",
        &[
            "None",
            "SystemAssigned",
            "UserAssigned",
            "SystemAssigned, UserAssigned",
        ],
    )?;
    if t.contains("SystemAssigned") {
        let prior = ctx
            .existing
            .and_then(|e| fields::get_str(&e.body, "identity.principalId"))
            .map_or_else(ids::guid, str::to_owned);
        fields::default(&mut id, "principalId", json!(prior));
        fields::default(&mut id, "tenantId", json!(TENANT_ID));
    }
    Ok(Some(id))
}

/// A PUT of a name that is soft-deleted: `FlagMustBeSetForRestore` unless `restore: true`,
/// which brings the account back with its children and keys.
fn restore(ctx: &PutContext<'_>) -> ArmResult<Option<Built>> {
    let rg = resource_group_of(ctx.id);
    let found = deleted_accounts::find(ctx.world, ctx.subscription, rg, ctx.name);
    let wants = ctx.body["properties"]["restore"] == json!(true);
    let Some((key, deleted)) = found else {
        if wants {
            return Err(ArmError::new(
                404,
                "ResourceNotFound",
                format!(
                    "No soft-deleted account named '{}' was found in resource group '{rg}' to restore.",
                    ctx.name
                ),
            ));
        }
        return Ok(None);
    };
    if !wants {
        return Err(ArmError::new(
            409,
            "FlagMustBeSetForRestore",
            format!(
                "An existing resource with ID '{}' has been soft-deleted. To restore the resource, you must specify 'restore' to be 'true' in the property. If you don't want to restore existing resource, please purge it first.",
                deleted.account.id
            ),
        ));
    }
    let mut fields_out = deleted.account.body.clone();
    if let Some(o) = fields_out.as_object_mut() {
        for k in ["id", "name", "type", "systemData", "location", "tags"] {
            o.remove(k);
        }
    }
    let side = deleted
        .children
        .iter()
        .map(|c| SideResource {
            id: c.id.clone(),
            type_name: super::lookup(&c.type_name).map_or(TYPE, |t| t.type_name()),
            fields: c.body.clone(),
            secrets: c.secrets.clone(),
        })
        .collect();
    Ok(Some(Built {
        fields: fields_out,
        secrets: deleted.account.secrets.clone(),
        side,
        restored: Some(key),
        ..Built::default()
    }))
}
