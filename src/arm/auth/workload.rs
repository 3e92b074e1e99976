//! `--auth workload-identity`: a federated token file (`AZURE_FEDERATED_TOKEN_FILE`, as
//! Kubernetes workload identity mounts it) exchanged at Entra for the app `AZURE_CLIENT_ID` in
//! `AZURE_TENANT_ID`, through azure_identity's `WorkloadIdentityCredential`.

use std::path::PathBuf;

use azure_identity::{
    ClientAssertionCredentialOptions, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};

use super::{AuthError, AuthMode, AuthOptions, Credential, Env, construction_error, vars};

/// Builds the `workload-identity` credential.
pub(super) fn build(env: &Env, options: &AuthOptions) -> Result<Credential, AuthError> {
    let tenant = env.get(vars::AZURE_TENANT_ID)?;
    let client = env.get(vars::AZURE_CLIENT_ID)?;
    let file = PathBuf::from(env.get(vars::AZURE_FEDERATED_TOKEN_FILE)?);
    let description = format!(
        "workload identity (AZURE_TENANT_ID={tenant}, AZURE_CLIENT_ID={client}, token file {})",
        file.display()
    );
    let credential = WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
        credential_options: ClientAssertionCredentialOptions {
            client_options: options.client_options(env)?,
        },
        client_id: Some(client),
        tenant_id: Some(tenant),
        token_file_path: Some(file),
    }))
    .map_err(|e| construction_error(&description, &e))?;
    Ok(Credential::new(
        AuthMode::WorkloadIdentity,
        description,
        credential,
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::arm::auth::test_support::FakeEntra;
    use crate::arm::auth::{RedirectHttpClient, TokenCache, build_credential};
    use crate::arm::cloud::Cloud;

    #[tokio::test]
    async fn federated_token_file_is_sent_as_client_assertion() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("azure-identity-token");
        std::fs::write(&file, "federated-jwt-from-file").expect("write token file");
        let entra = FakeEntra::start(3600).await;
        let options = AuthOptions {
            cloud: Cloud::Public,
            http_client: Some(Arc::new(
                RedirectHttpClient::new(&entra.url).expect("redirect"),
            )),
            az_dir: None,
        };
        let env = Env::from_pairs([
            ("AZURE_TENANT_ID", "wl-tenant"),
            ("AZURE_CLIENT_ID", "wl-client"),
            (
                "AZURE_FEDERATED_TOKEN_FILE",
                file.to_string_lossy().as_ref(),
            ),
        ]);
        let cred = build_credential(AuthMode::Auto, &env, &options).expect("credential");
        assert_eq!(cred.mode(), AuthMode::WorkloadIdentity);
        assert!(cred.describe().contains("AZURE_CLIENT_ID=wl-client"));
        let cache = TokenCache::new(cred, Cloud::Public.scope());
        assert_eq!(cache.token().await.expect("token").expose(), "entra-1");

        let grants = entra.token_requests();
        assert_eq!(grants.len(), 1);
        let form = &grants[0].form;
        assert_eq!(grants[0].path, "/wl-tenant/oauth2/v2.0/token");
        assert_eq!(form["client_id"], "wl-client");
        assert_eq!(form["client_assertion"], "federated-jwt-from-file");
        assert_eq!(
            form["client_assertion_type"],
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        );
        assert_eq!(form["scope"], "https://management.azure.com/.default");
    }
}
