//! The learner who did the lab by hand: naming their own resources is enough to check them.

use crate::support::{Sandbox, lab, stdout};

/// The `--var`s naming every resource of lab 04 that `run --var suffix=SUFFIX` created.
pub fn lab04_names(suffix: &str) -> Vec<String> {
    [
        ("resource_group", "rg-dp100-"),
        ("workspace", "mlw-dp100-"),
        ("storage", "stdp100"),
        ("key_vault", "kv-dp100-"),
        ("app_insights", "appi-dp100-"),
        ("compute_instance", "ci"),
    ]
    .iter()
    .flat_map(|(name, prefix)| ["--var".to_owned(), format!("{name}={prefix}{suffix}")])
    .collect()
}

#[test]
fn naming_every_resource_is_enough_without_the_suffix() {
    let sb = Sandbox::new();
    let lab04 = lab("04-compute.lab.yaml");
    let lab04 = lab04.to_str().unwrap();
    let run = sb
        .amlab(&[
            "run",
            lab04,
            "--var",
            "suffix=byhand1",
            "--provisioning-delay",
            "0s",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    // The learner's own machine: nothing remembered.
    let _ = std::fs::remove_file(sb.path().join(".amlab/params.json"));
    let names = lab04_names("byhand1");
    let mut args = vec!["check", lab04];
    args.extend(names.iter().map(String::as_str));
    let check = sb.amlab(&args).output().unwrap();
    let text = stdout(&check);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{text}{}",
        crate::support::stderr(&check)
    );
    assert!(text.contains("score 21/21"), "{text}");
}

#[test]
fn concurrent_runs_keep_every_remembered_suffix() {
    let labs = [
        "01-workspace.lab.yaml",
        "03-data.lab.yaml",
        "04-compute.lab.yaml",
        "05-environments.lab.yaml",
    ];
    for trial in 0..5 {
        let sb = Sandbox::new();
        let children: Vec<_> = labs
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let state = format!(".amlab/state-{i}.json");
                let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_amlab"));
                cmd.current_dir(sb.path())
                    .env_remove("AZURE_SUBSCRIPTION_ID")
                    .env("CI", "true")
                    .args(["run", lab(name).to_str().unwrap(), "--state", &state])
                    .args(["--provisioning-delay", "0s"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null());
                cmd.spawn().unwrap()
            })
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success(), "trial {trial}");
        }
        let text = std::fs::read_to_string(sb.path().join(".amlab/params.json")).unwrap();
        let memory: serde_json::Value = serde_json::from_str(&text).unwrap();
        let kept = memory
            .as_object()
            .unwrap()
            .values()
            .filter(|labs| labs.as_object().is_some_and(|l| !l.is_empty()))
            .count();
        assert_eq!(kept, 4, "trial {trial}: {text}");
    }
}

#[test]
fn a_corrupt_params_file_is_an_error_naming_it() {
    let sb = Sandbox::new();
    let params = sb.write(".amlab/params.json", "{\"emulator\": {\n  oops\n}\n");
    let out = sb
        .amlab(&["run", lab("01-workspace.lab.yaml").to_str().unwrap()])
        .output()
        .unwrap();
    let err = crate::support::stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains(".amlab/params.json:2:3"), "{err}");
    // Nothing was run, and the file is left as it was for the learner to repair.
    assert_eq!(
        std::fs::read_to_string(&params).unwrap(),
        "{\"emulator\": {\n  oops\n}\n"
    );
}

#[test]
fn check_reads_the_default_state_while_serve_has_it_open() {
    let sb = Sandbox::new();
    let lab01 = lab("01-workspace.lab.yaml");
    let lab01 = lab01.to_str().unwrap();
    let run = sb
        .amlab(&["run", lab01, "--provisioning-delay", "0s"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let state = sb.path().join(".amlab/emulator-state.json");
    let before = std::fs::read(&state).unwrap();
    let served = crate::support::Served::start(&["--state", state.to_str().unwrap()]);
    let check = sb.amlab(&["check", lab01]).output().unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        stdout(&check),
        crate::support::stderr(&check)
    );
    // `run` still needs the state to itself.
    let run = sb.amlab(&["run", lab01]).output().unwrap();
    assert_eq!(run.status.code(), Some(3), "{}", stdout(&run));
    assert!(
        crate::support::stderr(&run).contains("in use by another amlab process"),
        "{}",
        crate::support::stderr(&run)
    );
    drop(served);
    assert_eq!(
        std::fs::read(&state).unwrap(),
        before,
        "check wrote the state"
    );
}

#[test]
fn a_served_world_is_remembered_by_its_id_not_its_port() {
    let sb = Sandbox::new();
    let lab01 = lab("01-workspace.lab.yaml");
    let lab01 = lab01.to_str().unwrap();
    let state = sb.path().join("served-state.json");
    let state = state.to_str().unwrap();
    let first = crate::support::Served::start(&["--state", state, "--provisioning-delay", "0s"]);
    let run = sb
        .amlab(&["run", lab01, "--target", &first.url])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let first_url = first.url.clone();
    drop(first);
    // The same world on another port (port 0 picks a new one).
    let second = crate::support::Served::start(&["--state", state]);
    assert_ne!(second.url, first_url);
    let check = sb
        .amlab(&["check", lab01, "--target", &second.url])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        stdout(&check),
        crate::support::stderr(&check)
    );
    // A different world (a fresh server) does not inherit the names.
    let other = crate::support::Served::start(&[]);
    let check = sb
        .amlab(&["check", lab01, "--target", &other.url])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2), "{}", stdout(&check));
}
