//! Template functions about the deployment's scope: `parameters`, `variables`, `copyIndex`,
//! `resourceId` and `subscriptionResourceId`, `subscription`, `resourceGroup`, `deployment`,
//! `tenant`, `reference`, `uniqueString`, `guid`, `newGuid`, `utcNow`.

use serde_json::{Value, json};

use super::eval::{Evaluator, Frame};
use super::functions::{arity, int, text};
use super::{TemplateError, hash};

/// Calls a scope function; `None` when `name` is not one.
pub(crate) fn call(
    ev: &Evaluator,
    frame: Frame<'_>,
    name: &str,
    a: &[Value],
) -> Result<Option<Value>, TemplateError> {
    let c = &ev.ctx;
    let v = match (name, a) {
        ("parameters", [p]) => parameter(ev, text(name, p)?)?,
        ("variables", [v]) => ev.variable(text(name, v)?, frame)?,
        ("copyindex", args) => Value::from(copy_index(frame, args)?),
        ("resourceid", args) => Value::from(resource_id(ev, args, true)?),
        ("subscriptionresourceid", args) => Value::from(resource_id(ev, args, false)?),
        ("tenantresourceid", [t, names @ ..]) => Value::from(format!(
            "/providers/{}",
            type_path(text(name, t)?, &strings(name, names)?)?
        )),
        ("subscription", []) => json!({
            "id": format!("/subscriptions/{}", c.subscription),
            "subscriptionId": c.subscription,
            "tenantId": c.tenant,
            "displayName": "amlab emulator subscription",
        }),
        ("resourcegroup", []) => json!({
            "id": format!("/subscriptions/{}/resourceGroups/{}", c.subscription, c.resource_group),
            "name": c.resource_group,
            "type": "Microsoft.Resources/resourceGroups",
            "location": c.location,
            "properties": {"provisioningState": "Succeeded"},
        }),
        ("deployment", []) => json!({
            "name": c.deployment,
            "properties": {"templateLink": null},
        }),
        ("tenant", []) => json!({"tenantId": c.tenant, "countryCode": "US"}),
        ("reference", [target, rest @ ..]) => reference(frame, text(name, target)?, rest)?,
        ("uniquestring", args) if !args.is_empty() => {
            Value::from(hash::unique_string(&strings(name, args)?))
        }
        ("guid", args) if !args.is_empty() => Value::from(hash::guid(&strings(name, args)?)),
        ("newguid", []) => Value::from(crate::emulator::ids::guid()),
        ("utcnow", _) => Value::from(
            time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        ),
        ("listkeys" | "listsecrets" | "list", _) => {
            return Err(TemplateError::invalid(format!(
                "The template function '{name}' is not supported by the emulator's deployments; read keys with a POST to the resource's listKeys action."
            )));
        }
        ("parameters" | "variables" | "subscription" | "resourcegroup", _) => {
            return Err(arity(name, "a different number of"));
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

fn strings<'a>(name: &str, args: &'a [Value]) -> Result<Vec<&'a str>, TemplateError> {
    args.iter().map(|a| text(name, a)).collect()
}

fn parameter(ev: &Evaluator, name: &str) -> Result<Value, TemplateError> {
    ev.params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
        .ok_or_else(|| {
            TemplateError::invalid(format!(
                "The template parameter '{name}' is not found. Please see https://aka.ms/arm-template/#parameters for usage details."
            ))
        })
}

/// `copyIndex()`, `copyIndex(offset)`, `copyIndex('loop')`, `copyIndex('loop', offset)`.
fn copy_index(frame: Frame<'_>, args: &[Value]) -> Result<i64, TemplateError> {
    let (loop_name, offset) = match args {
        [] => (None, 0),
        [Value::String(n)] => (Some(n.as_str()), 0),
        [o] => (None, int("copyIndex", o)?),
        [n, o] => (Some(text("copyIndex", n)?), int("copyIndex", o)?),
        _ => return Err(arity("copyIndex", "0 to 2")),
    };
    let found = match loop_name {
        None => frame.copy.last(),
        Some(n) => frame
            .copy
            .iter()
            .rev()
            .find(|(l, _)| l.eq_ignore_ascii_case(n)),
    };
    let Some((_, index)) = found else {
        return Err(TemplateError::invalid(format!(
            "The template function 'copyIndex' is not expected at this location{}. The function can only be used in a resource, property or variable with a copy loop.",
            loop_name
                .map(|n| format!(" (no copy loop named '{n}')"))
                .unwrap_or_default()
        )));
    };
    index
        .checked_add(offset)
        .ok_or_else(|| TemplateError::invalid("copyIndex overflowed"))
}

/// `ns/t1/t2` with names `[n1, n2]` -> `ns/t1/n1/t2/n2`.
pub(crate) fn type_path(type_name: &str, names: &[&str]) -> Result<String, TemplateError> {
    let mut segs = type_name.split('/');
    let ns = segs.next().unwrap_or_default();
    let types: Vec<&str> = segs.collect();
    if types.is_empty() || types.len() != names.len() {
        return Err(TemplateError::invalid(format!(
            "Unable to evaluate template language function 'resourceId': the type '{type_name}' requires '{}' resource name argument(s), {} given. Please see https://aka.ms/arm-resourceid for usage details.",
            types.len(),
            names.len()
        )));
    }
    let mut out = ns.to_owned();
    for (t, n) in types.iter().zip(names) {
        out.push_str(&format!("/{t}/{n}"));
    }
    Ok(out)
}

/// `resourceId([sub], [rg], type, names...)`; `subscriptionResourceId([sub], type, names...)`
/// when `in_group` is false.
fn resource_id(ev: &Evaluator, args: &[Value], in_group: bool) -> Result<String, TemplateError> {
    let fname = if in_group {
        "resourceId"
    } else {
        "subscriptionResourceId"
    };
    let all = strings(fname, args)?;
    let Some(t) = all.iter().position(|a| a.contains('/')) else {
        return Err(arity(fname, "a resource type and names as"));
    };
    let scope = &all[..t];
    let max_scope = if in_group { 2 } else { 1 };
    if scope.len() > max_scope {
        return Err(arity(
            fname,
            "at most one subscription and one resource group before the type as",
        ));
    }
    let path = type_path(all[t], &all[t + 1..])?;
    let sub = match scope {
        [s, _] | [s] if !in_group || scope.len() == 2 => *s,
        _ => ev.ctx.subscription.as_str(),
    };
    if !in_group {
        return Ok(format!("/subscriptions/{sub}/providers/{path}"));
    }
    let rg = scope
        .last()
        .copied()
        .unwrap_or(ev.ctx.resource_group.as_str());
    Ok(format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/{path}"
    ))
}

/// `reference(idOrName, [apiVersion], ['Full'])`: a deployed resource's properties (or all of
/// it with `'Full'`).
fn reference(frame: Frame<'_>, target: &str, rest: &[Value]) -> Result<Value, TemplateError> {
    let full = rest
        .get(1)
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("full"));
    let Some(body) = (frame.lookup)(target) else {
        return Err(TemplateError {
            code: "ResourceNotFound",
            message: format!(
                "The Resource '{target}' was not found. reference() reads a resource that exists or that the template deploys before (add it to dependsOn)."
            ),
        });
    };
    Ok(if full {
        body
    } else {
        body.get("properties").cloned().unwrap_or(Value::Null)
    })
}
