//! `amlab check`, and `check --watch`: check again every `--interval` and show what changed
//! between rounds, until every check passes (exit 0) or Ctrl-C (exit 130).
//!
//! The first round is the usual report; later rounds print only the steps whose verdict or
//! points changed (a check that now fails with its message and hint). Requests inside a round
//! wait for a throttling target's `Retry-After`; the next round starts `--interval` after the
//! previous one ended, or later when the target asked for a longer delay during the round
//! ([`super::pace`]). The built-in emulator's state is read again each round (the learner may
//! change it meanwhile).

use std::io::Write;
use std::time::Duration;

use super::Io;
use super::labs::{self, CheckPlan, Prepared};
use crate::cli::{CheckArgs, ScoringArgs, TargetArgs};
use crate::error::CommandError;
use crate::exit;
use crate::run::events::Mode;
use crate::run::result::{LabResult, StepStatus};

/// Runs `amlab check` with its flags.
pub(super) fn check(args: &CheckArgs, io: &mut Io) -> Result<i32, CommandError> {
    let plan = CheckPlan {
        steps: args.steps.clone(),
        watch: args.watch.then_some(args.interval),
    };
    labs::execute_plan(Mode::Check, &args.target, &args.scoring, &plan, io)
}

/// The watch loop over a prepared check.
pub(super) fn rounds(
    mut prepared: Prepared,
    args: &TargetArgs,
    scoring: &ScoringArgs,
    interval: Duration,
    io: &mut Io,
) -> Result<i32, CommandError> {
    let (stdout, stderr) = labs::shared_outputs(io);
    let mut out = stdout.clone();
    let mut previous: Option<Vec<LabResult>> = None;
    for round in 1u32.. {
        if round > 1
            && prepared
                .target
                .as_ref()
                .is_some_and(|t| t.emulator.is_some())
        {
            prepared.target = Some(crate::target::open(&prepared.spec)?);
        }
        let reporters = labs::reporters(&prepared.reports, &stdout, &stderr, args, io, round == 1);
        let results = labs::run_round(&prepared, Mode::Check, args, scoring, reporters, None)?;
        if prepared.interrupt.is_triggered() {
            return Ok(exit::INTERRUPTED);
        }
        if let Some(before) = &previous {
            out.write_all(changes(round, before, &results).as_bytes())?;
        }
        if super::exit_code(&results, false) == exit::OK {
            writeln!(out, "every check passes")?;
            out.flush()?;
            return Ok(exit::OK);
        }
        let wait = prepared
            .pace
            .as_ref()
            .map_or(interval, |p| p.next_wait(interval));
        writeln!(
            out,
            "watching: checking again in {}{} (Ctrl-C to stop)",
            humantime::format_duration(wait),
            if wait > interval {
                " as the target asks"
            } else {
                ""
            }
        )?;
        out.flush()?;
        previous = Some(results);
        let interrupt = prepared.interrupt.clone();
        prepared.runtime.block_on(async {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = interrupt.triggered() => {}
            }
        });
        if prepared.interrupt.is_triggered() {
            writeln!(out, "interrupted")?;
            out.flush()?;
            return Ok(exit::INTERRUPTED);
        }
    }
    Ok(exit::INTERRUPTED)
}

/// What changed from one round to the next, in words.
fn changes(round: u32, before: &[LabResult], after: &[LabResult]) -> String {
    let mut lines = Vec::new();
    for lab in after {
        let Some(old) = before.iter().find(|b| b.lab.id == lab.lab.id) else {
            continue;
        };
        for step in &lab.steps {
            let Some(was) = old.steps.iter().find(|s| s.id == step.id) else {
                continue;
            };
            if was.status == step.status && was.points.earned == step.points.earned {
                continue;
            }
            lines.push(format!(
                "  {} {}: {} → {}  [{}/{}]",
                lab.lab.id,
                step.id,
                tag(was.status),
                tag(step.status),
                step.points.earned,
                step.points.possible
            ));
            for check in step.checks.iter().filter(|c| !c.passed) {
                let message = check.message.as_deref().unwrap_or("failed");
                lines.push(format!("      ✗ {}: {message}", check.title));
                if let Some(hint) = &check.hint {
                    lines.push(format!("        hint: {hint}"));
                }
            }
        }
    }
    let earned: u32 = after.iter().map(|r| r.score.earned).sum();
    let possible: u32 = after.iter().map(|r| r.score.possible).sum();
    let was: u32 = before.iter().map(|r| r.score.earned).sum();
    if lines.is_empty() {
        format!("round {round}: no change · {earned}/{possible} points\n")
    } else {
        format!(
            "round {round}: {}\n{}\n  points {was}/{possible} → {earned}/{possible}\n",
            crate::report::count(
                lines.iter().filter(|l| !l.starts_with("      ")).count(),
                "change",
                "changes"
            ),
            lines.join("\n")
        )
    }
}

fn tag(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Passed => "PASS",
        StepStatus::Failed => "FAIL",
        StepStatus::Error => "ERROR",
        StepStatus::Skipped => "SKIP",
    }
}
