//! Validation of a job definition (`properties` of a job, or a schedule's `jobDefinition`):
//! job types, references to computes and environments, inputs and outputs, and the rule that
//! decides whether the job will fail.
//!
//! **The failing-job rule** (deterministic, documented in docs/src/emulator.md): a Command job
//! (or a Sweep job's trial) whose environment is a workspace environment version with neither a
//! conda file nor a build context (a plain docker image) and whose command runs `python` ends
//! `Failed` with `ModuleNotFoundError: No module named 'pandas'`, the error a learner sees when
//! a training script imports pandas on a bare image.

use regex::Regex;
use serde_json::{Map, Value, json};

use super::environment::has_python_dependencies;
use super::refs::{Lookup, Resolved};
use super::scoped::At;
use crate::emulator::error::ArmResult;
use crate::emulator::fields;

/// Job types the emulator runs.
pub(crate) const JOB_TYPES: &[&str] = &[
    "Command",
    "Sweep",
    "AutoML",
    "Pipeline",
    "Spark",
    "FineTuning",
    "Distillation",
];

const INPUT_TYPES: &[&str] = &[
    "literal",
    "uri_file",
    "uri_folder",
    "mltable",
    "custom_model",
    "mlflow_model",
    "triton_model",
];
const OUTPUT_TYPES: &[&str] = &[
    "uri_file",
    "uri_folder",
    "mltable",
    "custom_model",
    "mlflow_model",
    "triton_model",
];
const TASK_TYPES: &[&str] = &[
    "Classification",
    "Regression",
    "Forecasting",
    "ImageClassification",
    "ImageClassificationMultilabel",
    "ImageObjectDetection",
    "ImageInstanceSegmentation",
    "TextClassification",
    "TextClassificationMultilabel",
    "TextNER",
];
const CLASSIFICATION_METRICS: &[&str] = &[
    "AUCWeighted",
    "Accuracy",
    "NormMacroRecall",
    "AveragePrecisionScoreWeighted",
    "PrecisionScoreWeighted",
];
const REGRESSION_METRICS: &[&str] = &[
    "NormalizedRootMeanSquaredError",
    "SpearmanCorrelation",
    "R2Score",
    "NormalizedMeanAbsoluteError",
];

/// What validation decided about a job.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JobPlan {
    /// The job type (canonical).
    pub(crate) job_type: &'static str,
    /// The error the job will fail with, if it fails.
    pub(crate) failure: Option<Value>,
}

/// The error of a job that runs python on an image without Python dependencies.
fn pandas_failure() -> Value {
    json!({
        "code": "UserError",
        "message": "Execution failed. User process 'python' exited with status code 1. Please check log file 'user_logs/std_log.txt' for more details.\nError: Traceback (most recent call last):\n  File \"train.py\", line 2, in <module>\n    import pandas as pd\nModuleNotFoundError: No module named 'pandas'",
        "target": "environmentId",
        "details": []
    })
}

/// Validates and completes the job definition `p` (at `at`) of job `name`.
pub(crate) fn validate(
    look: &Lookup<'_>,
    at: At<'_>,
    name: &str,
    p: &mut Value,
) -> ArmResult<JobPlan> {
    let job_type = at.req_enum(p, "jobType", JOB_TYPES)?;
    if job_type == "Spark" {
        return Err(at.error(
            "jobType",
            "Spark jobs are not supported by the amlab emulator; use Command, Sweep, AutoML, Pipeline, FineTuning or Distillation",
        ));
    }
    fields::default(p, "displayName", json!(name));
    fields::default(p, "experimentName", json!("Default"));
    fields::default(p, "description", Value::Null);
    fields::default(p, "tags", json!({}));
    fields::default(p, "properties", json!({}));
    fields::default(p, "isArchived", json!(false));
    if let Some(compute) = at.opt_str(p, "computeId")?.filter(|s| !s.trim().is_empty()) {
        let c = look.compute(&at.path("computeId"), compute)?;
        fields::set(p, "computeId", json!(c.id));
    } else {
        fields::set(p, "computeId", Value::Null);
    }
    inputs(at, p)?;
    outputs(at, p, name)?;
    let failure = match job_type {
        "Command" => command(look, at, p)?,
        "Sweep" => sweep(look, at, p)?,
        "AutoML" => automl(look, at, p)?,
        "FineTuning" => super::job_finetuning::fine_tuning(at, p)?,
        "Distillation" => super::job_finetuning::distillation(at, p)?,
        _ => pipeline(at, p)?,
    };
    Ok(JobPlan { job_type, failure })
}

/// Whether `command` runs python.
fn runs_python(command: &str) -> bool {
    Regex::new(r"(?:^|[\s;&|(])python(?:3(?:\.\d+)?)?(?:\s|$)").is_ok_and(|r| r.is_match(command))
}

/// Checks `command` and `environmentId` of a command-like object (a job or a sweep trial) and
/// returns the failure the rule predicts.
fn command_and_environment(
    look: &Lookup<'_>,
    at: At<'_>,
    p: &mut Value,
) -> ArmResult<Option<Value>> {
    let command = at.req_str(p, "command")?.to_owned();
    let env = at.req_str(p, "environmentId")?.to_owned();
    let resolved = look.environment(&at.path("environmentId"), &env)?;
    if let Resolved::Local(r) = &resolved {
        fields::set(p, "environmentId", json!(r.id));
    }
    let bare = resolved
        .local()
        .is_some_and(|r| !has_python_dependencies(&r.body));
    Ok((bare && runs_python(&command)).then(pandas_failure))
}

fn command(look: &Lookup<'_>, at: At<'_>, p: &mut Value) -> ArmResult<Option<Value>> {
    let failure = command_and_environment(look, at, p)?;
    resources(at, p)?;
    fields::default(p, "environmentVariables", json!({}));
    fields::default(p, "codeId", Value::Null);
    fields::default(p, "distribution", Value::Null);
    fields::default(p, "parameters", Value::Null);
    if fields::get(p, "distribution").is_some() {
        at.req_enum(
            p,
            "distribution.distributionType",
            &["PyTorch", "TensorFlow", "Mpi"],
        )?;
    }
    if fields::get(p, "limits").is_some() {
        fields::default(p, "limits.jobLimitsType", json!("Command"));
        if fields::get(p, "limits.timeout").is_some() {
            at.duration_or(p, "limits.timeout", "PT1H")?;
        }
    } else {
        fields::set(p, "limits", Value::Null);
    }
    Ok(failure)
}

fn resources(at: At<'_>, p: &mut Value) -> ArmResult<()> {
    if fields::get(p, "resources").is_some_and(|r| !r.is_object()) {
        return Err(at.error(
            "resources",
            format!("{} must be an object", at.path("resources")),
        ));
    }
    at.int_or(p, "resources.instanceCount", 1, 1000, 1)?;
    fields::default(p, "resources.shmSize", json!("2g"));
    fields::default(p, "resources.instanceType", Value::Null);
    Ok(())
}

fn is_choice(v: &Value) -> bool {
    match v {
        Value::String(s) => s.trim_start().to_ascii_lowercase().starts_with("choice("),
        Value::Array(a) => a
            .first()
            .and_then(Value::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("choice")),
        _ => false,
    }
}

fn sweep(look: &Lookup<'_>, at: At<'_>, p: &mut Value) -> ArmResult<Option<Value>> {
    at.req_object(p, "samplingAlgorithm")?;
    let algorithm = at.req_enum(
        p,
        "samplingAlgorithm.samplingAlgorithmType",
        &["Grid", "Random", "Bayesian"],
    )?;
    if algorithm == "Random" {
        at.enum_or(p, "samplingAlgorithm.rule", &["Random", "Sobol"], "Random")?;
    }
    let space = at.req_object(p, "searchSpace")?.clone();
    let space = space.as_object().cloned().unwrap_or_default();
    if space.is_empty() {
        return Err(at.error(
            "searchSpace",
            format!(
                "{} must define at least one hyperparameter",
                at.path("searchSpace")
            ),
        ));
    }
    if algorithm == "Grid"
        && let Some((k, _)) = space.iter().find(|(_, v)| !is_choice(v))
    {
        return Err(at.error(
            &format!("searchSpace.{k}"),
            format!("Grid sampling supports only choice() hyperparameters; '{k}' is not a choice"),
        ));
    }
    at.req_object(p, "objective")?;
    at.req_enum(p, "objective.goal", &["Maximize", "Minimize"])?;
    at.req_str(p, "objective.primaryMetric")?;
    at.req_object(p, "limits")?;
    fields::default(p, "limits.jobLimitsType", json!("Sweep"));
    let total = at.int_or(p, "limits.maxTotalTrials", 1, 10_000, 1)?;
    at.int_or(p, "limits.maxConcurrentTrials", 1, 10_000, total)?;
    for d in ["timeout", "trialTimeout"] {
        if fields::get(p, &format!("limits.{d}")).is_some() {
            at.duration_or(p, &format!("limits.{d}"), "PT1H")?;
        }
    }
    if fields::get(p, "earlyTermination").is_some() {
        if algorithm == "Bayesian" {
            return Err(at.error(
                "earlyTermination",
                "Early termination policies are not supported with Bayesian sampling",
            ));
        }
        at.req_enum(
            p,
            "earlyTermination.policyType",
            &["Bandit", "MedianStopping", "TruncationSelection"],
        )?;
    } else {
        fields::set(p, "earlyTermination", Value::Null);
    }
    let mut trial = at.req_object(p, "trial")?.clone();
    let trial_at = At {
        prefix: &at.path("trial"),
    };
    let failure = command_and_environment(look, trial_at, &mut trial)?;
    resources(trial_at, &mut trial)?;
    fields::set(p, "trial", trial);
    Ok(failure)
}

fn automl(look: &Lookup<'_>, at: At<'_>, p: &mut Value) -> ArmResult<Option<Value>> {
    at.req_object(p, "taskDetails")?;
    let task = at.req_enum(p, "taskDetails.taskType", TASK_TYPES)?;
    at.req_object(p, "taskDetails.trainingData")?;
    at.req_str(p, "taskDetails.trainingData.uri")?;
    at.enum_or(
        p,
        "taskDetails.trainingData.jobInputType",
        &["mltable"],
        "mltable",
    )?;
    let tabular = matches!(task, "Classification" | "Regression" | "Forecasting");
    if tabular {
        at.req_str(p, "taskDetails.targetColumnName")?;
        let (metrics, dflt) = if task == "Classification" {
            (CLASSIFICATION_METRICS, "AUCWeighted")
        } else {
            (REGRESSION_METRICS, "NormalizedRootMeanSquaredError")
        };
        at.enum_or(p, "taskDetails.primaryMetric", metrics, dflt)?;
        at.int_or(p, "taskDetails.limitSettings.maxTrials", 1, 1000, 1000)?;
        at.int_or(
            p,
            "taskDetails.limitSettings.maxConcurrentTrials",
            1,
            1000,
            1,
        )?;
        at.duration_or(p, "taskDetails.limitSettings.timeout", "PT6H")?;
        at.duration_or(p, "taskDetails.limitSettings.trialTimeout", "PT30M")?;
        fields::default(
            p,
            "taskDetails.limitSettings.enableEarlyTermination",
            json!(true),
        );
    }
    if let Some(env) = at.opt_str(p, "environmentId")?.map(str::to_owned) {
        look.environment(&at.path("environmentId"), &env)?;
    }
    Ok(None)
}

fn pipeline(at: At<'_>, p: &mut Value) -> ArmResult<Option<Value>> {
    // `jobs` is optional: the 2025-12-01 spec's PipelineJob requires only `jobType`, and its
    // own example (examples/Job/PipelineJob/createOrUpdate.json) submits a pipeline job
    // without `jobs` and shows it accepted (201). A `jobs` map that is given must name steps.
    if fields::get(p, "jobs").is_none() {
        fields::default(p, "settings", json!({}));
        return Ok(None);
    }
    let jobs = at.req_object(p, "jobs")?;
    let Some(jobs) = jobs.as_object() else {
        return Err(at.missing("jobs"));
    };
    if jobs.is_empty() {
        return Err(at.error(
            "jobs",
            format!("{} must contain at least one step", at.path("jobs")),
        ));
    }
    if let Some((k, _)) = jobs.iter().find(|(_, v)| !v.is_object()) {
        return Err(at.error(
            &format!("jobs.{k}"),
            format!("{} must be an object", at.path(&format!("jobs.{k}"))),
        ));
    }
    super::pipeline_steps::check(at, jobs)?;
    fields::default(p, "settings", json!({}));
    Ok(None)
}

fn inputs(at: At<'_>, p: &mut Value) -> ArmResult<()> {
    let Some(map) = fields::get(p, "inputs").cloned() else {
        fields::set(p, "inputs", json!({}));
        return Ok(());
    };
    let Some(map) = map.as_object() else {
        return Err(at.error("inputs", format!("{} must be an object", at.path("inputs"))));
    };
    let mut out = Map::new();
    for (name, input) in map {
        let mut input = input.clone();
        let rel = format!("inputs.{name}");
        let kind = at
            .req_enum(&mut input, "jobInputType", INPUT_TYPES)
            .map_err(|_| match fields::get_str(&input, "jobInputType") {
                None => at.missing(&format!("{rel}.jobInputType")),
                Some(v) => at.error(
                    &format!("{rel}.jobInputType"),
                    format!(
                        "{} has an invalid value '{v}'; allowed values are: {}",
                        at.path(&format!("{rel}.jobInputType")),
                        INPUT_TYPES.join(", ")
                    ),
                ),
            })?;
        if kind == "literal" {
            if fields::get(&input, "value").is_none() {
                return Err(at.missing(&format!("{rel}.value")));
            }
        } else {
            if fields::get_str(&input, "uri").is_none_or(|u| u.trim().is_empty()) {
                return Err(at.missing(&format!("{rel}.uri")));
            }
            fields::default(&mut input, "mode", json!("ReadOnlyMount"));
        }
        fields::default(&mut input, "description", Value::Null);
        out.insert(name.clone(), input);
    }
    fields::set(p, "inputs", Value::Object(out));
    Ok(())
}

fn outputs(at: At<'_>, p: &mut Value, job: &str) -> ArmResult<()> {
    let given = match fields::get(p, "outputs") {
        None => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            return Err(at.error(
                "outputs",
                format!("{} must be an object", at.path("outputs")),
            ));
        }
    };
    let base = super::job_log::default_output_uri(job);
    let mut out = Map::new();
    out.insert(
        "default".into(),
        json!({"jobOutputType": "uri_folder", "mode": "ReadWriteMount", "uri": base, "description": null}),
    );
    for (name, output) in given {
        let rel = format!("outputs.{name}");
        let mut output = output;
        if !output.is_object() {
            return Err(at.error(&rel, format!("{} must be an object", at.path(&rel))));
        }
        let field = format!("{rel}.jobOutputType");
        let kind = at
            .opt_str(&output, "jobOutputType")
            .map_err(|_| at.error(&field, format!("{} must be a string", at.path(&field))))?;
        let kind = kind.unwrap_or("uri_folder").to_owned();
        let canon = at.one_of(&field, &kind, OUTPUT_TYPES)?;
        fields::set(&mut output, "jobOutputType", json!(canon));
        let mode = fields::get_str(&output, "mode")
            .unwrap_or("ReadWriteMount")
            .to_owned();
        let mode = at.one_of(
            &format!("{rel}.mode"),
            &mode,
            &["ReadWriteMount", "Upload", "Direct"],
        )?;
        fields::set(&mut output, "mode", json!(mode));
        let suffix = if canon == "uri_file" { "" } else { "/" };
        fields::default(
            &mut output,
            "uri",
            json!(format!("{base}outputs/{name}{suffix}")),
        );
        fields::default(&mut output, "description", Value::Null);
        out.insert(name, output);
    }
    fields::set(p, "outputs", Value::Object(out));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::runs_python;

    #[test]
    fn python_commands_are_recognized() {
        assert!(runs_python("python train.py --x 1"));
        assert!(runs_python("cd src && python3 train.py"));
        assert!(runs_python("python3.10 -m pip list"));
        assert!(!runs_python("pip freeze"));
        assert!(!runs_python("echo pythonic"));
    }
}
