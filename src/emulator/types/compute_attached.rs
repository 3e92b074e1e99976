//! Attached computes (`Kubernetes`, `AKS`, `DataFactory`, `Databricks`, `VirtualMachine`,
//! `SynapseSpark`, `HDInsight`): the service validates the attached resource's id and stores
//! the compute as given (learn.microsoft.com/azure/machine-learning/how-to-attach-compute-targets);
//! credentials in the body (a VM's administrator account, a Databricks access token) are kept
//! out of every GET and returned only by `POST listKeys` (`ComputeSecrets`).

use serde_json::{Value, json};

use super::{ActionOutcome, ML_CHECK, last_segment};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::ids;
use crate::emulator::world::StoredResource;

const P: &str = "properties.properties";

/// The attached compute types and the `{namespace}/{type}` their `resourceId` must name.
pub(super) const ATTACHED: &[(&str, &[&str])] = &[
    (
        "Kubernetes",
        &[
            "Microsoft.ContainerService/managedClusters",
            "Microsoft.Kubernetes/connectedClusters",
        ],
    ),
    ("AKS", &["Microsoft.ContainerService/managedClusters"]),
    ("DataFactory", &["Microsoft.DataFactory/factories"]),
    ("Databricks", &["Microsoft.Databricks/workspaces"]),
    ("VirtualMachine", &["Microsoft.Compute/virtualMachines"]),
    ("SynapseSpark", &["Microsoft.Synapse/workspaces"]),
    ("HDInsight", &["Microsoft.HDInsight/clusters"]),
];

/// Whether `compute_type` is an attached type.
pub(super) fn is_attached(compute_type: &str) -> bool {
    ATTACHED.iter().any(|(t, _)| *t == compute_type)
}

/// What an attach stores: the inner properties, the secret material and the issued values.
pub(super) struct Attached {
    pub(super) inner: Value,
    pub(super) secrets: Option<Value>,
    pub(super) issued: Vec<String>,
}

/// Validates an attached compute's body (`properties.resourceId` of the right type) and
/// splits its credentials off.
pub(super) fn build(
    input: &Value,
    compute_type: &str,
    existing: Option<&StoredResource>,
) -> ArmResult<Attached> {
    let field = "properties.resourceId";
    let id = ML_CHECK.require_str(input, field)?;
    let kinds = ATTACHED
        .iter()
        .find(|(t, _)| *t == compute_type)
        .map_or(&[][..], |(_, k)| *k);
    let lower = id.to_ascii_lowercase();
    let named = kinds
        .iter()
        .any(|k| lower.contains(&format!("/providers/{}/", k.to_ascii_lowercase())));
    if !lower.starts_with("/subscriptions/") || !named {
        return Err(ML_CHECK.error(
            field,
            format!(
                "{field} must be the ARM id of a {} resource to attach as {compute_type}",
                kinds.join(" or ")
            ),
        ));
    }
    let mut inner = fields::object_or_empty(fields::get(input, P));
    let mut secrets = existing
        .and_then(|e| e.secrets.clone())
        .unwrap_or_else(|| json!({}));
    let mut issued = Vec::new();
    for secret in ["administratorAccount", "databricksAccessToken"] {
        if let Some(v) = fields::take(&mut inner, secret) {
            collect_strings(&v, &mut issued);
            fields::set(&mut secrets, secret, v);
        }
    }
    match compute_type {
        "Kubernetes" => {
            fields::default(&mut inner, "namespace", json!("default"));
            fields::default(&mut inner, "extensionInstanceReleaseTrain", json!("stable"));
        }
        "AKS" => {
            if secrets.get("userKubeConfig").is_none() {
                let cluster = last_segment(id);
                for k in ["userKubeConfig", "adminKubeConfig"] {
                    let token = ids::account_key();
                    let config = format!(
                        "apiVersion: v1\nkind: Config\nclusters:\n- name: {cluster}\nusers:\n- name: {k}\n  user:\n    token: {token}\n"
                    );
                    issued.extend([token, config.clone()]);
                    fields::set(&mut secrets, k, json!(config));
                }
            }
            fields::default(
                &mut inner,
                "clusterFqdn",
                json!(format!("{}.hcp.eastus.azmk8s.io", last_segment(id))),
            );
        }
        _ => {}
    }
    let secrets = secrets
        .as_object()
        .is_some_and(|o| !o.is_empty())
        .then_some(secrets);
    Ok(Attached {
        inner,
        secrets,
        issued,
    })
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Object(m) => m.values().for_each(|c| collect_strings(c, out)),
        Value::Array(a) => a.iter().for_each(|c| collect_strings(c, out)),
        _ => {}
    }
}

/// `listKeys` (`ComputeSecrets`, by compute type: AKS, VirtualMachine, Databricks).
pub(super) fn list_keys(resource: &StoredResource) -> ArmResult<ActionOutcome> {
    let compute_type =
        fields::get_str(&resource.body, "properties.computeType").unwrap_or_default();
    let secret = |k: &str| {
        resource
            .secrets
            .as_ref()
            .and_then(|s| s.get(k))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let body = match compute_type {
        "AKS" => json!({"computeType": "AKS", "userKubeConfig": secret("userKubeConfig"),
            "adminKubeConfig": secret("adminKubeConfig"), "imagePullSecretName": Value::Null}),
        "VirtualMachine" => json!({"computeType": "VirtualMachine",
            "administratorAccount": secret("administratorAccount")}),
        "Databricks" => json!({"computeType": "Databricks",
            "databricksAccessToken": secret("databricksAccessToken")}),
        other => {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "listKeys is not supported for compute type '{other}'; it returns the secrets of AKS, VirtualMachine and Databricks computes"
                ),
            ));
        }
    };
    let mut issued = Vec::new();
    collect_strings(&body, &mut issued);
    issued.retain(|s| s != compute_type);
    Ok(ActionOutcome {
        issued,
        ..ActionOutcome::ok(body)
    })
}
