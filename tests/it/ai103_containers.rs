//! The AI services container lab (`labs/ai103/18-ai-services-container.lab.yaml`) keeps the
//! container's key secret: a key given with `--var api_key=...` goes to the emulator as a
//! `secureValue` and is found in no output, report, recording or file amlab writes.

use std::path::Path;

use crate::support::{Sandbox, repo, stderr, stdout};

const PLANTED: &str = "PLANTEDaciKEY0123456789abcdef";

/// Every file under `dir` that contains `needle`.
fn files_with(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            found.extend(files_with(&p, needle));
        } else if std::fs::read(&p)
            .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        {
            found.push(p.display().to_string());
        }
    }
    found
}

#[test]
fn the_container_key_reaches_no_output_report_recording_or_file() {
    let sb = Sandbox::new();
    let lab = repo().join("labs/ai103/18-ai-services-container.lab.yaml");
    let lab = lab.to_str().unwrap();
    let var = format!("api_key={PLANTED}");
    let fast = ["--provisioning-delay", "10ms"];
    let runs = [
        vec![
            "run",
            lab,
            "--var",
            &var,
            "--report",
            "json=run.json",
            "--report",
            "junit=run.xml",
        ],
        vec![
            "check",
            lab,
            "--var",
            &var,
            "--report",
            "json=check.json",
            "--record",
            "rec",
        ],
    ];
    for args in runs {
        let out = sb.amlab(&[&args[..], &fast[..]].concat()).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert!(!stdout(&out).contains(PLANTED) && !stderr(&out).contains(PLANTED));
    }
    // The emulator did receive it: the group's ApiKey is a secure value (name only).
    let state = sb.state();
    let text = state.to_string();
    assert!(text.contains("\"ApiKey\""), "{text}");
    assert_eq!(files_with(sb.path(), PLANTED), Vec::<String>::new());
}
