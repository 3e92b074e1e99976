//! `Microsoft.ContainerRegistry/registries`: long-running PUT with `Azure-AsyncOperation`,
//! PATCH, and the admin credentials only through `POST listCredentials`
//! (`regenerateCredential`, `generateCredentials`).

use serde_json::{Value, json};

use super::{ActionContext, ActionOutcome, Built, LocationPolicy, Lro, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::ids;
use crate::emulator::world::StoredResource;

/// The names of the two admin passwords.
const PASSWORDS: [&str; 2] = ["password", "password2"];

/// A registry password: 52 letters and digits, as ACR issues them.
fn password() -> String {
    let mut out = String::new();
    while out.len() < 52 {
        out.extend(
            ids::account_key()
                .chars()
                .filter(char::is_ascii_alphanumeric),
        );
    }
    out.truncate(52);
    out
}

/// The admin credentials of a registry (`RegistryListCredentialsResult`); `None` while the
/// admin user is disabled (learn.microsoft.com/azure/container-registry/container-registry-authentication#admin-account:
/// "the admin account is disabled by default").
pub(super) fn credentials(acr: &StoredResource) -> Option<Value> {
    if fields::get(&acr.body, "properties.adminUserEnabled") != Some(&json!(true)) {
        return None;
    }
    let secrets = acr.secrets.as_ref()?;
    let passwords: Vec<Value> = PASSWORDS
        .iter()
        .map(|n| json!({"name": n, "value": secrets.get(*n).cloned().unwrap_or(Value::Null)}))
        .collect();
    Some(
        json!({"username": fields::get_str(&acr.body, "name").unwrap_or_default(), "passwords": passwords}),
    )
}

/// The password values of a credentials answer.
pub(super) fn passwords(credentials: &Value) -> Vec<String> {
    credentials["passwords"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

const CHECK: Check = Check {
    code: "InvalidParameter",
    detail: None,
};

/// Container registries.
pub(crate) struct Registries;

impl ResourceType for Registries {
    fn type_name(&self) -> &'static str {
        "Microsoft.ContainerRegistry/registries"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        if (5..=50).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidRegistryName",
                format!(
                    "Registry name '{name}' is invalid: it must be 5-50 alphanumeric characters."
                ),
            )
            .with_target("name"))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut input = ctx.body.clone();
        let sku = CHECK.require_enum(&mut input, "sku.name", &["Basic", "Standard", "Premium"])?;
        let mut props = fields::object_or_empty(input.get("properties"));
        let created = ctx
            .existing
            .and_then(|e| fields::get_str(&e.body, "properties.creationDate"))
            .map_or_else(|| ids::timestamp(ctx.now_ms), str::to_owned);
        fields::default(&mut props, "adminUserEnabled", json!(false));
        fields::default(&mut props, "publicNetworkAccess", json!("Enabled"));
        fields::default(&mut props, "zoneRedundancy", json!("Disabled"));
        fields::default(&mut props, "dataEndpointEnabled", json!(false));
        fields::default(
            &mut props,
            "networkRuleBypassOptions",
            json!("AzureServices"),
        );
        fields::default(&mut props, "encryption", json!({"status": "disabled"}));
        fields::default(
            &mut props,
            "policies",
            json!({"quarantinePolicy": {"status": "disabled"}, "trustPolicy": {"type": "Notary", "status": "disabled"},
                   "retentionPolicy": {"days": 7, "status": "disabled"}, "exportPolicy": {"status": "enabled"}}),
        );
        fields::set(
            &mut props,
            "loginServer",
            json!(format!("{}.azurecr.io", ctx.name.to_ascii_lowercase())),
        );
        fields::set(&mut props, "creationDate", json!(created));
        fields::set(&mut props, "dataEndpointHostNames", json!([]));
        fields::set(&mut props, "privateEndpointConnections", json!([]));
        if fields::get(&props, "policies.retentionPolicy").is_some_and(Value::is_object) {
            let now = ids::timestamp(ctx.now_ms);
            fields::default(
                &mut props,
                "policies.retentionPolicy.lastUpdatedTime",
                json!(now),
            );
        }
        fields::default(
            &mut props,
            "networkRuleSet",
            json!({"defaultAction": "Allow", "ipRules": []}),
        );
        let (secrets, issued) = match ctx.existing.and_then(|e| e.secrets.clone()) {
            Some(s) => (s, Vec::new()),
            None => {
                let (p1, p2) = (password(), password());
                (json!({"password": p1, "password2": p2}), vec![p1, p2])
            }
        };
        Ok(Built {
            fields: json!({"sku": {"name": sku, "tier": sku}, "properties": props}),
            secrets: Some(secrets),
            issued,
            ..Built::default()
        })
    }

    fn supports_patch(&self) -> bool {
        true
    }

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        body: Option<&Value>,
        _ctx: &ActionContext<'_>,
    ) -> ArmResult<ActionOutcome> {
        match name.to_ascii_lowercase().as_str() {
            "listcredentials" => {
                let creds = credentials(resource).ok_or_else(admin_disabled)?;
                Ok(ActionOutcome {
                    issued: passwords(&creds),
                    ..ActionOutcome::ok(creds)
                })
            }
            "regeneratecredential" => regenerate(resource, body),
            "generatecredentials" => Ok(generate(resource)),
            _ => Err(ArmError::new(
                404,
                "ActionNotFound",
                format!("The action '{name}' is not supported for container registries."),
            )),
        }
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::AsyncOperation
    }

    fn delete_lro(&self) -> Lro {
        Lro::Location
    }
}

fn admin_disabled() -> ArmError {
    ArmError::bad_request(
        "AdminUserDisabled",
        "The admin user of this registry is disabled; set properties.adminUserEnabled to true to use its credentials.",
    )
}

/// `Registries_RegenerateCredential`: a new value for the password named in the body.
fn regenerate(resource: &StoredResource, body: Option<&Value>) -> ArmResult<ActionOutcome> {
    let which = body
        .and_then(|b| fields::get_str(b, "name"))
        .filter(|n| PASSWORDS.contains(n))
        .ok_or_else(|| {
            CHECK.error(
                "name",
                "name must be one of: password, password2".to_owned(),
            )
        })?;
    credentials(resource).ok_or_else(admin_disabled)?;
    let mut secrets = resource.secrets.clone().unwrap_or_else(|| json!({}));
    let fresh = password();
    fields::set(&mut secrets, which, json!(fresh));
    let mut updated = resource.clone();
    updated.secrets = Some(secrets.clone());
    let creds = credentials(&updated).unwrap_or(Value::Null);
    Ok(ActionOutcome {
        issued: vec![fresh],
        updated_secrets: Some(secrets),
        ..ActionOutcome::ok(creds)
    })
}

/// `Registries_GenerateCredentials`: passwords for a repository-scoped token, issued fresh
/// (a long-running action in the spec; the emulator answers at once).
fn generate(resource: &StoredResource) -> ActionOutcome {
    let (p1, p2) = (password(), password());
    let body = json!({
        "username": fields::get_str(&resource.body, "name").unwrap_or_default(),
        "passwords": [{"name": "password1", "value": p1}, {"name": "password2", "value": p2}],
    });
    ActionOutcome {
        issued: vec![p1, p2],
        ..ActionOutcome::ok(body)
    }
}
