//! The data planes amlab checks, per ARM resource type: where the endpoint is, which
//! documented action lists its keys (read-only: the one POST check mode sends, see
//! [`super::client::READ_ONLY_ACTIONS`]), the header a key goes in, the Entra scope of its
//! tokens, and the api-version used by default.

use super::resource_types::resource_type;

/// One data plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataPlaneKind {
    /// The ARM resource type it belongs to.
    pub resource_type: &'static str,
    /// The JSON pointer of the endpoint in the resource (`https://{name}.search.windows.net/`).
    pub endpoint: &'static str,
    /// The POST action on the resource that lists its keys.
    pub key_action: &'static str,
    /// The JSON pointer of the key to use in the action's answer (an admin key).
    pub key_field: &'static str,
    /// The request header a key goes in.
    pub key_header: &'static str,
    /// The Entra scope of the data plane's tokens.
    pub scope: &'static str,
    /// The api-version sent when the step names none.
    pub api_version: &'static str,
}

/// Every data plane amlab knows.
const KINDS: &[DataPlaneKind] = &[DataPlaneKind {
    resource_type: "Microsoft.Search/searchServices",
    endpoint: "/properties/endpoint",
    key_action: "listAdminKeys",
    key_field: "/primaryKey",
    key_header: "api-key",
    scope: "https://search.azure.com/.default",
    api_version: "2025-09-01",
}];

/// The header that asks a transport for an Entra token of this scope on this one request
/// (never sent on the wire: the live transport replaces it with `Authorization`).
pub const ENTRA_SCOPE_HEADER: &str = "x-amlab-entra-scope";

/// Whether a request carries a data-plane key: it then never carries the ARM token too, even
/// when the data plane is served on the ARM base's own address (`amlab serve`).
pub fn carries_key(request: &super::transport::HttpRequest) -> bool {
    KINDS.iter().any(|k| request.header(k.key_header).is_some())
}

/// The data plane of the resource at `path`, if amlab knows one.
pub fn for_resource(path: &str) -> Option<&'static DataPlaneKind> {
    let ty = resource_type(path);
    KINDS
        .iter()
        .find(|k| k.resource_type.eq_ignore_ascii_case(&ty))
}

/// The supported resource types, for messages.
pub fn supported() -> String {
    KINDS
        .iter()
        .map(|k| k.resource_type)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_services_have_a_data_plane() {
        let kind = for_resource(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Search/searchServices/srch",
        );
        assert_eq!(kind.map(|k| k.key_action), Some("listAdminKeys"));
        assert!(
            for_resource(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st"
            )
            .is_none()
        );
        assert!(super::super::client::READ_ONLY_ACTIONS.contains(&"listAdminKeys"));
    }
}
