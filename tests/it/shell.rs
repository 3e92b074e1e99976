//! Shell integration: `amlab completions` scripts complete in a real bash, `amlab man` pages
//! name every subcommand, and `--version` names the commit and its date.

use std::process::Command as Process;

use clap::CommandFactory;

use crate::support::{Sandbox, repo, stderr, stdout};

/// Sources `amlab completions bash` in bash (no profile, no rc) and runs the function it
/// registers for `amlab` (read back with `complete -p amlab`) on `words`, the last one being
/// completed, as bash does on TAB. Returns COMPREPLY, one entry a line.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let sb = Sandbox::new();
    let out = sb.amlab(&["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let script = sb.write("amlab.bash", &stdout(&out));
    let driver = r#"
source "$1" || exit 10
spec=$(complete -p amlab) || exit 11
fn=$(printf '%s\n' "$spec" | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
[ -n "$fn" ] || exit 12
shift
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$fn" amlab "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    // bash is part of every Debian/Ubuntu base system: a missing bash fails here, never skips.
    let run = Process::new("bash")
        .args(["--noprofile", "--norc", "-c", driver, "driver"])
        .arg(&script)
        .args(words)
        .output()
        .expect("bash must be installed to test the bash completions");
    assert!(
        run.status.success() && run.stderr.is_empty(),
        "the completion script did not source and run cleanly: exit {:?}\n{}",
        run.status.code(),
        stderr(&run)
    );
    stdout(&run)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_a_subcommand() {
    assert_eq!(bash_complete(&["amlab", "ch"]), ["check"]);
    assert_eq!(bash_complete(&["amlab", "gr"]), ["grade"]);
}

#[test]
fn bash_completes_a_subcommand_flag() {
    assert_eq!(bash_complete(&["amlab", "check", "--wa"]), ["--watch"]);
    // A flag of another subcommand is not offered.
    assert!(bash_complete(&["amlab", "run", "--wa"]).is_empty());
}

#[test]
fn every_shell_gets_a_script_naming_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = Sandbox::new()
            .amlab(&["completions", shell])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for word in ["amlab", "check", "grade", "watch", "reveal"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = Sandbox::new()
        .amlab(&["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bash"), "{}", stderr(&out));
}

/// The page's first line after the roff preamble (`.ie`/`.el` string definitions).
fn title_line(page: &str) -> &str {
    page.lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"))
        .unwrap_or("")
}

fn subcommands() -> Vec<String> {
    amlab::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect()
}

#[test]
fn the_man_page_names_every_subcommand() {
    let out = Sandbox::new().amlab(&["man"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        title_line(&page).starts_with(".TH AMLAB 1 "),
        "{}",
        title_line(&page)
    );
    let names = subcommands();
    assert!(names.len() >= 12, "{names:?}");
    for name in names.iter().filter(|n| *n != "help") {
        let roff = format!("amlab\\-{}(1)", name.replace('-', "\\-"));
        assert!(page.contains(&roff), "the man page does not name {name}");
    }
}

#[test]
fn each_subcommand_has_its_page() {
    for name in subcommands().iter().filter(|n| *n != "help") {
        let out = Sandbox::new().amlab(&["man", name]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let page = stdout(&out);
        let title = format!(".TH AMLAB-{} 1 ", name.to_uppercase());
        assert!(
            title_line(&page).starts_with(&title),
            "{name}: {}",
            title_line(&page)
        );
    }
    let page = stdout(&Sandbox::new().amlab(&["man", "check"]).output().unwrap());
    assert!(page.contains("\\-\\-watch"), "amlab-check(1) lacks --watch");
}

#[test]
fn man_for_an_unknown_command_names_the_valid_ones() {
    let out = Sandbox::new().amlab(&["man", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("`nope`") && err.contains("check, teardown"),
        "{err}"
    );
}

/// `git ARGS` in the repository: its trimmed stdout, or None without git or a checkout.
fn git(args: &[&str]) -> Option<String> {
    let out = Process::new("git")
        .arg("-C")
        .arg(repo())
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

#[test]
fn version_names_the_commit_and_its_date() {
    let version = env!("CARGO_PKG_VERSION");
    let in_checkout = git(&["rev-parse", "--show-toplevel"])
        .is_some_and(|top| std::fs::canonicalize(top).ok() == std::fs::canonicalize(repo()).ok());
    let expected = if in_checkout {
        let hash = git(&["rev-parse", "--short", "HEAD"]).unwrap();
        let date = git(&["log", "-1", "--format=%cs", "HEAD"]).unwrap();
        format!("amlab {version} ({hash} {date})\n")
    } else {
        // A crate tarball or no git: the crate version alone.
        format!("amlab {version}\n")
    };
    let out = Sandbox::new().amlab(&["--version"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), expected);
    if in_checkout {
        let shape =
            regex::Regex::new(r"^amlab \d+\.\d+\.\d+ \([0-9a-f]{7,} \d{4}-\d{2}-\d{2}\)\n$")
                .unwrap();
        assert!(shape.is_match(&stdout(&out)), "{}", stdout(&out));
    }
}

#[test]
fn a_write_error_is_exit_3_not_a_panic() {
    for args in [&["completions", "powershell"][..], &["man"][..]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let sb = Sandbox::new();
        let out = Process::new(env!("CARGO_BIN_EXE_amlab"))
            .current_dir(sb.path())
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        assert!(err.contains("could not write output"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
