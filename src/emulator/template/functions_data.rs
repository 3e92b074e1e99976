//! Template functions over data: collections (`concat`, `union`, `contains`, `length`, ...),
//! numbers and comparisons, conversions (`json`, `int`, `bool`, `array`, `base64`).

use std::cmp::Ordering;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::TemplateError;
use super::eval::Evaluator;
use super::functions::{arity, int, text, type_name, wrong_type};

/// Calls a data function; `None` when `name` is not one.
pub(crate) fn call(
    ev: &Evaluator,
    name: &str,
    a: &[Value],
) -> Result<Option<Value>, TemplateError> {
    let v = match (name, a) {
        ("concat", args) => concat(args)?,
        ("length", [x]) => Value::from(length(name, x)?),
        ("empty", [x]) => Value::Bool(x.is_null() || length(name, x)? == 0),
        ("contains", [c, x]) => Value::Bool(contains(c, x)?),
        ("union", args) if !args.is_empty() => union(args)?,
        ("intersection", args) if !args.is_empty() => intersection(args)?,
        ("createobject", args) => create_object(args)?,
        ("createarray", args) => Value::Array(args.to_vec()),
        ("array", [x]) => match x {
            Value::Array(_) => x.clone(),
            other => Value::Array(vec![other.clone()]),
        },
        ("json", [x]) => serde_json::from_str(text(name, x)?).map_err(|e| {
            TemplateError::invalid(format!(
                "The argument of function 'json' is not valid JSON: {e}"
            ))
        })?,
        ("int", [x]) => Value::from(to_int(x)?),
        ("bool", [x]) => Value::Bool(to_bool(x)?),
        ("first" | "last", [x]) => first_last(name, x)?,
        ("take" | "skip", [x, n]) => take_skip(name, x, int(name, n)?)?,
        ("coalesce", args) => args
            .iter()
            .find(|x| !x.is_null())
            .cloned()
            .unwrap_or(Value::Null),
        ("add" | "sub" | "mul" | "div" | "mod", [x, y]) => {
            arithmetic(name, int(name, x)?, int(name, y)?)?
        }
        ("min" | "max", args) if !args.is_empty() => min_max(name, args)?,
        ("less" | "lessorequals" | "greater" | "greaterorequals", [x, y]) => {
            Value::Bool(compare(name, x, y)?)
        }
        ("range", [start, count]) => range(ev, int(name, start)?, int(name, count)?)?,
        ("base64", [x]) => {
            Value::from(base64::engine::general_purpose::STANDARD.encode(text(name, x)?))
        }
        ("base64tostring", [x]) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text(name, x)?)
                .map_err(|_| wrong_type(name, x, "base64 text"))?;
            Value::from(String::from_utf8_lossy(&bytes).into_owned())
        }
        ("items", [Value::Object(o)]) => Value::Array(
            o.iter()
                .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
                .collect(),
        ),
        ("length" | "empty" | "contains" | "json" | "int" | "bool", _) => {
            return Err(arity(name, "a different number of"));
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

fn concat(args: &[Value]) -> Result<Value, TemplateError> {
    if args.first().is_some_and(Value::is_array) {
        let mut out = Vec::new();
        for a in args {
            match a {
                Value::Array(items) => out.extend(items.iter().cloned()),
                Value::Null => {}
                other => return Err(wrong_type("concat", other, "an Array")),
            }
        }
        return Ok(Value::Array(out));
    }
    let mut out = String::new();
    for a in args {
        match a {
            Value::String(s) => out.push_str(s),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
            Value::Null => {}
            other => return Err(wrong_type("concat", other, "a String")),
        }
    }
    Ok(Value::from(out))
}

fn length(name: &str, x: &Value) -> Result<usize, TemplateError> {
    match x {
        Value::String(s) => Ok(s.chars().count()),
        Value::Array(a) => Ok(a.len()),
        Value::Object(o) => Ok(o.len()),
        other => Err(wrong_type(name, other, "a String, an Array or an Object")),
    }
}

fn contains(c: &Value, x: &Value) -> Result<bool, TemplateError> {
    Ok(match c {
        Value::String(s) => s.contains(&*value_text(x)),
        Value::Array(a) => a.contains(x),
        Value::Object(o) => o
            .keys()
            .any(|k| k.eq_ignore_ascii_case(x.as_str().unwrap_or_default())),
        other => {
            return Err(wrong_type(
                "contains",
                other,
                "a String, an Array or an Object",
            ));
        }
    })
}

fn value_text(x: &Value) -> String {
    match x {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn union(args: &[Value]) -> Result<Value, TemplateError> {
    match &args[0] {
        Value::Object(_) => {
            let mut out = Map::new();
            for a in args {
                let o = a
                    .as_object()
                    .ok_or_else(|| wrong_type("union", a, "an Object"))?;
                out.extend(o.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            Ok(Value::Object(out))
        }
        Value::Array(_) => {
            let mut out: Vec<Value> = Vec::new();
            for a in args {
                let items = a
                    .as_array()
                    .ok_or_else(|| wrong_type("union", a, "an Array"))?;
                for x in items {
                    if !out.contains(x) {
                        out.push(x.clone());
                    }
                }
            }
            Ok(Value::Array(out))
        }
        other => Err(wrong_type("union", other, "an Object or an Array")),
    }
}

fn intersection(args: &[Value]) -> Result<Value, TemplateError> {
    match &args[0] {
        Value::Object(first) => {
            let mut out = first.clone();
            for a in &args[1..] {
                let o = a
                    .as_object()
                    .ok_or_else(|| wrong_type("intersection", a, "an Object"))?;
                out.retain(|k, v| o.get(k) == Some(v));
            }
            Ok(Value::Object(out))
        }
        Value::Array(first) => {
            let mut out: Vec<Value> = Vec::new();
            for x in first {
                let everywhere = args[1..]
                    .iter()
                    .all(|a| a.as_array().is_some_and(|items| items.contains(x)));
                if everywhere && !out.contains(x) {
                    out.push(x.clone());
                }
            }
            Ok(Value::Array(out))
        }
        other => Err(wrong_type("intersection", other, "an Object or an Array")),
    }
}

fn create_object(args: &[Value]) -> Result<Value, TemplateError> {
    if !args.len().is_multiple_of(2) {
        return Err(arity("createObject", "an even number of"));
    }
    let mut out = Map::new();
    for pair in args.chunks_exact(2) {
        out.insert(text("createObject", &pair[0])?.to_owned(), pair[1].clone());
    }
    Ok(Value::Object(out))
}

fn to_int(x: &Value) -> Result<i64, TemplateError> {
    match x {
        Value::Number(n) => n.as_i64().ok_or_else(|| wrong_type("int", x, "an Integer")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| wrong_type("int", x, "an integer string")),
        other => Err(wrong_type("int", other, "an Integer or a String")),
    }
}

fn to_bool(x: &Value) -> Result<bool, TemplateError> {
    match x {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => Ok(n.as_i64() != Some(0)),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(wrong_type(
            "bool",
            other,
            "a Boolean, an Integer or 'true'/'false'",
        )),
    }
}

fn first_last(name: &str, x: &Value) -> Result<Value, TemplateError> {
    let first = name == "first";
    Ok(match x {
        Value::Array(a) => (if first { a.first() } else { a.last() })
            .cloned()
            .unwrap_or(Value::Null),
        Value::String(s) => {
            let c = if first {
                s.chars().next()
            } else {
                s.chars().last()
            };
            Value::from(c.map(String::from).unwrap_or_default())
        }
        other => return Err(wrong_type(name, other, "an Array or a String")),
    })
}

fn take_skip(name: &str, x: &Value, n: i64) -> Result<Value, TemplateError> {
    let n = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
    let take = name == "take";
    Ok(match x {
        Value::Array(a) => Value::Array(if take {
            a.iter().take(n).cloned().collect()
        } else {
            a.iter().skip(n).cloned().collect()
        }),
        Value::String(s) => Value::from(if take {
            s.chars().take(n).collect::<String>()
        } else {
            s.chars().skip(n).collect::<String>()
        }),
        other => return Err(wrong_type(name, other, "an Array or a String")),
    })
}

fn arithmetic(name: &str, x: i64, y: i64) -> Result<Value, TemplateError> {
    let r = match name {
        "add" => x.checked_add(y),
        "sub" => x.checked_sub(y),
        "mul" => x.checked_mul(y),
        "div" => x.checked_div(y),
        _ => x.checked_rem(y),
    };
    r.map(Value::from).ok_or_else(|| {
        TemplateError::invalid(format!(
            "The template function '{name}' overflowed or divided by zero with '{x}' and '{y}'."
        ))
    })
}

fn min_max(name: &str, args: &[Value]) -> Result<Value, TemplateError> {
    let items: Vec<&Value> = match args {
        [Value::Array(a)] => a.iter().collect(),
        _ => args.iter().collect(),
    };
    let nums = items
        .iter()
        .map(|x| int(name, x))
        .collect::<Result<Vec<_>, _>>()?;
    let r = if name == "min" {
        nums.iter().min()
    } else {
        nums.iter().max()
    };
    Ok(r.map_or(Value::Null, |n| Value::from(*n)))
}

fn compare(name: &str, x: &Value, y: &Value) -> Result<bool, TemplateError> {
    let ord = match (x, y) {
        (Value::Number(_), Value::Number(_)) => int(name, x)?.cmp(&int(name, y)?),
        (Value::String(a), Value::String(b)) => a.cmp(b),
        _ => {
            return Err(TemplateError::invalid(format!(
                "The template function '{name}' expects two Integers or two Strings, not {} and {}.",
                type_name(x),
                type_name(y)
            )));
        }
    };
    Ok(match name {
        "less" => ord == Ordering::Less,
        "lessorequals" => ord != Ordering::Greater,
        "greater" => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    })
}

fn range(ev: &Evaluator, start: i64, count: i64) -> Result<Value, TemplateError> {
    let limit = i64::try_from(ev.limits.max_len.min(10_000)).unwrap_or(10_000);
    if !(0..=limit).contains(&count) || start.checked_add(count).is_none() {
        return Err(TemplateError::limit(format!(
            "The count of function 'range' must be between 0 and {limit}, not {count}."
        )));
    }
    Ok(Value::Array(
        (start..start + count).map(Value::from).collect(),
    ))
}
