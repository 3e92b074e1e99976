//! `Microsoft.MachineLearningServices/workspaces/jobs`: synchronous PUT (201), then a lifecycle
//! computed from the clock when the job is read — NotStarted, Starting, Preparing, Queued,
//! Running, Finalizing, then Completed or Failed (see [`super::job_spec`] for the failing-job
//! rule). Each phase lasts half the provisioning delay (Running two halves): a job ends 3.5
//! delays after submission. `POST cancel` shows CancelRequested for half a delay, then Canceled.
//! The list honours the service's filters (see [`super::job_list`]).

use regex::Regex;
use serde_json::{Value, json};

use super::job_list;
use super::job_spec::{self, JobPlan};
use super::refs::{Lookup, workspace_of};
use super::scoped::At;
use super::{
    ActionContext, ActionOutcome, Built, Lro, ML_CHECK, PRIVATE_KEY, PutContext, ResourceType,
};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::url::RequestUrl;
use crate::emulator::world::StoredResource;

/// Jobs.
pub(crate) struct Jobs;

/// The phases before the outcome, one per half delay.
const PHASES: &[&str] = &[
    "NotStarted",
    "Starting",
    "Preparing",
    "Queued",
    "Running",
    "Running",
    "Finalizing",
];

/// Terminal statuses.
const TERMINAL: &[&str] = &["Completed", "Failed", "Canceled"];

/// Fields a re-PUT of an existing job may change.
const MUTABLE: &[&str] = &[
    "description",
    "tags",
    "displayName",
    "isArchived",
    "properties",
];

/// The status of a job with private state `private` at `now_ms`.
pub(crate) fn status_at(private: &Value, now_ms: u64) -> String {
    let submitted = private["submittedMs"].as_u64().unwrap_or(0);
    let step = private["stepMs"].as_u64().unwrap_or(1).max(1);
    if let Some(cancel) = private["cancelMs"].as_u64() {
        return if now_ms < cancel + step {
            "CancelRequested"
        } else {
            "Canceled"
        }
        .to_owned();
    }
    let i = usize::try_from(now_ms.saturating_sub(submitted) / step).unwrap_or(usize::MAX);
    match PHASES.get(i) {
        Some(p) => (*p).to_owned(),
        None => private["outcome"]
            .as_str()
            .unwrap_or("Completed")
            .to_owned(),
    }
}

/// The resource type of jobs.
pub(crate) const TYPE: &str = "Microsoft.MachineLearningServices/workspaces/jobs";

impl ResourceType for Jobs {
    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn has_provisioning_state(&self) -> bool {
        false
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        if Regex::new(r"^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$").is_ok_and(|r| r.is_match(name)) {
            Ok(())
        } else {
            Err(ML_CHECK.error(
                "name",
                format!("Job name '{name}' is invalid: use letters, digits, '-' and '_', starting with a letter or digit"),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let c = ML_CHECK;
        let Some(given) = ctx.body.get("properties").filter(|p| p.is_object()) else {
            return Err(c.missing("properties"));
        };
        if let Some(existing) = ctx.existing {
            return update(ctx, existing, given);
        }
        let mut props = given.clone();
        let look = Lookup {
            world: ctx.world,
            now_ms: ctx.now_ms,
            workspace: workspace_of(ctx.id),
        };
        let JobPlan { job_type, failure } = job_spec::validate(
            &look,
            At {
                prefix: "properties",
            },
            ctx.name,
            &mut props,
        )?;
        fields::set(&mut props, "status", json!("NotStarted"));
        let location = ctx
            .world
            .get(workspace_of(ctx.id), ctx.now_ms)
            .and_then(|w| fields::get_str(&w.body, "location"))
            .unwrap_or("eastus")
            .to_owned();
        // The services a job asks for (interactive jobs: JupyterLab, SSH, TensorBoard, VS
        // Code) are kept, not yet started, beside the Studio and Tracking services every job has.
        let mut services = fields::object_or_empty(props.get("services"));
        if let Some(map) = services.as_object_mut() {
            for svc in map.values_mut().filter(|v| v.is_object()) {
                fields::default(svc, "status", json!("NotStarted"));
            }
        }
        let ws = workspace_of(ctx.id);
        fields::set(
            &mut services,
            "Studio",
            json!({"jobServiceType": "Studio", "endpoint": format!("https://ml.azure.com/runs/{}?wsid={ws}", ctx.name), "status": null, "port": null, "errorMessage": null, "properties": null}),
        );
        fields::set(
            &mut services,
            "Tracking",
            json!({"jobServiceType": "Tracking", "endpoint": format!("azureml://{location}.api.azureml.ms/mlflow/v1.0{ws}?"), "status": null, "port": null, "errorMessage": null, "properties": null}),
        );
        fields::set(&mut props, "services", services);
        let private = json!({
            "submittedMs": ctx.now_ms,
            "stepMs": (ctx.delay_ms / 2).max(1),
            "outcome": if failure.is_some() { "Failed" } else { "Completed" },
            "error": failure,
            "jobType": job_type,
            "cancelMs": null,
        });
        Ok(Built {
            fields: json!({"properties": props, PRIVATE_KEY: private}),
            ..Built::default()
        })
    }

    fn delete_lro(&self) -> Lro {
        Lro::Location
    }

    fn operation_kind(&self) -> &'static str {
        "mfeOperationResults"
    }

    fn check_list_query(&self, url: &RequestUrl) -> ArmResult<()> {
        job_list::view(url).map(|_| ())
    }

    fn listed(&self, url: &RequestUrl, body: &Value) -> ArmResult<bool> {
        job_list::listed(url, body)
    }

    fn present(&self, body: &mut Value, private: &Value, now_ms: u64) {
        if private.is_null() {
            return;
        }
        let status = status_at(private, now_ms);
        if status == "Failed"
            && let Some(err) = private.get("error").filter(|e| !e.is_null())
        {
            fields::set(body, "properties.error", err.clone());
        }
        if status == "Completed" && private["jobType"] == "Sweep" {
            let name = body["name"].as_str().unwrap_or_default().to_owned();
            fields::set(
                body,
                "properties.properties.best_child_run_id",
                json!(format!("{name}_0")),
            );
        }
        fields::set(body, "properties.status", json!(status));
    }

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        _body: Option<&Value>,
        ctx: &ActionContext,
    ) -> ArmResult<ActionOutcome> {
        if !name.eq_ignore_ascii_case("cancel") {
            return Err(ArmError::new(
                404,
                "ActionNotFound",
                format!("The action '{name}' is not supported for jobs."),
            ));
        }
        let private = resource
            .body
            .get(PRIVATE_KEY)
            .cloned()
            .unwrap_or(Value::Null);
        let status = status_at(&private, ctx.now_ms);
        if TERMINAL.contains(&status.as_str()) {
            return Err(ML_CHECK.error(
                "status",
                format!(
                    "Job '{}' is in the terminal state '{status}' and cannot be canceled",
                    super::last_segment(&resource.id)
                ),
            ));
        }
        let mut updated = resource.body.clone();
        if status != "CancelRequested" {
            fields::set(
                &mut updated,
                &format!("{PRIVATE_KEY}.cancelMs"),
                json!(ctx.now_ms),
            );
        }
        Ok(ActionOutcome {
            status: 202,
            body: None,
            updated_body: Some(updated),
            overlay: None,
            lro: Lro::Location,
            issued: Vec::new(),
            updated_secrets: None,
            side: Vec::new(),
        })
    }
}

/// A re-PUT of an existing job: only [`MUTABLE`] fields may change; the lifecycle goes on.
fn update(ctx: &PutContext<'_>, existing: &StoredResource, given: &Value) -> ArmResult<Built> {
    for f in ["jobType", "command"] {
        let before = fields::get_str(&existing.body, &format!("properties.{f}"));
        let after = fields::get_str(given, f);
        if after.is_some()
            && !before
                .zip(after)
                .is_some_and(|(b, a)| b.eq_ignore_ascii_case(a))
        {
            return Err(ArmError::new(
                409,
                "UserError",
                format!(
                    "Job '{}' already exists and properties.{f} cannot change; only {} can be updated. Submit a job with a new name instead",
                    ctx.name,
                    MUTABLE.join(", ")
                ),
            )
            .with_target(format!("properties.{f}")));
        }
    }
    let mut body = existing.body.clone();
    for f in MUTABLE {
        if let Some(v) = fields::get(given, f) {
            fields::set(&mut body, &format!("properties.{f}"), v.clone());
        }
    }
    let mut out = json!({});
    for k in ["properties", PRIVATE_KEY] {
        if let Some(v) = body.get(k) {
            out[k] = v.clone();
        }
    }
    Ok(Built {
        fields: out,
        status: Some(200),
        ..Built::default()
    })
}
