//! Compute specs (`type: amlcompute` / `computeinstance`) -> `ComputeResource` bodies, with the
//! SDK's defaults (`AmlCompute._to_rest_object`, `ComputeInstance._to_rest_object`).

use serde_json::{Map, Value, json};

use super::duration::iso_seconds;
use super::error::Problem;
use super::node::{Obj, Values, put};

/// Translates a compute spec. The `type` decides which fields are valid: without a valid one
/// nothing else is checked.
pub(crate) fn translate(root: Obj<'_>, ctx: &super::Context) -> Result<(String, Value), Problem> {
    let name = root.req_str("name");
    let kind = root.req_choice("type", &["amlcompute", "computeinstance"])?;
    let body = if kind == "computeinstance" {
        instance(root, ctx)
    } else {
        cluster(root, ctx)
    };
    Ok((format!("computes/{name}"), body))
}

/// AmlCompute.
/// Clusters keep a `location` from the spec; otherwise (and always for instances) the SDK's
/// `ComputeOperations.begin_create_or_update` sets the workspace's location.
fn cluster(root: Obj<'_>, ctx: &super::Context) -> Value {
    root.only(&[
        "name",
        "type",
        "description",
        "location",
        "size",
        "min_instances",
        "max_instances",
        "idle_time_before_scale_down",
        "tier",
        "identity",
        "tags",
        "ssh_public_access_enabled",
        "ssh_settings",
        "network_settings",
        "enable_node_public_ip",
    ]);
    let mut scale = Map::new();
    scale.insert(
        "maxNodeCount".into(),
        json!(root.int("max_instances").unwrap_or(4)),
    );
    scale.insert(
        "minNodeCount".into(),
        json!(root.int("min_instances").unwrap_or(0)),
    );
    scale.insert(
        "nodeIdleTimeBeforeScaleDown".into(),
        json!(iso_seconds(
            root.seconds("idle_time_before_scale_down").unwrap_or(120)
        )),
    );
    let mut inner = Map::new();
    inner.insert(
        "vmSize".into(),
        json!(root.str("size").unwrap_or_else(|| "STANDARD_DS3_V2".into())),
    );
    inner.insert("scaleSettings".into(), Value::Object(scale));
    let ssh = match root.bool("ssh_public_access_enabled") {
        Some(true) => "Enabled",
        Some(false) => "Disabled",
        None => "NotSpecified",
    };
    inner.insert("remoteLoginPortPublicAccess".into(), json!(ssh));
    inner.insert(
        "enableNodePublicIp".into(),
        json!(root.bool("enable_node_public_ip").unwrap_or(true)),
    );
    inner.insert("osType".into(), json!("Linux"));
    if let Some(tier) = root.choice("tier", &["dedicated", "low_priority"]) {
        inner.insert(
            "vmPriority".into(),
            json!(if tier == "dedicated" {
                "Dedicated"
            } else {
                "LowPriority"
            }),
        );
    }
    let mut props = Map::new();
    props.insert("computeType".into(), json!("AmlCompute"));
    put(&mut props, "description", root.str("description"));
    props.insert("disableLocalAuth".into(), json!(true));
    props.insert("properties".into(), Value::Object(inner));
    let mut body = Map::new();
    body.insert(
        "location".into(),
        json!(root.str("location").unwrap_or_else(|| ctx.location.clone())),
    );
    if let Some(identity) = identity(root) {
        body.insert("identity".into(), identity);
    }
    put(&mut body, "tags", root.str_map("tags", Values::Strict));
    body.insert("properties".into(), Value::Object(props));
    Value::Object(body)
}

/// `identity:` -> the ARM managed identity object (`None` when absent or invalid, the problem
/// recorded).
pub(crate) fn identity(root: Obj<'_>) -> Option<Value> {
    let id = root.obj("identity", "identity")?;
    id.only(&["type", "user_assigned_identities"]);
    let kind = id.ok(id.req_choice(
        "type",
        &[
            "system_assigned",
            "user_assigned",
            "system_assigned,user_assigned",
            "none",
        ],
    ));
    let rest = match kind.as_deref() {
        Some("system_assigned") => "SystemAssigned",
        Some("user_assigned") => "UserAssigned",
        Some("none") => "None",
        Some(_) => "SystemAssigned,UserAssigned",
        None => "",
    };
    let mut out = Map::new();
    out.insert("type".into(), json!(rest));
    if let Some(list) = id.seq("user_assigned_identities") {
        let mut ids = Map::new();
        for item in list {
            let Some(o) = id.ok(id.sub(item, "identity.user_assigned_identities[]")) else {
                continue;
            };
            o.only(&["resource_id", "client_id", "principal_id"]);
            ids.insert(o.req_str("resource_id"), json!({}));
        }
        out.insert("userAssignedIdentities".into(), Value::Object(ids));
    }
    Some(Value::Object(out))
}

/// ComputeInstance.
fn instance(root: Obj<'_>, ctx: &super::Context) -> Value {
    root.only(&[
        "name",
        "type",
        "description",
        "location",
        "size",
        "schedules",
        "idle_time_before_shutdown_minutes",
        "idle_time_before_shutdown",
        "identity",
        "tags",
        "ssh_public_access_enabled",
        "ssh_settings",
        "network_settings",
        "enable_node_public_ip",
        "create_on_behalf_of",
        "setup_scripts",
        "enable_sso",
        "enable_root_access",
        "release_quota_on_stop",
        "enable_os_patching",
    ]);
    let mut inner = Map::new();
    inner.insert(
        "vmSize".into(),
        json!(root.str("size").unwrap_or_else(|| "STANDARD_DS3_V2".into())),
    );
    inner.insert(
        "enableNodePublicIp".into(),
        json!(root.bool("enable_node_public_ip").unwrap_or(true)),
    );
    inner.insert(
        "enableSSO".into(),
        json!(root.bool("enable_sso").unwrap_or(true)),
    );
    inner.insert(
        "enableRootAccess".into(),
        json!(root.bool("enable_root_access").unwrap_or(true)),
    );
    inner.insert(
        "releaseQuotaOnStop".into(),
        json!(root.bool("release_quota_on_stop").unwrap_or(false)),
    );
    inner.insert(
        "enableOSPatching".into(),
        json!(root.bool("enable_os_patching").unwrap_or(false)),
    );
    inner.insert("applicationSharingPolicy".into(), json!("Shared"));
    inner.insert("computeInstanceAuthorizationType".into(), json!("personal"));
    if let Some(m) = root.int("idle_time_before_shutdown_minutes") {
        inner.insert("idleTimeBeforeShutdown".into(), json!(format!("PT{m}M")));
    } else if let Some(s) = root.str("idle_time_before_shutdown") {
        inner.insert("idleTimeBeforeShutdown".into(), json!(s));
    }
    if let Some(s) = root.obj("schedules", "schedules") {
        s.only(&["compute_start_stop"]);
        let mut list = Vec::new();
        for item in s.seq("compute_start_stop").unwrap_or(&[]) {
            if let Some(o) = s.ok(s.sub(item, "schedules.compute_start_stop[]"))
                && let Some(v) = s.ok(start_stop(o))
            {
                list.push(v);
            }
        }
        inner.insert("schedules".into(), json!({ "computeStartStop": list }));
    }
    let mut props = Map::new();
    props.insert("computeType".into(), json!("ComputeInstance"));
    put(&mut props, "description", root.str("description"));
    props.insert("disableLocalAuth".into(), json!(true));
    props.insert("properties".into(), Value::Object(inner));
    let mut body = Map::new();
    root.str("location");
    body.insert("location".into(), json!(ctx.location));
    if let Some(identity) = identity(root) {
        body.insert("identity".into(), identity);
    }
    body.insert("properties".into(), Value::Object(props));
    Value::Object(body)
}

/// One `compute_start_stop` entry.
fn start_stop(o: Obj<'_>) -> Result<Value, Problem> {
    o.only(&["action", "trigger", "state"]);
    let action = o.ok(o.req_choice("action", &["start", "stop"]));
    let status = match o.choice("state", &["enabled", "disabled"]).as_deref() {
        Some("disabled") => "Disabled",
        _ => "Enabled",
    };
    let trigger = o.req_obj("trigger", "trigger")?;
    trigger.only(&[
        "type",
        "expression",
        "start_time",
        "end_time",
        "time_zone",
        "frequency",
        "interval",
        "schedule",
    ]);
    let mut out = Map::new();
    out.insert("action".into(), json!(action));
    out.insert("status".into(), json!(status));
    match trigger
        .choice_or("type", &["cron", "recurrence"], "cron")
        .as_deref()
    {
        Some("recurrence") => {
            let mut r = Map::new();
            put(&mut r, "frequency", trigger.str("frequency"));
            put(&mut r, "interval", trigger.int("interval"));
            if let Some(s) = trigger.obj("schedule", "trigger.schedule") {
                r.insert("schedule".into(), super::schedule::pattern(s));
            }
            put(&mut r, "startTime", trigger.str("start_time"));
            put(&mut r, "timeZone", trigger.str("time_zone"));
            out.insert("triggerType".into(), json!("Recurrence"));
            out.insert("recurrence".into(), Value::Object(r));
        }
        Some(_) => {
            let mut c = Map::new();
            c.insert("expression".into(), json!(trigger.req_str("expression")));
            put(&mut c, "startTime", trigger.str("start_time"));
            put(&mut c, "timeZone", trigger.str("time_zone"));
            c.insert("triggerType".into(), json!("Cron"));
            out.insert("triggerType".into(), json!("Cron"));
            out.insert("cron".into(), Value::Object(c));
        }
        None => {}
    }
    Ok(Value::Object(out))
}
