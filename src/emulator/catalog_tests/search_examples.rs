//! The official REST examples of `Microsoft.Search/searchServices` 2025-05-01
//! (`tests/data/search-examples/`, source and commits in its `SOURCE.md`), replayed against the
//! emulator in the order a service lives: each request is the example's, and the emulator's
//! answer must have the example's status and contain every field of the example's body
//! (`systemData` and key values aside: they are the caller's and random).

use serde_json::{Value, json};

use super::{Fixture, body, resource_group};
use crate::arm::transport::Method;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/search-examples");

fn example(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{DIR}/{name}.json"))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The example's URL, on the emulator's subscription `subid`.
fn url(ex: &Value, rest: &str) -> String {
    let p = &ex["parameters"];
    format!(
        "https://management.azure.com/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Search/searchServices/{}{rest}?api-version={}",
        p["subscriptionId"].as_str().unwrap_or_default(),
        p["resourceGroupName"].as_str().unwrap_or_default(),
        p["searchServiceName"].as_str().unwrap_or_default(),
        p["api-version"].as_str().unwrap_or_default(),
    )
}

/// Every field of `expected` is in `actual` with the same value (objects recursively); the
/// paths that differ, for the assertion message.
fn missing(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                if k == "systemData" {
                    continue;
                }
                match a.get(k) {
                    Some(av) => missing(v, av, &format!("{path}.{k}"), out),
                    None if v.is_null() => {}
                    None => out.push(format!("{path}.{k}: missing, expected {v}")),
                }
            }
        }
        (e, a) if e == a => {}
        (e, a) => out.push(format!("{path}: {a}, expected {e}")),
    }
}

async fn replay(f: &Fixture, name: &str, method: Method, status: u16, ignore: &[&str]) -> Value {
    let ex = example(name);
    let r = f
        .send(
            method,
            &url(&ex, ""),
            ex["parameters"].get("service").cloned(),
        )
        .await;
    assert_eq!(r.status, status, "{name}: {:?}", r.body);
    let mut expected = ex["responses"][status.to_string()]["body"].clone();
    for field in ignore {
        if let Some(props) = expected["properties"].as_object_mut() {
            props.remove(*field);
        }
    }
    let mut diff = Vec::new();
    missing(&expected, body(&r), "", &mut diff);
    assert!(diff.is_empty(), "{name}: {diff:#?}");
    body(&r).clone()
}

async fn fixture() -> Fixture {
    let f = resource_group().await;
    f.put_ok(
        "https://management.azure.com/subscriptions/subid/resourceGroups/rg1?api-version=2024-03-01",
        json!({"location": "westus"}),
        201,
    )
    .await;
    f
}

#[tokio::test]
async fn create_update_and_delete_examples_replay() {
    let f = fixture().await;
    replay(&f, "SearchCreateOrUpdateService", Method::Put, 201, &[]).await;
    f.settle();
    replay(
        &f,
        "SearchCreateOrUpdateServiceAuthOptions",
        Method::Put,
        200,
        &[],
    )
    .await;
    f.settle();
    replay(
        &f,
        "SearchCreateOrUpdateServiceDisableLocalAuth",
        Method::Put,
        200,
        &[],
    )
    .await;
    f.settle();
    replay(
        &f,
        "SearchCreateOrUpdateWithSemanticSearch",
        Method::Put,
        200,
        &[],
    )
    .await;
    f.settle();
    replay(&f, "SearchUpdateService", Method::Patch, 200, &[]).await;
    f.settle();
    // The example's service had one replica before; this one has the two set just above.
    let got = replay(
        &f,
        "SearchUpdateServiceWithSku",
        Method::Patch,
        200,
        &["replicaCount"],
    )
    .await;
    assert_eq!(got["properties"]["replicaCount"], 2);
    f.settle();
    let ex = example("SearchDeleteService");
    assert_eq!(f.delete(&url(&ex, "")).await.status, 200);
    assert_eq!(f.delete(&url(&ex, "")).await.status, 204);
    assert_eq!(f.get(&url(&ex, "")).await.status, 404);
}

/// A string of the service's key shape (52 letters and digits).
fn is_key(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 52 && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[tokio::test]
async fn key_examples_replay() {
    let f = fixture().await;
    replay(&f, "SearchCreateOrUpdateService", Method::Put, 201, &[]).await;
    f.settle();
    let ex = example("SearchGetAdminKeys");
    let admin = f.post(&url(&ex, "/listAdminKeys"), None).await;
    assert_eq!(admin.status, 200);
    assert!(is_key(&body(&admin)["primaryKey"]) && is_key(&body(&admin)["secondaryKey"]));

    let ex = example("SearchRegenerateAdminKey");
    let kind = ex["parameters"]["keyKind"].as_str().unwrap_or_default();
    let regen = f
        .post(&url(&ex, &format!("/regenerateAdminKey/{kind}")), None)
        .await;
    assert_eq!(regen.status, 200, "{:?}", regen.body);
    assert_ne!(body(&regen)["primaryKey"], body(&admin)["primaryKey"]);
    assert_eq!(body(&regen)["secondaryKey"], body(&admin)["secondaryKey"]);

    let ex = example("SearchCreateQueryKey");
    let name = ex["parameters"]["name"].as_str().unwrap_or_default();
    let created = f
        .post(
            &url(
                &ex,
                &format!("/createQueryKey/{}", name.replace(' ', "%20")),
            ),
            None,
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    assert_eq!(
        body(&created)["name"],
        ex["responses"]["200"]["body"]["name"]
    );
    let key = body(&created)["key"].clone();
    assert!(is_key(&key));

    let ex = example("SearchListQueryKeysBySearchService");
    let listed = f.post(&url(&ex, "/listQueryKeys"), None).await;
    assert_eq!(listed.status, 200);
    let names: Vec<&str> = body(&listed)["value"]
        .as_array()
        .map(|v| v.iter().filter_map(|k| k["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["", name], "the service's own key, then the new one");

    let ex = example("SearchDeleteQueryKey");
    let del = url(
        &ex,
        &format!("/deleteQueryKey/{}", key.as_str().unwrap_or_default()),
    );
    assert_eq!(f.delete(&del).await.status, 200);
    assert_eq!(f.delete(&del).await.status, 404);
    // Keys never show in a GET.
    let got = f.get(&url(&ex, "")).await;
    let text = body(&got).to_string();
    for k in [&body(&regen)["primaryKey"], &body(&regen)["secondaryKey"]] {
        assert!(!text.contains(k.as_str().unwrap_or("?")));
    }
    assert!(f.secrets().iter().any(|s| Some(s.as_str()) == key.as_str()));
}
