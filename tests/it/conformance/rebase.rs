//! Setting up the resource an example reads (a GET, an action) from the example's own data:
//! its placeholders (`"string"` for an environment, a model, a cron expression; dependency
//! ids of accounts that cannot exist) stand for resources the example presupposes, so the
//! body that creates it refers to the fixture's instead. The request an example documents
//! is never rebased: it is judged as written.

use serde_json::{Value, json};

/// Whether `v` is a usable reference (an ARM id or an `azureml:` one).
fn is_reference(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.starts_with("/subscriptions/") || s.starts_with("azureml"))
}

fn set_if_placeholder(props: &mut Value, key: &str, with: Value) {
    if let Some(v) = props.get(key)
        && !is_reference(v)
    {
        props[key] = with;
    }
}

/// `body` (to be PUT under the workspace `ws`, whose resource group is `rg`) with its
/// placeholder references replaced by the fixture's resources.
pub(super) fn rebase(body: &Value, ws: &str, rg: &str) -> Value {
    let mut body = body.clone();
    let env = json!(format!("{ws}/environments/conformance-env/versions/1"));
    let model = json!(format!("{ws}/models/conformance-model/versions/1"));
    let Some(props) = body.get_mut("properties").filter(|p| p.is_object()) else {
        return body;
    };
    set_if_placeholder(props, "environmentId", env);
    if props.get("model").is_some_and(Value::is_string) {
        set_if_placeholder(props, "model", model.clone());
    }
    if let Some(m) = props.get_mut("model").filter(|m| m.is_object()) {
        set_if_placeholder(m, "assetId", model);
    }
    if let Some(code) = props.get_mut("codeConfiguration").filter(|c| c.is_object()) {
        set_if_placeholder(code, "codeId", json!("azureml:code:1"));
    }
    if props.get("modelUri").is_some_and(|u| !is_reference(u)) {
        props["modelUri"] = json!("azureml://datastores/workspaceblobstore/paths/model/");
    }
    if props.get("image").is_some()
        && props.get("build").is_some()
        && let Some(o) = props.as_object_mut()
    {
        o.remove("build");
    }
    // Traffic and a default deployment name deployments that do not exist yet.
    if let Some(o) = props.as_object_mut() {
        o.remove("traffic");
        o.remove("mirrorTraffic");
        if let Some(d) = o.get_mut("defaults").and_then(Value::as_object_mut) {
            d.remove("deploymentName");
        }
    }
    if let Some(t) = props.get_mut("trigger").filter(|t| t.is_object())
        && t.get("expression").is_some()
    {
        t["expression"] = json!("0 0 * * *");
    }
    for (key, dep) in [
        (
            "storageAccount",
            "Microsoft.Storage/storageAccounts/stconformance",
        ),
        ("keyVault", "Microsoft.KeyVault/vaults/kvconformance"),
        (
            "applicationInsights",
            "Microsoft.Insights/components/aiconformance",
        ),
        (
            "containerRegistry",
            "Microsoft.ContainerRegistry/registries/acrconformance",
        ),
    ] {
        if props.get(key).is_some_and(Value::is_string) {
            props[key] = json!(format!("{rg}/providers/{dep}"));
        }
    }
    body
}
