//! Broken labs: `amlab lint` (and every command that loads labs) exits 2 and names
//! file:line:column for each problem, all problems of all files at once.

use crate::support::{Sandbox, repo, stderr, stdout};

const GOOD: &str = "\
id: tiny
title: Tiny lab
params:
  rg:
    default: rg-tiny
steps:
  - id: rg
    title: A resource group
    resource: /subscriptions/${subscription}/resourceGroups/${rg}
    create:
      body: {location: eastus}
    expect:
      - query: location
        equals: eastus
";

fn lint_one(text: &str) -> (i32, String) {
    let sb = Sandbox::new();
    sb.write("broken.lab.yaml", text);
    let out = sb.amlab(&["lint", "broken.lab.yaml"]).output().unwrap();
    (out.status.code().unwrap_or(-1), stderr(&out))
}

#[test]
fn the_good_lab_lints_clean() {
    let sb = Sandbox::new();
    sb.write("good.lab.yaml", GOOD);
    let out = sb.amlab(&["lint", "good.lab.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 lab valid"));
}

#[test]
fn shipped_labs_lint_clean() {
    let sb = Sandbox::new();
    let out = sb
        .amlab(&["lint", repo().join("labs").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The shared setup under labs/dp100/shared/ is included by the labs, never taken for one.
    let text = stdout(&out);
    assert!(text.contains("37 labs valid"), "{text}");
    assert!(!text.contains(".setup.yaml"), "{text}");
    assert!(
        repo()
            .join("labs/dp100/shared/workspace.setup.yaml")
            .is_file()
    );
}

#[test]
fn unknown_field_with_suggestion() {
    let (code, err) =
        lint_one(&GOOD.replace("    title: A resource group", "    titel: A resource group"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken.lab.yaml:8:5"), "{err}");
    assert!(err.contains("titel"), "{err}");
    assert!(err.contains("did you mean `title`"), "{err}");
}

#[test]
fn malformed_query() {
    let (code, err) = lint_one(&GOOD.replace("query: location", "query: location[?"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken.lab.yaml:13:"), "{err}");
}

#[test]
fn undefined_parameter() {
    let (code, err) =
        lint_one(&GOOD.replace("resourceGroups/${rg}", "resourceGroups/${resource_group}"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken.lab.yaml:9:"), "{err}");
    assert!(err.contains("resource_group"), "{err}");
}

#[test]
fn needs_cycle() {
    let text = "\
id: cyc
title: Cycle
steps:
  - id: a
    title: A
    needs: [b]
    resource: /subscriptions/s/resourceGroups/a
  - id: b
    title: B
    needs: [a]
    resource: /subscriptions/s/resourceGroups/b
";
    let (code, err) = lint_one(text);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cycle"), "{err}");
    assert!(err.contains("broken.lab.yaml:"), "{err}");
}

#[test]
fn yaml_syntax_error() {
    let (code, err) = lint_one(&GOOD.replace("title: Tiny lab", "title: [Tiny lab"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken.lab.yaml:"), "{err}");
}

#[test]
fn all_errors_of_all_files_at_once() {
    let sb = Sandbox::new();
    sb.write(
        "one.lab.yaml",
        &GOOD
            .replace("resourceGroups/${rg}", "resourceGroups/${nope}")
            .replace("query: location", "query: location[?"),
    );
    sb.write(
        "two.lab.yaml",
        &GOOD.replace("    title: A resource group", "    titel: A resource group"),
    );
    let out = sb.amlab(&["lint", "."]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("one.lab.yaml:9:"), "{err}");
    assert!(err.contains("one.lab.yaml:13:"), "{err}");
    assert!(err.contains("two.lab.yaml:8:5"), "{err}");
}

#[test]
fn run_refuses_a_broken_lab_before_any_request() {
    let sb = Sandbox::new();
    sb.write(
        "broken.lab.yaml",
        &GOOD.replace("query: location", "query: location[?"),
    );
    let out = sb.amlab(&["run", "broken.lab.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !sb.path().join(".amlab/emulator-state.json").exists(),
        "the emulator was opened for an invalid lab"
    );
}

/// Piped (not a terminal), an error is never hard-wrapped: a path longer than any terminal and
/// a long message stay whole on their line, whatever `COLUMNS` says.
#[test]
fn errors_are_not_wrapped_when_piped() {
    let sb = Sandbox::new();
    let deep = (0..12)
        .map(|i| format!("a-rather-long-folder-name-{i:02}"))
        .collect::<Vec<_>>()
        .join("/");
    let file = format!("{deep}/broken.lab.yaml");
    assert!(file.len() > 200, "{}", file.len());
    let long = "the_resource_group_this_lab_creates_for_every_learner_of_the_class_who_takes_it_\
                this_term_and_keeps_until_the_end_of_the_course";
    sb.write(
        &file,
        &GOOD.replace(
            "resourceGroups/${rg}",
            &format!("resourceGroups/${{{long}}}"),
        ),
    );
    for columns in [None, Some("40")] {
        let mut cmd = sb.amlab(&["lint", &file]);
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains(&format!("{file}:9:")), "{err}");
        assert!(
            err.contains(&format!("undefined parameter `{long}`")),
            "the message was split: {err}"
        );
    }
}

/// The lab: two unknown fields, an undefined parameter and an unknown step in `needs`;
/// `lint` reports all four at once, each located, with what would be valid.
#[test]
fn every_unknown_field_and_every_other_problem_at_once() {
    let lab = "\
id: four
title: Four mistakes
params:
  location:
    default: eastus
  resource_group:
    default: rg-four
steps:
  - id: rg
    title: A resource group
    resource: /subscriptions/${subscription}/resourceGroups/${resource_group}
    create:
      body: {location: \"${locaton}\"}
    expect:
      - query: location
        equal: eastus
        hnt: Create it in eastus.
  - id: storage
    title: A storage account
    needs: [resource_group]
    resource: /subscriptions/${subscription}/resourceGroups/${resource_group}/providers/Microsoft.Storage/storageAccounts/st4
    expect:
      - query: kind
        equals: StorageV2
";
    let (code, err) = lint_one(lab);
    assert_eq!(code, 2, "{err}");
    for (at, what, help) in [
        (
            "broken.lab.yaml:16:9",
            "unknown field `equal`",
            "did you mean `equals`?",
        ),
        (
            "broken.lab.yaml:17:9",
            "unknown field `hnt`",
            "did you mean `hint`?",
        ),
        (
            "broken.lab.yaml:13:25",
            "undefined parameter `locaton`",
            "did you mean `location`?",
        ),
        (
            "broken.lab.yaml:20:13",
            "unknown step `resource_group`",
            "steps of this lab: `rg`, `storage`",
        ),
    ] {
        assert!(err.contains(at), "{at}: {err}");
        assert!(err.contains(what), "{what}: {err}");
        assert!(err.contains(help), "{help}: {err}");
    }
    assert!(
        err.contains("valid fields here: title, query, equals, not_equals"),
        "{err}"
    );
}

/// Unknown fields in a flow mapping are all reported too (the rest of the file is then not
/// checked, as blanking a flow mapping could break it).
#[test]
fn unknown_fields_in_flow_mappings_are_all_reported() {
    let (code, err) = lint_one(&GOOD.replace(
        "      body: {location: eastus}",
        "      body: {location: eastus}\n      bdy: 1\n    wait: {untl: x, timeout: 5m}",
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown field `bdy`"), "{err}");
    assert!(err.contains("unknown field `untl`"), "{err}");
    assert!(err.contains("did you mean `until`?"), "{err}");
}
