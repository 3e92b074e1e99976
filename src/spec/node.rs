//! The spanned YAML tree a spec is parsed into, and typed accessors over its mappings that
//! report the file position and the expected field on every mismatch.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;

use super::error::{Problem, Problems};

/// One YAML node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// `~`, `null` or an empty value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Spanned<Node>>),
    /// A mapping, in file order.
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

/// A node with its position.
pub(crate) type SNode = Spanned<Node>;

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(i64::try_from(v).map_or(Node::Float(v as f64), Node::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = a.next_element::<SNode>()? {
                    out.push(v);
                }
                Ok(Node::Seq(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<Spanned<KeyString>, SNode>()? {
                    out.push((Spanned::new(k.value.0, k.referenced, k.defined), v));
                }
                Ok(Node::Map(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A mapping key: any scalar, as text.
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyString, E> {
                Ok(KeyString(v.to_owned()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl Node {
    /// What kind of value this is, for messages.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Int(_) => "an integer",
            Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }

    /// What was found, for messages: a short scalar as written (`` `zero` ``), else its kind.
    pub(crate) fn found(&self) -> String {
        match self {
            Node::Str(s) if s.chars().count() <= 40 && !s.contains('\n') => format!("`{s}`"),
            Node::Int(_) | Node::Float(_) => {
                format!("`{}`", self.scalar_text().unwrap_or_default())
            }
            other => other.describe().to_owned(),
        }
    }

    /// The node as plain JSON (positions dropped).
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Node::Str(s) => Value::String(s.clone()),
            Node::Seq(v) => Value::Array(v.iter().map(|n| n.value.to_json()).collect()),
            Node::Map(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.value.clone(), v.value.to_json()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }

    /// A scalar as text, the way the SDK stringifies literals (`0.5`, `1`, `True`).
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match self {
            Node::Bool(b) => Some(if *b { "True" } else { "False" }.to_owned()),
            Node::Int(i) => Some(i.to_string()),
            Node::Float(f) => Some(python_float(*f)),
            Node::Str(s) => Some(s.clone()),
            _ => None,
        }
    }
}

/// A float formatted like Python's `str(float)` (`1.0`, `0.5`, `1e-05`).
pub(crate) fn python_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        let s = format!("{f}");
        if f.abs() < 1e-4 && f != 0.0 {
            let e = format!("{f:e}");
            let (m, exp) = e.split_once('e').unwrap_or((&e, "0"));
            let n: i32 = exp.parse().unwrap_or(0);
            format!("{m}e{}{:02}", if n < 0 { '-' } else { '+' }, n.abs())
        } else {
            s
        }
    }
}

/// How the non-string values of a string map (tags, properties, environment variables) are
/// sent: the SDK's schemas differ field by field (measured against azure-ai-ml 1.35.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Values {
    /// As YAML typed them (`fields.Dict()`: endpoints, deployments, data and environment tags,
    /// job environment variables): `true`, `5`.
    Raw,
    /// As Python's `str()` writes them (model tags and properties): `"True"`, `"5"`.
    Text,
    /// Strings only (`fields.Dict(values=fields.Str())`: job, compute, workspace, datastore and
    /// component tags, job and schedule properties): anything else is an error.
    Strict,
}

/// Help for a boolean where text was expected: PyYAML's YAML 1.1 booleans.
const BOOLEAN_HELP: &str = "the SDK reads specs with PyYAML, where unquoted yes, no, on, off, true and false (lower, Title or UPPER case) are booleans; quote the value to keep it as text";

/// A mapping node being read: typed accessors that record a located problem (in
/// [`Obj::errs`]) and read the field as absent, so translation goes on and every mistake is
/// reported.
#[derive(Clone, Copy)]
pub(crate) struct Obj<'a> {
    /// The mapping node itself (for positions).
    pub(crate) node: &'a SNode,
    entries: &'a [(Spanned<String>, SNode)],
    /// Dotted path of this mapping in the document (`""` at the top).
    pub(crate) path: &'a str,
    /// Where field problems are recorded.
    pub(crate) errs: &'a Problems,
}

impl<'a> Obj<'a> {
    /// Reads the document root as a mapping; problems go to `errs`.
    pub(crate) fn root(node: &'a SNode, errs: &'a Problems) -> Result<Self, Problem> {
        Self::of(node, "", errs)
    }

    /// Reads `node` as a mapping at `path`.
    fn of(node: &'a SNode, path: &'a str, errs: &'a Problems) -> Result<Self, Problem> {
        match &node.value {
            Node::Map(m) => Ok(Obj {
                node,
                entries: m,
                path,
                errs,
            }),
            other => Err(Problem::at(
                node,
                format!(
                    "expected a mapping at `{}`, found {}",
                    shown(path),
                    other.describe()
                ),
            )),
        }
    }

    /// Reads `node` (inside this mapping) as a mapping at `path`, recording into the same
    /// problems.
    pub(crate) fn sub(&self, node: &'a SNode, path: &'a str) -> Result<Obj<'a>, Problem> {
        Self::of(node, path, self.errs)
    }

    /// Records a problem.
    pub(crate) fn report(&self, p: Problem) {
        self.errs.push(p);
    }

    /// The value of `r`, or `None` with its problem recorded.
    pub(crate) fn ok<T>(&self, r: Result<T, Problem>) -> Option<T> {
        self.errs.ok(r)
    }

    /// The entry `key`, if present (a `null` value counts as absent).
    pub(crate) fn get(&self, key: &str) -> Option<&'a SNode> {
        self.entries
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(_, v)| v)
            .filter(|v| !matches!(v.value, Node::Null))
    }

    /// The key node of `key` (for positions).
    pub(crate) fn key(&self, key: &str) -> Option<&'a Spanned<String>> {
        self.entries
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(k, _)| k)
    }

    /// All entries, in file order.
    pub(crate) fn entries(&self) -> &'a [(Spanned<String>, SNode)] {
        self.entries
    }

    /// Whether `key` is present.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Records every key not in `allowed` (the SDK rejects unknown fields), with the nearest
    /// valid name.
    pub(crate) fn only(&self, allowed: &[&str]) {
        for (k, _) in self.entries {
            if k.value == "$schema" && self.path.is_empty() {
                continue;
            }
            if !allowed.contains(&k.value.as_str()) {
                let hint = crate::lab::suggest::did_you_mean(&k.value, allowed.iter().copied());
                let valid = allowed.join(", ");
                self.report(
                    Problem::at_key(k, format!("unknown field `{}`", k.value)).with_help(
                        match hint {
                            Some(h) => {
                                format!("{h}\nvalid fields in `{}`: {valid}", shown(self.path))
                            }
                            None => format!("valid fields in `{}`: {valid}", shown(self.path)),
                        },
                    ),
                );
            }
        }
    }

    /// The problem of a missing required field.
    fn missing(&self, key: &str) -> Problem {
        Problem::at(
            self.node,
            format!("missing required field `{}`", self.child(key)),
        )
        .with_label(format!("`{key}` expected in this mapping"))
    }

    /// A required field; `Err` (not recorded) when it is missing.
    pub(crate) fn req(&self, key: &str) -> Result<&'a SNode, Problem> {
        self.get(key).ok_or_else(|| self.missing(key))
    }

    /// A required mapping; `Err` (not recorded) when it is missing or not a mapping.
    pub(crate) fn req_obj(&self, key: &str, path: &'a str) -> Result<Obj<'a>, Problem> {
        self.sub(self.req(key)?, path)
    }

    /// Dotted path of a child.
    pub(crate) fn child(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The problem of a value of the wrong type.
    fn wrong(&self, key: &str, n: &SNode, expected: &str) -> Problem {
        let p = Problem::at(
            n,
            format!(
                "`{}` must be {expected}, found {}",
                self.child(key),
                n.value.found()
            ),
        );
        if matches!(n.value, Node::Bool(_)) && expected == "a string" {
            p.with_help(BOOLEAN_HELP)
        } else {
            p
        }
    }

    /// An optional string. Numbers are taken as their text (`1` is `"1"`); a boolean is
    /// recorded as a problem, as the SDK's string fields reject it (PyYAML reads unquoted
    /// `yes`, `no`, `on`, `off` as booleans).
    pub(crate) fn str(&self, key: &str) -> Option<String> {
        let n = self.get(key)?;
        match &n.value {
            Node::Str(s) => Some(s.clone()),
            Node::Int(_) | Node::Float(_) => n.value.scalar_text(),
            _ => {
                self.report(self.wrong(key, n, "a string"));
                None
            }
        }
    }

    /// A required string; when missing or invalid, the problem is recorded and the value is
    /// empty.
    pub(crate) fn req_str(&self, key: &str) -> String {
        if self.get(key).is_none() {
            self.report(self.missing(key));
        }
        self.str(key).unwrap_or_default()
    }

    /// An optional integer (a string of digits is taken too).
    pub(crate) fn int(&self, key: &str) -> Option<i64> {
        let n = self.get(key)?;
        match &n.value {
            Node::Int(i) => Some(*i),
            Node::Str(s) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
            _ => {
                self.report(self.wrong(key, n, "an integer"));
                None
            }
        }
    }

    /// An optional duration given as a whole number of seconds (`timeout: 7200`).
    pub(crate) fn seconds(&self, key: &str) -> Option<i64> {
        let n = self.get(key)?;
        match &n.value {
            Node::Int(i) => Some(*i),
            Node::Str(s) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
            other => {
                self.report(
                    Problem::at(
                        n,
                        format!(
                            "`{}` must be a whole number of seconds, found {}",
                            self.child(key),
                            other.found()
                        ),
                    )
                    .with_help("write the duration in seconds, e.g. `7200` for two hours"),
                );
                None
            }
        }
    }

    /// An optional number (integer or float), as JSON.
    pub(crate) fn num(&self, key: &str) -> Option<Value> {
        let n = self.get(key)?;
        match &n.value {
            Node::Int(_) | Node::Float(_) => Some(n.value.to_json()),
            _ => {
                self.report(self.wrong(key, n, "a number"));
                None
            }
        }
    }

    /// An optional boolean (`"true"`/`"false"` strings accepted, as marshmallow does).
    pub(crate) fn bool(&self, key: &str) -> Option<bool> {
        let n = self.get(key)?;
        match &n.value {
            Node::Bool(b) => Some(*b),
            Node::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Node::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => {
                self.report(self.wrong(key, n, "true or false"));
                None
            }
        }
    }

    /// An optional nested mapping.
    pub(crate) fn obj(&self, key: &str, path: &'a str) -> Option<Obj<'a>> {
        let n = self.get(key)?;
        self.ok(self.sub(n, path))
    }

    /// An optional list.
    pub(crate) fn seq(&self, key: &str) -> Option<&'a [SNode]> {
        let n = self.get(key)?;
        match &n.value {
            Node::Seq(v) => Some(v),
            _ => {
                self.report(self.wrong(key, n, "a list"));
                None
            }
        }
    }

    /// [`Self::str_map`] as a JSON object, empty when the key is absent (`properties`, `tags`).
    pub(crate) fn str_map_or_empty(&self, key: &str, values: Values) -> Value {
        Value::Object(self.str_map(key, values).unwrap_or_default())
    }

    /// A free-form mapping of strings (tags, properties, environment variables) as JSON,
    /// non-string values sent as `values` says.
    pub(crate) fn str_map(&self, key: &str, values: Values) -> Option<Map<String, Value>> {
        let n = self.get(key)?;
        let Node::Map(entries) = &n.value else {
            self.report(self.wrong(key, n, "a mapping"));
            return None;
        };
        let mut out = Map::new();
        for (k, v) in entries {
            let value = match (&v.value, values) {
                (Node::Null, _) => Value::Null,
                (Node::Str(s), _) => Value::String(s.clone()),
                (other, Values::Text) if other.scalar_text().is_some() => {
                    Value::String(other.scalar_text().unwrap_or_default())
                }
                (other, Values::Raw) => other.to_json(),
                _ => {
                    let mut p = Problem::at(
                        v,
                        format!(
                            "`{}.{}` must be a string, found {}",
                            self.child(key),
                            k.value,
                            v.value.found()
                        ),
                    );
                    p = match v.value {
                        Node::Bool(_) => p.with_help(BOOLEAN_HELP),
                        Node::Int(_) | Node::Float(_) => p.with_help(format!(
                            "the SDK takes only strings here; quote the value ('{}')",
                            v.value.scalar_text().unwrap_or_default()
                        )),
                        _ => p,
                    };
                    self.report(p);
                    continue;
                }
            };
            out.insert(k.value.clone(), value);
        }
        Some(out)
    }

    /// A string-valued enum, lower-cased; a value not in `allowed` is recorded and read as
    /// absent.
    pub(crate) fn choice(&self, key: &str, allowed: &[&str]) -> Option<String> {
        match self.choice_checked(key, allowed) {
            Ok(v) => v,
            Err(p) => {
                self.report(p);
                None
            }
        }
    }

    /// A string-valued enum with a default: `default` when absent, `None` when invalid (the
    /// problem recorded; what depends on the value cannot be checked).
    pub(crate) fn choice_or(&self, key: &str, allowed: &[&str], default: &str) -> Option<String> {
        match self.choice_checked(key, allowed) {
            Ok(v) => Some(v.unwrap_or_else(|| default.to_owned())),
            Err(p) => {
                self.report(p);
                None
            }
        }
    }

    /// A required string-valued enum; `Err` (not recorded) when it is missing or invalid:
    /// what depends on it cannot be checked.
    pub(crate) fn req_choice(&self, key: &str, allowed: &[&str]) -> Result<String, Problem> {
        self.choice_checked(key, allowed)?.ok_or_else(|| {
            self.missing(key)
                .with_help(format!("`{key}` is one of {}", allowed.join(", ")))
        })
    }

    /// The enum `key`: `Ok(None)` when absent, `Err` (not recorded) when not one of `allowed`,
    /// for values the rest of the mapping depends on.
    pub(crate) fn choice_checked(
        &self,
        key: &str,
        allowed: &[&str],
    ) -> Result<Option<String>, Problem> {
        let Some(n) = self.get(key) else {
            return Ok(None);
        };
        let Some(v) = n.value.scalar_text() else {
            return Err(self.wrong(key, n, "a string"));
        };
        let lower = v.to_ascii_lowercase();
        if allowed.iter().any(|a| a.eq_ignore_ascii_case(&lower)) {
            return Ok(Some(lower));
        }
        let hint = crate::lab::suggest::did_you_mean(&lower, allowed.iter().copied());
        Err(Problem::at(
            n,
            format!(
                "`{}` must be one of {}, found `{v}`",
                self.child(key),
                allowed.join(", ")
            ),
        )
        .with_help_opt(hint))
    }
}

/// A path for messages (`<top level>` for the root).
fn shown(path: &str) -> &str {
    if path.is_empty() { "<top level>" } else { path }
}

/// Inserts `key: value` when `value` is `Some`.
pub(crate) fn put<T: Into<Value>>(map: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v.into());
    }
}
