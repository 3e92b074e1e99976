//! Reading documents: `GET /indexes/{name}/docs('{key}')` (or `docs/{key}`) with `$select`, and
//! the search operations (`GET .../docs`, `POST .../docs/search.post.search`) for what the
//! emulator can compute from the documents it holds.
//!
//! A match-all query (`search` absent, empty or `*`, simple or full syntax) is answered for
//! real: every held document, each with `@search.score` 1 (the service scores every document of
//! a match-all query 1), paged with `$top` (default 50, at most 1000) and `$skip` (at most
//! 100000), counted with `$count`, projected with `$select`, ordered with `$orderby` on
//! sortable fields (`search.score()` ties everywhere). Only retrievable fields are returned.
//!
//! The emulator does not analyse text, evaluate filters, facets or vectors, nor rank: a query
//! that needs any of them (search text, `$filter`, `facet`, `highlight`, semantic ranking,
//! `vectorQueries`, a scoring profile) is refused with a 501 that says so, never answered with
//! an invented score. Suggestions and autocompletion are refused the same way; `analyze`
//! answers what [`super::analyze`] computes.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::objects::{self, Ctx};
use super::{error, ok};
use crate::arm::transport::{HttpResponse, Method};
use crate::emulator::engine::Engine;

/// The service's largest `$top`.
const MAX_TOP: usize = 1000;
/// The service's largest `$skip`.
const MAX_SKIP: usize = 100_000;
/// The page size when `$top` is not given.
const DEFAULT_TOP: usize = 50;

/// Why the emulator refuses a query it cannot compute (a 501).
fn not_computed(what: &str) -> HttpResponse {
    error(
        501,
        "NotImplemented",
        format!(
            "The emulator holds the documents but does not compute {what}: it answers match-all queries (search=* with $top, $skip, $count, $select, $orderby) and never invents a score."
        ),
    )
}

/// `{field name: field definition}` of an index.
fn fields(index: &Value) -> Vec<Map<String, Value>> {
    index
        .get("fields")
        .and_then(Value::as_array)
        .map(|f| f.iter().filter_map(|f| f.as_object().cloned()).collect())
        .unwrap_or_default()
}

fn flag(f: &Map<String, Value>, name: &str) -> bool {
    f.get(name).and_then(Value::as_bool).unwrap_or(false)
}

/// A document as a client sees it: only retrievable fields, only the `select`ed ones (all when
/// `select` is empty or `*`).
fn project(doc: &Value, defs: &[Map<String, Value>], select: &[String]) -> Result<Value, String> {
    for s in select.iter().filter(|s| *s != "*") {
        if !defs
            .iter()
            .any(|f| f.get("name").and_then(Value::as_str) == Some(s))
        {
            return Err(format!(
                "Invalid expression: Could not find a property named '{s}' on type 'search.document'."
            ));
        }
    }
    let all = select.is_empty() || select.iter().any(|s| s == "*");
    let mut out = Map::new();
    for f in defs {
        let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
        let wanted = all || select.iter().any(|s| s == name);
        if wanted && flag(f, "retrievable") {
            out.insert(
                name.to_owned(),
                doc.get(name).cloned().unwrap_or(Value::Null),
            );
        }
    }
    Ok(Value::Object(out))
}

fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => s
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// `GET /indexes/{name}/docs('{key}')` (a query key may ask).
pub(crate) fn get(engine: &Engine<'_>, ctx: &Ctx<'_>, index: &str, key: &str) -> HttpResponse {
    if let Err(refusal) = ctx.require(objects::Need::ReadDocs) {
        return refusal;
    }
    let Some(r) = objects::find(engine, ctx.service, "indexes", index) else {
        return objects::not_found(ctx, "indexes", index);
    };
    let Some(doc) = super::docs::docs_of(r).get(key).cloned() else {
        return error(404, "", format!("No document with key '{key}' was found."));
    };
    let select = list(ctx.param("$select").map(|s| json!(s)).as_ref());
    match project(&doc, &fields(&r.body), &select) {
        Ok(v) => ok(200, v),
        Err(why) => error(400, "", why),
    }
}

/// The parameters of a search, from the query string (GET) or the body (POST), under the
/// body's names (`top`, `skip`, `count`, `select`, `orderby`, `filter`, ...).
fn search_params(ctx: &Ctx<'_>) -> Map<String, Value> {
    if ctx.req.method == Method::Post {
        return ctx
            .req
            .body
            .as_ref()
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
    }
    let mut out = Map::new();
    for (k, v) in ctx.query {
        let name = k.trim_start_matches('$');
        if name == "api-version" {
            continue;
        }
        let value = match name {
            "top" | "skip" | "minimumCoverage" => v.parse::<u64>().map_or(json!(v), |n| json!(n)),
            "count" => json!(v.eq_ignore_ascii_case("true")),
            _ => json!(v),
        };
        let key = if name == "facet" { "facets" } else { name };
        out.insert(key.to_owned(), value);
    }
    out
}

/// The first thing a query asks for that the emulator does not compute, if any.
fn uncomputed(p: &Map<String, Value>) -> Option<String> {
    let text = p
        .get("search")
        .and_then(Value::as_str)
        .unwrap_or("*")
        .trim();
    if !text.is_empty() && text != "*" {
        return Some(format!("relevance for the search text '{text}'"));
    }
    let set = |k: &str| {
        p.get(k)
            .is_some_and(|v| !v.is_null() && v != &json!([]) && v != &json!(""))
    };
    let checks = [
        ("filter", "$filter expressions"),
        ("facets", "facets"),
        ("highlight", "highlights"),
        ("vectorQueries", "vector similarity (vectorQueries)"),
        ("scoringProfile", "scoring profiles"),
        ("semanticQuery", "semantic ranking"),
        ("answers", "semantic answers"),
        ("captions", "semantic captions"),
    ];
    if let Some((_, what)) = checks.iter().find(|(k, _)| set(k)) {
        return Some((*what).to_owned());
    }
    (p.get("queryType").and_then(Value::as_str) == Some("semantic"))
        .then(|| "semantic ranking (queryType=semantic)".to_owned())
}

fn number(p: &Map<String, Value>, k: &str, default: usize, max: usize) -> Result<usize, String> {
    match p.get(k) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("'{k}' must be an integer from 0 to {max}; it is {v}.")),
    }
}

/// One `$orderby` clause: a sortable field (or `search.score()`) and whether descending.
fn order_clauses(
    p: &Map<String, Value>,
    defs: &[Map<String, Value>],
) -> Result<Vec<(Option<String>, bool)>, String> {
    let mut out = Vec::new();
    for clause in list(p.get("orderby")) {
        let mut words = clause.split_whitespace();
        let field = words.next().unwrap_or_default();
        let desc = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(format!("'{other}' is not a sort direction (asc, desc).")),
        };
        if field == "search.score()" {
            out.push((None, desc));
            continue;
        }
        let def = defs
            .iter()
            .find(|f| f.get("name").and_then(Value::as_str) == Some(field));
        match def {
            Some(f) if flag(f, "sortable") => out.push((Some(field.to_owned()), desc)),
            Some(_) => return Err(format!("The field '{field}' is not sortable.")),
            None => return Err(format!("The field '{field}' is not in the index.")),
        }
    }
    Ok(out)
}

/// Orders two field values as the service sorts them: nulls first ascending, numbers by
/// value, strings by code point, booleans false before true.
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// `GET /indexes/{name}/docs` and `POST .../docs/search.post.search` (a query key may ask).
pub(crate) fn search(engine: &Engine<'_>, ctx: &Ctx<'_>, index: &str) -> HttpResponse {
    if let Err(refusal) = ctx.require(objects::Need::ReadDocs) {
        return refusal;
    }
    let Some(r) = objects::find(engine, ctx.service, "indexes", index) else {
        return objects::not_found(ctx, "indexes", index);
    };
    let p = search_params(ctx);
    if let Some(what) = uncomputed(&p) {
        return not_computed(&what);
    }
    match answer(r, &p) {
        Ok(body) => ok(200, body),
        Err(why) => error(400, "", why),
    }
}

/// The answer to a match-all query `p` over the documents of index `r`.
fn answer(
    r: &crate::emulator::world::StoredResource,
    p: &Map<String, Value>,
) -> Result<Value, String> {
    let defs = fields(&r.body);
    let top = number(p, "top", DEFAULT_TOP, MAX_TOP)?;
    let skip = number(p, "skip", 0, MAX_SKIP)?;
    let order = order_clauses(p, &defs)?;
    let select = list(p.get("select"));
    let mut docs: Vec<Value> = super::docs::docs_of(r)
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    docs.sort_by(|a, b| {
        order
            .iter()
            .filter_map(|(f, desc)| f.as_ref().map(|f| (f, desc)))
            .map(|(f, desc)| {
                let o = compare(&a[f.as_str()], &b[f.as_str()]);
                if *desc { o.reverse() } else { o }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    let total = docs.len();
    let mut value = Vec::new();
    for d in docs.iter().skip(skip).take(top) {
        let mut v = project(d, &defs, &select)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("@search.score".into(), json!(1.0));
        }
        value.push(v);
    }
    let mut body = Map::new();
    if p.get("count").and_then(Value::as_bool) == Some(true) {
        body.insert("@odata.count".into(), json!(total));
    }
    body.insert("value".into(), Value::Array(value));
    Ok(Value::Object(body))
}

/// Suggestions and autocompletion: refused, with the reason; text analysis: [`super::analyze`].
pub(crate) fn refused(engine: &Engine<'_>, ctx: &Ctx<'_>, index: &str, op: &str) -> HttpResponse {
    let need = if op == "analyze" {
        objects::Need::Manage
    } else {
        objects::Need::ReadDocs
    };
    if let Err(refusal) = ctx.require(need) {
        return refusal;
    }
    if objects::find(engine, ctx.service, "indexes", index).is_none() {
        return objects::not_found(ctx, "indexes", index);
    }
    if op == "analyze" {
        return super::analyze::answer(ctx.req.body.as_ref());
    }
    not_computed(match op {
        "autocomplete" => "autocompletion (it needs the suggester's analyzed terms)",
        _ => "suggestions (they need the suggester's analyzed terms and their scores)",
    })
}
