//! `Microsoft.MachineLearningServices/registries` (`Registries_*`, ML spec 2025-12-01): an
//! Azure Machine Learning registry of your own, where assets are shared across workspaces
//! (learn.microsoft.com/azure/machine-learning/how-to-manage-registries). PUT is long-running
//! (`Azure-AsyncOperation`), PATCH updates tags, identity, sku and kind, DELETE answers 202 with
//! `Location`.
//!
//! Checked as the service does: the name (`^[a-zA-Z0-9][a-zA-Z0-9\-_]{2,32}$`, the spec's
//! `registryName` pattern), `regionDetails` present with at least one region and including the
//! registry's own `location` (its primary region). Each region without storage or ACR details
//! gets the system-created storage account and container registry the service creates in the
//! registry's managed resource group; `discoveryUrl`, `mlFlowRegistryUri` and the managed
//! resource group are the service's shapes. A region's accounts and the managed resource group
//! are kept across updates. No `removeRegions` action (not emulated).

use serde_json::{Value, json};

use super::{Built, LocationPolicy, Lro, ML_CHECK, PutContext, ResourceType, resource_group_of};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::{fields, ids};

/// The type name.
pub(crate) const TYPE: &str = "Microsoft.MachineLearningServices/registries";

/// User-created ML registries.
pub(crate) struct MlRegistries;

fn normalize(l: &str) -> String {
    l.to_ascii_lowercase().replace(' ', "")
}

/// The regions of `props.regionDetails`, checked, each with the storage account and ACR the
/// request names, else those the region had before, else new system-created ones.
fn region_details(
    props: &mut Value,
    prior: Option<&Value>,
    primary: &str,
    mrg: &str,
    name: &str,
) -> ArmResult<()> {
    let Some(regions) = props
        .get_mut("regionDetails")
        .and_then(Value::as_array_mut)
        .filter(|r| !r.is_empty())
    else {
        return Err(ML_CHECK.error(
            "properties.regionDetails",
            format!("properties.regionDetails must list at least the registry's primary region '{primary}'"),
        ));
    };
    let mut found = false;
    for (i, region) in regions.iter_mut().enumerate() {
        let field = format!("properties.regionDetails[{i}].location");
        let loc = ML_CHECK
            .require_str(region, "location")
            .map_err(|_| ML_CHECK.missing(&field))?;
        let loc = normalize(loc);
        found |= loc == primary;
        fields::set(region, "location", json!(loc));
        let before = prior.and_then(Value::as_array).and_then(|p| {
            p.iter()
                .find(|r| fields::get_str(r, "location") == Some(loc.as_str()))
        });
        for (f, made) in [
            (
                "storageAccountDetails",
                storage_account as fn(&str, &str) -> Value,
            ),
            ("acrDetails", acr),
        ] {
            let kept = before.and_then(|b| b.get(f)).cloned();
            let value = kept.unwrap_or_else(|| made(mrg, &account_name(name)));
            fields::default(region, f, value);
        }
    }
    if found {
        Ok(())
    } else {
        Err(ML_CHECK.error(
            "properties.regionDetails",
            format!("properties.regionDetails must include the registry's primary region (its location) '{primary}'"),
        ))
    }
}

/// A name for a system-created account: up to 12 letters and digits of the registry name and
/// 8 random hex digits (valid for a storage account and an ACR alike).
fn account_name(registry: &str) -> String {
    let short: String = registry
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    format!("{short}{}", &ids::guid().replace('-', "")[..8])
}

/// The system-created storage account of a region.
fn storage_account(mrg: &str, account: &str) -> Value {
    json!([{"systemCreatedStorageAccount": {
        "storageAccountName": account,
        "storageAccountType": "Standard_LRS",
        "storageAccountHnsEnabled": false,
        "allowBlobPublicAccess": false,
        "armResourceId": {"resourceId": format!("{mrg}/providers/Microsoft.Storage/storageAccounts/{account}")}
    }}])
}

/// The system-created container registry of a region.
fn acr(mrg: &str, account: &str) -> Value {
    json!([{"systemCreatedAcrAccount": {
        "acrAccountName": account,
        "acrAccountSku": "Premium",
        "armResourceId": {"resourceId": format!("{mrg}/providers/Microsoft.ContainerRegistry/registries/{account}")}
    }}])
}

/// The registry's managed resource group (`azureml-rg-{name}_{guid}`), kept across updates.
fn managed_resource_group(ctx: &PutContext<'_>) -> String {
    ctx.existing
        .and_then(|e| fields::get_str(&e.body, "properties.managedResourceGroup.resourceId"))
        .map_or_else(
            || {
                format!(
                    "/subscriptions/{}/resourceGroups/azureml-rg-{}_{}",
                    ctx.subscription,
                    ctx.name,
                    ids::guid()
                )
            },
            str::to_owned,
        )
}

/// The read-only fields the service sets: the managed resource group, the discovery URL on the
/// primary region's API host, the MLflow registry URI, and the defaults of the optional ones.
fn service_fields(props: &mut Value, ctx: &PutContext<'_>, primary: &str, mrg: &str) {
    let rg = resource_group_of(ctx.id);
    let (sub, name) = (ctx.subscription, ctx.name);
    fields::set(props, "managedResourceGroup", json!({"resourceId": mrg}));
    fields::set(
        props,
        "discoveryUrl",
        json!(format!(
            "https://{primary}.api.azureml.ms/registrymanagement/v1.0/registries/{name}/discovery"
        )),
    );
    fields::set(
        props,
        "mlFlowRegistryUri",
        json!(format!(
            "azureml://{primary}.api.azureml.ms/mlflow/v1.0/subscriptions/{sub}/resourceGroups/{rg}/providers/{TYPE}/{name}"
        )),
    );
    fields::default(props, "intellectualPropertyPublisher", Value::Null);
    fields::default(props, "publicNetworkAccess", json!("Enabled"));
    fields::default(props, "registryPrivateEndpointConnections", json!([]));
}

impl ResourceType for MlRegistries {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        super::check_plain_name(name, 3..=33, "-_", || {
            format!(
                "Registry name '{name}' is invalid: use 3 to 33 letters, digits, '-' and '_', starting with a letter or digit"
            )
        })
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let Some(given) = ctx.body.get("properties").filter(|p| p.is_object()) else {
            return Err(ML_CHECK.missing("properties.regionDetails"));
        };
        let mut props = given.clone();
        let primary = ctx.location.unwrap_or_default().to_owned();
        let mrg = managed_resource_group(ctx);
        let prior_regions = ctx
            .existing
            .and_then(|e| fields::get(&e.body, "properties.regionDetails"));
        region_details(&mut props, prior_regions, &primary, &mrg, ctx.name)?;
        service_fields(&mut props, ctx, &primary, &mrg);
        let mut out = json!({
            "properties": props,
            "identity": super::online_endpoint::identity(ctx),
        });
        for f in ["sku", "kind"] {
            if let Some(v) = ctx.body.get(f).filter(|v| !v.is_null()) {
                out[f] = v.clone();
            }
        }
        Ok(Built {
            fields: out,
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::AsyncOperation
    }

    fn supports_patch(&self) -> bool {
        true
    }

    fn delete_lro(&self) -> Lro {
        Lro::Location
    }
}

/// The registry `registry` in the resource group of `id` (a workspace asset's id), or the
/// error the service answers for a registry that does not exist.
pub(crate) fn find(
    world: &crate::emulator::world::World,
    now_ms: u64,
    id: &str,
    registry: &str,
) -> ArmResult<String> {
    let sub = id.split('/').nth(2).unwrap_or_default();
    let wanted = format!("/providers/{TYPE}/{registry}").to_ascii_lowercase();
    world
        .resources
        .values()
        .find(|r| {
            r.exists_at(now_ms)
                && r.id.to_ascii_lowercase().ends_with(&wanted)
                && r.id.split('/').nth(2) == Some(sub)
        })
        .map(|r| r.id.clone())
        .ok_or_else(|| {
            ArmError::new(
                404,
                "NotFound",
                format!("Registry '{registry}' was not found in subscription '{sub}'; create it first (az ml registry create)"),
            )
            .with_target("registryName".to_owned())
        })
}
