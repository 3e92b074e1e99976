//! Who may do what: SharedKey signatures and SAS tokens verified against the account's keys
//! (`key1` or `key2`, what `listKeys` returns), Entra bearer tokens checked by the caller, and
//! the answers Azure gives when they fail (403 `AuthenticationFailed`, 403
//! `AuthorizationPermissionMismatch`, 401 `NoAuthenticationInformation`...).
//!
//! Not modelled (refused with a message saying so): SharedKeyLite, stored access policies
//! (`si`), user delegation SAS, directory SAS (`sr=d`), anonymous public access.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::sign::{self, SasFields};
use super::{BearerCheck, BlobError, Ctx, Parsed, xml};

/// How long a SharedKey request's date stays valid either side of now (the service's rule).
const CLOCK_SKEW_MS: u64 = 15 * 60 * 1000;

/// What the caller may do.
#[derive(Debug, Clone)]
pub(crate) enum Grant {
    /// Account key or Entra token: everything.
    Full,
    /// A SAS: only these permission letters (`racwdl...`).
    Sas(String),
}

impl Grant {
    /// Refuses unless the grant holds one of the permission letters in `any_of`.
    pub(crate) fn require(&self, any_of: &str) -> Result<(), BlobError> {
        match self {
            Grant::Full => Ok(()),
            Grant::Sas(perms) if any_of.chars().any(|c| perms.contains(c)) => Ok(()),
            Grant::Sas(_) => Err(BlobError::new(
                403,
                "AuthorizationPermissionMismatch",
                "This request is not authorized to perform this operation using this permission.",
            )),
        }
    }
}

/// The level a request acts on (what an account SAS's `srt` must include).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Service,
    Container,
    Object,
}

fn level(p: &Parsed<'_>) -> Level {
    match (&p.container, &p.blob) {
        (None, _) => Level::Service,
        (Some(_), None) => Level::Container,
        (Some(_), Some(_)) => Level::Object,
    }
}

fn auth_failed(detail: String) -> BlobError {
    BlobError::new(
        403,
        "AuthenticationFailed",
        "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
    )
    .with_extra(format!(
        "<AuthenticationErrorDetail>{}</AuthenticationErrorDetail>",
        xml::esc(&detail)
    ))
}

/// Decides what the request may do, or refuses it.
pub(crate) fn authorize(
    ctx: &Ctx<'_>,
    p: &Parsed<'_>,
    bearer: BearerCheck<'_>,
) -> Result<Grant, BlobError> {
    let Some(account) = ctx.account(&p.account) else {
        return Err(BlobError::new(
            404,
            "ResourceNotFound",
            format!(
                "The storage account '{}' does not exist in this emulated world: create it (ARM PUT Microsoft.Storage/storageAccounts) first.",
                p.account
            ),
        ));
    };
    let keys: Vec<String> = ["key1", "key2"]
        .iter()
        .filter_map(|k| {
            account
                .secrets
                .as_ref()?
                .get(k)?
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    let keys_allowed = account
        .body
        .pointer("/properties/allowSharedKeyAccess")
        .and_then(serde_json::Value::as_bool)
        != Some(false);
    let key_refused = || {
        BlobError::new(
            403,
            "KeyBasedAuthenticationNotPermitted",
            "Key based authentication is not permitted on this storage account.",
        )
    };
    if let Some(value) = p.header("authorization") {
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        if scheme.eq_ignore_ascii_case("bearer") {
            return bearer_grant(p, value, bearer);
        }
        if scheme == "SharedKey" {
            if !keys_allowed {
                return Err(key_refused());
            }
            return shared_key(ctx, p, rest.trim(), &keys);
        }
        return Err(auth_failed(format!(
            "The authorization scheme '{scheme}' is not emulated by amlab (use SharedKey, a SAS or an Entra bearer token)."
        )));
    }
    if let Some(sas) = SasFields::parse(&p.query) {
        if !keys_allowed {
            return Err(key_refused());
        }
        return sas_grant(ctx, p, &sas, &keys);
    }
    Err(BlobError::new(
        401,
        "NoAuthenticationInformation",
        "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.",
    )
    .with_header("WWW-Authenticate", challenge()))
}

fn challenge() -> String {
    format!(
        "Bearer authorization_uri=https://login.microsoftonline.com/{}/oauth2/authorize resource_id=https://storage.azure.com",
        super::super::TENANT_ID
    )
}

fn bearer_grant(p: &Parsed<'_>, value: &str, bearer: BearerCheck<'_>) -> Result<Grant, BlobError> {
    if p.scheme != "https" {
        return Err(BlobError::new(
            400,
            "AuthenticationFailed",
            "Authentication scheme Bearer is not allowed with HTTP.",
        ));
    }
    bearer(value).map(|()| Grant::Full).map_err(|why| {
        BlobError::new(
            401,
            "InvalidAuthenticationInfo",
            "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.",
        )
        .with_extra(format!(
            "<AuthenticationErrorDetail>{}</AuthenticationErrorDetail>",
            xml::esc(&why)
        ))
        .with_header("WWW-Authenticate", challenge())
    })
}

fn shared_key(
    ctx: &Ctx<'_>,
    p: &Parsed<'_>,
    credential: &str,
    keys: &[String],
) -> Result<Grant, BlobError> {
    let Some((account, signature)) = credential.split_once(':') else {
        return Err(auth_failed(
            "The Authorization header is not 'SharedKey account:signature'.".into(),
        ));
    };
    if !account.eq_ignore_ascii_case(&p.account) {
        return Err(auth_failed(format!(
            "The account '{account}' in the Authorization header is not the account of this endpoint."
        )));
    }
    let date = p.header("x-ms-date").or_else(|| p.header("date"));
    let Some(date) = date else {
        return Err(auth_failed(
            "Request date header not specified (x-ms-date or Date).".into(),
        ));
    };
    let Ok(when) = httpdate::parse_http_date(date) else {
        return Err(auth_failed(format!(
            "The date '{date}' is not an RFC 1123 date."
        )));
    };
    let when_ms = when
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    if when_ms.abs_diff(ctx.now_ms) > CLOCK_SKEW_MS {
        return Err(auth_failed(format!(
            "Request date header too old or too far in the future: '{date}' (the service allows 15 minutes)."
        )));
    }
    let text =
        sign::shared_key_string(&p.method, &p.req.headers, &p.account, &p.raw_path, &p.query);
    if keys.iter().any(|k| sign::verify(k, &text, signature)) {
        Ok(Grant::Full)
    } else {
        Err(auth_failed(format!(
            "The MAC signature found in the HTTP request is not the same as any computed signature. Server used following string to sign: '{text}'."
        )))
    }
}

/// A SAS time: ISO 8601 UTC, with or without seconds, or a date.
fn sas_time(s: &str) -> Option<u64> {
    let candidates = [
        s.to_owned(),
        s.replace('Z', ":00Z"),
        format!("{s}T00:00:00Z"),
    ];
    candidates
        .iter()
        .find_map(|c| OffsetDateTime::parse(c, &Rfc3339).ok())
        .and_then(|t| u64::try_from(t.unix_timestamp()).ok())
        .map(|s| s * 1000)
}

fn sas_grant(
    ctx: &Ctx<'_>,
    p: &Parsed<'_>,
    sas: &SasFields,
    keys: &[String],
) -> Result<Grant, BlobError> {
    if !sas.identifier.is_empty() {
        return Err(auth_failed(
            "Stored access policies (si) are not emulated by amlab.".into(),
        ));
    }
    if p.param("skoid").is_some() {
        return Err(auth_failed(
            "User delegation SAS is not emulated by amlab.".into(),
        ));
    }
    let expiry = sas_time(&sas.expiry).ok_or_else(|| {
        auth_failed(format!(
            "The signed expiry (se) '{}' is missing or not an ISO 8601 time.",
            sas.expiry
        ))
    })?;
    let start = if sas.start.is_empty() {
        None
    } else {
        Some(sas_time(&sas.start).ok_or_else(|| {
            auth_failed(format!(
                "The signed start (st) '{}' is not an ISO 8601 time.",
                sas.start
            ))
        })?)
    };
    if ctx.now_ms > expiry || start.is_some_and(|s| ctx.now_ms < s) {
        return Err(auth_failed(format!(
            "Signature not valid in the specified time frame: Start [{}] - Expiry [{}] - Current [{}]",
            sas.start,
            sas.expiry,
            super::http_date(ctx.now_ms)
        )));
    }
    if sas.protocol == "https" && p.scheme != "https" {
        return Err(BlobError::new(
            403,
            "AuthorizationProtocolMismatch",
            "This request is not authorized to perform this operation using this protocol.",
        ));
    }
    let text = if sas.is_account() {
        account_scope(p, sas)?;
        sas.account_string(&p.account)
    } else {
        sas.service_string(&service_resource(p, sas)?)
    };
    if keys.iter().any(|k| sign::verify(k, &text, &sas.signature)) {
        Ok(Grant::Sas(sas.permissions.clone()))
    } else {
        Err(auth_failed(format!(
            "Signature did not match. String to sign used was {text}"
        )))
    }
}

fn mismatch() -> BlobError {
    BlobError::new(
        403,
        "AuthorizationResourceTypeMismatch",
        "This request is not authorized to perform this operation using this resource type.",
    )
}

/// An account SAS must cover the blob service and the request's level.
fn account_scope(p: &Parsed<'_>, sas: &SasFields) -> Result<(), BlobError> {
    if !sas.services.contains('b') {
        return Err(BlobError::new(
            403,
            "AuthorizationServiceMismatch",
            "This request is not authorized to perform this operation using this service.",
        ));
    }
    let needed = match level(p) {
        Level::Service => 's',
        Level::Container => 'c',
        Level::Object => 'o',
    };
    if sas.resource_types.contains(needed) {
        Ok(())
    } else {
        Err(mismatch())
    }
}

/// The canonical resource a service SAS signs: the request's container (`sr=c`) or blob
/// (`sr=b`); container operations other than reading and listing need an account SAS.
fn service_resource(p: &Parsed<'_>, sas: &SasFields) -> Result<String, BlobError> {
    let Some(container) = &p.container else {
        return Err(mismatch());
    };
    let container_op_allowed = matches!(p.method.as_str(), "GET" | "HEAD");
    match (sas.resource.as_str(), &p.blob) {
        ("c", None) if container_op_allowed => Ok(format!("/blob/{}/{container}", p.account)),
        ("c", Some(_)) => Ok(format!("/blob/{}/{container}", p.account)),
        ("b", Some(blob)) => Ok(format!("/blob/{}/{container}/{blob}", p.account)),
        ("c" | "b", _) => Err(mismatch()),
        (other, _) => Err(auth_failed(format!(
            "The signed resource (sr) '{other}' is not emulated by amlab (use c or b)."
        ))),
    }
}
