//! Behaviour tests of the DP-100 catalog types (assets, jobs, endpoints, schedules, role
//! assignments) through the emulator's [`Transport`](crate::arm::transport::Transport)
//! interface, on a manual clock: one module per type.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Emulator, EmulatorOptions, ManualClock};
use crate::arm::transport::{HttpRequest, HttpResponse, Method, Transport};

mod asset_delete;
mod assets;
mod batch;
mod batch_invoke;
mod cognitive;
mod cognitive_quota;
mod compute_ops;
mod container_groups;
mod curated;
mod job_list;
mod jobs;
mod online;
mod online_delete;
mod private_networking;
mod registries;
mod role_assignments;
mod run_history;
mod schedules;
mod search;
mod workspace_ops;

const BASE: &str = "https://management.azure.com/subscriptions/sub1";
const ML: &str = "2025-12-01";
/// The provisioning delay of the fixture.
const DELAY: Duration = Duration::from_millis(1000);
/// The workspace id (as an ARM id, without the host).
const WS: &str = "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1";

pub(super) struct Fixture {
    emu: Emulator,
    clock: Arc<ManualClock>,
}

pub(super) fn ws_url(rest: &str) -> String {
    let sep = if rest.contains('?') { '&' } else { '?' };
    format!(
        "{BASE}/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1{rest}{sep}api-version={ML}"
    )
}

pub(super) fn body(r: &HttpResponse) -> &Value {
    r.body.as_ref().unwrap_or(&Value::Null)
}

pub(super) fn code(r: &HttpResponse) -> &str {
    body(r)["error"]["code"].as_str().unwrap_or("")
}

pub(super) fn message(r: &HttpResponse) -> &str {
    body(r)["error"]["message"].as_str().unwrap_or("")
}

pub(super) fn target(r: &HttpResponse) -> &str {
    body(r)["error"]["target"].as_str().unwrap_or("")
}

impl Fixture {
    pub(super) async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<Value>,
    ) -> HttpResponse {
        let mut req = HttpRequest::new(method, url);
        req.body = body;
        match self.emu.send(req).await {
            Ok(r) => r,
            Err(e) => panic!("transport error: {e}"),
        }
    }

    pub(super) async fn get(&self, url: &str) -> HttpResponse {
        self.send(Method::Get, url, None).await
    }

    pub(super) async fn put(&self, url: &str, body: Value) -> HttpResponse {
        self.send(Method::Put, url, Some(body)).await
    }

    pub(super) async fn patch(&self, url: &str, body: Value) -> HttpResponse {
        self.send(Method::Patch, url, Some(body)).await
    }

    pub(super) async fn delete(&self, url: &str) -> HttpResponse {
        self.send(Method::Delete, url, None).await
    }

    pub(super) async fn post(&self, url: &str, body: Option<Value>) -> HttpResponse {
        self.send(Method::Post, url, body).await
    }

    /// Moves the clock by `n` half delays.
    pub(super) fn halves(&self, n: u32) {
        self.clock.advance(DELAY / 2 * n);
    }

    pub(super) fn settle(&self) {
        self.clock.advance(DELAY * 2);
    }

    pub(super) fn secrets(&self) -> Vec<String> {
        self.emu.secrets()
    }

    /// PUT that must answer `status`.
    pub(super) async fn put_ok(&self, url: &str, body: Value, status: u16) -> HttpResponse {
        let r = self.put(url, body).await;
        assert_eq!(r.status, status, "PUT {url}: {:?}", r.body);
        r
    }
}

/// A fixture with only the resource group `rg1` (eastus).
pub(super) async fn resource_group() -> Fixture {
    let clock = Arc::new(ManualClock::default());
    let options = EmulatorOptions {
        provisioning_delay: DELAY,
        ..EmulatorOptions::default()
    };
    let emu = match Emulator::open_with_clock(options, clock.clone()) {
        Ok(e) => e,
        Err(e) => panic!("open: {e}"),
    };
    let f = Fixture { emu, clock };
    f.put_ok(
        &format!("{BASE}/resourceGroups/rg1?api-version=2024-03-01"),
        json!({"location": "eastus"}),
        201,
    )
    .await;
    f
}

/// A fixture with a settled workspace `ws1` in `rg1` (eastus) and a cluster `cpu-cluster`.
pub(super) async fn workspace() -> Fixture {
    let clock = Arc::new(ManualClock::default());
    let options = EmulatorOptions {
        provisioning_delay: DELAY,
        ..EmulatorOptions::default()
    };
    let emu = match Emulator::open_with_clock(options, clock.clone()) {
        Ok(e) => e,
        Err(e) => panic!("open: {e}"),
    };
    let f = Fixture { emu, clock };
    let p = "/subscriptions/sub1/resourceGroups/rg1/providers";
    let u = |rest: &str, api: &str| format!("{BASE}/resourceGroups/rg1{rest}?api-version={api}");
    f.put_ok(&u("", "2024-03-01"), json!({"location": "eastus"}), 201)
        .await;
    f.put_ok(
        &u(
            "/providers/Microsoft.Storage/storageAccounts/st1",
            "2023-05-01",
        ),
        json!({"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}),
        202,
    )
    .await;
    f.put_ok(
        &u("/providers/Microsoft.KeyVault/vaults/kv1", "2023-07-01"),
        json!({"location": "eastus", "properties": {"tenantId": "00000000-0000-0000-0000-000000000000", "sku": {"family": "A", "name": "standard"}}}),
        201,
    )
    .await;
    f.put_ok(
        &u("/providers/Microsoft.Insights/components/ai1", "2020-02-02"),
        json!({"location": "eastus", "kind": "web", "properties": {"Application_Type": "web"}}),
        200,
    )
    .await;
    f.put_ok(
        &ws_url(""),
        json!({"location": "eastus", "properties": {
            "storageAccount": format!("{p}/Microsoft.Storage/storageAccounts/st1"),
            "keyVault": format!("{p}/Microsoft.KeyVault/vaults/kv1"),
            "applicationInsights": format!("{p}/Microsoft.Insights/components/ai1")}}),
        202,
    )
    .await;
    f.settle();
    f.put_ok(
        &ws_url("/computes/cpu-cluster"),
        json!({"properties": {"computeType": "AmlCompute", "properties": {"vmSize": "STANDARD_DS11_V2", "scaleSettings": {"maxNodeCount": 2}}}}),
        201,
    )
    .await;
    f.settle();
    f
}

/// Registers environment `name` version 1: with a conda file, or a bare image.
pub(super) async fn environment(f: &Fixture, name: &str, with_conda: bool) -> String {
    let mut props = json!({"image": "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest"});
    if with_conda {
        props["condaFile"] = json!(
            "name: train\ndependencies:\n  - python=3.10\n  - pip:\n    - pandas\n    - scikit-learn\n"
        );
    }
    f.put_ok(
        &ws_url(&format!("/environments/{name}/versions/1")),
        json!({"properties": props}),
        201,
    )
    .await;
    format!("{WS}/environments/{name}/versions/1")
}

/// Registers model `name` version 1 of `model_type`.
pub(super) async fn model(f: &Fixture, name: &str, model_type: &str) -> String {
    f.put_ok(
        &ws_url(&format!("/models/{name}/versions/1")),
        json!({"properties": {"modelType": model_type, "modelUri": "azureml://datastores/workspaceblobstore/paths/model/"}}),
        201,
    )
    .await;
    format!("{WS}/models/{name}/versions/1")
}
