//! The knowledge-mining lab (`labs/ai103/search-01-knowledge-mining.lab.yaml`): data-plane
//! steps on the emulator, learner mistakes with their exact failing checks, check mode's
//! read-only traffic (GET, and POST of the key-listing action only), record and replay of
//! data-plane requests, and the keys that never reach a report, a fixture or the terminal.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{Sandbox, repo, stderr, stdout};

fn km_lab() -> PathBuf {
    repo().join("labs/ai103/search-01-knowledge-mining.lab.yaml")
}

fn km() -> String {
    km_lab().to_str().unwrap().to_owned()
}

const FAST: [&str; 2] = ["--provisioning-delay", "10ms"];

fn amlab(sb: &Sandbox, args: &[&str]) -> (i32, String) {
    let out = sb.amlab(&[args, &FAST[..]].concat()).output().unwrap();
    (
        out.status.code().unwrap(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

fn report(sb: &Sandbox, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(sb.path().join(name)).unwrap()).unwrap()
}

/// (step id, check title, hint) of every failed check.
fn failed(report: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for step in report["steps"].as_array().unwrap() {
        for c in step["checks"].as_array().into_iter().flatten() {
            if c["passed"] == false {
                out.push((
                    step["id"].as_str().unwrap().to_owned(),
                    c["title"]
                        .as_str()
                        .or(c["query"].as_str())
                        .unwrap_or("")
                        .to_owned(),
                    c["hint"].as_str().unwrap_or("").to_owned(),
                ));
            }
        }
    }
    out
}

#[test]
fn run_check_teardown_pass_and_an_empty_world_earns_nothing() {
    let sb = Sandbox::new();
    let (code, text) = amlab(
        &sb,
        &[
            "check",
            &km(),
            "--var",
            "suffix=empty1",
            "--report",
            "json=empty.json",
        ],
    );
    assert_eq!(code, 1, "{text}");
    assert_eq!(report(&sb, "empty.json")["score"]["earned"], 0);
    let (code, text) = amlab(&sb, &["run", &km()]);
    assert_eq!(code, 0, "{text}");
    let state = std::fs::read(sb.path().join(".amlab/emulator-state.json")).unwrap();
    let (code, text) = amlab(&sb, &["check", &km(), "--report", "json=r.json"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(report(&sb, "r.json")["score"]["earned"], 12);
    let after = std::fs::read(sb.path().join(".amlab/emulator-state.json")).unwrap();
    assert!(state == after, "check changed nothing");
    let (code, text) = amlab(&sb, &["teardown", &km()]);
    assert_eq!(code, 0, "{text}");
    let (code, _) = amlab(&sb, &["check", &km(), "--report", "json=gone.json"]);
    assert_eq!(code, 1);
    assert_eq!(report(&sb, "gone.json")["score"]["earned"], 0);
}

/// Applies the lab with `from` replaced by `to`, then checks with the shipped lab: the failed
/// checks (step, title, hint).
fn mistake(from: &str, to: &str) -> Vec<(String, String, String)> {
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(km_lab()).unwrap();
    assert!(text.contains(from), "{from:?}");
    let variant = sb.write("variant/km.lab.yaml", &text.replacen(from, to, 1));
    let (code, out) = amlab(&sb, &["run", variant.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let (code, out) = amlab(&sb, &["check", &km(), "--report", "json=r.json"]);
    assert_eq!(code, 1, "{out}");
    failed(&report(&sb, "r.json"))
}

#[test]
fn an_indexer_without_the_skillset_fails_that_check_only() {
    let failing = mistake("        skillsetName: margies-skillset\n", "");
    let steps: Vec<(&str, &str)> = failing
        .iter()
        .map(|(s, t, _)| (s.as_str(), t.as_str()))
        .collect();
    assert_eq!(steps, [("indexer", "skillsetName")]);
    assert!(failing[0].2.contains("Attach the skillset"), "{failing:?}");
}

#[test]
fn a_data_source_on_another_account_fails_only_the_indexer_run() {
    // The learner's connection string names a storage account that does not exist: every
    // definition is in place, and only the indexer's run (on the data plane) shows it.
    let failing = mistake("ResourceId=${storage_id};", "ResourceId=${storage_id}x;");
    let steps: Vec<(&str, &str)> = failing
        .iter()
        .map(|(s, t, _)| (s.as_str(), t.as_str()))
        .collect();
    assert_eq!(steps, [("indexer-run", "lastResult.status")]);
    assert!(failing[0].2.contains("execution history"), "{failing:?}");
}

fn files_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            text.push_str(&files_text(&path));
        } else {
            text.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
    text
}

#[test]
fn recordings_redact_keys_and_replay_covers_the_data_plane() {
    let sb = Sandbox::new();
    let (code, run_out) = amlab(&sb, &["run", &km(), "--var", "suffix=km0001"]);
    assert_eq!(code, 0, "{run_out}");
    let (code, check_out) = amlab(
        &sb,
        &["check", &km(), "--var", "suffix=km0001", "--record", "rec"],
    );
    assert_eq!(code, 0, "{check_out}");
    let recorded = files_text(&sb.path().join("rec"));
    let doc: Value = serde_json::from_str(&recorded).unwrap();
    let entries = doc["Entries"].as_array().unwrap();
    // Check mode sent GETs, and POSTs of the key-listing action only.
    for e in entries {
        let (method, uri) = (
            e["RequestMethod"].as_str().unwrap(),
            e["RequestUri"].as_str().unwrap(),
        );
        assert!(
            method == "GET" || (method == "POST" && uri.contains("/listAdminKeys?")),
            "check sent {method} {uri}"
        );
    }
    let keys = entries
        .iter()
        .find(|e| {
            e["RequestUri"]
                .as_str()
                .unwrap()
                .contains("/listAdminKeys?")
        })
        .expect("listAdminKeys recorded");
    assert_eq!(keys["ResponseBody"]["primaryKey"], "Sanitized");
    assert_eq!(keys["ResponseBody"]["secondaryKey"], "Sanitized");
    let data_plane: Vec<&Value> = entries
        .iter()
        .filter(|e| {
            e["RequestUri"]
                .as_str()
                .unwrap()
                .contains(".search.windows.net/")
        })
        .collect();
    assert_eq!(data_plane.len(), 5, "one GET per data-plane step");
    for e in &data_plane {
        assert_eq!(e["RequestHeaders"]["api-key"], "Sanitized", "{e}");
    }
    // The recording replays with no emulator behind it.
    let other = Sandbox::new();
    let rec = sb.path().join("rec");
    let out = other
        .amlab(&["check", &km(), "--replay", rec.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn lint_refuses_a_data_plane_on_a_resource_without_one() {
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(km_lab()).unwrap().replacen(
        "    resource: \"${search_id}\"\n    data_plane:\n      path: /datasources/margies-data",
        "    resource: \"${storage_id}\"\n    data_plane:\n      path: /datasources/margies-data",
        1,
    );
    let file = sb.write("bad.lab.yaml", &text);
    let out = sb
        .amlab(&["lint", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("Microsoft.Storage/storageAccounts` has no data plane amlab can check"),
        "{text}"
    );
    assert!(
        text.contains("bad.lab.yaml:"),
        "names the file and line: {text}"
    );
}

fn sem_lab() -> PathBuf {
    repo().join("labs/ai103/search-09-semantic-ranker.lab.yaml")
}

/// [`mistake`] for the semantic ranker lab.
fn sem_mistake(from: &str, to: &str) -> Vec<(String, String, String)> {
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(sem_lab()).unwrap();
    assert!(text.contains(from), "{from:?}");
    let variant = sb.write("variant/sem.lab.yaml", &text.replacen(from, to, 1));
    let (code, out) = amlab(&sb, &["run", variant.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let (code, out) = amlab(
        &sb,
        &[
            "check",
            sem_lab().to_str().unwrap(),
            "--report",
            "json=r.json",
        ],
    );
    assert_eq!(code, 1, "{out}");
    failed(&report(&sb, "r.json"))
}

#[test]
fn the_semantic_ranker_lab_passes_and_catches_its_mistakes() {
    let sb = Sandbox::new();
    let lab = sem_lab();
    let lab = lab.to_str().unwrap();
    for mode in ["run", "check", "teardown"] {
        let (code, out) = amlab(&sb, &[mode, lab]);
        assert_eq!(code, 0, "{mode}: {out}");
    }
    let failing = sem_mistake(
        "          semanticSearch: free\n",
        "          semanticSearch: disabled\n",
    );
    let steps: Vec<(&str, &str)> = failing
        .iter()
        .map(|(s, t, _)| (s.as_str(), t.as_str()))
        .collect();
    assert_eq!(steps, [("semantic-plan", "properties.semanticSearch")]);
    assert!(
        failing[0].2.contains("Semantic ranker > Free"),
        "{failing:?}"
    );
    let failing = sem_mistake(
        "                titleField: {fieldName: HotelName}\n",
        "                titleField: {fieldName: Category}\n",
    );
    let steps: Vec<(&str, &str)> = failing
        .iter()
        .map(|(s, t, _)| (s.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        steps,
        [(
            "index",
            "semantic.configurations[0].prioritizedFields.titleField.fieldName"
        )]
    );
    assert!(failing[0].2.contains("HotelName"), "{failing:?}");
}
