//! `amlab run`, `check` and `teardown`: load and resolve the labs, open the target, run, report.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Io;
use super::remembered::Remembered;
use crate::arm::client::{ArmClient, RetryPolicy};
use crate::cli::TargetArgs;
use crate::error::CommandError;
use crate::lab::{ResolveContext, load_all};
use crate::report::Reporter;
use crate::report::json::JsonReporter;
use crate::report::terminal::{TerminalOptions, TerminalReporter};
use crate::run::events::Mode;
use crate::run::interrupt::Interrupt;
use crate::run::result::LabInfo;
use crate::run::sink::EventSink;
use crate::run::{RunOptions, execute as execute_run};
use crate::target::{self, TargetSpec};

/// Where generated parameter values are remembered, relative to the working directory.
const MEMORY_FILE: &str = ".amlab/params.json";

/// Runs one of the three lab modes.
pub(super) fn execute(mode: Mode, args: &TargetArgs, io: &mut Io) -> Result<i32, CommandError> {
    let vars = parse_vars(&args.vars)?;
    let reports = parse_reports(&args.reports)?;
    let files = load_all(&args.paths).map_err(CommandError::Lab)?;
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
    };
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
    let target = target::open(&spec)?;
    if let Some(credential) = &target.credential {
        writeln!(io.stderr, "amlab: {} as {credential}", target.name)?;
    }
    let mut memory = Remembered::load(Path::new(MEMORY_FILE), &target.memory_key);
    if args.fresh {
        memory.forget_target();
    }
    let mut labs = Vec::new();
    let mut problems = Vec::new();
    for file in &files {
        let id = file.lab.id.value.clone();
        let ctx = ResolveContext {
            subscription: target.subscription.clone(),
            vars: vars.clone(),
            remembered: memory.for_lab(&id),
        };
        match file.resolve(&ctx) {
            Ok(lab) => {
                if mode != Mode::Run && !lab.generated.is_empty() {
                    let names: Vec<String> = lab
                        .generated
                        .keys()
                        .map(|k| format!("--var {k}=..."))
                        .collect();
                    problems.push(format!(
                        "{}: parameters with a random default have no value on this target yet; run the lab first, or name your resources with {}",
                        file.path.display(),
                        names.join(" ")
                    ));
                    continue;
                }
                memory.remember(&id, &lab.generated);
                let info = LabInfo {
                    id: lab.id.clone(),
                    title: lab.title.clone(),
                    file: file.path.display().to_string(),
                };
                labs.push((lab, info));
            }
            Err(errors) => return Err(CommandError::Lab(errors)),
        }
    }
    if !problems.is_empty() {
        return Err(CommandError::Usage(problems.join("\n")));
    }
    memory
        .save()
        .map_err(|e| CommandError::Target(format!("{MEMORY_FILE}: {e}")))?;

    let mut reporters: Vec<Box<dyn Reporter>> = Vec::new();
    let stdout = std::mem::replace(&mut io.stdout, Box::new(std::io::sink()));
    reporters.push(Box::new(TerminalReporter::new(
        stdout,
        TerminalOptions {
            color: io.color,
            progress: io.progress,
            durations: !args.no_durations,
        },
    )));
    for (format, path) in reports {
        if format == "json" {
            reporters.push(Box::new(JsonReporter::new(path)));
        }
    }
    let sink = Arc::new(EventSink::new(reporters));
    let options = RunOptions {
        mode,
        jobs: usize::from(args.jobs),
        target: target.name.clone(),
        interrupt: interrupt.clone(),
    };
    let client =
        ArmClient::new(target.transport.clone(), target.base.clone()).with_retry(RetryPolicy {
            max_retries: usize::from(args.retries),
            ..RetryPolicy::default()
        });
    let results = runtime.block_on(execute_run(client, labs, &options, sink.clone()));
    if let Some(e) = sink.take_error() {
        return Err(CommandError::Io(e));
    }
    Ok(super::exit_code(&results, interrupt.is_triggered()))
}

/// Parses `--var NAME=VALUE` flags.
fn parse_vars(vars: &[String]) -> Result<BTreeMap<String, String>, CommandError> {
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

/// Parses `--report FORMAT=PATH` flags.
fn parse_reports(reports: &[String]) -> Result<Vec<(String, PathBuf)>, CommandError> {
    reports
        .iter()
        .map(|r| match r.split_once('=') {
            Some((format @ "json", path)) if !path.is_empty() => {
                Ok((format.to_owned(), PathBuf::from(path)))
            }
            Some((format, _)) if format != "json" => Err(CommandError::Usage(format!(
                "--report {r}: unknown format `{format}`, expected json"
            ))),
            _ => Err(CommandError::Usage(format!(
                "--report {r}: expected FORMAT=PATH, such as json=report.json"
            ))),
        })
        .collect()
}
