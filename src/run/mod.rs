//! The runner: apply, check and teardown over a lab's dependency graph, emitting events.

use std::sync::Arc;

use tokio::sync::Semaphore;

pub mod data_plane;
pub mod evaluate;
pub mod events;
pub mod interrupt;
pub mod result;
pub mod schedule;
pub mod sink;
pub mod step;

use events::{Event, Mode};
use interrupt::Interrupt;
use result::{LabInfo, LabResult};
use schedule::RunContext;
use sink::EventSink;

use crate::arm::client::ArmClient;
use crate::lab::ResolvedLab;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Mode.
    pub mode: Mode,
    /// Concurrent steps at most, across all labs.
    pub jobs: usize,
    /// Target description for reports (`emulator`, `azure`, a URL, `replay:DIR`).
    pub target: String,
    /// Ctrl-C.
    pub interrupt: Interrupt,
    /// `--pass-mark`: overrides every lab's own pass mark.
    pub pass_mark: Option<crate::lab::PassMark>,
}

/// Runs every lab concurrently (steps bounded by `jobs` in total) and returns their results
/// in the order given. Emits `RunStarted`, then per-lab and per-step events, then `RunFinished`.
pub async fn execute(
    client: ArmClient,
    labs: Vec<(ResolvedLab, LabInfo)>,
    options: &RunOptions,
    sink: Arc<EventSink>,
) -> Vec<LabResult> {
    let labs = labs
        .into_iter()
        .map(|(lab, info)| (client.clone(), lab, info))
        .collect();
    execute_each(labs, options, sink).await
}

/// [`execute`] with a client per lab (a recorder or a replay transport of its own).
pub async fn execute_each(
    labs: Vec<(ArmClient, ResolvedLab, LabInfo)>,
    options: &RunOptions,
    sink: Arc<EventSink>,
) -> Vec<LabResult> {
    sink.emit(&Event::RunStarted {
        mode: options.mode,
        target: &options.target,
        labs: labs.len(),
    });
    let jobs = Arc::new(Semaphore::new(options.jobs.max(1)));
    let mut handles = Vec::new();
    for (client, lab, info) in labs {
        let ctx = RunContext {
            client: client.read_only(options.mode == Mode::Check),
            mode: options.mode,
            jobs: jobs.clone(),
            sink: sink.clone(),
            interrupt: options.interrupt.clone(),
            target: options.target.clone(),
            pass_mark: options.pass_mark,
        };
        let sink = sink.clone();
        handles.push(tokio::spawn(async move {
            let info = Arc::new(info);
            sink.emit(&Event::LabStarted {
                lab: &info,
                steps: lab.steps.len(),
            });
            let result = schedule::run_lab(ctx, Arc::new(lab), info).await;
            sink.emit(&Event::LabFinished { result: &result });
            result
        }));
    }
    let mut results = Vec::new();
    for h in handles {
        if let Ok(r) = h.await {
            results.push(r);
        }
    }
    sink.emit(&Event::RunFinished {
        results: &results,
        interrupted: options.interrupt.is_triggered(),
    });
    results
}
