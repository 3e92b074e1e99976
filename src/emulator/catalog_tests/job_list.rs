//! The jobs list's query filters: `listViewType` (archived jobs), `jobType`, `tag`,
//! `properties` and `scheduleId`, kept across pages.

use serde_json::{Value, json};

use super::{Fixture, WS, body, environment, target, workspace, ws_url};

/// The names in the jobs list for `query` (every page followed).
async fn names(f: &Fixture, query: &str) -> Vec<String> {
    let mut url = ws_url(&format!("/jobs{query}"));
    let mut out = Vec::new();
    loop {
        let r = f.get(&url).await;
        assert_eq!(r.status, 200, "GET {url}: {:?}", r.body);
        let b = body(&r);
        for j in b["value"].as_array().into_iter().flatten() {
            out.push(j["name"].as_str().unwrap_or_default().to_owned());
        }
        match b["nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => return out,
        }
    }
}

fn command(env: &str, tags: Value, props: Value) -> Value {
    json!({"properties": {"jobType": "Command", "command": "python train.py", "environmentId": env,
        "computeId": format!("{WS}/computes/cpu-cluster"), "tags": tags, "properties": props}})
}

/// Jobs `train-a` (Command, tag `team`, property `stage=dev`), `train-b` (Command, property
/// `stage=prod`, archived) and `pipe-c` (Pipeline, tag `team`).
async fn three_jobs(f: &Fixture) {
    let env = environment(f, "sklearn", true).await;
    let a = command(&env, json!({"team": "a"}), json!({"stage": "dev"}));
    f.put_ok(&ws_url("/jobs/train-a"), a, 201).await;
    let mut b = command(&env, json!({}), json!({"stage": "prod"}));
    f.put_ok(&ws_url("/jobs/train-b"), b.clone(), 201).await;
    b["properties"]["isArchived"] = json!(true);
    f.put_ok(&ws_url("/jobs/train-b"), b, 200).await;
    f.put_ok(
        &ws_url("/jobs/pipe-c"),
        json!({"properties": {"jobType": "Pipeline", "tags": {"team": "b"},
            "jobs": {"prep": {"componentId": "azureml:prep:1"}}}}),
        201,
    )
    .await;
}

#[tokio::test]
async fn archived_jobs_are_listed_only_when_asked_for() {
    let f = workspace().await;
    // A bad view is refused even before any job exists.
    let r = f.get(&ws_url("/jobs?listViewType=Archived")).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(target(&r), "listViewType");
    three_jobs(&f).await;
    assert_eq!(names(&f, "").await, ["train-a", "pipe-c"]);
    assert_eq!(
        names(&f, "?listViewType=ActiveOnly").await,
        ["train-a", "pipe-c"]
    );
    assert_eq!(names(&f, "?listViewType=ArchivedOnly").await, ["train-b"]);
    assert_eq!(
        names(&f, "?listViewType=all").await,
        ["train-a", "train-b", "pipe-c"]
    );
}

#[tokio::test]
async fn job_type_tag_properties_and_schedule_filters() {
    let f = workspace().await;
    three_jobs(&f).await;
    assert_eq!(names(&f, "?jobType=Command").await, ["train-a"]);
    assert_eq!(
        names(&f, "?jobType=command&listViewType=All").await,
        ["train-a", "train-b"]
    );
    assert_eq!(names(&f, "?jobType=Pipeline").await, ["pipe-c"]);
    assert!(names(&f, "?jobType=Sweep").await.is_empty());
    assert_eq!(names(&f, "?tag=team").await, ["train-a", "pipe-c"]);
    assert!(names(&f, "?tag=owner").await.is_empty());
    assert_eq!(names(&f, "?properties=stage").await, ["train-a"]);
    assert_eq!(
        names(&f, "?properties=stage%3Dprod&listViewType=All").await,
        ["train-b"]
    );
    assert!(names(&f, "?properties=stage,owner").await.is_empty());
    // Filters combine.
    assert_eq!(names(&f, "?tag=team&jobType=Pipeline").await, ["pipe-c"]);
    // The emulator's schedules never trigger jobs: none was triggered by a schedule.
    assert!(names(&f, "?scheduleId=nightly").await.is_empty());
}

#[tokio::test]
async fn filters_are_kept_on_the_next_page() {
    let Fixture { emu, clock } = workspace().await;
    let f = Fixture {
        emu: emu.with_page_size(1),
        clock,
    };
    three_jobs(&f).await;
    let first = f
        .get(&ws_url("/jobs?jobType=Command&listViewType=All"))
        .await;
    let next = body(&first)["nextLink"].as_str().unwrap_or_default();
    assert!(
        next.contains("jobType=Command") && next.contains("listViewType=All"),
        "{next}"
    );
    assert_eq!(
        names(&f, "?jobType=Command&listViewType=All").await,
        ["train-a", "train-b"]
    );
}
