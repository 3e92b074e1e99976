//! The spanned YAML tree a spec is parsed into, and typed accessors over its mappings that
//! report the file position and the expected field on every mismatch.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;

use super::error::Problem;

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

/// A mapping node being read: typed accessors that fail with a located problem.
#[derive(Clone, Copy)]
pub(crate) struct Obj<'a> {
    /// The mapping node itself (for positions).
    pub(crate) node: &'a SNode,
    entries: &'a [(Spanned<String>, SNode)],
    /// Dotted path of this mapping in the document (`""` at the top).
    pub(crate) path: &'a str,
}

impl<'a> Obj<'a> {
    /// Reads `node` as a mapping; `what` names it in the error.
    pub(crate) fn of(node: &'a SNode, path: &'a str) -> Result<Self, Problem> {
        match &node.value {
            Node::Map(m) => Ok(Obj {
                node,
                entries: m,
                path,
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

    /// Fails on the first key not in `allowed` (the SDK rejects unknown fields).
    pub(crate) fn only(&self, allowed: &[&str]) -> Result<(), Problem> {
        for (k, _) in self.entries {
            if k.value == "$schema" && self.path.is_empty() {
                continue;
            }
            if !allowed.contains(&k.value.as_str()) {
                let hint = crate::lab::suggest::did_you_mean(&k.value, allowed.iter().copied());
                let valid = allowed.join(", ");
                return Err(
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
        Ok(())
    }

    /// A required field.
    pub(crate) fn req(&self, key: &str) -> Result<&'a SNode, Problem> {
        self.get(key).ok_or_else(|| {
            Problem::at(
                self.node,
                format!("missing required field `{}`", self.child(key)),
            )
            .with_label(format!("`{key}` expected in this mapping"))
        })
    }

    /// Dotted path of a child.
    pub(crate) fn child(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// An optional string (scalars are taken as text, like the SDK's string fields).
    pub(crate) fn str(&self, key: &str) -> Result<Option<String>, Problem> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Node::Str(s) => Ok(Some(s.clone())),
                Node::Int(_) | Node::Float(_) | Node::Bool(_) => Ok(n.value.scalar_text()),
                other => Err(Problem::at(
                    n,
                    format!(
                        "`{}` must be a string, found {}",
                        self.child(key),
                        other.describe()
                    ),
                )),
            },
        }
    }

    /// A required string.
    pub(crate) fn req_str(&self, key: &str) -> Result<String, Problem> {
        self.req(key)?;
        self.str(key).map(Option::unwrap_or_default)
    }

    /// An optional integer.
    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>, Problem> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Node::Int(i) => Ok(Some(*i)),
                Node::Str(s) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().parse().ok()),
                other => Err(Problem::at(
                    n,
                    format!(
                        "`{}` must be an integer, found {}",
                        self.child(key),
                        other.describe()
                    ),
                )),
            },
        }
    }

    /// An optional number (integer or float), as JSON.
    pub(crate) fn num(&self, key: &str) -> Result<Option<Value>, Problem> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Node::Int(_) | Node::Float(_) => Ok(Some(n.value.to_json())),
                other => Err(Problem::at(
                    n,
                    format!(
                        "`{}` must be a number, found {}",
                        self.child(key),
                        other.describe()
                    ),
                )),
            },
        }
    }

    /// An optional boolean (`"true"`/`"false"` strings accepted, as marshmallow does).
    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, Problem> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Node::Bool(b) => Ok(Some(*b)),
                Node::Str(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
                Node::Str(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
                other => Err(Problem::at(
                    n,
                    format!(
                        "`{}` must be true or false, found {}",
                        self.child(key),
                        other.describe()
                    ),
                )),
            },
        }
    }

    /// An optional nested mapping.
    pub(crate) fn obj(&self, key: &str, path: &'a str) -> Result<Option<Obj<'a>>, Problem> {
        self.get(key).map(|n| Obj::of(n, path)).transpose()
    }

    /// An optional list.
    pub(crate) fn seq(&self, key: &str) -> Result<Option<&'a [SNode]>, Problem> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Node::Seq(v) => Ok(Some(v)),
                other => Err(Problem::at(
                    n,
                    format!(
                        "`{}` must be a list, found {}",
                        self.child(key),
                        other.describe()
                    ),
                )),
            },
        }
    }

    /// [`Self::str_map`] as a JSON object, empty when the key is absent (`properties`, `tags`).
    pub(crate) fn str_map_or_empty(&self, key: &str) -> Result<Value, Problem> {
        Ok(Value::Object(self.str_map(key)?.unwrap_or_default()))
    }

    /// A free-form mapping of strings (tags, properties, environment variables) as JSON,
    /// values stringified the way the SDK does.
    pub(crate) fn str_map(&self, key: &str) -> Result<Option<Map<String, Value>>, Problem> {
        let Some(o) = self.obj(key, "")? else {
            return Ok(None);
        };
        let mut out = Map::new();
        for (k, v) in o.entries() {
            let value = match &v.value {
                Node::Null => Value::Null,
                Node::Str(s) => Value::String(s.clone()),
                other => other.to_json(),
            };
            out.insert(k.value.clone(), value);
        }
        Ok(Some(out))
    }

    /// A string-valued enum: the value lower-cased must be one of `allowed`.
    pub(crate) fn choice(&self, key: &str, allowed: &[&str]) -> Result<Option<String>, Problem> {
        let Some(v) = self.str(key)? else {
            return Ok(None);
        };
        let lower = v.to_ascii_lowercase();
        if allowed.iter().any(|a| a.eq_ignore_ascii_case(&lower)) {
            return Ok(Some(lower));
        }
        let node = self.get(key).unwrap_or(self.node);
        let hint = crate::lab::suggest::did_you_mean(&lower, allowed.iter().copied());
        Err(Problem::at(
            node,
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
