//! Shared setup: a lab's `include:` list names `*.setup.yaml` files whose parameters and steps
//! become part of the lab. Included files are untrusted input like the lab: read only inside
//! the lab file's folder tree (no absolute path, no `..` or symlink leaving it), regular files,
//! the lab and all its includes at most [`super::load::MAX_FILE_BYTES`] together, nested at most
//! [`MAX_DEPTH`] deep, at most [`MAX_FILES`] files; a cycle is an error naming it.
//!
//! Merging: an included file's steps come before the includer's own, in `include:` order
//! (depth first); a file included twice (a diamond) is merged once, where it first appears. A
//! parameter the includer defines overrides the included one; the same parameter from two
//! included files that the includer does not define is an error at both.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_saphyr::Spanned;

use super::diagnostic::{DiagKind, Problem};
use super::load::{MAX_FILE_BYTES, parse_in_place};
use super::sources::Sources;
use super::span::range;
use super::types::{Param, Setup, Step};
use crate::fsutil::{ReadInsideError, read_inside, resolve_inside};

/// How deep includes may nest (a lab including a setup is depth 1).
pub(crate) const MAX_DEPTH: usize = 8;

/// How many files a lab may include in all.
pub(crate) const MAX_FILES: usize = 64;

/// A byte range `(offset, len)` of the merged text.
type At = (usize, usize);

/// Parameters and steps gathered from included files, and parameter clashes not yet settled.
#[derive(Default)]
pub(crate) struct Gathered {
    pub(crate) params: Vec<(Spanned<String>, Param)>,
    pub(crate) steps: Vec<Step>,
    /// A parameter defined by two included files: the name and both merged positions.
    clashes: Vec<(String, At, At)>,
}

impl Gathered {
    /// Adds what one included file gathered, after what earlier ones did.
    fn add(&mut self, other: Gathered, merged: &str) {
        for (name, param) in other.params {
            match self.params.iter().find(|(k, _)| k.value == name.value) {
                Some((first, _)) => self.clashes.push((
                    name.value.clone(),
                    range(merged, first),
                    range(merged, &name),
                )),
                None => self.params.push((name, param)),
            }
        }
        self.steps.extend(other.steps);
        self.clashes.extend(other.clashes);
    }

    /// Lays a file's own parameters and steps over what it included: its parameters override
    /// (in place) and settle clashes of the same name; its steps come after. A name the file
    /// itself defines twice stays twice, for lint to report.
    pub(crate) fn overlay(
        mut self,
        params: Vec<(Spanned<String>, Param)>,
        steps: Vec<Step>,
    ) -> Self {
        let included = self.params.len();
        let mut own: HashSet<usize> = HashSet::new();
        for (name, param) in params {
            self.clashes.retain(|(n, _, _)| *n != name.value);
            let found = self.params[..included]
                .iter()
                .position(|(k, _)| k.value == name.value)
                .filter(|i| !own.contains(i));
            match found {
                Some(i) => {
                    own.insert(i);
                    self.params[i] = (name, param);
                }
                None => self.params.push((name, param)),
            }
        }
        self.steps.extend(steps);
        self
    }

    /// The unsettled clashes as problems at both positions.
    pub(crate) fn clash_problems(&self, sources: &Sources) -> Vec<Problem> {
        let mut out = Vec::new();
        for (name, (o1, l1), (o2, l2)) in &self.clashes {
            let help = "define it once, or define it in the including file too (the includer's definition wins)";
            out.push(
                Problem::new(
                    DiagKind::Include,
                    *o1,
                    *l1,
                    format!(
                        "parameter `{name}` is also defined in {}",
                        sources.describe(*o2)
                    ),
                    "defined here",
                )
                .with_help(help),
            );
            out.push(
                Problem::new(
                    DiagKind::Include,
                    *o2,
                    *l2,
                    format!(
                        "parameter `{name}` is also defined in {}",
                        sources.describe(*o1)
                    ),
                    "and here",
                )
                .with_help(help),
            );
        }
        out
    }
}

/// Follows includes, adding each file to the sources and every problem to `problems`.
pub(crate) struct Includer<'a> {
    pub(crate) sources: &'a mut Sources,
    pub(crate) problems: &'a mut Vec<Problem>,
    /// The lab file's folder: every included file is inside it.
    pub(crate) root: PathBuf,
    /// Canonical paths of files already included (merged once).
    seen: HashSet<PathBuf>,
    /// Whether an included file failed to parse (its steps are missing, so the merged lab is
    /// not linted).
    pub(crate) failed: bool,
}

impl<'a> Includer<'a> {
    pub(crate) fn new(
        sources: &'a mut Sources,
        problems: &'a mut Vec<Problem>,
        lab: &Path,
    ) -> Self {
        let root = match lab.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut seen = HashSet::new();
        if let Ok(real) = std::fs::canonicalize(lab) {
            seen.insert(real);
        }
        Includer {
            sources,
            problems,
            root,
            seen,
            failed: false,
        }
    }

    /// Gathers the parameters and steps of `includes`, named in file `from`; `stack` is the
    /// chain of setup files including it (canonical path, shown path), outermost first. An
    /// include that cannot be followed marks the lab failed (its lint would only report what
    /// the missing file defines as undefined).
    pub(crate) fn gather(
        &mut self,
        from: &Path,
        includes: &[Spanned<String>],
        stack: &mut Vec<(PathBuf, String)>,
    ) -> Gathered {
        let mut all = Gathered::default();
        for inc in includes {
            let (o, l) = range(&self.sources.merged, inc);
            let problem = |message: String, help: &str| {
                Problem::new(DiagKind::Include, o, l, message, "this include").with_help(help)
            };
            let path = from.parent().unwrap_or(Path::new("")).join(&inc.value);
            let real = match self.check(&inc.value, &path) {
                Ok(real) => real,
                Err((message, help)) => {
                    self.problems.push(problem(message, help));
                    self.failed = true;
                    continue;
                }
            };
            if let Some(at) = stack.iter().position(|(c, _)| *c == real) {
                let mut chain: Vec<&str> = stack[at..].iter().map(|(_, s)| s.as_str()).collect();
                let shown = path.display().to_string();
                chain.push(&shown);
                self.problems.push(problem(
                    format!("include cycle: {}", chain.join(" -> ")),
                    "a file cannot include itself, directly or through other files; remove one of these includes",
                ));
                continue;
            }
            if stack.len() >= MAX_DEPTH {
                self.problems.push(problem(
                    format!("includes are nested more than {MAX_DEPTH} deep"),
                    "include the shared setup from a file nearer the lab",
                ));
                self.failed = true;
                continue;
            }
            if !self.seen.insert(real.clone()) {
                continue;
            }
            if self.seen.len() > MAX_FILES + 1 {
                self.problems.push(problem(
                    format!("a lab includes at most {MAX_FILES} files"),
                    "merge some of the shared setup files",
                ));
                self.failed = true;
                continue;
            }
            let text = match self.read(&inc.value, &path) {
                Ok(text) => text,
                Err((message, help)) => {
                    self.problems.push(problem(message, help));
                    self.failed = true;
                    continue;
                }
            };
            let index = self.sources.push(&path, text);
            let Some(setup) = parse_in_place::<Setup>(self.sources, index, self.problems, true)
            else {
                self.failed = true;
                continue;
            };
            stack.push((real, path.display().to_string()));
            let below = self.gather(&path, &setup.include, stack);
            stack.pop();
            let merged = below.overlay(setup.params.0, setup.steps);
            all.add(merged, &self.sources.merged);
        }
        all
    }

    /// The canonical path of an include after the rules that need no reading: a relative path
    /// to a `*.setup.yaml` file inside the lab's folder.
    fn check(&self, written: &str, path: &Path) -> Result<PathBuf, (String, &'static str)> {
        let inside = "paths are relative to the including file and stay inside the lab's folder";
        if written.is_empty() {
            return Err(("empty include path".to_owned(), inside));
        }
        let p = Path::new(written);
        if p.is_absolute() || written.starts_with(['/', '\\']) || p.has_root() {
            return Err((format!("include `{written}` is an absolute path"), inside));
        }
        if !super::discover::is_setup_file(p) {
            return Err((
                format!("include `{written}` is not named `*.setup.yaml`"),
                "shared setup files are named `NAME.setup.yaml` (or `.setup.yml`), so that lab discovery never takes them for labs",
            ));
        }
        resolve_inside(&self.root, path).map_err(|e| self.why(written, e))
    }

    /// Reads an included file: a regular file inside the lab's folder, UTF-8, within what is
    /// left of the size budget.
    fn read(&self, written: &str, path: &Path) -> Result<Arc<str>, (String, &'static str)> {
        let left = (MAX_FILE_BYTES as usize).saturating_sub(self.sources.merged.len()) as u64;
        let bytes = read_inside(&self.root, path, left).map_err(|e| match e {
            ReadInsideError::TooLarge(_) => (
                format!("include `{written}`: the lab and the files it includes are larger than {MAX_FILE_BYTES} bytes together"),
                "shared setup files are small: parameters and a few steps",
            ),
            other => self.why(written, other),
        })?;
        String::from_utf8(bytes).map(Arc::from).map_err(|_| {
            (
                format!("include `{written}` is not UTF-8 text"),
                "save it as UTF-8",
            )
        })
    }

    fn why(&self, written: &str, e: ReadInsideError) -> (String, &'static str) {
        let inside = "paths are relative to the including file and stay inside the lab's folder";
        match e {
            ReadInsideError::Outside(_) => (
                format!(
                    "include `{written}` is outside the lab's folder {} (no `..` or symlink leaving it)",
                    self.root.display()
                ),
                inside,
            ),
            ReadInsideError::NotRegular(kind) => (
                format!("include `{written}` is not a regular file ({kind})"),
                inside,
            ),
            other => (format!("include `{written}` {other}"), inside),
        }
    }
}
