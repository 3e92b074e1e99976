//! az ml CLI v2 YAML specs -> ARM request bodies, field for field as the official Python SDK
//! (`azure-ai-ml`) builds them. [`translate`] reads a spec file; [`translate_source`] takes the
//! text (for lab files, after `${...}` templating). Errors are miette diagnostics naming the
//! file, line and column and what would be valid.

mod component;
mod compute;
mod data;
mod datastore;
mod deployment;
mod duration;
mod endpoint;
mod environment;
mod error;
mod job;
mod kind;
mod model;
mod node;
mod refs;
mod schedule;
mod workspace;

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

pub use error::{SpecError, SpecErrors};
pub use kind::Kind;

use error::Problem;
use node::{Obj, SNode};

/// The workspace a spec is translated for: references resolve to ARM ids in it, and resources
/// that need a location get this one.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Subscription id.
    pub subscription: String,
    /// Resource group name.
    pub resource_group: String,
    /// Workspace name.
    pub workspace: String,
    /// Azure region (`eastus`).
    pub location: String,
}

/// A translated spec.
#[derive(Debug, Clone)]
pub struct Translated {
    /// What the spec describes.
    pub kind: Kind,
    /// Path relative to the workspace (`computes/aml-cluster`, `jobs/my-job`); for a workspace,
    /// relative to the resource group (`workspaces/mlw`).
    pub resource_path: String,
    /// The PUT body.
    pub body: Value,
    /// JSON pointers (into `body`) of secret values: datastore keys, SAS tokens, client secrets.
    pub secrets: Vec<String>,
}

impl Translated {
    /// The full ARM resource id for `ctx`.
    pub fn resource_id(&self, ctx: &Context) -> String {
        if self.kind == Kind::Workspace {
            format!(
                "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/{}",
                ctx.subscription, ctx.resource_group, self.resource_path
            )
        } else {
            format!("{}/{}", ctx.workspace_id(), self.resource_path)
        }
    }

    /// The body with every secret replaced by `placeholder`.
    pub fn redacted(&self, placeholder: &str) -> Value {
        let mut body = self.body.clone();
        for p in &self.secrets {
            if let Some(v) = body.pointer_mut(p) {
                *v = Value::String(placeholder.to_owned());
            }
        }
        body
    }
}

/// Spec files larger than this are refused.
const MAX_BYTES: u64 = 1024 * 1024;

/// Reads and translates the spec at `path`.
pub fn translate(path: &Path, ctx: &Context) -> Result<Translated, SpecErrors> {
    let fail = |message: String| SpecErrors {
        errors: vec![Problem::top(message).into_error(path, &Arc::from(""))],
    };
    if std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_BYTES) {
        return Err(fail(format!("{}: file too large for a spec", path.display())));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| fail(format!("{}: cannot read: {e}", path.display())))?;
    translate_source(path, &text, ctx)
}

/// Translates spec text; `path` names it in diagnostics and anchors relative paths
/// (conda files, `create_job` files).
pub fn translate_source(path: &Path, text: &str, ctx: &Context) -> Result<Translated, SpecErrors> {
    let source: Arc<str> = Arc::from(text);
    let dir = path.parent().unwrap_or(Path::new("."));
    let node: SNode = match serde_saphyr::from_str(text) {
        Ok(n) => n,
        Err(e) => {
            let mut p = Problem::top(format!("not valid YAML: {}", e.without_snippet()));
            if let Some(l) = e.location() {
                p.line = l.line();
                p.column = l.column();
                p.offset = crate::lab::span::location_range(text, &l).0;
                p.len = 1;
            }
            return Err(SpecErrors { errors: vec![p.into_error(path, &source)] });
        }
    };
    run(&node, ctx, dir).map_err(|p| SpecErrors { errors: vec![p.into_error(path, &source)] })
}

/// Detects the kind and dispatches.
fn run(node: &SNode, ctx: &Context, dir: &Path) -> Result<Translated, Problem> {
    let kind = kind::detect(node)?;
    let root = Obj::of(node, "")?;
    let mut secrets = Vec::new();
    let (resource_path, body) = match kind {
        Kind::Workspace => workspace::translate(root, ctx)?,
        Kind::Compute => compute::translate(root, ctx)?,
        Kind::Datastore => {
            let (p, b, s) = datastore::translate(root)?;
            secrets = s;
            (p, b)
        }
        Kind::Data => data::translate(root)?,
        Kind::Environment => environment::translate(root, dir)?,
        Kind::Model => model::translate(root)?,
        Kind::Component => component::translate(root)?,
        Kind::Job => job::translate(root, ctx, dir)?,
        Kind::OnlineEndpoint => endpoint::online(root, ctx)?,
        Kind::OnlineDeployment => deployment::online(root, ctx, dir)?,
        Kind::BatchEndpoint => endpoint::batch(root, ctx)?,
        Kind::BatchDeployment => deployment::batch(root, ctx)?,
        Kind::Schedule => schedule::translate(root, ctx, dir)?,
    };
    Ok(Translated { kind, resource_path, body, secrets })
}
