//! Run history of a job that is still running, as `jobs.stream` reads it (through the
//! workspace's `{region}.api.azureml.ms` host): the run's status follows the job's lifecycle on
//! the emulator clock, it has no end time until the job ends, and its one log says plainly that
//! the emulator does not execute code.

use serde_json::{Value, json};

use super::{Fixture, WS, body, environment, workspace, ws_url};
use crate::emulator::blob::sign::{self, SasFields};
use crate::emulator::blob::{BlobRequest, BlobResponse};
use crate::serve::workspace_api;

/// `GET .../runs/{run}{tail}` on the workspace's run-history host.
fn history(f: &Fixture, run: &str, tail: &str) -> (u16, Value) {
    let path = format!("/history/v1.0{WS}/runs/{run}{tail}");
    match workspace_api::answer(&f.emu, "GET", "eastus.api.azureml.ms", &path) {
        Some(r) => (r.status, r.body.unwrap_or(Value::Null)),
        None => panic!("eastus.api.azureml.ms is a workspace host"),
    }
}

async fn submit(f: &Fixture, name: &str, env: &str) {
    let job = json!({"properties": {"jobType": "Command", "command": "python train.py",
        "environmentId": env, "computeId": format!("{WS}/computes/cpu-cluster")}});
    f.put_ok(&ws_url(&format!("/jobs/{name}")), job, 201).await;
}

/// Polls the run's details as `jobs.stream` does until it is no longer in progress; returns
/// the statuses seen, in order, and the last details.
fn stream(f: &Fixture, run: &str) -> (Vec<String>, Value) {
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..32 {
        let (status, details) = history(f, run, "/details");
        assert_eq!(status, 200, "{details}");
        let s = details["status"].as_str().unwrap_or_default().to_owned();
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if matches!(s.as_str(), "Completed" | "Failed" | "Canceled") {
            return (seen, details);
        }
        assert!(
            details["endTimeUtc"].is_null(),
            "a running job has no end time: {details}"
        );
        f.halves(1);
    }
    panic!("the run never ended: {seen:?}")
}

#[tokio::test]
async fn a_running_job_is_streamed_until_it_ends() {
    let f = workspace().await;
    let env = environment(&f, "sklearn", true).await;
    submit(&f, "job1", &env).await;
    let (seen, details) = stream(&f, "job1");
    assert_eq!(
        seen,
        [
            "NotStarted",
            "Starting",
            "Preparing",
            "Queued",
            "Running",
            "Finalizing",
            "Completed"
        ]
    );
    assert!(!details["endTimeUtc"].is_null(), "{details}");
    let warning = details["warnings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(warning.contains("does not execute code"), "{details}");
    let log = details["logFiles"]["user_logs/std_log.txt"]
        .as_str()
        .unwrap_or_default();
    assert!(
        log.ends_with("/runs/job1/logs/user_logs/std_log.txt"),
        "{details}"
    );
    let (status, text) = history(&f, "job1", "/logs/user_logs/std_log.txt");
    assert_eq!(status, 200);
    let text = text.as_str().unwrap_or_default();
    assert!(text.contains("does not execute code"), "{text}");
    assert!(
        text.contains("Job job1 (Command)") && text.contains("python train.py"),
        "{text}"
    );
}

#[tokio::test]
async fn a_job_on_a_bare_image_streams_to_its_failure() {
    let f = workspace().await;
    let env = environment(&f, "bare", false).await;
    submit(&f, "job2", &env).await;
    let (status, first) = history(&f, "job2", "/details");
    assert_eq!(
        (status, first["status"].as_str()),
        (200, Some("NotStarted"))
    );
    assert!(
        first["error"].is_null(),
        "no error before the job ends: {first}"
    );
    let (seen, details) = stream(&f, "job2");
    assert_eq!(seen.last().map(String::as_str), Some("Failed"), "{seen:?}");
    let message = details["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("No module named 'pandas'"), "{details}");
}

/// A service SAS for `canonical` (`/blob/{account}/{container}[/{blob}]`) signed with `key`,
/// as azure-storage-blob's `generate_*_sas` writes it.
fn sas(key: &str, sr: &str, canonical: &str, sp: &str) -> String {
    let fields = SasFields {
        version: "2025-11-05".into(),
        permissions: sp.into(),
        expiry: "2099-01-01T00:00:00Z".into(),
        resource: sr.into(),
        ..SasFields::default()
    };
    let sig = sign::sign(key, &fields.service_string(canonical)).unwrap_or_default();
    let enc = |v: &str| {
        percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "se={}&sp={sp}&sv=2025-11-05&sr={sr}&sig={}",
        enc(&fields.expiry),
        enc(&sig)
    )
}

fn blob_get(f: &Fixture, url: String) -> BlobResponse {
    let req = BlobRequest {
        method: "GET".into(),
        url,
        headers: vec![("x-ms-version".into(), "2025-11-05".into())],
        body: Vec::new(),
    };
    match f.emu.blob(&req, &|_| Err("no identity here".into())) {
        Some(r) => r,
        None => panic!("not a blob endpoint"),
    }
}

/// What `jobs.stream` reads while a command job runs: the job's default output names the
/// artifact store and a path (as on Azure, without `paths/`); the log is a blob under
/// `{path}/user_logs/`, listed and downloaded with a SAS signed from the datastore's key.
#[tokio::test]
async fn a_jobs_log_is_a_blob_in_the_workspaces_artifact_store() {
    let f = workspace().await;
    let env = environment(&f, "sklearn", true).await;
    submit(&f, "job1", &env).await;
    let job = f.get(&ws_url("/jobs/job1")).await;
    let uri = body(&job)["properties"]["outputs"]["default"]["uri"].clone();
    assert_eq!(
        uri,
        "azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.job1"
    );
    let rest = uri.as_str().and_then(|u| u.split_once("datastores/"));
    let Some((store, prefix)) = rest.and_then(|(_, r)| r.split_once('/')) else {
        panic!("{uri}")
    };
    let ds = f.get(&ws_url(&format!("/datastores/{store}"))).await;
    let p = &body(&ds)["properties"];
    let (Some(account), Some(container)) = (p["accountName"].as_str(), p["containerName"].as_str())
    else {
        panic!("{p}")
    };
    let secrets = f
        .post(&ws_url(&format!("/datastores/{store}/listSecrets")), None)
        .await;
    let key = body(&secrets)["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let host = format!("https://{account}.blob.core.windows.net");
    let list_sas = sas(&key, "c", &format!("/blob/{account}/{container}"), "rl");
    let list = blob_get(
        &f,
        format!(
            "{host}/{container}?restype=container&comp=list&prefix={prefix}/user_logs/&{list_sas}"
        ),
    );
    let listing = String::from_utf8_lossy(&list.body).into_owned();
    assert_eq!(list.status, 200, "{listing}");
    let name = format!("{prefix}/user_logs/std_log.txt");
    assert!(
        listing.contains(&format!("<Name>{name}</Name>")),
        "{listing}"
    );
    let read_sas = sas(
        &key,
        "b",
        &format!("/blob/{account}/{container}/{name}"),
        "r",
    );
    let log = blob_get(&f, format!("{host}/{container}/{name}?{read_sas}"));
    let text = String::from_utf8_lossy(&log.body).into_owned();
    assert_eq!(log.status, 200, "{text}");
    assert!(text.contains("does not execute code"), "{text}");
    assert!(
        text.contains("The command was not run: python train.py"),
        "{text}"
    );
}
