//! Broken fixtures: `amlab check --replay` of a recording that is not a valid test-proxy file
//! exits 3 (amlab could not check), names the file, and never panics.

use crate::support::{Sandbox, lab, repo, stderr, stdout};

/// The shipped reference recording of the compute lab, as text.
fn reference() -> String {
    std::fs::read_to_string(
        repo().join("fixtures/dp100-04-compute/reference/dp100-04-compute/check.json"),
    )
    .unwrap()
}

/// (case, file content) of broken recordings.
fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let good = reference();
    vec![
        ("truncated", good.as_bytes()[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("not-json", b"this is not a recording\n".to_vec()),
        ("array", b"[1, 2, 3]".to_vec()),
        (
            "entries-not-a-list",
            br#"{"Entries": {"a": 1}, "Variables": {}}"#.to_vec(),
        ),
        (
            "entry-without-uri",
            br#"{"Entries": [{"RequestMethod": "GET", "StatusCode": 200}], "Variables": {}}"#
                .to_vec(),
        ),
        (
            "status-not-a-number",
            good.replacen("\"StatusCode\": 200", "\"StatusCode\": \"ok\"", 1)
                .into_bytes(),
        ),
        ("invalid-utf8", {
            let mut b = good.as_bytes()[..200].to_vec();
            b.extend_from_slice(&[0xff, 0xfe, 0x00]);
            b
        }),
        (
            "deep-nesting",
            format!(
                "{{\"Entries\": {}{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            )
            .into_bytes(),
        ),
        (
            "no-entries-for-the-lab",
            br#"{"Entries": [], "Variables": {}}"#.to_vec(),
        ),
    ]
}

#[test]
fn broken_fixtures_exit_3_naming_the_file_without_a_panic() {
    let lab = lab("04-compute.lab.yaml");
    for (case, bytes) in cases() {
        let sb = Sandbox::new();
        let file = sb.path().join("fx/dp100-04-compute/check.json");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &bytes).unwrap();
        let out = sb
            .amlab(&[
                "check",
                lab.to_str().unwrap(),
                "--replay",
                "fx",
                "--var",
                "suffix=fx0001",
            ])
            .output()
            .unwrap();
        let (text, err) = (stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(3), "{case}: {text}{err}");
        assert!(
            !err.contains("panicked") && !text.contains("panicked"),
            "{case}: {err}"
        );
        assert!(
            [&text, &err]
                .iter()
                .any(|t| t.contains("check.json") || t.contains("in fx ")),
            "{case}: names the fixture: {text}{err}"
        );
    }
}
