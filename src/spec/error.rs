//! Spec errors: located problems in a spec file, the collector that gathers every problem of
//! one file ([`Problems`]), and the miette diagnostics they become.

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;

use miette::{NamedSource, SourceSpan};
use serde_saphyr::Spanned;

/// A problem at a byte range of a spec, before the file is attached.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub(crate) message: String,
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) line: u64,
    pub(crate) column: u64,
    pub(crate) label: Option<String>,
    pub(crate) help: Option<String>,
}

impl Problem {
    /// A problem at a node.
    pub(crate) fn at<T>(node: &Spanned<T>, message: impl Into<String>) -> Self {
        let loc = &node.referenced;
        let span = loc.span();
        Problem {
            message: message.into(),
            offset: span
                .byte_offset()
                .and_then(|o| usize::try_from(o).ok())
                .unwrap_or(0),
            len: span
                .byte_len()
                .and_then(|o| usize::try_from(o).ok())
                .unwrap_or(1),
            line: loc.line(),
            column: loc.column(),
            label: None,
            help: None,
        }
    }

    /// A problem at a mapping key.
    pub(crate) fn at_key(key: &Spanned<String>, message: impl Into<String>) -> Self {
        let mut p = Self::at(key, message);
        p.len = p.len.max(key.value.len());
        p
    }

    /// A problem with no better position than the start of the file.
    pub(crate) fn top(message: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            offset: 0,
            len: 0,
            line: 1,
            column: 1,
            label: None,
            help: None,
        }
    }

    /// Adds a help line.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a help line when there is one.
    pub(crate) fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Sets the text next to the caret.
    pub(crate) fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Attaches the file, making a diagnostic.
    pub(crate) fn into_error(self, path: &Path, source: &Arc<str>) -> SpecError {
        let n = source.len();
        let mut offset = self.offset.min(n);
        while offset > 0 && !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let mut len = self.len.min(n - offset);
        while len > 0 && !source.is_char_boundary(offset + len) {
            len -= 1;
        }
        SpecError {
            message: format!(
                "{}:{}:{}: {}",
                path.display(),
                self.line,
                self.column,
                self.message
            ),
            src: NamedSource::new(path.display().to_string(), Arc::clone(source)),
            span: SourceSpan::new(offset.into(), len),
            label: self.label.unwrap_or_else(|| "here".to_owned()),
            help: self.help,
            line: self.line,
            column: self.column,
        }
    }
}

/// The problems recorded while translating one spec file.
///
/// Field accessors ([`super::node::Obj`]) record a problem here and go on with a placeholder
/// (the field read as absent), so one run reports every independent mistake. A `Result::Err`
/// elsewhere means "this branch cannot go on"; it carries a problem not recorded yet, which the
/// nearest caller able to go on records with [`Problems::ok`] (or [`super::translate_source`]
/// at the top).
#[derive(Debug, Default)]
pub(crate) struct Problems(RefCell<Vec<Problem>>);

impl Problems {
    /// Records a problem.
    pub(crate) fn push(&self, p: Problem) {
        self.0.borrow_mut().push(p);
    }

    /// The value of `r`, or `None` with its problem recorded.
    pub(crate) fn ok<T>(&self, r: Result<T, Problem>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(p) => {
                self.push(p);
                None
            }
        }
    }

    /// Whether nothing was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }

    /// The problems in file order, each once (a field read twice reports once).
    pub(crate) fn into_sorted(self) -> Vec<Problem> {
        let mut list = self.0.into_inner();
        list.sort_by_key(|p| (p.offset, p.line, p.column));
        let mut seen = std::collections::HashSet::new();
        list.retain(|p| seen.insert((p.offset, p.message.clone())));
        list
    }
}

/// An invalid spec: what is wrong, where (file, line, column) and what would be valid.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code = "amlab::spec::invalid")]
pub struct SpecError {
    /// `file:line:column: what is wrong`.
    pub message: String,
    /// The file and its text.
    #[source_code]
    pub src: NamedSource<Arc<str>>,
    /// Where (bytes).
    #[label("{label}")]
    pub span: SourceSpan,
    /// The text next to the caret.
    pub label: String,
    /// What would be valid.
    #[help]
    pub help: Option<String>,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

/// The errors of one spec (at least one).
#[derive(Debug, thiserror::Error)]
#[error("{}", crate::report::count(.errors.len(), "error in the spec", "errors in the spec"))]
pub struct SpecErrors {
    /// The errors, first one first.
    pub errors: Vec<SpecError>,
}

impl SpecErrors {
    /// Renders every error as text (`color: false` for plain ASCII).
    pub fn render(&self, color: bool) -> String {
        let reports: Vec<miette::Report> = self
            .errors
            .iter()
            .map(|e| miette::Report::new(clone_error(e)))
            .collect();
        crate::lab::diagnostic::render_all(&reports, color)
    }
}

/// A copy of a spec error (miette reports take ownership).
fn clone_error(e: &SpecError) -> SpecError {
    SpecError {
        message: e.message.clone(),
        src: NamedSource::new(e.src.name(), Arc::clone(e.src.inner())),
        span: e.span,
        label: e.label.clone(),
        help: e.help.clone(),
        line: e.line,
        column: e.column,
    }
}
