//! Diagnostics about lab files: located problems ([`Problem`]), the miette diagnostic they become
//! ([`LabDiagnostic`]), and rendering a list of them as text.

use std::path::Path;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};

/// Generates [`DiagKind`] and [`LabDiagnostic`] from one list, so that every kind of located
/// problem has its own miette code and the same fields.
macro_rules! lab_diagnostics {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:tt, )*) => {
        /// The kind of a located problem; each kind has its own diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum DiagKind {
            $( $(#[doc = $doc])* $variant, )*
        }

        /// A problem in a lab file (or with the lab files given), as a miette diagnostic.
        #[derive(Debug, thiserror::Error, miette::Diagnostic)]
        pub enum LabDiagnostic {
            $(
                $(#[doc = $doc])*
                #[error("{message}")]
                #[diagnostic(code = $code)]
                $variant {
                    /// What is wrong, in one line.
                    message: String,
                    /// The file (named as given) and its text.
                    #[source_code]
                    src: NamedSource<Arc<str>>,
                    /// Where in the file (bytes).
                    #[label("{label}")]
                    span: SourceSpan,
                    /// The text next to the caret.
                    label: String,
                    /// How to fix it.
                    #[help]
                    help: Option<String>,
                },
            )*
            /// A problem that has no position in a file (a missing file, a bad `--var`).
            #[error("{message}")]
            #[diagnostic(code = "amlab::lab::invalid")]
            Unlocated {
                /// What is wrong, in one line.
                message: String,
                /// How to fix it.
                #[help]
                help: Option<String>,
            },
        }

        impl Problem {
            /// Attaches the file to the problem, making it a diagnostic.
            pub(crate) fn into_diagnostic(self, path: &Path, source: &Arc<str>) -> LabDiagnostic {
                let src = NamedSource::new(path.display().to_string(), Arc::clone(source));
                let span = SourceSpan::new(self.offset.into(), self.len);
                let Problem { kind, message, label, help, .. } = self;
                match kind {
                    $( DiagKind::$variant => LabDiagnostic::$variant { message, src, span, label, help }, )*
                }
            }
        }
    };
}

lab_diagnostics! {
    /// The file is not valid YAML, or does not match the lab format.
    Yaml = "amlab::lab::yaml",
    /// The file is not UTF-8.
    Encoding = "amlab::lab::encoding",
    /// A field the lab format does not have.
    UnknownField = "amlab::lab::unknown_field",
    /// An identifier that is malformed or used twice.
    Id = "amlab::lab::id",
    /// A `needs` entry that names no step, or closes a cycle.
    Needs = "amlab::lab::needs",
    /// A JMESPath query that does not compile.
    Query = "amlab::lab::query",
    /// A check without exactly one valid comparison.
    Check = "amlab::lab::check",
    /// A duration that does not parse.
    Duration = "amlab::lab::duration",
    /// A `${...}` placeholder or parameter problem.
    Param = "amlab::lab::param",
    /// Points that do not add up.
    Points = "amlab::lab::points",
    /// A resource id that is not an ARM path.
    Resource = "amlab::lab::resource",
    /// A `create.spec` that cannot be read or translated.
    Spec = "amlab::lab::spec",
    /// An `include` that cannot be followed, or a clash between included files.
    Include = "amlab::lab::include",
}

/// A problem at a byte range of one lab file, before the file is attached.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub(crate) kind: DiagKind,
    pub(crate) message: String,
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) label: String,
    pub(crate) help: Option<String>,
}

impl Problem {
    /// A problem of `kind` at `offset..offset+len`.
    pub(crate) fn new(
        kind: DiagKind,
        offset: usize,
        len: usize,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Problem {
            kind,
            message: message.into(),
            offset,
            len,
            label: label.into(),
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
        self.help = help;
        self
    }
}

/// Clamps a problem's span to the source and to character boundaries.
pub(crate) fn clamp_to_source(mut p: Problem, source: &str) -> Problem {
    let n = source.len();
    p.offset = p.offset.min(n);
    while p.offset > 0 && !source.is_char_boundary(p.offset) {
        p.offset -= 1;
    }
    p.len = p.len.min(n - p.offset);
    while p.len > 0 && !source.is_char_boundary(p.offset + p.len) {
        p.len -= 1;
    }
    p
}

/// The width messages are wrapped at: on a terminal, `COLUMNS` (else 120); never otherwise, so
/// a path or message piped to a file or another program stays on one line, whole.
pub(crate) fn wrap_width(terminal: bool, columns: Option<&str>) -> Option<usize> {
    terminal.then(|| {
        columns
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0)
            .unwrap_or(120)
    })
}

/// Renders diagnostics one after another with miette's graphical handler.
///
/// `color: false` gives plain ASCII art without escape codes (for logs, tests and CI);
/// `color: true` gives the unicode theme with colors. Lines are wrapped only when standard
/// error is a terminal (see [`wrap_width`]).
pub(crate) fn render_all(diagnostics: &[miette::Report], color: bool) -> String {
    use std::io::IsTerminal;
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::none()
    };
    let columns = std::env::var("COLUMNS").ok();
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_context_lines(1);
    let handler = match wrap_width(std::io::stderr().is_terminal(), columns.as_deref()) {
        Some(width) => handler.with_width(width),
        None => handler.with_wrap_lines(false),
    };
    let mut out = String::new();
    for d in diagnostics {
        if handler
            .render_report(&mut out, &WithoutCode(d.as_ref()))
            .is_err()
        {
            out.push_str(&format!("{d}\n"));
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// A diagnostic shown without its code: `amlab::lab::unknown_field` is for programs (the JSON
/// report), not the first line a learner reads.
struct WithoutCode<'a>(&'a dyn miette::Diagnostic);

impl std::fmt::Debug for WithoutCode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}

impl std::fmt::Display for WithoutCode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for WithoutCode<'_> {}

impl miette::Diagnostic for WithoutCode<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.0.help()
    }
    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.0.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        self.0.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.0.diagnostic_source()
    }
}

#[cfg(test)]
mod tests {
    use super::wrap_width;

    #[test]
    fn wraps_only_on_a_terminal_at_columns() {
        assert_eq!(wrap_width(false, Some("80")), None);
        assert_eq!(wrap_width(false, None), None);
        assert_eq!(wrap_width(true, Some("80")), Some(80));
        assert_eq!(wrap_width(true, Some(" 200 ")), Some(200));
        assert_eq!(wrap_width(true, Some("wide")), Some(120));
        assert_eq!(wrap_width(true, Some("0")), Some(120));
        assert_eq!(wrap_width(true, None), Some(120));
    }
}
