//! Reading one learner's submission folder: what it is ([`SubmissionSource`]) and the
//! parameter values it names (`vars.yaml` / `vars.yml` / `vars.env`).
//!
//! [`submission_target`] is the one place that decides how a folder is checked: a vars file is
//! checked against the chosen target; a folder holding a recorded fixture (`*.json`, at any
//! depth, such as a copy of `amlab check --record` output) is checked by replaying it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The vars files looked for, in order.
pub const VARS_FILES: [&str; 3] = ["vars.yaml", "vars.yml", "vars.env"];

/// The largest vars file read (64 KiB: a vars file names a few parameters).
pub const MAX_VARS_BYTES: u64 = 64 * 1024;

/// How a submission folder is to be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmissionSource {
    /// A vars file naming the learner's resources, checked against the chosen target.
    Vars {
        /// The vars file read.
        file: PathBuf,
        /// Its values (`subscription` included when given).
        vars: BTreeMap<String, String>,
    },
    /// A folder holding a recorded fixture of the learner's `check` of the lab, graded by
    /// replaying it (as `--replay <dir>` does), with the recorded parameters.
    Fixture {
        /// The submission folder (the replay directory).
        dir: PathBuf,
        /// Values from a vars file beside the fixture, if any.
        vars: BTreeMap<String, String>,
    },
    /// The folder cannot be graded: why, in words naming the file (and line) at fault.
    Unreadable(String),
}

/// Decides how the submission in `folder` is checked.
pub fn submission_target(folder: &Path) -> SubmissionSource {
    let entries = match std::fs::read_dir(folder) {
        Ok(e) => e,
        Err(e) => return SubmissionSource::Unreadable(format!("{}: {e}", folder.display())),
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let vars_file = VARS_FILES
        .iter()
        .find(|f| names.iter().any(|n| n == *f))
        .map(|f| folder.join(f));
    let has_fixture = holds_json(folder, 3);
    let vars = match &vars_file {
        Some(file) => match read_vars(folder, file) {
            Ok(v) => v,
            Err(e) => return SubmissionSource::Unreadable(e),
        },
        None if has_fixture => BTreeMap::new(),
        None => {
            return SubmissionSource::Unreadable(format!(
                "{}: no {} naming the learner's resources, and no recorded fixture (*.json)",
                folder.display(),
                VARS_FILES.join(", ")
            ));
        }
    };
    if has_fixture {
        return SubmissionSource::Fixture {
            dir: folder.to_path_buf(),
            vars,
        };
    }
    SubmissionSource::Vars {
        file: vars_file.unwrap_or_default(),
        vars,
    }
}

/// Whether `dir` holds a `*.json` file, looking at most `depth` folders deep.
fn holds_json(dir: &Path, depth: usize) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|e| {
        let path = e.path();
        // A symlinked folder is not followed (it may lead out of the submission).
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            depth > 0 && holds_json(&path, depth - 1)
        } else {
            path.extension().is_some_and(|x| x == "json")
        }
    })
}

/// Reads a vars file inside `folder`: YAML (a mapping of names to scalars) or `.env`
/// (`NAME=VALUE` lines). Only a regular file inside the folder of at most [`MAX_VARS_BYTES`] is
/// read; errors name the position and what was expected, never the file's content.
pub fn read_vars(folder: &Path, file: &Path) -> Result<BTreeMap<String, String>, String> {
    let bytes = crate::fsutil::read_inside(folder, file, MAX_VARS_BYTES)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{}: is not UTF-8 text", file.display()))?;
    if file.extension().is_some_and(|e| e == "env") {
        parse_env(&text).map_err(|e| format!("{}: {e}", file.display()))
    } else {
        parse_yaml(&text).map_err(|e| format!("{}: {e}", file.display()))
    }
}

/// Parses `NAME=VALUE` lines (`#` comments, blank lines, `export `, quoted values).
pub fn parse_env(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            return Err(format!(
                "line {}: not NAME=VALUE (such as suffix=ab12cd)",
                i + 1
            ));
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "line {}: the name before `=` is not a parameter name (letters, digits and _)",
                i + 1
            ));
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        out.insert(name.to_owned(), value.to_owned());
    }
    Ok(out)
}

/// Parses a YAML mapping of parameter names to strings, numbers or booleans.
pub fn parse_yaml(text: &str) -> Result<BTreeMap<String, String>, String> {
    if text.trim().is_empty() {
        return Err("the file is empty; expected a mapping such as `suffix: ab12cd`".to_owned());
    }
    let value: Value = serde_saphyr::from_str(text).map_err(|e| {
        // The first line names line and column; the rest is a source excerpt.
        let text = e.to_string();
        without_quoted(
            text.lines()
                .next()
                .unwrap_or("invalid YAML")
                .trim_start_matches("error: "),
        )
    })?;
    let Value::Object(map) = value else {
        return Err(
            "expected a mapping of parameter names to values, such as `suffix: ab12cd`".to_owned(),
        );
    };
    if map.keys().any(|k| !is_param_name(k)) {
        return Err(
            "a key is not a parameter name (letters, digits, `_` and `-`, such as `suffix: ab12cd`)"
                .to_owned(),
        );
    }
    map.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            Value::Number(n) => Ok((k, n.to_string())),
            Value::Bool(b) => Ok((k, b.to_string())),
            other => Err(format!(
                "`{k}`: expected a string, number or boolean, found {}",
                match other {
                    Value::Null => "nothing",
                    Value::Array(_) => "a list",
                    _ => "a mapping",
                }
            )),
        })
        .collect()
}

fn is_param_name(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A parser message without the file text it may quote: a quoted part longer than a
/// punctuation mark (`"..."`, `'...'`, `` `...` ``) becomes `…`.
fn without_quoted(message: &str) -> String {
    let quoted = regex::Regex::new(r#""[^"]{2,}"|'[^']{2,}'|`[^`]{2,}`"#);
    match quoted {
        Ok(re) => re.replace_all(message, "…").into_owned(),
        Err(_) => "invalid YAML".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lines_with_comments_export_and_quotes() {
        let v =
            parse_env("# mine\nexport suffix=\"ab12\"\n\nlocation='westus'\nresource_group=rg-x\n")
                .unwrap();
        assert_eq!(v["suffix"], "ab12");
        assert_eq!(v["location"], "westus");
        assert_eq!(v["resource_group"], "rg-x");
    }

    #[test]
    fn env_errors_name_the_line() {
        let e = parse_env("suffix=a\nnot a pair\n").unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
        assert!(!e.contains("pair"), "the line is not echoed: {e}");
        let e = parse_yaml("suffix: \"SECRET-VALUE\nx").unwrap_err();
        assert!(!e.contains("SECRET"), "{e}");
    }

    #[test]
    fn yaml_scalars_become_strings_and_lists_are_refused() {
        let v = parse_yaml("suffix: ab12\nnodes: 2\n").unwrap();
        assert_eq!(v["nodes"], "2");
        let e = parse_yaml("suffix: [a, b]\n").unwrap_err();
        assert!(e.contains("`suffix`: expected a string"), "{e}");
        assert!(parse_yaml("").unwrap_err().contains("empty"));
        assert!(parse_yaml("just text").unwrap_err().contains("mapping"));
    }

    #[test]
    fn folders_are_classified() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        assert!(
            matches!(submission_target(&empty), SubmissionSource::Unreadable(m) if m.contains("no vars.yaml"))
        );
        let fixture = dir.path().join("fx");
        std::fs::create_dir(&fixture).unwrap();
        std::fs::write(fixture.join("recording.json"), "{}").unwrap();
        assert!(matches!(
            submission_target(&fixture),
            SubmissionSource::Fixture { .. }
        ));
        // As `amlab check --record DIR` writes it: DIR/<lab-id>/check.json.
        let nested = dir.path().join("nested");
        std::fs::create_dir_all(nested.join("lab-x")).unwrap();
        std::fs::write(nested.join("lab-x/check.json"), "{}").unwrap();
        assert!(
            matches!(submission_target(&nested), SubmissionSource::Fixture { dir, .. } if dir == nested)
        );
        let vars = dir.path().join("v");
        std::fs::create_dir(&vars).unwrap();
        std::fs::write(vars.join("vars.env"), "suffix=x1\n").unwrap();
        assert_eq!(
            submission_target(&vars),
            SubmissionSource::Vars {
                file: vars.join("vars.env"),
                vars: BTreeMap::from([("suffix".to_owned(), "x1".to_owned())])
            }
        );
    }
}
