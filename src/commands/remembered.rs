//! Remembered parameter values: what `${random:N}` produced for a lab on a target, kept in
//! `.amlab/params.json` so `run`, `check` and `teardown` in separate commands agree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::fsutil::write_atomic;

/// target key -> lab id -> parameter -> value.
type Memory = BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>;

/// The remembered values of one target.
#[derive(Debug)]
pub struct Remembered {
    path: PathBuf,
    target: String,
    all: Memory,
}

impl Remembered {
    /// Loads the memory file (a missing or unreadable file is an empty memory).
    pub fn load(path: &Path, target: &str) -> Self {
        let all = std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Self {
            path: path.to_owned(),
            target: target.to_owned(),
            all,
        }
    }

    /// Values remembered for a lab.
    pub fn for_lab(&self, lab: &str) -> BTreeMap<String, String> {
        self.all
            .get(&self.target)
            .and_then(|t| t.get(lab))
            .cloned()
            .unwrap_or_default()
    }

    /// Forgets everything remembered for this target.
    pub fn forget_target(&mut self) {
        self.all.remove(&self.target);
    }

    /// Remembers values for a lab.
    pub fn remember(&mut self, lab: &str, values: &BTreeMap<String, String>) {
        if values.is_empty() {
            return;
        }
        let entry = self
            .all
            .entry(self.target.clone())
            .or_default()
            .entry(lab.to_owned())
            .or_default();
        entry.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
    }

    /// Writes the memory file atomically.
    pub fn save(&self) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(&self.all).map_err(std::io::Error::other)?;
        text.push('\n');
        write_atomic(&self.path, text.as_bytes())
    }
}
