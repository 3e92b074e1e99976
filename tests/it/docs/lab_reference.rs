//! `docs/src/lab-reference.md`, the lab format field by field, generated from the lab JSON
//! Schema (`amlab::schema::lab_schema`, itself generated from the types that load labs), so it
//! lists every field amlab accepts and no other.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::{Map, Value};

use super::generated::{REGENERATE, cell, check_or_update};

/// The reference as Markdown: the lab, then each definition in the order the lab reaches it.
pub fn lab_reference_markdown() -> String {
    let schema = amlab::schema::lab_schema();
    let definitions = schema["definitions"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut out = String::new();
    writeln!(out, "# Lab format reference\n").unwrap();
    writeln!(
        out,
        "<!-- Generated from the lab JSON Schema by tests/it/docs/lab_reference.rs: do not edit. \
         Regenerate with `{REGENERATE}`. -->\n"
    )
    .unwrap();
    writeln!(
        out,
        "Every field of a lab file (format v1), generated from the same Rust types that load \
         labs, through the JSON Schema `amlab schema` prints (`schema/lab.schema.json`). A field \
         not listed here is an error, reported with the nearest valid name. For the format in \
         words, with an example, see [Writing a lab](lab-format.md).\n"
    )
    .unwrap();
    section(&mut out, "Lab", &schema);
    for name in reachable(&schema, &definitions) {
        section(&mut out, &name, &definitions[&name]);
    }
    out
}

/// Definition names in the order a breadth-first walk of the schema first reaches them.
fn reachable(root: &Value, definitions: &Map<String, Value>) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut queue = std::collections::VecDeque::from([root.clone()]);
    while let Some(node) = queue.pop_front() {
        let mut refs = Vec::new();
        collect_refs(&node, &mut refs);
        for name in refs {
            if !order.contains(&name) {
                queue.push_back(definitions[&name].clone());
                order.push(name);
            }
        }
    }
    order
}

fn collect_refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.trim_start_matches("#/definitions/").to_owned());
            }
            for (key, value) in map {
                if key != "definitions" {
                    collect_refs(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// One object (a table of its fields) or value type (its forms).
fn section(out: &mut String, name: &str, node: &Value) {
    writeln!(out, "## {name}\n").unwrap();
    if let Some(description) = node["description"].as_str() {
        writeln!(out, "{}\n", cell(description)).unwrap();
    }
    if let Some(properties) = node["properties"].as_object() {
        let required: BTreeSet<&str> = node["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        writeln!(out, "| field | type | required | default | meaning |").unwrap();
        writeln!(out, "|---|---|---|---|---|").unwrap();
        for (field, spec) in properties {
            let default = match &spec["default"] {
                Value::Null => String::new(),
                other => format!("`{other}`"),
            };
            writeln!(
                out,
                "| `{field}` | {} | {} | {default} | {} |",
                type_of(spec),
                if required.contains(field.as_str()) {
                    "yes"
                } else {
                    ""
                },
                cell(spec["description"].as_str().unwrap_or_default())
            )
            .unwrap();
        }
        writeln!(out).unwrap();
        if node["additionalProperties"] == Value::Bool(false) {
            writeln!(out, "No other field is allowed.\n").unwrap();
        }
    } else if let Some(forms) = node["oneOf"].as_array().or(node["anyOf"].as_array()) {
        writeln!(out, "| form | meaning |\n|---|---|").unwrap();
        for form in forms {
            let shown = match &form["const"] {
                Value::Null => type_of(form),
                value => format!("`{value}`"),
            };
            let meaning = cell(form["description"].as_str().unwrap_or_default());
            writeln!(out, "| {shown} | {meaning} |").unwrap();
        }
        writeln!(out).unwrap();
    }
}

/// A field's type in words, with links to the definitions it uses.
fn type_of(spec: &Value) -> String {
    if let Some(r) = spec["$ref"].as_str() {
        let name = r.trim_start_matches("#/definitions/");
        return format!("[{name}](#{})", name.to_lowercase());
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(options) = spec[key].as_array() {
            let kinds: Vec<String> = options
                .iter()
                .filter(|o| o["type"] != "null")
                .map(type_of)
                .collect();
            return kinds.join(" or ");
        }
    }
    let kinds: Vec<&str> = match &spec["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => vec![],
    };
    let words: Vec<String> = kinds.iter().map(|kind| kind_in_words(kind, spec)).collect();
    if words.is_empty() {
        "any value".to_owned()
    } else {
        words.join(" or ")
    }
}

fn kind_in_words(kind: &str, spec: &Value) -> String {
    match kind {
        "array" => match &spec["items"] {
            Value::Bool(true) | Value::Null => "list of any values".to_owned(),
            items => format!("list of {}", type_of(items)),
        },
        "object" => match &spec["additionalProperties"] {
            Value::Object(_) => {
                format!("map of name to {}", type_of(&spec["additionalProperties"]))
            }
            _ => "object".to_owned(),
        },
        "integer" if spec["minimum"] == 0 => "integer ≥ 0".to_owned(),
        "string" => match spec["pattern"].as_str() {
            Some(pattern) => format!("string matching `{}`", pattern.replace('|', "\\|")),
            None => "string".to_owned(),
        },
        other => other.to_owned(),
    }
}

#[test]
fn the_lab_reference_is_generated_from_the_schema_and_documents_every_field() {
    let schema = amlab::schema::lab_schema();
    let generated = lab_reference_markdown();
    // Every definition has a section and every field of every object a described row.
    let definitions = schema["definitions"].as_object().unwrap();
    let mut objects = vec![("Lab".to_owned(), schema.clone())];
    objects.extend(definitions.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut fields = 0;
    for (name, node) in &objects {
        assert!(
            generated.contains(&format!("\n## {name}\n")),
            "{name} missing"
        );
        for (field, spec) in node["properties"].as_object().into_iter().flatten() {
            let described = spec["description"]
                .as_str()
                .is_some_and(|d| !d.trim().is_empty());
            assert!(
                described,
                "{name}.{field} has no doc comment in the lab types"
            );
            assert!(
                generated.contains(&format!("| `{field}` |")),
                "{name}.{field} missing"
            );
            fields += 1;
        }
    }
    assert!(fields >= 30, "only {fields} fields");
    check_or_update("lab-reference.md", &generated);
}
