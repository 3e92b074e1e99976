//! Documents and statistics: `POST /indexes/{name}/docs/index` (the push API: `upload`,
//! `merge`, `mergeOrUpload`, `delete`), `GET .../docs/$count`, `GET /indexes/{name}/stats`,
//! `GET /servicestats`.
//!
//! Counts are the documents the emulator holds; `storageSize` is the bytes of their JSON as
//! stored here (the service's on-disk size, with its inverted indexes, is not something the
//! emulator can know). An index holds at most [`MAX_DOCS`] documents in the emulator.

use serde_json::{Map, Value, json};

use super::objects::{self, Ctx};
use super::{error, limits, ok};
use crate::arm::transport::{HttpResponse, Method};
use crate::emulator::engine::Engine;

/// The most documents one index holds in the emulator.
pub(crate) const MAX_DOCS: usize = 10_000;

pub(crate) fn docs_of(r: &crate::emulator::world::StoredResource) -> Map<String, Value> {
    objects::private(r)
        .get("docs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn key_field(index: &Value) -> String {
    index
        .get("fields")
        .and_then(Value::as_array)
        .and_then(|f| {
            f.iter()
                .find(|f| f.get("key").and_then(Value::as_bool) == Some(true))
        })
        .and_then(|f| f.get("name").and_then(Value::as_str))
        .unwrap_or("id")
        .to_owned()
}

/// `POST /indexes/{name}/docs/index`.
pub(crate) fn index(engine: &mut Engine<'_>, ctx: &Ctx<'_>, name: &str) -> HttpResponse {
    if ctx.req.method != Method::Post {
        return error(405, "", "docs/index accepts POST only.");
    }
    if let Err(refusal) = ctx.require(objects::Need::WriteDocs) {
        return refusal;
    }
    let Some(r) = objects::find(engine, ctx.service, "indexes", name).cloned() else {
        return objects::not_found(ctx, "indexes", name);
    };
    let Some(actions) = ctx
        .req
        .body
        .as_ref()
        .and_then(|b| b.get("value"))
        .and_then(Value::as_array)
    else {
        return error(400, "", "The request body must be {\"value\": [actions]}.");
    };
    let key = key_field(&r.body);
    let fields: Vec<String> = r
        .body
        .get("fields")
        .and_then(Value::as_array)
        .map(|f| {
            f.iter()
                .filter_map(|f| f.get("name").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let defs = r
        .body
        .get("fields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut docs = docs_of(&r);
    let mut results = Vec::new();
    for action in actions {
        results.push(match limits::document(action, &defs) {
            Ok(()) => apply(&mut docs, action, &key, &fields),
            Err(why) => {
                json!({"key": action.get(&key), "status": false, "errorMessage": why, "statusCode": 400})
            }
        });
    }
    if docs.len() > MAX_DOCS {
        return error(
            413,
            "",
            format!(
                "The emulator holds at most {MAX_DOCS} documents per index; nothing of this batch was applied."
            ),
        );
    }
    let mut private = objects::private(&r);
    private["docs"] = Value::Object(docs);
    objects::set_private(engine, &r.id, private);
    let all_ok = results.iter().all(|r| r["status"] == true);
    ok(if all_ok { 200 } else { 207 }, json!({"value": results}))
}

/// One index action on `docs`; its result entry.
fn apply(docs: &mut Map<String, Value>, action: &Value, key: &str, fields: &[String]) -> Value {
    let kind = action
        .get("@search.action")
        .and_then(Value::as_str)
        .unwrap_or("upload");
    let Some(id) = action.get(key).and_then(Value::as_str).map(str::to_owned) else {
        return json!({"key": null, "status": false, "errorMessage": format!("The document has no value for the key field '{key}'."), "statusCode": 400});
    };
    let mut doc: Map<String, Value> = action.as_object().cloned().unwrap_or_default();
    doc.remove("@search.action");
    if let Some(unknown) = doc.keys().find(|k| !fields.contains(k)) {
        return json!({"key": id, "status": false, "errorMessage": format!("The property '{unknown}' does not exist on type 'search.documentFields'."), "statusCode": 400});
    }
    let exists = docs.contains_key(&id);
    let fail = |msg: &str, code: u16| json!({"key": id, "status": false, "errorMessage": msg, "statusCode": code});
    match kind {
        "upload" => {
            docs.insert(id.clone(), Value::Object(doc));
        }
        "merge" | "mergeOrUpload" => match docs.get_mut(&id).and_then(Value::as_object_mut) {
            Some(old) => old.extend(doc),
            None if kind == "merge" => return fail("Document not found.", 404),
            None => {
                docs.insert(id.clone(), Value::Object(doc));
            }
        },
        "delete" => {
            docs.remove(&id);
        }
        other => {
            return fail(
                &format!(
                    "'{other}' is not an index action (upload, merge, mergeOrUpload, delete)."
                ),
                400,
            );
        }
    }
    let code = if kind != "delete" && !exists {
        201
    } else {
        200
    };
    json!({"key": id, "status": true, "errorMessage": null, "statusCode": code})
}

/// `GET /indexes/{name}/docs/$count` (a query key may ask).
pub(crate) fn count(engine: &mut Engine<'_>, ctx: &Ctx<'_>, name: &str) -> HttpResponse {
    if let Err(refusal) = ctx.require(objects::Need::ReadDocs) {
        return refusal;
    }
    let Some(r) = objects::find(engine, ctx.service, "indexes", name) else {
        return objects::not_found(ctx, "indexes", name);
    };
    HttpResponse::new(200, Some(json!(docs_of(r).len()))).with_header("Content-Type", "text/plain")
}

/// (document count, bytes stored) of an index.
fn figures(r: &crate::emulator::world::StoredResource) -> (usize, usize) {
    let docs = docs_of(r);
    let bytes = docs.values().map(|d| d.to_string().len()).sum();
    (docs.len(), bytes)
}

/// `GET /indexes/{name}/stats`.
pub(crate) fn stats(engine: &mut Engine<'_>, ctx: &Ctx<'_>, name: &str) -> HttpResponse {
    if let Err(refusal) = ctx.require_admin() {
        return refusal;
    }
    let Some(r) = objects::find(engine, ctx.service, "indexes", name) else {
        return objects::not_found(ctx, "indexes", name);
    };
    let (count, bytes) = figures(r);
    ok(
        200,
        json!({
            "@odata.context": format!("https://{}.search.windows.net/$metadata#Microsoft.Azure.Search.V2025_09_01.IndexStatistics", ctx.service_name()),
            "documentCount": count, "storageSize": bytes, "vectorIndexSize": 0,
        }),
    )
}

/// `GET /servicestats`: usage counters (the object counters' quotas are the per-tier object
/// limits the emulator enforces, the others `null`: not modelled) and the index limits the
/// emulator enforces ([`limits`]).
pub(crate) fn service_stats(engine: &mut Engine<'_>, ctx: &Ctx<'_>) -> HttpResponse {
    if let Err(refusal) = ctx.require_admin() {
        return refusal;
    }
    let n = |c: &str| objects::all(engine, ctx.service, c).len();
    let (docs, bytes) = objects::all(engine, ctx.service, "indexes")
        .iter()
        .map(figures)
        .fold((0, 0), |(d, b), (d2, b2)| (d + d2, b + b2));
    let counter = |usage: usize| json!({"usage": usage, "quota": null});
    let sku = crate::emulator::fields::get_str(&ctx.service.body, "sku.name").unwrap_or("free");
    let quota = objects::limit(sku);
    let objects = |c: &str| json!({"usage": n(c), "quota": quota});
    ok(
        200,
        json!({
            "counters": {
                "documentCount": counter(docs), "indexesCount": objects("indexes"),
                "indexersCount": objects("indexers"), "dataSourcesCount": objects("datasources"),
                "storageSize": counter(bytes), "synonymMaps": objects("synonymmaps"),
                "skillsetCount": objects("skillsets"), "vectorIndexSize": counter(0),
            },
            "limits": limits::stats(),
        }),
    )
}
