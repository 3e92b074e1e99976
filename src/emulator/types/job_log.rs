//! A job's log, as the service writes it: `user_logs/std_log.txt` under the job's default
//! output, `azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.{job}` (the
//! workspace's artifact store, the `azureml` container of its storage account). That is where
//! `ml_client.jobs.stream` lists and downloads a running job's logs (with a SAS it signs from
//! the datastore's key). The emulator runs no code, so the log says so and names the command.

use serde_json::Value;

use crate::emulator::blob::Ctx;
use crate::emulator::blob::service::write_once;

/// The datastore of a job's default output.
pub(crate) const ARTIFACT_STORE: &str = "workspaceartifactstore";

/// The log every job has, relative to its default output.
pub(crate) const STD_LOG: &str = "user_logs/std_log.txt";

/// What a job's run says in place of its output.
pub(crate) const NOT_RUN: &str = "amlab serve emulates Azure Machine Learning: it does not execute code. \
This job's status follows the emulated lifecycle; no command ran, and no output, metric or model was produced.";

/// The path of job `job`'s default output in the artifact store.
pub(crate) fn artifact_path(job: &str) -> String {
    format!("ExperimentRun/dcid.{job}")
}

/// The URI of job `job`'s default output, as Azure writes it.
pub(crate) fn default_output_uri(job: &str) -> String {
    format!(
        "azureml://datastores/{ARTIFACT_STORE}/{}",
        artifact_path(job)
    )
}

/// The text of a job's log: that the emulator does not execute code, and the job's command.
pub(crate) fn text(job: &Value) -> String {
    let p = &job["properties"];
    let name = job["name"].as_str().unwrap_or_default();
    let kind = p["jobType"].as_str().unwrap_or("job");
    let command = p["command"]
        .as_str()
        .map(|c| format!("The command was not run: {c}\n"))
        .unwrap_or_default();
    format!("{NOT_RUN}\nJob {name} ({kind}).\n{command}")
}

/// Writes the log of the job `job` (its ARM body, as a PUT answered it) into its workspace's
/// artifact store, once. Nothing happens when `job` is not a job or its workspace's artifact
/// store or container is gone. Whether it wrote.
pub(crate) fn write(ctx: &mut Ctx<'_>, job: &Value) -> bool {
    let (Some(id), Some(name)) = (job["id"].as_str(), job["name"].as_str()) else {
        return false;
    };
    if !job["type"]
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case(super::job::TYPE))
    {
        return false;
    }
    let Some(container) = artifact_container(ctx, id) else {
        return false;
    };
    let blob = format!("{}/{STD_LOG}", artifact_path(name));
    let bytes = text(job).into_bytes();
    write_once(ctx, &container, &blob, bytes, "text/plain; charset=utf-8")
}

/// The ARM id of the container behind the artifact store of the workspace of job `job_id`.
fn artifact_container(ctx: &Ctx<'_>, job_id: &str) -> Option<String> {
    let at = job_id.to_ascii_lowercase().rfind("/jobs/")?;
    let store = format!("{}/datastores/{ARTIFACT_STORE}", &job_id[..at]);
    let p = &ctx.world.get(&store, ctx.now_ms)?.body["properties"];
    let account = ctx.account(&p["accountName"].as_str()?.to_ascii_lowercase())?;
    let container = p["containerName"].as_str()?;
    Some(format!(
        "{}/blobServices/default/containers/{container}",
        account.id
    ))
}
