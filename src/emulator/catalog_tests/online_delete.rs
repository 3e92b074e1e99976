//! Deleting online deployments: refused while the endpoint routes live or mirrored traffic to
//! the deployment, allowed once its share is 0; deleting the endpoint takes its deployments.

use serde_json::{Value, json};

use super::online::{deployment, endpoint};
use super::{Fixture, body, code, message, model, workspace, ws_url};

/// An endpoint `ep1` with deployments `blue` and `green` of an MLflow model, all settled.
async fn blue_and_green() -> Fixture {
    let f = workspace().await;
    endpoint(&f, "ep1", "Key").await;
    let m = model(&f, "diabetes-mlflow", "mlflow_model").await;
    for d in ["blue", "green"] {
        f.put_ok(
            &ws_url(&format!("/onlineEndpoints/ep1/deployments/{d}")),
            deployment(&m, None),
            201,
        )
        .await;
    }
    f.settle();
    f
}

/// Sets the endpoint's `traffic` (and `mirrorTraffic`) and waits for the update.
async fn route(f: &Fixture, traffic: Value, mirror: Option<Value>) {
    let mut props = json!({"authMode": "Key", "traffic": traffic});
    if let Some(m) = mirror {
        props["mirrorTraffic"] = m;
    }
    f.put_ok(
        &ws_url("/onlineEndpoints/ep1"),
        json!({"location": "eastus", "properties": props}),
        200,
    )
    .await;
    f.settle();
}

fn dep_url(name: &str) -> String {
    ws_url(&format!("/onlineEndpoints/ep1/deployments/{name}"))
}

#[tokio::test]
async fn a_deployment_with_live_traffic_is_kept_until_its_share_is_zero() {
    let f = blue_and_green().await;
    route(&f, json!({"blue": 90, "green": 10}), None).await;
    for (name, pct) in [("blue", 90), ("green", 10)] {
        let r = f.delete(&dep_url(name)).await;
        assert_eq!(r.status, 400, "{name}: {:?}", r.body);
        assert_eq!(code(&r), "UserError");
        let m = message(&r);
        assert!(
            m.contains("can't delete a deployment that has live traffic allocated to it")
                && m.contains(&format!("'{name}' receives {pct}%"))
                && m.contains("to 0 percent before you delete it"),
            "{m}"
        );
        // Refused means untouched: no Deleting transition, still there after the delay.
        f.settle();
        let g = f.get(&dep_url(name)).await;
        assert_eq!(g.status, 200);
        assert_eq!(body(&g)["properties"]["provisioningState"], "Succeeded");
    }
    // With blue at 0 (still listed in the traffic map), blue can go; green cannot.
    route(&f, json!({"blue": 0, "green": 100}), None).await;
    assert_eq!(f.delete(&dep_url("green")).await.status, 400);
    let r = f.delete(&dep_url("blue")).await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    f.settle();
    assert_eq!(f.get(&dep_url("blue")).await.status, 404);
    assert_eq!(f.get(&dep_url("green")).await.status, 200);
}

#[tokio::test]
async fn the_mirror_traffic_target_is_kept_until_mirroring_stops() {
    let f = blue_and_green().await;
    route(&f, json!({"blue": 100}), Some(json!({"green": 10}))).await;
    let r = f.delete(&dep_url("green")).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert!(
        message(&r).contains("mirrored traffic allocated to it")
            && message(&r).contains("'green' receives a 10% mirror"),
        "{}",
        message(&r)
    );
    route(&f, json!({"blue": 100}), Some(json!({"green": 0}))).await;
    assert_eq!(f.delete(&dep_url("green")).await.status, 202);
    f.settle();
    assert_eq!(f.get(&dep_url("green")).await.status, 404);
}

#[tokio::test]
async fn deleting_the_endpoint_deletes_deployments_that_take_traffic() {
    let f = blue_and_green().await;
    route(&f, json!({"blue": 50, "green": 50}), None).await;
    let r = f.delete(&ws_url("/onlineEndpoints/ep1")).await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    f.settle();
    assert_eq!(f.get(&ws_url("/onlineEndpoints/ep1")).await.status, 404);
    for name in ["blue", "green"] {
        assert_eq!(f.get(&dep_url(name)).await.status, 404, "{name}");
    }
}
