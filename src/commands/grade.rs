//! `amlab grade LAB --submissions DIR`: grade every learner's submission into a gradebook.
//!
//! Exit codes: 0 when grading completed (whatever the learners scored), 2 when LAB or DIR is
//! invalid, 3 when nothing could be graded (no submissions, or none could be checked).

use std::io::Write;
use std::sync::Arc;

use super::Io;
use crate::arm::client::{ArmClient, RetryPolicy};
use crate::cli::GradeArgs;
use crate::error::CommandError;
use crate::exit;
use crate::fsutil::write_atomic;
use crate::grade::gradebook::{self, GradebookLab};
use crate::grade::submission::SubmissionSource;
use crate::grade::{GradeOptions, collect, grade_all};
use crate::lab::{ResolveContext, load_all};
use crate::target::{self, TargetSpec};

/// Runs `amlab grade`.
pub(super) fn run(args: &GradeArgs, io: &mut Io) -> Result<i32, CommandError> {
    if args.gradebook.extension().is_some_and(|e| e == "json") {
        return Err(CommandError::Usage(format!(
            "--gradebook {}: give the CSV path (such as grades.csv); the JSON gradebook is written beside it",
            args.gradebook.display()
        )));
    }
    if !args.submissions.is_dir() {
        return Err(CommandError::Usage(format!(
            "--submissions {}: not a directory (expected a folder with one subfolder per learner)",
            args.submissions.display()
        )));
    }
    let mut files = load_all(std::slice::from_ref(&args.lab)).map_err(CommandError::Lab)?;
    if files.len() != 1 {
        return Err(CommandError::Usage(format!(
            "{}: grade one lab at a time; found {} lab files",
            args.lab.display(),
            files.len()
        )));
    }
    let lab = Arc::new(files.remove(0));
    let submissions = collect(&args.submissions).map_err(|e| {
        CommandError::Usage(format!("--submissions {}: {e}", args.submissions.display()))
    })?;
    // Held until both files are written: two grades never interleave their CSV and JSON.
    let _gradebook_lock =
        gradebook::lock(&args.gradebook).map_err(|e| CommandError::Target(e.to_string()))?;
    let spec = TargetSpec {
        target: args.target.clone(),
        subscription: args.subscription.clone(),
        state: args.state.clone(),
        fresh: false,
        read_only: true,
        provisioning_delay: std::time::Duration::ZERO,
        auth: args.auth,
        cloud: args.cloud,
        ca_cert: args.ca_cert.clone(),
        timeout: args.timeout,
    };
    // Fixture submissions replay their own recordings: without a vars submission the
    // emulator's state is never read, so it is not opened (nor locked).
    let fixtures_only = submissions
        .iter()
        .all(|s| !matches!(s.source, SubmissionSource::Vars { .. }));
    let target = if fixtures_only && spec.target == "emulator" {
        target::open_in_memory_emulator(&spec)?
    } else {
        target::open(&spec)?
    };
    if let Some(warning) = &target.warning {
        writeln!(io.stderr, "amlab: warning: {warning}")?;
    }
    // The header: step ids and possible points do not depend on a learner's values.
    // `--var`s name parameters of the lab (a misspelt one says which it meant).
    let vars = super::labs::parse_vars(&args.vars)?;
    let probe = lab
        .resolve(&ResolveContext {
            subscription: target.subscription.clone(),
            vars: vars.clone(),
            ..Default::default()
        })
        .map_err(CommandError::Lab)?;
    super::labs::check_pass_mark(args.pass_mark, &probe)?;
    let pass_mark = args.pass_mark.unwrap_or(probe.pass_mark);
    let book = GradebookLab::new(
        &probe.id,
        &probe.title,
        &lab.path,
        &probe.steps,
        &pass_mark.to_string(),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CommandError::Io)?;
    let client =
        ArmClient::new(target.transport.clone(), target.base.clone()).with_retry(RetryPolicy {
            max_retries: args.retries.map(usize::from),
            ..RetryPolicy::default()
        });
    let options = GradeOptions {
        jobs: usize::from(args.jobs),
        step_jobs: 16,
        target: target.name.clone(),
        subscription: target.subscription.clone(),
        pass_mark: args.pass_mark,
        max_age: args.max_age,
        strict: args.strict,
        now: time::OffsetDateTime::now_utc(),
        vars,
    };
    let grades = runtime.block_on(grade_all(client, lab.clone(), submissions, &options));
    let rows = gradebook::rows(&book, grades);
    // Both made first, then written back to back, under the gradebook lock.
    let csv = gradebook::csv(&book, &rows);
    let json_path = gradebook::json_path(&args.gradebook);
    let json = gradebook::json(&book, &rows).map_err(std::io::Error::other)?;
    write_atomic(&args.gradebook, csv.as_bytes())?;
    write_atomic(&json_path, &json)?;
    drop(json);
    // `--html -` is standard output, as `-` is for every report; the summary then goes to stderr.
    let html_to_stdout = args.html.as_deref() == Some(std::path::Path::new("-"));
    if let Some(path) = &args.html {
        let page = crate::grade::html::page(&book, &rows);
        if html_to_stdout {
            io.stdout.write_all(page.as_bytes())?;
        } else {
            write_atomic(path, page.as_bytes())?;
        }
    }
    let summary: &mut dyn Write = if html_to_stdout {
        &mut *io.stderr
    } else {
        &mut *io.stdout
    };

    let width = rows.iter().map(|r| r.learner.len()).max().unwrap_or(0);
    for r in &rows {
        let verdict = match (r.could_not_check, r.pass) {
            (true, _) => format!("could not check: {}", r.message),
            (false, Some(true)) => "passed".to_owned(),
            _ => "not passed".to_owned(),
        };
        let score = r
            .score
            .map_or_else(|| "-".to_owned(), |s| format!("{s}/{}", r.possible));
        writeln!(summary, "  {:width$}  {score:>7}  {verdict}", r.learner)?;
        for w in &r.warnings {
            writeln!(summary, "  {:width$}           warning: {w}", "")?;
        }
    }
    let unknown = rows.iter().filter(|r| r.could_not_check).count();
    let passed = rows.iter().filter(|r| r.pass == Some(true)).count();
    let flagged = rows.iter().filter(|r| !r.warnings.is_empty()).count();
    writeln!(
        summary,
        "graded {} of {} of {} (pass mark {}): {passed} passed, {} not passed, {unknown} could not be checked{}\ngradebook: {} and {}",
        rows.len() - unknown,
        crate::report::count(rows.len(), "learner", "learners"),
        book.id,
        book.pass_mark,
        rows.len() - unknown - passed,
        if flagged > 0 {
            format!(", {flagged} with warnings")
        } else {
            String::new()
        },
        args.gradebook.display(),
        json_path.display()
    )?;
    if let Some(path) = args.html.as_ref().filter(|_| !html_to_stdout) {
        writeln!(summary, "class report: {}", path.display())?;
    }
    if rows.is_empty() {
        writeln!(
            io.stderr,
            "error: {}: no submission folders to grade",
            args.submissions.display()
        )?;
        return Ok(exit::COULD_NOT_CHECK);
    }
    if unknown == rows.len() {
        writeln!(io.stderr, "error: no submission could be checked")?;
        return Ok(exit::COULD_NOT_CHECK);
    }
    Ok(exit::OK)
}
