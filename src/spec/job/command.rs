//! Command jobs -> `CommandJob` properties.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::super::Context;
use super::super::deployment::code_id;
use super::super::duration::iso_seconds;
use super::super::error::Problem;
use super::super::node::{Obj, Values, put};
use super::{common, environment_id, inputs};

/// The `properties` of a command job.
pub(crate) fn translate(
    root: Obj<'_>,
    ctx: &Context,
    _dir: &Path,
) -> Result<Map<String, Value>, Problem> {
    root.only(&[
        "type",
        "name",
        "display_name",
        "experiment_name",
        "description",
        "tags",
        "properties",
        "compute",
        "command",
        "code",
        "environment",
        "environment_variables",
        "inputs",
        "outputs",
        "resources",
        "limits",
        "distribution",
        "identity",
        "services",
        "queue_settings",
    ]);
    let mut p = common(root, ctx, "Command");
    put(&mut p, "codeId", root.str("code").map(|c| code_id(ctx, &c)));
    p.insert("command".into(), json!(root.req_str("command")));
    put(&mut p, "environmentId", environment_id(root, ctx));
    p.insert(
        "environmentVariables".into(),
        root.str_map_or_empty("environment_variables", Values::Raw),
    );
    p.insert("inputs".into(), inputs(root, ctx));
    if let Some(r) = resources(root) {
        p.insert("resources".into(), r);
    }
    if let Some(l) = root.obj("limits", "limits") {
        l.only(&["timeout"]);
        let mut m = Map::new();
        m.insert("jobLimitsType".into(), json!("Command"));
        put(&mut m, "timeout", l.seconds("timeout").map(iso_seconds));
        p.insert("limits".into(), Value::Object(m));
    }
    if let Some(d) = root.obj("distribution", "distribution") {
        p.insert("distribution".into(), distribution(d));
    }
    put(
        &mut p,
        "queueSettings",
        super::services::queue_settings(root),
    );
    put(&mut p, "services", super::services::services(root));
    Ok(p)
}

/// `distribution:` -> `{distributionType, ...}` as the SDK's distribution classes send it
/// (azure/ai/ml/entities/_job/distribution.py): a TensorFlow distribution's
/// `parameter_server_count` defaults to 0; the other counts are sent only when written.
fn distribution(d: Obj<'_>) -> Value {
    d.only(&[
        "type",
        "process_count_per_instance",
        "parameter_server_count",
        "worker_count",
    ]);
    let t = d.ok(d.req_choice("type", &["mpi", "pytorch", "tensorflow"]));
    let mut m = Map::new();
    let rest = match t.as_deref() {
        Some("mpi") => "Mpi",
        Some("pytorch") => "PyTorch",
        _ => "TensorFlow",
    };
    m.insert("distributionType".into(), json!(rest));
    if t.as_deref() == Some("tensorflow") {
        m.insert(
            "parameterServerCount".into(),
            json!(d.int("parameter_server_count").unwrap_or(0)),
        );
        put(&mut m, "workerCount", d.int("worker_count"));
    } else {
        put(
            &mut m,
            "processCountPerInstance",
            d.int("process_count_per_instance"),
        );
    }
    Value::Object(m)
}

/// `resources:` -> REST resources.
pub(crate) fn resources(root: Obj<'_>) -> Option<Value> {
    let r = root.obj("resources", "resources")?;
    r.only(&[
        "instance_count",
        "instance_type",
        "shm_size",
        "properties",
        "docker_args",
    ]);
    let mut m = Map::new();
    m.insert(
        "instanceCount".into(),
        json!(r.int("instance_count").unwrap_or(1)),
    );
    put(&mut m, "instanceType", r.str("instance_type"));
    put(&mut m, "shmSize", r.str("shm_size"));
    put(&mut m, "dockerArgs", r.str("docker_args"));
    // JobResourceConfiguration's `properties` setter makes a missing value `Properties()`,
    // sent as {} (azure/ai/ml/entities/_job/job_resource_configuration.py).
    m.insert(
        "properties".into(),
        r.str_map_or_empty("properties", Values::Raw),
    );
    Some(Value::Object(m))
}
