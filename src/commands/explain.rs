//! `amlab explain LAB`: what a lab expects, in words, without any network or state.

use std::io::Write;
use std::path::PathBuf;

use super::Io;
use crate::error::CommandError;
use crate::exit;
use crate::lab::load_all;

/// Prints every lab under `paths` explained.
pub(super) fn explain(paths: &[PathBuf], reveal: bool, io: &mut Io) -> Result<i32, CommandError> {
    let labs = load_all(paths).map_err(CommandError::Lab)?;
    for (i, file) in labs.iter().enumerate() {
        if i > 0 {
            writeln!(io.stdout)?;
        }
        io.stdout
            .write_all(crate::lab::explain::explain(file, reveal).as_bytes())?;
    }
    Ok(exit::OK)
}
