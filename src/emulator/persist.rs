//! The state file: loading, atomic saving (of the world without its secrets, see
//! [`super::sealed`]), and the exclusive sibling lock file (read-only opens load without the
//! lock and never write).

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use super::EmulatorError;
use super::world::{STATE_VERSION, World};

/// An open, locked state file.
#[derive(Debug)]
pub(crate) struct StateFile {
    path: PathBuf,
    /// Held for the emulator's lifetime; the OS lock is released when it is dropped.
    _lock: File,
}

fn state_error(path: &Path, message: impl Into<String>) -> EmulatorError {
    EmulatorError::State {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

impl StateFile {
    /// Locks `<path>.lock` and loads the world (empty when `fresh` or when the file is absent).
    /// Nothing is written: with `fresh`, the file is replaced by the first save.
    pub(crate) fn open(path: &Path, fresh: bool) -> Result<(Self, World), EmulatorError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| {
                state_error(
                    path,
                    format!("cannot create directory {}: {e}", parent.display()),
                )
            })?;
        }
        let mut lock_name = path.as_os_str().to_owned();
        lock_name.push(".lock");
        let lock_path = PathBuf::from(lock_name);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| {
                state_error(
                    path,
                    format!("cannot open lock file {}: {e}", lock_path.display()),
                )
            })?;
        lock.try_lock().map_err(|e| {
            state_error(
                path,
                format!(
                    "is in use by another amlab process (lock {} is held: {e})",
                    lock_path.display()
                ),
            )
        })?;
        let file = Self {
            path: path.to_path_buf(),
            _lock: lock,
        };
        let mut world = if fresh {
            World::default()
        } else {
            load(&file.path)?
        };
        // A world from before world ids gets one now, written with the first save (opening
        // writes nothing, so a command that fails validation leaves the file as it was).
        if world.world_id.is_none() {
            world.world_id = Some(super::world::new_world_id());
        }
        Ok((file, world))
    }

    /// Reads the world without locking or writing anything: the state file is only ever
    /// replaced by rename, so this sees one whole version (a missing file is an empty world).
    pub(crate) fn snapshot(path: &Path) -> Result<World, EmulatorError> {
        load(path)
    }

    /// Writes the world atomically (temporary file in the same directory, then rename; a
    /// symlinked state file is followed and kept: see [`crate::fsutil::write_atomic`]).
    pub(crate) fn save(&self, world: &World) -> Result<(), EmulatorError> {
        // No secret value is written: see `super::sealed`.
        let bytes = serde_json::to_vec_pretty(&super::sealed::seal(world))
            .map_err(|e| state_error(&self.path, format!("cannot serialize: {e}")))?;
        crate::fsutil::write_atomic(&self.path, &bytes)
            .map_err(|e| state_error(&self.path, format!("cannot write: {e}")))
    }
}

/// Loads the world from `path` without locking or writing anything (a missing or empty file is
/// an empty world). What read-only commands use.
pub(crate) fn load(path: &Path) -> Result<World, EmulatorError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(World::default()),
        Err(e) => return Err(state_error(path, format!("cannot read: {e}"))),
    };
    if text.trim().is_empty() {
        return Ok(World::default());
    }
    let corrupt = |detail: String| {
        state_error(
            path,
            format!("is not a valid emulator state file ({detail}); start over with --fresh"),
        )
    };
    let mut world: World = serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
    if world.version != STATE_VERSION {
        return Err(corrupt(format!(
            "version {} is not supported, expected {STATE_VERSION}",
            world.version
        )));
    }
    super::sealed::unseal(&mut world);
    Ok(world)
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_symlinked_state_file_is_written_through_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("real")).unwrap();
        let link = dir.path().join("state.json");
        std::os::unix::fs::symlink("real/state.json", &link).unwrap();
        let (file, world) = StateFile::open(&link, false).unwrap();
        file.save(&world).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let saved = std::fs::read_to_string(dir.path().join("real/state.json")).unwrap();
        assert!(saved.contains("\"version\": 1"), "{saved}");
    }
}
