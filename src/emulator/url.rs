//! Splitting a request URL into its origin, path segments and query parameters.

/// A parsed request URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestUrl {
    /// `scheme://host[:port]`, used to build the absolute URLs the emulator returns.
    pub(crate) origin: String,
    /// The path without the query, e.g. `/subscriptions/s/resourceGroups/rg`.
    pub(crate) path: String,
    /// The path and query as received, for the request log.
    pub(crate) path_and_query: String,
    /// Non-empty path segments (percent-decoded).
    pub(crate) segments: Vec<String>,
    /// Query parameters in order (percent-decoded).
    pub(crate) query: Vec<(String, String)>,
}

impl RequestUrl {
    /// Parses an absolute URL (or a bare path).
    pub(crate) fn parse(url: &str) -> Self {
        let (origin, rest) = match url.find("://") {
            Some(i) => {
                let after = &url[i + 3..];
                let end = after.find(['/', '?']).unwrap_or(after.len());
                (url[..i + 3 + end].to_owned(), &after[end..])
            }
            None => ("https://management.azure.com".to_owned(), url),
        };
        let path_and_query = if rest.is_empty() {
            "/".to_owned()
        } else {
            rest.to_owned()
        };
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p.to_owned(), q.to_owned()),
            None => (path_and_query.clone(), String::new()),
        };
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (percent_decode(k), percent_decode(v)),
                None => (percent_decode(p), String::new()),
            })
            .collect();
        Self {
            origin,
            path,
            path_and_query,
            segments,
            query,
        }
    }

    /// The first value of a query parameter (name compared case-insensitively).
    pub(crate) fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The query's `name=value` pairs as received (still percent-encoded), in order, without
    /// the parameters named in `drop` (compared case-insensitively, after decoding).
    pub(crate) fn raw_query_except(&self, drop: &[&str]) -> Vec<&str> {
        let query = self.path_and_query.split_once('?').map_or("", |(_, q)| q);
        query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter(|pair| {
                let name = percent_decode(pair.split_once('=').map_or(pair, |(k, _)| k));
                !drop.iter().any(|d| d.eq_ignore_ascii_case(&name))
            })
            .collect()
    }

    /// An absolute URL on this request's origin.
    pub(crate) fn absolute(&self, path_and_query: &str) -> String {
        format!("{}{}", self.origin, path_and_query)
    }
}

/// Decodes `%XX` escapes; `+` is left alone (ARM paths do not use form encoding).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_origin_path_and_query() {
        let u = RequestUrl::parse(
            "http://127.0.0.1:8080/subscriptions/s/resourceGroups/my%20rg?api-version=2024-03-01&x",
        );
        assert_eq!(u.origin, "http://127.0.0.1:8080");
        assert_eq!(
            u.segments,
            vec!["subscriptions", "s", "resourceGroups", "my rg"]
        );
        assert_eq!(u.query_param("API-VERSION"), Some("2024-03-01"));
        assert_eq!(u.query_param("x"), Some(""));
        assert_eq!(u.absolute("/a?b=c"), "http://127.0.0.1:8080/a?b=c");
    }

    #[test]
    fn raw_query_keeps_other_parameters_encoded_and_in_order() {
        let u = RequestUrl::parse(
            "/jobs?api-version=1&jobType=Command&%24skipToken=2&tag=team%20a&listViewType=All",
        );
        assert_eq!(
            u.raw_query_except(&["API-VERSION", "$skipToken"]),
            vec!["jobType=Command", "tag=team%20a", "listViewType=All"]
        );
        assert!(RequestUrl::parse("/jobs").raw_query_except(&[]).is_empty());
    }
}
