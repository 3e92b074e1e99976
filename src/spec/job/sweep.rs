//! Sweep jobs -> `SweepJob` properties: search space, sampling, objective, limits, early
//! termination.

use serde_json::{Map, Value, json};

use super::super::Context;
use super::super::deployment::code_id;
use super::super::duration::iso_seconds;
use super::super::error::Problem;
use super::super::node::{Node, Obj, put};
use super::{common, environment_id, inputs, pascal};

/// The `properties` of a sweep job.
pub(crate) fn translate(root: Obj<'_>, ctx: &Context) -> Result<Map<String, Value>, Problem> {
    root.only(&[
        "type",
        "name",
        "display_name",
        "experiment_name",
        "description",
        "tags",
        "properties",
        "compute",
        "trial",
        "inputs",
        "outputs",
        "sampling_algorithm",
        "search_space",
        "objective",
        "limits",
        "early_termination",
        "identity",
        "queue_settings",
        "resources",
    ])?;
    let mut p = common(root, ctx, "Sweep")?;
    p.insert("inputs".into(), inputs(root, ctx)?);
    if let Some(et) = root.obj("early_termination", "early_termination")? {
        p.insert("earlyTermination".into(), early_termination(et)?);
    }
    let limits = Obj::of(root.req("limits")?, "limits")?;
    limits.only(&[
        "max_total_trials",
        "max_concurrent_trials",
        "timeout",
        "trial_timeout",
    ])?;
    let mut l = Map::new();
    l.insert("jobLimitsType".into(), json!("Sweep"));
    put(
        &mut l,
        "maxConcurrentTrials",
        limits.int("max_concurrent_trials")?,
    );
    put(&mut l, "maxTotalTrials", limits.int("max_total_trials")?);
    put(&mut l, "timeout", limits.int("timeout")?.map(iso_seconds));
    put(
        &mut l,
        "trialTimeout",
        limits.int("trial_timeout")?.map(iso_seconds),
    );
    p.insert("limits".into(), Value::Object(l));
    let obj = Obj::of(root.req("objective")?, "objective")?;
    obj.only(&["goal", "primary_metric"])?;
    let goal = obj
        .choice("goal", &["maximize", "minimize"])?
        .ok_or_else(|| {
            Problem::at(
                obj.node,
                "missing required field `objective.goal` (maximize or minimize)",
            )
        })?;
    p.insert(
        "objective".into(),
        json!({"goal": goal, "primaryMetric": obj.req_str("primary_metric")?}),
    );
    p.insert("samplingAlgorithm".into(), sampling(root)?);
    p.insert(
        "searchSpace".into(),
        search_space(Obj::of(root.req("search_space")?, "search_space")?)?,
    );
    let trial = Obj::of(root.req("trial")?, "trial")?;
    trial.only(&[
        "command",
        "code",
        "environment",
        "environment_variables",
        "resources",
        "distribution",
        "type",
    ])?;
    let mut t = Map::new();
    put(
        &mut t,
        "codeId",
        trial.str("code")?.map(|c| code_id(ctx, &c)),
    );
    t.insert("command".into(), json!(trial.req_str("command")?));
    let env = environment_id(trial, ctx)?
        .ok_or_else(|| Problem::at(trial.node, "missing required field `trial.environment`"))?;
    t.insert("environmentId".into(), json!(env));
    t.insert(
        "environmentVariables".into(),
        Value::Object(trial.str_map("environment_variables")?.unwrap_or_default()),
    );
    if let Some(r) = super::command::resources(trial)? {
        t.insert("resources".into(), r);
    }
    p.insert("trial".into(), Value::Object(t));
    Ok(p)
}

/// `sampling_algorithm: random` or `{type: random, seed, rule}`.
fn sampling(root: Obj<'_>) -> Result<Value, Problem> {
    let node = root.req("sampling_algorithm")?;
    let allowed = ["random", "grid", "bayesian"];
    if let Node::Map(_) = node.value {
        let o = Obj::of(node, "sampling_algorithm")?;
        o.only(&["type", "seed", "rule", "logbase"])?;
        let t = o
            .choice("type", &allowed)?
            .unwrap_or_else(|| "random".into());
        let mut m = Map::new();
        m.insert("samplingAlgorithmType".into(), json!(pascal(&t)));
        put(&mut m, "seed", o.int("seed")?);
        put(&mut m, "rule", o.str("rule")?.map(|r| pascal(&r)));
        put(&mut m, "logbase", o.str("logbase")?);
        return Ok(Value::Object(m));
    }
    let t = root
        .choice("sampling_algorithm", &allowed)?
        .unwrap_or_default();
    Ok(json!({"samplingAlgorithmType": pascal(&t)}))
}

/// `early_termination:` -> policy.
fn early_termination(o: Obj<'_>) -> Result<Value, Problem> {
    o.only(&[
        "type",
        "evaluation_interval",
        "delay_evaluation",
        "slack_factor",
        "slack_amount",
        "truncation_percentage",
    ])?;
    let t = o
        .choice(
            "type",
            &["bandit", "median_stopping", "truncation_selection"],
        )?
        .ok_or_else(|| Problem::at(o.node, "missing required field `early_termination.type`"))?;
    let mut m = Map::new();
    m.insert(
        "delayEvaluation".into(),
        json!(o.int("delay_evaluation")?.unwrap_or(0)),
    );
    m.insert(
        "evaluationInterval".into(),
        json!(o.int("evaluation_interval")?.unwrap_or(0)),
    );
    m.insert("policyType".into(), json!(pascal(&t)));
    if t == "bandit" {
        put(&mut m, "slackAmount", o.num("slack_amount")?);
        put(&mut m, "slackFactor", o.num("slack_factor")?);
    }
    if t == "truncation_selection" {
        put(
            &mut m,
            "truncationPercentage",
            o.int("truncation_percentage")?,
        );
    }
    Ok(Value::Object(m))
}

/// `search_space:` -> `{"p": ["choice", [[...]]], "q": ["uniform", [min, max]]}`.
fn search_space(o: Obj<'_>) -> Result<Value, Problem> {
    let mut out = Map::new();
    for (k, v) in o.entries() {
        let e = Obj::of(v, "search_space.<name>")?;
        let t = e
            .choice(
                "type",
                &[
                    "choice",
                    "randint",
                    "uniform",
                    "loguniform",
                    "normal",
                    "lognormal",
                    "quniform",
                    "qloguniform",
                    "qnormal",
                    "qlognormal",
                ],
            )?
            .ok_or_else(|| {
                Problem::at(
                    v,
                    format!("missing required field `search_space.{}.type`", k.value),
                )
            })?;
        let args = match t.as_str() {
            "choice" => {
                e.only(&["type", "values"])?;
                let vals = e.req("values")?.value.to_json();
                json!([vals])
            }
            "randint" => {
                e.only(&["type", "upper"])?;
                json!([e.req("upper")?.value.to_json()])
            }
            "uniform" | "loguniform" => {
                e.only(&["type", "min_value", "max_value"])?;
                json!([
                    e.req("min_value")?.value.to_json(),
                    e.req("max_value")?.value.to_json()
                ])
            }
            "quniform" | "qloguniform" => {
                e.only(&["type", "min_value", "max_value", "q"])?;
                json!([
                    e.req("min_value")?.value.to_json(),
                    e.req("max_value")?.value.to_json(),
                    e.req("q")?.value.to_json()
                ])
            }
            "normal" | "lognormal" => {
                e.only(&["type", "mu", "sigma"])?;
                json!([
                    e.req("mu")?.value.to_json(),
                    e.req("sigma")?.value.to_json()
                ])
            }
            _ => {
                e.only(&["type", "mu", "sigma", "q"])?;
                json!([
                    e.req("mu")?.value.to_json(),
                    e.req("sigma")?.value.to_json(),
                    e.req("q")?.value.to_json()
                ])
            }
        };
        out.insert(k.value.clone(), json!([t, args]));
    }
    Ok(Value::Object(out))
}
