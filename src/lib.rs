//! amlab: run and validate hands-on Azure Machine Learning labs.
//!
//! A lab is a YAML file of steps (ARM resources to create and check); amlab runs it against the
//! built-in ARM emulator, the real Azure Resource Manager, or recorded fixtures, through one code
//! path above the [`arm::transport::Transport`] trait.

use std::io::IsTerminal;

use clap::Parser;

pub mod arm;
pub mod check;
pub mod cli;
pub mod commands;
pub mod emulator;
pub mod error;
pub mod excerpt;
pub mod exit;
pub mod fixture;
pub mod fsutil;
pub mod grade;
pub mod lab;
pub mod report;
pub mod run;
pub mod schema;
pub mod secrets;
pub mod serve;
pub mod spec;
pub mod target;

/// Runs the command line of this process and returns the exit code.
pub fn run() -> i32 {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::INVALID
            } else {
                exit::OK
            };
        }
    };
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let progress = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    commands::dispatch(
        cli,
        commands::Io {
            // Every byte amlab prints passes the secret scrubber.
            stdout: Box::new(secrets::ScrubbingWriter::new(std::io::stdout())),
            stderr: Box::new(secrets::ScrubbingWriter::new(std::io::stderr())),
            color,
            progress,
        },
    )
}
