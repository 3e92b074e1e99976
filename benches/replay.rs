//! Benchmark (not a test): replays the checks of a 20-step lab in-process, many times, through
//! the real runner, ARM client and replay transport; prints lab checks per second and the
//! process's peak memory (`VmHWM`). Goal: at least 1,000 lab checks per second.
//!
//! Run: `cargo bench --bench replay` (add `-- N` for N iterations; default 5000).
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use amlab::arm::client::ArmClient;
use amlab::fixture::format::{RecordEntry, RecordingFile};
use amlab::fixture::redact::{Redactor, SUBSCRIPTION_PLACEHOLDER};
use amlab::fixture::replay::ReplayTransport;
use amlab::lab::{ResolveContext, load_source};
use amlab::run::events::Mode;
use amlab::run::interrupt::Interrupt;
use amlab::run::result::LabInfo;
use amlab::run::sink::EventSink;
use amlab::run::{RunOptions, execute};
use serde_json::json;

const STEPS: usize = 20;

/// A lab of `STEPS` resource groups, each with two checks; step N needs step N-1 for N odd.
fn lab_text() -> String {
    let mut text = String::from(
        "id: bench-replay\ntitle: Replay benchmark\nparams:\n  suffix: {default: \"${random:6}\"}\nsteps:\n",
    );
    for i in 0..STEPS {
        text.push_str(&format!(
            "  - id: rg-{i}\n    title: Resource group {i}\n{needs}    resource: \"/subscriptions/${{subscription}}/resourceGroups/rg-${{suffix}}-{i}\"\n    expect:\n      - query: location\n        equals: eastus\n      - query: properties.provisioningState\n        equals: Succeeded\n",
            needs = if i % 2 == 1 { format!("    needs: [rg-{}]\n", i - 1) } else { String::new() }
        ));
    }
    text
}

/// The check recording of that lab: one GET per step.
fn recording() -> RecordingFile {
    let entries = (0..STEPS)
        .map(|i| {
            let id = format!("/subscriptions/{SUBSCRIPTION_PLACEHOLDER}/resourceGroups/rg-bench1-{i}");
            RecordEntry {
                request_uri: format!("https://management.azure.com{id}?api-version=2024-03-01"),
                request_method: "GET".into(),
                request_headers: serde_json::Map::new(),
                request_body: serde_json::Value::Null,
                status_code: 200,
                response_headers: [("Content-Type".to_owned(), json!("application/json"))]
                    .into_iter()
                    .collect(),
                response_body: json!({"id": id, "name": format!("rg-bench1-{i}"), "location": "eastus",
                                      "properties": {"provisioningState": "Succeeded"}}),
            }
        })
        .collect();
    RecordingFile {
        entries,
        variables: BTreeMap::new(),
    }
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let iterations: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5000);
    let file = load_source(Path::new("bench.lab.yaml"), &lab_text()).expect("lab");
    let ctx = ResolveContext {
        subscription: SUBSCRIPTION_PLACEHOLDER.to_owned(),
        vars: BTreeMap::new(),
        remembered: [("suffix".to_owned(), "bench1".to_owned())].into(),
        recorded: BTreeMap::new(),
    };
    let lab = file.resolve(&ctx).expect("resolve");
    assert_eq!(lab.steps.len(), STEPS);
    let info = LabInfo {
        id: lab.id.clone(),
        title: lab.title.clone(),
        file: "bench.lab.yaml".into(),
    };
    let recording = recording();
    let template = ReplayTransport::from_entries(
        recording
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("entry {i}"), e)),
        Redactor::new(Some(SUBSCRIPTION_PLACEHOLDER)),
        "bench",
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let options = RunOptions {
        mode: Mode::Check,
        jobs: 16,
        target: "replay:bench".into(),
        interrupt: Interrupt::default(),
        pass_mark: None,
    };
    let run_once = || {
        let transport = Arc::new(template.fresh());
        let client = ArmClient::new(transport, "https://management.azure.com");
        let sink = Arc::new(EventSink::new(Vec::new()));
        let results = runtime.block_on(execute(
            client,
            vec![(lab.clone(), info.clone())],
            &options,
            sink,
        ));
        assert!(results[0].all_steps_passed(), "{:?}", results[0]);
        assert_eq!(results[0].score.earned, u32::try_from(STEPS).unwrap());
    };
    for _ in 0..100 {
        run_once();
    }
    let started = Instant::now();
    for _ in 0..iterations {
        run_once();
    }
    let secs = started.elapsed().as_secs_f64();
    let per_sec = iterations as f64 / secs;
    println!(
        "replay: {iterations} checks of a {STEPS}-step lab in {secs:.3} s: {per_sec:.0} lab checks/s ({:.0} steps/s), goal 1000 lab checks/s: {}",
        per_sec * STEPS as f64,
        if per_sec >= 1000.0 { "met" } else { "NOT met" }
    );
    match vm_hwm_kib() {
        Some(kib) => println!("peak memory (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak memory (VmHWM): unavailable"),
    }
}
