//! The terminal reporter: a progress line per running step (indicatif, on stderr, only when it is
//! a terminal), then each lab's block of results as the lab finishes: one line per step with its
//! points, each check with expected vs actual, and the hint when it failed.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;

use super::Reporter;
use crate::run::events::{Event, Mode};
use crate::run::result::{CheckResult, LabResult, StepResult, StepStatus};

/// Options of the terminal reporter.
#[derive(Debug, Clone, Copy)]
pub struct TerminalOptions {
    /// ANSI colours.
    pub color: bool,
    /// Spinners for running steps on stderr.
    pub progress: bool,
    /// Show step durations (off in snapshot tests).
    pub durations: bool,
    /// `--quiet`: a lab whose steps all passed is one line; otherwise only the steps that did
    /// not pass, then the score.
    pub quiet: bool,
}

/// Writes human-readable results to a writer.
pub struct TerminalReporter {
    out: Box<dyn Write + Send>,
    options: TerminalOptions,
    mode: Mode,
    multi: MultiProgress,
    bars: HashMap<(String, String), ProgressBar>,
}

impl TerminalReporter {
    /// A reporter writing results to `out`.
    pub fn new(out: Box<dyn Write + Send>, options: TerminalOptions) -> Self {
        let target = if options.progress {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            out,
            options,
            mode: Mode::Check,
            multi: MultiProgress::with_draw_target(target),
            bars: HashMap::new(),
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.options.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn status_tag(&self, status: StepStatus) -> String {
        match (self.mode, status) {
            (Mode::Teardown, StepStatus::Passed) => self.paint("32", "GONE "),
            (_, StepStatus::Passed) => self.paint("32", "PASS "),
            (_, StepStatus::Failed) => self.paint("31", "FAIL "),
            (_, StepStatus::Error) => self.paint("35", "ERROR"),
            (_, StepStatus::Skipped) => self.paint("33", "SKIP "),
        }
    }

    fn render_lab(&self, result: &LabResult) -> String {
        let mut s = String::new();
        let verb = self.mode.as_str();
        let all_passed = result
            .steps
            .iter()
            .all(|st| st.status == StepStatus::Passed);
        if self.options.quiet && all_passed {
            let tag = self.status_tag(StepStatus::Passed);
            return if self.mode == Mode::Teardown {
                format!("{tag} {verb} {}\n", result.lab.id)
            } else {
                format!(
                    "{tag} {verb} {} · score {}/{}\n",
                    result.lab.id, result.score.earned, result.score.possible
                )
            };
        }
        s.push_str(&format!(
            "{} {} · {} ({})\n",
            self.paint("1", verb),
            result.lab.id,
            result.lab.title,
            result.lab.file
        ));
        let width = result.steps.iter().map(|st| st.id.len()).max().unwrap_or(0);
        for step in &result.steps {
            if self.options.quiet && step.status == StepStatus::Passed {
                continue;
            }
            s.push_str(&self.render_step(step, width));
        }
        let count = |st| result.count(st);
        if self.mode == Mode::Teardown {
            let absent = result
                .steps
                .iter()
                .filter(|st| {
                    st.status == StepStatus::Passed
                        && st.message.as_deref() == Some("already absent")
                })
                .count();
            s.push_str(&format!(
                "  {} deleted, {} already absent, {}\n\n",
                count(StepStatus::Passed) - absent,
                absent,
                super::count(count(StepStatus::Error), "error", "errors")
            ));
        } else {
            let verdict = if result.pass_mark == crate::lab::PassMark::AllSteps.to_string() {
                String::new()
            } else if result.passed {
                format!(
                    " · {} (pass mark {})",
                    self.paint("32", "passed"),
                    result.pass_mark
                )
            } else {
                format!(
                    " · {} (pass mark {})",
                    self.paint("31", "not passed"),
                    result.pass_mark
                )
            };
            s.push_str(&format!(
                "  score {}/{} · {} passed, {} failed, {}, {} skipped{verdict}\n\n",
                result.score.earned,
                result.score.possible,
                count(StepStatus::Passed),
                count(StepStatus::Failed),
                super::count(count(StepStatus::Error), "error", "errors"),
                count(StepStatus::Skipped)
            ));
        }
        s
    }

    fn render_step(&self, step: &StepResult, width: usize) -> String {
        let mut s = format!(
            "  {} {:width$}  {}",
            self.status_tag(step.status),
            step.id,
            step.title
        );
        if self.mode != Mode::Teardown {
            s.push_str(&format!(
                "  [{}/{}]",
                step.points.earned, step.points.possible
            ));
        }
        if self.options.durations && step.status != StepStatus::Skipped {
            s.push_str(&format!(" {}", elapsed(step.duration_ms)));
        }
        s.push('\n');
        // A passing step is one line: its checks all held (teardown says what it did).
        if step.status == StepStatus::Passed && self.mode != Mode::Teardown {
            return s;
        }
        let indent = " ".repeat(width + 10);
        if let Some(message) = &step.message
            && (step.status != StepStatus::Passed || self.mode == Mode::Teardown)
        {
            s.push_str(&format!("{indent}{message}\n"));
        }
        let missing = step
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with("resource not found"));
        for check in &step.checks {
            s.push_str(&self.render_check(check, &indent, missing));
        }
        match step.hidden_checks {
            0 => {}
            1 => s.push_str(&format!(
                "{indent}  1 hidden check (counted in the points)\n"
            )),
            n => s.push_str(&format!(
                "{indent}  {n} hidden checks (counted in the points)\n"
            )),
        }
        s
    }

    fn render_check(&self, check: &CheckResult, indent: &str, missing: bool) -> String {
        let mark = if check.passed {
            self.paint("32", "✓")
        } else {
            self.paint("31", "✗")
        };
        let points = check
            .points
            .map(|p| format!(" [{}/{}]", p.earned, p.possible))
            .unwrap_or_default();
        let mut s = format!("{indent}{mark} {}{points}\n", describe(check));
        if !check.passed {
            if let Some(m) = &check.message
                && !missing
            {
                s.push_str(&format!("{indent}    {m}\n"));
            }
            if let Some(h) = &check.hint {
                s.push_str(&format!("{indent}    {} {h}\n", self.paint("36", "hint:")));
            }
        }
        s
    }
}

/// A step's wall time, short: `52ms`, `1.2s`, `3m 4s`.
fn elapsed(ms: u64) -> String {
    match ms {
        0..1000 => format!("{ms}ms"),
        1000..60_000 => format!("{:.1}s", ms as f64 / 1000.0),
        _ => format!("{}m {}s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// One line naming a check: its title, or `query comparison expected`.
fn describe(check: &CheckResult) -> String {
    if check.title != check.query {
        return check.title.clone();
    }
    let expected = match &check.expected {
        Some(Value::String(s)) => format!("'{s}'"),
        Some(other) => other.to_string(),
        None => "…".to_owned(),
    };
    format!("{} {} {}", check.query, check.comparison, expected)
}

impl Reporter for TerminalReporter {
    fn report(&mut self, event: &Event<'_>) -> std::io::Result<()> {
        match event {
            Event::RunStarted { mode, .. } => self.mode = *mode,
            Event::StepStarted { lab, id, title } => {
                let bar = self.multi.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_message(format!("{} › {id}: {title}", lab.id));
                bar.enable_steady_tick(Duration::from_millis(120));
                self.bars.insert((lab.id.clone(), (*id).to_owned()), bar);
            }
            Event::StepFinished { lab, result } => {
                if let Some(bar) = self.bars.remove(&(lab.id.clone(), result.id.clone())) {
                    bar.finish_and_clear();
                    self.multi.remove(&bar);
                }
            }
            Event::LabFinished { result } => {
                let text = self.render_lab(result);
                let out = &mut self.out;
                self.multi.suspend(|| out.write_all(text.as_bytes()))?;
            }
            Event::RunFinished {
                results,
                interrupted,
            } => {
                let passed = results.iter().filter(|r| r.passed).count();
                let earned: u32 = results.iter().map(|r| r.score.earned).sum();
                let possible: u32 = results.iter().map(|r| r.score.possible).sum();
                let mut line = if self.mode == Mode::Teardown {
                    format!(
                        "{} torn down, {} with errors\n",
                        super::count(passed, "lab", "labs"),
                        results.len() - passed
                    )
                } else {
                    format!(
                        "{}: {} passed, {} not passed · {}/{} points\n",
                        super::count(results.len(), "lab", "labs"),
                        passed,
                        results.len() - passed,
                        earned,
                        possible
                    )
                };
                if *interrupted {
                    line =
                        format!("interrupted: steps not finished are reported as skipped\n{line}");
                }
                self.multi.clear()?;
                self.out.write_all(line.as_bytes())?;
                self.out.flush()?;
            }
            _ => {}
        }
        Ok(())
    }
}
