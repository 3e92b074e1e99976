//! The official REST examples of `Microsoft.Search/searchServices` 2025-05-01
//! (`tests/data/search-examples/`, source and commits in its `SOURCE.md`), replayed against the
//! emulator in the order a service lives: create, update (PUT and PATCH), keys, delete. Each
//! request is the example's; each answer is judged ([`super::tally::judge`]) and, for the
//! service's own definition, must also carry the example's values (`systemData` and what an
//! earlier step changed aside).

use amlab::arm::transport::{HttpResponse, Method};
use serde_json::{Value, json};

use super::setup::World;
use super::tally::{Tally, judge};
use crate::support::repo;

const PROVIDER: &str = "Microsoft.Search";
const ARM: &str = "https://management.azure.com";

fn example(name: &str) -> Value {
    let path = repo().join(format!("tests/data/search-examples/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The example's URL (`rest` after the service's path).
fn url(ex: &Value, rest: &str) -> String {
    let p = &ex["parameters"];
    format!(
        "{ARM}/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Search/searchServices/{}{rest}?api-version={}",
        p["subscriptionId"].as_str().unwrap_or_default(),
        p["resourceGroupName"].as_str().unwrap_or_default(),
        p["searchServiceName"].as_str().unwrap_or_default(),
        p["api-version"].as_str().unwrap_or_default(),
    )
}

/// The paths where `actual` differs from `expected` (objects compared key by key, `systemData`
/// and the example's nulls left out).
fn differences(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e.iter().filter(|(k, v)| *k != "systemData" && !v.is_null()) {
                match a.get(k) {
                    Some(av) => differences(v, av, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
        }
        (e, a) if e == a => {}
        (e, a) => out.push(format!("{path}: {a}, expected {e}")),
    }
}

/// Sends the example `name` (`rest` after the service's path, its `service` body if any),
/// records the outcome and returns the answer.
fn replay(w: &World, t: &mut Tally, name: &str, method: Method, rest: &str) -> HttpResponse {
    let ex = example(name);
    let r = w.send(
        method,
        &url(&ex, rest),
        ex["parameters"].get("service").cloned(),
    );
    let answer = r.body.clone().unwrap_or(Value::Null);
    let label = format!("search-examples/{name}.json");
    t.record(
        PROVIDER,
        &label,
        judge(&ex, r.status, &r.status.to_string(), &answer),
    );
    r
}

/// Replays a definition example and checks the values it documents (`ignore`: properties an
/// earlier step set otherwise).
fn replay_definition(w: &World, t: &mut Tally, name: &str, method: Method, ignore: &[&str]) {
    let r = replay(w, t, name, method, "");
    let ex = example(name);
    let mut expected = ex["responses"][r.status.to_string()]["body"].clone();
    if let Some(props) = expected["properties"].as_object_mut() {
        props.retain(|k, _| !ignore.contains(&k.as_str()));
    }
    let mut diff = Vec::new();
    differences(
        &expected,
        r.body.as_ref().unwrap_or(&Value::Null),
        "",
        &mut diff,
    );
    assert!(diff.is_empty(), "{name}: {diff:#?}");
    w.settle();
}

fn world() -> World {
    let w = World::new();
    w.resource_group("/subscriptions/subid/resourceGroups/rg1");
    w
}

/// A string of the service's key shape (52 letters and digits).
fn is_key(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 52 && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Every example of the suite, replayed into `t`.
pub(super) fn replay_all(t: &mut Tally) {
    definitions(t);
    keys(t);
}

fn definitions(t: &mut Tally) {
    let w = world();
    for (name, method) in [
        ("SearchCreateOrUpdateService", Method::Put),
        ("SearchCreateOrUpdateServiceAuthOptions", Method::Put),
        ("SearchCreateOrUpdateServiceDisableLocalAuth", Method::Put),
        ("SearchCreateOrUpdateWithSemanticSearch", Method::Put),
        ("SearchUpdateService", Method::Patch),
    ] {
        replay_definition(&w, t, name, method, &[]);
    }
    // The example's service had one replica before; this one has the two set just above.
    replay_definition(
        &w,
        t,
        "SearchUpdateServiceWithSku",
        Method::Patch,
        &["replicaCount"],
    );
    let ex = example("SearchDeleteService");
    let gone = replay(&w, t, "SearchDeleteService", Method::Delete, "");
    assert_eq!(gone.status, 200);
    assert_eq!(w.send(Method::Delete, &url(&ex, ""), None).status, 204);
    assert_eq!(w.send(Method::Get, &url(&ex, ""), None).status, 404);
}

fn keys(t: &mut Tally) {
    let w = world();
    let ex = example("SearchCreateOrUpdateService");
    let created = w.send(
        Method::Put,
        &url(&ex, ""),
        Some(ex["parameters"]["service"].clone()),
    );
    assert_eq!(created.status, 201);
    w.settle();
    let admin = replay(&w, t, "SearchGetAdminKeys", Method::Post, "/listAdminKeys");
    let admin = admin.body.unwrap_or_default();
    assert!(is_key(&admin["primaryKey"]) && is_key(&admin["secondaryKey"]));
    let kind = example("SearchRegenerateAdminKey")["parameters"]["keyKind"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let regen = replay(
        &w,
        t,
        "SearchRegenerateAdminKey",
        Method::Post,
        &format!("/regenerateAdminKey/{kind}"),
    )
    .body
    .unwrap_or_default();
    assert_ne!(regen["primaryKey"], admin["primaryKey"]);
    assert_eq!(regen["secondaryKey"], admin["secondaryKey"]);
    let name = example("SearchCreateQueryKey")["parameters"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let query = replay(
        &w,
        t,
        "SearchCreateQueryKey",
        Method::Post,
        &format!("/createQueryKey/{}", name.replace(' ', "%20")),
    )
    .body
    .unwrap_or_default();
    assert_eq!(query["name"], json!(name));
    assert!(is_key(&query["key"]));
    let listed = replay(
        &w,
        t,
        "SearchListQueryKeysBySearchService",
        Method::Post,
        "/listQueryKeys",
    )
    .body
    .unwrap_or_default();
    let names: Vec<&str> = listed["value"]
        .as_array()
        .map(|v| v.iter().filter_map(|k| k["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        ["", name.as_str()],
        "the service's own key, then the new one"
    );
    let del = format!(
        "/deleteQueryKey/{}",
        query["key"].as_str().unwrap_or_default()
    );
    let deleted = replay(&w, t, "SearchDeleteQueryKey", Method::Delete, &del);
    assert_eq!(deleted.status, 200);
    let ex = example("SearchDeleteQueryKey");
    assert_eq!(w.send(Method::Delete, &url(&ex, &del), None).status, 404);
    // Keys never show in a GET.
    let got = w
        .send(Method::Get, &url(&ex, ""), None)
        .body
        .unwrap_or_default();
    let text = got.to_string();
    for k in [&regen["primaryKey"], &regen["secondaryKey"], &query["key"]] {
        assert!(!text.contains(k.as_str().unwrap_or("?")), "{text}");
    }
    assert!(
        w.secrets()
            .iter()
            .any(|s| Some(s.as_str()) == query["key"].as_str())
    );
}
