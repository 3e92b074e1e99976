//! Secrets masked in the source excerpts of diagnostics (a caret under a spec's or lab's line):
//! the text keeps its length and lines, so every position still points where it did, but the
//! value of a secret-named key (`account_key:`, `sas_token:`, `password:`, connection
//! strings...) and anything the recording redactor treats as a secret (`sig=`, `AccountKey=`,
//! bearer tokens, JWTs, PEM keys) becomes `*`.

use regex::Regex;
use serde_json::Map;
use std::sync::LazyLock;

use crate::fixture::redact::{
    Redactor, SUBSCRIPTION_PLACEHOLDER, TENANT_PLACEHOLDER, is_secret_key,
};

/// `key: value` (YAML, also as a list item, quoted key) or `"key": value` (JSON).
static KEY_VALUE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"^\s*(?:-\s+)?["']?([A-Za-z0-9_.\-]+)["']?\s*:[ \t]*(\S.*?)\s*$"#).ok()
});

/// Parts of a key (lower case, without `_` and `-`) that make its value a secret here.
const SECRETISH: &[&str] = &[
    "key",
    "token",
    "secret",
    "password",
    "passwd",
    "pwd",
    "sas",
    "signature",
    "connectionstring",
    "assertion",
    "certificate",
];

/// A `key: value` pair inside a flow mapping or JSON object.
static PAIR: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"[{,]\s*["']?([A-Za-z0-9_.\-]+)["']?\s*:\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^,}\s][^,}]*)"#,
    )
    .ok()
});

/// Whether a value under `key` is shown masked: a secret-named key, or a near miss
/// (`acount_key:` is reported as unknown on its own line).
fn secret_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    let secretish = SECRETISH.iter().any(|w| k.contains(w))
        && !["vault", "name", "type", "uri", "url", "id"]
            .iter()
            .any(|w| k.ends_with(w));
    secretish || is_secret_key(&k, None, &Map::new())
}

/// `text` with secrets replaced by `*` (byte for byte, so offsets and lines are unchanged).
pub fn mask_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let mut masked = body.to_owned();
        for (start, stop) in secret_ranges(body) {
            masked.replace_range(start..stop, &"*".repeat(stop - start));
        }
        out.push_str(&masked);
        out.push_str(end);
    }
    out
}

/// Byte ranges of `line` that hold secrets (on char boundaries).
fn secret_ranges(line: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let block = KEY_VALUE.as_ref().and_then(|re| re.captures(line));
    if let Some(c) = &block
        && let (Some(key), Some(value)) = (c.get(1), c.get(2))
        && secret_key(key.as_str())
    {
        ranges.push((value.start(), value.end()));
    }
    // `{key: value, ...}` and `"key": "value"` further along the line.
    if let Some(re) = PAIR.as_ref() {
        for c in re.captures_iter(line) {
            if let (Some(key), Some(value)) = (c.get(1), c.get(2))
                && secret_key(key.as_str())
            {
                ranges.push((value.start(), value.end()));
            }
        }
    }
    // What the recording redactor changes, from the first changed byte to the end of that
    // token (subscription and tenant ids and e-mail addresses are not secrets here).
    let redacted = Redactor::new(None).text(line);
    if redacted != line {
        let first = line
            .bytes()
            .zip(redacted.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(line.len().min(redacted.len()));
        let after = &redacted[first.min(redacted.len())..];
        let harmless = [SUBSCRIPTION_PLACEHOLDER, TENANT_PLACEHOLDER, "learner"]
            .iter()
            .any(|p| after.starts_with(p));
        if !harmless {
            let stop = line[first..]
                .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                .map_or(line.len(), |i| first + i);
            ranges.push((first, stop));
        }
    }
    ranges
        .into_iter()
        .map(|(s, e)| (floor(line, s), floor(line, e)))
        .filter(|(s, e)| s < e)
        .collect()
}

/// The nearest char boundary at or before `i`.
fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_become_stars_and_positions_stay() {
        let text = "name: ds\ncredentials:\n  account_key: c2VjcmV0S2V5\n  sas_token: ?sv=2022&sig=AbCd%2F123\npassword: hunter22\nurl: https://x.blob.core.windows.net/c?sv=1&sig=XYZsecret\nconn: DefaultEndpointsProtocol=https;AccountKey=abc123;EndpointSuffix=core\nid: /subscriptions/12345678-1234-1234-1234-123456789abc/x\n";
        let m = mask_secrets(text);
        assert_eq!(m.len(), text.len());
        assert_eq!(m.lines().count(), text.lines().count());
        for secret in ["c2VjcmV0S2V5", "AbCd", "hunter22", "XYZsecret", "abc123"] {
            assert!(!m.contains(secret), "{secret} in {m}");
        }
        assert!(m.contains("name: ds"), "{m}");
        assert!(m.contains("account_key: ****"), "{m}");
        assert!(
            m.contains("12345678-1234-1234-1234-123456789abc"),
            "not a secret: {m}"
        );
        let m = mask_secrets("acount_key: typo-secret\nkey_vault: kv-1\n");
        assert_eq!(m, "acount_key: ***********\nkey_vault: kv-1\n");
        let m =
            mask_secrets("p: {adminPassword: \"s3cr3t ${x}\", user: bob}\n{\"token\": \"abc\"}\n");
        assert_eq!(
            m,
            "p: {adminPassword: *************, user: bob}\n{\"token\": *****}\n"
        );
    }
}
