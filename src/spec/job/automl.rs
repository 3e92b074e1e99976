//! AutoML jobs (classification, regression, forecasting) -> `AutoMLJob` properties with
//! `taskDetails`, enum values in the service's PascalCase as the SDK sends them.

use serde_json::{Map, Value, json};

use super::super::Context;
use super::super::error::Problem;
use super::super::node::{Obj, put};
use super::{camel, common, pascal};

/// Algorithm and metric names whose service spelling is not plain PascalCase.
fn service_name(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let special = [
        ("lightgbm", "LightGBM"),
        ("xg_boost_classifier", "XGBoostClassifier"),
        ("xg_boost_regressor", "XGBoostRegressor"),
        ("knn", "KNN"),
        ("svm", "SVM"),
        ("linear_svm", "LinearSVM"),
        ("sgd", "SGD"),
        ("auc_weighted", "AUCWeighted"),
        ("r2_score", "R2Score"),
        ("arimax", "Arimax"),
        ("tcn_forecaster", "TCNForecaster"),
    ];
    special
        .iter()
        .find(|(k, _)| *k == lower)
        .map_or_else(|| pascal(&lower), |(_, v)| (*v).to_owned())
}

/// `training_data: {type: mltable, path}` -> `{jobInputType: mltable, uri}`.
fn data(o: Obj<'_>, key: &str, ctx: &Context) -> Option<Value> {
    let d = o.obj(key, "data")?;
    d.only(&["type", "path", "mode"]);
    let path = d.req_str("path");
    let uri = super::data_uri(d, ctx, path, d.node);
    Some(json!({"jobInputType": "mltable", "uri": uri}))
}

/// The `properties` of an AutoML job.
pub(crate) fn translate(root: Obj<'_>, ctx: &Context) -> Result<Map<String, Value>, Problem> {
    root.only(&[
        "type",
        "name",
        "display_name",
        "experiment_name",
        "description",
        "tags",
        "properties",
        "compute",
        "task",
        "log_verbosity",
        "primary_metric",
        "target_column_name",
        "training_data",
        "validation_data",
        "test_data",
        "validation_data_size",
        "test_data_size",
        "n_cross_validations",
        "cv_split_column_names",
        "weight_column_name",
        "limits",
        "featurization",
        "training",
        "forecasting",
        "outputs",
        "identity",
        "resources",
        "queue_settings",
        "positive_label",
    ]);
    let mut p = common(root, ctx, "AutoML");
    if let Some(r) = root.obj("resources", "resources") {
        r.only(&["instance_type", "instance_count", "shm_size"]);
        let mut m = Map::new();
        m.insert(
            "instanceCount".into(),
            json!(r.int("instance_count").unwrap_or(1)),
        );
        put(&mut m, "instanceType", r.str("instance_type"));
        p.insert("resources".into(), Value::Object(m));
    }
    let task = root.ok(root.req_choice("task", &["classification", "regression", "forecasting"]));
    let mut t = Map::new();
    if let Some(f) = root.obj("featurization", "featurization") {
        f.only(&[
            "mode",
            "transformer_params",
            "blocked_transformers",
            "column_name_and_types",
            "dataset_language",
        ]);
        let mut m = Map::new();
        put(
            &mut m,
            "blockedTransformers",
            f.get("blocked_transformers").map(|n| n.value.to_json()),
        );
        put(
            &mut m,
            "columnNameAndTypes",
            f.get("column_name_and_types").map(|n| n.value.to_json()),
        );
        put(&mut m, "datasetLanguage", f.str("dataset_language"));
        m.insert(
            "mode".into(),
            json!(
                f.str("mode")
                    .unwrap_or_else(|| "auto".into())
                    .to_ascii_lowercase()
            ),
        );
        let mut params = Map::new();
        if let Some(tp) = f.obj("transformer_params", "featurization.transformer_params") {
            for (k, v) in tp.entries() {
                params.insert(pascal(&k.value), v.value.to_json());
            }
        }
        m.insert("transformerParams".into(), Value::Object(params));
        t.insert("featurizationSettings".into(), Value::Object(m));
    }
    if let Some(l) = root.obj("limits", "limits") {
        l.only(&[
            "timeout_minutes",
            "trial_timeout_minutes",
            "max_trials",
            "max_concurrent_trials",
            "max_cores_per_trial",
            "enable_early_termination",
            "exit_score",
            "max_nodes",
        ]);
        let mut m = Map::new();
        put(
            &mut m,
            "enableEarlyTermination",
            l.bool("enable_early_termination"),
        );
        put(&mut m, "exitScore", l.num("exit_score"));
        put(
            &mut m,
            "maxConcurrentTrials",
            l.int("max_concurrent_trials"),
        );
        put(&mut m, "maxCoresPerTrial", l.int("max_cores_per_trial"));
        put(&mut m, "maxNodes", l.int("max_nodes"));
        put(&mut m, "maxTrials", l.int("max_trials"));
        m.insert("sweepConcurrentTrials".into(), json!(0));
        m.insert("sweepTrials".into(), json!(0));
        put(
            &mut m,
            "timeout",
            l.int("timeout_minutes")
                .map(|n| super::super::duration::iso_seconds(n * 60)),
        );
        put(
            &mut m,
            "trialTimeout",
            l.int("trial_timeout_minutes")
                .map(|n| super::super::duration::iso_seconds(n * 60)),
        );
        t.insert("limitSettings".into(), Value::Object(m));
    }
    t.insert(
        "logVerbosity".into(),
        json!(service_name(
            &root.str("log_verbosity").unwrap_or_else(|| "info".into())
        )),
    );
    if let Some(n) = root.get("n_cross_validations") {
        match n.value.scalar_text() {
            Some(s) if s.eq_ignore_ascii_case("auto") => {
                t.insert("nCrossValidations".into(), json!({"mode": "Auto"}));
            }
            _ => {
                if let Some(v) = root.int("n_cross_validations") {
                    t.insert(
                        "nCrossValidations".into(),
                        json!({"mode": "Custom", "value": v}),
                    );
                }
            }
        }
    }
    put(&mut t, "positiveLabel", root.str("positive_label"));
    // The YAML schemas' `load_default` (azure/ai/ml/_schema/automl/table_vertical/
    // classification.py, regression.py, forecasting.py).
    let default_metric = match task.as_deref() {
        Some("classification") => Some("AUCWeighted"),
        Some(_) => Some("NormalizedRootMeanSquaredError"),
        None => None,
    };
    put(
        &mut t,
        "primaryMetric",
        root.str("primary_metric")
            .map(|m| service_name(&m))
            .or(default_metric.map(str::to_owned)),
    );
    put(&mut t, "targetColumnName", root.str("target_column_name"));
    put(&mut t, "taskType", task.map(|t| pascal(&t)));
    put(&mut t, "testData", data(root, "test_data", ctx));
    put(&mut t, "testDataSize", root.num("test_data_size"));
    if !root.has("training_data") {
        root.report(Problem::at(
            root.node,
            "missing required field `training_data`",
        ));
    }
    put(&mut t, "trainingData", data(root, "training_data", ctx));
    if let Some(tr) = root.obj("training", "training") {
        tr.only(&[
            "allowed_training_algorithms",
            "blocked_training_algorithms",
            "enable_model_explainability",
            "enable_onnx_compatible_models",
            "enable_stack_ensemble",
            "enable_vote_ensemble",
            "ensemble_model_download_timeout",
            "enable_dnn_training",
            "stack_ensemble_settings",
        ]);
        let mut m = Map::new();
        for (k, rest) in [
            ("allowed_training_algorithms", "allowedTrainingAlgorithms"),
            ("blocked_training_algorithms", "blockedTrainingAlgorithms"),
        ] {
            if let Some(list) = tr.seq(k) {
                let names: Vec<Value> = list
                    .iter()
                    .filter_map(|n| n.value.scalar_text())
                    .map(|s| json!(service_name(&s)))
                    .collect();
                m.insert(rest.into(), Value::Array(names));
            }
        }
        for k in [
            "enable_model_explainability",
            "enable_onnx_compatible_models",
            "enable_stack_ensemble",
            "enable_vote_ensemble",
            "enable_dnn_training",
        ] {
            put(&mut m, &camel(k), tr.bool(k));
        }
        t.insert("trainingSettings".into(), Value::Object(m));
    }
    put(&mut t, "validationData", data(root, "validation_data", ctx));
    put(
        &mut t,
        "validationDataSize",
        root.num("validation_data_size"),
    );
    put(&mut t, "weightColumnName", root.str("weight_column_name"));
    if let Some(f) = root.obj("forecasting", "forecasting") {
        t.insert("forecastingSettings".into(), forecasting(f));
    }
    p.insert("taskDetails".into(), Value::Object(t));
    Ok(p)
}

/// `forecasting:` -> `forecastingSettings`. Horizon, lags, rolling window and seasonality are
/// `{mode: Auto}` for `auto` and `{mode: Custom, value(s)}` otherwise; one time series id
/// column becomes a list (ForecastingSettings._to_rest_object,
/// azure/ai/ml/entities/_job/automl/tabular/forecasting_settings.py).
fn forecasting(f: Obj<'_>) -> Value {
    let mut m = Map::new();
    for (k, v) in f.entries() {
        let value = v.value.to_json();
        let auto = value.as_str().is_some();
        let out = match k.value.as_str() {
            "forecast_horizon" | "target_rolling_window_size" | "seasonality" if auto => {
                json!({"mode": "Auto"})
            }
            "forecast_horizon" | "target_rolling_window_size" | "seasonality" => {
                json!({"mode": "Custom", "value": value})
            }
            "target_lags" if auto => json!({"mode": "Auto"}),
            "target_lags" | "time_series_id_column_names" | "features_unknown_at_forecast_time"
                if !value.is_array() =>
            {
                custom_list(&k.value, json!([value]))
            }
            "target_lags" => custom_list("target_lags", value),
            _ => value,
        };
        m.insert(camel(&k.value), out);
    }
    Value::Object(m)
}

/// A list-valued forecasting setting: custom target lags are `{mode: Custom, values}`.
fn custom_list(key: &str, list: Value) -> Value {
    if key == "target_lags" {
        json!({"mode": "Custom", "values": list})
    } else {
        list
    }
}
