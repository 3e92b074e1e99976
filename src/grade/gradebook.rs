//! The gradebook: one row per learner, as CSV (for spreadsheets and LMS imports) and as JSON
//! beside it (with every learner's full result, hidden checks included: it is for teachers).
//!
//! Columns: `learner, score, possible, percent, pass, could_not_check, <one per step id>,
//! message, recorded_at, warnings` (`recorded_at` and `warnings` for fixture submissions: when
//! it was recorded, and whether it was recorded against another version of the lab file or
//! more than `--max-age` days ago; several warnings are joined with `; `). When `could_not_check` is true, `score`, `percent` and `pass` are empty (JSON:
//! `null`): an unknown grade is never written as zero.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::LearnerGrade;
use crate::lab::ResolvedStep;
use crate::run::result::{LabResult, StepStatus};

/// What the gradebook is about.
#[derive(Debug, Clone, Serialize)]
pub struct GradebookLab {
    /// Lab id.
    pub id: String,
    /// Lab title.
    pub title: String,
    /// The lab file.
    pub file: String,
    /// Points possible.
    pub possible: u32,
    /// The pass mark applied.
    pub pass_mark: String,
    /// Step ids, in lab order (the per-step columns).
    pub steps: Vec<String>,
}

impl GradebookLab {
    /// The gradebook header data from a lab's resolved steps.
    pub fn new(
        id: &str,
        title: &str,
        file: &Path,
        steps: &[ResolvedStep],
        pass_mark: &str,
    ) -> Self {
        Self {
            id: id.to_owned(),
            title: title.to_owned(),
            file: file.display().to_string(),
            possible: steps.iter().map(|s| s.points).sum(),
            pass_mark: pass_mark.to_owned(),
            steps: steps.iter().map(|s| s.id.clone()).collect(),
        }
    }
}

/// One row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Learner (submission folder name).
    pub learner: String,
    /// Points earned; `None` when the grade is not known.
    pub score: Option<u32>,
    /// Points possible.
    pub possible: u32,
    /// Percentage of the possible points, one decimal; `None` when not known.
    pub percent: Option<f64>,
    /// Whether the learner meets the pass mark; `None` when not known.
    pub pass: Option<bool>,
    /// True when a step could not be checked or the submission was unreadable.
    pub could_not_check: bool,
    /// Each step's status by id (empty when the submission was unreadable).
    pub steps: Vec<(String, String)>,
    /// Why the learner could not be checked.
    pub message: String,
    /// When a fixture submission was recorded (RFC 3339).
    pub recorded_at: Option<String>,
    /// What the teacher should know although the grade stands (see [`LearnerGrade::warnings`]).
    pub warnings: Vec<String>,
    /// The learner's full result (JSON only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<LabResult>,
}

/// The rows of a gradebook, in learner order (the grades' results move into the rows: one
/// copy of each learner's result in memory, not two).
pub fn rows(lab: &GradebookLab, grades: Vec<LearnerGrade>) -> Vec<Row> {
    let mut rows: Vec<Row> = grades
        .into_iter()
        .map(|g| {
            let unknown = g.could_not_check();
            let steps = lab
                .steps
                .iter()
                .map(|id| {
                    let status = g
                        .result
                        .as_ref()
                        .and_then(|r| r.steps.iter().find(|s| &s.id == id))
                        .map(|s| s.status.as_str().to_owned())
                        .unwrap_or_default();
                    (id.clone(), status)
                })
                .collect();
            let message = match (&g.problem, &g.result) {
                (Some(p), _) => p.clone(),
                (None, Some(r)) => r
                    .steps
                    .iter()
                    .filter(|s| s.status == StepStatus::Error)
                    .map(|s| format!("{}: {}", s.id, s.message.as_deref().unwrap_or("error")))
                    .collect::<Vec<_>>()
                    .join("; "),
                (None, None) => String::new(),
            };
            let (score, percent, pass) = match g.result.as_ref().filter(|_| !unknown) {
                Some(r) => (
                    Some(r.score.earned),
                    Some(percent(r.score.earned, r.score.possible)),
                    Some(r.passed),
                ),
                None => (None, None, None),
            };
            Row {
                learner: g.learner,
                score,
                possible: lab.possible,
                percent,
                pass,
                could_not_check: unknown,
                steps,
                // No secret a server echoed reaches the gradebook (see `crate::secrets`).
                message: crate::secrets::scrub(&message),
                recorded_at: g.recorded_at,
                warnings: g
                    .warnings
                    .iter()
                    .map(|w| crate::secrets::scrub(w))
                    .collect(),
                result: g.result.map(|mut r| {
                    crate::report::scrubbed::lab_in_place(&mut r);
                    r
                }),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.learner.cmp(&b.learner));
    rows
}

/// `earned / possible` as a percentage with one decimal (100 when nothing is possible).
fn percent(earned: u32, possible: u32) -> f64 {
    if possible == 0 {
        return 100.0;
    }
    (f64::from(earned) * 1000.0 / f64::from(possible)).round() / 10.0
}

/// The CSV text (RFC 4180: CRLF-free `\n` lines, fields quoted when needed).
pub fn csv(lab: &GradebookLab, rows: &[Row]) -> String {
    let mut header: Vec<String> = [
        "learner",
        "score",
        "possible",
        "percent",
        "pass",
        "could_not_check",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header.extend(lab.steps.iter().cloned());
    header.extend(["message", "recorded_at", "warnings"].map(str::to_owned));
    let mut out = line(&header);
    for r in rows {
        let mut fields = vec![
            r.learner.clone(),
            r.score.map(|s| s.to_string()).unwrap_or_default(),
            r.possible.to_string(),
            r.percent.map(|p| format!("{p:.1}")).unwrap_or_default(),
            r.pass.map(|p| p.to_string()).unwrap_or_default(),
            r.could_not_check.to_string(),
        ];
        fields.extend(r.steps.iter().map(|(_, s)| s.clone()));
        fields.push(r.message.clone());
        fields.push(r.recorded_at.clone().unwrap_or_default());
        fields.push(r.warnings.join("; "));
        out.push_str(&line(&fields));
    }
    out
}

fn line(fields: &[String]) -> String {
    let mut s = fields
        .iter()
        .map(|f| field(f))
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    s
}

/// One CSV field; also neutralises spreadsheet formulas in learner-controlled text.
fn field(f: &str) -> String {
    let f = if f.starts_with(['=', '+', '-', '@']) {
        format!("'{f}")
    } else {
        f.to_owned()
    };
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}

/// The JSON gradebook document, serialized straight from the rows (no intermediate tree).
#[derive(Serialize)]
pub struct JsonGradebook<'a> {
    /// What the gradebook is about.
    pub lab: &'a GradebookLab,
    /// One entry per row.
    #[serde(serialize_with = "learners")]
    pub learners: &'a [Row],
}

/// A row as the JSON gradebook shows it: steps as an object of step id to status.
#[derive(Serialize)]
struct JsonRow<'a> {
    learner: &'a str,
    score: Option<u32>,
    possible: u32,
    percent: Option<f64>,
    pass: Option<bool>,
    could_not_check: bool,
    #[serde(serialize_with = "steps")]
    steps: &'a [(String, String)],
    message: &'a str,
    recorded_at: Option<&'a str>,
    warnings: &'a [String],
    result: &'a Option<LabResult>,
}

fn learners<S: serde::Serializer>(rows: &&[Row], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(rows.iter().map(|r| JsonRow {
        learner: &r.learner,
        score: r.score,
        possible: r.possible,
        percent: r.percent,
        pass: r.pass,
        could_not_check: r.could_not_check,
        steps: &r.steps,
        message: &r.message,
        recorded_at: r.recorded_at.as_deref(),
        warnings: &r.warnings,
        result: &r.result,
    }))
}

fn steps<S: serde::Serializer>(steps: &&[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(steps.iter().map(|(id, status)| (id, status)))
}

/// The JSON gradebook text (pretty, with a final newline).
pub fn json(lab: &GradebookLab, rows: &[Row]) -> serde_json::Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(&JsonGradebook {
        lab,
        learners: rows,
    })?;
    out.push(b'\n');
    Ok(out)
}

/// Where the JSON gradebook goes: beside the CSV, with the extension `.json`.
pub fn json_path(csv_path: &Path) -> PathBuf {
    csv_path.with_extension("json")
}

/// Why the gradebook cannot be locked for this run.
#[derive(Debug, thiserror::Error)]
#[error("gradebook {path}: {message}")]
pub struct LockError {
    /// The CSV gradebook.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// Locks the gradebook at `csv_path` (its CSV and the JSON beside it) for this run, through
/// `<csv>.lock` beside them: a second `amlab grade` writing the same gradebook stops instead
/// of interleaving its CSV and JSON with this one's. Held until the returned file is dropped.
pub fn lock(csv_path: &Path) -> Result<std::fs::File, LockError> {
    let fail = |message: String| LockError {
        path: csv_path.display().to_string(),
        message,
    };
    if let Some(parent) = csv_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| fail(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut name = csv_path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| {
            fail(format!(
                "cannot open lock file {}: {e}",
                lock_path.display()
            ))
        })?;
    file.try_lock().map_err(|e| {
        fail(format!(
            "is being written by another amlab grade (lock {} is held: {e})",
            lock_path.display()
        ))
    })?;
    Ok(file)
}
