//! Schedules: triggers (cron, recurrence) and their actions: `create_job` (a job file, an inline
//! job, a registered job, or a job file with runtime overrides) and `create_monitor`
//! (translated by [`super::monitor`]).

use std::path::Path;

use serde_json::{Map, Value, json};

use super::Context;
use super::error::Problem;
use super::node::{Obj, Values, put};

/// A recurrence `schedule:` pattern -> `{hours[], minutes[], weekDays[], monthDays[]}`
/// (scalars become one-item lists). `hours` and `minutes` are required, as in the SDK's
/// `RecurrencePatternSchema` (azure/ai/ml/_schema/schedule/trigger.py).
pub(crate) fn pattern(o: Obj<'_>) -> Value {
    o.only(&["hours", "minutes", "week_days", "month_days"]);
    for key in ["hours", "minutes"] {
        o.ok(o.req(key));
    }
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
    Value::Object(m)
}

/// A trigger time as the SDK sends it: an ISO 8601 date-time (parsed by marshmallow) is
/// written `YYYY-MM-DD HH:MM:SS` (fractions and offsets dropped, as `strftime` does); other
/// text passes through.
pub(crate) fn trigger_time(v: &str) -> String {
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 16
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b[10] == b'T' || b[10] == b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16);
    if !shape {
        return v.to_owned();
    }
    let mut rest = &v[16..];
    let mut seconds = "00";
    if let Some(r) = rest.strip_prefix(':')
        && r.len() >= 2
        && r.as_bytes()[..2].iter().all(u8::is_ascii_digit)
    {
        seconds = &r[..2];
        rest = &r[2..];
        if let Some(f) = rest.strip_prefix('.') {
            rest = f.trim_start_matches(|c: char| c.is_ascii_digit());
        }
    }
    let zone_ok = rest.is_empty()
        || rest == "Z"
        || ((rest.starts_with('+') || rest.starts_with('-'))
            && rest[1..].chars().all(|c| c.is_ascii_digit() || c == ':'));
    if !zone_ok {
        return v.to_owned();
    }
    format!("{} {}:{seconds}", &v[..10], &v[11..16])
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
    ]);
    let mut m = Map::new();
    put(
        &mut m,
        "endTime",
        t.str("end_time").map(|v| trigger_time(&v)),
    );
    put(
        &mut m,
        "startTime",
        t.str("start_time").map(|v| trigger_time(&v)),
    );
    m.insert(
        "timeZone".into(),
        json!(t.str("time_zone").unwrap_or_else(|| "UTC".into())),
    );
    match t.req_choice("type", &["cron", "recurrence"])?.as_str() {
        "recurrence" => {
            m.insert("triggerType".into(), json!("Recurrence"));
            m.insert(
                "frequency".into(),
                json!(
                    t.choice("frequency", &["minute", "hour", "day", "week", "month"])
                        .unwrap_or_default()
                ),
            );
            m.insert("interval".into(), json!(t.int("interval").unwrap_or(1)));
            let s = match t.obj("schedule", "trigger.schedule") {
                Some(s) => pattern(s),
                None => json!({"hours": [], "minutes": []}),
            };
            m.insert("schedule".into(), s);
        }
        _ => {
            m.insert("triggerType".into(), json!("Cron"));
            m.insert("expression".into(), json!(t.req_str("expression")));
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
    ]);
    let name = root.req_str("name");
    let trigger_obj = root.ok(root.req_obj("trigger", "trigger"));
    let trig = trigger_obj.and_then(|t| root.ok(trigger(t)));
    let mut p = Map::new();
    if let Some(n) = root.get("create_monitor") {
        let (frequency, interval) = match trigger_obj {
            Some(t) if t.str("type").as_deref() == Some("recurrence") => (
                t.str("frequency").map(|f| f.to_ascii_lowercase()),
                t.int("interval").unwrap_or(1),
            ),
            _ => (None, 1),
        };
        let window = super::monitor::default_window(frequency.as_deref(), interval);
        let definition = root
            .ok(root.sub(n, "create_monitor"))
            .and_then(|m| root.ok(super::monitor::translate(m, ctx, &window)));
        p.insert(
            "action".into(),
            json!({"actionType": "CreateMonitor", "monitorDefinition": definition}),
        );
    } else {
        let definition = match root.ok(root.req("create_job")) {
            Some(job) => match &job.value {
                super::node::Node::Str(s) if s.starts_with("azureml:") => Some(existing_job(s)),
                super::node::Node::Str(s) => job_file(root, job, s, ctx, dir),
                _ => root
                    .ok(root.sub(job, "create_job"))
                    .and_then(|o| match o.get("job") {
                        Some(file) => with_overrides(o, file, ctx, dir),
                        None => o.ok(job_properties(o, ctx, dir)),
                    }),
            },
            None => None,
        };
        p.insert(
            "action".into(),
            json!({"actionType": "CreateJob", "jobDefinition": definition}),
        );
    }
    put(&mut p, "description", root.str("description"));
    put(&mut p, "displayName", root.str("display_name"));
    put(&mut p, "isEnabled", root.bool("is_enabled"));
    p.insert(
        "properties".into(),
        root.str_map_or_empty("properties", Values::Strict),
    );
    p.insert("tags".into(), root.str_map_or_empty("tags", Values::Raw));
    put(&mut p, "trigger", trig);
    Ok((format!("schedules/{name}"), json!({ "properties": p })))
}

/// `create_job: azureml:<job>`: JobSchedule._to_rest_object sends the reference as the
/// schedule's loader left it (`ArmStr` strips `azureml:`) in a pipeline job definition with
/// an empty experiment name (azure/ai/ml/entities/_schedule/schedule.py).
fn existing_job(reference: &str) -> Value {
    let id = reference.strip_prefix("azureml:").unwrap_or(reference);
    json!({"experimentName": "", "isArchived": false, "jobType": "Pipeline", "sourceJobId": id})
}

/// The job properties of a `create_job` definition (jobs in schedules need no name). Only
/// pipeline jobs: JobSchedule._to_rest_object refuses other job types ("Unsupported job
/// type") unless the SDK's private preview features are enabled
/// (azure/ai/ml/entities/_schedule/schedule.py).
fn job_properties(o: Obj<'_>, ctx: &Context, dir: &Path) -> Result<Value, Problem> {
    let kind = o
        .choice_checked("type", &["command", "sweep", "automl", "pipeline"])?
        .unwrap_or_else(|| "command".into());
    if kind != "pipeline" {
        return Err(Problem::at(
            o.get("type").unwrap_or(o.node),
            format!("a schedule's `create_job` must be a pipeline job; azure-ai-ml refuses a `{kind}` job here (\"Unsupported job type\")"),
        )
        .with_help("write `type: pipeline` with the job as one of its `jobs:` steps"));
    }
    let props = match kind.as_str() {
        "sweep" => super::job::sweep::translate(o, ctx)?,
        "automl" => super::job::automl::translate(o, ctx)?,
        "pipeline" => super::job::pipeline::translate(o, ctx, dir)?,
        _ => super::job::command::translate(o, ctx, dir)?,
    };
    Ok(Value::Object(props))
}

/// A job file named by `create_job` (relative to the schedule), translated; its problems are
/// recorded in `parent` at `at`.
fn job_file(
    parent: Obj<'_>,
    at: &super::node::SNode,
    file: &str,
    ctx: &Context,
    dir: &Path,
) -> Option<Value> {
    let path = dir.join(file);
    let job_dir = path.parent().unwrap_or(dir).to_path_buf();
    super::nested(parent, at, ctx, &path, "job", |o| {
        job_properties(o, ctx, &job_dir)
    })
}

/// `create_job: {type: pipeline, job: ./file.yml, settings, inputs, outputs, tags, ...}`: the
/// file's job with the runtime settings laid over it (settings, inputs and outputs key by key;
/// the other fields replaced).
fn with_overrides(
    o: Obj<'_>,
    file: &super::node::SNode,
    ctx: &Context,
    dir: &Path,
) -> Option<Value> {
    o.only(&[
        "type",
        "job",
        "settings",
        "inputs",
        "outputs",
        "tags",
        "display_name",
        "description",
        "experiment_name",
        "compute",
        "properties",
    ]);
    let settings = o
        .has("settings")
        .then(|| super::job::pipeline::settings(o, ctx));
    let inputs = super::job::inputs(o, ctx);
    let outputs = super::job::outputs(o);
    let tags = o.str_map("tags", Values::Strict);
    let properties = o.str_map("properties", Values::Strict);
    let super::node::Node::Str(f) = &file.value else {
        o.report(Problem::at(
            file,
            "`create_job.job` must be a job file path",
        ));
        return None;
    };
    let mut base = job_file(o, file, f, ctx, dir)?;
    let Some(props) = base.as_object_mut() else {
        return Some(base);
    };
    if let Some(s) = settings {
        let target = props.entry("settings").or_insert_with(|| json!({}));
        if let (Some(t), Some(s)) = (target.as_object_mut(), s.as_object()) {
            for (k, v) in s {
                t.insert(k.clone(), v.clone());
            }
        }
    }
    for (key, value) in [("inputs", inputs), ("outputs", outputs)] {
        if let (Some(t), Some(v)) = (
            props
                .entry(key)
                .or_insert_with(|| json!({}))
                .as_object_mut(),
            value.as_object(),
        ) {
            for (k, v) in v {
                t.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(t) = tags {
        props.insert("tags".into(), Value::Object(t));
    }
    if let Some(p) = properties {
        props.insert("properties".into(), Value::Object(p));
    }
    put(props, "displayName", o.str("display_name"));
    put(props, "description", o.str("description"));
    put(props, "experimentName", o.str("experiment_name"));
    put(
        props,
        "computeId",
        o.str("compute")
            .map(|c| super::refs::named(ctx, "computes", &c)),
    );
    Some(base)
}
