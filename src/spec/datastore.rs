//! Datastore specs (blob, ADLS Gen2, file share) -> `DatastoreResource` bodies. Credentials are
//! sent as written; [`super::Translated::secrets`] lists where they are so callers can redact.

use serde_json::{Map, Value, json};

use super::error::Problem;
use super::node::{Obj, Values, put};

/// Translates a datastore spec; returns the JSON pointers of secret values too.
pub(crate) fn translate(root: Obj<'_>) -> Result<(String, Value, Vec<String>), Problem> {
    let name = root.req_str("name");
    let kind = root
        .choice_checked(
            "type",
            &[
                "azure_blob",
                "azure_file",
                "azure_data_lake_gen2",
                "azure_data_lake_gen1",
            ],
        )?
        .unwrap_or_else(|| "azure_blob".into());
    let (rest, field, key): (&str, &str, &str) = match kind.as_str() {
        "azure_file" => ("AzureFile", "fileShareName", "file_share_name"),
        "azure_data_lake_gen2" => ("AzureDataLakeGen2", "filesystem", "filesystem"),
        "azure_data_lake_gen1" => ("AzureDataLakeGen1", "storeName", "store_name"),
        _ => ("AzureBlob", "containerName", "container_name"),
    };
    let mut allowed = vec!["name", "type", "description", "tags", "credentials", key];
    if kind != "azure_data_lake_gen1" {
        allowed.extend(["account_name", "endpoint", "protocol"]);
    }
    root.only(&allowed);
    let mut p = Map::new();
    if kind != "azure_data_lake_gen1" {
        p.insert("accountName".into(), json!(root.req_str("account_name")));
    }
    p.insert(field.into(), json!(root.req_str(key)));
    let mut secrets = Vec::new();
    p.insert("credentials".into(), credentials(root, &mut secrets));
    if kind != "azure_data_lake_gen1" {
        p.insert(
            "endpoint".into(),
            json!(
                root.str("endpoint")
                    .unwrap_or_else(|| "core.windows.net".into())
            ),
        );
        p.insert(
            "protocol".into(),
            json!(root.str("protocol").unwrap_or_else(|| "https".into())),
        );
    }
    put(&mut p, "description", root.str("description"));
    p.insert("tags".into(), root.str_map_or_empty("tags", Values::Strict));
    p.insert("datastoreType".into(), json!(rest));
    Ok((
        format!("datastores/{name}"),
        json!({ "properties": p }),
        secrets,
    ))
}

/// `credentials:` -> REST credentials; secret pointers are pushed to `secrets`.
fn credentials(root: Obj<'_>, secrets: &mut Vec<String>) -> Value {
    let Some(c) = root.obj("credentials", "credentials") else {
        return json!({ "credentialsType": "None" });
    };
    c.only(&[
        "account_key",
        "sas_token",
        "tenant_id",
        "client_id",
        "client_secret",
        "authority_url",
        "resource_url",
    ]);
    let base = "/properties/credentials/secrets";
    if let Some(key) = c.str("account_key") {
        secrets.push(format!("{base}/key"));
        return json!({"credentialsType": "AccountKey", "secrets": {"key": key, "secretsType": "AccountKey"}});
    }
    if let Some(sas) = c.str("sas_token") {
        secrets.push(format!("{base}/sasToken"));
        return json!({"credentialsType": "Sas", "secrets": {"sasToken": sas, "secretsType": "Sas"}});
    }
    if c.has("client_id") || c.has("tenant_id") || c.has("client_secret") {
        secrets.push(format!("{base}/clientSecret"));
        let mut m = Map::new();
        m.insert(
            "authorityUrl".into(),
            json!(
                c.str("authority_url")
                    .unwrap_or_else(|| "https://login.microsoftonline.com".into())
            ),
        );
        put(&mut m, "resourceUrl", c.str("resource_url"));
        m.insert("tenantId".into(), json!(c.req_str("tenant_id")));
        m.insert("clientId".into(), json!(c.req_str("client_id")));
        m.insert(
            "secrets".into(),
            json!({"clientSecret": c.req_str("client_secret"), "secretsType": "ServicePrincipal"}),
        );
        m.insert("credentialsType".into(), json!("ServicePrincipal"));
        return Value::Object(m);
    }
    json!({ "credentialsType": "None" })
}
