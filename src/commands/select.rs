//! `check --step ID`: which steps of the labs to check; an unknown id is a usage error that
//! names the nearest step id and lists the valid ones.

use crate::error::CommandError;
use crate::lab::suggest::{did_you_mean, list};
use crate::lab::{LabFile, ResolvedLab};

/// Every id in `wanted` must be a step of one of the labs.
pub(super) fn check_step_ids(files: &[LabFile], wanted: &[String]) -> Result<(), CommandError> {
    let ids: Vec<&str> = files
        .iter()
        .flat_map(|f| f.lab.steps.iter().map(|s| s.id.value.as_str()))
        .collect();
    let problems: Vec<String> = wanted
        .iter()
        .filter(|w| !ids.contains(&w.as_str()))
        .map(|w| {
            let nearest = did_you_mean(w, &ids)
                .map(|d| format!("; {d}"))
                .unwrap_or_default();
            format!("--step {w}: no such step{nearest}\n  steps: {}", list(&ids))
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CommandError::Usage(problems.join("\n")))
    }
}

/// The lab with only the steps in `wanted` (all when empty). A kept step is checked whatever
/// the steps it needs did: they are not part of this check. The lab's own pass mark was set for
/// all its steps, so a selection passes when its steps all pass (`--pass-mark` still applies).
pub(super) fn keep_steps(mut lab: ResolvedLab, wanted: &[String]) -> ResolvedLab {
    if wanted.is_empty() {
        return lab;
    }
    lab.pass_mark = crate::lab::PassMark::AllSteps;
    lab.steps.retain(|s| wanted.contains(&s.id));
    let kept: Vec<String> = lab.steps.iter().map(|s| s.id.clone()).collect();
    for step in &mut lab.steps {
        step.needs.retain(|n| kept.contains(n));
    }
    lab
}
