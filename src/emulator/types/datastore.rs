//! `Microsoft.MachineLearningServices/workspaces/datastores`: synchronous PUT; credentials'
//! secrets are kept aside and only `POST listSecrets` returns them.

use regex::Regex;
use serde_json::{Value, json};

use super::{ActionOutcome, Built, ML_CHECK, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::world::StoredResource;

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

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        _body: Option<&Value>,
        _ctx: &super::ActionContext,
    ) -> ArmResult<ActionOutcome> {
        if !name.eq_ignore_ascii_case("listSecrets") {
            return Err(ArmError::new(
                404,
                "ActionNotFound",
                format!("The action '{name}' is not supported for datastores."),
            ));
        }
        let cred = fields::get_str(&resource.body, "properties.credentials.credentialsType")
            .unwrap_or("None");
        let body = resource
            .secrets
            .clone()
            .unwrap_or_else(|| json!({"secretsType": cred}));
        Ok(ActionOutcome::ok(body))
    }
}
