//! Emulated Microsoft Entra ID for `amlab serve`: what MSAL, azure-identity and the Azure CLI
//! call before they reach ARM, and the check ARM makes on every request.
//!
//! - `GET /common/discovery/instance` (MSAL's instance discovery),
//! - `GET /{tenant}/v2.0/.well-known/openid-configuration` and its `jwks_uri`
//!   (`/{tenant}/discovery/v2.0/keys`),
//! - `POST /{tenant}/oauth2/v2.0/token` (and the v1 `/{tenant}/oauth2/token`) with the
//!   `client_credentials` grant, authenticated by the client secret or by a client assertion (a
//!   JWT signed with the key of a certificate registered with `--client-cert`).
//!
//! Access tokens are JWTs signed RS256 with a key generated at every start (jsonwebtoken on
//! aws-lc-rs, the crypto stack rustls already uses); [`Identity::verify`] accepts only tokens
//! this server issued, unexpired, for ARM's audience, and answers the others as ARM does (401
//! with `InvalidAuthenticationToken`, `ExpiredAuthenticationToken` or
//! `InvalidAuthenticationTokenAudience`). Token values and the client secret are secrets: they
//! are never logged and never printed.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, jwk};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::arm::transport::HttpResponse;
use crate::emulator::TENANT_ID;

/// The emulated service principal's application (client) id.
pub const CLIENT_ID: &str = "6f0a1ab0-0000-4000-8000-0000000c11e7";

/// Its object id (the `oid` of its tokens).
const OBJECT_ID: &str = crate::emulator::SERVICE_PRINCIPAL_OBJECT_ID;

/// The emulated user (the resource owner password grant and its refresh tokens).
pub const USERNAME: &str = "learner@amlab.emulator";

/// The user's object id.
pub(crate) const USER_OBJECT_ID: &str = "6f0a1ab0-0000-4000-8000-0000000000c1";

/// Lifetime of a refresh token (Entra's is 90 days).
const REFRESH_LIFETIME_S: u64 = 90 * 24 * 3600;

/// Lifetime of an access token (Entra's default is 60-90 minutes).
const TOKEN_LIFETIME_S: u64 = 3599;

/// Clock skew ARM tolerates on `nbf`/`exp`.
const LEEWAY_S: u64 = 300;

/// The audiences ARM accepts.
const ARM_AUDIENCES: &[&str] = &[
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
];

/// The claims of an access token this server issues (Entra's v1 app token).
#[derive(Debug, Serialize, Deserialize)]
struct AccessClaims {
    aud: String,
    iss: String,
    iat: u64,
    nbf: u64,
    exp: u64,
    appid: String,
    /// `1`: client secret, `2`: certificate.
    appidacr: String,
    idtyp: String,
    oid: String,
    sub: String,
    tid: String,
    ver: String,
    uti: String,
}

/// The claims read from a client assertion.
#[derive(Debug, Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
}

/// Why a bearer token was refused: ARM's error code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// ARM error code.
    pub code: &'static str,
    /// ARM error message (never contains the token).
    pub message: String,
}

impl Refusal {
    /// ARM's 401 response for this refusal.
    pub fn response(&self) -> HttpResponse {
        HttpResponse::new(
            401,
            Some(json!({"error": {"code": self.code, "message": self.message}})),
        )
        .with_header(
            "WWW-Authenticate",
            format!(
                "Bearer authorization_uri=\"https://login.microsoftonline.com/{TENANT_ID}\", error=\"invalid_token\", error_description=\"{}\"",
                self.message.replace('"', "'")
            ),
        )
    }
}

/// The emulated tenant: its signing key, the service principal's credentials.
pub struct Identity {
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: jwk::Jwk,
    kid: String,
    secret: String,
    password: String,
    /// Certificates (PEM) whose keys may sign client assertions.
    certificates: Vec<DecodingKey>,
    clock: fn() -> u64,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn system_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Why the identity could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The signing key could not be made.
    #[error("signing key: {0}")]
    Key(String),
    /// A `--client-cert` file is not a PEM certificate with an RSA key.
    #[error("client certificate {path}: {message}")]
    Certificate {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Identity {
    /// A fresh tenant: a new RSA signing key and a new client secret.
    pub fn generate() -> Result<Self, IdentityError> {
        Self::with_clock(system_now)
    }

    /// As [`Identity::generate`], reading the time from `clock` (seconds since the epoch).
    pub fn with_clock(clock: fn() -> u64) -> Result<Self, IdentityError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
            .map_err(|e| IdentityError::Key(e.to_string()))?;
        let pem = key.serialize_pem();
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes())
            .map_err(|e| IdentityError::Key(e.to_string()))?;
        let mut jwk = jwk::Jwk::from_encoding_key(&encoding, Algorithm::RS256)
            .map_err(|e| IdentityError::Key(e.to_string()))?;
        let decoding =
            DecodingKey::from_jwk(&jwk).map_err(|e| IdentityError::Key(e.to_string()))?;
        let kid = random_hex(16);
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(jwk::PublicKeyUse::Signature);
        Ok(Self {
            encoding,
            decoding,
            jwk,
            kid,
            secret: random_secret(),
            password: random_secret(),
            certificates: Vec::new(),
            clock,
        })
    }

    /// Registers a certificate (PEM) whose key may sign client assertions.
    pub fn add_certificate(&mut self, path: &str, pem: &[u8]) -> Result<(), IdentityError> {
        let key = DecodingKey::from_rsa_pem(pem).map_err(|e| IdentityError::Certificate {
            path: path.to_owned(),
            message: format!("not a PEM certificate with an RSA key ({e})"),
        })?;
        self.certificates.push(key);
        Ok(())
    }

    /// The service principal's client secret (a secret: never print it).
    pub fn client_secret(&self) -> &str {
        &self.secret
    }

    /// The JSON Web Key Set published at the configuration's `jwks_uri`.
    pub fn jwks(&self) -> Value {
        let mut key = serde_json::to_value(&self.jwk).unwrap_or_default();
        if let Some(o) = key.as_object_mut() {
            o.insert(
                "issuer".into(),
                json!(issuer_v2("https://login.microsoftonline.com")),
            );
        }
        json!({ "keys": [key] })
    }

    /// Checks the `Authorization` header value of an ARM request.
    pub fn verify(&self, authorization: Option<&str>) -> Result<(), Refusal> {
        self.verify_for(authorization, ARM_AUDIENCES)
    }

    /// Checks the `Authorization` header value of a request to blob storage: a token for
    /// `https://storage.azure.com` or for the account's own endpoint.
    pub fn verify_storage(&self, authorization: &str, account: &str) -> Result<(), Refusal> {
        let own = format!("https://{account}.blob.core.windows.net");
        let own_slash = format!("{own}/");
        let audiences = [
            "https://storage.azure.com",
            "https://storage.azure.com/",
            own.as_str(),
            own_slash.as_str(),
        ];
        self.verify_for(Some(authorization), &audiences)
    }

    /// Checks the `Authorization` header value of a request to a service whose tokens are for
    /// one of `audiences` (ARM's, or a data plane's such as `https://search.azure.com`).
    pub fn verify_for(
        &self,
        authorization: Option<&str>,
        audiences: &[&str],
    ) -> Result<(), Refusal> {
        let Some(value) = authorization else {
            return Err(Refusal {
                code: "AuthenticationFailed",
                message: "Authentication failed. The 'Authorization' header is missing.".into(),
            });
        };
        let token = match value.split_once(' ') {
            Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty() => {
                t.trim()
            }
            _ => {
                return Err(Refusal {
                    code: "AuthenticationFailed",
                    message: "Authentication failed. The 'Authorization' header is provided in an invalid format.".into(),
                });
            }
        };
        let invalid = || Refusal {
            code: "InvalidAuthenticationToken",
            message: "The access token is invalid.".into(),
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        validation.set_issuer(&[issuer_v1()]);
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(invalid());
        }
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &validation)
            .map_err(|_| invalid())?;
        let claims = data.claims;
        let now = (self.clock)();
        if claims.exp + LEEWAY_S < now {
            return Err(Refusal {
                code: "ExpiredAuthenticationToken",
                message: format!(
                    "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                    utc(claims.exp),
                    utc(now)
                ),
            });
        }
        if claims.nbf > now + LEEWAY_S {
            return Err(invalid());
        }
        if !audiences.contains(&claims.aud.as_str()) {
            return Err(Refusal {
                code: "InvalidAuthenticationTokenAudience",
                message: format!(
                    "The access token has been obtained for wrong audience or resource '{}'. It should exactly match with one of the allowed audiences '{}'.",
                    claims.aud,
                    audiences.join("','")
                ),
            });
        }
        Ok(())
    }

    /// Whether `secret` is the client secret (compared in constant time).
    pub(crate) fn secret_matches(&self, secret: &str) -> bool {
        let (a, b) = (secret.as_bytes(), self.secret.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// Verifies a client assertion: signed (RS256 or PS256) by the key of a registered
    /// certificate, issued by and about [`CLIENT_ID`], for one of `audiences` (the token
    /// endpoint), unexpired.
    pub(crate) fn assertion_valid(&self, assertion: &str, audiences: &[String]) -> bool {
        let Ok(header) = jsonwebtoken::decode_header(assertion) else {
            return false;
        };
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::PS256) {
            return false;
        }
        let mut validation = Validation::new(header.alg);
        validation.set_audience(audiences);
        validation.leeway = LEEWAY_S;
        validation.validate_exp = false;
        let now = (self.clock)();
        self.certificates.iter().any(|key| {
            jsonwebtoken::decode::<Value>(assertion, key, &validation).is_ok_and(|d| {
                let exp = d.claims["exp"].as_u64().unwrap_or(0);
                let claims: Option<AssertionClaims> = serde_json::from_value(d.claims).ok();
                exp + LEEWAY_S >= now
                    && claims.is_some_and(|c| c.iss == CLIENT_ID && c.sub == CLIENT_ID)
            })
        })
    }

    /// Issues an app access token for `resource` (an audience); `acr` 1: secret, 2: certificate.
    pub(crate) fn issue(&self, resource: &str, acr: &str) -> Result<(String, u64), String> {
        self.issue_for(resource, CLIENT_ID, acr, OBJECT_ID, "app")
    }

    /// Issues an access token for `resource` to the subject `oid` (`idtyp` app or user).
    fn issue_for(
        &self,
        resource: &str,
        appid: &str,
        acr: &str,
        oid: &str,
        idtyp: &str,
    ) -> Result<(String, u64), String> {
        let now = (self.clock)();
        let claims = AccessClaims {
            aud: resource.to_owned(),
            iss: issuer_v1(),
            iat: now,
            nbf: now,
            exp: now + TOKEN_LIFETIME_S,
            appid: appid.to_owned(),
            appidacr: acr.to_owned(),
            idtyp: idtyp.into(),
            oid: oid.into(),
            sub: oid.into(),
            tid: TENANT_ID.into(),
            ver: "1.0".into(),
            uti: random_hex(11),
        };
        Ok((self.sign(&claims)?, now + TOKEN_LIFETIME_S))
    }

    fn sign(&self, claims: &impl Serialize) -> Result<String, String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// The emulated user's password (a secret: never print it).
    pub fn user_password(&self) -> &str {
        &self.password
    }

    /// Whether `username`/`password` are the emulated user's.
    pub(crate) fn user_matches(&self, username: &str, password: &str) -> bool {
        username.eq_ignore_ascii_case(USERNAME)
            && password.len() == self.password.len()
            && password
                .bytes()
                .zip(self.password.bytes())
                .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                == 0
    }

    /// The tokens of a signed-in user for `resource`, as client `client_id` receives them:
    /// an access token, a refresh token (a JWT only this server can redeem) and an ID token.
    pub(crate) fn user_tokens(
        &self,
        resource: &str,
        client_id: &str,
        origin: &str,
    ) -> Result<UserTokens, String> {
        let (access, expires_on) =
            self.issue_for(resource, client_id, "0", USER_OBJECT_ID, "user")?;
        let now = (self.clock)();
        let refresh = self.sign(&json!({
            "typ": "refresh", "iss": issuer_v1(), "sub": USER_OBJECT_ID, "client_id": client_id,
            "iat": now, "exp": now + REFRESH_LIFETIME_S, "uti": random_hex(11),
        }))?;
        let id = self.sign(&json!({
            "aud": client_id, "iss": issuer_v2(origin), "iat": now, "nbf": now,
            "exp": now + TOKEN_LIFETIME_S, "name": "amlab learner", "oid": USER_OBJECT_ID,
            "preferred_username": USERNAME, "sub": USER_OBJECT_ID, "tid": TENANT_ID, "ver": "2.0",
        }))?;
        Ok(UserTokens {
            access,
            expires_on,
            refresh,
            id,
        })
    }

    /// Whether `token` is an unexpired refresh token this server issued to `client_id`.
    pub(crate) fn refresh_valid(&self, token: &str, client_id: &str) -> bool {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let kid_ok = jsonwebtoken::decode_header(token)
            .is_ok_and(|h| h.kid.as_deref() == Some(self.kid.as_str()));
        kid_ok
            && jsonwebtoken::decode::<Value>(token, &self.decoding, &validation).is_ok_and(|d| {
                d.claims["typ"] == "refresh"
                    && d.claims["client_id"] == client_id
                    && d.claims["exp"].as_u64().unwrap_or(0) > (self.clock)()
            })
    }
}

/// What a user sign-in returns.
pub(crate) struct UserTokens {
    /// The access token.
    pub(crate) access: String,
    /// When it expires (Unix time).
    pub(crate) expires_on: u64,
    /// The refresh token.
    pub(crate) refresh: String,
    /// The ID token.
    pub(crate) id: String,
}

/// `iss` of the access tokens (Entra's v1 issuer, as ARM tokens carry).
fn issuer_v1() -> String {
    format!("https://sts.windows.net/{TENANT_ID}/")
}

/// The v2 issuer at `origin`.
fn issuer_v2(origin: &str) -> String {
    format!("{origin}/{TENANT_ID}/v2.0")
}

/// `YYYY-MM-DDTHH:MM:SS` of a Unix time.
fn utc(secs: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(0))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let fmt = time::macros::format_description!("[month]/[day]/[year] [hour]:[minute]:[second]");
    t.format(&fmt).unwrap_or_default()
}

/// 32 bytes from the operating system's CSPRNG (through aws-lc-rs, by way of a fresh key).
fn random_bytes() -> [u8; 32] {
    use sha2::Digest;
    let key = rcgen::KeyPair::generate()
        .map(|k| k.serialize_der())
        .unwrap_or_default();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut h = sha2::Sha256::new();
    h.update(&key);
    h.update(nanos.to_le_bytes());
    h.finalize().into()
}

fn random_hex(bytes: usize) -> String {
    random_bytes()
        .iter()
        .take(bytes)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A client secret shaped as Entra's (40 characters, `8Q~` after the first three).
fn random_secret() -> String {
    use base64::Engine;
    let b = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes());
    format!("{}8Q~{}", &b[..3], &b[3..37])
}

/// Parses an `application/x-www-form-urlencoded` body.
pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[path = "identity_tests.rs"]
mod tests;
