//! The `Transport` trait: one HTTP exchange with an ARM-compatible endpoint.
//!
//! Everything above this trait (the ARM client, the runner, the reporters) is one code path for
//! every target: the in-process emulator, the live Azure transport, and recorded fixtures.

use std::fmt;

use serde_json::Value;

/// An HTTP method used against ARM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// Read.
    Get,
    /// Create or replace.
    Put,
    /// Update.
    Patch,
    /// Delete.
    Delete,
    /// Action (listKeys, listSecrets, ...).
    Post,
}

impl Method {
    /// The method's name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Post => "POST",
        }
    }

    /// Whether the method changes state (what check mode must never send).
    pub fn is_write(self) -> bool {
        matches!(self, Method::Put | Method::Patch | Method::Delete)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request. `url` is absolute (`https://management.azure.com/subscriptions/...?api-version=...`).
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// Absolute URL including the query string.
    pub url: String,
    /// Request headers (name, value); names compared case-insensitively.
    pub headers: Vec<(String, String)>,
    /// JSON body, if any.
    pub body: Option<Value>,
}

impl HttpRequest {
    /// A request without headers or body.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a JSON body.
    pub fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The value of a header, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// One response.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// Response headers (name, value).
    pub headers: Vec<(String, String)>,
    /// JSON body; a non-JSON body is carried as a JSON string; `None` when empty.
    pub body: Option<Value>,
}

impl HttpResponse {
    /// A response with a status and an optional JSON body.
    pub fn new(status: u16, body: Option<Value>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The value of a header, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Why an exchange produced no HTTP response at all.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection failed or was dropped (retryable).
    #[error("connection failed: {0}")]
    Connection(String),
    /// No response within the transport's timeout (retryable).
    #[error("request timed out after {0:?}")]
    Timeout(std::time::Duration),
    /// A credential could not produce a token.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The transport cannot serve this request (a replay miss, a corrupt state file...).
    #[error("{0}")]
    Unavailable(String),
}

impl TransportError {
    /// Whether retrying the same request may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            TransportError::Connection(_) | TransportError::Timeout(_)
        )
    }
}

/// One HTTP exchange with an ARM-compatible endpoint.
#[async_trait::async_trait]
pub trait Transport: Send + Sync {
    /// Sends one request and returns its response (any status), or why there was none.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}
