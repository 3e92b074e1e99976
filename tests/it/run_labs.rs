//! The shipped labs end to end on the built-in emulator: run, check, teardown.

use crate::support::{Sandbox, lab, repo, stdout};

#[test]
fn readme_first_command_runs_the_workspace_lab() {
    let sb = Sandbox::new();
    let out = sb
        .amlab(&["run", lab("01-workspace.lab.yaml").to_str().unwrap()])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("score 17/17"), "{text}");
    assert!(
        text.contains("8 passed, 0 failed, 0 errors, 0 skipped"),
        "{text}"
    );
}

#[test]
fn run_check_teardown_the_whole_catalog() {
    let sb = Sandbox::new();
    let labs = repo().join("labs/dp100");
    let labs = labs.to_str().unwrap();

    // Jobs take 3.5 provisioning delays: a short delay keeps the whole catalog fast.
    let fast = ["--provisioning-delay", "10ms"];
    let run = sb
        .amlab(&[&["run", labs, "--report", "json=run.json"][..], &fast].concat())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));

    let check = sb
        .amlab(&[&["check", labs, "--report", "json=check.json"][..], &fast].concat())
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("check.json")).unwrap()).unwrap();
    let labs_json = report["labs"].as_array().expect("labs array");
    assert!(labs_json.len() >= 18, "{}", labs_json.len());
    let ids: Vec<&str> = labs_json
        .iter()
        .map(|l| l["lab"]["id"].as_str().unwrap())
        .collect();
    for id in [
        "dp100-05-environments",
        "dp100-18-monitoring",
        "dp100-20-mlops-github",
    ] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    for l in labs_json {
        assert_eq!(l["score"]["earned"], l["score"]["possible"], "{l}");
        assert!(
            l["steps"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["status"] == "passed"),
            "{l}"
        );
    }
    assert_eq!(report["score"]["earned"], report["score"]["possible"]);

    let teardown = sb
        .amlab(&[&["teardown", labs][..], &fast].concat())
        .output()
        .unwrap();
    assert_eq!(teardown.status.code(), Some(0), "{}", stdout(&teardown));
    let state = sb.state();
    let resources = state["resources"]
        .as_object()
        .map_or(0, serde_json::Map::len);
    assert_eq!(resources, 0, "left behind: {}", state["resources"]);

    // After teardown, checking again finds nothing: exit 1 with "not found".
    let after = sb.amlab(&["check", labs]).output().unwrap();
    assert_eq!(after.status.code(), Some(1));
    assert!(
        stdout(&after).contains("resource not found"),
        "{}",
        stdout(&after)
    );
}

#[test]
fn check_sends_only_get_requests() {
    let sb = Sandbox::new();
    let compute = lab("04-compute.lab.yaml");
    let compute = compute.to_str().unwrap();
    assert_eq!(
        sb.amlab(&["run", compute]).output().unwrap().status.code(),
        Some(0)
    );
    assert!(
        sb.requests().iter().any(|(m, _)| m == "PUT"),
        "run sent no PUT"
    );
    // The same world served: what `check` sends is in the server's log.
    let state = sb.path().join(".amlab/emulator-state.json");
    let served = crate::support::Served::start(&["--state", state.to_str().unwrap()]);
    let check = sb
        .amlab(&["check", compute, "--target", &served.url, "--auth", "token"])
        .env("AZURE_ACCESS_TOKEN", served.token())
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    // Every request but the test's own sign-in at the token endpoint.
    let during_check: Vec<_> = served
        .requests()
        .into_iter()
        .filter(|(_, p, _)| !p.contains("/oauth2/"))
        .collect();
    let writes: Vec<_> = during_check.iter().filter(|(m, _, _)| m != "GET").collect();
    assert!(writes.is_empty(), "check sent {writes:?}");
    // One GET per step: check mode reads each resource once.
    assert_eq!(during_check.len(), 9, "{during_check:?}"); // the compute lab has 9 steps
}

#[test]
fn check_without_a_run_needs_the_suffix() {
    let sb = Sandbox::new();
    let out = sb
        .amlab(&["check", lab("04-compute.lab.yaml").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        crate::support::stderr(&out).contains("--var suffix=..."),
        "{}",
        crate::support::stderr(&out)
    );

    // With the suffix named, the missing resources are reported as the learner's failure.
    let out = sb
        .amlab(&[
            "check",
            lab("04-compute.lab.yaml").to_str().unwrap(),
            "--var",
            "suffix=abc123",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("FAIL  resource-group"), "{text}");
    assert!(text.contains("SKIP  workspace"), "{text}");
}
