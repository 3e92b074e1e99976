//! Monitor schedules (`create_monitor`) -> `monitorDefinition`, as the SDK's
//! `MonitorSchedule._to_rest_object()` builds it after
//! `ScheduleOperations._resolve_monitor_schedule_arm_id` (deployment, data and preprocessing
//! component references become ARM ids). What the SDK can only fill in from the service (signals
//! or datasets taken from the deployment's data collector) and signals the SDK does not
//! serialise (`generation_safety_quality` raises `NotImplementedError`) are rejected with a
//! diagnostic saying what to write instead.

use serde_json::{Map, Value, json};

use super::Context;
use super::error::Problem;
use super::job::camel;
use super::node::{Node, Obj, SNode, put};
use super::refs::versioned;

/// The trigger's default trailing window for production data (the SDK derives it from the
/// recurrence: `P<interval>D` for days, weeks as 7 days, months as 30, `P1D` for minutes and
/// hours, `P7D` for cron triggers).
pub(crate) fn default_window(frequency: Option<&str>, interval: i64) -> String {
    match frequency {
        Some("minute" | "hour") => "P1D".into(),
        Some("day") => format!("P{interval}D"),
        Some("week") => format!("P{}D", interval * 7),
        Some("month") => format!("P{}D", interval * 30),
        _ => "P7D".into(),
    }
}

/// `create_monitor:` -> `monitorDefinition`.
pub(crate) fn translate(m: Obj<'_>, ctx: &Context, window: &str) -> Result<Value, Problem> {
    m.only(&[
        "compute",
        "monitoring_target",
        "monitoring_signals",
        "alert_notification",
    ]);
    let mut d = Map::new();
    if let Some(a) = m.obj("alert_notification", "create_monitor.alert_notification") {
        a.only(&["emails"]);
        let emails = a.get("emails").map_or(json!([]), |n| n.value.to_json());
        d.insert(
            "alertNotificationSetting".into(),
            json!({"alertNotificationType": "Email",
                   "emailNotificationSetting": {"emailOn": ["JobFailed", "JobCompleted"], "emails": emails}}),
        );
    }
    if let Some(c) = m.ok(m.req_obj("compute", "create_monitor.compute")) {
        c.only(&["instance_type", "runtime_version"]);
        d.insert(
            "computeConfiguration".into(),
            json!({
                "computeIdentity": {"computeIdentityType": "AmlToken"},
                "computeType": "ServerlessSpark",
                "instanceType": c.req_str("instance_type"),
                "runtimeVersion": c.req_str("runtime_version"),
            }),
        );
    }
    let mut task = None;
    if let Some(t) = m.obj("monitoring_target", "create_monitor.monitoring_target") {
        t.only(&["ml_task", "endpoint_deployment_id", "model_id"]);
        let mut mt = Map::new();
        if let Some(id) = t.str("endpoint_deployment_id") {
            put(&mut mt, "deploymentId", t.ok(deployment_id(ctx, &id, t)));
        }
        if let Some(id) = t.str("model_id") {
            let at = t.get("model_id").unwrap_or(t.node);
            put(
                &mut mt,
                "modelId",
                t.ok(versioned(ctx, "models", &id).map_err(|e| Problem::at(at, e))),
            );
        }
        task = t.str("ml_task");
        if let Some(k) = &task {
            mt.insert("taskType".into(), json!(k));
        }
        d.insert("monitoringTarget".into(), Value::Object(mt));
    }
    if !m.has("monitoring_signals") {
        return Err(Problem::at(
            m.node,
            "a monitor without `monitoring_signals` gets its signals from the deployment's data collector, which needs the service: `amlab spec` cannot build it",
        )
        .with_help("list the signals under `monitoring_signals`, each with `production_data` and `reference_data`"));
    }
    let mut out = Map::new();
    if let Some(signals) = m.obj("monitoring_signals", "create_monitor.monitoring_signals") {
        for (k, v) in signals.entries() {
            if let Some(sig) = m.ok(signal(signals, &k.value, v, ctx, task.as_deref(), window)) {
                out.insert(k.value.clone(), sig);
            }
        }
    }
    d.insert("signals".into(), Value::Object(out));
    Ok(Value::Object(d))
}

/// `endpoint:deployment` (or an ARM id) -> the deployment's ARM id.
fn deployment_id(ctx: &Context, id: &str, t: Obj<'_>) -> Result<String, Problem> {
    let r = id.strip_prefix("azureml:").unwrap_or(id);
    if r.starts_with("/subscriptions/") {
        return Ok(r.to_owned());
    }
    match r.split_once(':') {
        Some((e, dep)) if !e.is_empty() && !dep.is_empty() && !dep.contains(':') => Ok(format!(
            "{}/onlineEndpoints/{e}/deployments/{dep}",
            ctx.workspace_id()
        )),
        _ => Err(Problem::at(
            t.get("endpoint_deployment_id").unwrap_or(t.node),
            format!("`{id}` is not `azureml:<endpoint>:<deployment>` or a deployment ARM id"),
        )),
    }
}

/// Signal kinds and their REST names.
const SIGNALS: &[&str] = &[
    "data_drift",
    "prediction_drift",
    "data_quality",
    "feature_attribution_drift",
    "custom",
    "generation_safety_quality",
    "generation_token_statistics",
    "model_performance",
];

/// One monitoring signal (inside `signals`).
fn signal(
    signals: Obj<'_>,
    name: &str,
    v: &SNode,
    ctx: &Context,
    task: Option<&str>,
    window: &str,
) -> Result<Value, Problem> {
    let o = signals.sub(v, "create_monitor.monitoring_signals.<name>")?;
    let kind = o.choice_checked("type", SIGNALS)?.ok_or_else(|| {
        Problem::at(
            v,
            format!("missing required field `type` of signal `{name}`"),
        )
        .with_help(format!("`type` is one of {}", SIGNALS.join(", ")))
    })?;
    let mode = if o.bool("alert_enabled").unwrap_or(false) {
        "Enabled"
    } else {
        "Disabled"
    };
    let mut s = Map::new();
    s.insert("mode".into(), json!(mode));
    match kind.as_str() {
        "custom" => {
            o.only(&[
                "type",
                "component_id",
                "input_data",
                "inputs",
                "metric_thresholds",
                "alert_enabled",
            ]);
            custom(o, &mut s);
            return Ok(Value::Object(s));
        }
        "data_drift" | "prediction_drift" | "data_quality" | "feature_attribution_drift" => {}
        other => {
            let at = o.get("type").unwrap_or(v);
            return Err(Problem::at(at, format!("`{other}` signals are not supported: the SDK does not serialise them (azure-ai-ml 1.35.2 raises NotImplementedError or needs the service)"))
                .with_help("supported signals: data_drift, prediction_drift, data_quality, feature_attribution_drift, custom"));
        }
    }
    o.only(&[
        "type",
        "production_data",
        "reference_data",
        "features",
        "feature_type_override",
        "metric_thresholds",
        "alert_enabled",
    ]);
    match (o.get("production_data"), o.get("reference_data")) {
        (Some(prod), Some(reference)) => {
            if kind == "feature_attribution_drift" {
                let list: Vec<Value> = match &prod.value {
                    Node::Seq(items) => items
                        .iter()
                        .filter_map(|p| o.ok(production(o, p, ctx, window)))
                        .collect(),
                    _ => o.ok(production(o, prod, ctx, window)).into_iter().collect(),
                };
                s.insert("productionData".into(), json!(list));
            } else {
                put(
                    &mut s,
                    "productionData",
                    o.ok(production(o, prod, ctx, window)),
                );
            }
            put(&mut s, "referenceData", o.ok(reference_data(o, reference, ctx)));
        }
        _ => o.report(Problem::at(v, format!("signal `{name}` needs both `production_data` and `reference_data`: without them the SDK takes the datasets from the deployment's data collector, a service lookup `amlab spec` cannot make"))
            .with_help("add `production_data` and `reference_data`, each with `input_data: {path: azureml:<data>:<version>, type: ...}` and `data_context`")),
    }
    if let Some(f) = o.get("features") {
        put(&mut s, "features", o.ok(features(o, f)));
    }
    if kind == "prediction_drift"
        && let Some(t) = task
    {
        s.insert("modelType".into(), json!(t));
    }
    let (signal_type, thresholds) = match kind.as_str() {
        "data_drift" => ("DataDrift", typed_thresholds(o)),
        "prediction_drift" => {
            // PredictionDriftSignal.__init__ has no default for `metric_thresholds`
            // (azure/ai/ml/entities/_monitoring/signals.py): the SDK refuses the signal.
            if !o.has("metric_thresholds") {
                o.report(Problem::at(v, format!("missing required field `metric_thresholds` in prediction drift signal `{name}`"))
                    .with_help("add `metric_thresholds: {numerical: {jensen_shannon_distance: 0.01}, categorical: {pearsons_chi_squared_test: 0.02}}`"));
            }
            ("PredictionDrift", typed_thresholds(o))
        }
        "data_quality" => ("DataQuality", typed_thresholds(o)),
        _ => {
            if let Some(t) = o.ok(o.req_obj("metric_thresholds", "metric_thresholds")) {
                t.only(&["normalized_discounted_cumulative_gain"]);
                let v = t
                    .num("normalized_discounted_cumulative_gain")
                    .unwrap_or(json!(0.9));
                s.insert(
                    "metricThreshold".into(),
                    json!({"metric": "normalizedDiscountedCumulativeGain", "threshold": {"value": v}}),
                );
            }
            ("FeatureAttributionDrift", None)
        }
    };
    if let Some(t) = thresholds {
        s.insert("metricThresholds".into(), t);
    }
    s.insert("signalType".into(), json!(signal_type));
    Ok(Value::Object(s))
}

/// `metric_thresholds: {numerical: {...}, categorical: {...}}` -> a list.
fn typed_thresholds(o: Obj<'_>) -> Option<Value> {
    let t = o.obj("metric_thresholds", "metric_thresholds")?;
    t.only(&["numerical", "categorical"]);
    let mut out = Vec::new();
    for (key, data_type) in [("numerical", "Numerical"), ("categorical", "Categorical")] {
        if let Some(group) = t.obj(key, "metric_thresholds.<type>") {
            for (metric, value) in group.entries() {
                let (Node::Int(_) | Node::Float(_)) = value.value else {
                    t.report(Problem::at(value, "a metric threshold must be a number"));
                    continue;
                };
                out.push(
                    json!({"dataType": data_type, "metric": camel(&metric.value),
                                "threshold": {"value": value.value.to_json()}}),
                );
            }
        }
    }
    Some(json!(out))
}

/// `features:` -> the feature filter.
fn features(o: Obj<'_>, f: &SNode) -> Result<Value, Problem> {
    match &f.value {
        Node::Seq(items) => Ok(
            json!({"features": items.iter().map(|i| i.value.to_json()).collect::<Vec<_>>(), "filterType": "FeatureSubset"}),
        ),
        Node::Str(s) if s == "all_features" => Ok(json!({"filterType": "AllFeatures"})),
        Node::Map(_) => {
            let o = o.sub(f, "features")?;
            o.only(&["top_n_feature_importance"]);
            Ok(
                json!({"filterType": "TopNByAttribution", "top": o.int("top_n_feature_importance").unwrap_or(10)}),
            )
        }
        _ => Err(Problem::at(
            f,
            "`features` is a list of column names, `all_features` or `{top_n_feature_importance: N}`",
        )),
    }
}

/// `input_data: {path, type}` -> (`jobInputType`, resolved `uri`).
fn input_data(o: Obj<'_>, ctx: &Context) -> Result<(String, String), Problem> {
    let i = o.req_obj("input_data", "input_data")?;
    i.only(&["path", "type"]);
    let t = i.req_str("type");
    let path = i.req_str("path");
    let uri = if path.starts_with("azureml:") && !path.starts_with("azureml://") {
        let at = i.get("path").unwrap_or(i.node);
        i.ok(versioned(ctx, "data", &path).map_err(|m| Problem::at(at, m)))
            .unwrap_or(path)
    } else {
        path
    };
    Ok((t, uri))
}

/// `production_data:` -> trailing input data (the trigger's default window).
fn production(o: Obj<'_>, v: &SNode, ctx: &Context, window: &str) -> Result<Value, Problem> {
    let mut m = monitor_input(o, v, ctx, "production_data", "Trailing")?;
    m.insert("windowOffset".into(), json!("P0D"));
    m.insert("windowSize".into(), json!(window));
    Ok(Value::Object(m))
}

/// `reference_data:` -> fixed input data.
fn reference_data(o: Obj<'_>, v: &SNode, ctx: &Context) -> Result<Value, Problem> {
    Ok(Value::Object(monitor_input(
        o,
        v,
        ctx,
        "reference_data",
        "Fixed",
    )?))
}

/// The fields production and reference data share: input data, its context, columns and
/// preprocessing component; `input_data_type` is `Trailing` or `Fixed`.
fn monitor_input(
    parent: Obj<'_>,
    v: &SNode,
    ctx: &Context,
    key: &'static str,
    input_data_type: &str,
) -> Result<Map<String, Value>, Problem> {
    let o = parent.sub(v, key)?;
    o.only(&[
        "input_data",
        "data_context",
        "pre_processing_component",
        "data_column_names",
    ]);
    let (t, uri) = input_data(o, ctx)?;
    let mut m = Map::new();
    if let Some(c) = o.get("data_column_names") {
        m.insert("columns".into(), c.value.to_json());
    }
    if let Some(c) = o.str("data_context") {
        m.insert("dataContext".into(), json!(c));
    }
    m.insert("inputDataType".into(), json!(input_data_type));
    m.insert("jobInputType".into(), json!(t));
    if let Some(p) = o.str("pre_processing_component") {
        let at = o.get("pre_processing_component").unwrap_or(v);
        put(
            &mut m,
            "preprocessingComponentId",
            o.ok(versioned(ctx, "components", &p).map_err(|e| Problem::at(at, e))),
        );
    }
    m.insert("uri".into(), json!(uri));
    Ok(m)
}

/// A custom signal. The SDK sends its component and data references without the `azureml:`
/// prefix and unresolved, and drops per-input preprocessing components; amlab does the same.
fn custom(o: Obj<'_>, s: &mut Map<String, Value>) {
    let strip = |r: String| r.strip_prefix("azureml:").map(str::to_owned).unwrap_or(r);
    s.insert(
        "componentId".into(),
        json!(strip(o.req_str("component_id"))),
    );
    let mut assets = Map::new();
    if let Some(i) = o.obj("input_data", "input_data") {
        for (k, v) in i.entries() {
            let Some(d) = i.ok(i.sub(v, "input_data.<name>")) else {
                continue;
            };
            d.only(&[
                "input_data",
                "data_context",
                "pre_processing_component",
                "data_column_names",
            ]);
            let Some(inner) = d.ok(d.req_obj("input_data", "input_data")) else {
                continue;
            };
            inner.only(&["path", "type"]);
            let mut m = Map::new();
            if let Some(c) = d.get("data_column_names") {
                m.insert("columns".into(), c.value.to_json());
            }
            if let Some(c) = d.str("data_context") {
                m.insert("dataContext".into(), json!(c));
            }
            m.insert("inputDataType".into(), json!("Fixed"));
            m.insert("jobInputType".into(), json!(inner.req_str("type")));
            m.insert("uri".into(), json!(strip(inner.req_str("path"))));
            assets.insert(k.value.clone(), Value::Object(m));
        }
    }
    s.insert("inputAssets".into(), Value::Object(assets));
    if let Some(at) = o.get("inputs") {
        o.report(Problem::at(
            at,
            "literal `inputs` of custom signals are not supported by `amlab spec` yet",
        ));
    }
    let mut thresholds = Vec::new();
    if let Some(list) = o.seq("metric_thresholds") {
        for t in list {
            let Some(t) = o.ok(o.sub(t, "metric_thresholds.<item>")) else {
                continue;
            };
            t.only(&["metric_name", "threshold"]);
            let Some(n) = t.ok(t.req("threshold")) else {
                continue;
            };
            let v = match n.value {
                Node::Int(i) => json!(i as f64),
                Node::Float(f) => json!(f),
                _ => {
                    t.report(Problem::at(n, "a metric threshold must be a number"));
                    continue;
                }
            };
            thresholds.push(json!({"metric": t.req_str("metric_name"), "threshold": {"value": v}}));
        }
    }
    s.insert("metricThresholds".into(), json!(thresholds));
    s.insert("signalType".into(), json!("Custom"));
    s.insert("workspaceConnection".into(), json!({}));
}
