//! Expected against actual for objects and lists: a line diff of the two values as pretty JSON,
//! so that a learner sees the one key or item that differs rather than two walls of text.

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use super::page::push_escaped;

/// Whether the pair deserves a diff: both known and at least one an object or a list.
pub fn wanted(expected: Option<&Value>, actual: Option<&Value>) -> bool {
    match (expected, actual) {
        (Some(e), Some(a)) => compound(e) || compound(a),
        _ => false,
    }
}

fn compound(v: &Value) -> bool {
    v.is_object() || v.is_array()
}

/// Pretty JSON of a value (a value that cannot be printed shows as `null`).
pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".to_owned())
}

/// Appends a `<pre class="diff">`: `-` lines only expected, `+` lines only actual.
pub fn render(out: &mut String, expected: &Value, actual: &Value) {
    let (e, a) = (pretty(expected), pretty(actual));
    let diff = TextDiff::from_lines(&e, &a);
    out.push_str("<pre class=\"diff\" aria-label=\"difference: - expected, + actual\">");
    for change in diff.iter_all_changes() {
        let (class, sign) = match change.tag() {
            ChangeTag::Delete => (Some("del"), "- "),
            ChangeTag::Insert => (Some("add"), "+ "),
            ChangeTag::Equal => (None, "  "),
        };
        match class {
            Some(c) => {
                out.push_str("<span class=\"");
                out.push_str(c);
                out.push_str("\">");
            }
            None => out.push_str("<span>"),
        }
        out.push_str(sign);
        push_escaped(out, change.value().trim_end_matches('\n'));
        out.push_str("</span>\n");
    }
    out.push_str("</pre>");
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_the_differing_key_is_marked() {
        let mut out = String::new();
        render(
            &mut out,
            &json!({"kind": "StorageV2", "sku": "LRS"}),
            &json!({"kind": "Storage", "sku": "LRS"}),
        );
        assert!(
            out.contains("<span class=\"del\">-   &quot;kind&quot;: &quot;StorageV2&quot;,</span>"),
            "{out}"
        );
        assert!(
            out.contains("<span class=\"add\">+   &quot;kind&quot;: &quot;Storage&quot;,</span>"),
            "{out}"
        );
        assert!(
            out.contains("<span>    &quot;sku&quot;: &quot;LRS&quot;</span>"),
            "{out}"
        );
        assert!(wanted(Some(&json!([1])), Some(&json!(null))));
        assert!(!wanted(Some(&json!(1)), Some(&json!(2))));
    }
}
