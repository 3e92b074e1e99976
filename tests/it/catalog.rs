//! Every shipped lab catches a realistic learner mistake: a variant of the lab (one line changed,
//! the way a learner would get it wrong) is applied with `run`, then `check` with the shipped lab
//! must fail exactly the expected checks, show their hints and exit 1.

use serde_json::Value;

use crate::support::{Sandbox, lab, stdout};

/// One learner mistake in one lab.
struct Mistake {
    /// The lab file under `labs/dp100/`.
    file: &'static str,
    /// Text of the shipped lab (must occur; the first occurrence is replaced).
    from: &'static str,
    /// What the learner did instead.
    to: &'static str,
    /// The one step that fails.
    step: &'static str,
    /// The titles of the step's failing checks, in order.
    failing: &'static [&'static str],
    /// A substring of the first failing check's hint.
    hint: &'static str,
    /// The score `check` reports: (earned, possible).
    score: (u64, u64),
}

fn step<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id} in {report}"))
}

fn assert_mistake(m: &Mistake) {
    let sb = Sandbox::new();
    // The lab (and the az ml specs it uses) with the learner's change.
    let variant = crate::support::lab_variant(&sb, m.file, m.from, m.to);
    let fast = ["--provisioning-delay", "10ms"];

    // The learner's work: the mistaken variant fails its own checks too (exit 1, not 2 or 3).
    let run = sb
        .amlab(
            &[
                &[
                    "run",
                    variant.to_str().unwrap(),
                    "--report",
                    "json=run.json",
                ][..],
                &fast,
            ]
            .concat(),
        )
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", stdout(&run));
    // `run` never created the steps that need the mistaken one (it skipped them).
    let run_report: Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("run.json")).unwrap()).unwrap();
    let never_created: Vec<&str> = run_report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "skipped")
        .map(|s| s["id"].as_str().unwrap())
        .collect();

    // Checking with the shipped lab finds exactly the mistake.
    let shipped = lab(m.file);
    let out = sb
        .amlab(
            &[
                &[
                    "check",
                    shipped.to_str().unwrap(),
                    "--report",
                    "json=r.json",
                ][..],
                &fast,
            ]
            .concat(),
        )
        .output()
        .unwrap();
    let terminal = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{terminal}");
    let report: Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("r.json")).unwrap()).unwrap();
    // The mistaken step fails; the steps `run` never applied fail (not found, or not updated),
    // or are skipped when a resource they need does not exist; every other step passes.
    let by_status = |status: &str| -> Vec<&str> {
        report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["status"] == status)
            .map(|s| s["id"].as_str().unwrap())
            .collect()
    };
    assert!(by_status("failed").contains(&m.step), "{terminal}");
    for id in [by_status("failed"), by_status("skipped")].concat() {
        assert!(
            id == m.step || never_created.contains(&id),
            "{id} did not pass: {terminal}"
        );
    }
    assert_eq!(by_status("error"), Vec::<&str>::new(), "{terminal}");
    let failed = step(&report, m.step);
    assert_eq!(failed["status"], "failed", "{failed}");
    let failing: Vec<&Value> = failed["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .collect();
    let titles: Vec<&str> = failing
        .iter()
        .map(|c| {
            c["title"]
                .as_str()
                .unwrap_or_else(|| c["query"].as_str().unwrap())
        })
        .collect();
    assert_eq!(titles, m.failing, "{failed}");
    let hint = failing[0]["hint"].as_str().unwrap();
    assert!(hint.contains(m.hint), "hint {hint:?} lacks {:?}", m.hint);
    assert!(terminal.contains(&format!("hint: {hint}")), "{terminal}");
    assert!(
        terminal.contains(&format!("FAIL  {}", m.step)),
        "{terminal}"
    );
    assert_eq!(
        (
            report["score"]["earned"].as_u64().unwrap(),
            report["score"]["possible"].as_u64().unwrap()
        ),
        m.score,
        "{terminal}"
    );
}

macro_rules! mistakes {
    ($($name:ident: $m:expr;)*) => {
        $(#[test] fn $name() { assert_mistake(&$m); })*
        /// Every shipped lab has a mistake test.
        #[test]
        fn every_lab_has_a_mistake_test() {
            let tested = [$($m.file),*];
            let mut shipped: Vec<String> = std::fs::read_dir(crate::support::repo().join("labs/dp100"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".lab.yaml"))
                .collect();
            shipped.sort();
            assert!(shipped.len() >= 18, "{shipped:?}");
            for f in &shipped {
                assert!(tested.contains(&f.as_str()), "no mistake test for {f}");
            }
        }
    };
}

mistakes! {
    workspace_automl_with_the_wrong_primary_metric: Mistake {
        file: "01-workspace.lab.yaml",
        from: "primaryMetric: Accuracy", to: "primaryMetric: AUCWeighted",
        step: "automl-job", failing: &["Accuracy is the primary metric"],
        hint: "set the primary metric to Accuracy", score: (16, 17),
    };
    developer_tools_instance_of_the_wrong_size: Mistake {
        file: "02-developer-tools.lab.yaml",
        from: "vmSize: STANDARD_DS11_V2", to: "vmSize: STANDARD_DS3_V2",
        step: "compute-instance", failing: &["The compute instance is a STANDARD_DS11_V2"],
        hint: "--size STANDARD_DS11_V2", score: (10, 11),
    };
    data_file_registered_as_a_folder: Mistake {
        file: "03-data.lab.yaml",
        from: "dataType: uri_file", to: "dataType: uri_folder",
        step: "data-file", failing: &["properties.dataType"],
        hint: "File (uri_file)", score: (17, 18),
    };
    compute_cluster_never_updated_to_two_nodes: Mistake {
        file: "04-compute.lab.yaml",
        from: "maxNodeCount: 2", to: "maxNodeCount: 1",
        step: "cluster-update", failing: &["The cluster scales out to two nodes"],
        hint: "--max-instances 2", score: (16, 21),
    };
    environments_job_rerun_on_the_bare_image_fails: Mistake {
        file: "05-environments.lab.yaml",
        from: "environmentId: \"azureml:docker-image-plus-conda-example:1\"",
        to: "environmentId: \"azureml:docker-image-example:1\"",
        step: "job-custom",
        failing: &["The job completed", "It ran on the docker-image-plus-conda-example environment"],
        hint: "with pandas installed it completes", score: (14, 17),
    };
    designer_comparison_without_logistic_regression: Mistake {
        file: "06-designer.lab.yaml",
        from: "      componentId: \"${workspace_id}/components/train_logistic_regression_classifier_model/versions/1\"",
        to: "      componentId: \"${workspace_id}/components/train_decision_tree_classifier_model/versions/1\"",
        step: "pipeline-compare", failing: &["The pipeline also trains a logistic regression model"],
        hint: "Train a Logistic Regression Classifier Model", score: (14, 16),
    };
    automl_blocks_the_wrong_algorithm: Mistake {
        file: "07-automl.lab.yaml",
        from: "blockedTrainingAlgorithms: [LogisticRegression]", to: "blockedTrainingAlgorithms: [DecisionTree]",
        step: "automl-job", failing: &["Logistic regression is blocked"],
        hint: "blocked_training_algorithms=[\"LogisticRegression\"]", score: (10, 11),
    };
    command_job_without_its_training_data_argument: Mistake {
        file: "09-command-job.lab.yaml",
        from: "command: python train-model-parameters.py --training_data diabetes.csv",
        to: "command: python train-model-parameters.py",
        step: "command-job", failing: &["The job runs the script with its training data argument"],
        hint: "--training_data diabetes.csv", score: (6, 8),
    };
    mlflow_job_not_tagged: Mistake {
        file: "10-mlflow-jobs.lab.yaml",
        from: "tags: {model_type: LogisticRegression}", to: "tags: {}",
        step: "job-mlflow", failing: &["The job is tagged with the model type"],
        hint: "model_type=LogisticRegression", score: (10, 11),
    };
    sweep_with_random_sampling: Mistake {
        file: "11-sweep.lab.yaml",
        from: "samplingAlgorithm: {samplingAlgorithmType: Grid}", to: "samplingAlgorithm: {samplingAlgorithmType: Random}",
        step: "sweep-job", failing: &["Grid sampling"],
        hint: "sampling_algorithm=\"grid\"", score: (13, 14),
    };
    pipeline_output_not_uploaded: Mistake {
        file: "12-pipeline.lab.yaml",
        from: "pipeline_job_transformed_data: {jobOutputType: uri_folder, mode: Upload}",
        to: "pipeline_job_transformed_data: {jobOutputType: uri_folder, mode: ReadWriteMount}",
        step: "pipeline-job", failing: &["The transformed data and the trained model are uploaded"],
        hint: "mode = \"upload\"", score: (11, 12),
    };
    responsible_ai_with_the_wrong_label_column: Mistake {
        file: "13-responsible-ai.lab.yaml",
        from: "target_column_name: {jobInputType: literal, value: Diabetic}",
        to: "target_column_name: {jobInputType: literal, value: Outcome}",
        step: "rai-job", failing: &["The label column is Diabetic"],
        hint: "target_column_name=\"Diabetic\"", score: (11, 12),
    };
    model_registered_as_a_custom_model: Mistake {
        file: "14-mlflow-model.lab.yaml",
        from: "modelType: mlflow_model", to: "modelType: custom_model",
        step: "model",
        failing: &["The model is an MLflow model", "The model has the python_function flavor"],
        hint: "type=AssetTypes.MLFLOW_MODEL", score: (6, 9),
    };
    online_deployment_on_the_wrong_instance_type: Mistake {
        file: "15-online-endpoint.lab.yaml",
        from: "instanceType: Standard_D2as_v4", to: "instanceType: Standard_DS3_v2",
        step: "deployment-blue", failing: &["The deployment runs on Standard_D2as_v4"],
        hint: "instance_type=\"Standard_D2as_v4\"", score: (5, 8),
    };
    batch_deployment_with_the_default_mini_batch_size: Mistake {
        file: "16-batch-endpoint.lab.yaml",
        from: "miniBatchSize: 2", to: "miniBatchSize: 10",
        step: "deployment",
        failing: &["Two instances, two mini-batches in parallel per instance, two files per mini-batch"],
        hint: "mini_batch_size=2", score: (5, 12),
    };
    schedule_at_the_wrong_hour: Mistake {
        file: "17-schedule.lab.yaml",
        from: "expression: \"0 6 * * *\"", to: "expression: \"0 18 * * *\"",
        step: "schedule-cron", failing: &["The schedule is a cron trigger at 06:00 every day"],
        hint: "CronTrigger(expression=\"0 6 * * *\")", score: (8, 10),
    };
    monitor_without_a_prediction_drift_signal: Mistake {
        file: "18-monitoring.lab.yaml",
        from: "signalType: PredictionDrift", to: "signalType: DataQuality",
        step: "monitor", failing: &["A prediction drift signal"],
        hint: "type: prediction_drift", score: (17, 19),
    };
    blue_green_traffic_not_shifted: Mistake {
        file: "19-blue-green.lab.yaml",
        from: "traffic: {blue: 0, green: 100}", to: "traffic: {blue: 100, green: 0}",
        step: "traffic-shift",
        failing: &["green takes all the traffic", "blue no longer takes traffic"],
        hint: "--traffic \"blue=0 green=100\"", score: (9, 13),
    };
    mlops_service_principal_only_reader: Mistake {
        file: "20-mlops-github.lab.yaml",
        from: "roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c\"",
        to: "roleDefinitions/acdd72a7-3b0f-41ad-9dbb-8b6f9e4dc3b2\"",
        step: "sp-role", failing: &["The service principal has a role that can submit jobs"],
        hint: "az ad sp create-for-rbac", score: (10, 13),
    };
}
