//! `check` is read-only: every variant (passing, failing, invalid, refused, recorded, replayed)
//! leaves the emulator state and the remembered parameters byte for byte as they were.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{Sandbox, lab, lab_variant, stderr, stdout};

/// Every file under `.amlab/` with its bytes, by its path there (the lock file included: it
/// must not appear; the blob payloads beside the state file too).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    add_files(&dir.join(".amlab"), "", &mut files);
    files
}

fn add_files(dir: &Path, prefix: &str, files: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = format!("{prefix}{}", path.file_name().unwrap().to_string_lossy());
        if path.is_dir() {
            add_files(&path, &format!("{name}/"), files);
        } else {
            files.insert(name, std::fs::read(&path).unwrap());
        }
    }
}

#[test]
fn no_check_variant_changes_the_state_or_the_remembered_parameters() {
    let sb = Sandbox::new();
    let compute = lab("04-compute.lab.yaml");
    let compute = compute.to_str().unwrap();
    let run = sb.amlab(&["run", compute]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let wrong = lab_variant(
        &sb,
        "04-compute.lab.yaml",
        "equals: diabetes-training",
        "equals: other-experiment",
    );
    let wrong = wrong.to_str().unwrap();
    let other = lab("01-workspace.lab.yaml");
    let other = other.to_str().unwrap();
    sb.write("bad.lab.yaml", "id: x\nsteps: 3\n");
    let before = snapshot(sb.path());
    assert!(before.contains_key("emulator-state.json"), "{before:?}");
    assert!(before.contains_key("params.json"), "{before:?}");

    let variants: [(&[&str], i32); 10] = [
        (&["check", compute], 0),
        (&["check", compute, "--report", "json=r.json"], 0),
        (&["check", compute, "--record", "checked"], 0),
        (&["check", wrong], 1),
        (&["check", compute, "--fresh"], 2),
        (&["check", other], 2),
        (&["check", "bad.lab.yaml"], 2),
        (&["check", compute, "--var", "oops"], 2),
        (&["check", compute, "--report", "xml=r.xml"], 2),
        (&["check", compute, "--replay", "checked"], 0),
    ];
    for (args, code) in variants {
        let out = sb.amlab(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(
            snapshot(sb.path()) == before,
            "`amlab {}` changed .amlab/",
            args.join(" ")
        );
    }
}

#[test]
fn check_refuses_fresh_before_touching_anything() {
    let sb = Sandbox::new();
    let compute = lab("04-compute.lab.yaml");
    let compute = compute.to_str().unwrap();
    let run = sb
        .amlab(&["run", compute, "--var", "suffix=alice1"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let before = snapshot(sb.path());
    let out = sb.amlab(&["check", compute, "--fresh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("check is read-only"),
        "{}",
        stderr(&out)
    );
    assert!(
        snapshot(sb.path()) == before,
        "check --fresh changed .amlab/"
    );
    // The learner's work is still there.
    let out = sb
        .amlab(&["check", compute, "--var", "suffix=alice1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn fresh_with_an_invalid_lab_or_flag_leaves_the_state_alone() {
    let sb = Sandbox::new();
    let compute = lab("04-compute.lab.yaml");
    let compute = compute.to_str().unwrap();
    let run = sb.amlab(&["run", compute]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let before = snapshot(sb.path());
    sb.write("bad.lab.yaml", "id: x\nsteps: 3\n");
    let never_run = lab("01-workspace.lab.yaml");
    for args in [
        &["teardown", never_run.to_str().unwrap(), "--fresh"][..],
        &["run", compute, "bad.lab.yaml", "--fresh"][..],
        &["run", compute, "--fresh", "--var", "="][..],
        &["run", compute, "--fresh", "--report", "xml=r.xml"][..],
        &["teardown", "bad.lab.yaml", "--fresh"][..],
    ] {
        let out = sb.amlab(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            snapshot(sb.path()) == before,
            "`amlab {}` wrote",
            args.join(" ")
        );
    }
}

#[test]
fn check_on_a_missing_state_creates_nothing() {
    let sb = Sandbox::new();
    let out = sb
        .amlab(&[
            "check",
            lab("04-compute.lab.yaml").to_str().unwrap(),
            "--var",
            "suffix=nobody",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(!sb.path().join(".amlab").exists());
}

#[test]
fn serve_fresh_on_an_address_in_use_leaves_the_state_alone() {
    let sb = Sandbox::new();
    let run = sb
        .amlab(&["run", lab("04-compute.lab.yaml").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let before = snapshot(sb.path());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = sb
        .amlab(&[
            "serve",
            "--state",
            ".amlab/emulator-state.json",
            "--fresh",
            "--addr",
            &addr,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot listen"), "{}", stderr(&out));
    assert!(
        snapshot(sb.path()) == before,
        "serve --fresh emptied the state"
    );
}
