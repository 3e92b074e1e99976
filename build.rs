//! Build script: the version `amlab --version` shows, `0.1.0 (22c961d 2026-12-03)`: the crate
//! version, the commit and its date, read with `git` when the crate is built from its own git
//! checkout. Elsewhere (a crate tarball, `cargo install` from crates.io, no `git` installed) it
//! is the crate version alone. Exported as the `AMLAB_VERSION` environment variable of the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let version = env_var("CARGO_PKG_VERSION");
    let dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=build.rs");
    let full = match commit(&dir) {
        Some((hash, date)) => {
            watch_head(&dir);
            format!("{version} ({hash} {date})")
        }
        None => version,
    };
    println!("cargo:rustc-env=AMLAB_VERSION={full}");
}

fn env_var(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

/// Runs `git` in `dir`: its trimmed stdout when it succeeds with some output.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// The short commit hash and its date, when `dir` is the top of a git work tree (not a crate
/// unpacked somewhere inside another repository).
fn commit(dir: &Path) -> Option<(String, String)> {
    let top = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let hash = git(dir, &["rev-parse", "--short", "HEAD"])?;
    let date = git(dir, &["log", "-1", "--format=%cs", "HEAD"])?;
    Some((hash, date))
}

/// Re-runs this script when HEAD moves: HEAD itself (a checkout), the branch it points to (a
/// commit) and packed-refs. Paths come from git, so a worktree (`.git` is a file) works too.
/// Only existing files are named: cargo re-runs on every build for a missing one.
fn watch_head(dir: &Path) {
    let mut files = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        files.push(branch);
    }
    for file in files {
        let Some(path) = git(dir, &["rev-parse", "--git-path", &file]) else {
            continue;
        };
        let path = dir.join(path);
        if path.is_file() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}
