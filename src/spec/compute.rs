//! Compute specs (`type: amlcompute` / `computeinstance`) -> `ComputeResource` bodies, with the
//! SDK's defaults (`AmlCompute._to_rest_object`, `ComputeInstance._to_rest_object`).

use serde_json::{Map, Value, json};

use super::duration::iso_seconds;
use super::error::Problem;
use super::node::{Obj, Values, put};

/// Translates a compute spec. The `type` decides which fields are valid: without a valid one
/// nothing else is checked.
/// Also returns the JSON pointers of secrets (a cluster's SSH admin password).
pub(crate) fn translate(
    root: Obj<'_>,
    ctx: &super::Context,
) -> Result<(String, Value, Vec<String>), Problem> {
    let name = root.req_str("name");
    let kind = root.req_choice("type", &["amlcompute", "computeinstance"])?;
    let body = if kind == "computeinstance" {
        instance(root, ctx)
    } else {
        cluster(root, ctx)
    };
    let secret = "/properties/properties/userAccountCredentials/adminUserPassword";
    let secrets = body.pointer(secret).map(|_| secret.to_owned());
    Ok((
        format!("computes/{name}"),
        body,
        secrets.into_iter().collect(),
    ))
}

/// `network_settings: {vnet_name, subnet}` -> `subnet: {id}` with the full subnet id that
/// `ComputeOperations.begin_create_or_update` builds (`_set_full_subnet_name`,
/// `get_subnet_str` in azure/ai/ml/_schema/_utils/utils.py): an ARM id stays as written.
fn subnet(root: Obj<'_>, ctx: &super::Context, inner: &mut Map<String, Value>) {
    let Some(n) = root.obj("network_settings", "network_settings") else {
        return;
    };
    n.only(&["vnet_name", "subnet"]);
    let Some(subnet) = n.str("subnet") else {
        return;
    };
    let id = if subnet.starts_with("/subscriptions/") {
        subnet
    } else {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/virtualNetworks/{}/subnets/{subnet}",
            ctx.subscription,
            ctx.resource_group,
            n.str("vnet_name").unwrap_or_default()
        )
    };
    inner.insert("subnet".into(), json!({ "id": id }));
}

/// A cluster's `ssh_settings` -> `userAccountCredentials`
/// (`AmlComputeSshSettings._to_user_account_credentials`, entities/_compute/aml_compute.py).
fn credentials(root: Obj<'_>) -> Option<Value> {
    let s = root.obj("ssh_settings", "ssh_settings")?;
    s.only(&["admin_username", "admin_password", "ssh_key_value"]);
    let mut m = Map::new();
    put(&mut m, "adminUserName", s.str("admin_username"));
    put(&mut m, "adminUserPassword", s.str("admin_password"));
    put(&mut m, "adminUserSshPublicKey", s.str("ssh_key_value"));
    Some(Value::Object(m))
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
    subnet(root, ctx, &mut inner);
    let creds = credentials(root);
    // AmlCompute._to_rest_object: `disableLocalAuth = not self.ssh_settings`.
    let disable_local_auth = creds.is_none();
    put(&mut inner, "userAccountCredentials", creds);
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
    props.insert("disableLocalAuth".into(), json!(disable_local_auth));
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
    subnet(root, ctx, &mut inner);
    let ssh = instance_ssh(root);
    // ComputeInstance._to_rest_object: local auth stays enabled only with public SSH access.
    let disable_local_auth = ssh.is_none() || root.bool("ssh_public_access_enabled") != Some(true);
    put(&mut inner, "sshSettings", ssh);
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
    props.insert("disableLocalAuth".into(), json!(disable_local_auth));
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

/// An instance's `sshSettings` when `ssh_public_access_enabled` or `ssh_settings` is written:
/// `sshPublicAccess` (Disabled unless enabled) and the admin public key
/// (ComputeInstance._to_rest_object, entities/_compute/compute_instance.py).
fn instance_ssh(root: Obj<'_>) -> Option<Value> {
    let settings = root.obj("ssh_settings", "ssh_settings");
    if settings.is_none() && !root.has("ssh_public_access_enabled") {
        return None;
    }
    let mut m = Map::new();
    if let Some(s) = settings {
        s.only(&["ssh_key_value", "admin_username", "ssh_port"]);
        put(&mut m, "adminPublicKey", s.str("ssh_key_value"));
    }
    let on = root.bool("ssh_public_access_enabled") == Some(true);
    m.insert(
        "sshPublicAccess".into(),
        json!(if on { "Enabled" } else { "Disabled" }),
    );
    Some(Value::Object(m))
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
            // RecurrenceTrigger._to_rest_compute_pattern_object and the trigger's time zone
            // default (entities/_schedule/trigger.py): an empty pattern, UTC.
            let pattern = match trigger.obj("schedule", "trigger.schedule") {
                Some(s) => super::schedule::pattern(s),
                None => json!({"hours": [], "minutes": []}),
            };
            r.insert("schedule".into(), pattern);
            put(&mut r, "startTime", trigger.str("start_time"));
            r.insert("timeZone".into(), json!(time_zone(trigger)));
            r.insert("triggerType".into(), json!("Recurrence"));
            out.insert("triggerType".into(), json!("Recurrence"));
            out.insert("recurrence".into(), Value::Object(r));
        }
        Some(_) => {
            let mut c = Map::new();
            c.insert("expression".into(), json!(trigger.req_str("expression")));
            put(&mut c, "startTime", trigger.str("start_time"));
            c.insert("timeZone".into(), json!(time_zone(trigger)));
            c.insert("triggerType".into(), json!("Cron"));
            out.insert("triggerType".into(), json!("Cron"));
            out.insert("cron".into(), Value::Object(c));
        }
        None => {}
    }
    Ok(Value::Object(out))
}

/// A trigger's `time_zone`, `UTC` when absent (TriggerBase: `time_zone: str = TimeZone.UTC`,
/// azure/ai/ml/entities/_schedule/trigger.py).
fn time_zone(trigger: Obj<'_>) -> String {
    trigger.str("time_zone").unwrap_or_else(|| "UTC".into())
}
