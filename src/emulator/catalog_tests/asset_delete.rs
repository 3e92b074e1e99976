//! Deleting asset versions: the container's `latestVersion` names the highest remaining
//! version (or is null when none remains) and `nextVersion` never goes back.

use serde_json::{Value, json};

use super::{Fixture, body, workspace, ws_url};

/// The container's (`latestVersion`, `nextVersion`).
async fn counters(f: &Fixture, container: &str) -> (Value, Value) {
    let r = f.get(&ws_url(container)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let p = &body(&r)["properties"];
    (p["latestVersion"].clone(), p["nextVersion"].clone())
}

async fn delete_ok(f: &Fixture, path: &str) {
    let r = f.delete(&ws_url(path)).await;
    assert_eq!(r.status, 200, "DELETE {path}: {:?}", r.body);
    assert_eq!(f.get(&ws_url(path)).await.status, 404, "{path}");
}

fn model_version(uri: &str) -> Value {
    json!({"properties": {"modelType": "mlflow_model", "modelUri": uri}})
}

#[tokio::test]
async fn model_latest_version_follows_deletes_and_next_version_keeps_counting() {
    let f = workspace().await;
    for v in 1..=3 {
        f.put_ok(
            &ws_url(&format!("/models/m1/versions/{v}")),
            model_version(&format!(
                "azureml://datastores/workspaceblobstore/paths/m/{v}/"
            )),
            201,
        )
        .await;
    }
    assert_eq!(counters(&f, "/models/m1").await, (json!("3"), json!("4")));
    delete_ok(&f, "/models/m1/versions/3").await;
    assert_eq!(counters(&f, "/models/m1").await, (json!("2"), json!("4")));
    // Deleting an older version leaves the latest alone.
    delete_ok(&f, "/models/m1/versions/1").await;
    assert_eq!(counters(&f, "/models/m1").await, (json!("2"), json!("4")));
    delete_ok(&f, "/models/m1/versions/2").await;
    assert_eq!(counters(&f, "/models/m1").await, (Value::Null, json!("4")));
    // Re-registering a lower number does not move nextVersion back.
    f.put_ok(
        &ws_url("/models/m1/versions/2"),
        model_version("azureml://datastores/workspaceblobstore/paths/m/2b/"),
        201,
    )
    .await;
    assert_eq!(counters(&f, "/models/m1").await, (json!("2"), json!("4")));
    f.put_ok(
        &ws_url("/models/m1/versions/4"),
        model_version("azureml://datastores/workspaceblobstore/paths/m/4/"),
        201,
    )
    .await;
    assert_eq!(counters(&f, "/models/m1").await, (json!("4"), json!("5")));
}

#[tokio::test]
async fn data_and_environment_containers_recount_on_delete() {
    let f = workspace().await;
    for v in ["1", "2"] {
        f.put_ok(
            &ws_url(&format!("/data/diabetes/versions/{v}")),
            json!({"properties": {"dataType": "uri_file", "dataUri": format!("azureml://datastores/workspaceblobstore/paths/d{v}.csv")}}),
            201,
        )
        .await;
    }
    delete_ok(&f, "/data/diabetes/versions/2").await;
    assert_eq!(
        counters(&f, "/data/diabetes").await,
        (json!("1"), json!("3"))
    );
    // Non-numeric versions: the latest is the newest remaining one.
    for v in ["v1", "v2"] {
        f.put_ok(
            &ws_url(&format!("/environments/env1/versions/{v}")),
            json!({"properties": {"image": "python:3.10"}}),
            201,
        )
        .await;
    }
    assert_eq!(counters(&f, "/environments/env1").await.0, json!("v2"));
    delete_ok(&f, "/environments/env1/versions/v2").await;
    assert_eq!(counters(&f, "/environments/env1").await.0, json!("v1"));
}
