//! Hostile input (issue 12): learners' submissions and lab files tried as an attacker would.
//!
//! Each case asserts the safe outcome: an injected learner still fails, no byte of a file
//! outside the submission or lab folder reaches any output, hostile labs are exit 2 at
//! file:line:col, hostile submissions are `could_not_check` while the others are graded, and
//! nothing panics, aborts or hangs (every command runs under a timeout).

use std::process::Output;
use std::time::Duration;

use crate::support::{Sandbox, lab, stderr, stdout};

/// Every command here finishes well within this; a hang fails the test instead of blocking it.
const LIMIT: Duration = Duration::from_secs(120);

/// `amlab ARGS` in the sandbox, bounded by [`LIMIT`].
fn run(sb: &Sandbox, args: &[&str]) -> Output {
    sb.amlab(args).timeout(LIMIT).output().unwrap()
}

/// stdout and stderr together.
fn all_output(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

/// The gradebook row of `learner`.
fn row<'a>(json: &'a serde_json::Value, learner: &str) -> &'a serde_json::Value {
    json["learners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["learner"] == learner)
        .unwrap_or_else(|| panic!("no row for {learner}: {json}"))
}

fn gradebook(sb: &Sandbox, name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(sb.path().join(name)).unwrap()).unwrap()
}

// ---- 1. query injection ----------------------------------------------------------------------

#[test]
fn a_query_injection_in_vars_does_not_raise_the_grade() {
    let sb = Sandbox::new();
    let shipped = lab("20-mlops-github.lab.yaml");
    let out = run(
        &sb,
        &[
            "run",
            shipped.to_str().unwrap(),
            "--provisioning-delay",
            "0",
            "--var",
            "suffix=inj1",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    // The learners name a service principal that has no role in their resource group: the
    // role check fails (10 of 13 points), whatever the value tries to add to the query.
    sb.write(
        "subs/honest/vars.yaml",
        "suffix: inj1\nsp_object_id: 11111111-2222-4333-8444-555555555555\n",
    );
    sb.write(
        "subs/injected/vars.yaml",
        "suffix: inj1\nsp_object_id: \"x'] || `[1]` || value[?'x\"\n",
    );
    let out = run(
        &sb,
        &[
            "grade",
            shipped.to_str().unwrap(),
            "--submissions",
            "subs",
            "--gradebook",
            "g.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let json = gradebook(&sb, "g.json");
    for learner in ["honest", "injected"] {
        let r = row(&json, learner);
        assert_eq!(
            (&r["score"], &r["possible"]),
            (&serde_json::json!(10), &serde_json::json!(13)),
            "{learner}: {r}"
        );
    }
}
