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
