//! The GitHub Actions reporter (`--report github=PATH`): workflow-command annotations on stdout
//! for failed checks (`::error`) and steps amlab could not check (`::warning`), at the check's
//! line in the lab file, capped at GitHub's 10 annotations of each level per step (highest
//! points first, then "N more in the summary"); and a Markdown job summary with a score table
//! per lab and per step, kept under GitHub's 1 MiB limit.
//!
//! PATH is the summary file, replaced atomically; `-` writes it to standard output; an empty
//! PATH (`--report github`) appends to the file named by `$GITHUB_STEP_SUMMARY`, as GitHub
//! expects of a step's tools.

use std::io::Write;
use std::path::PathBuf;

use super::{Reporter, SharedWriter, check_failure_text};
use crate::fsutil::write_atomic;
use crate::run::events::Event;
use crate::run::result::{LabResult, StepStatus};

/// GitHub shows at most this many annotations of each level per step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// GitHub rejects a step summary over 1 MiB; amlab stays a little under it.
pub const SUMMARY_LIMIT: usize = 1024 * 1024 - 1024;

/// Where the job summary goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryTarget {
    /// Replace this file atomically.
    File(PathBuf),
    /// Append to this file (`$GITHUB_STEP_SUMMARY`, shared with the step's other tools).
    Append(PathBuf),
    /// Standard output, after the annotations (`github=-`).
    Stdout,
}

/// Annotations on a shared stdout, the summary to a file, when the run finishes.
pub struct GithubReporter {
    out: SharedWriter,
    summary: SummaryTarget,
    limit: usize,
}

impl GithubReporter {
    /// A reporter writing annotations to `out` and the summary to `summary`.
    pub fn new(out: SharedWriter, summary: SummaryTarget) -> Self {
        Self {
            out,
            summary,
            limit: SUMMARY_LIMIT,
        }
    }

    /// Caps the summary at `limit` bytes instead of [`SUMMARY_LIMIT`].
    #[must_use]
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }
}

impl Reporter for GithubReporter {
    fn report(&mut self, event: &Event<'_>) -> std::io::Result<()> {
        if let Event::RunFinished { results, .. } = event {
            self.out.write_all(annotations(results).as_bytes())?;
            self.out.flush()?;
            match &self.summary {
                SummaryTarget::File(path) => {
                    write_atomic(path, summary(results, self.limit).as_bytes())?;
                }
                SummaryTarget::Stdout => {
                    self.out
                        .write_all(summary(results, self.limit).as_bytes())?;
                    self.out.flush()?;
                }
                SummaryTarget::Append(path) => {
                    let used = std::fs::metadata(path).map_or(0, |m| m.len());
                    let room = self
                        .limit
                        .saturating_sub(usize::try_from(used).unwrap_or(usize::MAX));
                    let mut file = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path)?;
                    file.write_all(summary(results, room).as_bytes())?;
                }
            }
        }
        Ok(())
    }
}

/// One annotation before capping.
struct Annotation {
    level: &'static str,
    file: String,
    line: Option<u32>,
    title: String,
    message: String,
    weight: u32,
}

/// The workflow commands for a run's (visible) results: at most
/// [`ANNOTATIONS_PER_LEVEL`] errors and warnings, highest points first, each level followed by
/// a notice when some were left out.
pub fn annotations(results: &[LabResult]) -> String {
    let mut all = Vec::new();
    for lab in results {
        for step in &lab.steps {
            match step.status {
                StepStatus::Failed => {
                    let failed: Vec<_> = step.checks.iter().filter(|c| !c.passed).collect();
                    for check in &failed {
                        let points = check.points.unwrap_or(step.points);
                        all.push(Annotation {
                            level: "error",
                            file: check.file.clone().unwrap_or_else(|| lab.lab.file.clone()),
                            line: check.line,
                            title: format!(
                                "{} › {}: {} [{}/{}]",
                                lab.lab.id, step.id, check.title, points.earned, points.possible
                            ),
                            message: check_failure_text(check),
                            weight: points.possible,
                        });
                    }
                    if failed.is_empty() {
                        all.push(Annotation {
                            level: "error",
                            file: lab.lab.file.clone(),
                            line: None,
                            title: format!(
                                "{} › {}: {} [{}/{}]",
                                lab.lab.id,
                                step.id,
                                step.title,
                                step.points.earned,
                                step.points.possible
                            ),
                            message: step
                                .message
                                .clone()
                                .unwrap_or_else(|| "the step did not pass".to_owned()),
                            weight: step.points.possible,
                        });
                    }
                }
                StepStatus::Error => all.push(Annotation {
                    level: "warning",
                    file: lab.lab.file.clone(),
                    line: None,
                    title: format!("{} › {}: could not check", lab.lab.id, step.id),
                    message: step
                        .message
                        .clone()
                        .unwrap_or_else(|| "amlab could not check this step".to_owned()),
                    weight: step.points.possible,
                }),
                StepStatus::Passed | StepStatus::Skipped => {}
            }
        }
    }
    let mut out = String::new();
    for (level, what) in [("error", "failed checks"), ("warning", "steps not checked")] {
        let mut these: Vec<&Annotation> = all.iter().filter(|a| a.level == level).collect();
        // Stable: equal points keep lab order.
        these.sort_by_key(|a| std::cmp::Reverse(a.weight));
        for a in these.iter().take(ANNOTATIONS_PER_LEVEL) {
            let mut props = format!("file={}", escape_property(&a.file));
            if let Some(line) = a.line {
                props.push_str(&format!(",line={line}"));
            }
            props.push_str(&format!(",title={}", escape_property(&a.title)));
            out.push_str(&format!(
                "::{} {props}::{}\n",
                a.level,
                escape_data(&a.message)
            ));
        }
        if these.len() > ANNOTATIONS_PER_LEVEL {
            out.push_str(&format!(
                "::notice title=amlab::{} more {what} in the job summary\n",
                these.len() - ANNOTATIONS_PER_LEVEL
            ));
        }
    }
    out
}

/// Escapes a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Escapes text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn status_icon(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Passed => "✅ passed",
        StepStatus::Failed => "❌ failed",
        StepStatus::Error => "⚠️ not checked",
        StepStatus::Skipped => "⏭️ skipped",
    }
}

/// The Markdown job summary for a run's (visible) results, at most `limit` bytes: past it the
/// text is cut at a line and a note says how much was left out.
pub fn summary(results: &[LabResult], limit: usize) -> String {
    let mut s = String::new();
    let passed = results.iter().filter(|r| r.passed).count();
    let earned: u32 = results.iter().map(|r| r.score.earned).sum();
    let possible: u32 = results.iter().map(|r| r.score.possible).sum();
    s.push_str(&format!(
        "## amlab: {passed} of {} lab{} passed · {earned}/{possible} points\n\n",
        results.len(),
        if results.len() == 1 { "" } else { "s" }
    ));
    s.push_str("| lab | result | points | pass mark |\n|---|---|---|---|\n");
    for lab in results {
        s.push_str(&format!(
            "| `{}` {} | {} | {}/{} | {} |\n",
            cell(&lab.lab.id),
            cell(&lab.lab.title),
            if lab.passed {
                "✅ passed"
            } else {
                "❌ not passed"
            },
            lab.score.earned,
            lab.score.possible,
            cell(&lab.pass_mark)
        ));
    }
    for lab in results {
        s.push_str(&format!(
            "\n### {} `{}` · {}/{}\n\n",
            if lab.passed { "✅" } else { "❌" },
            cell(&lab.lab.id),
            lab.score.earned,
            lab.score.possible
        ));
        s.push_str("| step | status | points |\n|---|---|---|\n");
        for step in &lab.steps {
            s.push_str(&format!(
                "| `{}` {} | {} | {}/{} |\n",
                cell(&step.id),
                cell(&step.title),
                status_icon(step.status),
                step.points.earned,
                step.points.possible
            ));
        }
        let mut details = String::new();
        for step in &lab.steps {
            if step.status == StepStatus::Passed {
                continue;
            }
            if let Some(m) = &step.message {
                details.push_str(&format!("- `{}`: {}\n", step.id, cell(m)));
            }
            for check in step.checks.iter().filter(|c| !c.passed) {
                details.push_str(&format!(
                    "- `{}` ✗ {}: {}\n",
                    step.id,
                    cell(&check.title),
                    cell(&check_failure_text(check))
                ));
            }
            if step.hidden_checks > 0 {
                details.push_str(&format!(
                    "- `{}`: {} hidden check{} (counted in the points)\n",
                    step.id,
                    step.hidden_checks,
                    if step.hidden_checks == 1 { "" } else { "s" }
                ));
            }
        }
        if !details.is_empty() {
            s.push('\n');
            s.push_str(&details);
        }
    }
    truncate(s, limit)
}

/// Cuts `s` to at most `limit` bytes at a line boundary, with a note saying so.
fn truncate(s: String, limit: usize) -> String {
    if s.len() <= limit {
        return s;
    }
    let note = |left: usize| {
        format!(
            "\n> **Truncated:** {left} bytes left out to stay under GitHub's 1 MiB step summary \
             limit; the JSON and JUnit reports have every result.\n"
        )
    };
    let room = limit.saturating_sub(note(s.len()).len());
    let mut cut = room.min(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = s[..cut].rfind('\n').map_or(0, |i| i + 1);
    let mut out = s[..cut].to_owned();
    out.push_str(&note(s.len() - cut));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::result::{CheckResult, LabInfo, Points, StepResult};
    use serde_json::json;

    fn check(n: u32) -> CheckResult {
        CheckResult {
            title: format!("check {n}"),
            query: format!("properties.p{n}"),
            comparison: "equals".into(),
            expected: Some(json!(n)),
            actual: Some(json!(0)),
            passed: false,
            message: Some(format!("expected {n}, got 0")),
            hint: n.is_multiple_of(2).then(|| format!("set p{n}, 100% of it")),
            points: Some(Points {
                earned: 0,
                possible: n,
            }),
            visibility: Default::default(),
            line: Some(10 + n),
            file: None,
        }
    }

    fn step(id: &str, status: StepStatus, checks: Vec<CheckResult>) -> StepResult {
        let possible: u32 = checks
            .iter()
            .filter_map(|c| c.points)
            .map(|p| p.possible)
            .sum();
        StepResult {
            id: id.into(),
            title: format!("Step {id}"),
            status,
            points: Points {
                earned: 0,
                possible: possible.max(1),
            },
            duration_ms: 5,
            resource: format!("/subscriptions/s/resourceGroups/{id}"),
            checks,
            message: (status == StepStatus::Error)
                .then(|| "throttled: 429 Too Many Requests, retries exhausted".into()),
            hidden_checks: 0,
        }
    }

    /// A lab with 12 failed checks (points 1..=12) and 11 steps that could not be checked.
    fn results() -> Vec<LabResult> {
        let mut steps = vec![step(
            "many",
            StepStatus::Failed,
            (1..=12).map(check).collect(),
        )];
        for i in 0..11 {
            steps.push(step(&format!("down-{i:02}"), StepStatus::Error, Vec::new()));
        }
        steps.push(step("ok, fine", StepStatus::Passed, Vec::new()));
        vec![LabResult {
            lab: LabInfo {
                id: "cap-lab".into(),
                title: "Caps | pipes".into(),
                file: "labs/cap,lab.yaml".into(),
            },
            target: "emulator".into(),
            mode: "check".into(),
            score: Points {
                earned: 0,
                possible: 89,
            },
            pass_mark: "70%".into(),
            passed: false,
            steps,
        }]
    }

    #[test]
    fn annotations_are_capped_per_level_highest_points_first() {
        let text = annotations(&results());
        assert_eq!(
            text.lines().filter(|l| l.starts_with("::error ")).count(),
            10
        );
        assert_eq!(
            text.lines().filter(|l| l.starts_with("::warning ")).count(),
            10
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn summary_tables_per_lab_and_step() {
        insta::assert_snapshot!(summary(&results(), SUMMARY_LIMIT));
    }

    #[test]
    fn summary_is_truncated_under_the_limit_with_a_note() {
        let text = summary(&results(), 900);
        assert!(text.len() <= 900, "{}", text.len());
        insta::assert_snapshot!(text);
        // A huge run stays under GitHub's 1 MiB.
        let many: Vec<LabResult> = (0..1000).flat_map(|_| results()).collect();
        let big = summary(&many, SUMMARY_LIMIT);
        assert!(big.len() <= SUMMARY_LIMIT && big.contains("**Truncated:**"));
    }
}
