//! `amlab lint` and `amlab list`: load and validate labs without any network.

use std::path::PathBuf;

use super::Io;
use crate::error::CommandError;
use crate::exit;
use crate::lab::load_all;

/// Validates every lab under `paths`; all problems of all files at once.
pub(super) fn lint(paths: &[PathBuf], io: &mut Io) -> Result<i32, CommandError> {
    let labs = load_all(paths).map_err(CommandError::Lab)?;
    for lab in &labs {
        writeln!(
            io.stdout,
            "ok {} ({}, {} steps)",
            lab.path.display(),
            lab.lab.id.value,
            lab.lab.steps.len()
        )?;
    }
    writeln!(
        io.stdout,
        "{} valid",
        crate::report::count(labs.len(), "lab", "labs")
    )?;
    Ok(exit::OK)
}

/// Lists the labs under `paths` (default `labs`) with title, steps and points.
pub(super) fn list(paths: &[PathBuf], io: &mut Io) -> Result<i32, CommandError> {
    let default = [PathBuf::from("labs")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let labs = load_all(paths).map_err(CommandError::Lab)?;
    let width = labs
        .iter()
        .map(|l| l.lab.id.value.len())
        .max()
        .unwrap_or(2)
        .max(2);
    writeln!(
        io.stdout,
        "{:width$}  {:>5}  {:>6}  TITLE",
        "ID", "STEPS", "POINTS"
    )?;
    for lab in &labs {
        let points: u32 = lab.lab.steps.iter().map(crate::lab::step_points).sum();
        writeln!(
            io.stdout,
            "{:width$}  {:>5}  {:>6}  {}",
            lab.lab.id.value,
            lab.lab.steps.len(),
            points,
            lab.lab.title
        )?;
    }
    writeln!(
        io.stdout,
        "{}",
        crate::report::count(labs.len(), "lab", "labs")
    )?;
    Ok(exit::OK)
}

use std::io::Write;
