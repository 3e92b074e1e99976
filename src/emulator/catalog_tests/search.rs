//! `Microsoft.Search/searchServices`: lower-case provisioning states, the SKU rules, replica and
//! partition limits, one free service per subscription, auth options.

use serde_json::{Value, json};

use super::{BASE, body, code, message, resource_group};

fn svc(name: &str, api: &str) -> String {
    format!(
        "{BASE}/resourceGroups/rg1/providers/Microsoft.Search/searchServices/{name}?api-version={api}"
    )
}

fn basic() -> Value {
    json!({"location": "eastus", "sku": {"name": "basic"}})
}

#[tokio::test]
async fn provisioning_is_lower_case_and_free_is_ready_at_once() {
    let f = resource_group().await;
    let r = f
        .put_ok(&svc("srch-basic", "2025-05-01"), basic(), 201)
        .await;
    assert_eq!(body(&r)["properties"]["provisioningState"], "provisioning");
    assert_eq!(body(&r)["properties"]["status"], "provisioning");
    assert!(r.header("Retry-After").is_some());
    f.settle();
    let r = f.get(&svc("srch-basic", "2025-05-01")).await;
    assert_eq!(body(&r)["properties"]["provisioningState"], "succeeded");
    assert_eq!(body(&r)["properties"]["status"], "running");
    assert_eq!(
        body(&r)["properties"]["endpoint"],
        "https://srch-basic.search.windows.net/"
    );
    let r = f
        .put_ok(
            &svc("srch-free", "2025-05-01"),
            json!({"location": "eastus", "sku": {"name": "free"}}),
            201,
        )
        .await;
    assert_eq!(body(&r)["properties"]["provisioningState"], "succeeded");
}

#[tokio::test]
async fn the_sku_cannot_change_before_sku_migration() {
    let f = resource_group().await;
    f.put_ok(&svc("s1", "2023-11-01"), basic(), 201).await;
    f.settle();
    let r = f
        .put(
            &svc("s1", "2023-11-01"),
            json!({"location": "eastus", "sku": {"name": "standard"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(code(&r), "BadRequest");
    assert_eq!(
        message(&r),
        "Cannot update sku for an existing search service."
    );
    // From 2025-02-01-preview a Basic service may move to a Standard tier, never to free.
    let r = f
        .patch(&svc("s1", "2025-05-01"), json!({"sku": {"name": "free"}}))
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    let r = f
        .patch(
            &svc("s1", "2025-05-01"),
            json!({"sku": {"name": "standard"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(body(&r)["sku"]["name"], "standard");
}

#[tokio::test]
async fn replicas_and_partitions_follow_the_sku() {
    let f = resource_group().await;
    let mut b = basic();
    b["properties"] = json!({"replicaCount": 4});
    let r = f.put(&svc("s1", "2025-05-01"), b).await;
    assert_eq!(r.status, 400);
    assert!(message(&r).contains("between 1 and 3"), "{}", message(&r));
    let mut b = basic();
    b["properties"] = json!({"partitionCount": 2});
    assert_eq!(f.put(&svc("s1", "2025-05-01"), b).await.status, 400);
    let b = json!({"location": "eastus", "sku": {"name": "standard"}, "properties": {"replicaCount": 12, "partitionCount": 12}});
    f.put_ok(&svc("s1", "2025-05-01"), b, 201).await;
}

#[tokio::test]
async fn one_free_service_per_subscription() {
    let f = resource_group().await;
    let free = json!({"location": "eastus", "sku": {"name": "free"}});
    f.put_ok(&svc("free-one", "2025-05-01"), free.clone(), 201)
        .await;
    let r = f.put(&svc("free-two", "2025-05-01"), free.clone()).await;
    assert_eq!(r.status, 409);
    assert!(message(&r).contains("free-one"), "{}", message(&r));
    // Re-putting the same free service is an update, not a second one.
    f.put_ok(&svc("free-one", "2025-05-01"), free.clone(), 200)
        .await;
    // Deleting the first frees the slot.
    assert_eq!(f.delete(&svc("free-one", "2025-05-01")).await.status, 200);
    f.put_ok(&svc("free-two", "2025-05-01"), free, 201).await;
}

#[tokio::test]
async fn auth_options_and_identity_rules() {
    let f = resource_group().await;
    let mut b = basic();
    b["properties"] = json!({"disableLocalAuth": true, "authOptions": {"apiKeyOnly": {}}});
    assert_eq!(f.put(&svc("s1", "2025-05-01"), b).await.status, 400);
    let r = f.put_ok(&svc("s1", "2025-05-01"), basic(), 201).await;
    assert_eq!(
        body(&r)["properties"]["authOptions"],
        json!({"apiKeyOnly": {}})
    );
    assert_eq!(body(&r)["properties"]["disableLocalAuth"], false);
    let b = json!({"location": "eastus", "sku": {"name": "free"}, "identity": {"type": "SystemAssigned"}});
    let r = f.put(&svc("s2", "2025-05-01"), b).await;
    assert_eq!(r.status, 400);
    assert!(message(&r).contains("free"));
    let mut b = basic();
    b["identity"] = json!({"type": "SystemAssigned"});
    let r = f.put_ok(&svc("s3", "2025-05-01"), b, 201).await;
    assert!(body(&r)["identity"]["principalId"].is_string());
}

#[tokio::test]
async fn names_are_lower_case() {
    let f = resource_group().await;
    let r = f.put(&svc("MySearch", "2025-05-01"), basic()).await;
    assert_eq!(r.status, 400);
    assert_eq!(code(&r), "InvalidName");
}
