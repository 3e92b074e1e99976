//! Steps whose `create` names an az ml CLI v2 spec: the spec text is templated (`${name}`
//! only; the specs' own `${{...}}` expressions are left alone) and translated to the PUT body
//! with [`crate::spec`], in the workspace the lab's parameters name. Every error of a spec
//! becomes its own diagnostic, located in the spec file, next to the lab's other errors.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

use super::diagnostic::LabDiagnostic;
use crate::spec::{Context, SpecErrors, translate_source};

/// Why a step's spec gives no body.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SpecStepError {
    /// The spec cannot be read or templated (a problem at the lab's `spec:`).
    #[error("{0}")]
    Step(String),
    /// The spec's own errors, each located in the spec file.
    #[error(transparent)]
    Spec(SpecErrors),
}

impl From<String> for SpecStepError {
    fn from(message: String) -> Self {
        SpecStepError::Step(message)
    }
}

/// The lab file's folder: every file the lab (or its shared setup) names is read inside it.
pub(crate) fn lab_dir(lab_path: &Path) -> &Path {
    match lab_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The spec's path: relative to the lab file's folder.
pub(crate) fn spec_path(lab_path: &Path, spec: &str) -> PathBuf {
    lab_path.parent().unwrap_or(Path::new(".")).join(spec)
}

/// The longest spec text after substitution (specs are at most 1 MiB before).
const MAX_SPEC_EXPANDED_BYTES: usize = 4 * 1024 * 1024;

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
        if out.len() > MAX_SPEC_EXPANDED_BYTES {
            return Err(format!(
                "after substitution the spec is longer than {MAX_SPEC_EXPANDED_BYTES} bytes"
            ));
        }
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// Reads, templates and translates the spec of a step written in `file` (the lab file or a
/// setup it includes), inside the folder tree of `lab_dir`.
pub(crate) fn body(
    file: &Path,
    lab_dir: &Path,
    spec: &str,
    mut value: impl FnMut(&str) -> Result<String, String>,
) -> Result<Value, SpecStepError> {
    let path = spec_path(file, spec);
    let text = crate::spec::read_text(lab_dir, &path)
        .map_err(|e| format!("spec {} {e}", path.display()))?;
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
        root: Some(lab_dir.to_path_buf()),
    };
    translate_source(&path, &text, &ctx)
        .map(|t| t.body)
        .map_err(SpecStepError::Spec)
}

/// The errors of the spec of step `step` as lab diagnostics, each at its file, line and column
/// in the spec.
pub(crate) fn diagnostics(errors: SpecErrors, step: &str) -> Vec<LabDiagnostic> {
    errors
        .errors
        .into_iter()
        .map(|e| {
            let used = format!("the spec of step `{step}`; check it alone with `amlab spec FILE`");
            LabDiagnostic::Spec {
                message: e.message,
                src: e.src,
                span: e.span,
                label: e.label,
                help: Some(match e.help {
                    Some(h) => format!("{h}\n{used}"),
                    None => used,
                }),
            }
        })
        .collect()
}

/// Translates every step's spec with lint-time values (literal parameter defaults, else the
/// parameter's name), so spec errors are reported with the lab's other problems: problems at a
/// step's `spec:` (unreadable file, undefined parameter) and every error inside the specs.
pub(crate) fn lint(
    lab: &super::Lab,
    sources: &super::sources::Sources,
) -> (Vec<super::diagnostic::Problem>, Vec<LabDiagnostic>) {
    let source = sources.merged.as_str();
    let root = sources
        .files
        .first()
        .map_or(Path::new("."), |f| lab_dir(&f.path));
    use super::diagnostic::{DiagKind, Problem};
    let mut problems = Vec::new();
    let mut in_specs = Vec::new();
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
        let at = super::span::range(source, &step.id).0;
        let file = sources.file_at(at).map_or(root, |f| f.path.as_path());
        match body(file, root, &spec.value, value) {
            Ok(_) => {}
            Err(SpecStepError::Step(e)) => {
                let (o, l) = super::span::range(source, spec);
                problems.push(
                    Problem::new(DiagKind::Spec, o, l, e, "this spec")
                        .with_help("check the spec with `amlab spec FILE`"),
                );
            }
            Err(SpecStepError::Spec(errors)) => {
                in_specs.extend(diagnostics(errors, &step.id.value));
            }
        }
    }
    (problems, in_specs)
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
