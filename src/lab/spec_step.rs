//! Steps whose `create` names an az ml CLI v2 spec: the spec text is templated (`${name}`
//! only; the specs' own `${{...}}` expressions are left alone) and translated to the PUT body
//! with [`crate::spec`], in the workspace the lab's parameters name.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

use crate::spec::{Context, translate_source};

/// The spec's path: relative to the lab file's folder.
pub(crate) fn spec_path(lab_path: &Path, spec: &str) -> PathBuf {
    lab_path.parent().unwrap_or(Path::new(".")).join(spec)
}

/// Substitutes `${name}` in `text` with `value(name)`.
pub(crate) fn substitute(
    text: &str,
    mut value: impl FnMut(&str) -> Result<String, String>,
) -> Result<String, String> {
    let re = Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_-]*)\}").map_err(|e| e.to_string())?;
    let mut out = String::new();
    let mut last = 0;
    for c in re.captures_iter(text) {
        let (Some(all), Some(name)) = (c.get(0), c.get(1)) else {
            continue;
        };
        out.push_str(&text[last..all.start()]);
        out.push_str(&value(name.as_str())?);
        last = all.end();
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// Reads, templates and translates the spec of a step; errors name the spec's file, line and
/// column.
pub(crate) fn body(
    lab_path: &Path,
    spec: &str,
    mut value: impl FnMut(&str) -> Result<String, String>,
) -> Result<Value, String> {
    let path = spec_path(lab_path, spec);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read spec {}: {e}", path.display()))?;
    let text = substitute(&text, &mut value)?;
    let mut ctx_value = |name: &str| {
        value(name).map_err(|e| {
            format!("{e} (a step with `spec:` needs the lab parameters resource_group, workspace and location)")
        })
    };
    let ctx = Context {
        subscription: ctx_value("subscription")?,
        resource_group: ctx_value("resource_group")?,
        workspace: ctx_value("workspace")?,
        location: ctx_value("location")?,
    };
    translate_source(&path, &text, &ctx)
        .map(|t| t.body)
        .map_err(|e| {
            e.errors
                .first()
                .map(|d| match &d.help {
                    Some(h) => format!("{} ({h})", d.message),
                    None => d.message.clone(),
                })
                .unwrap_or_else(|| "invalid spec".to_owned())
        })
}

/// Translates every step's spec with lint-time values (literal parameter defaults, else the
/// parameter's name), so spec errors are reported with the lab's other problems.
pub(crate) fn lint(
    lab: &super::Lab,
    lab_path: &Path,
    source: &str,
) -> Vec<super::diagnostic::Problem> {
    use super::diagnostic::{DiagKind, Problem};
    let mut problems = Vec::new();
    for step in &lab.steps {
        let Some(spec) = step.create.as_ref().and_then(|c| c.spec.as_ref()) else {
            continue;
        };
        let value = |name: &str| -> Result<String, String> {
            if name == "subscription" {
                return Ok("00000000-0000-0000-0000-000000000000".to_owned());
            }
            match lab.params.get(name) {
                Some(p) => Ok(p
                    .default
                    .as_ref()
                    .map(|d| d.value.clone())
                    .filter(|d| !d.contains("${"))
                    .unwrap_or_else(|| name.to_owned())),
                None => Err(format!("undefined parameter `{name}`")),
            }
        };
        if let Err(e) = body(lab_path, &spec.value, value) {
            let (o, l) = super::span::range(source, spec);
            problems.push(
                Problem::new(DiagKind::Spec, o, l, e, "this spec")
                    .with_help("check the spec with `amlab spec FILE`"),
            );
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_params_not_spec_expressions() {
        let out = substitute("a: ${x}\nb: ${{inputs.y}}\n", |n| Ok(format!("<{n}>"))).unwrap();
        assert_eq!(out, "a: <x>\nb: ${{inputs.y}}\n");
        assert!(substitute("${missing}", |_| Err("undefined".into())).is_err());
    }
}
