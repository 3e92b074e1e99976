//! Benchmark (not a test): `amlab check labs/dp100` against the way learners check their work
//! today, a shell loop of `az rest --method get --url <ARM URL>` (the Azure CLI, installed from
//! PyPI into a throwaway venv under `target/` by `benches/peers-setup.sh`), both against the same
//! `amlab serve --latency 100` and the same resources: the URLs the az loop reads are exactly the
//! GETs amlab's check sent (from `/_emulator/requests`).
//!
//! `cargo bench --bench peers` prints amlab's speed-up (goal: at least 30x). Without Python or
//! PyPI the Azure CLI cannot be installed: the benchmark says so and exits non-zero.

#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{labs, median, repo, requests, serve, timed};

const LATENCY_MS: &str = "100ms";
const RUNS: usize = 5;

fn install_az() -> Result<String, String> {
    let out = Command::new("bash")
        .arg(repo().join("benches/peers-setup.sh"))
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run benches/peers-setup.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!("benches/peers-setup.sh failed ({})", out.status));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .map(str::to_owned)
        .ok_or_else(|| "benches/peers-setup.sh printed no path".to_owned())
}

fn main() {
    let az = match install_az() {
        Ok(az) => az,
        Err(e) => {
            eprintln!(
                "peers: the Azure CLI could not be installed, so there is nothing to compare with: {e}"
            );
            std::process::exit(1);
        }
    };
    let served = serve(&["--latency", LATENCY_MS, "--provisioning-delay", "0"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let labs = labs();
    let target = ["--target", served.url.as_str(), "--auth", "token"];
    let with = |args: &[&str]| -> Vec<String> {
        args.iter()
            .chain(target.iter())
            .map(|s| (*s).to_owned())
            .collect()
    };
    let run = with(&["run", &labs]);
    timed(
        dir.path(),
        &run.iter().map(String::as_str).collect::<Vec<_>>(),
    );

    // amlab: check every lab, reads concurrent (default --jobs).
    let before = requests(&served).len();
    let check = with(&["check", &labs]);
    let check: Vec<&str> = check.iter().map(String::as_str).collect();
    let times: Vec<Duration> = (0..RUNS).map(|_| timed(dir.path(), &check)).collect();
    let amlab = median(times);
    let log = requests(&served);
    let one_check: Vec<String> = log[before..]
        .iter()
        .filter(|r| r.method == "GET")
        .take((log.len() - before) / RUNS)
        .map(|r| r.path.clone())
        .collect();

    // The peer: one `az rest` per resource, in a shell loop, as a learner's script does.
    let config = tempfile::tempdir().expect("az config dir");
    let urls = dir.path().join("urls.txt");
    let list: String = one_check
        .iter()
        .map(|p| format!("{}{p}\n", served.url))
        .collect();
    std::fs::write(&urls, list).expect("urls");
    let script = format!(
        "set -e; while read -r url; do \"{az}\" rest --method get --url \"$url\" \
         --skip-authorization-header --headers 'Authorization=Bearer peer' >/dev/null; done < \"{}\"",
        urls.display()
    );
    let start = Instant::now();
    let status = Command::new("bash")
        .args(["-c", &script])
        .env("AZURE_CONFIG_DIR", config.path())
        .env("AZURE_CORE_COLLECT_TELEMETRY", "false")
        .env("AZURE_CORE_NO_COLOR", "true")
        .status()
        .expect("bash");
    let peer = start.elapsed();
    if !status.success() {
        eprintln!("peers: the az rest loop failed ({status})");
        std::process::exit(1);
    }
    let n = one_check.len();
    println!(
        "check of the DP-100 labs, {n} resources, against amlab serve --latency {LATENCY_MS}:"
    );
    println!(
        "  amlab check (median of {RUNS})        {:>7} ms",
        amlab.as_millis()
    );
    println!(
        "  az rest loop, one GET per resource  {:>7} ms  ({:.0} ms per resource)",
        peer.as_millis(),
        peer.as_secs_f64() * 1000.0 / n.max(1) as f64
    );
    println!(
        "  speed-up {:.0}x  (goal >= 30x)",
        peer.as_secs_f64() / amlab.as_secs_f64()
    );
}
