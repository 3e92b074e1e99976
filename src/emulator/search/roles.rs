//! Microsoft Entra ID callers on a search service's data plane: what their role assignments
//! allow, as "Connect to Azure AI Search using roles" documents. Search Service Contributor,
//! and Owner and Contributor, manage objects (indexes, indexers, data sources, skillsets,
//! synonym maps, statistics) but neither load nor query documents; Search Index Data
//! Contributor loads and queries documents; Search Index Data Reader queries them. An
//! assignment counts on the service or any parent scope (its resource group, its subscription).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::emulator::fields;
use crate::emulator::world::StoredResource;

/// The object id amlab's own in-process data-plane steps act as: the emulated service principal.
pub(crate) const IN_PROCESS_CALLER: &str = crate::emulator::SERVICE_PRINCIPAL_OBJECT_ID;

/// Search Service Contributor.
pub(crate) const SERVICE_CONTRIBUTOR: &str = "7ca78c08-252a-4471-8644-bb5ff32d4ba0";
/// Search Index Data Contributor.
pub(crate) const DATA_CONTRIBUTOR: &str = "8ebe5a00-799e-43f5-93ac-243d3dce84a7";
/// Search Index Data Reader.
pub(crate) const DATA_READER: &str = "1407120a-92aa-4202-b7e9-c0e197c71c8f";
const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";

/// What one caller may do on the data plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Grants {
    /// Create, read, update and delete objects; statistics; indexer runs.
    pub(crate) manage: bool,
    /// Load documents (`docs/index`).
    pub(crate) write_docs: bool,
    /// Query documents (search, lookup, count).
    pub(crate) read_docs: bool,
}

/// The grants of one role definition GUID.
fn grants_of(role: &str) -> Grants {
    let role = role.to_ascii_lowercase();
    match role.as_str() {
        SERVICE_CONTRIBUTOR | OWNER | CONTRIBUTOR => Grants {
            manage: true,
            ..Grants::default()
        },
        DATA_CONTRIBUTOR => Grants {
            write_docs: true,
            read_docs: true,
            ..Grants::default()
        },
        DATA_READER => Grants {
            read_docs: true,
            ..Grants::default()
        },
        _ => Grants::default(),
    }
}

/// The `oid` claim of a bearer token (its signature is checked by `amlab serve` before the
/// request reaches the emulator; in process a token is taken as proof of sign-in).
pub(crate) fn principal_of(authorization: &str) -> Option<String> {
    let (scheme, token) = authorization.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let payload = token.trim().split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("oid").and_then(Value::as_str).map(str::to_owned)
}

/// What `principal`'s role assignments in `resources` allow on `service`.
pub(crate) fn grants<'a>(
    resources: impl Iterator<Item = &'a StoredResource>,
    service: &StoredResource,
    principal: &str,
) -> Grants {
    let target = service.id.to_ascii_lowercase();
    resources
        .filter(|r| {
            r.type_name
                .eq_ignore_ascii_case("Microsoft.Authorization/roleAssignments")
        })
        .filter(|r| {
            fields::get_str(&r.body, "properties.principalId")
                .is_some_and(|p| p.eq_ignore_ascii_case(principal))
        })
        .filter(|r| {
            let scope = fields::get_str(&r.body, "properties.scope")
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_ascii_lowercase();
            !scope.is_empty() && (target == scope || target.starts_with(&format!("{scope}/")))
        })
        .filter_map(|r| fields::get_str(&r.body, "properties.roleDefinitionId"))
        .map(|id| grants_of(id.rsplit('/').next().unwrap_or_default()))
        .fold(Grants::default(), |a, g| Grants {
            manage: a.manage || g.manage,
            write_docs: a.write_docs || g.write_docs,
            read_docs: a.read_docs || g.read_docs,
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_oid_of_a_bearer_token() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"oid":"abc","aud":"https://search.azure.com"}"#);
        assert_eq!(
            principal_of(&format!("Bearer h.{payload}.s")).as_deref(),
            Some("abc")
        );
        assert_eq!(principal_of("Basic x"), None);
        assert_eq!(principal_of("Bearer not-a-jwt"), None);
    }

    #[test]
    fn each_role_grants_what_the_service_documents() {
        assert_eq!(
            grants_of(DATA_READER),
            Grants {
                read_docs: true,
                ..Grants::default()
            }
        );
        assert!(grants_of(DATA_CONTRIBUTOR).write_docs && !grants_of(DATA_CONTRIBUTOR).manage);
        assert!(grants_of(SERVICE_CONTRIBUTOR).manage && !grants_of(SERVICE_CONTRIBUTOR).read_docs);
        assert!(grants_of(OWNER).manage && !grants_of(OWNER).write_docs);
        assert_eq!(
            grants_of("acdd72a7-3b0f-41ad-9dbb-8b6f9e4dc3b2"),
            Grants::default()
        );
    }
}
