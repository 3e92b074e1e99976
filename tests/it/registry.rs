//! The `azureml` system registry on `amlab serve`, as azure-ai-ml reaches it: its discovery on
//! `{region}.api.azureml.ms`, then its data plane on `cert-{region}.experiments.azureml.net`
//! (components read by version and by `latest`, writes refused); and a workspace pipeline job
//! whose steps use its components: accepted, and refused when a step binds an input the
//! component does not have.

use serde_json::{Value, json};

use crate::serve::{raw_request, run_lab_then_put_path};
use crate::support::Served;

/// One raw request with `Host: host` and a JSON body: (status, body).
fn send(
    served: &Served,
    method: &str,
    host: &str,
    path: &str,
    auth: Option<&str>,
    body: &str,
) -> (u16, String) {
    raw_request(served, method, host, path, auth, body)
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn discovery_then_components_by_version_and_latest() {
    let served = Served::start(&[]);
    let token = format!("Bearer {}", served.token());
    let api = "eastus.api.azureml.ms";
    let discovery = "/registrymanagement/v1.0/registries/azureml/discovery";
    let (status, body) = send(&served, "GET", api, discovery, Some(&token), "");
    assert_eq!(status, 200, "{body}");
    let d = json_of(&body);
    assert_eq!(d["registryName"], "azureml");
    let mfe = d["primaryRegionResourceProviderUri"].as_str().unwrap();
    assert_eq!(mfe, "https://cert-eastus.experiments.azureml.net/");
    assert_eq!(send(&served, "GET", api, discovery, None, "").0, 401);
    let mine = discovery.replace("azureml", "my-registry");
    assert_eq!(send(&served, "GET", api, &mine, Some(&token), "").0, 404);

    // What `components.get(name, label="latest")` then `get(name, version=...)` send.
    let host = "cert-eastus.experiments.azureml.net";
    let base = format!(
        "/mferp/managementfrontend/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/registries/azureml/components",
        d["subscriptionId"].as_str().unwrap(),
        d["resourceGroup"].as_str().unwrap()
    );
    let q = "api-version=2021-10-01-dataplanepreview";
    let latest = format!(
        "{base}/rai_tabular_insight_constructor/versions?{q}&$orderBy=createdtime%20desc&$top=1"
    );
    let (status, body) = send(&served, "GET", host, &latest, Some(&token), "");
    assert_eq!(status, 200, "{body}");
    let l = json_of(&body);
    assert_eq!(l["value"].as_array().unwrap().len(), 1);
    let version = l["value"][0]["name"].as_str().unwrap().to_owned();
    assert_eq!(version, "0.22.0");
    let one = format!("{base}/rai_tabular_erroranalysis/versions/{version}?{q}");
    let (status, body) = send(&served, "GET", host, &one, Some(&token), "");
    assert_eq!(status, 200, "{body}");
    let c = json_of(&body);
    assert_eq!(
        c["id"],
        "azureml://registries/azureml/components/rai_tabular_erroranalysis/versions/0.22.0"
    );
    let spec = &c["properties"]["componentSpec"];
    assert_eq!(spec["outputs"]["error_analysis"]["type"], "path");
    assert_eq!(spec["inputs"]["max_depth"]["default"], 3);
    let old = format!("{base}/rai_tabular_erroranalysis/versions/0.1.0?{q}");
    assert_eq!(send(&served, "GET", host, &old, Some(&token), "").0, 404);
    assert_eq!(send(&served, "GET", host, &one, None, "").0, 401);

    // Read-only for learners, as the service answers a client without a write role.
    let (status, body) = send(&served, "PUT", host, &one, Some(&token), "{}");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("AuthorizationFailed"), "{body}");
}

#[test]
fn a_pipeline_of_registry_components_is_checked_against_their_interfaces() {
    let served = Served::start(&[]);
    // The lab's own job: four steps of registry components, bound by `labels/latest`.
    let job_path = run_lab_then_put_path(&served, "13-responsible-ai.lab.yaml", "rg0001", "/jobs/");
    let token = format!("Bearer {}", served.token());
    let arm = "management.azure.com";
    let step = |inputs: Value| {
        json!({"properties": {"jobType": "Pipeline", "jobs": {"error_job": {
            "type": "command",
            "componentId": "azureml://registries/azureml/components/rai_tabular_erroranalysis/versions/0.22.0",
            "inputs": inputs
        }}}})
        .to_string()
    };
    let put = |name: &str, body: &str| {
        let path = format!(
            "{}/{name}?api-version=2025-12-01",
            job_path.rsplit_once('/').unwrap().0
        );
        send(&served, "PUT", arm, &path, Some(&token), body)
    };
    let good = step(json!({"max_depth": {"job_input_type": "literal", "value": "4"}}));
    let (status, body) = put("rai-ok", &good);
    assert_eq!(status, 201, "{body}");
    let bad = step(json!({"depth": {"job_input_type": "literal", "value": "4"}}));
    let (status, body) = put("rai-bad", &bad);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("has no input 'depth'"), "{body}");
    assert!(body.contains("max_depth, num_leaves"), "{body}");
    let missing = good.replace(
        "rai_tabular_erroranalysis/versions/0.22.0",
        "rai_tabular_nothing/labels/latest",
    );
    let (status, body) = put("rai-missing", &missing);
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("'rai_tabular_nothing' was not found in registry 'azureml'"),
        "{body}"
    );
}
