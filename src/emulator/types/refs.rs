//! Resolving the references ML resources make to each other (environments, computes, models,
//! deployments), in the forms Azure accepts: ARM ids, `azureml:<name>:<version>` short forms and
//! `azureml://registries/...` registry ids (accepted without checking). Curated environments
//! (`azureml:AzureML-sklearn-1.5@latest`) resolve to their version in the workspace
//! ([`super::curated`]).

use super::ML_CHECK;
use crate::emulator::error::ArmResult;
use crate::emulator::fields;
use crate::emulator::world::{StoredResource, World};

/// The type of environment versions.
pub(crate) const ENVIRONMENT_VERSION: &str =
    "Microsoft.MachineLearningServices/workspaces/environments/versions";
/// The type of model versions.
pub(crate) const MODEL_VERSION: &str =
    "Microsoft.MachineLearningServices/workspaces/models/versions";
/// The type of computes.
/// The type of a component version.
pub(crate) const COMPONENT_VERSION: &str =
    "Microsoft.MachineLearningServices/workspaces/components/versions";
pub(crate) const COMPUTE: &str = "Microsoft.MachineLearningServices/workspaces/computes";
/// The type of online deployments.
pub(crate) const ONLINE_DEPLOYMENT: &str =
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments";

/// The workspace id a workspace child id belongs to (`.../workspaces/{ws}`), as written.
pub(crate) fn workspace_of(id: &str) -> &str {
    let lower = id.to_ascii_lowercase();
    match lower.find("/workspaces/") {
        Some(i) => {
            let after = i + "/workspaces/".len();
            let end = id[after..].find('/').map_or(id.len(), |j| after + j);
            &id[..end]
        }
        None => id,
    }
}

/// What a reference resolved to.
#[derive(Debug, Clone)]
pub(crate) enum Resolved {
    /// A resource of this workspace.
    Local(Box<StoredResource>),
    /// A registry or curated asset, accepted without checking.
    External,
}

impl Resolved {
    /// The workspace resource, if the reference named one.
    pub(crate) fn local(&self) -> Option<&StoredResource> {
        match self {
            Resolved::Local(r) => Some(r),
            Resolved::External => None,
        }
    }
}

/// Where to look a reference up.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lookup<'a> {
    /// The world.
    pub(crate) world: &'a World,
    /// Now (ms since the epoch).
    pub(crate) now_ms: u64,
    /// The workspace id.
    pub(crate) workspace: &'a str,
}

impl Lookup<'_> {
    fn get(&self, id: &str) -> Option<&StoredResource> {
        self.world.get(id, self.now_ms)
    }

    /// A versioned asset (`environments`, `models`) referenced by `value` at `field`.
    fn asset(
        &self,
        field: &str,
        value: &str,
        collection: &str,
        type_name: &str,
        what: &str,
    ) -> ArmResult<Resolved> {
        let v = value.trim();
        if v.to_ascii_lowercase().starts_with("azureml://registries/") {
            return Ok(Resolved::External);
        }
        let id = if v.starts_with("/subscriptions/") {
            v.to_owned()
        } else if let Some(short) = v.strip_prefix("azureml:").filter(|s| !s.starts_with("//")) {
            let (name, version) = match short.split_once('@') {
                Some((n, label)) => (n, self.latest(collection, n, label)),
                None => match short.rsplit_once(':') {
                    Some((n, ver)) => (n, Some(ver.to_owned())),
                    None => (short, self.latest(collection, short, "latest")),
                },
            };
            let curated = collection == "environments" && super::curated::is_reserved(name);
            let version = match version {
                None if curated => super::curated::latest(name),
                v => v,
            };
            let version = version.unwrap_or_default();
            format!("{}/{collection}/{name}/versions/{version}", self.workspace)
        } else {
            return Err(ML_CHECK.error(
                field,
                format!("{field} '{v}' is not a valid {what} reference: use the ARM id of a {what} version, azureml:<name>:<version>, or azureml://registries/<registry>/{collection}/<name>/versions/<version>"),
            ));
        };
        let found = self.get(&id).cloned().or_else(|| {
            (collection == "environments")
                .then(|| super::curated::get(self.world, self.now_ms, &id))
                .flatten()
        });
        match found.as_ref() {
            Some(r) if r.type_name.eq_ignore_ascii_case(type_name) => {
                Ok(Resolved::Local(Box::new(r.clone())))
            }
            Some(_) => Err(ML_CHECK.error(
                field,
                format!("{field} must be the id of a {what} version, not '{v}'"),
            )),
            None => Err(ML_CHECK.error(
                field,
                format!("The {what} version '{v}' referenced by {field} was not found"),
            )),
        }
    }

    /// The latest version of `name` in `collection` (`@latest`).
    fn latest(&self, collection: &str, name: &str, label: &str) -> Option<String> {
        if !label.eq_ignore_ascii_case("latest") {
            return Some(label.to_owned());
        }
        let container = format!("{}/{collection}/{name}", self.workspace);
        self.get(&container)
            .and_then(|c| fields::get_str(&c.body, "properties.latestVersion"))
            .map(str::to_owned)
    }

    /// An environment reference (`environmentId`).
    pub(crate) fn environment(&self, field: &str, value: &str) -> ArmResult<Resolved> {
        self.asset(
            field,
            value,
            "environments",
            ENVIRONMENT_VERSION,
            "environment",
        )
    }

    /// A component reference (a pipeline component batch deployment's `componentId`).
    pub(crate) fn component(&self, field: &str, value: &str) -> ArmResult<Resolved> {
        self.asset(field, value, "components", COMPONENT_VERSION, "component")
    }

    /// A model reference.
    pub(crate) fn model(&self, field: &str, value: &str) -> ArmResult<Resolved> {
        self.asset(field, value, "models", MODEL_VERSION, "model")
    }

    /// A compute of this workspace: an ARM id, `azureml:<name>` or a bare name.
    pub(crate) fn compute(&self, field: &str, value: &str) -> ArmResult<StoredResource> {
        let v = value.trim();
        let id = if v.starts_with("/subscriptions/") {
            v.to_owned()
        } else {
            let name = v.strip_prefix("azureml:").unwrap_or(v);
            format!("{}/computes/{name}", self.workspace)
        };
        let in_workspace = id.to_ascii_lowercase().starts_with(&format!(
            "{}/computes/",
            self.workspace.to_ascii_lowercase()
        ));
        match self.get(&id) {
            Some(r) if in_workspace && r.type_name.eq_ignore_ascii_case(COMPUTE) => Ok(r.clone()),
            _ => Err(ML_CHECK.error(
                field,
                format!("The compute '{v}' referenced by {field} was not found in the workspace; create it first or leave {field} out to run on serverless compute"),
            )),
        }
    }

    /// An online deployment (ARM id).
    pub(crate) fn online_deployment(&self, field: &str, value: &str) -> ArmResult<StoredResource> {
        match self.get(value) {
            Some(r) if r.type_name.eq_ignore_ascii_case(ONLINE_DEPLOYMENT) => Ok(r.clone()),
            _ => Err(ML_CHECK.error(
                field,
                format!("The online deployment '{value}' referenced by {field} was not found"),
            )),
        }
    }
}
