//! `Microsoft.MachineLearningServices/workspaces/datastores`: synchronous PUT; credentials'
//! secrets are kept aside and only `POST listSecrets` returns them.

use regex::Regex;
use serde_json::{Value, json};

use super::{Built, ML_CHECK, PutContext, ResourceType};
use crate::emulator::error::ArmResult;
use crate::emulator::fields;
use crate::emulator::world::World;

/// Datastores.
pub(crate) struct Datastores;

const TYPES: &[&str] = &["AzureBlob", "AzureFile", "AzureDataLakeGen2"];
const CREDENTIALS: &[&str] = &[
    "AccountKey",
    "Sas",
    "None",
    "ServicePrincipal",
    "Certificate",
];

/// The secret fields of each credentials type.
fn secret_fields(credentials_type: &str) -> &'static [&'static str] {
    match credentials_type {
        "AccountKey" => &["key"],
        "Sas" => &["sasToken"],
        "ServicePrincipal" => &["clientSecret"],
        "Certificate" => &["certificate"],
        _ => &[],
    }
}

impl ResourceType for Datastores {
    fn type_name(&self) -> &'static str {
        "Microsoft.MachineLearningServices/workspaces/datastores"
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        if Regex::new(r"^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$").is_ok_and(|r| r.is_match(name)) {
            Ok(())
        } else {
            Err(ML_CHECK.error(
                "name",
                format!("Datastore name '{name}' is invalid: use letters, digits, '-' and '_'"),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let c = ML_CHECK;
        let mut input = ctx.body.clone();
        c.require(&input, "properties")?;
        let kind = c.require_enum(&mut input, "properties.datastoreType", TYPES)?;
        c.require_str(&input, "properties.accountName")?;
        match kind {
            "AzureBlob" => {
                c.require_str(&input, "properties.containerName")?;
            }
            "AzureFile" => {
                c.require_str(&input, "properties.fileShareName")?;
            }
            _ => {
                c.require_str(&input, "properties.filesystem")?;
            }
        }
        fields::default(&mut input, "properties.endpoint", json!("core.windows.net"));
        c.enum_or(
            &mut input,
            "properties.protocol",
            &["https", "http"],
            "https",
        )?;
        fields::default(
            &mut input,
            "properties.credentials",
            json!({"credentialsType": "None"}),
        );
        let cred = c.require_enum(
            &mut input,
            "properties.credentials.credentialsType",
            CREDENTIALS,
        )?;
        if cred == "ServicePrincipal" {
            c.require_str(&input, "properties.credentials.tenantId")?;
            c.require_str(&input, "properties.credentials.clientId")?;
        }
        if cred == "Certificate" {
            c.require_str(&input, "properties.credentials.thumbprint")?;
        }
        let mut secrets = None;
        let mut issued = Vec::new();
        if !secret_fields(cred).is_empty() {
            let s = c.require(&input, "properties.credentials.secrets")?.clone();
            for f in secret_fields(cred) {
                let field = format!("properties.credentials.secrets.{f}");
                let value = c.require_str(&input, &field)?;
                issued.push(value.to_owned());
            }
            let mut s = s;
            fields::set(&mut s, "secretsType", json!(cred));
            secrets = Some(s);
            fields::set(
                &mut input,
                "properties.credentials.secrets",
                json!({"secretsType": cred}),
            );
        } else {
            fields::take(&mut input, "properties.credentials.secrets");
        }
        let is_default = ctx
            .existing
            .and_then(|e| fields::get(&e.body, "properties.isDefault"))
            .cloned()
            .unwrap_or(json!(false));
        let mut props = fields::object_or_empty(input.get("properties"));
        fields::default(&mut props, "description", Value::Null);
        fields::default(&mut props, "tags", json!({}));
        fields::default(&mut props, "properties", json!({}));
        fields::set(&mut props, "isDefault", is_default);
        Ok(Built {
            fields: json!({"properties": props}),
            secrets,
            issued,
            ..Built::default()
        })
    }

    /// `listSecrets`: the secrets given at creation. A workspace's own datastores keep the
    /// storage account's key in step, as the service does: when the key they hold was sealed in
    /// the state file (a restart regenerates the account's keys), the account's current `key1`
    /// is answered.
    fn world_action(
        &self,
        name: &str,
        world: &mut World,
        id: &str,
        now_ms: u64,
    ) -> Option<ArmResult<(Value, Vec<String>)>> {
        if !name.eq_ignore_ascii_case("listSecrets") {
            return None;
        }
        let resource = world.get(id, now_ms)?;
        let cred = fields::get_str(&resource.body, "properties.credentials.credentialsType")
            .unwrap_or("None");
        let mut body = resource
            .secrets
            .clone()
            .unwrap_or_else(|| json!({"secretsType": cred}));
        let sealed = fields::get_str(&body, "key").is_some_and(crate::emulator::sealed::is_sealed);
        if cred == "AccountKey"
            && sealed
            && let Some(key) = current_key(world, id, &resource.body, now_ms)
        {
            fields::set(&mut body, "key", json!(key));
        }
        Some(Ok((body, Vec::new())))
    }
}

/// The current `key1` of the emulated storage account a datastore names (same subscription).
fn current_key(world: &World, id: &str, body: &Value, now_ms: u64) -> Option<String> {
    let account = fields::get_str(body, "properties.accountName")?;
    let sub = id.split('/').nth(2)?.to_ascii_lowercase();
    world
        .resources
        .values()
        .find(|r| {
            r.type_name
                .eq_ignore_ascii_case("Microsoft.Storage/storageAccounts")
                && r.id
                    .split('/')
                    .nth(2)
                    .is_some_and(|s| s.eq_ignore_ascii_case(&sub))
                && super::last_segment(&r.id).eq_ignore_ascii_case(account)
                && r.exists_at(now_ms)
        })?
        .secrets
        .as_ref()?
        .get("key1")?
        .as_str()
        .map(str::to_owned)
}
