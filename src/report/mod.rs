//! Reporters: each output format implements [`Reporter`] and is fed the runner's [`Event`]s.

use crate::run::events::Event;

pub mod classroom;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod scrubbed;
pub mod terminal;
pub mod visible;

/// An output format.
pub trait Reporter: Send {
    /// Handles one event. Reporters that write a file write it when the run finishes.
    fn report(&mut self, event: &Event<'_>) -> std::io::Result<()>;
}

/// A writer several reporters share (the terminal results and GitHub's workflow commands both
/// go to stdout); events reach reporters one at a time, so their output never interleaves.
///
/// When the reader goes away (`amlab check ... | head -1`), writing stops quietly: a closed pipe
/// is not a failure of the check, and the verdict's exit code is kept.
#[derive(Clone)]
pub struct SharedWriter(std::sync::Arc<std::sync::Mutex<Shared>>);

struct Shared {
    out: Box<dyn std::io::Write + Send>,
    /// The reader closed the pipe: everything further is dropped.
    closed: bool,
}

impl SharedWriter {
    /// Shares `out`.
    pub fn new(out: Box<dyn std::io::Write + Send>) -> Self {
        Self(std::sync::Arc::new(std::sync::Mutex::new(Shared {
            out,
            closed: false,
        })))
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Box<dyn std::io::Write + Send>) -> std::io::Result<T>,
        dropped: T,
    ) -> std::io::Result<T> {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.closed {
            return Ok(dropped);
        }
        match f(&mut guard.out) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                guard.closed = true;
                Ok(dropped)
            }
            other => other,
        }
    }
}

impl std::io::Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.with(|w| w.write(buf), buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.with(|w| w.flush(), ())
    }
}

/// Where a report file goes: `--report FORMAT=PATH`, or standard output for `FORMAT=-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output (`-`).
    Stdout,
    /// A path: a regular file is replaced atomically, a symlink followed, anything else (a
    /// FIFO, a device, `/dev/fd/N`) written through (see [`crate::fsutil::write_atomic`]).
    File(std::path::PathBuf),
}

/// A report's output, opened.
pub enum Output {
    /// The shared standard output.
    Stdout(SharedWriter),
    /// A path.
    File(std::path::PathBuf),
}

impl Output {
    /// Opens `destination`, with `stdout` for `-`.
    pub fn new(destination: Destination, stdout: &SharedWriter) -> Self {
        match destination {
            Destination::Stdout => Output::Stdout(stdout.clone()),
            Destination::File(path) => Output::File(path),
        }
    }

    /// Writes the whole report.
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        match self {
            Output::Stdout(out) => {
                out.write_all(bytes)?;
                out.flush()
            }
            Output::File(path) => crate::fsutil::write_atomic(path, bytes),
        }
    }
}

/// `n` and the noun in the right number: `1 lab`, `2 labs`, `0 errors`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The failure text of a check as reporters show it: the message, then the hint.
pub fn check_failure_text(check: &crate::run::result::CheckResult) -> String {
    let mut lines = Vec::new();
    if let Some(m) = &check.message {
        lines.push(m.clone());
    }
    if let Some(h) = &check.hint {
        lines.push(format!("hint: {h}"));
    }
    if lines.is_empty() {
        lines.push("the check failed".to_owned());
    }
    lines.join("\n")
}
