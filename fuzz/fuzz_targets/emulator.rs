//! Fuzz target: the ARM emulator behind `amlab serve`, which parses whatever a client sends.
//! Each input is a sequence of requests separated by NUL bytes; a request is a byte choosing the
//! resource path, a byte choosing the method (or POST action), and a JSON body. They go to a
//! fresh in-memory emulator that already holds a workspace and its dependencies, so bodies reach
//! each resource type's validation. Any sequence must give ARM responses, never a panic.
#![no_main]

use std::collections::BTreeMap;
use std::time::Duration;

use amlab::arm::resource_types::api_version_for;
use amlab::arm::transport::{HttpRequest, Method};
use amlab::emulator::{Emulator, EmulatorOptions};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg";
const WS: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/mlw-fuzz";

/// Paths the first byte of a request chooses from (relative to the workspace unless absolute).
const PATHS: &[&str] = &[
    "",
    "/computes/cpu-cluster",
    "/datastores/blob_store",
    "/data/diabetes/versions/1",
    "/data/diabetes",
    "/environments/sklearn-env/versions/1",
    "/components/train/versions/1",
    "/models/diabetes-model/versions/1",
    "/models/diabetes-model",
    "/jobs/job-0001",
    "/onlineEndpoints/endpoint-fuzz",
    "/onlineEndpoints/endpoint-fuzz/deployments/blue",
    "/batchEndpoints/batch-fuzz",
    "/batchEndpoints/batch-fuzz/deployments/classifier",
    "/schedules/nightly",
    "/providers/Microsoft.Authorization/roleAssignments/6f1c3a4e-0b7d-4a52-9c1e-2b7f0d4e8a11",
    "@",
    "@/providers/Microsoft.Storage/storageAccounts/stfuzz01",
    "@/providers/Microsoft.Storage/storageAccounts/stfuzz01/blobServices/default/containers/training-data",
    "@/providers/Microsoft.ContainerRegistry/registries/crfuzz01",
    "/computes",
    "/jobs",
    "/schedules",
];

const ACTIONS: &[&str] = &[
    "listKeys",
    "listSecrets",
    "cancel",
    "regenerateKeys",
    "token",
    "listkeys",
];

fn path(choice: u8) -> String {
    let p = PATHS[usize::from(choice) % PATHS.len()];
    match p.strip_prefix('@') {
        Some(rest) => format!("{RG}{rest}"),
        None => format!("{WS}{p}"),
    }
}

fn url(path: &str) -> String {
    let api = api_version_for(path, None, &BTreeMap::new());
    format!("https://management.azure.com{path}?api-version={api}")
}

fn send(emulator: &Emulator, method: Method, path: &str, body: Option<Value>) {
    let _ = emulator.handle(&HttpRequest {
        method,
        url: url(path),
        headers: Vec::new(),
        body,
    });
}

/// A fresh emulator holding the resource group, the workspace's dependencies and the workspace.
fn world() -> Option<Emulator> {
    let emulator = Emulator::open(EmulatorOptions {
        state_path: None,
        fresh: true,
        provisioning_delay: Duration::ZERO,
        read_only: false,
    })
    .ok()?;
    let sa = format!("{RG}/providers/Microsoft.Storage/storageAccounts/stfuzz01");
    let kv = format!("{RG}/providers/Microsoft.KeyVault/vaults/kv-fuzz-01");
    let ai = format!("{RG}/providers/Microsoft.Insights/components/appi-fuzz");
    send(
        &emulator,
        Method::Put,
        RG,
        Some(json!({"location": "eastus"})),
    );
    send(
        &emulator,
        Method::Put,
        &sa,
        Some(json!({"location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}})),
    );
    send(
        &emulator,
        Method::Put,
        &kv,
        Some(json!({"location": "eastus", "properties": {
            "tenantId": "00000000-0000-0000-0000-000000000000",
            "sku": {"family": "A", "name": "standard"}, "accessPolicies": []}})),
    );
    send(
        &emulator,
        Method::Put,
        &ai,
        Some(
            json!({"location": "eastus", "kind": "web", "properties": {"Application_Type": "web"}}),
        ),
    );
    send(
        &emulator,
        Method::Put,
        WS,
        Some(
            json!({"location": "eastus", "identity": {"type": "SystemAssigned"},
            "sku": {"name": "Basic", "tier": "Basic"},
            "properties": {"storageAccount": sa, "keyVault": kv, "applicationInsights": ai}}),
        ),
    );
    Some(emulator)
}

fuzz_target!(|data: &[u8]| {
    let requests: Vec<&[u8]> = data.split(|b| *b == 0).take(8).collect();
    let Some(emulator) = world() else {
        return;
    };
    for request in requests {
        let [target, verb, body @ ..] = request else {
            continue;
        };
        let path = path(*target);
        let body = if body.is_empty() {
            None
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(v) => Some(v),
                Err(_) => continue,
            }
        };
        match verb % 8 {
            0..=2 => send(&emulator, Method::Put, &path, body),
            3 => send(&emulator, Method::Patch, &path, body),
            4 => send(&emulator, Method::Get, &path, None),
            5 => send(&emulator, Method::Delete, &path, None),
            _ => {
                let action = ACTIONS[usize::from(*verb / 8) % ACTIONS.len()];
                send(&emulator, Method::Post, &format!("{path}/{action}"), body);
            }
        }
        // Read back what was written, and its collection.
        send(&emulator, Method::Get, &path, None);
    }
});
