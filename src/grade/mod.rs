//! `amlab grade`: checks many learners' submissions of one lab, in parallel (bounded), into a
//! gradebook. A vars submission is checked on the target; a fixture submission is replayed
//! through a replay transport of its own (see [`crate::fixture::lab_replay`]). One learner's bad submission never stops the others: it becomes a row with
//! `could_not_check = true` and a message, never a zero.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::OffsetDateTime;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub mod gradebook;
pub mod html;
pub mod submission;

use submission::{SubmissionSource, submission_target};

use crate::arm::client::ArmClient;
use crate::fixture::redact::SUBSCRIPTION_PLACEHOLDER;
use crate::fixture::store::FixtureStore;
use crate::lab::{LabFile, PassMark, ResolveContext};
use crate::run::events::Mode;
use crate::run::interrupt::Interrupt;
use crate::run::result::{LabInfo, LabResult};
use crate::run::sink::EventSink;
use crate::run::{RunOptions, execute};
use crate::target::AZURE_PUBLIC;

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
    /// Why the submission could not be checked (unreadable, unknown parameter, a corrupt or
    /// unmatched fixture...).
    pub problem: Option<String>,
    /// When a fixture submission was recorded (RFC 3339, from its metadata); `None` for vars
    /// submissions and recordings without amlab metadata.
    pub recorded_at: Option<String>,
    /// What the teacher should know although the grade stands: a fixture recorded against
    /// another version of the lab file, or older than `--max-age` days.
    pub warnings: Vec<String>,
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
    /// `--max-age`: fixture submissions recorded more than this many days before `now` are
    /// flagged (or, with `strict`, not graded).
    pub max_age: Option<u32>,
    /// `--strict`: a stale fixture makes the learner `could_not_check` instead of a warning.
    pub strict: bool,
    /// The time grading counts fixture ages from.
    pub now: OffsetDateTime,
    /// `--var`s for every learner; a learner's own values win.
    pub vars: BTreeMap<String, String>,
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

/// Grades every submission against `lab`, at most `options.jobs` learners at a time: vars
/// submissions through `client` (read-only), fixture submissions each through a read-only
/// replay client of their own (with `client`'s retry policy). Returns one grade per
/// submission, in the order given.
pub async fn grade_all(
    client: ArmClient,
    lab: Arc<LabFile>,
    submissions: Vec<Submission>,
    options: &GradeOptions,
) -> Vec<LearnerGrade> {
    let client = client.read_only(true);
    let limit = Arc::new(Semaphore::new(options.jobs.max(1)));
    let mut set = JoinSet::new();
    let learners: Vec<String> = submissions.iter().map(|s| s.learner.clone()).collect();
    for (i, sub) in submissions.into_iter().enumerate() {
        let (client, lab, limit, options) =
            (client.clone(), lab.clone(), limit.clone(), options.clone());
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.ok();
            (i, grade_one(client, &lab, sub, &options).await)
        });
    }
    collect_grades(set, learners).await
}

/// The grades in submission order. A learner whose task failed unexpectedly (a bug in amlab: a
/// panic) stays in the gradebook as could-not-check rather than vanishing from it.
async fn collect_grades(
    mut set: JoinSet<(usize, LearnerGrade)>,
    learners: Vec<String>,
) -> Vec<LearnerGrade> {
    let mut grades: Vec<Option<LearnerGrade>> = learners.iter().map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        if let Ok((i, g)) = joined {
            grades[i] = Some(g);
        }
    }
    grades
        .into_iter()
        .zip(learners)
        .map(|(g, learner)| {
            g.unwrap_or_else(|| LearnerGrade {
                learner,
                result: None,
                problem: Some(INTERNAL_ERROR.to_owned()),
                recorded_at: None,
                warnings: Vec::new(),
            })
        })
        .collect()
}

/// The problem of a submission whose grading panicked.
const INTERNAL_ERROR: &str =
    "amlab failed while checking this submission (an internal error; please report it)";

#[cfg(test)]
mod collect_tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_learner_stays_in_the_gradebook() {
        let mut set = JoinSet::new();
        set.spawn(async { (0, grade_of("ada")) });
        set.spawn(async {
            if usize::MAX > 0 {
                panic!("a bug while grading bob");
            }
            (1, grade_of("bob"))
        });
        let grades = collect_grades(set, vec!["ada".into(), "bob".into()]).await;
        assert_eq!(grades.len(), 2);
        assert_eq!(grades[0].learner, "ada");
        assert_eq!(grades[1].learner, "bob");
        assert_eq!(grades[1].problem.as_deref(), Some(INTERNAL_ERROR));
    }

    fn grade_of(learner: &str) -> LearnerGrade {
        LearnerGrade {
            learner: learner.into(),
            result: None,
            problem: None,
            recorded_at: None,
            warnings: Vec::new(),
        }
    }
}

async fn grade_one(
    client: ArmClient,
    lab: &LabFile,
    sub: Submission,
    options: &GradeOptions,
) -> LearnerGrade {
    let learner = sub.learner;
    let failed = |problem: String| LearnerGrade {
        learner: learner.clone(),
        result: None,
        problem: Some(problem),
        recorded_at: None,
        warnings: Vec::new(),
    };
    let prepared = match sub.source {
        SubmissionSource::Vars { file, vars } => {
            let mut vars = with_defaults(vars, options);
            let subscription = vars
                .remove("subscription")
                .unwrap_or_else(|| options.subscription.clone());
            Prepared {
                origin: file,
                ctx: ResolveContext {
                    subscription,
                    vars,
                    ..Default::default()
                },
                client,
                target: options.target.clone(),
                recorded: None,
            }
        }
        SubmissionSource::Fixture { dir, vars } => {
            match replayed(client, lab, dir, with_defaults(vars, options), options) {
                Ok(p) => p,
                Err(problem) => return failed(problem),
            }
        }
        SubmissionSource::Unreadable(why) => return failed(why),
    };
    let recorded = prepared.recorded.clone();
    match check(lab, prepared, options).await {
        Ok((result, file_hash)) => {
            let (recorded_at, warnings) = match recorded {
                Some(r) => {
                    let mut warnings = r.stale;
                    if r.lab_hash.is_some_and(|h| h != file_hash) {
                        warnings.insert(
                            0,
                            "recorded against another version of the lab file (sha256 differs)"
                                .to_owned(),
                        );
                    }
                    (r.recorded_at, warnings)
                }
                None => (None, Vec::new()),
            };
            LearnerGrade {
                learner,
                result: Some(result),
                problem: None,
                recorded_at,
                warnings,
            }
        }
        Err(problem) => LearnerGrade {
            recorded_at: recorded.and_then(|r| r.recorded_at),
            ..failed(problem)
        },
    }
}

/// What a fixture submission's metadata says about the recording.
#[derive(Debug, Clone)]
struct Recorded {
    /// The latest recording time among the replayed recordings.
    recorded_at: Option<String>,
    /// The lab file hash recorded, if amlab made the recording.
    lab_hash: Option<String>,
    /// Why recordings are older than `--max-age` (empty without it).
    stale: Vec<String>,
}

/// A submission ready to check: how to resolve the lab and what to check it through.
struct Prepared {
    /// The vars file or fixture folder, for messages.
    origin: PathBuf,
    ctx: ResolveContext,
    client: ArmClient,
    /// The target's name in the learner's result.
    target: String,
    /// For a fixture submission: its recording's time, lab hash and age.
    recorded: Option<Recorded>,
}

/// A fixture submission: its recordings of this lab's `check`, replayed by a transport of the
/// learner's own, with the recorded parameters as remembered values (as `--replay` does).
fn replayed(
    target_client: ArmClient,
    lab: &LabFile,
    dir: PathBuf,
    mut vars: BTreeMap<String, String>,
    options: &GradeOptions,
) -> Result<Prepared, String> {
    let subscription = vars
        .remove("subscription")
        .unwrap_or_else(|| SUBSCRIPTION_PLACEHOLDER.to_owned());
    let replay = FixtureStore::load(&dir)
        .and_then(|store| store.lab_replay(&lab.lab.id.value, Mode::Check.as_str(), &subscription))
        .map_err(|e| {
            // Store messages address the `--replay` flag; here the folder is the submission.
            let text = e.to_string();
            text.strip_prefix("--replay ")
                .map_or_else(|| text.clone(), str::to_owned)
        })?;
    // Named within the submission folder: the gradebook row already names the learner.
    let stale = options
        .max_age
        .map(|max| replay.stale(options.now, max, &dir))
        .unwrap_or_default();
    if options.strict && !stale.is_empty() {
        return Err(format!("stale fixture: {} (--strict)", stale.join("; ")));
    }
    let recorded = Recorded {
        recorded_at: replay
            .recorded
            .iter()
            .filter_map(|(_, m)| m.recorded_time().map(|t| (t, m.recorded_at.clone())))
            .max_by_key(|(t, _)| *t)
            .map(|(_, text)| text),
        lab_hash: replay.lab_hash.clone(),
        stale,
    };
    let client = ArmClient::new(replay.transport.clone(), AZURE_PUBLIC)
        .with_retry(target_client.retry_policy())
        .read_only(true);
    Ok(Prepared {
        target: format!("replay:{}", dir.display()),
        ctx: replay.resolve_context(&subscription, vars),
        origin: dir,
        client,
        recorded: Some(recorded),
    })
}

/// Resolves the lab with the learner's values and checks it; also returns the lab file's hash.
async fn check(
    lab: &LabFile,
    p: Prepared,
    options: &GradeOptions,
) -> Result<(LabResult, String), String> {
    let origin = p.origin.display();
    let names: Vec<&str> = lab
        .lab
        .params
        .iter()
        .map(|(k, _)| k.value.as_str())
        .collect();
    let unknown: Vec<&String> = p
        .ctx
        .vars
        .keys()
        .filter(|k| !names.contains(&k.as_str()))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "{origin}: {} not a parameter of lab `{}` (its parameters: subscription, {})",
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
    let resolved = lab.resolve(&p.ctx).map_err(|errors| {
        // The first problem's message (the rendered text starts with its code).
        format!(
            "{origin}: {}",
            errors
                .diagnostics
                .first()
                .map_or_else(|| "invalid values".to_owned(), ToString::to_string)
        )
    })?;
    if !resolved.generated.is_empty() {
        let missing: Vec<String> = resolved
            .generated
            .keys()
            .map(|k| format!("`{k}`"))
            .collect();
        return Err(format!(
            "{origin}: does not name {} (needed to find the learner's resources)",
            missing.join(", ")
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
        target: p.target,
        interrupt: Interrupt::default(),
        pass_mark: options.pass_mark,
    };
    let file_hash = resolved.file_hash.clone();
    let sink = Arc::new(EventSink::new(Vec::new()).with_reveal(true));
    execute(p.client, vec![(resolved, info)], &run, sink)
        .await
        .pop()
        .map(|result| (result, file_hash))
        .ok_or_else(|| format!("{origin}: the lab produced no result"))
}

/// A learner's values with the `--var`s given for everyone added where the learner has none.
fn with_defaults(
    mut vars: BTreeMap<String, String>,
    options: &GradeOptions,
) -> BTreeMap<String, String> {
    for (k, v) in &options.vars {
        vars.entry(k.clone()).or_insert_with(|| v.clone());
    }
    vars
}
