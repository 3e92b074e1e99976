//! What a run produced: per-check, per-step and per-lab results, serialized as the JSON report.

use serde::Serialize;
use serde_json::Value;

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
    /// The expected value (with `ignore_case`, as written).
    pub expected: Value,
    /// What the query returned (`null` when the resource was missing).
    pub actual: Value,
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
    /// Steps in lab order.
    pub steps: Vec<StepResult>,
}

impl LabResult {
    /// Whether every step passed.
    pub fn passed(&self) -> bool {
        self.steps.iter().all(|s| s.status == StepStatus::Passed)
    }

    /// Counts steps with a status.
    pub fn count(&self, status: StepStatus) -> usize {
        self.steps.iter().filter(|s| s.status == status).count()
    }
}
