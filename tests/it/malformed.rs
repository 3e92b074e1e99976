//! The malformed-input suite: every file under `tests/data/broken-labs/` (each starting with
//! `# expect: <message fragment>` and `# at: LINE:COLUMN`), plus generated ones too big or too
//! odd to commit (empty, huge, deeply nested, a missing path). Each must exit 2 with its message
//! and position on stderr, and never panic.

use std::path::{Path, PathBuf};

use crate::support::{Sandbox, repo, stderr};

fn broken_dir() -> PathBuf {
    repo().join("tests/data/broken-labs")
}

/// The `# expect:` and `# at:` header of a broken lab (after an optional BOM).
fn header(bytes: &[u8]) -> (String, String) {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut lines = bytes.split(|b| *b == b'\n');
    let mut field = |name: &str| {
        let line = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
        line.strip_prefix(&format!("# {name}: "))
            .unwrap_or_else(|| panic!("header line `# {name}: ...` missing, got `{line}`"))
            .trim_end()
            .to_owned()
    };
    let expect = field("expect");
    let at = field("at");
    (expect, at)
}

/// `amlab lint FILE` run in `dir`: (exit code, stderr).
fn lint_in(dir: &Path, file: &str) -> (Option<i32>, String) {
    let sb = Sandbox::new();
    let out = sb.amlab(&["lint", file]).current_dir(dir).output().unwrap();
    (out.status.code(), stderr(&out))
}

/// What is wrong with one outcome, if anything.
fn verdict(
    name: &str,
    code: Option<i32>,
    err: &str,
    expect: &str,
    at: Option<&str>,
) -> Vec<String> {
    let mut wrong = Vec::new();
    if code != Some(2) {
        wrong.push(format!("{name}: exit {code:?}, expected 2"));
    }
    if err.contains("panicked") {
        wrong.push(format!("{name}: panicked"));
    }
    if !err.contains(expect) {
        wrong.push(format!("{name}: stderr lacks `{expect}`"));
    }
    if let Some(at) = at
        && !err.contains(&format!("{name}:{at}"))
    {
        wrong.push(format!("{name}: stderr lacks the position `{name}:{at}`"));
    }
    if !wrong.is_empty() {
        wrong.push(format!("--- stderr of {name}:\n{err}"));
    }
    wrong
}

#[test]
fn every_committed_broken_lab_exits_2_with_its_message_and_position() {
    let dir = broken_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".lab.yaml"))
        .collect();
    names.sort();
    assert!(names.len() >= 40, "only {} broken labs", names.len());
    let mut wrong = Vec::new();
    for name in &names {
        let (expect, at) = header(&std::fs::read(dir.join(name)).unwrap());
        let (code, err) = lint_in(&dir, name);
        wrong.extend(verdict(name, code, &err, &expect, Some(&at)));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn broken_labs_are_refused_by_run_and_check_too_before_any_request() {
    let dir = broken_dir();
    for mode in ["run", "check"] {
        let sb = Sandbox::new();
        let out = sb
            .amlab(&[mode, "unknown-field-step.lab.yaml", "needs-cycle.lab.yaml"])
            .current_dir(&dir)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{mode}: {err}");
        assert!(err.contains("unknown-field-step.lab.yaml:10:5"), "{err}");
        assert!(err.contains("needs-cycle.lab.yaml:22:13"), "{err}");
        assert!(
            !sb.path().join(".amlab").exists(),
            "{mode} opened the emulator"
        );
    }
}

/// A generated broken lab: (file name, bytes, expected fragment, position or None).
type Generated = (&'static str, Vec<u8>, &'static str, Option<&'static str>);

fn generated() -> Vec<Generated> {
    let good = "id: tiny\ntitle: Tiny lab\nsteps:\n  - id: rg\n    title: A resource group\n    \
                resource: /subscriptions/${subscription}/resourceGroups/rg\n    create:\n      \
                body:\n        location: eastus\n";
    // Deep nesting inside the (free-form) request body: 10,000 levels of flow sequences.
    let deep = format!(
        "{good}        tags: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    // Deep block nesting: 200 levels of mappings.
    let mut block = good.to_owned();
    for level in 0..200 {
        block.push_str(&" ".repeat(8 + 2 * level));
        block.push_str(&format!("k{level}:\n"));
    }
    // Over the size limit: 5 MiB of one comment.
    let huge = format!("{good}#{}\n", "x".repeat(5 * 1024 * 1024));
    // Under the size limit but over the node budget: 300,000 list items.
    let mut nodes = format!("{good}        items:\n");
    for _ in 0..300_000 {
        nodes.push_str("        - 1\n");
    }
    let mut bad_utf8 = b"id: tiny\ntitle: Tiny lab\nsteps: []\n# ".to_vec();
    bad_utf8.extend_from_slice(&[0xc3, 0x28, 0xa0, 0xa1]);
    vec![
        (
            "empty.lab.yaml",
            Vec::new(),
            "unexpected end of file",
            Some("1:1"),
        ),
        (
            "whitespace.lab.yaml",
            b"  \n\n\t\n".to_vec(),
            "unexpected end of file",
            None,
        ),
        (
            "deep-flow.lab.yaml",
            deep.into_bytes(),
            "recursion limit exceeded",
            Some("10:"),
        ),
        (
            "deep-block.lab.yaml",
            block.into_bytes(),
            "too large or too complex",
            None,
        ),
        (
            "huge.lab.yaml",
            huge.into_bytes(),
            "file too large for a lab",
            None,
        ),
        (
            "many-nodes.lab.yaml",
            nodes.into_bytes(),
            "too large or too complex",
            None,
        ),
        (
            "bad-utf8.lab.yaml",
            bad_utf8,
            "the file is not valid UTF-8",
            Some("4:3"),
        ),
    ]
}

#[test]
fn generated_broken_labs_exit_2_with_their_message() {
    let sb = Sandbox::new();
    let mut wrong = Vec::new();
    for (name, bytes, expect, at) in generated() {
        std::fs::write(sb.path().join(name), &bytes).unwrap();
        let (code, err) = lint_in(sb.path(), name);
        wrong.extend(verdict(name, code, &err, expect, at));
        if !err.contains(name) {
            wrong.push(format!("{name}: stderr does not name the file:\n{err}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_missing_path_exits_2_naming_it() {
    let sb = Sandbox::new();
    let out = sb
        .amlab(&["lint", "no/such/lab.lab.yaml"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no/such/lab.lab.yaml"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
