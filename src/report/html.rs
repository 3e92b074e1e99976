//! The HTML reporter (`--report html=PATH`): one self-contained page for one learner (inline
//! CSS, no script, nothing from the network), written atomically when the run finishes. Each
//! lab and step with its status and points; each check with its expected and actual values as
//! its visibility allows (the [`crate::run::sink::EventSink`] has already withheld them and
//! removed secrets), its hint, and a line diff for objects and lists. Every text is escaped.
//!
//! [`lab_section`] is shared with the instructor's class report (`amlab grade --html`).

use std::fmt::Write;

use serde_json::Value;

use super::{Output, Reporter};
use crate::run::events::Event;
use crate::run::result::{CheckResult, LabResult, StepResult};

pub mod diff;
pub mod page;

use page::{escape, status};

/// Writes the HTML report.
pub struct HtmlReporter {
    out: Output,
}

impl HtmlReporter {
    /// A reporter writing to `out`.
    pub fn new(out: Output) -> Self {
        Self { out }
    }
}

impl Reporter for HtmlReporter {
    fn report(&mut self, event: &Event<'_>) -> std::io::Result<()> {
        if let Event::RunFinished {
            results,
            interrupted,
        } = event
        {
            self.out.write(document(results, *interrupted).as_bytes())?;
        }
        Ok(())
    }
}

/// The whole page for a run's results.
pub fn document(results: &[LabResult], interrupted: bool) -> String {
    let title = match results {
        [one] => format!("{}: amlab report", one.lab.title),
        _ => "amlab report".to_owned(),
    };
    let mut body = String::new();
    let _ = writeln!(body, "<header><h1>{}</h1>", escape(&title));
    if interrupted {
        body.push_str("<p class=\"st error\">Interrupted: the run was cut short; steps not reached are skipped.</p>\n");
    }
    summary(&mut body, results);
    body.push_str("</header>\n<main>\n");
    for (i, lab) in results.iter().enumerate() {
        let _ = writeln!(body, "<section class=\"lab\" id=\"lab-{i}\">");
        lab_section(&mut body, lab, 2);
        body.push_str("</section>\n");
    }
    body.push_str("</main>\n");
    page::page(&title, &body)
}

/// The table of labs at the top of the page.
fn summary(out: &mut String, results: &[LabResult]) {
    out.push_str("<table class=\"summary\">\n<caption>Labs</caption>\n<thead><tr><th scope=\"col\">Lab</th><th scope=\"col\">Verdict</th><th scope=\"col\" class=\"n\">Score</th><th scope=\"col\">Pass mark</th><th scope=\"col\">Target</th><th scope=\"col\">Mode</th></tr></thead>\n<tbody>\n");
    for (i, r) in results.iter().enumerate() {
        let _ = write!(
            out,
            "<tr><th scope=\"row\"><a href=\"#lab-{i}\">{}</a></th><td>",
            escape(&r.lab.title)
        );
        status(out, if r.passed { "passed" } else { "failed" });
        let _ = writeln!(
            out,
            "</td><td class=\"n\" data-score=\"{0}\">{0}/{1}</td><td>{2}</td><td>{3}</td><td>{4}</td></tr>",
            r.score.earned,
            r.score.possible,
            escape(&r.pass_mark),
            escape(&r.target),
            escape(&r.mode)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// One lab: its heading (at level `h`), its steps table, and each step's checks.
pub fn lab_section(out: &mut String, lab: &LabResult, h: u8) {
    let _ = writeln!(
        out,
        "<h{h}>{} <span class=\"muted\">({}, {})</span></h{h}>",
        escape(&lab.lab.title),
        escape(&lab.lab.id),
        escape(&lab.lab.file)
    );
    let _ = write!(
        out,
        "<p>Score <strong>{}/{}</strong>, pass mark {}: ",
        lab.score.earned,
        lab.score.possible,
        escape(&lab.pass_mark)
    );
    status(out, if lab.passed { "passed" } else { "failed" });
    out.push_str("</p>\n<table class=\"steps\">\n<thead><tr><th scope=\"col\">Step</th><th scope=\"col\">Status</th><th scope=\"col\" class=\"n\">Points</th><th scope=\"col\">Why</th></tr></thead>\n<tbody>\n");
    for s in &lab.steps {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{} <span class=\"muted\">{}</span></th><td>",
            escape(&s.title),
            escape(&s.id)
        );
        status(out, s.status.as_str());
        let _ = writeln!(
            out,
            "</td><td class=\"n\">{}/{}</td><td>{}</td></tr>",
            s.points.earned,
            s.points.possible,
            escape(s.message.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</tbody>\n</table>\n");
    for s in lab
        .steps
        .iter()
        .filter(|s| !s.checks.is_empty() || s.hidden_checks > 0)
    {
        step_checks(out, s, h + 1);
    }
}

/// A step's checks as a table: what was checked, expected, actual, verdict and points, then
/// the message, hint and diff of each failed check.
fn step_checks(out: &mut String, s: &StepResult, h: u8) {
    let _ = write!(out, "<div class=\"step\"><h{h}>{} ", escape(&s.title));
    status(out, s.status.as_str());
    let _ = writeln!(out, "</h{h}>");
    if !s.checks.is_empty() {
        out.push_str("<table class=\"checks\">\n<thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Expected</th><th scope=\"col\">Actual</th><th scope=\"col\">Result</th><th scope=\"col\" class=\"n\">Points</th></tr></thead>\n<tbody>\n");
        for c in &s.checks {
            check_row(out, c);
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if s.hidden_checks > 0 {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{} (counted in the points).</p>",
            super::count(s.hidden_checks, "hidden check", "hidden checks")
        );
    }
    out.push_str("</div>\n");
}

fn check_row(out: &mut String, c: &CheckResult) {
    let _ = write!(
        out,
        "<tr><th scope=\"row\">{}<br/><code>{}</code> <span class=\"muted\">{}{}</span></th><td>",
        escape(&c.title),
        escape(&c.query),
        escape(&c.comparison),
        match (&c.file, c.line) {
            (Some(f), Some(l)) => format!(", {} line {l}", escape(f)),
            (_, l) => l.map(|l| format!(", line {l}")).unwrap_or_default(),
        }
    );
    value(out, c.expected.as_ref());
    out.push_str("</td><td>");
    value(out, c.actual.as_ref());
    out.push_str("</td><td>");
    status(out, if c.passed { "passed" } else { "failed" });
    out.push_str("</td><td class=\"n\">");
    if let Some(p) = c.points {
        let _ = write!(out, "{}/{}", p.earned, p.possible);
    }
    out.push_str("</td></tr>\n");
    if c.passed {
        return;
    }
    let diff = diff::wanted(c.expected.as_ref(), c.actual.as_ref());
    if c.message.is_none() && c.hint.is_none() && !diff {
        return;
    }
    out.push_str("<tr class=\"why\"><td colspan=\"5\">");
    if let Some(m) = &c.message {
        let _ = write!(out, "<div>{}</div>", escape(m));
    }
    if let Some(h) = &c.hint {
        let _ = write!(
            out,
            "<p class=\"hint\"><strong>Hint:</strong> {}</p>",
            escape(h)
        );
    }
    if let (true, Some(e), Some(a)) = (diff, &c.expected, &c.actual) {
        diff::render(out, e, a);
    }
    out.push_str("</td></tr>\n");
}

/// A value: pretty JSON (objects and lists on several lines), or "withheld".
fn value(out: &mut String, v: Option<&Value>) {
    match v {
        None => out.push_str("<span class=\"muted\">withheld</span>"),
        Some(v) if v.is_object() || v.is_array() => {
            let _ = write!(out, "<pre><code>{}</code></pre>", escape(&diff::pretty(v)));
        }
        Some(v) => {
            let _ = write!(out, "<code>{}</code>", escape(&v.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::lab::types::Visibility;
    use crate::run::result::{LabInfo, Points, StepStatus};

    fn check(
        title: &str,
        expected: Option<Value>,
        actual: Option<Value>,
        passed: bool,
    ) -> CheckResult {
        CheckResult {
            title: title.into(),
            query: "properties.x".into(),
            comparison: "equals".into(),
            expected,
            actual,
            passed,
            message: (!passed).then(|| "expected something else".to_owned()),
            hint: (!passed).then(|| "look at the portal".to_owned()),
            points: None,
            visibility: Visibility::Full,
            line: Some(12),
            file: None,
        }
    }

    fn small() -> LabResult {
        let step = |id: &str, status, earned, checks, hidden_checks| StepResult {
            id: id.into(),
            title: format!("Step {id}"),
            status,
            points: Points {
                earned,
                possible: 2,
            },
            duration_ms: 1234,
            resource: "/subscriptions/s/resourceGroups/rg".into(),
            checks,
            message: None,
            hidden_checks,
        };
        LabResult {
            lab: LabInfo {
                id: "small".into(),
                title: "A small lab".into(),
                file: "small.lab.yaml".into(),
            },
            target: "emulator".into(),
            mode: "check".into(),
            score: Points {
                earned: 2,
                possible: 4,
            },
            pass_mark: "all steps".into(),
            passed: false,
            steps: vec![
                step(
                    "rg",
                    StepStatus::Passed,
                    2,
                    vec![check(
                        "region",
                        Some(json!("eastus")),
                        Some(json!("eastus")),
                        true,
                    )],
                    0,
                ),
                step(
                    "ws",
                    StepStatus::Failed,
                    0,
                    vec![
                        check(
                            "network",
                            Some(json!({"public": false, "vnet": "v1"})),
                            Some(json!({"public": true, "vnet": "v1"})),
                            false,
                        ),
                        check("sku", None, Some(json!("Basic")), false),
                    ],
                    1,
                ),
            ],
        }
    }

    #[test]
    fn a_small_report() {
        let html = document(&[small()], false);
        let body = &html[html.find("<body>").unwrap_or(0)..];
        insta::assert_snapshot!(body);
    }
}
