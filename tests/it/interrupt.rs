//! Ctrl-C: amlab stops sending, writes complete reports with the unfinished steps skipped, and
//! exits 130.

use std::io::BufRead;
use std::process::{Command, Stdio};

use crate::support::{Sandbox, Served, lab};

#[test]
fn ctrl_c_reports_what_finished_and_exits_130() {
    // Every response takes 1.5 s, so the first step is still in flight when Ctrl-C comes.
    let served = Served::start(&["--latency", "1500ms"]);
    let sb = Sandbox::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_amlab"))
        .current_dir(sb.path())
        .args([
            "run",
            lab("01-workspace.lab.yaml").to_str().unwrap(),
            "--target",
            &served.url,
            "--auth",
            "token",
        ])
        .args(["--report", "json=report.json"])
        .env("AZURE_ACCESS_TOKEN", served.token())
        .env("CI", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first stderr line ("amlab: URL as ...") comes after the Ctrl-C handler is installed
    // and before the first request.
    let mut line = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("amlab: "), "{line}");
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{text}");
    assert!(text.contains("interrupted"), "{text}");

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["interrupted"], true);
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 8); // the workspace lab has 8 steps
    assert!(steps.iter().all(|s| s["status"] == "skipped"), "{steps:?}");
    assert!(
        steps.iter().all(|s| s["message"] == "interrupted"),
        "{steps:?}"
    );
    // No temporary file is left beside the report.
    let names: Vec<String> = std::fs::read_dir(sb.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".amlab")
        .collect();
    assert_eq!(names, vec!["report.json".to_owned()]);
}
