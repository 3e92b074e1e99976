//! Run history of a job that is still running, as `jobs.stream` reads it (through the
//! workspace's `{region}.api.azureml.ms` host): the run's status follows the job's lifecycle on
//! the emulator clock, it has no end time until the job ends, and its one log says plainly that
//! the emulator does not execute code.

use serde_json::{Value, json};

use super::{Fixture, WS, environment, workspace, ws_url};
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
        text.contains("status Completed") && text.contains("python train.py"),
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
