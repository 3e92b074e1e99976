//! The lab model: types, loading with spans, parameters and templating, lint, and planning.
//! (API skeleton; loading/lint/resolve are implemented in the files below)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod resolved;
pub mod types;

pub use resolved::{ResolvedCheck, ResolvedLab, ResolvedStep, ResolvedWait};
pub use types::Lab;

/// A lab file that parsed and passed lint.
#[derive(Debug)]
pub struct LabFile {
    /// The path as given (or found under a given directory).
    pub path: PathBuf,
    /// The file's text.
    pub source: Arc<str>,
    /// The parsed lab.
    pub lab: Lab,
}

/// Everything that was wrong with the lab files: one miette diagnostic per problem, all files.
#[derive(Debug)]
pub struct LabErrors {
    /// The diagnostics, in file then position order.
    pub diagnostics: Vec<miette::Report>,
}

impl LabErrors {
    /// placeholder
    pub fn render(&self, _color: bool) -> String {
        String::new()
    }
}

/// Values that resolution needs besides the lab itself.
#[derive(Debug, Clone, Default)]
pub struct ResolveContext {
    /// The subscription id (`${subscription}`).
    pub subscription: String,
    /// `--var NAME=VALUE` overrides.
    pub vars: BTreeMap<String, String>,
    /// Values generated earlier for `${random:N}` parameters on this target, by parameter name.
    pub remembered: BTreeMap<String, String>,
}

/// Finds lab files: a file path is taken as is; a directory is searched recursively for
/// `*.lab.yaml` and `*.lab.yml`, sorted by path.
pub fn discover(_paths: &[PathBuf]) -> Result<Vec<PathBuf>, LabErrors> {
    Ok(Vec::new())
}

/// Discovers, parses and lints every lab under `paths`, reporting all problems of all files.
pub fn load_all(_paths: &[PathBuf]) -> Result<Vec<LabFile>, LabErrors> {
    Ok(Vec::new())
}

impl LabFile {
    /// Substitutes parameters and compiles queries. Fails (exit 2) on a `--var` naming no
    /// parameter or a parameter without a value.
    pub fn resolve(&self, _ctx: &ResolveContext) -> Result<ResolvedLab, LabErrors> {
        Err(LabErrors {
            diagnostics: Vec::new(),
        })
    }
}

#[allow(dead_code)]
fn _unused(_: &Path) {}
