//! The files of one lab: the lab file and every shared setup it includes, laid out one after
//! another in one text (the lab file first). Each file is parsed *in its place* in that text
//! (everything before it blanked to spaces, newlines kept), so every position in the merged lab
//! is a position in one space and lint and resolution work on it unchanged; a problem's
//! position is mapped back to its own file, line and column only when it becomes a diagnostic.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::diagnostic::{LabDiagnostic, Problem, clamp_to_source};

/// One file of a lab.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given (the lab) or as joined from the including file's folder (a setup).
    pub path: PathBuf,
    /// The file's text.
    pub text: Arc<str>,
    /// Where the file starts in the merged text.
    pub base: usize,
}

/// The files of one lab and their merged text.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The files, the lab file first, then setups in the order they were included.
    pub files: Vec<SourceFile>,
    /// The files' texts one after another, each ending with a newline.
    pub merged: String,
}

impl Sources {
    /// Appends a file; returns its index.
    pub(crate) fn push(&mut self, path: &Path, text: Arc<str>) -> usize {
        let base = self.merged.len();
        self.merged.push_str(&text);
        if !self.merged.ends_with('\n') {
            self.merged.push('\n');
        }
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            text,
            base,
        });
        self.files.len() - 1
    }

    /// The text to parse file `index` from: the merged text before it blanked (spaces, newlines
    /// kept), then the file, so the parser's positions are merged-text positions.
    pub(crate) fn in_place(&self, index: usize) -> String {
        let Some(f) = self.files.get(index) else {
            return String::new();
        };
        let mut out: String = self.merged[..f.base]
            .bytes()
            .map(|b| if b == b'\n' { '\n' } else { ' ' })
            .collect();
        out.push_str(&f.text);
        out
    }

    /// The index of the file holding merged position `offset`.
    pub(crate) fn file_of(&self, offset: usize) -> usize {
        self.files
            .iter()
            .rposition(|f| f.base <= offset)
            .unwrap_or(0)
    }

    /// The file holding merged position `offset`.
    pub fn file_at(&self, offset: usize) -> Option<&SourceFile> {
        self.files.get(self.file_of(offset))
    }

    /// The 1-based line and column (in characters) of merged position `offset` in its file.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let Some(f) = self.file_at(offset) else {
            return (1, 1);
        };
        let local = offset.saturating_sub(f.base).min(f.text.len());
        let before = f.text.get(..local).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    /// `FILE:LINE:COLUMN` of merged position `offset`.
    pub fn describe(&self, offset: usize) -> String {
        let (line, col) = self.line_col(offset);
        let path = self
            .file_at(offset)
            .map(|f| f.path.display().to_string())
            .unwrap_or_default();
        format!("{path}:{line}:{col}")
    }

    /// Problems at merged positions as diagnostics, each in its own file (with its secrets
    /// masked in the excerpt).
    pub(crate) fn attach(&self, problems: Vec<Problem>) -> Vec<LabDiagnostic> {
        let shown: Vec<Arc<str>> = self
            .files
            .iter()
            .map(|f| Arc::from(crate::excerpt::mask_secrets(&f.text)))
            .collect();
        problems
            .into_iter()
            .map(|mut p| {
                let i = self.file_of(p.offset);
                let (Some(f), Some(masked)) = (self.files.get(i), shown.get(i)) else {
                    return LabDiagnostic::Unlocated {
                        message: p.message,
                        help: p.help,
                    };
                };
                p.offset -= f.base;
                clamp_to_source(p, &f.text).into_diagnostic(&f.path, masked)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_map_back_to_their_file() {
        let mut s = Sources::default();
        s.push(Path::new("a.lab.yaml"), Arc::from("id: a\nsteps: []"));
        s.push(Path::new("s.setup.yaml"), Arc::from("params:\n  é: {}\n"));
        assert_eq!(s.merged, "id: a\nsteps: []\nparams:\n  é: {}\n");
        let at = s.merged.find('é').unwrap_or(0);
        assert_eq!(s.file_of(at), 1);
        assert_eq!(s.line_col(at), (2, 3));
        assert_eq!(s.describe(at), "s.setup.yaml:2:3");
        assert_eq!(s.describe(3), "a.lab.yaml:1:4");
        let placed = s.in_place(1);
        assert_eq!(placed.len(), s.merged.len());
        assert!(placed.starts_with("     \n         \nparams:"));
    }
}
