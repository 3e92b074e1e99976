//! Runs a lab's steps over its dependency graph, concurrently where the mode allows, and gates
//! each step on the steps it depends on.
//!
//! - run: a step starts when every step it `needs` has passed; otherwise it is `skipped`.
//! - check: every read starts at once (bounded by `--jobs`), because reads do not depend on
//!   each other; a step is reported `skipped` only when a resource it needs does not exist (or
//!   could not be read): a need that exists but failed a check does not cost its dependents
//!   their points.
//! - teardown: a step is deleted after every step that needs it has been deleted.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use super::events::{Event, Mode};
use super::interrupt::Interrupt;
use super::result::{LabInfo, LabResult, Points, StepResult, StepStatus};
use super::sink::EventSink;
use super::step::{self, Outcome};
use crate::arm::client::ArmClient;
use crate::lab::ResolvedLab;

/// Shared context of one run.
#[derive(Clone)]
pub struct RunContext {
    /// The ARM client (read-only in check mode).
    pub client: ArmClient,
    /// The mode.
    pub mode: Mode,
    /// Bounds concurrent steps across all labs.
    pub jobs: Arc<Semaphore>,
    /// Where events go.
    pub sink: Arc<EventSink>,
    /// Ctrl-C.
    pub interrupt: Interrupt,
    /// Target description for reports.
    pub target: String,
    /// `--pass-mark`, overriding each lab's own.
    pub pass_mark: Option<crate::lab::PassMark>,
}

/// How a step ended, as the steps that need it see it.
#[derive(Debug, Clone, Copy)]
struct Settled {
    status: StepStatus,
    /// Its resource was read and exists.
    exists: bool,
}

type Status = watch::Receiver<Option<Settled>>;

/// Runs one lab and returns its result (steps in lab order).
pub async fn run_lab(ctx: RunContext, lab: Arc<ResolvedLab>, info: Arc<LabInfo>) -> LabResult {
    let n = lab.steps.len();
    let index = |id: &str| lab.steps.iter().position(|s| s.id == id);
    // For each step, the steps it waits for before acting (run, check) or before deleting (teardown).
    let waits_on: Vec<Vec<usize>> = (0..n)
        .map(|i| match ctx.mode {
            Mode::Run | Mode::Check => lab.steps[i].needs.iter().filter_map(|d| index(d)).collect(),
            Mode::Teardown => (0..n)
                .filter(|&j| lab.steps[j].needs.iter().any(|d| *d == lab.steps[i].id))
                .collect(),
        })
        .collect();
    let (senders, receivers): (Vec<_>, Vec<Status>) = (0..n).map(|_| watch::channel(None)).unzip();
    let mut set = JoinSet::new();
    for (i, tx) in senders.into_iter().enumerate() {
        let deps: Vec<(String, Status)> = waits_on[i]
            .iter()
            .map(|&j| (lab.steps[j].id.clone(), receivers[j].clone()))
            .collect();
        let (ctx, lab, info) = (ctx.clone(), lab.clone(), info.clone());
        set.spawn(async move {
            let (result, exists) = run_step(&ctx, &lab, &info, i, deps).await;
            // Teardown never skips: a failed deletion of a dependent does not stop the parent's.
            let _ = tx.send(Some(Settled {
                status: result.status,
                exists,
            }));
            (i, result)
        });
    }
    let mut results: Vec<Option<StepResult>> = (0..n).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        if let Ok((i, r)) = joined {
            results[i] = Some(r);
        }
    }
    let steps: Vec<StepResult> = results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| {
                skipped(&lab, i, "internal error: the step's task ended abnormally")
            })
        })
        .filter(|r| {
            ctx.mode != Mode::Teardown || lab.steps.iter().any(|s| s.id == r.id && s.teardown)
        })
        .collect();
    let mut score = Points::default();
    for s in &steps {
        score += s.points;
    }
    let all_passed = steps.iter().all(|s| s.status == StepStatus::Passed);
    let (pass_mark, passed) = if ctx.mode == Mode::Teardown {
        (crate::lab::PassMark::AllSteps, all_passed)
    } else {
        let mark = ctx.pass_mark.unwrap_or(lab.pass_mark);
        (mark, mark.is_met(score.earned, score.possible, all_passed))
    };
    LabResult {
        lab: (*info).clone(),
        target: ctx.target.clone(),
        mode: ctx.mode.as_str().into(),
        score,
        pass_mark: pass_mark.to_string(),
        passed,
        steps,
    }
}

async fn wait_for(deps: &mut [(String, Status)]) -> Vec<(String, Settled)> {
    let lost = Settled {
        status: StepStatus::Error,
        exists: false,
    };
    let mut out = Vec::new();
    for (id, rx) in deps.iter_mut() {
        let settled = match rx.wait_for(Option::is_some).await {
            Ok(v) => v.unwrap_or(lost),
            Err(_) => lost,
        };
        out.push((id.clone(), settled));
    }
    out
}

/// Run: why a step may not start (a step it needs did not pass).
fn blocking(statuses: &[(String, Settled)]) -> Option<String> {
    let bad: Vec<String> = statuses
        .iter()
        .filter(|(_, s)| s.status != StepStatus::Passed)
        .map(|(id, s)| format!("{id} ({})", s.status.as_str()))
        .collect();
    (!bad.is_empty()).then(|| format!("needs {} which did not pass", bad.join(", ")))
}

/// Check: why a step is not scored (a resource it needs does not exist or could not be read).
fn missing(statuses: &[(String, Settled)]) -> Option<String> {
    let bad: Vec<String> = statuses
        .iter()
        .filter(|(_, s)| !s.exists)
        .map(|(id, s)| match s.status {
            StepStatus::Error => format!("{id} (could not be read)"),
            _ => format!("{id} (not found)"),
        })
        .collect();
    (!bad.is_empty()).then(|| format!("needs {} which does not exist", bad.join(", ")))
}

async fn run_step(
    ctx: &RunContext,
    lab: &ResolvedLab,
    info: &LabInfo,
    i: usize,
    mut deps: Vec<(String, Status)>,
) -> (StepResult, bool) {
    let step = &lab.steps[i];
    // Teardown of a step kept by the lab: nothing to do (filtered from the report).
    if ctx.mode == Mode::Teardown && !step.teardown {
        wait_for(&mut deps).await;
        let noop = Outcome::passed_noop(step.points);
        return (finish(ctx, info, lab, i, noop, Instant::now()), true);
    }
    // A deleting step is the starting state: `check` reads nothing for it and never skips it.
    if ctx.mode == Mode::Check && step.delete {
        let outcome = Outcome::starting_state();
        return (finish(ctx, info, lab, i, outcome, Instant::now()), true);
    }
    if ctx.mode != Mode::Check {
        let statuses = wait_for(&mut deps).await;
        if ctx.interrupt.is_triggered() {
            return (
                emit_finished(ctx, info, skipped(lab, i, "interrupted")),
                false,
            );
        }
        if ctx.mode == Mode::Run
            && let Some(reason) = blocking(&statuses)
        {
            return (emit_finished(ctx, info, skipped(lab, i, &reason)), false);
        }
    }
    if ctx.interrupt.is_triggered() {
        return (
            emit_finished(ctx, info, skipped(lab, i, "interrupted")),
            false,
        );
    }
    let Ok(_permit) = ctx.jobs.acquire().await else {
        return (
            emit_finished(ctx, info, skipped(lab, i, "interrupted")),
            false,
        );
    };
    if ctx.interrupt.is_triggered() {
        return (
            emit_finished(ctx, info, skipped(lab, i, "interrupted")),
            false,
        );
    }
    ctx.sink.emit(&Event::StepStarted {
        lab: info,
        id: &step.id,
        title: &step.title,
    });
    let started = Instant::now();
    // Retries of the step's requests stop before its time budget runs out.
    let client = ctx
        .client
        .clone()
        .with_deadline(tokio::time::Instant::now() + step.timeout);
    let work = async {
        let action = async {
            match ctx.mode {
                Mode::Run => step::apply(&client, lab, step).await,
                Mode::Check => step::check(&client, lab, step).await,
                Mode::Teardown => step::teardown(&client, lab, step).await,
            }
        };
        match tokio::time::timeout(step.timeout, action).await {
            Ok(o) => o,
            Err(_) => Outcome::timed_out(step.points, step.timeout),
        }
    };
    let outcome = tokio::select! {
        o = work => Some(o),
        () = ctx.interrupt.triggered() => None,
    };
    drop(_permit);
    let Some(outcome) = outcome else {
        return (
            emit_finished(ctx, info, skipped(lab, i, "interrupted")),
            false,
        );
    };
    let exists = outcome.exists;
    if ctx.mode == Mode::Check {
        let statuses = wait_for(&mut deps).await;
        if let Some(reason) = missing(&statuses) {
            return (emit_finished(ctx, info, skipped(lab, i, &reason)), exists);
        }
    }
    (finish(ctx, info, lab, i, outcome, started), exists)
}

fn finish(
    ctx: &RunContext,
    info: &LabInfo,
    lab: &ResolvedLab,
    i: usize,
    o: Outcome,
    started: Instant,
) -> StepResult {
    let step = &lab.steps[i];
    let result = StepResult {
        id: step.id.clone(),
        title: step.title.clone(),
        status: o.status,
        points: o.points,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        resource: step.resource.clone(),
        checks: o.checks,
        message: o.message,
        hidden_checks: 0,
    };
    if ctx.mode == Mode::Teardown && !step.teardown {
        return result;
    }
    emit_finished(ctx, info, result)
}

fn emit_finished(ctx: &RunContext, info: &LabInfo, result: StepResult) -> StepResult {
    ctx.sink.emit(&Event::StepFinished {
        lab: info,
        result: &result,
    });
    result
}

fn skipped(lab: &ResolvedLab, i: usize, reason: &str) -> StepResult {
    let step = &lab.steps[i];
    StepResult {
        id: step.id.clone(),
        title: step.title.clone(),
        status: StepStatus::Skipped,
        points: Points {
            earned: 0,
            possible: step.points,
        },
        duration_ms: 0,
        resource: step.resource.clone(),
        checks: Vec::new(),
        message: Some(reason.to_owned()),
        hidden_checks: 0,
    }
}
