//! Every published api-version of each emulated resource type, in one place.
//!
//! Real clients send the api-versions they were generated for: azure-ai-ml 1.35.2 alone sends
//! eleven different ones for `Microsoft.MachineLearningServices` (2022-02-01-preview ...
//! 2025-01-01-preview), az and the portal others. ARM accepts every version the resource
//! provider registered for a type, so the emulator does too, and answers every one in the shape
//! of the newest stable version (the shape the SDKs read fine). A version the type never had is
//! refused as ARM does (see [`super::engine`]).
//!
//! Source of the lists: the api-version folders of each provider in Azure/azure-rest-api-specs
//! (`specification/<rp>/resource-manager/<Namespace>/{stable,preview}/<version>/`), as listed by
//! the generated type index of Azure/bicep-types-az (`generated/<rp>/<namespace>/<version>/`,
//! read 2026-12-03), plus the versions newer than that index named in
//! `../shared/research/azure-ml-rest.md` §1 (ML 2026-05-15-preview, 2026-07-01,
//! 2026-07-15-preview; container registry 2025-11-01). A namespace's folder lists every version
//! of the namespace; a type accepts those from the version that introduced it (`since`, the
//! first folder whose types include it) on. Versions of a namespace that only carry other types
//! (for `Microsoft.Insights`, `Microsoft.Resources`, `Microsoft.Authorization`) are left out.

/// `Microsoft.MachineLearningServices`: every stable and preview version.
const ML: &[&str] = &[
    "2018-03-01-preview",
    "2018-11-19",
    "2019-05-01",
    "2019-06-01",
    "2019-11-01",
    "2020-01-01",
    "2020-02-18-preview",
    "2020-03-01",
    "2020-04-01",
    "2020-04-01-preview",
    "2020-05-01-preview",
    "2020-05-15-preview",
    "2020-06-01",
    "2020-08-01",
    "2020-09-01-preview",
    "2021-01-01",
    "2021-03-01-preview",
    "2021-04-01",
    "2021-07-01",
    "2022-01-01-preview",
    "2022-02-01-preview",
    "2022-05-01",
    "2022-06-01-preview",
    "2022-10-01",
    "2022-10-01-preview",
    "2022-12-01-preview",
    "2023-02-01-preview",
    "2023-04-01",
    "2023-04-01-preview",
    "2023-06-01-preview",
    "2023-08-01-preview",
    "2023-10-01",
    "2024-01-01-preview",
    "2024-04-01",
    "2024-04-01-preview",
    "2024-07-01-preview",
    "2024-10-01",
    "2024-10-01-preview",
    "2025-01-01-preview",
    "2025-04-01",
    "2025-04-01-preview",
    "2025-06-01",
    "2025-07-01-preview",
    "2025-09-01",
    "2025-10-01-preview",
    "2025-12-01",
    "2026-01-15-preview",
    "2026-03-01",
    "2026-03-15-preview",
    "2026-05-01",
    "2026-05-15-preview",
    "2026-07-01",
    "2026-07-15-preview",
];

/// `Microsoft.Storage`.
const STORAGE: &[&str] = &[
    "2015-05-01-preview",
    "2015-06-15",
    "2016-01-01",
    "2016-05-01",
    "2016-12-01",
    "2017-06-01",
    "2017-10-01",
    "2018-02-01",
    "2018-03-01-preview",
    "2018-07-01",
    "2018-11-01",
    "2019-04-01",
    "2019-06-01",
    "2020-08-01-preview",
    "2021-01-01",
    "2021-02-01",
    "2021-04-01",
    "2021-06-01",
    "2021-08-01",
    "2021-09-01",
    "2022-05-01",
    "2022-09-01",
    "2023-01-01",
    "2023-04-01",
    "2023-05-01",
    "2024-01-01",
    "2025-01-01",
    "2025-06-01",
    "2025-08-01",
    "2026-04-01",
    "2026-06-01",
    "2026-09-01",
];

/// `Microsoft.KeyVault`.
const KEY_VAULT: &[&str] = &[
    "2015-06-01",
    "2016-10-01",
    "2018-02-14",
    "2018-02-14-preview",
    "2019-09-01",
    "2020-04-01-preview",
    "2021-04-01-preview",
    "2021-06-01-preview",
    "2021-10-01",
    "2021-11-01-preview",
    "2022-02-01-preview",
    "2022-07-01",
    "2022-11-01",
    "2023-02-01",
    "2023-07-01",
    "2024-04-01-preview",
    "2024-11-01",
    "2024-12-01-preview",
    "2025-05-01",
    "2026-02-01",
    "2026-03-01-preview",
    "2026-05-15",
    "2026-06-01-preview",
];

/// `Microsoft.ContainerRegistry`.
const CONTAINER_REGISTRY: &[&str] = &[
    "2016-06-27-preview",
    "2017-03-01",
    "2017-06-01-preview",
    "2017-10-01",
    "2018-02-01-preview",
    "2018-09-01",
    "2019-04-01",
    "2019-05-01",
    "2019-05-01-preview",
    "2019-06-01-preview",
    "2019-12-01-preview",
    "2020-11-01-preview",
    "2021-06-01-preview",
    "2021-08-01-preview",
    "2021-09-01",
    "2021-12-01-preview",
    "2022-02-01-preview",
    "2022-12-01",
    "2023-01-01-preview",
    "2023-06-01-preview",
    "2023-07-01",
    "2023-08-01-preview",
    "2023-11-01-preview",
    "2024-11-01-preview",
    "2025-03-01-preview",
    "2025-04-01",
    "2025-05-01-preview",
    "2025-11-01",
];

/// `Microsoft.Insights/components` (Application Insights): the folders holding `components`
/// (the other Insights folders hold workbooks, web tests, live tokens).
const INSIGHTS_COMPONENTS: &[&str] = &[
    "2015-05-01",
    "2018-05-01-preview",
    "2020-02-02",
    "2020-02-02-preview",
];

/// `Microsoft.OperationalInsights/workspaces` (Log Analytics): the folders of
/// `specification/operationalinsights/resource-manager/Microsoft.OperationalInsights/LogAnalyticsRP`
/// holding `Workspaces.json`.
const LOG_ANALYTICS: &[&str] = &[
    "2015-11-01-preview",
    "2020-03-01-preview",
    "2020-08-01",
    "2020-10-01",
    "2021-06-01",
    "2021-12-01-preview",
    "2022-10-01",
    "2023-09-01",
    "2025-02-01",
];

/// `Microsoft.Resources/resourceGroups`: the folders holding `resources.json` (the others hold
/// template specs, deployment scripts, deployment stacks).
const RESOURCE_GROUPS: &[&str] = &[
    "2015-11-01",
    "2016-02-01",
    "2016-07-01",
    "2016-09-01",
    "2017-05-10",
    "2018-02-01",
    "2018-05-01",
    "2019-03-01",
    "2019-05-01",
    "2019-05-10",
    "2019-07-01",
    "2019-08-01",
    "2019-10-01",
    "2020-06-01",
    "2020-08-01",
    "2020-10-01",
    "2021-01-01",
    "2021-04-01",
    "2022-09-01",
    "2023-07-01",
    "2024-03-01",
    "2024-07-01",
    "2024-11-01",
    "2025-03-01",
    "2025-04-01",
];

/// `Microsoft.Authorization/roleAssignments`: the folders holding role assignments.
const ROLE_ASSIGNMENTS: &[&str] = &[
    "2015-07-01",
    "2017-10-01-preview",
    "2018-01-01-preview",
    "2018-09-01-preview",
    "2020-03-01-preview",
    "2020-04-01-preview",
    "2020-08-01-preview",
    "2020-10-01-preview",
    "2022-04-01",
];

/// `Microsoft.Authorization/roleDefinitions` (the Authorization spec's folders holding them).
const ROLE_DEFINITIONS: &[&str] = &[
    "2015-07-01",
    "2018-01-01-preview",
    "2022-04-01",
    "2022-05-01-preview",
];

/// `Microsoft.Resources` subscriptions and tenants (`subscriptions.json`).
const SUBSCRIPTIONS: &[&str] = &[
    "2015-11-01",
    "2016-06-01",
    "2018-06-01",
    "2019-06-01",
    "2019-11-01",
    "2020-01-01",
    "2021-01-01",
    "2022-12-01",
];

/// `Microsoft.Search`: the folders of `specification/search/resource-manager/readme.md`
/// (stable 2015-02-28 ... 2025-05-01, previews to 2025-10-01-preview), and the newer previews
/// `Azure/bicep-types-az` lists (`generated/search/microsoft.search/`).
const SEARCH: &[&str] = &[
    "2015-02-28",
    "2015-08-19",
    "2019-10-01-preview",
    "2020-03-13",
    "2020-08-01",
    "2020-08-01-preview",
    "2021-04-01-preview",
    "2022-09-01",
    "2023-11-01",
    "2024-03-01-preview",
    "2024-06-01-preview",
    "2025-02-01-preview",
    "2025-05-01",
    "2025-10-01-preview",
    "2026-03-01-preview",
    "2026-09-01-preview",
];

/// `Microsoft.Insights/activityLogAlerts`: the monitor folders holding activity log alerts.
const ACTIVITY_LOG_ALERTS: &[&str] = &[
    "2017-03-01-preview",
    "2017-04-01",
    "2020-10-01",
    "2023-01-01-preview",
];

/// `Microsoft.Insights/diagnosticSettings` (the api-version change log of
/// learn.microsoft.com/azure/templates/microsoft.insights/change-log/diagnosticsettings).
const DIAGNOSTIC_SETTINGS: &[&str] = &[
    "2015-07-01",
    "2016-09-01",
    "2017-05-01-preview",
    "2020-01-01-preview",
    "2021-05-01-preview",
];

/// `Microsoft.CognitiveServices`: the folders of `specification/cognitiveservices` (stable
/// and preview), as listed by Azure/bicep-types-az `generated/cognitiveservices/` (read
/// 2026-12-03). Clients send 2017-04-18 (lab templates), 2023-05-01 and 2024-10-01 (az,
/// Terraform), 2025-04-01-preview and 2025-06-01 (Foundry portal, bicep), 2026-03-01.
const COGNITIVE: &[&str] = &[
    "2016-02-01-preview",
    "2017-04-18",
    "2021-04-30",
    "2021-10-01",
    "2022-03-01",
    "2022-10-01",
    "2022-12-01",
    "2023-05-01",
    "2023-10-01-preview",
    "2024-04-01-preview",
    "2024-06-01-preview",
    "2024-10-01",
    "2025-04-01-preview",
    "2025-06-01",
    "2025-07-01-preview",
    "2025-09-01",
    "2025-10-01-preview",
    "2025-12-01",
    "2026-01-15-preview",
    "2026-03-01",
    "2026-03-15-preview",
    "2026-05-01",
    "2026-05-15-preview",
    "2026-07-01",
    "2026-07-15-preview",
    "2026-09-01",
];

/// `Microsoft.Network`: the stable folders of `specification/network` (Azure/bicep-types-az
/// `generated/network/microsoft.network/`, read 2026-12-03, up to 2023-02-01; the later ones
/// from the spec repository's `stable/` folders: az sends 2024-05-01 and 2024-07-01).
/// Private endpoints arrived with 2019-04-01.
const NETWORK: &[&str] = &[
    "2015-06-15",
    "2016-03-30",
    "2016-06-01",
    "2016-09-01",
    "2016-12-01",
    "2017-03-01",
    "2017-06-01",
    "2017-08-01",
    "2017-09-01",
    "2017-10-01",
    "2017-11-01",
    "2018-01-01",
    "2018-02-01",
    "2018-04-01",
    "2018-06-01",
    "2018-07-01",
    "2018-08-01",
    "2018-10-01",
    "2018-11-01",
    "2018-12-01",
    "2019-02-01",
    "2019-04-01",
    "2019-06-01",
    "2019-07-01",
    "2019-08-01",
    "2019-09-01",
    "2019-11-01",
    "2019-12-01",
    "2020-03-01",
    "2020-04-01",
    "2020-05-01",
    "2020-06-01",
    "2020-07-01",
    "2020-08-01",
    "2020-11-01",
    "2021-02-01",
    "2021-03-01",
    "2021-05-01",
    "2021-08-01",
    "2022-01-01",
    "2022-05-01",
    "2022-07-01",
    "2022-09-01",
    "2022-11-01",
    "2023-02-01",
    "2023-04-01",
    "2023-05-01",
    "2023-06-01",
    "2023-09-01",
    "2023-11-01",
    "2024-01-01",
    "2024-03-01",
    "2024-05-01",
    "2024-07-01",
    "2024-10-01",
];

/// `Microsoft.ContainerInstance`: the folders of `specification/containerinstance` (Azure/
/// bicep-types-az `generated/containerinstance/microsoft.containerinstance/`, read 2026-12-03).
const CONTAINER_INSTANCE: &[&str] = &[
    "2017-08-01-preview",
    "2017-10-01-preview",
    "2017-12-01-preview",
    "2018-02-01-preview",
    "2018-04-01",
    "2018-06-01",
    "2018-09-01",
    "2018-10-01",
    "2019-12-01",
    "2020-11-01",
    "2021-03-01",
    "2021-07-01",
    "2021-09-01",
    "2021-10-01",
    "2022-09-01",
    "2022-10-01-preview",
    "2023-02-01-preview",
    "2023-05-01",
    "2024-05-01-preview",
    "2024-09-01-preview",
    "2024-10-01-preview",
    "2024-11-01-preview",
    "2025-09-01",
    "2026-06-01-preview",
    "2026-07-01",
    "2026-08-01-preview",
    "2026-09-01-preview",
];

/// One emulated type: its namespace's versions, the first version that has it, and the later
/// versions that do not.
struct Entry {
    type_name: &'static str,
    versions: &'static [&'static str],
    since: &'static str,
    without: &'static [&'static str],
}

const fn entry(
    type_name: &'static str,
    versions: &'static [&'static str],
    since: &'static str,
) -> Entry {
    entry_without(type_name, versions, since, &[])
}

/// An entry whose type is missing from some versions after `since` (`without`).
const fn entry_without(
    type_name: &'static str,
    versions: &'static [&'static str],
    since: &'static str,
    without: &'static [&'static str],
) -> Entry {
    Entry {
        type_name,
        versions,
        since,
        without,
    }
}

/// The v2 ("MFE") asset, job and endpoint types arrived with 2021-03-01-preview.
const ML_V2: &str = "2021-03-01-preview";

/// ML registries (`registries.json`) and their assets (`registries/{r}/...` in `mfe.json`)
/// arrived with 2022-10-01-preview; the stable 2022-10-01 folder has neither (the first stable
/// version with them is 2023-04-01); every version since has both.
const ML_REGISTRIES: &str = "2022-10-01-preview";
/// The versions after [`ML_REGISTRIES`] without registries.
const ML_WITHOUT_REGISTRIES: &[&str] = &["2022-10-01"];

static TABLE: &[Entry] = &[
    entry(
        "Microsoft.Insights/diagnosticSettings",
        DIAGNOSTIC_SETTINGS,
        "",
    ),
    entry(
        "Microsoft.Insights/activityLogAlerts",
        ACTIVITY_LOG_ALERTS,
        "",
    ),
    entry("Microsoft.CognitiveServices/accounts", COGNITIVE, ""),
    entry(
        "Microsoft.CognitiveServices/accounts/deployments",
        COGNITIVE,
        "2021-10-01",
    ),
    entry(
        "Microsoft.CognitiveServices/accounts/raiPolicies",
        COGNITIVE,
        "2023-10-01-preview",
    ),
    entry(
        "Microsoft.CognitiveServices/accounts/projects",
        COGNITIVE,
        "2025-04-01-preview",
    ),
    entry(
        "Microsoft.CognitiveServices/accounts/connections",
        COGNITIVE,
        "2025-04-01-preview",
    ),
    entry(
        "Microsoft.CognitiveServices/accounts/projects/connections",
        COGNITIVE,
        "2025-04-01-preview",
    ),
    entry("Microsoft.Network/virtualNetworks", NETWORK, ""),
    entry("Microsoft.Network/privateEndpoints", NETWORK, "2019-04-01"),
    entry(
        "Microsoft.CognitiveServices/accounts/privateEndpointConnections",
        COGNITIVE,
        "2017-04-18",
    ),
    entry(
        "Microsoft.Search/searchServices/privateEndpointConnections",
        SEARCH,
        "2019-10-01-preview",
    ),
    entry(
        "Microsoft.ContainerInstance/containerGroups",
        CONTAINER_INSTANCE,
        "",
    ),
    entry("Microsoft.Resources/resourceGroups", RESOURCE_GROUPS, ""),
    entry("Microsoft.Resources/deployments", RESOURCE_GROUPS, ""),
    entry("Microsoft.Resources/subscriptions", SUBSCRIPTIONS, ""),
    entry("Microsoft.Resources/providers", RESOURCE_GROUPS, ""),
    entry("Microsoft.Storage/storageAccounts", STORAGE, ""),
    entry("Microsoft.Search/searchServices", SEARCH, ""),
    entry(
        "Microsoft.Storage/storageAccounts/blobServices/containers",
        STORAGE,
        "2018-02-01",
    ),
    entry(
        "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies",
        STORAGE,
        "2018-02-01",
    ),
    entry("Microsoft.KeyVault/vaults", KEY_VAULT, ""),
    entry("Microsoft.Insights/components", INSIGHTS_COMPONENTS, ""),
    entry(
        "Microsoft.OperationalInsights/workspaces",
        LOG_ANALYTICS,
        "",
    ),
    entry(
        "Microsoft.ContainerRegistry/registries",
        CONTAINER_REGISTRY,
        "",
    ),
    entry(
        "Microsoft.Authorization/roleAssignments",
        ROLE_ASSIGNMENTS,
        "",
    ),
    entry(
        "Microsoft.Authorization/roleDefinitions",
        ROLE_DEFINITIONS,
        "",
    ),
    entry("Microsoft.MachineLearningServices/workspaces", ML, ""),
    entry(
        "Microsoft.MachineLearningServices/workspaces/computes",
        ML,
        "",
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/connections",
        ML,
        "2020-06-01",
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/datastores",
        ML,
        "2020-05-01-preview",
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/data",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/data/versions",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/environments",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/environments/versions",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/components",
        ML,
        "2022-02-01-preview",
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/components/versions",
        ML,
        "2022-02-01-preview",
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/models",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/models/versions",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/codes",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/codes/versions",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/jobs",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/batchEndpoints",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments",
        ML,
        ML_V2,
    ),
    entry(
        "Microsoft.MachineLearningServices/workspaces/schedules",
        ML,
        "2022-06-01-preview",
    ),
    entry_without(
        "Microsoft.MachineLearningServices/registries",
        ML,
        ML_REGISTRIES,
        ML_WITHOUT_REGISTRIES,
    ),
    entry_without(
        "Microsoft.MachineLearningServices/registries/models",
        ML,
        ML_REGISTRIES,
        ML_WITHOUT_REGISTRIES,
    ),
    entry_without(
        "Microsoft.MachineLearningServices/registries/models/versions",
        ML,
        ML_REGISTRIES,
        ML_WITHOUT_REGISTRIES,
    ),
    entry_without(
        "Microsoft.MachineLearningServices/registries/environments",
        ML,
        ML_REGISTRIES,
        ML_WITHOUT_REGISTRIES,
    ),
    entry_without(
        "Microsoft.MachineLearningServices/registries/environments/versions",
        ML,
        ML_REGISTRIES,
        ML_WITHOUT_REGISTRIES,
    ),
    entry_without(
        "Microsoft.MachineLearningServices/registries/components",
        ML,
        ML_REGISTRIES,
        ML_WITHOUT_REGISTRIES,
    ),
    entry_without(
        "Microsoft.MachineLearningServices/registries/components/versions",
        ML,
        ML_REGISTRIES,
        ML_WITHOUT_REGISTRIES,
    ),
    entry_without(
        "Microsoft.MachineLearningServices/registries/codes",
        ML,
        ML_REGISTRIES,
        ML_WITHOUT_REGISTRIES,
    ),
    entry_without(
        "Microsoft.MachineLearningServices/registries/codes/versions",
        ML,
        ML_REGISTRIES,
        ML_WITHOUT_REGISTRIES,
    ),
];

/// Whether `version` is at or after `since` (api-versions are dates, `YYYY-MM-DD[-preview]`).
fn at_or_after(version: &str, since: &str) -> bool {
    version.get(..10).unwrap_or(version) >= since.get(..10).unwrap_or(since)
}

/// Every api-version of `type_name` (case-insensitive), oldest first; empty for a type the
/// table does not know.
pub(crate) fn supported(type_name: &str) -> Vec<&'static str> {
    TABLE
        .iter()
        .find(|e| e.type_name.eq_ignore_ascii_case(type_name))
        .map(|e| {
            e.versions
                .iter()
                .copied()
                .filter(|v| at_or_after(v, e.since) && !e.without.contains(v))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `type_name` accepts `version` (case-insensitive, as ARM compares them).
pub(crate) fn accepts(type_name: &str, version: &str) -> bool {
    supported(type_name)
        .iter()
        .any(|v| v.eq_ignore_ascii_case(version))
}

/// The newest stable version of `type_name`: the shape every answer takes.
pub(crate) fn newest_stable(type_name: &str) -> Option<&'static str> {
    supported(type_name)
        .into_iter()
        .filter(|v| !v.ends_with("-preview"))
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The api-versions azure-ai-ml 1.35.2 sends, per type: the service clients `_ml_client.py`
    /// hands each operations class (`ServiceClient042023Preview` ...), and the versions some
    /// operations pin themselves (compute `enableSso`: 2024-04-01-preview).
    const SDK_ML: &[(&str, &[&str])] = &[
        ("workspaces", &["2024-10-01-preview", "2023-08-01-preview"]),
        (
            "workspaces/computes",
            &["2023-08-01-preview", "2024-04-01-preview"],
        ),
        ("workspaces/datastores", &["2024-10-01-preview"]),
        ("workspaces/models", &["2023-08-01-preview"]),
        ("workspaces/models/versions", &["2023-08-01-preview"]),
        ("workspaces/codes", &["2023-04-01"]),
        ("workspaces/codes/versions", &["2023-04-01"]),
        ("workspaces/environments", &["2023-04-01-preview"]),
        ("workspaces/environments/versions", &["2023-04-01-preview"]),
        ("workspaces/data", &["2023-04-01-preview"]),
        ("workspaces/data/versions", &["2023-04-01-preview"]),
        ("workspaces/components", &["2024-01-01-preview"]),
        ("workspaces/components/versions", &["2024-01-01-preview"]),
        ("workspaces/onlineEndpoints", &["2022-02-01-preview"]),
        (
            "workspaces/onlineEndpoints/deployments",
            &["2023-04-01-preview"],
        ),
        ("workspaces/batchEndpoints", &["2023-10-01"]),
        (
            "workspaces/batchEndpoints/deployments",
            &["2024-01-01-preview", "2023-02-01-preview"],
        ),
        (
            "workspaces/jobs",
            &[
                "2023-04-01-preview",
                "2024-01-01-preview",
                "2024-10-01-preview",
                "2025-01-01-preview",
            ],
        ),
        ("workspaces/schedules", &["2023-06-01-preview"]),
    ];

    #[test]
    fn every_version_the_sdk_sends_is_accepted_on_its_type() {
        for (t, versions) in SDK_ML {
            let t = format!("Microsoft.MachineLearningServices/{t}");
            for v in *versions {
                assert!(accepts(&t, v), "{t} {v}");
            }
            // amlab's own client pins 2025-12-01.
            assert!(accepts(&t, "2025-12-01"), "{t}");
        }
        // The SDK's own dependency clients (storage, key vault, App Insights, ACR, resources).
        for (t, v) in [
            ("Microsoft.Storage/storageAccounts", "2019-06-01"),
            ("Microsoft.KeyVault/vaults", "2019-09-01"),
            ("Microsoft.Insights/components", "2015-05-01"),
            ("Microsoft.ContainerRegistry/registries", "2019-05-01"),
            ("Microsoft.Resources/resourceGroups", "2020-06-01"),
        ] {
            assert!(accepts(t, v), "{t} {v}");
        }
    }

    #[test]
    fn made_up_and_too_old_versions_are_refused() {
        assert!(!accepts(
            "Microsoft.MachineLearningServices/workspaces",
            "2023-04-02"
        ));
        assert!(!accepts(
            "Microsoft.MachineLearningServices/workspaces",
            "2023-04-01-beta"
        ));
        // Jobs did not exist before the v2 API.
        assert!(!accepts(
            "Microsoft.MachineLearningServices/workspaces/jobs",
            "2020-06-01"
        ));
        assert!(accepts(
            "microsoft.machinelearningservices/WORKSPACES",
            "2020-06-01"
        ));
        assert!(supported("Microsoft.Nope/things").is_empty());
    }

    #[test]
    fn registries_are_accepted_from_their_first_preview_but_not_in_2022_10_01() {
        let reg = "Microsoft.MachineLearningServices/registries";
        let versions = "Microsoft.MachineLearningServices/registries/models/versions";
        for v in [
            "2022-10-01-preview",
            "2023-04-01",
            "2025-12-01",
            "2026-07-15-preview",
        ] {
            assert!(accepts(reg, v), "{v}");
            assert!(accepts(versions, v), "{v}");
        }
        for v in ["2022-06-01-preview", "2022-10-01", "2022-05-01"] {
            assert!(!accepts(reg, v), "{v}");
            assert!(!accepts(versions, v), "{v}");
        }
        // Workspaces are unaffected by the registries' gap.
        assert!(accepts(
            "Microsoft.MachineLearningServices/workspaces",
            "2022-10-01"
        ));
    }

    #[test]
    fn every_registered_type_has_versions_and_a_stable_one() {
        for ty in super::super::types::registry() {
            assert!(
                newest_stable(ty.type_name()).is_some(),
                "{} has no stable api-version",
                ty.type_name()
            );
        }
        assert_eq!(
            newest_stable("Microsoft.MachineLearningServices/workspaces"),
            Some("2026-07-01")
        );
    }

    #[test]
    fn lists_are_sorted_and_unique() {
        for list in [
            ML,
            STORAGE,
            KEY_VAULT,
            CONTAINER_REGISTRY,
            INSIGHTS_COMPONENTS,
            RESOURCE_GROUPS,
            ROLE_ASSIGNMENTS,
            ROLE_DEFINITIONS,
            SUBSCRIPTIONS,
        ] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }
}
