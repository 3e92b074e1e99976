//! The central secret scrubber: every text that leaves amlab (the terminal, the JSON, JUnit,
//! GitHub and Classroom reports, the gradebook, the errors `main` prints) passes through it.
//!
//! It removes two kinds of secret:
//! - the values amlab knows are secret ([`remember`]): every access token it obtained, the
//!   client secret and other credentials it was given (environment, flags), and every value
//!   under a secret-named key of a request or response body ([`learn`]: account keys, SAS
//!   tokens, connection strings, endpoint keys from `listKeys`/`listSecrets` actions);
//! - whatever the text rules of [`crate::fixture::redact`] recognize (bearer and JWT-like
//!   tokens, `sig=`, `AccountKey=`, `client_secret=`, 88-character keys, PEM private keys,
//!   the user name and password of URLs).
//!
//! Known values are also removed in the forms JSON and XML writers escape them to, so a report
//! scrubbed after serialization is as clean as one scrubbed before. Values shorter than
//! [`MIN_SECRET_LEN`] are not remembered (they would clobber ordinary words).

use std::io::Write;
use std::sync::{LazyLock, RwLock};

use serde_json::{Map, Value};

use crate::fixture::redact::{SANITIZED, is_secret_key, secret_patterns};

/// The shortest value [`remember`] keeps.
pub const MIN_SECRET_LEN: usize = 8;

/// A set of known secret values and the text rules.
#[derive(Debug, Default)]
pub struct Scrubber {
    /// Known values and their escaped forms, longest first.
    known: RwLock<Vec<String>>,
}

impl Scrubber {
    /// An empty scrubber (the text rules only).
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers a secret value (and its JSON- and XML-escaped forms).
    pub fn remember(&self, value: &str) {
        let value = value.trim();
        if value.len() < MIN_SECRET_LEN || value == SANITIZED {
            return;
        }
        let quoted = serde_json::to_string(value).unwrap_or_default();
        let json = quoted
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .unwrap_or(value)
            .to_owned();
        let forms = [value.to_owned(), json, xml_escape(value)];
        let mut known = self
            .known
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for form in forms {
            if !known.contains(&form) {
                known.push(form);
            }
        }
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }

    /// Remembers every string under a secret-named key of a JSON document.
    pub fn learn(&self, value: &Value) {
        self.learn_in(value, None);
    }

    fn learn_in(&self, value: &Value, parent: Option<&str>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        Value::String(s) if is_secret_key(k, parent, map) => self.remember(s),
                        _ => self.learn_in(v, Some(k)),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.learn_in(v, parent)),
            _ => {}
        }
    }

    /// The known values (with their escaped forms).
    pub fn known(&self) -> Vec<String> {
        self.known
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// How many values (with their escaped forms) are known.
    pub fn known_count(&self) -> usize {
        self.known
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// `text` without any known secret value nor anything the text rules recognize.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        {
            let known = self
                .known
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for k in known.iter() {
                if out.contains(k.as_str()) {
                    out = out.replace(k.as_str(), SANITIZED);
                }
            }
        }
        // Fail closed: rules that did not compile replace the whole text.
        secret_patterns(&out).unwrap_or_else(|| SANITIZED.to_owned())
    }

    /// Scrubs every string of a JSON document in place, and the values under secret-named
    /// keys whatever they hold.
    pub fn json(&self, value: &mut Value) {
        self.json_in(value, None);
    }

    fn json_in(&self, value: &mut Value, parent: Option<&str>) {
        match value {
            Value::String(s) => *s = self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.json_in(v, parent)),
            Value::Object(map) => self.object(map, parent),
            _ => {}
        }
    }

    fn object(&self, map: &mut Map<String, Value>, parent: Option<&str>) {
        let snapshot: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("keyName") || k.eq_ignore_ascii_case("name"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (k, v) in map.iter_mut() {
            match v {
                Value::String(s) if !s.is_empty() && is_secret_key(k, parent, &snapshot) => {
                    *s = SANITIZED.to_owned();
                }
                _ => self.json_in(v, Some(k)),
            }
        }
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The process's scrubber.
static GLOBAL: LazyLock<Scrubber> = LazyLock::new(Scrubber::new);

/// Remembers a secret value for the rest of the process.
pub fn remember(value: &str) {
    GLOBAL.remember(value);
}

/// Remembers every value under a secret-named key of a request or response body.
pub fn learn(value: &Value) {
    GLOBAL.learn(value);
}

/// Every value the process's scrubber knows (for the recorder's redaction and scan).
pub fn known() -> Vec<String> {
    GLOBAL.known()
}

/// Scrubs one text with the process's scrubber.
pub fn scrub(text: &str) -> String {
    GLOBAL.text(text)
}

/// Scrubs a JSON document in place with the process's scrubber.
pub fn scrub_json(value: &mut Value) {
    GLOBAL.json(value);
}

/// A URL without its user name and password (`https://user:pass@host/x` -> `https://host/x`),
/// and whether it had any. Anything that does not parse as a URL is returned scrubbed.
pub fn strip_userinfo(url: &str) -> (String, bool) {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            let mut text = parsed.to_string();
            // `Url` adds a `/` to an empty path; keep what was given.
            if !url.trim_end().ends_with('/') && parsed.path() == "/" && text.ends_with('/') {
                text.pop();
            }
            (text, true)
        }
        Ok(_) => (url.to_owned(), false),
        Err(_) => {
            let scrubbed = scrub(url);
            let changed = scrubbed != url;
            (scrubbed, changed)
        }
    }
}

/// A writer that scrubs what passes through it, a line at a time (a secret split over several
/// `write` calls is still seen whole); a partial line goes out on `flush` and on drop.
pub struct ScrubbingWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> ScrubbingWriter<W> {
    /// Scrubs what is written to `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, upto: usize) -> std::io::Result<()> {
        let chunk: Vec<u8> = self.pending.drain(..upto).collect();
        let text = String::from_utf8_lossy(&chunk);
        self.inner.write_all(scrub(&text).as_bytes())
    }
}

impl<W: Write> Write for ScrubbingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last) = self.pending.iter().rposition(|b| *b == b'\n') {
            self.emit(last + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            self.emit(self.pending.len())?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for ScrubbingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_values_go_in_every_escaped_form() {
        let s = Scrubber::new();
        let sas = "sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030&spr=https&x=\"q\"";
        s.remember(sas);
        s.remember("short");
        assert_eq!(
            s.known_count(),
            3,
            "the value, its JSON and XML forms; not `short`"
        );
        assert_eq!(s.text(&format!("got {sas}!")), "got Sanitized!");
        let json = serde_json::to_string(&json!({ "v": sas })).expect("json");
        assert_eq!(s.text(&json), r#"{"v":"Sanitized"}"#);
        assert_eq!(s.text(&xml_escape(&format!("a {sas}"))), "a Sanitized");
        assert_eq!(s.text("short and sweet"), "short and sweet");
    }

    #[test]
    fn learned_from_the_answers_of_key_listing_actions() {
        // Workspace listKeys / listNotebookKeys, registry credentials, compute listKeys.
        let s = Scrubber::new();
        s.learn(&json!({
            "userStorageKey": "storage-key-value-1",
            "notebookAccessKeys": {"primaryAccessKey": "notebook-key-one", "secondaryAccessKey": "notebook-key-two"},
            "containerRegistryCredentials": {"username": "acrname1", "passwords": [
                {"name": "password", "value": "registry-password-1"}]},
            "userKubeConfig": "apiVersion: v1 token: kube-token-value",
            "databricksAccessToken": "dapi-token-value-1",
        }));
        assert_eq!(
            s.text("storage-key-value-1 notebook-key-one notebook-key-two registry-password-1 dapi-token-value-1"),
            "Sanitized Sanitized Sanitized Sanitized Sanitized"
        );
        assert!(
            s.text("apiVersion: v1 token: kube-token-value")
                .contains("Sanitized")
        );
        // Names are not secrets.
        assert_eq!(s.text("acrname1 password"), "acrname1 password");
    }

    #[test]
    fn search_query_keys_are_learned_and_scrubbed() {
        let s = Scrubber::new();
        s.learn(&json!({"value": [{"name": "browser", "key": "QueryKeyValue0123456789"}]}));
        assert_eq!(s.text("q=QueryKeyValue0123456789"), "q=Sanitized");
        // An index field's `key` flag is no secret.
        let mut field = json!({"name": "id", "key": true, "type": "Edm.String"});
        Scrubber::new().json(&mut field);
        assert_eq!(field["key"], true);
        let mut created = json!({"name": "browser", "key": "QueryKeyValue0123456789"});
        Scrubber::new().json(&mut created);
        assert_eq!(created["key"], "Sanitized");
    }

    #[test]
    fn ai_services_keys_and_connection_credentials_are_learned() {
        let s = Scrubber::new();
        s.learn(&json!({"key1": "0123456789abcdef0123456789abcdef", "key2": "fedcba9876543210fedcba9876543210"}));
        s.learn(
            &json!({"properties": {"category": "CognitiveSearch", "authType": "ApiKey",
            "credentials": {"key": "search-admin-key-planted"}}}),
        );
        assert_eq!(
            s.text("0123456789abcdef0123456789abcdef fedcba9876543210fedcba9876543210 search-admin-key-planted ApiKey"),
            "Sanitized Sanitized Sanitized ApiKey"
        );
        let mut doc =
            json!({"credentials": {"key": "another-planted-key"}, "category": "AzureOpenAI"});
        s.json(&mut doc);
        assert_eq!(
            doc,
            json!({"credentials": {"key": "Sanitized"}, "category": "AzureOpenAI"})
        );
    }

    #[test]
    fn learned_from_secret_named_keys_and_patterns() {
        let s = Scrubber::new();
        s.learn(
            &json!({"keys": [{"keyName": "key1", "value": "plain-key-value-1"}],
            "properties": {"credentials": {"secrets": {"sasToken": "tok-abcdefgh"}}},
            "name": "not-a-secret-at-all"}),
        );
        assert_eq!(
            s.text("k=plain-key-value-1 t=tok-abcdefgh n=not-a-secret-at-all"),
            "k=Sanitized t=Sanitized n=not-a-secret-at-all"
        );
        // The text rules, without anything learned; serialized JSON keeps its syntax.
        let fresh = Scrubber::new();
        assert_eq!(
            fresh.text(
                r#"{"u":"https://a.blob/c?sv=1&sig=abc%2B","m":"Bearer xyz.abc-0123456789"}"#
            ),
            r#"{"u":"https://a.blob/c?sv=1&sig=Sanitized","m":"Bearer Sanitized"}"#
        );
        assert_eq!(
            fresh.text("amlab authenticates with a bearer token"),
            "amlab authenticates with a bearer token"
        );
        assert_eq!(
            fresh.text("see https://ada:hunter2@example.com/x and http://u@h"),
            "see https://example.com/x and http://h"
        );
        let mut doc = json!({"primaryKey": "abc", "m": ["AccountKey=abc;x"], "n": 1});
        fresh.json(&mut doc);
        assert_eq!(
            doc,
            json!({"primaryKey": "Sanitized", "m": ["AccountKey=Sanitized;x"], "n": 1})
        );
    }

    #[test]
    fn userinfo_is_stripped_from_urls() {
        assert_eq!(
            strip_userinfo("https://ada:hunter2@example.com:8443"),
            ("https://example.com:8443".to_owned(), true)
        );
        assert_eq!(
            strip_userinfo("http://ada@127.0.0.1:1/base/"),
            ("http://127.0.0.1:1/base/".to_owned(), true)
        );
        assert_eq!(
            strip_userinfo("https://example.com"),
            ("https://example.com".to_owned(), false)
        );
    }

    #[test]
    fn the_writer_sees_a_secret_split_over_writes() {
        let token = "split-secret-token-0123";
        remember(token);
        let mut out = Vec::new();
        {
            let mut w = ScrubbingWriter::new(&mut out);
            w.write_all(b"error: split-secret").expect("write");
            w.write_all(b"-token-0123 rejected\npartial split-secret-token-0123")
                .expect("write");
        }
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(text, "error: Sanitized rejected\npartial Sanitized");
    }
}
