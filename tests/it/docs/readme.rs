//! The README's two commands at its top stay true: they are a lab run end to end on the
//! built-in emulator and the test suite, and the first one passes in an empty directory, as on
//! a fresh clone (no `.amlab/` state, no Azure, no network).

use super::markdown::code_blocks;
use super::shell_words::commands;
use crate::support::{Sandbox, repo, stderr, stdout};

#[test]
fn the_readme_top_commands_run_a_lab_and_the_tests() {
    let text = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let first = code_blocks(&text).into_iter().next().expect("a code block");
    assert!(
        first.line < 12,
        "the two commands must be at the very top of the README, not line {}",
        first.line
    );
    let found: Vec<Vec<String>> = commands(&first.text).into_iter().map(|c| c.words).collect();
    assert_eq!(found.len(), 2, "the README's first block: {found:?}");
    let [run, test] = [&found[0], &found[1]];
    assert_eq!(
        test,
        &["cargo", "test"],
        "the second command runs the tests"
    );
    assert_eq!(
        run[..4],
        ["cargo", "run", "--", "run"],
        "the first command runs a lab"
    );
    let lab = &run[4];
    assert_eq!(
        run.len(),
        5,
        "the first command takes the defaults: {run:?}"
    );
    assert!(
        lab.starts_with("labs/") && lab.ends_with(".lab.yaml"),
        "{lab}"
    );

    // As on a fresh clone: no state in the directory it runs in.
    let sb = Sandbox::new();
    let lab_path = repo().join(lab);
    let out = sb
        .amlab(&["run", lab_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let report = stdout(&out);
    let score = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("score "))
        .unwrap_or_else(|| panic!("no score line in:\n{report}"));
    let (earned, possible) = score
        .split_whitespace()
        .next()
        .and_then(|s| s.split_once('/'))
        .expect("score N/M");
    assert_eq!(earned, possible, "every check passes: {score}");
    assert!(report.contains(" 0 failed"), "{report}");
}

#[test]
fn the_install_prerequisite_is_the_crate_rust_version() {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .expect("rust-version in Cargo.toml")
        .trim_matches('"');
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("**{version} or newer**")),
        "README.md must name Rust {version} as the prerequisite"
    );
    let install = std::fs::read_to_string(repo().join("docs/src/install.md")).unwrap();
    assert!(
        install.contains(&format!("version {version} or newer")),
        "docs/src/install.md must name Rust {version} as the prerequisite"
    );
    for (name, text) in [("README.md", &readme), ("docs/src/install.md", &install)] {
        assert!(
            text.contains("cargo install --locked --path .")
                && text.contains("cargo install --locked --git "),
            "{name} shows both ways to install"
        );
    }
}
