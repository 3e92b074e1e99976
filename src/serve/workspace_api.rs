//! The workspace's own hosts, as far as the notebooks' clients call them: workspace discovery
//! and run history on `{region}.api.azureml.ms`, and the scoring URI of online endpoints on
//! `{endpoint}.{region}.inference.ml.azure.com`.
//!
//! - `GET /discovery` (a workspace's `discoveryUrl`): the base URL of each of the workspace's
//!   services; all are served on the region's `api.azureml.ms` host, the studio aside.
//! - Run history (`/history/v1.0{workspace}/runs/{run}` and `.../details`): a job's run, read
//!   from the job itself (its status follows the job's emulated lifecycle), with one log file,
//!   `user_logs/std_log.txt`, at `.../runs/{run}/logs/user_logs/std_log.txt`, which says plainly
//!   that the emulator did not execute the job's code. What `jobs.stream` reads.
//! - Data versions and datastores as `mltable.load()` reads them (see [`super::asset_plane`]).
//! - Registries: a registry's discovery (`/registrymanagement/v1.0/registries/{name}/discovery`)
//!   and its data plane on `cert-{region}.experiments.azureml.net` ([`registry::data_plane`]).
//! - Scoring: a request to an online endpoint's scoring URI gets a clear 501: the emulator does
//!   not run models (a missing endpoint is 404). A batch endpoint's scoring URI (`POST /jobs`)
//!   creates the scoring job, and `{workspace}/batchEndpoints/{e}/jobs` on the region's host
//!   lists them (see [`super::batch_jobs`]).
//!
//! Run history needs a token the emulator issued, as the service does; discovery and a run's log
//! file are read without one (see [`is_anonymous`]).

use serde_json::{Value, json};

use super::{asset_plane, batch_jobs};
use crate::arm::transport::{HttpRequest, HttpResponse, Method};
use crate::emulator::{Emulator, TENANT_ID, job_log, registry};

/// The api-version used to read jobs and endpoints from the emulator.
const ML_API: &str = "2025-12-01";

/// What a workspace host answers to a request without a body, or `None` when `host` is not one
/// of them.
pub fn answer(emulator: &Emulator, method: &str, host: &str, path: &str) -> Option<HttpResponse> {
    answer_with(emulator, method, host, path, None, &[])
}

/// What a workspace host answers, or `None` when `host` is not one of them; `deployment` is the
/// `azureml-model-deployment` header and `body` the request's body (a batch endpoint's job).
pub fn answer_with(
    emulator: &Emulator,
    method: &str,
    host: &str,
    path: &str,
    deployment: Option<&str>,
    body: &[u8],
) -> Option<HttpResponse> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if let Some(region) = host.strip_suffix(".api.azureml.ms")
        && is_label(region)
    {
        return Some(api(emulator, method, region, path));
    }
    if let Some(region) = host.strip_suffix(".experiments.azureml.net")
        && is_label(region)
    {
        return Some(registry_data_plane(method, path));
    }
    let (endpoint, region) = scoring_host(&host)?;
    if method == "POST"
        && is_batch_invoke(path)
        && let Some(id) = emulator.find_endpoint(BATCH_ENDPOINTS, endpoint, region)
    {
        return Some(batch_jobs::invoke(emulator, &id, deployment, body));
    }
    Some(scoring(emulator, endpoint, region, path))
}

/// The type of batch endpoints.
const BATCH_ENDPOINTS: &str = "Microsoft.MachineLearningServices/workspaces/batchEndpoints";

/// `(endpoint, region)` of a scoring host `{endpoint}.{region}.inference.ml.azure.com`.
fn scoring_host(host: &str) -> Option<(&str, &str)> {
    let rest = host.strip_suffix(".inference.ml.azure.com")?;
    let (endpoint, region) = rest.split_once('.')?;
    (is_label(endpoint) && is_label(region)).then_some((endpoint, region))
}

/// Whether `host` is one of the workspace's own hosts.
pub fn is_workspace_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host.strip_suffix(".api.azureml.ms").is_some_and(is_label)
        || host
            .strip_suffix(".experiments.azureml.net")
            .is_some_and(is_label)
        || scoring_host(&host).is_some()
}

/// Whether `path` on a scoring host is a batch endpoint's job submission (`/jobs`).
pub fn is_batch_invoke(path: &str) -> bool {
    path.split('?')
        .next()
        .is_some_and(|p| p.trim_end_matches('/').eq_ignore_ascii_case("/jobs"))
}

/// Whether a request to `path` is read without a token: the discovery document (public on
/// Azure) and a run's log file (on Azure a SAS URL the SDK downloads without its credential;
/// here the log holds nothing secret: that the code did not run, and the job's command).
pub fn is_anonymous(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    path.eq_ignore_ascii_case("/discovery")
        || (path.starts_with("/history/v1.0/") && path.ends_with("/logs/user_logs/std_log.txt"))
}

fn is_label(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn error(status: u16, code: &str, message: String) -> HttpResponse {
    HttpResponse::new(
        status,
        Some(json!({"error": {"code": code, "message": message}})),
    )
}

fn api(emulator: &Emulator, method: &str, region: &str, path: &str) -> HttpResponse {
    let path = path.split('?').next().unwrap_or_default();
    if method != "GET" {
        return error(
            405,
            "MethodNotAllowed",
            format!("amlab serve answers only GET on {region}.api.azureml.ms{path}"),
        );
    }
    if path.eq_ignore_ascii_case("/discovery") {
        return HttpResponse::new(200, Some(discovery(region)));
    }
    if let Some(name) = registry_discovery_name(path) {
        return registry::data_plane::discovery(name, TENANT_ID);
    }
    if let Some(run) = path.strip_prefix("/history/v1.0")
        && let Some(answer) = history(emulator, region, run)
    {
        return answer;
    }
    if let Some(endpoint_id) = batch_jobs_list(path) {
        return batch_jobs::list(emulator, endpoint_id);
    }
    if let Some(answer) = asset_plane::answer(emulator, path) {
        return answer;
    }
    error(
        501,
        "NotEmulated",
        format!(
            "amlab serve emulates workspace discovery, run history, batch endpoint jobs, data versions and datastores on {region}.api.azureml.ms, not {path}. Nothing was forwarded to Azure."
        ),
    )
}

/// `{name}` of `/registrymanagement/v1.0/registries/{name}/discovery`.
fn registry_discovery_name(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/registrymanagement/v1.0/registries/")?;
    rest.strip_suffix("/discovery").filter(|n| is_label(n))
}

/// The data plane of Azure ML registries (`cert-{region}.experiments.azureml.net`), under
/// `/mferp/managementfrontend`.
fn registry_data_plane(method: &str, path: &str) -> HttpResponse {
    path.strip_prefix(registry::data_plane::MFE_PREFIX)
        .and_then(|rest| registry::data_plane::answer(method, rest))
        .unwrap_or_else(|| {
            error(
                501,
                "NotEmulated",
                format!("amlab serve emulates the registry data plane under {}/subscriptions/.../registries/..., not {}. Nothing was forwarded to Azure.", registry::data_plane::MFE_PREFIX, path.split('?').next().unwrap_or_default()),
            )
        })
}

/// The batch endpoint id of `[/mferp/managementfrontend]{workspace}/batchEndpoints/{endpoint}/jobs`
/// (the SDK puts the management front end's prefix before the workspace).
fn batch_jobs_list(path: &str) -> Option<&str> {
    let path = path
        .strip_prefix("/mferp/managementfrontend")
        .unwrap_or(path);
    let id = path.strip_suffix("/jobs")?;
    let lower = id.to_ascii_lowercase();
    let at = lower.find("/batchendpoints/")?;
    let ok = lower.starts_with("/subscriptions/")
        && lower[..at].contains("/providers/microsoft.machinelearningservices/workspaces/")
        && is_label(&id[at + "/batchEndpoints/".len()..]);
    ok.then_some(id)
}

/// The discovery document of a workspace in `region`.
fn discovery(region: &str) -> Value {
    let api = format!("https://{region}.api.azureml.ms");
    json!({
        "api": api, "catalog": api, "experimentation": api, "gallery": api, "history": api,
        "hyperdrive": api, "labeling": api, "modelmanagement": api, "pipelines": api,
        "studio": "https://ml.azure.com"
    })
}

/// `{workspace}/runs/{run}[/details | /logs/{file}]` of run history.
fn history(emulator: &Emulator, region: &str, rest: &str) -> Option<HttpResponse> {
    let lower = rest.to_ascii_lowercase();
    let at = lower.find("/runs/")?;
    let workspace = &rest[..at];
    if !lower[..at].contains("/providers/microsoft.machinelearningservices/workspaces/") {
        return None;
    }
    let after = &rest[at + "/runs/".len()..];
    let (run, tail) = after.split_once('/').unwrap_or((after, ""));
    let job = match read(emulator, &format!("{workspace}/jobs/{run}")) {
        Ok(job) => job,
        Err(response) => return Some(response),
    };
    let base = format!("https://{region}.api.azureml.ms/history/v1.0{workspace}/runs/{run}");
    Some(match tail {
        "" | "details" => HttpResponse::new(200, Some(run_details(&job, &base))),
        "logs/user_logs/std_log.txt" => {
            let mut r = HttpResponse::new(200, Some(Value::String(job_log::text(&job))));
            r.headers
                .push(("content-type".into(), "text/plain; charset=utf-8".into()));
            r
        }
        other => error(
            404,
            "NotFound",
            format!("run {run} has no {other}: its only log is logs/user_logs/std_log.txt"),
        ),
    })
}

/// GET of an ARM resource from the emulator: its body, or the emulator's error as is.
fn read(emulator: &Emulator, id: &str) -> Result<Value, HttpResponse> {
    let url = format!("https://management.azure.com{id}?api-version={ML_API}");
    match emulator.handle(&HttpRequest::new(Method::Get, &url)) {
        Ok(r) if r.status == 200 => Ok(r.body.unwrap_or(Value::Null)),
        Ok(r) => Err(r),
        Err(e) => Err(error(503, "ServiceUnavailable", e.to_string())),
    }
}

/// A job's run in run history's shape.
fn run_details(job: &Value, base: &str) -> Value {
    let p = &job["properties"];
    let name = job["name"].as_str().unwrap_or_default();
    let status = p["status"].as_str().unwrap_or("NotStarted");
    let created = &job["systemData"]["createdAt"];
    let terminal = matches!(status, "Completed" | "Failed" | "Canceled");
    let target = p["computeId"]
        .as_str()
        .and_then(|c| c.rsplit('/').next())
        .unwrap_or_default();
    json!({
        "runId": name,
        "runUuid": name,
        "status": status,
        "target": target,
        "createdTimeUtc": created,
        "startTimeUtc": created,
        "endTimeUtc": if terminal { created.clone() } else { Value::Null },
        "error": p.get("error").cloned().unwrap_or(Value::Null),
        "warnings": [{"source": "amlab", "message": job_log::NOT_RUN}],
        "tags": p.get("tags").cloned().unwrap_or(json!({})),
        "properties": p.get("properties").cloned().unwrap_or(json!({})),
        "services": {},
        "logFiles": {"user_logs/std_log.txt": format!("{base}/logs/user_logs/std_log.txt")},
        "runDefinition": null,
    })
}

fn scoring(emulator: &Emulator, endpoint: &str, region: &str, path: &str) -> HttpResponse {
    if !emulator.has_online_endpoint(endpoint, region) {
        return error(
            404,
            "EndpointNotFound",
            format!("No online endpoint {endpoint} in {region} (amlab serve)."),
        );
    }
    error(
        501,
        "ModelNotRun",
        format!(
            "amlab serve does not run models: the online endpoint {endpoint} exists and received the request at {}, but no model was loaded or scored, so there is no prediction to return.",
            path.split('?').next().unwrap_or_default()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_documents() {
        let emu = Emulator::open(crate::emulator::EmulatorOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(answer(&emu, "GET", "management.azure.com", "/").is_none());
        assert!(answer(&emu, "GET", "st1.blob.core.windows.net", "/").is_none());
        let d = answer(&emu, "GET", "EastUS.api.azureml.ms", "/discovery").map(|r| r.body);
        assert_eq!(
            d.flatten().map(|b| b["api"].clone()),
            Some(json!("https://eastus.api.azureml.ms"))
        );
        let missing = answer(&emu, "POST", "ep1.eastus.inference.ml.azure.com", "/score");
        assert_eq!(missing.map(|r| r.status), Some(404));
        let job = json!({"name": "j1", "properties": {"jobType": "Command", "status": "Running",
            "command": "python train.py", "computeId": "/x/computes/aml-cluster"},
            "systemData": {"createdAt": "2026-01-01T00:00:00Z"}});
        let d = run_details(&job, "https://b/runs/j1");
        assert_eq!(d["status"], "Running");
        assert_eq!(d["target"], "aml-cluster");
        assert!(d["endTimeUtc"].is_null());
        assert!(job_log::text(&job).contains("does not execute code"));
        assert!(job_log::text(&job).contains("python train.py"));
    }
}
