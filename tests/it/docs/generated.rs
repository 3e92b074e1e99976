//! Generated pages of the book: compared with what the generators write now, and rewritten
//! (atomically) when `AMLAB_UPDATE_DOCS=1`.

use std::io::Write;

use super::markdown::book_src;

/// How to regenerate, for messages and the pages' headers.
pub const REGENERATE: &str = "AMLAB_UPDATE_DOCS=1 cargo test --test it docs";

/// Markdown text made safe for a table cell: `|` escaped, newlines joined, and outside code
/// spans `<`, `>` and `*` escaped (so `<lab-id>` is text, not an HTML tag).
pub fn cell(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    for (i, part) in joined.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        let part = part.replace('|', "\\|");
        if i % 2 == 1 {
            out.push_str(&part);
        } else {
            out.push_str(
                &part
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('*', "\\*"),
            );
        }
    }
    out
}

/// Asserts that `docs/src/<name>` holds `generated`, or writes it with `AMLAB_UPDATE_DOCS=1`.
pub fn check_or_update(name: &str, generated: &str) {
    let path = book_src().join(name);
    if std::env::var("AMLAB_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        let mut tmp = tempfile::NamedTempFile::new_in(book_src()).unwrap();
        tmp.write_all(generated.as_bytes()).unwrap();
        tmp.persist(&path).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/src/{name} is out of date with the code: regenerate it with `{REGENERATE}`"
    );
}

#[test]
fn cells_escape_html_pipes_and_emphasis_outside_code() {
    assert_eq!(
        cell("to DIR/<lab-id>/<mode>.json\n  for *.lab.yaml, `a|b <c>`"),
        "to DIR/&lt;lab-id&gt;/&lt;mode&gt;.json for \\*.lab.yaml, `a\\|b <c>`"
    );
}
