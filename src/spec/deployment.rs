//! Online (managed) and batch deployment specs -> `OnlineDeployment` / `BatchDeployment` bodies.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::Context;
use super::duration::{iso_millis, iso_seconds};
use super::error::Problem;
use super::node::{Obj, Values, put};
use super::refs::{is_local, named, versioned};

/// `codes/<digest>/versions/1`: the code asset the SDK would register for a local folder.
pub(crate) fn code_id(ctx: &Context, code: &str) -> String {
    if !is_local(code) {
        return code.strip_prefix("azureml:").unwrap_or(code).to_owned();
    }
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(code.trim_end_matches('/').as_bytes());
    let hex: String = d.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{}/codes/{hex}/versions/1", ctx.workspace_id())
}

/// A reference field (string) resolved, or `None` for inline definitions (registered as
/// anonymous assets by the SDK before the PUT; amlab leaves them out) and bad references
/// (recorded).
fn reference(o: Obj<'_>, key: &str, kind: &str, ctx: &Context) -> Option<String> {
    match o.get(key) {
        Some(n) if matches!(n.value, super::node::Node::Str(_)) => {
            let s = o.str(key).unwrap_or_default();
            o.ok(versioned(ctx, kind, &s).map_err(|m| Problem::at(n, m)))
        }
        _ => None,
    }
}

/// `code_configuration:` -> `codeConfiguration`.
fn code_configuration(root: Obj<'_>, ctx: &Context) -> Option<Value> {
    let c = root.obj("code_configuration", "code_configuration")?;
    c.only(&["code", "scoring_script"]);
    let mut m = Map::new();
    put(&mut m, "codeId", c.str("code").map(|s| code_id(ctx, &s)));
    m.insert("scoringScript".into(), json!(c.req_str("scoring_script")));
    Some(Value::Object(m))
}

/// Translates a managed online deployment spec.
pub(crate) fn online(
    root: Obj<'_>,
    ctx: &Context,
    _dir: &Path,
) -> Result<(String, Value), Problem> {
    root.only(&[
        "name",
        "endpoint_name",
        "type",
        "model",
        "environment",
        "code_configuration",
        "instance_type",
        "instance_count",
        "environment_variables",
        "app_insights_enabled",
        "scale_settings",
        "request_settings",
        "liveness_probe",
        "readiness_probe",
        "data_collector",
        "description",
        "tags",
        "egress_public_network_access",
        "properties",
    ]);
    let name = root.req_str("name");
    let endpoint = root.req_str("endpoint_name");
    let mut p = Map::new();
    p.insert(
        "appInsightsEnabled".into(),
        json!(root.bool("app_insights_enabled").unwrap_or(false)),
    );
    put(&mut p, "codeConfiguration", code_configuration(root, ctx));
    put(&mut p, "description", root.str("description"));
    p.insert("endpointComputeType".into(), json!("Managed"));
    put(
        &mut p,
        "environmentId",
        reference(root, "environment", "environments", ctx),
    );
    p.insert(
        "environmentVariables".into(),
        root.str_map_or_empty("environment_variables", Values::Raw),
    );
    put(&mut p, "instanceType", root.str("instance_type"));
    put(&mut p, "model", reference(root, "model", "models", ctx));
    put(
        &mut p,
        "egressPublicNetworkAccess",
        root.str("egress_public_network_access"),
    );
    p.insert(
        "properties".into(),
        root.str_map_or_empty("properties", Values::Raw),
    );
    if let Some(r) = root.obj("request_settings", "request_settings") {
        r.only(&[
            "request_timeout_ms",
            "max_concurrent_requests_per_instance",
            "max_queue_wait_ms",
        ]);
        let mut m = Map::new();
        put(
            &mut m,
            "maxConcurrentRequestsPerInstance",
            r.int("max_concurrent_requests_per_instance"),
        );
        put(
            &mut m,
            "maxQueueWait",
            r.int("max_queue_wait_ms").map(iso_millis),
        );
        put(
            &mut m,
            "requestTimeout",
            r.int("request_timeout_ms").map(iso_millis),
        );
        p.insert("requestSettings".into(), Value::Object(m));
    }
    put(&mut p, "scaleSettings", scale_settings(root));
    for (key, rest) in [
        ("liveness_probe", "livenessProbe"),
        ("readiness_probe", "readinessProbe"),
    ] {
        if let Some(r) = root.obj(key, "probe") {
            r.only(&[
                "initial_delay",
                "period",
                "timeout",
                "failure_threshold",
                "success_threshold",
            ]);
            let mut m = Map::new();
            put(&mut m, "failureThreshold", r.int("failure_threshold"));
            put(
                &mut m,
                "initialDelay",
                r.seconds("initial_delay").map(iso_seconds),
            );
            put(&mut m, "period", r.seconds("period").map(iso_seconds));
            put(&mut m, "successThreshold", r.int("success_threshold"));
            put(&mut m, "timeout", r.seconds("timeout").map(iso_seconds));
            p.insert(rest.into(), Value::Object(m));
        }
    }
    if let Some(dc) = root.obj("data_collector", "data_collector") {
        dc.only(&[
            "collections",
            "sampling_rate",
            "rolling_rate",
            "request_logging",
        ]);
        let mut cols = Map::new();
        if let Some(c) = dc.obj("collections", "data_collector.collections") {
            for (k, v) in c.entries() {
                let Some(o) = c.ok(c.sub(v, "data_collector.collections.<name>")) else {
                    continue;
                };
                o.only(&["enabled", "data", "client_id", "sampling_rate"]);
                let mut m = Map::new();
                let on = o.bool("enabled").unwrap_or(false);
                m.insert(
                    "dataCollectionMode".into(),
                    json!(if on { "enabled" } else { "disabled" }),
                );
                put(
                    &mut m,
                    "samplingRate",
                    o.num("sampling_rate").or(dc.num("sampling_rate")),
                );
                cols.insert(k.value.clone(), Value::Object(m));
            }
        }
        let mut m = Map::new();
        m.insert("collections".into(), Value::Object(cols));
        put(&mut m, "rollingRate", dc.str("rolling_rate"));
        p.insert("dataCollector".into(), Value::Object(m));
    }
    let body = json!({
        "location": ctx.location,
        "properties": p,
        "sku": sku(root),
        "tags": root.str_map_or_empty("tags", Values::Raw),
    });
    Ok((
        format!("onlineEndpoints/{endpoint}/deployments/{name}"),
        body,
    ))
}

/// Translates a batch deployment spec (`type: model`, the default, or `type: pipeline`).
pub(crate) fn batch(root: Obj<'_>, ctx: &Context) -> Result<(String, Value), Problem> {
    let name = root.req_str("name");
    let endpoint = root.req_str("endpoint_name");
    // The type decides the valid fields: without a valid one nothing else is checked.
    let pipeline = root
        .choice_checked("type", &["model", "pipeline"])?
        .as_deref()
        == Some("pipeline");
    let mut p = Map::new();
    if pipeline {
        root.only(&[
            "name",
            "endpoint_name",
            "type",
            "description",
            "tags",
            "component",
            "settings",
            "job_definition",
        ]);
        let comp = root.req_str("component");
        let at = root.get("component").unwrap_or(root.node);
        let id = root
            .ok(versioned(ctx, "components", &comp).map_err(|m| Problem::at(at, m)))
            .unwrap_or(comp);
        let mut cfg = Map::new();
        cfg.insert(
            "componentId".into(),
            json!({"assetId": id, "referenceType": "Id"}),
        );
        cfg.insert(
            "deploymentConfigurationType".into(),
            json!("PipelineComponent"),
        );
        if let Some(s) = root.get("settings") {
            cfg.insert("settings".into(), s.value.to_json());
        }
        put(&mut p, "description", root.str("description"));
        p.insert("deploymentConfiguration".into(), Value::Object(cfg));
        p.insert("errorThreshold".into(), json!(-1));
        p.insert("maxConcurrencyPerInstance".into(), json!(1));
        p.insert("miniBatchSize".into(), json!(10));
        p.insert("outputFileName".into(), json!("predictions.csv"));
    } else {
        root.only(&[
            "name",
            "endpoint_name",
            "type",
            "description",
            "tags",
            "model",
            "compute",
            "resources",
            "settings",
            "environment",
            "code_configuration",
            "environment_variables",
            "properties",
        ]);
        let settings = root.obj("settings", "settings");
        if let Some(s) = settings {
            s.only(&[
                "max_concurrency_per_instance",
                "mini_batch_size",
                "output_action",
                "output_file_name",
                "retry_settings",
                "error_threshold",
                "logging_level",
                "environment_variables",
                "instance_count",
            ]);
        }
        put(&mut p, "codeConfiguration", code_configuration(root, ctx));
        put(
            &mut p,
            "compute",
            root.str("compute").map(|c| named(ctx, "computes", &c)),
        );
        put(&mut p, "description", root.str("description"));
        put(
            &mut p,
            "environmentId",
            reference(root, "environment", "environments", ctx),
        );
        put(
            &mut p,
            "environmentVariables",
            root.str_map("environment_variables", Values::Raw),
        );
        if let Some(m) = reference(root, "model", "models", ctx) {
            p.insert("model".into(), json!({"assetId": m, "referenceType": "Id"}));
        }
        p.insert(
            "properties".into(),
            root.str_map_or_empty("properties", Values::Raw),
        );
        if let Some(r) = root.obj("resources", "resources") {
            r.only(&["instance_count", "instance_type", "properties"]);
            let mut m = Map::new();
            put(&mut m, "instanceCount", r.int("instance_count"));
            put(&mut m, "instanceType", r.str("instance_type"));
            m.insert(
                "properties".into(),
                r.str_map_or_empty("properties", Values::Raw),
            );
            p.insert("resources".into(), Value::Object(m));
        }
        if let Some(s) = settings {
            batch_settings(s, &mut p);
        }
    }
    let body = json!({
        "location": ctx.location,
        "properties": p,
        "tags": root.str_map_or_empty("tags", Values::Raw),
    });
    Ok((
        format!("batchEndpoints/{endpoint}/deployments/{name}"),
        body,
    ))
}

/// An online deployment's `sku`: `capacity` only when `instance_count` is written
/// (`RestSku(name="Default", capacity=self.instance_count)`,
/// azure/ai/ml/entities/_deployment/online_deployment.py); the service defaults it to 1.
fn sku(root: Obj<'_>) -> Value {
    let mut m = Map::new();
    put(&mut m, "capacity", root.int("instance_count"));
    m.insert("name".into(), json!("Default"));
    Value::Object(m)
}

/// `scale_settings: {type: default | target_utilization, ...}` -> `{scaleType, ...}`
/// (azure/ai/ml/entities/_deployment/scale_settings.py).
fn scale_settings(root: Obj<'_>) -> Option<Value> {
    let s = root.obj("scale_settings", "scale_settings")?;
    s.only(&[
        "type",
        "min_instances",
        "max_instances",
        "polling_interval",
        "target_utilization_percentage",
    ]);
    let kind = s.ok(s.req_choice("type", &["default", "target_utilization"]))?;
    let mut m = Map::new();
    if kind == "default" {
        m.insert("scaleType".into(), json!("Default"));
        return Some(Value::Object(m));
    }
    put(&mut m, "maxInstances", s.int("max_instances"));
    put(&mut m, "minInstances", s.int("min_instances"));
    put(
        &mut m,
        "pollingInterval",
        s.seconds("polling_interval").map(iso_seconds),
    );
    m.insert("scaleType".into(), json!("TargetUtilization"));
    put(
        &mut m,
        "targetUtilizationPercentage",
        s.int("target_utilization_percentage"),
    );
    Some(Value::Object(m))
}

/// A model batch deployment's `settings:`, each sent only when written: the SDK's
/// ModelBatchDeployment._to_rest_object fills no default
/// (azure/ai/ml/entities/_deployment/model_batch_deployment.py); the service does.
fn batch_settings(s: Obj<'_>, p: &mut Map<String, Value>) {
    put(
        p,
        "environmentVariables",
        s.str_map("environment_variables", Values::Raw),
    );
    put(p, "errorThreshold", s.int("error_threshold"));
    put(p, "loggingLevel", s.str("logging_level"));
    put(
        p,
        "maxConcurrencyPerInstance",
        s.int("max_concurrency_per_instance"),
    );
    put(p, "miniBatchSize", s.int("mini_batch_size"));
    let action = s.choice("output_action", &["append_row", "summary_only"]);
    put(
        p,
        "outputAction",
        action.map(|a| {
            if a == "summary_only" {
                "SummaryOnly"
            } else {
                "AppendRow"
            }
        }),
    );
    put(p, "outputFileName", s.str("output_file_name"));
    if let Some(r) = s.obj("retry_settings", "settings.retry_settings") {
        r.only(&["max_retries", "timeout"]);
        let mut m = Map::new();
        put(&mut m, "maxRetries", r.int("max_retries"));
        put(&mut m, "timeout", r.seconds("timeout").map(iso_seconds));
        p.insert("retrySettings".into(), Value::Object(m));
    }
}
