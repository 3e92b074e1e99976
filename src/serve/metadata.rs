//! `GET /metadata/endpoints`: the cloud metadata document ARM publishes (the Azure CLI reads it
//! from `ARM_CLOUD_METADATA_URL`, `az cloud register --endpoint-resource-manager` from the
//! resource manager), answered without a token as ARM does. Shape of api-version 2022-09-01: an
//! array of clouds. Asked through the proxy (as `management.azure.com`) it describes the public
//! cloud; asked directly it names this server as resource manager and login endpoint, so the
//! CLI talks to it with no proxy.

use serde_json::{Value, json};

use crate::arm::transport::HttpResponse;

/// The api-versions of the document that answer the array shape.
const VERSIONS: &[&str] = &["2019-05-01", "2020-06-01", "2022-09-01"];

/// The answer to `GET /metadata/endpoints?{query}` asked at `origin` (`scheme://host[:port]`).
pub(crate) fn answer(origin: &str, query: &[(String, String)]) -> HttpResponse {
    let version = query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("api-version"))
        .map(|(_, v)| v.as_str());
    let Some(version) = version.filter(|v| !v.is_empty()) else {
        return error(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.".into(),
        );
    };
    if !VERSIONS.contains(&version) {
        return error(
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{version}' is invalid. The supported versions are '{}'.",
                VERSIONS.join(",")
            ),
        );
    }
    let public = origin == "https://management.azure.com";
    let (arm, login) = if public {
        (
            "https://management.azure.com/".to_owned(),
            "https://login.microsoftonline.com".to_owned(),
        )
    } else {
        (format!("{origin}/"), origin.to_owned())
    };
    HttpResponse::new(200, Some(json!([cloud(&arm, &login)])))
        .with_header("Content-Type", "application/json; charset=utf-8")
}

fn error(code: &str, message: String) -> HttpResponse {
    HttpResponse::new(
        400,
        Some(json!({"error": {"code": code, "message": message}})),
    )
    .with_header("Content-Type", "application/json; charset=utf-8")
}

/// The public cloud's entry, with the resource manager and login endpoints given.
fn cloud(arm: &str, login: &str) -> Value {
    json!({
        "portal": "https://portal.azure.com",
        "authentication": {
            "loginEndpoint": login,
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "media": "https://rest.media.azure.net",
        "graphAudience": "https://graph.windows.net/",
        "graph": "https://graph.windows.net/",
        "name": "AzureCloud",
        "suffixes": {
            "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
            "acrLoginServer": "azurecr.io",
            "sqlServerHostname": "database.windows.net",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "keyVaultDns": "vault.azure.net",
            "storage": "core.windows.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "storageSyncEndpointSuffix": "afs.azure.net",
            "mhsmDns": "managedhsm.azure.net",
            "mysqlServerEndpoint": "mysql.database.azure.com",
            "postgresqlServerEndpoint": "postgres.database.azure.com",
            "mariadbServerEndpoint": "mariadb.database.azure.com",
            "synapseAnalytics": "dev.azuresynapse.net",
            "attestationEndpoint": "attest.azure.net"
        },
        "batch": "https://batch.core.windows.net/",
        "resourceManager": arm,
        "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/quickstart-templates/aliases.json",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "microsoftGraphResourceId": "https://graph.microsoft.com/",
        "appInsightsResourceId": "https://api.applicationinsights.io",
        "appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.azure.com/v2/track",
        "attestationResourceId": "https://attest.azure.net",
        "synapseAnalyticsResourceId": "https://dev.azuresynapse.net",
        "logAnalyticsResourceId": "https://api.loganalytics.io",
        "ossrDbmsResourceId": "https://ossrdbms-aad.database.windows.net"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(v: &str) -> Vec<(String, String)> {
        vec![("api-version".to_owned(), v.to_owned())]
    }

    #[test]
    fn direct_and_proxied_documents() {
        let r = answer("https://127.0.0.1:8443", &q("2022-09-01"));
        let b = r.body.unwrap_or_default();
        assert_eq!(b[0]["resourceManager"], "https://127.0.0.1:8443/");
        assert_eq!(
            b[0]["authentication"]["loginEndpoint"],
            "https://127.0.0.1:8443"
        );
        let r = answer("https://management.azure.com", &q("2022-09-01"));
        let b = r.body.unwrap_or_default();
        assert_eq!(b[0]["resourceManager"], "https://management.azure.com/");
        assert_eq!(r.status, 200);
        assert_eq!(answer("https://x", &q("2022-09-02")).status, 400);
        assert_eq!(answer("https://x", &[]).status, 400);
    }
}
