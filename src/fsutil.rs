//! File writing that never leaves a half-written file: a temporary file in the same directory,
//! flushed, then renamed over the target.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically, creating parent directories.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
}
