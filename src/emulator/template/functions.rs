//! The template functions: the dispatcher, the logical and string functions. Collections,
//! numbers and conversions are in `functions_data`; the deployment's scope (parameters,
//! variables, `copyIndex`, `resourceId`, `reference`, ...) in `functions_scope`.

use serde_json::Value;

use super::eval::{Evaluator, Frame};
use super::expr::Expr;
use super::{TemplateError, functions_data as data, functions_scope as scope};

/// Calls the function `name` with unevaluated `args` (so that `if` evaluates one branch).
pub(crate) fn call(
    ev: &Evaluator,
    frame: Frame<'_>,
    name: &str,
    args: &[Expr],
) -> Result<Value, TemplateError> {
    let lower = name.to_ascii_lowercase();
    if lower == "if" {
        let [cond, yes, no] = args else {
            return Err(arity(name, "3"));
        };
        let branch = if truthy(name, &ev.expr(cond, frame)?)? {
            yes
        } else {
            no
        };
        return ev.expr(branch, frame);
    }
    let values = args
        .iter()
        .map(|a| ev.expr(a, frame))
        .collect::<Result<Vec<_>, _>>()?;
    let out = match scope::call(ev, frame, &lower, &values)? {
        Some(v) => v,
        None => match logic_or_string(ev, &lower, &values)? {
            Some(v) => v,
            None => data::call(ev, &lower, &values)?.ok_or_else(|| unknown(name))?,
        },
    };
    check_len(ev, &out)?;
    Ok(out)
}

fn unknown(name: &str) -> TemplateError {
    TemplateError::invalid(format!(
        "The template function '{name}' is not valid. Please see https://aka.ms/arm-functions for usage details."
    ))
}

/// Refuses a string or array longer than [`super::Limits::max_len`].
fn check_len(ev: &Evaluator, v: &Value) -> Result<(), TemplateError> {
    let len = match v {
        Value::String(s) => s.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if len > ev.limits.max_len {
        return Err(TemplateError::limit(format!(
            "A template function produced a value of length {len}; the limit is {}.",
            ev.limits.max_len
        )));
    }
    Ok(())
}

/// The error for a wrong number of arguments.
pub(crate) fn arity(name: &str, expected: &str) -> TemplateError {
    TemplateError::invalid(format!(
        "Unable to evaluate template language function '{name}': function requires {expected} argument(s). Please see https://aka.ms/arm-functions for usage details."
    ))
}

/// The error for an argument of the wrong type.
pub(crate) fn wrong_type(name: &str, v: &Value, expected: &str) -> TemplateError {
    TemplateError::invalid(format!(
        "Unable to evaluate template language function '{name}': the argument of type '{}' is not valid; expected {expected}. Please see https://aka.ms/arm-functions for usage details.",
        type_name(v)
    ))
}

/// ARM's name of a value's type.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(_) => "Integer",
        Value::String(_) => "String",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
    }
}

/// A Boolean argument.
pub(crate) fn truthy(name: &str, v: &Value) -> Result<bool, TemplateError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(wrong_type(name, other, "a Boolean")),
    }
}

/// A string argument.
pub(crate) fn text<'v>(name: &str, v: &'v Value) -> Result<&'v str, TemplateError> {
    v.as_str().ok_or_else(|| wrong_type(name, v, "a String"))
}

/// An integer argument.
pub(crate) fn int(name: &str, v: &Value) -> Result<i64, TemplateError> {
    v.as_i64().ok_or_else(|| wrong_type(name, v, "an Integer"))
}

/// `equals` as ARM compares: strings ignoring case? No: exactly, except numbers by value.
fn equals(a: &Value, b: &Value) -> bool {
    a == b
}

fn logic_or_string(
    ev: &Evaluator,
    name: &str,
    a: &[Value],
) -> Result<Option<Value>, TemplateError> {
    let v = match (name, a) {
        ("equals", [x, y]) => Value::Bool(equals(x, y)),
        ("not", [x]) => Value::Bool(!truthy(name, x)?),
        ("and" | "or", args) if args.len() >= 2 => {
            let bools = args
                .iter()
                .map(|x| truthy(name, x))
                .collect::<Result<Vec<_>, _>>()?;
            Value::Bool(if name == "and" {
                bools.iter().all(|b| *b)
            } else {
                bools.iter().any(|b| *b)
            })
        }
        ("true", []) => Value::Bool(true),
        ("false", []) => Value::Bool(false),
        ("null", []) => Value::Null,
        ("tolower", [x]) => Value::from(text(name, x)?.to_lowercase()),
        ("toupper", [x]) => Value::from(text(name, x)?.to_uppercase()),
        ("trim", [x]) => Value::from(text(name, x)?.trim()),
        ("replace", [s, old, new]) => {
            let (s, old, new) = (text(name, s)?, text(name, old)?, text(name, new)?);
            if old.is_empty() {
                return Err(wrong_type(name, &Value::from(""), "a non-empty old string"));
            }
            let grow = new.len().saturating_sub(old.len()) * s.matches(old).count();
            if s.len() + grow > ev.limits.max_len {
                return Err(TemplateError::limit(
                    "replace would produce too long a string",
                ));
            }
            Value::from(s.replace(old, new))
        }
        ("substring", args @ [_, _, ..]) => substring(args)?,
        ("startswith", [s, p]) => Value::Bool(
            text(name, s)?
                .to_lowercase()
                .starts_with(&text(name, p)?.to_lowercase()),
        ),
        ("endswith", [s, p]) => Value::Bool(
            text(name, s)?
                .to_lowercase()
                .ends_with(&text(name, p)?.to_lowercase()),
        ),
        ("indexof" | "lastindexof", [s, p]) => {
            let (s, p) = (text(name, s)?.to_lowercase(), text(name, p)?.to_lowercase());
            let found = if name == "indexof" {
                s.find(&p)
            } else {
                s.rfind(&p)
            };
            found.map_or(Value::from(-1), |i| Value::from(s[..i].chars().count()))
        }
        ("split", [s, sep]) => split(text(name, s)?, sep)?,
        ("format", [f, rest @ ..]) => Value::from(format(text(name, f)?, rest)?),
        ("padleft", [v, width, pad @ ..]) => pad_left(ev, v, width, pad)?,
        ("string", [x]) => Value::from(match x {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        _ => return Ok(None),
    };
    Ok(Some(v))
}

fn substring(args: &[Value]) -> Result<Value, TemplateError> {
    let s: Vec<char> = text("substring", &args[0])?.chars().collect();
    let start = int("substring", &args[1])?;
    let len = match args.get(2) {
        Some(l) => int("substring", l)?,
        None => i64::try_from(s.len()).unwrap_or(i64::MAX) - start,
    };
    let (Ok(start), Ok(len)) = (usize::try_from(start), usize::try_from(len)) else {
        return Err(TemplateError::invalid(
            "The index and length parameters of substring must not be negative.",
        ));
    };
    if start + len > s.len() {
        return Err(TemplateError::invalid(format!(
            "The index and length parameters must refer to a location within the string. The index parameter: '{start}', the length parameter: '{len}', the length of the string parameter: '{}'.",
            s.len()
        )));
    }
    Ok(Value::from(
        s[start..start + len].iter().collect::<String>(),
    ))
}

fn split(s: &str, sep: &Value) -> Result<Value, TemplateError> {
    let seps: Vec<String> = match sep {
        Value::String(x) => vec![x.clone()],
        Value::Array(xs) => xs
            .iter()
            .map(|x| text("split", x).map(str::to_owned))
            .collect::<Result<_, _>>()?,
        other => return Err(wrong_type("split", other, "a String or an Array")),
    };
    let mut parts = vec![s.to_owned()];
    for sep in seps.iter().filter(|x| !x.is_empty()) {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep.as_str()).map(str::to_owned).collect::<Vec<_>>())
            .collect();
    }
    Ok(Value::Array(parts.into_iter().map(Value::from).collect()))
}

/// `format('{0}-{1}', a, b)` (.NET composite formatting, without format specifiers).
fn format(f: &str, args: &[Value]) -> Result<String, TemplateError> {
    let mut out = String::new();
    let mut rest = f;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        let Some(end) = tail.find('}').filter(|_| tail.starts_with('{')) else {
            return Err(TemplateError::invalid(format!(
                "The format string '{f}' is not valid."
            )));
        };
        let spec = &tail[1..end];
        let index: usize = spec
            .split([':', ','])
            .next()
            .and_then(|n| n.trim().parse().ok())
            .ok_or_else(|| {
                TemplateError::invalid(format!("The format string '{f}' is not valid."))
            })?;
        let arg = args.get(index).ok_or_else(|| {
            TemplateError::invalid(format!(
                "The format string '{f}' refers to argument {index}, but only {} were given.",
                args.len()
            ))
        })?;
        match arg {
            Value::String(s) => out.push_str(s),
            Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
            other => out.push_str(&other.to_string()),
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn pad_left(
    ev: &Evaluator,
    v: &Value,
    width: &Value,
    pad: &[Value],
) -> Result<Value, TemplateError> {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let width = usize::try_from(int("padLeft", width)?).unwrap_or(0);
    if width > ev.limits.max_len.min(16 * 1024) {
        return Err(TemplateError::limit("padLeft's total length is over 16384"));
    }
    let c = match pad.first() {
        Some(p) => text("padLeft", p)?.chars().next().unwrap_or(' '),
        None => ' ',
    };
    let n = width.saturating_sub(s.chars().count());
    Ok(Value::from(format!("{}{s}", c.to_string().repeat(n))))
}
