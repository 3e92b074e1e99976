//! Jobs: validation, the clock-driven lifecycle, the failing-environment rule and cancel.

use serde_json::{Value, json};

use super::{Fixture, WS, body, code, environment, message, target, workspace, ws_url};

fn command_job(env: &str, command: &str) -> Value {
    json!({"properties": {"jobType": "Command", "command": command, "environmentId": env,
        "computeId": format!("{WS}/computes/cpu-cluster"), "experimentName": "diabetes-training",
        "displayName": "Train diabetes model"}})
}

async fn status(f: &Fixture, name: &str) -> String {
    let r = f.get(&ws_url(&format!("/jobs/{name}"))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    body(&r)["properties"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn command_job_progresses_through_its_lifecycle_to_completed() {
    let f = workspace().await;
    let env = environment(&f, "sklearn", true).await;
    let r = f
        .put(&ws_url("/jobs/job1"), command_job(&env, "python train.py"))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(
        r.header("Azure-AsyncOperation").is_none(),
        "job PUT is not long-running"
    );
    let p = &body(&r)["properties"];
    assert_eq!(p["status"], "NotStarted");
    assert_eq!(p["experimentName"], "diabetes-training");
    assert_eq!(p["displayName"], "Train diabetes model");
    assert_eq!(p["resources"]["instanceCount"], 1);
    assert_eq!(
        p["outputs"]["default"]["uri"],
        "azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.job1"
    );
    assert_eq!(p["outputs"]["default"]["jobOutputType"], "uri_folder");
    let mut seen = vec![status(&f, "job1").await];
    for _ in 0..8 {
        f.halves(1);
        let s = status(&f, "job1").await;
        if seen.last() != Some(&s) {
            seen.push(s);
        }
    }
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
    let r = f.get(&ws_url("/jobs/job1")).await;
    assert!(body(&r)["properties"].get("error").is_none());
    // The private lifecycle state never leaks.
    assert!(
        !r.body
            .as_ref()
            .map(Value::to_string)
            .unwrap_or_default()
            .contains("submittedMs")
    );
    // Cancelling a finished job is an error.
    let r = f.post(&ws_url("/jobs/job1/cancel"), None).await;
    assert_eq!(r.status, 400);
    assert!(message(&r).contains("Completed"), "{}", message(&r));
}

#[tokio::test]
async fn python_on_a_bare_image_fails_with_module_not_found() {
    let f = workspace().await;
    let bare = environment(&f, "bare-image", false).await;
    f.put_ok(
        &ws_url("/jobs/bad"),
        command_job(&bare, "python train.py --reg 0.01"),
        201,
    )
    .await;
    // The same environment without python in the command completes.
    f.put_ok(
        &ws_url("/jobs/shell"),
        command_job(&bare, "echo hello"),
        201,
    )
    .await;
    f.halves(5);
    assert_eq!(status(&f, "bad").await, "Running");
    f.halves(2);
    let r = f.get(&ws_url("/jobs/bad")).await;
    let p = &body(&r)["properties"];
    assert_eq!(p["status"], "Failed");
    assert!(
        p["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ModuleNotFoundError: No module named 'pandas'")),
        "{p}"
    );
    assert_eq!(status(&f, "shell").await, "Completed");
}

#[tokio::test]
async fn cancel_requests_then_cancels() {
    let f = workspace().await;
    let env = environment(&f, "sklearn", true).await;
    f.put_ok(
        &ws_url("/jobs/long"),
        command_job(&env, "python train.py"),
        201,
    )
    .await;
    f.halves(4);
    assert_eq!(status(&f, "long").await, "Running");
    let r = f.post(&ws_url("/jobs/long/cancel"), None).await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let location = r.header("Location").unwrap_or_default().to_owned();
    assert!(!location.is_empty());
    assert_eq!(status(&f, "long").await, "CancelRequested");
    f.halves(1);
    assert_eq!(status(&f, "long").await, "Canceled");
    f.halves(10);
    assert_eq!(status(&f, "long").await, "Canceled");
    assert_eq!(f.get(&location).await.status, 200);
}

#[tokio::test]
async fn command_job_references_must_resolve() {
    let f = workspace().await;
    let env = environment(&f, "sklearn", true).await;
    let mut job = command_job(&env, "python train.py");
    job["properties"]["computeId"] = json!(format!("{WS}/computes/nope"));
    let r = f.put(&ws_url("/jobs/j"), job).await;
    assert_eq!(r.status, 400);
    assert_eq!(code(&r), "UserError");
    assert_eq!(target(&r), "properties.computeId");
    let r = f
        .put(
            &ws_url("/jobs/j"),
            command_job(
                &format!("{WS}/environments/missing/versions/1"),
                "python x.py",
            ),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.environmentId");
    assert!(message(&r).contains("not found"), "{}", message(&r));
    let r = f
        .put(
            &ws_url("/jobs/j"),
            command_job("docker.io/python", "python x.py"),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        message(&r).contains("azureml://registries/"),
        "{}",
        message(&r)
    );
    let mut job = command_job(&env, "x");
    job["properties"]
        .as_object_mut()
        .map(|o| o.remove("command"));
    let r = f.put(&ws_url("/jobs/j"), job).await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "properties.command");
    let r = f
        .put(
            &ws_url("/jobs/j"),
            json!({"properties": {"jobType": "Spark"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(message(&r).contains("Spark"), "{}", message(&r));
    let r = f
        .put(
            &ws_url("/jobs/j"),
            json!({"properties": {"jobType": "Batch"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        message(&r).contains("Command, Sweep, AutoML, Pipeline"),
        "{}",
        message(&r)
    );
    // Curated registry environments and serverless jobs are accepted.
    let mut job = command_job(
        "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
        "python train.py",
    );
    job["properties"]
        .as_object_mut()
        .map(|o| o.remove("computeId"));
    job["properties"]["resources"] = json!({"instanceType": "Standard_DS3_v2"});
    let r = f.put(&ws_url("/jobs/serverless"), job).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        body(&r)["properties"]["resources"]["instanceType"],
        "Standard_DS3_v2"
    );
    // A re-PUT may change the display name but not the command.
    let mut job = command_job(&env, "python train.py");
    f.put_ok(&ws_url("/jobs/k"), job.clone(), 201).await;
    job["properties"]["displayName"] = json!("renamed");
    let r = f.put_ok(&ws_url("/jobs/k"), job.clone(), 200).await;
    assert_eq!(body(&r)["properties"]["displayName"], "renamed");
    job["properties"]["command"] = json!("python other.py");
    assert_eq!(f.put(&ws_url("/jobs/k"), job).await.status, 409);
}

#[tokio::test]
async fn sweep_automl_and_pipeline_jobs_are_validated() {
    let f = workspace().await;
    let env = environment(&f, "sklearn", true).await;
    let sweep = json!({"properties": {"jobType": "Sweep", "computeId": format!("{WS}/computes/cpu-cluster"),
        "samplingAlgorithm": {"samplingAlgorithmType": "Grid"},
        "searchSpace": {"reg": ["choice", [[0.01, 0.1, 1.0]]]},
        "objective": {"goal": "Maximize", "primaryMetric": "AUC"},
        "limits": {"maxTotalTrials": 6, "maxConcurrentTrials": 2},
        "trial": {"command": "python train.py --reg ${{search_space.reg}}", "environmentId": env}}});
    for (field, path) in [
        ("objective", "properties.objective"),
        ("samplingAlgorithm", "properties.samplingAlgorithm"),
        ("searchSpace", "properties.searchSpace"),
        ("limits", "properties.limits"),
        ("trial", "properties.trial"),
    ] {
        let mut s = sweep.clone();
        s["properties"].as_object_mut().map(|o| o.remove(field));
        let r = f.put(&ws_url("/jobs/sw"), s).await;
        assert_eq!(r.status, 400, "{field}");
        assert_eq!(target(&r), path);
    }
    let mut s = sweep.clone();
    s["properties"]["objective"]["goal"] = json!("Maximise");
    let r = f.put(&ws_url("/jobs/sw"), s).await;
    assert_eq!(target(&r), "properties.objective.goal");
    let mut s = sweep.clone();
    s["properties"]["searchSpace"]["lr"] = json!(["uniform", [0.01, 0.1]]);
    let r = f.put(&ws_url("/jobs/sw"), s).await;
    assert_eq!(r.status, 400);
    assert!(
        message(&r).contains("Grid sampling supports only choice"),
        "{}",
        message(&r)
    );
    let r = f.put_ok(&ws_url("/jobs/sw"), sweep, 201).await;
    assert_eq!(
        body(&r)["properties"]["samplingAlgorithm"]["samplingAlgorithmType"],
        "Grid"
    );
    f.halves(7);
    let r = f.get(&ws_url("/jobs/sw")).await;
    assert_eq!(body(&r)["properties"]["status"], "Completed");
    assert_eq!(
        body(&r)["properties"]["properties"]["best_child_run_id"],
        "sw_0"
    );

    let automl = json!({"properties": {"jobType": "AutoML", "taskDetails": {"taskType": "Classification",
        "targetColumnName": "Diabetic", "trainingData": {"jobInputType": "mltable", "uri": "azureml:diabetes-training:1"}}}});
    let mut a = automl.clone();
    a["properties"]["taskDetails"]
        .as_object_mut()
        .map(|o| o.remove("targetColumnName"));
    let r = f.put(&ws_url("/jobs/au"), a).await;
    assert_eq!(target(&r), "properties.taskDetails.targetColumnName");
    let mut a = automl.clone();
    a["properties"]["taskDetails"]["taskType"] = json!("Clustering");
    assert_eq!(
        target(&f.put(&ws_url("/jobs/au"), a).await),
        "properties.taskDetails.taskType"
    );
    let r = f.put_ok(&ws_url("/jobs/au"), automl, 201).await;
    assert_eq!(
        body(&r)["properties"]["taskDetails"]["primaryMetric"],
        "AUCWeighted"
    );

    let r = f
        .put(
            &ws_url("/jobs/pl"),
            json!({"properties": {"jobType": "Pipeline", "jobs": {}}}),
        )
        .await;
    assert_eq!(target(&r), "properties.jobs");
    f.put_ok(
        &ws_url("/jobs/pl"),
        json!({"properties": {"jobType": "Pipeline", "jobs": {"prep": {"componentId": "azureml:prep:1"}}}}),
        201,
    )
    .await;
}

fn fine_tuning_job() -> Value {
    let input =
        |uri: &str, kind: &str| json!({"jobInputType": kind, "mode": "ReadOnlyMount", "uri": uri});
    json!({"properties": {"jobType": "FineTuning", "experimentName": "llm-finetuning",
        "fineTuningDetails": {"modelProvider": "Custom", "taskType": "ChatCompletion",
            "model": input("azureml://registries/azureml-meta/models/Llama-2-7b/versions/11", "mlflow_model"),
            "trainingData": input("azureml://datastores/workspaceblobstore/paths/train.jsonl", "uri_file")},
        "outputs": {"model": {"jobOutputType": "mlflow_model", "mode": "ReadWriteMount"}},
        "resources": {"instanceTypes": ["Standard_NC6"]}}})
}

fn distillation_job() -> Value {
    json!({"properties": {"jobType": "Distillation",
        "dataGenerationDetails": {"dataGenerationType": "LabelGeneration",
            "dataGenerationTaskType": "Conversation",
            "teacherModelEndpoint": {"endpointName": "teacher"},
            "trainingData": {"jobInputType": "uri_file", "uri": "azureml://datastores/workspaceblobstore/paths/d.jsonl"}},
        "finetuningDetails": {"studentModel": {"jobInputType": "mlflow_model",
            "uri": "azureml://registries/azureml-meta/models/Meta-Llama-3.1-8B-Instruct/versions/1"}},
        "outputs": {"model": {"jobOutputType": "mlflow_model"}}}})
}

#[tokio::test]
async fn fine_tuning_and_distillation_jobs_are_validated_and_run_their_lifecycle() {
    let f = workspace().await;
    let r = f.put(&ws_url("/jobs/ft1"), fine_tuning_job()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(body(&r)["properties"]["jobType"], "FineTuning");
    assert_eq!(
        body(&r)["properties"]["fineTuningDetails"]["taskType"],
        "ChatCompletion"
    );
    let r = f.put(&ws_url("/jobs/d1"), distillation_job()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    f.settle();
    assert!(!status(&f, "ft1").await.is_empty());
    let list = f.get(&ws_url("/jobs?jobType=FineTuning")).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    // Each required part is checked, naming the field.
    let cases: [(&str, &str, Value); 4] = [
        (
            "fineTuningDetails",
            "properties.fineTuningDetails",
            fine_tuning_job(),
        ),
        (
            "fineTuningDetails.trainingData",
            "properties.fineTuningDetails.trainingData",
            fine_tuning_job(),
        ),
        (
            "dataGenerationDetails.teacherModelEndpoint",
            "properties.dataGenerationDetails.teacherModelEndpoint.endpointName",
            distillation_job(),
        ),
        (
            "finetuningDetails",
            "properties.finetuningDetails.studentModel",
            distillation_job(),
        ),
    ];
    for (remove, field, mut job) in cases {
        let (parent, key) = remove.rsplit_once('.').unwrap_or(("", remove));
        let holder = if parent.is_empty() {
            &mut job["properties"]
        } else {
            job["properties"]
                .pointer_mut(&format!("/{}", parent.replace('.', "/")))
                .unwrap_or_else(|| panic!("{parent}"))
        };
        holder.as_object_mut().map(|o| o.remove(key));
        let r = f.put(&ws_url("/jobs/bad"), job).await;
        assert_eq!(r.status, 400, "{remove}: {:?}", r.body);
        assert_eq!(target(&r), field, "{remove}");
    }
    let mut job = fine_tuning_job();
    job["properties"]["fineTuningDetails"]["modelProvider"] = json!("Nobody");
    let r = f.put(&ws_url("/jobs/bad"), job).await;
    assert_eq!(
        (r.status, target(&r)),
        (400, "properties.fineTuningDetails.modelProvider")
    );
}
