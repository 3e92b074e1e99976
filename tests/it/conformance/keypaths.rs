//! JSON key paths (`properties.sku.name`, `value[].id`) and the coverage of one body by another.

use std::collections::BTreeSet;

use serde_json::Value;

/// The key paths of `v`; with `skip_null`, keys whose value is `null` are left out.
pub(super) fn paths(v: &Value, skip_null: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(v, "", skip_null, &mut out);
    out
}

fn walk(v: &Value, prefix: &str, skip_null: bool, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if skip_null && child.is_null() {
                    continue;
                }
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(path.clone());
                walk(child, &path, skip_null, out);
            }
        }
        Value::Array(items) => {
            let path = format!("{prefix}[]");
            for item in items {
                walk(item, &path, skip_null, out);
            }
        }
        _ => {}
    }
}

/// The share of `expected`'s key paths present in `answer` (`None` when `expected` has none),
/// and the missing ones. A list's top-level `nextLink` is left out: an example shows a page
/// in the middle of a longer list, and ARM omits the link on the last page.
pub(super) fn coverage(expected: &Value, answer: &Value) -> (Option<f64>, Vec<String>) {
    let mut want = paths(expected, true);
    want.remove("nextLink");
    if want.is_empty() {
        return (None, Vec::new());
    }
    let have = paths(answer, false);
    let missing: Vec<String> = want
        .iter()
        .filter(|p| !have.contains(*p))
        .cloned()
        .collect();
    let share = (want.len() - missing.len()) as f64 / want.len() as f64;
    (Some(share), missing)
}

#[test]
fn key_paths_cover_objects_arrays_and_skip_nulls() {
    let example = serde_json::json!({"a": {"b": 1, "n": null}, "v": [{"x": 1}, {"y": 2}]});
    let got = paths(&example, true);
    let want: BTreeSet<String> = ["a", "a.b", "v", "v[].x", "v[].y"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(got, want);
    let answer = serde_json::json!({"a": {"b": 2}, "v": [{"x": 3}]});
    let (share, missing) = coverage(&example, &answer);
    assert_eq!(missing, vec!["v[].y".to_owned()]);
    assert!((share.unwrap() - 0.8).abs() < 1e-9);
}
