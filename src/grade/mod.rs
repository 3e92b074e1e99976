//! `amlab grade`: checks many learners' submissions of one lab, in parallel (bounded), into a
//! gradebook. One learner's bad submission never stops the others: it becomes a row with
//! `could_not_check = true` and a message, never a zero.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub mod gradebook;
pub mod submission;

use submission::{REPLAY_NOT_BUILT, SubmissionSource, submission_target};

use crate::arm::client::ArmClient;
use crate::lab::{LabFile, PassMark, ResolveContext};
use crate::run::events::Mode;
use crate::run::interrupt::Interrupt;
use crate::run::result::{LabInfo, LabResult};
use crate::run::sink::EventSink;
use crate::run::{RunOptions, execute};

/// One learner's submission: the folder name and how to check it.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The learner (the submission folder's name).
    pub learner: String,
    /// How the folder is checked.
    pub source: SubmissionSource,
}

/// One learner's outcome.
#[derive(Debug, Clone)]
pub struct LearnerGrade {
    /// The learner (folder name).
    pub learner: String,
    /// The lab's result, when the submission could be read and resolved.
    pub result: Option<LabResult>,
    /// Why the submission could not be checked (unreadable, unknown parameter, replay...).
    pub problem: Option<String>,
}

impl LearnerGrade {
    /// True when the learner's grade is not known: the submission was unreadable or a step
    /// could not be checked (never to be read as zero).
    pub fn could_not_check(&self) -> bool {
        self.problem.is_some()
            || self.result.as_ref().is_none_or(|r| {
                r.steps
                    .iter()
                    .any(|s| s.status == crate::run::result::StepStatus::Error)
            })
    }
}

/// How to grade.
#[derive(Debug, Clone)]
pub struct GradeOptions {
    /// Learners checked at once.
    pub jobs: usize,
    /// Steps of one learner checked at once.
    pub step_jobs: usize,
    /// The target's name for reports.
    pub target: String,
    /// The subscription when a submission names none.
    pub subscription: String,
    /// `--pass-mark`, overriding the lab's.
    pub pass_mark: Option<PassMark>,
}

/// The submissions in `dir`: one per subfolder, sorted by name (files at the top are ignored).
pub fn collect(dir: &Path) -> std::io::Result<Vec<Submission>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            let learner = entry.file_name().to_string_lossy().into_owned();
            if learner.starts_with('.') {
                continue;
            }
            out.push(Submission {
                source: submission_target(&entry.path()),
                learner,
            });
        }
    }
    out.sort_by(|a, b| a.learner.cmp(&b.learner));
    Ok(out)
}

/// Grades every submission against `lab` through `client` (read-only), at most
/// `options.jobs` learners at a time; returns one grade per submission, in the order given.
pub async fn grade_all(
    client: ArmClient,
    lab: Arc<LabFile>,
    submissions: Vec<Submission>,
    options: &GradeOptions,
) -> Vec<LearnerGrade> {
    let client = client.read_only(true);
    let limit = Arc::new(Semaphore::new(options.jobs.max(1)));
    let mut set = JoinSet::new();
    let n = submissions.len();
    for (i, sub) in submissions.into_iter().enumerate() {
        let (client, lab, limit, options) =
            (client.clone(), lab.clone(), limit.clone(), options.clone());
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.ok();
            (i, grade_one(client, &lab, sub, &options).await)
        });
    }
    let mut grades: Vec<Option<LearnerGrade>> = (0..n).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        if let Ok((i, g)) = joined {
            grades[i] = Some(g);
        }
    }
    grades.into_iter().flatten().collect()
}

async fn grade_one(
    client: ArmClient,
    lab: &LabFile,
    sub: Submission,
    options: &GradeOptions,
) -> LearnerGrade {
    let failed = |problem: String| LearnerGrade {
        learner: sub.learner.clone(),
        result: None,
        problem: Some(problem),
    };
    let (file, vars) = match &sub.source {
        SubmissionSource::Vars { file, vars } => (file, vars),
        // SEAM (replay): check `dir` with a replay transport instead of `client` once it exists.
        SubmissionSource::Fixture { .. } => return failed(REPLAY_NOT_BUILT.to_owned()),
        SubmissionSource::Unreadable(why) => return failed(why.clone()),
    };
    let mut vars = vars.clone();
    let subscription = vars
        .remove("subscription")
        .unwrap_or_else(|| options.subscription.clone());
    let names: Vec<&str> = lab
        .lab
        .params
        .iter()
        .map(|(k, _)| k.value.as_str())
        .collect();
    let unknown: Vec<&String> = vars
        .keys()
        .filter(|k| !names.contains(&k.as_str()))
        .collect();
    if !unknown.is_empty() {
        return failed(format!(
            "{}: {} not a parameter of lab `{}` (its parameters: subscription, {})",
            file.display(),
            unknown
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
                + if unknown.len() == 1 { " is" } else { " are" },
            lab.lab.id.value,
            names.join(", ")
        ));
    }
    let ctx = ResolveContext {
        subscription,
        vars,
        remembered: BTreeMap::new(),
    };
    let resolved = match lab.resolve(&ctx) {
        Ok(r) => r,
        Err(errors) => {
            return failed(format!(
                "{}: {}",
                file.display(),
                errors
                    .render(false)
                    .lines()
                    .next()
                    .unwrap_or("invalid values")
                    .trim()
            ));
        }
    };
    if !resolved.generated.is_empty() {
        let missing: Vec<&String> = resolved.generated.keys().collect();
        return failed(format!(
            "{}: does not name {} (needed to find the learner's resources)",
            file.display(),
            missing
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let info = LabInfo {
        id: resolved.id.clone(),
        title: resolved.title.clone(),
        file: lab.path.display().to_string(),
    };
    let run = RunOptions {
        mode: Mode::Check,
        jobs: options.step_jobs,
        target: options.target.clone(),
        interrupt: Interrupt::default(),
        pass_mark: options.pass_mark,
    };
    let sink = Arc::new(EventSink::new(Vec::new()).with_reveal(true));
    let mut results = execute(client, vec![(resolved, info)], &run, sink).await;
    LearnerGrade {
        learner: sub.learner,
        result: results.pop(),
        problem: None,
    }
}
