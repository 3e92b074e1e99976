//! The definitions of a search service: indexes, data sources, skillsets, indexers and synonym
//! maps. `GET` lists and reads, `POST` to a collection creates (409 if the name is taken),
//! `PUT` creates or replaces (201/200) honouring `If-Match`/`If-None-Match`, `DELETE` removes
//! (204, 404 when missing). Each object carries an `@odata.etag` that changes on every write;
//! a data source's connection string is kept aside and shown as `null`, as the service does.

use serde_json::{Map, Value, json};

use super::auth::Rights;
use super::{error, index_defaults, indexer, ok, validate};
use crate::arm::transport::{HttpRequest, HttpResponse, Method};
use crate::emulator::engine::Engine;
use crate::emulator::ids;
use crate::emulator::types::PRIVATE_KEY;
use crate::emulator::world::StoredResource;

/// The collections of definitions.
const COLLECTIONS: &[&str] = &[
    "indexes",
    "datasources",
    "skillsets",
    "indexers",
    "synonymmaps",
];

/// One data-plane request.
pub(crate) struct Ctx<'a> {
    /// The search service.
    pub(crate) service: &'a StoredResource,
    /// What the caller may do.
    pub(crate) rights: Rights,
    /// The request.
    pub(crate) req: &'a HttpRequest,
    /// The normalised path segments.
    pub(crate) path: &'a [String],
    /// The query parameters (percent-decoded).
    pub(crate) query: &'a [(String, String)],
}

impl Ctx<'_> {
    /// The first value of query parameter `name` (compared case-insensitively).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The service's name.
    pub(crate) fn service_name(&self) -> &str {
        crate::emulator::types::last_segment(&self.service.id)
    }

    /// A 403 unless the caller may manage objects (an admin key, or an Entra principal with
    /// Search Service Contributor, Owner or Contributor).
    pub(crate) fn require_admin(&self) -> Result<(), HttpResponse> {
        self.require(Need::Manage)
    }

    /// A 403 unless the caller may do `need`.
    pub(crate) fn require(&self, need: Need) -> Result<(), HttpResponse> {
        let g = self.rights.grants;
        let allowed = match need {
            Need::Manage => g.manage,
            Need::WriteDocs => g.write_docs,
            Need::ReadDocs => g.read_docs,
        };
        if allowed {
            return Ok(());
        }
        Err(match &self.rights.principal {
            None => error(
                403,
                "",
                "A query key only allows reading documents; this operation needs an admin key.",
            ),
            Some(p) => error(
                403,
                "",
                format!(
                    "Authorization failed: principal '{p}' has no role assignment on this search service (or a parent scope) that allows this operation; it needs {}.",
                    need.roles()
                ),
            ),
        })
    }
}

/// What an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Managing objects, statistics, indexer runs.
    Manage,
    /// Loading documents.
    WriteDocs,
    /// Querying documents.
    ReadDocs,
}

impl Need {
    /// The roles that allow it, for messages.
    fn roles(self) -> &'static str {
        match self {
            Need::Manage => "Search Service Contributor (or Owner, Contributor)",
            Need::WriteDocs => "Search Index Data Contributor",
            Need::ReadDocs => "Search Index Data Reader or Search Index Data Contributor",
        }
    }
}

/// Whether `c` is a collection of definitions.
pub(crate) fn is_collection(c: &str) -> bool {
    COLLECTIONS.contains(&c)
}

/// The stored id of object `name` of `collection` in `service`.
pub(crate) fn object_id(service: &StoredResource, collection: &str, name: &str) -> String {
    format!("{}/dataPlane/{collection}/{name}", service.id)
}

fn type_name(collection: &str) -> String {
    format!("Microsoft.Search/searchServices/dataPlane/{collection}")
}

/// The stored object, if it exists.
pub(crate) fn find<'w>(
    engine: &'w Engine<'_>,
    service: &StoredResource,
    collection: &str,
    name: &str,
) -> Option<&'w StoredResource> {
    engine
        .world
        .get(&object_id(service, collection, name), engine.now_ms)
}

/// Every object of `collection`, in creation order.
pub(crate) fn all(
    engine: &Engine<'_>,
    service: &StoredResource,
    collection: &str,
) -> Vec<StoredResource> {
    let ty = type_name(collection);
    let prefix = format!(
        "{}/dataplane/{collection}/",
        service.id.to_ascii_lowercase()
    );
    let mut items: Vec<StoredResource> = engine
        .world
        .resources
        .iter()
        .filter(|(k, r)| k.starts_with(&prefix) && r.type_name == ty)
        .map(|(_, r)| r.clone())
        .collect();
    items.sort_by_key(|r| r.seq);
    items
}

/// What a client sees of a stored object.
pub(crate) fn view(ctx: &Ctx<'_>, collection: &str, r: &StoredResource) -> Value {
    let mut body = r.body.clone();
    if let Some(o) = body.as_object_mut() {
        o.remove(PRIVATE_KEY);
        o.insert(
            "@odata.context".into(),
            json!(format!(
                "https://{}.search.windows.net/$metadata#{collection}/$entity",
                ctx.service_name()
            )),
        );
    }
    body
}

/// The private state of a stored object (documents of an index, runs of an indexer).
pub(crate) fn private(r: &StoredResource) -> Value {
    r.body
        .get(PRIVATE_KEY)
        .cloned()
        .unwrap_or_else(|| json!({}))
}

/// Replaces the private state of a stored object.
pub(crate) fn set_private(engine: &mut Engine<'_>, id: &str, value: Value) {
    if let Some(r) = engine.world.resources.get_mut(&id.to_ascii_lowercase())
        && let Some(o) = r.body.as_object_mut()
    {
        o.insert(PRIVATE_KEY.into(), value);
        engine.changed = true;
    }
}

/// `GET /{collection}` and `POST /{collection}`.
pub(crate) fn collection(engine: &mut Engine<'_>, ctx: &Ctx<'_>, coll: &str) -> HttpResponse {
    if let Err(refusal) = ctx.require_admin() {
        return refusal;
    }
    match ctx.req.method {
        Method::Get => {
            let value: Vec<Value> = all(engine, ctx.service, coll)
                .iter()
                .map(|r| {
                    let mut v = view(ctx, coll, r);
                    if let Some(o) = v.as_object_mut() {
                        o.remove("@odata.context");
                    }
                    v
                })
                .collect();
            ok(
                200,
                json!({
                    "@odata.context": format!("https://{}.search.windows.net/$metadata#{coll}", ctx.service_name()),
                    "value": value,
                }),
            )
        }
        Method::Post => {
            let body = ctx.req.body.clone().unwrap_or(Value::Null);
            let Some(name) = body.get("name").and_then(Value::as_str).map(str::to_owned) else {
                return error(400, "", "The request body must name the object ('name').");
            };
            if find(engine, ctx.service, coll, &name).is_some() {
                return error(
                    409,
                    "",
                    format!(
                        "Cannot create {} '{name}' because it already exists.",
                        singular(coll)
                    ),
                );
            }
            write(engine, ctx, coll, &name, body)
        }
        _ => method_not_allowed(ctx.req.method),
    }
}

/// `GET`, `PUT`, `DELETE /{collection}/{name}`.
pub(crate) fn one(engine: &mut Engine<'_>, ctx: &Ctx<'_>, coll: &str, name: &str) -> HttpResponse {
    if let Err(refusal) = ctx.require_admin() {
        return refusal;
    }
    let existing = find(engine, ctx.service, coll, name).cloned();
    match ctx.req.method {
        Method::Get => match existing {
            Some(r) => ok(200, view(ctx, coll, &r)),
            None => not_found(ctx, coll, name),
        },
        Method::Put => {
            if let Some(refusal) = precondition(ctx.req, existing.as_ref()) {
                return refusal;
            }
            let body = ctx.req.body.clone().unwrap_or(Value::Null);
            match body.get("name").and_then(Value::as_str) {
                Some(n) if n != name => error(
                    400,
                    "",
                    format!(
                        "The name '{n}' in the request body does not match the name '{name}' in the request URL."
                    ),
                ),
                _ => write(engine, ctx, coll, name, body),
            }
        }
        Method::Delete => {
            if let Some(refusal) = precondition(ctx.req, existing.as_ref()) {
                return refusal;
            }
            let Some(r) = existing else {
                return not_found(ctx, coll, name);
            };
            for k in engine.world.subtree(&r.id) {
                engine.world.resources.remove(&k);
            }
            engine.changed = true;
            HttpResponse::new(204, None)
        }
        _ => method_not_allowed(ctx.req.method),
    }
}

fn singular(coll: &str) -> &str {
    match coll {
        "indexes" => "index",
        "datasources" => "data source",
        "skillsets" => "skillset",
        "indexers" => "indexer",
        _ => "synonym map",
    }
}

/// The service's 404 for a missing object.
pub(crate) fn not_found(ctx: &Ctx<'_>, coll: &str, name: &str) -> HttpResponse {
    error(
        404,
        "",
        format!(
            "No {} with the name '{name}' was found in the service '{}'.",
            singular(coll),
            ctx.service_name()
        ),
    )
}

fn method_not_allowed(m: Method) -> HttpResponse {
    error(
        405,
        "",
        format!("The method {m} is not allowed on this resource."),
    )
}

/// `If-Match` / `If-None-Match`: 412 when the object's ETag does not satisfy them.
fn precondition(req: &HttpRequest, existing: Option<&StoredResource>) -> Option<HttpResponse> {
    let etag = existing
        .and_then(|r| r.body.get("@odata.etag"))
        .and_then(Value::as_str);
    let failed = match (req.header("if-match"), req.header("if-none-match")) {
        (Some(m), _) => {
            m.trim() != "*" && Some(m.trim()) != etag || (m.trim() == "*" && etag.is_none())
        }
        (None, Some(n)) => etag.is_some() && (n.trim() == "*" || Some(n.trim()) == etag),
        (None, None) => false,
    };
    failed.then(|| {
        error(
            412,
            "",
            "The precondition given in one of the request headers evaluated to false. No change was made to the resource from this request.",
        )
    })
}

/// The most objects of each collection per SKU (the service's documented tier limits).
pub(crate) fn limit(sku: &str) -> usize {
    match sku {
        "free" => 3,
        "basic" => 15,
        "standard" => 50,
        "storage_optimized_l1" | "storage_optimized_l2" => 10,
        _ => 200,
    }
}

/// Validates and stores a definition; creating an enabled indexer runs it.
fn write(
    engine: &mut Engine<'_>,
    ctx: &Ctx<'_>,
    coll: &str,
    name: &str,
    body: Value,
) -> HttpResponse {
    if let Err(why) = validate::name(coll, name) {
        return error(400, "", why);
    }
    let existing = find(engine, ctx.service, coll, name).cloned();
    let old_view = existing.as_ref().map(|r| view(ctx, coll, r));
    if let Err(why) = check(engine, ctx, coll, &body, old_view.as_ref()) {
        return error(400, "", why);
    }
    let sku = crate::emulator::fields::get_str(&ctx.service.body, "sku.name").unwrap_or("free");
    if existing.is_none() && all(engine, ctx.service, coll).len() >= limit(sku) {
        return error(
            429,
            "",
            format!(
                "You have reached the maximum of {} {coll} allowed for the '{sku}' tier.",
                limit(sku)
            ),
        );
    }
    let mut stored: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
    stored.retain(|k, _| !k.starts_with("@odata.") && k != PRIVATE_KEY);
    stored.insert("name".into(), json!(name));
    hide_application_secret(engine, &mut stored);
    if coll == "indexers" {
        // The service's defaults, shown in every indexer it answers.
        stored.entry("fieldMappings").or_insert_with(|| json!([]));
        stored.entry("disabled").or_insert(json!(false));
    }
    if coll == "skillsets" {
        skill_input_defaults(&mut stored);
    }
    if coll == "indexes" {
        index_defaults::apply(&mut stored);
    }
    stored.insert(
        "@odata.etag".into(),
        json!(format!(
            "\"0x{}\"",
            ids::guid().replace('-', "")[..15].to_ascii_uppercase()
        )),
    );
    let mut secrets = existing.as_ref().and_then(|e| e.secrets.clone());
    if coll == "datasources" {
        if let Some(conn) = body
            .pointer("/credentials/connectionString")
            .and_then(Value::as_str)
        {
            // A connection string with a key is a secret (sealed in the state file); one that
            // names the account by `ResourceId` (managed identity) is not, and is kept as is.
            let lower = conn.to_ascii_lowercase();
            let keyed = ["accountkey=", "sharedaccesssignature=", "password="]
                .iter()
                .any(|k| lower.contains(k));
            if keyed {
                engine.world.remember_secret(conn);
                secrets = Some(json!({"connectionString": conn}));
            } else {
                secrets = None;
                stored.insert(PRIVATE_KEY.into(), json!({"connectionString": conn}));
            }
        }
        stored.insert("credentials".into(), json!({"connectionString": null}));
    }
    if coll == "indexes" {
        secrets = hide_vectorizer_keys(engine, &mut stored, secrets.as_ref());
    }
    if let Some(p) = existing.as_ref().and_then(|e| e.body.get(PRIVATE_KEY))
        && !stored.contains_key(PRIVATE_KEY)
    {
        stored.insert(PRIVATE_KEY.into(), p.clone());
    }
    let id = object_id(ctx.service, coll, name);
    let seq = existing
        .as_ref()
        .map_or_else(|| engine.world.next_seq(), |e| e.seq);
    engine.world.resources.insert(
        id.to_ascii_lowercase(),
        StoredResource {
            id: id.clone(),
            type_name: type_name(coll),
            body: Value::Object(stored),
            secrets,
            transition: None,
            seq,
        },
    );
    engine.changed = true;
    let disabled = body.get("disabled").and_then(Value::as_bool) == Some(true);
    if coll == "indexers" && existing.is_none() && !disabled {
        indexer::run(engine, ctx, name);
    }
    let status = if existing.is_some() { 200 } else { 201 };
    let r = engine.world.get(&id, engine.now_ms).cloned();
    let body = r.as_ref().map_or(Value::Null, |r| view(ctx, coll, r));
    let etag = body
        .get("@odata.etag")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    ok(status, body).with_header("ETag", etag)
}

/// Each skill input shows its nested `inputs` (the service's default: none), as the service
/// answers a skillset.
fn skill_input_defaults(stored: &mut Map<String, Value>) {
    let skills = stored.get_mut("skills").and_then(Value::as_array_mut);
    for skill in skills.into_iter().flatten() {
        let inputs = skill.get_mut("inputs").and_then(Value::as_array_mut);
        for input in inputs
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            input.entry("inputs").or_insert_with(|| json!([]));
        }
    }
}

/// What the service answers for a vectorizer's API key.
const REDACTED: &str = "<redacted>";

/// A vectorizer's API key (`azureOpenAIParameters.apiKey`) is a secret: it is remembered (kept
/// out of logs and recordings), kept with the index's sealed secrets, and answered as
/// `<redacted>`, as the service answers it. A definition sent back with `<redacted>` keeps the
/// key the vectorizer had. Returns the index's secrets.
fn hide_vectorizer_keys(
    engine: &mut Engine<'_>,
    stored: &mut Map<String, Value>,
    old: Option<&Value>,
) -> Option<Value> {
    let old_keys = old.and_then(|s| s.get("vectorizerApiKeys"));
    let mut keys = Map::new();
    let vectorizers = stored
        .get_mut("vectorSearch")
        .and_then(|v| v.get_mut("vectorizers"))
        .and_then(Value::as_array_mut);
    for v in vectorizers.into_iter().flatten() {
        let name = v
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let Some(params) = v
            .get_mut("azureOpenAIParameters")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let sent = params
            .get("apiKey")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let key = match sent.as_deref() {
            Some(REDACTED) => old_keys.and_then(|k| k.get(&name)).and_then(Value::as_str),
            other => other,
        };
        let Some(key) = key.map(str::to_owned) else {
            continue;
        };
        engine.world.remember_secret(&key);
        keys.insert(name, json!(key));
        params.insert("apiKey".into(), json!(REDACTED));
    }
    (!keys.is_empty()).then(|| json!({"vectorizerApiKeys": keys}))
}

/// The Entra application secret of an encryption key is write-only: the service answers it as
/// `null`. It is remembered as a secret (kept out of logs and recordings), not stored.
fn hide_application_secret(engine: &mut Engine<'_>, stored: &mut Map<String, Value>) {
    let Some(creds) = stored
        .get_mut("encryptionKey")
        .and_then(|k| k.get_mut("accessCredentials"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if let Some(secret) = creds.get("applicationSecret").and_then(Value::as_str) {
        engine.world.remember_secret(secret);
        creds.insert("applicationSecret".into(), Value::Null);
    }
}

/// The rules of `coll`, and (for an indexer) that what it names exists.
fn check(
    engine: &Engine<'_>,
    ctx: &Ctx<'_>,
    coll: &str,
    body: &Value,
    old: Option<&Value>,
) -> Result<(), String> {
    match coll {
        "indexes" => validate::index(body, old),
        "datasources" => validate::data_source(body),
        "skillsets" => validate::skillset(body),
        "indexers" => {
            for (c, n) in validate::indexer_references(body)? {
                if find(engine, ctx.service, c, &n).is_none() {
                    return Err(format!(
                        "This indexer refers to a {} '{n}' that doesn't exist.",
                        singular(c)
                    ));
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
