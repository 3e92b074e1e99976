//! The signatures of Azure Storage, computed as the service does: HMAC-SHA256 with the
//! base64-decoded account key over a canonical string (SharedKey requests, service SAS and
//! account SAS), and the SAS the emulator itself issues (`startPendingUpload`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// `base64(HMAC-SHA256(base64decode(key), text))`; `None` when the key is not base64.
pub fn sign(key_b64: &str, text: &str) -> Option<String> {
    let key = STANDARD.decode(key_b64).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(text.as_bytes());
    Some(STANDARD.encode(mac.finalize().into_bytes()))
}

/// Whether `signature` (base64) is the HMAC of `text` under `key_b64`, compared in constant
/// time.
pub fn verify(key_b64: &str, text: &str, signature: &str) -> bool {
    let (Ok(key), Ok(given)) = (STANDARD.decode(key_b64), STANDARD.decode(signature)) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return false;
    };
    mac.update(text.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// The headers a SharedKey string-to-sign names, in order (`Range` last).
const SIGNED_HEADERS: &[&str] = &[
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-type",
    "date",
    "if-modified-since",
    "if-match",
    "if-none-match",
    "if-unmodified-since",
    "range",
];

/// The SharedKey string-to-sign of a request (Blob service, version 2009-09-19 and later):
/// the verb, the standard headers (`Content-Length` empty when 0), the `x-ms-*` headers
/// lower-cased and sorted, then `/{account}{encoded path}` and each query parameter,
/// lower-cased name and decoded values, sorted.
pub fn shared_key_string(
    method: &str,
    headers: &[(String, String)],
    account: &str,
    raw_path: &str,
    query: &[(String, String)],
) -> String {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    };
    let mut s = format!("{method}\n");
    for name in SIGNED_HEADERS {
        let value = header(name);
        let value = if *name == "content-length" && value == "0" {
            ""
        } else {
            value
        };
        s.push_str(value);
        s.push('\n');
    }
    let mut ms: Vec<(String, &str)> = headers
        .iter()
        .filter(|(k, _)| k.to_ascii_lowercase().starts_with("x-ms-"))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str()))
        .collect();
    ms.sort_by(|a, b| super::collation::compare(&a.0, &b.0));
    for (k, v) in ms {
        s.push_str(&format!("{k}:{}\n", v.trim()));
    }
    s.push('/');
    s.push_str(account);
    s.push_str(if raw_path.is_empty() { "/" } else { raw_path });
    let mut params: Vec<(String, Vec<&str>)> = Vec::new();
    for (k, v) in query {
        let k = k.to_ascii_lowercase();
        match params.iter_mut().find(|(n, _)| *n == k) {
            Some((_, vs)) => vs.push(v),
            None => params.push((k, vec![v])),
        }
    }
    params.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, mut vs) in params {
        vs.sort_unstable();
        s.push_str(&format!("\n{k}:{}", vs.join(",")));
    }
    s
}

/// The fields of a SAS query string, as sent.
#[derive(Debug, Default, Clone)]
pub struct SasFields {
    /// `sv`.
    pub version: String,
    /// `sp`.
    pub permissions: String,
    /// `st`.
    pub start: String,
    /// `se`.
    pub expiry: String,
    /// `sr` (service SAS).
    pub resource: String,
    /// `ss` (account SAS).
    pub services: String,
    /// `srt` (account SAS).
    pub resource_types: String,
    /// `si`.
    pub identifier: String,
    /// `sip`.
    pub ip: String,
    /// `spr`.
    pub protocol: String,
    /// `ses`.
    pub encryption_scope: String,
    /// `snapshot`, `rscc`, `rscd`, `rsce`, `rscl`, `rsct`.
    pub snapshot_time: String,
    /// Response header overrides, in string-to-sign order.
    pub overrides: [String; 5],
    /// `sig`.
    pub signature: String,
}

impl SasFields {
    /// The SAS fields of a decoded query; `None` without `sig`.
    pub fn parse(query: &[(String, String)]) -> Option<Self> {
        let get = |k: &str| {
            query
                .iter()
                .find(|(n, _)| n == k)
                .map_or_else(String::new, |(_, v)| v.clone())
        };
        let signature = get("sig");
        if signature.is_empty() {
            return None;
        }
        Some(Self {
            version: get("sv"),
            permissions: get("sp"),
            start: get("st"),
            expiry: get("se"),
            resource: get("sr"),
            services: get("ss"),
            resource_types: get("srt"),
            identifier: get("si"),
            ip: get("sip"),
            protocol: get("spr"),
            encryption_scope: get("ses"),
            snapshot_time: get("snapshot"),
            overrides: ["rscc", "rscd", "rsce", "rscl", "rsct"].map(get),
            signature,
        })
    }

    /// Whether this is an account SAS (`ss` and `srt`) rather than a service SAS.
    pub fn is_account(&self) -> bool {
        !self.services.is_empty() || !self.resource_types.is_empty()
    }

    /// The string-to-sign of a service SAS for `/blob/{account}/{container}[/{blob}]`, by the
    /// layout of its signed version (2015-04-05, 2018-11-09 and 2020-12-06 layouts).
    pub fn service_string(&self, canonical_resource: &str) -> String {
        let mut parts: Vec<&str> = vec![
            &self.permissions,
            &self.start,
            &self.expiry,
            canonical_resource,
            &self.identifier,
            &self.ip,
            &self.protocol,
            &self.version,
        ];
        if self.version.as_str() >= "2018-11-09" {
            parts.push(&self.resource);
            parts.push(&self.snapshot_time);
        }
        if self.version.as_str() >= "2020-12-06" {
            parts.push(&self.encryption_scope);
        }
        parts.extend(self.overrides.iter().map(String::as_str));
        parts.join("\n")
    }

    /// The string-to-sign of an account SAS (with `ses` from 2020-12-06 on).
    pub fn account_string(&self, account: &str) -> String {
        let mut s = [
            account,
            &self.permissions,
            &self.services,
            &self.resource_types,
            &self.start,
            &self.expiry,
            &self.ip,
            &self.protocol,
            &self.version,
        ]
        .join("\n");
        s.push('\n');
        if self.version.as_str() >= "2020-12-06" {
            s.push_str(&self.encryption_scope);
            s.push('\n');
        }
        s
    }
}

/// The signed version of the SAS the emulator issues.
pub(crate) const ISSUED_SAS_VERSION: &str = "2023-11-03";

/// A container SAS (`sr=c`) for `/{account}/{container}` with permissions `sp`, valid until
/// `expiry` (ISO 8601), HTTPS only, signed with `key`: the query string, without `?`.
pub(crate) fn container_sas(
    account: &str,
    container: &str,
    sp: &str,
    start: &str,
    expiry: &str,
    key: &str,
) -> Option<String> {
    let fields = SasFields {
        version: ISSUED_SAS_VERSION.to_owned(),
        permissions: sp.to_owned(),
        start: start.to_owned(),
        expiry: expiry.to_owned(),
        resource: "c".to_owned(),
        protocol: "https".to_owned(),
        ..SasFields::default()
    };
    let text = fields.service_string(&format!("/blob/{account}/{container}"));
    let sig = sign(key, &text)?;
    let enc = |v: &str| {
        percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    Some(format!(
        "sv={}&st={}&se={}&sr=c&sp={sp}&spr=https&sig={}",
        ISSUED_SAS_VERSION,
        enc(start),
        enc(expiry),
        enc(&sig)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2 ("Jefe"), through base64.
    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        let key = STANDARD.encode(b"Jefe");
        let sig = sign(&key, "what do ya want for nothing?").unwrap_or_default();
        let hex: String = STANDARD
            .decode(&sig)
            .unwrap_or_default()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(verify(&key, "what do ya want for nothing?", &sig));
        assert!(!verify(&key, "what do ya want for nothing!", &sig));
        assert!(!verify("not base64!", "x", &sig));
    }

    #[test]
    fn the_shared_key_string_is_canonical() {
        let headers = vec![
            ("x-ms-version".to_owned(), "2025-01-05".to_owned()),
            ("Content-Length".to_owned(), "0".to_owned()),
            (
                "X-MS-Date".to_owned(),
                "Thu, 03 Dec 2026 08:00:00 GMT".to_owned(),
            ),
            ("x-ms-blob-type".to_owned(), "BlockBlob".to_owned()),
        ];
        let query = vec![
            ("restype".to_owned(), "container".to_owned()),
            ("Comp".to_owned(), "list".to_owned()),
        ];
        let s = shared_key_string("GET", &headers, "acct", "/c%20x", &query);
        assert_eq!(
            s,
            "GET\n\n\n\n\n\n\n\n\n\n\n\n\
             x-ms-blob-type:BlockBlob\nx-ms-date:Thu, 03 Dec 2026 08:00:00 GMT\nx-ms-version:2025-01-05\n\
             /acct/c%20x\ncomp:list\nrestype:container"
        );
    }
}
