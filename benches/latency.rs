//! Benchmark (not a test): amlab against `amlab serve --latency 100`, as ratios to the physical
//! floor.
//!
//! - check: every read is independent, so the floor is one round trip per wave of `--jobs`
//!   concurrent requests: ceil(steps / jobs) x latency.
//! - run: the floor is the longest `needs` chain, each step costing the round trips the protocol
//!   requires (PUT; for long-running types one status poll after the provisioning delay, and the
//!   final GET when the status comes from `Azure-AsyncOperation`).
//!
//! `cargo bench --bench latency` prints the figures; docs/src/performance.md quotes them.

#![allow(clippy::print_stdout, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{median, serve, timed};

const LATENCY_MS: u64 = 100;
const DELAY_MS: u64 = 500;
const RUNS: usize = 5;

/// Round trips a step's PUT needs at least, and whether it waits for provisioning.
fn put_cost(resource: &str) -> (u64, bool) {
    let ty = resource.split('/').rev().nth(1).unwrap_or("");
    match ty {
        "computes" | "registries" => (3, true),
        "storageAccounts" | "workspaces" => (2, true),
        "vaults" => (2, true),
        _ => (1, false),
    }
}

/// The longest chain of the lab's `needs`, each step costed by the round trips its protocol
/// requires; resource ids come from the run's JSON report (resolved), `needs` from the lab.
fn run_floor(lab: &Path, report: &Path) -> Duration {
    let text = std::fs::read_to_string(lab).expect("lab");
    let doc: serde_json::Value = serde_saphyr::from_str(&text).expect("yaml");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report).expect("report")).expect("json");
    let resolved = report["steps"].as_array().expect("report steps");
    let steps = doc["steps"].as_array().expect("steps");
    let mut best: std::collections::HashMap<String, u64> = Default::default();
    let mut total = 0;
    for (step, done) in steps.iter().zip(resolved) {
        let id = step["id"].as_str().unwrap_or("").to_owned();
        let resource = done["resource"].as_str().unwrap_or("");
        let (rtts, waits) = if step.get("create").is_some() {
            put_cost(resource)
        } else {
            (1, false)
        };
        let own = rtts * LATENCY_MS + if waits { DELAY_MS } else { 0 };
        let before = step["needs"]
            .as_array()
            .map(|n| {
                n.iter()
                    .filter_map(|d| best.get(d.as_str().unwrap_or("")))
                    .copied()
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0);
        best.insert(id, before + own);
        total = total.max(before + own);
    }
    Duration::from_millis(total)
}

fn main() {
    // The three labs the performance figures (docs/src/performance.md) were measured on, kept
    // as they were so the figures stay comparable while the shipped catalog grows.
    let labs_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/labs");
    let labs = labs_dir.to_str().expect("path");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&labs_dir)
        .expect("labs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".lab.yaml"))
        .collect();
    files.sort();
    let steps: usize = files
        .iter()
        .map(|f| {
            std::fs::read_to_string(f)
                .expect("lab")
                .matches("\n  - id: ")
                .count()
        })
        .sum();

    // run: one lab at a time against a fresh server, wall time vs its chain floor.
    println!(
        "amlab run vs the longest needs chain (serve --latency {LATENCY_MS} --provisioning-delay {DELAY_MS})"
    );
    for file in &files {
        let mut times = Vec::new();
        let mut floor = Duration::ZERO;
        for _ in 0..3 {
            let served = serve(&[
                "--latency",
                &format!("{LATENCY_MS}ms"),
                "--provisioning-delay",
                &format!("{DELAY_MS}ms"),
            ]);
            let dir = tempfile::tempdir().expect("tempdir");
            times.push(timed(
                dir.path(),
                &[
                    "run",
                    file.to_str().expect("path"),
                    "--target",
                    &served.url,
                    "--auth",
                    "token",
                    "--report",
                    "json=run.json",
                ],
            ));
            floor = run_floor(file, &dir.path().join("run.json"));
        }
        let wall = median(times);
        println!(
            "  {:<28} wall {:>6} ms  floor {:>6} ms  ratio {:.2}",
            file.file_name().and_then(|n| n.to_str()).unwrap_or(""),
            wall.as_millis(),
            floor.as_millis(),
            wall.as_secs_f64() / floor.as_secs_f64()
        );
    }

    // check: all labs, reads concurrent.
    let served = serve(&[
        "--latency",
        &format!("{LATENCY_MS}ms"),
        "--provisioning-delay",
        "0",
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    timed(
        dir.path(),
        &["run", labs, "--target", &served.url, "--auth", "token"],
    );
    println!(
        "amlab check of {} labs, {steps} resources (serve --latency {LATENCY_MS})",
        files.len()
    );
    for jobs in [8usize, 16, 32] {
        let times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                timed(
                    dir.path(),
                    &[
                        "check",
                        labs,
                        "--target",
                        &served.url,
                        "--auth",
                        "token",
                        "--jobs",
                        &jobs.to_string(),
                    ],
                )
            })
            .collect();
        let wall = median(times);
        let waves = steps.div_ceil(jobs) as u64;
        let floor = Duration::from_millis(waves * LATENCY_MS);
        println!(
            "  --jobs {jobs:<3} wall {:>5} ms  floor {:>5} ms ({waves} wave(s))  ratio {:.2}  (goal <= 1.5)",
            wall.as_millis(),
            floor.as_millis(),
            wall.as_secs_f64() / floor.as_secs_f64()
        );
    }
}
