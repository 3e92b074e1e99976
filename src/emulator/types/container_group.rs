//! `Microsoft.ContainerInstance/containerGroups`: Azure Container Instances, as the
//! mslearn-ai-services "Use an Azure AI Services Container" exercise creates one (containerinstance
//! `containerInstance.json`, 2025-09-01): a Linux group running the language (sentiment) image
//! with `ApiKey`, `Billing` and `Eula` environment variables, a public IP with a DNS label and
//! port 5000.
//!
//! Modelled: `osType` (Linux/Windows, required), `containers[]` (lower-case DNS-style names,
//! unique; `image`; `resources.requests.cpu` and `memoryInGB` positive, at most 4 CPUs and 16 GB
//! per group in the emulator's regions; `ports`; `environmentVariables` each with a unique name
//! and one of `value` or `secureValue`), `restartPolicy` (Always, OnFailure, Never; default
//! Always), `sku` (default Standard), `ipAddress` (`type` Public/Private, `ports` each exposed by
//! a container, `dnsNameLabel` unique per region giving
//! `fqdn = {label}.{region}.azurecontainer.io`). A `secureValue` is kept as a secret and never
//! echoed: the variable comes back with its name only, as the service answers; so are registry
//! passwords, Azure Files account keys and `secret` volumes.
//!
//! The emulator runs no container and pulls no image. The group and its containers report the
//! state the service would once started (`Running`), with a `detailStatus` that says they are
//! emulated, and the public IP is taken from the documentation range 203.0.113.0/24: nothing
//! answers on it. PUT and DELETE answer with `Azure-AsyncOperation`; PATCH (tags) is accepted.

use serde_json::{Value, json};

use super::{Built, LocationPolicy, Lro, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::world::Phase;

const CHECK: Check = Check {
    code: "InvalidRequestContent",
    detail: None,
};

/// What a group may request in the emulator's regions (the documented Linux standard limits).
const MAX_CPU: f64 = 4.0;
const MAX_MEMORY_GB: f64 = 16.0;

/// Said wherever a state would imply that a container runs.
const EMULATED: &str = "Emulated by amlab: no container runs and no image is pulled";

/// Container groups.
pub(crate) struct ContainerGroups;

impl ResourceType for ContainerGroups {
    fn type_name(&self) -> &'static str {
        "Microsoft.ContainerInstance/containerGroups"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        dns_name(name, "ContainerGroupNameInvalid", "container group")
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut props = fields::object_or_empty(ctx.body.get("properties"));
        CHECK
            .require_enum(&mut props, "osType", &["Linux", "Windows"])
            .map_err(|e| e.with_target("properties.osType"))?;
        CHECK.enum_or(
            &mut props,
            "restartPolicy",
            &["Always", "OnFailure", "Never"],
            "Always",
        )?;
        CHECK.enum_or(
            &mut props,
            "sku",
            &["Standard", "Dedicated", "Confidential"],
            "Standard",
        )?;
        let (containers, secrets) = containers(&props)?;
        let location = ctx.location.unwrap_or_default();
        if let Some(ip) = props.get("ipAddress").cloned() {
            let ip = ip_address(ctx, &ip, &containers, location)?;
            fields::set(&mut props, "ipAddress", ip);
        }
        let mut secrets = secrets;
        take_secrets(&mut props, &mut secrets);
        fields::set(&mut props, "containers", Value::Array(containers));
        fields::default(&mut props, "isCreatedFromStandbyPool", json!(false));
        fields::set(
            &mut props,
            "instanceView",
            json!({"state": "Running", "events": []}),
        );
        let issued: Vec<String> = secrets
            .values()
            .flat_map(|v| match v {
                Value::Object(m) => m.values().cloned().collect(),
                other => vec![other.clone()],
            })
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let mut top = json!({"properties": props});
        for key in ["zones", "identity"] {
            if let Some(v) = ctx.body.get(key).filter(|v| !v.is_null()) {
                fields::set(&mut top, key, v.clone());
            }
        }
        Ok(Built {
            fields: top,
            secrets: (!secrets.is_empty()).then(|| json!({"secureValues": secrets})),
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

    fn delete_lro(&self) -> Lro {
        Lro::AsyncOperation
    }

    fn transient_overlay(&self, phase: Phase, _settled: &Value) -> Value {
        let state = if phase == Phase::Creating {
            "Pending"
        } else {
            "Updating"
        };
        json!({"properties": {"provisioningState": state, "instanceView": {"state": "Pending"}}})
    }
}

/// Moves the other secrets a group may carry out of its body: registry passwords, Azure Files
/// account keys and the contents of `secret` volumes (the service never returns them).
fn take_secrets(props: &mut Value, secrets: &mut serde_json::Map<String, Value>) {
    let spots: [(&str, &str); 3] = [
        ("imageRegistryCredentials", "password"),
        ("volumes", "azureFile.storageAccountKey"),
        ("volumes", "secret"),
    ];
    for (list, field) in spots {
        let Some(Value::Array(items)) = props.get_mut(list) else {
            continue;
        };
        for (i, item) in items.iter_mut().enumerate() {
            if let Some(v) = fields::take(item, field) {
                secrets.insert(format!("{list}[{i}].{field}"), v);
            }
        }
    }
}

/// Lower-case letters, digits and single hyphens, 1 to 63, not starting or ending with `-`.
fn dns_name(name: &str, code: &str, what: &str) -> ArmResult<()> {
    let ok = (1..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if ok {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            code,
            format!(
                "The {what} name '{name}' is invalid. It can contain only lowercase letters, numbers and hyphens, must be 1 to 63 characters, may not start or end with a hyphen, and may not contain consecutive hyphens."
            ),
        ))
    }
}

/// The containers, validated, with secure values taken out (returned by `{container/var}`).
fn containers(props: &Value) -> ArmResult<(Vec<Value>, serde_json::Map<String, Value>)> {
    let list = match props.get("containers") {
        Some(Value::Array(a)) if !a.is_empty() => a.clone(),
        _ => {
            return Err(CHECK.error(
                "properties.containers",
                "A container group needs at least one container in properties.containers.",
            ));
        }
    };
    let mut secrets = serde_json::Map::new();
    let mut names: Vec<String> = Vec::new();
    let (mut cpu, mut memory) = (0.0, 0.0);
    let mut out = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let at = format!("properties.containers[{i}]");
        let name = c["name"]
            .as_str()
            .ok_or_else(|| CHECK.missing(&format!("{at}.name")))?;
        dns_name(name, "InvalidContainerName", "container")?;
        if names.iter().any(|n| n == name) {
            return Err(CHECK.error(
                &format!("{at}.name"),
                format!("The container name '{name}' is used twice in the container group."),
            ));
        }
        names.push(name.to_owned());
        let mut cprops = fields::object_or_empty(c.get("properties"));
        CHECK
            .require_str(&cprops, "image")
            .map_err(|_| CHECK.missing(&format!("{at}.properties.image")))?;
        let (c_cpu, c_mem) = requests(&cprops, &at)?;
        cpu += c_cpu;
        memory += c_mem;
        check_ports(&cprops, &format!("{at}.properties.ports"))?;
        let env = environment(&cprops, &at, name, &mut secrets)?;
        fields::set(&mut cprops, "environmentVariables", Value::Array(env));
        fields::default(&mut cprops, "ports", json!([]));
        fields::default(&mut cprops, "command", json!([]));
        fields::set(&mut cprops, "instanceView", running());
        out.push(json!({"name": name, "properties": cprops}));
    }
    if cpu > MAX_CPU || memory > MAX_MEMORY_GB {
        return Err(ArmError::bad_request(
            "ResourceRequestsNotSupported",
            format!(
                "The requested resource with '{cpu}' CPU and '{memory}' GB memory is not supported: a container group may request at most {MAX_CPU} CPU and {MAX_MEMORY_GB} GB memory in this region."
            ),
        ));
    }
    Ok((out, secrets))
}

/// A container's instance view: the state a started container would report.
fn running() -> Value {
    json!({
        "restartCount": 0,
        "currentState": {"state": "Running", "detailStatus": EMULATED},
        "events": []
    })
}

/// `resources.requests`: positive `cpu` and `memoryInGB`.
fn requests(cprops: &Value, at: &str) -> ArmResult<(f64, f64)> {
    let mut got = [0.0; 2];
    for (slot, key) in got.iter_mut().zip(["cpu", "memoryInGB"]) {
        let field = format!("{at}.properties.resources.requests.{key}");
        let v = fields::get(cprops, &format!("resources.requests.{key}"))
            .ok_or_else(|| CHECK.missing(&field))?;
        *slot = v
            .as_f64()
            .filter(|x| *x > 0.0)
            .ok_or_else(|| CHECK.error(&field, format!("{field} must be a positive number")))?;
    }
    Ok((got[0], got[1]))
}

/// Ports: `port` 1..=65535, `protocol` TCP or UDP (default TCP).
fn check_ports(v: &Value, field: &str) -> ArmResult<Vec<u64>> {
    let list = match v.get("ports") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(CHECK.error(field, format!("{field} must be an array"))),
    };
    list.iter()
        .map(|p| {
            let protocol = p["protocol"].as_str().unwrap_or("TCP");
            match p["port"].as_u64() {
                Some(n @ 1..=65535) if ["TCP", "UDP"].iter().any(|x| x.eq_ignore_ascii_case(protocol)) => Ok(n),
                _ => Err(CHECK.error(field, format!("every entry of {field} needs a port from 1 to 65535 and protocol TCP or UDP"))),
            }
        })
        .collect()
}

/// Environment variables: unique names, one of `value` / `secureValue`; secure values moved out.
fn environment(
    cprops: &Value,
    at: &str,
    container: &str,
    secrets: &mut serde_json::Map<String, Value>,
) -> ArmResult<Vec<Value>> {
    let list = cprops["environmentVariables"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut names: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (j, e) in list.iter().enumerate() {
        let field = format!("{at}.properties.environmentVariables[{j}]");
        let name = e["name"]
            .as_str()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| CHECK.missing(&format!("{field}.name")))?;
        if names.contains(&name) {
            return Err(CHECK.error(
                &field,
                format!(
                    "The environment variable '{name}' is given twice in container '{container}'."
                ),
            ));
        }
        names.push(name);
        match (e["value"].as_str(), e["secureValue"].as_str()) {
            (Some(v), None) => out.push(json!({"name": name, "value": v})),
            (None, Some(s)) => {
                secrets.insert(format!("{container}/{name}"), json!(s));
                out.push(json!({"name": name}));
            }
            _ => {
                return Err(CHECK.error(&field, format!("The environment variable '{name}' needs exactly one of value and secureValue.")));
            }
        }
    }
    Ok(out)
}

/// `ipAddress`: type, ports exposed by a container, a DNS label unique in the region.
fn ip_address(
    ctx: &PutContext<'_>,
    ip: &Value,
    containers: &[Value],
    location: &str,
) -> ArmResult<Value> {
    let mut ip = ip.clone();
    let kind = CHECK
        .require_enum(&mut ip, "type", &["Public", "Private"])
        .map_err(|e| e.with_target("properties.ipAddress.type"))?;
    let ports = check_ports(&ip, "properties.ipAddress.ports")?;
    if ports.is_empty() {
        return Err(CHECK.error(
            "properties.ipAddress.ports",
            format!(
                "The ports in the 'ipAddress' of container group '{}' cannot be empty.",
                ctx.name
            ),
        ));
    }
    let exposed: Vec<u64> = containers
        .iter()
        .flat_map(|c| check_ports(&c["properties"], "").unwrap_or_default())
        .collect();
    if let Some(p) = ports.iter().find(|p| !exposed.contains(p)) {
        return Err(CHECK.error("properties.ipAddress.ports", format!("Port {p} in the 'ipAddress' of container group '{}' is not among the ports of any of its containers; add it to the container's ports.", ctx.name)));
    }
    if let Some(label) = ip["dnsNameLabel"].as_str().map(str::to_owned) {
        let label = label.as_str();
        dns_name(label, "InvalidDnsNameLabel", "DNS name label")?;
        check_label_free(ctx, label, location)?;
        fields::set(
            &mut ip,
            "fqdn",
            json!(format!("{label}.{location}.azurecontainer.io")),
        );
    }
    if kind == "Public" {
        let kept = ctx
            .existing
            .and_then(|e| fields::get_str(&e.body, "properties.ipAddress.ip"))
            .map(str::to_owned);
        let addr = kept.unwrap_or_else(|| format!("203.0.113.{}", 1 + fastrand::u8(..254)));
        fields::set(&mut ip, "ip", json!(addr));
    }
    Ok(ip)
}

/// No other group in the region uses the DNS label.
fn check_label_free(ctx: &PutContext<'_>, label: &str, location: &str) -> ArmResult<()> {
    let taken = ctx.world.resources.values().any(|r| {
        r.exists_at(ctx.now_ms)
            && r.type_name
                .eq_ignore_ascii_case("Microsoft.ContainerInstance/containerGroups")
            && !r.id.eq_ignore_ascii_case(ctx.id)
            && fields::get_str(&r.body, "location")
                .is_some_and(|l| l.eq_ignore_ascii_case(location))
            && fields::get_str(&r.body, "properties.ipAddress.dnsNameLabel")
                .is_some_and(|l| l.eq_ignore_ascii_case(label))
    });
    if taken {
        return Err(ArmError::bad_request(
            "DnsNameLabelNotAvailable",
            format!(
                "The DNS name label '{label}' is not available in {location}. Try to use a different label."
            ),
        ));
    }
    Ok(())
}
