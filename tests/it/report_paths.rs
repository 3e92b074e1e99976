//! Where reports go: a symlink is written through (and kept), a FIFO or `/dev/fd/N` is written
//! in place, `-` is standard output for every format (one at a time), and a closed stdout pipe
//! (`amlab check ... | head -1`) keeps the verdict's exit code.

use std::io::Read;
use std::process::Stdio;

use crate::support::{Sandbox, lab, stderr, stdout};

/// A sandbox where lab 04 was run, and the lab's path.
fn ran() -> (Sandbox, String) {
    let sb = Sandbox::new();
    let compute = lab("04-compute.lab.yaml").to_str().unwrap().to_owned();
    let run = sb.amlab(&["run", &compute]).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    (sb, compute)
}

fn score(report: &serde_json::Value) -> &serde_json::Value {
    &report["score"]
}

#[cfg(unix)]
#[test]
fn a_symlinked_report_path_is_written_through_and_kept() {
    let (sb, compute) = ran();
    std::fs::create_dir_all(sb.path().join("real")).unwrap();
    std::os::unix::fs::symlink("real/check.json", sb.path().join("link.json")).unwrap();
    let out = sb
        .amlab(&["check", &compute, "--report", "json=link.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let link = std::fs::symlink_metadata(sb.path().join("link.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("real/check.json")).unwrap()).unwrap();
    assert_eq!(
        score(&report),
        &serde_json::json!({"earned": 21, "possible": 21})
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_written_in_place_for_its_reader() {
    let (sb, compute) = ran();
    let fifo = sb.path().join("report.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(&fifo)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    let out = sb
        .amlab(&["check", &compute, "--report", "junit=report.fifo"])
        .output()
        .unwrap();
    // Checked before joining: a replaced FIFO would leave the reader waiting for a writer.
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(
        std::os::unix::fs::FileTypeExt::is_fifo(&kind),
        "the FIFO was replaced"
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let xml = reader.join().unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("dp100-04-compute"), "{xml}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_dev_fd_path_is_written_to_the_descriptor() {
    let (sb, compute) = ran();
    // `json=/dev/fd/2` with stderr a pipe: what `json=>(jq .)` hands amlab.
    let out = sb
        .amlab(&["check", &compute, "--report", "json=/dev/fd/2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stderr(&out);
    let json = &text[text.find('{').unwrap()..];
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(
        score(&report),
        &serde_json::json!({"earned": 21, "possible": 21})
    );
}

#[test]
fn dash_is_standard_output_and_the_terminal_report_moves_to_stderr() {
    let (sb, compute) = ran();
    let out = sb
        .amlab(&["check", &compute, "--report", "json=-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    assert_eq!(
        score(&report),
        &serde_json::json!({"earned": 21, "possible": 21})
    );
    assert!(stderr(&out).contains("score 21/21"), "{}", stderr(&out));
    assert!(!sb.path().join("-").exists(), "a file named - was written");

    let out = sb
        .amlab(&["check", &compute, "--report", "junit=-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("<?xml"), "{}", stdout(&out));

    let out = sb
        .amlab(&[
            "check",
            &compute,
            "--report",
            "json=-",
            "--report",
            "classroom=-",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("only one report can go to standard output"),
        "{}",
        stderr(&out)
    );
}

/// `amlab check ... | head -1` where `head` is already gone: every write to stdout fails with
/// EPIPE, and the verdict still decides the exit code.
#[test]
fn a_closed_stdout_pipe_keeps_the_verdict() {
    let (sb, compute) = ran();
    let wrong = crate::support::lab_variant(
        &sb,
        "04-compute.lab.yaml",
        "equals: diabetes-training",
        "equals: other-experiment",
    );
    let wrong = wrong.to_str().unwrap();
    for (path, report, code) in [
        (compute.as_str(), "json=r.json", 0),
        (wrong, "json=r.json", 1),
        (compute.as_str(), "json=-", 0),
        (wrong, "github=-", 1),
    ] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_amlab"));
        cmd.current_dir(sb.path())
            .env("NO_COLOR", "1")
            .env("CI", "true")
            .args(["check", path, "--report", report])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        drop(child.stdout.take()); // the reader is gone before amlab writes anything
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{path} {report}: {err}");
    }
}
