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

/// An element's attributes, unescaped.
fn attributes(e: &quick_xml::events::BytesStart<'_>) -> Vec<(String, String)> {
    e.attributes()
        .map(|a| {
            let a = a.expect("attribute");
            (
                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .expect("value")
                    .into_owned(),
            )
        })
        .collect()
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
                let attrs = attributes(&e);
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

/// The cells' texts of each row of the table with `class`, with the row's attributes.
type Rows = Vec<(Vec<(String, String)>, Vec<String>)>;

pub fn table(html: &str, class: &str) -> Rows {
    use quick_xml::events::Event;
    let body = html.trim_start_matches("<!DOCTYPE html>");
    let mut reader = quick_xml::Reader::from_str(body);
    let (mut inside, mut depth, mut in_cell) = (false, 0usize, false);
    let mut rows: Rows = Vec::new();
    loop {
        match reader.read_event().expect("well-formed HTML") {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let attrs = attributes(&e);
                if name == "table" && attrs.iter().any(|(k, v)| k == "class" && v == class) {
                    inside = true;
                }
                if inside {
                    depth += 1;
                    if name == "tr" {
                        rows.push((attrs, Vec::new()));
                    } else if name == "td" || name == "th" {
                        in_cell = true;
                        if let Some(r) = rows.last_mut() {
                            r.1.push(String::new());
                        }
                    }
                }
            }
            Event::End(e) if inside => {
                depth -= 1;
                let name = e.name();
                if name.as_ref() == b"td" || name.as_ref() == b"th" {
                    in_cell = false;
                }
                if depth == 0 {
                    break;
                }
            }
            Event::Text(t) if inside && in_cell => {
                let text = t.decode().expect("text");
                let text = quick_xml::escape::unescape(&text)
                    .expect("entity")
                    .into_owned();
                if let Some(cell) = rows.last_mut().and_then(|r| r.1.last_mut()) {
                    cell.push_str(&text);
                }
            }
            Event::GeneralRef(r) if inside && in_cell => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let text = quick_xml::escape::unescape(&format!("&{name};"))
                    .expect("entity")
                    .into_owned();
                if let Some(cell) = rows.last_mut().and_then(|r| r.1.last_mut()) {
                    cell.push_str(&text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(inside, "no table of class {class}");
    rows
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

const CLASS_LAB: &str = r#"id: class
title: Class lab
params:
  suffix: {default: x}
  env: {default: prod}
  kind: {default: StorageV2}
steps:
  - id: rg
    title: Resource group
    points: 2
    resource: "/subscriptions/${subscription}/resourceGroups/rg-${suffix}"
    create: {body: {location: eastus, tags: {env: "${env}"}}}
    expect:
      - title: the region
        query: location
        equals: eastus
      - title: the env tag
        query: tags.env
        equals: prod
  - id: st
    title: Storage
    needs: [rg]
    points: 2
    resource: "/subscriptions/${subscription}/resourceGroups/rg-${suffix}/providers/Microsoft.Storage/storageAccounts/st${suffix}"
    create:
      body: {location: eastus, kind: "${kind}", sku: {name: Standard_LRS}}
    expect:
      - title: the kind
        query: kind
        equals: StorageV2
"#;

/// A class: three right, two with the wrong tag, one with a v1 account, one who did nothing,
/// two whose submissions cannot be read.
fn class(sb: &Sandbox) -> std::path::PathBuf {
    let lab = sb.write("class.lab.yaml", CLASS_LAB);
    let worlds: [(&str, &[&str]); 6] = [
        ("a1", &[]),
        ("a2", &[]),
        ("a3", &[]),
        ("b1", &["--var", "env=dev"]),
        ("b2", &["--var", "env=dev"]),
        ("c1", &["--var", "kind=Storage"]),
    ];
    for (suffix, vars) in worlds {
        let mut args = vec![
            "run",
            lab.to_str().unwrap(),
            "--provisioning-delay",
            "0",
            "--var",
        ];
        let s = format!("suffix={suffix}");
        args.push(&s);
        args.extend_from_slice(vars);
        let out = sb.amlab(&args).output().unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stdout(&out));
        sb.write(
            &format!("subs/{suffix}/vars.yaml"),
            &format!("suffix: {suffix}\n"),
        );
    }
    sb.write("subs/d1/vars.yaml", "suffix: d1\n");
    sb.write(
        "subs/e1/notes.txt",
        "I forgot my vars file <script>x</script>\n",
    );
    sb.write("subs/e2/vars.yaml", "suffix: [unclosed\n");
    lab
}

#[test]
fn the_class_report_shows_the_gradebooks_numbers() {
    let sb = Sandbox::new();
    let lab = class(&sb);
    let out = sb
        .amlab(&[
            "grade",
            lab.to_str().unwrap(),
            "--submissions",
            "subs",
            "--gradebook",
            "g.csv",
            "--html",
            "class.html",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let html = std::fs::read_to_string(sb.path().join("class.html")).unwrap();
    let csv = std::fs::read_to_string(sb.path().join("g.csv")).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.path().join("g.json")).unwrap()).unwrap();
    let csv: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(csv.len(), 9);

    // The learners table: each row's score, percent and pass as the CSV has them.
    let learners = table(&html, "learners");
    let body: Vec<_> = learners
        .iter()
        .filter(|(a, _)| attr(a, "data-learner").is_some())
        .collect();
    assert_eq!(body.len(), csv.len());
    for ((attrs, cells), row) in body.iter().zip(&csv) {
        assert_eq!(attr(attrs, "data-learner"), Some(row[0]));
        assert_eq!(attr(attrs, "data-score"), Some(row[1]));
        assert_eq!(attr(attrs, "data-percent"), Some(row[3]));
        assert_eq!(attr(attrs, "data-pass"), Some(row[4]));
        if row[5] == "false" {
            assert_eq!(cells[1], format!("{}/{}", row[1], row[2]));
        }
    }
    // The overview counts.
    let overview = table(&html, "overview");
    let unknown = csv.iter().filter(|r| r[5] == "true").count();
    let passed = csv.iter().filter(|r| r[4] == "true").count();
    assert_eq!(
        overview[1].1,
        [9, 9 - unknown, passed, 9 - unknown - passed, unknown].map(|n| n.to_string())
    );
    assert_eq!((unknown, passed), (2, 3));
    // The histogram's table: graded learners per 10 % bin.
    let mut bins = [0usize; 10];
    for r in csv.iter().filter(|r| r[5] == "false") {
        let p: f64 = r[3].parse().unwrap();
        bins[((p / 10.0).floor() as usize).min(9)] += 1;
    }
    let dist = table(&html, "distribution");
    let shown: Vec<usize> = dist
        .iter()
        .skip(1)
        .map(|(_, c)| c[1].parse().unwrap())
        .collect();
    assert_eq!(shown, bins);
    assert!(html.contains("<svg "), "no histogram");
    // Each step's statuses, counted from the CSV's step columns.
    let steps = table(&html, "step-rates");
    for (i, step) in ["rg", "st"].iter().enumerate() {
        let (attrs, cells) = steps
            .iter()
            .find(|(a, _)| attr(a, "data-step") == Some(step))
            .unwrap();
        assert!(attr(attrs, "data-step").is_some());
        for (j, status) in ["passed", "failed", "error", "skipped"].iter().enumerate() {
            let n = csv.iter().filter(|r| r[6 + i] == *status).count();
            assert_eq!(cells[1 + j], n.to_string(), "{step} {status}");
        }
    }
    // Each check's failures from the JSON gradebook, the most-failed first.
    let mut tally: std::collections::HashMap<(String, String), (usize, usize)> = Default::default();
    for l in json["learners"].as_array().unwrap() {
        for s in l["result"]["steps"].as_array().into_iter().flatten() {
            for c in s["checks"].as_array().unwrap() {
                let t = tally
                    .entry((
                        s["id"].as_str().unwrap().into(),
                        c["title"].as_str().unwrap().into(),
                    ))
                    .or_default();
                t.0 += usize::from(c["passed"] == false);
                t.1 += 1;
            }
        }
    }
    let checks = table(&html, "check-rates");
    assert_eq!(checks.len() - 1, tally.len());
    let mut last = -1.0;
    for (_, c) in checks.iter().skip(1) {
        let (failed, checked) = tally[&(c[0].clone(), c[1].clone())];
        assert_eq!(
            (c[2].clone(), c[3].clone()),
            (failed.to_string(), checked.to_string())
        );
        let rate = 1.0 - failed as f64 / checked as f64;
        assert!(rate >= last, "{checks:?}");
        last = rate;
    }
    assert_ne!(checks[1].1[2], "0", "a failed check heads the table");
    // Who could not be checked, and why, as the CSV says.
    let unknown_rows = table(&html, "unknown");
    let names: Vec<&str> = unknown_rows
        .iter()
        .filter_map(|(a, _)| attr(a, "data-learner"))
        .collect();
    assert_eq!(names, ["e1", "e2"]);
    for (a, c) in unknown_rows.iter().skip(1) {
        let row = json["learners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["learner"].as_str() == attr(a, "data-learner"))
            .unwrap();
        assert_eq!(row["could_not_check"], true);
        assert!(!c[1].is_empty());
        assert_eq!(row["message"].as_str(), Some(c[1].as_str()));
    }
    // Each learner's detail is one link away.
    for i in 0..9 {
        assert!(html.contains(&format!("href=\"#learner-{i}\"")));
        assert!(html.contains(&format!("<div id=\"learner-{i}\">")));
    }
    // A learner's detail names the passed steps and each failed check with what was found.
    assert!(
        html.contains("<div>the env tag: expected &quot;prod&quot;, got &quot;dev&quot;</div>"),
        "{html}"
    );
    assert!(html.contains("<p>Score 4/4. Passed: rg, st.</p>"), "{html}");
    assert!(!html.contains("<script"), "unescaped learner text");
}

#[test]
fn the_class_report_goes_to_stdout_with_a_dash() {
    let sb = Sandbox::new();
    let lab = class(&sb);
    let out = sb
        .amlab(&[
            "grade",
            lab.to_str().unwrap(),
            "--submissions",
            "subs",
            "--gradebook",
            "g.csv",
            "--html",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page:.200}");
    assert!(page.trim_end().ends_with("</html>"));
    assert!(
        !sb.path().join("-").exists(),
        "a file named `-` was written"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("gradebook: g.csv"), "{err}");
}
