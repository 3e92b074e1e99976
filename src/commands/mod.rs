//! Command dispatch: each subcommand's work, from parsed flags to an exit code.

mod explain;
mod fixtures;
mod grade;
mod labs;
mod lint;
mod pace;
pub mod remembered;
mod schema;
mod select;
mod serve;
mod setup;
mod shell;
mod spec;
mod watch;

use std::io::Write;

use crate::cli::{Cli, ColorChoice, Command};
use crate::error::CommandError;
use crate::exit;

/// Where a command writes.
pub struct Io {
    /// Results and machine output.
    pub stdout: Box<dyn Write + Send>,
    /// Diagnostics and progress.
    pub stderr: Box<dyn Write + Send>,
    /// Colours on stdout.
    pub color: bool,
    /// Progress spinners on stderr.
    pub progress: bool,
}

/// Runs a parsed command line and returns the exit code.
pub fn dispatch(cli: Cli, mut io: Io) -> i32 {
    io.color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io.color,
    };
    let result = match cli.command {
        Command::Run(args) => labs::execute(
            crate::run::events::Mode::Run,
            &args.target,
            &args.scoring,
            &mut io,
        ),
        Command::Check(args) => watch::check(&args, &mut io),
        Command::Setup(args) => setup::run(&args, &mut io),
        Command::Teardown(args) => labs::execute(
            crate::run::events::Mode::Teardown,
            &args,
            &crate::cli::ScoringArgs::default(),
            &mut io,
        ),
        Command::Lint { paths } => lint::lint(&paths, &mut io),
        Command::List { paths } => lint::list(&paths, &mut io),
        Command::Explain { paths, reveal } => explain::explain(&paths, reveal, &mut io),
        Command::Schema => schema::print(&mut io),
        Command::Spec { file, vars } => spec::print(&file, &vars, &mut io),
        Command::Serve(args) => serve::run(&args, &mut io),
        Command::Grade(args) => grade::run(&args, &mut io),
        Command::Completions { shell } => shell::completions(shell, &mut io),
        Command::Man { command } => shell::man(command.as_deref(), &mut io),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = report_error(&e, &mut io);
            e.exit_code()
        }
    }
}

fn report_error(e: &CommandError, io: &mut Io) -> std::io::Result<()> {
    match e {
        CommandError::Lab(errors) => {
            io.stderr.write_all(errors.render(io.color).as_bytes())?;
            writeln!(io.stderr, "error: {e}")
        }
        _ => writeln!(io.stderr, "error: {e}"),
    }
}

/// The exit code for a run's results (see [`crate::exit`]): 130 when interrupted, 3 when a step
/// could not be checked, 0 when every lab meets its pass mark, else 1.
pub fn exit_code(results: &[crate::run::result::LabResult], interrupted: bool) -> i32 {
    use crate::run::result::StepStatus;
    if interrupted {
        return exit::INTERRUPTED;
    }
    if results.iter().any(|r| r.count(StepStatus::Error) > 0) {
        exit::COULD_NOT_CHECK
    } else if results.iter().all(|r| r.passed) {
        exit::OK
    } else {
        exit::CHECK_FAILED
    }
}
