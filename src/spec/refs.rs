//! References to workspace and registry assets, resolved to ARM ids the way the SDK's
//! `OperationOrchestrator.get_asset_arm_id` does given the workspace context.

use super::Context;

/// The resource provider segment of every ARM id.
const PROVIDER: &str = "Microsoft.MachineLearningServices";

impl Context {
    /// `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}`.
    pub fn workspace_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{PROVIDER}/workspaces/{}",
            self.subscription, self.resource_group, self.workspace
        )
    }
}

/// Whether `s` is already an ARM id or a registry / datastore URI the SDK passes through.
fn passthrough(s: &str) -> bool {
    s.starts_with("/subscriptions/") || s.starts_with("azureml://")
}

/// A named workspace resource (`azureml:cpu-cluster` or `cpu-cluster`) -> its ARM id
/// (`…/computes/cpu-cluster`).
pub(crate) fn named(ctx: &Context, kind: &str, reference: &str) -> String {
    if reference.starts_with("azureml://") {
        return reference.to_owned();
    }
    let r = reference.strip_prefix("azureml:").unwrap_or(reference);
    if passthrough(r) {
        return r.to_owned();
    }
    format!("{}/{kind}/{r}", ctx.workspace_id())
}

/// A versioned asset reference -> ARM id.
///
/// * `azureml:name:version` -> `…/{kind}/name/versions/version`;
/// * ARM ids (with or without `azureml:`) and `azureml://…` URIs pass through;
/// * environments named `AzureML-…` (curated) stay `azureml:AzureML-…` (expanded by the service);
/// * `name@label` needs a lookup in the workspace, which the SDK does over the network; amlab
///   keeps it as written (`azureml:name@latest`), see the differential exceptions in docs/src/differential.md.
pub(crate) fn versioned(ctx: &Context, kind: &str, reference: &str) -> Result<String, String> {
    if reference.starts_with("azureml://") {
        return Ok(reference.to_owned());
    }
    let r = reference.strip_prefix("azureml:").unwrap_or(reference);
    if passthrough(r) {
        return Ok(r.to_owned());
    }
    if kind == "environments" && r.starts_with("AzureML-") {
        return Ok(format!("azureml:{r}"));
    }
    if r.contains('@') {
        return Ok(format!("azureml:{r}"));
    }
    match r.rsplit_once(':') {
        Some((name, version)) if !name.is_empty() && !version.is_empty() => Ok(format!(
            "{}/{kind}/{name}/versions/{version}",
            ctx.workspace_id()
        )),
        _ => Err(format!(
            "`{reference}` names no version: use `azureml:<name>:<version>` or `azureml:<name>@latest`"
        )),
    }
}

/// Whether a path is local (uploaded by the SDK) rather than a cloud URI or asset reference.
pub(crate) fn is_local(path: &str) -> bool {
    !(path.contains("://") || path.starts_with("azureml:") || path.starts_with("/subscriptions/"))
}

/// An asset's `path` as sent: a local path becomes its upload URI ([`local_upload`]), anything
/// else (a datastore or cloud URI) is kept as written.
pub(crate) fn asset_uri(path: String) -> String {
    if is_local(&path) {
        local_upload(&path)
    } else {
        path
    }
}

/// The URI amlab sends for a local path: where the SDK's upload would put it on the default
/// datastore (`azureml://datastores/workspaceblobstore/paths/LocalUpload/<digest>/<name>`).
/// The SDK's digest is over the uploaded content; amlab's over the path as written.
pub(crate) fn local_upload(path: &str) -> String {
    use sha2::{Digest, Sha256};
    let trimmed = path.trim_end_matches('/');
    let name = trimmed.rsplit('/').next().unwrap_or(trimmed);
    let digest = Sha256::digest(trimmed.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let slash = if path.ends_with('/') { "/" } else { "" };
    format!("azureml://datastores/workspaceblobstore/paths/LocalUpload/{hex}/{name}{slash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            subscription: "s".into(),
            resource_group: "g".into(),
            workspace: "w".into(),
            location: "eastus".into(),
            root: None,
        }
    }

    #[test]
    fn resolves_like_the_sdk() {
        let c = ctx();
        let ws = "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w";
        assert_eq!(
            named(&c, "computes", "azureml:aml-cluster"),
            format!("{ws}/computes/aml-cluster")
        );
        assert_eq!(
            versioned(&c, "data", "azureml:d:1").unwrap(),
            format!("{ws}/data/d/versions/1")
        );
        assert_eq!(
            versioned(&c, "environments", "azureml:AzureML-sklearn-1.5@latest").unwrap(),
            "azureml:AzureML-sklearn-1.5@latest"
        );
        assert_eq!(
            versioned(
                &c,
                "environments",
                "azureml://registries/azureml/environments/e/labels/latest"
            )
            .unwrap(),
            "azureml://registries/azureml/environments/e/labels/latest"
        );
        assert!(versioned(&c, "models", "azureml:nameonly").is_err());
    }
}
