//! `amlab schema`: prints the lab JSON Schema.

use super::Io;
use crate::error::CommandError;
use crate::exit;

/// Prints the schema to stdout.
pub(super) fn print(io: &mut Io) -> Result<i32, CommandError> {
    io.stdout
        .write_all(crate::schema::lab_schema_json().as_bytes())?;
    Ok(exit::OK)
}
