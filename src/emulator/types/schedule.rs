//! `Microsoft.MachineLearningServices/workspaces/schedules`: a Cron or Recurrence trigger and
//! an action (CreateJob with a job definition, CreateMonitor with a monitor definition, or
//! InvokeBatchEndpoint); `isEnabled`; long-running PUT (`Azure-AsyncOperation`); lists filtered
//! by `listViewType` (EnabledOnly, DisabledOnly, All; every schedule when it is not given).

use regex::Regex;
use serde_json::{Value, json};

use super::job_spec;
use super::refs::{Lookup, workspace_of};
use super::scoped::At;
use super::{Built, Lro, ML_CHECK, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::url::RequestUrl;

/// Schedules.
pub(crate) struct Schedules;

const P: At<'static> = At {
    prefix: "properties",
};
const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const SIGNALS: &[&str] = &[
    "DataDrift",
    "PredictionDrift",
    "DataQuality",
    "FeatureAttributionDrift",
    "Custom",
];
const METRICS: &[&str] = &[
    "JensenShannonDistance",
    "PopulationStabilityIndex",
    "NormalizedWassersteinDistance",
    "TwoSampleKolmogorovSmirnovTest",
    "PearsonsChiSquaredTest",
    "NullValueRate",
    "DataTypeErrorRate",
    "OutOfBoundsRate",
    "NormalizedDiscountedCumulativeGain",
];

impl ResourceType for Schedules {
    fn type_name(&self) -> &'static str {
        "Microsoft.MachineLearningServices/workspaces/schedules"
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        if Regex::new(r"^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$").is_ok_and(|r| r.is_match(name)) {
            Ok(())
        } else {
            Err(ML_CHECK.error(
                "name",
                format!("Schedule name '{name}' is invalid: use letters, digits, '-' and '_'"),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut p = At { prefix: "" }
            .req_object(ctx.body, "properties")?
            .clone();
        trigger(ctx, &mut p)?;
        let action = action(ctx, &mut p)?;
        if let Some(v) = fields::get(&p, "isEnabled")
            && !v.is_boolean()
        {
            return Err(P.error("isEnabled", "properties.isEnabled must be true or false"));
        }
        fields::default(&mut p, "isEnabled", json!(true));
        fields::default(&mut p, "displayName", Value::Null);
        fields::default(&mut p, "description", Value::Null);
        fields::default(&mut p, "tags", json!({}));
        fields::default(&mut p, "properties", json!({}));
        if action == "CreateMonitor"
            && let Some(obj) = p.get_mut("properties").and_then(Value::as_object_mut)
        {
            obj.insert(
                "azureml.telemetry.attribution".into(),
                json!("modelmonitoring"),
            );
        }
        Ok(Built {
            fields: json!({"properties": p}),
            ..Built::default()
        })
    }

    fn put_lro(&self, _created: bool) -> Lro {
        Lro::AsyncOperation
    }

    fn put_status(&self, _created: bool) -> u16 {
        // The service answers 201 to every schedule PUT, updates included (see the recordings).
        201
    }

    fn delete_lro(&self) -> Lro {
        Lro::Location
    }

    fn operation_kind(&self) -> &'static str {
        "mfeOperationsStatus"
    }

    /// Without `listViewType`, every schedule: the 2025-12-01 spec gives the parameter no
    /// default, and its own example (examples/Schedule/list.json) lists a disabled schedule
    /// for a request without it. azure-ai-ml (`schedules.list`) and `az ml schedule list`
    /// always send it (`EnabledOnly` unless told otherwise), so what they see is unchanged.
    fn listed(&self, url: &RequestUrl, body: &Value) -> ArmResult<bool> {
        let view = url.query_param("listViewType").unwrap_or("All");
        let view = ML_CHECK.one_of(
            "listViewType",
            view,
            &["EnabledOnly", "DisabledOnly", "All"],
        )?;
        let enabled = fields::get(body, "properties.isEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        Ok(match view {
            "EnabledOnly" => enabled,
            "DisabledOnly" => !enabled,
            _ => true,
        })
    }
}

fn int_list(p: &Value, rel: &str, max: i64) -> ArmResult<()> {
    if let Some(v) = fields::get(p, rel) {
        let ok = v.as_array().is_some_and(|a| {
            a.iter()
                .all(|x| x.as_i64().is_some_and(|n| (0..=max).contains(&n)))
        });
        if !ok {
            return Err(P.error(
                rel,
                format!("properties.{rel} must be a list of integers between 0 and {max}"),
            ));
        }
    }
    Ok(())
}

fn trigger(ctx: &PutContext<'_>, p: &mut Value) -> ArmResult<()> {
    P.req_object(p, "trigger")?;
    let kind = P.req_enum(p, "trigger.triggerType", &["Cron", "Recurrence"])?;
    if kind == "Cron" {
        let expr = P.req_str(p, "trigger.expression")?;
        let parts = expr.split_whitespace().count();
        if parts != 5 {
            return Err(P.error(
                "trigger.expression",
                format!("properties.trigger.expression '{expr}' is not a valid cron expression: it needs 5 fields (minute hour day-of-month month day-of-week)"),
            ));
        }
    } else {
        P.req_enum(
            p,
            "trigger.frequency",
            &["Minute", "Hour", "Day", "Week", "Month"],
        )?;
        match fields::get(p, "trigger.interval") {
            None => return Err(P.missing("trigger.interval")),
            Some(v) if v.as_i64().is_some_and(|n| n >= 1) => {}
            Some(_) => {
                return Err(P.error(
                    "trigger.interval",
                    "properties.trigger.interval must be a positive integer",
                ));
            }
        }
        if fields::get(p, "trigger.schedule").is_some() {
            int_list(p, "trigger.schedule.hours", 23)?;
            int_list(p, "trigger.schedule.minutes", 59)?;
            int_list(p, "trigger.schedule.monthDays", 31)?;
            if let Some(days) = fields::get(p, "trigger.schedule.weekDays").cloned() {
                let Some(days) = days.as_array() else {
                    return Err(P.error(
                        "trigger.schedule.weekDays",
                        "properties.trigger.schedule.weekDays must be a list",
                    ));
                };
                let mut canon = Vec::new();
                for d in days {
                    let d = d.as_str().unwrap_or_default();
                    canon.push(json!(P.one_of("trigger.schedule.weekDays", d, WEEKDAYS)?));
                }
                fields::set(p, "trigger.schedule.weekDays", json!(canon));
            }
            fields::default(p, "trigger.schedule.monthDays", Value::Null);
        }
    }
    fields::default(p, "trigger.timeZone", json!("UTC"));
    let start = crate::emulator::ids::timestamp(ctx.now_ms);
    let start = start
        .trim_end_matches('Z')
        .split('.')
        .next()
        .unwrap_or_default()
        .to_owned();
    let prior = ctx
        .existing
        .and_then(|e| fields::get_str(&e.body, "properties.trigger.startTime"))
        .map(str::to_owned);
    fields::default(p, "trigger.startTime", json!(prior.unwrap_or(start)));
    fields::default(p, "trigger.endTime", Value::Null);
    Ok(())
}

fn action(ctx: &PutContext<'_>, p: &mut Value) -> ArmResult<&'static str> {
    P.req_object(p, "action")?;
    let kind = P.req_enum(
        p,
        "action.actionType",
        &["CreateJob", "CreateMonitor", "InvokeBatchEndpoint"],
    )?;
    let look = Lookup {
        world: ctx.world,
        now_ms: ctx.now_ms,
        workspace: workspace_of(ctx.id),
    };
    match kind {
        "CreateJob" => {
            let mut job = P.req_object(p, "action.jobDefinition")?.clone();
            let at = At {
                prefix: "properties.action.jobDefinition",
            };
            job_spec::validate(&look, at, ctx.name, &mut job)?;
            fields::set(&mut job, "status", json!("NotStarted"));
            fields::set(p, "action.jobDefinition", job);
        }
        "CreateMonitor" => {
            let mut m = P.req_object(p, "action.monitorDefinition")?.clone();
            monitor(&look, &mut m)?;
            fields::set(p, "action.monitorDefinition", m);
        }
        _ => {
            P.req_object(p, "action.endpointInvocationDefinition")?;
        }
    }
    Ok(kind)
}

/// The validation error the service answers when a monitor needs alert e-mails and has none
/// (message verbatim from the recordings, including its stray `$"`).
fn emails_missing() -> ArmError {
    ArmError::bad_request("UserError", "$\"The value for '.emails' is missing.\"")
        .with_target("properties.action.monitorDefinition.alertNotificationSettings.emailNotificationSettings.emails")
}

fn monitor(look: &Lookup<'_>, m: &mut Value) -> ArmResult<()> {
    let at = At {
        prefix: "properties.action.monitorDefinition",
    };
    at.req_object(m, "computeConfiguration")?;
    at.req_enum(m, "computeConfiguration.computeType", &["ServerlessSpark"])?;
    at.req_str(m, "computeConfiguration.instanceType")?;
    let rt = at.req_str(m, "computeConfiguration.runtimeVersion")?;
    if !Regex::new(r"^[0-9]+\.[0-9]+$").is_ok_and(|r| r.is_match(rt)) {
        return Err(at.error(
            "computeConfiguration.runtimeVersion",
            format!(
                "{} '{rt}' must look like 3.3",
                at.path("computeConfiguration.runtimeVersion")
            ),
        ));
    }
    at.req_enum(
        m,
        "computeConfiguration.computeIdentity.computeIdentityType",
        &["AmlToken", "ManagedIdentity"],
    )?;
    if fields::get(m, "monitoringTarget").is_some() {
        at.req_enum(
            m,
            "monitoringTarget.taskType",
            &["Classification", "Regression"],
        )?;
        if let Some(d) = at
            .opt_str(m, "monitoringTarget.deploymentId")?
            .map(str::to_owned)
        {
            look.online_deployment(&at.path("monitoringTarget.deploymentId"), &d)?;
        }
    } else {
        fields::set(m, "monitoringTarget", Value::Null);
    }
    let signals = at.req_object(m, "signals")?.clone();
    let signals = signals.as_object().cloned().unwrap_or_default();
    if signals.is_empty() {
        return Err(at.error(
            "signals",
            format!("{} must contain at least one signal", at.path("signals")),
        ));
    }
    let mut out = serde_json::Map::new();
    let mut needs_emails = false;
    for (name, signal) in signals {
        let sat_prefix = at.path(&format!("signals.{name}"));
        let sat = At {
            prefix: &sat_prefix,
        };
        let mut s = signal;
        if !s.is_object() {
            return Err(at.error(
                &format!("signals.{name}"),
                format!("{sat_prefix} must be an object"),
            ));
        }
        let kind = sat.req_enum(&mut s, "signalType", SIGNALS)?;
        sat.enum_or(&mut s, "mode", &["Enabled", "Disabled"], "Enabled")?;
        needs_emails |= kind == "PredictionDrift";
        if kind != "Custom" {
            let Some(list) = fields::get(&s, "metricThresholds")
                .and_then(Value::as_array)
                .cloned()
            else {
                return Err(sat.missing("metricThresholds"));
            };
            if list.is_empty() {
                return Err(sat.error(
                    "metricThresholds",
                    format!("{sat_prefix}.metricThresholds must not be empty"),
                ));
            }
            let mut canon = Vec::new();
            for (i, t) in list.into_iter().enumerate() {
                let tp = format!("{sat_prefix}.metricThresholds[{i}]");
                let tat = At { prefix: &tp };
                let mut t = t;
                tat.req_enum(&mut t, "dataType", &["Numerical", "Categorical"])?;
                tat.req_enum(&mut t, "metric", METRICS)?;
                if !fields::get(&t, "threshold.value").is_some_and(Value::is_number) {
                    return Err(tat.missing("threshold.value"));
                }
                canon.push(t);
            }
            fields::set(&mut s, "metricThresholds", json!(canon));
        }
        out.insert(name, s);
    }
    fields::set(m, "signals", Value::Object(out));
    let has_settings = fields::get(m, "alertNotificationSettings").is_some();
    let emails = fields::get(
        m,
        "alertNotificationSettings.emailNotificationSettings.emails",
    );
    let has_emails = emails
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if (needs_emails || has_settings) && !has_emails {
        return Err(emails_missing());
    }
    Ok(())
}
