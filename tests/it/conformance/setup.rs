//! A fresh emulator world per example, and what an example presupposes: its resource group,
//! its workspace (with the dependencies and a cluster, an environment and a model to refer
//! to) and parent resources, created with the smallest bodies the service accepts.

use std::sync::Arc;
use std::time::Duration;

use amlab::arm::transport::{HttpRequest, HttpResponse, Method};
use amlab::emulator::{Emulator, EmulatorOptions, ManualClock};
use serde_json::{Value, json};

/// The host of every request.
pub(super) const HOST: &str = "https://management.azure.com";
const DELAY: Duration = Duration::from_millis(1000);
const ML_API: &str = "2025-12-01";

/// One emulator world on a manual clock.
pub(super) struct World {
    emu: Emulator,
    clock: Arc<ManualClock>,
}

pub(super) fn method(name: &str) -> Method {
    match name {
        "GET" => Method::Get,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        "POST" => Method::Post,
        other => panic!("unknown method {other}"),
    }
}

impl World {
    pub(super) fn new() -> Self {
        let clock = Arc::new(ManualClock::default());
        let options = EmulatorOptions {
            provisioning_delay: DELAY,
            ..EmulatorOptions::default()
        };
        let emu = Emulator::open_with_clock(options, clock.clone()).unwrap();
        Self { emu, clock }
    }

    /// Sends `method` to `url` (absolute, or a path and query on [`HOST`]).
    pub(super) fn send(&self, method: Method, url: &str, body: Option<Value>) -> HttpResponse {
        let url = if url.starts_with("https://") {
            url.to_owned()
        } else {
            format!("{HOST}{url}")
        };
        let mut req = HttpRequest::new(method, url);
        req.body = body;
        self.emu.handle(&req).unwrap()
    }

    /// Sends a request as built (headers and all).
    pub(super) fn handle(&self, req: &HttpRequest) -> HttpResponse {
        self.emu.handle(req).unwrap()
    }

    /// Sends `method` to the ARM `path` (which may carry a query) at `api`.
    pub(super) fn send_api(
        &self,
        method: Method,
        path: &str,
        api: &str,
        body: Option<Value>,
    ) -> HttpResponse {
        let sep = if path.contains('?') { '&' } else { '?' };
        self.send(method, &format!("{path}{sep}api-version={api}"), body)
    }

    /// Creates (and settles) what an example presumes; panics if the emulator refuses.
    pub(super) fn given(&self, path: &str, api: &str, body: Value) {
        if let Err(e) = self.try_put(path, api, body) {
            panic!("setup {e}");
        }
    }

    /// The secret values the emulator keeps out of its logs and recordings.
    pub(super) fn secrets(&self) -> Vec<String> {
        self.emu.secrets()
    }

    /// Lets every running operation finish.
    pub(super) fn settle(&self) {
        self.clock.advance(DELAY * 2);
    }

    /// PUTs `body` at `path` and settles; whether the PUT was accepted.
    pub(super) fn put(&self, path: &str, api: &str, body: Value) -> bool {
        self.try_put(path, api, body).is_ok()
    }

    /// PUTs `body` at `path` and settles; the error answered, if any.
    pub(super) fn try_put(&self, path: &str, api: &str, body: Value) -> Result<(), String> {
        let r = self.send(
            Method::Put,
            &format!("{path}?api-version={api}"),
            Some(body),
        );
        self.settle();
        if r.is_success() {
            Ok(())
        } else {
            Err(format!("PUT {path}: {} {:?}", r.status, r.body))
        }
    }

    /// The resource group `path` (`/subscriptions/s/resourceGroups/rg`).
    pub(super) fn resource_group(&self, path: &str) {
        assert!(self.put(path, "2024-03-01", json!({"location": "eastus"})));
    }

    /// The workspace `path` with its dependencies, a cluster `cpu-cluster`, an environment
    /// `conformance-env` and a model `conformance-model` (version 1 each).
    pub(super) fn workspace(&self, rg: &str, path: &str) -> Result<(), String> {
        let dep = |rest: &str| format!("{rg}/providers/{rest}");
        let st = dep("Microsoft.Storage/storageAccounts/stconformance");
        let kv = dep("Microsoft.KeyVault/vaults/kvconformance");
        let ai = dep("Microsoft.Insights/components/aiconformance");
        self.try_put(&st, "2023-05-01", storage_body())?;
        self.try_put(&kv, "2023-07-01", vault_body())?;
        self.try_put(&ai, "2020-02-02", component_body())?;
        let acr = dep("Microsoft.ContainerRegistry/registries/acrconformance");
        self.try_put(
            &acr,
            "2023-07-01",
            json!({"location": "eastus", "sku": {"name": "Basic"}, "properties": {"adminUserEnabled": true}}),
        )?;
        let ws = json!({"location": "eastus", "properties": {
            "storageAccount": st, "keyVault": kv, "applicationInsights": ai, "containerRegistry": acr}});
        self.try_put(path, ML_API, ws)?;
        self.try_put(
            &format!("{path}/computes/cpu-cluster"),
            ML_API,
            aml_compute(),
        )?;
        self.try_put(
            &format!("{path}/environments/conformance-env/versions/1"),
            ML_API,
            json!({"properties": {"image": "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest"}}),
        )?;
        self.try_put(
            &format!("{path}/models/conformance-model/versions/1"),
            ML_API,
            json!({"properties": {"modelType": "mlflow_model", "modelUri": "azureml://datastores/workspaceblobstore/paths/model/"}}),
        )
    }
}

fn storage_body() -> Value {
    json!({"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"})
}

fn vault_body() -> Value {
    json!({"location": "eastus", "properties": {"tenantId": "00000000-0000-0000-0000-000000000000",
        "sku": {"family": "A", "name": "standard"}}})
}

fn component_body() -> Value {
    json!({"location": "eastus", "kind": "web", "properties": {"Application_Type": "web"}})
}

fn aml_compute() -> Value {
    json!({"properties": {"computeType": "AmlCompute", "properties": {
        "vmSize": "STANDARD_DS11_V2", "scaleSettings": {"maxNodeCount": 2}}}})
}

fn command_job(ws: &str) -> Value {
    json!({"jobType": "Command", "command": "python train.py",
        "environmentId": format!("{ws}/environments/conformance-env/versions/1"),
        "computeId": format!("{ws}/computes/cpu-cluster")})
}

/// The smallest bodies of a type the service accepts, most useful first (`ws`: the
/// workspace id, for references).
pub(super) fn minimal(ty: &str, ws: &str) -> Vec<Value> {
    let model = format!("{ws}/models/conformance-model/versions/1");
    match ty {
        "resourceGroups" => vec![json!({"location": "eastus"})],
        "storageAccounts" => vec![storage_body()],
        "vaults" => vec![vault_body()],
        "components" => vec![component_body()],
        "registries" => vec![
            json!({"location": "eastus", "sku": {"name": "Basic"}, "properties": {"adminUserEnabled": true}}),
            json!({"location": "eastus", "sku": {"name": "Basic"}}),
        ],
        "ml/registries" => vec![json!({"location": "eastus",
            "properties": {"regionDetails": [{"location": "eastus"}]}})],
        "ml/registries/models" => vec![json!({"properties": {}})],
        "ml/registries/models/versions" => vec![json!({"properties": {"modelType": "custom_model",
            "modelUri": "azureml://registries/conformance/models/m/versions/1"}})],
        "computes" => vec![
            json!({"properties": {"computeType": "ComputeInstance", "properties": {"vmSize": "STANDARD_DS3_V2"}}}),
            json!({"properties": {"computeType": "AmlCompute", "properties": {
                "vmSize": "STANDARD_DS11_V2", "scaleSettings": {"minNodeCount": 1, "maxNodeCount": 2}}}}),
            json!({"properties": {"computeType": "AKS", "resourceId": format!(
                "{}/providers/Microsoft.ContainerService/managedClusters/aks1",
                ws.split("/providers/").next().unwrap_or_default())}}),
        ],
        "datastores" => vec![json!({"properties": {"datastoreType": "AzureBlob",
            "accountName": "stconformance", "containerName": "data",
            "credentials": {"credentialsType": "AccountKey",
                "secrets": {"secretsType": "AccountKey", "key": "c2VjcmV0LWtleQ=="}}}})],
        "data" => vec![json!({"properties": {"dataType": "uri_file"}})],
        "environments" | "models" => vec![json!({"properties": {}})],
        "data/versions" => vec![json!({"properties": {"dataType": "uri_file",
            "dataUri": "azureml://datastores/workspaceblobstore/paths/a.csv"}})],
        "environments/versions" => vec![json!({"properties": {
            "image": "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest"}})],
        "models/versions" => vec![json!({"properties": {"modelType": "mlflow_model",
            "modelUri": "azureml://datastores/workspaceblobstore/paths/model/"}})],
        "jobs" => vec![json!({"properties": command_job(ws)})],
        "onlineEndpoints" => vec![
            json!({"location": "eastus", "properties": {"authMode": "Key"}}),
            json!({"location": "eastus", "properties": {"authMode": "AMLToken"}}),
        ],
        "onlineEndpoints/deployments" => vec![json!({"location": "eastus",
            "sku": {"name": "Default", "capacity": 1},
            "properties": {"endpointComputeType": "Managed", "model": model,
                "instanceType": "Standard_DS3_v2"}})],
        "batchEndpoints" => {
            vec![json!({"location": "eastus", "properties": {"authMode": "AADToken"}})]
        }
        "batchEndpoints/deployments" => vec![json!({"location": "eastus", "properties": {
            "compute": format!("{ws}/computes/cpu-cluster"),
            "model": {"referenceType": "Id", "assetId": model}}})],
        "schedules" => vec![json!({"properties": {
            "trigger": {"triggerType": "Recurrence", "frequency": "Day", "interval": 1},
            "action": {"actionType": "CreateJob", "jobDefinition": command_job(ws)}}})],
        "storageAccounts/blobServices/containers" => vec![json!({"properties": {}})],
        "storageAccounts/blobServices/containers/immutabilityPolicies" => vec![json!({
            "properties": {"immutabilityPeriodSinceCreationInDays": 3}})],
        "connections" => vec![json!({"properties": {"category": "ContainerRegistry",
            "target": "conformance.azurecr.io", "authType": "None"}})],
        // A custom role assignable in the whole subscription (`ws`: any id in it).
        "roleDefinitions" => vec![json!({"properties": {"roleName": "Conformance custom role",
            "assignableScopes": [ws.split('/').take(3).collect::<Vec<_>>().join("/")],
            "permissions": [{"actions": ["*/read"]}]}})],
        "roleAssignments" => vec![json!({"properties": {
            // AzureML Data Scientist, a built-in role.
            "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/f6c7c914-8db3-469d-8ca1-694a8f32e121",
            "principalId": "ce2ce14e-85d7-4629-bdbc-454d0519d987", "principalType": "User"}})],
        _ => Vec::new(),
    }
}

/// The api-version to create a resource of `ty` with (`ml`: the example's ML api-version).
pub(super) fn api_for(ty: &str, ml: &str) -> String {
    match ty {
        "resourceGroups" => "2024-03-01",
        "storageAccounts"
        | "storageAccounts/blobServices/containers"
        | "storageAccounts/blobServices/containers/immutabilityPolicies" => "2023-05-01",
        "vaults" => "2023-07-01",
        "components" => "2020-02-02",
        "registries" => "2023-07-01",
        "roleAssignments" | "roleDefinitions" => "2022-04-01",
        _ => ml,
    }
    .to_owned()
}
