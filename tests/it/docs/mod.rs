//! The README and the manual (`docs/`, an mdBook) are checked like code: every command a code
//! block shows parses with the current command line, every internal link and anchor resolves,
//! the generated pages (CLI reference, lab format reference) are up to date, and the README's
//! first command works in an empty directory.
//!
//! Regenerate the generated pages with `AMLAB_UPDATE_DOCS=1 cargo test --test it docs`.

mod cli_reference;
mod commands;
mod generated;
mod lab_reference;
mod links;
mod markdown;
mod readme;
mod shell_words;
