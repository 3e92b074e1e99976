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
use crate::cli::TargetArgs;
use crate::error::CommandError;
use crate::lab::{ResolveContext, load_all};
use crate::report::classroom::ClassroomReporter;
use crate::report::github::{GithubReporter, SummaryTarget};
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

/// Runs one of the three lab modes.
pub(super) fn execute(mode: Mode, args: &TargetArgs, io: &mut Io) -> Result<i32, CommandError> {
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
    let files = load_all(&args.paths).map_err(CommandError::Lab)?;
    let spec = TargetSpec {
        target: args.target.clone(),
        subscription: args.subscription.clone(),
        state: args.state.clone(),
        fresh: args.fresh,
        read_only: mode == Mode::Check,
        provisioning_delay: args.provisioning_delay,
        auth: args.auth,
        cloud: args.cloud,
        ca_cert: args.ca_cert.clone(),
        timeout: args.timeout,
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
    let target = match &replay {
        Some(_) => None,
        None => Some(target::open(&spec)?),
    };
    if let Some(credential) = target.as_ref().and_then(|t| t.credential.as_ref()) {
        let name = target.as_ref().map_or("", |t| t.name.as_str());
        writeln!(io.stderr, "amlab: {name} as {credential}")?;
    }
    let (target_name, subscription, base) = match (&replay, &target) {
        (Some(r), _) => (r.name(), r.subscription.clone(), AZURE_PUBLIC.to_owned()),
        (None, Some(t)) => (t.name.clone(), t.subscription.clone(), t.base.clone()),
        (None, None) => return Err(CommandError::Target("no target".into())),
    };
    let mut memory = target
        .as_ref()
        .map(|t| Remembered::load(Path::new(MEMORY_FILE), &t.memory_key));
    if args.fresh
        && let Some(m) = &mut memory
    {
        m.forget_target();
    }
    let mut labs = Vec::new();
    let mut problems = Vec::new();
    for file in &files {
        let id = file.lab.id.value.clone();
        let lab_replay = match &replay {
            Some(r) => Some(r.lab(&id, mode, &mut io.stderr)?),
            None => None,
        };
        let ctx = match (&lab_replay, &memory) {
            (Some(r), _) => r.resolve_context(&subscription, vars.clone()),
            (None, memory) => ResolveContext {
                subscription: subscription.clone(),
                vars: vars.clone(),
                remembered: memory.as_ref().map(|m| m.for_lab(&id)).unwrap_or_default(),
                recorded: Default::default(),
            },
        };
        match file.resolve(&ctx) {
            Ok(lab) => {
                if mode != Mode::Run && !lab.generated.is_empty() {
                    problems.push(no_random_value(&file.path, &lab));
                    continue;
                }
                if let Some(m) = &mut memory {
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
                labs.push((
                    lab,
                    info,
                    lab_replay.map(|r| r.transport as Arc<dyn Transport>),
                ));
            }
            Err(errors) => return Err(CommandError::Lab(errors)),
        }
    }
    if !problems.is_empty() {
        return Err(CommandError::Usage(problems.join("\n")));
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
        m.save()
            .map_err(|e| CommandError::Target(format!("{MEMORY_FILE}: {e}")))?;
    }

    let reporters = reporters(reports, args, io);
    let sink = Arc::new(EventSink::new(reporters).with_reveal(args.reveal));
    let options = RunOptions {
        mode,
        jobs: usize::from(args.jobs),
        target: target_name.clone(),
        interrupt: interrupt.clone(),
        pass_mark: args.pass_mark,
    };
    let retry = RetryPolicy {
        max_retries: args.retries.map(usize::from),
        ..RetryPolicy::default()
    };
    let mut record = args.record.as_deref().map(Record::new);
    let mut runs = Vec::new();
    for (lab, info, replayed) in labs {
        let mut transport = match (replayed, &target) {
            (Some(t), _) => t,
            (None, Some(t)) => t.transport.clone(),
            (None, None) => return Err(CommandError::Target("no target".into())),
        };
        if let Some(rec) = &mut record {
            let authenticated = target.as_ref().is_some_and(|t| t.credential.is_some());
            transport = rec.wrap(transport, authenticated, &lab, mode, &target_name);
        }
        let client = ArmClient::new(transport, base.clone()).with_retry(retry);
        runs.push((client, lab, info));
    }
    let results = runtime.block_on(execute_each(runs, &options, sink.clone()));
    if let Some(e) = sink.take_error() {
        return Err(CommandError::Io(e));
    }
    let interrupted = interrupt.is_triggered();
    if let Some(rec) = record {
        if interrupted {
            writeln!(
                io.stderr,
                "amlab: interrupted: no recording written (the previous fixtures are kept)"
            )?;
        } else {
            let known = target
                .as_ref()
                .and_then(|t| t.emulator.as_ref())
                .map(|e| e.secrets())
                .unwrap_or_default();
            rec.finish(&subscription, &known, &mut io.stderr)?;
        }
    }
    Ok(super::exit_code(&results, interrupted))
}

/// Why `check` or `teardown` cannot use a lab whose random parameters have no value yet.
fn no_random_value(path: &Path, lab: &crate::lab::resolved::ResolvedLab) -> String {
    let names: Vec<String> = lab
        .generated
        .keys()
        .map(|k| format!("--var {k}=..."))
        .collect();
    format!(
        "{}: parameters with a random default have no value on this target yet; run the lab first, or name your resources with {}",
        path.display(),
        names.join(" ")
    )
}

/// The terminal reporter and one reporter per `--report`; takes over `io`'s stdout and stderr
/// (shared, so that a closed pipe stops the output quietly). A report on standard output
/// (`FORMAT=-`) keeps it machine-readable: the terminal report then goes to stderr.
fn reporters(reports: Vec<ReportSpec>, args: &TargetArgs, io: &mut Io) -> Vec<Box<dyn Reporter>> {
    let stdout = SharedWriter::new(std::mem::replace(&mut io.stdout, Box::new(std::io::sink())));
    let stderr = SharedWriter::new(std::mem::replace(&mut io.stderr, Box::new(std::io::sink())));
    io.stderr = Box::new(stderr.clone());
    let terminal = if reports.iter().any(ReportSpec::is_stdout) {
        stderr
    } else {
        stdout.clone()
    };
    let mut reporters: Vec<Box<dyn Reporter>> = vec![Box::new(TerminalReporter::new(
        Box::new(terminal),
        TerminalOptions {
            color: io.color,
            progress: io.progress,
            durations: !args.no_durations,
        },
    ))];
    for report in reports {
        reporters.push(match report {
            ReportSpec::Json(to) => Box::new(JsonReporter::new(Output::new(to, &stdout))),
            ReportSpec::Junit(to) => Box::new(JunitReporter::new(Output::new(to, &stdout))),
            ReportSpec::Classroom(to) => Box::new(ClassroomReporter::new(Output::new(to, &stdout))),
            ReportSpec::Github(summary) => Box::new(GithubReporter::new(stdout.clone(), summary)),
        });
    }
    reporters
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
}

impl ReportSpec {
    /// Whether the report goes to standard output.
    fn is_stdout(&self) -> bool {
        matches!(
            self,
            ReportSpec::Json(Destination::Stdout)
                | ReportSpec::Junit(Destination::Stdout)
                | ReportSpec::Classroom(Destination::Stdout)
                | ReportSpec::Github(SummaryTarget::Stdout)
        )
    }
}

/// The report formats, for messages.
const FORMATS: &str = "json, junit, github, classroom";

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
                if format == "junit" { "xml" } else { "json" }
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
