//! `Microsoft.MachineLearningServices/workspaces/computes`: AmlCompute clusters, compute
//! instances and attached computes ([`compute_attached`]); long-running PUT/PATCH/DELETE with
//! `Azure-AsyncOperation` to `computeOperationsStatus`; the actions in [`compute_actions`].

use regex::Regex;
use serde_json::{Value, json};

use super::{ActionOutcome, Built, LocationPolicy, Lro, ML_CHECK, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::ids;
use crate::emulator::url::RequestUrl;
use crate::emulator::world::{Phase, StoredResource};

use super::{compute_actions, compute_attached};

const DEFAULT_VM_SIZE: &str = "STANDARD_DS3_V2";
const P: &str = "properties.properties";

/// Computes.
pub(crate) struct Computes;

/// Whether `s` is an ISO 8601 duration (`PT120S`, `P1D`).
pub(crate) fn is_iso_duration(s: &str) -> bool {
    Regex::new(
        r"^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$",
    )
    .is_ok_and(|r| r.is_match(s) && s != "P" && !s.ends_with('T'))
}

impl ResourceType for Computes {
    fn type_name(&self) -> &'static str {
        "Microsoft.MachineLearningServices/workspaces/computes"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::FromParent
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        // ^[a-zA-Z](?![a-zA-Z0-9-]*-\d+$)[a-zA-Z0-9\-]{2,23}$
        let shape = Regex::new(r"^[a-zA-Z][a-zA-Z0-9-]{2,23}$").is_ok_and(|r| r.is_match(name));
        let ends_dash_digits = Regex::new(r"-\d+$").is_ok_and(|r| r.is_match(name));
        if shape && !ends_dash_digits {
            Ok(())
        } else {
            Err(ML_CHECK.error(
                "name",
                format!("Compute name '{name}' is invalid: it must be 3 to 24 characters, start with a letter, contain only letters, digits and '-', and not end with '-' followed by digits"),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut input = ctx.body.clone();
        let compute_type = ML_CHECK
            .require_str(&input, "properties.computeType")?
            .to_owned();
        let compute_type = ML_CHECK.one_of(
            "properties.computeType",
            &compute_type,
            &[
                "AmlCompute",
                "ComputeInstance",
                "Kubernetes",
                "AKS",
                "DataFactory",
                "Databricks",
                "VirtualMachine",
                "SynapseSpark",
                "HDInsight",
            ],
        )?;
        if let Some(prev) = ctx
            .existing
            .and_then(|e| fields::get_str(&e.body, "properties.computeType"))
            && prev != compute_type
        {
            return Err(ML_CHECK.error(
                "properties.computeType",
                format!("properties.computeType cannot change from {prev} to {compute_type}"),
            ));
        }
        let now = ids::timestamp(ctx.now_ms);
        let attached = compute_attached::is_attached(compute_type);
        let mut secrets = None;
        let mut issued = Vec::new();
        let mut inner = match compute_type {
            "AmlCompute" => aml_compute(&mut input, &now)?,
            "ComputeInstance" => compute_instance(&mut input, ctx)?,
            _ => {
                let a = compute_attached::build(&input, compute_type, ctx.existing)?;
                (secrets, issued) = (a.secrets, a.issued);
                a.inner
            }
        };
        let existing = ctx.existing.map(|e| &e.body);
        if compute_type == "AmlCompute"
            && let Some(before) = existing
        {
            keep_node_kind(&mut inner, before);
        }
        let created_on = existing
            .and_then(|b| fields::get_str(b, "properties.createdOn"))
            .map_or_else(|| now.clone(), str::to_owned);
        let mut props = json!({
            "computeType": compute_type,
            "computeLocation": ctx.location.unwrap_or_default(),
            "description": fields::get(&input, "properties.description").cloned().unwrap_or(Value::Null),
            "createdOn": created_on,
            "modifiedOn": now,
            "resourceId": fields::get(&input, "properties.resourceId").filter(|_| attached).cloned().unwrap_or(Value::Null),
            "provisioningErrors": Value::Null,
            "isAttachedCompute": attached,
            "disableLocalAuth": fields::get(&input, "properties.disableLocalAuth").cloned().unwrap_or(json!(false)),
        });
        fields::set(&mut props, "properties", inner);
        let mut fields = json!({"properties": props});
        if let Some(identity) = input.get("identity").filter(|v| v.is_object()) {
            fields["identity"] = identity.clone();
        }
        if let Some(sku) = input.get("sku").filter(|v| v.is_object()) {
            fields["sku"] = sku.clone();
        }
        Ok(Built {
            fields,
            secrets,
            issued,
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::AsyncOperation
    }

    fn supports_patch(&self) -> bool {
        true
    }

    fn patch_lro(&self) -> Lro {
        Lro::AsyncOperation
    }

    fn delete_lro(&self) -> Lro {
        Lro::AsyncOperation
    }

    fn check_delete(&self, url: &RequestUrl) -> ArmResult<()> {
        match url.query_param("underlyingResourceAction") {
            Some(v) if v.eq_ignore_ascii_case("Delete") || v.eq_ignore_ascii_case("Detach") => Ok(()),
            Some(v) => Err(ML_CHECK.error(
                "underlyingResourceAction",
                format!("underlyingResourceAction has an invalid value '{v}'; allowed values are: Delete, Detach"),
            )),
            None => Err(ML_CHECK.missing("underlyingResourceAction")),
        }
    }

    fn operation_kind(&self) -> &'static str {
        "computeOperationsStatus"
    }

    fn transient_overlay(&self, phase: Phase, settled: &Value) -> Value {
        let mut overlay = json!({"properties": {"provisioningState": phase.as_str()}});
        let is_instance =
            fields::get_str(settled, "properties.computeType") == Some("ComputeInstance");
        if is_instance && phase == Phase::Creating {
            fields::set(
                &mut overlay,
                "properties.properties.state",
                json!("Creating"),
            );
        }
        if !is_instance && phase == Phase::Creating {
            fields::set(
                &mut overlay,
                "properties.properties.allocationState",
                json!("Resizing"),
            );
        }
        overlay
    }

    fn action(
        &self,
        name: &str,
        resource: &StoredResource,
        body: Option<&Value>,
        _ctx: &super::ActionContext<'_>,
    ) -> ArmResult<ActionOutcome> {
        compute_actions::action(name, resource, body)
    }
}

fn aml_compute(input: &mut Value, now: &str) -> ArmResult<Value> {
    let c = ML_CHECK;
    c.enum_or(
        input,
        &format!("{P}.vmPriority"),
        &["Dedicated", "LowPriority"],
        "Dedicated",
    )?;
    c.enum_or(
        input,
        &format!("{P}.osType"),
        &["Linux", "Windows"],
        "Linux",
    )?;
    c.enum_or(
        input,
        &format!("{P}.remoteLoginPortPublicAccess"),
        &["Enabled", "Disabled", "NotSpecified"],
        "NotSpecified",
    )?;
    let max_field = format!("{P}.scaleSettings.maxNodeCount");
    let min_field = format!("{P}.scaleSettings.minNodeCount");
    let max = c
        .opt_u64(input, &max_field)?
        .ok_or_else(|| c.missing(&max_field))?;
    let min = c.opt_u64(input, &min_field)?.unwrap_or(0);
    if min > max {
        return Err(c.error(
            &min_field,
            format!("{min_field} ({min}) must be less than or equal to {max_field} ({max})"),
        ));
    }
    let idle_field = format!("{P}.scaleSettings.nodeIdleTimeBeforeScaleDown");
    let idle = c
        .opt_str(input, &idle_field)?
        .unwrap_or("PT120S")
        .to_owned();
    if !is_iso_duration(&idle) {
        return Err(c.error(
            &idle_field,
            format!("{idle_field} must be an ISO 8601 duration such as PT120S"),
        ));
    }
    let mut p = fields::object_or_empty(fields::get(input, P));
    fields::default(&mut p, "vmSize", json!(DEFAULT_VM_SIZE));
    fields::default(&mut p, "enableNodePublicIp", json!(true));
    fields::default(&mut p, "isolatedNetwork", json!(false));
    fields::default(&mut p, "subnet", Value::Null);
    fields::set(
        &mut p,
        "scaleSettings",
        json!({"maxNodeCount": max, "minNodeCount": min, "nodeIdleTimeBeforeScaleDown": idle}),
    );
    fields::set(&mut p, "allocationState", json!("Steady"));
    fields::set(&mut p, "allocationStateTransitionTime", json!(now));
    fields::set(&mut p, "errors", Value::Null);
    fields::set(&mut p, "currentNodeCount", json!(min));
    fields::set(&mut p, "targetNodeCount", json!(min));
    fields::set(
        &mut p,
        "nodeStateCounts",
        json!({"idleNodeCount": min, "runningNodeCount": 0, "preparingNodeCount": 0, "unusableNodeCount": 0, "leavingNodeCount": 0, "preemptedNodeCount": 0}),
    );
    Ok(p)
}

/// A cluster's nodes are chosen when it is created: a PUT of an existing cluster (what the SDK
/// sends for `AmlCompute(name=..., max_instances=2)`, with its default size filled in) updates
/// the scale settings and keeps the node size and priority, as the service does.
fn keep_node_kind(inner: &mut Value, before: &Value) {
    for field in ["vmSize", "vmPriority"] {
        if let Some(kept) = fields::get(before, &format!("{P}.{field}")) {
            fields::set(inner, field, kept.clone());
        }
    }
}

/// A compute instance's name is its host name (`{name}.{region}.instances.azureml.ms`), so the
/// service refuses one already taken in the region by any workspace: "Name needs to be unique
/// across all existing computes within an Azure region"
/// (learn.microsoft.com/azure/machine-learning/how-to-create-compute-instance, "Create").
/// The cluster guide states the same sentence; the emulator applies it between compute
/// instances only, whose name is a host name. The status and code are the ML provider's
/// validation error (amlab's choice: the page gives the rule, not the answer).
fn check_unique_in_region(ctx: &PutContext<'_>) -> ArmResult<()> {
    let region = ctx.location.unwrap_or_default();
    let taken = ctx.existing.is_none()
        && ctx.world.resources.values().any(|r| {
            r.type_name
                .eq_ignore_ascii_case("Microsoft.MachineLearningServices/workspaces/computes")
                && !r.id.eq_ignore_ascii_case(ctx.id)
                && r.exists_at(ctx.now_ms)
                && super::last_segment(&r.id).eq_ignore_ascii_case(ctx.name)
                && fields::get_str(&r.body, "location")
                    .is_some_and(|l| l.eq_ignore_ascii_case(region))
                && fields::get_str(&r.body, "properties.computeType") == Some("ComputeInstance")
        });
    if taken {
        return Err(ML_CHECK.error(
            "name",
            format!(
                "Compute instance name '{}' is already in use in region '{region}': compute instance names must be unique across all existing computes within an Azure region.",
                ctx.name
            ),
        ));
    }
    Ok(())
}

fn compute_instance(input: &mut Value, ctx: &PutContext<'_>) -> ArmResult<Value> {
    let c = ML_CHECK;
    check_unique_in_region(ctx)?;
    c.enum_or(
        input,
        &format!("{P}.applicationSharingPolicy"),
        &["Personal", "Shared"],
        "Shared",
    )?;
    c.enum_or(
        input,
        &format!("{P}.computeInstanceAuthorizationType"),
        &["personal"],
        "personal",
    )?;
    let idle_field = format!("{P}.idleTimeBeforeShutdown");
    if let Some(idle) = c.opt_str(input, &idle_field)?
        && !is_iso_duration(idle)
    {
        return Err(c.error(
            &idle_field,
            format!("{idle_field} must be an ISO 8601 duration such as PT60M"),
        ));
    }
    let schedules_field = format!("{P}.schedules.computeStartStop");
    let mut schedules = Vec::new();
    if let Some(list) = fields::get(input, &schedules_field) {
        let Some(list) = list.as_array() else {
            return Err(c.error(
                &schedules_field,
                format!("{schedules_field} must be an array"),
            ));
        };
        for (i, s) in list.iter().enumerate() {
            schedules.push(schedule(&format!("{schedules_field}[{i}]"), s)?);
        }
    }
    let script_field = format!("{P}.setupScripts.scripts.creationScript");
    if fields::get(input, &script_field).is_some() {
        c.require_str(input, &format!("{script_field}.scriptData"))?;
        c.enum_or(
            input,
            &format!("{script_field}.scriptSource"),
            &["inline", "workspaceStorage"],
            "inline",
        )?;
    }
    let mut p = fields::object_or_empty(fields::get(input, P));
    let name = ctx.name.to_ascii_lowercase();
    let location = ctx.location.unwrap_or_default();
    let state = ctx
        .existing
        .and_then(|e| fields::get_str(&e.body, &format!("{P}.state")))
        .unwrap_or("Running")
        .to_owned();
    fields::default(&mut p, "vmSize", json!(DEFAULT_VM_SIZE));
    fields::default(
        &mut p,
        "sshSettings",
        json!({"sshPublicAccess": "Disabled", "adminUserName": "azureuser", "sshPort": 50000}),
    );
    fields::default(&mut p, "enableNodePublicIp", json!(true));
    if !schedules.is_empty() {
        fields::set(&mut p, "schedules", json!({"computeStartStop": schedules}));
    }
    fields::set(&mut p, "state", json!(state));
    fields::set(&mut p, "errors", Value::Null);
    fields::set(
        &mut p,
        "osImageMetadata",
        json!({"currentImageVersion": "25.01.01", "latestImageVersion": "25.01.01", "isLatestOsImageVersion": true}),
    );
    fields::set(
        &mut p,
        "connectivityEndpoints",
        json!({"publicIpAddress": "10.0.0.4", "privateIpAddress": "10.0.0.4"}),
    );
    fields::set(
        &mut p,
        "applications",
        json!([
            {"displayName": "Jupyter", "endpointUri": format!("https://{name}.{location}.instances.azureml.ms/tree/")},
            {"displayName": "Jupyter Lab", "endpointUri": format!("https://{name}.{location}.instances.azureml.ms/lab")}
        ]),
    );
    Ok(p)
}

/// Validates one `computeStartStop` schedule and adds its read-only fields.
fn schedule(field: &str, s: &Value) -> ArmResult<Value> {
    let c = ML_CHECK;
    let mut s = s.clone();
    c.require_enum(&mut s, "action", &["Start", "Stop"])
        .map_err(|_| c.missing_or_invalid(field, "action", &s))?;
    let has_cron = fields::get(&s, "cron").is_some();
    let default_trigger = if has_cron { "Cron" } else { "Recurrence" };
    let trigger = c
        .enum_or(
            &mut s,
            "triggerType",
            &["Cron", "Recurrence"],
            default_trigger,
        )
        .map_err(|_| {
            c.error(
                &format!("{field}.triggerType"),
                format!("{field}.triggerType must be Cron or Recurrence"),
            )
        })?;
    if trigger == "Cron" {
        if fields::get_str(&s, "cron.expression").is_none() {
            return Err(c.missing(&format!("{field}.cron.expression")));
        }
        fields::default(&mut s, "cron.timeZone", json!("UTC"));
    } else {
        let freq = fields::get_str(&s, "recurrence.frequency")
            .ok_or_else(|| c.missing(&format!("{field}.recurrence.frequency")))?
            .to_owned();
        let canon = c.one_of(
            &format!("{field}.recurrence.frequency"),
            &freq,
            &["Minute", "Hour", "Day", "Week", "Month"],
        )?;
        fields::set(&mut s, "recurrence.frequency", json!(canon));
        if fields::get(&s, "recurrence.interval")
            .and_then(Value::as_u64)
            .is_none()
        {
            return Err(c.missing(&format!("{field}.recurrence.interval")));
        }
        fields::default(&mut s, "recurrence.timeZone", json!("UTC"));
    }
    c.enum_or(&mut s, "status", &["Enabled", "Disabled"], "Enabled")
        .map_err(|_| {
            c.error(
                &format!("{field}.status"),
                format!("{field}.status must be Enabled or Disabled"),
            )
        })?;
    fields::default(&mut s, "id", json!(ids::guid()));
    fields::set(&mut s, "provisioningStatus", json!("Completed"));
    Ok(s)
}

impl crate::emulator::fields::Check {
    /// The error for a missing or invalid field of a nested object.
    fn missing_or_invalid(&self, parent: &str, field: &str, v: &Value) -> ArmError {
        let full = format!("{parent}.{field}");
        match fields::get_str(v, field) {
            None => self.missing(&full),
            Some(x) => self.error(&full, format!("{full} has an invalid value '{x}'")),
        }
    }
}
