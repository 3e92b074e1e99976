//! File writing that never leaves a half-written file and never replaces what is not a regular
//! file: a regular file (or a new path) is written to a temporary file in the same directory,
//! flushed, then renamed over it; a symbolic link is followed (the link is kept and its target
//! written); a FIFO, a character device, `/dev/stdout` or `/dev/fd/N` is written through in place.

use std::io::Write;
use std::path::{Path, PathBuf};

/// How many symbolic links are followed before giving up (as the kernel's `ELOOP`).
const MAX_LINKS: usize = 40;

/// Writes `bytes` to `path`, creating parent directories of a new file (see the module doc).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if via_descriptor(path) {
        // `/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`: an open descriptor of this process,
        // whatever it is (a pipe, a terminal, or a file the shell opened): never renamed over.
        return write_through(path, bytes);
    }
    let target = follow_links(path)?;
    match std::fs::metadata(&target) {
        Ok(m) if m.is_dir() => Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            format!("{} is a directory", target.display()),
        )),
        Ok(m) if !m.is_file() => write_through(&target, bytes),
        _ => replace(&target, bytes),
    }
}

/// Writes a regular file (or a new one) by temporary file and rename.
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".amlab-tmp-")
        .tempfile_in(parent)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes into what `path` already is (a pipe, a device, a descriptor), appending.
fn write_through(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::fs::OpenOptions::new().append(true).open(path)?;
    out.write_all(bytes)?;
    out.flush()
}

/// `path` with every symbolic link of its last component followed (a dangling link gives the
/// path it points to, which is then created).
fn follow_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = if link.is_absolute() {
                    link
                } else {
                    current.parent().unwrap_or(Path::new("")).join(link)
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// Whether `path` names, directly or through links, an open file descriptor (`/proc/*/fd/N`,
/// `/dev/fd/N`, `/dev/stdout`).
fn via_descriptor(path: &Path) -> bool {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let (Some(parent), Some(name)) = (current.parent(), current.file_name()) else {
            return false;
        };
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        let Ok(dir) = std::fs::canonicalize(parent) else {
            return false;
        };
        let full = dir.join(name);
        if full.starts_with("/proc") || full.starts_with("/dev/fd") {
            return true;
        }
        match std::fs::read_link(&full) {
            Ok(link) if link.is_absolute() => current = link,
            Ok(link) => current = dir.join(link),
            Err(_) => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temp() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("sub/report.json");
        write_atomic(&path, b"first version, longer")?;
        write_atomic(&path, b"second")?;
        assert_eq!(std::fs::read(&path)?, b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub"))?
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("report.json")]);
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_kept() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("real/report.json");
        std::fs::create_dir_all(target.parent().unwrap_or(dir.path()))?;
        std::fs::write(&target, b"old")?;
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real/report.json", &link)?;
        write_atomic(&link, b"new")?;
        assert!(std::fs::symlink_metadata(&link)?.file_type().is_symlink());
        assert_eq!(std::fs::read(&target)?, b"new");
        // A dangling link: its target is created, the link kept.
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink("made.json", &dangling)?;
        write_atomic(&dangling, b"made")?;
        assert!(
            std::fs::symlink_metadata(&dangling)?
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(dir.path().join("made.json"))?, b"made");
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_through_not_replaced() -> std::io::Result<()> {
        write_atomic(Path::new("/dev/null"), b"nothing")?;
        assert!(!std::fs::metadata("/dev/null")?.is_file());
        Ok(())
    }

    #[test]
    fn a_directory_is_an_error() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let e = write_atomic(dir.path(), b"x").err();
        assert_eq!(e.map(|e| e.kind()), Some(std::io::ErrorKind::IsADirectory));
        Ok(())
    }
}
