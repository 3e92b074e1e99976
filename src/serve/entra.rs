//! The HTTP face of the emulated Entra ID ([`super::identity`]): instance discovery, OpenID
//! configuration, JWKS and the token endpoint, in the shapes `login.microsoftonline.com`
//! answers (MSAL Python and azure-identity read them). Every URL in an answer is on the origin
//! the request came to, so the same endpoints serve `https://login.microsoftonline.com` through
//! the proxy and `https://127.0.0.1:PORT` directly.

use serde_json::{Value, json};

use super::identity::{CLIENT_ID, Identity, parse_form};
use crate::arm::transport::HttpResponse;
use crate::emulator::TENANT_ID;

/// The tenant names the emulated tenant answers to.
const TENANT_ALIASES: &[&str] = &["common", "organizations", "amlab.emulator", TENANT_ID];

/// The public cloud's Entra hosts (MSAL's instance metadata).
const PUBLIC_ALIASES: &[&str] = &[
    "login.microsoftonline.com",
    "login.windows.net",
    "login.microsoft.com",
    "sts.windows.net",
];

/// The client assertion type of a certificate credential.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Whether `path` is an identity endpoint (answered without a bearer token).
pub(crate) fn is_identity_path(path: &str) -> bool {
    endpoint(path).is_some()
}

/// The identity endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Endpoint {
    Discovery,
    Configuration { tenant: String, v2: bool },
    Keys { tenant: String },
    Token { tenant: String, v2: bool },
}

fn endpoint(path: &str) -> Option<Endpoint> {
    let s: Vec<&str> = path.split('/').filter(|x| !x.is_empty()).collect();
    let tenant = |t: &str| t.to_owned();
    Some(match s.as_slice() {
        [_, "discovery", "instance"] => Endpoint::Discovery,
        [t, "v2.0", ".well-known", "openid-configuration"] => Endpoint::Configuration {
            tenant: tenant(t),
            v2: true,
        },
        [t, ".well-known", "openid-configuration"] => Endpoint::Configuration {
            tenant: tenant(t),
            v2: false,
        },
        [t, "discovery", "v2.0", "keys"] | [t, "discovery", "keys"] => {
            Endpoint::Keys { tenant: tenant(t) }
        }
        [t, "oauth2", "v2.0", "token"] => Endpoint::Token {
            tenant: tenant(t),
            v2: true,
        },
        [t, "oauth2", "token"] => Endpoint::Token {
            tenant: tenant(t),
            v2: false,
        },
        _ => return None,
    })
}

/// Answers an identity request; `None` when `path` is not one.
pub(crate) fn answer(
    identity: &Identity,
    method: &str,
    origin: &str,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
) -> Option<HttpResponse> {
    let ep = endpoint(path)?;
    let tenant = match &ep {
        Endpoint::Discovery => None,
        Endpoint::Configuration { tenant, .. }
        | Endpoint::Keys { tenant }
        | Endpoint::Token { tenant, .. } => Some(tenant.as_str()),
    };
    if let Some(t) = tenant
        && !TENANT_ALIASES.iter().any(|a| a.eq_ignore_ascii_case(t))
    {
        return Some(aad_error(
            400,
            "invalid_tenant",
            90002,
            &format!(
                "Tenant '{t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        ));
    }
    let want = if matches!(ep, Endpoint::Token { .. }) {
        "POST"
    } else {
        "GET"
    };
    if method != want {
        return Some(aad_error(
            405,
            "invalid_request",
            900561,
            &format!("The endpoint only accepts {want} requests. Received a {method} request."),
        ));
    }
    Some(match ep {
        Endpoint::Discovery => ok(discovery(origin, query)),
        Endpoint::Configuration { tenant, v2 } => ok(configuration(origin, &tenant, v2)),
        Endpoint::Keys { .. } => ok(identity.jwks()),
        Endpoint::Token { tenant, v2 } => token(identity, origin, &tenant, v2, body),
    })
}

fn ok(body: Value) -> HttpResponse {
    HttpResponse::new(200, Some(body))
        .with_header("Cache-Control", "no-store, no-cache")
        .with_header("Pragma", "no-cache")
}

/// MSAL's instance discovery: where the tenant's OpenID configuration is, and host aliases.
fn discovery(origin: &str, query: &[(String, String)]) -> Value {
    let authorize = query
        .iter()
        .find(|(k, _)| k == "authorization_endpoint")
        .map(|(_, v)| v.as_str());
    let authority = authorize
        .and_then(|a| {
            a.strip_suffix("/oauth2/v2.0/authorize")
                .or_else(|| a.strip_suffix("/oauth2/authorize"))
        })
        .map_or_else(|| format!("{origin}/common"), str::to_owned);
    let host = origin.split_once("://").map_or(origin, |(_, h)| h);
    let mut metadata = vec![json!({
        "preferred_network": "login.microsoftonline.com",
        "preferred_cache": "login.windows.net",
        "aliases": PUBLIC_ALIASES,
    })];
    if !PUBLIC_ALIASES.contains(&host) {
        metadata
            .push(json!({"preferred_network": host, "preferred_cache": host, "aliases": [host]}));
    }
    json!({
        "tenant_discovery_endpoint": format!("{authority}/v2.0/.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": metadata,
    })
}

/// The tenant's OpenID Connect configuration (v2.0 or v1).
fn configuration(origin: &str, tenant: &str, v2: bool) -> Value {
    let t = if tenant.eq_ignore_ascii_case("amlab.emulator") {
        TENANT_ID
    } else {
        tenant
    };
    let (oauth, issuer, keys) = if v2 {
        (
            format!("{origin}/{t}/oauth2/v2.0"),
            format!("{origin}/{TENANT_ID}/v2.0"),
            format!("{origin}/{t}/discovery/v2.0/keys"),
        )
    } else {
        (
            format!("{origin}/{t}/oauth2"),
            format!("https://sts.windows.net/{TENANT_ID}/"),
            format!("{origin}/{t}/discovery/keys"),
        )
    };
    json!({
        "token_endpoint": format!("{oauth}/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": keys,
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": format!("{oauth}/authorize"),
        "device_authorization_endpoint": format!("{oauth}/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{oauth}/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid", "ver", "oid"],
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    })
}

/// An Entra error body (`AADSTS...`).
fn aad_error(status: u16, error: &str, code: u32, description: &str) -> HttpResponse {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    HttpResponse::new(
        status,
        Some(json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description}"),
            "error_codes": [code],
            "timestamp": now.format(&fmt).unwrap_or_default(),
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
        })),
    )
}

/// The token endpoint.
fn token(identity: &Identity, origin: &str, tenant: &str, v2: bool, body: &[u8]) -> HttpResponse {
    let form = parse_form(body);
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let Some(grant) = field("grant_type") else {
        return aad_error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        );
    };
    if grant != "client_credentials" {
        return aad_error(
            400,
            "unsupported_grant_type",
            70003,
            &format!(
                "The app requested an unsupported grant type '{grant}'. The emulated tenant supports 'client_credentials'."
            ),
        );
    }
    let client = field("client_id").unwrap_or_default();
    if client != CLIENT_ID {
        return aad_error(
            400,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client}' was not found in the directory 'amlab emulator'. Use the AZURE_CLIENT_ID that `amlab serve --env-file` wrote."
            ),
        );
    }
    let acr = match (field("client_secret"), field("client_assertion")) {
        (Some(secret), _) if identity.secret_matches(secret) => "1",
        (Some(_), _) => {
            return aad_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '6f0a1ab0-0000-4000-8000-0000000c11e7'.",
            );
        }
        (None, Some(assertion)) => {
            let audiences = [
                format!("{origin}/{tenant}/oauth2/v2.0/token"),
                format!("{origin}/{tenant}/oauth2/token"),
                format!("{origin}/{TENANT_ID}/oauth2/v2.0/token"),
            ];
            if field("client_assertion_type") != Some(JWT_BEARER) {
                return aad_error(
                    400,
                    "invalid_request",
                    50027,
                    &format!("Invalid client_assertion_type: expected '{JWT_BEARER}'."),
                );
            }
            if !identity.assertion_valid(assertion, &audiences) {
                return aad_error(
                    401,
                    "invalid_client",
                    700027,
                    "Client assertion failed signature validation, or it is expired, or its aud, iss or sub claims are wrong. The certificate must be registered with `amlab serve --client-cert`.",
                );
            }
            "2"
        }
        (None, None) => {
            return aad_error(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            );
        }
    };
    let resource = if v2 {
        let scope = field("scope").unwrap_or_default();
        match scope
            .split(' ')
            .find(|s| !matches!(*s, "openid" | "profile" | "offline_access" | ""))
            .and_then(|s| s.strip_suffix("/.default"))
        {
            Some(r) if !r.is_empty() => r.to_owned(),
            _ => {
                return aad_error(
                    400,
                    "invalid_scope",
                    1002012,
                    &format!(
                        "The provided value for scope '{scope}' is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
                    ),
                );
            }
        }
    } else {
        match field("resource") {
            Some(r) => r.to_owned(),
            None => {
                return aad_error(
                    400,
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'resource'.",
                );
            }
        }
    };
    match identity.issue(&resource, acr) {
        Ok((access_token, expires_on)) => ok(if v2 {
            json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access_token})
        } else {
            json!({
                "token_type": "Bearer", "expires_in": "3599", "ext_expires_in": "3599",
                "expires_on": expires_on.to_string(), "not_before": (expires_on - 3599).to_string(),
                "resource": resource, "access_token": access_token,
            })
        }),
        Err(e) => aad_error(500, "temporarily_unavailable", 50000, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_recognised() {
        assert!(is_identity_path("/common/discovery/instance"));
        assert!(is_identity_path(&format!(
            "/{TENANT_ID}/v2.0/.well-known/openid-configuration"
        )));
        assert!(is_identity_path("/t/oauth2/v2.0/token"));
        assert!(!is_identity_path("/subscriptions/s/resourcegroups"));
        assert!(!is_identity_path("/metadata/endpoints"));
    }

    #[test]
    fn discovery_points_at_the_authority_asked_about() {
        let q = vec![(
            "authorization_endpoint".to_owned(),
            "https://127.0.0.1:9/tid/oauth2/v2.0/authorize".to_owned(),
        )];
        let d = discovery("https://127.0.0.1:9", &q);
        assert_eq!(
            d["tenant_discovery_endpoint"],
            "https://127.0.0.1:9/tid/v2.0/.well-known/openid-configuration"
        );
        assert_eq!(d["metadata"][1]["aliases"][0], "127.0.0.1:9");
    }
}
