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
    let params = sb.path().join(".amlab/params.json");
    let params_before = std::fs::read(&params).unwrap();
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
    assert_eq!(
        std::fs::read(&params).unwrap(),
        params_before,
        "check wrote params.json"
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
        .amlab(&["run", lab01, "--target", &first.url, "--auth", "token"])
        .env("AZURE_ACCESS_TOKEN", first.token())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let first_url = first.url.clone();
    drop(first);
    // The same world on another port (port 0 picks a new one).
    let second = crate::support::Served::start(&["--state", state]);
    assert_ne!(second.url, first_url);
    let check = sb
        .amlab(&["check", lab01, "--target", &second.url, "--auth", "token"])
        .env("AZURE_ACCESS_TOKEN", second.token())
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
        .amlab(&["check", lab01, "--target", &other.url, "--auth", "token"])
        .env("AZURE_ACCESS_TOKEN", other.token())
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2), "{}", stdout(&check));
}

const WATCHED: &str = r#"id: watch-demo
title: Watch
params:
  rg: {default: rg-watch}
steps:
  - id: rg
    title: The resource group
    resource: /subscriptions/${subscription}/resourceGroups/${rg}
    create: {body: {location: eastus}}
    expect:
      - query: location
        equals: eastus
  - id: storage
    title: The storage account
    needs: [rg]
    resource: /subscriptions/${subscription}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/stwatch1
    create: {body: {location: eastus, kind: StorageV2, sku: {name: Standard_LRS}}}
    expect:
      - query: kind
        equals: StorageV2
        hint: Create a general-purpose v2 account.
"#;

/// The watched lab, and the same lab with only its first step done.
fn watched(sb: &Sandbox) -> (String, String) {
    let full = sb.write("w.lab.yaml", WATCHED);
    let first = WATCHED[..WATCHED.find("  - id: storage").unwrap()].to_owned();
    let first = sb.write("first/w.lab.yaml", &first);
    let run = sb
        .amlab(&["run", first.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    (
        full.to_str().unwrap().to_owned(),
        first.to_str().unwrap().to_owned(),
    )
}

/// Spawns `amlab check LAB --watch ARGS` in the sandbox, stdout piped. A watchdog kills it
/// after two minutes, so a watch that never ends fails the test instead of hanging it.
fn spawn_watch(sb: &Sandbox, lab: &str, args: &[&str]) -> std::process::Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_amlab"))
        .current_dir(sb.path())
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .args(["check", lab, "--watch"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(120));
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status();
    });
    child
}

/// Reads lines until one starts with `prefix` (the watch loop has finished a round).
fn read_until(reader: &mut impl std::io::BufRead, prefix: &str, seen: &mut String) {
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "output ended before {prefix:?}:\n{seen}"
        );
        seen.push_str(&line);
        if line.starts_with(prefix) {
            return;
        }
    }
}

#[test]
fn watch_rechecks_until_every_check_passes_and_shows_what_changed() {
    let sb = Sandbox::new();
    let (full, _) = watched(&sb);
    let mut child = spawn_watch(&sb, &full, &["--interval", "100ms"]);
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    // Round 1 on the default emulator: the storage account is missing.
    read_until(&mut reader, "watching: checking again in 100ms", &mut seen);
    assert!(seen.contains("FAIL  storage"), "{seen}");
    // The learner creates it meanwhile (here with amlab run; the check holds no lock).
    let run = sb.amlab(&["run", &full]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    read_until(&mut reader, "every check passes", &mut seen);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{seen}");
    assert!(
        seen.contains("  watch-demo storage: FAIL → PASS  [1/1]"),
        "{seen}"
    );
    assert!(seen.contains("points 1/2 → 2/2"), "{seen}");
}

#[test]
fn watch_stops_on_ctrl_c_with_130() {
    let sb = Sandbox::new();
    let (full, _) = watched(&sb);
    let mut child = spawn_watch(&sb, &full, &[]);
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    // The default interval: the test interrupts the wait, it never waits it out.
    read_until(&mut reader, "watching: checking again in 5s", &mut seen);
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen}");
}

#[test]
fn step_checks_only_the_steps_named_and_suggests_unknown_ones() {
    let sb = Sandbox::new();
    let (full, _) = watched(&sb);
    let out = sb
        .amlab(&["check", &full, "--step", "rg"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("PASS  rg") && !text.contains("storage"),
        "{text}"
    );
    // The lab's pass mark of 2 points was set for both steps: the one named passes alone.
    let marked = sb.write(
        "marked/w.lab.yaml",
        &WATCHED.replace("title: Watch\n", "title: Watch\npass_mark: 2\n"),
    );
    let out = sb
        .amlab(&["check", marked.to_str().unwrap(), "--step", "rg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = sb
        .amlab(&["check", &full, "--step", "storag"])
        .output()
        .unwrap();
    let err = crate::support::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--step storag: no such step; did you mean `storage`?"),
        "{err}"
    );
    assert!(err.contains("steps: `rg`, `storage`"), "{err}");
}
