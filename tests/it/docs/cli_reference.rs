//! `docs/src/cli.md`, the CLI reference, generated from the clap definitions (`amlab::cli::Cli`)
//! so it cannot drift from the binary: every visible command with its usage, arguments and
//! options, their defaults, accepted values and environment variables.

use std::fmt::Write;

use amlab::cli::Cli;
use clap::{Arg, ArgAction, Command, CommandFactory};

use super::generated::{REGENERATE, cell, check_or_update};

/// The CLI reference as Markdown.
pub fn cli_markdown() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = String::new();
    writeln!(out, "# CLI reference\n").unwrap();
    writeln!(
        out,
        "<!-- Generated from the clap definitions (src/cli.rs) by tests/it/docs/cli_reference.rs: \
         do not edit. Regenerate with `{REGENERATE}`. -->\n"
    )
    .unwrap();
    writeln!(
        out,
        "{}\n\nEvery command below also takes the global options, and `--help`; `amlab --version` \
         prints the version, the commit and its date. The same text is in `amlab help COMMAND` \
         and the man pages (`amlab man COMMAND`).\n",
        about(&cmd)
    )
    .unwrap();
    writeln!(out, "```text\n{}\n```\n", usage(&mut cmd)).unwrap();
    writeln!(out, "| command | what it does |\n|---|---|").unwrap();
    for sub in visible_subcommands(&cmd) {
        let name = format!("amlab {}", sub.get_name());
        let anchor = name.replace(' ', "-");
        let summary = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        writeln!(out, "| [`{name}`](#{anchor}) | {} |", cell(&summary)).unwrap();
    }
    writeln!(out, "\n## Global options\n").unwrap();
    options_table(&mut out, &cmd, true);
    if let Some(after) = cmd.get_after_help() {
        writeln!(out, "\n{}", cell(&after.to_string())).unwrap();
    }
    for sub in visible_subcommands(&cmd) {
        command_section(
            &mut out,
            &mut sub.clone(),
            &format!("amlab {}", sub.get_name()),
            2,
        );
    }
    out
}

fn visible_subcommands(cmd: &Command) -> Vec<&Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .collect()
}

fn about(cmd: &Command) -> String {
    cmd.get_long_about()
        .or(cmd.get_about())
        .map(|a| a.to_string())
        .unwrap_or_default()
}

fn usage(cmd: &mut Command) -> String {
    cmd.render_usage().to_string()
}

/// One command: its description, usage, arguments and options; then its own subcommands.
fn command_section(out: &mut String, cmd: &mut Command, name: &str, level: usize) {
    let hashes = "#".repeat(level);
    writeln!(out, "\n{hashes} `{name}`\n").unwrap();
    writeln!(out, "{}\n", cell(&about(cmd))).unwrap();
    writeln!(out, "```text\n{}\n```\n", usage(cmd)).unwrap();
    let positionals: Vec<&Arg> = cmd.get_positionals().filter(|a| !a.is_hide_set()).collect();
    if !positionals.is_empty() {
        writeln!(out, "| argument | meaning |\n|---|---|").unwrap();
        for arg in positionals {
            let required = if arg.is_required_set() {
                ""
            } else {
                " (optional)"
            };
            writeln!(out, "| `{}`{required} | {} |", arg_spec(arg), describe(arg)).unwrap();
        }
        writeln!(out).unwrap();
    }
    options_table(out, cmd, false);
    let subs: Vec<Command> = visible_subcommands(cmd).into_iter().cloned().collect();
    for mut sub in subs {
        let sub_name = format!("{name} {}", sub.get_name());
        command_section(out, &mut sub, &sub_name, level + 1);
    }
}

/// The options of a command (the global ones only on the root).
fn options_table(out: &mut String, cmd: &Command, root: bool) {
    let options: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_positional() && !a.is_hide_set())
        .filter(|a| !matches!(a.get_action(), ArgAction::Help | ArgAction::Version))
        .filter(|a| root || !a.is_global_set())
        .collect();
    if options.is_empty() {
        return;
    }
    writeln!(out, "| option | meaning |\n|---|---|").unwrap();
    for arg in options {
        writeln!(out, "| `{}` | {} |", arg_spec(arg), describe(arg)).unwrap();
    }
}

/// `-q, --quiet`, `--target <TARGET>`, `<PATHS>...`
fn arg_spec(arg: &Arg) -> String {
    let value = arg
        .get_value_names()
        .map(|names| {
            names
                .iter()
                .map(|n| format!("<{n}>"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| format!("<{}>", arg.get_id().as_str().to_uppercase()));
    let many = arg
        .get_num_args()
        .is_some_and(|range| range.max_values() > 1);
    if arg.is_positional() {
        return if many { format!("{value}...") } else { value };
    }
    let mut names = Vec::new();
    if let Some(short) = arg.get_short() {
        names.push(format!("-{short}"));
    }
    if let Some(long) = arg.get_long() {
        names.push(format!("--{long}"));
    }
    let mut spec = names.join(", ");
    if arg.get_action().takes_values() {
        spec.push(' ');
        spec.push_str(&value);
    }
    spec
}

/// The help text, then what is repeatable, the accepted values, the default and the
/// environment variable.
fn describe(arg: &Arg) -> String {
    let mut text = arg
        .get_long_help()
        .or(arg.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default();
    // clap drops a doc comment's final period; the notes below are sentences of their own.
    if !text.is_empty() && !text.ends_with(['.', ')']) {
        text.push('.');
    }
    let takes_values = arg.get_action().takes_values();
    let repeatable = matches!(arg.get_action(), ArgAction::Append) && !arg.is_positional();
    if repeatable && !text.to_lowercase().contains("repeatable") {
        text.push_str(" Repeatable.");
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| match v.get_help() {
            Some(help) => format!("`{}` ({help})", v.get_name()),
            None => format!("`{}`", v.get_name()),
        })
        .collect();
    if takes_values && !values.is_empty() {
        text.push_str(&format!(" Values: {}.", values.join(", ")));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|d| format!("`{}`", d.to_string_lossy()))
        .collect();
    if takes_values && !defaults.is_empty() {
        text.push_str(&format!(" Default: {}.", defaults.join(", ")));
    }
    if let Some(env) = arg.get_env() {
        text.push_str(&format!(" Environment: `{}`.", env.to_string_lossy()));
    }
    cell(&text)
}

#[test]
fn the_cli_reference_is_generated_from_the_clap_definitions() {
    let generated = cli_markdown();
    // Every visible subcommand and every long option of the CLI is in it.
    let cmd = Cli::command();
    for sub in visible_subcommands(&cmd) {
        assert!(generated.contains(&format!("## `amlab {}`", sub.get_name())));
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                let shown = [format!("`--{long}"), format!(", --{long}")];
                assert!(
                    shown.iter().any(|s| generated.contains(s.as_str())),
                    "--{long} of {} missing",
                    sub.get_name()
                );
            }
        }
    }
    check_or_update("cli.md", &generated);
}
