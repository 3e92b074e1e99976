//! The HTTP face of the emulated Entra ID ([`super::identity`]): instance discovery, OpenID
//! configuration, JWKS and the token endpoint, in the shapes `login.microsoftonline.com`
//! answers (MSAL Python and azure-identity read them). Every URL in an answer is on the origin
//! the request came to, so the same endpoints serve `https://login.microsoftonline.com` through
//! the proxy and `https://127.0.0.1:PORT` directly.

use serde_json::{Value, json};

use super::identity::{CLIENT_ID, Identity, USER_OBJECT_ID, USERNAME, parse_form};
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
    UserRealm,
    Configuration { tenant: String, v2: bool },
    Keys { tenant: String },
    Token { tenant: String, v2: bool },
}

fn endpoint(path: &str) -> Option<Endpoint> {
    let s: Vec<&str> = path.split('/').filter(|x| !x.is_empty()).collect();
    let tenant = |t: &str| t.to_owned();
    Some(match s.as_slice() {
        [_, "discovery", "instance"] => Endpoint::Discovery,
        ["common", "userrealm", _] => Endpoint::UserRealm,
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
        Endpoint::Discovery | Endpoint::UserRealm => None,
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
        Endpoint::UserRealm => ok(json!({
            "ver": "1.0", "account_type": "Managed", "domain_name": "amlab.emulator",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_audience_urn": "urn:federation:MicrosoftOnline",
        })),
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

/// The form of a token request.
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Public clients the emulated tenant knows besides its service principal: the Azure CLI's
/// and Azure PowerShell's well-known application ids (they sign users in).
const PUBLIC_CLIENTS: &[&str] = &[
    "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    "1950a258-227b-4e31-a9cf-717495945fc2",
];

/// The token endpoint: `client_credentials`, `password` and `refresh_token` grants.
fn token(identity: &Identity, origin: &str, tenant: &str, v2: bool, body: &[u8]) -> HttpResponse {
    let form = Form(parse_form(body));
    let answer = match form.get("grant_type") {
        None => Err(aad_error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        )),
        Some("client_credentials") => client_credentials(identity, origin, tenant, v2, &form),
        Some("password") => password(identity, origin, v2, &form),
        Some("refresh_token") => refresh(identity, origin, v2, &form),
        Some(grant) => Err(aad_error(
            400,
            "unsupported_grant_type",
            70003,
            &format!(
                "The app requested an unsupported grant type '{grant}'. The emulated tenant supports 'client_credentials', 'password' and 'refresh_token'."
            ),
        )),
    };
    answer.unwrap_or_else(|e| e)
}

fn client_credentials(
    identity: &Identity,
    origin: &str,
    tenant: &str,
    v2: bool,
    form: &Form,
) -> Result<HttpResponse, HttpResponse> {
    let client = form.get("client_id").unwrap_or_default();
    if client != CLIENT_ID {
        return Err(unknown_client(client));
    }
    let acr = client_auth(identity, origin, tenant, form)?;
    if v2 && !form.get("scope").unwrap_or_default().ends_with("/.default") {
        return Err(aad_error(
            400,
            "invalid_scope",
            1002012,
            "Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
        ));
    }
    let resource = resource(form, v2)?;
    let (access_token, expires_on) = identity
        .issue(&resource, acr)
        .map_err(|e| aad_error(500, "temporarily_unavailable", 50000, &e))?;
    Ok(ok(token_body(v2, &resource, &access_token, expires_on)))
}

fn unknown_client(client: &str) -> HttpResponse {
    aad_error(
        400,
        "unauthorized_client",
        700016,
        &format!(
            "Application with identifier '{client}' was not found in the directory 'amlab emulator'. Use the AZURE_CLIENT_ID that `amlab serve --env-file` wrote."
        ),
    )
}

/// How the service principal proved itself: `1` client secret, `2` certificate assertion.
fn client_auth(
    identity: &Identity,
    origin: &str,
    tenant: &str,
    form: &Form,
) -> Result<&'static str, HttpResponse> {
    match (form.get("client_secret"), form.get("client_assertion")) {
        (Some(secret), _) if identity.secret_matches(secret) => Ok("1"),
        (Some(_), _) => Err(aad_error(
            401,
            "invalid_client",
            7000215,
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{CLIENT_ID}'."
            ),
        )),
        (None, Some(assertion)) => {
            if form.get("client_assertion_type") != Some(JWT_BEARER) {
                return Err(aad_error(
                    400,
                    "invalid_request",
                    50027,
                    &format!("Invalid client_assertion_type: expected '{JWT_BEARER}'."),
                ));
            }
            let audiences = [
                format!("{origin}/{tenant}/oauth2/v2.0/token"),
                format!("{origin}/{tenant}/oauth2/token"),
                format!("{origin}/{TENANT_ID}/oauth2/v2.0/token"),
            ];
            if identity.assertion_valid(assertion, &audiences) {
                Ok("2")
            } else {
                Err(aad_error(
                    401,
                    "invalid_client",
                    700027,
                    "Client assertion failed signature validation, or it is expired, or its aud, iss or sub claims are wrong. The certificate must be registered with `amlab serve --client-cert`.",
                ))
            }
        }
        (None, None) => Err(aad_error(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )),
    }
}

/// The audience asked for: the v2 `scope` (`{resource}/.default`) or the v1 `resource`.
fn resource(form: &Form, v2: bool) -> Result<String, HttpResponse> {
    if !v2 {
        return form.get("resource").map(str::to_owned).ok_or_else(|| {
            aad_error(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'resource'.",
            )
        });
    }
    let scope = form.get("scope").unwrap_or_default();
    scope
        .split(' ')
        .find(|s| !matches!(*s, "openid" | "profile" | "offline_access" | ""))
        .and_then(scope_resource)
        .ok_or_else(|| {
            aad_error(
                400,
                "invalid_scope",
                1002012,
                &format!(
                    "The provided value for scope '{scope}' is not valid. Ask for '{{resource}}/.default', e.g. 'https://management.azure.com/.default'."
                ),
            )
        })
}

/// The resource of a scope: `{resource}/.default`, or `{resource}/{permission}`
/// (`https://management.azure.com/user_impersonation`).
fn scope_resource(scope: &str) -> Option<String> {
    if let Some(r) = scope.strip_suffix("/.default") {
        return Some(r.to_owned()).filter(|r| !r.is_empty());
    }
    let (resource, permission) = scope.rsplit_once('/')?;
    let host = resource.split_once("://")?.1;
    (!host.is_empty() && !permission.is_empty()).then(|| resource.to_owned())
}

fn token_body(v2: bool, resource: &str, access_token: &str, expires_on: u64) -> Value {
    if v2 {
        json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access_token})
    } else {
        json!({
            "token_type": "Bearer", "expires_in": "3599", "ext_expires_in": "3599",
            "expires_on": expires_on.to_string(), "not_before": (expires_on - 3599).to_string(),
            "resource": resource, "access_token": access_token,
        })
    }
}

/// A public client (or the service principal) signing the emulated user in.
fn user_client(form: &Form) -> Result<&str, HttpResponse> {
    let client = form.get("client_id").unwrap_or_default();
    if client == CLIENT_ID || PUBLIC_CLIENTS.contains(&client) {
        Ok(client)
    } else {
        Err(unknown_client(client))
    }
}

/// The resource owner password grant, for the emulated user.
fn password(
    identity: &Identity,
    origin: &str,
    v2: bool,
    form: &Form,
) -> Result<HttpResponse, HttpResponse> {
    let client = user_client(form)?;
    let (user, pass) = (
        form.get("username").unwrap_or_default(),
        form.get("password").unwrap_or_default(),
    );
    if !identity.user_matches(user, pass) {
        return Err(aad_error(
            400,
            "invalid_grant",
            50126,
            &format!(
                "Error validating credentials due to invalid username or password. The emulated user is '{USERNAME}' (AZURE_USERNAME, AZURE_PASSWORD of the env file)."
            ),
        ));
    }
    user_answer(identity, origin, v2, form, client)
}

/// The refresh token grant: a refresh token this server issued, for the same client.
fn refresh(
    identity: &Identity,
    origin: &str,
    v2: bool,
    form: &Form,
) -> Result<HttpResponse, HttpResponse> {
    let client = user_client(form)?;
    let token = form.get("refresh_token").unwrap_or_default();
    if !identity.refresh_valid(token, client) {
        return Err(aad_error(
            400,
            "invalid_grant",
            9002313,
            "Invalid request. The refresh token is malformed, expired, or was not issued to this client by this tenant.",
        ));
    }
    user_answer(identity, origin, v2, form, client)
}

fn user_answer(
    identity: &Identity,
    origin: &str,
    v2: bool,
    form: &Form,
    client: &str,
) -> Result<HttpResponse, HttpResponse> {
    let resource = resource(form, v2)?;
    let t = identity
        .user_tokens(&resource, client, origin)
        .map_err(|e| aad_error(500, "temporarily_unavailable", 50000, &e))?;
    let mut body = token_body(v2, &resource, &t.access, t.expires_on);
    if let Some(o) = body.as_object_mut() {
        use base64::Engine;
        let info = json!({"uid": USER_OBJECT_ID, "utid": TENANT_ID}).to_string();
        o.insert("scope".into(), json!(form.get("scope").unwrap_or_default()));
        o.insert("refresh_token".into(), json!(t.refresh));
        o.insert("id_token".into(), json!(t.id));
        o.insert(
            "client_info".into(),
            json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(info)),
        );
    }
    Ok(ok(body))
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
    fn scopes_name_their_resource() {
        assert_eq!(
            scope_resource("https://management.core.windows.net//.default").as_deref(),
            Some("https://management.core.windows.net/")
        );
        assert_eq!(
            scope_resource("https://management.azure.com/user_impersonation").as_deref(),
            Some("https://management.azure.com")
        );
        assert_eq!(scope_resource("openid"), None);
        assert_eq!(scope_resource("/.default"), None);
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
