//! Fuzz target: a parameter value (what a learner's `vars.yaml` sets) enters a query only as a
//! literal. For any value, a lab comparing `tags.a` with `${v}` in a raw string, in a JSON
//! string and bare either refuses the value (a backslash in a raw string) or, on a document
//! whose `tags.a` is the value, every comparison holds and on another document none does:
//! the value never changes the query's structure.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::json;

const LAB: &str = r#"id: fuzz
title: Fuzz
params:
  v: {default: x}
steps:
  - id: rg
    title: RG
    resource: /subscriptions/${subscription}/resourceGroups/rg
    expect:
      - query: "tags.a == '${v}'"
        equals: true
      - query: "tags.a == `\"${v}\"`"
        equals: true
      - query: "tags.a == ${v}"
        equals: true
"#;

fn lab() -> &'static amlab::lab::LabFile {
    static LAB_FILE: OnceLock<amlab::lab::LabFile> = OnceLock::new();
    LAB_FILE.get_or_init(|| match amlab::lab::load_source(Path::new("fuzz.lab.yaml"), LAB) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let ctx = amlab::lab::ResolveContext {
        subscription: "00000000-0000-0000-0000-000000000000".into(),
        vars: [("v".to_owned(), value.to_owned())].into(),
        ..Default::default()
    };
    let Ok(resolved) = lab().resolve(&ctx) else {
        // Refused (a backslash in a raw string, or over a limit): never query text.
        return;
    };
    let same = json!({"tags": {"a": value}});
    let other = json!({"tags": {"a": format!("{value}-other")}});
    for check in &resolved.steps[0].checks {
        assert!(check.query.holds(&same), "{}", check.query.text());
        assert!(!check.query.holds(&other), "{}", check.query.text());
    }
});
