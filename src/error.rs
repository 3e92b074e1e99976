//! Command-level errors: what stops a command before or outside the run, each mapped to an exit
//! code.

use crate::exit;
use crate::lab::LabErrors;

/// A command that could not run.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// Lab files are invalid (exit 2); the diagnostics are rendered separately.
    #[error("{}", crate::report::count(.0.diagnostics.len(), "problem in the lab files", "problems in the lab files"))]
    Lab(LabErrors),
    /// The command line is invalid (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The target could not be reached or opened (exit 3).
    #[error("{0}")]
    Target(String),
    /// Writing output failed (exit 3).
    #[error("could not write output: {0}")]
    Io(#[from] std::io::Error),
}

impl CommandError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CommandError::Lab(_) | CommandError::Usage(_) => exit::INVALID,
            CommandError::Target(_) | CommandError::Io(_) => exit::COULD_NOT_CHECK,
        }
    }
}
