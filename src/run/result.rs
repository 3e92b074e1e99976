//! What a run produced: per-check, per-step and per-lab results, serialized as the JSON report.

use serde::Serialize;
use serde_json::Value;

use crate::lab::types::Visibility;

/// Earned and possible points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Points {
    /// Points earned.
    pub earned: u32,
    /// Points possible.
    pub possible: u32,
}

impl std::ops::AddAssign for Points {
    fn add_assign(&mut self, rhs: Self) {
        self.earned += rhs.earned;
        self.possible += rhs.possible;
    }
}

/// A step's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// Every check passed.
    Passed,
    /// A check failed, or the resource is missing: the learner's work is wrong.
    Failed,
    /// amlab could not check (network, auth, throttling past retries, timeout, replay miss).
    Error,
    /// Not checked because a step it needs did not pass (or the run was interrupted).
    Skipped,
}

impl StepStatus {
    /// The lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Passed => "passed",
            StepStatus::Failed => "failed",
            StepStatus::Error => "error",
            StepStatus::Skipped => "skipped",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The check's title (its query when it has none).
    pub title: String,
    /// The JMESPath query.
    pub query: String,
    /// The comparison: `equals`, `not_equals`, `in`, `matches`, `gte`, `lte`, `exists`, `contains`.
    pub comparison: String,
    /// The expected value (with `ignore_case`, as written); `None` when the check's
    /// visibility withholds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// What the query returned (`null` when the resource was missing); `None` when the
    /// check's visibility withholds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
    /// Whether the check passed.
    pub passed: bool,
    /// Why it failed, in words ("expected 0, got 1", "resource not found").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The hint, shown on failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Points of this check, when it carries its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<Points>,
    /// What reports show of the check (omitted when `full`).
    #[serde(skip_serializing_if = "Visibility::is_full")]
    pub visibility: Visibility,
    /// 1-based line of the check's query in the lab file, or in `file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The shared setup file (`include:`) the check is written in, when not the lab file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// The outcome of one step.
#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    /// Step id.
    pub id: String,
    /// Step title.
    pub title: String,
    /// The verdict.
    pub status: StepStatus,
    /// Points earned and possible.
    pub points: Points,
    /// Wall time of the step.
    pub duration_ms: u64,
    /// The ARM resource id the step reads.
    pub resource: String,
    /// The checks, in lab order (empty when skipped or when the step errored before checking).
    pub checks: Vec<CheckResult>,
    /// Why the step errored or was skipped, or what went wrong before the checks (ARM error code and message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// How many `hidden` checks were left out of `checks` (they still count in `points`).
    #[serde(skip_serializing_if = "is_zero")]
    pub hidden_checks: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Identifies a lab in reports.
#[derive(Debug, Clone, Serialize)]
pub struct LabInfo {
    /// Lab id.
    pub id: String,
    /// Lab title.
    pub title: String,
    /// The lab file, as given on the command line.
    pub file: String,
}

/// The outcome of one lab.
#[derive(Debug, Clone, Serialize)]
pub struct LabResult {
    /// Which lab.
    pub lab: LabInfo,
    /// The target: `emulator`, `azure`, a URL, or `replay:DIR`.
    pub target: String,
    /// The mode: `run`, `check` or `teardown`.
    pub mode: String,
    /// Total points.
    pub score: Points,
    /// The pass mark applied: `all steps`, `70%` or `12 points`.
    pub pass_mark: String,
    /// Whether the lab meets its pass mark (in teardown: whether every deletion succeeded).
    pub passed: bool,
    /// Steps in lab order.
    pub steps: Vec<StepResult>,
}

impl LabResult {
    /// Whether every step passed.
    pub fn all_steps_passed(&self) -> bool {
        self.steps.iter().all(|s| s.status == StepStatus::Passed)
    }

    /// Counts steps with a status.
    pub fn count(&self, status: StepStatus) -> usize {
        self.steps.iter().filter(|s| s.status == status).count()
    }
}
