//! A system registry as the SDK reads it (azure-ai-ml's `MLClient(registry_name=...)`):
//!
//! - discovery, `GET https://{region}.api.azureml.ms/registrymanagement/v1.0/registries/{name}/discovery`:
//!   the registry's subscription, resource group, regions and `primaryRegionResourceProviderUri`
//!   (`https://cert-{region}.experiments.azureml.net/`), where the SDK then sends every registry
//!   asset request under `mferp/managementfrontend`;
//! - that data plane (api-version `2021-10-01-dataplanepreview`): component containers and
//!   versions, read and listed (`$orderBy=createdtime desc`, `$top`: what `label="latest"`
//!   sends). Ids are `azureml://registries/...`, as the service answers.
//!
//! Learners may not write to a system registry: every other method answers 403
//! `AuthorizationFailed`, as Azure does for a registry one has no write role on.

use serde_json::{Value, json};

use super::{Catalog, Component, PRIMARY_REGION, SYSTEM_RESOURCE_GROUP, SYSTEM_SUBSCRIPTION};
use crate::arm::transport::HttpResponse;
use crate::emulator::url::RequestUrl;

/// The api-version of the registry data plane (what azure-ai-ml pins for it).
pub const API_VERSION: &str = "2021-10-01-dataplanepreview";

/// The path prefix of the registry data plane on the resource provider host.
pub const MFE_PREFIX: &str = "/mferp/managementfrontend";

/// The regions the system registries are replicated to.
const REGIONS: &[&str] = &[
    "eastus",
    "eastus2",
    "westus",
    "westus2",
    "westus3",
    "centralus",
    "northcentralus",
    "southcentralus",
    "westeurope",
    "northeurope",
    "uksouth",
    "francecentral",
    "swedencentral",
    "australiaeast",
    "japaneast",
    "southeastasia",
    "canadacentral",
    "centralindia",
];

/// When each version was created (this catalogue's dates), oldest first.
const CREATED: &[&str] = &[
    "2024-03-12T18:02:41.000000+00:00",
    "2024-06-18T17:45:09.000000+00:00",
    "2024-09-24T16:31:57.000000+00:00",
];

fn error(status: u16, code: &str, message: String) -> HttpResponse {
    HttpResponse::new(
        status,
        Some(json!({"error": {"code": code, "message": message}})),
    )
}

/// The discovery document of registry `name` (a GET of `.../registries/{name}/discovery`).
pub fn discovery(name: &str, tenant: &str) -> HttpResponse {
    let Some(catalog) = super::system(name) else {
        return error(
            404,
            "RegistryNotFound",
            format!(
                "Registry '{name}' was not found. The only registry whose data plane amlab emulates is the system registry 'azureml' (a registry of your own is emulated through ARM, management.azure.com, only)."
            ),
        );
    };
    let fqdns: serde_json::Map<String, Value> = REGIONS
        .iter()
        .map(|r| {
            let host = format!("{r}.api.azureml.ms");
            ((*r).to_owned(), json!({"api": host, "mlflow": host}))
        })
        .collect();
    HttpResponse::new(
        200,
        Some(json!({
            "registryName": catalog.registry,
            "tenantId": tenant,
            "primaryRegion": PRIMARY_REGION,
            "regions": REGIONS,
            "subscriptionId": SYSTEM_SUBSCRIPTION,
            "resourceGroup": SYSTEM_RESOURCE_GROUP,
            "workspaceName": null,
            "primaryRegionResourceProviderUri": format!("https://cert-{PRIMARY_REGION}.experiments.azureml.net/"),
            "registryFqdns": fqdns,
        })),
    )
}

/// What the registry data plane answers to `method` on `path` (after [`MFE_PREFIX`], with its
/// query), or `None` when the path is not a registry's.
pub fn answer(method: &str, path: &str) -> Option<HttpResponse> {
    let url = RequestUrl::parse(path);
    let parts: Vec<&str> = url.segments.iter().map(String::as_str).collect();
    let [s, sub, g, rg, p, ns, r, registry, rest @ ..] = parts.as_slice() else {
        return None;
    };
    let shape = s.eq_ignore_ascii_case("subscriptions")
        && g.eq_ignore_ascii_case("resourceGroups")
        && p.eq_ignore_ascii_case("providers")
        && ns.eq_ignore_ascii_case("Microsoft.MachineLearningServices")
        && r.eq_ignore_ascii_case("registries");
    if !shape {
        return None;
    }
    if url.query_param("api-version") != Some(API_VERSION) {
        return Some(error(
            400,
            "InvalidApiVersionParameter",
            format!(
                "The registry data plane answers api-version '{API_VERSION}'; the request gave {:?}.",
                url.query_param("api-version").unwrap_or_default()
            ),
        ));
    }
    let found = super::system(registry).filter(|_| {
        sub.eq_ignore_ascii_case(SYSTEM_SUBSCRIPTION)
            && rg.eq_ignore_ascii_case(SYSTEM_RESOURCE_GROUP)
    });
    let Some(catalog) = found else {
        return Some(error(
            404,
            "ResourceNotFound",
            format!(
                "The registry '{registry}' was not found in resource group '{rg}' of subscription '{sub}'. Read the registry's subscription and resource group from its discovery document."
            ),
        ));
    };
    if !method.eq_ignore_ascii_case("GET") {
        return Some(read_only(method, &url.path, catalog));
    }
    Some(read(catalog, rest, &url))
}

fn read_only(method: &str, path: &str, catalog: &Catalog) -> HttpResponse {
    let action = if method.eq_ignore_ascii_case("DELETE") {
        "delete"
    } else {
        "write"
    };
    error(
        403,
        "AuthorizationFailed",
        format!(
            "The client does not have authorization to perform action 'Microsoft.MachineLearningServices/registries/assets/{action}' over scope '{path}' or the scope is invalid. '{}' is a system registry that Microsoft publishes: its assets can be read and used, not changed. Create your own assets in your workspace.",
            catalog.registry
        ),
    )
}

fn read(catalog: &Catalog, rest: &[&str], url: &RequestUrl) -> HttpResponse {
    let kind = rest.first().copied().unwrap_or_default();
    if !kind.eq_ignore_ascii_case("components") {
        return error(
            404,
            "NotFound",
            format!(
                "amlab's catalogue of the registry '{}' holds components (the Responsible AI components), not '{kind}'.",
                catalog.registry
            ),
        );
    }
    match &rest[1..] {
        [] => list(
            catalog
                .components
                .iter()
                .map(|c| container(catalog, c))
                .collect(),
        ),
        [name, tail @ ..] => match catalog.component(name) {
            None => not_found(catalog, name, None),
            Some(c) => component_answer(catalog, c, tail, url),
        },
    }
}

fn component_answer(
    catalog: &Catalog,
    c: &Component,
    tail: &[&str],
    url: &RequestUrl,
) -> HttpResponse {
    match tail {
        [] => HttpResponse::new(200, Some(container(catalog, c))),
        [v] if v.eq_ignore_ascii_case("versions") => versions(catalog, c, url),
        [v, version] if v.eq_ignore_ascii_case("versions") => {
            match catalog.versions.iter().position(|x| x == version) {
                Some(i) => HttpResponse::new(200, Some(version_body(catalog, c, i))),
                None => not_found(catalog, c.name(), Some(version)),
            }
        }
        _ => error(
            404,
            "NotFound",
            format!("No such path under component '{}'.", c.name()),
        ),
    }
}

fn not_found(catalog: &Catalog, name: &str, version: Option<&str>) -> HttpResponse {
    let what = version.map_or_else(
        || format!("Component '{name}'"),
        |v| format!("Version '{v}' of component '{name}'"),
    );
    error(
        404,
        "UserError",
        format!("{what} was not found in registry '{}'.", catalog.registry),
    )
}

/// The versions of `c`, newest first unless `$orderBy=createdtime asc`, at most `$top`.
fn versions(catalog: &Catalog, c: &Component, url: &RequestUrl) -> HttpResponse {
    let mut order: Vec<usize> = (0..catalog.versions.len()).rev().collect();
    if url
        .query_param("$orderBy")
        .is_some_and(|o| o.to_ascii_lowercase().ends_with(" asc"))
    {
        order.reverse();
    }
    let top = url
        .query_param("$top")
        .and_then(|t| t.parse().ok())
        .unwrap_or(usize::MAX);
    list(
        order
            .into_iter()
            .take(top)
            .map(|i| version_body(catalog, c, i))
            .collect(),
    )
}

fn list(value: Vec<Value>) -> HttpResponse {
    HttpResponse::new(200, Some(json!({"value": value, "nextLink": null})))
}

fn system_data(created: &str) -> Value {
    json!({
        "createdAt": created, "createdBy": "azureml", "createdByType": "User",
        "lastModifiedAt": created, "lastModifiedBy": "azureml", "lastModifiedByType": "User"
    })
}

fn container(catalog: &Catalog, c: &Component) -> Value {
    let created = CREATED.first().copied().unwrap_or_default();
    json!({
        "id": format!("azureml://registries/{}/components/{}", catalog.registry, c.name()),
        "name": c.name(),
        "type": "components",
        "systemData": system_data(created),
        "properties": {
            "description": c.spec["description"],
            "tags": {}, "properties": {}, "isArchived": false,
            "latestVersion": catalog.latest(), "nextVersion": null,
            "provisioningState": "Succeeded"
        }
    })
}

fn version_body(catalog: &Catalog, c: &Component, i: usize) -> Value {
    let version = catalog.versions.get(i).map_or("", String::as_str);
    let created = CREATED.get(i).copied().unwrap_or_default();
    let mut spec = c.spec.clone();
    if let Some(m) = spec.as_object_mut() {
        m.insert("version".into(), json!(version));
    }
    json!({
        "id": format!("azureml://registries/{}/components/{}/versions/{version}", catalog.registry, c.name()),
        "name": version,
        "type": "components",
        "systemData": system_data(created),
        "properties": {
            "description": c.spec["description"],
            "tags": {}, "properties": {}, "isArchived": false, "isAnonymous": false,
            "componentSpec": spec,
            "provisioningState": "Succeeded"
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> String {
        format!(
            "/subscriptions/{SYSTEM_SUBSCRIPTION}/resourceGroups/{SYSTEM_RESOURCE_GROUP}/providers/Microsoft.MachineLearningServices/registries/azureml"
        )
    }

    fn get(path: &str) -> HttpResponse {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = format!("{path}{sep}api-version={API_VERSION}");
        answer("GET", &url).unwrap_or_else(|| panic!("not a registry path: {path}"))
    }

    #[test]
    fn discovery_names_the_registry_and_its_data_plane() {
        let d = discovery("azureml", "t1");
        let b = d.body.unwrap_or_default();
        assert_eq!(d.status, 200);
        assert_eq!(b["subscriptionId"], SYSTEM_SUBSCRIPTION);
        assert_eq!(
            b["primaryRegionResourceProviderUri"],
            "https://cert-eastus.experiments.azureml.net/"
        );
        assert_eq!(discovery("mine", "t1").status, 404);
    }

    #[test]
    fn latest_is_the_newest_version_and_versions_read() {
        let c = "components/rai_tabular_insight_constructor";
        let l = get(&format!(
            "{}/{c}/versions?$orderBy=createdtime%20desc&$top=1",
            base()
        ));
        let b = l.body.unwrap_or_default();
        assert_eq!(b["value"].as_array().map(Vec::len), Some(1));
        assert_eq!(b["value"][0]["name"], "0.22.0");
        let v = get(&format!("{}/{c}/versions/0.21.0", base()));
        let spec = &v.body.unwrap_or_default()["properties"]["componentSpec"];
        assert_eq!(spec["version"], "0.21.0");
        assert_eq!(spec["inputs"]["task_type"]["enum"][0], "classification");
        assert_eq!(get(&format!("{}/{c}/versions/1", base())).status, 404);
        let all = get(&format!("{}/components", base()))
            .body
            .unwrap_or_default();
        assert_eq!(all["value"].as_array().map(Vec::len), Some(6));
    }

    #[test]
    fn writes_are_refused_and_other_scopes_are_not_found() {
        let put = answer(
            "PUT",
            &format!(
                "{}/components/x/versions/1?api-version={API_VERSION}",
                base()
            ),
        );
        assert_eq!(put.map(|r| r.status), Some(403));
        let other = "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/registries/azureml/components";
        assert_eq!(get(other).status, 404);
        assert!(answer("GET", "/subscriptions/s").is_none());
        let unversioned = answer("GET", &format!("{}/components", base()));
        assert_eq!(unversioned.map(|r| r.status), Some(400));
    }
}
