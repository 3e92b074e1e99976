//! `Microsoft.Resources/deployments` requests the generic rules do not answer: a PUT evaluates
//! the template (see [`crate::emulator::template`]) and applies each resource, in `dependsOn`
//! order, through the engine's own PUT (the same validation as a direct request); `validate`,
//! `whatIf` and `exportTemplate`; the deployment operations. GET, list and DELETE of a
//! deployment are the generic ones (`types::deployment`).

use serde_json::{Map, Value, json};

use super::{Engine, json_response, with_retry};
use crate::arm::transport::{HttpRequest, HttpResponse, Method};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::route::{self, ResourcePath, Route};
use crate::emulator::template::{self, Context, Limits, Plan, TemplateError};
use crate::emulator::types::{self, PRIVATE_KEY, deployment::TYPE};
use crate::emulator::url::RequestUrl;
use crate::emulator::world::OperationStyle;
use crate::emulator::{fields, ids};

mod record;

use record::{Applied, DeploymentRequest};

/// How deep deployments may nest.
const MAX_NESTING: usize = 5;

fn is_deployment(p: &ResourcePath) -> bool {
    p.scope.is_none() && p.type_name().eq_ignore_ascii_case(TYPE)
}

impl Engine<'_> {
    /// Answers a deployment request the generic rules do not; `None` for any other request.
    pub(super) fn deployment_request(
        &mut self,
        req: &HttpRequest,
        url: &RequestUrl,
        route: &Route,
        api_version: &str,
    ) -> Option<ArmResult<HttpResponse>> {
        match (route, req.method) {
            (Route::Resource(p), Method::Put) if is_deployment(p) => {
                Some(self.deploy(url, p, req.body.as_ref(), api_version, 0))
            }
            (Route::Action(p, action), Method::Post) if is_deployment(p) => {
                Some(self.deployment_action(p, action, req.body.as_ref(), api_version))
            }
            (Route::Collection(p, t), Method::Get)
                if is_deployment(p) && t.to_ascii_lowercase().ends_with("/operations") =>
            {
                Some(self.deployment_operations(p, None, api_version))
            }
            (Route::Resource(p), Method::Get)
                if p.pairs.len() == 2
                    && p.pairs[1].0.eq_ignore_ascii_case("operations")
                    && p.parent().is_some_and(|d| is_deployment(&d)) =>
            {
                let parent = p.parent()?;
                Some(self.deployment_operations(&parent, Some(&p.pairs[1].1), api_version))
            }
            _ => None,
        }
    }

    /// The template context of a deployment in `path`'s resource group.
    fn template_context(&self, path: &ResourcePath) -> Context {
        let rg = format!(
            "/subscriptions/{}/resourceGroups/{}",
            path.subscription, path.resource_group
        );
        let location = self
            .world
            .get(&rg, self.now_ms)
            .and_then(|r| fields::get_str(&r.body, "location"))
            .unwrap_or_default()
            .to_owned();
        Context {
            subscription: path.subscription.clone(),
            resource_group: path.resource_group.clone(),
            location,
            deployment: path.name().to_owned(),
            tenant: types::TENANT_ID.to_owned(),
        }
    }

    /// Checks the request and evaluates its template (parameters, variables, copies, order).
    fn plan(
        &self,
        path: &ResourcePath,
        body: Option<&Value>,
        api_version: &str,
    ) -> ArmResult<(DeploymentRequest, Plan)> {
        let ty = super::resolve(TYPE, api_version)?;
        ty.validate_name(path.name())?;
        self.require_resource_group(path)?;
        let request = DeploymentRequest::parse(body)?;
        let ctx = self.template_context(path);
        let plan = Plan::new(
            &request.template,
            &request.parameters,
            ctx,
            Limits::default(),
        )
        .map_err(template_error)?;
        Ok((request, plan))
    }

    /// A resource as a client would GET it now, by id or by the name of a template resource.
    fn read_for_template(&self, plan: &Plan, target: &str) -> Option<Value> {
        let id = if target.starts_with('/') {
            target.to_owned()
        } else {
            let inst = plan
                .instances
                .iter()
                .find(|i| i.name.eq_ignore_ascii_case(target))?;
            inst.id.clone()
        };
        self.world.get(&id, self.now_ms).map(|r| self.view(r))
    }

    /// Deploys a template; `depth` counts the deployments this one is nested in.
    fn deploy(
        &mut self,
        url: &RequestUrl,
        path: &ResourcePath,
        body: Option<&Value>,
        api_version: &str,
        depth: usize,
    ) -> ArmResult<HttpResponse> {
        let (request, plan) = self.plan(path, body, api_version)?;
        let t = self.target(path.clone(), api_version)?;
        let existing = self.world.get(&t.id, self.now_ms).cloned();
        if existing
            .as_ref()
            .is_some_and(|e| e.active_transition(self.now_ms).is_some())
        {
            return Err(ArmError::new(
                409,
                "DeploymentActive",
                format!(
                    "The deployment '{}' is still running; wait for it to finish before deploying again.",
                    path.name()
                ),
            ));
        }
        self.remember_secure_parameters(&plan);
        let applied = self.apply_plan(url, &plan, &t.id, depth);
        let outputs = if applied.failed() {
            Ok(json!({}))
        } else {
            plan.outputs(&|target| self.read_for_template(&plan, target))
                .map_err(template_error)
        };
        let fields = record::deployment_fields(
            self.now_ms,
            self.delay_ms,
            &request,
            &plan,
            applied,
            outputs,
        );
        let built = types::Built {
            fields,
            ..types::Built::default()
        };
        let created = existing.is_none();
        let name = t.path.name().to_owned();
        let view = self.store(
            t.ty,
            &t.id,
            &name,
            None,
            &json!({}),
            built,
            existing.as_ref(),
            types::Lro::AsyncOperation,
            created,
        );
        let shown = self
            .world
            .get(&t.id, self.now_ms)
            .map_or(view, |r| self.view(r));
        let op = self.new_operation(url, &t, None, OperationStyle::AsyncOperation, false);
        let status = if created { 201 } else { 200 };
        Ok(with_retry(
            json_response(status, shown).with_header("Azure-AsyncOperation", op),
            self.delay_ms,
        ))
    }

    fn remember_secure_parameters(&mut self, plan: &Plan) {
        for (name, ty) in &plan.parameter_types {
            if template::is_secure(ty)
                && let Some(v) = plan.evaluator.params.get(name)
            {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                if !text.is_empty() {
                    self.world.remember_secret(&text);
                }
            }
        }
    }

    /// Applies the plan's resources in order; a resource waiting for a failed one is skipped.
    fn apply_plan(
        &mut self,
        url: &RequestUrl,
        plan: &Plan,
        deployment_id: &str,
        depth: usize,
    ) -> Applied {
        let mut applied = Applied::default();
        let mut failed = vec![false; plan.instances.len()];
        for &i in &plan.order {
            let inst = &plan.instances[i];
            if inst.waits_for.iter().any(|&d| failed[d]) {
                failed[i] = true;
                continue;
            }
            let (status, body) = self.apply_one(url, plan, i, depth);
            failed[i] = status >= 400;
            applied.record(deployment_id, inst, status, body, self.now_ms);
        }
        applied
    }

    /// PUTs one template resource through the engine (a nested deployment is deployed in
    /// turn): (status, answer body).
    fn apply_one(
        &mut self,
        url: &RequestUrl,
        plan: &Plan,
        i: usize,
        depth: usize,
    ) -> (u16, Option<Value>) {
        let inst = &plan.instances[i];
        let body = plan.body(i, &|target| self.read_for_template(plan, target));
        let body = match body {
            Ok(b) => b,
            Err(e) => {
                let e = template_error(e);
                return (e.status, Some(e.body()));
            }
        };
        let rurl = RequestUrl::parse(
            &url.absolute(&format!("{}?api-version={}", inst.id, inst.api_version)),
        );
        let result = match route::parse(&rurl, false) {
            Ok(Route::Resource(path)) if is_deployment(&path) => {
                self.nested(&rurl, &path, &body, &inst.api_version, depth)
            }
            Ok(Route::Resource(path)) => self
                .target(path, &inst.api_version)
                .and_then(|t| self.put(&rurl, &t, Some(&body), false)),
            Ok(_) => Err(ArmError::bad_request(
                "InvalidResourceType",
                format!(
                    "'{}' is not a resource id the emulator can deploy.",
                    inst.id
                ),
            )),
            Err(e) => Err(e),
        };
        match result {
            Ok(resp) => (resp.status, resp.body),
            Err(e) => (e.status, Some(e.body())),
        }
    }

    /// A nested deployment (inline `template` only, in this resource group): deployed as its
    /// own deployment; it fails its parent's operation when it failed.
    fn nested(
        &mut self,
        url: &RequestUrl,
        path: &ResourcePath,
        body: &Value,
        api_version: &str,
        depth: usize,
    ) -> ArmResult<HttpResponse> {
        if depth >= MAX_NESTING {
            return Err(ArmError::bad_request(
                "InvalidTemplate",
                format!("Deployments nest at most {MAX_NESTING} levels deep."),
            ));
        }
        let props = body.get("properties");
        let elsewhere = ["resourceGroup", "subscriptionId"]
            .iter()
            .any(|k| body.get(k).is_some_and(|v| !v.is_null()));
        if elsewhere || props.is_some_and(|p| p.get("templateLink").is_some()) {
            return Err(ArmError::bad_request(
                "NestedDeploymentNotSupported",
                "The emulator deploys nested deployments with an inline template into the same resource group only.",
            ));
        }
        let resp = self.deploy(url, path, Some(body), api_version, depth + 1)?;
        let id = self.canonical_id(path);
        let settled = self.world.get(&id, self.now_ms).map(|r| r.body.clone());
        match settled {
            Some(b) if fields::get_str(&b, "properties.provisioningState") == Some("Failed") => {
                let error = b["properties"]["error"].clone();
                Ok(HttpResponse::new(400, Some(json!({ "error": error }))))
            }
            _ => Ok(resp),
        }
    }

    fn deployment_action(
        &mut self,
        path: &ResourcePath,
        action: &str,
        body: Option<&Value>,
        api_version: &str,
    ) -> ArmResult<HttpResponse> {
        match action.to_ascii_lowercase().as_str() {
            "validate" => {
                let (request, plan) = self.plan(path, body, api_version)?;
                self.preflight(&plan)?;
                let id = self.canonical_id(path);
                Ok(json_response(
                    200,
                    record::validated(&id, &request, &plan, self.now_ms),
                ))
            }
            "whatif" => {
                let (_, plan) = self.plan(path, body, api_version)?;
                let changes = self.what_if(&plan)?;
                Ok(json_response(
                    200,
                    json!({"status": "Succeeded", "properties": {"changes": changes}}),
                ))
            }
            "exporttemplate" => {
                let id = self.canonical_id(path);
                let d = self.stored_deployment(path, &id, api_version)?;
                let template = d
                    .body
                    .get(PRIVATE_KEY)
                    .and_then(|p| p.get("template"))
                    .cloned()
                    .unwrap_or_else(|| json!({}));
                Ok(json_response(200, json!({ "template": template })))
            }
            _ => Err(ArmError::new(
                404,
                "ActionNotFound",
                format!("The action '{action}' is not supported for type '{TYPE}'."),
            )),
        }
    }

    /// What `validate` checks beyond the template: each resource's type, api-version and name,
    /// as the resource providers' preflight does.
    fn preflight(&self, plan: &Plan) -> ArmResult<()> {
        let mut details = Vec::new();
        for &i in &plan.order {
            let inst = &plan.instances[i];
            let check = super::resolve(&inst.type_name, &inst.api_version)
                .and_then(|ty| ty.validate_name(inst.name.rsplit('/').next().unwrap_or_default()));
            if let Err(e) = check {
                details.push(json!({"code": e.code, "target": inst.id, "message": e.message}));
            }
        }
        if details.is_empty() {
            return Ok(());
        }
        let mut e = ArmError::bad_request(
            "InvalidTemplateDeployment",
            "The template deployment failed the preflight validation of its resources. Please see details for more information.",
        );
        e.details = details;
        Err(e)
    }

    /// `whatIf`: each resource the template would deploy, `Create` if it does not exist,
    /// `NoChange` when every value the template sets is already so, else `Modify`.
    fn what_if(&self, plan: &Plan) -> ArmResult<Vec<Value>> {
        let mut changes = Vec::new();
        for &i in &plan.order {
            let inst = &plan.instances[i];
            let after = plan
                .body(i, &|target| self.read_for_template(plan, target))
                .map_err(template_error)?;
            let before = self.world.get(&inst.id, self.now_ms).map(|r| self.view(r));
            let change = match &before {
                None => "Create",
                Some(b) if record::contains(b, &after) => "NoChange",
                Some(_) => "Modify",
            };
            changes.push(json!({
                "resourceId": inst.id,
                "changeType": change,
                "before": before,
                "after": after,
            }));
        }
        Ok(changes)
    }

    fn stored_deployment(
        &self,
        path: &ResourcePath,
        id: &str,
        api_version: &str,
    ) -> ArmResult<crate::emulator::world::StoredResource> {
        super::resolve(TYPE, api_version)?;
        self.require_resource_group(path)?;
        self.world.get(id, self.now_ms).cloned().ok_or_else(|| {
            ArmError::new(
                404,
                "DeploymentNotFound",
                format!("Deployment '{}' could not be found.", path.name()),
            )
        })
    }

    /// `deployments/{name}/operations` (or one of them).
    fn deployment_operations(
        &self,
        path: &ResourcePath,
        one: Option<&str>,
        api_version: &str,
    ) -> ArmResult<HttpResponse> {
        let id = self.canonical_id(path);
        let d = self.stored_deployment(path, &id, api_version)?;
        let ops: Vec<Value> = d
            .body
            .get(PRIVATE_KEY)
            .and_then(|p| p.get("operations"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(op_id) = one else {
            return Ok(json_response(200, json!({ "value": ops })));
        };
        ops.into_iter()
            .find(|o| {
                o["operationId"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(op_id))
            })
            .map(|o| json_response(200, o))
            .ok_or_else(|| {
                ArmError::new(
                    404,
                    "DeploymentOperationNotFound",
                    format!("Deployment operation '{op_id}' could not be found."),
                )
            })
    }
}

/// A template problem as ARM answers it (400).
fn template_error(e: TemplateError) -> ArmError {
    ArmError::bad_request(e.code, e.message)
}

/// A fresh id for a deployment's correlation or an operation.
fn fresh_id() -> String {
    ids::guid()
}

/// The `properties.parameters` of a deployment: each parameter's type and (unless secure)
/// value.
fn shown_parameters(plan: &Plan) -> Value {
    let mut out = Map::new();
    for (name, ty) in &plan.parameter_types {
        let mut p = Map::new();
        p.insert("type".into(), Value::from(record::type_label(ty)));
        if !template::is_secure(ty) {
            p.insert(
                "value".into(),
                plan.evaluator
                    .params
                    .get(name)
                    .cloned()
                    .unwrap_or(Value::Null),
            );
        }
        out.insert(name.clone(), Value::Object(p));
    }
    Value::Object(out)
}
