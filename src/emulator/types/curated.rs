//! Curated environments: the environments Azure Machine Learning provides in every workspace
//! (`AzureML-sklearn-1.5`, ...), read like the workspace's own (`environments`, `.../versions`)
//! and resolved by `azureml:AzureML-<name>@latest` or `:<version>` in jobs and deployments.
//!
//! They are not stored: a workspace that exists has them all. Every version from 1 to the
//! catalogue's latest can be read; the listing shows the current ones (the service hides older
//! curated environments from its list, and they can still be used). `environmentType` is
//! `Curated`; their images carry their Python packages (so a job on one has them). The names
//! are the service's reserved `AzureML-` prefix: a workspace cannot create its own under it.
//!
//! The version numbers are this catalogue's, not the service's current ones: a notebook that
//! reads a given version (the DP-100 environments notebook reads version 44 of
//! `AzureML-sklearn-1.0-ubuntu20.04-py38-cpu`) finds it, and `@latest` is the highest here.

use serde_json::{Value, json};

use crate::emulator::world::{StoredResource, World};

/// The container type of environments.
const CONTAINER: &str = "Microsoft.MachineLearningServices/workspaces/environments";
/// The workspace type.
const WORKSPACE: &str = "Microsoft.MachineLearningServices/workspaces";
/// The version type of environments.
const VERSION: &str = "Microsoft.MachineLearningServices/workspaces/environments/versions";

/// One curated environment.
struct Curated {
    name: &'static str,
    latest: u32,
    listed: bool,
    description: &'static str,
}

/// The catalogue: the environments the DP-100 notebooks and labs name, and their neighbours.
const CATALOGUE: &[Curated] = &[
    Curated {
        name: "AzureML-sklearn-1.5",
        latest: 22,
        listed: true,
        description: "An environment for tasks such as regression, clustering, and classification with Scikit-learn 1.5. Contains the Azure ML SDK and additional python packages.",
    },
    Curated {
        name: "AzureML-sklearn-1.0-ubuntu20.04-py38-cpu",
        latest: 59,
        listed: true,
        description: "An environment for tasks such as regression, clustering, and classification with Scikit-learn 1.0. Contains the Azure ML SDK and additional python packages.",
    },
    Curated {
        name: "AzureML-sklearn-0.24-ubuntu18.04-py37-cpu",
        latest: 49,
        listed: false,
        description: "An environment for tasks such as regression, clustering, and classification with Scikit-learn 0.24. Contains the Azure ML SDK and additional python packages.",
    },
    Curated {
        name: "AzureML-lightgbm-3.3",
        latest: 55,
        listed: true,
        description: "An environment for machine learning with LightGBM 3.3, Scikit-learn and the Azure ML SDK.",
    },
    Curated {
        name: "AzureML-ai-ml-automl",
        latest: 14,
        listed: true,
        description: "The environment automated ML uses for training (AutoML).",
    },
    Curated {
        name: "AzureML-pytorch-1.10-ubuntu18.04-py38-cuda11-gpu",
        latest: 38,
        listed: false,
        description: "An environment for deep learning with PyTorch 1.10 on GPUs, containing the Azure ML SDK and additional python packages.",
    },
    Curated {
        name: "AzureML-tensorflow-2.12-cuda11",
        latest: 16,
        listed: true,
        description: "An environment for deep learning with TensorFlow 2.12 on GPUs, containing the Azure ML SDK and additional python packages.",
    },
];

/// Whether `name` is in the curated (reserved) namespace: `AzureML-...`, any case.
pub(crate) fn is_reserved(name: &str) -> bool {
    name.len() > 8 && name[..8].eq_ignore_ascii_case("azureml-")
}

fn find(name: &str) -> Option<&'static Curated> {
    CATALOGUE.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// The latest version of curated environment `name`.
pub(crate) fn latest(name: &str) -> Option<String> {
    find(name).map(|c| c.latest.to_string())
}

/// Splits `{workspace}/environments/{name}[/versions/{version}]` (any case).
fn split(id: &str) -> Option<(&str, &str, Option<&str>)> {
    let lower = id.to_ascii_lowercase();
    let at = lower.rfind("/environments/")?;
    let workspace = &id[..at];
    if !workspace
        .to_ascii_lowercase()
        .contains("/providers/microsoft.machinelearningservices/workspaces/")
    {
        return None;
    }
    let rest = &id[at + "/environments/".len()..];
    match rest.split('/').collect::<Vec<_>>().as_slice() {
        [name] => Some((workspace, name, None)),
        [name, v, version] if v.eq_ignore_ascii_case("versions") => {
            Some((workspace, name, Some(version)))
        }
        _ => None,
    }
}

/// The curated container or version `id` names, if its workspace exists at `now_ms`.
pub(crate) fn get(world: &World, now_ms: u64, id: &str) -> Option<StoredResource> {
    let (workspace, name, version) = split(id)?;
    let c = find(name)?;
    world.get(workspace, now_ms)?;
    match version {
        None => Some(container(workspace, c)),
        Some(v) => {
            let n: u32 = v.parse().ok()?;
            (1..=c.latest)
                .contains(&n)
                .then(|| version_of(workspace, c, n))
        }
    }
}

/// The curated resources of type `type_name` a list under `prefix` (lower case, ending in `/`)
/// shows: the listed containers of a workspace, or every version of one container.
pub(crate) fn listed(
    world: &World,
    now_ms: u64,
    type_name: &str,
    prefix: &str,
) -> Vec<StoredResource> {
    let parent = prefix.trim_end_matches('/');
    if type_name.eq_ignore_ascii_case(CONTAINER) {
        let Some(ws) = world.get(parent, now_ms) else {
            return Vec::new();
        };
        if !ws.type_name.eq_ignore_ascii_case(WORKSPACE) {
            return Vec::new();
        }
        return CATALOGUE
            .iter()
            .filter(|c| c.listed)
            .map(|c| container(&ws.id, c))
            .collect();
    }
    if type_name.eq_ignore_ascii_case(VERSION)
        && let Some((workspace, name, None)) = split(parent)
        && let Some(c) = find(name)
        && world.get(workspace, now_ms).is_some()
    {
        return (1..=c.latest)
            .rev()
            .map(|n| version_of(workspace, c, n))
            .collect();
    }
    Vec::new()
}

fn stored(id: String, type_name: &str, body: Value) -> StoredResource {
    StoredResource {
        id,
        type_name: type_name.to_owned(),
        body,
        secrets: None,
        transition: None,
        seq: 0,
    }
}

fn system_data() -> Value {
    json!({
        "createdAt": "2024-01-01T00:00:00.0000000Z",
        "createdBy": "Microsoft",
        "createdByType": "Application",
        "lastModifiedAt": "2024-01-01T00:00:00.0000000Z",
        "lastModifiedBy": "Microsoft",
        "lastModifiedByType": "Application"
    })
}

fn container(workspace: &str, c: &Curated) -> StoredResource {
    let id = format!("{workspace}/environments/{}", c.name);
    let body = json!({
        "id": id,
        "name": c.name,
        "type": CONTAINER,
        "systemData": system_data(),
        "properties": {
            "description": c.description,
            "tags": {},
            "properties": {},
            "isArchived": false,
            "latestVersion": c.latest.to_string(),
            "nextVersion": null,
            "provisioningState": "Succeeded"
        }
    });
    stored(id, CONTAINER, body)
}

fn version_of(workspace: &str, c: &Curated, n: u32) -> StoredResource {
    let id = format!("{workspace}/environments/{}/versions/{n}", c.name);
    let image_name = c.name["AzureML-".len()..].to_ascii_lowercase();
    let body = json!({
        "id": id,
        "name": n.to_string(),
        "type": VERSION,
        "systemData": system_data(),
        "properties": {
            "description": c.description,
            "tags": {},
            "properties": {},
            "isArchived": false,
            "isAnonymous": false,
            "environmentType": "Curated",
            "image": format!("mcr.microsoft.com/azureml/curated/{image_name}:{n}"),
            "osType": "Linux",
            "condaFile": null,
            "inferenceConfig": null,
            "autoRebuild": "Disabled",
            "provisioningState": "Succeeded"
        }
    });
    stored(id, VERSION, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_and_reserve() {
        let ws = "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w";
        assert_eq!(
            split(&format!("{ws}/environments/AzureML-sklearn-1.5/versions/3")),
            Some((ws, "AzureML-sklearn-1.5", Some("3")))
        );
        assert_eq!(
            split(&format!("{ws}/environments/AzureML-sklearn-1.5")),
            Some((ws, "AzureML-sklearn-1.5", None))
        );
        assert_eq!(
            split("/subscriptions/s/resourceGroups/g/environments/x"),
            None
        );
        assert!(is_reserved("azureml-mine") && is_reserved("AzureML-sklearn-1.5"));
        assert!(!is_reserved("azureml") && !is_reserved("my-AzureML-env"));
        assert_eq!(latest("azureml-SKLEARN-1.5").as_deref(), Some("22"));
        assert_eq!(latest("AzureML-nothing"), None);
    }
}
