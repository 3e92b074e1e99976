//! The Azure public-cloud hosts `amlab serve --tls` answers for as an HTTPS proxy, in one place.
//! A `CONNECT` to any other host is refused (403) and logged; nothing is forwarded anywhere.
//!
//! The list is what azure-ai-ml, azure-identity/MSAL, azure-storage-blob and the Azure CLI call
//! for a DP-100 exercise: ARM, Entra ID, the storage data plane, the workspace's own hosts
//! (discovery, run history, assets: `{region}.api.azureml.ms`,
//! `{workspace}.workspace.{region}.api.azureml.ms`), the data plane of Azure ML registries
//! (`cert-{region}.experiments.azureml.net`), online endpoints' scoring URIs, Key Vault and
//! container registries; and the Azure AI Search data plane (`{service}.search.windows.net`),
//! which the emulator serves ([`is_search`]).

/// Exact host names.
const EXACT: &[&str] = &[
    "management.azure.com",
    "management.core.windows.net",
    "login.microsoftonline.com",
    "login.windows.net",
    "login.microsoft.com",
    "sts.windows.net",
    "ml.azure.com",
];

/// Domains whose every subdomain is served (`*.blob.core.windows.net`).
const DOMAINS: &[&str] = &[
    "blob.core.windows.net",
    "dfs.core.windows.net",
    "file.core.windows.net",
    "queue.core.windows.net",
    "table.core.windows.net",
    "vault.azure.net",
    "azurecr.io",
    "api.azureml.ms",
    "experiments.azureml.net",
    "inference.ml.azure.com",
    "search.windows.net",
];

/// The audiences of an Entra token for the Search data plane.
pub const SEARCH_AUDIENCES: &[&str] = &["https://search.azure.com", "https://search.azure.com/"];
/// The audiences the workspace's own hosts accept (run history, batch endpoint jobs): Azure
/// Machine Learning's (what the SDK asks for, from the cloud metadata's default) and ARM's.
pub const ML_AUDIENCES: &[&str] = &[
    "https://ml.azure.com",
    "https://ml.azure.com/",
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
];

/// Whether `host` (without port) is a search service's data plane, which the emulator serves.
pub fn is_search(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host.strip_suffix(".search.windows.net")
        .is_some_and(|name| !name.is_empty() && !name.contains('.'))
}

/// What a proxied host is, for the router.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Azure Resource Manager (`management.azure.com`), or the server addressed directly.
    Arm,
    /// Entra ID (`login.microsoftonline.com` and its aliases).
    Login,
    /// A data plane (storage, the workspace's own hosts, scoring, Key Vault, registries).
    DataPlane,
}

/// The role of `host` (without port); anything not proxied (the server's own address) is ARM.
pub fn role(host: &str) -> Role {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match host.as_str() {
        "login.microsoftonline.com"
        | "login.windows.net"
        | "login.microsoft.com"
        | "sts.windows.net" => Role::Login,
        "management.azure.com" | "management.core.windows.net" => Role::Arm,
        h if is_proxied(h) => Role::DataPlane,
        _ => Role::Arm,
    }
}

/// The list as shown to a user: exact names, then `*.domain` patterns.
pub fn listed() -> String {
    EXACT
        .iter()
        .map(|h| (*h).to_owned())
        .chain(DOMAINS.iter().map(|d| format!("*.{d}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the proxy serves `host` (a DNS name, case-insensitive, without port).
pub fn is_proxied(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    EXACT.contains(&host.as_str())
        || DOMAINS.iter().any(|d| {
            host.strip_suffix(d)
                .and_then(|rest| rest.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty() && !label.starts_with('.'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_hosts_in_others_out() {
        for host in [
            "management.azure.com",
            "LOGIN.microsoftonline.com",
            "stdp100.blob.core.windows.net",
            "eastus.api.azureml.ms",
            "cert-eastus.experiments.azureml.net",
            "0b1c.workspace.eastus.api.azureml.ms",
            "ep1.eastus.inference.ml.azure.com",
            "management.azure.com.",
        ] {
            assert!(is_proxied(host), "{host}");
        }
        for host in [
            "example.com",
            "blob.core.windows.net",
            "evil-management.azure.com",
            "management.azure.com.evil.com",
            "xblob.core.windows.net",
            "pypi.org",
            "",
        ] {
            assert!(!is_proxied(host), "{host}");
        }
        assert!(listed().contains("*.blob.core.windows.net"));
        assert_eq!(role("management.azure.com"), Role::Arm);
        assert_eq!(role("127.0.0.1"), Role::Arm);
        assert_eq!(role("login.windows.net"), Role::Login);
        assert_eq!(role("st1.blob.core.windows.net"), Role::DataPlane);
        assert_eq!(role("eastus.api.azureml.ms"), Role::DataPlane);
        assert!(is_proxied("srch1.search.windows.net"));
        assert!(is_search("srch1.search.windows.net"));
        assert!(!is_search("search.windows.net"));
        assert!(!is_search("a.b.search.windows.net"));
    }
}
