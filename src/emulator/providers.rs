//! The tenant-level ARM reads clients make before touching a resource: `GET /subscriptions`,
//! `/subscriptions/{id}`, `/tenants`, and the resource-provider documents
//! (`/subscriptions/{id}/providers[/{ns}]`, `/providers[/{ns}]`) that `az resource show --ids`
//! reads to pick an api-version. Shapes as in Microsoft.Resources `subscriptions.json` and
//! `resources.json` (`Subscriptions_List`, `Tenants_List`, `Providers_Get`).
//!
//! The emulator is one tenant with one subscription ([`TENANT_ID`], [`SUBSCRIPTION_ID`]);
//! subscriptions that resources were created under are listed too (amlab's own labs use any id).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::api_versions;
use super::error::{ArmError, ArmResult};
use super::types;
use super::url::RequestUrl;
use super::world::World;
use crate::arm::transport::{HttpResponse, Method};

/// The emulated Entra tenant.
pub const TENANT_ID: &str = "6f0a1ab0-0000-4000-8000-00000000a1ab";

/// The subscription the emulator offers (listed by `GET /subscriptions`).
pub const SUBSCRIPTION_ID: &str = "6f0a1ab0-0000-4000-8000-0000000000a1";

/// Its display name.
const SUBSCRIPTION_NAME: &str = "amlab emulator";

/// The regions resource providers report (display names, as ARM lists them).
pub(crate) const LOCATIONS: &[&str] = &[
    "East US",
    "East US 2",
    "West US",
    "West US 2",
    "West US 3",
    "Central US",
    "North Central US",
    "South Central US",
    "West Europe",
    "North Europe",
    "UK South",
    "France Central",
    "Germany West Central",
    "Sweden Central",
    "Switzerland North",
    "Australia East",
    "Japan East",
    "Korea Central",
    "Southeast Asia",
    "East Asia",
    "Central India",
    "Canada Central",
    "Brazil South",
];

/// Answers the request when it is one of the tenant-level reads, `None` otherwise.
pub(crate) fn answer(
    world: &World,
    now_ms: u64,
    method: Method,
    url: &RequestUrl,
) -> Option<ArmResult<HttpResponse>> {
    let s: Vec<String> = url
        .segments
        .iter()
        .map(|x| x.to_ascii_lowercase())
        .collect();
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    let read = match s.as_slice() {
        ["subscriptions"] => Read::Subscriptions,
        ["subscriptions", id] => Read::Subscription(url.segments[1].clone(), id.to_string()),
        ["tenants"] => Read::Tenants,
        ["providers"] => Read::Providers(None),
        ["providers", _] => Read::Provider(None, url.segments[1].clone()),
        ["subscriptions", _, "providers"] => Read::Providers(Some(url.segments[1].clone())),
        ["subscriptions", _, "providers", _] => {
            Read::Provider(Some(url.segments[1].clone()), url.segments[3].clone())
        }
        _ => return None,
    };
    Some(serve(world, now_ms, method, url, read))
}

/// The reads this file answers.
enum Read {
    Subscriptions,
    /// (id as written, lowercased).
    Subscription(String, String),
    Tenants,
    /// Every provider, under a subscription or at the tenant.
    Providers(Option<String>),
    /// One provider namespace, under a subscription or at the tenant.
    Provider(Option<String>, String),
}

fn serve(
    world: &World,
    now_ms: u64,
    method: Method,
    url: &RequestUrl,
    read: Read,
) -> ArmResult<HttpResponse> {
    let version = match url.query_param("api-version") {
        Some(v) if !v.is_empty() => v,
        _ => return Err(ArmError::missing_api_version()),
    };
    let family = match read {
        Read::Subscriptions | Read::Subscription(..) | Read::Tenants => {
            "Microsoft.Resources/subscriptions"
        }
        _ => "Microsoft.Resources/providers",
    };
    if !api_versions::accepts(family, version) {
        return Err(ArmError::invalid_api_version(
            version,
            &api_versions::supported(family),
        ));
    }
    if method != Method::Get {
        return Err(ArmError::method_not_allowed(method.as_str(), family));
    }
    let body = match read {
        Read::Subscriptions => json!({"value": subscriptions(world, now_ms)
            .iter().map(|id| subscription(id)).collect::<Vec<_>>()}),
        Read::Subscription(id, lower) => {
            if !subscriptions(world, now_ms).contains(&lower) {
                return Err(ArmError::new(
                    404,
                    "SubscriptionNotFound",
                    format!("The subscription '{id}' could not be found."),
                ));
            }
            subscription(&id)
        }
        Read::Tenants => json!({"value": [{
            "id": format!("/tenants/{TENANT_ID}"),
            "tenantId": TENANT_ID,
            "tenantCategory": "Home",
            "country": "US",
            "countryCode": "US",
            "displayName": "amlab emulator",
            "domains": ["amlab.emulator"],
            "defaultDomain": "amlab.emulator",
            "tenantType": "AAD",
        }]}),
        Read::Providers(sub) => json!({"value": namespaces()
            .into_iter()
            .map(|ns| provider(sub.as_deref(), ns))
            .collect::<Vec<_>>()}),
        Read::Provider(sub, ns) => {
            let Some(ns) = types::known_namespace(&ns).or_else(|| {
                namespaces()
                    .into_iter()
                    .find(|n| n.eq_ignore_ascii_case(&ns))
            }) else {
                return Err(ArmError::new(
                    404,
                    "InvalidResourceNamespace",
                    format!("The resource namespace '{ns}' is invalid."),
                ));
            };
            provider(sub.as_deref(), ns)
        }
    };
    Ok(HttpResponse::new(200, Some(body))
        .with_header("Content-Type", "application/json; charset=utf-8"))
}

/// The emulator's subscription and every one resources live under (lowercase ids).
fn subscriptions(world: &World, now_ms: u64) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = world
        .resources
        .values()
        .filter(|r| r.exists_at(now_ms))
        .filter_map(|r| r.id.split('/').nth(2).map(str::to_ascii_lowercase))
        .collect();
    ids.insert(SUBSCRIPTION_ID.to_owned());
    ids
}

fn subscription(id: &str) -> Value {
    let name = if id.eq_ignore_ascii_case(SUBSCRIPTION_ID) {
        SUBSCRIPTION_NAME.to_owned()
    } else {
        format!("amlab emulator ({id})")
    };
    json!({
        "id": format!("/subscriptions/{id}"),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": id,
        "tenantId": TENANT_ID,
        "displayName": name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off"
        }
    })
}

/// The namespaces of every emulated type, `Microsoft.Resources` included.
fn namespaces() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for t in types::registry() {
        let ns = t.type_name().split('/').next().unwrap_or_default();
        if !out.contains(&ns) {
            out.push(ns);
        }
    }
    out
}

/// A provider document: its types with their api-versions (newest first) and locations.
fn provider(sub: Option<&str>, ns: &str) -> Value {
    let resource_types: Vec<Value> = types::registry()
        .iter()
        .map(|t| t.type_name())
        .filter(|t| t.split('/').next() == Some(ns))
        .map(|t| {
            let mut versions = api_versions::supported(t);
            versions.reverse();
            let mut entry = json!({
                "resourceType": t.split_once('/').map_or(t, |(_, r)| r),
                "locations": if t == route_rg() { Vec::new() } else { LOCATIONS.to_vec() },
                "apiVersions": versions,
                "capabilities": "None",
            });
            if let (Some(v), Some(o)) = (api_versions::newest_stable(t), entry.as_object_mut()) {
                o.insert("defaultApiVersion".into(), Value::String(v.to_owned()));
            }
            entry
        })
        .collect();
    let id = match sub {
        Some(s) => format!("/subscriptions/{s}/providers/{ns}"),
        None => format!("/providers/{ns}"),
    };
    let mut doc = json!({"id": id, "namespace": ns, "resourceTypes": resource_types});
    if let (Some(_), Some(o)) = (sub, doc.as_object_mut()) {
        o.insert("registrationState".into(), json!("Registered"));
        o.insert("registrationPolicy".into(), json!("RegistrationRequired"));
    }
    doc
}

fn route_rg() -> &'static str {
    super::route::RESOURCE_GROUP_TYPE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(world: &World, path: &str) -> (u16, Value) {
        let url = RequestUrl::parse(path);
        match answer(world, 0, Method::Get, &url) {
            Some(Ok(r)) => (r.status, r.body.unwrap_or_default()),
            Some(Err(e)) => (e.status, e.body()),
            None => panic!("{path} not answered here"),
        }
    }

    #[test]
    fn subscriptions_tenants_and_providers() {
        let w = World::default();
        let (status, body) = get(&w, "/subscriptions?api-version=2022-12-01");
        assert_eq!(status, 200);
        assert_eq!(body["value"][0]["subscriptionId"], SUBSCRIPTION_ID);
        assert_eq!(body["value"][0]["tenantId"], TENANT_ID);
        let (status, body) = get(&w, "/tenants?api-version=2022-12-01");
        assert_eq!(
            (status, body["value"][0]["tenantId"].as_str()),
            (200, Some(TENANT_ID))
        );
        let path = format!(
            "/subscriptions/{SUBSCRIPTION_ID}/providers/microsoft.machinelearningservices?api-version=2021-04-01"
        );
        let (status, body) = get(&w, &path);
        assert_eq!(status, 200);
        assert_eq!(body["namespace"], "Microsoft.MachineLearningServices");
        assert_eq!(body["registrationState"], "Registered");
        let ws = body["resourceTypes"]
            .as_array()
            .and_then(|a| a.iter().find(|t| t["resourceType"] == "workspaces"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(ws["apiVersions"][0], "2026-07-15-preview");
        assert_eq!(ws["defaultApiVersion"], "2026-07-01");
        let (status, body) = get(&w, "/providers/Microsoft.Nope?api-version=2021-04-01");
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("InvalidResourceNamespace"))
        );
        let (status, body) = get(&w, "/subscriptions/other?api-version=2022-12-01");
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("SubscriptionNotFound"))
        );
        let (status, body) = get(&w, "/subscriptions?api-version=2022-12-02");
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("InvalidApiVersionParameter"))
        );
    }
}
