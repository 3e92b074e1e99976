//! Curated environments: in every workspace, listed with its own, every version readable,
//! `@latest` resolved in jobs, and the `AzureML-` prefix reserved.

use serde_json::json;

use super::{WS, body, message, workspace, ws_url};

#[tokio::test]
async fn curated_environments_are_in_every_workspace() {
    let f = workspace().await;
    // Listed with the workspace's own environments (the current ones only).
    let own =
        json!({"properties": {"image": "mcr.microsoft.com/azureml/openmpi3.1.2-ubuntu18.04"}});
    f.put_ok(
        &ws_url("/environments/docker-image-example/versions/1"),
        own,
        201,
    )
    .await;
    let r = f.get(&ws_url("/environments")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let names: Vec<&str> = body(&r)["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"AzureML-sklearn-1.5"), "{names:?}");
    assert!(names.contains(&"docker-image-example"), "{names:?}");
    assert!(
        !names.contains(&"AzureML-sklearn-0.24-ubuntu18.04-py37-cpu"),
        "hidden: {names:?}"
    );
    // A version the DP-100 notebook reads, and the container's latest.
    let r = f
        .get(&ws_url(
            "/environments/AzureML-sklearn-1.0-ubuntu20.04-py38-cpu/versions/44",
        ))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(body(&r)["properties"]["environmentType"], "Curated");
    assert_eq!(
        body(&r)["id"],
        format!("{WS}/environments/AzureML-sklearn-1.0-ubuntu20.04-py38-cpu/versions/44")
    );
    let c = f.get(&ws_url("/environments/AzureML-sklearn-1.5")).await;
    let latest = body(&c)["properties"]["latestVersion"]
        .as_str()
        .unwrap()
        .to_owned();
    let versions = f
        .get(&ws_url("/environments/AzureML-sklearn-1.5/versions"))
        .await;
    assert_eq!(versions.status, 200);
    assert_eq!(body(&versions)["value"][0]["name"], latest.as_str());
    // Past the latest, and in a workspace that does not exist: not found.
    let past = latest.parse::<u32>().unwrap() + 1;
    let r = f
        .get(&ws_url(&format!(
            "/environments/AzureML-sklearn-1.5/versions/{past}"
        )))
        .await;
    assert_eq!(r.status, 404);
    let other = ws_url("/environments/AzureML-sklearn-1.5").replace("/ws1/", "/nows/");
    assert_eq!(f.get(&other).await.status, 404);
}

#[tokio::test]
async fn latest_of_a_curated_environment_resolves_in_a_job() {
    let f = workspace().await;
    let job = |env: &str| {
        json!({"properties": {"jobType": "Command", "command": "python train.py",
            "environmentId": env, "computeId": format!("{WS}/computes/cpu-cluster"),
            "experimentName": "diabetes-training"}})
    };
    let r = f
        .put(
            &ws_url("/jobs/j1"),
            job("azureml:AzureML-sklearn-1.5@latest"),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let c = f.get(&ws_url("/environments/AzureML-sklearn-1.5")).await;
    let latest = body(&c)["properties"]["latestVersion"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        body(&r)["properties"]["environmentId"],
        format!("{WS}/environments/AzureML-sklearn-1.5/versions/{latest}")
    );
    // The curated image has its packages: the job does not fail for a missing pandas.
    f.settle();
    f.settle();
    let r = f.get(&ws_url("/jobs/j1")).await;
    assert_eq!(
        body(&r)["properties"]["status"],
        "Completed",
        "{:?}",
        r.body
    );
    // A curated name that does not exist is an error naming it.
    let r = f
        .put(
            &ws_url("/jobs/j2"),
            job("azureml:AzureML-sklearn-9.9@latest"),
        )
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert!(
        message(&r).contains("AzureML-sklearn-9.9"),
        "{}",
        message(&r)
    );
}

#[tokio::test]
async fn the_curated_prefix_is_reserved() {
    let f = workspace().await;
    let r = f
        .put(
            &ws_url("/environments/AzureML-mine/versions/1"),
            json!({"properties": {"image": "python:3.11"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        message(&r).contains("reserved for curated environments"),
        "{}",
        message(&r)
    );
}
