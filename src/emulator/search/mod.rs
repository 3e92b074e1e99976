//! The Azure AI Search data plane (REST 2025-09-01 and the versions before it), served at
//! `https://{service}.search.windows.net` for every search service of the world: indexes,
//! data sources, skillsets, indexers (with runs and status), synonym maps, documents pushed
//! through the `docs/index` API, index and service statistics.
//!
//! Objects are stored in the world under their service (`{service id}/dataPlane/{collection}/
//! {name}`), so they go when the service or its resource group goes, and persist in the state
//! file like every resource. Access is by `api-key` (admin keys: everything; query keys: reading
//! documents only) or an Entra bearer token when the service accepts Entra ID ([`auth`]).
//!
//! Only what the emulator can compute is answered: an indexer run reads its data source from
//! the world (a blob container the emulator holds has no blobs, so a run indexes 0 documents),
//! and a document count is the number of documents pushed. Nothing is invented.

use serde_json::{Value, json};

use super::engine::Engine;
use super::fields;
use super::types::search_service;
use super::url::RequestUrl;
use super::world::StoredResource;
use crate::arm::transport::{HttpRequest, HttpResponse, Method};

mod analyze;
mod auth;
mod docs;
mod index_defaults;
mod indexer;
mod limits;
mod objects;
mod query;
mod roles;
mod validate;

#[cfg(test)]
mod tests;

/// The data plane's domain.
pub(crate) const DOMAIN: &str = ".search.windows.net";

/// The data-plane api-versions accepted: the stable and preview folders of
/// `specification/search/data-plane/Azure.Search/` in Azure/azure-rest-api-specs (2019-05-06 to
/// 2025-09-01, previews to 2025-08-01-preview) and the TypeSpec's newer `2026-04-01`,
/// `2025-11-01-preview`, `2026-05-01-preview` (`specification/search/data-plane/Search/main.tsp`),
/// plus the older versions clients still send. Any other version is refused, as the service does.
const API_VERSIONS: &[&str] = &[
    "2015-02-28",
    "2016-09-01",
    "2017-11-11",
    "2019-05-06",
    "2020-06-30",
    "2023-11-01",
    "2024-07-01",
    "2025-09-01",
    "2026-04-01",
    "2015-02-28-preview",
    "2016-09-01-preview",
    "2017-11-11-preview",
    "2019-05-06-preview",
    "2020-06-30-preview",
    "2021-04-30-preview",
    "2023-07-01-preview",
    "2023-10-01-preview",
    "2024-03-01-preview",
    "2024-05-01-preview",
    "2024-09-01-preview",
    "2024-11-01-preview",
    "2025-03-01-preview",
    "2025-05-01-preview",
    "2025-08-01-preview",
    "2025-11-01-preview",
    "2026-05-01-preview",
];

/// The service name of a data-plane origin (`https://{name}.search.windows.net[:443]`).
pub(crate) fn service_name(url: &RequestUrl) -> Option<String> {
    let host = url
        .origin
        .split_once("://")
        .map_or(url.origin.as_str(), |(_, h)| h);
    let host = host
        .strip_suffix(":443")
        .unwrap_or(host)
        .to_ascii_lowercase();
    let name = host.strip_suffix(DOMAIN)?;
    (!name.is_empty() && !name.contains('.')).then(|| name.to_owned())
}

/// A data-plane error in the service's shape (`{"error": {"code", "message"}}`).
pub(crate) fn error(status: u16, code: &str, message: impl Into<String>) -> HttpResponse {
    HttpResponse::new(
        status,
        Some(json!({"error": {"code": code, "message": message.into()}})),
    )
}

/// A JSON answer.
pub(crate) fn ok(status: u16, body: Value) -> HttpResponse {
    HttpResponse::new(status, Some(body))
        .with_header("Content-Type", "application/json; odata.metadata=minimal")
}

/// The service `name`, if one exists now: `None` is a host that does not resolve.
fn find_service(engine: &Engine<'_>, name: &str) -> Option<StoredResource> {
    engine
        .world
        .resources
        .values()
        .find(|r| {
            r.type_name.eq_ignore_ascii_case(search_service::TYPE)
                && super::types::last_segment(&r.id).eq_ignore_ascii_case(name)
                && r.exists_at(engine.now_ms)
        })
        .cloned()
}

/// What a request addresses, its path normalised (`indexes('x')` is `indexes/x`,
/// `search.status` is `status`).
pub(crate) fn segments(url: &RequestUrl) -> Vec<String> {
    let mut out = Vec::new();
    for s in &url.segments {
        if let Some((coll, rest)) = s.split_once("('")
            && let Some(name) = rest.strip_suffix("')")
        {
            out.push(coll.to_owned());
            out.push(name.replace("''", "'"));
            continue;
        }
        out.push(s.strip_prefix("search.").unwrap_or(s).to_owned());
    }
    out
}

/// Serves a request to `https://{name}.search.windows.net`; `None` when no such service
/// exists (the host would not resolve).
pub(crate) fn handle(
    engine: &mut Engine<'_>,
    req: &HttpRequest,
    url: &RequestUrl,
    name: &str,
) -> Option<HttpResponse> {
    let service = find_service(engine, name)?;
    let api_version = url.query_param("api-version").unwrap_or_default();
    if api_version.is_empty() {
        return Some(error(
            400,
            "",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    if !API_VERSIONS.contains(&api_version) {
        return Some(error(
            400,
            "",
            format!("Invalid or missing api-version query string parameter: '{api_version}'."),
        ));
    }
    if fields::get_str(&service.body, "properties.provisioningState")
        .is_some_and(|s| !s.eq_ignore_ascii_case("succeeded"))
        || service.active_transition(engine.now_ms).is_some()
    {
        return Some(error(
            503,
            "",
            "The search service is being provisioned; try again when it is running.",
        ));
    }
    let path = segments(url);
    let rights = match auth::rights(engine.world.resources.values(), &service, req) {
        Ok(r) => r,
        Err(refusal) => return Some(refusal),
    };
    let ctx = objects::Ctx {
        service: &service,
        rights,
        req,
        path: &path,
        query: &url.query,
    };
    Some(route(engine, &ctx))
}

/// The document operations the emulator refuses with their reason (it does not analyse text).
fn refused_op(op: &str) -> bool {
    matches!(
        op,
        "suggest" | "post.suggest" | "autocomplete" | "post.autocomplete"
    )
}

fn route(engine: &mut Engine<'_>, ctx: &objects::Ctx<'_>) -> HttpResponse {
    let p: Vec<&str> = ctx.path.iter().map(String::as_str).collect();
    let m = ctx.req.method;
    match p.as_slice() {
        ["servicestats"] if m == Method::Get => docs::service_stats(engine, ctx),
        [coll, name, "docs", "index"] if *coll == "indexes" => docs::index(engine, ctx, name),
        [coll, name, "docs", "$count"] if *coll == "indexes" => docs::count(engine, ctx, name),
        [coll, name, "docs"] if *coll == "indexes" && m == Method::Get => {
            query::search(engine, ctx, name)
        }
        [coll, name, "docs", "post.search"] if *coll == "indexes" && m == Method::Post => {
            query::search(engine, ctx, name)
        }
        [coll, name, "docs", op] if *coll == "indexes" && refused_op(op) => {
            query::refused(engine, ctx, name, op.trim_start_matches("post."))
        }
        [coll, name, "analyze"] if *coll == "indexes" && m == Method::Post => {
            query::refused(engine, ctx, name, "analyze")
        }
        [coll, name, "docs", key] if *coll == "indexes" && m == Method::Get => {
            query::get(engine, ctx, name, key)
        }
        [coll, name, "stats"] if *coll == "indexes" => docs::stats(engine, ctx, name),
        [coll, name, op] if *coll == "indexers" => indexer::operation(engine, ctx, name, op),
        [coll] if objects::is_collection(coll) => objects::collection(engine, ctx, coll),
        [coll, name] if objects::is_collection(coll) => objects::one(engine, ctx, coll, name),
        _ => error(
            404,
            "",
            format!(
                "The request path '/{}' is not a resource of the Azure AI Search REST API (or not one the emulator models).",
                ctx.path.join("/")
            ),
        ),
    }
}
