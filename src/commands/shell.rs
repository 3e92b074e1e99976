//! `amlab completions SHELL` and `amlab man`: shell completion scripts (clap_complete) and the
//! man page (clap_mangen), both generated at run time from the clap definitions of
//! [`crate::cli::Cli`], so they cannot drift from the command line they describe.

use std::io::Write;

use clap::CommandFactory;

use super::Io;
use crate::cli::Cli;
use crate::error::CommandError;
use crate::exit;

/// Prints the completion script for `shell` to stdout.
pub(super) fn completions(shell: clap_complete::Shell, io: &mut Io) -> Result<i32, CommandError> {
    // Generated in memory: clap_complete panics on a write error (a closed pipe), a Vec cannot fail.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "amlab", &mut script);
    io.stdout.write_all(&script)?;
    io.stdout.flush()?;
    Ok(exit::OK)
}

/// Prints a man page (section 1, roff) to stdout: amlab's, or with `command` that subcommand's
/// (`amlab-check(1)`), the pages amlab's own page refers to.
pub(super) fn man(command: Option<&str>, io: &mut Io) -> Result<i32, CommandError> {
    let mut cmd = Cli::command();
    cmd.build();
    let page = match command {
        None => page_of(cmd),
        Some(name) => {
            let sub = cmd
                .find_subcommand(name)
                .filter(|sub| sub.get_name() != "help")
                .ok_or_else(|| unknown(name, &cmd))?;
            page_of(sub.clone())
        }
    };
    let mut roff = Vec::new();
    page.render(&mut roff)?;
    io.stdout.write_all(&roff)?;
    io.stdout.flush()?;
    Ok(exit::OK)
}

/// The page of a built command: titled by its display name (`AMLAB-CHECK`), sourced `amlab VERSION`.
fn page_of(cmd: clap::Command) -> clap_mangen::Man {
    let title = cmd
        .get_display_name()
        .unwrap_or(cmd.get_name())
        .to_uppercase();
    clap_mangen::Man::new(cmd)
        .title(title)
        .source(format!("amlab {}", env!("AMLAB_VERSION")))
}

/// The error for a name that is not a subcommand, listing those that are.
fn unknown(name: &str, cmd: &clap::Command) -> CommandError {
    let names: Vec<&str> = cmd
        .get_subcommands()
        .map(clap::Command::get_name)
        .filter(|n| *n != "help")
        .collect();
    CommandError::Usage(format!(
        "`{name}` is not an amlab command; expected one of: {}",
        names.join(", ")
    ))
}
