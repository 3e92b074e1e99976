//! Who may do what on a search service's data plane: the `api-key` header (an admin key: every
//! operation; a query key: reading documents only), or `Authorization: Bearer` when the service
//! accepts Microsoft Entra ID (`authOptions.aadOrApiKey`, or `disableLocalAuth: true`).
//!
//! In process, a bearer token is taken as proof of an Entra sign-in (as the emulator's ARM does);
//! `amlab serve` verifies its signature and its audience (`https://search.azure.com`) before the
//! request gets here. What a signed-in caller may do comes from the role assignments of its
//! `oid` on the service or a parent scope ([`super::roles`]).

use serde_json::Value;

use super::error;
use super::roles::{self, Grants};
use crate::arm::transport::{HttpRequest, HttpResponse};
use crate::emulator::fields;
use crate::emulator::world::StoredResource;

/// The audience of an Entra token for the Search data plane.
pub(crate) const AUDIENCE: &str = "https://search.azure.com";

/// What a caller may do, and who it is when it signed in with Entra ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rights {
    /// What it is allowed.
    pub(crate) grants: Grants,
    /// The Entra principal (`oid`), `None` for an api-key.
    pub(crate) principal: Option<String>,
}

impl Rights {
    /// An admin key: everything.
    const ADMIN_KEY: Rights = Rights {
        grants: Grants {
            manage: true,
            write_docs: true,
            read_docs: true,
        },
        principal: None,
    };

    /// A query key: read documents (search, count, lookup).
    const QUERY_KEY: Rights = Rights {
        grants: Grants {
            manage: false,
            write_docs: false,
            read_docs: true,
        },
        principal: None,
    };
}

/// The rights of `req` on `service`, or the refusal.
pub(crate) fn rights<'a>(
    resources: impl Iterator<Item = &'a StoredResource>,
    service: &StoredResource,
    req: &HttpRequest,
) -> Result<Rights, HttpResponse> {
    let props = service
        .body
        .get("properties")
        .cloned()
        .unwrap_or(Value::Null);
    let local_disabled = props.get("disableLocalAuth").and_then(Value::as_bool) == Some(true);
    let aad = local_disabled || fields::get(&props, "authOptions.aadOrApiKey").is_some();
    if let Some(key) = req.header("api-key") {
        if local_disabled {
            return Err(error(
                403,
                "",
                "Key-based authentication is disabled for this search service (disableLocalAuth is true): use a Microsoft Entra ID token.",
            ));
        }
        return key_rights(service, key.trim());
    }
    // In process, amlab's own data-plane steps ask for a token of the service's scope with a
    // marker header the live transport turns into `Authorization`; here it stands for one.
    let scoped = req
        .header(crate::arm::data_plane::ENTRA_SCOPE_HEADER)
        .is_some_and(|s| s.trim_end_matches("/.default") == AUDIENCE);
    let bearer = req
        .header("authorization")
        .filter(|v| {
            v.split_once(' ').is_some_and(|(scheme, token)| {
                scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()
            })
        })
        .map(|v| roles::principal_of(v).unwrap_or_default())
        .or_else(|| scoped.then(|| roles::IN_PROCESS_CALLER.to_owned()));
    match bearer {
        Some(principal) if aad => Ok(Rights {
            grants: roles::grants(resources, service, &principal),
            principal: Some(principal),
        }),
        Some(_) => Err(error(
            403,
            "",
            "This search service accepts API keys only (authOptions.apiKeyOnly): a Microsoft Entra ID token is not accepted. Enable role-based access (authOptions.aadOrApiKey) or send an api-key header.",
        )),
        None => {
            let challenge = fields::get_str(&props, "authOptions.aadOrApiKey.aadAuthFailureMode")
                == Some("http401WithBearerChallenge");
            let status = if challenge { 401 } else { 403 };
            let mut refusal = error(
                status,
                "",
                "Authentication failed: send an api-key header (an admin or query key of this service) or an Entra ID bearer token.",
            );
            if challenge {
                refusal = refusal.with_header(
                    "WWW-Authenticate",
                    format!("Bearer realm=\"{AUDIENCE}\", error=\"invalid_token\""),
                );
            }
            Err(refusal)
        }
    }
}

fn key_rights(service: &StoredResource, key: &str) -> Result<Rights, HttpResponse> {
    let secrets = service.secrets.clone().unwrap_or(Value::Null);
    let is = |field: &str| secrets.get(field).and_then(Value::as_str) == Some(key);
    if !key.is_empty() && (is("primaryKey") || is("secondaryKey")) {
        return Ok(Rights::ADMIN_KEY);
    }
    let query = secrets
        .get("queryKeys")
        .and_then(Value::as_array)
        .is_some_and(|keys| {
            keys.iter()
                .any(|k| k.get("key").and_then(Value::as_str) == Some(key))
        });
    if !key.is_empty() && query {
        return Ok(Rights::QUERY_KEY);
    }
    Err(error(
        403,
        "",
        "The api-key is not valid for this search service.",
    ))
}
