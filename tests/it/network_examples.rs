//! Conformance of the private networking and container group types with the official REST
//! examples (Azure/azure-rest-api-specs; copied under `tests/data/network/` with their source
//! and commit in `MANIFEST.tsv`): virtual networks (network 2024-07-01), the private endpoint
//! connections of AI services accounts (cognitiveservices 2025-06-01) and search services
//! (search 2025-05-01), container groups (containerinstance 2025-09-01).
//!
//! Each example is replayed in a fresh emulator holding what it presumes: a connection exists
//! only once a private endpoint asked for it, so the example's connection name (a GUID the
//! service chose) is replaced by the one the emulator chose. The status must be one the example
//! documents and every key path of the documented body must be in the answer (read again once
//! settled), except for the gaps listed in [`GAPS`], each still a gap.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use amlab::arm::transport::{HttpRequest, HttpResponse, Method};
use amlab::emulator::{Emulator, EmulatorOptions, ManualClock};
use serde_json::{Value, json};

use crate::support::repo;

const DELAY: Duration = Duration::from_millis(1000);

/// Examples whose documented body the emulator does not return, and why.
const GAPS: &[(&str, &str)] = &[(
    "search/2025-05-01/DeletePrivateEndpointConnection.json",
    "the DELETE answers 200 without the deleted connection",
)];

struct World {
    emu: Emulator,
    clock: Arc<ManualClock>,
    sub: String,
    rg: String,
}

impl World {
    fn new(example: &Value) -> Self {
        let clock = Arc::new(ManualClock::default());
        let options = EmulatorOptions {
            provisioning_delay: DELAY,
            ..EmulatorOptions::default()
        };
        let emu = Emulator::open_with_clock(options, clock.clone()).unwrap();
        let p = &example["parameters"];
        let w = Self {
            emu,
            clock,
            sub: p["subscriptionId"].as_str().unwrap().to_owned(),
            rg: p["resourceGroupName"].as_str().unwrap().to_owned(),
        };
        w.given("", "2024-03-01", json!({"location": "eastus"}));
        w
    }

    fn url(&self, rest: &str, api: &str) -> String {
        format!(
            "https://management.azure.com/subscriptions/{}/resourceGroups/{}{rest}?api-version={api}",
            self.sub, self.rg
        )
    }

    fn send(&self, method: Method, rest: &str, api: &str, body: Option<Value>) -> HttpResponse {
        let mut req = HttpRequest::new(method, self.url(rest, api));
        req.body = body;
        self.emu.handle(&req).unwrap()
    }

    fn given(&self, rest: &str, api: &str, body: Value) {
        let r = self.send(Method::Put, rest, api, Some(body));
        assert!(
            r.status < 300,
            "setup PUT {rest}: {} {:?}",
            r.status,
            r.body
        );
        self.clock.advance(DELAY * 2);
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

/// The key paths of a JSON value (arrays as `[]`, null values left out).
fn key_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if !x.is_null() {
                    let p = format!("{prefix}.{k}");
                    out.insert(p.clone());
                    key_paths(x, &p, out);
                }
            }
        }
        Value::Array(a) => a
            .iter()
            .for_each(|x| key_paths(x, &format!("{prefix}[]"), out)),
        _ => {}
    }
}

fn missing_paths(documented: &Value, answer: &Value) -> Vec<String> {
    let (mut want, mut got) = (BTreeSet::new(), BTreeSet::new());
    key_paths(documented, "", &mut want);
    key_paths(answer, "", &mut got);
    want.difference(&got).cloned().collect()
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

/// Replays one example: (status accepted, missing key paths).
fn replay(file: &str) -> (u16, Vec<String>, Value) {
    let text = std::fs::read_to_string(repo().join("tests/data/network").join(file)).unwrap();
    let example: Value = serde_json::from_str(&text).unwrap();
    let p = &example["parameters"];
    let api = p["api-version"].as_str().unwrap();
    let w = World::new(&example);
    let (method, path, body) = prepare(file, &w, p);
    let r = w.send(method, &path, api, body);
    let responses = example["responses"].as_object().unwrap();
    assert!(
        responses.contains_key(&r.status.to_string()),
        "{file}: {} {:?}",
        r.status,
        r.body
    );
    w.clock.advance(DELAY * 2);
    let answer = match (method, r.body.clone()) {
        (Method::Put, _) => w
            .send(Method::Get, &path, api, None)
            .body
            .unwrap_or_default(),
        (_, b) => b.unwrap_or_default(),
    };
    let documented = &responses[&r.status.to_string()]["body"];
    (r.status, missing_paths(documented, &answer), answer)
}

#[test]
fn the_official_examples_replay_against_the_emulator() {
    let manifest = std::fs::read_to_string(repo().join("tests/data/network/MANIFEST.tsv")).unwrap();
    let files: Vec<&str> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(files.len(), 8, "{files:?}");
    for file in files {
        let (status, missing, answer) = replay(file);
        match GAPS.iter().find(|(f, _)| *f == file) {
            Some((_, why)) => assert!(
                !missing.is_empty(),
                "{file} is no longer a gap ({why}): remove it from GAPS"
            ),
            None => assert_eq!(missing, Vec::<String>::new(), "{file} ({status}): {answer}"),
        }
    }
}

#[test]
fn the_search_update_example_sets_what_it_asks_for_and_registry_secrets_stay_hidden() {
    let (_, _, answer) = replay("search/2025-05-01/UpdatePrivateEndpointConnection.json");
    let state = &answer["properties"]["privateLinkServiceConnectionState"];
    assert_eq!(state["status"], "Rejected");
    assert_eq!(state["description"], "Rejected for some reason");
    let (_, _, group) = replay("containerinstance/2025-09-01/ContainerGroupsGet_Succeeded.json");
    let text = group.to_string();
    assert!(
        !text.contains("example-password") && !text.contains("example-key"),
        "{text}"
    );
}
