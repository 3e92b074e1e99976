//! Expands a template's `resources` into instances: `copy` loops, `condition`, nested child
//! resources (their type and name made full from the parent's), evaluated names, types, ids
//! and `dependsOn`. Bodies are evaluated later, one resource at a time in deployment order, so
//! that `reference()` sees what was deployed before.

use serde_json::{Map, Value};

use super::eval::{Evaluator, Frame};
use super::functions::truthy;
use super::functions_scope::type_path;
use super::params::{self, Bound};
use super::{Context, Limits, TemplateError, check_size, order};

/// The keys of a resource declaration that are not part of the resource's body.
const META: &[&str] = &[
    "condition",
    "copy",
    "dependsOn",
    "resources",
    "apiVersion",
    "type",
    "name",
    "comments",
    "metadata",
    "scope",
];

/// One resource of the template, after `copy` and `condition`.
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    /// Where it is declared (`resources[2]`, `resources[2].resources[0][3]` for copy index 3).
    pub(crate) path: String,
    /// Full type (`Microsoft.Storage/storageAccounts`).
    pub(crate) type_name: String,
    /// Full name (`vnet/subnet` for a child).
    pub(crate) name: String,
    /// The api-version the template asks for.
    pub(crate) api_version: String,
    /// The resource id in the deployment's resource group.
    pub(crate) id: String,
    /// The copy loop it belongs to.
    pub(crate) copy_name: Option<String>,
    /// Its copy loop indexes.
    pub(crate) loops: Vec<(String, i64)>,
    /// The declaration (nested resources removed).
    pub(crate) raw: Value,
    /// `dependsOn`, evaluated.
    pub(crate) depends_on: Vec<String>,
    /// Its parent instance, for a nested resource.
    pub(crate) parent: Option<usize>,
    /// Whether its `condition` holds (else it is skipped).
    pub(crate) deployed: bool,
    /// The instances it waits for (set by the ordering).
    pub(crate) waits_for: Vec<usize>,
}

/// A template ready to deploy: the scope, every instance and the deployment order.
pub(crate) struct Plan {
    /// The evaluation scope.
    pub(crate) evaluator: Evaluator,
    /// Every instance, in template order.
    pub(crate) instances: Vec<Instance>,
    /// Indexes of the instances to deploy, dependencies first.
    pub(crate) order: Vec<usize>,
    /// The `outputs` section, unevaluated.
    pub(crate) outputs: Map<String, Value>,
    /// The bound parameters' names and types.
    pub(crate) parameter_types: Vec<(String, String)>,
}

impl Plan {
    /// Checks, binds and expands a template with its parameter values.
    pub(crate) fn new(
        template: &Value,
        parameters: &Value,
        ctx: Context,
        limits: Limits,
    ) -> Result<Self, TemplateError> {
        check_size("template", template, &limits)?;
        check_size("parameters document", parameters, &limits)?;
        let section = |k: &str| template.get(k).and_then(Value::as_object).cloned();
        let Some(t) = template.as_object() else {
            return Err(TemplateError::invalid(
                "The template must be a JSON object.",
            ));
        };
        if !t.contains_key("$schema") && !t.contains_key("resources") {
            return Err(TemplateError::invalid(
                "The template has no 'resources'; a deployment template needs '$schema', 'contentVersion' and 'resources'.",
            ));
        }
        let Bound { values, types } = params::bind(
            &section("parameters").unwrap_or_default(),
            parameters.as_object().unwrap_or(&Map::new()),
            &ctx,
            &limits,
        )?;
        let mut evaluator = Evaluator::new(
            section("variables").unwrap_or_default(),
            values,
            ctx,
            limits,
        );
        evaluator.expand_variable_copies()?;
        let decls = match template.get("resources") {
            Some(Value::Array(r)) => r.clone(),
            None => Vec::new(),
            Some(_) => {
                return Err(TemplateError::invalid(
                    "The template's 'resources' must be an array (symbolic resource names, languageVersion 2.0, are not supported by the emulator).",
                ));
            }
        };
        let mut instances = Vec::new();
        expand(&evaluator, &decls, None, "resources", &mut instances)?;
        let order = order::sort(&mut instances)?;
        Ok(Self {
            evaluator,
            instances,
            order,
            outputs: section("outputs").unwrap_or_default(),
            parameter_types: types,
        })
    }

    /// The body of instance `i` (its declaration without the template keys), evaluated now.
    pub(crate) fn body(
        &self,
        i: usize,
        lookup: &dyn Fn(&str) -> Option<Value>,
    ) -> Result<Value, TemplateError> {
        let inst = &self.instances[i];
        let mut decl = inst.raw.as_object().cloned().unwrap_or_default();
        decl.retain(|k, _| !META.iter().any(|m| m.eq_ignore_ascii_case(k)));
        // A nested deployment with `expressionEvaluationOptions.scope: inner` evaluates its
        // own template in its own scope: it is passed on as written.
        let inner = inst
            .type_name
            .eq_ignore_ascii_case("Microsoft.Resources/deployments")
            && decl
                .get("properties")
                .and_then(|p| p.get("expressionEvaluationOptions"))
                .and_then(|o| o.get("scope"))
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        let own_template = if inner {
            decl.get_mut("properties")
                .and_then(Value::as_object_mut)
                .and_then(|p| p.remove("template"))
        } else {
            None
        };
        let frame = Frame {
            copy: &inst.loops,
            lookup,
        };
        let mut body = self
            .evaluator
            .value(&Value::Object(decl), frame)
            .map_err(|e| e.at(&inst.path))?;
        if let (Some(t), Some(p)) = (own_template, body.get_mut("properties")) {
            p["template"] = t;
        }
        Ok(body)
    }

    /// The `outputs`, evaluated: `{"name": {"type", "value"}}`.
    pub(crate) fn outputs(
        &self,
        lookup: &dyn Fn(&str) -> Option<Value>,
    ) -> Result<Value, TemplateError> {
        let frame = Frame { copy: &[], lookup };
        let mut out = Map::new();
        for (name, decl) in &self.outputs {
            if let Some(c) = decl.get("condition")
                && !truthy("condition", &self.evaluator.value(c, frame)?)?
            {
                continue;
            }
            let ty = decl.get("type").and_then(Value::as_str).unwrap_or("string");
            let value = match decl.get("value") {
                Some(v) => self.evaluator.value(v, frame),
                None => Ok(Value::Null),
            }
            .map_err(|e| e.at(&format!("outputs.{name}")))?;
            let mut o = Map::new();
            o.insert("type".into(), Value::from(output_type(ty)));
            if !params::is_secure(ty) {
                o.insert("value".into(), value);
            }
            out.insert(name.clone(), Value::Object(o));
        }
        Ok(Value::Object(out))
    }
}

/// ARM's spelling of an output type (`String`, `Int`, `Bool`, `Object`, `Array`).
fn output_type(t: &str) -> String {
    let mut c = t.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

struct Parent<'p> {
    index: usize,
    inst: &'p Instance,
}

fn expand(
    ev: &Evaluator,
    decls: &[Value],
    parent: Option<&Parent<'_>>,
    prefix: &str,
    out: &mut Vec<Instance>,
) -> Result<(), TemplateError> {
    for (k, decl) in decls.iter().enumerate() {
        let path = format!("{prefix}[{k}]");
        let (copy_name, count) = match decl.get("copy") {
            Some(c) => {
                let name = c.get("name").and_then(Value::as_str).ok_or_else(|| {
                    TemplateError::invalid(format!("The copy of '{path}' needs a 'name'."))
                })?;
                let count = ev
                    .copy_count(c.get("count"), name, Frame::plain())
                    .map_err(|e| e.at(&path))?;
                (Some(name.to_owned()), count)
            }
            None => (None, 1),
        };
        for i in 0..count {
            let mut loops = parent.map(|p| p.inst.loops.clone()).unwrap_or_default();
            let at = match &copy_name {
                Some(n) => {
                    loops.push((n.clone(), i64::try_from(i).unwrap_or(i64::MAX)));
                    format!("{path}[{i}]")
                }
                None => path.clone(),
            };
            let inst = instance(ev, decl, parent, at, copy_name.clone(), loops)?;
            out.push(inst);
            if out.len() > ev.limits.max_resources {
                return Err(TemplateError::limit(format!(
                    "The template has more than {} resources (copies included); ARM's limit is 800.",
                    ev.limits.max_resources
                )));
            }
            if let Some(Value::Array(children)) = decl.get("resources") {
                let index = out.len() - 1;
                let me = out[index].clone();
                let p = Parent { index, inst: &me };
                expand(
                    ev,
                    children,
                    Some(&p),
                    &format!("{}.resources", me.path),
                    out,
                )?;
            }
        }
    }
    Ok(())
}

fn instance(
    ev: &Evaluator,
    decl: &Value,
    parent: Option<&Parent<'_>>,
    path: String,
    copy_name: Option<String>,
    loops: Vec<(String, i64)>,
) -> Result<Instance, TemplateError> {
    let frame = Frame {
        copy: &loops,
        lookup: &|_| None,
    };
    let mut deployed = match decl.get("condition") {
        Some(c) => truthy("condition", &ev.value(c, frame).map_err(|e| e.at(&path))?)?,
        None => true,
    };
    if let Some(p) = parent {
        deployed &= p.inst.deployed;
    }
    // A resource whose condition is false is never deployed: ARM does not hold it to a valid
    // name (azure-ai-ml's template names skipped resources after null parameters).
    let field = |k: &str| -> Result<String, TemplateError> {
        let raw = decl.get(k).ok_or_else(|| {
            TemplateError::invalid(format!("The template resource '{path}' has no '{k}'."))
        })?;
        match ev
            .value(raw, frame)
            .map_err(|e| e.at(&format!("{path}.{k}")))
        {
            Ok(Value::String(s)) => Ok(s),
            Ok(_) | Err(_) if !deployed => Ok(String::new()),
            Ok(other) => Err(TemplateError::invalid(format!(
                "The '{k}' of template resource '{path}' must be a string, not {other}."
            ))),
            Err(e) => Err(e),
        }
    };
    let (mut type_name, mut name) = (field("type")?, field("name")?);
    let api_version = field("apiVersion")?;
    if let Some(p) = parent {
        if !type_name.contains('/') || !type_name.contains('.') {
            type_name = format!("{}/{type_name}", p.inst.type_name);
        }
        if name.split('/').count() < type_name.split('/').count() - 1 {
            name = format!("{}/{name}", p.inst.name);
        }
    }
    let names: Vec<&str> = name.split('/').collect();
    let id = match type_path(&type_name, &names) {
        Ok(tp) => format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{tp}",
            ev.ctx.subscription, ev.ctx.resource_group
        ),
        Err(_) if !deployed => String::new(),
        Err(_) => {
            return Err(TemplateError::invalid(format!(
                "Deployment template validation failed: 'The template resource '{name}' at '{path}' for type '{type_name}' has incorrect segment lengths. A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name.'"
            )));
        }
    };
    let depends_on = if deployed {
        depends_on(ev, decl, frame, &path)?
    } else {
        Vec::new()
    };
    let mut raw = decl.clone();
    if let Some(o) = raw.as_object_mut() {
        o.remove("resources");
    }
    Ok(Instance {
        path,
        type_name,
        name,
        api_version,
        id,
        copy_name,
        loops,
        raw,
        depends_on,
        parent: parent.map(|p| p.index),
        deployed,
        waits_for: Vec::new(),
    })
}

fn depends_on(
    ev: &Evaluator,
    decl: &Value,
    frame: Frame<'_>,
    path: &str,
) -> Result<Vec<String>, TemplateError> {
    let Some(Value::Array(items)) = decl.get("dependsOn") else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|d| {
            match ev
                .value(d, frame)
                .map_err(|e| e.at(&format!("{path}.dependsOn")))?
            {
                Value::String(s) => Ok(s),
                other => Err(TemplateError::invalid(format!(
                    "A dependsOn entry of '{path}' must be a string, not {other}."
                ))),
            }
        })
        .collect()
}
