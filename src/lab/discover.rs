//! Finding lab files: paths given as files are taken as they are; directories are searched
//! recursively for `*.lab.yaml` and `*.lab.yml` (so shared setup files, `*.setup.yaml`, are
//! never taken for labs).

use std::path::{Path, PathBuf};

use super::diagnostic::LabDiagnostic;

/// Whether a file name is a lab file's.
pub(crate) fn is_lab_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".lab.yaml") || n.ends_with(".lab.yml"))
}

/// Whether a file name is a shared setup's (`*.setup.yaml`, `*.setup.yml`): included by labs,
/// never taken for one.
pub(crate) fn is_setup_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".setup.yaml") || n.ends_with(".setup.yml"))
}

fn unlocated(message: String, help: Option<String>) -> LabDiagnostic {
    LabDiagnostic::Unlocated { message, help }
}

/// Walks a directory; hidden directories (`.git`, `.amlab`) and symlinked directories are
/// skipped, so the walk always ends.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<LabDiagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(unlocated(
                format!("{}: cannot read directory: {e}", dir.display()),
                None,
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let hidden = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with('.'));
        if kind.is_dir() {
            if !hidden {
                walk(&path, out, problems);
            }
        } else if is_lab_file(&path) && (kind.is_file() || path.is_file()) {
            out.push(path);
        }
    }
}

/// The lab files under `paths`, and a diagnostic for each path that is missing (or a
/// directory without lab files).
pub(crate) fn discover_all(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<LabDiagnostic>) {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, &mut problems);
            if found.is_empty() {
                problems.push(unlocated(
                    format!("{}: no lab files found", path.display()),
                    Some("lab files are named `*.lab.yaml` or `*.lab.yml`".to_owned()),
                ));
            }
            found.sort();
            files.extend(found);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            problems.push(unlocated(
                format!("{}: no such file or directory", path.display()),
                None,
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    (files, problems)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_lab_files_sorted_and_reports_missing_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/deep")).unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        for f in [
            "b/deep/z.lab.yml",
            "a.lab.yaml",
            "b/c.lab.yaml",
            "notes.yaml",
            ".hidden/x.lab.yaml",
        ] {
            std::fs::write(root.join(f), "").unwrap();
        }
        let missing = root.join("missing.lab.yaml");
        let (files, problems) = discover_all(&[root.to_path_buf(), missing.clone()]);
        let rel: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(rel, ["a.lab.yaml", "b/c.lab.yaml", "b/deep/z.lab.yml"]);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .to_string()
                .contains("missing.lab.yaml: no such file")
        );
        let (files, _) = discover_all(&[root.join("notes.yaml")]);
        assert_eq!(files.len(), 1, "a file path is taken as is");
    }
}
