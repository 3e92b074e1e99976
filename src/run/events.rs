//! Events the runner emits while it works; every reporter consumes the same stream.

use super::result::{LabInfo, LabResult, StepResult};

/// What the runner is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `amlab run`: create, wait, check.
    Run,
    /// `amlab check`: read-only.
    Check,
    /// `amlab teardown`: delete in reverse dependency order.
    Teardown,
}

impl Mode {
    /// The mode's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Run => "run",
            Mode::Check => "check",
            Mode::Teardown => "teardown",
        }
    }
}

/// One event of a run, in the order the runner produces them.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The run begins.
    RunStarted {
        /// Mode.
        mode: Mode,
        /// Target description.
        target: &'a str,
        /// Number of labs.
        labs: usize,
    },
    /// A lab begins.
    LabStarted {
        /// Which lab.
        lab: &'a LabInfo,
        /// Its step count.
        steps: usize,
    },
    /// A step begins work.
    StepStarted {
        /// Which lab.
        lab: &'a LabInfo,
        /// Step id.
        id: &'a str,
        /// Step title.
        title: &'a str,
    },
    /// A step has a verdict.
    StepFinished {
        /// Which lab.
        lab: &'a LabInfo,
        /// The result.
        result: &'a StepResult,
    },
    /// A lab has a verdict.
    LabFinished {
        /// The result.
        result: &'a LabResult,
    },
    /// The run is over.
    RunFinished {
        /// Every lab's result.
        results: &'a [LabResult],
        /// Whether Ctrl-C cut the run short.
        interrupted: bool,
    },
}
