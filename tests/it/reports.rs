//! Reports for CI and classrooms: JUnit validated against the Jenkins schema, GitHub
//! annotations and summary, the Classroom result, pass marks and check visibility, all from one
//! run with several `--report` flags.

use crate::junit_schema::validate_junit;
use crate::support::{Sandbox, lab, stdout, test_lab};

fn read(sb: &Sandbox, name: &str) -> String {
    std::fs::read_to_string(sb.path().join(name)).unwrap()
}

#[test]
fn junit_failures_skips_and_errors_validate_against_the_jenkins_schema() {
    let sb = Sandbox::new();
    let workspace = test_lab("workspace.lab.yaml");
    let workspace = workspace.to_str().unwrap();
    let compute = lab("04-compute.lab.yaml");
    let compute = compute.to_str().unwrap();
    sb.amlab(&[
        "run",
        workspace,
        "--var",
        "suffix=ju1",
        "--provisioning-delay",
        "0",
    ])
    .assert()
    .code(0);
    // A wrong location fails the resource group's check; the compute lab's resources beyond the
    // workspace were never made, so they fail as not found or are skipped; two labs at once.
    let out = sb
        .amlab(&[
            "check",
            workspace,
            compute,
            "--var",
            "suffix=ju1",
            "--var",
            "location=westus",
            "--report",
            "junit=out/junit.xml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    validate_junit(&sb.path().join("out/junit.xml"));
    let xml = read(&sb, "out/junit.xml");
    assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");
    assert!(
        xml.contains(
            r#"<testcase name="resource-group: location" classname="dp100-01-workspace">"#
        ),
        "{xml}"
    );
    // The failure text is in the body (GitLab ignores the attribute), hint included.
    assert!(
        xml.contains(
            "expected &quot;westus&quot;, got &quot;eastus&quot;\nhint: Create the resource group"
        ),
        "{xml}"
    );
    assert!(
        xml.contains("<skipped message=\"needs cluster (not found) which does not exist"),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<property name="points.cluster" value="0/4"/>"#),
        "{xml}"
    );

    // Nothing listening: every step is an <error>, not a <failure>.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = sb
        .amlab(&[
            "check",
            workspace,
            "--var",
            "suffix=ju1",
            "--retries",
            "0",
            "--target",
            &format!("http://127.0.0.1:{port}"),
            "--report",
            "junit=err.xml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    validate_junit(&sb.path().join("err.xml"));
    let xml = read(&sb, "err.xml");
    assert!(xml.contains("<error message=\"connection failed"), "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
}

const VISIBILITY_LAB: &str = r#"id: visibility
title: Visibility
pass_mark: "50%"
params:
  suffix: {default: vis}
steps:
  - id: rg
    title: Resource group
    resource: "/subscriptions/${subscription}/resourceGroups/rg-${suffix}"
    create: {body: {location: eastus}}
    expect:
      - title: full check
        query: location
        equals: SECRET-FULL
        points: 1
      - title: actual check
        query: location
        equals: SECRET-ACTUAL
        visibility: actual
        points: 1
      - title: none check
        query: tags
        equals: SECRET-NONE
        visibility: none
        hint: think about the tags
        points: 1
      - title: HIDDEN-TITLE
        query: location
        equals: SECRET-HIDDEN
        visibility: hidden
        hint: HIDDEN-HINT
        points: 1
      - title: the region
        query: location
        equals: eastus
        points: 4
"#;

#[test]
fn visibility_is_applied_to_every_report_and_reveal_lifts_it() {
    let sb = Sandbox::new();
    let lab_file = sb.write("vis.lab.yaml", VISIBILITY_LAB);
    let reports = [
        "--report",
        "json=r.json",
        "--report",
        "junit=r.xml",
        "--report",
        "github=r.md",
        "--report",
        "classroom=c.json",
        "--report",
        "html=r.html",
    ];
    let mut args = vec!["run", lab_file.to_str().unwrap()];
    args.extend_from_slice(&reports);
    let out = sb.amlab(&args).output().unwrap();
    // 4 of 8 points meets the lab's 50% pass mark: exit 0 although checks failed.
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let outputs = [
        ("stdout", stdout(&out)),
        ("json", read(&sb, "r.json")),
        ("junit", read(&sb, "r.xml")),
        ("github", read(&sb, "r.md")),
        ("classroom", read(&sb, "c.json")),
        ("html", read(&sb, "r.html")),
    ];
    for (name, text) in &outputs {
        for secret in [
            "SECRET-ACTUAL",
            "SECRET-NONE",
            "SECRET-HIDDEN",
            "HIDDEN-TITLE",
            "HIDDEN-HINT",
        ] {
            assert!(!text.contains(secret), "{name} shows {secret}:\n{text}");
        }
        assert!(
            text.contains("SECRET-FULL"),
            "{name} hides a full check:\n{text}"
        );
        assert!(
            text.contains("think about the tags"),
            "{name} hides a hint:\n{text}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&outputs[1].1).unwrap();
    assert_eq!(
        json["score"],
        serde_json::json!({"earned": 4, "possible": 8})
    );
    assert_eq!(json["passed"], true);
    assert_eq!(json["pass_mark"], "50%");
    let step = &json["steps"][0];
    assert_eq!(step["hidden_checks"], 1);
    assert_eq!(step["checks"].as_array().unwrap().len(), 4);
    // `actual`: the actual value without the expected one.
    assert_eq!(step["checks"][1]["actual"], "eastus");
    assert_eq!(step["checks"][1]["message"], "got \"eastus\"");
    assert!(step["checks"][1].get("expected").is_none());
    // `none`: neither.
    assert!(
        step["checks"][2].get("actual").is_none() && step["checks"][2].get("message").is_none()
    );
    assert!(
        outputs[0]
            .1
            .contains("1 hidden check (counted in the points)")
    );

    // --pass-mark overrides the lab's: 100% is not met, exit 1.
    let mut args = vec![
        "check",
        lab_file.to_str().unwrap(),
        "--pass-mark",
        "100%",
        "--reveal",
    ];
    args.extend_from_slice(&reports);
    let out = sb.amlab(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    for file in ["r.json", "r.xml", "r.md", "c.json", "r.html"] {
        let text = read(&sb, file);
        for secret in [
            "SECRET-ACTUAL",
            "SECRET-NONE",
            "SECRET-HIDDEN",
            "HIDDEN-TITLE",
        ] {
            assert!(
                text.contains(secret),
                "--reveal: {file} lacks {secret}:\n{text}"
            );
        }
    }
    validate_junit(&sb.path().join("r.xml"));
}

#[test]
fn github_annotations_point_at_the_check_line_and_classroom_sums_points() {
    let sb = Sandbox::new();
    let workspace = test_lab("workspace.lab.yaml");
    let workspace = workspace.to_str().unwrap();
    sb.amlab(&[
        "run",
        workspace,
        "--var",
        "suffix=gh1",
        "--provisioning-delay",
        "0",
    ])
    .assert()
    .code(0);
    let out = sb
        .amlab(&[
            "check",
            workspace,
            "--var",
            "suffix=gh1",
            "--var",
            "location=westus",
            "--report",
            "github",
            "--report",
            "classroom=c.json",
        ])
        .env("GITHUB_STEP_SUMMARY", sb.path().join("summary.md"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let line = std::fs::read_to_string(test_lab("workspace.lab.yaml"))
        .unwrap()
        .lines()
        .position(|l| l.trim() == "- query: location")
        .unwrap()
        + 1;
    assert!(
        text.contains(&format!(
            "::error file={workspace},line={line},title=dp100-01-workspace › resource-group%3A location [0/1]::expected \"westus\", got \"eastus\"%0Ahint: "
        )),
        "{text}"
    );
    let summary = read(&sb, "summary.md");
    assert!(
        summary.starts_with("## amlab: 0 of 1 lab passed · 7/8 points"),
        "{summary}"
    );
    let classroom: serde_json::Value = serde_json::from_str(&read(&sb, "c.json")).unwrap();
    assert_eq!(classroom["version"], 1);
    assert_eq!(classroom["status"], "fail");
    assert_eq!(classroom["max_score"], 8);
    let tests = classroom["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 6);
    let sum: u64 = tests.iter().map(|t| t["max_score"].as_u64().unwrap()).sum();
    assert_eq!(sum, 8);
    // The resource group exists (in another region): the steps that need it are scored.
    let statuses: Vec<&str> = tests
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["fail", "pass", "pass", "pass", "pass", "pass"]);
    assert_eq!(tests[0]["line_no"], line);

    // Nothing of the lab exists under another suffix: the steps that need the missing resource
    // group are skipped, and a skipped step is never a passed test.
    let out = sb
        .amlab(&[
            "check",
            workspace,
            "--var",
            "suffix=none1",
            "--report",
            "classroom=c2.json",
            "--report",
            "json=r2.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&read(&sb, "r2.json")).unwrap();
    assert!(
        report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["status"] == "skipped"),
        "{report}"
    );
    let classroom: serde_json::Value = serde_json::from_str(&read(&sb, "c2.json")).unwrap();
    assert!(
        classroom["tests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "fail"),
        "skipped is never pass"
    );

    // `github` without GITHUB_STEP_SUMMARY is a usage error.
    let out = sb
        .amlab(&[
            "check",
            workspace,
            "--var",
            "suffix=gh1",
            "--report",
            "github",
        ])
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_impossible_pass_mark_is_a_located_lab_error() {
    let sb = Sandbox::new();
    let text = VISIBILITY_LAB.replace("pass_mark: \"50%\"", "pass_mark: 12");
    let file = sb.write("bad.lab.yaml", &text);
    let out = sb
        .amlab(&["lint", file.to_str().unwrap()])
        .output()
        .unwrap();
    let err = crate::support::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("pass mark of 12 points is more than the lab's 8 possible points"),
        "{err}"
    );
    assert!(err.contains("bad.lab.yaml:3:"), "{err}");
    let file = sb.write(
        "pct.lab.yaml",
        &VISIBILITY_LAB.replace("\"50%\"", "\"150%\""),
    );
    let out = sb
        .amlab(&["lint", file.to_str().unwrap()])
        .output()
        .unwrap();
    let err = crate::support::stderr(&out);
    assert!(err.contains("between 0% and 100%"), "{err}");
}
