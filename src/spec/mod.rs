//! az ml CLI v2 YAML specs -> ARM request bodies, field for field as the official Python SDK
//! (`azure-ai-ml`) builds them. [`translate`] reads a spec file; [`translate_source`] takes the
//! text (for lab files, after `${...}` templating). The text is read as the SDK's PyYAML reads
//! it ([`yaml`]). Every independent mistake in a file is reported at once ([`error::Problems`]),
//! each a miette diagnostic naming the file, line and column and what would be valid.

#[cfg(test)]
mod all_errors_tests;
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
mod monitor;
mod node;
mod pyhash;
mod refs;
mod schedule;
mod workspace;
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

pub use error::{SpecError, SpecErrors};
pub use kind::Kind;

use error::{Problem, Problems};
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
    /// The folder tree the spec may read files from (`conda_file`, `component`, `create_job`):
    /// the lab file's folder for a lab's spec; `None` for the spec file's own folder.
    pub root: Option<PathBuf>,
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

/// Reads and translates the spec at `path` (a regular file of at most 1 MiB).
pub fn translate(path: &Path, ctx: &Context) -> Result<Translated, SpecErrors> {
    let fail = |message: String| SpecErrors {
        errors: vec![Problem::top(message).into_error(path, &Arc::from(""))],
    };
    let real = std::fs::canonicalize(path)
        .map_err(|e| fail(format!("{}: cannot read: {e}", path.display())))?;
    let folder = real.parent().unwrap_or(Path::new("/"));
    let text = read_text(folder, &real).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    translate_source(path, &text, ctx)
}

/// Reads `path` as text: a regular file inside `root` (symlinks resolved) of at most 1 MiB.
/// The error never quotes the file.
pub(crate) fn read_text(root: &Path, path: &Path) -> Result<String, String> {
    let bytes = crate::fsutil::read_inside(root, path, MAX_BYTES).map_err(|e| match e {
        crate::fsutil::ReadInsideError::Outside(_) => format!(
            "is outside the folder {} (files a lab or spec names stay in its folder: no absolute path, `..` or symlink leaving it)",
            root.display()
        ),
        other => other.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_owned())
}

/// Reads a file a spec names relative to `dir`, inside the folder tree of [`Context::root`]
/// (else `dir`).
pub(crate) fn read_named(
    ctx: &Context,
    dir: &Path,
    name: &str,
) -> Result<(PathBuf, String), String> {
    let path = dir.join(name);
    let root = ctx.root.as_deref().unwrap_or(dir);
    let text = read_text(root, &path).map_err(|e| format!("{} {e}", path.display()))?;
    Ok((path, text))
}

/// Translates spec text; `path` names it in diagnostics and anchors relative paths
/// (conda files, `create_job` files).
pub fn translate_source(path: &Path, text: &str, ctx: &Context) -> Result<Translated, SpecErrors> {
    // Only for excerpts: the text with its secrets masked (same positions).
    let source: Arc<str> = Arc::from(crate::excerpt::mask_secrets(text));
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut rooted;
    let ctx = if ctx.root.is_none() {
        rooted = ctx.clone();
        rooted.root = Some(dir.to_path_buf());
        &rooted
    } else {
        ctx
    };
    let node: SNode = match yaml::parse(text) {
        Ok(n) => n,
        Err(e) => {
            let mut p = Problem::top(format!("not valid YAML: {}", e.without_snippet()));
            if let Some(l) = e.location() {
                p.line = l.line();
                p.column = l.column();
                p.offset = crate::lab::span::location_range(text, &l).0;
                p.len = 1;
            }
            return Err(SpecErrors {
                errors: vec![p.into_error(path, &source)],
            });
        }
    };
    let errs = Problems::default();
    match run(&node, ctx, dir, &errs) {
        Ok(t) if errs.is_empty() => return Ok(t),
        Ok(_) => {}
        Err(p) => errs.push(p),
    }
    Err(SpecErrors {
        errors: errs
            .into_sorted()
            .into_iter()
            .map(|p| p.into_error(path, &source))
            .collect(),
    })
}

/// Detects the kind and dispatches. Field problems are recorded in `errs` as they are found;
/// an `Err` is a problem that stopped the translation (unknown kind, a value everything else
/// depends on).
fn run(node: &SNode, ctx: &Context, dir: &Path, errs: &Problems) -> Result<Translated, Problem> {
    let root = Obj::root(node, errs)?;
    let kind = kind::detect(root)?;
    let mut secrets = Vec::new();
    let (resource_path, body) = match kind {
        Kind::Workspace => workspace::translate(root, ctx)?,
        Kind::Compute => {
            let (p, b, s) = compute::translate(root, ctx)?;
            secrets = s;
            (p, b)
        }
        Kind::Datastore => {
            let (p, b, s) = datastore::translate(root)?;
            secrets = s;
            (p, b)
        }
        Kind::Data => data::translate(root)?,
        Kind::Environment => environment::translate(root, ctx, dir)?,
        Kind::Model => model::translate(root)?,
        Kind::Component => component::translate(root, ctx)?,
        Kind::Job => job::translate(root, ctx, dir)?,
        Kind::OnlineEndpoint => endpoint::online(root, ctx)?,
        Kind::OnlineDeployment => deployment::online(root, ctx, dir)?,
        Kind::BatchEndpoint => endpoint::batch(root, ctx)?,
        Kind::BatchDeployment => deployment::batch(root, ctx)?,
        Kind::Schedule => schedule::translate(root, ctx, dir)?,
    };
    Ok(Translated {
        kind,
        resource_path,
        body,
        secrets,
    })
}

/// Translates another spec file that a spec names (`component: ./c.yml`, `create_job:
/// ./job.yml`) with `f`. The file's problems are recorded in `parent` at `at`, each naming the
/// file, line and column; `None` when there were any.
pub(crate) fn nested<T>(
    parent: Obj<'_>,
    at: &SNode,
    ctx: &Context,
    path: &Path,
    what: &str,
    f: impl FnOnce(Obj<'_>) -> Result<T, Problem>,
) -> Option<T> {
    let root = ctx
        .root
        .as_deref()
        .or(path.parent())
        .unwrap_or(Path::new("."));
    let text = match read_text(root, path) {
        Ok(t) => t,
        Err(e) => {
            parent.report(Problem::at(
                at,
                format!("cannot read {what} {}: {e}", path.display()),
            ));
            return None;
        }
    };
    let node = match yaml::parse(&text) {
        Ok(n) => n,
        Err(e) => {
            parent.report(Problem::at(
                at,
                format!(
                    "{} is not valid YAML: {}",
                    path.display(),
                    e.without_snippet()
                ),
            ));
            return None;
        }
    };
    let errs = Problems::default();
    let result = Obj::root(&node, &errs).and_then(f);
    let result = errs.ok(result);
    let problems = errs.into_sorted();
    for p in &problems {
        parent.report(
            Problem::at(
                at,
                format!(
                    "in {}:{}:{}: {}",
                    path.display(),
                    p.line,
                    p.column,
                    p.message
                ),
            )
            .with_help_opt(p.help.clone()),
        );
    }
    if problems.is_empty() { result } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            subscription: "s".into(),
            resource_group: "g".into(),
            workspace: "w".into(),
            location: "westus".into(),
            root: None,
        }
    }

    #[test]
    fn secrets_are_sent_and_listed_for_redaction() {
        let text = "$schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json\nname: d\naccount_name: a\ncontainer_name: c\ncredentials:\n  sas_token: s3cret\n";
        let t = translate_source(Path::new("d.yml"), text, &ctx()).unwrap();
        assert_eq!(
            t.body["properties"]["credentials"]["secrets"]["sasToken"],
            "s3cret"
        );
        assert_eq!(t.secrets, vec!["/properties/credentials/secrets/sasToken"]);
        let r = t.redacted("X");
        assert_eq!(r["properties"]["credentials"]["secrets"]["sasToken"], "X");
        assert_eq!(t.resource_path, "datastores/d");
    }

    #[test]
    fn kind_comes_from_contents_when_the_schema_is_a_placeholder() {
        let text = "$schema: http://azureml/sdk-2-0/Schedule.json\nname: s\ntrigger: {type: cron, expression: '0 1 * * *'}\ncreate_monitor: {}\n";
        let e = translate_source(Path::new("m.yml"), text, &ctx()).unwrap_err();
        assert!(
            e.errors[0].message.contains("create_monitor.compute"),
            "{}",
            e.errors[0].message
        );
        let text = "name: c\ntype: amlcompute\n";
        assert_eq!(
            translate_source(Path::new("c.yml"), text, &ctx())
                .unwrap()
                .kind,
            Kind::Compute
        );
    }

    #[test]
    fn sweep_job_maps_like_the_sdk() {
        let text = "type: sweep\nname: j\ncompute: azureml:aml-cluster\nexperiment_name: e\nsampling_algorithm: grid\nsearch_space:\n  reg_rate: {type: choice, values: [0.01, 0.1, 1]}\nobjective: {goal: Maximize, primary_metric: training_accuracy_score}\nlimits: {max_total_trials: 4, max_concurrent_trials: 2, timeout: 7200}\nearly_termination: {type: bandit, slack_factor: 0.1, evaluation_interval: 1}\ntrial:\n  command: python t.py\n  environment: azureml:AzureML-sklearn-1.5@latest\n";
        let t = translate_source(Path::new("j.yml"), text, &ctx()).unwrap();
        let p = &t.body["properties"];
        assert_eq!(t.resource_path, "jobs/j");
        assert_eq!(p["samplingAlgorithm"]["samplingAlgorithmType"], "Grid");
        assert_eq!(
            p["searchSpace"]["reg_rate"],
            serde_json::json!(["choice", [[0.01, 0.1, 1]]])
        );
        assert_eq!(p["objective"]["goal"], "maximize");
        assert_eq!(p["limits"]["timeout"], "PT2H");
        assert_eq!(p["earlyTermination"]["policyType"], "Bandit");
        assert_eq!(
            p["trial"]["environmentId"],
            "azureml:AzureML-sklearn-1.5@latest"
        );
        assert!(
            p["computeId"]
                .as_str()
                .unwrap()
                .ends_with("/workspaces/w/computes/aml-cluster")
        );
    }

    #[test]
    fn yaml_errors_carry_line_and_column() {
        let e = translate_source(Path::new("x.yml"), "name: c\ntype: [amlcompute\n", &ctx())
            .unwrap_err();
        assert!(
            e.errors[0].message.starts_with("x.yml:"),
            "{}",
            e.errors[0].message
        );
        assert!(e.errors[0].line >= 2);
    }

    #[test]
    fn dp100_pipeline_sends_settings_outputs_and_anonymous_steps() {
        let text = "type: pipeline\nname: p\nsettings:\n  default_compute: azureml:aml-cluster\n  default_datastore: azureml:workspaceblobstore\noutputs:\n  pipeline_job_transformed_data: {mode: upload}\n  pipeline_job_trained_model: {mode: upload}\njobs:\n  prep:\n    command: python prep.py ${{outputs.o}}\n    environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest\n    outputs:\n      o: ${{parent.outputs.pipeline_job_transformed_data}}\n";
        let t = translate_source(Path::new("p.yml"), text, &ctx()).unwrap();
        let p = &t.body["properties"];
        assert_eq!(t.resource_path, "jobs/p");
        assert_eq!(p["jobType"], "Pipeline");
        assert!(
            p["settings"]["default_compute"]
                .as_str()
                .unwrap()
                .ends_with("/computes/aml-cluster")
        );
        assert!(
            p["settings"]["default_datastore"]
                .as_str()
                .unwrap()
                .ends_with("/datastores/workspaceblobstore")
        );
        assert_eq!(p["outputs"]["pipeline_job_trained_model"]["mode"], "Upload");
        let step = &p["jobs"]["prep"];
        assert!(
            step["componentId"]
                .as_str()
                .unwrap()
                .contains("/components/azureml_anonymous/versions/")
        );
        assert_eq!(
            step["outputs"]["o"]["value"],
            "${{parent.outputs.pipeline_job_transformed_data}}"
        );
        let bad = text.replace(
            "default_compute: azureml:aml-cluster",
            "default_compute: aml-cluster",
        );
        let e = translate_source(Path::new("p.yml"), &bad, &ctx()).unwrap_err();
        assert!(
            e.errors[0].message.contains("`azureml:` prefix"),
            "{}",
            e.errors[0].message
        );
    }

    #[test]
    fn monitors_needing_the_service_are_rejected_with_what_to_write() {
        let text = "name: m\ntrigger: {type: recurrence, frequency: day, interval: 1}\ncreate_monitor:\n  compute: {instance_type: standard_e4s_v3, runtime_version: '3.4'}\n  monitoring_target: {ml_task: classification, endpoint_deployment_id: azureml:e:d}\n  monitoring_signals:\n    drift:\n      type: data_drift\n      reference_data: {input_data: {path: azureml:r:1, type: mltable}, data_context: training}\n";
        let e = translate_source(Path::new("m.yml"), text, &ctx()).unwrap_err();
        assert!(
            e.errors[0].message.contains("production_data"),
            "{}",
            e.errors[0].message
        );
        let ok = text.replace("      reference_data:", "      production_data: {input_data: {path: azureml:p:1, type: uri_folder}, data_context: model_inputs}\n      reference_data:");
        let t = translate_source(Path::new("m.yml"), &ok, &ctx()).unwrap();
        let d = &t.body["properties"]["action"]["monitorDefinition"];
        assert!(
            d["monitoringTarget"]["deploymentId"]
                .as_str()
                .unwrap()
                .ends_with("/onlineEndpoints/e/deployments/d")
        );
        assert_eq!(d["signals"]["drift"]["productionData"]["windowSize"], "P1D");
        assert_eq!(d["signals"]["drift"]["mode"], "Disabled");
    }

    #[test]
    fn trigger_times_are_sent_as_the_sdk_formats_them() {
        assert_eq!(
            schedule::trigger_time("2022-07-10T10:00:00"),
            "2022-07-10 10:00:00"
        );
        assert_eq!(
            schedule::trigger_time("2022-07-10T10:00:05.123Z"),
            "2022-07-10 10:00:05"
        );
        assert_eq!(
            schedule::trigger_time("2022-07-10T10:00"),
            "2022-07-10 10:00:00"
        );
        assert_eq!(schedule::trigger_time("tomorrow"), "tomorrow");
    }
}
