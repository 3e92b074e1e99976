//! Workspace specs -> the `Workspace` body `az ml workspace create` sends.

use serde_json::{Map, Value, json};

use super::Context;
use super::error::Problem;
use super::node::{Obj, Values, put};

/// Translates a workspace spec. The resource path is relative to the resource group
/// (`workspaces/<name>`).
pub(crate) fn translate(root: Obj<'_>, ctx: &Context) -> Result<(String, Value), Problem> {
    root.only(&[
        "name",
        "location",
        "display_name",
        "description",
        "tags",
        "hbi_workspace",
        "storage_account",
        "key_vault",
        "application_insights",
        "container_registry",
        "public_network_access",
        "identity",
        "kind",
        "default_resource_group",
    ]);
    let name = root.req_str("name");
    let kind = root
        .choice("kind", &["default", "hub"])
        .unwrap_or_else(|| "default".into());
    let mut p = Map::new();
    put(&mut p, "description", root.str("description"));
    p.insert("enableDataIsolation".into(), json!(false));
    put(&mut p, "friendlyName", root.str("display_name"));
    p.insert(
        "hbiWorkspace".into(),
        json!(root.bool("hbi_workspace").unwrap_or(false)),
    );
    put(&mut p, "storageAccount", root.str("storage_account"));
    put(&mut p, "keyVault", root.str("key_vault"));
    put(
        &mut p,
        "applicationInsights",
        root.str("application_insights"),
    );
    put(&mut p, "containerRegistry", root.str("container_registry"));
    put(
        &mut p,
        "publicNetworkAccess",
        root.str("public_network_access"),
    );
    if kind == "hub" {
        // Hub._hub_values_to_rest_object (entities/_workspace/_ai_workspaces/hub.py).
        let mut hub = Map::new();
        put(
            &mut hub,
            "defaultWorkspaceResourceGroup",
            root.str("default_resource_group"),
        );
        p.insert("workspaceHubConfig".into(), Value::Object(hub));
    } else if let Some(n) = root.get("default_resource_group") {
        root.report(Problem::at(
            n,
            "`default_resource_group` is for `kind: hub` workspaces",
        ));
    }
    let mut body = Map::new();
    body.insert("kind".into(), json!(kind));
    body.insert(
        "location".into(),
        json!(root.str("location").unwrap_or_else(|| ctx.location.clone())),
    );
    // No `name`: it is read-only in the SDK's TypeSpec `Workspace` model, which its client
    // leaves out of the body (SdkJSONEncoder(exclude_readonly=True)).
    if let Some(identity) = super::compute::identity(root) {
        body.insert("identity".into(), identity);
    }
    body.insert("properties".into(), Value::Object(p));
    // Workspace._to_rest_object sends `tags` as given, {} when absent.
    body.insert("tags".into(), root.str_map_or_empty("tags", Values::Strict));
    Ok((format!("workspaces/{name}"), Value::Object(body)))
}
