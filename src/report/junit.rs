//! The JUnit XML reporter (`--report junit=PATH`), in the dialect Jenkins and GitLab read
//! (the "Jenkins JUnit schema", `tests/data/junit.xsd`): one `<testsuite>` per lab, one
//! `<testcase>` per check (name `step-id: check title`, classname the lab id). A failed check is
//! a `<failure>` whose *body* carries the message and hint (GitLab ignores the attribute); a
//! step amlab could not check is an `<error>`; a skipped step is `<skipped>`. Points and the
//! pass mark are `<properties>` of the suite.

use std::collections::HashMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{Output, Reporter, check_failure_text};
use crate::run::events::Event;
use crate::run::result::{LabResult, StepResult, StepStatus};

/// Writes the JUnit report when the run finishes.
pub struct JunitReporter {
    out: Output,
}

impl JunitReporter {
    /// A reporter writing to `out`.
    pub fn new(out: Output) -> Self {
        Self { out }
    }
}

impl Reporter for JunitReporter {
    fn report(&mut self, event: &Event<'_>) -> std::io::Result<()> {
        if let Event::RunFinished { results, .. } = event {
            let text = document(results)?;
            self.out.write(text.as_bytes())?;
        }
        Ok(())
    }
}

/// The JUnit XML text for a run's (visible) results.
pub fn document(results: &[LabResult]) -> std::io::Result<String> {
    let mut report = Report::new("amlab");
    for lab in results {
        report.add_test_suite(suite(lab));
    }
    let text = report.to_string().map_err(std::io::Error::other)?;
    Ok(strip_testsuites_skipped(text))
}

/// quick-junit writes `skipped` on `<testsuites>`, an attribute the Jenkins schema does not
/// define there (it does on `<testsuite>`); the count is kept on each suite.
fn strip_testsuites_skipped(text: String) -> String {
    let Some(start) = text.find("<testsuites") else {
        return text;
    };
    let end = text[start..].find('>').map_or(text.len(), |e| start + e);
    let tag = &text[start..end];
    let Some(at) = tag.find(" skipped=\"") else {
        return text;
    };
    let value_end = tag[at + 10..]
        .find('"')
        .map_or(tag.len(), |e| at + 10 + e + 1);
    format!(
        "{}{}{}",
        &text[..start + at],
        &text[start + value_end..end],
        &text[end..]
    )
}

fn suite(lab: &LabResult) -> TestSuite {
    let mut suite = TestSuite::new(lab.lab.id.as_str());
    suite.set_time(Duration::from_millis(
        lab.steps.iter().map(|s| s.duration_ms).sum(),
    ));
    let mut props = vec![
        Property::new("title", lab.lab.title.as_str()),
        Property::new("file", lab.lab.file.as_str()),
        Property::new("target", lab.target.as_str()),
        Property::new("score", lab.score.earned.to_string()),
        Property::new("possible", lab.score.possible.to_string()),
        Property::new("pass_mark", lab.pass_mark.as_str()),
        Property::new("passed", lab.passed.to_string()),
    ];
    for step in &lab.steps {
        props.push(Property::new(
            format!("points.{}", step.id),
            format!("{}/{}", step.points.earned, step.points.possible),
        ));
    }
    suite.add_properties(props);
    let mut seen: HashMap<String, usize> = HashMap::new();
    for step in &lab.steps {
        for mut case in cases(step) {
            // GitLab keys cases by classname + name and keeps only the first of duplicates.
            let name = case.name.as_str().to_owned();
            let n = seen.entry(name.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                case.name = format!("{name} ({n})").into();
            }
            case.set_classname(lab.lab.id.as_str());
            suite.add_test_case(case);
        }
    }
    suite
}

fn cases(step: &StepResult) -> Vec<TestCase> {
    let time = Duration::from_millis(step.duration_ms);
    if step.checks.is_empty() {
        let status = match step.status {
            StepStatus::Passed => TestCaseStatus::success(),
            StepStatus::Skipped => {
                let mut s = TestCaseStatus::skipped();
                if let Some(m) = &step.message {
                    s.set_message(m.as_str());
                }
                s
            }
            StepStatus::Failed | StepStatus::Error => {
                let kind = if step.status == StepStatus::Error {
                    NonSuccessKind::Error
                } else {
                    NonSuccessKind::Failure
                };
                let message = step
                    .message
                    .clone()
                    .unwrap_or_else(|| "the step did not pass".to_owned());
                let mut s = TestCaseStatus::non_success(kind);
                s.set_message(message.as_str()).set_description(message);
                s
            }
        };
        let mut case = TestCase::new(format!("{}: {}", step.id, step.title), status);
        case.set_time(time);
        return vec![case];
    }
    step.checks
        .iter()
        .map(|check| {
            let status = if check.passed {
                TestCaseStatus::success()
            } else {
                let kind = if step.status == StepStatus::Error {
                    NonSuccessKind::Error
                } else {
                    NonSuccessKind::Failure
                };
                let text = check_failure_text(check);
                let mut s = TestCaseStatus::non_success(kind);
                s.set_message(text.lines().next().unwrap_or_default())
                    .set_type(check.comparison.as_str())
                    .set_description(text);
                s
            };
            let mut case = TestCase::new(format!("{}: {}", step.id, check.title), status);
            let points = match check.points {
                Some(p) => format!("points: {}/{}", p.earned, p.possible),
                None => format!(
                    "step points: {}/{}",
                    step.points.earned, step.points.possible
                ),
            };
            case.set_system_out(format!(
                "step: {}\nquery: {}\n{points}",
                step.title, check.query
            ));
            case
        })
        .collect()
}
