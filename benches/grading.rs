//! Grading throughput: 1,000 submissions of a 15-step lab graded against the in-process
//! emulator (replay fixtures are not available yet), and the process's peak memory (VmHWM).
//!
//! Run: `cargo bench --bench grading` (a benchmark, not a test: it prints figures).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use amlab::arm::client::ArmClient;
use amlab::emulator::{Emulator, EmulatorOptions};
use amlab::grade::submission::SubmissionSource;
use amlab::grade::{GradeOptions, Submission, grade_all};
use amlab::lab::{ResolveContext, load_source};
use amlab::run::events::Mode;
use amlab::run::interrupt::Interrupt;
use amlab::run::result::LabInfo;
use amlab::run::sink::EventSink;
use amlab::run::{RunOptions, execute};
use amlab::target::{AZURE_PUBLIC, EMULATOR_SUBSCRIPTION};

const LEARNERS: usize = 1000;
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

fn main() {
    let text = lab_text();
    let lab = Arc::new(load_source(Path::new("bench-15.lab.yaml"), &text).expect("lab"));
    let emulator = Arc::new(
        Emulator::open(EmulatorOptions {
            state_path: None,
            fresh: true,
            provisioning_delay: Duration::ZERO,
        })
        .expect("emulator"),
    );
    let client = ArmClient::new(emulator.clone(), AZURE_PUBLIC);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // The learners' worlds: every 10th learner did nothing.
    let setup = Instant::now();
    let suffix = |i: usize| format!("l{i:04}");
    runtime.block_on(async {
        let mut labs = Vec::new();
        for i in (0..LEARNERS).filter(|i| i % 10 != 0) {
            let ctx = ResolveContext {
                subscription: EMULATOR_SUBSCRIPTION.into(),
                vars: BTreeMap::from([("suffix".to_owned(), suffix(i))]),
                remembered: BTreeMap::new(),
            };
            let resolved = lab.resolve(&ctx).expect("resolve");
            let info = LabInfo {
                id: resolved.id.clone(),
                title: resolved.title.clone(),
                file: "bench-15.lab.yaml".into(),
            };
            labs.push((resolved, info));
        }
        let options = RunOptions {
            mode: Mode::Run,
            jobs: 64,
            target: "emulator".into(),
            interrupt: Interrupt::default(),
            pass_mark: None,
        };
        let results = execute(
            client.clone(),
            labs,
            &options,
            Arc::new(EventSink::new(vec![])),
        )
        .await;
        assert!(results.iter().all(|r| r.passed), "setup runs pass");
    });
    let setup = setup.elapsed();
    let hwm_setup = vm_hwm_kib();

    let submissions: Vec<Submission> = (0..LEARNERS)
        .map(|i| Submission {
            learner: format!("learner-{i:04}"),
            source: SubmissionSource::Vars {
                file: "vars.yaml".into(),
                vars: BTreeMap::from([("suffix".to_owned(), suffix(i))]),
            },
        })
        .collect();
    let options = GradeOptions {
        jobs: 8,
        step_jobs: 16,
        target: "emulator".into(),
        subscription: EMULATOR_SUBSCRIPTION.into(),
        pass_mark: None,
    };
    let start = Instant::now();
    let grades = runtime.block_on(grade_all(client, lab.clone(), submissions, &options));
    let elapsed = start.elapsed();
    let hwm = vm_hwm_kib();

    let passed = grades
        .iter()
        .filter(|g| g.result.as_ref().is_some_and(|r| r.passed))
        .count();
    assert_eq!(grades.len(), LEARNERS);
    assert_eq!(passed, LEARNERS - LEARNERS / 10);
    let requests = LEARNERS * (STORAGE_STEPS + 1);
    println!(
        "grading benchmark: {LEARNERS} submissions of a {}-step lab, in-process emulator (replay not available yet)",
        STORAGE_STEPS + 1
    );
    println!(
        "  setup (creating {} learner worlds): {:.2?}",
        LEARNERS - LEARNERS / 10,
        setup
    );
    println!(
        "  graded {LEARNERS} in {:.2?}: {:.0} submissions/s, {:.0} checked steps/s ({passed} passed)",
        elapsed,
        LEARNERS as f64 / elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64()
    );
    match (hwm_setup, hwm) {
        (Some(a), Some(b)) => println!(
            "  peak memory (VmHWM): {:.1} MiB after setup, {:.1} MiB after grading",
            a as f64 / 1024.0,
            b as f64 / 1024.0
        ),
        _ => println!("  peak memory: VmHWM not available on this system"),
    }
}
