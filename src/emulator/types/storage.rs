//! `Microsoft.Storage/storageAccounts`: long-running PUT (202 + Location), account keys only
//! through `POST listKeys`.

use serde_json::{Value, json};

use super::{ActionOutcome, Built, LocationPolicy, Lro, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::ids;
use crate::emulator::world::StoredResource;

const CHECK: Check = Check {
    code: "InvalidRequestPropertyValue",
    detail: None,
};

/// SKU names.
pub(crate) const SKUS: &[&str] = &[
    "Standard_LRS",
    "Standard_GRS",
    "Standard_RAGRS",
    "Standard_ZRS",
    "Premium_LRS",
    "Premium_ZRS",
    "Standard_GZRS",
    "Standard_RAGZRS",
];
const KINDS: &[&str] = &[
    "Storage",
    "StorageV2",
    "BlobStorage",
    "FileStorage",
    "BlockBlobStorage",
];

/// Storage accounts.
pub(crate) struct StorageAccounts;

impl ResourceType for StorageAccounts {
    fn type_name(&self) -> &'static str {
        "Microsoft.Storage/storageAccounts"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let ok = (3..=24).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if ok {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "AccountNameInvalid",
                format!("{name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only."),
            )
            .with_target("name"))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut input = ctx.body.clone();
        let sku = CHECK.require_enum(&mut input, "sku.name", SKUS)?;
        let kind = CHECK.require_enum(&mut input, "kind", KINDS)?;
        let name = ctx.name.to_ascii_lowercase();
        let now = ids::timestamp(ctx.now_ms);
        let existing = ctx.existing.map(|e| &e.body);
        let created_at = existing
            .and_then(|b| fields::get_str(b, "properties.creationTime"))
            .map_or_else(|| now.clone(), str::to_owned);
        let mut props = fields::object_or_empty(input.get("properties"));
        if matches!(kind, "StorageV2" | "BlobStorage") {
            CHECK.enum_or(
                &mut props,
                "accessTier",
                &["Hot", "Cool", "Cold", "Premium"],
                "Hot",
            )?;
        }
        CHECK.enum_or(
            &mut props,
            "minimumTlsVersion",
            &["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"],
            "TLS1_2",
        )?;
        fields::default(&mut props, "supportsHttpsTrafficOnly", json!(true));
        fields::default(&mut props, "allowBlobPublicAccess", json!(false));
        fields::default(&mut props, "allowSharedKeyAccess", json!(true));
        fields::default(&mut props, "isHnsEnabled", json!(false));
        fields::default(
            &mut props,
            "networkAcls",
            json!({"bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [], "defaultAction": "Allow"}),
        );
        fields::default(
            &mut props,
            "encryption",
            json!({"services": {"file": {"keyType": "Account", "enabled": true},
                                "blob": {"keyType": "Account", "enabled": true}},
                   "keySource": "Microsoft.Storage"}),
        );
        encryption_times(&mut props, existing, &now);
        let key_time = existing
            .and_then(|b| fields::get(b, "properties.keyCreationTime"))
            .cloned()
            .unwrap_or_else(|| json!({"key1": now, "key2": now}));
        let location = ctx.location.unwrap_or_default();
        let endpoint = |svc: &str| format!("https://{name}.{svc}.core.windows.net/");
        fields::set(&mut props, "keyCreationTime", key_time);
        fields::set(&mut props, "creationTime", json!(created_at));
        fields::set(
            &mut props,
            "primaryEndpoints",
            json!({"dfs": endpoint("dfs"), "web": endpoint("web"), "blob": endpoint("blob"),
                   "queue": endpoint("queue"), "table": endpoint("table"), "file": endpoint("file")}),
        );
        routing_endpoints(&mut props, &name);
        fields::set(&mut props, "primaryLocation", json!(location));
        fields::set(&mut props, "statusOfPrimary", json!("available"));
        secondary(&mut props, sku, location);
        let tier = if sku.starts_with("Premium") {
            "Premium"
        } else {
            "Standard"
        };
        let mut fields =
            json!({"sku": {"name": sku, "tier": tier}, "kind": kind, "properties": props});
        if let Some(ext) = input.get("extendedLocation").filter(|v| v.is_object()) {
            fields["extendedLocation"] = ext.clone();
        }
        let (secrets, issued) = match ctx.existing.and_then(|e| e.secrets.clone()) {
            Some(s) => (Some(s), Vec::new()),
            None => {
                let (k1, k2) = (ids::account_key(), ids::account_key());
                (Some(json!({"key1": k1, "key2": k2})), vec![k1, k2])
            }
        };
        Ok(Built {
            fields,
            secrets,
            issued,
            ..Built::default()
        })
    }

    fn put_lro(&self, created: bool) -> Lro {
        if created { Lro::Location } else { Lro::Sync }
    }

    fn operation_kind(&self) -> &'static str {
        "asyncoperations"
    }

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        body: Option<&Value>,
        ctx: &super::ActionContext,
    ) -> ArmResult<ActionOutcome> {
        if name.eq_ignore_ascii_case("listKeys") {
            return Ok(ActionOutcome::ok(key_list(
                &resource.body,
                resource.secrets.as_ref(),
            )));
        }
        if name.eq_ignore_ascii_case("regenerateKey") {
            return regenerate_key(resource, body, ctx.now_ms);
        }
        Err(ArmError::new(
            404,
            "ActionNotFound",
            format!("The action '{name}' is not supported for storage accounts."),
        ))
    }
}

/// `listKeys`' answer: both keys, each with its creation time.
fn key_list(body: &Value, secrets: Option<&Value>) -> Value {
    let key = |n: &str| {
        let created = fields::get(body, &format!("properties.keyCreationTime.{n}"))
            .or_else(|| fields::get(body, "properties.creationTime"))
            .cloned()
            .unwrap_or(Value::Null);
        json!({"keyName": n, "value": secrets.and_then(|s| s.get(n)).cloned().unwrap_or(Value::Null),
               "permissions": "Full", "creationTime": created})
    };
    json!({"keys": [key("key1"), key("key2")]})
}

/// `regenerateKey` with `{keyName: key1|key2}`: a new value for that key and its
/// `keyCreationTime`; the answer lists both keys, as `listKeys` does (StorageAccounts_RegenerateKey
/// in Microsoft.Storage's spec). The Kerberos keys (`kerb1`, `kerb2`) exist only for accounts
/// joined to Active Directory, which the emulator does not model: refused like any other name.
fn regenerate_key(
    resource: &StoredResource,
    body: Option<&Value>,
    now_ms: u64,
) -> ArmResult<ActionOutcome> {
    let key_name = body
        .and_then(|b| b.get("keyName"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(which) = ["key1", "key2"]
        .into_iter()
        .find(|k| k.eq_ignore_ascii_case(key_name))
    else {
        return Err(ArmError::bad_request(
            "InvalidValuesForRequestParameters",
            format!(
                "Values for request parameters are invalid: keyName '{key_name}' (valid: key1, key2)."
            ),
        ));
    };
    let value = ids::account_key();
    let mut secrets = resource.secrets.clone().unwrap_or_else(|| json!({}));
    secrets[which] = json!(value);
    let mut updated = resource.body.clone();
    fields::set(
        &mut updated,
        &format!("properties.keyCreationTime.{which}"),
        json!(ids::timestamp(now_ms)),
    );
    let mut out = ActionOutcome::ok(key_list(&updated, Some(&secrets)));
    out.updated_body = Some(updated);
    out.updated_secrets = Some(secrets);
    out.issued = vec![value];
    Ok(out)
}

/// Each enabled encryption service gets its `lastEnabledTime` (kept across updates) and
/// `keyType` `Account` unless given.
fn encryption_times(props: &mut Value, existing: Option<&Value>, now: &str) {
    for svc in ["blob", "file", "table", "queue"] {
        let path = format!("encryption.services.{svc}");
        if fields::get(props, &path).is_none_or(|v| !v.is_object()) {
            continue;
        }
        let kept = existing
            .and_then(|b| fields::get_str(b, &format!("properties.{path}.lastEnabledTime")))
            .unwrap_or(now)
            .to_owned();
        fields::default(props, &format!("{path}.keyType"), json!("Account"));
        fields::default(props, &format!("{path}.enabled"), json!(true));
        fields::set(props, &format!("{path}.lastEnabledTime"), json!(kept));
    }
}

/// The routing-specific endpoints `routingPreference` publishes
/// (learn.microsoft.com/azure/storage/common/network-routing-preference#routing-specific-endpoints).
fn routing_endpoints(props: &mut Value, name: &str) {
    let publish =
        |flag: &str| fields::get(props, &format!("routingPreference.{flag}")) == Some(&json!(true));
    let (microsoft, internet) = (
        publish("publishMicrosoftEndpoints"),
        publish("publishInternetEndpoints"),
    );
    let url = |route: &str, svc: &str| format!("https://{name}-{route}.{svc}.core.windows.net/");
    if microsoft {
        let e: serde_json::Map<String, Value> = ["web", "dfs", "blob", "file", "queue", "table"]
            .iter()
            .map(|s| ((*s).to_owned(), json!(url("microsoftrouting", s))))
            .collect();
        fields::set(
            props,
            "primaryEndpoints.microsoftEndpoints",
            Value::Object(e),
        );
    }
    if internet {
        // Internet routing serves blob, file, web and dfs only.
        let e: serde_json::Map<String, Value> = ["web", "dfs", "blob", "file"]
            .iter()
            .map(|s| ((*s).to_owned(), json!(url("internetrouting", s))))
            .collect();
        fields::set(
            props,
            "primaryEndpoints.internetEndpoints",
            Value::Object(e),
        );
    }
}

/// Geo-redundant SKUs replicate to the paired region
/// (learn.microsoft.com/azure/reliability/cross-region-replication-azure).
fn secondary(props: &mut Value, sku: &str, location: &str) {
    if !sku.contains("GRS") && !sku.contains("GZRS") {
        return;
    }
    const PAIRS: &[(&str, &str)] = &[
        ("eastus", "westus"),
        ("eastus2", "centralus"),
        ("westus2", "westcentralus"),
        ("westus3", "eastus"),
        ("northcentralus", "southcentralus"),
        ("westeurope", "northeurope"),
        ("uksouth", "ukwest"),
        ("francecentral", "francesouth"),
        ("germanywestcentral", "germanynorth"),
        ("swedencentral", "swedensouth"),
        ("australiaeast", "australiasoutheast"),
        ("japaneast", "japanwest"),
        ("southeastasia", "eastasia"),
        ("centralindia", "southindia"),
        ("canadacentral", "canadaeast"),
        ("eastus2euap", "centraluseuap"),
    ];
    let pair = PAIRS.iter().find_map(|(a, b)| {
        if *a == location {
            Some(*b)
        } else if *b == location {
            Some(*a)
        } else {
            None
        }
    });
    fields::set(props, "secondaryLocation", json!(pair.unwrap_or("westus")));
    fields::set(props, "statusOfSecondary", json!("available"));
}

/// `StorageAccounts_CheckNameAvailability`: whether `name` is a valid account name not taken
/// by any account in the world (account names are global, so every subscription counts).
pub(crate) fn name_availability(
    world: &crate::emulator::world::World,
    body: Option<&Value>,
) -> ArmResult<Value> {
    let body = body.ok_or_else(ArmError::invalid_body)?;
    let name = CHECK.require_str(body, "name")?;
    if let Some(t) = fields::get_str(body, "type")
        && !t.eq_ignore_ascii_case("Microsoft.Storage/storageAccounts")
    {
        return Err(CHECK.error(
            "type",
            format!("type must be Microsoft.Storage/storageAccounts, not '{t}'"),
        ));
    }
    if let Err(e) = StorageAccounts.validate_name(name) {
        return Ok(
            json!({"nameAvailable": false, "reason": "AccountNameInvalid", "message": e.message}),
        );
    }
    let taken = world.resources.values().any(|r| {
        r.type_name
            .eq_ignore_ascii_case("Microsoft.Storage/storageAccounts")
            && super::last_segment(&r.id).eq_ignore_ascii_case(name)
    });
    Ok(if taken {
        json!({"nameAvailable": false, "reason": "AlreadyExists",
               "message": format!("The storage account named {name} is already taken.")})
    } else {
        json!({"nameAvailable": true})
    })
}
