//! Role assignments at resource-group and workspace scope.

use serde_json::{Value, json};

use super::{BASE, body, code, message, workspace};

const API: &str = "2022-04-01";
const DATA_SCIENTIST: &str = "f6c7c914-8db3-469d-8ca1-694a8f32e121";
const PRINCIPAL: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

fn rg_scope(guid: &str) -> String {
    format!(
        "{BASE}/resourceGroups/rg1/providers/Microsoft.Authorization/roleAssignments/{guid}?api-version={API}"
    )
}

fn ws_scope(guid: &str) -> String {
    format!(
        "{BASE}/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1/providers/Microsoft.Authorization/roleAssignments/{guid}?api-version={API}"
    )
}

fn assignment(role: &str, principal_type: &str) -> Value {
    json!({"properties": {
        "roleDefinitionId": format!("/subscriptions/sub1/providers/Microsoft.Authorization/roleDefinitions/{role}"),
        "principalId": PRINCIPAL, "principalType": principal_type}})
}

#[tokio::test]
async fn role_assignments_validate_and_reject_duplicates() {
    let f = workspace().await;
    let r = f
        .put(&rg_scope("not-a-guid"), assignment(DATA_SCIENTIST, "User"))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(code(&r), "InvalidRoleAssignmentId");
    let g1 = "11111111-1111-4111-8111-111111111111";
    let r = f
        .put(
            &rg_scope(g1),
            assignment("00000000-0000-0000-0000-000000000001", "User"),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(code(&r), "RoleDefinitionDoesNotExist");
    let r = f
        .put(&rg_scope(g1), assignment(DATA_SCIENTIST, "Robot"))
        .await;
    assert_eq!(r.status, 400);
    assert!(message(&r).contains("ServicePrincipal"), "{}", message(&r));
    let r = f
        .put(
            &rg_scope(g1),
            assignment(DATA_SCIENTIST, "ServicePrincipal"),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let b = body(&r);
    assert_eq!(b["type"], "Microsoft.Authorization/roleAssignments");
    assert_eq!(b["name"], g1);
    assert_eq!(
        b["properties"]["scope"],
        "/subscriptions/sub1/resourceGroups/rg1"
    );
    assert_eq!(b["properties"]["principalType"], "ServicePrincipal");
    let r = f.get(&rg_scope(g1)).await;
    assert_eq!(r.status, 200);
    // Same principal, role and scope under another name.
    let g2 = "22222222-2222-4222-8222-222222222222";
    let r = f
        .put(
            &rg_scope(g2),
            assignment(DATA_SCIENTIST, "ServicePrincipal"),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(code(&r), "RoleAssignmentExists");
    // Another role is fine; the same role at workspace scope too.
    let reader = "acdd72a7-3b0f-41ad-9dbb-8b6f9e4dc3b2";
    assert_eq!(
        f.put(&rg_scope(g2), assignment(reader, "User"))
            .await
            .status,
        201
    );
    let g3 = "33333333-3333-4333-8333-333333333333";
    let r = f
        .put(&ws_scope(g3), assignment(DATA_SCIENTIST, "User"))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(
        body(&r)["properties"]["scope"]
            .as_str()
            .is_some_and(|s| s.ends_with("/workspaces/ws1"))
    );
    assert!(body(&r)["id"].as_str().is_some_and(|s| {
        s.contains("/workspaces/ws1/providers/Microsoft.Authorization/roleAssignments/")
    }));
    assert_eq!(f.get(&ws_scope(g3)).await.status, 200);
    // Changing the principal of an assignment is not allowed.
    let mut other = assignment(reader, "User");
    other["properties"]["principalId"] = json!("99999999-9999-4999-8999-999999999999");
    assert_eq!(
        code(&f.put(&rg_scope(g2), other).await),
        "RoleAssignmentUpdateNotPermitted"
    );
    let list = f.get(&format!("{BASE}/resourceGroups/rg1/providers/Microsoft.Authorization/roleAssignments?api-version={API}")).await;
    assert_eq!(body(&list)["value"].as_array().map(Vec::len), Some(3));
    let r = f
        .send(crate::arm::transport::Method::Delete, &rg_scope(g1), None)
        .await;
    assert_eq!(r.status, 200);
    let r = f
        .send(crate::arm::transport::Method::Delete, &rg_scope(g1), None)
        .await;
    assert_eq!(r.status, 204);
    // Workspace scope needs the workspace.
    let r = f
        .put(
            &ws_scope(g1).replace("/ws1/", "/ws9/"),
            assignment(reader, "User"),
        )
        .await;
    assert_eq!(r.status, 404);
}

fn sub_scope(guid: &str) -> String {
    format!("{BASE}/providers/Microsoft.Authorization/roleAssignments/{guid}?api-version={API}")
}

fn list_at(scope: &str, filter: &str) -> String {
    format!(
        "{BASE}{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={API}&$filter={filter}"
    )
}

fn names(r: &crate::arm::transport::HttpResponse) -> Vec<String> {
    let mut v: Vec<String> = body(r)["value"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["name"].as_str())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test]
async fn role_assignments_at_subscription_scope_by_id_and_listed_for_a_scope() {
    let f = workspace().await;
    let (gs, gr, gw) = (
        "44444444-4444-4444-8444-444444444444",
        "55555555-5555-4555-8555-555555555555",
        "66666666-6666-4666-8666-666666666666",
    );
    // CreateById at subscription scope, with the tenant-level role definition id.
    let mut tenant_form = assignment(DATA_SCIENTIST, "User");
    tenant_form["properties"]["roleDefinitionId"] = json!(format!(
        "/providers/Microsoft.Authorization/roleDefinitions/{DATA_SCIENTIST}"
    ));
    let r = f.put(&sub_scope(gs), tenant_form).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(body(&r)["properties"]["scope"], "/subscriptions/sub1");
    assert_eq!(
        body(&r)["id"],
        format!("/subscriptions/sub1/providers/Microsoft.Authorization/roleAssignments/{gs}")
    );
    assert_eq!(f.get(&sub_scope(gs)).await.status, 200);
    // Only role assignments live at subscription scope.
    let r = f
        .put(
            &format!("{BASE}/providers/Microsoft.Storage/storageAccounts/x?api-version=2023-05-01"),
            json!({"location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}),
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
    let other = "99999999-9999-4999-8999-999999999999";
    let mut theirs = assignment(DATA_SCIENTIST, "User");
    theirs["properties"]["principalId"] = json!(other);
    f.put_ok(&rg_scope(gr), theirs, 201).await;
    f.put_ok(&ws_scope(gw), assignment(DATA_SCIENTIST, "User"), 201)
        .await;
    let rg = "/resourceGroups/rg1";
    let ws = "/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1";
    // At, above and below the scope; atScope() drops what is below.
    assert_eq!(names(&f.get(&list_at(rg, "")).await), [gs, gr, gw]);
    assert_eq!(names(&f.get(&list_at(rg, "atScope()")).await), [gs, gr]);
    assert_eq!(names(&f.get(&list_at(ws, "atScope()")).await), [gs, gr, gw]);
    let mine = format!("assignedTo('{PRINCIPAL}')");
    assert_eq!(names(&f.get(&list_at(rg, &mine)).await), [gs, gw]);
    let theirs = format!("principalId%20eq%20'{other}'");
    assert_eq!(names(&f.get(&list_at("", &theirs)).await), [gr]);
    let both = format!("atScope()%20and%20assignedTo('{PRINCIPAL}')");
    assert_eq!(names(&f.get(&list_at(rg, &both)).await), [gs]);
    let r = f.get(&list_at(rg, "roleName%20eq%20'x'")).await;
    assert_eq!((r.status, code(&r)), (400, "InvalidFilter"));
    // DeleteById answers the deleted assignment, then 204.
    let r = f.delete(&sub_scope(gs)).await;
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["name"], gs);
    assert_eq!(f.delete(&sub_scope(gs)).await.status, 204);
    assert_eq!(f.get(&sub_scope(gs)).await.status, 404);
    assert_eq!(names(&f.get(&list_at(rg, "atScope()")).await), [gr]);
}

#[tokio::test]
async fn custom_roles_are_assignable_inside_their_assignable_scopes() {
    let f = workspace().await;
    let role = "0b5fe924-9a61-425c-96af-cfe6e287ca2d";
    let def = |name: &str, scopes: Value| {
        json!({"properties": {"roleName": name, "permissions": [{"actions": ["Microsoft.MachineLearningServices/workspaces/*/read"]}],
            "assignableScopes": scopes}})
    };
    let url = format!(
        "{BASE}/providers/Microsoft.Authorization/roleDefinitions/{role}?api-version={API}"
    );
    let ga = "77777777-7777-4777-8777-777777777777";
    // Not defined yet.
    let r = f.put(&rg_scope(ga), assignment(role, "User")).await;
    assert_eq!(code(&r), "RoleDefinitionDoesNotExist");
    let r = f
        .put(&url, def("Reader", json!(["/subscriptions/sub1"])))
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (409, "RoleDefinitionWithSameNameExists")
    );
    let r = f
        .put(&url, def("Lab viewer", json!(["/subscriptions/other"])))
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    let r = f.put(&url, def("Lab viewer", json!([]))).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    let ws_only = json!([format!(
        "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1"
    )]);
    let r = f.put(&url, def("Lab viewer", ws_only)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(body(&r)["properties"]["type"], "CustomRole");
    // Assignable at the workspace, not at the resource group above it.
    let r = f.put(&rg_scope(ga), assignment(role, "User")).await;
    assert_eq!(code(&r), "RoleDefinitionDoesNotExist");
    f.put_ok(&ws_scope(ga), assignment(role, "User"), 201).await;
}
