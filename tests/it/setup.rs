//! `amlab setup LAB`: applies the workspace, the steps it needs and the lab's `setup:` steps,
//! nothing else, then writes the `config.json` that `MLClient.from_config()` reads.

use crate::support::{self, Sandbox, lab, stderr, stdout};

fn lab09() -> String {
    lab("09-command-job.lab.yaml").to_str().unwrap().to_owned()
}

fn resource_ids(sb: &Sandbox) -> Vec<String> {
    let state = sb.state();
    let resources = state["world"]["resources"]
        .as_object()
        .or_else(|| state["resources"].as_object())
        .expect("resources in the state file");
    resources
        .values()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn setup_applies_the_setup_steps_only_and_writes_config_json() {
    let sb = Sandbox::new();
    let out = sb
        .amlab(&[
            "setup",
            &lab09(),
            "--var",
            "suffix=set001",
            "--config",
            "nb/config.json",
            "--provisioning-delay",
            "0s",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("nb/config.json")).unwrap()).unwrap();
    assert_eq!(config["resource_group"], "rg-dp100-set001");
    assert_eq!(config["workspace_name"], "mlw-dp100-set001");
    let sub = config["subscription_id"].as_str().unwrap();
    let ids = resource_ids(&sb);
    let ws = format!(
        "/subscriptions/{sub}/resourceGroups/rg-dp100-set001/providers/Microsoft.MachineLearningServices/workspaces/mlw-dp100-set001"
    );
    assert!(ids.iter().any(|i| i.eq_ignore_ascii_case(&ws)), "{ids:?}");
    // The lab's `setup: [cluster]` is applied; the learner's job is not.
    assert!(
        ids.iter().any(|i| i.ends_with("/computes/aml-cluster")),
        "{ids:?}"
    );
    assert!(!ids.iter().any(|i| i.contains("/jobs/")), "{ids:?}");
    // What setup made passes its checks; the learner's step is still to do.
    let check = |step: &str| {
        sb.amlab(&["check", &lab09(), "--var", "suffix=set001", "--step", step])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(check("cluster"), Some(0));
    assert_eq!(check("command-job"), Some(1));
}

#[test]
fn setup_takes_one_lab() {
    let sb = Sandbox::new();
    let out = sb
        .amlab(&[
            "setup",
            &lab09(),
            &lab("11-sweep.lab.yaml").to_string_lossy(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("setup prepares one lab; 2 labs were found"),
        "{}",
        stderr(&out)
    );
    assert!(!sb.path().join("config.json").exists());
}

#[test]
fn a_setup_list_naming_no_step_is_a_lint_error() {
    let sb = Sandbox::new();
    let path = support::lab_variant(
        &sb,
        "09-command-job.lab.yaml",
        "setup: [cluster]",
        "setup: [clustr]",
    );
    let out = sb
        .amlab(&["lint", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("setup names unknown step `clustr`") && err.contains("cluster"),
        "{err}"
    );
}

/// A lab with neither a workspace nor a `setup:` list has nothing to set up: a usage error.
#[test]
fn setup_of_a_lab_with_nothing_to_set_up_is_refused() {
    let sb = Sandbox::new();
    let path = sb.write(
        "rg.lab.yaml",
        "id: rg-only\ntitle: RG\nsteps:\n  - id: rg\n    title: RG\n    resource: /subscriptions/${subscription}/resourceGroups/rg-1\n    create: {body: {location: eastus}}\n",
    );
    let out = sb
        .amlab(&["setup", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("no Azure Machine Learning workspace step and no `setup:` list"),
        "{}",
        stderr(&out)
    );
    assert!(!sb.path().join("config.json").exists());
}
