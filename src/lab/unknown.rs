//! Every unknown field of a lab file at once. serde's `deny_unknown_fields` stops at the first,
//! so a pre-pass reads the raw YAML node tree (keys with their spans) and checks each mapping's
//! keys against the fields the generated JSON Schema allows there (so the two cannot drift).
//! The unknown entries are then blanked out of a copy of the source (same byte offsets) so the
//! typed parse and the lint can report everything else in the same run.

use std::collections::BTreeSet;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;

use super::diagnostic::{DiagKind, Problem};
use super::span::range;
use super::suggest::did_you_mean;

/// A mapping key as text (any scalar).
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mapping key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
                Ok(Key(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// The raw node tree: mappings (keys with spans), sequences, and anything else.
enum Raw {
    Map(Vec<(Spanned<Key>, Raw)>),
    Seq(Vec<Raw>),
    Scalar,
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Raw;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any YAML node")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<Key>>()? {
                    entries.push((key, map.next_value::<Raw>()?));
                }
                Ok(Raw::Map(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Raw>()? {
                    items.push(item);
                }
                Ok(Raw::Seq(items))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Raw, E> {
                Ok(Raw::Scalar)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Raw, E> {
                Ok(Raw::Scalar)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Raw, E> {
                Ok(Raw::Scalar)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Raw, E> {
                Ok(Raw::Scalar)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Raw, E> {
                Ok(Raw::Scalar)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
                Ok(Raw::Scalar)
            }
            fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
                Ok(Raw::Scalar)
            }
        }
        d.deserialize_any(V)
    }
}

/// One unknown field: its problem, and the byte offset and column of its key.
pub(crate) struct Unknown {
    /// The located problem (with did-you-mean and the valid fields).
    pub(crate) problem: Problem,
    /// Byte offset of the key.
    pub(crate) offset: usize,
}

/// Every unknown field in `source` (none when the YAML itself does not parse: the typed parse
/// then reports why).
pub(crate) fn unknown_fields(
    source: &str,
    options: serde_saphyr::Options,
    schema: &Value,
) -> Vec<Unknown> {
    let Ok(raw) = serde_saphyr::from_str_with_options::<Raw>(source, options) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(&raw, schema, schema, source, &mut out);
    out.sort_by_key(|u| u.offset);
    out
}

/// The schema `node` refers to (`$ref` into `definitions` followed).
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/definitions/")
            .and_then(|name| root.get("definitions")?.get(name))
            .unwrap_or(node),
        None => node,
    }
}

/// The alternatives of a schema node (`anyOf`/`oneOf`, or itself), resolved.
fn alternatives<'a>(root: &'a Value, node: &'a Value) -> Vec<&'a Value> {
    let node = resolve(root, node);
    for key in ["anyOf", "oneOf"] {
        if let Some(list) = node.get(key).and_then(Value::as_array) {
            return list.iter().flat_map(|n| alternatives(root, n)).collect();
        }
    }
    vec![node]
}

fn walk(raw: &Raw, node: &Value, root: &Value, source: &str, out: &mut Vec<Unknown>) {
    let alts = alternatives(root, node);
    match raw {
        Raw::Map(entries) => {
            let closed = alts
                .iter()
                .any(|a| a.get("additionalProperties") == Some(&Value::Bool(false)));
            let known: Vec<&str> = alts
                .iter()
                .filter_map(|a| a.get("properties").and_then(Value::as_object))
                .flat_map(|p| p.keys().map(String::as_str))
                .collect::<Vec<_>>();
            let known: Vec<&str> = {
                let mut seen = BTreeSet::new();
                known.into_iter().filter(|k| seen.insert(*k)).collect()
            };
            for (key, value) in entries {
                let sub = alts.iter().find_map(|a| {
                    a.get("properties")
                        .and_then(|p| p.get(&key.value.0))
                        .or_else(|| a.get("additionalProperties").filter(|v| v.is_object()))
                });
                match sub {
                    Some(sub) => walk(value, sub, root, source, out),
                    None if closed => out.push(unknown(key, &known, source)),
                    None => {}
                }
            }
        }
        Raw::Seq(items) => {
            if let Some(item) = alts.iter().find_map(|a| a.get("items")) {
                for i in items {
                    walk(i, item, root, source, out);
                }
            }
        }
        Raw::Scalar => {}
    }
}

fn unknown(key: &Spanned<Key>, known: &[&str], source: &str) -> Unknown {
    let field = &key.value.0;
    let (offset, len) = range(source, key);
    let expected: Vec<String> = known.iter().map(|k| (*k).to_owned()).collect();
    let valid = known.join(", ");
    let help = match did_you_mean(field, &expected) {
        Some(d) => format!("{d}\nvalid fields here: {valid}"),
        None => format!("valid fields here: {valid}"),
    };
    Unknown {
        problem: Problem::new(
            DiagKind::UnknownField,
            offset,
            len.max(field.len()),
            format!("unknown field `{field}`"),
            "unknown field",
        )
        .with_help(help),
        offset,
    }
}

/// `source` with each unknown entry (the key and its value's lines) replaced by spaces, byte
/// offsets kept; `None` when one of them is in a flow mapping (`{a: 1}`), which blanking could
/// break.
pub(crate) fn without(source: &str, unknown: &[Unknown]) -> Option<String> {
    let mut bytes = source.as_bytes().to_vec();
    for u in unknown {
        let line_start = source[..u.offset].rfind('\n').map_or(0, |i| i + 1);
        // Only block style: nothing but indentation and `- ` before the key.
        if !source[line_start..u.offset]
            .trim_matches([' ', '-'])
            .is_empty()
        {
            return None;
        }
        let column = u.offset - line_start;
        let mut end = source[u.offset..]
            .find('\n')
            .map_or(source.len(), |i| u.offset + i);
        // Continuation lines: blank or indented deeper than the key.
        while end < source.len() {
            let next = end + 1;
            let line_end = source[next..].find('\n').map_or(source.len(), |i| next + i);
            let line = &source[next..line_end];
            let indent = line.len() - line.trim_start_matches(' ').len();
            if !line.trim().is_empty() && indent <= column {
                break;
            }
            end = line_end;
        }
        for b in &mut bytes[u.offset..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    String::from_utf8(bytes).ok()
}

/// Whether the key at `key` (a byte offset) sits in the same block mapping as the value at
/// `value` (the value of another key): same key column, no line between them less indented.
/// Lets a check's "no comparison" give way to the unknown field that was meant as one.
pub(crate) fn same_mapping(source: &str, value: usize, key: usize) -> bool {
    let line_start = |o: usize| {
        source[..o.min(source.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1)
    };
    let (vs, ks) = (line_start(value), line_start(key));
    if ks <= vs {
        return false;
    }
    // The value's key column: past the indentation and any `- ` of a sequence item.
    let head = &source[vs..value.min(source.len())];
    let mut col = head.len() - head.trim_start_matches([' ', '-']).len();
    if head.trim_start_matches([' ', '-']).is_empty() {
        col = 0;
    }
    if key - ks != col {
        return false;
    }
    source[vs..ks].lines().skip(1).all(|l| {
        let t = l.trim_start_matches(' ');
        t.is_empty() || t.starts_with('#') || l.len() - t.len() >= col
    })
}
