//! Where blob bytes live. Decision: never in the JSON state file (a 50 MB model would make every
//! save rewrite 67 MB of base64). With a state file, each payload is one file named by the
//! SHA-256 of its bytes in the directory `<state file>.blobs/` beside it, written by temporary
//! file + rename before the state that refers to it is saved (so the state never names a
//! payload that is not on disk); a payload nothing refers to any more is removed after the save
//! that dropped it. Without a state file, and for read-only opens (which never write), payloads
//! stay in memory.
//!
//! The same bytes uploaded twice are stored once.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

/// The payload store of one emulator.
#[derive(Debug, Default)]
pub(crate) struct Payloads {
    /// The payload directory, when payloads are on disk.
    dir: Option<PathBuf>,
    /// Whether new payloads go to the directory (false: read-only open).
    writable: bool,
    /// Payloads held in memory (all of them without a directory; a read-only open's new ones).
    memory: HashMap<String, Arc<Vec<u8>>>,
    /// Payloads that may have lost their last reference: checked after the next save.
    doomed: BTreeSet<String>,
    /// Every file of the directory is checked at the next sweep (a `--fresh` world leaves the
    /// old world's payloads behind).
    sweep_all: bool,
}

/// The digest naming `bytes`.
pub(crate) fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `name` is a payload name (64 lower-case hex digits: nothing else is ever a path).
fn is_payload_name(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Payloads {
    /// Payloads in memory only.
    pub(crate) fn in_memory() -> Self {
        Self::default()
    }

    /// Payloads in the directory beside `state` (`<state>.blobs/`); `read_only` reads it and
    /// keeps new payloads in memory.
    pub(crate) fn beside(state: &Path, read_only: bool) -> Self {
        let mut name = state.as_os_str().to_owned();
        name.push(".blobs");
        Self {
            dir: Some(PathBuf::from(name)),
            writable: !read_only,
            ..Self::default()
        }
    }

    /// Marks every payload file for checking at the next sweep (a fresh world refers to none).
    pub(crate) fn fresh(mut self) -> Self {
        self.sweep_all = self.writable;
        self
    }

    /// Stores `bytes`; returns their name. Disk errors are returned as text.
    pub(crate) fn put(&mut self, bytes: Vec<u8>) -> Result<String, String> {
        let name = digest(&bytes);
        match &self.dir {
            Some(dir) if self.writable => {
                let path = dir.join(&name);
                if !path.is_file() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                    crate::fsutil::write_atomic(&path, &bytes)
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                }
            }
            _ => {
                self.memory.insert(name.clone(), Arc::new(bytes));
            }
        }
        self.doomed.remove(&name);
        Ok(name)
    }

    /// The bytes named `name`.
    pub(crate) fn get(&self, name: &str) -> Result<Arc<Vec<u8>>, String> {
        if let Some(b) = self.memory.get(name) {
            return Ok(Arc::clone(b));
        }
        let missing =
            || format!("the payload {name} of this blob is missing from the emulator's storage");
        let Some(dir) = self.dir.as_ref().filter(|_| is_payload_name(name)) else {
            return Err(missing());
        };
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => missing(),
            _ => format!("cannot read {}: {e}", path.display()),
        })?;
        Ok(Arc::new(bytes))
    }

    /// Notes that `name` may have lost its last reference.
    pub(crate) fn forget(&mut self, name: &str) {
        if !name.is_empty() {
            self.doomed.insert(name.to_owned());
        }
    }

    /// Removes the doomed payloads that `referenced` does not name (called once the state that
    /// dropped them is saved). Best effort: a payload left behind costs disk, never correctness.
    pub(crate) fn sweep(&mut self, referenced: &BTreeSet<&str>) {
        if std::mem::take(&mut self.sweep_all)
            && let Some(dir) = &self.dir
            && let Ok(entries) = std::fs::read_dir(dir)
        {
            let names = entries.filter_map(|e| e.ok()?.file_name().into_string().ok());
            self.doomed.extend(names.filter(|n| is_payload_name(n)));
        }
        for name in std::mem::take(&mut self.doomed) {
            if referenced.contains(name.as_str()) {
                continue;
            }
            if self.memory.remove(&name).is_none()
                && self.writable
                && is_payload_name(&name)
                && let Some(dir) = &self.dir
            {
                let _ = std::fs::remove_file(dir.join(&name));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn payloads_on_disk_are_named_by_digest_and_swept_when_unreferenced() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let mut p = Payloads::beside(&state, false);
        let name = p.put(b"hello".to_vec()).unwrap();
        let file = dir.path().join("state.json.blobs").join(&name);
        assert_eq!(std::fs::read(&file).unwrap(), b"hello");
        assert_eq!(p.get(&name).unwrap().as_slice(), b"hello");
        p.forget(&name);
        p.sweep(&BTreeSet::from([name.as_str()]));
        assert!(file.exists(), "a referenced payload is kept");
        p.forget(&name);
        p.sweep(&BTreeSet::new());
        assert!(!file.exists());
        assert!(p.get(&name).unwrap_err().contains("missing"));
    }

    #[test]
    fn a_fresh_world_sweeps_the_old_worlds_payloads() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let old = Payloads::beside(&state, false)
            .put(b"old".to_vec())
            .unwrap();
        let mut fresh = Payloads::beside(&state, false).fresh();
        let new = fresh.put(b"new".to_vec()).unwrap();
        fresh.sweep(&BTreeSet::from([new.as_str()]));
        let blobs = dir.path().join("state.json.blobs");
        assert!(!blobs.join(&old).exists() && blobs.join(&new).exists());
    }

    #[test]
    fn a_read_only_open_reads_the_directory_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let name = Payloads::beside(&state, false)
            .put(b"kept".to_vec())
            .unwrap();
        let mut ro = Payloads::beside(&state, true);
        assert_eq!(ro.get(&name).unwrap().as_slice(), b"kept");
        let fresh = ro.put(b"new".to_vec()).unwrap();
        assert_eq!(ro.get(&fresh).unwrap().as_slice(), b"new");
        assert!(!dir.path().join("state.json.blobs").join(&fresh).exists());
        ro.forget(&name);
        ro.sweep(&BTreeSet::new());
        assert!(dir.path().join("state.json.blobs").join(&name).exists());
        assert!(ro.get("../../etc/passwd").is_err());
    }
}
