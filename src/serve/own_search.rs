//! The Search data plane on the server's own address, for clients that reach `amlab serve` at
//! its URL (`amlab check --target http://127.0.0.1:PORT`) rather than through its proxy, where
//! `https://{service}.search.windows.net` would not resolve.
//!
//! Answers to requests addressed to the server itself advertise every search endpoint as
//! `{own origin}/_search/{service}` (a search service's `properties.endpoint`, the data plane's
//! `@odata.context`), and a request to `/_search/{service}/PATH` is served as one to
//! `https://{service}.search.windows.net/PATH`: same data plane, same keys, same token checks.
//! Requests through the proxy (to Azure's host names) see Azure's endpoints unchanged.

use axum::http::Uri;
use serde_json::Value;

use super::hosts;

/// The path prefix of the data plane on the server's own address.
const PREFIX: &str = "/_search/";

/// The Search endpoint's host suffix.
const DOMAIN: &str = ".search.windows.net";

/// Whether `origin` (`scheme://host[:port]`) is the server addressed directly, not an Azure host
/// reached through the proxy.
pub(super) fn is_own(origin: &str) -> bool {
    let authority = origin.split_once("://").map_or(origin, |(_, h)| h);
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    };
    !hosts::is_proxied(host)
}

/// `/_search/{service}/PATH?Q` on the server's own address: the data plane's origin
/// (`https://{service}.search.windows.net`) and `/PATH?Q`.
pub(super) fn unprefix(origin: &str, uri: &Uri) -> Option<(String, Uri)> {
    if !is_own(origin) {
        return None;
    }
    let rest = uri.path().strip_prefix(PREFIX)?;
    let (service, path) = rest.split_once('/').unwrap_or((rest, ""));
    if !hosts::is_search(&format!("{service}{DOMAIN}")) {
        return None;
    }
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let uri = format!("/{path}{query}").parse().ok()?;
    Some((format!("https://{service}{DOMAIN}"), uri))
}

/// Rewrites every string that starts with a search endpoint (`https://{service}.search.windows.net`)
/// to the same place on `origin` (`{origin}/_search/{service}`).
pub(super) fn advertise(origin: &str, value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some(local) = local_url(origin, s) {
                *s = local;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| advertise(origin, v)),
        Value::Object(map) => map.values_mut().for_each(|v| advertise(origin, v)),
        _ => {}
    }
}

fn local_url(origin: &str, url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(end);
    let host = host.strip_suffix(":443").unwrap_or(host);
    if !hosts::is_search(host) {
        return None;
    }
    let service = &host[..host.len() - DOMAIN.len()];
    Some(format!(
        "{origin}{PREFIX}{}{tail}",
        service.to_ascii_lowercase()
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    #[test]
    fn the_data_plane_is_advertised_and_served_on_the_own_address() {
        let own = "http://127.0.0.1:8080";
        let mut body = json!({"properties": {"endpoint": "https://Srch1.search.windows.net/"},
            "other": ["https://srch1.search.windows.net:443/$metadata#indexes", "https://x.blob.core.windows.net/"]});
        advertise(own, &mut body);
        assert_eq!(
            body,
            json!({"properties": {"endpoint": "http://127.0.0.1:8080/_search/srch1/"},
                "other": ["http://127.0.0.1:8080/_search/srch1/$metadata#indexes", "https://x.blob.core.windows.net/"]})
        );
        let uri: Uri = "/_search/srch1/indexes/i?api-version=2025-09-01"
            .parse()
            .unwrap();
        let (origin, uri) = unprefix(own, &uri).unwrap();
        assert_eq!(origin, "https://srch1.search.windows.net");
        assert_eq!(uri.to_string(), "/indexes/i?api-version=2025-09-01");
        // Through the proxy, or a path that names no service, nothing changes.
        assert!(
            unprefix(
                "https://management.azure.com",
                &"/_search/srch1/indexes".parse().unwrap()
            )
            .is_none()
        );
        assert!(unprefix(own, &"/_search/a.b/indexes".parse().unwrap()).is_none());
        assert!(unprefix(own, &"/subscriptions/s".parse().unwrap()).is_none());
        assert!(is_own(own) && !is_own("https://management.azure.com"));
    }
}
