//! Binds a deployment's parameter values to a template's `parameters` section: supplied values
//! are checked (type, `allowedValues`, lengths, ranges), missing ones take their
//! `defaultValue` (an expression may use the parameters before it), unknown ones are refused.

use serde_json::{Map, Value};

use super::eval::{Evaluator, Frame};
use super::{Context, Limits, TemplateError};

/// A bound parameter.
#[derive(Debug, Clone)]
pub(crate) struct Bound {
    /// The values by name, in the template's order.
    pub(crate) values: Map<String, Value>,
    /// `(name, type)` in order, for the deployment's `properties.parameters`.
    pub(crate) types: Vec<(String, String)>,
}

/// Whether a parameter type is secure (its value never shown back).
pub(crate) fn is_secure(type_name: &str) -> bool {
    type_name.to_ascii_lowercase().starts_with("secure")
}

/// Binds `supplied` (`{"name": {"value": ...}}`) to the template's parameter declarations.
pub(crate) fn bind(
    declared: &Map<String, Value>,
    supplied: &Map<String, Value>,
    ctx: &Context,
    limits: &Limits,
) -> Result<Bound, TemplateError> {
    if let Some(unknown) = supplied
        .keys()
        .find(|k| !declared.keys().any(|d| d.eq_ignore_ascii_case(k)))
    {
        return Err(TemplateError::invalid(format!(
            "Deployment template validation failed: 'The template parameters '{unknown}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '{}'. Please see https://aka.ms/arm-pass-parameter-values for usage details.'",
            declared.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    let mut bound = Bound {
        values: Map::new(),
        types: Vec::new(),
    };
    for (name, decl) in declared {
        let ty = decl.get("type").and_then(Value::as_str).unwrap_or("string");
        let value = match supplied.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
            Some((_, v)) => supplied_value(name, v)?,
            None => default_value(name, decl, &bound.values, ctx, limits)?,
        };
        check(name, ty, decl, &value)?;
        bound.values.insert(name.clone(), value);
        bound.types.push((name.clone(), ty.to_owned()));
    }
    Ok(bound)
}

fn supplied_value(name: &str, v: &Value) -> Result<Value, TemplateError> {
    if v.get("reference").is_some() {
        return Err(TemplateError::invalid(format!(
            "The parameter '{name}' is a Key Vault reference; the emulator's deployments take values only (\"value\": ...)."
        )));
    }
    v.get("value").cloned().ok_or_else(|| {
        TemplateError::invalid(format!(
            "The parameter '{name}' must be an object with a 'value' property."
        ))
    })
}

fn default_value(
    name: &str,
    decl: &Value,
    before: &Map<String, Value>,
    ctx: &Context,
    limits: &Limits,
) -> Result<Value, TemplateError> {
    let Some(default) = decl.get("defaultValue") else {
        return Err(TemplateError::invalid(format!(
            "Deployment template validation failed: 'The value for the template parameter '{name}' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.'"
        )));
    };
    let ev = Evaluator::new(Map::new(), before.clone(), ctx.clone(), *limits);
    ev.value(default, Frame::plain())
        .map_err(|e| e.at(&format!("parameters.{name}.defaultValue")))
}

fn check(name: &str, ty: &str, decl: &Value, value: &Value) -> Result<(), TemplateError> {
    let ok = match ty.to_ascii_lowercase().as_str() {
        "string" | "securestring" => value.is_string(),
        "int" => value.is_i64(),
        "bool" => value.is_boolean(),
        "object" | "secureobject" => value.is_object(),
        "array" => value.is_array(),
        other => {
            return Err(TemplateError::invalid(format!(
                "The template parameter '{name}' has type '{other}'; valid types are string, securestring, int, bool, object, secureObject, array."
            )));
        }
    };
    let invalid = |why: String| {
        let shown = if is_secure(ty) {
            String::new()
        } else {
            format!(" '{value}'")
        };
        TemplateError::invalid(format!(
            "Deployment template validation failed: 'The provided value{shown} for the template parameter '{name}' is not valid. {why}'"
        ))
    };
    // ARM passes an explicit null through for any type (azure-ai-ml sends
    // `spark_runtime_version: null` for a string parameter); it is neither checked against
    // allowedValues nor bounds.
    if value.is_null() {
        return Ok(());
    }
    if !ok {
        return Err(invalid(format!("Expected a value of type '{ty}'.")));
    }
    if let Some(allowed) = decl.get("allowedValues").and_then(Value::as_array) {
        let fits = |v: &Value| allowed.contains(v);
        let all = match value {
            Value::Array(items) if !ty.eq_ignore_ascii_case("array") || !fits(value) => {
                items.iter().all(fits)
            }
            v => fits(v),
        };
        if !all {
            let list: Vec<String> = allowed
                .iter()
                .map(|v| v.as_str().map_or(v.to_string(), str::to_owned))
                .collect();
            return Err(invalid(format!(
                "The parameter value is not part of the allowed value(s): '{}'.",
                list.join(",")
            )));
        }
    }
    check_bounds(decl, value).map_err(invalid)
}

fn check_bounds(decl: &Value, value: &Value) -> Result<(), String> {
    let num = |k: &str| decl.get(k).and_then(Value::as_i64);
    let len = match value {
        Value::String(s) => Some(s.chars().count()),
        Value::Array(a) => Some(a.len()),
        _ => None,
    }
    .and_then(|n| i64::try_from(n).ok());
    if let (Some(min), Some(len)) = (num("minLength"), len)
        && len < min
    {
        return Err(format!(
            "The length of the value is {len}; the minimum is {min}."
        ));
    }
    if let (Some(max), Some(len)) = (num("maxLength"), len)
        && len > max
    {
        return Err(format!(
            "The length of the value is {len}; the maximum is {max}."
        ));
    }
    if let (Some(min), Some(v)) = (num("minValue"), value.as_i64())
        && v < min
    {
        return Err(format!(
            "The value is less than the minimum value of {min}."
        ));
    }
    if let (Some(max), Some(v)) = (num("maxValue"), value.as_i64())
        && v > max
    {
        return Err(format!(
            "The value is greater than the maximum value of {max}."
        ));
    }
    Ok(())
}
