//! Turns a resource document (or its absence) into check results, a step status and points.

use serde_json::Value;

use super::result::{CheckResult, Points, StepStatus};
use crate::lab::ResolvedStep;

/// The verdict of a step's checks over one document.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Each check's result.
    pub checks: Vec<CheckResult>,
    /// Passed or Failed.
    pub status: StepStatus,
    /// Points earned and possible.
    pub points: Points,
    /// A step-level message ("resource not found: ...").
    pub message: Option<String>,
}

/// Evaluates every check of `step` over `doc`; `None` means the resource does not exist, which
/// fails every check (and the step) with "not found".
pub fn evaluate(step: &ResolvedStep, doc: Option<&Value>) -> Evaluation {
    let not_found = format!("resource not found: {}", step.resource);
    let own_points = step.checks.iter().any(|c| c.points.is_some());
    let mut checks = Vec::with_capacity(step.checks.len());
    for check in &step.checks {
        let (actual, passed, message) = match doc {
            None => (Value::Null, false, Some(not_found.clone())),
            Some(doc) => match check.query.eval(doc) {
                Ok(actual) => {
                    let verdict = check.comparison.evaluate(&actual, check.ignore_case);
                    (actual, verdict.passed, verdict.message)
                }
                Err(e) => (Value::Null, false, Some(format!("query failed: {e}"))),
            },
        };
        let points = check.points.map(|p| Points {
            earned: if passed { p } else { 0 },
            possible: p,
        });
        checks.push(CheckResult {
            title: check.title.clone(),
            query: check.query.text().to_owned(),
            comparison: check.comparison.name().to_owned(),
            expected: Some(check.comparison.expected()),
            actual: Some(actual),
            passed,
            message,
            hint: check.hint.clone(),
            points,
            visibility: check.visibility,
            line: check.line,
            file: check.file.as_ref().map(|f| f.display().to_string()),
        });
    }
    let all_passed = doc.is_some() && checks.iter().all(|c| c.passed);
    let status = if all_passed {
        StepStatus::Passed
    } else {
        StepStatus::Failed
    };
    let earned = if own_points {
        checks
            .iter()
            .filter_map(|c| c.points)
            .map(|p| p.earned)
            .sum()
    } else if all_passed {
        step.points
    } else {
        0
    };
    Evaluation {
        checks,
        status,
        points: Points {
            earned,
            possible: step.points,
        },
        message: doc.is_none().then_some(not_found),
    }
}
