//! Model deployments: quota per subscription, region, model and deployment type
//! (`InsufficientQuota`, usages that add up), region availability, guardrails referenced by
//! deployments, and `RequestConflict` while a sibling is being written.

use serde_json::{Value, json};

use super::cognitive::{account, account_url, create};
use super::{BASE, body, code, message, resource_group};

fn deployment(model: &str, sku: &str, capacity: u64) -> Value {
    json!({"sku": {"name": sku, "capacity": capacity},
           "properties": {"model": {"format": "OpenAI", "name": model}}})
}

fn dep_url(account: &str, name: &str) -> String {
    account_url(account, &format!("/deployments/{name}"))
}

fn usage(usages: &Value, name: &str) -> (u64, u64) {
    let u = usages["value"]
        .as_array()
        .and_then(|v| v.iter().find(|u| u["name"]["value"] == name))
        .cloned()
        .unwrap_or_default();
    (
        u["currentValue"].as_u64().unwrap_or(999),
        u["limit"].as_u64().unwrap_or(999),
    )
}

#[tokio::test]
async fn insufficient_quota_then_recovery_by_lowering_another_deployment() {
    let f = resource_group().await;
    create(&f, "oai1", account("OpenAI", "S0", Some("q-oai1"))).await;
    create(&f, "oai2", account("AIServices", "S0", Some("q-oai2"))).await;
    // 80 of the 100 (thousand TPM) of gpt-4o GlobalStandard in eastus.
    let r = f
        .put(
            &dep_url("oai1", "chat"),
            deployment("gpt-4o", "GlobalStandard", 80),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(body(&r)["properties"]["provisioningState"], "Creating");
    assert!(r.header("Azure-AsyncOperation").is_some());
    f.settle();
    // The pool is per subscription and region: another account in eastus shares it.
    let r = f
        .put(
            &dep_url("oai2", "chat"),
            deployment("gpt-4o", "GlobalStandard", 30),
        )
        .await;
    assert_eq!((r.status, code(&r)), (400, "InsufficientQuota"));
    assert_eq!(
        message(&r),
        "This operation require 30 new capacity in quota Tokens Per Minute (thousands) - gpt-4o - GlobalStandard, which is bigger than the current available capacity 20. The current quota usage is 80 and the quota limit is 100 for quota Tokens Per Minute (thousands) - gpt-4o - GlobalStandard."
    );
    // Another deployment type is another pool.
    f.put_ok(
        &dep_url("oai2", "std"),
        deployment("gpt-4o", "Standard", 10),
        201,
    )
    .await;
    f.settle();
    let usages = f
        .get(&format!("{BASE}/providers/Microsoft.CognitiveServices/locations/eastus/usages?api-version=2025-06-01"))
        .await;
    assert_eq!(
        usage(body(&usages), "OpenAI.GlobalStandard.gpt-4o"),
        (80, 100)
    );
    assert_eq!(usage(body(&usages), "OpenAI.Standard.gpt-4o"), (10, 30));
    assert_eq!(usage(body(&usages), "AccountCount"), (2, 200));
    // Lower the first deployment's capacity (PATCH of sku), then the second fits.
    let r = f
        .send(
            crate::arm::transport::Method::Patch,
            &dep_url("oai1", "chat"),
            Some(json!({"sku": {"capacity": 50}})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    f.settle();
    f.put_ok(
        &dep_url("oai2", "chat"),
        deployment("gpt-4o", "GlobalStandard", 30),
        201,
    )
    .await;
    f.settle();
    let usages = f.get(&account_url("oai2", "/usages")).await;
    assert_eq!(
        usage(body(&usages), "OpenAI.GlobalStandard.gpt-4o"),
        (80, 100)
    );
    // Deleting a deployment frees its quota.
    f.delete(&dep_url("oai1", "chat")).await;
    f.settle();
    let usages = f.get(&account_url("oai2", "/usages")).await;
    assert_eq!(
        usage(body(&usages), "OpenAI.GlobalStandard.gpt-4o"),
        (30, 100)
    );
}

#[tokio::test]
async fn models_are_offered_per_region_and_kind() {
    let f = resource_group().await;
    create(&f, "oai", account("OpenAI", "S0", Some("m-oai"))).await;
    // The audio models are not deployable in eastus.
    let r = f
        .put(
            &dep_url("oai", "tts"),
            deployment("gpt-4o-mini-tts", "GlobalStandard", 1),
        )
        .await;
    assert_eq!((r.status, code(&r)), (400, "InvalidResourceProperties"));
    assert!(
        message(&r).contains("is not supported in this region 'eastus'"),
        "{}",
        message(&r)
    );
    let r = f
        .put(&dep_url("oai", "dx"), deployment("gpt-99", "Standard", 1))
        .await;
    assert_eq!(code(&r), "DeploymentModelNotSupported");
    let mut d = deployment("gpt-4o", "Standard", 1);
    d["properties"]["model"]["version"] = json!("1999-01-01");
    let r = f.put(&dep_url("oai", "dx"), d).await;
    assert_eq!(code(&r), "DeploymentModelNotSupported");
    // A deployment without version gets the default one.
    f.put_ok(
        &dep_url("oai", "mini"),
        deployment("gpt-4o-mini", "Standard", 1),
        201,
    )
    .await;
    f.settle();
    let g = f.get(&dep_url("oai", "mini")).await;
    assert_eq!(body(&g)["properties"]["model"]["version"], "2024-07-18");
    assert_eq!(
        body(&g)["properties"]["raiPolicyName"],
        "Microsoft.DefaultV2"
    );
    // Single-service accounts host no models.
    create(&f, "lang", account("TextAnalytics", "S", None)).await;
    let r = f
        .put(&dep_url("lang", "dx"), deployment("gpt-4o", "Standard", 1))
        .await;
    assert_eq!(r.status, 400);
    let models = f.get(&account_url("oai", "/models")).await;
    let names: Vec<&str> = body(&models)["value"]
        .as_array()
        .map(|v| v.iter().filter_map(|m| m["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        names.contains(&"gpt-4o") && !names.contains(&"gpt-4o-mini-tts"),
        "{names:?}"
    );
}

#[tokio::test]
async fn a_deployment_references_an_existing_guardrail() {
    let f = resource_group().await;
    create(&f, "oai", account("AIServices", "S0", Some("g-oai"))).await;
    let mut d = deployment("gpt-4.1", "GlobalStandard", 10);
    d["properties"]["raiPolicyName"] = json!("strict");
    let r = f.put(&dep_url("oai", "gpt-4.1"), d.clone()).await;
    assert_eq!(r.status, 400);
    assert!(
        message(&r).contains("The RAI policy 'strict' does not exist"),
        "{}",
        message(&r)
    );
    let filters: Vec<Value> = ["Hate", "Sexual", "Selfharm", "Violence"]
        .iter()
        .flat_map(|c| {
            ["Prompt", "Completion"].map(|s| json!({"name": c, "source": s, "severityThreshold": "Low", "blocking": true, "enabled": true}))
        })
        .collect();
    let policy = account_url("oai", "/raiPolicies/strict");
    let r = f
        .put(&policy, json!({"properties": {"basePolicyName": "Microsoft.DefaultV2", "mode": "Asynchronous_filter", "contentFilters": filters}}))
        .await;
    // Synchronous: 201 with the policy, no operation to follow.
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(r.header("Azure-AsyncOperation").is_none());
    assert_eq!(body(&r)["properties"]["type"], "UserManaged");
    let r = f.put(&policy, json!({"properties": {"contentFilters": [{"name": "Hate", "source": "Prompt", "severityThreshold": "Lowest"}]}})).await;
    assert_eq!(r.status, 400);
    f.put_ok(&dep_url("oai", "gpt-4.1"), d, 201).await;
    f.settle();
    let g = f.get(&dep_url("oai", "gpt-4.1")).await;
    assert_eq!(body(&g)["properties"]["raiPolicyName"], "strict");
    // The guardrail in use cannot be deleted.
    let r = f.delete(&policy).await;
    assert_eq!(r.status, 409);
}

#[tokio::test]
async fn sibling_deployments_written_at_once_conflict() {
    let f = resource_group().await;
    create(&f, "oai", account("OpenAI", "S0", Some("c-oai"))).await;
    f.put_ok(
        &dep_url("oai", "da"),
        deployment("gpt-4o", "Standard", 1),
        201,
    )
    .await;
    // While `a` is still being created, `b` is refused.
    let r = f
        .put(
            &dep_url("oai", "db"),
            deployment("gpt-4o-mini", "Standard", 1),
        )
        .await;
    assert_eq!((r.status, code(&r)), (409, "RequestConflict"));
    assert!(message(&r).starts_with("Another operation is being performed on the parent resource"));
    f.settle();
    f.put_ok(
        &dep_url("oai", "db"),
        deployment("gpt-4o-mini", "Standard", 1),
        201,
    )
    .await;
}

#[tokio::test]
async fn quota_and_availability_come_from_the_emulator_state() {
    let f = resource_group().await;
    f.emu
        .set_model_quota("eastus", "OpenAI.GlobalStandard.gpt-4.1", 0);
    f.emu
        .set_model_offer("eastus", "GlobalStandard", "gpt-4o-mini-tts", true);
    create(&f, "oai", account("AIServices", "S0", Some("s-oai"))).await;
    let r = f
        .put(
            &dep_url("oai", "dx"),
            deployment("gpt-4.1", "GlobalStandard", 1),
        )
        .await;
    assert_eq!(code(&r), "InsufficientQuota");
    assert!(
        message(&r).contains("the quota limit is 0"),
        "{}",
        message(&r)
    );
    f.put_ok(
        &dep_url("oai", "tts"),
        deployment("gpt-4o-mini-tts", "GlobalStandard", 1),
        201,
    )
    .await;
}
