//! Learner mistakes: the world differs from what the lab expects, and `amlab check` says so.
//!
//! Each test makes the mistake the way a learner would (a variant of the lab applied to the
//! emulator), then checks with the shipped lab.

use crate::support::{Sandbox, lab, stdout};

/// Writes a variant of a shipped lab with `from` replaced by `to` (which must occur).
fn variant(sb: &Sandbox, name: &str, from: &str, to: &str) -> String {
    crate::support::lab_variant(sb, name, from, to)
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn cluster_with_min_nodes_one_fails_the_scale_to_zero_check() {
    let sb = Sandbox::new();
    let mistaken = variant(
        &sb,
        "04-compute.lab.yaml",
        "minNodeCount: 0",
        "minNodeCount: 1",
    );
    // Applying the mistaken lab already fails its own check.
    assert_eq!(
        sb.amlab(&["run", &mistaken])
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );

    let out = sb
        .amlab(&[
            "check",
            lab("04-compute.lab.yaml").to_str().unwrap(),
            "--report",
            "json=r.json",
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  cluster"), "{text}");
    assert!(text.contains("expected 0, got 1"), "{text}");
    assert!(
        text.contains(
            "hint: Set the minimum number of nodes to 0 so the idle cluster costs nothing."
        ),
        "{text}"
    );

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("r.json")).unwrap()).unwrap();
    let cluster = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "cluster")
        .unwrap();
    assert_eq!(cluster["status"], "failed");
    // Partial credit: three of the four cluster checks still pass.
    assert_eq!(
        cluster["points"],
        serde_json::json!({"earned": 3, "possible": 4})
    );
    let failed: Vec<_> = cluster["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0]["query"],
        "properties.properties.scaleSettings.minNodeCount"
    );
    assert_eq!(failed[0]["actual"], 1);
    assert_eq!(failed[0]["expected"], 0);
    // The update to two nodes and the job were never applied (the run stopped at the cluster):
    // the cluster exists, so they are scored, and fail.
    assert_eq!(
        report["score"],
        serde_json::json!({"earned": 15, "possible": 21})
    );
}

/// Bob did lab 04 by hand: everything right but `minNodeCount: 1` on the cluster (1 point).
/// The steps that need the cluster still find it, so they are scored: 19/20.
#[test]
fn a_need_that_exists_but_fails_a_check_does_not_cost_its_dependents_their_points() {
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(lab("04-compute.lab.yaml")).unwrap();
    // The cluster as Bob left it: min 1 node, scaled out to 2 (the update step's body).
    let from = "minNodeCount: 0\n              maxNodeCount: 2";
    assert!(text.contains(from));
    crate::support::lab_folders(&sb, "variant");
    let bob = sb.write(
        "variant/04-compute.lab.yaml",
        &text.replace(from, "minNodeCount: 1\n              maxNodeCount: 2"),
    );
    let run = sb.amlab(&["run", bob.to_str().unwrap()]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));

    let out = sb
        .amlab(&[
            "check",
            lab("04-compute.lab.yaml").to_str().unwrap(),
            "--report",
            "json=r.json",
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("r.json")).unwrap()).unwrap();
    let status = |id: &str| {
        report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .map(|s| s["status"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(status("cluster"), "failed", "{text}");
    assert_eq!(status("cluster-update"), "passed", "{text}");
    assert_eq!(status("job"), "passed", "{text}");
    assert_eq!(
        report["score"],
        serde_json::json!({"earned": 20, "possible": 21}),
        "{text}"
    );
}

#[test]
fn cluster_of_another_size_fails_the_vm_size_check() {
    let sb = Sandbox::new();
    // The lab description's own example creates the cluster with --size STANDARD_DS11_V2.
    let text = std::fs::read_to_string(lab("04-compute.lab.yaml")).unwrap();
    let cluster = text.find("  - id: cluster\n").unwrap();
    let (head, tail) = text.split_at(cluster);
    let mistaken = format!(
        "{head}{}",
        tail.replacen("vmSize: STANDARD_DS11_V2", "vmSize: STANDARD_DS3_V2", 1)
    );
    crate::support::lab_folders(&sb, "variant");
    let mistaken = sb.write("variant/04-compute.lab.yaml", &mistaken);
    let run = sb
        .amlab(&["run", mistaken.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", stdout(&run));
    let out = sb
        .amlab(&["check", lab("04-compute.lab.yaml").to_str().unwrap()])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  cluster"), "{text}");
    assert!(
        text.contains("✗ The cluster's nodes are of size STANDARD_DS11_V2 [0/1]"),
        "{text}"
    );
    assert!(
        text.contains("hint: Choose the Standard_DS11_v2 size for the cluster's nodes"),
        "{text}"
    );
    assert!(text.contains("PASS  compute-instance"), "{text}");
}

#[test]
fn missing_datastore_fails_with_not_found() {
    let sb = Sandbox::new();
    // The learner created everything but the datastore (and so not the folder asset on it).
    let text = std::fs::read_to_string(lab("03-data.lab.yaml")).unwrap();
    let cut = |text: &str, from: &str, to: &str| {
        let (start, end) = (text.find(from).unwrap(), text.find(to).unwrap());
        format!("{}{}", &text[..start], &text[end..])
    };
    let without = cut(&text, "  - id: datastore\n", "  - id: data-file\n");
    let without = cut(&without, "  - id: data-folder\n", "  - id: data-table\n");
    let without = without.replace(
        "needs: [data-file, data-folder, data-table]",
        "needs: [data-file, data-table]",
    );
    crate::support::lab_folders(&sb, "variant");
    let partial = sb.write("variant/03-data.lab.yaml", &without);
    let run = sb
        .amlab(&["run", partial.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(1),
        "the list check fails without the folder asset: {}",
        stdout(&run)
    );

    let out = sb
        .amlab(&["check", lab("03-data.lab.yaml").to_str().unwrap()])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  datastore"), "{text}");
    assert!(
        text.contains("resource not found: /subscriptions/"),
        "{text}"
    );
    assert!(text.contains("/datastores/blob_training_data"), "{text}");
    assert!(
        text.contains("hint: Create a datastore of type \"Azure Blob Storage\"."),
        "{text}"
    );
    // The folder asset needs the datastore: skipped, never passed.
    assert!(text.contains("SKIP  data-folder"), "{text}");
    assert!(text.contains("PASS  data-file"), "{text}");
}

#[test]
fn terminal_report_of_a_mistake() {
    let sb = Sandbox::new();
    let mistaken = variant(
        &sb,
        "04-compute.lab.yaml",
        "maxNodeCount: 2",
        "maxNodeCount: 1",
    );
    let fixed = ["--var", "suffix=snap01", "--no-durations"];
    let run = sb
        .amlab(&[&["run", mistaken.as_str()][..], &fixed].concat())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let lab = lab("04-compute.lab.yaml");
    let out = sb
        .amlab(&[&["check", lab.to_str().unwrap()][..], &fixed].concat())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let repo = crate::support::repo().display().to_string();
    insta::with_settings!({filters => vec![(regex_escape(&repo).as_str(), "[REPO]")]}, {
        insta::assert_snapshot!(stdout(&out));
    });
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}
