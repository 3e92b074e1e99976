//! What one step does in each mode: apply (PUT, follow, wait, check), check (one GET, check),
//! teardown (DELETE and wait). Each returns the step's own outcome before dependency gating.

use std::time::Duration;

use tokio::time::{Instant, sleep};

use super::evaluate::{Evaluation, evaluate};
use super::result::{Points, StepStatus};
use crate::arm::client::{ApiVersions, ArmClient, Fetched, settled};
use crate::arm::error::ArmError;
use crate::lab::{ResolvedLab, ResolvedStep};

/// A step's own outcome.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Passed, Failed or Error.
    pub status: StepStatus,
    /// Check results (empty on error before checking).
    pub checks: Vec<super::result::CheckResult>,
    /// Points.
    pub points: Points,
    /// Step-level message.
    pub message: Option<String>,
    /// The step's resource was read and exists (what `check` gates dependent steps on).
    pub exists: bool,
}

impl Outcome {
    pub(super) fn error(step: &ResolvedStep, err: &ArmError) -> Self {
        Self {
            status: StepStatus::Error,
            checks: Vec::new(),
            points: Points {
                earned: 0,
                possible: step.points,
            },
            message: Some(err.to_string()),
            exists: false,
        }
    }

    /// Nothing to do, counted as passed.
    pub fn passed_noop(possible: u32) -> Self {
        Self {
            status: StepStatus::Passed,
            checks: Vec::new(),
            points: Points {
                earned: 0,
                possible,
            },
            message: None,
            exists: true,
        }
    }

    /// A deleting step in `check`: part of the lab's starting state, not the learner's work.
    pub fn starting_state() -> Self {
        Self {
            message: Some("deleted by the lab's setup: nothing to check".into()),
            ..Self::passed_noop(0)
        }
    }

    /// The step's time limit passed.
    pub fn timed_out(possible: u32, limit: Duration) -> Self {
        Self {
            status: StepStatus::Error,
            checks: Vec::new(),
            points: Points {
                earned: 0,
                possible,
            },
            message: Some(format!(
                "step timed out after {}",
                humantime::format_duration(limit)
            )),
            exists: false,
        }
    }

    pub(super) fn from_evaluation(e: Evaluation, exists: bool) -> Self {
        Self {
            status: e.status,
            checks: e.checks,
            points: e.points,
            message: e.message,
            exists,
        }
    }
}

/// `amlab check`: one GET, then the checks (nothing for a deleting step: the starting state).
pub async fn check(client: &ArmClient, lab: &ResolvedLab, step: &ResolvedStep) -> Outcome {
    if step.delete {
        return Outcome::starting_state();
    }
    if let Some(dp) = &step.data_plane {
        return super::data_plane::check(client, lab, step, dp).await;
    }
    let api = ApiVersions {
        step: step.api_version.as_deref(),
        lab: &lab.api_versions,
    };
    match client.get(&step.resource, &api).await {
        Ok(Fetched::Found(doc)) => Outcome::from_evaluation(evaluate(step, Some(&doc)), true),
        Ok(Fetched::NotFound { .. }) => Outcome::from_evaluation(evaluate(step, None), false),
        Err(e) => Outcome::error(step, &e),
    }
}

/// `amlab run`: PUT the body (following the long-running operation), wait until the resource
/// settles and the step's `wait.until` holds, then check.
pub async fn apply(client: &ArmClient, lab: &ResolvedLab, step: &ResolvedStep) -> Outcome {
    if let Some(dp) = &step.data_plane {
        return super::data_plane::apply(client, lab, step, dp).await;
    }
    if step.delete {
        return teardown(client, lab, step).await;
    }
    let api = ApiVersions {
        step: step.api_version.as_deref(),
        lab: &lab.api_versions,
    };
    let work = async {
        let mut doc = match &step.create {
            Some(body) => Some(client.put(&step.resource, body, &api).await?),
            None => match client.get(&step.resource, &api).await? {
                Fetched::Found(doc) => Some(doc),
                Fetched::NotFound { .. } => None,
            },
        };
        let started = Instant::now();
        let wait_timeout = step.wait.as_ref().map_or(step.timeout, |w| w.timeout);
        let mut delay = Duration::from_millis(100);
        while let Some(current) = &doc {
            let until_holds = step.wait.as_ref().is_none_or(|w| w.until.holds(current));
            if settled(current) && until_holds {
                break;
            }
            if started.elapsed() >= wait_timeout {
                let what = step.wait.as_ref().map_or_else(
                    || "properties.provisioningState to settle".to_owned(),
                    |w| format!("`{}`", w.until.text()),
                );
                return Err(WaitError::Timeout(format!(
                    "timed out after {} waiting for {what}",
                    humantime::format_duration(wait_timeout)
                )));
            }
            sleep(delay).await;
            delay = (delay * 3 / 2).min(Duration::from_secs(10));
            doc = match client.get(&step.resource, &api).await? {
                Fetched::Found(d) => Some(d),
                Fetched::NotFound { .. } => None,
            };
        }
        Ok::<_, WaitError>(doc)
    };
    match work.await {
        Ok(doc) => Outcome::from_evaluation(evaluate(step, doc.as_ref()), doc.is_some()),
        Err(WaitError::Arm(e)) => Outcome::error(step, &e),
        Err(WaitError::Timeout(message)) => Outcome {
            status: StepStatus::Error,
            checks: Vec::new(),
            points: Points {
                earned: 0,
                possible: step.points,
            },
            message: Some(message),
            exists: false,
        },
    }
}

/// `amlab teardown`: DELETE and wait until gone.
pub async fn teardown(client: &ArmClient, lab: &ResolvedLab, step: &ResolvedStep) -> Outcome {
    if let Some(dp) = &step.data_plane {
        return super::data_plane::teardown(client, lab, step, dp).await;
    }
    let api = ApiVersions {
        step: step.api_version.as_deref(),
        lab: &lab.api_versions,
    };
    match client.delete(&step.resource, &api).await {
        Ok(existed) => Outcome {
            status: StepStatus::Passed,
            checks: Vec::new(),
            points: Points::default(),
            message: Some(if existed {
                "deleted".into()
            } else {
                "already absent".into()
            }),
            exists: false,
        },
        Err(e) => Outcome::error(step, &e),
    }
}

enum WaitError {
    Arm(ArmError),
    Timeout(String),
}

impl From<ArmError> for WaitError {
    fn from(e: ArmError) -> Self {
        WaitError::Arm(e)
    }
}
