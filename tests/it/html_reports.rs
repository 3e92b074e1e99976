//! The HTML reports: the learner's page (`--report html=`) escapes what servers and learners
//! wrote, keeps no secret, diffs objects; the class page (`grade --html`) shows the gradebook's
//! numbers. Both parse as well-formed markup (checked with quick-xml).

use crate::support::{Sandbox, stdout};

const KEY: &str = "UExBTlRFRC1LRVktaHRtbC1yZXBvcnQtNDI=";

fn hostile_lab() -> String {
    format!(
        r#"id: hostile
title: "Tags <b>bold</b>"
params:
  suffix: {{default: ht}}
steps:
  - id: rg
    title: Resource group
    resource: "/subscriptions/${{subscription}}/resourceGroups/rg-${{suffix}}"
    create:
      body:
        location: eastus
        tags:
          note: "<script>alert(1)</script>"
          conn: "DefaultEndpointsProtocol=https;AccountName=st;AccountKey={KEY};EndpointSuffix=core.windows.net"
    expect:
      - title: the note
        query: tags.note
        equals: "fine"
        hint: "write <i>fine</i>"
      - title: the tags
        query: "{{note: tags.note, env: 'dev'}}"
        equals: {{env: dev, note: "fine"}}
      - query: tags.conn
        equals: "none"
      - query: location
        equals: eastus
"#
    )
}

/// Every element name of a well-formed document (panics on malformed markup).
pub fn elements(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let body = html.trim_start_matches("<!DOCTYPE html>");
    let mut reader = quick_xml::Reader::from_str(body);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed HTML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("attribute");
                        (
                            String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                            a.unescape_value().expect("value").into_owned(),
                        )
                    })
                    .collect();
                out.push((name, attrs));
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn markup_and_secrets_in_values_are_escaped_and_scrubbed() {
    let sb = Sandbox::new();
    let lab = sb.write("hostile.lab.yaml", &hostile_lab());
    let out = sb
        .amlab(&["run", lab.to_str().unwrap(), "--report", "html=r.html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let html = std::fs::read_to_string(sb.path().join("r.html")).unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<b>bold"), "{html}");
    assert!(!html.contains("<i>fine"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("Tags &lt;b&gt;bold&lt;/b&gt;"), "{html}");
    assert!(html.contains("write &lt;i&gt;fine&lt;/i&gt;"), "{html}");
    assert!(
        !html.contains(KEY),
        "the planted key is in the report:\n{html}"
    );
    assert!(!html.contains("PLANTED"), "{html}");
    // The object check gets a line diff: the differing key marked, the equal one not.
    assert!(
        html.contains("<span class=\"del\">-   &quot;note&quot;: &quot;fine&quot;</span>"),
        "{html}"
    );
    assert!(
        html.contains("<span>    &quot;env&quot;: &quot;dev&quot;,</span>"),
        "{html}"
    );
    let els = elements(&html);
    let scripts = els
        .iter()
        .filter(|(n, _)| n == "script" || n == "link" || n == "img")
        .count();
    assert_eq!(scripts, 0);
    let checks = els
        .iter()
        .filter(|(n, a)| n == "table" && a.iter().any(|(k, v)| k == "class" && v == "checks"))
        .count();
    assert_eq!(checks, 1, "one step with checks");
}

#[test]
fn the_html_report_can_go_to_stdout() {
    let sb = Sandbox::new();
    let lab = sb.write("hostile.lab.yaml", &hostile_lab());
    let out = sb
        .amlab(&["run", lab.to_str().unwrap(), "--report", "html=-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.starts_with("<!DOCTYPE html>"), "{text}");
    assert!(text.trim_end().ends_with("</html>"), "{text}");
    elements(&text);
}
