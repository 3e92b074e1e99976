//! The workspace's own hosts on `amlab serve`: discovery, run history (what `jobs.stream`
//! reads, with a log that says the code did not run), data versions and datastores (what
//! `mltable.load()` reads) and an online endpoint's scoring URI (a clear 501: no model runs).
//! Requests name the host as clients behind the proxy do.

use serde_json::Value;

use crate::serve::{raw_request, run_lab_then_put_path};
use crate::support::Served;

/// A bodyless request with `Host: host`: (status, body).
fn send(
    served: &Served,
    method: &str,
    host: &str,
    path: &str,
    auth: Option<&str>,
) -> (u16, String) {
    raw_request(served, method, host, path, auth, "")
}

#[test]
fn discovery_run_history_and_scoring() {
    let served = Served::start(&[]);
    let job_path = run_lab_then_put_path(&served, "09-command-job.lab.yaml", "rh0001", "/jobs/");
    let workspace = job_path.split("/jobs/").next().unwrap().to_owned();
    let token = format!("Bearer {}", served.token());
    let api = "eastus.api.azureml.ms";

    // Discovery is public, as on Azure (the SDK reads it without its credential).
    let (status, body) = send(&served, "GET", api, "/discovery", None);
    assert_eq!(status, 200, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["api"], "https://eastus.api.azureml.ms");

    let details = format!("/history/v1.0{workspace}/runs/diabetes-train-script/details");
    let (status, body) = send(&served, "GET", api, &details, Some(&token));
    assert_eq!(status, 200, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["runId"], "diabetes-train-script");
    assert_eq!(d["status"], "Completed");
    assert_eq!(d["target"], "aml-cluster");
    let log_url = d["logFiles"]["user_logs/std_log.txt"].as_str().unwrap();
    let log_path = log_url
        .strip_prefix("https://eastus.api.azureml.ms")
        .unwrap();
    // The log URL is read without a token, as the SDK reads a run's log (a SAS URL on Azure).
    let (status, log) = send(&served, "GET", api, log_path, None);
    assert_eq!(status, 200);
    assert!(log.contains("does not execute code"), "{log}");
    assert!(log.contains("python train-model-parameters.py"), "{log}");

    // A run that does not exist, and no token: as the service answers.
    let missing = details.replace("diabetes-train-script", "nope");
    assert_eq!(send(&served, "GET", api, &missing, Some(&token)).0, 404);
    assert_eq!(send(&served, "GET", api, &details, None).0, 401);
    assert_eq!(
        send(&served, "GET", api, &details, Some("Bearer not-a-token")).0,
        401
    );

    // Scoring: an endpoint that does not exist is 404; no credential is 401.
    let score = "ep-nope.eastus.inference.ml.azure.com";
    assert_eq!(
        send(&served, "POST", score, "/score", Some("Bearer k")).0,
        404
    );
    assert_eq!(send(&served, "POST", score, "/score", None).0, 401);
}

#[test]
fn an_online_endpoint_scoring_uri_says_no_model_runs() {
    let served = Served::start(&[]);
    run_lab_then_put_path(
        &served,
        "15-online-endpoint.lab.yaml",
        "sc0001",
        "/onlineEndpoints/",
    );
    let host = "endpoint-sc0001.eastus.inference.ml.azure.com";
    let (status, body) = send(
        &served,
        "POST",
        host,
        "/score",
        Some("Bearer some-endpoint-key"),
    );
    assert_eq!(status, 501, "{body}");
    assert!(body.contains("does not run models"), "{body}");
}

/// The workspace id of the lab's data asset PUTs, after `amlab run` of lab 03.
fn data_lab_workspace(served: &Served, suffix: &str) -> String {
    let put = run_lab_then_put_path(
        served,
        "03-data.lab.yaml",
        suffix,
        "/data/diabetes-table/versions/1",
    );
    put.split("/data/").next().unwrap().to_owned()
}

#[test]
fn a_data_version_is_read_from_the_data_plane_as_mltable_reads_it() {
    let served = Served::start(&[]);
    let workspace = data_lab_workspace(&served, "dv0001");
    let token = format!("Bearer {}", served.token());
    let api = "eastus.api.azureml.ms";
    let path =
        format!("/data/v1.0{workspace}/dataversion/diabetes-table/versions/1?api-version=1.5.0");
    let (status, body) = send(&served, "GET", api, &path, Some(&token));
    assert_eq!(status, 200, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    // mltable reads `isV2`, then `dataVersion.dataType` (MLTable) and `dataUri`, which it hands
    // to rslex: the long form, naming the workspace (rslex refuses the short one).
    assert_eq!(d["isV2"], true, "{d}");
    let v = &d["dataVersion"];
    assert_eq!(v["dataType"], "MLTable", "{d}");
    assert_eq!(v["dataContainerName"], "diabetes-table");
    assert_eq!(v["versionId"], "1");
    assert_eq!(
        v["assetId"].as_str().map(str::to_ascii_lowercase),
        Some(format!("{workspace}/data/diabetes-table/versions/1").to_ascii_lowercase())
    );
    let parts: Vec<&str> = workspace.split('/').collect();
    let (sub, rg, ws) = (parts[2], parts[4], parts[8]);
    assert_eq!(
        v["dataUri"],
        format!(
            "azureml://subscriptions/{sub}/resourcegroups/{rg}/workspaces/{ws}/datastores/workspaceblobstore/paths/LocalUpload/diabetes-table/"
        )
    );
    let file = path.replace("diabetes-table", "diabetes-local");
    let (status, body) = send(&served, "GET", api, &file, Some(&token));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""dataType":"UriFile""#), "{body}");

    // A version that does not exist, and no token: as run history answers.
    let missing = path.replace("versions/1", "versions/9");
    assert_eq!(send(&served, "GET", api, &missing, Some(&token)).0, 404);
    assert_eq!(send(&served, "GET", api, &path, None).0, 401);
    assert_eq!(
        send(&served, "GET", api, &path, Some("Bearer not-a-token")).0,
        401
    );
}

#[test]
fn a_datastore_is_read_from_the_legacy_datastore_service_as_rslex_reads_it() {
    let served = Served::start(&[]);
    let workspace = data_lab_workspace(&served, "ds0001");
    let token = format!("Bearer {}", served.token());
    let api = "eastus.api.azureml.ms";
    let path = format!("/datastore/v1.0{workspace}/datastores/workspaceblobstore");
    let (status, body) = send(&served, "GET", api, &path, Some(&token));
    assert_eq!(status, 200, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["name"], "workspaceblobstore");
    assert_eq!(d["dataStoreType"], "AzureBlob");
    assert_eq!(d["isDefaultDataStore"], true);
    let s = &d["azureStorageSection"];
    assert_eq!(s["accountName"], "stdp100ds0001", "{d}");
    let container = s["containerName"].as_str().unwrap_or_default();
    assert!(container.starts_with("azureml-blobstore-"), "{d}");
    assert_eq!(s["endpoint"], "core.windows.net");
    assert_eq!(s["protocol"], "https");
    // The account key rslex signs its blob reads with: the datastore's own secret.
    assert_eq!(s["credentialType"], "AccountKey");
    let secrets =
        format!("{path}/listSecrets?api-version=2025-12-01").replace("/datastore/v1.0", "");
    let hostport = served.url.trim_start_matches("http://").to_owned();
    let (status, body) = send(&served, "POST", &hostport, &secrets, Some(&token));
    assert_eq!(status, 200, "{body}");
    let key: Value = serde_json::from_str(&body).unwrap();
    assert!(key["key"].as_str().is_some_and(|k| !k.is_empty()), "{key}");
    assert_eq!(s["credential"], key["key"]);

    // The lab's identity-based datastore: no credential.
    let own = path.replace("workspaceblobstore", "blob_training_data");
    let (status, body) = send(&served, "GET", api, &own, Some(&token));
    assert_eq!(status, 200, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["azureStorageSection"]["containerName"], "training-data");
    assert_eq!(d["azureStorageSection"]["credentialType"], "None");
    assert!(d["azureStorageSection"]["credential"].is_null(), "{d}");

    let missing = path.replace("workspaceblobstore", "nope");
    assert_eq!(send(&served, "GET", api, &missing, Some(&token)).0, 404);
    assert_eq!(send(&served, "GET", api, &path, None).0, 401);
}
