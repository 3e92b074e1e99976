//! Conformance: every official REST example of the types the emulator models is replayed
//! against the emulator, each in a fresh world holding what the example presupposes, and judged
//! one way ([`tally`]). The suites:
//!
//! - Azure Machine Learning and its dependencies (`../shared/azure-specs` and
//!   `tests/data/conformance/`, listed with their operation in
//!   `tests/data/conformance/operations.tsv`; [`replay`]);
//! - Microsoft.CognitiveServices ([`cognitive`]), private networking and container groups
//!   ([`network`]), Microsoft.Search services ([`search_arm`]);
//! - the Azure AI Search data plane 2025-09-01 ([`dataplane`]).
//!
//! An example is accepted when the emulator answers one of the statuses it lists; its key-path
//! coverage is the share of the JSON key paths of the example's response body (arrays as `[]`,
//! keys whose example value is `null` left out: clients read a missing key and a null one
//! alike) that appear in the emulator's answer (for a long-running answer without a body: the
//! final resource, or the operation's result). Every rejection must be listed with its reason
//! (`tests/data/conformance/rejections.tsv`, `tests/data/search-dataplane/rejections.tsv`), every
//! listed one must still be rejected, and each provider's mean coverage must reach 98%.
//!
//! Totals per provider: `cargo test --test it conformance -- --nocapture`.

mod cognitive;
mod dataplane;
mod keypaths;
mod network;
mod rebase;
mod replay;
mod search_arm;
mod setup;
mod tally;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use tally::Tally;

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
            let path = match cols[0] {
                "shared" => crate::support::shared().join("azure-specs").join(cols[1]),
                "local" => data_dir().join(cols[1]),
                other => panic!("operations.tsv: unknown root {other}"),
            };
            let file = path.display();
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

/// Documented rejections in `file` (example, a tab, the reason): label (`prefix` + example)
/// -> reason.
pub(super) fn read_rejections(file: &Path, prefix: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (example, reason) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("{}: no reason in {line}", file.display()));
            assert!(!reason.trim().is_empty(), "{}: {line}", file.display());
            (format!("{prefix}{example}"), reason.to_owned())
        })
        .collect()
}

/// The provider an example of `operations.tsv` is counted under: a dependency's own, else
/// Azure Machine Learning's.
fn ml_provider(file: &str) -> String {
    match file.strip_prefix("deps/") {
        Some(rest) => rest.split('/').next().unwrap_or(rest).to_owned(),
        None => "Microsoft.MachineLearningServices".to_owned(),
    }
}

#[test]
fn every_official_example_of_the_modelled_types_is_answered_as_documented() {
    let mut documented = read_rejections(&data_dir().join("rejections.tsv"), "");
    documented.extend(dataplane::rejections());
    let mut tally = Tally::new(documented);
    let ops = operations();
    for op in &ops {
        tally.record(&ml_provider(&op.file), &op.file, replay::run(op, &ops));
    }
    cognitive::replay_all(&mut tally);
    network::replay_all(&mut tally);
    search_arm::replay_all(&mut tally);
    dataplane::replay_all(&mut tally);
    let problems = tally.finish();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
