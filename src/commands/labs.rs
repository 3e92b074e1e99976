//! `amlab run`, `check` and `teardown`: load and resolve the labs, open the target, run, report.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Io;
use super::fixtures::{Record, Replay};
use super::remembered::Remembered;
use crate::arm::client::{ArmClient, RetryPolicy};
use crate::arm::transport::Transport;
use crate::cli::{ScoringArgs, TargetArgs};
use crate::error::CommandError;
use crate::lab::{ResolveContext, load_all};
use crate::report::classroom::ClassroomReporter;
use crate::report::github::{GithubReporter, SummaryTarget};
use crate::report::html::HtmlReporter;
use crate::report::json::JsonReporter;
use crate::report::junit::JunitReporter;
use crate::report::terminal::{TerminalOptions, TerminalReporter};
use crate::report::{Destination, Output, Reporter, SharedWriter};
use crate::run::events::Mode;
use crate::run::interrupt::Interrupt;
use crate::run::result::LabInfo;
use crate::run::sink::EventSink;
use crate::run::{RunOptions, execute_each};
use crate::target::{self, AZURE_PUBLIC, TargetSpec};

/// Where generated parameter values are remembered, relative to the working directory.
const MEMORY_FILE: &str = ".amlab/params.json";

/// What `check` adds: the steps to check (`--step`) and `--watch`'s interval.
#[derive(Debug, Default, Clone)]
pub(super) struct CheckPlan {
    /// Step ids to keep (all when empty).
    pub steps: Vec<String>,
    /// Re-check every interval until all pass (`--watch`).
    pub watch: Option<std::time::Duration>,
}

/// A lab resolved and ready: the lab, how reports name it, and its replay transport.
pub(super) type ReadyLab = (crate::lab::ResolvedLab, LabInfo, Option<Arc<dyn Transport>>);

/// Everything a run needs once the labs are resolved and the target is open.
pub(super) struct Prepared {
    pub runtime: tokio::runtime::Runtime,
    pub interrupt: Interrupt,
    pub spec: TargetSpec,
    pub target: Option<target::Target>,
    pub target_name: String,
    pub subscription: String,
    pub base: String,
    pub labs: Vec<ReadyLab>,
    pub reports: Vec<ReportSpec>,
    /// With `--watch`: notes the target's throttling delays between rounds.
    pub pace: Option<super::pace::Pace>,
}

/// Runs one of the three lab modes.
pub(super) fn execute(
    mode: Mode,
    args: &TargetArgs,
    scoring: &ScoringArgs,
    io: &mut Io,
) -> Result<i32, CommandError> {
    execute_plan(mode, args, scoring, &CheckPlan::default(), io)
}

/// Runs a lab mode with `check`'s step selection and watch.
pub(super) fn execute_plan(
    mode: Mode,
    args: &TargetArgs,
    scoring: &ScoringArgs,
    plan: &CheckPlan,
    io: &mut Io,
) -> Result<i32, CommandError> {
    let prepared = prepare(mode, args, scoring, plan, io)?;
    if let Some(interval) = plan.watch {
        return super::watch::rounds(prepared, args, scoring, interval, io);
    }
    let (stdout, stderr) = shared_outputs(io);
    let reporters = reporters(&prepared.reports, &stdout, &stderr, args, io, true);
    let mut record = args.record.as_deref().map(Record::new);
    let results = run_round(&prepared, mode, args, scoring, reporters, record.as_mut())?;
    let interrupted = prepared.interrupt.is_triggered();
    if let Some(rec) = record {
        if interrupted {
            writeln!(
                io.stderr,
                "amlab: interrupted: no recording written (the previous fixtures are kept)"
            )?;
        } else {
            let known = prepared
                .target
                .as_ref()
                .and_then(|t| t.emulator.as_ref())
                .map(|e| e.secrets())
                .unwrap_or_default();
            rec.finish(&prepared.subscription, &known, &mut io.stderr)?;
        }
    }
    Ok(super::exit_code(&results, interrupted))
}

/// Validates the command line, loads and resolves the labs, opens the target and remembers
/// generated values: everything before the first request of a step.
pub(super) fn prepare(
    mode: Mode,
    args: &TargetArgs,
    scoring: &ScoringArgs,
    plan: &CheckPlan,
    io: &mut Io,
) -> Result<Prepared, CommandError> {
    if mode == Mode::Check && args.fresh {
        return Err(CommandError::Usage(
            "--fresh empties the emulator state, and check is read-only: it never changes what it \
             checks. Start over with `amlab run --fresh`, or drop --fresh"
                .into(),
        ));
    }
    let vars = parse_vars(&args.vars)?;
    let reports = parse_reports(
        &args.reports,
        std::env::var_os("GITHUB_STEP_SUMMARY").as_deref(),
    )?;
    if mode == Mode::Teardown
        && let Some(r) = reports
            .iter()
            .find(|r| matches!(r, ReportSpec::Junit(_) | ReportSpec::Classroom(_)))
    {
        return Err(CommandError::Usage(format!(
            "--report {}: teardown scores nothing; its reports are json and github",
            match r {
                ReportSpec::Junit(_) => "junit=...",
                _ => "classroom=...",
            }
        )));
    }
    let files = load_all(&args.paths).map_err(CommandError::Lab)?;
    super::select::check_step_ids(&files, &plan.steps)?;
    let spec = TargetSpec {
        target: args.target.clone(),
        subscription: args.subscription.clone(),
        state: args.state.clone(),
        fresh: args.fresh,
        provisioning_delay: args.provisioning_delay,
        auth: args.auth,
        cloud: args.cloud,
        ca_cert: args.ca_cert.clone(),
        timeout: args.timeout,
        read_only: mode == Mode::Check,
    };
    let replay = Replay::open(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CommandError::Io)?;
    let interrupt = Interrupt::default();
    // Ctrl-C is handled from here on: what finished is reported, the rest is skipped.
    runtime
        .block_on(async { interrupt.install_ctrl_c() })
        .map_err(CommandError::Io)?;
    // Replay opens no target and keeps no memory: the fixtures carry the parameters.
    let mut target = match &replay {
        Some(_) => None,
        None => Some(target::open(&spec)?),
    };
    if let Some(warning) = target.as_ref().and_then(|t| t.warning.as_ref()) {
        writeln!(io.stderr, "amlab: warning: {warning}")?;
    }
    if let Some(t) = &target {
        runtime.block_on(target::authenticate(t))?;
        if let Some(credential) = &t.credential {
            writeln!(io.stderr, "amlab: {} as {credential}", t.name)?;
        }
    }
    let mut unreachable = None;
    if let Some(t) = &mut target {
        unreachable = runtime.block_on(target::identify_world(t)).err();
    }
    let (target_name, subscription, base) = match (&replay, &target) {
        (Some(r), _) => (r.name(), r.subscription.clone(), AZURE_PUBLIC.to_owned()),
        (None, Some(t)) => (t.name.clone(), t.subscription.clone(), t.base.clone()),
        (None, None) => return Err(CommandError::Target("no target".into())),
    };
    let mut memory = target
        .as_ref()
        .map(|t| Remembered::load(Path::new(MEMORY_FILE), &t.memory_key, &t.memory_aliases))
        .transpose()
        .map_err(|e| CommandError::Target(e.to_string()))?;
    if args.fresh
        && let Some(m) = &mut memory
    {
        m.forget_target();
    }
    let (labs, unnamed) = resolve_labs(
        &files,
        mode,
        scoring,
        plan,
        &vars,
        &subscription,
        replay.as_ref(),
        memory.as_mut(),
        io,
    )?;
    if !unnamed.is_empty() {
        // Without the world's id the remembered names cannot be found: then the unreachable
        // target is the problem (exit 3), not the command line.
        return Err(match unreachable {
            Some(why) => CommandError::Target(format!(
                "cannot reach the target to find the names remembered for it: {why}"
            )),
            None => CommandError::Usage(unnamed.join("\n")),
        });
    }
    // Everything is valid: only now is anything written (check writes nothing).
    if args.fresh
        && let Some(t) = &target
    {
        t.commit_fresh()?;
    }
    if let Some(m) = &memory
        && mode != Mode::Check
    {
        m.save().map_err(|e| CommandError::Target(e.to_string()))?;
    }
    Ok(Prepared {
        runtime,
        interrupt,
        spec,
        target,
        target_name,
        subscription,
        base,
        labs,
        reports,
        pace: plan.watch.map(|_| super::pace::Pace::default()),
    })
}

/// Resolves every lab (with its replay, if any), remembering generated values in `memory`.
/// In `check` and `teardown`, a lab that would need a new random value is not resolved: it is
/// returned as a problem (the second list) naming the `--var`s to give.
#[allow(clippy::too_many_arguments)]
fn resolve_labs(
    files: &[crate::lab::LabFile],
    mode: Mode,
    scoring: &ScoringArgs,
    plan: &CheckPlan,
    vars: &BTreeMap<String, String>,
    subscription: &str,
    replay: Option<&Replay>,
    mut memory: Option<&mut Remembered>,
    io: &mut Io,
) -> Result<(Vec<ReadyLab>, Vec<String>), CommandError> {
    let mut labs = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let id = file.lab.id.value.clone();
        let lab_replay = match replay {
            Some(r) => Some(r.lab(&id, mode, &mut io.stderr)?),
            None => None,
        };
        let ctx = match (&lab_replay, &memory) {
            (Some(r), _) => r.resolve_context(subscription, vars.clone()),
            (None, memory) => ResolveContext {
                subscription: subscription.to_owned(),
                vars: vars.clone(),
                remembered: memory.as_ref().map(|m| m.for_lab(&id)).unwrap_or_default(),
                recorded: Default::default(),
            },
        };
        let lab = file.resolve(&ctx).map_err(CommandError::Lab)?;
        if mode != Mode::Teardown {
            check_pass_mark(scoring.pass_mark, &lab)?;
        }
        if mode != Mode::Run && !lab.generated.is_empty() {
            let names: Vec<String> = lab
                .generated
                .keys()
                .map(|k| format!("--var {k}=..."))
                .collect();
            problems.push(format!(
                "{}: parameters with a random default have no value on this target yet; run the lab first, or name your resources with {} (amlab explain {0} lists them)",
                file.path.display(),
                names.join(" ")
            ));
            continue;
        }
        if let Some(m) = memory.as_deref_mut() {
            m.remember(&id, &lab.generated);
        }
        if let Some(recorded) = lab_replay.as_ref().and_then(|r| r.lab_hash.as_ref())
            && *recorded != lab.file_hash
        {
            writeln!(
                io.stderr,
                "amlab: warning: {} changed since its fixture was recorded (sha256 differs)",
                file.path.display()
            )?;
        }
        let info = LabInfo {
            id: lab.id.clone(),
            title: lab.title.clone(),
            file: file.path.display().to_string(),
        };
        let lab = super::select::keep_steps(lab, &plan.steps);
        if lab.steps.is_empty() {
            continue;
        }
        labs.push((
            lab,
            info,
            lab_replay.map(|r| r.transport as Arc<dyn Transport>),
        ));
    }
    Ok((labs, problems))
}

/// `io`'s standard output and error, taken over and shared, so that a closed pipe stops the
/// output quietly (see [`SharedWriter`]); `io.stderr` writes through the shared one.
pub(super) fn shared_outputs(io: &mut Io) -> (SharedWriter, SharedWriter) {
    let stdout = SharedWriter::new(std::mem::replace(&mut io.stdout, Box::new(std::io::sink())));
    let stderr = SharedWriter::new(std::mem::replace(&mut io.stderr, Box::new(std::io::sink())));
    io.stderr = Box::new(stderr.clone());
    (stdout, stderr)
}

/// The terminal reporter (with `terminal`) and one reporter per `--report`. A report on
/// standard output (`FORMAT=-`) keeps it machine-readable: the terminal report then goes to
/// `stderr`.
pub(super) fn reporters(
    reports: &[ReportSpec],
    stdout: &SharedWriter,
    stderr: &SharedWriter,
    args: &TargetArgs,
    io: &Io,
    terminal: bool,
) -> Vec<Box<dyn Reporter>> {
    let mut reporters: Vec<Box<dyn Reporter>> = Vec::new();
    if terminal {
        let to = if reports.iter().any(ReportSpec::is_stdout) {
            stderr
        } else {
            stdout
        };
        reporters.push(Box::new(TerminalReporter::new(
            Box::new(to.clone()),
            TerminalOptions {
                color: io.color,
                progress: io.progress,
                durations: !args.no_durations,
                quiet: args.quiet,
            },
        )));
    }
    for report in reports {
        reporters.push(match report.clone() {
            ReportSpec::Json(to) => Box::new(JsonReporter::new(Output::new(to, stdout))),
            ReportSpec::Junit(to) => Box::new(JunitReporter::new(Output::new(to, stdout))),
            ReportSpec::Classroom(to) => Box::new(ClassroomReporter::new(Output::new(to, stdout))),
            ReportSpec::Html(to) => Box::new(HtmlReporter::new(Output::new(to, stdout))),
            ReportSpec::Github(summary) => Box::new(GithubReporter::new(stdout.clone(), summary)),
        });
    }
    reporters
}

/// One pass over every prepared lab, reported to `reporters`.
pub(super) fn run_round(
    prepared: &Prepared,
    mode: Mode,
    args: &TargetArgs,
    scoring: &ScoringArgs,
    reporters: Vec<Box<dyn Reporter>>,
    mut record: Option<&mut Record>,
) -> Result<Vec<crate::run::result::LabResult>, CommandError> {
    let sink = Arc::new(EventSink::new(reporters).with_reveal(scoring.reveal));
    let options = RunOptions {
        mode,
        jobs: usize::from(args.jobs),
        target: prepared.target_name.clone(),
        interrupt: prepared.interrupt.clone(),
        pass_mark: scoring.pass_mark,
    };
    let retry = RetryPolicy {
        max_retries: args.retries.map(usize::from),
        ..RetryPolicy::default()
    };
    let target = &prepared.target;
    let mut runs = Vec::new();
    for (lab, info, replayed) in &prepared.labs {
        let mut transport = match (replayed, target) {
            (Some(t), _) => t.clone(),
            (None, Some(t)) => t.transport.clone(),
            (None, None) => return Err(CommandError::Target("no target".into())),
        };
        if let Some(pace) = &prepared.pace {
            transport = pace.wrap(transport);
        }
        if let Some(rec) = record.as_deref_mut() {
            let authenticated = target.as_ref().is_some_and(|t| t.credential.is_some());
            transport = rec.wrap(transport, authenticated, lab, mode, &prepared.target_name);
        }
        let client = ArmClient::new(transport, prepared.base.clone()).with_retry(retry);
        runs.push((client, lab.clone(), info.clone()));
    }
    let results = prepared
        .runtime
        .block_on(execute_each(runs, &options, sink.clone()));
    if let Some(e) = sink.take_error() {
        return Err(CommandError::Io(e));
    }
    Ok(results)
}

/// Rejects a `--pass-mark` of more points than the lab has (as lint rejects it in a file).
pub(super) fn check_pass_mark(
    mark: Option<crate::lab::PassMark>,
    lab: &crate::lab::ResolvedLab,
) -> Result<(), CommandError> {
    let possible: u32 = lab.steps.iter().map(|s| s.points).sum();
    match mark {
        Some(crate::lab::PassMark::Points(p)) if p > possible => Err(CommandError::Usage(format!(
            "--pass-mark {p}: more than the {} of lab `{}`; give at most {possible} points, or a percentage such as 70%",
            crate::report::count(possible as usize, "point", "points"),
            lab.id
        ))),
        _ => Ok(()),
    }
}

/// Parses `--var NAME=VALUE` flags.
pub(super) fn parse_vars(vars: &[String]) -> Result<BTreeMap<String, String>, CommandError> {
    let mut out = BTreeMap::new();
    for v in vars {
        let Some((name, value)) = v.split_once('=') else {
            return Err(CommandError::Usage(format!(
                "--var {v}: expected NAME=VALUE"
            )));
        };
        if name.is_empty() {
            return Err(CommandError::Usage(format!("--var {v}: the name is empty")));
        }
        // `--var admin_password=...`: a value given under a secret-looking name is never shown.
        let key = name.rsplit('.').next().unwrap_or(name);
        if crate::fixture::redact::is_secret_key(key, None, &serde_json::Map::new()) {
            crate::secrets::remember(value);
        }
        out.insert(name.to_owned(), value.to_owned());
    }
    Ok(out)
}

/// A `--report FORMAT=PATH` flag, parsed (`-` is standard output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReportSpec {
    /// `json=PATH`.
    Json(Destination),
    /// `junit=PATH`.
    Junit(Destination),
    /// `github=PATH` (`github` alone for `$GITHUB_STEP_SUMMARY`).
    Github(SummaryTarget),
    /// `classroom=PATH`.
    Classroom(Destination),
    /// `html=PATH`.
    Html(Destination),
}

impl ReportSpec {
    /// Whether the report goes to standard output.
    fn is_stdout(&self) -> bool {
        matches!(
            self,
            ReportSpec::Json(Destination::Stdout)
                | ReportSpec::Junit(Destination::Stdout)
                | ReportSpec::Classroom(Destination::Stdout)
                | ReportSpec::Html(Destination::Stdout)
                | ReportSpec::Github(SummaryTarget::Stdout)
        )
    }
}

/// The report formats, for messages.
const FORMATS: &str = "json, junit, github, classroom, html";

/// Parses `--report FORMAT=PATH` flags; `step_summary` is `$GITHUB_STEP_SUMMARY`.
pub(crate) fn parse_reports(
    reports: &[String],
    step_summary: Option<&std::ffi::OsStr>,
) -> Result<Vec<ReportSpec>, CommandError> {
    let specs = reports
        .iter()
        .map(|r| parse_report(r, step_summary))
        .collect::<Result<Vec<_>, _>>()?;
    let on_stdout: Vec<&String> = reports
        .iter()
        .zip(&specs)
        .filter(|(_, s)| s.is_stdout())
        .map(|(r, _)| r)
        .collect();
    if on_stdout.len() > 1 {
        let flags: Vec<String> = on_stdout.iter().map(|r| format!("--report {r}")).collect();
        return Err(CommandError::Usage(format!(
            "{}: only one report can go to standard output (`-`); give the others a file",
            flags.join(", ")
        )));
    }
    Ok(specs)
}

/// Parses one `--report FORMAT=PATH` flag.
fn parse_report(
    r: &str,
    step_summary: Option<&std::ffi::OsStr>,
) -> Result<ReportSpec, CommandError> {
    let (format, path) = r.split_once('=').unwrap_or((r, ""));
    let to = || {
        if path.is_empty() {
            Err(CommandError::Usage(format!(
                "--report {r}: expected FORMAT=PATH, such as {format}=report.{} (or {format}=- for standard output)",
                match format {
                    "junit" => "xml",
                    "html" => "html",
                    _ => "json",
                }
            )))
        } else if path == "-" {
            Ok(Destination::Stdout)
        } else {
            Ok(Destination::File(PathBuf::from(path)))
        }
    };
    match format {
        "json" => Ok(ReportSpec::Json(to()?)),
        "junit" => Ok(ReportSpec::Junit(to()?)),
        "classroom" => Ok(ReportSpec::Classroom(to()?)),
        "html" => Ok(ReportSpec::Html(to()?)),
        "github" if path.is_empty() => match step_summary {
            Some(p) if !p.is_empty() => {
                Ok(ReportSpec::Github(SummaryTarget::Append(PathBuf::from(p))))
            }
            _ => Err(CommandError::Usage(format!(
                "--report {r}: GITHUB_STEP_SUMMARY is not set (it is, inside a GitHub Actions step); \
                 give a file instead, such as github=summary.md, or github=- for standard output"
            ))),
        },
        "github" if path == "-" => Ok(ReportSpec::Github(SummaryTarget::Stdout)),
        "github" => Ok(ReportSpec::Github(SummaryTarget::File(PathBuf::from(path)))),
        _ if !r.contains('=') => Err(CommandError::Usage(format!(
            "--report {r}: expected FORMAT=PATH with FORMAT one of {FORMATS}"
        ))),
        other => Err(CommandError::Usage(format!(
            "--report {r}: unknown format `{other}`, expected one of {FORMATS}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_var_with_a_secret_name_is_never_shown() {
        let flags = [
            "admin_password=Sup3r-S3cret-pw".to_owned(),
            "param.sp_client_secret=cl13nt-s3cret-value".to_owned(),
            "suffix=visible-suffix-1".to_owned(),
        ];
        let vars = parse_vars(&flags).expect("vars");
        assert_eq!(vars["admin_password"], "Sup3r-S3cret-pw");
        assert_eq!(
            crate::secrets::scrub("pw Sup3r-S3cret-pw cs cl13nt-s3cret-value s visible-suffix-1"),
            "pw Sanitized cs Sanitized s visible-suffix-1"
        );
    }

    fn parse(flags: &[&str], summary: Option<&str>) -> Result<Vec<ReportSpec>, String> {
        let flags: Vec<String> = flags.iter().map(|s| (*s).to_owned()).collect();
        parse_reports(&flags, summary.map(std::ffi::OsStr::new)).map_err(|e| e.to_string())
    }

    #[test]
    fn several_formats_at_once() {
        let specs = parse(
            &[
                "json=r.json",
                "junit=out/j.xml",
                "classroom=c.json",
                "github=s.md",
            ],
            None,
        )
        .unwrap();
        assert_eq!(
            specs,
            vec![
                ReportSpec::Json(Destination::File("r.json".into())),
                ReportSpec::Junit(Destination::File("out/j.xml".into())),
                ReportSpec::Classroom(Destination::File("c.json".into())),
                ReportSpec::Github(SummaryTarget::File("s.md".into())),
            ]
        );
    }

    #[test]
    fn github_alone_appends_to_the_step_summary() {
        for flag in ["github=", "github"] {
            assert_eq!(
                parse(&[flag], Some("/tmp/summary")).unwrap(),
                vec![ReportSpec::Github(SummaryTarget::Append(
                    "/tmp/summary".into()
                ))]
            );
        }
        let e = parse(&["github"], None).unwrap_err();
        assert!(e.contains("GITHUB_STEP_SUMMARY is not set"), "{e}");
    }

    #[test]
    fn dash_is_standard_output_for_every_format_one_at_a_time() {
        assert_eq!(
            parse(&["json=-", "junit=j.xml"], Some("/tmp/summary")).unwrap(),
            vec![
                ReportSpec::Json(Destination::Stdout),
                ReportSpec::Junit(Destination::File("j.xml".into())),
            ]
        );
        for flag in ["junit=-", "classroom=-", "github=-"] {
            assert!(parse(&[flag], None).unwrap()[0].is_stdout(), "{flag}");
        }
        let e = parse(&["json=-", "github=-"], None).unwrap_err();
        assert!(
            e.contains("--report json=-, --report github=-") && e.contains("only one report"),
            "{e}"
        );
    }

    #[test]
    fn unknown_format_and_missing_path_name_what_is_valid() {
        let e = parse(&["xml=a.xml"], None).unwrap_err();
        assert!(
            e.contains("unknown format `xml`") && e.contains(FORMATS),
            "{e}"
        );
        let e = parse(&["junit="], None).unwrap_err();
        assert!(e.contains("junit=report.xml"), "{e}");
    }
}
