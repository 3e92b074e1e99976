//! Pipeline jobs -> `PipelineJob` properties, as the SDK sends them after
//! `JobOperations._resolve_arm_id_for_pipeline_job`: settings' default compute and datastore
//! become ARM ids; every step whose component is inline (the step's own `command`) or a local
//! file is registered as an anonymous component first, and the step references it as
//! `…/components/azureml_anonymous/versions/<hash>`, the hash being the SDK's content hash of
//! the component dictionary (computable offline); `azureml:name:version` references become ARM
//! ids. Steps are sent in the SDK's node shape (snake_case keys, `job_input_type`).

use std::path::Path;

use serde_json::{Map, Value, json};

use super::super::Context;
use super::super::component;
use super::super::error::Problem;
use super::super::node::{Node, Obj, SNode, Values};
use super::super::refs::{named, versioned};
use super::{common, inputs};

/// Fields of a pipeline job.
const FIELDS: &[&str] = &[
    "type",
    "name",
    "display_name",
    "description",
    "experiment_name",
    "tags",
    "properties",
    "compute",
    "inputs",
    "outputs",
    "settings",
    "jobs",
];

/// Fields of a command step.
const STEP_FIELDS: &[&str] = &[
    "type",
    "component",
    "display_name",
    "description",
    "tags",
    "compute",
    "inputs",
    "outputs",
    "command",
    "code",
    "environment",
    "environment_variables",
    "resources",
    "distribution",
    "services",
];

/// The `properties` of a pipeline job; `dir` anchors `component: ./file.yml`.
pub(crate) fn translate(
    root: Obj<'_>,
    ctx: &Context,
    dir: &Path,
) -> Result<Map<String, Value>, Problem> {
    root.only(FIELDS);
    let mut p = common(root, ctx, "Pipeline");
    if let Some(o) = root.obj("inputs", "inputs") {
        for (k, v) in o.entries() {
            if let Node::Map(_) = v.value
                && let Some(t) = o.sub(v, "inputs.<name>").ok().and_then(|io| io.str("type"))
                && ["string", "integer", "number", "boolean"].contains(&t.as_str())
            {
                root.report(Problem::at(
                    v,
                    format!(
                        "pipeline input `{}` must be a literal value or a data input (`type: uri_folder`, `path: ...`)",
                        k.value
                    ),
                ));
            }
        }
    }
    p.insert("inputs".into(), inputs(root, ctx));
    p.insert("settings".into(), settings(root, ctx));
    let steps = root.req_obj("jobs", "jobs")?;
    let mut jobs = Map::new();
    for (k, v) in steps.entries() {
        if let Some(j) = root.ok(step(&k.value, v, root, ctx, dir)) {
            jobs.insert(k.value.clone(), j);
        }
    }
    p.insert("jobs".into(), Value::Object(jobs));
    Ok(p)
}

/// `settings:` -> the SDK's settings dictionary (snake_case, `_source` added).
pub(crate) fn settings(root: Obj<'_>, ctx: &Context) -> Value {
    let mut m = Map::new();
    m.insert("_source".into(), json!("YAML.JOB"));
    let Some(s) = root.obj("settings", "settings") else {
        return Value::Object(m);
    };
    s.only(&[
        "default_compute",
        "default_datastore",
        "continue_on_step_failure",
        "force_rerun",
    ]);
    for (key, kind) in [
        ("default_compute", "computes"),
        ("default_datastore", "datastores"),
    ] {
        if let Some(v) = s.str(key) {
            let at = s.get(key).unwrap_or(s.node);
            let Some(name) = v.strip_prefix("azureml:") else {
                s.report(
                    Problem::at(
                        at,
                        format!(
                            "`settings.{key}` must name an existing resource with the `azureml:` prefix"
                        ),
                    )
                    .with_help(format!("write `azureml:{v}`")),
                );
                continue;
            };
            m.insert(key.into(), json!(named(ctx, kind, name)));
        }
    }
    for key in ["continue_on_step_failure", "force_rerun"] {
        if let Some(b) = s.bool(key) {
            m.insert(key.into(), json!(b));
        }
    }
    Value::Object(m)
}

/// One step of `jobs:`.
fn step(
    name: &str,
    node: &SNode,
    root: Obj<'_>,
    ctx: &Context,
    dir: &Path,
) -> Result<Value, Problem> {
    let o = root.sub(node, "jobs.<step>")?;
    let t = o.str("type").unwrap_or_else(|| "command".into());
    if t != "command" {
        let at = o.get("type").unwrap_or(node);
        return Err(Problem::at(
            at,
            format!("pipeline steps of type `{t}` are not supported by `amlab spec` yet"),
        )
        .with_help("supported step type: command"));
    }
    o.only(STEP_FIELDS);
    let mut m = Map::new();
    let component = match o.get("component") {
        Some(c) => {
            for key in ["command", "code", "environment"] {
                if let Some(k) = o.key(key) {
                    o.report(Problem::at_key(
                        k,
                        format!(
                            "`{key}` belongs to the component when the step names one with `component`"
                        ),
                    ));
                }
            }
            referenced(o, c, ctx, dir)
        }
        None => inline_component(o, root, ctx)
            .map(|dict| ("YAML.JOB", component::anonymous_id(ctx, &dict))),
    };
    if let Some((source, component_id)) = component {
        m.insert("_source".into(), json!(source));
        m.insert("componentId".into(), json!(component_id));
    }
    if let Some(c) = o.str("compute") {
        m.insert("computeId".into(), json!(named(ctx, "computes", &c)));
    }
    if let Some(d) = o.str("display_name") {
        m.insert("display_name".into(), json!(d));
    }
    if let Some(n) = o.get("environment_variables") {
        m.insert("environment_variables".into(), n.value.to_json());
    }
    let ins = step_inputs(o, ctx);
    if !ins.is_empty() {
        m.insert("inputs".into(), Value::Object(ins));
    }
    m.insert("name".into(), json!(name));
    let outs = step_outputs(o);
    if !outs.is_empty() {
        m.insert("outputs".into(), Value::Object(outs));
    }
    for key in ["resources", "distribution"] {
        if let Some(n) = o.get(key) {
            m.insert(key.into(), n.value.to_json());
        }
    }
    if let Some(s) = o.obj("services", "jobs.<step>.services") {
        m.insert("services".into(), services(s));
    }
    if let Some(t) = o.str_map("tags", Values::Raw) {
        m.insert("tags".into(), Value::Object(t));
    }
    m.insert("type".into(), json!("command"));
    Ok(Value::Object(m))
}

/// `component:` naming a file (anonymous registration) or a registered component: its
/// `_source` and id, or `None` with the problem recorded.
fn referenced(o: Obj<'_>, c: &SNode, ctx: &Context, dir: &Path) -> Option<(&'static str, String)> {
    let Node::Str(s) = &c.value else {
        o.report(
            Problem::at(
                c,
                "inline `component:` definitions are not supported by `amlab spec` yet",
            )
            .with_help("put the component in a file and write `component: ./file.yml`"),
        );
        return None;
    };
    if s.starts_with("azureml:") || s.starts_with("/subscriptions/") {
        let id = o.ok(versioned(ctx, "components", s).map_err(|m| Problem::at(c, m)))?;
        return Some(("REMOTE.WORKSPACE.COMPONENT", id));
    }
    let dict = super::super::nested(o, c, ctx, &dir.join(s), "component", |f| {
        component::dict(f, ctx)
    })?;
    Some(("YAML.COMPONENT", component::anonymous_id(ctx, &dict)))
}

/// The anonymous component an inline step defines, as the SDK builds it: the step's command,
/// environment and code, its inputs and outputs typed from what they are bound to. `None` when
/// a problem (recorded) leaves it undefined.
fn inline_component(o: Obj<'_>, root: Obj<'_>, ctx: &Context) -> Option<Map<String, Value>> {
    let mut d = Map::new();
    d.insert("type".into(), json!("command"));
    d.insert("command".into(), json!(o.req_str("command")));
    let environment = o.ok(component::environment(o, ctx));
    match &environment {
        Some(Some(e)) => {
            d.insert("environment".into(), json!(e));
        }
        Some(None) => o.report(Problem::at(
            o.node,
            "missing required field `environment` in this step",
        )),
        None => {}
    }
    if let Some(c) = o.str("code") {
        d.insert("code".into(), json!(component::code(ctx, &c)));
    }
    if let Some(v) = o.str("description") {
        d.insert("description".into(), json!(v));
    }
    if let Some(t) = o.str_map("tags", Values::Raw).filter(|m| !m.is_empty()) {
        d.insert("tags".into(), Value::Object(t));
    }
    for key in ["resources", "distribution"] {
        if let Some(n) = o.get(key) {
            d.insert(key.into(), n.value.to_json());
        }
    }
    let parent_in = root.obj("inputs", "inputs");
    let parent_out = root.obj("outputs", "outputs");
    let mut ins = Map::new();
    if let Some(i) = o.obj("inputs", "jobs.<step>.inputs") {
        for (k, v) in i.entries() {
            if let Some(def) = o.ok(inferred_input(o, v, parent_in)) {
                ins.insert(k.value.clone(), def);
            }
        }
    }
    if !ins.is_empty() {
        d.insert("inputs".into(), Value::Object(ins));
    }
    let mut outs = Map::new();
    if let Some(i) = o.obj("outputs", "jobs.<step>.outputs") {
        for (k, v) in i.entries() {
            if let Some(def) = o.ok(inferred_output(o, v, parent_out)) {
                outs.insert(k.value.clone(), def);
            }
        }
    }
    if !outs.is_empty() {
        d.insert("outputs".into(), Value::Object(outs));
    }
    d.insert("is_deterministic".into(), json!(true));
    environment.flatten().map(|_| d)
}

/// The name bound by `${{parent.<what>.<name>}}`, if `s` is exactly that binding.
fn binding<'s>(s: &'s str, what: &str) -> Option<&'s str> {
    let inner = s.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    inner
        .strip_prefix("parent.")?
        .strip_prefix(what)?
        .strip_prefix('.')
}

/// The type of a literal (`string`, `integer`, `number`, `boolean`).
fn literal_type(n: &Node) -> &'static str {
    match n {
        Node::Bool(_) => "boolean",
        Node::Int(_) => "integer",
        Node::Float(_) => "number",
        _ => "string",
    }
}

/// `{type, mode}` of a data input or output mapping (inside `o`).
fn data_def(o: Obj<'_>, v: &SNode, what: &'static str) -> Result<Value, Problem> {
    let d = o.sub(v, what)?;
    let mut m = Map::new();
    if let Some(mode) = d.str("mode") {
        m.insert("mode".into(), json!(mode.to_ascii_lowercase()));
    }
    m.insert(
        "type".into(),
        json!(d.str("type").unwrap_or_else(|| "uri_folder".into())),
    );
    Ok(Value::Object(m))
}

/// An inline step's input definition, typed from its value or binding.
fn inferred_input(o: Obj<'_>, v: &SNode, parent: Option<Obj<'_>>) -> Result<Value, Problem> {
    match &v.value {
        Node::Str(s) if s.trim().starts_with("${{") => {
            if let Some(name) = binding(s, "inputs") {
                let Some(bound) = parent.and_then(|p| p.get(name)) else {
                    return Err(Problem::at(
                        v,
                        format!("no pipeline input `{name}` to bind"),
                    ));
                };
                return match &bound.value {
                    Node::Map(_) => data_def(o, bound, "inputs.<name>"),
                    other => Ok(json!({"type": literal_type(other)})),
                };
            }
            Ok(json!({"type": "uri_folder"}))
        }
        Node::Map(_) => data_def(o, v, "jobs.<step>.inputs.<name>"),
        Node::Null => Ok(json!({"type": "uri_folder"})),
        other => Ok(json!({"default": other.scalar_text(), "type": literal_type(other)})),
    }
}

/// An inline step's output definition, typed from its binding.
fn inferred_output(o: Obj<'_>, v: &SNode, parent: Option<Obj<'_>>) -> Result<Value, Problem> {
    match &v.value {
        Node::Str(s) => {
            let Some(name) = binding(s, "outputs") else {
                return Err(Problem::at(
                    v,
                    "a step output is `${{parent.outputs.<name>}}`, a mapping or empty",
                ));
            };
            match parent.and_then(|p| p.get(name)) {
                Some(bound) if matches!(bound.value, Node::Map(_)) => {
                    data_def(o, bound, "outputs.<name>")
                }
                Some(_) => Ok(json!({"type": "uri_folder"})),
                None => Err(Problem::at(
                    v,
                    format!("no pipeline output `{name}` to bind"),
                )),
            }
        }
        Node::Map(_) => data_def(o, v, "jobs.<step>.outputs.<name>"),
        _ => Ok(json!({"type": "uri_folder"})),
    }
}

/// A step's `inputs:` in the SDK's node shape.
fn step_inputs(o: Obj<'_>, ctx: &Context) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(i) = o.obj("inputs", "jobs.<step>.inputs") else {
        return out;
    };
    for (k, v) in i.entries() {
        let value = match &v.value {
            Node::Null => continue,
            Node::Map(_) => {
                let Some(d) = i.ok(i.sub(v, "jobs.<step>.inputs.<name>")) else {
                    continue;
                };
                d.only(&["type", "path", "mode"]);
                let t = d.str("type").unwrap_or_else(|| "uri_folder".into());
                let path = d.req_str("path");
                let uri = super::data_uri(d, ctx, path, d.get("path").unwrap_or(v));
                let mut m = Map::new();
                m.insert("job_input_type".into(), json!(t));
                if let Some(mode) = d.str("mode") {
                    m.insert("mode".into(), json!(super::mode(&mode).unwrap_or_default()));
                }
                m.insert("uri".into(), json!(uri));
                Value::Object(m)
            }
            other => json!({"job_input_type": "literal", "value": other.scalar_text()}),
        };
        out.insert(k.value.clone(), value);
    }
    out
}

/// A step's `outputs:` in the SDK's node shape (empty outputs are left out).
fn step_outputs(o: Obj<'_>) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(i) = o.obj("outputs", "jobs.<step>.outputs") else {
        return out;
    };
    for (k, v) in i.entries() {
        let value = match &v.value {
            Node::Null => continue,
            Node::Map(_) => {
                let Some(d) = i.ok(i.sub(v, "jobs.<step>.outputs.<name>")) else {
                    continue;
                };
                d.only(&["type", "path", "mode"]);
                let mut m = Map::new();
                m.insert(
                    "job_output_type".into(),
                    json!(d.str("type").unwrap_or_else(|| "uri_folder".into())),
                );
                if let Some(mode) = d.str("mode") {
                    m.insert("mode".into(), json!(super::mode(&mode).unwrap_or_default()));
                }
                if let Some(p) = d.str("path") {
                    m.insert("uri".into(), json!(p));
                }
                Value::Object(m)
            }
            other => json!({"type": "literal", "value": other.scalar_text()}),
        };
        out.insert(k.value.clone(), value);
    }
    out
}

/// A step's interactive `services:`; a bad service is recorded and left out.
fn services(s: Obj<'_>) -> Value {
    let mut out = Map::new();
    for (k, v) in s.entries() {
        let Some(o) = s.ok(s.sub(v, "jobs.<step>.services.<name>")) else {
            continue;
        };
        o.only(&["type", "log_dir"]);
        let kind = o.choice_checked("type", &["vs_code", "jupyter_lab", "tensor_board", "ssh"]);
        let t = match kind.as_ref().map(Option::as_deref) {
            Ok(Some("vs_code")) => "VSCode",
            Ok(Some("jupyter_lab")) => "JupyterLab",
            Ok(Some("tensor_board")) => "TensorBoard",
            Ok(Some(_)) => "SSH",
            Ok(None) => {
                o.report(Problem::at(v, "missing required field `type` of a service"));
                continue;
            }
            Err(p) => {
                o.report(p.clone());
                continue;
            }
        };
        let mut m = Map::new();
        m.insert("job_service_type".into(), json!(t));
        if let Some(d) = o.str("log_dir") {
            m.insert("properties".into(), json!({"logDir": d}));
        }
        out.insert(k.value.clone(), Value::Object(m));
    }
    Value::Object(out)
}
