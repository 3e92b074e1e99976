//! Results with every secret removed ([`crate::secrets`]), once, before any reporter sees them:
//! [`crate::run::sink::EventSink`] applies this to every event it fans out, and the gradebook to
//! every row, so a token or key a server echoed in an error, or a check read as its actual
//! value, reaches no terminal, report or gradebook.

use crate::run::result::{CheckResult, LabInfo, LabResult, StepResult};
use crate::secrets::{scrub, scrub_json};

fn opt(s: &mut Option<String>) {
    if let Some(text) = s {
        *text = scrub(text);
    }
}

/// One check without secrets.
pub fn check(c: &mut CheckResult) {
    c.title = scrub(&c.title);
    c.query = scrub(&c.query);
    if let Some(v) = &mut c.expected {
        scrub_json(v);
    }
    if let Some(v) = &mut c.actual {
        scrub_json(v);
    }
    opt(&mut c.message);
    opt(&mut c.hint);
}

/// Removes every secret from a step, in place.
pub fn step_in_place(v: &mut StepResult) {
    v.title = scrub(&v.title);
    v.resource = scrub(&v.resource);
    opt(&mut v.message);
    v.checks.iter_mut().for_each(check);
}

/// A step without secrets.
pub fn step(s: &StepResult) -> StepResult {
    let mut v = s.clone();
    step_in_place(&mut v);
    v
}

/// A lab's identity without secrets.
pub fn info(i: &LabInfo) -> LabInfo {
    LabInfo {
        id: scrub(&i.id),
        title: scrub(&i.title),
        file: scrub(&i.file),
    }
}

/// Removes every secret from a lab's result, in place (the gradebook keeps one copy).
pub fn lab_in_place(v: &mut LabResult) {
    v.lab = info(&v.lab);
    v.target = scrub(&v.target);
    v.steps.iter_mut().for_each(step_in_place);
}

/// A lab's result without secrets.
pub fn lab(l: &LabResult) -> LabResult {
    let mut v = l.clone();
    lab_in_place(&mut v);
    v
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::lab::types::Visibility;
    use crate::run::result::{Points, StepStatus};

    #[test]
    fn every_text_of_a_result_is_scrubbed() {
        let token = "scrubbed-rs-test-token-42";
        crate::secrets::remember(token);
        let check = CheckResult {
            title: "t".into(),
            query: "properties.x".into(),
            comparison: "equals".into(),
            expected: Some(json!("ok")),
            actual: Some(json!({"note": format!("echo {token}")})),
            passed: false,
            message: Some(format!("expected \"ok\", got {token}")),
            hint: None,
            points: None,
            visibility: Visibility::Full,
            line: None,
            file: None,
        };
        let step = StepResult {
            id: "s".into(),
            title: "s".into(),
            status: StepStatus::Error,
            points: Points::default(),
            duration_ms: 0,
            resource: "/subscriptions/x".into(),
            checks: vec![check],
            message: Some(format!("HTTP 403 AuthorizationFailed: token {token}")),
            hidden_checks: 0,
        };
        let lab = LabResult {
            lab: LabInfo {
                id: "l".into(),
                title: "l".into(),
                file: "l.yaml".into(),
            },
            target: "https://ada:pw@example.com".into(),
            mode: "check".into(),
            score: Points::default(),
            pass_mark: "all steps".into(),
            passed: false,
            steps: vec![step],
        };
        let text = serde_json::to_string(&super::lab(&lab)).expect("json");
        assert!(!text.contains(token), "{text}");
        assert!(!text.contains("ada:pw"), "{text}");
        assert!(text.contains("Sanitized"), "{text}");
    }
}
