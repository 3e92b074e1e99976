//! The emulator's world lasts between commands in its state file; a corrupt file is a clear
//! error (exit 3) and `--fresh` starts over.

use crate::support::{Sandbox, lab, stderr, stdout};

#[test]
fn corrupt_state_is_a_clear_error_and_fresh_recovers() {
    let sb = Sandbox::new();
    sb.write(".amlab/emulator-state.json", "{ this is not json");
    let lab = lab("01-workspace.lab.yaml");
    let lab = lab.to_str().unwrap();

    let out = sb.amlab(&["run", lab]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("emulator-state.json"), "{err}");
    assert!(err.contains("--fresh"), "{err}");

    let out = sb.amlab(&["run", lab, "--fresh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(sb.state()["version"], 1);
}

#[test]
fn separate_commands_share_the_world_and_the_suffix() {
    let sb = Sandbox::new();
    let lab = lab("01-workspace.lab.yaml");
    let lab = lab.to_str().unwrap();
    assert_eq!(
        sb.amlab(&["run", lab]).output().unwrap().status.code(),
        Some(0)
    );
    let params: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.path().join(".amlab/params.json")).unwrap())
            .unwrap();
    // Keyed by the world's id (what `amlab serve` of the same state file reports too).
    let world = sb.state()["world_id"].as_str().unwrap().to_owned();
    let key = format!("world:{world}:00000000-0000-0000-0000-000000000000");
    let suffix = params[key.as_str()]["dp100-01-workspace"]["suffix"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(suffix.len(), 6);

    let out = sb
        .amlab(&["check", lab, "--report", "json=r.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("r.json")).unwrap()).unwrap();
    let rg = &report["steps"][0]["resource"];
    assert!(
        rg.as_str()
            .unwrap()
            .ends_with(&format!("/resourceGroups/rg-dp100-{suffix}")),
        "{rg}"
    );
}
