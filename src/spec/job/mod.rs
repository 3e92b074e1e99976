//! Job specs: the fields every job type shares (names, experiment, compute, inputs, outputs)
//! and dispatch to the per-type translators.

pub(crate) mod automl;
pub(crate) mod command;
pub(crate) mod pipeline;
mod services;
pub(crate) mod sweep;

use serde_json::{Map, Value, json};

use super::Context;
use super::error::Problem;
use super::node::{Node, Obj, SNode, Values, put};
use super::refs::{is_local, local_upload, named, versioned};

/// snake_case -> camelCase (`instance_count` -> `instanceCount`).
pub(crate) fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// snake_case -> PascalCase (`low_priority` -> `LowPriority`).
pub(crate) fn pascal(s: &str) -> String {
    let c = camel(s);
    let mut chars = c.chars();
    chars
        .next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(chars).collect())
}

/// Translates a job spec of any supported type; the job name is required (amlab cannot invent
/// the SDK's random names).
pub(crate) fn translate(
    root: Obj<'_>,
    ctx: &Context,
    dir: &std::path::Path,
) -> Result<(String, Value), Problem> {
    let kind = root
        .choice_checked("type", &["command", "sweep", "automl", "pipeline"])?
        .unwrap_or_else(|| "command".into());
    let props = match kind.as_str() {
        "sweep" => sweep::translate(root, ctx)?,
        "automl" => automl::translate(root, ctx)?,
        "pipeline" => pipeline::translate(root, ctx, dir)?,
        _ => command::translate(root, ctx, dir)?,
    };
    let name = match root.str("name") {
        Some(n) => n,
        None => generated_name(dir, root),
    };
    Ok((format!("jobs/{name}"), json!({ "properties": props })))
}

/// A job name for specs without one: the SDK generates a random name; amlab derives a stable
/// one from the spec's folder and contents (`job-<16 hex>`), so reruns address the same job.
fn generated_name(dir: &std::path::Path, root: Obj<'_>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(dir.to_string_lossy().as_bytes());
    h.update(root.node.value.to_json().to_string().as_bytes());
    let hex: String = h
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("job-{hex}")
}

/// The fields common to every job's `properties`.
pub(crate) fn common(root: Obj<'_>, ctx: &Context, job_type: &str) -> Map<String, Value> {
    let mut p = Map::new();
    put(
        &mut p,
        "computeId",
        root.str("compute").map(|c| named(ctx, "computes", &c)),
    );
    put(&mut p, "description", root.str("description"));
    put(&mut p, "displayName", root.str("display_name"));
    // Absent: the service files the job under `Default`; the SDK sends nothing.
    put(&mut p, "experimentName", root.str("experiment_name"));
    p.insert("isArchived".into(), json!(false));
    p.insert("jobType".into(), json!(job_type));
    p.insert("outputs".into(), outputs(root));
    p.insert(
        "properties".into(),
        root.str_map_or_empty("properties", Values::Strict),
    );
    p.insert("tags".into(), root.str_map_or_empty("tags", Values::Strict));
    p
}

/// Input modes: YAML -> REST.
pub(crate) fn mode(m: &str) -> Option<&'static str> {
    Some(match m {
        "ro_mount" => "ReadOnlyMount",
        "rw_mount" => "ReadWriteMount",
        "download" => "Download",
        "upload" => "Upload",
        "direct" => "Direct",
        "eval_mount" => "EvalMount",
        "eval_download" => "EvalDownload",
        _ => return None,
    })
}

/// A data path as sent: `azureml:name:version` resolved to its ARM id, a local path to its
/// upload URI, anything else as written; a bad reference is recorded (at `at`) and kept as
/// written.
pub(crate) fn data_uri(o: Obj<'_>, ctx: &Context, path: String, at: &SNode) -> String {
    if path.starts_with("azureml:") && !path.starts_with("azureml://") {
        match versioned(ctx, "data", &path) {
            Ok(id) => id,
            Err(m) => {
                o.report(Problem::at(at, m));
                path
            }
        }
    } else if is_local(&path) {
        local_upload(&path)
    } else {
        path
    }
}

/// One input: a literal, or `{type, path, mode}`.
pub(crate) fn input(parent: Obj<'_>, node: &SNode, ctx: &Context) -> Result<Value, Problem> {
    if let Some(text) = node.value.scalar_text() {
        return Ok(json!({"jobInputType": "literal", "value": text}));
    }
    let o = parent.sub(node, "inputs.<name>")?;
    o.only(&[
        "type",
        "path",
        "mode",
        "value",
        "default",
        "optional",
        "description",
    ]);
    let kind = o
        .choice_checked(
            "type",
            &[
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
            ],
        )?
        .unwrap_or_else(|| "uri_folder".into());
    if ["string", "integer", "number", "boolean"].contains(&kind.as_str()) {
        let v = o
            .get("value")
            .or(o.get("default"))
            .and_then(|n| n.value.scalar_text());
        return Ok(json!({"jobInputType": "literal", "value": v}));
    }
    let path = o.req_str("path");
    let uri = data_uri(o, ctx, path, o.get("path").unwrap_or(node));
    let mut m = Map::new();
    m.insert("jobInputType".into(), json!(kind));
    put(
        &mut m,
        "mode",
        o.str("mode").and_then(|s| mode(&s).map(str::to_owned)),
    );
    m.insert("uri".into(), json!(uri));
    Ok(Value::Object(m))
}

/// `inputs:` -> REST inputs.
pub(crate) fn inputs(root: Obj<'_>, ctx: &Context) -> Value {
    let mut out = Map::new();
    if let Some(o) = root.obj("inputs", "inputs") {
        for (k, v) in o.entries() {
            if !matches!(v.value, Node::Null)
                && let Some(i) = o.ok(input(o, v, ctx))
            {
                out.insert(k.value.clone(), i);
            }
        }
    }
    Value::Object(out)
}

/// `outputs:` -> REST outputs.
pub(crate) fn outputs(root: Obj<'_>) -> Value {
    let mut out = Map::new();
    if let Some(o) = root.obj("outputs", "outputs") {
        for (k, v) in o.entries() {
            let Some(node) = Some(v).filter(|v| !matches!(v.value, Node::Null)) else {
                out.insert(k.value.clone(), json!({"jobOutputType": "uri_folder"}));
                continue;
            };
            let Some(oo) = o.ok(o.sub(node, "outputs.<name>")) else {
                continue;
            };
            oo.only(&["type", "path", "mode", "name", "version", "description"]);
            let mut m = Map::new();
            put(&mut m, "assetName", oo.str("name"));
            put(&mut m, "assetVersion", oo.str("version"));
            put(&mut m, "description", oo.str("description"));
            m.insert(
                "jobOutputType".into(),
                json!(oo.str("type").unwrap_or_else(|| "uri_folder".into())),
            );
            put(
                &mut m,
                "mode",
                oo.str("mode").and_then(|s| mode(&s).map(str::to_owned)),
            );
            put(&mut m, "uri", oo.str("path"));
            out.insert(k.value.clone(), Value::Object(m));
        }
    }
    Value::Object(out)
}

/// `environment:` (required) -> `environmentId`; a problem (missing, a bad reference, an
/// inline environment without image or build) is recorded and gives `None`.
pub(crate) fn environment_id(root: Obj<'_>, ctx: &Context) -> Option<String> {
    let Some(n) = root.get("environment") else {
        root.report(
            Problem::at(
                root.node,
                format!("missing required field `{}`", root.child("environment")),
            )
            .with_label("`environment` expected in this mapping"),
        );
        return None;
    };
    match &n.value {
        Node::Str(s) => root.ok(versioned(ctx, "environments", s).map_err(|m| Problem::at(n, m))),
        _ => {
            // An inline environment: the SDK registers it as an anonymous environment
            // (`CliV2AnonymousEnvironment`, content-hash version) before the PUT.
            use sha2::{Digest, Sha256};
            let o = root.ok(root.sub(n, "environment"))?;
            o.only(&[
                "image",
                "conda_file",
                "build",
                "os_type",
                "description",
                "name",
                "version",
                "tags",
                "inference_config",
            ]);
            if !o.has("image") && !o.has("build") {
                root.report(Problem::at(
                    n,
                    "an inline environment needs `image` or `build`",
                ));
                return None;
            }
            let digest = Sha256::digest(n.value.to_json().to_string().as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            Some(format!(
                "{}/environments/CliV2AnonymousEnvironment/versions/{hex}",
                ctx.workspace_id()
            ))
        }
    }
}
