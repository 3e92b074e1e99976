//! Sweep jobs -> `SweepJob` properties: search space, sampling, objective, limits, early
//! termination.

use serde_json::{Map, Value, json};

use super::super::Context;
use super::super::deployment::code_id;
use super::super::duration::iso_seconds;
use super::super::error::Problem;
use super::super::node::{Node, Obj, SNode, Values, put};
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
    ]);
    let mut p = common(root, ctx, "Sweep");
    p.insert("inputs".into(), inputs(root, ctx));
    if let Some(et) = root.obj("early_termination", "early_termination")
        && let Some(v) = root.ok(early_termination(et))
    {
        p.insert("earlyTermination".into(), v);
    }
    if let Some(limits) = root.ok(root.req_obj("limits", "limits")) {
        limits.only(&[
            "max_total_trials",
            "max_concurrent_trials",
            "timeout",
            "trial_timeout",
        ]);
        let mut l = Map::new();
        l.insert("jobLimitsType".into(), json!("Sweep"));
        put(
            &mut l,
            "maxConcurrentTrials",
            limits.int("max_concurrent_trials"),
        );
        put(&mut l, "maxTotalTrials", limits.int("max_total_trials"));
        put(
            &mut l,
            "timeout",
            limits.seconds("timeout").map(iso_seconds),
        );
        put(
            &mut l,
            "trialTimeout",
            limits.seconds("trial_timeout").map(iso_seconds),
        );
        p.insert("limits".into(), Value::Object(l));
    }
    if let Some(obj) = root.ok(root.req_obj("objective", "objective")) {
        obj.only(&["goal", "primary_metric"]);
        let goal = obj.ok(obj.req_choice("goal", &["maximize", "minimize"]));
        p.insert(
            "objective".into(),
            json!({"goal": goal, "primaryMetric": obj.req_str("primary_metric")}),
        );
    }
    if let Some(v) = root.ok(sampling(root)) {
        p.insert("samplingAlgorithm".into(), v);
    }
    if let Some(space) = root.ok(root.req_obj("search_space", "search_space")) {
        p.insert("searchSpace".into(), search_space(space));
    }
    let trial = root.req_obj("trial", "trial")?;
    trial.only(&[
        "command",
        "code",
        "environment",
        "environment_variables",
        "resources",
        "distribution",
        "type",
    ]);
    let mut t = Map::new();
    put(
        &mut t,
        "codeId",
        trial.str("code").map(|c| code_id(ctx, &c)),
    );
    t.insert("command".into(), json!(trial.req_str("command")));
    put(&mut t, "environmentId", environment_id(trial, ctx));
    t.insert(
        "environmentVariables".into(),
        trial.str_map_or_empty("environment_variables", Values::Raw),
    );
    if let Some(r) = super::command::resources(trial) {
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
        let o = root.sub(node, "sampling_algorithm")?;
        o.only(&["type", "seed", "rule", "logbase"]);
        let t = o
            .choice_checked("type", &allowed)?
            .unwrap_or_else(|| "random".into());
        let mut m = Map::new();
        m.insert("samplingAlgorithmType".into(), json!(pascal(&t)));
        put(&mut m, "seed", o.int("seed"));
        // RandomSamplingAlgorithm._to_rest_object passes `rule` as written
        // (entities/_job/sweep/sampling_algorithm.py).
        put(&mut m, "rule", o.str("rule"));
        put(&mut m, "logbase", o.str("logbase"));
        return Ok(Value::Object(m));
    }
    let t = root
        .choice_checked("sampling_algorithm", &allowed)?
        .unwrap_or_default();
    Ok(json!({"samplingAlgorithmType": pascal(&t)}))
}

/// `early_termination:` -> policy, with the defaults of the SDK's policy classes
/// (azure/ai/ml/entities/_job/sweep/early_termination_policy.py): every number not written is
/// sent as 0, except a median stopping policy's `evaluation_interval`, which is 1.
fn early_termination(o: Obj<'_>) -> Result<Value, Problem> {
    o.only(&[
        "type",
        "evaluation_interval",
        "delay_evaluation",
        "slack_factor",
        "slack_amount",
        "truncation_percentage",
    ]);
    let t = o.req_choice(
        "type",
        &["bandit", "median_stopping", "truncation_selection"],
    )?;
    let interval = if t == "median_stopping" { 1 } else { 0 };
    let mut m = Map::new();
    m.insert(
        "delayEvaluation".into(),
        json!(o.int("delay_evaluation").unwrap_or(0)),
    );
    m.insert(
        "evaluationInterval".into(),
        json!(o.int("evaluation_interval").unwrap_or(interval)),
    );
    m.insert("policyType".into(), json!(pascal(&t)));
    if t == "bandit" {
        m.insert(
            "slackAmount".into(),
            o.num("slack_amount").unwrap_or(json!(0)),
        );
        m.insert(
            "slackFactor".into(),
            o.num("slack_factor").unwrap_or(json!(0)),
        );
    }
    if t == "truncation_selection" {
        m.insert(
            "truncationPercentage".into(),
            json!(o.int("truncation_percentage").unwrap_or(0)),
        );
    }
    Ok(Value::Object(m))
}

/// `search_space:` -> `{"p": ["choice", [[...]]], "q": ["uniform", [min, max]]}`; a bad
/// parameter is recorded and left out.
fn search_space(o: Obj<'_>) -> Value {
    let mut out = Map::new();
    for (k, v) in o.entries() {
        if let Some(p) = o.ok(parameter(o, &k.value, v)) {
            out.insert(k.value.clone(), p);
        }
    }
    Value::Object(out)
}

/// One search space parameter: `[type, [arguments]]`.
fn parameter(space: Obj<'_>, name: &str, v: &SNode) -> Result<Value, Problem> {
    let e = space.sub(v, "search_space.<name>")?;
    let kinds = [
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
    ];
    let t = e.choice_checked("type", &kinds)?.ok_or_else(|| {
        Problem::at(
            v,
            format!("missing required field `search_space.{name}.type`"),
        )
        .with_help(format!("`type` is one of {}", kinds.join(", ")))
    })?;
    let args: &[&str] = match t.as_str() {
        "choice" => &["values"],
        "randint" => &["upper"],
        "uniform" | "loguniform" => &["min_value", "max_value"],
        "quniform" | "qloguniform" => &["min_value", "max_value", "q"],
        "normal" | "lognormal" => &["mu", "sigma"],
        _ => &["mu", "sigma", "q"],
    };
    let mut fields = vec!["type"];
    fields.extend(args);
    e.only(&fields);
    let mut values = Vec::new();
    for a in args {
        if let Some(n) = e.ok(e.req(a)) {
            values.push(n.value.to_json());
        }
    }
    Ok(json!([t, values]))
}
