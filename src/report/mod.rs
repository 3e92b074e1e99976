//! Reporters: each output format implements [`Reporter`] and is fed the runner's [`Event`]s.

use crate::run::events::Event;

pub mod classroom;
pub mod github;
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
#[derive(Clone)]
pub struct SharedWriter(std::sync::Arc<std::sync::Mutex<Box<dyn std::io::Write + Send>>>);

impl SharedWriter {
    /// Shares `out`.
    pub fn new(out: Box<dyn std::io::Write + Send>) -> Self {
        Self(std::sync::Arc::new(std::sync::Mutex::new(out)))
    }

    fn with<T>(&self, f: impl FnOnce(&mut Box<dyn std::io::Write + Send>) -> T) -> T {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

impl std::io::Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.with(|w| w.write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.with(|w| w.flush())
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
