//! Conformance of the private networking and container group types with the official REST
//! examples (Azure/azure-rest-api-specs; copied under `tests/data/network/` with their source
//! and commit in `MANIFEST.tsv`): virtual networks (network 2024-07-01), the private endpoint
//! connections of AI services accounts (cognitiveservices 2025-06-01) and search services
//! (search 2025-05-01), container groups (containerinstance 2025-09-01).
//!
//! Each example is replayed in a fresh emulator holding what it presumes: a connection exists
//! only once a private endpoint asked for it, so the example's connection name (a GUID the
//! service chose) is replaced by the one the emulator chose. The status must be one the example
//! documents and the key paths of the documented body are counted in the answer (read again
//! once settled) in the conformance totals ([`super::tally`]).

use amlab::arm::transport::{HttpResponse, Method};
use serde_json::{Value, json};

use super::setup;
use super::tally::{Outcome, Tally, judge};
use crate::support::repo;

/// The resource group of an example, in a fresh emulator world.
struct World {
    w: setup::World,
    sub: String,
    rg: String,
}

impl World {
    fn new(example: &Value) -> Self {
        let p = &example["parameters"];
        let w = Self {
            w: setup::World::new(),
            sub: p["subscriptionId"].as_str().unwrap().to_owned(),
            rg: p["resourceGroupName"].as_str().unwrap().to_owned(),
        };
        w.given("", "2024-03-01", json!({"location": "eastus"}));
        w
    }

    fn path(&self, rest: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}{rest}",
            self.sub, self.rg
        )
    }

    fn send(&self, method: Method, rest: &str, api: &str, body: Option<Value>) -> HttpResponse {
        self.w.send_api(method, &self.path(rest), api, body)
    }

    fn given(&self, rest: &str, api: &str, body: Value) {
        self.w.given(&self.path(rest), api, body);
    }

    /// A network, the target `target_path` (made with `target_body`) and an endpoint `pe` to it
    /// with `group`: the name of the connection the target now has.
    fn connection(
        &self,
        target_path: &str,
        api: &str,
        target_body: Value,
        pe: &str,
        group: &str,
    ) -> String {
        let vnet = "/providers/Microsoft.Network/virtualNetworks/vnet1";
        self.given(
            vnet,
            "2024-07-01",
            json!({"location": "eastus", "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "pe", "properties": {"addressPrefix": "10.0.0.0/24"}}]}}),
        );
        self.given(target_path, api, target_body);
        let rg_id = format!("/subscriptions/{}/resourceGroups/{}", self.sub, self.rg);
        self.given(
            &format!("/providers/Microsoft.Network/privateEndpoints/{pe}"),
            "2024-07-01",
            json!({"location": "eastus", "properties": {
                "subnet": {"id": format!("{rg_id}{vnet}/subnets/pe")},
                "privateLinkServiceConnections": [{"name": pe, "properties": {
                    "privateLinkServiceId": format!("{rg_id}{target_path}"), "groupIds": [group]}}]}}),
        );
        let list = self.send(
            Method::Get,
            &format!("{target_path}/privateEndpointConnections"),
            api,
            None,
        );
        list.body.unwrap()["value"][0]["name"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// Sets up what `file` presumes; returns its method, path and body.
fn prepare(file: &str, w: &World, p: &Value) -> (Method, String, Option<Value>) {
    let account = |w: &World| {
        let path = format!(
            "/providers/Microsoft.CognitiveServices/accounts/{}",
            p["accountName"].as_str().unwrap()
        );
        let body = json!({"location": "eastus", "kind": "AIServices", "sku": {"name": "S0"}, "properties": {"customSubDomainName": "sub-sto2527"}});
        let name = w.connection(&path, "2025-06-01", body, "petest01", "account");
        (path, name)
    };
    let search = |w: &World| {
        let path = format!(
            "/providers/Microsoft.Search/searchServices/{}",
            p["searchServiceName"].as_str().unwrap()
        );
        let name = w.connection(
            &path,
            "2025-05-01",
            json!({"location": "eastus", "sku": {"name": "basic"}}),
            "testEndpoint",
            "searchService",
        );
        (path, name)
    };
    let conn = |(path, name): (String, String)| format!("{path}/privateEndpointConnections/{name}");
    match file.rsplit('/').next().unwrap() {
        "VirtualNetworkCreateSubnet.json" => (
            Method::Put,
            format!(
                "/providers/Microsoft.Network/virtualNetworks/{}",
                p["virtualNetworkName"].as_str().unwrap()
            ),
            Some(p["parameters"].clone()),
        ),
        "ContainerGroupsGet_Succeeded.json" => {
            let path = format!(
                "/providers/Microsoft.ContainerInstance/containerGroups/{}",
                p["containerGroupName"].as_str().unwrap()
            );
            w.given(&path, "2025-09-01", json!({"location": "WestUs", "zones": ["1"], "properties": {
                "osType": "Linux",
                "containers": [{"name": "demo1", "properties": {"image": "nginx", "ports": [{"port": 80}],
                    "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}},
                    "volumeMounts": [{"mountPath": "/mnt/volume1", "name": "volume1", "readOnly": false}]}}],
                "imageRegistryCredentials": [{"server": "azcloudconsoleregistry.azurecr.io", "username": "azcloudconsoleregistry", "password": "example-password"}],
                "ipAddress": {"ports": [{"port": 80, "protocol": "TCP"}], "type": "Public"},
                "volumes": [{"name": "volume1", "azureFile": {"shareName": "share1", "storageAccountName": "storage1", "storageAccountKey": "example-key", "readOnly": false}}]}}));
            (Method::Get, path, None)
        }
        "GetPrivateEndpointConnection.json" if p.get("accountName").is_some() => {
            (Method::Get, conn(account(w)), None)
        }
        "DeletePrivateEndpointConnection.json" if p.get("accountName").is_some() => {
            (Method::Delete, conn(account(w)), None)
        }
        "ListPrivateEndpointConnections.json" => (
            Method::Get,
            format!("{}/privateEndpointConnections", account(w).0),
            None,
        ),
        "GetPrivateEndpointConnection.json" => (Method::Get, conn(search(w)), None),
        "DeletePrivateEndpointConnection.json" => (Method::Delete, conn(search(w)), None),
        "UpdatePrivateEndpointConnection.json" => (
            Method::Put,
            conn(search(w)),
            Some(p["privateEndpointConnection"].clone()),
        ),
        other => panic!("no setup for {other}"),
    }
}

/// The provider an example is counted under (by its folder).
fn provider(file: &str) -> &'static str {
    match file.split('/').next().unwrap_or_default() {
        "network" => "Microsoft.Network",
        "containerinstance" => "Microsoft.ContainerInstance",
        "cognitiveservices" => "Microsoft.CognitiveServices",
        _ => "Microsoft.Search",
    }
}

/// Replays one example: its outcome and the answer (read again once settled, for a PUT).
fn replay(file: &str) -> (Outcome, Value) {
    let text = std::fs::read_to_string(repo().join("tests/data/network").join(file)).unwrap();
    let example: Value = serde_json::from_str(&text).unwrap();
    let p = &example["parameters"];
    let api = p["api-version"].as_str().unwrap();
    let w = World::new(&example);
    let (method, path, body) = prepare(file, &w, p);
    let r = w.send(method, &path, api, body);
    w.w.settle();
    let answer = match (method, r.body.clone()) {
        (Method::Put, _) if r.is_success() => w
            .send(Method::Get, &path, api, None)
            .body
            .unwrap_or_default(),
        (_, b) => b.unwrap_or_default(),
    };
    let status = r.status.to_string();
    (judge(&example, r.status, &status, &answer), answer)
}

/// Every example of `tests/data/network/MANIFEST.tsv`, replayed into `t`.
pub(super) fn replay_all(t: &mut Tally) {
    let manifest = std::fs::read_to_string(repo().join("tests/data/network/MANIFEST.tsv")).unwrap();
    let files: Vec<&str> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(files.len(), 8, "{files:?}");
    for file in files {
        let (outcome, _) = replay(file);
        t.record(provider(file), &format!("network/{file}"), outcome);
    }
}

#[test]
fn the_search_update_example_sets_what_it_asks_for_and_registry_secrets_stay_hidden() {
    let (_, answer) = replay("search/2025-05-01/UpdatePrivateEndpointConnection.json");
    let state = &answer["properties"]["privateLinkServiceConnectionState"];
    assert_eq!(state["status"], "Rejected");
    assert_eq!(state["description"], "Rejected for some reason");
    let (_, group) = replay("containerinstance/2025-09-01/ContainerGroupsGet_Succeeded.json");
    let text = group.to_string();
    assert!(
        !text.contains("example-password") && !text.contains("example-key"),
        "{text}"
    );
}
