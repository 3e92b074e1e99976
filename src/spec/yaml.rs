//! Reading spec YAML the way the SDK does: PyYAML's `yaml.safe_load`, a YAML 1.1 resolver.
//!
//! serde-saphyr types plain scalars differently from PyYAML. Its YAML 1.1 booleans are wider:
//! it also takes `y`, `n` and any letter case (`yEs`, `nO`), where PyYAML's booleans are exactly
//! `yes`, `no`, `true`, `false`, `on` and `off` in lower, Title or UPPER case. Its numbers follow
//! YAML 1.2: `1e-3` and `0o17` are numbers (PyYAML: text, a float needs a dot), `017` is 17
//! (PyYAML: octal 15), `1:30` is text (PyYAML: sexagesimal 90). serde-saphyr's
//! `strict_booleans` option would go too far the other way (`yes` and `on` would be text), and
//! whether a scalar was quoted is not visible after parsing. So every plain, untagged scalar is
//! typed again from its text in the source with PyYAML's own patterns (`yaml.resolver.Resolver`)
//! and constructors. Mapping keys get the name the SDK's JSON ends up with: `{True: x}` is sent
//! as `{"true": "x"}`, `{y: x}` as `{"y": "x"}`.
//!
//! Not modelled: PyYAML's timestamps (`2024-01-01` is a `date` for PyYAML, text here) and
//! `.inf`/`.nan` (PyYAML floats; serde-saphyr rejects them as not valid YAML).

use std::sync::LazyLock;

use regex::Regex;
use serde_saphyr::Spanned;

use super::node::{Node, SNode, python_float};

/// PyYAML's spellings of true (`tag:yaml.org,2002:bool`).
const TRUE: [&str; 9] = [
    "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
];

/// PyYAML's spellings of false.
const FALSE: [&str; 9] = [
    "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
];

/// PyYAML's implicit float pattern (`tag:yaml.org,2002:float`).
static FLOAT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    )
    .ok()
});

/// PyYAML's implicit int pattern (`tag:yaml.org,2002:int`).
static INT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
    )
    .ok()
});

/// The boolean PyYAML reads for the plain scalar `s`, if it reads one.
pub(crate) fn pyyaml_bool(s: &str) -> Option<bool> {
    if TRUE.contains(&s) {
        Some(true)
    } else if FALSE.contains(&s) {
        Some(false)
    } else {
        None
    }
}

/// What PyYAML reads the plain scalar `s` as, when a boolean or a number (in PyYAML's order:
/// bool, float, int); `None` for text (and null, which serde-saphyr reads alike). A number
/// too large for amlab's nodes is `None` too (then serde-saphyr's reading is kept).
fn pyyaml_typed(s: &str) -> Option<Result<Node, ()>> {
    if let Some(b) = pyyaml_bool(s) {
        return Some(Ok(Node::Bool(b)));
    }
    let matches = |re: &LazyLock<Option<Regex>>| re.as_ref().is_some_and(|r| r.is_match(s));
    if matches(&FLOAT) {
        return Some(pyyaml_float(s).map(Node::Float).ok_or(()));
    }
    if matches(&INT) {
        return Some(pyyaml_int(s).map(Node::Int).ok_or(()));
    }
    None
}

/// `(sign, digits without the sign and underscores)`.
fn signed(s: &str) -> (i64, String) {
    let digits: String = s.chars().filter(|c| *c != '_').collect();
    match digits.strip_prefix('-') {
        Some(rest) => (-1, rest.to_owned()),
        None => (1, digits.strip_prefix('+').unwrap_or(&digits).to_owned()),
    }
}

/// PyYAML's `construct_yaml_int`: binary, hex, octal (leading 0), sexagesimal, decimal.
fn pyyaml_int(s: &str) -> Option<i64> {
    let (sign, v) = signed(s);
    let magnitude = if v == "0" {
        0
    } else if let Some(b) = v.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()?
    } else if let Some(x) = v.strip_prefix("0x") {
        i64::from_str_radix(x, 16).ok()?
    } else if v.starts_with('0') {
        i64::from_str_radix(&v, 8).ok()?
    } else if v.contains(':') {
        v.split(':').try_fold(0i64, |acc, part| {
            acc.checked_mul(60)?.checked_add(part.parse::<i64>().ok()?)
        })?
    } else {
        v.parse().ok()?
    };
    magnitude.checked_mul(sign)
}

/// PyYAML's `construct_yaml_float`: decimal, exponent, sexagesimal, `.inf`, `.nan`.
fn pyyaml_float(s: &str) -> Option<f64> {
    let (sign, v) = signed(s);
    let v = v.to_ascii_lowercase();
    let magnitude = if v == ".inf" {
        f64::INFINITY
    } else if v == ".nan" {
        f64::NAN
    } else if v.contains(':') {
        v.split(':').try_fold(0f64, |acc, part| {
            Some(acc * 60.0 + part.parse::<f64>().ok()?)
        })?
    } else {
        v.parse().ok()?
    };
    Some(sign as f64 * magnitude)
}

/// Parses spec text into nodes, scalars typed as PyYAML types them.
pub(crate) fn parse(text: &str) -> Result<SNode, serde_saphyr::Error> {
    let mut node: SNode = serde_saphyr::from_str(text)?;
    resolve(&mut node, text);
    Ok(node)
}

/// The source text of a plain, untagged, one-line scalar node (an anchor before it is
/// skipped); `None` for quoted, block, tagged or multi-line scalars and unknown positions.
fn plain<'t, T>(text: &'t str, node: &Spanned<T>) -> Option<&'t str> {
    let span = node.defined.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    let mut s = text.get(start..start.checked_add(len)?)?.trim();
    while s.starts_with('&') {
        s = s.split_once(char::is_whitespace)?.1.trim_start();
    }
    let special = s.starts_with(['!', '\'', '"', '|', '>', '*']) || s.contains('\n');
    (!special && !s.is_empty() && !tagged(text.get(..start)?)).then_some(s)
}

/// Whether the text before a scalar ends with a tag (`!!str `, `!!str &a `, `[!!int `).
fn tagged(mut before: &str) -> bool {
    loop {
        before = before.trim_end();
        let from = before
            .rfind(|c: char| c.is_ascii_whitespace() || "[{,".contains(c))
            .map_or(0, |i| i + 1);
        let token = &before[from..];
        if token.starts_with('!') {
            return true;
        }
        if !token.starts_with('&') {
            return false;
        }
        before = &before[..from];
    }
}

/// The name a key PyYAML reads as `typed` gets in the SDK's JSON (`true`, `15`, `1.5`).
fn key_name(typed: &Node) -> Option<String> {
    match typed {
        Node::Bool(b) => Some(b.to_string()),
        Node::Int(i) => Some(i.to_string()),
        Node::Float(f) if f.is_finite() => Some(python_float(*f)),
        _ => None,
    }
}

/// Types every plain scalar (values and keys) as PyYAML does, recursively.
fn resolve(node: &mut SNode, text: &str) {
    let retyped = match &node.value {
        // Text serde-saphyr kept that PyYAML types (`1:30`).
        Node::Str(s) => plain(text, node)
            .filter(|r| *r == s.as_str())
            .and_then(|r| pyyaml_typed(r)?.ok()),
        Node::Bool(_) | Node::Int(_) | Node::Float(_) => {
            plain(text, node).and_then(|r| match pyyaml_typed(r) {
                None => Some(Node::Str(r.to_owned())),
                Some(typed) => typed.ok(),
            })
        }
        _ => None,
    };
    if let Some(typed) = retyped {
        node.value = typed;
        return;
    }
    match &mut node.value {
        Node::Seq(items) => items.iter_mut().for_each(|i| resolve(i, text)),
        Node::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                if let Some(r) = plain(text, k) {
                    match pyyaml_typed(r) {
                        None => k.value = r.to_owned(),
                        Some(typed) => {
                            if let Some(name) = typed.ok().as_ref().and_then(key_name) {
                                k.value = name;
                            }
                        }
                    }
                }
                resolve(v, text);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn value(text: &str) -> Value {
        parse(text).unwrap().value.to_json()["k"].clone()
    }

    /// The table PyYAML 6.0.3 gives (`yaml.safe_load(f"k: {w}")`), checked with python3.
    #[test]
    fn booleans_are_pyyamls() {
        for w in TRUE {
            assert_eq!(value(&format!("k: {w}\n")), json!(true), "{w}");
            assert_eq!(value(&format!("k: '{w}'\n")), json!(w), "'{w}'");
        }
        for w in FALSE {
            assert_eq!(value(&format!("k: {w}\n")), json!(false), "{w}");
            assert_eq!(value(&format!("k: \"{w}\"\n")), json!(w), "\"{w}\"");
        }
        for w in [
            "y", "Y", "n", "N", "yEs", "nO", "oN", "oFF", "tRue", "fAlse",
        ] {
            assert_eq!(value(&format!("k: {w}\n")), json!(w), "{w}");
        }
    }

    #[test]
    fn in_flow_collections_sequences_and_behind_anchors_and_tags() {
        assert_eq!(
            value("k: {a: y, b: on, c: n}\n"),
            json!({"a": "y", "b": true, "c": "n"})
        );
        assert_eq!(value("k: [y, No, n]\n"), json!(["y", false, "n"]));
        assert_eq!(value("k:\n  - Y\n  - OFF\n"), json!(["Y", false]));
        let v = parse("a: &x y\nb: *x\nc: !!str yes\nd: &z Yes\ne: *z\n")
            .unwrap()
            .value
            .to_json();
        assert_eq!(
            v,
            json!({"a": "y", "b": "y", "c": "yes", "d": true, "e": true})
        );
    }

    /// The numbers PyYAML 6.0.3 gives (`yaml.safe_load`), checked with python3: a float needs a
    /// dot (and a signed exponent), a leading 0 is octal, `a:b` is base 60.
    #[test]
    fn numbers_are_pyyamls() {
        for (w, want) in [
            ("1e3", json!("1e3")),
            ("1e-3", json!("1e-3")),
            ("12e3", json!("12e3")),
            ("1.0e3", json!("1.0e3")),
            ("1.0e+3", json!(1000.0)),
            ("0.1e-3", json!(0.0001)),
            ("0o17", json!("0o17")),
            ("017", json!(15)),
            ("09", json!("09")),
            ("1_000", json!(1000)),
            ("1_0.5", json!(10.5)),
            ("0x1F", json!(31)),
            ("0x_1F", json!(31)),
            ("0b11", json!(3)),
            ("-0b11", json!(-3)),
            ("+1", json!(1)),
            ("-7", json!(-7)),
            ("1.", json!(1.0)),
            (".5", json!(0.5)),
            ("1:30", json!(90)),
            ("-1:30", json!(-90)),
            ("190:20:30", json!(685_230)),
            ("1:30.5", json!(90.5)),
        ] {
            assert_eq!(value(&format!("k: {w}\n")), want, "{w}");
            assert_eq!(value(&format!("k: '{w}'\n")), json!(w), "'{w}'");
        }
        assert_eq!(value("k: !!str 017\n"), json!("017"));
        assert_eq!(
            value("k: [!!str 1e3, 1e3, &a !!str 017]\n"),
            json!(["1e3", "1e3", "017"])
        );
        assert_eq!(value("k: |\n  1e3\n"), json!("1e3\n"));
    }

    /// Keys are named as the SDK's JSON names PyYAML's keys: booleans `true`/`false`, numbers
    /// as Python writes them, text as written.
    #[test]
    fn keys_are_named_as_in_the_sdks_json() {
        let v = parse("Y: 1\nn: 2\nyes: 3\n'on': 4\nOff: 5\nyEs: 6\n1e3: 7\n017: 8\n1:30: 9\n")
            .unwrap()
            .value
            .to_json();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["Y", "n", "true", "on", "false", "yEs", "1e3", "15", "90"]
        );
    }
}
