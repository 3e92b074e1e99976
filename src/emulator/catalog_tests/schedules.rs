//! Schedules: triggers, job and monitor actions (shapes and the validation error of the
//! recordings), enable/disable and `listViewType`.

use serde_json::{Value, json};

use super::{Fixture, WS, body, code, environment, message, target, workspace, ws_url};

fn monitor(signal_type: &str, emails: bool) -> Value {
    let data = |v: u32| format!("{WS}/data/list_data_v2_test/versions/{v}");
    let mut def = json!({
        "computeConfiguration": {"computeType": "ServerlessSpark", "computeIdentity": {"computeIdentityType": "AmlToken"},
                                 "instanceType": "standard_e8s_v3", "runtimeVersion": "3.3"},
        "signals": {"testSignal": {"mode": "Enabled", "signalType": signal_type,
            "metricThresholds": [
                {"dataType": "Numerical", "threshold": {"value": 0.5}, "metric": "jensenShannonDistance"},
                {"dataType": "Categorical", "threshold": {"value": 0.2}, "metric": "pearsonsChiSquaredTest"}],
            "productionData": {"inputDataType": "Trailing", "jobInputType": "uri_folder", "uri": data(1), "windowOffset": "P0D", "windowSize": "P60D"},
            "referenceData": {"inputDataType": "Trailing", "jobInputType": "uri_folder", "uri": data(2), "windowOffset": "P30D", "windowSize": "P30D"}}}});
    if emails {
        def["alertNotificationSettings"] =
            json!({"emailNotificationSettings": {"emails": ["ops@example.com"]}});
    }
    json!({"properties": {"properties": {"prop1": "value"}, "tags": {"tag1": "value"},
        "action": {"actionType": "CreateMonitor", "monitorDefinition": def},
        "trigger": {"timeZone": "utc", "triggerType": "Recurrence", "frequency": "week", "interval": 1,
            "schedule": {"hours": [22, 20], "minutes": [0, 30], "weekDays": ["monday", "tuesday", "wednesday", "thursday", "friday"]}}}})
}

async fn names(f: &Fixture, view: Option<&str>) -> Vec<String> {
    let url = match view {
        Some(v) => ws_url(&format!("/schedules?listViewType={v}")),
        None => ws_url("/schedules"),
    };
    let r = f.get(&url).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    body(&r)["value"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn monitor_schedules_match_the_recordings() {
    let f = workspace().await;
    let url = ws_url("/schedules/drift");
    let r = f.put(&url, monitor("DataDrift", false)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(
        r.header("Azure-AsyncOperation")
            .is_some_and(|h| h.contains("mfeOperationsStatus"))
    );
    let p = &body(&r)["properties"];
    assert_eq!(p["provisioningState"], "Creating");
    assert_eq!(p["isEnabled"], true);
    assert_eq!(p["trigger"]["frequency"], "Week");
    assert_eq!(p["trigger"]["schedule"]["weekDays"][0], "Monday");
    assert_eq!(
        p["properties"]["azureml.telemetry.attribution"],
        "modelmonitoring"
    );
    let t = &p["action"]["monitorDefinition"]["signals"]["testSignal"]["metricThresholds"];
    assert_eq!(t[0]["metric"], "JensenShannonDistance");
    assert_eq!(t[1]["metric"], "PearsonsChiSquaredTest");
    f.settle();
    let g = f.get(&url).await;
    assert_eq!(body(&g)["properties"]["provisioningState"], "Succeeded");
    assert!(body(&g)["properties"]["trigger"]["startTime"].is_string());
    // The recorded 400: a prediction-drift monitor without alert e-mails.
    let r = f
        .put(
            &ws_url("/schedules/pred"),
            monitor("PredictionDrift", false),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(code(&r), "UserError");
    assert_eq!(message(&r), "$\"The value for '.emails' is missing.\"");
    assert!(target(&r).ends_with("emailNotificationSettings.emails"));
    f.put_ok(
        &ws_url("/schedules/pred"),
        monitor("PredictionDrift", true),
        201,
    )
    .await;
    let mut bad = monitor("DataDrift", true);
    bad["properties"]["action"]["monitorDefinition"]["signals"]["testSignal"]["signalType"] =
        json!("ConceptDrift");
    let r = f.put(&ws_url("/schedules/bad"), bad).await;
    assert_eq!(
        target(&r),
        "properties.action.monitorDefinition.signals.testSignal.signalType"
    );
    assert!(
        message(&r)
            .contains("DataDrift, PredictionDrift, DataQuality, FeatureAttributionDrift, Custom")
    );
    let mut bad = monitor("DataDrift", true);
    bad["properties"]["action"]["monitorDefinition"]["monitoringTarget"] = json!({"taskType": "Classification", "deploymentId": format!("{WS}/onlineEndpoints/ep/deployments/blue")});
    let r = f.put(&ws_url("/schedules/bad"), bad).await;
    assert_eq!(
        target(&r),
        "properties.action.monitorDefinition.monitoringTarget.deploymentId"
    );
}

#[tokio::test]
async fn job_schedules_validate_triggers_and_filter_by_list_view_type() {
    let f = workspace().await;
    let env = environment(&f, "sklearn", true).await;
    let job = json!({"jobType": "Command", "command": "python train.py", "environmentId": env,
        "computeId": format!("{WS}/computes/cpu-cluster"), "experimentName": "retrain"});
    let sched = |trigger: Value, job: Value| {
        json!({"properties": {"displayName": "weekly retrain",
        "trigger": trigger, "action": {"actionType": "CreateJob", "jobDefinition": job}}})
    };
    let cron = json!({"triggerType": "Cron", "expression": "15 10 * * 1", "startTime": "2022-03-10 10:15:00", "timeZone": "UTC"});
    let r = f
        .put(
            &ws_url("/schedules/s"),
            sched(
                json!({"triggerType": "Cron", "expression": "every monday"}),
                job.clone(),
            ),
        )
        .await;
    assert_eq!(target(&r), "properties.trigger.expression");
    let r = f
        .put(
            &ws_url("/schedules/s"),
            sched(
                json!({"triggerType": "Recurrence", "frequency": "Day"}),
                job.clone(),
            ),
        )
        .await;
    assert_eq!(target(&r), "properties.trigger.interval");
    let r = f
        .put(
            &ws_url("/schedules/s"),
            sched(
                json!({"triggerType": "Recurrence", "frequency": "Fortnight", "interval": 1}),
                job.clone(),
            ),
        )
        .await;
    assert_eq!(target(&r), "properties.trigger.frequency");
    let r = f
        .put(
            &ws_url("/schedules/s"),
            sched(json!({"triggerType": "Webhook"}), job.clone()),
        )
        .await;
    assert!(message(&r).contains("Cron, Recurrence"), "{}", message(&r));
    let mut bad_job = job.clone();
    bad_job["computeId"] = json!(format!("{WS}/computes/missing"));
    let r = f
        .put(&ws_url("/schedules/s"), sched(cron.clone(), bad_job))
        .await;
    assert_eq!(target(&r), "properties.action.jobDefinition.computeId");
    let r = f.put(&ws_url("/schedules/s"), json!({"properties": {"trigger": cron.clone(), "action": {"actionType": "CreateMonitor"}}})).await;
    assert_eq!(target(&r), "properties.action.monitorDefinition");

    let r = f
        .put(
            &ws_url("/schedules/weekly"),
            sched(cron.clone(), job.clone()),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let p = &body(&r)["properties"];
    assert_eq!(p["action"]["jobDefinition"]["status"], "NotStarted");
    assert_eq!(p["trigger"]["startTime"], "2022-03-10 10:15:00");
    f.put_ok(
        &ws_url("/schedules/daily"),
        sched(
            json!({"triggerType": "Recurrence", "frequency": "day", "interval": 1,
        "schedule": {"hours": [6], "minutes": [0]}}),
            job.clone(),
        ),
        201,
    )
    .await;
    f.settle();
    assert_eq!(names(&f, None).await, ["weekly", "daily"]);
    // Disable one with a re-PUT (the service answers 201 to updates too).
    let mut disabled = sched(cron, job);
    disabled["properties"]["isEnabled"] = json!(false);
    let r = f
        .put_ok(&ws_url("/schedules/weekly"), disabled.clone(), 201)
        .await;
    assert_eq!(body(&r)["properties"]["isEnabled"], false);
    f.settle();
    // Without listViewType, every schedule (the spec's own list example shows a disabled one).
    assert_eq!(names(&f, None).await, ["weekly", "daily"]);
    assert_eq!(names(&f, Some("EnabledOnly")).await, ["daily"]);
    assert_eq!(names(&f, Some("DisabledOnly")).await, ["weekly"]);
    assert_eq!(names(&f, Some("All")).await, ["weekly", "daily"]);
    let r = f.get(&ws_url("/schedules?listViewType=Archived")).await;
    assert_eq!(r.status, 400);
    assert_eq!(target(&r), "listViewType");
    disabled["properties"]["isEnabled"] = json!(true);
    f.put_ok(&ws_url("/schedules/weekly"), disabled, 201).await;
    assert_eq!(names(&f, None).await, ["weekly", "daily"]);
}
