//! Benchmark (not a test): start-up and size. `amlab lint labs` (process start, discovery,
//! parsing, lint of every shipped lab, no network) wall time, and the release binary's size.
//!
//! `cargo bench --bench footprint` prints the figures.

#![allow(clippy::print_stdout, missing_docs)]

mod common;

use std::time::Duration;

use common::{amlab, median, repo, timed};

const RUNS: usize = 21;

fn main() {
    let labs = repo().join("labs");
    let labs = labs.to_str().expect("path");
    let dir = tempfile::tempdir().expect("tempdir");
    let times: Vec<Duration> = (0..RUNS)
        .map(|_| timed(dir.path(), &["lint", labs]))
        .collect();
    let min = times.iter().min().copied().unwrap_or_default();
    let bytes = std::fs::metadata(amlab()).map(|m| m.len()).unwrap_or(0);
    println!(
        "amlab lint labs (median of {RUNS})   {:>6.1} ms  (min {:.1} ms)",
        median(times).as_secs_f64() * 1000.0,
        min.as_secs_f64() * 1000.0
    );
    println!(
        "release binary {}                {:>6.1} MiB",
        std::path::Path::new(amlab())
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("amlab"),
        bytes as f64 / (1024.0 * 1024.0)
    );
}
