//! Component specs (`type: command` and `type: spark`) -> `ComponentVersion`, as the SDK's
//! `Component._to_rest_object()` builds it after `ComponentOperations.create_or_update` has
//! uploaded the code: `componentSpec` is the component's YAML dictionary (defaults, `min` and
//! `max` stringified as Python's `str()` would, `is_deterministic` defaulted, `_source`
//! added), and `properties.client_component_hash` is the SDK's content hash of that
//! dictionary. The same dictionary, hashed without name and version, names the anonymous
//! component a pipeline step registers ([`anonymous_id`]).

use serde_json::{Map, Value, json};

use super::Context;
use super::deployment::code_id;
use super::error::Problem;
use super::node::{Node, Obj, SNode, Values, python_float};
use super::pyhash::hash_dict;
use super::refs::{is_local, versioned};

/// Fields of a command component.
const COMMAND_FIELDS: &[&str] = &[
    "type",
    "name",
    "version",
    "display_name",
    "description",
    "tags",
    "inputs",
    "outputs",
    "code",
    "environment",
    "command",
    "is_deterministic",
    "environment_variables",
    "resources",
    "distribution",
];

/// Fields of a spark component.
const SPARK_FIELDS: &[&str] = &[
    "type",
    "name",
    "version",
    "display_name",
    "description",
    "tags",
    "inputs",
    "outputs",
    "code",
    "environment",
    "is_deterministic",
    "entry",
    "conf",
    "args",
    "py_files",
    "jars",
    "files",
    "archives",
];

/// Data and model types an input or output may have.
const IO_TYPES: &[&str] = &[
    "uri_file",
    "uri_folder",
    "mltable",
    "custom_model",
    "mlflow_model",
    "triton_model",
    "string",
    "integer",
    "number",
    "boolean",
];

/// Translates a component spec.
pub(crate) fn translate(root: Obj<'_>, ctx: &Context) -> Result<(String, Value), Problem> {
    let name = root.req_str("name");
    let version = root.str("version");
    let mut spec = dict(root, ctx)?;
    let mut hashed = spec.clone();
    hashed.remove("version");
    let hash = hash_dict(&Value::Object(hashed));
    spec.insert("_source".into(), json!("YAML.COMPONENT"));
    let mut props = Map::new();
    props.insert("componentSpec".into(), Value::Object(spec));
    if let Some(d) = root.str("description") {
        props.insert("description".into(), json!(d));
    }
    props.insert("isAnonymous".into(), json!(false));
    props.insert("isArchived".into(), json!(false));
    props.insert(
        "properties".into(),
        json!({ "client_component_hash": hash }),
    );
    props.insert("tags".into(), root.str_map_or_empty("tags", Values::Strict));
    // Without a version the SDK asks the service for the container's next version; in a
    // workspace without the component that is "1".
    let path = format!(
        "components/{name}/versions/{}",
        version.unwrap_or_else(|| "1".into())
    );
    // No `name`: read-only in the SDK's TypeSpec `ComponentVersion`, left out of the body by
    // its client (SdkJSONEncoder(exclude_readonly=True), _restclient/arm_ml_service).
    Ok((path, json!({ "properties": props })))
}

/// The component's `_to_dict()`: the YAML fields with references resolved, defaults
/// stringified and `is_deterministic` defaulted.
pub(crate) fn dict(root: Obj<'_>, ctx: &Context) -> Result<Map<String, Value>, Problem> {
    // The type decides the valid fields: without a valid one nothing else is checked.
    let kind = root
        .choice_checked("type", &["command", "spark"])?
        .unwrap_or_else(|| "command".into());
    root.only(if kind == "spark" {
        SPARK_FIELDS
    } else {
        COMMAND_FIELDS
    });
    let mut d = Map::new();
    if let Some(s) = root.str("$schema") {
        d.insert("$schema".into(), json!(s));
    }
    for key in ["name", "version", "display_name", "description"] {
        if let Some(v) = root.str(key) {
            d.insert(key.into(), json!(v));
        }
    }
    if let Some(t) = root
        .str_map("tags", Values::Strict)
        .filter(|m| !m.is_empty())
    {
        d.insert("tags".into(), Value::Object(t));
    }
    d.insert("type".into(), json!(kind));
    let inputs = io_map(root, "inputs");
    if !inputs.is_empty() {
        d.insert("inputs".into(), Value::Object(inputs));
    }
    let outputs = io_map(root, "outputs");
    if !outputs.is_empty() {
        d.insert("outputs".into(), Value::Object(outputs));
    }
    if let Some(c) = root.str("code") {
        d.insert("code".into(), json!(code(ctx, &c)));
    }
    if let Some(e) = root.ok(environment(root, ctx)).flatten() {
        d.insert("environment".into(), json!(e));
    }
    if kind == "spark" {
        for key in ["entry", "conf", "py_files", "jars", "files", "archives"] {
            if let Some(n) = root.get(key) {
                d.insert(key.into(), n.value.to_json());
            }
        }
        d.insert("args".into(), json!(root.req_str("args")));
    } else {
        d.insert("command".into(), json!(root.req_str("command")));
        for key in ["environment_variables", "resources", "distribution"] {
            if let Some(n) = root.get(key) {
                d.insert(key.into(), n.value.to_json());
            }
        }
    }
    d.insert(
        "is_deterministic".into(),
        json!(root.bool("is_deterministic").unwrap_or(true)),
    );
    Ok(d)
}

/// `azureml_anonymous`'s version for a component dictionary (the SDK's
/// `_get_anonymous_hash()`: name, version and id left out) and the id the node references.
pub(crate) fn anonymous_id(ctx: &Context, dict: &Map<String, Value>) -> String {
    let mut d = dict.clone();
    for k in ["name", "version", "id"] {
        d.remove(k);
    }
    format!(
        "{}/components/azureml_anonymous/versions/{}",
        ctx.workspace_id(),
        hash_dict(&Value::Object(d))
    )
}

/// `code:` as the component dictionary holds it after the upload (`azureml:<code asset id>`).
pub(crate) fn code(ctx: &Context, c: &str) -> String {
    if is_local(c) {
        format!("azureml:{}", code_id(ctx, c))
    } else {
        c.to_owned()
    }
}

/// `environment:` as the component dictionary holds it after resolution: `azureml:name:version`
/// becomes `azureml:<ARM id>`; registry URIs and `@label` references stay as written.
pub(crate) fn environment(o: Obj<'_>, ctx: &Context) -> Result<Option<String>, Problem> {
    let Some(n) = o.get("environment") else {
        return Ok(None);
    };
    let Node::Str(s) = &n.value else {
        return Err(Problem::at(
            n,
            "inline environments in components are not supported by `amlab spec` yet",
        )
        .with_help("register the environment and reference it (`azureml:<name>:<version>`)"));
    };
    let r = versioned(ctx, "environments", s).map_err(|m| Problem::at(n, m))?;
    Ok(Some(if r.starts_with("/subscriptions/") {
        format!("azureml:{r}")
    } else {
        r
    }))
}

/// `inputs:` or `outputs:` of a component.
fn io_map(root: Obj<'_>, key: &str) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(o) = root.obj(key, key) else {
        return out;
    };
    for (k, v) in o.entries() {
        if let Some(def) = o.ok(io_def(o, v, key == "outputs")) {
            out.insert(k.value.clone(), def);
        }
    }
    out
}

/// One input or output definition: `{type, default, optional, min, max, enum, mode, description}`.
fn io_def(parent: Obj<'_>, node: &SNode, output: bool) -> Result<Value, Problem> {
    if matches!(node.value, Node::Null) {
        return Ok(json!({"type": "uri_folder"}));
    }
    let o = parent.sub(
        node,
        if output {
            "outputs.<name>"
        } else {
            "inputs.<name>"
        },
    )?;
    o.only(&[
        "type",
        "default",
        "optional",
        "min",
        "max",
        "enum",
        "mode",
        "description",
        "path",
    ]);
    let t = o
        .choice("type", IO_TYPES)
        .unwrap_or_else(|| "uri_folder".into());
    let mut m = Map::new();
    m.insert("type".into(), json!(t));
    for key in ["default", "min", "max"] {
        if let Some(n) = o.get(key)
            && let Some(v) = o.ok(stringified(n, &t))
        {
            m.insert(key.into(), json!(v));
        }
    }
    if let Some(b) = o.bool("optional") {
        m.insert("optional".into(), json!(b));
    }
    if let Some(n) = o.get("enum") {
        m.insert("enum".into(), n.value.to_json());
    }
    for key in ["mode", "description", "path"] {
        if let Some(v) = o.str(key) {
            m.insert(key.into(), json!(v));
        }
    }
    Ok(Value::Object(m))
}

/// A default (or bound) as the SDK stores it: parsed for its type, then Python's `str()`.
pub(crate) fn stringified(n: &SNode, t: &str) -> Result<String, Problem> {
    let bad = || Problem::at(n, format!("expected a value of type {t}"));
    Ok(match (t, &n.value) {
        ("number", Node::Int(i)) => python_float(*i as f64),
        ("number", Node::Float(f)) => python_float(*f),
        ("number", Node::Str(s)) => python_float(s.trim().parse::<f64>().map_err(|_| bad())?),
        ("integer", Node::Int(i)) => i.to_string(),
        ("integer", Node::Str(s)) => s.trim().parse::<i64>().map_err(|_| bad())?.to_string(),
        ("boolean", Node::Bool(b)) => if *b { "True" } else { "False" }.to_owned(),
        ("boolean", Node::Str(s)) if s.eq_ignore_ascii_case("true") => "True".into(),
        ("boolean", Node::Str(s)) if s.eq_ignore_ascii_case("false") => "False".into(),
        ("integer" | "number" | "boolean", _) => return Err(bad()),
        (_, v) => v.scalar_text().ok_or_else(bad)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            subscription: "s".into(),
            resource_group: "g".into(),
            workspace: "w".into(),
            location: "eastus".into(),
            root: None,
        }
    }

    #[test]
    fn defaults_are_stringified_and_hashed() {
        let text = "name: c\ntype: command\ninputs:\n  num: {type: number, default: 1024}\n  b: {type: boolean, default: false}\n  i: {type: integer, min: 0, max: 10}\ncommand: echo\nenvironment: azureml:e:2\n";
        let node: SNode = serde_saphyr::from_str(text).unwrap();
        let errs = super::super::error::Problems::default();
        let (path, body) = translate(Obj::root(&node, &errs).unwrap(), &ctx()).unwrap();
        assert!(errs.is_empty());
        assert_eq!(path, "components/c/versions/1");
        let spec = &body["properties"]["componentSpec"];
        assert_eq!(spec["inputs"]["num"]["default"], "1024.0");
        assert_eq!(spec["inputs"]["b"]["default"], "False");
        assert_eq!(spec["inputs"]["i"]["max"], "10");
        assert_eq!(spec["is_deterministic"], true);
        assert_eq!(spec["_source"], "YAML.COMPONENT");
        assert!(
            spec["environment"]
                .as_str()
                .unwrap()
                .starts_with("azureml:/subscriptions/s/")
        );
        let hash = body["properties"]["properties"]["client_component_hash"]
            .as_str()
            .unwrap();
        assert_eq!(hash.len(), 36);
    }
}
