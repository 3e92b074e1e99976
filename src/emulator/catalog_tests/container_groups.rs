//! Container groups as the AI services containers exercise makes them: validation of what it
//! sets, secure environment values never echoed, provisioning and the (emulated) instance view.

use serde_json::{Value, json};

use super::{BASE, body, code, message, resource_group};

const API: &str = "2025-09-01";

fn url(name: &str) -> String {
    format!(
        "{BASE}/resourceGroups/rg1/providers/Microsoft.ContainerInstance/containerGroups/{name}?api-version={API}"
    )
}

/// The exercise's group: the sentiment image, 1 CPU / 8 GB, port 5000 public, three variables.
fn group(label: &str) -> Value {
    json!({"location": "eastus", "properties": {
        "osType": "Linux", "restartPolicy": "OnFailure",
        "containers": [{"name": "sentiment", "properties": {
            "image": "mcr.microsoft.com/azure-cognitive-services/textanalytics/sentiment:latest",
            "resources": {"requests": {"cpu": 1, "memoryInGB": 8}},
            "ports": [{"port": 5000, "protocol": "TCP"}],
            "environmentVariables": [
                {"name": "ApiKey", "secureValue": "planted-key-0123456789"},
                {"name": "Billing", "secureValue": "https://ai1.cognitiveservices.azure.com/"},
                {"name": "Eula", "value": "accept"}
            ]}}],
        "ipAddress": {"type": "Public", "dnsNameLabel": label, "ports": [{"port": 5000, "protocol": "TCP"}]}
    }})
}

#[tokio::test]
async fn the_exercise_group_provisions_and_never_echoes_secure_values() {
    let f = resource_group().await;
    let r = f
        .put_ok(&url("ai-container"), group("ai-container-1"), 201)
        .await;
    assert!(r.header("Azure-AsyncOperation").is_some());
    assert_eq!(body(&r)["properties"]["provisioningState"], "Pending");
    f.settle();
    let r = f.get(&url("ai-container")).await;
    let text = serde_json::to_string(&r.body).unwrap_or_default();
    assert!(
        !text.contains("planted-key-0123456789") && !text.contains("ai1.cognitiveservices"),
        "{text}"
    );
    assert!(f.secrets().iter().any(|s| s == "planted-key-0123456789"));
    let g = body(&r);
    assert_eq!(g["properties"]["provisioningState"], "Succeeded");
    assert_eq!(g["properties"]["instanceView"]["state"], "Running");
    let c = &g["properties"]["containers"][0]["properties"];
    assert_eq!(
        c["environmentVariables"],
        json!([{"name": "ApiKey"}, {"name": "Billing"}, {"name": "Eula", "value": "accept"}])
    );
    assert!(
        c["instanceView"]["currentState"]["detailStatus"]
            .as_str()
            .is_some_and(|d| d.contains("no container runs"))
    );
    assert_eq!(
        g["properties"]["ipAddress"]["fqdn"],
        "ai-container-1.eastus.azurecontainer.io"
    );
    assert!(
        g["properties"]["ipAddress"]["ip"]
            .as_str()
            .is_some_and(|ip| ip.starts_with("203.0.113."))
    );
    // The DNS label is taken in the region now.
    let r = f.put(&url("other"), group("ai-container-1")).await;
    assert_eq!((r.status, code(&r)), (400, "DnsNameLabelNotAvailable"));
}

#[tokio::test]
async fn what_the_exercise_sets_is_validated() {
    let f = resource_group().await;
    let mut cases: Vec<(Value, &str, &str)> = Vec::new();
    let mut b = group("l1");
    b["properties"]["ipAddress"]["ports"] = json!([{"port": 80}]);
    cases.push((b, "InvalidRequestContent", "Port 80"));
    let mut b = group("l2");
    b["properties"]["containers"][0]["properties"]["resources"]["requests"]["memoryInGB"] =
        json!(32);
    cases.push((b, "ResourceRequestsNotSupported", "32"));
    let mut b = group("l3");
    b["properties"].as_object_mut().map(|o| o.remove("osType"));
    cases.push((b, "InvalidRequestContent", "osType"));
    let mut b = group("l4");
    b["properties"]["containers"][0]["properties"]["environmentVariables"][2] =
        json!({"name": "Eula"});
    cases.push((
        b,
        "InvalidRequestContent",
        "exactly one of value and secureValue",
    ));
    let mut b = group("l5");
    b["properties"]["containers"][0]["name"] = json!("Sentiment");
    cases.push((b, "InvalidContainerName", "lowercase"));
    let mut b = group("l6");
    b["properties"]["containers"][0]["properties"]
        .as_object_mut()
        .map(|o| o.remove("image"));
    cases.push((b, "InvalidRequestContent", "image"));
    for (b, expected, words) in cases {
        let r = f.put(&url("g1"), b).await;
        assert_eq!((r.status, code(&r)), (400, expected), "{:?}", r.body);
        assert!(message(&r).contains(words), "{}", message(&r));
    }
}
