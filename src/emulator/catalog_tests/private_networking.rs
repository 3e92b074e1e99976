//! Private networking: virtual networks and their address rules, private endpoints to an AI
//! services account and a search service, the connection they create on the target and its
//! approval, rejection and deletion.

use serde_json::{Value, json};

use super::cognitive::{account, account_url, create};
use super::{BASE, Fixture, body, code, message, resource_group};
use crate::arm::transport::Method;

const NET: &str = "2024-07-01";
const RG: &str = "/subscriptions/sub1/resourceGroups/rg1";

fn net_url(kind: &str, name: &str) -> String {
    format!("{BASE}/resourceGroups/rg1/providers/Microsoft.Network/{kind}/{name}?api-version={NET}")
}

fn vnet(space: &[&str], subnets: &[(&str, &str)]) -> Value {
    let subnets: Vec<Value> = subnets
        .iter()
        .map(|(n, p)| json!({"name": n, "properties": {"addressPrefix": p}}))
        .collect();
    json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": space}, "subnets": subnets}})
}

fn endpoint(target: &str, group: &str, manual: bool) -> Value {
    let list = if manual {
        "manualPrivateLinkServiceConnections"
    } else {
        "privateLinkServiceConnections"
    };
    json!({"location": "eastus", "properties": {
        "subnet": {"id": format!("{RG}/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/endpoints")},
        list: [{"name": "conn1", "properties": {"privateLinkServiceId": target, "groupIds": [group], "requestMessage": "please"}}]
    }})
}

/// A resource group with `vnet1` (10.0.0.0/16, subnet `endpoints` 10.0.1.0/24) and account `ai1`.
async fn network_and_account() -> (Fixture, String) {
    let f = resource_group().await;
    let r = f
        .put(
            &net_url("virtualNetworks", "vnet1"),
            vnet(&["10.0.0.0/16"], &[("endpoints", "10.0.1.0/24")]),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(r.header("Azure-AsyncOperation").is_some());
    assert_eq!(body(&r)["properties"]["provisioningState"], "Updating");
    f.settle();
    let mut a = account("AIServices", "S0", Some("ai1-sub"));
    a["properties"]["publicNetworkAccess"] = json!("Disabled");
    create(&f, "ai1", a).await;
    (
        f,
        format!("{RG}/providers/Microsoft.CognitiveServices/accounts/ai1"),
    )
}

#[tokio::test]
async fn subnets_must_lie_inside_the_address_space_without_overlapping() {
    let f = resource_group().await;
    let url = net_url("virtualNetworks", "vnet");
    let cases = [
        (
            vnet(&["10.0.0.0/16"], &[("a", "10.1.0.0/24")]),
            "NetcfgSubnetRangeOutsideVnet",
        ),
        (
            vnet(
                &["10.0.0.0/16"],
                &[("a", "10.0.0.0/24"), ("b", "10.0.0.128/25")],
            ),
            "NetcfgSubnetRangesOverlap",
        ),
        (
            vnet(&["10.0.0.0/16", "10.0.128.0/17"], &[]),
            "VnetAddressSpacesOverlap",
        ),
        (vnet(&["10.0.0.1/16"], &[]), "InvalidCIDRNotation"),
        (
            vnet(
                &["10.0.0.0/16"],
                &[("a", "10.0.0.0/24"), ("A", "10.0.1.0/24")],
            ),
            "InvalidRequestFormat",
        ),
    ];
    for (b, expected) in cases {
        let r = f.put(&url, b.clone()).await;
        assert_eq!((r.status, code(&r)), (400, expected), "{b}: {:?}", r.body);
    }
    let r = f.put(&url, vnet(&["10.0.0.1/16"], &[])).await;
    assert!(
        message(&r).contains("should be 10.0.0.0/16"),
        "{}",
        message(&r)
    );
    let r = f
        .put(
            &url,
            vnet(
                &["10.0.0.0/16", "10.1.0.0/16"],
                &[("a", "10.0.0.0/24"), ("b", "10.1.0.0/24")],
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    f.settle();
    let v = f.get(&url).await.body.unwrap_or_default();
    assert_eq!(v["properties"]["provisioningState"], "Succeeded");
    let s = &v["properties"]["subnets"][1];
    assert_eq!(
        s["id"],
        format!("{RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/b")
    );
    assert_eq!(
        s["properties"]["privateEndpointNetworkPolicies"],
        "Disabled"
    );
}

#[tokio::test]
async fn an_endpoint_creates_an_approved_connection_on_the_account() {
    let (f, ai) = network_and_account().await;
    let pe = net_url("privateEndpoints", "pe1");
    let r = f.put(&pe, endpoint(&ai, "blob", false)).await;
    assert_eq!((r.status, code(&r)), (400, "PrivateEndpointBadRequest"));
    assert!(message(&r).contains("one of: account"), "{}", message(&r));
    let mut wrong_subnet = endpoint(&ai, "account", false);
    wrong_subnet["properties"]["subnet"]["id"] = json!(format!(
        "{RG}/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/nope"
    ));
    assert_eq!(
        code(&f.put(&pe, wrong_subnet).await),
        "InvalidResourceReference"
    );
    let mut elsewhere = endpoint(&ai, "account", false);
    elsewhere["location"] = json!("westus");
    assert_eq!(
        code(&f.put(&pe, elsewhere).await),
        "InvalidResourceReference"
    );

    let r = f.put(&pe, endpoint(&ai, "account", false)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    f.settle();
    let got = f.get(&pe).await.body.unwrap_or_default();
    let state = &got["properties"]["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"];
    assert_eq!(state["status"], "Approved");
    assert_eq!(
        got["properties"]["manualPrivateLinkServiceConnections"],
        json!([])
    );
    let list = f
        .get(&account_url("ai1", "/privateEndpointConnections"))
        .await;
    let conns = body(&list)["value"].as_array().cloned().unwrap_or_default();
    assert_eq!(conns.len(), 1, "{:?}", list.body);
    assert_eq!(
        conns[0]["properties"]["privateEndpoint"]["id"],
        format!("{RG}/providers/Microsoft.Network/privateEndpoints/pe1")
    );
    assert_eq!(conns[0]["properties"]["groupIds"], json!(["account"]));
    assert!(
        conns[0]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("pe1."))
    );

    // The subnet is in use; deleting the endpoint removes the connection.
    let r = f.delete(&net_url("virtualNetworks", "vnet1")).await;
    assert_eq!((r.status, code(&r)), (400, "InUseSubnetCannotBeDeleted"));
    let r = f.delete(&pe).await;
    assert_eq!(r.status, 202);
    let list = f
        .get(&account_url("ai1", "/privateEndpointConnections"))
        .await;
    assert_eq!(body(&list)["value"], json!([]));
}

#[tokio::test]
async fn a_manual_connection_waits_for_the_owner_and_the_endpoint_mirrors_it() {
    let (f, ai) = network_and_account().await;
    let pe = net_url("privateEndpoints", "pe1");
    f.put_ok(&pe, endpoint(&ai, "account", true), 201).await;
    f.settle();
    let got = f.get(&pe).await.body.unwrap_or_default();
    let path = "/properties/manualPrivateLinkServiceConnections/0/properties/privateLinkServiceConnectionState";
    assert_eq!(
        got.pointer(path).cloned(),
        Some(json!({"status": "Pending", "description": "please", "actionsRequired": "None"}))
    );
    let list = f
        .get(&account_url("ai1", "/privateEndpointConnections"))
        .await;
    let name = body(&list)["value"][0]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let conn = account_url("ai1", &format!("/privateEndpointConnections/{name}"));
    let approve = json!({"properties": {"privateLinkServiceConnectionState": {"status": "Approved", "description": "ok"}}});
    let r = f.put(&conn, approve.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(r.header("Azure-AsyncOperation").is_some());
    f.settle();
    let got = f.get(&pe).await.body.unwrap_or_default();
    assert_eq!(
        got.pointer(path).and_then(|s| s.get("status")).cloned(),
        Some(json!("Approved"))
    );
    // Rejected stays rejected.
    let reject =
        json!({"properties": {"privateLinkServiceConnectionState": {"status": "Rejected"}}});
    assert_eq!(f.put(&conn, reject).await.status, 200);
    f.settle();
    let r = f.put(&conn, approve).await;
    assert_eq!((r.status, code(&r)), (400, "BadRequest"), "{:?}", r.body);
    // A connection no endpoint made does not exist.
    let r = f
        .put(
            &account_url("ai1", "/privateEndpointConnections/made-up"),
            json!({"properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}}),
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (404, "PrivateEndpointConnectionNotFound")
    );
    // The owner deletes the connection: the endpoint is disconnected.
    let r = f.delete(&conn).await;
    assert_eq!(r.status, 202);
    let got = f.get(&pe).await.body.unwrap_or_default();
    assert_eq!(
        got.pointer(path).and_then(|s| s.get("status")).cloned(),
        Some(json!("Disconnected"))
    );
}

#[tokio::test]
async fn search_connections_are_synchronous_and_carry_one_group_id() {
    let (f, _) = network_and_account().await;
    let search =
        format!("{BASE}/resourceGroups/rg1/providers/Microsoft.Search/searchServices/srch1");
    let r = f.put(&format!("{search}?api-version=2025-05-01"), json!({"location": "eastus", "sku": {"name": "basic"}, "properties": {"publicNetworkAccess": "disabled"}})).await;
    assert!(r.status < 300, "{:?}", r.body);
    f.settle();
    let target = format!("{RG}/providers/Microsoft.Search/searchServices/srch1");
    f.put_ok(
        &net_url("privateEndpoints", "pe2"),
        endpoint(&target, "searchService", true),
        201,
    )
    .await;
    f.settle();
    let list = f
        .get(&format!(
            "{search}/privateEndpointConnections?api-version=2025-05-01"
        ))
        .await;
    let c = body(&list)["value"][0].clone();
    assert_eq!(c["properties"]["groupId"], "searchService", "{c}");
    assert_eq!(
        c["properties"]["privateLinkServiceConnectionState"]["status"],
        "Pending"
    );
    let url = format!(
        "{search}/privateEndpointConnections/{}?api-version=2025-05-01",
        c["name"].as_str().unwrap_or_default()
    );
    let r = f.send(Method::Put, &url, Some(json!({"properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}}))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        body(&r)["properties"]["privateLinkServiceConnectionState"]["status"],
        "Approved"
    );
    assert_eq!(f.delete(&url).await.status, 200);
    assert_eq!(f.delete(&url).await.status, 404);
}
