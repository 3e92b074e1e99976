//! Resource paths as amlab sends them: `/`-separated segments, none empty, none `.` or `..`
//! (also percent-encoded: URL parsers resolve `%2e%2e` as `..`), none holding `\`, `#` or `?`.
//!
//! A path is refused, never normalised: `/subscriptions/s/../../_emulator/secrets` would
//! otherwise leave `/subscriptions/` once a URL parser resolved it, a `\` is a separator to
//! some servers, and a `#` or `?` cuts the path (dropping the api-version that follows).

/// Why `path` (the part of a URL before `?`) is not a resource path amlab sends, or `None`.
pub fn problem(path: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    for segment in rest.split('/') {
        let decoded = percent_decoded(segment);
        let why = if segment.is_empty() {
            "an empty segment (`//` or a trailing `/`)"
        } else if decoded == "." || decoded == ".." {
            "a `.` or `..` segment"
        } else if decoded.contains('\\') {
            "a `\\`"
        } else if decoded.contains('#') || decoded.contains('?') {
            "a `#` or `?`"
        } else if decoded.contains('/') {
            "an encoded `/` (%2F)"
        } else {
            continue;
        };
        return Some(format!("resource path has {why}"));
    }
    None
}

/// `segment` with `%XX` decoded (invalid escapes kept as written).
fn percent_decoded(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Why paths are refused before any URL is built: the URL parser under reqwest resolves
    /// dot segments, encoded ones too, and treats `\\` as `/` in https URLs.
    #[test]
    fn the_url_parser_would_normalise_these_paths() {
        let parsed = |u: &str| reqwest::Url::parse(u).map(|u| u.path().to_owned()).ok();
        let base = "https://management.azure.com/subscriptions/s";
        assert_eq!(
            parsed(&format!("{base}/../../_emulator/secrets")).as_deref(),
            Some("/_emulator/secrets")
        );
        assert_eq!(
            parsed(&format!("{base}/%2e%2E/x")).as_deref(),
            Some("/subscriptions/x")
        );
        assert_eq!(parsed(&format!("{base}/..\\..\\x")).as_deref(), Some("/x"));
    }

    #[test]
    fn dot_segments_separators_and_cuts_are_refused() {
        assert_eq!(problem("/subscriptions/s/resourceGroups/rg"), None);
        assert_eq!(problem("/subscriptions/s/resourceGroups/rg.v1..x"), None);
        for bad in [
            "/subscriptions/s/../../_emulator/secrets",
            "/subscriptions/s/%2E%2e/x",
            "/subscriptions/s/./x",
            "/subscriptions/s/..\\..\\_emulator",
            "/subscriptions/s/rg#",
            "/subscriptions/s/rg?x=1",
            "/subscriptions//rg",
            "/subscriptions/s/",
            "/subscriptions/s/a%2Fb",
            "/subscriptions/s/a%5cb",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
