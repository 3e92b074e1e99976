//! File writing that never leaves a half-written file and never replaces what is not a regular
//! file: a regular file (or a new path) is written to a temporary file in the same directory,
//! flushed, then renamed over it; a symbolic link is followed (the link is kept and its target
//! written); a FIFO, a character device, `/dev/stdout` or `/dev/fd/N` is written through in place.
//! And reading untrusted files only inside their folder ([`read_inside`]): regular files,
//! size-capped, never through a symlink that leaves it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Why [`read_inside`] refused or failed. The messages never quote the file's content.
#[derive(Debug, thiserror::Error)]
pub enum ReadInsideError {
    /// The path (after following symlinks) is not inside the folder.
    #[error("is outside {0} (a symlink or `..` leaving the folder is not followed)")]
    Outside(String),
    /// A directory, device, FIFO or socket.
    #[error("is not a regular file ({0})")]
    NotRegular(&'static str),
    /// Larger than the limit.
    #[error("is larger than {0} bytes")]
    TooLarge(u64),
    /// Could not be read.
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
}

/// What kind of file `m` describes, in words.
fn kind(m: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if m.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// `path` with symlinks resolved, required to lie inside `root` (also resolved).
pub fn resolve_inside(root: &Path, path: &Path) -> Result<PathBuf, ReadInsideError> {
    let root = std::fs::canonicalize(root)?;
    let real = std::fs::canonicalize(path)?;
    if !real.starts_with(&root) {
        return Err(ReadInsideError::Outside(root.display().to_string()));
    }
    Ok(real)
}

/// Reads `path`, which must be a regular file inside `root` after resolving symlinks, of at
/// most `limit` bytes. Opened without blocking (a FIFO swapped in after the check does not
/// hang) and checked again on the open handle.
pub fn read_inside(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, ReadInsideError> {
    let real = resolve_inside(root, path)?;
    let before = std::fs::symlink_metadata(&real)?;
    if !before.is_file() {
        return Err(ReadInsideError::NotRegular(kind(&before)));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options.open(&real)?;
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(ReadInsideError::NotRegular(kind(&opened)));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (opened.dev(), opened.ino()) != (before.dev(), before.ino()) {
            return Err(ReadInsideError::Outside(root.display().to_string()));
        }
    }
    if opened.len() > limit {
        return Err(ReadInsideError::TooLarge(limit));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadInsideError::TooLarge(limit));
    }
    Ok(bytes)
}

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

    #[cfg(unix)]
    #[test]
    fn reads_only_regular_files_inside_the_folder() -> Result<(), ReadInsideError> {
        let dir = tempfile::tempdir()?;
        let inside = dir.path().join("in");
        std::fs::create_dir(&inside)?;
        std::fs::write(dir.path().join("secret"), "MARKER")?;
        std::fs::write(inside.join("ok"), "fine")?;
        std::os::unix::fs::symlink(dir.path().join("secret"), inside.join("out"))?;
        std::os::unix::fs::symlink("/dev/zero", inside.join("zero"))?;
        std::os::unix::fs::symlink(inside.join("ok"), inside.join("alias"))?;
        assert_eq!(read_inside(&inside, &inside.join("ok"), 10)?, b"fine");
        assert_eq!(read_inside(&inside, &inside.join("alias"), 10)?, b"fine");
        let err = |p: &str, limit| read_inside(&inside, &inside.join(p), limit).err();
        assert!(matches!(err("out", 10), Some(ReadInsideError::Outside(_))));
        assert!(matches!(
            err("../secret", 10),
            Some(ReadInsideError::Outside(_))
        ));
        assert!(matches!(err("zero", 10), Some(ReadInsideError::Outside(_))));
        assert!(matches!(err("ok", 3), Some(ReadInsideError::TooLarge(3))));
        assert!(matches!(
            err(".", 10),
            Some(ReadInsideError::NotRegular("a folder"))
        ));
        let dev = read_inside(Path::new("/dev"), Path::new("/dev/zero"), 10).err();
        assert!(matches!(dev, Some(ReadInsideError::NotRegular("a device"))));
        Ok(())
    }

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
