//! What a deployment records and answers: the request's parts, the deployment operations (one
//! per resource applied, in ARM's shape), and the deployment's `properties` (state, error with
//! `DeploymentFailed` and its details, parameters, providers, dependencies, outputs).

use serde_json::{Map, Value, json};

use super::{fresh_id, shown_parameters};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::ids;
use crate::emulator::template::{Instance, Plan, template_hash};
use crate::emulator::types::PRIVATE_KEY;

/// The parts of a deployment request.
pub(super) struct DeploymentRequest {
    /// The template.
    pub(super) template: Value,
    /// The parameter values (`{"name": {"value": ...}}`).
    pub(super) parameters: Value,
    /// `Incremental`.
    pub(super) mode: String,
}

impl DeploymentRequest {
    /// Reads `properties.template`, `properties.parameters` and `properties.mode`.
    pub(super) fn parse(body: Option<&Value>) -> ArmResult<Self> {
        let invalid = |m: &str| ArmError::bad_request("InvalidRequestContent", m.to_owned());
        let props = body
            .and_then(|b| b.get("properties"))
            .filter(|p| p.is_object())
            .ok_or_else(|| invalid("The request content was invalid: 'properties' is required."))?;
        let mode = props.get("mode").and_then(Value::as_str).ok_or_else(|| {
            invalid("The request content was invalid and could not be deserialized: 'Required property 'mode' not found in JSON.'")
        })?;
        if mode.eq_ignore_ascii_case("complete") {
            return Err(ArmError::bad_request(
                "InvalidDeploymentMode",
                "The emulator deploys in 'Incremental' mode only; 'Complete' mode (deleting what the template does not name) is not supported.",
            ));
        }
        if !mode.eq_ignore_ascii_case("incremental") {
            return Err(invalid(&format!(
                "The deployment mode '{mode}' is not valid; use 'Incremental' or 'Complete'."
            )));
        }
        if props.get("templateLink").is_some() || props.get("parametersLink").is_some() {
            return Err(ArmError::bad_request(
                "InvalidContentLink",
                "The emulator does not fetch templateLink or parametersLink URIs (it never reaches the internet); send the template and parameters inline.",
            ));
        }
        let template = match props.get("template") {
            Some(Value::String(s)) => serde_json::from_str(s)
                .map_err(|e| invalid(&format!("The template is not valid JSON: {e}")))?,
            Some(t @ Value::Object(_)) => t.clone(),
            _ => {
                return Err(invalid(
                    "The request content was invalid: 'properties.template' (an object) is required.",
                ));
            }
        };
        let parameters = match props.get("parameters") {
            None | Some(Value::Null) => json!({}),
            Some(p @ Value::Object(_)) => p.clone(),
            Some(_) => return Err(invalid("'properties.parameters' must be an object.")),
        };
        Ok(Self {
            template,
            parameters,
            mode: "Incremental".to_owned(),
        })
    }
}

/// What applying a plan did.
#[derive(Default)]
pub(super) struct Applied {
    /// The deployment operations.
    pub(super) operations: Vec<Value>,
    /// The error details of the failed resources.
    pub(super) failures: Vec<Value>,
    /// The ids deployed.
    pub(super) output_resources: Vec<Value>,
}

impl Applied {
    /// Whether a resource failed.
    pub(super) fn failed(&self) -> bool {
        !self.failures.is_empty()
    }

    /// Records the operation of one resource from the status and body its PUT answered.
    pub(super) fn record(
        &mut self,
        deployment_id: &str,
        inst: &Instance,
        status: u16,
        body: Option<Value>,
        now_ms: u64,
    ) {
        let op_id = fresh_id().replace('-', "")[..16].to_ascii_uppercase();
        let failed = status >= 400;
        let mut props = json!({
            "provisioningOperation": "Create",
            "provisioningState": if failed { "Failed" } else { "Succeeded" },
            "timestamp": ids::timestamp(now_ms),
            "duration": "PT0S",
            "trackingId": fresh_id(),
            "serviceRequestId": fresh_id(),
            "statusCode": status_code(status),
            "targetResource": {
                "id": inst.id,
                "resourceType": inst.type_name,
                "resourceName": inst.name,
                "apiVersion": inst.api_version,
            },
        });
        if failed {
            let error = body
                .as_ref()
                .and_then(|b| b.get("error"))
                .cloned()
                .unwrap_or_else(|| {
                    json!({"code": status_code(status), "message": "The resource operation failed."})
                });
            props["statusMessage"] = json!({"status": "Failed", "error": error});
            self.failures.push(error);
        } else {
            self.output_resources.push(json!({ "id": inst.id }));
        }
        self.operations.push(json!({
            "id": format!("{deployment_id}/operations/{op_id}"),
            "operationId": op_id,
            "properties": props,
        }));
    }
}

/// ARM's `statusCode` text of an HTTP status.
fn status_code(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "NoContent",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        _ if status >= 500 => "InternalServerError",
        _ => "BadRequest",
    }
}

/// ARM's spelling of a parameter type.
pub(super) fn type_label(t: &str) -> &'static str {
    match t.to_ascii_lowercase().as_str() {
        "securestring" => "SecureString",
        "secureobject" => "SecureObject",
        "int" => "Int",
        "bool" => "Bool",
        "object" => "Object",
        "array" => "Array",
        _ => "String",
    }
}

/// The settled fields of a deployment (what GET shows once it is no longer `Running`).
pub(super) fn deployment_fields(
    now_ms: u64,
    delay_ms: u64,
    request: &DeploymentRequest,
    plan: &Plan,
    applied: Applied,
    outputs: ArmResult<Value>,
) -> Value {
    let mut props = common(request, plan, now_ms);
    let (outputs, output_error) = match outputs {
        Ok(o) => (o, None),
        Err(e) => (json!({}), Some(e.body()["error"].clone())),
    };
    let mut failures = applied.failures;
    failures.extend(output_error);
    props["provisioningState"] = json!(if failures.is_empty() {
        "Succeeded"
    } else {
        "Failed"
    });
    props["duration"] = json!(format!("PT{}.{:03}S", delay_ms / 1000, delay_ms % 1000));
    props["outputs"] = outputs;
    props["outputResources"] = Value::Array(applied.output_resources);
    if !failures.is_empty() {
        props["error"] = json!({
            "code": "DeploymentFailed",
            "message": "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.",
            "details": failures,
        });
    }
    let mut fields = json!({ "properties": props });
    fields[PRIVATE_KEY] = json!({
        "template": request.template,
        "operations": applied.operations,
    });
    fields
}

/// What a `validate` answers.
pub(super) fn validated(id: &str, request: &DeploymentRequest, plan: &Plan, now_ms: u64) -> Value {
    let mut props = common(request, plan, now_ms);
    props["provisioningState"] = json!("Succeeded");
    props["validatedResources"] = plan
        .order
        .iter()
        .map(|&i| json!({ "id": plan.instances[i].id }))
        .collect();
    json!({
        "id": id,
        "name": id.rsplit('/').next().unwrap_or_default(),
        "type": crate::emulator::types::deployment::TYPE,
        "properties": props,
    })
}

/// The properties every deployment answer has.
fn common(request: &DeploymentRequest, plan: &Plan, now_ms: u64) -> Value {
    json!({
        "templateHash": template_hash(&request.template),
        "parameters": shown_parameters(plan),
        "mode": request.mode,
        "timestamp": ids::timestamp(now_ms),
        "correlationId": fresh_id(),
        "providers": providers(plan),
        "dependencies": dependencies(plan),
    })
}

/// `providers`: each namespace and its resource types.
fn providers(plan: &Plan) -> Value {
    let mut by_ns: Map<String, Value> = Map::new();
    for &i in &plan.order {
        let t = &plan.instances[i].type_name;
        let Some((ns, rest)) = t.split_once('/') else {
            continue;
        };
        let entry = by_ns
            .entry(ns.to_owned())
            .or_insert_with(|| json!({"namespace": ns, "resourceTypes": []}));
        if let Some(types) = entry["resourceTypes"].as_array_mut()
            && !types.iter().any(|x| x["resourceType"] == rest)
        {
            types.push(json!({"resourceType": rest, "locations": []}));
        }
    }
    Value::Array(by_ns.into_iter().map(|(_, v)| v).collect())
}

/// `dependencies`: each deployed resource that waits for others, and those.
fn dependencies(plan: &Plan) -> Value {
    let brief = |inst: &Instance| json!({"id": inst.id, "resourceType": inst.type_name, "resourceName": inst.name});
    plan.order
        .iter()
        .map(|&i| &plan.instances[i])
        .filter(|inst| inst.waits_for.iter().any(|&d| plan.instances[d].deployed))
        .map(|inst| {
            let mut d = brief(inst);
            d["dependsOn"] = inst
                .waits_for
                .iter()
                .filter(|&&w| plan.instances[w].deployed)
                .map(|&w| brief(&plan.instances[w]))
                .collect();
            d
        })
        .collect()
}

/// Whether every value `wanted` sets is the same in `have`.
pub(super) fn contains(have: &Value, wanted: &Value) -> bool {
    match (have, wanted) {
        (Value::Object(h), Value::Object(w)) => w
            .iter()
            .all(|(k, v)| h.get(k).is_some_and(|x| contains(x, v))),
        (h, w) => h == w,
    }
}
