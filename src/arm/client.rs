//! The ARM client above every transport: api-versions, retries with backoff and `Retry-After`
//! bounded by the step's time budget, long-running operations, `nextLink` paging, and ARM error
//! extraction.
//!
//! A read-only client (check mode) refuses PUT, PATCH, DELETE and POST before anything is sent.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use serde_json::Value;
use tokio::time::{Instant, sleep};

use super::error::ArmError;
use super::resource_types::{api_version_for, delete_query, is_collection};
use super::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};

/// Statuses worth retrying: throttling, timeouts and transient server errors.
const RETRYABLE: &[u16] = &[408, 429, 500, 502, 503, 504];

/// Statuses after which a POST (not idempotent) is retried: the server says it did not act
/// (throttled, timed out waiting for the request, unavailable). After a 500, 502 or 504 or a
/// lost answer, a POST may have acted, and is not sent again.
const RETRYABLE_POST: &[u16] = &[408, 429, 503];

/// Retry policy for one request: transient failures are retried with capped exponential backoff
/// and jitter (or the delay `Retry-After` asks for) until the time budget would be exceeded.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// An optional cap on retries after the first attempt (`--retries`); `None`: as many as
    /// the time budget allows.
    pub max_retries: Option<usize>,
    /// First backoff delay.
    pub min_delay: Duration,
    /// Cap on one delay (a longer `Retry-After` is capped too).
    pub max_delay: Duration,
    /// The budget of one request when the client has no deadline (a step gives it its own).
    pub budget: Duration,
    /// Consecutive attempts without any answer (dropped connection, refused, timed out) after
    /// which the request is given up on, whatever the budget: a server that never answers is
    /// not waited for until the step's time runs out.
    pub max_unanswered: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: None,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            budget: Duration::from_secs(300),
            max_unanswered: 8,
        }
    }
}

/// Talks to one ARM endpoint through a [`Transport`].
#[derive(Clone)]
pub struct ArmClient {
    transport: Arc<dyn Transport>,
    base: String,
    read_only: bool,
    retry: RetryPolicy,
    /// When retrying must stop (the step's time budget); `None`: [`RetryPolicy::budget`].
    deadline: Option<Instant>,
}

/// Where an ARM read landed.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    /// The resource (or, for a collection, `{"value": [...]}` with every page merged).
    Found(Value),
    /// 404: no such resource.
    NotFound {
        /// ARM's error code (`ResourceNotFound`, `ResourceGroupNotFound`, ...).
        code: String,
        /// ARM's message.
        message: String,
    },
}

impl std::fmt::Debug for ArmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArmClient")
            .field("base", &self.base)
            .field("read_only", &self.read_only)
            .finish()
    }
}

impl ArmClient {
    /// A client for `base` (such as `https://management.azure.com`, no trailing slash).
    pub fn new(transport: Arc<dyn Transport>, base: impl Into<String>) -> Self {
        let base = base.into().trim_end_matches('/').to_owned();
        Self {
            transport,
            base,
            read_only: false,
            retry: RetryPolicy::default(),
            deadline: None,
        }
    }

    /// Makes the client refuse every write (check mode).
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Retries stop before `deadline` (the step's time budget).
    #[must_use]
    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// The absolute URL of a resource path with its api-version.
    pub fn url(&self, path: &str, api_version: &str, extra_query: Option<&str>) -> String {
        let mut url = format!("{}{}?api-version={}", self.base, path, api_version);
        if let Some(q) = extra_query {
            url.push('&');
            url.push_str(q);
        }
        url
    }

    /// GETs a resource (or a whole collection, following `nextLink`).
    pub async fn get(&self, path: &str, api: &ApiVersions<'_>) -> Result<Fetched, ArmError> {
        let url = self.url(path, &api.for_path(path), None);
        let first = self.send(Method::Get, &url, None).await?;
        if first.status == 404 {
            let (code, message) = arm_error(&first);
            return Ok(Fetched::NotFound { code, message });
        }
        let first = expect_success(Method::Get, path, first)?;
        let mut body = first.body.unwrap_or(Value::Null);
        if is_collection(path) {
            let mut next = next_link(&body);
            let mut pages = 1;
            while let Some(link) = next {
                pages += 1;
                if pages > 1000 {
                    return Err(ArmError::Protocol {
                        path: path.to_owned(),
                        message: "more than 1000 pages".into(),
                    });
                }
                let page = expect_success(
                    Method::Get,
                    path,
                    self.send(Method::Get, &link, None).await?,
                )?;
                let page = page.body.unwrap_or(Value::Null);
                next = next_link(&page);
                if let (Some(all), Some(Value::Array(more))) = (
                    body.get_mut("value").and_then(Value::as_array_mut),
                    page.get("value").cloned(),
                ) {
                    all.extend(more);
                }
            }
            if let Some(obj) = body.as_object_mut() {
                obj.remove("nextLink");
            }
        }
        Ok(Fetched::Found(body))
    }

    /// PUTs a resource and follows the long-running operation to its end; returns the final
    /// resource body. No request is spent that the protocol does not need: a synchronous answer
    /// is the resource; a `Location` operation ends with the resource; only an
    /// `Azure-AsyncOperation` status needs a final GET. A synchronous answer that is still
    /// provisioning (a key vault's `RegisteringDns`) is read again as `Retry-After` says.
    pub async fn put(
        &self,
        path: &str,
        body: &Value,
        api: &ApiVersions<'_>,
    ) -> Result<Value, ArmError> {
        let url = self.url(path, &api.for_path(path), None);
        let response = self.send(Method::Put, &url, Some(body.clone())).await?;
        let response = expect_success(Method::Put, path, response)?;
        let final_body = match self.follow(path, &response).await? {
            Followed::NotLongRunning => response.body.clone().filter(|b| is_resource(b, path)),
            Followed::Location(final_body) => final_body.filter(|b| is_resource(b, path)),
            Followed::AsyncOperation => None,
        };
        let mut current = match final_body {
            Some(b) => b,
            None => self.get_existing(path, api).await?,
        };
        // A resource that answered synchronously but is still provisioning.
        let mut wait = retry_after(&response).unwrap_or(Duration::from_millis(500));
        while !settled(&current) {
            sleep(wait).await;
            wait = grow(wait);
            current = self.get_existing(path, api).await?;
        }
        Ok(current)
    }

    async fn get_existing(&self, path: &str, api: &ApiVersions<'_>) -> Result<Value, ArmError> {
        match self.get(path, api).await? {
            Fetched::Found(v) => Ok(v),
            Fetched::NotFound { code, message } => Err(ArmError::Http {
                method: "GET",
                path: path.to_owned(),
                status: 404,
                code,
                message,
            }),
        }
    }

    /// DELETEs a resource and waits until it is gone. A resource already absent (404 or 204)
    /// counts as deleted; returns whether it existed.
    pub async fn delete(&self, path: &str, api: &ApiVersions<'_>) -> Result<bool, ArmError> {
        let url = self.url(path, &api.for_path(path), delete_query(path));
        let response = self.send(Method::Delete, &url, None).await?;
        if response.status == 404 || response.status == 204 {
            return Ok(false);
        }
        let response = expect_success(Method::Delete, path, response)?;
        self.follow(path, &response).await?;
        Ok(true)
    }

    /// Follows an LRO from its first response: `Azure-AsyncOperation` (poll until a terminal
    /// `status`), else `Location` (poll until not 202, returning the final body). Waits as
    /// `Retry-After` says.
    async fn follow(&self, path: &str, first: &HttpResponse) -> Result<Followed, ArmError> {
        if !matches!(first.status, 201 | 202) {
            return Ok(Followed::NotLongRunning);
        }
        let mut wait = retry_after(first).unwrap_or(Duration::from_secs(1));
        if let Some(op) = first.header("Azure-AsyncOperation").map(str::to_owned) {
            loop {
                sleep(wait).await;
                let poll =
                    expect_success(Method::Get, path, self.send(Method::Get, &op, None).await?)?;
                let status = poll
                    .body
                    .as_ref()
                    .and_then(|b| b.get("status"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                match status.to_ascii_lowercase().as_str() {
                    "succeeded" => return Ok(Followed::AsyncOperation),
                    "failed" | "canceled" | "cancelled" => {
                        let err = poll.body.as_ref().and_then(|b| b.get("error"));
                        let field = |k: &str| {
                            err.and_then(|e| e.get(k))
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_owned()
                        };
                        return Err(ArmError::OperationFailed {
                            path: path.to_owned(),
                            status: status.to_owned(),
                            code: field("code"),
                            message: field("message"),
                        });
                    }
                    _ => wait = retry_after(&poll).unwrap_or_else(|| grow(wait)),
                }
            }
        } else if let Some(loc) = first.header("Location").map(str::to_owned) {
            loop {
                sleep(wait).await;
                let poll = self.send(Method::Get, &loc, None).await?;
                if poll.status == 202 {
                    wait = retry_after(&poll).unwrap_or_else(|| grow(wait));
                    continue;
                }
                let poll = expect_success(Method::Get, path, poll)?;
                return Ok(Followed::Location(poll.body));
            }
        }
        Ok(Followed::NotLongRunning)
    }

    /// Sends one request, retrying throttling, transient errors and dropped connections (see
    /// [`RetryPolicy`]), honouring `Retry-After`. Returns the last response (any status).
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<HttpResponse, ArmError> {
        self.send_with(method, url, body, Vec::new()).await
    }

    /// [`send`](Self::send) with extra request headers (a data plane's `api-key`). In
    /// read-only mode only GET goes out, and POST of the read-only key-listing actions named in
    /// [`READ_ONLY_ACTIONS`].
    pub async fn send_with(
        &self,
        method: Method,
        url: &str,
        body: Option<Value>,
        headers: Vec<(String, String)>,
    ) -> Result<HttpResponse, ArmError> {
        let allowed = method == Method::Get || (method == Method::Post && is_read_only_action(url));
        if self.read_only && !allowed {
            return Err(ArmError::ReadOnly(method.as_str()));
        }
        // Secrets a lab sends (datastore keys, SAS tokens) and a target returns (listKeys,
        // listSecrets) are removed from every report and message from here on.
        if let Some(b) = &body {
            crate::secrets::learn(b);
        }
        // Never let a URL parser normalise a path it was given (see `arm::path`).
        let path = url_path(url);
        let fragment = url.contains('#').then(|| "URL has a `#`".to_owned());
        if let Some(why) = super::path::problem(&path).or(fragment) {
            return Err(ArmError::InvalidPath { path, message: why });
        }
        let mut all_headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        all_headers.extend(headers);
        let request = HttpRequest {
            method,
            url: url.to_owned(),
            headers: all_headers,
            body,
        };
        let deadline = self
            .deadline
            .unwrap_or_else(|| Instant::now() + self.retry.budget);
        let mut backoff = ExponentialBuilder::default()
            .with_min_delay(self.retry.min_delay)
            .with_max_delay(self.retry.max_delay)
            .without_max_times()
            .with_jitter()
            .build();
        let (mut attempts, mut unanswered) = (0usize, 0usize);
        loop {
            attempts += 1;
            let failed = match self.transport.send(request.clone()).await {
                Ok(r) if retryable(method, r.status) => Attempt::Status(r),
                Ok(r) => {
                    if let Some(b) = &r.body {
                        crate::secrets::learn(b);
                    }
                    return Ok(r);
                }
                Err(e) if e.is_retryable() && method != Method::Post => Attempt::Transport(e),
                Err(e) => return Err(ArmError::Transport(e)),
            };
            unanswered = match failed {
                Attempt::Transport(_) => unanswered + 1,
                Attempt::Status(_) => 0,
            };
            let hinted = match &failed {
                Attempt::Status(r) => retry_after(r),
                Attempt::Transport(_) => None,
            };
            let delay = hinted
                .or_else(|| backoff.next())
                .unwrap_or(self.retry.max_delay)
                .min(self.retry.max_delay);
            let capped = self.retry.max_retries.is_some_and(|m| attempts > m);
            let out_of_time = Instant::now() + delay >= deadline;
            if capped || out_of_time || unanswered >= self.retry.max_unanswered {
                return Err(self.gave_up(method, url, attempts, failed));
            }
            sleep(delay).await;
        }
    }

    fn gave_up(&self, method: Method, url: &str, attempts: usize, last: Attempt) -> ArmError {
        match last {
            Attempt::Status(r) => {
                let (code, message) = arm_error(&r);
                ArmError::RetriesExhausted {
                    method: method.as_str(),
                    path: url_path(url),
                    attempts,
                    status: r.status,
                    code,
                    message,
                }
            }
            Attempt::Transport(e) => ArmError::Transport(e),
        }
    }
}

/// Whether a response with `status` is worth sending `method` again.
fn retryable(method: Method, status: u16) -> bool {
    if method == Method::Post {
        RETRYABLE_POST.contains(&status)
    } else {
        RETRYABLE.contains(&status)
    }
}

/// How a long-running operation ended.
#[derive(Debug)]
enum Followed {
    /// The first response was final.
    NotLongRunning,
    /// `Azure-AsyncOperation` succeeded; the resource must be read.
    AsyncOperation,
    /// `Location` answered with its final body (the resource, for a PUT).
    Location(Option<Value>),
}

/// Whether `body` is the resource at `path` (not an operation status or an empty answer).
fn is_resource(body: &Value, path: &str) -> bool {
    body.get("id")
        .and_then(Value::as_str)
        .is_some_and(|id| id.eq_ignore_ascii_case(path))
}

/// POST actions check mode may send: they read keys and change nothing. `listAdminKeys` and
/// `listQueryKeys` of `Microsoft.Search/searchServices`, the documented way to a data plane's
/// `api-key` (data-plane checks, [`crate::run::data_plane`]). Every other POST stays refused.
pub const READ_ONLY_ACTIONS: &[&str] = &["listAdminKeys", "listQueryKeys"];

/// Whether `url` is a POST of one of [`READ_ONLY_ACTIONS`] on an ARM resource.
fn is_read_only_action(url: &str) -> bool {
    let path = url_path(url);
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    path.contains("/providers/")
        && READ_ONLY_ACTIONS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(last))
}

/// Whether a resource's `provisioningState` is terminal (or absent).
pub fn settled(doc: &Value) -> bool {
    match doc
        .pointer("/properties/provisioningState")
        .and_then(Value::as_str)
    {
        None => true,
        Some(s) => ["succeeded", "failed", "canceled", "cancelled"]
            .contains(&s.to_ascii_lowercase().as_str()),
    }
}

/// The outcome of one attempt that is not a usable response.
#[derive(Debug)]
enum Attempt {
    Status(HttpResponse),
    Transport(TransportError),
}

/// api-version choice for the requests of one step.
#[derive(Debug, Clone, Copy)]
pub struct ApiVersions<'a> {
    /// The step's own override.
    pub step: Option<&'a str>,
    /// The lab's overrides.
    pub lab: &'a BTreeMap<String, String>,
}

impl ApiVersions<'_> {
    /// The api-version for a path.
    pub fn for_path(&self, path: &str) -> String {
        api_version_for(path, self.step, self.lab)
    }
}

fn grow(d: Duration) -> Duration {
    (d.mul_f32(1.5)).clamp(Duration::from_millis(100), Duration::from_secs(15))
}

fn next_link(body: &Value) -> Option<String> {
    body.get("nextLink")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The delay a response asks for: `retry-after-ms`, `x-ms-retry-after-ms`, then `Retry-After`
/// (seconds).
pub fn retry_after(response: &HttpResponse) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = response
            .header(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Some(Duration::from_millis(ms));
        }
    }
    response
        .header("Retry-After")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// ARM's error code and message from an error response.
pub fn arm_error(response: &HttpResponse) -> (String, String) {
    let err = response.body.as_ref().and_then(|b| b.get("error"));
    let code = err
        .and_then(|e| e.get("code"))
        .and_then(Value::as_str)
        .map_or_else(|| format!("HTTP{}", response.status), str::to_owned);
    let message = err
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map_or_else(
            || {
                response
                    .body
                    .as_ref()
                    .map(Value::to_string)
                    .unwrap_or_default()
            },
            str::to_owned,
        );
    (code, message)
}

fn expect_success(
    method: Method,
    path: &str,
    response: HttpResponse,
) -> Result<HttpResponse, ArmError> {
    if response.is_success() {
        return Ok(response);
    }
    let (code, message) = arm_error(&response);
    Err(ArmError::Http {
        method: method.as_str(),
        path: path.to_owned(),
        status: response.status,
        code,
        message,
    })
}

fn url_path(url: &str) -> String {
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = without_scheme
        .find('/')
        .map_or("/", |i| &without_scheme[i..]);
    path.split('?').next().unwrap_or(path).to_owned()
}

#[cfg(test)]
mod read_only_tests {
    use std::sync::Arc;

    use super::*;
    use crate::emulator::{Emulator, EmulatorOptions};

    #[tokio::test]
    async fn read_only_sends_gets_and_the_key_listing_actions_only() {
        let emulator = Emulator::open(EmulatorOptions::default()).expect("emulator");
        let client =
            ArmClient::new(Arc::new(emulator), "https://management.azure.com").read_only(true);
        let rg = "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers";
        let refused = client
            .send(
                Method::Post,
                &format!(
                    "{rg}/Microsoft.Storage/storageAccounts/st/listKeys?api-version=2023-05-01"
                ),
                None,
            )
            .await;
        assert!(
            matches!(refused, Err(ArmError::ReadOnly("POST"))),
            "{refused:?}"
        );
        let refused = client
            .send(Method::Post, &format!("{rg}/Microsoft.Search/searchServices/s/regenerateAdminKey/primary?api-version=2025-05-01"), None)
            .await;
        assert!(
            matches!(refused, Err(ArmError::ReadOnly("POST"))),
            "{refused:?}"
        );
        // Sent (and answered 404 by the emulator: no such resource group).
        let sent = client
            .send(
                Method::Post,
                &format!(
                    "{rg}/Microsoft.Search/searchServices/s/listAdminKeys?api-version=2025-05-01"
                ),
                None,
            )
            .await;
        assert!(sent.is_ok_and(|r| r.status == 404));
        assert!(!is_read_only_action(
            "https://x.search.windows.net/indexes/listAdminKeys"
        ));
    }
}
