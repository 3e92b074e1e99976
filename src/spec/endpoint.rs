//! Online (managed) and batch endpoint specs -> `OnlineEndpoint` / `BatchEndpoint` bodies.

use serde_json::{Map, Value, json};

use super::Context;
use super::error::Problem;
use super::node::{Obj, Values, put};

/// Translates a managed online endpoint spec.
pub(crate) fn online(root: Obj<'_>, ctx: &Context) -> Result<(String, Value), Problem> {
    root.only(&[
        "name",
        "auth_mode",
        "description",
        "tags",
        "traffic",
        "mirror_traffic",
        "identity",
        "public_network_access",
        "properties",
        "kind",
    ]);
    let name = root.req_str("name");
    let auth = match root
        .choice("auth_mode", &["key", "aml_token", "aad_token"])
        .as_deref()
    {
        Some("aml_token") => "AMLToken",
        Some("aad_token") => "AADToken",
        _ => "Key",
    };
    let mut p = Map::new();
    p.insert("authMode".into(), json!(auth));
    put(&mut p, "description", root.str("description"));
    p.insert(
        "mirrorTraffic".into(),
        root.get("mirror_traffic")
            .map_or(json!({}), |n| n.value.to_json()),
    );
    p.insert(
        "properties".into(),
        root.str_map_or_empty("properties", Values::Raw),
    );
    put(
        &mut p,
        "publicNetworkAccess",
        root.str("public_network_access"),
    );
    let traffic = root.get("traffic").map_or(json!({}), |n| n.value.to_json());
    p.insert("traffic".into(), traffic);
    let mut body = Map::new();
    // The SDK asks for a system-assigned identity when the spec names none.
    let identity =
        super::compute::identity(root).unwrap_or_else(|| json!({"type": "SystemAssigned"}));
    body.insert("identity".into(), identity);
    body.insert("location".into(), json!(ctx.location));
    body.insert("properties".into(), Value::Object(p));
    body.insert("tags".into(), root.str_map_or_empty("tags", Values::Raw));
    Ok((format!("onlineEndpoints/{name}"), Value::Object(body)))
}

/// Translates a batch endpoint spec.
pub(crate) fn batch(root: Obj<'_>, ctx: &Context) -> Result<(String, Value), Problem> {
    root.only(&[
        "name",
        "auth_mode",
        "description",
        "tags",
        "defaults",
        "properties",
    ]);
    let name = root.req_str("name");
    root.choice("auth_mode", &["aad_token"]);
    let mut p = Map::new();
    p.insert("authMode".into(), json!("aadToken"));
    put(&mut p, "description", root.str("description"));
    if let Some(d) = root.obj("defaults", "defaults") {
        d.only(&["deployment_name"]);
        let mut m = Map::new();
        put(&mut m, "deploymentName", d.str("deployment_name"));
        p.insert("defaults".into(), Value::Object(m));
    }
    p.insert(
        "properties".into(),
        root.str_map_or_empty("properties", Values::Raw),
    );
    let body = json!({
        "location": ctx.location,
        "properties": p,
        "tags": root.str_map("tags", Values::Raw).unwrap_or_default(),
    });
    Ok((format!("batchEndpoints/{name}"), body))
}
