//! Loading one lab file: bytes, UTF-8, YAML with budgets, the lab types, the shared setup it
//! includes, then lint of the merged lab. Every failure becomes a located diagnostic naming the
//! file it is in (the lab as given, or the included file).

use std::path::Path;
use std::sync::{Arc, LazyLock};

use serde_saphyr::{Budget, Error as YamlError, Options, SnippetMode, UserMessageFormatter};

use super::LabFile;
use super::diagnostic::{DiagKind, LabDiagnostic, Problem, clamp_to_source};
use super::include::Includer;
use super::lint::{NO_COMPARISON, lint};
use super::sources::Sources;
use super::span::location_range;
use super::suggest::did_you_mean;
use super::types::Lab;
use super::unknown::{unknown_fields, without};

/// Lab files larger than this are refused before parsing (a lab and the shared setup it
/// includes, together).
pub(crate) const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Parser options: budgets that make huge or deeply nested input fail quickly and cleanly.
fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_reader_input_bytes = Some(MAX_FILE_BYTES as usize);
    budget.max_depth = 64;
    budget.max_nodes = 200_000;
    budget.max_events = 500_000;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = MAX_FILE_BYTES as usize;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

/// Reads, parses and lints one lab file.
pub(crate) fn load_file(path: &Path) -> Result<LabFile, Vec<LabDiagnostic>> {
    let unlocated = |message: String| {
        vec![LabDiagnostic::Unlocated {
            message,
            help: None,
        }]
    };
    if super::discover::is_setup_file(path) {
        return Err(vec![LabDiagnostic::Unlocated {
            message: format!("{}: is shared setup, not a lab", path.display()),
            help: Some(
                "labs include it with `include: [PATH]`; run or lint a lab that includes it"
                    .to_owned(),
            ),
        }]);
    }
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return Err(unlocated(format!(
                "{}: file too large for a lab ({} bytes, at most {MAX_FILE_BYTES})",
                path.display(),
                m.len()
            )));
        }
        _ => {}
    }
    let bytes = std::fs::read(path)
        .map_err(|e| unlocated(format!("{}: cannot read: {e}", path.display())))?;
    load_bytes(path, bytes)
}

/// Parses and lints a lab from its bytes, with the shared setup it includes; `path` names it
/// in diagnostics.
pub(crate) fn load_bytes(path: &Path, bytes: Vec<u8>) -> Result<LabFile, Vec<LabDiagnostic>> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bad = e.utf8_error().error_len().unwrap_or(1);
            let lossy: Arc<str> = Arc::from(String::from_utf8_lossy(e.as_bytes()).as_ref());
            let p = Problem::new(
                DiagKind::Encoding,
                at,
                1,
                "the file is not valid UTF-8",
                format!("{bad} invalid byte(s) here"),
            )
            .with_help("save the lab file as UTF-8");
            return Err(vec![
                clamp_to_source(p, &lossy).into_diagnostic(path, &lossy),
            ]);
        }
    };
    let mut sources = Sources::default();
    sources.push(path, Arc::from(text));
    let mut problems: Vec<Problem> = Vec::new();
    let Some(mut lab) = parse_in_place::<Lab>(&sources, 0, &mut problems, false) else {
        return Err(sources.attach(problems));
    };
    let mut includer = Includer::new(&mut sources, &mut problems, path);
    let gathered = includer.gather(path, &lab.include, &mut vec![]);
    let failed = includer.failed;
    let gathered = gathered.overlay(
        std::mem::take(&mut lab.params.0),
        std::mem::take(&mut lab.steps),
    );
    problems.extend(gathered.clash_problems(&sources));
    lab.params.0 = gathered.params;
    lab.steps = gathered.steps;
    if failed {
        return Err(sources.attach(problems));
    }
    // A check with no comparison but an unknown field (`equal:`) has one problem, not two.
    let unknown_keys: Vec<usize> = problems
        .iter()
        .filter(|p| matches!(p.kind, DiagKind::UnknownField))
        .map(|p| p.offset)
        .collect();
    problems.extend(lint(&lab, &sources).into_iter().filter(|p| {
        !(p.message == NO_COMPARISON
            && unknown_keys
                .iter()
                .any(|&k| super::unknown::same_mapping(&sources.merged, p.offset, k)))
    }));
    let (at_steps, in_specs) = super::spec_step::lint(&lab, &sources);
    problems.extend(at_steps);
    if !problems.is_empty() || !in_specs.is_empty() {
        let mut all = sources.attach(problems);
        all.extend(in_specs);
        return Err(all);
    }
    Ok(LabFile {
        path: path.to_path_buf(),
        source: Arc::from(sources.merged.as_str()),
        sources,
        lab,
    })
}

/// Parses file `index` of `sources` in its place in the merged text (so positions are
/// merged-text positions), adding its problems: every unknown field at once (the rest is parsed
/// without them, offsets kept, so its problems are reported in the same run), or the parse
/// error. `None` when it did not parse. `setup` picks the schema unknown fields are checked
/// against.
pub(crate) fn parse_in_place<T: serde::de::DeserializeOwned>(
    sources: &Sources,
    index: usize,
    problems: &mut Vec<Problem>,
    setup: bool,
) -> Option<T> {
    let placed = sources.in_place(index);
    static LAB: LazyLock<serde_json::Value> = LazyLock::new(crate::schema::lab_schema);
    static SETUP: LazyLock<serde_json::Value> = LazyLock::new(crate::schema::setup_schema);
    let schema: &serde_json::Value = if setup { &SETUP } else { &LAB };
    let unknown = unknown_fields(&placed, options(), schema);
    let blanked = if unknown.is_empty() {
        None
    } else {
        without(&placed, &unknown)
    };
    let mut own: Vec<Problem> = unknown.into_iter().map(|u| u.problem).collect();
    let parsed =
        serde_saphyr::from_str_with_options::<T>(blanked.as_deref().unwrap_or(&placed), options());
    let value = match parsed {
        Ok(v) if own.is_empty() || blanked.is_some() => Some(v),
        Ok(_) => None,
        Err(e) => {
            let p = yaml_problem(&e, &placed);
            if !own.iter().any(|q| q.offset == p.offset) {
                own.push(p);
            }
            None
        }
    };
    problems.append(&mut own);
    value
}

/// Turns a YAML (or type) error into a located problem.
fn yaml_problem(err: &YamlError, source: &str) -> Problem {
    let (offset, len) = err
        .location()
        .map_or((0, 0), |l| location_range(source, &l));
    if let YamlError::SerdeUnknownField {
        field, expected, ..
    } = err.without_snippet()
    {
        let valid = expected.join(", ");
        let help = match did_you_mean(field, expected) {
            Some(d) => format!("{d}\nvalid fields here: {valid}"),
            None => format!("valid fields here: {valid}"),
        };
        return Problem::new(
            DiagKind::UnknownField,
            offset,
            len.max(field.len()),
            format!("unknown field `{field}`"),
            "unknown field",
        )
        .with_help(help);
    }
    let formatter = UserMessageFormatter;
    let message = err
        .without_snippet()
        .render_with_options(serde_saphyr::render_options! {
            formatter: &formatter,
            snippets: SnippetMode::Off,
        });
    let message = strip_location(&message);
    let help = match err.without_snippet() {
        YamlError::Budget { .. } => {
            Some("the file is too large or too deeply nested for a lab".to_owned())
        }
        _ => type_help(&message).map(str::to_owned),
    };
    let message = match message.as_str() {
        "invalid u32" => "invalid number: expected a whole number, 0 or more".to_owned(),
        _ => message,
    };
    Problem::new(DiagKind::Yaml, offset, len, message.clone(), message).with_help_opt(help)
}

/// What would be valid, for the parser's terse type errors.
fn type_help(message: &str) -> Option<&'static str> {
    Some(match message {
        "invalid u32" => "write a number such as `2` (points are whole numbers)",
        "invalid boolean" => "write `true` or `false`",
        "expected sequence start" => {
            "a list is expected here: `[a, b]`, or lines starting with `- `"
        }
        "expected mapping start" => {
            "a mapping is expected here: `name: value` lines, or `{name: value}`"
        }
        "expected string scalar" => {
            "a single string is expected here; quote it if it contains `:`, `[` or `{`"
        }
        "unexpected end of file" => {
            "the file has no lab in it: a lab needs `id`, `title` and `steps`"
        }
        "recursion limit exceeded" => "the file is nested too deeply for a lab",
        _ => return None,
    })
}

/// Removes a trailing ` at line N, column M` (the diagnostic shows the position itself).
fn strip_location(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message).trim_end();
    if let Some(i) = first.rfind(" at line ") {
        let tail = &first[i + " at line ".len()..];
        let well_formed = tail.split_once(", column ").is_some_and(|(l, c)| {
            l.bytes().all(|b| b.is_ascii_digit()) && c.bytes().all(|b| b.is_ascii_digit())
        });
        if well_formed {
            return first[..i].to_owned();
        }
    }
    first.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_trailing_location() {
        assert_eq!(
            strip_location("invalid u32 at line 6, column 13"),
            "invalid u32"
        );
        assert_eq!(strip_location("keep at line x"), "keep at line x");
    }
}
