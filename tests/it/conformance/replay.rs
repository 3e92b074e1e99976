//! Replaying one example: its request from its parameters, the world it presupposes, its
//! answer judged against the statuses and bodies it documents.

use amlab::arm::transport::{HttpResponse, Method};
use serde_json::Value;

use super::Operation;
use super::keypaths::coverage;
use super::rebase::rebase;
use super::setup::{self, World};
use super::tally::{Outcome, documented_body, statuses};

/// `{RG}` and `{W}` spelled out.
fn expand(template: &str) -> String {
    template
        .replace(
            "{W}",
            "{RG}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}",
        )
        .replace(
            "{RG}",
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
        )
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A path parameter's value with a `{placeholder}` (no valid ARM path segment) replaced:
/// a zero subscription id, or the placeholder's name.
fn unplaceholder(name: &str, v: &str) -> String {
    match v.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        Some(_) if name == "subscriptionId" => "00000000-0000-0000-0000-000000000000".into(),
        Some(inner) => inner.to_owned(),
        None => v.to_owned(),
    }
}

/// The request of an example: path, query (with `api-version`) and body.
struct Request {
    path: String,
    query: String,
    body: Option<Value>,
    api: String,
}

fn request(op: &Operation) -> Request {
    let params = op.example["parameters"].as_object().unwrap();
    let template = expand(&op.template);
    let mut path = String::new();
    let mut used = vec!["api-version".to_owned()];
    for (i, part) in template.split('{').enumerate() {
        match part.split_once('}') {
            Some((name, rest)) if i > 0 => {
                let v = params.get(name).and_then(scalar);
                let v = v.unwrap_or_else(|| panic!("{}: no {name}", op.file));
                path.push_str(&unplaceholder(name, &v));
                path.push_str(rest);
                used.push(name.to_owned());
            }
            _ => path.push_str(part),
        }
    }
    let api = scalar(&params["api-version"]).unwrap();
    let mut query = format!("api-version={api}");
    let mut body = None;
    for (k, v) in params.iter().filter(|(k, _)| !used.contains(k)) {
        match scalar(v) {
            Some(s) => query.push_str(&format!("&{k}={}", s.replace(' ', "%20"))),
            None if op.method != "GET" && op.method != "DELETE" && body.is_none() => {
                body = Some(v.clone());
            }
            None => {}
        }
    }
    Request {
        path,
        query,
        body,
        api,
    }
}

/// The resources a concrete path goes through, outermost first: (path, type label). A
/// trailing action, collection or sub-resource segment is not one.
pub(super) fn prefixes(path: &str) -> Vec<(String, String)> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut out = Vec::new();
    let mut at = 2;
    if segs
        .get(2)
        .is_some_and(|s| s.eq_ignore_ascii_case("resourceGroups"))
        && segs.len() > 3
    {
        out.push((
            format!("/{}", segs[..4].join("/")),
            "resourceGroups".to_owned(),
        ));
        at = 4;
    }
    if !segs
        .get(at)
        .is_some_and(|s| s.eq_ignore_ascii_case("providers"))
    {
        return out;
    }
    let known = [
        "Microsoft.MachineLearningServices",
        "Microsoft.Storage",
        "Microsoft.KeyVault",
        "Microsoft.Insights",
        "Microsoft.ContainerRegistry",
        "Microsoft.Authorization",
    ];
    let ns = segs.get(at + 1).copied().unwrap_or_default();
    if !known.iter().any(|k| k.eq_ignore_ascii_case(ns)) {
        out.push((path.to_owned(), format!("unmodelled {ns}")));
        return out;
    }
    let mut types: Vec<&str> = Vec::new();
    let mut i = at + 2;
    while i + 1 < segs.len() {
        types.push(segs[i]);
        let label = if types.len() > 1 && types[0].eq_ignore_ascii_case("workspaces") {
            types[1..].join("/")
        } else if ns.eq_ignore_ascii_case("Microsoft.MachineLearningServices")
            && types[0].eq_ignore_ascii_case("registries")
        {
            // ML registries, told apart from container registries (`registries`).
            format!("ml/{}", types.join("/"))
        } else {
            types.join("/")
        };
        out.push((format!("/{}", segs[..=i + 1].join("/")), label));
        i += 2;
    }
    out
}

/// A response body as the body of a PUT (the read-only envelope left out); `None` if it is
/// no resource.
fn as_put_body(v: &Value) -> Option<Value> {
    let obj = v.as_object()?;
    if !obj.contains_key("properties") && !obj.contains_key("location") {
        return None;
    }
    let mut obj = obj.clone();
    for k in ["id", "name", "type", "systemData", "etag"] {
        obj.remove(k);
    }
    Some(Value::Object(obj))
}

/// Every ARM id a body mentions, and the computes it names by name (`computeId`, `compute`)
/// as ids in the workspace `ws`. A role definition named in the tenant form
/// (`/providers/Microsoft.Authorization/roleDefinitions/{guid}`) is a custom role of the
/// subscription `ws` is in.
fn referenced_ids(v: &Value, ws: &str, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with("/subscriptions/") && s.contains("/providers/") => {
            out.push(s.clone());
        }
        Value::String(s)
            if s.starts_with("/providers/Microsoft.Authorization/roleDefinitions/") =>
        {
            let sub: Vec<&str> = ws.split('/').take(3).collect();
            out.push(format!("{}{s}", sub.join("/")));
        }
        Value::Object(m) => {
            for (k, c) in m {
                match c.as_str() {
                    Some(name)
                        if (k == "computeId" || k == "compute")
                            && !name.starts_with('/')
                            && !name.contains(':') =>
                    {
                        out.push(format!("{ws}/computes/{name}"));
                    }
                    _ => referenced_ids(c, ws, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| referenced_ids(c, ws, out)),
        _ => {}
    }
}

/// Creates whatever of `path` (and its parents) is missing, with minimal bodies.
fn try_ensure(world: &World, path: &str, api: &str) -> Result<(), String> {
    let all = prefixes(path);
    for (i, (p, ty)) in all.iter().enumerate() {
        let exists = world.send(
            Method::Get,
            &format!("{p}?api-version={}", setup::api_for(ty, api)),
            None,
        );
        if exists.status == 200 {
            continue;
        }
        match ty.as_str() {
            // An account's `default` blob service comes with it (it is no stored resource).
            "storageAccounts/blobServices" => {}
            "resourceGroups" => {
                world.try_put(p, "2024-03-01", setup::minimal(ty, "")[0].clone())?
            }
            "workspaces" if i > 0 => world.workspace(&all[0].0, p)?,
            _ => {
                let mut last = Err(format!("no minimal body for {ty}"));
                for b in setup::minimal(ty, &workspace_of(p)) {
                    last = world.try_put(p, &setup::api_for(ty, api), b);
                    if last.is_ok() {
                        break;
                    }
                }
                last?;
            }
        }
    }
    Ok(())
}

/// The workspace id a path is under (or the path itself).
fn workspace_of(path: &str) -> String {
    let lower = path.to_ascii_lowercase();
    match lower.find("/workspaces/") {
        Some(i) => {
            let end = path[i + 12..].find('/').map_or(path.len(), |j| i + 12 + j);
            path[..end].to_owned()
        }
        None => path.to_owned(),
    }
}

/// The resource group id a path is under.
fn resource_group_of(path: &str) -> String {
    prefixes(path)
        .into_iter()
        .find(|(_, ty)| ty == "resourceGroups")
        .map(|(p, _)| p)
        .unwrap_or_default()
}

/// The references a body sent to `path` makes, created first (what the example presupposes).
fn ensure_references(world: &World, path: &str, body: &Value, api: &str) {
    let mut ids = Vec::new();
    referenced_ids(body, &workspace_of(path), &mut ids);
    for id in ids {
        // A reference that cannot exist (another provider, an invalid name) is left out: the
        // answer then shows whether the emulator needed it.
        let _ = try_ensure(world, &id, api);
    }
}

/// Runs `op` in a fresh world for each way of creating what it presupposes, until one is
/// accepted.
pub(super) fn run(op: &Operation, all: &[Operation]) -> Outcome {
    let req = request(op);
    let chain = prefixes(&req.path);
    let trailing = req
        .path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let is_list = op.method == "GET"
        && chain.last().is_none_or(|(p, _)| p != &req.path)
        && op.ty.rsplit('/').next() == Some(trailing);
    let creates_target = op.method == "PUT" && chain.last().is_some_and(|(p, _)| p == &req.path);
    if is_list || creates_target || chain.is_empty() {
        let world = World::new();
        let parent = match (is_list, chain.last()) {
            (true, Some((p, _))) => p.clone(),
            (_, _) if chain.len() > 1 => chain[chain.len() - 2].0.clone(),
            _ => String::new(),
        };
        if !parent.is_empty()
            && let Err(e) = try_ensure(&world, &parent, &req.api)
        {
            return Outcome::Rejected(format!("could not create the parents: {e}"));
        }
        if is_list {
            fill_list(&world, op, &req);
        }
        if let Some(b) = &req.body {
            ensure_references(&world, &req.path, b, &req.api);
        }
        return judge(&world, op, &req);
    }
    let (target, ty) = chain.last().cloned().unwrap_or_default();
    let mut first_rejection = None;
    let mut last_setup_error = String::new();
    for candidate in candidates(op, all, &ty, &target) {
        let world = World::new();
        if chain.len() > 1
            && let Err(e) = try_ensure(&world, &chain[chain.len() - 2].0, &req.api)
        {
            return Outcome::Rejected(format!("could not create the parents: {e}"));
        }
        let created = match &candidate {
            Some(b) => {
                ensure_references(&world, &target, b, &req.api);
                world.try_put(&target, &setup::api_for(&ty, &req.api), b.clone())
            }
            None => try_ensure(&world, &target, &req.api),
        };
        if let Err(e) = created {
            last_setup_error = e;
            continue;
        }
        if let Some(b) = &req.body {
            ensure_references(&world, &req.path, b, &req.api);
        }
        match judge(&world, op, &req) {
            accepted @ Outcome::Accepted { .. } => return accepted,
            rejected => {
                first_rejection.get_or_insert(rejected);
            }
        }
    }
    first_rejection.unwrap_or_else(|| {
        Outcome::Rejected(format!("could not create {target}: {last_setup_error}"))
    })
}

/// Ways to create the resource an example presupposes, best first: the example's own
/// answer (GET), the request bodies of the type's create examples, the minimal bodies and
/// (`None`) the fixture's standard creation.
fn candidates(op: &Operation, all: &[Operation], ty: &str, target: &str) -> Vec<Option<Value>> {
    let mut bodies = Vec::new();
    if op.method == "GET"
        && let Some(b) = documented_body(&op.example, "200")
            .as_ref()
            .and_then(as_put_body)
    {
        bodies.push(b);
    }
    for other in all.iter().filter(|o| o.ty == ty && o.method == "PUT") {
        if let Some(b) = request(other).body {
            bodies.push(b);
        }
    }
    let (ws, rg) = (workspace_of(target), resource_group_of(target));
    let mut out = Vec::new();
    for b in bodies {
        let rebased = rebase(&b, &ws, &rg);
        out.push(Some(b.clone()));
        if rebased != b {
            out.push(Some(rebased));
        }
    }
    let minimal = setup::minimal(ty, &workspace_of(target));
    if minimal.is_empty() {
        out.push(None);
    }
    out.extend(minimal.into_iter().map(Some));
    out
}

/// PUTs the items of a list example (their names, their bodies or minimal ones).
fn fill_list(world: &World, op: &Operation, req: &Request) {
    let items = documented_body(&op.example, "200")
        .and_then(|b| b.get("value").and_then(Value::as_array).cloned())
        .unwrap_or_default();
    let ty = op.ty.as_str();
    for (i, item) in items.iter().enumerate() {
        let name = item["name"]
            .as_str()
            .filter(|n| !n.contains('/'))
            .map_or_else(|| format!("item{i}"), str::to_owned);
        let mut collection = req.path.clone();
        if !collection.to_ascii_lowercase().contains("/resourcegroups/") {
            // A subscription-wide list: the items live in some resource group.
            let rg = format!(
                "{}/resourceGroups/rg-conformance",
                collection.split("/providers/").next().unwrap_or_default()
            );
            world.resource_group(&rg);
            collection = format!(
                "{rg}/providers/{}",
                collection.split("/providers/").nth(1).unwrap_or_default()
            );
        }
        let path = format!("{collection}/{name}");
        let api = setup::api_for(ty, &req.api);
        let done = as_put_body(item).is_some_and(|b| {
            let rebased = rebase(&b, &workspace_of(&path), &resource_group_of(&path));
            ensure_references(world, &path, &b, &req.api);
            world.put(&path, &api, b) || world.put(&path, &api, rebased)
        });
        if !done {
            // The list then shows fewer items, which its coverage measures.
            let _ = try_ensure(world, &path, &req.api);
        }
    }
}

fn describe(r: &HttpResponse) -> String {
    let b = r.body.clone().unwrap_or(Value::Null);
    format!(
        "answered {} {}: {}",
        r.status,
        b["error"]["code"].as_str().unwrap_or(""),
        b["error"]["message"].as_str().unwrap_or("")
    )
}

/// Sends the example's request and judges the answer.
fn judge(world: &World, op: &Operation, req: &Request) -> Outcome {
    let method = setup::method(&op.method);
    let url = format!("{}?{}", req.path, req.query);
    let r = world.send(method, &url, req.body.clone());
    if !statuses(&op.example).contains(&r.status) {
        return Outcome::Rejected(describe(&r));
    }
    world.settle();
    let answered = r.body.clone().unwrap_or(Value::Null);
    let (expected, answer) = match documented_body(&op.example, &r.status.to_string()) {
        Some(e) => (e, answered),
        None => match documented_body(&op.example, "200")
            .or_else(|| documented_body(&op.example, "201"))
        {
            None => {
                return Outcome::Accepted {
                    coverage: None,
                    missing: Vec::new(),
                };
            }
            Some(e) => (e, follow(world, op, req, &r)),
        },
    };
    let (coverage, missing) = coverage(&expected, &answer);
    Outcome::Accepted { coverage, missing }
}

/// The final answer of a long-running request: the resource (PUT, PATCH) or what its
/// `Location` answers (POST).
fn follow(world: &World, op: &Operation, req: &Request, r: &HttpResponse) -> Value {
    let url = match op.method.as_str() {
        "PUT" | "PATCH" => format!("{}?api-version={}", req.path, req.api),
        _ => match r.header("Location") {
            Some(l) => l.to_owned(),
            None => return Value::Null,
        },
    };
    world
        .send(Method::Get, &url, None)
        .body
        .unwrap_or(Value::Null)
}
