//! Tests of loading, lint and resolution through the public API: each renders the diagnostics
//! of a small lab written to a temporary directory and asserts on the text.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;

/// Writes `files` (name, text) into a temporary directory.
fn write(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Loads the directory and returns the rendered diagnostics, with the temporary directory
/// replaced by `labs`.
fn errors(dir: &Path) -> String {
    let err = load_all(&[dir.to_path_buf()]).err().unwrap();
    err.render(false)
        .replace(&dir.display().to_string(), "labs")
}

fn lint_one(text: &str) -> String {
    let dir = write(&[("x.lab.yaml", text)]);
    errors(dir.path())
}

const HEAD: &str = "id: demo\ntitle: Demo\n";

fn lab(steps: &str) -> String {
    format!("{HEAD}params:\n  rg: {{default: rg-1}}\nsteps:\n{steps}")
}

const RG: &str = "/subscriptions/${subscription}/resourceGroups/${rg}";

#[test]
fn yaml_syntax_error_is_located() {
    let out = lint_one("id: demo\ntitle: [unclosed\nsteps: []\n");
    assert!(out.contains("labs/x.lab.yaml:2:"), "{out}");
    // The diagnostic code is for programs, not the first line a learner reads.
    assert!(!out.contains("amlab::lab::"), "{out}");
    assert!(out.contains("title: [unclosed"), "{out}");
}

#[test]
fn unknown_field_suggests_the_nearest() {
    let out = lint_one("id: demo\ntitel: Demo\nsteps: []\n");
    assert!(out.contains("unknown field `titel`"), "{out}");
    assert!(out.contains("[labs/x.lab.yaml:2:1]"), "{out}");
    assert!(out.contains("did you mean `title`?"), "{out}");
    assert!(
        out.contains("valid fields here: id, title, description"),
        "{out}"
    );
    let dir = write(&[("x.lab.yaml", "id: demo\ntitel: Demo\nsteps: []\n")]);
    let color = load_all(&[dir.path().to_path_buf()])
        .err()
        .unwrap()
        .render(true);
    assert!(
        color.contains("╭─[") && color.contains("x.lab.yaml:2:1"),
        "{color}"
    );
    assert!(color.contains('\u{1b}'), "color output has escape codes");
}

#[test]
fn malformed_query_caret_is_at_the_bad_character() {
    // Quoted: the error offset (7, the unclosed literal) is shifted by the opening quote.
    let out = lint_one(&lab(&format!(
        "  - id: a\n    title: A\n    resource: {RG}\n    expect:\n      - query: \"a.b == 'x\"\n        equals: 1\n"
    )));
    assert!(out.contains("invalid JMESPath query `a.b == 'x`"), "{out}");
    // line 10, the query value starts at column 16 with `"`, so `'x` is at column 17 + 7.
    assert!(out.contains("[labs/x.lab.yaml:10:24]"), "{out}");
    assert!(out.contains("Unclosed ' delimiter"), "{out}");
    // Plain scalar with a placeholder before the error: offsets still match the source.
    let out = lint_one(&lab(&format!(
        "  - id: a\n    title: A\n    resource: {RG}\n    expect:\n      - query: tags[?x == '${{rg}}']..x\n        equals: 1\n"
    )));
    // `tags[?x == '${rg}'].` is 20 characters from column 16: the second `.` is at column 36.
    assert!(out.contains("[labs/x.lab.yaml:10:36]"), "{out}");
}

#[test]
fn a_placeholder_stands_only_where_a_literal_can() {
    // A value never becomes query text: `tags.${rg}` would make it a field name.
    let out = lint_one(&lab(&format!(
        "  - id: a\n    title: A\n    resource: {RG}\n    expect:\n      - query: tags.${{rg}}\n        equals: 1\n"
    )));
    assert!(out.contains("[labs/x.lab.yaml:10:21]"), "{out}");
    assert!(out.contains("stands for a string literal"), "{out}");
    // Inside a JSON literal but outside a JSON string it would be JSON text.
    let out = lint_one(&lab(&format!(
        "  - id: a\n    title: A\n    resource: {RG}\n    expect:\n      - query: \"tags.n == `${{rg}}`\"\n        equals: true\n"
    )));
    assert!(out.contains("[labs/x.lab.yaml:10:28]"), "{out}");
    assert!(out.contains("outside a JSON string"), "{out}");
    // In a raw string, a JSON string or bare as a value: fine.
    let dir = write(&[(
        "x.lab.yaml",
        &lab(&format!(
            "  - id: a\n    title: A\n    resource: {RG}\n    expect:\n      - query: \"[tags.a == '${{rg}}', tags.b == `\\\"${{rg}}\\\"`, tags.c == ${{rg}}]\"\n        equals: [true, true, true]\n"
        )),
    )]);
    assert!(load_all(&[dir.path().to_path_buf()]).is_ok());
}

#[test]
fn unknown_function_is_caught_at_lint_time() {
    let out = lint_one(&lab(&format!(
        "  - id: a\n    title: A\n    resource: {RG}\n    wait: {{until: \"lenght(name) > `0`\"}}\n"
    )));
    assert!(out.contains("unknown function `lenght()`"), "{out}");
    assert!(out.contains("did you mean `length`?"), "{out}");
    assert!(out.contains("[labs/x.lab.yaml:9:20]"), "{out}");
}

#[test]
fn undefined_parameter_in_resource_and_body() {
    let out = lint_one(&lab(
        "  - id: a\n    title: A\n    resource: /subscriptions/${subscription}/resourceGroups/${rgg}\n    create:\n      body:\n        location: eastus\n        tags: {owner: \"${ownr}\"}\n",
    ));
    assert!(out.contains("undefined parameter `rgg`"), "{out}");
    assert!(out.contains("did you mean `rg`?"), "{out}");
    assert!(out.contains("[labs/x.lab.yaml:8:61]"), "{out}");
    assert!(out.contains("undefined parameter `ownr`"), "{out}");
    assert!(out.contains("[labs/x.lab.yaml:12:24]"), "{out}");
}

#[test]
fn needs_cycle_and_unknown_need() {
    let out = lint_one(&lab(&format!(
        "  - id: a\n    title: A\n    needs: [b]\n    resource: {RG}\n  - id: b\n    title: B\n    needs: [a, c]\n    resource: {RG}\n  - id: c2\n    title: C\n    resource: {RG}\n"
    )));
    assert!(out.contains("needs cycle: a -> b -> a"), "{out}");
    assert!(out.contains("[labs/x.lab.yaml:12:13]"), "{out}");
    assert!(out.contains("unknown step `c`"), "{out}");
    assert!(out.contains("did you mean `c2`?"), "{out}");
    assert!(out.contains("[labs/x.lab.yaml:12:16]"), "{out}");
}

#[test]
fn a_misspelt_comparison_is_one_problem_and_its_neighbour_keeps_its_own() {
    let out = lint_one(&lab(&format!(
        "  - id: a\n    title: A\n    resource: {RG}\n    expect:\n      - query: name\n        equal: x\n      - query: id\n        hint: nothing to compare\n"
    )));
    assert!(out.contains("unknown field `equal`"), "{out}");
    assert_eq!(out.matches("check has no comparison").count(), 1, "{out}");
    assert!(out.contains("[labs/x.lab.yaml:12:16]"), "{out}");
}

#[test]
fn two_comparisons_and_none() {
    let out = lint_one(&lab(&format!(
        "  - id: a\n    title: A\n    resource: {RG}\n    expect:\n      - query: name\n        equals: x\n        in: [x]\n      - query: id\n        hint: nothing to compare\n"
    )));
    assert!(
        out.contains("check has 2 comparisons: `equals`, `in`"),
        "{out}"
    );
    assert!(out.contains("[labs/x.lab.yaml:10:16]"), "{out}");
    assert!(out.contains("check has no comparison"), "{out}");
    assert!(
        out.contains("a check needs exactly one of `equals`, `not_equals`, `in`"),
        "{out}"
    );
}

#[test]
fn several_errors_in_one_file_are_reported_together_in_order() {
    let out = lint_one(&lab(&format!(
        "  - id: a\n    title: A\n    resource: resourceGroups/x\n    timeout: soon\n    points: 3\n    expect:\n      - query: name\n        matches: \"([\"\n        points: 1\n      - query: x\n        gte: [1]\n        points: 1\n  - id: a\n    title: again\n    resource: {RG}\n"
    )));
    let wanted = [
        "is not an ARM resource id",
        "invalid duration `soon`",
        "step `a` has 3 points but its checks add up to 2",
        "invalid regular expression",
        "`gte` needs a number or a string",
        "duplicate step id `a`",
    ];
    let mut last = 0;
    for w in wanted {
        let at = out
            .find(w)
            .unwrap_or_else(|| panic!("missing {w:?} in\n{out}"));
        assert!(at >= last, "{w:?} out of order in\n{out}");
        last = at;
    }
    assert_eq!(
        out.matches("labs/x.lab.yaml:").count(),
        wanted.len(),
        "{out}"
    );
}

#[test]
fn errors_of_two_files_are_reported_together() {
    let dir = write(&[
        ("a.lab.yaml", "id: a\ntitel: A\nsteps: []\n"),
        (
            "b.lab.yaml",
            &lab("  - id: s\n    title: S\n    resource: /subscriptions/${nope}\n"),
        ),
        (
            "ok.lab.yaml",
            &lab(&format!("  - id: s\n    title: S\n    resource: {RG}\n")),
        ),
    ]);
    let out = errors(dir.path());
    let a = out.find("labs/a.lab.yaml:2:1").unwrap_or(usize::MAX);
    let b = out.find("labs/b.lab.yaml:8:").unwrap_or(usize::MAX);
    assert!(a < b && b < usize::MAX, "{out}");
    assert!(!out.contains("ok.lab.yaml"), "{out}");
}

#[test]
fn param_cycle_random_misuse_and_bad_utf8() {
    let out = lint_one(&format!(
        "{HEAD}params:\n  a: {{default: \"x-${{b}}\"}}\n  b: {{default: \"${{a}}\"}}\nsteps:\n  - id: s\n    title: S\n    resource: /subscriptions/${{subscription}}/x/${{random:4}}\n"
    ));
    assert!(out.contains("parameter cycle: a -> b -> a"), "{out}");
    assert!(
        out.contains("`${random:4}` can only be used in a parameter default"),
        "{out}"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("u.lab.yaml"), b"id: x\ntitle: \xff\n").unwrap();
    let out = errors(dir.path());
    assert!(out.contains("not valid UTF-8"), "{out}");
    assert!(out.contains("[labs/u.lab.yaml:2:8]"), "{out}");
}

#[test]
fn missing_path_and_deep_nesting_fail_cleanly() {
    let err = load_all(&[PathBuf::from("/nonexistent/x.lab.yaml")])
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("/nonexistent/x.lab.yaml: no such file")
    );
    let deep = format!("{HEAD}steps: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let out = lint_one(&deep);
    assert!(out.contains("labs/x.lab.yaml:"), "{out}");
}

// ---- resolve --------------------------------------------------------------------------------

const RESOLVE_LAB: &str = r#"id: demo
title: Demo
params:
  location: {default: eastus}
  suffix: {default: "${random:6}"}
  rg: {default: "rg-${suffix}"}
  owner: {}
steps:
  - id: ws
    title: Workspace in ${location}
    needs: [rg]
    resource: /subscriptions/${subscription}/resourceGroups/${rg}/providers/X/w/${rg}
    create:
      body:
        location: "${location}"
        tags: {owner: "${owner}", count: 3, literal: "$${not}"}
    wait: {until: "tags.owner == '${owner}'", timeout: 90s}
    expect:
      - query: location
        equals: "${location}"
        points: 2
      - query: tags.owner
        in: ["${owner}"]
        hint: Set the owner tag to ${owner}.
        points: 1
  - id: rg
    title: Group
    resource: /subscriptions/${subscription}/resourceGroups/${rg}
    create: {body: {location: "${location}"}}
    teardown: false
    expect:
      - query: name
        exists: true
"#;

fn resolve_lab(
    vars: &[(&str, &str)],
    remembered: &[(&str, &str)],
) -> Result<ResolvedLab, LabErrors> {
    let file = load_source(Path::new("r.lab.yaml"), RESOLVE_LAB).unwrap();
    let ctx = ResolveContext {
        subscription: "sub-1".into(),
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        remembered: remembered
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        recorded: BTreeMap::new(),
    };
    file.resolve(&ctx)
}

#[test]
fn resolve_substitutes_vars_defaults_and_randoms() {
    let r = resolve_lab(&[("owner", "ada"), ("location", "westeurope")], &[]).unwrap();
    let suffix = r.generated.get("suffix").cloned().unwrap();
    assert_eq!(suffix.len(), 6);
    assert!(
        suffix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    );
    assert_eq!(
        r.generated.len(),
        1,
        "only random defaults are generated: {:?}",
        r.generated
    );
    assert_eq!(r.params["rg"], format!("rg-{suffix}"));
    assert_eq!(r.params["subscription"], "sub-1");
    let ws = &r.steps[0];
    assert_eq!(ws.title, "Workspace in westeurope");
    assert_eq!(
        ws.resource,
        format!("/subscriptions/sub-1/resourceGroups/rg-{suffix}/providers/X/w/rg-{suffix}")
    );
    let body = ws.create.clone().unwrap();
    assert_eq!(body["location"], "westeurope");
    assert_eq!(body["tags"]["owner"], "ada");
    assert_eq!(body["tags"]["count"], 3);
    assert_eq!(body["tags"]["literal"], "${not}");
    let wait = ws.wait.as_ref().unwrap();
    assert_eq!(wait.until.text(), "tags.owner == 'ada'");
    assert_eq!(wait.timeout, std::time::Duration::from_secs(90));
    assert_eq!(ws.timeout, std::time::Duration::from_secs(1800));
    assert_eq!(ws.points, 3);
    assert!(ws.teardown);
    assert_eq!(
        ws.checks[0].comparison.expected(),
        serde_json::json!("westeurope")
    );
    assert_eq!(
        ws.checks[1].hint.as_deref(),
        Some("Set the owner tag to ada.")
    );
    assert_eq!(ws.checks[0].title, "location");
    assert!(
        ws.checks[1]
            .comparison
            .evaluate(&serde_json::json!("ada"), false)
            .passed
    );
    let rg = &r.steps[1];
    assert_eq!((rg.points, rg.teardown), (1, false));
    assert_eq!(r.file_hash.len(), 64);
}

#[test]
fn resolve_uses_remembered_values() {
    let r = resolve_lab(&[("owner", "ada")], &[("suffix", "abc123")]).unwrap();
    assert_eq!(r.params["rg"], "rg-abc123");
    assert!(r.generated.is_empty());
    // A --var wins over a remembered value.
    let r = resolve_lab(
        &[("owner", "ada"), ("suffix", "mine")],
        &[("suffix", "abc123")],
    )
    .unwrap();
    assert_eq!(r.params["rg"], "rg-mine");
}

#[test]
fn recorded_values_come_after_vars_and_before_remembered_and_defaults() {
    let file = load_source(Path::new("r.lab.yaml"), RESOLVE_LAB).unwrap();
    let resolve = |vars: &[(&str, &str)], recorded: &[(&str, &str)]| {
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        file.resolve(&ResolveContext {
            subscription: "sub-1".into(),
            vars: map(vars),
            remembered: map(&[("suffix", "remembered")]),
            recorded: map(recorded),
        })
        .unwrap()
    };
    // A recorded value of a parameter without `${random}` (rg) is used as is; one of a random
    // parameter wins over the remembered one.
    let r = resolve(
        &[("owner", "ada")],
        &[("suffix", "rec123"), ("rg", "my-own-rg")],
    );
    assert_eq!(r.params["suffix"], "rec123");
    assert_eq!(r.params["rg"], "my-own-rg");
    // A --var wins over a recorded value.
    let r = resolve(
        &[("owner", "ada"), ("rg", "cli-rg")],
        &[("rg", "my-own-rg")],
    );
    assert_eq!(r.params["rg"], "cli-rg");
    // A recorded value derived from a parameter given with --var now is derived again.
    let r = resolve(
        &[("owner", "ada"), ("suffix", "new1")],
        &[("suffix", "rec123"), ("rg", "rg-rec123")],
    );
    assert_eq!(r.params["rg"], "rg-new1");
    // Nothing recorded: remembered, then defaults.
    let r = resolve(&[("owner", "ada")], &[]);
    assert_eq!(r.params["rg"], "rg-remembered");
}

#[test]
fn resolve_rejects_unknown_vars_and_missing_values() {
    let out = resolve_lab(&[("ownr", "ada")], &[])
        .err()
        .unwrap()
        .to_string();
    assert!(
        out.contains("`--var ownr=...` names no parameter of lab `demo`"),
        "{out}"
    );
    assert!(out.contains("did you mean `owner`?"), "{out}");
    let out = resolve_lab(&[], &[]).err().unwrap().to_string();
    assert!(
        out.contains("parameter `owner` has no value: pass `--var owner=VALUE`"),
        "{out}"
    );
    assert!(out.contains("r.lab.yaml:7:3"), "{out}");
}

#[test]
fn resolve_rejects_resource_outside_subscriptions() {
    let text = format!(
        "{HEAD}params:\n  base: {{}}\nsteps:\n  - id: a\n    title: A\n    resource: ${{base}}/x\n"
    );
    let file = load_source(Path::new("b.lab.yaml"), &text).unwrap();
    let ctx = ResolveContext {
        vars: BTreeMap::from([("base".to_owned(), "/tenants/t".to_owned())]),
        ..ResolveContext::default()
    };
    let out = file.resolve(&ctx).err().unwrap().to_string();
    assert!(
        out.contains("resource `/tenants/t/x` does not start with `/subscriptions/`"),
        "{out}"
    );
    assert!(out.contains("b.lab.yaml:8:15"), "{out}");
}

#[test]
fn a_parameter_nothing_needs_is_not_required_nor_generated() {
    // Naming the resource group leaves `suffix` unused: nothing is generated, nothing asked.
    let r = resolve_lab(&[("owner", "ada"), ("rg", "my-rg")], &[]).unwrap();
    assert!(r.generated.is_empty(), "{:?}", r.generated);
    assert!(!r.params.contains_key("suffix"), "{:?}", r.params);
    assert_eq!(
        r.steps[1].resource,
        "/subscriptions/sub-1/resourceGroups/my-rg"
    );
    // A parameter without a default that nothing uses is not demanded either.
    let lab = RESOLVE_LAB.replace("  owner: {}\n", "  owner: {}\n  unused: {}\n");
    let file = load_source(Path::new("r.lab.yaml"), &lab).unwrap();
    let ctx = ResolveContext {
        subscription: "sub-1".into(),
        vars: [("owner".to_owned(), "ada".to_owned())].into(),
        ..Default::default()
    };
    let r = file.resolve(&ctx).unwrap();
    assert!(!r.params.contains_key("unused"));
    // Still valued when that costs nothing: location has a plain default.
    assert_eq!(r.params["location"], "eastus");
}

#[test]
fn a_value_in_a_matches_pattern_is_literal_text() {
    let lab = format!(
        "{HEAD}params:\n  name: {{default: ok}}\nsteps:\n  - id: a\n    title: A\n    resource: /subscriptions/${{subscription}}/resourceGroups/rg\n    expect:\n      - query: name\n        matches: \"^pre-${{name}}$\"\n"
    );
    let file = load_source(Path::new("m.lab.yaml"), &lab).unwrap();
    let ctx = ResolveContext {
        subscription: "sub-1".into(),
        vars: BTreeMap::from([("name".to_owned(), ".*|x".to_owned())]),
        ..Default::default()
    };
    let resolved = file.resolve(&ctx).unwrap();
    let check = &resolved.steps[0].checks[0];
    assert_eq!(
        check.comparison.expected(),
        serde_json::json!("^pre-\\.\\*\\|x$")
    );
    let anything = serde_json::json!("pre-anything");
    assert!(!check.comparison.evaluate(&anything, false).passed);
    let same = serde_json::json!("pre-.*|x");
    assert!(check.comparison.evaluate(&same, false).passed);
}

#[test]
fn a_deleting_step_only_deletes() {
    let out = lint_one(&lab(&format!(
        "  - id: rg\n    title: RG\n    resource: \"{RG}\"\n    create: {{body: {{location: eastus}}}}\n  - id: gone\n    title: Gone\n    needs: [rg]\n    resource: \"{RG}\"\n    delete: true\n    points: 2\n    expect:\n      - {{query: name, equals: rg-1}}\n"
    )));
    assert!(
        out.contains("step `gone` deletes its resource (`delete: true`) and also has `expect`"),
        "{out}"
    );
    assert!(
        out.contains("step `gone` deletes its resource (`delete: true`) and also has `points`"),
        "{out}"
    );
    assert!(out.contains("[labs/x.lab.yaml:15:5]"), "{out}");
    assert!(out.contains("[labs/x.lab.yaml:16:5]"), "{out}");
    assert!(!out.contains("also has `create`"), "{out}");
}

#[test]
fn a_deleting_step_is_worth_nothing_and_never_torn_down() {
    let text = lab(&format!(
        "  - id: rg\n    title: RG\n    resource: \"{RG}\"\n    create: {{body: {{location: eastus}}}}\n  - id: gone\n    title: Gone\n    needs: [rg]\n    resource: \"{RG}\"\n    delete: true\n"
    ));
    let file = load_source(Path::new("d.lab.yaml"), &text).unwrap();
    let ctx = ResolveContext {
        subscription: "sub-1".into(),
        vars: BTreeMap::new(),
        remembered: BTreeMap::new(),
        recorded: BTreeMap::new(),
    };
    let lab = file.resolve(&ctx).unwrap();
    let gone = lab.steps.iter().find(|s| s.id == "gone").unwrap();
    assert!(gone.delete);
    assert_eq!((gone.points, gone.teardown), (0, false));
    let rg = lab.steps.iter().find(|s| s.id == "rg").unwrap();
    assert_eq!((rg.points, rg.teardown, rg.delete), (1, true, false));
}
