//! Benchmark (not a test): how many requests amlab needs, from `amlab serve`'s request log.
//!
//! - check: GETs per resource (goal: exactly 1, no retries, no polling, no listing);
//! - run: polls per long-running operation, against the `Retry-After` the server gave (it asks
//!   for the remaining provisioning delay, so the floor is one poll per operation).
//!
//! `cargo bench --bench protocol` prints the figures.

#![allow(clippy::print_stdout, missing_docs)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{labs, requests, serve, timed};

fn main() {
    let labs = labs();
    let served = serve(&["--latency", "20ms", "--provisioning-delay", "500ms"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let target = ["--target", served.url.as_str(), "--auth", "token"];
    let args = |mode: &'static str| -> Vec<&str> {
        let mut v = vec![mode, labs.as_str()];
        v.extend_from_slice(&target);
        v
    };
    timed(dir.path(), &args("run"));
    let after_run = requests(&served);

    // Polls per long-running operation (Azure-AsyncOperation / Location status URLs).
    let mut polls: BTreeMap<String, usize> = BTreeMap::new();
    for r in &after_run {
        let p = r.path.to_ascii_lowercase();
        if r.method == "GET"
            && (p.contains("operationsstatus")
                || p.contains("operationstatuses")
                || p.contains("asyncoperations")
                || p.contains("operationresults"))
        {
            *polls
                .entry(r.path.split('?').next().unwrap_or("").to_owned())
                .or_default() += 1;
        }
    }
    let puts = after_run.iter().filter(|r| r.method == "PUT").count();
    let total: usize = polls.values().sum();
    let max = polls.values().copied().max().unwrap_or(0);
    println!(
        "amlab run of the DP-100 labs (serve --provisioning-delay 500, Retry-After = remaining delay):"
    );
    println!(
        "  {puts} PUTs, {} long-running operations, {total} status polls: {:.2} per operation (max {max}; floor 1)",
        polls.len(),
        total as f64 / polls.len().max(1) as f64
    );
    println!("  requests in all: {}", after_run.len());

    // GETs per resource in check mode.
    timed(dir.path(), &args("check"));
    let during: Vec<_> = requests(&served)[after_run.len()..].to_vec();
    let gets = during.iter().filter(|r| r.method == "GET").count();
    let others = during.len() - gets;
    let distinct: BTreeSet<&str> = during
        .iter()
        .map(|r| r.path.split('?').next().unwrap_or(""))
        .collect();
    println!("amlab check of the DP-100 labs:");
    println!(
        "  {gets} GETs for {} resources: {:.2} GET per resource (goal exactly 1); {others} other requests (goal 0)",
        distinct.len(),
        gets as f64 / distinct.len().max(1) as f64
    );
}
