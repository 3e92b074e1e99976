//! The official REST examples of the Azure AI Search data plane, stable 2025-09-01
//! (`tests/data/search-dataplane/`, each file's source path and commit in `MANIFEST.tsv`, the
//! operation each documents in `operations.tsv`), replayed against the emulator's data plane.
//!
//! Each example runs in a fresh world holding a search service named after the example's
//! endpoint, called with its admin key. What the example presupposes is made first through the
//! data plane itself: the object it reads, deletes or runs (from the body the example shows for
//! it, else the body of the collection's create example, else the smallest valid one), the
//! items of a list, and what an indexer names (data source, index, skillset). The example's own
//! request is never changed. Rejections by design are listed with their reason in
//! `rejections.tsv`.

use std::collections::BTreeMap;

use amlab::arm::transport::{HttpRequest, HttpResponse, Method};
use serde_json::{Map, Value, json};

use super::setup::{self, World};
use super::tally::{Tally, documented_body, judge};
use crate::support::repo;

pub(super) const PROVIDER: &str = "Search data plane";

// Coverage is held to the common floor (0.98). What is still not covered:
// SearchServiceGetIndexerStatus shows per-document errors and warnings of past runs (the
// emulator holds no blob contents, so its runs have none to report) and the indexer's tier
// limits (maxRunTime, maxDocumentExtractionSize, maxDocumentContentCharactersToExtract), which
// the emulator neither enforces nor claims.
const DIR: &str = "tests/data/search-dataplane";
const ARM_API: &str = "2025-05-01";

/// One example and the operation it documents.
struct Op {
    file: String,
    collection: String,
    method: String,
    template: String,
    example: Value,
}

fn ops() -> Vec<Op> {
    let dir = repo().join(DIR);
    let text = std::fs::read_to_string(dir.join("operations.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 4, "operations.tsv: {line}");
            let raw = std::fs::read(dir.join(cols[0])).unwrap_or_else(|e| panic!("{line}: {e}"));
            Op {
                file: cols[0].to_owned(),
                collection: cols[1].trim_start_matches("search/").to_owned(),
                method: cols[2].to_owned(),
                template: cols[3].to_owned(),
                example: serde_json::from_slice(&raw).unwrap_or_else(|e| panic!("{line}: {e}")),
            }
        })
        .collect()
}

fn label(file: &str) -> String {
    format!("search-dataplane/{file}")
}

/// The documented rejections, by label.
pub(super) fn rejections() -> BTreeMap<String, String> {
    super::read_rejections(
        &repo().join(DIR).join("rejections.tsv"),
        "search-dataplane/",
    )
}

/// Every example, replayed into `t`.
pub(super) fn replay_all(t: &mut Tally) {
    let ops = ops();
    let manifest = std::fs::read_to_string(repo().join(DIR).join("MANIFEST.tsv")).unwrap();
    assert_eq!(
        manifest.lines().skip(1).count(),
        ops.len(),
        "every example in MANIFEST.tsv has its operation in operations.tsv"
    );
    for op in &ops {
        let outcome = match replay(op, &ops) {
            Ok(o) => o,
            Err(setup) => super::tally::Outcome::Rejected(format!("setup: {setup}")),
        };
        t.record(PROVIDER, &label(&op.file), outcome);
    }
}

/// A search service of a fresh world, called with its admin key.
struct Service {
    world: World,
    endpoint: String,
    key: String,
}

impl Service {
    fn new(endpoint: &str) -> Self {
        let world = World::new();
        let rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-search";
        world.resource_group(rg);
        let host = endpoint.trim_start_matches("https://");
        let name = host.split('.').next().unwrap_or_default();
        let id = format!("{rg}/providers/Microsoft.Search/searchServices/{name}");
        world.given(
            &id,
            ARM_API,
            json!({"location": "eastus", "sku": {"name": "standard"}}),
        );
        let keys = world.send_api(Method::Post, &format!("{id}/listAdminKeys"), ARM_API, None);
        let key = keys.body.unwrap_or_default()["primaryKey"]
            .as_str()
            .unwrap()
            .to_owned();
        Self {
            world,
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            key,
        }
    }

    fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(String, String)],
    ) -> HttpResponse {
        let mut req = HttpRequest::new(method, format!("{}{path}", self.endpoint));
        req.headers.push(("api-key".into(), self.key.clone()));
        req.headers.extend(headers.iter().cloned());
        req.body = body;
        self.world.handle(&req)
    }

    fn exists(&self, coll: &str, name: &str) -> bool {
        let path = format!("/{coll}('{name}')?api-version=2025-09-01");
        self.send(Method::Get, &path, None, &[]).status == 200
    }

    /// Creates `coll`/`name` from `body` (its name, read-only and placeholder values set for
    /// this service), after what it refers to.
    fn make(&self, coll: &str, name: &str, body: &Value) -> Result<(), String> {
        let mut obj: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
        obj.retain(|k, v| !k.starts_with("@odata.") || (k == "@odata.type" && !v.is_null()));
        obj.insert("name".into(), json!(name));
        let mut body = Value::Object(obj);
        if coll == "datasources"
            && !body
                .pointer("/credentials/connectionString")
                .is_some_and(Value::is_string)
        {
            body["credentials"] = minimal("datasources")["credentials"].clone();
        }
        if coll == "indexers" {
            self.references(&body)?;
        }
        let path = format!("/{coll}('{name}')?api-version=2025-09-01");
        let r = self.send(Method::Put, &path, Some(body), &[]);
        self.world.settle();
        if r.is_success() {
            Ok(())
        } else {
            Err(format!("PUT {path}: {} {:?}", r.status, r.body))
        }
    }

    /// Makes what an indexer body names, if missing.
    fn references(&self, body: &Value) -> Result<(), String> {
        for (coll, key) in [
            ("datasources", "dataSourceName"),
            ("indexes", "targetIndexName"),
            ("skillsets", "skillsetName"),
        ] {
            if let Some(name) = body.get(key).and_then(Value::as_str)
                && !self.exists(coll, name)
            {
                self.make(coll, name, &minimal(coll))?;
            }
        }
        Ok(())
    }
}

/// The smallest definition of `coll` the service accepts (a name is added).
fn minimal(coll: &str) -> Value {
    match coll {
        "indexes" => json!({"fields": [{"name": "id", "type": "Edm.String", "key": true}]}),
        "datasources" => json!({"type": "azureblob",
            "credentials": {"connectionString": "ResourceId=/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-search/providers/Microsoft.Storage/storageAccounts/stsearch;"},
            "container": {"name": "docs"}}),
        "skillsets" => json!({"skills": [{"@odata.type": "#Microsoft.Skills.Text.SplitSkill",
            "name": "split", "inputs": [{"name": "text", "source": "/document/content"}],
            "outputs": [{"name": "textItems", "targetName": "pages"}]}]}),
        "synonymmaps" => json!({"format": "solr", "synonyms": "usa, united states"}),
        "indexers" => {
            json!({"dataSourceName": "ds-conformance", "targetIndexName": "ix-conformance"})
        }
        other => panic!("no minimal body for {other}"),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list parameter (`$select`, `$orderby`) as the query string carries it: comma-separated.
fn joined(v: &Value) -> Option<String> {
    let items: Vec<String> = v.as_array()?.iter().filter_map(scalar).collect();
    Some(items.join(","))
}

/// Whether parameter `k` travels as a header (the rest are query parameters).
fn is_header(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    k.starts_with("x-ms-")
        || ["if-match", "if-none-match", "prefer", "accept"].contains(&k.as_str())
}

/// Percent-encodes what a query value cannot carry as is.
fn encode(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' => "%20".to_owned(),
            '&' => "%26".to_owned(),
            '#' => "%23".to_owned(),
            '+' => "%2B".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// The example's request: path and query, headers, body; and the object it addresses.
struct Request {
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    /// The object named in the path (`indexes`, `hotels`), if any.
    target: Option<(String, String)>,
}

fn request(op: &Op) -> Request {
    let params = op.example["parameters"].as_object().unwrap();
    let mut path = String::new();
    let mut used = vec!["endpoint".to_owned(), "api-version".to_owned()];
    let mut target = None;
    for (i, part) in op.template.split('{').enumerate() {
        match part.split_once('}') {
            Some((name, rest)) if i > 0 => {
                let v = params.get(name).and_then(scalar);
                let v = v.unwrap_or_else(|| panic!("{}: no {name}", op.file));
                let coll = path.trim_end_matches("('").rsplit('/').next().unwrap_or("");
                target.get_or_insert((coll.to_owned(), v.clone()));
                path.push_str(&v);
                path.push_str(rest);
                used.push(name.to_owned());
            }
            _ => path.push_str(part),
        }
    }
    let api = scalar(&params["api-version"]).unwrap();
    let mut query = format!("api-version={api}");
    let (mut headers, mut body) = (Vec::new(), None);
    for (k, v) in params.iter().filter(|(k, _)| !used.contains(k)) {
        match scalar(v).or_else(|| joined(v)) {
            Some(s) if is_header(k) => headers.push((k.clone(), s)),
            Some(s) => query.push_str(&format!("&{k}={}", encode(&s))),
            None if v.is_object() => body = Some(v.clone()),
            None => {}
        }
    }
    Request {
        path: format!("{path}?{query}"),
        headers,
        body,
        target,
    }
}

/// Ways to make the object an example presupposes, best first.
fn candidates(op: &Op, all: &[Op], coll: &str) -> Vec<Value> {
    let mut out = Vec::new();
    if op.method == "GET"
        && op.collection == coll
        && let Some(b) = documented_body(&op.example, "200").filter(|b| b.get("name").is_some())
    {
        out.push(b);
    }
    for other in all
        .iter()
        .filter(|o| o.collection == coll && o.method != "GET")
    {
        if let Some(b) = request(other).body {
            out.push(b);
        }
    }
    out.push(minimal(coll));
    out
}

/// The EDM type of a document value, for an index that holds the documented document.
fn edm(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "Edm.Boolean",
        Value::Number(n) if n.is_i64() => "Edm.Int64",
        Value::Number(_) => "Edm.Double",
        Value::Array(_) => "Collection(Edm.String)",
        _ => "Edm.String",
    }
}

/// What reading a document presupposes: an index whose fields are the documented document's
/// (its key field the one holding the example's key), holding that document, pushed through
/// the data plane's `docs/index`.
fn document(svc: &Service, op: &Op, index: &str) -> Result<(), String> {
    let doc = documented_body(&op.example, "200").ok_or("no documented document")?;
    let key = scalar(&op.example["parameters"]["key"]).ok_or("no key")?;
    let obj = doc.as_object().ok_or("the document is not an object")?;
    let fields: Vec<Value> = obj
        .iter()
        .map(|(k, v)| json!({"name": k, "type": edm(v), "key": scalar(v).as_deref() == Some(key.as_str())}))
        .collect();
    svc.make("indexes", index, &json!({"fields": fields}))?;
    let mut action = obj.clone();
    action.insert("@search.action".into(), json!("upload"));
    let path = format!("/indexes('{index}')/docs/search.index?api-version=2025-09-01");
    let r = svc.send(Method::Post, &path, Some(json!({"value": [action]})), &[]);
    if r.is_success() {
        Ok(())
    } else {
        Err(format!("POST {path}: {} {:?}", r.status, r.body))
    }
}

/// Makes what `op` presupposes in `svc`.
fn presuppose(svc: &Service, op: &Op, all: &[Op], req: &Request) -> Result<(), String> {
    if op.template.contains("/docs('{key}')")
        && let Some((_, index)) = &req.target
    {
        return document(svc, op, index);
    }
    if let Some(b) = &req.body
        && op.collection == "indexers"
    {
        svc.references(b)?;
    }
    let creates =
        matches!(op.method.as_str(), "PUT" | "POST") && req.target.is_none() || op.method == "PUT";
    if op.method == "GET" && req.target.is_none() {
        let items = documented_body(&op.example, "200")
            .and_then(|b| b.get("value").and_then(Value::as_array).cloned())
            .unwrap_or_default();
        for (i, item) in items.iter().enumerate() {
            let name = item["name"]
                .as_str()
                .map_or_else(|| format!("item{i}"), str::to_owned);
            svc.make(&op.collection, &name, item)
                .or_else(|_| svc.make(&op.collection, &name, &minimal(&op.collection)))?;
        }
        return Ok(());
    }
    let Some((coll, name)) = req.target.as_ref().filter(|_| !creates) else {
        return Ok(());
    };
    let mut last = String::new();
    for body in candidates(op, all, coll) {
        match svc.make(coll, name, &body) {
            Ok(()) => return Ok(()),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn replay(op: &Op, all: &[Op]) -> Result<super::tally::Outcome, String> {
    let endpoint = op.example["parameters"]["endpoint"].as_str().unwrap();
    let svc = Service::new(endpoint);
    let req = request(op);
    presuppose(&svc, op, all, &req)?;
    let r = svc.send(
        setup::method(&op.method),
        &req.path,
        req.body.clone(),
        &req.headers,
    );
    let answer = r.body.clone().unwrap_or(Value::Null);
    Ok(judge(&op.example, r.status, &r.status.to_string(), &answer))
}
