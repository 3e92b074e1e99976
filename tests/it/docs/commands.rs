//! Every command a code block of the README or the book shows, starting with `amlab ` or
//! `cargo run -- `, parses with the current command line (`Cli::try_parse_from`), so the
//! documentation cannot show a flag or subcommand that no longer exists.

use amlab::cli::Cli;
use clap::Parser;
use clap::error::ErrorKind;

use super::markdown::{code_blocks, doc_files, shown};
use super::shell_words::commands;

/// Code blocks in these languages hold data, code or plain text (a file layout, a usage
/// line), not shell commands; every other block (`sh`, `console`, none, ...) is checked.
const NOT_SHELL: &[&str] = &[
    "yaml", "yml", "json", "toml", "rust", "csv", "xml", "html", "python", "py", "roff", "text",
];

/// The arguments amlab would get from a command (`amlab ...` or `cargo run [FLAGS] -- ...`),
/// or None for any other program.
fn amlab_args(words: &[String]) -> Option<Vec<String>> {
    match words {
        [first, ..] if first == "amlab" => Some(words.to_vec()),
        [cargo, run, rest @ ..] if cargo == "cargo" && run == "run" => {
            let after = rest.iter().skip_while(|w| *w != "--").skip(1);
            Some(
                std::iter::once("amlab".to_owned())
                    .chain(after.cloned())
                    .collect(),
            )
        }
        _ => None,
    }
}

/// Problems with the amlab commands of a Markdown text: `file:line: command: clap's error`.
/// Also returns how many commands were checked.
fn check_text(file: &str, text: &str) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut problems = Vec::new();
    for block in code_blocks(text) {
        let lang = block.info.split([' ', ',']).next().unwrap_or("");
        if NOT_SHELL.contains(&lang) {
            continue;
        }
        for command in commands(&block.text) {
            let Some(args) = amlab_args(&command.words) else {
                continue;
            };
            checked += 1;
            if let Err(e) = Cli::try_parse_from(&args)
                && !matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
            {
                let message = e.render().to_string();
                let first = message.lines().next().unwrap_or_default();
                problems.push(format!(
                    "{file}:{}: `{}`: {first}",
                    block.line + command.line - 1,
                    args.join(" ")
                ));
            }
        }
    }
    (checked, problems)
}

#[test]
fn every_documented_command_parses_with_the_current_cli() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for file in doc_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let (n, mut found) = check_text(&shown(&file), &text);
        checked += n;
        problems.append(&mut found);
    }
    assert!(
        problems.is_empty(),
        "commands in the documentation that the CLI rejects:\n{}",
        problems.join("\n")
    );
    // The README shows more than ten, the book more than twenty.
    assert!(checked > 30, "only {checked} amlab commands found");
}

#[test]
fn a_wrong_command_is_reported_with_its_file_and_line() {
    let text = "# T\n\nText.\n\n```sh\namlab list labs   # fine\ncargo run -- check lab.yaml \\\n    --no-such-flag\nAMLAB_X=1 amlab --version | head -1\n```\n\n```console\n$ amlab lint\nlisting output\n```\n\n```yaml\nrun: amlab nothing here\n```\n";
    let (checked, problems) = check_text("x.md", text);
    assert_eq!(checked, 4, "{problems:?}");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with("x.md:7: `amlab check lab.yaml --no-such-flag`")
            && problems[0].contains("--no-such-flag"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("x.md:13: `amlab lint`"),
        "{problems:?}"
    );
}
