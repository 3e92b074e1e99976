//! The request engine: routes one request against the world and applies the generic ARM rules
//! (api-versions, parents, envelopes, provisioning transitions, long-running operations, paging).
//! Type-specific rules live in [`super::types`].

use serde_json::{Map, Value, json};

use super::api_versions;
use super::error::{ArmError, ArmResult};
use super::fields;
use super::ids;
use super::providers;
use super::route::{self, RESOURCE_GROUP_TYPE, ResourcePath, Route};
use super::types::{self, ActionOutcome, Built, LocationPolicy, Lro, PutContext, ResourceType};
use super::url::RequestUrl;
use super::world::{Operation, OperationStyle, Phase, StoredResource, Transition, World};
use crate::arm::transport::{HttpRequest, HttpResponse, Method};

/// Who the emulator says created resources.
const CALLER: &str = "amlab@emulator.local";

mod deploy;

/// One request being served.
pub(crate) struct Engine<'a> {
    /// The world.
    pub(crate) world: &'a mut World,
    /// Now (ms since the epoch).
    pub(crate) now_ms: u64,
    /// Provisioning delay (ms).
    pub(crate) delay_ms: u64,
    /// List page size.
    pub(crate) page_size: usize,
    /// Whether the world changed.
    pub(crate) changed: bool,
}

/// A resolved resource path.
struct Target {
    ty: &'static dyn ResourceType,
    path: ResourcePath,
    id: String,
    api_version: String,
}

impl Engine<'_> {
    /// Serves one request.
    pub(crate) fn handle(&mut self, req: &HttpRequest, url: &RequestUrl) -> HttpResponse {
        if self.world.purge_deleted(self.now_ms) {
            self.changed = true;
        }
        if types::deleted_accounts::expire(self.world, self.now_ms) {
            self.changed = true;
        }
        match self.dispatch(req, url) {
            Ok(r) => r,
            Err(e) => e.into_response(),
        }
    }

    fn dispatch(&mut self, req: &HttpRequest, url: &RequestUrl) -> ArmResult<HttpResponse> {
        if let Some(answer) = providers::answer(self.world, self.now_ms, req.method, url) {
            return answer;
        }
        if let Some((answer, changed)) =
            types::deleted_accounts::answer(self.world, self.now_ms, self.delay_ms, req.method, url)
        {
            self.changed |= changed;
            return answer;
        }
        let api_version = match url.query_param("api-version") {
            Some(v) if !v.is_empty() => v.to_owned(),
            _ => return Err(ArmError::missing_api_version()),
        };
        let route = route::parse(url, req.method == Method::Post)?;
        if let Some(answer) = self.deployment_request(req, url, &route, &api_version) {
            return answer;
        }
        match route {
            Route::Operation { kind, id } => self.operation(url, &kind, &id),
            Route::ResourceGroups { subscription } => {
                let ty = resolve(RESOURCE_GROUP_TYPE, &api_version)?;
                only(req.method, Method::Get, ty)?;
                let prefix = format!(
                    "/subscriptions/{}/resourcegroups/",
                    subscription.to_ascii_lowercase()
                );
                self.list(url, &api_version, ty, &prefix)
            }
            Route::Resource(path) => {
                if let Some((parent, action)) = keyed_action(&path, req.method) {
                    let target = self.target(parent, &api_version)?;
                    return self.action(url, &target, &action, req.body.as_ref());
                }
                let target = self.target(path, &api_version)?;
                match req.method {
                    Method::Get => self.get(&target),
                    Method::Put => self.put(url, &target, req.body.as_ref(), false),
                    Method::Patch => self.put(url, &target, req.body.as_ref(), true),
                    Method::Delete => self.delete(url, &target),
                    Method::Post => {
                        Err(ArmError::method_not_allowed("POST", target.ty.type_name()))
                    }
                }
            }
            Route::Collection(parent, type_name) => {
                if let Some(answer) =
                    self.sub_resource(req.method, &parent, &type_name, &api_version)
                {
                    return answer;
                }
                let ty = resolve(&type_name, &api_version)?;
                only(req.method, Method::Get, ty)?;
                self.require_resource_group(&parent)?;
                let parent_id = self.canonical_id(&parent);
                let wider = ty.list_prefix(url, &parent_id);
                if parent.namespace.is_some()
                    && self.world.get(&parent_id, self.now_ms).is_none()
                    && types::curated::get(self.world, self.now_ms, &parent_id).is_none()
                {
                    let grand_exists = parent
                        .parent()
                        .filter(|g| g.namespace.is_some())
                        .is_some_and(|g| {
                            self.world
                                .get(&self.canonical_id(&g), self.now_ms)
                                .is_some()
                        });
                    if !(ty.lists_without_parent() && grand_exists) {
                        return Err(not_found(&parent_id, &parent));
                    }
                    if wider.is_none() {
                        return Ok(json_response(200, json!({"value": []})));
                    }
                }
                let prefix =
                    wider.unwrap_or_else(|| format!("{}/", parent_id.to_ascii_lowercase()));
                self.list(url, &api_version, ty, &prefix)
            }
            Route::Action(path, action) => {
                let target = self.target(path, &api_version)?;
                self.action(url, &target, &action, req.body.as_ref())
            }
            Route::Subscription {
                subscription,
                namespace,
                name,
            } => {
                let type_name = format!("{namespace}/{name}");
                if req.method == Method::Post {
                    return provider_action(
                        self.world,
                        &type_name,
                        &api_version,
                        req.body.as_ref(),
                    );
                }
                let ty = resolve(&type_name, &api_version)?;
                only(req.method, Method::Get, ty)?;
                let prefix = format!("/subscriptions/{}/", subscription.to_ascii_lowercase());
                self.list(url, &api_version, ty, &prefix)
            }
        }
    }

    /// A GET of a read-only sub-resource of an existing resource (`None`: the parent's type
    /// has no sub-resource of that name, so the path is a collection).
    fn sub_resource(
        &self,
        method: Method,
        parent: &ResourcePath,
        type_name: &str,
        api_version: &str,
    ) -> Option<ArmResult<HttpResponse>> {
        let name = type_name.rsplit('/').next()?;
        parent.namespace.as_ref()?;
        let ty = types::lookup(&parent.type_name())?;
        let canon = ty
            .sub_resources()
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))?;
        Some((|| {
            resolve(ty.type_name(), api_version)?;
            only(method, Method::Get, ty)?;
            self.require_resource_group(parent)?;
            let id = self.canonical_id(parent);
            let Some(resource) = self.world.get(&id, self.now_ms) else {
                return Err(not_found(&id, parent));
            };
            let ctx = types::ActionContext {
                now_ms: self.now_ms,
                world: self.world,
            };
            Ok(json_response(200, ty.sub_resource(canon, resource, &ctx)?))
        })())
    }

    /// Resolves the type, checks the api-version and computes the canonical id.
    fn target(&self, path: ResourcePath, api_version: &str) -> ArmResult<Target> {
        let ty = resolve(&path.type_name(), api_version)?;
        if path.at_subscription() && !ty.at_subscription_scope() {
            return Err(ArmError::new(
                404,
                "InvalidResourceType",
                format!(
                    "The resource type '{}' cannot be created at subscription scope: it lives in a resource group.",
                    ty.type_name()
                ),
            ));
        }
        let id = self.canonical_id(&path);
        Ok(Target {
            ty,
            path,
            id,
            api_version: api_version.to_owned(),
        })
    }

    /// The id with registered type spellings, keeping stored spellings of existing resources.
    fn canonical_id(&self, path: &ResourcePath) -> String {
        let rg = format!(
            "/subscriptions/{}/resourceGroups/{}",
            path.subscription, path.resource_group
        );
        let mut id = match &path.scope {
            Some(scope) => self.canonical_id(scope),
            None if path.at_subscription() => format!("/subscriptions/{}", path.subscription),
            None => self
                .world
                .get(&rg, self.now_ms)
                .map_or(rg, |r| r.id.clone()),
        };
        if let Some(ns) = &path.namespace {
            let written = path.type_name();
            let canon = types::lookup(&written).map_or(written.as_str(), |t| t.type_name());
            let mut segs = canon.split('/');
            let ns = segs.next().unwrap_or(ns);
            id = format!("{id}/providers/{ns}");
            for (t, name) in &path.pairs {
                let t = segs.next().unwrap_or(t);
                let candidate = format!("{id}/{t}/{name}");
                id = self
                    .world
                    .get(&candidate, self.now_ms)
                    .map_or(candidate, |r| r.id.clone());
            }
        }
        id
    }

    fn require_resource_group(&self, path: &ResourcePath) -> ArmResult<()> {
        if path.at_subscription() {
            return Ok(());
        }
        let rg = format!(
            "/subscriptions/{}/resourceGroups/{}",
            path.subscription, path.resource_group
        );
        match self.world.get(&rg, self.now_ms) {
            Some(_) => Ok(()),
            None => Err(ArmError::resource_group_not_found(&path.resource_group)),
        }
    }

    /// The resource as a client sees it now.
    fn view(&self, r: &StoredResource) -> Value {
        let mut body = r.body.clone();
        if let Some(t) = r.active_transition(self.now_ms) {
            fields::merge(&mut body, &t.overlay);
        }
        let private = body
            .as_object_mut()
            .and_then(|o| o.remove(types::PRIVATE_KEY))
            .unwrap_or(Value::Null);
        if let Some(ty) = types::lookup(&r.type_name) {
            ty.present(&mut body, &private, self.now_ms);
        }
        body
    }

    fn get(&self, t: &Target) -> ArmResult<HttpResponse> {
        if t.path.namespace.is_some() {
            self.require_resource_group(&t.path)?;
        }
        match self.world.get(&t.id, self.now_ms) {
            Some(r) => Ok(json_response(200, self.view(r))),
            None => match types::curated::get(self.world, self.now_ms, &t.id) {
                Some(r) => Ok(json_response(200, self.view(&r))),
                None => Err(not_found(&t.id, &t.path)),
            },
        }
    }

    fn list(
        &self,
        url: &RequestUrl,
        api_version: &str,
        ty: &dyn ResourceType,
        prefix: &str,
    ) -> ArmResult<HttpResponse> {
        ty.check_list_query(url)?;
        let items: Vec<&StoredResource> = self
            .world
            .resources
            .iter()
            .filter(|(k, r)| {
                k.starts_with(prefix)
                    && r.type_name.eq_ignore_ascii_case(ty.type_name())
                    && r.exists_at(self.now_ms)
            })
            .map(|(_, r)| r)
            .collect();
        // Curated environments come first (the service lists them with the workspace's own).
        let curated = types::curated::listed(self.world, self.now_ms, ty.type_name(), prefix);
        let items: Vec<&StoredResource> = curated.iter().chain(items).collect();
        let mut kept = Vec::with_capacity(items.len());
        for r in items {
            if ty.listed(url, &self.view(r))? {
                kept.push(r);
            }
        }
        let mut items = kept;
        items.sort_by_key(|r| r.seq);
        let skip = url
            .query_param("$skipToken")
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(0);
        let page = self.page_size.max(1);
        let value: Vec<Value> = items
            .iter()
            .skip(skip)
            .take(page)
            .map(|r| self.view(r))
            .collect();
        let mut body = json!({ "value": value });
        if skip + page < items.len() {
            // The next page keeps the list's filters (`listViewType`, `jobType`, ...).
            let filters: String = url
                .raw_query_except(&["api-version", "$skipToken"])
                .iter()
                .map(|pair| format!("&{pair}"))
                .collect();
            let next = url.absolute(&format!(
                "{}?api-version={api_version}{filters}&$skipToken={}",
                url.path,
                skip + page
            ));
            if let Some(obj) = body.as_object_mut() {
                obj.insert("nextLink".into(), Value::String(next));
            }
        }
        Ok(json_response(200, body))
    }

    fn put(
        &mut self,
        url: &RequestUrl,
        t: &Target,
        body: Option<&Value>,
        patch: bool,
    ) -> ArmResult<HttpResponse> {
        let body = match body {
            Some(b @ Value::Object(_)) => b,
            _ => return Err(ArmError::invalid_body()),
        };
        let parent = self.parent_for_write(t)?;
        let existing = self.world.get(&t.id, self.now_ms).cloned();
        if let Some(e) = &existing
            && e.active_transition(self.now_ms)
                .is_some_and(|tr| tr.phase == Phase::Deleting)
        {
            return Err(ArmError::new(
                409,
                "Conflict",
                format!(
                    "The resource '{}' is being deleted; retry when the deletion completes.",
                    t.id
                ),
            ));
        }
        let merged;
        let input = if patch {
            if !t.ty.supports_patch() {
                return Err(ArmError::method_not_allowed("PATCH", t.ty.type_name()));
            }
            let Some(e) = &existing else {
                return Err(not_found(&t.id, &t.path));
            };
            let mut m = e.body.clone();
            fields::merge(&mut m, body);
            merged = m;
            &merged
        } else {
            t.ty.validate_name(t.path.name())?;
            body
        };
        let location = self.location(t.ty, input, parent.as_ref(), existing.as_ref())?;
        let name = existing.as_ref().map_or(t.path.name().to_owned(), |e| {
            types::last_segment(&e.id).to_owned()
        });
        let ctx = PutContext {
            world: self.world,
            now_ms: self.now_ms,
            delay_ms: self.delay_ms,
            id: &t.id,
            name: &name,
            subscription: &t.path.subscription,
            existing: existing.as_ref(),
            location: location.as_deref(),
            body: input,
            api_version: &t.api_version,
        };
        let built = t.ty.build(&ctx)?;
        let created = existing.is_none();
        let restored = built.restored.clone();
        let lro = if patch {
            t.ty.patch_lro()
        } else {
            t.ty.put_lro(created)
        };
        let status = built
            .status
            .unwrap_or_else(|| if patch { 200 } else { t.ty.put_status(created) });
        let stored = self.store(
            t.ty,
            &t.id,
            &name,
            location.as_deref(),
            input,
            built,
            existing.as_ref(),
            lro,
            created,
        );
        if let Some(key) = restored {
            self.world.deleted_accounts.remove(&key);
        }
        let view = self
            .world
            .get(&t.id, self.now_ms)
            .map(|r| self.view(r))
            .unwrap_or(stored);
        let op_location = location.clone().or_else(|| {
            parent
                .as_ref()
                .and_then(|p| p.body.get("location"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        match lro {
            Lro::Sync => Ok(json_response(status, view)),
            Lro::BodyPoll => Ok(with_retry(json_response(status, view), self.delay_ms)),
            Lro::Accepted => Ok(with_retry(json_response(202, view), self.delay_ms)),
            Lro::AsyncOperation => {
                let op = self.new_operation(
                    url,
                    t,
                    op_location.as_deref(),
                    OperationStyle::AsyncOperation,
                    false,
                );
                Ok(with_retry(
                    json_response(status, view).with_header("Azure-AsyncOperation", op),
                    self.delay_ms,
                ))
            }
            Lro::Location => {
                let op = self.new_operation(
                    url,
                    t,
                    op_location.as_deref(),
                    OperationStyle::Location,
                    false,
                );
                Ok(with_retry(
                    HttpResponse::new(202, None).with_header("Location", op),
                    self.delay_ms,
                ))
            }
        }
    }

    /// The parent of a resource being written: the resource group must exist, and so must a
    /// parent resource (404 in ARM's shape otherwise).
    fn parent_for_write(&self, t: &Target) -> ArmResult<Option<StoredResource>> {
        let Some(parent) = t.path.parent() else {
            return Ok(None);
        };
        self.require_resource_group(&t.path)?;
        let parent_id = self.canonical_id(&parent);
        if let Some(p) = self.world.get(&parent_id, self.now_ms) {
            return Ok(Some(p.clone()));
        }
        // A type that creates its parent (a data version creates its container) needs the
        // grandparent only.
        if t.ty.creates_parent()
            && let Some(grand) = parent.parent()
        {
            let grand_id = self.canonical_id(&grand);
            if self.world.get(&grand_id, self.now_ms).is_some() {
                return Ok(None);
            }
            return Err(not_found(&grand_id, &grand));
        }
        Err(not_found(&parent_id, &parent))
    }

    fn location(
        &self,
        ty: &dyn ResourceType,
        body: &Value,
        parent: Option<&StoredResource>,
        existing: Option<&StoredResource>,
    ) -> ArmResult<Option<String>> {
        let given = fields::get_str(body, "location").map(normalize_location);
        Ok(match ty.location_policy() {
            LocationPolicy::None => None,
            LocationPolicy::Required => match given {
                Some(l) if !l.is_empty() => Some(l),
                _ => return Err(ArmError::location_required()),
            },
            LocationPolicy::FromParent => given
                .filter(|l| !l.is_empty())
                .or_else(|| {
                    existing
                        .and_then(|e| fields::get_str(&e.body, "location"))
                        .map(str::to_owned)
                })
                .or_else(|| {
                    parent
                        .and_then(|p| fields::get_str(&p.body, "location"))
                        .map(str::to_owned)
                }),
        })
    }

    /// Composes the ARM envelope and stores the resource (and its side resources).
    #[allow(clippy::too_many_arguments)]
    fn store(
        &mut self,
        ty: &dyn ResourceType,
        id: &str,
        name: &str,
        location: Option<&str>,
        input: &Value,
        built: Built,
        existing: Option<&StoredResource>,
        lro: Lro,
        created: bool,
    ) -> Value {
        let mut body = envelope(id, name, ty.type_name());
        if let (Some(l), Some(obj)) = (location, body.as_object_mut()) {
            obj.insert("location".into(), Value::String(l.to_owned()));
        }
        fields::merge(&mut body, &built.fields);
        if ty.has_tags() {
            let tags = fields::object_or_empty(input.get("tags"));
            if let Some(obj) = body.as_object_mut() {
                obj.insert("tags".into(), tags);
            }
        }
        if ty.has_provisioning_state() {
            fields::set(
                &mut body,
                "properties.provisioningState",
                json!("Succeeded"),
            );
        }
        self.set_system_data(&mut body, existing);
        let transition = (lro != Lro::Sync).then(|| {
            let phase = if created {
                Phase::Creating
            } else {
                Phase::Updating
            };
            Transition {
                phase,
                until_ms: self.now_ms + self.delay_ms,
                overlay: ty.transient_overlay(phase, &body),
            }
        });
        for s in &built.issued {
            self.world.remember_secret(s);
        }
        let seq = existing.map_or_else(|| self.world.next_seq(), |e| e.seq);
        let record = StoredResource {
            id: id.to_owned(),
            type_name: ty.type_name().to_owned(),
            body: body.clone(),
            secrets: built
                .secrets
                .or_else(|| existing.and_then(|e| e.secrets.clone())),
            transition,
            seq,
        };
        self.world.resources.insert(id.to_ascii_lowercase(), record);
        self.store_side(built.side);
        self.changed = true;
        body
    }

    /// Stores the resources a write creates alongside (envelope and systemData added).
    fn store_side(&mut self, side: Vec<types::SideResource>) {
        for side in side {
            let prior = self.world.get(&side.id, self.now_ms).cloned();
            let mut sbody = envelope(&side.id, types::last_segment(&side.id), side.type_name);
            fields::merge(&mut sbody, &side.fields);
            self.set_system_data(&mut sbody, prior.as_ref());
            let seq = prior
                .as_ref()
                .map_or_else(|| self.world.next_seq(), |p| p.seq);
            let secrets = side.secrets.or_else(|| prior.and_then(|p| p.secrets));
            self.world.resources.insert(
                side.id.to_ascii_lowercase(),
                StoredResource {
                    id: side.id,
                    type_name: side.type_name.to_owned(),
                    body: sbody,
                    secrets,
                    transition: None,
                    seq,
                },
            );
        }
    }

    fn set_system_data(&self, body: &mut Value, existing: Option<&StoredResource>) {
        let now = ids::timestamp(self.now_ms);
        let created_at = existing
            .and_then(|e| fields::get_str(&e.body, "systemData.createdAt"))
            .map_or_else(|| now.clone(), str::to_owned);
        fields::set(
            body,
            "systemData",
            json!({
                "createdAt": created_at,
                "createdBy": CALLER,
                "createdByType": "User",
                "lastModifiedAt": now,
                "lastModifiedBy": CALLER,
                "lastModifiedByType": "User"
            }),
        );
    }

    fn delete(&mut self, url: &RequestUrl, t: &Target) -> ArmResult<HttpResponse> {
        let is_rg = t.path.namespace.is_none();
        if !is_rg {
            t.ty.check_delete(url)?;
            self.require_resource_group(&t.path)?;
        }
        let Some(existing) = self.world.get(&t.id, self.now_ms).cloned() else {
            if is_rg {
                return Err(ArmError::resource_group_not_found(&t.path.resource_group));
            }
            return match t.ty.delete_missing_status() {
                Some(status) => Ok(HttpResponse::new(status, None)),
                None => Err(not_found(&t.id, &t.path)),
            };
        };
        t.ty.refuse_delete(self.world, &existing, self.now_ms)?;
        let lro = t.ty.delete_lro();
        let keys = self.world.subtree(&existing.id);
        types::deleted_accounts::keep(self.world, &keys, self.now_ms);
        self.changed = true;
        if lro == Lro::Sync {
            for k in keys {
                self.world.resources.remove(&k);
            }
            t.ty.after_delete(self.world, &existing, self.now_ms);
            let answer = t.ty.delete_answers_body().then(|| {
                let mut gone = existing.clone();
                t.ty.as_deleted(&mut gone.body);
                self.view(&gone)
            });
            return Ok(HttpResponse::new(200, answer));
        }
        t.ty.after_delete(self.world, &existing, self.now_ms);
        let until = self.now_ms + self.delay_ms;
        for k in keys {
            if let Some(r) = self.world.resources.get_mut(&k) {
                let overlay = if r.body.get("properties").is_some_and(Value::is_object) {
                    json!({"properties": {"provisioningState": "Deleting"}})
                } else {
                    json!({})
                };
                r.transition = Some(Transition {
                    phase: Phase::Deleting,
                    until_ms: until,
                    overlay,
                });
            }
        }
        let loc = fields::get_str(&existing.body, "location").map(str::to_owned);
        let resp = HttpResponse::new(202, None);
        let resp = match lro {
            Lro::AsyncOperation => {
                let op = self.new_operation(
                    url,
                    t,
                    loc.as_deref(),
                    OperationStyle::AsyncOperation,
                    true,
                );
                let result = op.replacen(
                    t.ty.operation_kind(),
                    &results_kind(t.ty.operation_kind()),
                    1,
                );
                resp.with_header("Azure-AsyncOperation", op)
                    .with_header("Location", result)
            }
            Lro::Accepted => resp,
            _ => {
                let op = self.new_operation(url, t, loc.as_deref(), OperationStyle::Location, true);
                resp.with_header("Location", op)
            }
        };
        Ok(with_retry(resp, self.delay_ms))
    }

    fn action(
        &mut self,
        url: &RequestUrl,
        t: &Target,
        action: &str,
        body: Option<&Value>,
    ) -> ArmResult<HttpResponse> {
        self.require_resource_group(&t.path)?;
        if let Some(outcome) = t.ty.world_action(action, self.world, &t.id, self.now_ms) {
            let (body, issued) = outcome?;
            for s in &issued {
                self.world.remember_secret(s);
            }
            self.changed = true;
            return Ok(json_response(200, body));
        }
        let Some(existing) = self.world.get(&t.id, self.now_ms).cloned() else {
            return Err(not_found(&t.id, &t.path));
        };
        let ctx = types::ActionContext {
            now_ms: self.now_ms,
            world: self.world,
        };
        let mut outcome: ActionOutcome = t.ty.action(action, &existing, body, &ctx)?;
        if !outcome.side.is_empty() {
            self.store_side(std::mem::take(&mut outcome.side));
            self.changed = true;
        }
        for s in &outcome.issued {
            self.world.remember_secret(s);
            self.changed = true;
        }
        if let Some(secrets) = outcome.updated_secrets.clone()
            && let Some(r) = self.world.resources.get_mut(&t.id.to_ascii_lowercase())
        {
            r.secrets = Some(secrets);
            self.changed = true;
        }
        if let Some(updated) = outcome.updated_body.clone() {
            let until = self.now_ms + self.delay_ms;
            if let Some(r) = self.world.resources.get_mut(&t.id.to_ascii_lowercase()) {
                r.body = updated;
                if let Some(overlay) = outcome.overlay.clone() {
                    r.transition = Some(Transition {
                        phase: Phase::Updating,
                        until_ms: until,
                        overlay,
                    });
                }
            }
            self.changed = true;
        }
        let loc = fields::get_str(&existing.body, "location").map(str::to_owned);
        match outcome.lro {
            Lro::Sync | Lro::BodyPoll | Lro::Accepted => Ok(match outcome.body {
                Some(b) => json_response(outcome.status, b),
                None => HttpResponse::new(outcome.status, None),
            }),
            Lro::AsyncOperation => {
                let op = self.new_operation(
                    url,
                    t,
                    loc.as_deref(),
                    OperationStyle::AsyncOperation,
                    false,
                );
                Ok(with_retry(
                    HttpResponse::new(202, None).with_header("Azure-AsyncOperation", op),
                    self.delay_ms,
                ))
            }
            Lro::Location => {
                let op =
                    self.new_operation(url, t, loc.as_deref(), OperationStyle::Location, false);
                Ok(with_retry(
                    HttpResponse::new(202, None).with_header("Location", op),
                    self.delay_ms,
                ))
            }
        }
    }

    /// Registers an operation and returns its absolute status URL.
    fn new_operation(
        &mut self,
        url: &RequestUrl,
        t: &Target,
        location: Option<&str>,
        style: OperationStyle,
        deletes: bool,
    ) -> String {
        let id = ids::guid();
        let path = match &t.path.namespace {
            None => format!(
                "/subscriptions/{}/operationresults/{id}?api-version={}",
                t.path.subscription, t.api_version
            ),
            Some(_) => {
                let ns = t.ty.type_name().split('/').next().unwrap_or_default();
                format!(
                    "/subscriptions/{}/providers/{ns}/locations/{}/{}/{id}?api-version={}",
                    t.path.subscription,
                    location.unwrap_or("global"),
                    t.ty.operation_kind(),
                    t.api_version
                )
            }
        };
        let absolute = url.absolute(&path);
        self.world.operations.insert(
            id.clone(),
            Operation {
                id,
                resource_id: t.id.clone(),
                style,
                deletes,
                start_ms: self.now_ms,
                until_ms: self.now_ms + self.delay_ms,
                path,
            },
        );
        self.changed = true;
        absolute
    }

    fn operation(&self, url: &RequestUrl, kind: &str, id: &str) -> ArmResult<HttpResponse> {
        let Some(op) = self.world.operations.get(&id.to_ascii_lowercase()) else {
            return Err(ArmError::new(
                404,
                "OperationNotFound",
                format!("The operation '{id}' could not be found."),
            ));
        };
        let style = if kind.to_ascii_lowercase().contains("result") {
            OperationStyle::Location
        } else {
            op.style
        };
        let remaining = op.until_ms.saturating_sub(self.now_ms);
        let running = remaining > 0;
        match style {
            OperationStyle::AsyncOperation => {
                let failure = (!running && !op.deletes)
                    .then(|| self.world.get(&op.resource_id, self.now_ms))
                    .flatten()
                    .filter(|r| {
                        fields::get_str(&r.body, "properties.provisioningState") == Some("Failed")
                    })
                    .map(|r| r.body["properties"]["error"].clone());
                let status = match (running, &failure) {
                    (true, _) => "InProgress",
                    (false, Some(_)) => "Failed",
                    (false, None) => "Succeeded",
                };
                let mut body = json!({
                    "id": url.path,
                    "name": op.id,
                    "status": status,
                    "startTime": ids::timestamp(op.start_ms),
                });
                if let Some(obj) = body.as_object_mut() {
                    if let Some(error) = failure {
                        obj.insert("error".into(), error);
                    }
                    if running {
                        obj.insert("percentComplete".into(), json!(0.0));
                    } else {
                        obj.insert("endTime".into(), json!(ids::timestamp(op.until_ms)));
                        obj.insert("percentComplete".into(), json!(100.0));
                    }
                }
                let resp = json_response(200, body);
                Ok(if running {
                    with_retry(resp, remaining)
                } else {
                    resp
                })
            }
            OperationStyle::Location => {
                if running {
                    return Ok(with_retry(
                        HttpResponse::new(202, None)
                            .with_header("Location", url.absolute(&url.path_and_query)),
                        remaining,
                    ));
                }
                if op.deletes {
                    return Ok(HttpResponse::new(200, None));
                }
                Ok(match self.world.get(&op.resource_id, self.now_ms) {
                    Some(r) => json_response(200, self.view(r)),
                    None => HttpResponse::new(200, None),
                })
            }
        }
    }
}

/// The Location counterpart of an Azure-AsyncOperation kind (`computeOperationsStatus` ->
/// `computeOperationsResults`).
fn results_kind(kind: &str) -> String {
    match kind.strip_suffix("Status") {
        Some(stem) => format!("{stem}Results"),
        None => format!("{kind}Results"),
    }
}

/// Finds a registered type and checks the api-version.
fn resolve(type_name: &str, api_version: &str) -> ArmResult<&'static dyn ResourceType> {
    let ns = type_name.split('/').next().unwrap_or_default();
    let Some(ns_canon) = types::known_namespace(ns) else {
        return Err(ArmError::bad_request(
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location 'global' and API version '{api_version}' for type '{}'.",
                type_name.split_once('/').map_or(type_name, |(_, t)| t)
            ),
        ));
    };
    let Some(ty) = types::lookup(type_name) else {
        let t = type_name.split_once('/').map_or(type_name, |(_, t)| t);
        return Err(ArmError::new(
            404,
            "InvalidResourceType",
            format!(
                "The resource type '{t}' could not be found in the namespace '{ns_canon}' for api version '{api_version}'."
            ),
        ));
    };
    if !api_versions::accepts(ty.type_name(), api_version) {
        let supported = api_versions::supported(ty.type_name());
        return Err(if ty.type_name() == RESOURCE_GROUP_TYPE {
            ArmError::invalid_api_version(api_version, &supported)
        } else {
            ArmError::no_registered_provider(ty.type_name(), api_version, &supported)
        });
    }
    Ok(ty)
}

/// A provider-level POST (`/subscriptions/{s}/providers/{ns}/{action}`): the storage
/// account `checkNameAvailability`.
fn provider_action(
    world: &World,
    type_name: &str,
    api_version: &str,
    body: Option<&Value>,
) -> ArmResult<HttpResponse> {
    if type_name.eq_ignore_ascii_case("Microsoft.Storage/checkNameAvailability") {
        resolve("Microsoft.Storage/storageAccounts", api_version)?;
        let answer = types::storage_name_availability(world, body)?;
        return Ok(json_response(200, answer));
    }
    Err(ArmError::new(
        404,
        "InvalidResourceType",
        format!("The resource type '{type_name}' has no provider-level action in the emulator."),
    ))
}

/// A keyed action addressed like a child resource (`.../searchServices/s/createQueryKey/n`):
/// the parent path and `segment/argument`, when the parent's type declares it.
fn keyed_action(path: &ResourcePath, method: Method) -> Option<(ResourcePath, String)> {
    if !matches!(method, Method::Post | Method::Delete) || path.pairs.len() < 2 {
        return None;
    }
    let parent = path.parent()?;
    let ty = types::lookup(&parent.type_name())?;
    let (segment, arg) = path.pairs.last()?;
    ty.keyed_action(segment, method == Method::Delete)
        .then(|| (parent, format!("{segment}/{arg}")))
}

fn only(method: Method, allowed: Method, ty: &dyn ResourceType) -> ArmResult<()> {
    if method == allowed {
        Ok(())
    } else {
        Err(ArmError::method_not_allowed(
            method.as_str(),
            ty.type_name(),
        ))
    }
}

/// 404 for a missing resource or resource group, in ARM's words.
fn not_found(id: &str, path: &ResourcePath) -> ArmError {
    if path.namespace.is_none() {
        return ArmError::resource_group_not_found(&path.resource_group);
    }
    if path.at_subscription() {
        return ArmError::new(
            404,
            "ResourceNotFound",
            format!("The resource '{id}' was not found."),
        );
    }
    let after = id.split_once("/providers/").map_or(id, |(_, a)| a);
    let (type_path, name_path) = split_type_and_names(after);
    ArmError::resource_not_found(&type_path, &name_path, &path.resource_group)
}

/// `ns/t1/n1/t2/n2` -> (`ns/t1`, `n1/t2/n2`): ARM names the first type and the rest of the path.
fn split_type_and_names(after_providers: &str) -> (String, String) {
    let parts: Vec<&str> = after_providers.split('/').collect();
    if parts.len() < 3 {
        return (after_providers.to_owned(), String::new());
    }
    (format!("{}/{}", parts[0], parts[1]), parts[2..].join("/"))
}

/// `East US` -> `eastus`.
fn normalize_location(l: &str) -> String {
    l.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn envelope(id: &str, name: &str, type_name: &str) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), Value::String(id.to_owned()));
    m.insert("name".into(), Value::String(name.to_owned()));
    m.insert("type".into(), Value::String(type_name.to_owned()));
    Value::Object(m)
}

fn json_response(status: u16, body: Value) -> HttpResponse {
    HttpResponse::new(status, Some(body))
        .with_header("Content-Type", "application/json; charset=utf-8")
}

/// Adds `Retry-After` (whole seconds, rounded up) and `retry-after-ms`.
fn with_retry(resp: HttpResponse, remaining_ms: u64) -> HttpResponse {
    resp.with_header("Retry-After", remaining_ms.div_ceil(1000).to_string())
        .with_header("retry-after-ms", remaining_ms.to_string())
}
