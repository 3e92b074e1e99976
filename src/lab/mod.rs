//! The lab model: finding lab files, loading them with positions, lint, parameters and
//! templating, and resolution into what the runner executes.
//!
//! - [`discover`] finds lab files under the paths given;
//! - [`load_all`] parses and lints all of them, reporting every problem of every file at once
//!   as located [`miette`] diagnostics ([`LabErrors`]);
//! - [`LabFile::resolve`] substitutes parameters and compiles queries into a [`ResolvedLab`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod diagnostic;
mod discover;
pub mod explain;
mod include;
mod lint;
mod load;
mod query_literal;
mod resolve;
pub mod resolved;
pub mod sources;
pub(crate) mod span;
mod spec_step;
pub(crate) mod suggest;
mod template;
pub mod types;
mod unknown;

pub use diagnostic::{DiagKind, LabDiagnostic};
pub use resolved::{
    PassMark, ResolvedCheck, ResolvedDataPlane, ResolvedLab, ResolvedStep, ResolvedWait,
};
pub use types::Lab;

/// A step's possible points (none for a deleting step; the sum of its checks' points when any
/// has its own; else its `points`, default 1): what `run`, `check` and `list` count.
pub fn step_points(step: &types::Step) -> u32 {
    resolve::step_points(step)
}

/// A lab file that parsed and passed lint.
#[derive(Debug)]
pub struct LabFile {
    /// The path as given (or found under a given directory).
    pub path: PathBuf,
    /// The file's text, followed by the text of every file it includes (positions in the
    /// lab are positions in this text; see [`sources::Sources`]).
    pub source: Arc<str>,
    /// The lab file and the files it includes.
    pub sources: sources::Sources,
    /// The parsed lab, with the parameters and steps it includes merged in.
    pub lab: Lab,
}

/// Everything that was wrong with the lab files: one miette diagnostic per problem, all files.
#[derive(Debug)]
pub struct LabErrors {
    /// The diagnostics, in file then position order.
    pub diagnostics: Vec<miette::Report>,
}

impl LabErrors {
    fn from_diagnostics(diagnostics: Vec<LabDiagnostic>) -> Self {
        LabErrors {
            diagnostics: diagnostics.into_iter().map(miette::Report::new).collect(),
        }
    }

    /// Renders every diagnostic with its file, `line:column`, source snippet and caret.
    ///
    /// `color: false` uses plain ASCII and no escape codes (logs, CI, tests); `color: true`
    /// uses unicode box drawing and colors (a terminal).
    pub fn render(&self, color: bool) -> String {
        diagnostic::render_all(&self.diagnostics, color)
    }

    /// The number of problems.
    pub fn len(&self) -> usize {
        self.diagnostics.len()
    }

    /// Whether there are no problems.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

impl fmt::Display for LabErrors {
    /// The same text as [`LabErrors::render`] without color.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for LabErrors {}

/// Values that resolution needs besides the lab itself.
#[derive(Debug, Clone, Default)]
pub struct ResolveContext {
    /// The subscription id (`${subscription}`).
    pub subscription: String,
    /// `--var NAME=VALUE` overrides.
    pub vars: BTreeMap<String, String>,
    /// Values generated earlier for `${random:N}` parameters on this target, by parameter name.
    pub remembered: BTreeMap<String, String>,
    /// A replayed fixture's recorded values of every parameter, used for any parameter without
    /// a `--var` so the replay resolves the lab as the recorded run did (names given with
    /// `--var` then, redacted e-mail addresses and tenant ids...).
    pub recorded: BTreeMap<String, String>,
}

/// Finds lab files: a file path is taken as is; a directory is searched recursively for
/// `*.lab.yaml` and `*.lab.yml`, sorted by path. A missing path (or a directory without lab
/// files) is an error naming it.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LabErrors> {
    let (files, problems) = discover::discover_all(paths);
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(LabErrors::from_diagnostics(problems))
    }
}

/// Discovers, parses and lints every lab under `paths`, reporting all problems of all files.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<LabFile>, LabErrors> {
    let (files, mut problems) = discover::discover_all(paths);
    let mut labs = Vec::new();
    for path in files {
        match load::load_file(&path) {
            Ok(lab) => labs.push(lab),
            Err(mut e) => problems.append(&mut e),
        }
    }
    if problems.is_empty() {
        Ok(labs)
    } else {
        Err(LabErrors::from_diagnostics(problems))
    }
}

/// Parses and lints one lab from its text; `path` names it in diagnostics.
pub fn load_source(path: &Path, source: &str) -> Result<LabFile, LabErrors> {
    load::load_bytes(path, source.as_bytes().to_vec()).map_err(LabErrors::from_diagnostics)
}

impl LabFile {
    /// Substitutes parameters and compiles queries. Fails (exit 2) on a `--var` naming no
    /// parameter or a parameter without a value.
    ///
    /// Values: a `--var` wins; then the value in `ctx.recorded` (a replayed run's); then, for a
    /// parameter whose default uses `${random:N}`, the value in `ctx.remembered`; then the
    /// default, which may refer to other parameters.
    /// Values generated now are in [`ResolvedLab::generated`] for the caller to remember.
    pub fn resolve(&self, ctx: &ResolveContext) -> Result<ResolvedLab, LabErrors> {
        resolve::resolve(self, ctx).map_err(LabErrors::from_diagnostics)
    }
}

#[cfg(test)]
mod tests;
