//! Schedules: triggers (cron, recurrence) and their actions. Job schedules whose `create_job`
//! is a supported job kind translate; pipeline jobs and monitors (`create_monitor`) are reported
//! as unsupported.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::Context;
use super::error::Problem;
use super::node::{Obj, put};

/// A recurrence `schedule:` pattern -> `{hours[], minutes[], weekDays[], monthDays[]}`
/// (scalars become one-item lists).
pub(crate) fn pattern(o: Obj<'_>) -> Result<Value, Problem> {
    o.only(&["hours", "minutes", "week_days", "month_days"])?;
    let mut m = Map::new();
    for (k, rest) in [
        ("hours", "hours"),
        ("minutes", "minutes"),
        ("week_days", "weekDays"),
        ("month_days", "monthDays"),
    ] {
        if let Some(n) = o.get(k) {
            let v = n.value.to_json();
            m.insert(rest.into(), if v.is_array() { v } else { json!([v]) });
        }
    }
    Ok(Value::Object(m))
}

/// `trigger:` -> REST trigger.
fn trigger(t: Obj<'_>) -> Result<Value, Problem> {
    t.only(&[
        "type",
        "expression",
        "start_time",
        "end_time",
        "time_zone",
        "frequency",
        "interval",
        "schedule",
    ])?;
    let mut m = Map::new();
    put(&mut m, "endTime", t.str("end_time")?);
    put(&mut m, "startTime", t.str("start_time")?);
    m.insert(
        "timeZone".into(),
        json!(t.str("time_zone")?.unwrap_or_else(|| "UTC".into())),
    );
    match t.choice("type", &["cron", "recurrence"])?.as_deref() {
        Some("recurrence") => {
            m.insert("triggerType".into(), json!("Recurrence"));
            m.insert(
                "frequency".into(),
                json!(
                    t.choice("frequency", &["minute", "hour", "day", "week", "month"])?
                        .unwrap_or_default()
                ),
            );
            m.insert("interval".into(), json!(t.int("interval")?.unwrap_or(1)));
            let s = match t.obj("schedule", "trigger.schedule")? {
                Some(s) => pattern(s)?,
                None => json!({"hours": [], "minutes": []}),
            };
            m.insert("schedule".into(), s);
        }
        Some(_) => {
            m.insert("triggerType".into(), json!("Cron"));
            m.insert("expression".into(), json!(t.req_str("expression")?));
        }
        None => {
            return Err(Problem::at(
                t.node,
                "missing required field `trigger.type` (cron or recurrence)",
            ));
        }
    }
    Ok(Value::Object(m))
}

/// Translates a schedule spec.
pub(crate) fn translate(
    root: Obj<'_>,
    ctx: &Context,
    dir: &Path,
) -> Result<(String, Value), Problem> {
    root.only(&[
        "name",
        "display_name",
        "description",
        "tags",
        "properties",
        "trigger",
        "create_job",
        "create_monitor",
        "is_enabled",
        "import_data",
    ])?;
    let name = root.req_str("name")?;
    let trig = trigger(Obj::of(root.req("trigger")?, "trigger")?)?;
    if let Some(n) = root.get("create_monitor") {
        return Err(Problem::at(
            n,
            "monitor schedules (`create_monitor`) are not supported by `amlab spec` yet",
        ));
    }
    let job = root.req("create_job")?;
    let definition = match &job.value {
        super::node::Node::Str(s) if s.starts_with("azureml:") => {
            json!({"jobType": "Pipeline", "sourceJobId": super::refs::named(ctx, "jobs", s)})
        }
        super::node::Node::Str(s) => {
            let path = dir.join(s);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Problem::at(job, format!("cannot read {}: {e}", path.display())))?;
            let node: super::node::SNode = serde_saphyr::from_str(&text).map_err(|e| {
                Problem::at(job, format!("{} is not valid YAML: {e}", path.display()))
            })?;
            let o = Obj::of(&node, "")?;
            job_properties(o, ctx, path.parent().unwrap_or(dir))
                .map_err(|p| Problem::at(job, format!("in {}: {}", path.display(), p.message)))?
        }
        _ => job_properties(Obj::of(job, "create_job")?, ctx, dir)?,
    };
    let mut p = Map::new();
    p.insert(
        "action".into(),
        json!({"actionType": "CreateJob", "jobDefinition": definition}),
    );
    put(&mut p, "description", root.str("description")?);
    put(&mut p, "displayName", root.str("display_name")?);
    p.insert(
        "isEnabled".into(),
        json!(root.bool("is_enabled")?.unwrap_or(true)),
    );
    p.insert(
        "properties".into(),
        Value::Object(root.str_map("properties")?.unwrap_or_default()),
    );
    p.insert(
        "tags".into(),
        Value::Object(root.str_map("tags")?.unwrap_or_default()),
    );
    p.insert("trigger".into(), trig);
    Ok((format!("schedules/{name}"), json!({ "properties": p })))
}

/// The job properties of a `create_job` definition (jobs in schedules need no name).
fn job_properties(o: Obj<'_>, ctx: &Context, dir: &Path) -> Result<Value, Problem> {
    let kind = o
        .choice("type", &["command", "sweep", "automl", "pipeline"])?
        .unwrap_or_else(|| "command".into());
    let props = match kind.as_str() {
        "sweep" => super::job::sweep::translate(o, ctx)?,
        "automl" => super::job::automl::translate(o, ctx)?,
        "pipeline" => super::job::pipeline::translate(o, ctx)?,
        _ => super::job::command::translate(o, ctx, dir)?,
    };
    Ok(Value::Object(props))
}
