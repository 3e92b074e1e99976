//! The GitHub Classroom reporter (`--report classroom=PATH`): the result a Classroom
//! autograding runner hands to `classroom-resources/autograding-grading-reporter`, base64-encoded
//! in its `<ID>_RESULTS` variable: `{"version": 1, "status": "pass|fail|error", "max_score": N,
//! "tests": [{"name", "status", "score", "max_score", "message", ...}]}`.
//!
//! One test per step (its points are the step's, so partial credit from per-check points adds
//! up); `status` is `pass` when every lab meets its pass mark, `error` when amlab could not
//! check a step, else `fail`. A skipped step is a failed test, never a passed one.

use serde::Serialize;

use super::{Output, Reporter, check_failure_text};
use crate::run::events::Event;
use crate::run::result::{LabResult, StepResult, StepStatus};

/// The autograding result document.
#[derive(Debug, Serialize)]
pub struct ClassroomResult {
    /// Format version (1).
    pub version: u32,
    /// `pass`, `fail` or `error`.
    pub status: &'static str,
    /// The points possible.
    pub max_score: u32,
    /// One test per step of every lab.
    pub tests: Vec<ClassroomTest>,
}

/// One test of the result.
#[derive(Debug, Serialize)]
pub struct ClassroomTest {
    /// `lab-id › step title`.
    pub name: String,
    /// `pass`, `fail` or `error`.
    pub status: &'static str,
    /// Points earned.
    pub score: u32,
    /// Points possible.
    pub max_score: u32,
    /// Why it did not pass (failed checks with their hints), empty when it passed.
    pub message: String,
    /// The lab file.
    pub filename: String,
    /// The line of the step's first failed check in the lab file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_no: Option<u32>,
    /// The ARM resource the step checks.
    pub test_code: String,
    /// Wall time of the step, such as `12ms`.
    pub execution_time: String,
}

/// The Classroom result for a run's (visible) results.
pub fn document(results: &[LabResult]) -> ClassroomResult {
    let tests: Vec<ClassroomTest> = results
        .iter()
        .flat_map(|lab| lab.steps.iter().map(move |s| test(lab, s)))
        .collect();
    let error = results
        .iter()
        .any(|r| r.steps.iter().any(|s| s.status == StepStatus::Error));
    let status = if error {
        "error"
    } else if results.iter().all(|r| r.passed) {
        "pass"
    } else {
        "fail"
    };
    ClassroomResult {
        version: 1,
        status,
        max_score: results.iter().map(|r| r.score.possible).sum(),
        tests,
    }
}

fn test(lab: &LabResult, step: &StepResult) -> ClassroomTest {
    let status = match step.status {
        StepStatus::Passed => "pass",
        StepStatus::Error => "error",
        StepStatus::Failed | StepStatus::Skipped => "fail",
    };
    let failed: Vec<_> = step.checks.iter().filter(|c| !c.passed).collect();
    let mut lines: Vec<String> = Vec::new();
    if step.status != StepStatus::Passed {
        if let Some(m) = &step.message {
            lines.push(m.clone());
        }
        for c in &failed {
            lines.push(format!(
                "✗ {}: {}",
                c.title,
                check_failure_text(c).replace('\n', " · ")
            ));
        }
    }
    ClassroomTest {
        name: format!("{} › {}", lab.lab.id, step.title),
        status,
        score: step.points.earned,
        max_score: step.points.possible,
        message: lines.join("\n"),
        filename: failed
            .first()
            .and_then(|c| c.file.clone())
            .unwrap_or_else(|| lab.lab.file.clone()),
        line_no: failed.first().and_then(|c| c.line),
        test_code: step.resource.clone(),
        execution_time: format!("{}ms", step.duration_ms),
    }
}

/// Writes the Classroom result when the run finishes.
pub struct ClassroomReporter {
    out: Output,
}

impl ClassroomReporter {
    /// A reporter writing to `out`.
    pub fn new(out: Output) -> Self {
        Self { out }
    }
}

impl Reporter for ClassroomReporter {
    fn report(&mut self, event: &Event<'_>) -> std::io::Result<()> {
        if let Event::RunFinished { results, .. } = event {
            let mut text =
                serde_json::to_string_pretty(&document(results)).map_err(std::io::Error::other)?;
            text.push('\n');
            self.out.write(text.as_bytes())?;
        }
        Ok(())
    }
}
