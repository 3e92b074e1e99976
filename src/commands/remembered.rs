//! Remembered parameter values: what `${random:N}` produced for a lab on a target, kept in
//! `.amlab/params.json` so `run`, `check` and `teardown` in separate commands agree.
//!
//! Several amlab processes may share the file: each saves only what it changed, merged into
//! the file as it is then, under an exclusive lock on `params.json.lock` and by atomic rename,
//! so labs run at the same time keep each other's values. Reading takes no lock (a rename is
//! atomic), and a command that remembered nothing new writes nothing.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use crate::fsutil::write_atomic;

/// target key -> lab id -> parameter -> value.
type Memory = BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>;

/// Why the memory file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RememberedError {
    /// The file is not the JSON amlab writes.
    #[error(
        "{path}:{line}:{column}: not a valid remembered-parameters file: {message}; fix it, or delete it \
         (then name your resources with --var, or run the labs again)"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON parser expected.
        message: String,
    },
    /// Reading, locking or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// The remembered values of one target.
#[derive(Debug)]
pub struct Remembered {
    path: PathBuf,
    target: String,
    /// Older keys of the same target, read when the key has nothing for a lab.
    aliases: Vec<String>,
    all: Memory,
    /// What this process remembered (lab id -> parameter -> value), merged in on save.
    changes: BTreeMap<String, BTreeMap<String, String>>,
    /// Whether this process forgot the target (`--fresh`).
    forgotten: bool,
}

/// Reads the memory file: a missing or empty file is an empty memory; anything else that is
/// not valid is an error naming the file, line and column.
fn read(path: &Path) -> Result<Memory, RememberedError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Memory::new()),
        Err(source) => {
            return Err(RememberedError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Memory::new());
    }
    serde_json::from_slice(&bytes).map_err(|e| RememberedError::Corrupt {
        path: path.to_owned(),
        line: e.line(),
        column: e.column().max(1),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or("")
            .to_owned(),
    })
}

impl Remembered {
    /// Loads the memory file (a missing file is an empty memory; a corrupt one an error).
    pub fn load(path: &Path, target: &str, aliases: &[String]) -> Result<Self, RememberedError> {
        Ok(Self {
            path: path.to_owned(),
            target: target.to_owned(),
            aliases: aliases.to_vec(),
            all: read(path)?,
            changes: BTreeMap::new(),
            forgotten: false,
        })
    }

    /// Values remembered for a lab.
    pub fn for_lab(&self, lab: &str) -> BTreeMap<String, String> {
        std::iter::once(&self.target)
            .chain(&self.aliases)
            .find_map(|key| self.all.get(key).and_then(|t| t.get(lab)))
            .cloned()
            .unwrap_or_default()
    }

    /// Forgets everything remembered for this target.
    pub fn forget_target(&mut self) {
        self.all.remove(&self.target);
        self.changes.clear();
        self.forgotten = true;
    }

    /// Remembers values for a lab.
    pub fn remember(&mut self, lab: &str, values: &BTreeMap<String, String>) {
        if values.is_empty() {
            return;
        }
        for map in [
            self.all
                .entry(self.target.clone())
                .or_default()
                .entry(lab.to_owned())
                .or_default(),
            self.changes.entry(lab.to_owned()).or_default(),
        ] {
            map.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }

    /// Merges this process's changes into the file as it is now, under an exclusive lock, and
    /// replaces it atomically; does nothing when nothing changed.
    pub fn save(&self) -> Result<(), RememberedError> {
        if self.changes.is_empty() && !self.forgotten {
            return Ok(());
        }
        let io = |source| RememberedError::Io {
            path: self.path.clone(),
            source,
        };
        let mut lock_name = self.path.as_os_str().to_owned();
        lock_name.push(".lock");
        if let Some(dir) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(PathBuf::from(lock_name))
            .map_err(io)?;
        lock.lock().map_err(io)?;
        let mut all = read(&self.path)?;
        if self.forgotten {
            all.remove(&self.target);
        }
        let target = all.entry(self.target.clone()).or_default();
        for (lab, values) in &self.changes {
            target
                .entry(lab.clone())
                .or_default()
                .extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        if target.is_empty() {
            all.remove(&self.target);
        }
        let mut text =
            serde_json::to_string_pretty(&all).map_err(|e| io(std::io::Error::other(e)))?;
        text.push('\n');
        // The lock is released when `lock` is dropped, after the rename.
        write_atomic(&self.path, text.as_bytes()).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_merges_into_what_another_process_wrote_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("params.json");
        let mut a = Remembered::load(&path, "t", &[]).unwrap();
        let mut b = Remembered::load(&path, "t", &[]).unwrap();
        a.remember("lab-a", &[("suffix".into(), "aaa".into())].into());
        b.remember("lab-b", &[("suffix".into(), "bbb".into())].into());
        a.save().unwrap();
        b.save().unwrap();
        let again = Remembered::load(&path, "t", &[]).unwrap();
        assert_eq!(again.for_lab("lab-a")["suffix"], "aaa");
        assert_eq!(again.for_lab("lab-b")["suffix"], "bbb");
    }

    #[test]
    fn a_corrupt_file_is_an_error_naming_it_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("params.json");
        std::fs::write(&path, "{\n  \"t\": {\n    \"lab\": {\n}\n").unwrap();
        let e = Remembered::load(&path, "t", &[]).unwrap_err().to_string();
        assert!(
            e.contains("params.json:5:1: not a valid remembered-parameters file"),
            "{e}"
        );
    }

    #[test]
    fn nothing_remembered_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("params.json");
        Remembered::load(&path, "t", &[]).unwrap().save().unwrap();
        assert!(!path.exists());
    }
}
