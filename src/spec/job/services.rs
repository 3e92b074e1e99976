//! A job's `queue_settings:` and `services:` as the SDK sends them
//! (azure/ai/ml/entities/_job/queue_settings.py, azure/ai/ml/entities/_job/job_service.py,
//! names from azure/ai/ml/constants/_job/job.py).

use serde_json::{Map, Value, json};

use super::super::node::{Obj, Values, put};

/// `queue_settings: {job_tier, priority}` -> `{jobTier: "Spot", priority: 1}`.
pub(crate) fn queue_settings(root: Obj<'_>) -> Option<Value> {
    let q = root.obj("queue_settings", "queue_settings")?;
    q.only(&["job_tier", "priority"]);
    let tiers = ["null", "spot", "basic", "standard", "premium"];
    let mut m = Map::new();
    put(
        &mut m,
        "jobTier",
        q.choice("job_tier", &tiers).map(|t| super::pascal(&t)),
    );
    // JobPriorityValues.ENTITY_TO_REST: low 1, medium 2, high 3.
    let priority = q
        .choice("priority", &["low", "medium", "high"])
        .map(|p| match p.as_str() {
            "low" => 1,
            "medium" => 2,
            _ => 3,
        });
    put(&mut m, "priority", priority);
    Some(Value::Object(m))
}

/// `services: {name: {type, port, nodes, properties, ...}}` -> `{name: {jobServiceType, ...}}`.
pub(crate) fn services(root: Obj<'_>) -> Option<Value> {
    let s = root.obj("services", "services")?;
    let mut out = Map::new();
    for (k, v) in s.entries() {
        if let Some(o) = s.ok(s.sub(v, "services.<name>")) {
            out.insert(k.value.clone(), service(o));
        }
    }
    Some(Value::Object(out))
}

/// One job service. `ssh_public_keys` and `log_dir` become the `sshPublicKeys` and `logDir`
/// properties (`_append_or_update_properties`); `nodes: all` becomes `AllNodes`.
fn service(o: Obj<'_>) -> Value {
    o.only(&[
        "type",
        "port",
        "nodes",
        "properties",
        "endpoint",
        "ssh_public_keys",
        "log_dir",
    ]);
    let kinds = ["jupyter_lab", "ssh", "tensor_board", "vs_code"];
    let rest = o.choice("type", &kinds).map(|t| match t.as_str() {
        "jupyter_lab" => "JupyterLab",
        "ssh" => "SSH",
        "tensor_board" => "TensorBoard",
        _ => "VSCode",
    });
    let mut props = o.str_map("properties", Values::Strict);
    for (key, rest_key) in [("ssh_public_keys", "sshPublicKeys"), ("log_dir", "logDir")] {
        if let Some(v) = o.str(key) {
            let mut p = props.unwrap_or_default();
            p.insert(rest_key.into(), json!(v));
            props = Some(p);
        }
    }
    let mut m = Map::new();
    put(&mut m, "endpoint", o.str("endpoint"));
    put(&mut m, "jobServiceType", rest);
    if o.choice("nodes", &["all"]).is_some() {
        m.insert("nodes".into(), json!({"nodesValueType": "All"}));
    }
    put(&mut m, "port", o.int("port"));
    put(&mut m, "properties", props);
    Value::Object(m)
}
