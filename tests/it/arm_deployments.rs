//! `Microsoft.Resources/deployments` in the emulator: azure-ai-ml's own workspace template
//! (`tests/data/arm-templates/`, with the parameters the SDK sends) deploys the workspace and
//! its storage, key vault, Log Analytics and Application Insights through the same handlers as
//! direct PUTs; a portal-style template with `copy`, `reference()` and outputs; a resource the
//! handlers refuse fails the deployment with `DeploymentFailed` and its details; `validate`,
//! `whatIf`, `exportTemplate` and the deployment operations; bounds on hostile templates.

use std::sync::Arc;
use std::time::Duration;

use amlab::arm::transport::{HttpRequest, HttpResponse, Method};
use amlab::emulator::{Emulator, EmulatorOptions, ManualClock, SUBSCRIPTION_ID};
use serde_json::{Value, json};

use crate::support::repo;

const DELAY: Duration = Duration::from_millis(1000);
const API: &str = "2020-06-01";

struct Arm {
    emu: Emulator,
    clock: Arc<ManualClock>,
}

impl Arm {
    fn new(rg: &str) -> Self {
        let clock = Arc::new(ManualClock::default());
        let options = EmulatorOptions {
            provisioning_delay: DELAY,
            ..EmulatorOptions::default()
        };
        let emu = Emulator::open_with_clock(options, clock.clone()).unwrap();
        let arm = Self { emu, clock };
        let r = arm.send(
            Method::Put,
            &rg_path(rg),
            "2021-04-01",
            Some(json!({"location": "eastus"})),
        );
        assert_eq!(r.status, 201, "{:?}", r.body);
        arm
    }

    fn send(&self, method: Method, path: &str, api: &str, body: Option<Value>) -> HttpResponse {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = if path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("https://management.azure.com{path}{sep}api-version={api}")
        };
        let mut req = HttpRequest::new(method, url);
        req.body = body;
        self.emu.handle(&req).unwrap()
    }

    fn get(&self, path: &str, api: &str) -> HttpResponse {
        self.send(Method::Get, path, api, None)
    }

    fn settle(&self) {
        self.clock.advance(DELAY * 2);
    }
}

fn rg_path(rg: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{rg}")
}

fn deployment_path(rg: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Resources/deployments/{name}",
        rg_path(rg)
    )
}

fn data(file: &str) -> Value {
    let path = repo().join("tests/data/arm-templates").join(file);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn body(template: Value, parameters: Value) -> Value {
    json!({"properties": {"template": template, "parameters": parameters, "mode": "Incremental"}})
}

fn param(p: &Value, name: &str) -> String {
    p[name]["value"].as_str().unwrap().to_owned()
}

#[test]
fn the_sdk_workspace_template_deploys_the_workspace_and_its_dependencies() {
    let arm = Arm::new("rg-cap");
    let params = data("workspace_base.parameters.json");
    let template = data("workspace_base.json");
    let path = deployment_path("rg-cap", "mlw-cap-1");
    let r = arm.send(
        Method::Put,
        &path,
        API,
        Some(body(template.clone(), params.clone())),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    let op = r
        .header("Azure-AsyncOperation")
        .expect("Azure-AsyncOperation")
        .to_owned();
    let b = r.body.unwrap();
    assert_eq!(b["properties"]["provisioningState"], "Running");
    assert_eq!(arm.get(&op, API).body.unwrap()["status"], "InProgress");
    arm.settle();
    assert_eq!(arm.get(&op, API).body.unwrap()["status"], "Succeeded");
    let d = arm.get(&path, API).body.unwrap();
    assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");
    assert!(
        d.get("x-amlab-private").is_none(),
        "private state leaked: {d}"
    );
    let rg = rg_path("rg-cap");
    let ws = arm
        .get(
            &format!("{rg}/providers/Microsoft.MachineLearningServices/workspaces/mlw-cap"),
            "2024-10-01",
        )
        .body
        .unwrap();
    let storage = format!(
        "{rg}/providers/Microsoft.Storage/storageAccounts/{}",
        param(&params, "storageAccountName")
    );
    let vault = format!(
        "{rg}/providers/Microsoft.KeyVault/vaults/{}",
        param(&params, "keyVaultName")
    );
    let insights = format!(
        "{rg}/providers/Microsoft.Insights/components/{}",
        param(&params, "applicationInsightsName")
    );
    let logs = format!(
        "{rg}/providers/Microsoft.OperationalInsights/workspaces/{}",
        param(&params, "logAnalyticsName")
    );
    assert_eq!(ws["properties"]["storageAccount"], storage.as_str(), "{ws}");
    assert_eq!(ws["properties"]["keyVault"], vault.as_str());
    assert_eq!(ws["properties"]["applicationInsights"], insights.as_str());
    assert_eq!(ws["tags"]["createdByToolkit"], "sdk-v2-1.35.2");
    for (id, api) in [
        (&storage, "2023-04-01"),
        (&vault, "2023-07-01"),
        (&insights, "2020-02-02"),
        (&logs, "2020-08-01"),
    ] {
        assert_eq!(arm.get(id, api).status, 200, "{id} was not deployed");
    }
    let ai = arm.get(&insights, "2020-02-02").body.unwrap();
    assert_eq!(ai["properties"]["WorkspaceResourceId"], logs.as_str());
    // One operation per deployed resource, dependencies first (Log Analytics before App
    // Insights, the workspace last), in the shape the SDK's progress printer reads.
    let ops = arm
        .get(&format!("{rg}/deployments/mlw-cap-1/operations"), API)
        .body
        .unwrap();
    let targets: Vec<&str> = ops["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            o["properties"]["targetResource"]["resourceType"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(targets.len(), 5, "{ops}");
    let at = |t: &str| targets.iter().position(|x| *x == t).unwrap();
    assert!(at("Microsoft.OperationalInsights/workspaces") < at("Microsoft.Insights/components"));
    assert_eq!(at("Microsoft.MachineLearningServices/workspaces"), 4);
    assert!(
        ops["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["properties"]["provisioningState"] == "Succeeded")
    );
    let exported = arm
        .send(Method::Post, &format!("{path}/exportTemplate"), API, None)
        .body
        .unwrap();
    assert_eq!(exported["template"], template);
}

fn storage(name: &str) -> Value {
    json!({
        "type": "Microsoft.Storage/storageAccounts",
        "apiVersion": "2023-04-01",
        "name": name,
        "location": "[resourceGroup().location]",
        "sku": {"name": "Standard_LRS"},
        "kind": "StorageV2",
    })
}

fn template(resources: Value, outputs: Value) -> Value {
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"prefix": {"type": "string", "allowedValues": ["stcopy", "stother"]}, "count": {"type": "int", "defaultValue": 3}},
        "resources": resources,
        "outputs": outputs,
    })
}

#[test]
fn a_portal_template_with_copy_reference_and_outputs() {
    let arm = Arm::new("rg-copy");
    let mut st = storage("[concat(parameters('prefix'), copyIndex(1))]");
    st["copy"] = json!({"name": "accounts", "count": "[parameters('count')]"});
    let kv = json!({
        "type": "Microsoft.KeyVault/vaults",
        "apiVersion": "2023-07-01",
        "name": "kv-copy-1",
        "location": "eastus",
        "dependsOn": ["accounts"],
        "properties": {"tenantId": "[subscription().tenantId]", "sku": {"family": "A", "name": "standard"}, "accessPolicies": []},
    });
    let outputs = json!({
        "names": {"type": "array", "copy": {"count": 3, "input": "[concat(parameters('prefix'), copyIndex(1))]"}},
        "vaultUri": {"type": "string", "value": "[reference(resourceId('Microsoft.KeyVault/vaults', 'kv-copy-1')).vaultUri]"},
    });
    let path = deployment_path("rg-copy", "portal");
    let t = template(json!([kv, st]), outputs);
    let r = arm.send(
        Method::Put,
        &path,
        API,
        Some(body(t, json!({"prefix": {"value": "stcopy"}}))),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    arm.settle();
    let d = arm.get(&path, API).body.unwrap();
    assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");
    let rg = rg_path("rg-copy");
    for i in 1..=3 {
        let id = format!("{rg}/providers/Microsoft.Storage/storageAccounts/stcopy{i}");
        assert_eq!(arm.get(&id, "2023-04-01").status, 200, "{id}");
    }
    let vault = arm
        .get(
            &format!("{rg}/providers/Microsoft.KeyVault/vaults/kv-copy-1"),
            "2023-07-01",
        )
        .body
        .unwrap();
    assert_eq!(
        d["properties"]["outputs"]["vaultUri"]["value"],
        vault["properties"]["vaultUri"]
    );
    assert_eq!(d["properties"]["outputs"]["vaultUri"]["type"], "String");
    // The vault waited for the whole copy loop.
    let deps = &d["properties"]["dependencies"][0];
    assert_eq!(deps["resourceName"], "kv-copy-1", "{d}");
    assert_eq!(deps["dependsOn"].as_array().unwrap().len(), 3);
    // A value outside allowedValues is refused before anything is created.
    let r = arm.send(
        Method::Put,
        &deployment_path("rg-copy", "bad"),
        API,
        Some(body(
            template(json!([]), json!({})),
            json!({"prefix": {"value": "nope"}}),
        )),
    );
    assert_eq!(r.status, 400);
    let e = &r.body.unwrap()["error"];
    assert_eq!(e["code"], "InvalidTemplate");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("allowed value(s): 'stcopy,stother'"),
        "{e}"
    );
}

#[test]
fn an_invalid_resource_fails_the_deployment_with_arms_error_shape() {
    let arm = Arm::new("rg-fail");
    let mut vault = json!({
        "type": "Microsoft.KeyVault/vaults",
        "apiVersion": "2023-07-01",
        "name": "kv-after-bad",
        "location": "eastus",
        "dependsOn": ["[resourceId('Microsoft.Storage/storageAccounts', 'Bad_Name')]"],
        "properties": {"tenantId": "[subscription().tenantId]", "sku": {"family": "A", "name": "standard"}, "accessPolicies": []},
    });
    let good = storage("stfinegood1");
    let path = deployment_path("rg-fail", "fails");
    let t = template(json!([storage("Bad_Name"), vault.clone(), good]), json!({}));
    let r = arm.send(
        Method::Put,
        &path,
        API,
        Some(body(t, json!({"prefix": {"value": "stother"}}))),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    let op = r.header("Azure-AsyncOperation").unwrap().to_owned();
    arm.settle();
    let status = arm.get(&op, API).body.unwrap();
    assert_eq!(status["status"], "Failed", "{status}");
    assert_eq!(status["error"]["code"], "DeploymentFailed");
    let detail = &status["error"]["details"][0];
    assert_eq!(detail["code"], "AccountNameInvalid", "{status}");
    let d = arm.get(&path, API).body.unwrap();
    assert_eq!(d["properties"]["provisioningState"], "Failed");
    let rg = rg_path("rg-fail");
    // What depended on the failed account was not attempted; what did not, was.
    assert_eq!(
        arm.get(
            &format!("{rg}/providers/Microsoft.KeyVault/vaults/kv-after-bad"),
            "2023-07-01"
        )
        .status,
        404
    );
    assert_eq!(
        arm.get(
            &format!("{rg}/providers/Microsoft.Storage/storageAccounts/stfinegood1"),
            "2023-04-01"
        )
        .status,
        200
    );
    let ops = arm
        .get(&format!("{rg}/deployments/fails/operations"), API)
        .body
        .unwrap();
    let failed: Vec<&Value> = ops["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["properties"]["provisioningState"] == "Failed")
        .collect();
    assert_eq!(failed.len(), 1, "{ops}");
    assert_eq!(failed[0]["properties"]["statusCode"], "BadRequest");
    assert_eq!(
        failed[0]["properties"]["statusMessage"]["error"]["code"],
        "AccountNameInvalid"
    );
    // validate names the same problem before anything is created.
    vault["name"] = json!("kv-validate");
    let t = template(json!([storage("Bad_Name")]), json!({}));
    let r = arm.send(
        Method::Post,
        &format!("{}/validate", deployment_path("rg-fail", "v")),
        API,
        Some(body(t, json!({"prefix": {"value": "stother"}}))),
    );
    assert_eq!(r.status, 400, "{:?}", r.body);
    let e = r.body.unwrap();
    assert_eq!(e["error"]["code"], "InvalidTemplateDeployment");
    assert_eq!(
        e["error"]["details"][0]["code"], "AccountNameInvalid",
        "{e}"
    );
}

#[test]
fn validate_what_if_and_the_template_errors_arm_names() {
    let arm = Arm::new("rg-val");
    let p = json!({"prefix": {"value": "stcopy"}});
    let t = template(json!([storage("stvalidate1")]), json!({}));
    let r = arm.send(
        Method::Post,
        &format!("{}/validate", deployment_path("rg-val", "v1")),
        API,
        Some(body(t.clone(), p.clone())),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let b = r.body.unwrap();
    assert!(
        b["properties"]["validatedResources"][0]["id"]
            .as_str()
            .unwrap()
            .ends_with("/storageAccounts/stvalidate1")
    );
    // validate creates nothing; whatIf says Create, then NoChange once deployed.
    let id = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/stvalidate1",
        rg_path("rg-val")
    );
    assert_eq!(arm.get(&id, "2023-04-01").status, 404);
    let what_if = |arm: &Arm| {
        let r = arm.send(
            Method::Post,
            &format!("{}/whatIf", deployment_path("rg-val", "w")),
            API,
            Some(body(t.clone(), p.clone())),
        );
        r.body.unwrap()["properties"]["changes"][0]["changeType"].clone()
    };
    assert_eq!(what_if(&arm), "Create");
    let r = arm.send(
        Method::Put,
        &deployment_path("rg-val", "d1"),
        API,
        Some(body(t.clone(), p.clone())),
    );
    assert_eq!(r.status, 201);
    arm.settle();
    assert_eq!(what_if(&arm), "NoChange");
    // A cycle, a missing parameter, an unknown function, a copy over ARM's 800.
    let mut a = storage("stcyclea");
    a["dependsOn"] = json!(["stcycleb"]);
    let mut b = storage("stcycleb");
    b["dependsOn"] = json!(["stcyclea"]);
    let mut big = storage("[concat('st', copyIndex())]");
    big["copy"] = json!({"name": "many", "count": 801});
    let cases = [
        (
            template(json!([a, b]), json!({})),
            p.clone(),
            "Circular dependency detected",
        ),
        (
            template(json!([]), json!({})),
            json!({}),
            "'prefix' is not provided",
        ),
        (
            template(json!([storage("[nosuch('x')]")]), json!({})),
            p.clone(),
            "'nosuch' is not valid",
        ),
        (
            template(json!([big]), json!({})),
            p.clone(),
            "cannot exceed '800'",
        ),
    ];
    for (t, params, wanted) in cases {
        let r = arm.send(
            Method::Put,
            &deployment_path("rg-val", "bad"),
            API,
            Some(body(t, params)),
        );
        assert_eq!(r.status, 400, "{wanted}: {:?}", r.body);
        let e = r.body.unwrap();
        assert_eq!(e["error"]["code"], "InvalidTemplate", "{e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(wanted),
            "{wanted}: {e}"
        );
    }
    assert_eq!(arm.get(&deployment_path("rg-val", "bad"), API).status, 404);
}

#[test]
fn secure_parameters_are_never_shown_and_a_deployment_deletes() {
    let arm = Arm::new("rg-sec");
    let secret = "S3cret-value-never-shown";
    let mut t = template(json!([storage("stsecure1")]), json!({}));
    t["parameters"]["password"] = json!({"type": "securestring"});
    t["resources"][0]["tags"] =
        json!({"note": "[if(empty(parameters('password')), 'none', 'set')]"});
    let path = deployment_path("rg-sec", "sec");
    let params = json!({"prefix": {"value": "stcopy"}, "password": {"value": secret}});
    let r = arm.send(Method::Put, &path, API, Some(body(t, params)));
    assert_eq!(r.status, 201, "{:?}", r.body);
    arm.settle();
    let rg = rg_path("rg-sec");
    let st = arm
        .get(
            &format!("{rg}/providers/Microsoft.Storage/storageAccounts/stsecure1"),
            "2023-04-01",
        )
        .body
        .unwrap();
    assert_eq!(st["tags"]["note"], "set");
    let d = arm.get(&path, API).body.unwrap();
    assert_eq!(
        d["properties"]["parameters"]["password"],
        json!({"type": "SecureString"})
    );
    for answer in [
        d.to_string(),
        arm.get(&format!("{rg}/deployments/sec/operations"), API)
            .body
            .unwrap()
            .to_string(),
        arm.send(Method::Post, &format!("{path}/exportTemplate"), API, None)
            .body
            .unwrap()
            .to_string(),
        arm.get(
            &format!("{rg}/providers/Microsoft.Resources/deployments"),
            API,
        )
        .body
        .unwrap()
        .to_string(),
    ] {
        assert!(
            !answer.contains(secret),
            "the secure value was shown: {answer}"
        );
    }
    assert!(arm.emu.secrets().iter().any(|s| s == secret));
    // DELETE: 202 with Location, then the deployment is gone (what it created stays).
    let r = arm.send(Method::Delete, &path, API, None);
    assert_eq!(r.status, 202);
    let location = r.header("Location").unwrap().to_owned();
    arm.settle();
    assert_eq!(arm.get(&location, API).status, 200);
    assert_eq!(arm.get(&path, API).status, 404);
    assert_eq!(
        arm.get(
            &format!("{rg}/providers/Microsoft.Storage/storageAccounts/stsecure1"),
            "2023-04-01"
        )
        .status,
        200
    );
}

#[test]
fn nested_deployments_in_outer_and_inner_scope() {
    let arm = Arm::new("rg-nest");
    let inner_template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"prefix": {"type": "string"}},
        "resources": [storage("[concat(parameters('prefix'), 'inner')]")],
        "outputs": {"made": {"type": "string", "value": "[concat(parameters('prefix'), 'inner')]"}},
    });
    let outer_template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [storage("[concat(parameters('prefix'), 'outer')]")],
    });
    let nested = |name: &str, scope: &str, template: Value, params: Value| {
        json!({
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2024-03-01",
            "name": name,
            "properties": {
                "mode": "Incremental",
                "expressionEvaluationOptions": {"scope": scope},
                "template": template,
                "parameters": params,
            },
        })
    };
    let resources = json!([
        nested("outerdep", "outer", outer_template, json!({})),
        nested(
            "innerdep",
            "inner",
            inner_template,
            json!({"prefix": {"value": "[concat(parameters('prefix'), 'x')]"}})
        ),
    ]);
    let outputs = json!({"fromInner": {"type": "string", "value": "[reference('innerdep').outputs.made.value]"}});
    let mut t = template(resources, outputs);
    t["resources"][1]["dependsOn"] = json!(["outerdep"]);
    let path = deployment_path("rg-nest", "parent");
    let r = arm.send(
        Method::Put,
        &path,
        API,
        Some(body(t, json!({"prefix": {"value": "stcopy"}}))),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    arm.settle();
    let d = arm.get(&path, API).body.unwrap();
    assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");
    assert_eq!(
        d["properties"]["outputs"]["fromInner"]["value"],
        "stcopyxinner"
    );
    let rg = rg_path("rg-nest");
    for name in ["stcopyouter", "stcopyxinner"] {
        let id = format!("{rg}/providers/Microsoft.Storage/storageAccounts/{name}");
        assert_eq!(arm.get(&id, "2023-04-01").status, 200, "{id}");
    }
    assert_eq!(
        arm.get(&deployment_path("rg-nest", "innerdep"), API)
            .body
            .unwrap()["properties"]["provisioningState"],
        "Succeeded"
    );
    // A nested deployment that fails fails its parent.
    let bad = json!([nested(
        "baddep",
        "outer",
        json!({"$schema": "x", "resources": [storage("Bad_Name")]}),
        json!({})
    )]);
    let r = arm.send(
        Method::Put,
        &deployment_path("rg-nest", "p2"),
        API,
        Some(body(
            template(bad, json!({})),
            json!({"prefix": {"value": "stcopy"}}),
        )),
    );
    assert_eq!(r.status, 201);
    arm.settle();
    let d = arm
        .get(&deployment_path("rg-nest", "p2"), API)
        .body
        .unwrap();
    assert_eq!(
        d["properties"]["error"]["details"][0]["code"], "DeploymentFailed",
        "{d}"
    );
    assert_eq!(
        d["properties"]["error"]["details"][0]["details"][0]["code"],
        "AccountNameInvalid"
    );
}
