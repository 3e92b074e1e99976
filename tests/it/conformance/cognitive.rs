//! Conformance of the emulated `Microsoft.CognitiveServices` types with the official REST
//! examples (Azure/azure-rest-api-specs, stable 2025-06-01 and 2026-03-01, copied under
//! `tests/data/cognitiveservices/` with their source and commit in `MANIFEST.tsv`).
//!
//! Each example is replayed: the resources it presumes are created first (the examples name
//! them but not how they were made), then the example's request is sent with its parameters
//! and body. The status must be one the example documents, every field of the documented
//! response must be in the emulator's answer (read again once settled), and what the request
//! set must come back as set.

use amlab::arm::transport::Method;
use serde_json::{Value, json};

use super::setup::World;
use super::tally::{Tally, judge};
use crate::support::repo;

const PROVIDER: &str = "Microsoft.CognitiveServices";

/// Every example of the suite, replayed into `t`.
pub(super) fn replay_all(t: &mut Tally) {
    create_account_min(t);
    create_project(t);
    update_deployment(t);
    list_deployments(t);
    list_and_regenerate_keys(t);
    delete_get_deleted_and_purge(t);
    list_usages(t);
    create_account_connection(t);
}

/// The example `file` (its path under `tests/data/cognitiveservices/`, its label) and its
/// content.
fn example(file: &str) -> (String, Value) {
    let path = repo().join("tests/data/cognitiveservices").join(file);
    let v = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (format!("cognitiveservices/{file}"), v)
}

fn param<'a>(ex: &'a Value, name: &str) -> &'a str {
    ex["parameters"][name].as_str().unwrap()
}

fn rg_path(ex: &Value) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{}",
        param(ex, "subscriptionId"),
        param(ex, "resourceGroupName")
    )
}

fn account_path(ex: &Value) -> String {
    format!(
        "{}/providers/Microsoft.CognitiveServices/accounts/{}",
        rg_path(ex),
        param(ex, "accountName")
    )
}

/// Records whether the answer conforms: the example documents `status`, and the key paths
/// of the body it documents for `documented` are in `ours`.
fn conforms(t: &mut Tally, file: &str, ex: &Value, status: u16, documented: &str, ours: &Value) {
    t.record(PROVIDER, file, judge(ex, status, documented, ours));
}

fn rg(w: &World, ex: &Value, location: &str) {
    w.given(&rg_path(ex), "2024-03-01", json!({"location": location}));
}

fn create_account_min(t: &mut Tally) {
    let (f, ex) = example("2025-06-01/CreateAccountMin.json");
    let w = World::new();
    rg(&w, &ex, "westus");
    let body = ex["parameters"]["account"].clone();
    let r = w.send_api(
        Method::Put,
        &account_path(&ex),
        param(&ex, "api-version"),
        Some(body.clone()),
    );
    assert!(r.header("Azure-AsyncOperation").is_some());
    w.settle();
    let got = w.send_api(
        Method::Get,
        &account_path(&ex),
        param(&ex, "api-version"),
        None,
    );
    let got = got.body.unwrap();
    conforms(t, &f, &ex, r.status, "201", &got);
    assert_eq!(got["kind"], body["kind"]);
    assert_eq!(got["sku"], body["sku"]);
    assert_eq!(got["identity"]["type"], "SystemAssigned");
}

fn create_project(t: &mut Tally) {
    let (f, ex) = example("2025-06-01/CreateProject.json");
    let w = World::new();
    rg(&w, &ex, "westus");
    w.given(
        &account_path(&ex),
        "2025-06-01",
        json!({"location": "westus", "kind": "AIServices", "sku": {"name": "S0"},
               "properties": {"customSubDomainName": "testcreate1", "allowProjectManagement": true}}),
    );
    let path = format!(
        "{}/projects/{}",
        account_path(&ex),
        param(&ex, "projectName")
    );
    let body = ex["parameters"]["project"].clone();
    let r = w.send_api(
        Method::Put,
        &path,
        param(&ex, "api-version"),
        Some(body.clone()),
    );
    assert!(r.header("Location").is_none());
    w.settle();
    let got = w
        .send_api(Method::Get, &path, "2025-06-01", None)
        .body
        .unwrap();
    conforms(t, &f, &ex, r.status, "201", &got);
    assert_eq!(
        got["properties"]["displayName"],
        body["properties"]["displayName"]
    );
    assert_eq!(
        got["properties"]["description"],
        body["properties"]["description"]
    );
}

/// An OpenAI account in eastus with an `ada` deployment of `capacity`, as the deployment
/// examples presume.
fn ada(w: &World, ex: &Value, capacity: u64) -> String {
    rg(w, ex, "eastus");
    w.given(
        &account_path(ex),
        "2025-06-01",
        json!({"location": "eastus", "kind": "OpenAI", "sku": {"name": "S0"}, "properties": {}}),
    );
    let path = format!("{}/deployments/deploymentName", account_path(ex));
    w.given(
        &path,
        "2025-06-01",
        json!({"sku": {"name": "Standard", "capacity": capacity},
               "properties": {"model": {"format": "OpenAI", "name": "ada", "version": "1"}}}),
    );
    path
}

fn update_deployment(t: &mut Tally) {
    let (f, ex) = example("2026-03-01/UpdateDeployment.json");
    let w = World::new();
    let path = ada(&w, &ex, 2);
    let body = ex["parameters"]["deployment"].clone();
    let r = w.send_api(Method::Patch, &path, param(&ex, "api-version"), Some(body));
    w.settle();
    let got = w
        .send_api(Method::Get, &path, "2026-03-01", None)
        .body
        .unwrap();
    conforms(t, &f, &ex, r.status, "200", &got);
    assert_eq!(got["sku"]["capacity"], 1);
}

fn list_deployments(t: &mut Tally) {
    let (f, ex) = example("2026-03-01/ListDeployments.json");
    let w = World::new();
    ada(&w, &ex, 1);
    let r = w.send_api(
        Method::Get,
        &format!("{}/deployments", account_path(&ex)),
        param(&ex, "api-version"),
        None,
    );
    let got = r.body.clone().unwrap();
    assert_eq!(got["value"].as_array().map(Vec::len), Some(1));
    let mut one = ex.clone();
    one["responses"]["200"]["body"] = ex["responses"]["200"]["body"]["value"][0].clone();
    conforms(t, &f, &one, r.status, "200", &got["value"][0]);
}

/// An account `myAccount`-like, for the key and delete examples.
fn plain_account(w: &World, ex: &Value, location: &str, kind: &str, sku: &str) {
    rg(w, ex, location);
    w.given(
        &account_path(ex),
        "2025-06-01",
        json!({"location": location, "kind": kind, "sku": {"name": sku},
               "tags": {"ExpiredDate": "2017/09/01", "Owner": "felixwa"}, "properties": {}}),
    );
}

fn list_and_regenerate_keys(t: &mut Tally) {
    let (f, ex) = example("2025-06-01/ListKeys.json");
    let w = World::new();
    plain_account(&w, &ex, "westus", "CognitiveServices", "S0");
    let r = w.send_api(
        Method::Post,
        &format!("{}/listKeys", account_path(&ex)),
        param(&ex, "api-version"),
        None,
    );
    let keys = r.body.clone().unwrap();
    conforms(t, &f, &ex, r.status, "200", &keys);
    let (f, ex) = example("2025-06-01/RegenerateKey.json");
    let body = ex["parameters"]["parameters"].clone();
    let r = w.send_api(
        Method::Post,
        &format!("{}/regenerateKey", account_path(&ex)),
        param(&ex, "api-version"),
        Some(body),
    );
    let fresh = r.body.clone().unwrap();
    conforms(t, &f, &ex, r.status, "200", &fresh);
    assert_eq!(fresh["key1"], keys["key1"]);
    assert_ne!(fresh["key2"], keys["key2"]);
}

fn delete_get_deleted_and_purge(t: &mut Tally) {
    let (f, ex) = example("2025-06-01/DeleteAccount.json");
    let w = World::new();
    plain_account(&w, &ex, "westus", "TextAnalytics", "F0");
    let r = w.send_api(
        Method::Delete,
        &account_path(&ex),
        param(&ex, "api-version"),
        None,
    );
    conforms(t, &f, &ex, r.status, "202", &Value::Null);
    w.settle();
    let (purge, ex) = example("2025-06-01/PurgeDeletedAccount.json");
    let deleted = format!(
        "/subscriptions/{}/providers/Microsoft.CognitiveServices/locations/{}/resourceGroups/{}/deletedAccounts/{}",
        param(&ex, "subscriptionId"),
        param(&ex, "location"),
        param(&ex, "resourceGroupName"),
        param(&ex, "accountName")
    );
    // The purge example's subscription is a placeholder: nothing is deleted there.
    assert_eq!(
        w.send_api(Method::Delete, &deleted, param(&ex, "api-version"), None)
            .status,
        404
    );
    let (f, ex_get) = example("2026-03-01/GetDeletedAccount.json");
    let w = World::new();
    plain_account(&w, &ex_get, "westus", "TextAnalytics", "F0");
    w.send_api(Method::Delete, &account_path(&ex_get), "2025-06-01", None);
    w.settle();
    let deleted = format!(
        "/subscriptions/{}/providers/Microsoft.CognitiveServices/locations/{}/resourceGroups/{}/deletedAccounts/{}",
        param(&ex_get, "subscriptionId"),
        param(&ex_get, "location"),
        param(&ex_get, "resourceGroupName"),
        param(&ex_get, "accountName")
    );
    let r = w.send_api(Method::Get, &deleted, param(&ex_get, "api-version"), None);
    let got = r.body.clone().unwrap();
    conforms(t, &f, &ex_get, r.status, "200", &got);
    assert_eq!(got["id"], ex_get["responses"]["200"]["body"]["id"]);
    let r = w.send_api(Method::Delete, &deleted, param(&ex, "api-version"), None);
    conforms(t, &purge, &ex, r.status, "202", &Value::Null);
    w.settle();
    assert_eq!(
        w.send_api(Method::Get, &deleted, "2026-03-01", None).status,
        404
    );
}

fn list_usages(t: &mut Tally) {
    let (f, ex) = example("2025-06-01/ListUsages.json");
    let w = World::new();
    let path = format!(
        "/subscriptions/{}/providers/Microsoft.CognitiveServices/locations/{}/usages",
        param(&ex, "subscriptionId"),
        param(&ex, "location")
    );
    let r = w.send_api(Method::Get, &path, param(&ex, "api-version"), None);
    let got = r.body.clone().unwrap();
    let mut one = ex.clone();
    one["responses"]["200"]["body"] = ex["responses"]["200"]["body"]["value"][0].clone();
    conforms(t, &f, &one, r.status, "200", &got["value"][0]);
    assert_eq!(got["value"][0]["name"]["value"], "AccountCount");
}

fn create_account_connection(t: &mut Tally) {
    let (f, ex) = example("2025-06-01/AccountConnection/create.json");
    let w = World::new();
    plain_account(&w, &ex, "eastus", "AIServices", "S0");
    let path = format!(
        "{}/connections/{}",
        account_path(&ex),
        param(&ex, "connectionName")
    );
    let body = ex["parameters"]["body"].clone();
    let r = w.send_api(
        Method::Put,
        &path,
        param(&ex, "api-version"),
        Some(body.clone()),
    );
    let got = r.body.clone().unwrap();
    conforms(t, &f, &ex, r.status, "200", &got);
    assert_eq!(
        got["properties"]["expiryTime"],
        body["properties"]["expiryTime"]
    );
}
