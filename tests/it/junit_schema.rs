//! Validates JUnit XML against `tests/data/junit.xsd` in Rust, so `cargo test` needs no
//! xmllint. The schema itself is read (not restated here, so it cannot drift): for each declared
//! element, its attributes (required or not, and the `SUREFIRE_TIME` pattern) and the child
//! elements it allows; text-only elements (`type="xs:string"`) have no child elements. Order and
//! counts are not checked (the Jenkins schema allows any order and count but for `testsuites`).
//! `.ci/run` also validates the same reports with xmllint (`tests/junit/xmllint.sh`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

/// What the schema says about one element (or named complex type).
#[derive(Debug, Default, Clone)]
struct Decl {
    /// Attribute name -> (required, type).
    attrs: BTreeMap<String, (bool, String)>,
    /// Child elements allowed.
    children: BTreeSet<String>,
    /// Declared `type="xs:string"`: text only.
    text_only: bool,
    /// Declared with a named complex type.
    type_ref: Option<String>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// The declarations of the schema at `path`, and the `SUREFIRE_TIME` pattern.
fn schema(path: &Path) -> (BTreeMap<String, Decl>, regex::Regex) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut decls: BTreeMap<String, Decl> = BTreeMap::new();
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    let mut pattern = None;
    loop {
        let (e, empty) = match reader.read_event().unwrap() {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                depth -= 1;
                if depth == 1 {
                    current = None;
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let tag = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        match (depth, tag.as_str()) {
            (1, "xs:element" | "xs:complexType" | "xs:simpleType") => {
                let name = attr(&e, "name").unwrap();
                let key = if tag == "xs:element" {
                    name
                } else {
                    format!("type:{name}")
                };
                let decl = decls.entry(key.clone()).or_default();
                match attr(&e, "type").as_deref() {
                    Some("xs:string") => decl.text_only = true,
                    Some(t) => decl.type_ref = Some(format!("type:{t}")),
                    None => {}
                }
                current = Some(key);
            }
            (_, "xs:pattern") => pattern = attr(&e, "value"),
            (_, "xs:attribute") => {
                let decl = decls.get_mut(current.as_ref().unwrap()).unwrap();
                let required = attr(&e, "use").as_deref() == Some("required");
                decl.attrs.insert(
                    attr(&e, "name").unwrap(),
                    (required, attr(&e, "type").unwrap_or_default()),
                );
            }
            (_, "xs:element") => {
                let child = attr(&e, "ref").or_else(|| attr(&e, "name")).unwrap();
                if attr(&e, "type").as_deref() == Some("xs:string") {
                    decls.entry(child.clone()).or_default().text_only = true;
                }
                let decl = decls.get_mut(current.as_ref().unwrap()).unwrap();
                decl.children.insert(child);
            }
            _ => {}
        }
        if !empty {
            depth += 1;
        }
    }
    let pattern = regex::Regex::new(&format!("^(?:{})$", pattern.unwrap())).unwrap();
    (decls, pattern)
}

/// The declaration of `name`, with its named complex type merged in.
fn resolved(decls: &BTreeMap<String, Decl>, name: &str) -> Option<Decl> {
    let mut decl = decls.get(name)?.clone();
    if let Some(t) = decl.type_ref.clone() {
        let base = decls.get(&t)?;
        decl.attrs.extend(base.attrs.clone());
        decl.children.extend(base.children.clone());
    }
    Some(decl)
}

/// Every way `xml` breaks the schema, as messages (empty when it validates).
pub fn problems(xml: &str) -> Vec<String> {
    let (decls, time) = schema(&crate::support::repo().join("tests/data/junit.xsd"));
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Decl> = Vec::new();
    let mut out = Vec::new();
    let mut roots = 0;
    loop {
        let (e, empty) = match reader.read_event() {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(_)) => {
                stack.pop();
                continue;
            }
            Ok(Event::Eof) => break,
            Ok(_) => continue,
            Err(e) => {
                out.push(format!("not well-formed XML: {e}"));
                break;
            }
        };
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        match stack.last() {
            None => roots += 1,
            Some(parent) if parent.text_only => out.push(format!("<{name}> inside a text element")),
            Some(parent) if !parent.children.contains(&name) => {
                out.push(format!("<{name}> is not allowed there"));
            }
            Some(_) => {}
        }
        let Some(decl) = resolved(&decls, &name) else {
            out.push(format!("<{name}> is not an element of the schema"));
            break;
        };
        let given: BTreeMap<String, String> = e
            .attributes()
            .flatten()
            .map(|a| {
                (
                    String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                    String::from_utf8_lossy(&a.value).into_owned(),
                )
            })
            .collect();
        for (a, (required, _)) in &decl.attrs {
            if *required && !given.contains_key(a) {
                out.push(format!("<{name}> lacks the required attribute `{a}`"));
            }
        }
        for (a, v) in &given {
            match decl.attrs.get(a) {
                None => out.push(format!("<{name}> has no attribute `{a}`")),
                Some((_, t)) if t == "SUREFIRE_TIME" && !time.is_match(v) => {
                    out.push(format!("<{name} {a}=\"{v}\"> is not a SUREFIRE_TIME"));
                }
                Some(_) => {}
            }
        }
        if !empty {
            stack.push(decl);
        }
    }
    if roots != 1 {
        out.push(format!("{roots} root elements"));
    }
    out
}

/// Asserts that the JUnit file at `xml` validates against the schema.
pub fn validate_junit(xml: &Path) {
    let text = std::fs::read_to_string(xml).unwrap();
    let problems = problems(&text);
    assert!(
        problems.is_empty(),
        "{} does not validate against tests/data/junit.xsd: {problems:?}\n{text}",
        xml.display()
    );
    // `.ci/run` validates the same files with xmllint (tests/junit/xmllint.sh).
    if let Some(dir) = std::env::var_os("AMLAB_JUNIT_KEEP") {
        static KEPT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = KEPT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("junit-{}-{n}.xml", std::process::id());
        std::fs::copy(xml, Path::new(&dir).join(name)).unwrap();
    }
}

#[test]
fn the_validator_catches_what_the_schema_forbids() {
    let ok = r#"<?xml version="1.0"?><testsuites><testsuite name="a" tests="1" failures="1" errors="0" time="0.5"><properties><property name="p" value="1"/></properties><testcase name="x" classname="a"><failure message="m">body</failure></testcase></testsuite></testsuites>"#;
    assert_eq!(problems(ok), Vec::<String>::new());
    for (bad, why) in [
        (
            ok.replace(r#" tests="1""#, ""),
            "required attribute `tests`",
        ),
        (
            ok.replace(r#"time="0.5""#, r#"time="soon""#),
            "SUREFIRE_TIME",
        ),
        (ok.replace("<failure ", "<oops "), "not an element"),
        (
            ok.replace(r#"classname="a""#, r#"colour="a""#),
            "no attribute `colour`",
        ),
        (
            ok.replace("body</failure>", "</failure><testcase name=\"y\"/>"),
            "not allowed there",
        ),
        (
            ok.replace("<properties>", "<properties><testcase name=\"z\"/>"),
            "not allowed there",
        ),
    ] {
        let found = problems(&bad);
        assert!(found.iter().any(|p| p.contains(why)), "{why}: {found:?}");
    }
}
