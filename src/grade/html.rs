//! The class report (`amlab grade ... --html PATH`): one self-contained page for the instructor,
//! built from the same gradebook rows as the CSV and JSON (so its numbers are theirs): the
//! score distribution as an inline SVG histogram, the pass rate of each step and of each check
//! (the most-failed check first: where the lab's instructions are likely unclear), who could
//! not be checked and why, and each learner's detail one click away (anchors and `<details>`,
//! no script).

use std::collections::HashMap;
use std::fmt::Write;

use super::gradebook::{GradebookLab, Row};
use crate::report::html::page::{self, escape, status};
use crate::run::result::{LabResult, StepStatus};

/// Histogram bins: 0–9.9 %, 10–19.9 %, ..., 90–100 %.
const BINS: usize = 10;

/// The whole class page.
pub fn page(lab: &GradebookLab, rows: &[Row]) -> String {
    let title = format!("{}: class report", lab.title);
    let mut body = String::with_capacity(4096 + rows.len() * 2048);
    let _ = writeln!(
        body,
        "<header><h1>{}</h1>\n<p class=\"muted\">Lab <code>{}</code> ({}), {} possible, pass mark {}.</p></header>\n<main>",
        escape(&title),
        escape(&lab.id),
        escape(&lab.file),
        crate::report::count(lab.possible as usize, "point", "points"),
        escape(&lab.pass_mark)
    );
    overview(&mut body, rows);
    histogram(&mut body, rows);
    steps(&mut body, lab, rows);
    checks(&mut body, rows);
    could_not_check(&mut body, rows);
    learners(&mut body, rows);
    details(&mut body, rows);
    body.push_str("</main>\n");
    page::page(&title, &body)
}

/// Learners, graded, passed, not passed, could not check.
fn overview(out: &mut String, rows: &[Row]) {
    let unknown = rows.iter().filter(|r| r.could_not_check).count();
    let passed = rows.iter().filter(|r| r.pass == Some(true)).count();
    let graded = rows.len() - unknown;
    out.push_str("<table class=\"overview\">\n<caption>The class at a glance</caption>\n<thead><tr><th scope=\"col\" class=\"n\">Learners</th><th scope=\"col\" class=\"n\">Graded</th><th scope=\"col\" class=\"n\">Passed</th><th scope=\"col\" class=\"n\">Not passed</th><th scope=\"col\" class=\"n\">Could not check</th></tr></thead>\n");
    let _ = writeln!(
        out,
        "<tbody><tr><td class=\"n\" id=\"n-learners\">{}</td><td class=\"n\" id=\"n-graded\">{graded}</td><td class=\"n\" id=\"n-passed\">{passed}</td><td class=\"n\" id=\"n-not-passed\">{}</td><td class=\"n\" id=\"n-unknown\">{unknown}</td></tr></tbody>\n</table>",
        rows.len(),
        graded - passed
    );
}

/// Graded learners per 10 % of the possible points.
fn bins(rows: &[Row]) -> [usize; BINS] {
    let mut bins = [0; BINS];
    for p in rows
        .iter()
        .filter(|r| !r.could_not_check)
        .filter_map(|r| r.percent)
    {
        // Truncation is the point: 19.9 % is in the 10–19.9 % bin.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let bin = ((p / 10.0).floor().max(0.0) as usize).min(BINS - 1);
        bins[bin] += 1;
    }
    bins
}

fn bin_label(i: usize) -> String {
    if i == BINS - 1 {
        "90–100 %".to_owned()
    } else {
        format!("{}–{}.9 %", i * 10, i * 10 + 9)
    }
}

/// The score distribution: an SVG bar chart and the same counts as a table.
fn histogram(out: &mut String, rows: &[Row]) {
    let bins = bins(rows);
    let max = bins.iter().copied().max().unwrap_or(0).max(1);
    let (w, h, bar) = (640, 220, 56);
    out.push_str("<h2 id=\"distribution\">Score distribution</h2>\n");
    let _ = writeln!(
        out,
        "<svg width=\"{w}\" height=\"{}\" viewBox=\"0 0 {w} {}\" role=\"img\" aria-labelledby=\"hist-title\"><title id=\"hist-title\">Graded learners by score, in bins of 10 %</title>",
        h + 40,
        h + 40
    );
    for (i, &n) in bins.iter().enumerate() {
        let bh = n * (h - 20) / max;
        let x = 20 + i * (bar + 6);
        let y = h - bh;
        let _ = write!(
            out,
            "<rect class=\"bar\" x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{bh}\"><title>{}: {n}</title></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            bin_label(i),
            x + bar / 2,
            y.saturating_sub(4).max(12),
            x + bar / 2,
            h + 16,
            i * 10
        );
    }
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"16\" y1=\"{h}\" x2=\"{0}\" y2=\"{h}\"/><text x=\"{0}\" y=\"{1}\" text-anchor=\"end\">score, % of the possible points</text></svg>",
        20 + BINS * (bar + 6),
        h + 34
    );
    out.push_str("<details><summary>The distribution as a table</summary><table class=\"distribution\"><thead><tr><th scope=\"col\">Score</th><th scope=\"col\" class=\"n\">Learners</th></tr></thead><tbody>");
    for (i, n) in bins.iter().enumerate() {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\" data-bin=\"{i}\">{n}</td></tr>",
            bin_label(i)
        );
    }
    out.push_str("</tbody></table></details>\n");
}

/// `n / of` as a percentage with one decimal, or a dash when nothing was counted.
fn rate(n: usize, of: usize) -> String {
    if of == 0 {
        return "–".to_owned();
    }
    #[allow(clippy::cast_precision_loss)]
    let p = n as f64 * 100.0 / of as f64;
    format!("{p:.1} %")
}

/// Each step's statuses over the class, in lab order.
fn steps(out: &mut String, lab: &GradebookLab, rows: &[Row]) {
    out.push_str("<h2 id=\"steps\">Pass rate per step</h2>\n<table class=\"step-rates\">\n<thead><tr><th scope=\"col\">Step</th><th scope=\"col\" class=\"n\">Passed</th><th scope=\"col\" class=\"n\">Failed</th><th scope=\"col\" class=\"n\">Error</th><th scope=\"col\" class=\"n\">Skipped</th><th scope=\"col\" class=\"n\">Pass rate</th></tr></thead>\n<tbody>\n");
    for (i, id) in lab.steps.iter().enumerate() {
        let count = |status: &str| {
            rows.iter()
                .filter(|r| r.steps.get(i).is_some_and(|(_, s)| s == status))
                .count()
        };
        let [p, f, e, s] = ["passed", "failed", "error", "skipped"].map(count);
        let _ = writeln!(
            out,
            "<tr data-step=\"{0}\"><th scope=\"row\"><code>{0}</code></th><td class=\"n\">{p}</td><td class=\"n\">{f}</td><td class=\"n\">{e}</td><td class=\"n\">{s}</td><td class=\"n\">{1}</td></tr>",
            escape(id),
            rate(p, p + f + e + s)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Passed and checked counts of one check over the class.
#[derive(Default)]
struct CheckTally {
    step: String,
    title: String,
    order: usize,
    passed: usize,
    checked: usize,
}

fn tally(rows: &[Row]) -> Vec<CheckTally> {
    let mut by_key: HashMap<(String, String), CheckTally> = HashMap::new();
    for result in rows.iter().filter_map(|r| r.result.as_ref()) {
        for step in &result.steps {
            for c in &step.checks {
                let next = by_key.len();
                let t = by_key
                    .entry((step.id.clone(), c.title.clone()))
                    .or_insert_with(|| CheckTally {
                        step: step.id.clone(),
                        title: c.title.clone(),
                        order: next,
                        ..CheckTally::default()
                    });
                t.checked += 1;
                t.passed += usize::from(c.passed);
            }
        }
    }
    let mut all: Vec<CheckTally> = by_key.into_values().collect();
    // Lowest pass rate first (compared as fractions, exactly), then most failures, then lab order.
    all.sort_by(|a, b| {
        (a.passed * b.checked)
            .cmp(&(b.passed * a.checked))
            .then((b.checked - b.passed).cmp(&(a.checked - a.passed)))
            .then(a.order.cmp(&b.order))
    });
    all
}

/// Every check, the most-failed first.
fn checks(out: &mut String, rows: &[Row]) {
    out.push_str("<h2 id=\"checks\">Pass rate per check, most failed first</h2>\n<p class=\"muted\">A check most learners fail often marks an instruction of the lab that is unclear.</p>\n<table class=\"check-rates\">\n<thead><tr><th scope=\"col\">Step</th><th scope=\"col\">Check</th><th scope=\"col\" class=\"n\">Failed</th><th scope=\"col\" class=\"n\">Checked</th><th scope=\"col\" class=\"n\">Pass rate</th></tr></thead>\n<tbody>\n");
    for t in tally(rows) {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&t.step),
            escape(&t.title),
            t.checked - t.passed,
            t.checked,
            rate(t.passed, t.checked)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Learners whose grade is unknown, and why.
fn could_not_check(out: &mut String, rows: &[Row]) {
    out.push_str("<h2 id=\"unknown\">Could not be checked</h2>\n");
    let unknown: Vec<(usize, &Row)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.could_not_check)
        .collect();
    if unknown.is_empty() {
        out.push_str("<p>Every submission was checked.</p>\n");
        return;
    }
    out.push_str("<p>These learners have no grade (not a zero): amlab could not check their work.</p>\n<table class=\"unknown\">\n<thead><tr><th scope=\"col\">Learner</th><th scope=\"col\">Why</th></tr></thead>\n<tbody>\n");
    for (i, r) in unknown {
        let _ = writeln!(
            out,
            "<tr data-learner=\"{0}\"><th scope=\"row\"><a href=\"#learner-{i}\">{0}</a></th><td>{1}</td></tr>",
            escape(&r.learner),
            escape(&r.message)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The gradebook itself: one row per learner, linked to the learner's detail.
fn learners(out: &mut String, rows: &[Row]) {
    out.push_str("<h2 id=\"learners\">Learners</h2>\n<table class=\"learners\">\n<thead><tr><th scope=\"col\">Learner</th><th scope=\"col\" class=\"n\">Score</th><th scope=\"col\" class=\"n\">Percent</th><th scope=\"col\">Verdict</th><th scope=\"col\">Warnings</th></tr></thead>\n<tbody>\n");
    for (i, r) in rows.iter().enumerate() {
        let score = r.score.map(|s| s.to_string()).unwrap_or_default();
        let percent = r.percent.map(|p| format!("{p:.1}")).unwrap_or_default();
        let pass = r.pass.map(|p| p.to_string()).unwrap_or_default();
        let _ = write!(
            out,
            "<tr data-learner=\"{0}\" data-score=\"{score}\" data-percent=\"{percent}\" data-pass=\"{pass}\"><th scope=\"row\"><a href=\"#learner-{i}\">{0}</a></th><td class=\"n\">{1}</td><td class=\"n\">{2}</td><td>",
            escape(&r.learner),
            if r.could_not_check {
                "–".to_owned()
            } else {
                format!("{score}/{}", r.possible)
            },
            if r.could_not_check {
                "–".to_owned()
            } else {
                format!("{percent} %")
            },
        );
        verdict(out, r);
        let _ = writeln!(out, "</td><td>{}</td></tr>", escape(&r.warnings.join("; ")));
    }
    out.push_str("</tbody>\n</table>\n");
}

fn verdict(out: &mut String, r: &Row) {
    match (r.could_not_check, r.pass) {
        (true, _) => status(out, "error"),
        (false, Some(true)) => status(out, "passed"),
        _ => status(out, "failed"),
    }
}

/// Each learner's steps and failed checks, folded; a link to `#learner-N` opens it.
fn details(out: &mut String, rows: &[Row]) {
    out.push_str("<h2 id=\"detail\">Each learner</h2>\n");
    for (i, r) in rows.iter().enumerate() {
        out.push_str("<details><summary>");
        push(out, &r.learner);
        out.push(' ');
        verdict(out, r);
        let _ = write!(out, "</summary><div id=\"learner-{i}\">");
        if !r.message.is_empty() {
            out.push_str("<p>");
            push(out, &r.message);
            out.push_str("</p>");
        }
        if let Some(result) = &r.result {
            learner_detail(out, result);
        }
        out.push_str("</div></details>\n");
    }
}

fn push(out: &mut String, text: &str) {
    page::push_escaped(out, text);
}

/// A learner's score, the steps that passed by id, and each step that did not with its status,
/// points, why and failed checks: compact, so that a class of a thousand stays a file a browser
/// opens at once.
fn learner_detail(out: &mut String, result: &LabResult) {
    let _ = write!(
        out,
        "<p>Score {}/{}.",
        result.score.earned, result.score.possible
    );
    let passed: Vec<&str> = result
        .steps
        .iter()
        .filter(|s| s.status == StepStatus::Passed)
        .map(|s| s.id.as_str())
        .collect();
    if !passed.is_empty() {
        out.push_str(" Passed: ");
        push(out, &passed.join(", "));
        out.push('.');
    }
    out.push_str("</p>");
    if passed.len() == result.steps.len() {
        return;
    }
    out.push_str("<table><thead><tr><th scope=\"col\">Step</th><th scope=\"col\">Status</th><th scope=\"col\" class=\"n\">Points</th><th scope=\"col\">Why</th></tr></thead><tbody>");
    for s in result
        .steps
        .iter()
        .filter(|s| s.status != StepStatus::Passed)
    {
        out.push_str("<tr><th scope=\"row\">");
        push(out, &s.id);
        out.push_str("</th><td>");
        status(out, s.status.as_str());
        let _ = write!(
            out,
            "</td><td class=\"n\">{}/{}</td><td>",
            s.points.earned, s.points.possible
        );
        if let Some(m) = &s.message {
            push(out, m);
        }
        for c in s.checks.iter().filter(|c| !c.passed) {
            out.push_str("<div>");
            push(out, &c.title);
            out.push_str(": ");
            push(out, c.message.as_deref().unwrap_or("failed"));
            out.push_str("</div>");
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table>");
}
