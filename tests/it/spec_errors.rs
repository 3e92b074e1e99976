//! Spec errors through the real binary: every independent mistake of a spec at once, each with
//! file, line and column, from `amlab spec` (exit 2) and from `amlab lint`/`run` of a lab whose
//! step uses the spec (with the lab's own errors); and values read as the SDK's PyYAML reads them.

use serde_json::Value;

use crate::support::{Sandbox, stderr, stdout};

/// A compute spec with five independent mistakes (lines 4, 5, 7, 8 and 9).
const BAD_COMPUTE: &str = "\
$schema: https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json
name: cpu-cluster
type: amlcompute
sise: STANDARD_DS11_V2
min_instances: zero
max_instances: 2
tier: cheap
idle_time_before_scale_down: 2m
tags: {owner: no}
";

/// The five errors of [`BAD_COMPUTE`], as `file:line:col: message`, in file order.
const BAD_COMPUTE_ERRORS: [&str; 5] = [
    "bad.yml:4:1: unknown field `sise`",
    "bad.yml:5:16: `min_instances` must be an integer, found `zero`",
    "bad.yml:7:7: `tier` must be one of dedicated, low_priority, found `cheap`",
    "bad.yml:8:30: `idle_time_before_scale_down` must be a whole number of seconds, found `2m`",
    "bad.yml:9:15: `tags.owner` must be a string, found a boolean",
];

/// The byte offset in `text` of each of `needles`, asserting they appear in this order.
fn in_order(text: &str, needles: &[&str]) {
    let mut from = 0;
    for n in needles {
        let at = text[from..]
            .find(n)
            .unwrap_or_else(|| panic!("{n:?} not found (in order) in:\n{text}"));
        from += at + n.len();
    }
}

#[test]
fn amlab_spec_reports_every_mistake_with_file_line_and_column() {
    let sb = Sandbox::new();
    sb.write("bad.yml", BAD_COMPUTE);
    let out = sb.amlab(&["spec", "bad.yml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    in_order(&err, &BAD_COMPUTE_ERRORS);
    // What would be valid, next to each.
    in_order(
        &err,
        &[
            "did you mean `size`?",
            "`tier` must be one of dedicated, low_priority",
            "write the duration in seconds",
            "quote the value to keep it as text",
        ],
    );
    assert!(err.contains("error: 5 problems in bad.yml"), "{err}");
}

/// A lab with one error of its own (`needs` names no step) and a step using `bad.yml`.
const LAB: &str = "\
id: x
title: X
params:
  resource_group: {default: rg}
  workspace: {default: ws}
  location: {default: eastus}
steps:
  - id: cluster
    title: Cluster
    needs: [nope]
    resource: /subscriptions/${subscription}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/computes/cpu-cluster
    create:
      spec: bad.yml
";

#[test]
fn lint_reports_the_specs_errors_with_the_labs_own() {
    let sb = Sandbox::new();
    sb.write("bad.yml", BAD_COMPUTE);
    sb.write("x.lab.yaml", LAB);
    let out = sb.amlab(&["lint", "x.lab.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    let mut expected = vec!["unknown step `nope`", "[x.lab.yaml:10:"];
    expected.extend(BAD_COMPUTE_ERRORS);
    in_order(&err, &expected);
    // Each spec error is its own diagnostic with the spec's source and caret, naming the step.
    let diagnostics = err.lines().filter(|l| l.starts_with("  x ")).count();
    assert_eq!(diagnostics, 6, "{err}");
    assert!(!err.contains("amlab::lab::"), "{err}");
    assert!(err.contains("[bad.yml:7:7]"), "{err}");
    assert!(err.contains("the spec of step `cluster`"), "{err}");
    assert!(err.contains("6 problems"), "{err}");
}

#[test]
fn run_refuses_the_lab_with_every_spec_error_before_any_request() {
    let sb = Sandbox::new();
    sb.write("bad.yml", BAD_COMPUTE);
    sb.write("x.lab.yaml", &LAB.replace("    needs: [nope]\n", ""));
    let out = sb.amlab(&["run", "x.lab.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    in_order(&stderr(&out), &BAD_COMPUTE_ERRORS);
    let state = sb.path().join(".amlab/emulator-state.json");
    assert!(
        !state.exists() || sb.requests().iter().all(|(m, _)| m == "GET"),
        "a request was sent"
    );
}

#[test]
fn y_and_n_stay_text_and_yes_on_off_are_booleans_as_in_pyyaml() {
    let sb = Sandbox::new();
    sb.write(
        "model.yml",
        "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: n\nversion: 1\npath: azureml://datastores/workspaceblobstore/paths/m\ntags: {a: y, b: yes, c: 'on', d: Off, e: N}\n",
    );
    let out = sb.amlab(&["spec", "model.yml"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let got: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        got["resource"]
            .as_str()
            .unwrap()
            .ends_with("/models/n/versions/1")
    );
    // The SDK sends model tags as Python's str() of what PyYAML read.
    assert_eq!(
        got["body"]["properties"]["tags"],
        serde_json::json!({"a": "y", "b": "True", "c": "on", "d": "False", "e": "N"})
    );
}

#[test]
fn values_given_to_run_are_checked_in_the_spec_with_every_error_reported() {
    let sb = Sandbox::new();
    sb.write(
        "cluster.yml",
        "$schema: https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json\nname: cpu-cluster\ntype: amlcompute\ntier: ${tier}\nmax_instances: ${max}\n",
    );
    sb.write(
        "r.lab.yaml",
        "id: r\ntitle: R\nparams:\n  resource_group: {default: rg}\n  workspace: {default: ws}\n  location: {default: eastus}\n  tier: {default: dedicated}\n  max: {default: \"2\"}\nsteps:\n  - id: cluster\n    title: Cluster\n    resource: /subscriptions/${subscription}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/computes/cpu-cluster\n    create:\n      spec: cluster.yml\n",
    );
    let lint = sb.amlab(&["lint", "r.lab.yaml"]).output().unwrap();
    assert_eq!(lint.status.code(), Some(0), "{}", stderr(&lint));
    let out = sb
        .amlab(&[
            "run",
            "r.lab.yaml",
            "--var",
            "tier=cheap",
            "--var",
            "max=lots",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    in_order(
        &stderr(&out),
        &[
            "cluster.yml:4:7: `tier` must be one of dedicated, low_priority, found `cheap`",
            "cluster.yml:5:16: `max_instances` must be an integer, found `lots`",
            "2 problems",
        ],
    );
}
