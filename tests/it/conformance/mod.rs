//! Conformance: every official REST example of the types the emulator models
//! (`../shared/azure-specs` and `tests/data/conformance/`, listed with their operation in
//! `tests/data/conformance/operations.tsv`) is replayed against the emulator, each in a fresh
//! world holding what the example presupposes (its resource group, workspace, parent
//! resources, the resource itself).
//!
//! An example is accepted when the emulator answers one of the statuses it lists; its key-path
//! coverage is the share of the JSON key paths of the example's response body (arrays as `[]`,
//! keys whose example value is `null` left out: ARM clients read a missing key and a null one
//! alike) that appear in the emulator's answer (for a long-running answer without a body: the
//! final resource, or the operation's result). Every rejection must be listed with its reason
//! in `tests/data/conformance/rejections.tsv`, and every listed one must still be rejected.
//!
//! Totals per type: `cargo test --test it conformance -- --nocapture`.

mod keypaths;
mod rebase;
mod replay;
mod setup;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use replay::Outcome;

/// The mean key-path coverage of accepted answers must not fall below this (the goal;
/// a ratchet: raise it as coverage grows).
const COVERAGE_FLOOR: f64 = 0.98;

/// One example and the operation it documents.
#[derive(Debug, Clone)]
pub(super) struct Operation {
    /// Where the example lives, relative to the repository root.
    pub(super) file: String,
    /// The type it is counted under.
    pub(super) ty: String,
    /// HTTP method.
    pub(super) method: String,
    /// Path template (`{RG}`, `{W}` and the example's parameter names).
    pub(super) template: String,
    /// The example file's content.
    pub(super) example: Value,
}

fn data_dir() -> PathBuf {
    crate::support::repo().join("tests/data/conformance")
}

/// Every operation of `operations.tsv`, with its example read.
fn operations() -> Vec<Operation> {
    let text = std::fs::read_to_string(data_dir().join("operations.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 5, "operations.tsv: {line}");
            let file = match cols[0] {
                "shared" => format!("../shared/azure-specs/{}", cols[1]),
                "local" => format!("tests/data/conformance/{}", cols[1]),
                other => panic!("operations.tsv: unknown root {other}"),
            };
            let path = crate::support::repo().join(&file);
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
            let example: Value =
                serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
            Operation {
                file: cols[1].to_owned(),
                ty: cols[2].to_owned(),
                method: cols[3].to_owned(),
                template: cols[4].to_owned(),
                example,
            }
        })
        .collect()
}

/// The documented rejections: example path -> reason.
fn documented_rejections() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(data_dir().join("rejections.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (file, reason) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("rejections.tsv: no reason in {line}"));
            assert!(!reason.trim().is_empty(), "rejections.tsv: {line}");
            (file.to_owned(), reason.to_owned())
        })
        .collect()
}

/// Totals of one type.
#[derive(Debug, Default)]
struct Totals {
    accepted: usize,
    documented: usize,
    unexplained: usize,
    coverage_sum: f64,
    measured: usize,
}

impl Totals {
    fn mean(&self) -> f64 {
        if self.measured == 0 {
            1.0
        } else {
            self.coverage_sum / self.measured as f64
        }
    }

    fn add(&mut self, other: &Totals) {
        self.accepted += other.accepted;
        self.documented += other.documented;
        self.unexplained += other.unexplained;
        self.coverage_sum += other.coverage_sum;
        self.measured += other.measured;
    }

    fn line(&self, name: &str) -> String {
        format!(
            "{name:<28} {:>8} {:>10} {:>11} {:>8.1}%",
            self.accepted,
            self.documented,
            self.unexplained,
            self.mean() * 100.0
        )
    }
}

#[test]
#[allow(clippy::print_stdout)]
fn every_official_example_of_the_modelled_types_is_answered_as_documented() {
    let documented = documented_rejections();
    let mut per_type: BTreeMap<String, Totals> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut rejected = Vec::new();
    let ops = operations();
    for op in &ops {
        let outcome = replay::run(op, &ops);
        let totals = per_type.entry(op.ty.clone()).or_default();
        match outcome {
            Outcome::Accepted { coverage, missing } => {
                totals.accepted += 1;
                if let Some(c) = coverage {
                    totals.coverage_sum += c;
                    totals.measured += 1;
                }
                if !missing.is_empty() {
                    println!(
                        "{} missing {}: {}",
                        op.file,
                        missing.len(),
                        missing.join(", ")
                    );
                }
            }
            Outcome::Rejected(why) => {
                rejected.push(op.file.clone());
                if documented.contains_key(&op.file) {
                    totals.documented += 1;
                } else {
                    totals.unexplained += 1;
                    problems.push(format!("{} {} {}: {why}", op.method, op.file, op.template));
                }
            }
        }
    }
    let mut all = Totals::default();
    println!(
        "{:<28} {:>8} {:>10} {:>11} {:>9}",
        "type", "accepted", "documented", "unexplained", "coverage"
    );
    for (ty, t) in &per_type {
        println!("{}", t.line(ty));
        all.add(t);
    }
    println!("{}", all.line("TOTAL"));
    for file in documented.keys() {
        if !rejected.contains(file) {
            problems.push(format!(
                "{file} is listed in rejections.tsv but is accepted now"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        all.mean() >= COVERAGE_FLOOR,
        "mean key-path coverage {:.3} < {COVERAGE_FLOOR}",
        all.mean()
    );
}
