//! What reports may show: turns results into their visible form according to each check's
//! `visibility` (`full`, `actual`, `none`, `hidden`), once, before any reporter sees them.
//!
//! [`crate::run::sink::EventSink`] applies this to every event it fans out, so no reporter
//! (terminal, JSON, JUnit, GitHub, Classroom) can show what a lab author withheld. Scores are
//! never changed: a hidden check still counts in its step's points and status.

use serde_json::Value;

use crate::lab::types::Visibility;
use crate::run::result::{CheckResult, LabResult, StepResult};

/// The visible form of one check, or `None` when it is hidden (and not revealed).
pub fn check(c: &CheckResult, reveal: bool) -> Option<CheckResult> {
    if reveal {
        return Some(c.clone());
    }
    let mut v = c.clone();
    match c.visibility {
        Visibility::Full => {}
        Visibility::Actual => {
            v.expected = None;
            let keep = c.message.as_deref().is_some_and(|m| {
                m.starts_with("resource not found") || m.starts_with("query failed")
            });
            if !c.passed && !keep {
                v.message = Some(format!(
                    "got {}",
                    render(c.actual.as_ref().unwrap_or(&Value::Null))
                ));
            }
        }
        Visibility::None => {
            v.expected = None;
            v.actual = None;
            v.message = None;
        }
        Visibility::Hidden => return None,
    }
    Some(v)
}

/// The visible form of a step: hidden checks left out and counted in `hidden_checks`.
pub fn step(s: &StepResult, reveal: bool) -> StepResult {
    let mut v = s.clone();
    v.checks = s.checks.iter().filter_map(|c| check(c, reveal)).collect();
    v.hidden_checks = s.hidden_checks + (s.checks.len() - v.checks.len());
    v
}

/// The visible form of a lab's result.
pub fn lab(l: &LabResult, reveal: bool) -> LabResult {
    let mut v = l.clone();
    v.steps = l.steps.iter().map(|s| step(s, reveal)).collect();
    v
}

/// Whether anything in `l` needs filtering (so callers can skip the copy).
pub fn needs_filtering(l: &LabResult) -> bool {
    l.steps
        .iter()
        .any(|s| s.checks.iter().any(|c| c.visibility != Visibility::Full))
}

/// A JSON value in one line, strings quoted.
fn render(v: &Value) -> String {
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::result::{Points, StepStatus};
    use serde_json::json;

    fn failed(visibility: Visibility) -> CheckResult {
        CheckResult {
            title: "min nodes".into(),
            query: "properties.minNodeCount".into(),
            comparison: "equals".into(),
            expected: Some(json!(0)),
            actual: Some(json!(1)),
            passed: false,
            message: Some("expected 0, got 1".into()),
            hint: Some("scale to zero".into()),
            points: Some(Points {
                earned: 0,
                possible: 2,
            }),
            visibility,
            line: Some(7),
            file: None,
        }
    }

    fn step_of(checks: Vec<CheckResult>) -> StepResult {
        StepResult {
            id: "cluster".into(),
            title: "Cluster".into(),
            status: StepStatus::Failed,
            points: Points {
                earned: 0,
                possible: 2 * u32::try_from(checks.len()).unwrap(),
            },
            duration_ms: 0,
            resource: "/subscriptions/x".into(),
            checks,
            message: None,
            hidden_checks: 0,
        }
    }

    #[test]
    fn full_is_unchanged() {
        let v = check(&failed(Visibility::Full), false).unwrap();
        assert_eq!(v.expected, Some(json!(0)));
        assert_eq!(v.actual, Some(json!(1)));
        assert_eq!(v.message.as_deref(), Some("expected 0, got 1"));
    }

    #[test]
    fn actual_withholds_the_expected_value_also_from_the_message() {
        let v = check(&failed(Visibility::Actual), false).unwrap();
        assert_eq!(v.expected, None);
        assert_eq!(v.actual, Some(json!(1)));
        assert_eq!(v.message.as_deref(), Some("got 1"));
        assert_eq!(v.hint.as_deref(), Some("scale to zero"));
    }

    #[test]
    fn none_keeps_only_title_and_hint() {
        let v = check(&failed(Visibility::None), false).unwrap();
        assert_eq!((v.expected, v.actual, v.message), (None, None, None));
        assert_eq!(v.title, "min nodes");
        assert_eq!(v.hint.as_deref(), Some("scale to zero"));
    }

    #[test]
    fn hidden_is_removed_but_points_stay() {
        let s = step_of(vec![failed(Visibility::Full), failed(Visibility::Hidden)]);
        let v = step(&s, false);
        assert_eq!(v.checks.len(), 1);
        assert_eq!(v.hidden_checks, 1);
        assert_eq!(v.points, s.points);
        assert_eq!(v.status, StepStatus::Failed);
        let text = serde_json::to_string(&v).unwrap();
        assert!(!text.contains("\"hidden\""), "{text}");
    }

    #[test]
    fn reveal_shows_everything() {
        let s = step_of(vec![failed(Visibility::Hidden), failed(Visibility::None)]);
        let v = step(&s, true);
        assert_eq!(v.checks.len(), 2);
        assert_eq!(v.hidden_checks, 0);
        assert_eq!(v.checks[1].expected, Some(json!(0)));
    }
}
