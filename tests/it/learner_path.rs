//! The smaller defects of the learner's path (issue 11, item 7): durations with units, pass
//! marks within the lab's points, flags per subcommand, one sign-in error before any step,
//! teardown counts, plural words, no internal error codes, `--quiet`, `grade --var`.

use crate::support::{Sandbox, lab, stderr, stdout, test_lab};

fn lab01() -> String {
    lab("01-workspace.lab.yaml").to_str().unwrap().to_owned()
}

/// `run` of lab 01 in the sandbox, no provisioning delay.
fn run01(sb: &Sandbox) {
    let out = sb
        .amlab(&["run", &lab01(), "--provisioning-delay", "0s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn a_bare_number_is_not_a_duration() {
    let sb = Sandbox::new();
    for (args, flag) in [
        (
            vec!["check", lab01().as_str(), "--timeout", "5"],
            "--timeout",
        ),
        (
            vec!["run", lab01().as_str(), "--provisioning-delay", "50"],
            "--provisioning-delay",
        ),
        (
            vec!["serve", "--provisioning-delay", "50"],
            "--provisioning-delay",
        ),
        (vec!["serve", "--latency", "20"], "--latency"),
    ] {
        let out = sb.amlab(&args).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(flag) && err.contains("has no unit"), "{err}");
        assert!(
            err.contains("write 5s") || err.contains("s for seconds"),
            "{err}"
        );
    }
    // With a unit it is taken as written.
    let out = sb
        .amlab(&[
            "run",
            &lab01(),
            "--timeout",
            "5s",
            "--provisioning-delay",
            "0s",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_pass_mark_above_the_labs_points_is_rejected() {
    let sb = Sandbox::new();
    run01(&sb);
    let out = sb
        .amlab(&["check", &lab01(), "--pass-mark", "50"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--pass-mark 50: more than the 17 points of lab `dp100-01-workspace`"),
        "{err}"
    );
    assert!(stdout(&out).is_empty(), "no step ran: {}", stdout(&out));
    let out = sb
        .amlab(&["check", &lab01(), "--pass-mark", "17"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn teardown_takes_no_scoring_flags() {
    let sb = Sandbox::new();
    run01(&sb);
    let file = lab01();
    for extra in [
        &["--pass-mark", "5"][..],
        &["--reveal"][..],
        &["--report", "junit=t.xml"][..],
        &["--report", "classroom=c.json"][..],
    ] {
        let mut args = vec!["teardown", file.as_str()];
        args.extend_from_slice(extra);
        let out = sb.amlab(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
    }
    assert!(!sb.path().join("t.xml").exists());
    // Its JSON report is still written.
    let out = sb
        .amlab(&["teardown", &file, "--report", "json=t.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(sb.path().join("t.json").exists());
}

#[test]
fn a_second_teardown_counts_what_was_already_absent() {
    let sb = Sandbox::new();
    run01(&sb);
    let teardown = || {
        let out = sb
            .amlab(&["teardown", &lab01(), "--provisioning-delay", "0s"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        stdout(&out)
    };
    let first = teardown();
    assert!(
        first.contains("  7 deleted, 0 already absent, 0 errors"),
        "{first}"
    );
    assert!(first.contains("1 lab torn down, 0 with errors"), "{first}");
    let second = teardown();
    assert!(
        second.contains("  0 deleted, 7 already absent, 0 errors"),
        "{second}"
    );
}

#[test]
fn errors_read_without_internal_codes_and_in_the_right_number() {
    let sb = Sandbox::new();
    sb.write(
        "bad.lab.yaml",
        "id: bad\ntitle: Bad\nsteps:\n  - id: a\n    title: A\n    resource: /subscriptions/${subscription}/x\n    expect:\n      - query: a\n        equals: 1\n        hnt: x\n",
    );
    let out = sb.amlab(&["lint", "bad.lab.yaml"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("amlab::"), "{err}");
    assert!(
        err.trim_start().starts_with("x unknown field `hnt`"),
        "{err}"
    );
    assert!(err.contains("error: 1 problem in the lab files"), "{err}");
    let out = sb.amlab(&["list", &lab01()]).output().unwrap();
    assert!(stdout(&out).ends_with("\n1 lab\n"), "{}", stdout(&out));
}

#[test]
fn without_an_azure_login_one_error_comes_before_any_step() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    // An Azure CLI that is not signed in.
    let az = sb.write(
        "bin/az",
        "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n",
    );
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        sb.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = sb
        .amlab(&[
            "check",
            &lab01(),
            "--target",
            "azure",
            "--subscription",
            "11111111-1111-1111-1111-111111111111",
            "--var",
            "suffix=abc123",
        ])
        .env("PATH", path)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(err.starts_with("error: cannot sign in to azure:"), "{err}");
    assert!(err.contains("az login"), "{err}");
    assert!(
        stdout(&out).is_empty(),
        "no step reported: {}",
        stdout(&out)
    );
}

#[test]
fn quiet_shows_what_did_not_pass_and_the_summary() {
    let sb = Sandbox::new();
    run01(&sb);
    let out = sb.amlab(&["check", &lab01(), "--quiet"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "PASS  check dp100-01-workspace · score 17/17\n1 lab: 1 passed, 0 not passed · 17/17 points\n"
    );
    // The default collapses a passing step to its line: no check lines at all here.
    let out = sb.amlab(&["check", &lab01()]).output().unwrap();
    assert!(!stdout(&out).contains('✓'), "{}", stdout(&out));
    // A failing step is shown in full, passing ones are not.
    let other = lab("04-compute.lab.yaml");
    let out = sb
        .amlab(&[
            "check",
            other.to_str().unwrap(),
            "-q",
            "--var",
            "suffix=none01",
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  resource-group"), "{text}");
    assert!(text.contains("SKIP  job"), "{text}");
    assert!(!text.contains("PASS"), "{text}");
}

#[test]
fn grade_takes_vars_and_a_timeout_and_suggests_names() {
    let sb = Sandbox::new();
    let shipped = test_lab("workspace.lab.yaml");
    let shipped = shipped.to_str().unwrap();
    let out = sb
        .amlab(&[
            "run",
            shipped,
            "--var",
            "suffix=gv1",
            "--provisioning-delay",
            "0s",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // The learner's file names only the location; the suffix comes from --var.
    sb.write("subs/ada/vars.yaml", "location: eastus\n");
    let grade = |extra: &[&str]| {
        let mut args = vec!["grade", shipped, "--submissions", "subs"];
        args.extend_from_slice(extra);
        sb.amlab(&args).output().unwrap()
    };
    let out = grade(&["--var", "suffix=gv1", "--timeout", "30s"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("graded 1 of 1 learner of"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("1 passed"), "{}", stdout(&out));
    let out = grade(&["--var", "sufix=gv1"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("did you mean `suffix`?"), "{err}");
    let out = grade(&["--timeout", "30"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = grade(&["--target", "azur"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("did you mean `azure`?"), "{err}");
}
