//! Data-plane steps (`data_plane:` in a lab): an object only a resource's data plane proves (a
//! search index and its fields, an indexer's last run, a document count), reached from the
//! resource. One GET of the resource gives its endpoint; the credential is an admin key from the
//! resource's key-listing action (`POST listAdminKeys`: read-only, the one POST check mode
//! sends, see [`crate::arm::client::READ_ONLY_ACTIONS`]) or an Entra token for the data plane's
//! scope. Then the object is read (check), written and read (run) or deleted (teardown, only when
//! the step asks for it).
//!
//! Keys travel only in the request header the data plane reads; the scrubber learns them from
//! the key-listing answer, and fixtures record that header redacted.

use std::time::Duration;

use serde_json::Value;
use tokio::time::{Instant, sleep};

use super::evaluate::evaluate;
use super::result::{Points, StepStatus};
use super::step::Outcome;
use crate::arm::client::{ApiVersions, ArmClient, Fetched, arm_error};
use crate::arm::data_plane::{self, ENTRA_SCOPE_HEADER};
use crate::arm::error::ArmError;
use crate::arm::transport::{HttpResponse, Method};
use crate::lab::types::DataPlaneAuth;
use crate::lab::{ResolvedDataPlane, ResolvedLab, ResolvedStep};

/// A data plane reached: its endpoint, credential header and api-version.
struct Session {
    endpoint: String,
    headers: Vec<(String, String)>,
    api_version: String,
}

impl Session {
    fn url(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!(
            "{}{path}{sep}api-version={}",
            self.endpoint, self.api_version
        )
    }
}

fn protocol(path: &str, message: impl Into<String>) -> ArmError {
    ArmError::Protocol {
        path: path.to_owned(),
        message: message.into(),
    }
}

fn http_error(method: Method, path: &str, r: &HttpResponse) -> ArmError {
    let (code, message) = arm_error(r);
    ArmError::Http {
        method: method.as_str(),
        path: path.to_owned(),
        status: r.status,
        code,
        message,
    }
}

/// Reads the resource and gets a credential; `None` when the resource does not exist.
async fn connect(
    client: &ArmClient,
    lab: &ResolvedLab,
    step: &ResolvedStep,
    dp: &ResolvedDataPlane,
) -> Result<Option<Session>, ArmError> {
    let kind = data_plane::for_resource(&step.resource).ok_or_else(|| {
        protocol(
            &step.resource,
            format!(
                "no data plane amlab knows (supported: {})",
                data_plane::supported()
            ),
        )
    })?;
    let api = ApiVersions {
        step: step.api_version.as_deref(),
        lab: &lab.api_versions,
    };
    let resource = match client.get(&step.resource, &api).await? {
        Fetched::Found(doc) => doc,
        Fetched::NotFound { .. } => return Ok(None),
    };
    let endpoint = resource
        .pointer(kind.endpoint)
        .and_then(Value::as_str)
        .map(|e| e.trim_end_matches('/').to_owned())
        .ok_or_else(|| {
            protocol(
                &step.resource,
                format!("the resource has no endpoint at `{}`", kind.endpoint),
            )
        })?;
    let headers = match dp.auth {
        DataPlaneAuth::Entra => vec![(ENTRA_SCOPE_HEADER.to_owned(), kind.scope.to_owned())],
        DataPlaneAuth::Key => {
            let action = format!("{}/{}", step.resource, kind.key_action);
            let url = client.url(&action, &api.for_path(&step.resource), None);
            let r = client.send(Method::Post, &url, None).await?;
            if !r.is_success() {
                return Err(http_error(Method::Post, &action, &r));
            }
            let key = r
                .body
                .as_ref()
                .and_then(|b| b.pointer(kind.key_field))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    protocol(
                        &action,
                        format!("no key at `{}` in the answer", kind.key_field),
                    )
                })?;
            vec![(kind.key_header.to_owned(), key.to_owned())]
        }
    };
    Ok(Some(Session {
        endpoint,
        headers,
        api_version: dp
            .api_version
            .clone()
            .unwrap_or_else(|| kind.api_version.to_owned()),
    }))
}

/// GETs the object: `None` on 404.
async fn read(client: &ArmClient, s: &Session, path: &str) -> Result<Option<Value>, ArmError> {
    let r = client
        .send_with(Method::Get, &s.url(path), None, s.headers.clone())
        .await?;
    match r.status {
        404 => Ok(None),
        _ if r.is_success() => Ok(Some(r.body.unwrap_or(Value::Null))),
        _ => Err(http_error(Method::Get, path, &r)),
    }
}

/// The step as reports name it: the data-plane path on its resource.
fn shown(step: &ResolvedStep, dp: &ResolvedDataPlane) -> ResolvedStep {
    let mut s = step.clone();
    s.resource = format!("{} (data plane of {})", dp.path, step.resource);
    s
}

/// `amlab check` of a data-plane step.
pub async fn check(
    client: &ArmClient,
    lab: &ResolvedLab,
    step: &ResolvedStep,
    dp: &ResolvedDataPlane,
) -> Outcome {
    let work = async {
        match connect(client, lab, step, dp).await? {
            Some(s) => read(client, &s, &dp.path).await,
            None => Ok(None),
        }
    };
    match work.await {
        Ok(doc) => {
            Outcome::from_evaluation(evaluate(&shown(step, dp), doc.as_ref()), doc.is_some())
        }
        Err(e) => Outcome::error(step, &e),
    }
}

/// `amlab run` of a data-plane step: PUT the body (if any), wait until `wait.until` holds,
/// then check.
pub async fn apply(
    client: &ArmClient,
    lab: &ResolvedLab,
    step: &ResolvedStep,
    dp: &ResolvedDataPlane,
) -> Outcome {
    let work = async {
        let Some(s) = connect(client, lab, step, dp).await? else {
            return Ok(None);
        };
        if let Some(body) = &step.create {
            let r = client
                .send_with(
                    Method::Put,
                    &s.url(&dp.path),
                    Some(body.clone()),
                    s.headers.clone(),
                )
                .await?;
            if !r.is_success() {
                return Err(http_error(Method::Put, &dp.path, &r));
            }
        }
        let started = Instant::now();
        let mut delay = Duration::from_millis(100);
        loop {
            let doc = read(client, &s, &dp.path).await?;
            let holds = match (&step.wait, &doc) {
                (Some(w), Some(d)) => w.until.holds(d),
                _ => true,
            };
            let timeout = step.wait.as_ref().map_or(step.timeout, |w| w.timeout);
            if holds || started.elapsed() >= timeout {
                return Ok(doc);
            }
            sleep(delay).await;
            delay = (delay * 3 / 2).min(Duration::from_secs(10));
        }
    };
    match work.await {
        Ok(doc) => {
            Outcome::from_evaluation(evaluate(&shown(step, dp), doc.as_ref()), doc.is_some())
        }
        Err(e) => Outcome::error(step, &e),
    }
}

/// `amlab teardown` of a data-plane step that asks for it (`teardown: true`).
pub async fn teardown(
    client: &ArmClient,
    lab: &ResolvedLab,
    step: &ResolvedStep,
    dp: &ResolvedDataPlane,
) -> Outcome {
    let work = async {
        let Some(s) = connect(client, lab, step, dp).await? else {
            return Ok(false);
        };
        let r = client
            .send_with(Method::Delete, &s.url(&dp.path), None, s.headers.clone())
            .await?;
        match r.status {
            404 => Ok(false),
            _ if r.is_success() => Ok(true),
            _ => Err(http_error(Method::Delete, &dp.path, &r)),
        }
    };
    match work.await {
        Ok(existed) => Outcome {
            status: StepStatus::Passed,
            checks: Vec::new(),
            points: Points::default(),
            message: Some(if existed {
                "deleted".into()
            } else {
                "already absent".into()
            }),
            exists: false,
        },
        Err(e) => Outcome::error(step, &e),
    }
}
