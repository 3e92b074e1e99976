//! Environment specs (image, conda file, build context) -> `EnvironmentVersion` bodies. The
//! conda file is read and inlined as YAML text the way the SDK dumps it (PyYAML block style,
//! keys sorted).

use std::path::Path;

use serde_json::{Map, Value, json};

use super::error::Problem;
use super::node::{Obj, SNode, Values, put};
use super::refs::{is_local, local_upload};

/// Translates an environment spec; `dir` is the spec's folder (conda files are relative to it).
pub(crate) fn translate(
    root: Obj<'_>,
    ctx: &super::Context,
    dir: &Path,
) -> Result<(String, Value), Problem> {
    root.only(&[
        "name",
        "version",
        "image",
        "conda_file",
        "build",
        "description",
        "tags",
        "properties",
        "os_type",
        "inference_config",
    ]);
    let name = root.req_str("name");
    let version = root.str("version").unwrap_or_else(|| "1".into());
    Ok((
        format!("environments/{name}/versions/{version}"),
        json!({ "properties": properties(root, ctx, dir) }),
    ))
}

/// The `properties` of an environment version.
fn properties(root: Obj<'_>, ctx: &super::Context, dir: &Path) -> Map<String, Value> {
    let mut p = Map::new();
    if let Some(b) = root.obj("build", "build") {
        b.only(&["path", "dockerfile_path"]);
        let path = b.req_str("path");
        let mut m = Map::new();
        m.insert(
            "contextUri".into(),
            json!(if is_local(&path) {
                local_upload(&path)
            } else {
                path
            }),
        );
        put(&mut m, "dockerfilePath", b.str("dockerfile_path"));
        p.insert("build".into(), Value::Object(m));
    }
    if let Some(node) = root.get("conda_file") {
        put(&mut p, "condaFile", root.ok(conda_text(node, ctx, dir)));
    }
    put(&mut p, "description", root.str("description"));
    put(&mut p, "image", root.str("image"));
    if root.get("image").is_none() && root.get("build").is_none() {
        root.report(Problem::at(root.node, "an environment needs `image` or `build`")
            .with_help("add `image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04` or a `build: {path: ...}`"));
    }
    if let Some(c) = root.get("inference_config") {
        p.insert("inferenceConfig".into(), camel_keys(&c.value.to_json()));
    }
    p.insert("isAnonymous".into(), json!(false));
    p.insert("isArchived".into(), json!(false));
    put(
        &mut p,
        "osType",
        root.str("os_type").map(|s| {
            if s.eq_ignore_ascii_case("windows") {
                "Windows".to_owned()
            } else {
                "Linux".to_owned()
            }
        }),
    );
    put(
        &mut p,
        "properties",
        root.str_map("properties", Values::Raw),
    );
    put(&mut p, "tags", root.str_map("tags", Values::Raw));
    p
}

/// The conda file (a path, or an inline mapping) as the YAML text the SDK sends; the file is
/// read as PyYAML reads it.
fn conda_text(node: &SNode, ctx: &super::Context, dir: &Path) -> Result<String, Problem> {
    let value = match &node.value {
        super::node::Node::Str(rel) => {
            let (path, text) = super::read_named(ctx, dir, rel).map_err(|e| {
                Problem::at(node, format!("cannot read conda file {e}"))
                    .with_help("`conda_file` is a path relative to the spec file, inside the lab's (or spec's) folder")
            })?;
            super::yaml::parse(&text)
                .map_err(|e| {
                    Problem::at(
                        node,
                        format!("conda file {} is not valid YAML: {e}", path.display()),
                    )
                })?
                .value
                .to_json()
        }
        other => other.to_json(),
    };
    let mut out = String::new();
    dump(&value, 0, &mut out);
    Ok(out)
}

/// snake_case keys -> camelCase, recursively.
fn camel_keys(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (super::job::camel(k), camel_keys(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(camel_keys).collect()),
        other => other.clone(),
    }
}

/// PyYAML `yaml.dump(default_flow_style=False)` of a JSON value at `indent`.
fn dump(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                let child = &m[k];
                match child {
                    Value::Object(c) if !c.is_empty() => {
                        out.push_str(&format!("{pad}{}:\n", scalar(&Value::String(k.clone()))));
                        dump(child, indent + 2, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}{}:\n", scalar(&Value::String(k.clone()))));
                        dump(child, indent, out);
                    }
                    _ => out.push_str(&format!(
                        "{pad}{}: {}\n",
                        scalar(&Value::String(k.clone())),
                        scalar(child)
                    )),
                }
            }
        }
        Value::Array(a) => {
            for item in a {
                match item {
                    Value::Object(c) if !c.is_empty() => {
                        let mut inner = String::new();
                        dump(item, indent + 2, &mut inner);
                        let rest = inner.get(indent + 2..).unwrap_or("");
                        out.push_str(&format!("{pad}- {rest}"));
                    }
                    Value::Array(x) if !x.is_empty() => {
                        let mut inner = String::new();
                        dump(item, indent + 2, &mut inner);
                        out.push_str(&format!("{pad}- {}", inner.get(indent + 2..).unwrap_or("")));
                    }
                    _ => out.push_str(&format!("{pad}- {}\n", scalar(item))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

/// A scalar the way PyYAML writes it (single quotes where a plain scalar would change type).
fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let special = s.is_empty()
                || s.parse::<f64>().is_ok()
                || super::yaml::pyyaml_bool(s).is_some()
                || ["~", "null", "Null", "NULL"].contains(&s.as_str())
                || s.contains(": ")
                || s.contains(" #")
                || s.ends_with(':')
                || s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
                    && !(s.starts_with('-') && s.len() > 1 && !s.starts_with("- "))
                || s.ends_with(' ');
            if special {
                format!("'{}'", s.replace('\'', "''"))
            } else {
                s.clone()
            }
        }
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dumps_like_pyyaml() {
        let v = json!({"name": "x", "channels": ["conda-forge"], "dependencies": ["python=3.8", {"pip": ["numpy==1.22"]}]});
        let mut out = String::new();
        dump(&v, 0, &mut out);
        assert_eq!(
            out,
            "channels:\n- conda-forge\ndependencies:\n- python=3.8\n- pip:\n  - numpy==1.22\nname: x\n"
        );
        // PyYAML 6.0.3 `yaml.dump`: quoted only where a plain scalar would read as another type.
        let mut out = String::new();
        dump(
            &json!(["y", "n", "yes", "On", "yEs", "True", "null", "nUll"]),
            0,
            &mut out,
        );
        assert_eq!(
            out,
            "- y\n- n\n- 'yes'\n- 'On'\n- yEs\n- 'True'\n- 'null'\n- nUll\n"
        );
    }
}
