//! Grading throughput (a benchmark, not a test): `amlab grade` of 1,000 replayed fixture
//! submissions of a 15-step lab, in-process through the real command (`commands::dispatch`:
//! collecting the folders, replaying each learner, writing the CSV and JSON gradebooks); prints
//! the wall time and the process's peak memory (`VmHWM`). Goals: under 2 s and under 64 MiB.
//!
//! The fixtures are generated in a temporary directory: a 15-step lab is run on an emulator
//! state file twice (correct work, and a learner whose 8th storage account is a v1 account),
//! each checked with `--record`; the two recordings are copied into 1,000 learner folders
//! (every 10th learner the mistake).
//!
//! Run: `cargo bench --bench grading` (add `-- N` for N learners; default 1000).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use std::path::Path;
use std::time::Instant;

use amlab::cli::Cli;
use amlab::commands::{Io, dispatch};
use clap::Parser;

const STORAGE_STEPS: usize = 14;

/// A 15-step lab: a resource group and 14 storage accounts with two checks each.
fn lab_text() -> String {
    let mut s = String::from(
        "id: bench-15\ntitle: Fifteen steps\nparams:\n  suffix: {default: \"${random:6}\"}\nsteps:\n  - id: rg\n    title: Resource group\n    resource: \"/subscriptions/${subscription}/resourceGroups/rg-${suffix}\"\n    create: {body: {location: eastus}}\n    expect:\n      - query: location\n        equals: eastus\n",
    );
    for i in 0..STORAGE_STEPS {
        s.push_str(&format!(
            "  - id: st{i:02}\n    title: Storage {i}\n    needs: [rg]\n    points: 2\n    resource: \"/subscriptions/${{subscription}}/resourceGroups/rg-${{suffix}}/providers/Microsoft.Storage/storageAccounts/st{i:02}${{suffix}}\"\n    create:\n      body: {{location: eastus, kind: StorageV2, sku: {{name: Standard_LRS}}}}\n    expect:\n      - query: kind\n        equals: StorageV2\n      - query: properties.provisioningState\n        equals: Succeeded\n"
        ));
    }
    s
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `amlab ARGS...` in-process; returns the exit code.
fn amlab(args: &[&str]) -> i32 {
    let cli = Cli::try_parse_from(std::iter::once("amlab").chain(args.iter().copied()))
        .expect("command line");
    dispatch(
        cli,
        Io {
            stdout: Box::new(std::io::sink()),
            stderr: Box::new(std::io::sink()),
            color: false,
            progress: false,
        },
    )
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "unavailable".to_owned(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}

fn main() {
    let learners: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let tmp = tempfile::tempdir().expect("temp dir");
    // Everything amlab writes (state, remembered parameters, gradebooks) stays in the temp dir.
    std::env::set_current_dir(tmp.path()).expect("cd");
    let setup = Instant::now();
    let text = lab_text();
    std::fs::write("bench-15.lab.yaml", &text).unwrap();
    // The 8th storage account made as a v1 (`Storage`) account.
    let needle = "storageAccounts/st07${suffix}\"\n    create:\n      body: {location: eastus, kind: StorageV2";
    assert!(text.contains(needle));
    let mistake = text.replacen(
        needle,
        "storageAccounts/st07${suffix}\"\n    create:\n      body: {location: eastus, kind: Storage",
        1,
    );
    std::fs::write("mistake.lab.yaml", mistake).unwrap();
    for (lab, suffix, record) in [
        ("bench-15.lab.yaml", "ref001", "rec/reference"),
        ("mistake.lab.yaml", "mis001", "rec/mistake"),
    ] {
        let var = format!("suffix={suffix}");
        let state = ["--state", "state.json", "--provisioning-delay", "0"];
        let mut run = vec!["run", lab, "--var", &var];
        run.extend(state);
        assert!(matches!(amlab(&run), 0 | 1), "run {lab}");
        let mut check = vec![
            "check",
            "bench-15.lab.yaml",
            "--var",
            &var,
            "--record",
            record,
        ];
        check.extend(state);
        assert!(matches!(amlab(&check), 0 | 1), "check --record {lab}");
    }
    for i in 0..learners {
        let from = if i % 10 == 9 {
            "rec/mistake"
        } else {
            "rec/reference"
        };
        let dir = Path::new("subs")
            .join(format!("learner-{i:04}"))
            .join("bench-15");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(
            Path::new(from).join("bench-15/check.json"),
            dir.join("check.json"),
        )
        .unwrap();
    }
    let setup = setup.elapsed();
    let hwm_setup = vm_hwm_kib();

    let start = Instant::now();
    let code = amlab(&[
        "grade",
        "bench-15.lab.yaml",
        "--submissions",
        "subs",
        "--gradebook",
        "grades.csv",
        "--jobs",
        "8",
        "--state",
        "state.json",
    ]);
    let elapsed = start.elapsed();
    let hwm = vm_hwm_kib();
    assert_eq!(code, 0);

    let csv = std::fs::read_to_string("grades.csv").unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), learners);
    let full = rows
        .iter()
        .filter(|r| r.contains(",29,29,100.0,true,false,"))
        .count();
    let mistaken = rows
        .iter()
        .filter(|r| r.contains(",27,29,93.1,false,false,"))
        .count();
    assert_eq!(
        mistaken,
        learners / 10,
        "every 10th learner's v1 storage account"
    );
    assert_eq!(full, learners - learners / 10);
    let secs = elapsed.as_secs_f64();
    println!(
        "grading benchmark: `amlab grade` of {learners} replayed fixture submissions of a {}-step lab (29 checks), --jobs 8, in-process",
        STORAGE_STEPS + 1
    );
    println!("  setup (recording 2 fixtures, copying {learners}): {setup:.2?}");
    println!(
        "  graded {learners} in {secs:.3} s: {:.0} submissions/s, {:.0} replayed steps/s ({full} full marks, {mistaken} with the mistake); goal < 2 s: {}",
        learners as f64 / secs,
        (learners * (STORAGE_STEPS + 1)) as f64 / secs,
        if secs < 2.0 { "met" } else { "NOT met" }
    );
    println!(
        "  peak memory (VmHWM): {} before grading, {} after; goal < 64 MiB: {}",
        mib(hwm_setup),
        mib(hwm),
        if hwm.is_some_and(|k| k < 64 * 1024) {
            "met"
        } else {
            "NOT met"
        }
    );
    let size = |p: &str| std::fs::metadata(p).map_or(0, |m| m.len()) as f64 / 1024.0;
    println!(
        "  gradebooks written: grades.csv {:.0} KiB, grades.json {:.0} KiB",
        size("grades.csv"),
        size("grades.json")
    );
    std::env::set_current_dir("/").ok();
}
