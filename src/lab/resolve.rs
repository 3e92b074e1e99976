//! Resolution: parameter values (`--var`s, a replayed run's recorded values, remembered and
//! generated randoms, defaults), then substitution into every templated string, compiled
//! queries, parsed durations and points.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use serde_json::Value;
use serde_saphyr::Spanned;
use sha2::{Digest, Sha256};

use super::diagnostic::{DiagKind, LabDiagnostic, Problem};
use super::query_literal;
use super::resolved::{
    PassMark, ResolvedCheck, ResolvedDataPlane, ResolvedLab, ResolvedStep, ResolvedWait,
};
use super::span::range;
use super::suggest::{did_you_mean, list};
use super::template::{MAX_TOTAL_EXPANDED_BYTES, Ref, Template};
use super::types::{Check, PassMarkValue, Step};
use super::{LabFile, ResolveContext};
use crate::check::compare::Comparison;
use crate::check::query::Query;

/// Default for `wait.timeout` and a step's `timeout`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

const RANDOM_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `n` random lower-case letters and digits.
fn random_text(n: usize) -> String {
    (0..n)
        .map(|_| char::from(RANDOM_CHARS[fastrand::usize(..RANDOM_CHARS.len())]))
        .collect()
}

/// Computes parameter values on demand, following references between defaults.
struct Values<'a> {
    file: &'a LabFile,
    ctx: &'a ResolveContext,
    values: BTreeMap<String, String>,
    generated: BTreeMap<String, String>,
    active: HashSet<String>,
    /// Parameters needed without a value (reported where they are declared).
    missing: std::collections::BTreeSet<String>,
    /// Bytes produced by substitution so far (bounded by [`MAX_TOTAL_EXPANDED_BYTES`]).
    expanded: usize,
}

impl Values<'_> {
    /// Counts `len` rendered bytes against the string and whole-lab limits.
    fn spend(&mut self, len: usize) -> Result<(), String> {
        if let Some(e) = super::template::too_long(len) {
            return Err(e);
        }
        self.expanded = self.expanded.saturating_add(len);
        if self.expanded > MAX_TOTAL_EXPANDED_BYTES {
            return Err(format!(
                "substitution produces more than {MAX_TOTAL_EXPANDED_BYTES} bytes over the lab"
            ));
        }
        Ok(())
    }

    fn get(&mut self, name: &str) -> Result<String, String> {
        if let Some(v) = self.values.get(name) {
            return Ok(v.clone());
        }
        if let Some(v) = self.ctx.vars.get(name) {
            self.values.insert(name.to_owned(), v.clone());
            return Ok(v.clone());
        }
        // A recorded value stands unless the parameter is derived from one given with --var
        // now (then it is derived again: `--var suffix=x` renames everything named after it).
        if let Some(v) = self.ctx.recorded.get(name)
            && !self.derives_from_var(name, &mut HashSet::new())
        {
            self.values.insert(name.to_owned(), v.clone());
            return Ok(v.clone());
        }
        let param = self
            .file
            .lab
            .params
            .get(name)
            .ok_or_else(|| format!("undefined parameter `{name}`"))?;
        let Some(default) = param.default.as_ref() else {
            self.missing.insert(name.to_owned());
            return Err(format!(
                "parameter `{name}` has no value: pass `--var {name}=VALUE`"
            ));
        };
        let template = Template::parse(&default.value).map_err(|e| e.message)?;
        let has_random = template
            .placeholders()
            .any(|p| matches!(p.reference, Ref::Random(_)));
        if has_random && let Some(v) = self.ctx.remembered.get(name) {
            self.values.insert(name.to_owned(), v.clone());
            return Ok(v.clone());
        }
        if !self.active.insert(name.to_owned()) {
            return Err(format!("parameter `{name}` depends on itself"));
        }
        let rendered = template.render(|p| match &p.reference {
            Ref::Param(n) => self.get(n),
            Ref::Subscription => Ok(self.ctx.subscription.clone()),
            Ref::Random(n) => Ok(random_text(*n)),
        });
        self.active.remove(name);
        let value = rendered?.text;
        self.spend(value.len())?;
        if has_random {
            self.generated.insert(name.to_owned(), value.clone());
        }
        self.values.insert(name.to_owned(), value.clone());
        Ok(value)
    }

    /// Whether `name`'s default refers, directly or through other defaults, to a parameter
    /// given with `--var` (`seen` guards against cycles, which are reported elsewhere).
    fn derives_from_var(&self, name: &str, seen: &mut HashSet<String>) -> bool {
        if !seen.insert(name.to_owned()) {
            return false;
        }
        let Some(template) = self
            .file
            .lab
            .params
            .get(name)
            .and_then(|p| p.default.as_ref())
            .and_then(|d| Template::parse(&d.value).ok())
        else {
            return false;
        };
        template.placeholders().any(|p| match &p.reference {
            Ref::Param(n) => self.ctx.vars.contains_key(n) || self.derives_from_var(n, seen),
            _ => false,
        })
    }

    /// Whether valuing `name` now would generate a random value or need a `--var` (a
    /// parameter nothing needs is then left without a value; `seen` guards against cycles).
    fn would_generate_or_fail(&self, name: &str, seen: &mut HashSet<String>) -> bool {
        if self.values.contains_key(name) || self.ctx.vars.contains_key(name) {
            return false;
        }
        if self.ctx.recorded.contains_key(name) && !self.derives_from_var(name, &mut HashSet::new())
        {
            return false;
        }
        if !seen.insert(name.to_owned()) {
            return true;
        }
        let Some(template) = self
            .file
            .lab
            .params
            .get(name)
            .and_then(|p| p.default.as_ref())
            .and_then(|d| Template::parse(&d.value).ok())
        else {
            seen.remove(name);
            return true;
        };
        let answer = template.placeholders().any(|p| match &p.reference {
            Ref::Random(_) => !self.ctx.remembered.contains_key(name),
            Ref::Param(n) => self.would_generate_or_fail(n, seen),
            Ref::Subscription => false,
        });
        seen.remove(name);
        answer
    }

    /// A parameter's value, or the subscription for `subscription`.
    fn param(&mut self, name: &str) -> Result<String, String> {
        if name == "subscription" {
            return Ok(self.ctx.subscription.clone());
        }
        self.get(name)
    }

    /// Substitutes a templated string outside parameter defaults.
    fn sub(&mut self, text: &str) -> Result<String, String> {
        let template = Template::parse(text).map_err(|e| e.message)?;
        if template.is_literal() {
            return Ok(text.to_owned());
        }
        let rendered = template.render(|p| match &p.reference {
            Ref::Param(n) => self.get(n),
            Ref::Subscription => Ok(self.ctx.subscription.clone()),
            Ref::Random(n) => Err(format!(
                "`${{random:{n}}}` can only be used in a parameter default"
            )),
        })?;
        self.spend(rendered.text.len())?;
        Ok(rendered.text)
    }

    /// Substitutes a query: every value enters as a literal escaped for where it stands
    /// (see [`super::query_literal`]), never as query text.
    fn sub_query(&mut self, text: &str) -> Result<String, String> {
        let template = Template::parse(text).map_err(|e| e.message)?;
        let rendered = template.render_after(|p, before| {
            let (name, value) = match &p.reference {
                Ref::Param(n) => (n.as_str(), self.get(n)?),
                Ref::Subscription => ("subscription", self.ctx.subscription.clone()),
                Ref::Random(n) => {
                    return Err(format!(
                        "`${{random:{n}}}` can only be used in a parameter default"
                    ));
                }
            };
            query_literal::escape(query_literal::context_after(before), &value, name)
        })?;
        self.spend(rendered.text.len())?;
        Ok(rendered.text)
    }

    /// Substitutes a `matches` pattern: every value enters as escaped literal text, so a value
    /// such as `.*` matches only itself.
    fn sub_pattern(&mut self, text: &str) -> Result<String, String> {
        let template = Template::parse(text).map_err(|e| e.message)?;
        let rendered = template.render(|p| match &p.reference {
            Ref::Param(n) => self.get(n).map(|v| regex::escape(&v)),
            Ref::Subscription => Ok(regex::escape(&self.ctx.subscription)),
            Ref::Random(n) => Err(format!(
                "`${{random:{n}}}` can only be used in a parameter default"
            )),
        })?;
        self.spend(rendered.text.len())?;
        Ok(rendered.text)
    }

    fn sub_value(&mut self, v: &Value) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) => Value::String(self.sub(s)?),
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|x| self.sub_value(x))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| Ok((k.clone(), self.sub_value(x)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }
}

/// Collects problems while resolving, so that all of them are reported.
struct Resolver<'a> {
    values: Values<'a>,
    problems: Vec<Problem>,
    /// Errors inside steps' specs, located in the spec files.
    in_specs: Vec<LabDiagnostic>,
}

impl Resolver<'_> {
    fn source(&self) -> &str {
        &self.values.file.source
    }

    fn fail<T>(&mut self, at: &Spanned<T>, message: String, label: &str) {
        let (o, l) = range(self.source(), at);
        self.problems
            .push(Problem::new(DiagKind::Param, o, l, message, label));
    }

    /// Substitutes a spanned string, reporting a failure at it.
    fn sub_at(&mut self, s: &Spanned<String>) -> Option<String> {
        match self.values.sub(&s.value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(s, e, "cannot substitute");
                None
            }
        }
    }

    /// Substitutes a string that has no span, reporting a failure at `near`.
    fn sub_near<T>(&mut self, text: &str, near: &Spanned<T>) -> String {
        match self.values.sub(text) {
            Ok(v) => v,
            Err(e) => {
                self.fail(near, e, "in this step");
                text.to_owned()
            }
        }
    }

    fn query(&mut self, q: &Spanned<String>) -> Option<Query> {
        let text = match self.values.sub_query(&q.value) {
            Ok(v) => v,
            Err(e) => {
                self.fail(q, e, "cannot substitute");
                return None;
            }
        };
        match Query::compile(&text) {
            Ok(query) => Some(query),
            Err(e) => {
                let (o, l) = range(self.source(), q);
                self.problems.push(Problem::new(
                    DiagKind::Query,
                    o,
                    l,
                    format!("after substitution the query `{text}` does not compile"),
                    e.message,
                ));
                None
            }
        }
    }

    fn duration(&mut self, d: Option<&Spanned<String>>) -> Duration {
        let Some(d) = d else { return DEFAULT_TIMEOUT };
        match humantime::parse_duration(d.value.trim()) {
            Ok(v) => v,
            Err(e) => {
                let (o, l) = range(self.source(), d);
                self.problems.push(Problem::new(
                    DiagKind::Duration,
                    o,
                    l,
                    format!("invalid duration `{}`", d.value),
                    e.to_string(),
                ));
                DEFAULT_TIMEOUT
            }
        }
    }

    fn check(&mut self, check: &Check) -> Option<ResolvedCheck> {
        let query = self.query(&check.query);
        let mut error = None;
        let pattern = match check
            .matches
            .as_ref()
            .map(|m| self.values.sub_pattern(&m.value))
        {
            Some(Err(e)) => {
                error = Some(e);
                None
            }
            Some(Ok(p)) => Some(p),
            None => None,
        };
        let mut pattern_of = |s: &str| pattern.clone().unwrap_or_else(|| s.to_owned());
        let comparison = Comparison::from_check_with(
            check,
            &mut |s| match self.values.sub(s) {
                Ok(v) => v,
                Err(e) => {
                    error.get_or_insert(e);
                    s.to_owned()
                }
            },
            &mut pattern_of,
        );
        let comparison = match (comparison, error) {
            (Ok(c), None) => Some(c),
            (Err(e), _) => {
                self.fail(&check.query, e.to_string(), "this check");
                None
            }
            (_, Some(e)) => {
                self.fail(&check.query, e, "this check");
                None
            }
        };
        let title = match &check.title {
            Some(t) => self.sub_near(t, &check.query),
            None => query
                .as_ref()
                .map(|q| q.text().to_owned())
                .unwrap_or_default(),
        };
        let at = range(self.source(), &check.query).0;
        let hint = check.hint.as_ref().map(|h| self.sub_near(h, &check.query));
        Some(ResolvedCheck {
            title,
            query: query?,
            comparison: comparison?,
            ignore_case: check.ignore_case,
            hint,
            points: check.points,
            visibility: check.visibility,
            line: u32::try_from(self.values.file.sources.line_col(at).0).ok(),
            file: (self.values.file.sources.file_of(at) != 0)
                .then(|| self.values.file.sources.file_at(at).map(|f| f.path.clone()))
                .flatten(),
        })
    }

    /// A step's `data_plane`: its path, and a resource whose type has a data plane amlab knows.
    fn data_plane(
        &mut self,
        dp: &super::types::DataPlane,
        resource: Option<&str>,
    ) -> Option<ResolvedDataPlane> {
        let path = self.sub_at(&dp.path)?;
        let bad_path = if path.starts_with('/') {
            crate::arm::path::problem(&path)
        } else {
            Some("it does not start with `/`".to_owned())
        };
        if let Some(why) = bad_path {
            let (o, l) = range(self.source(), &dp.path);
            self.problems.push(
                Problem::new(DiagKind::Resource, o, l, format!("data-plane path `{path}`: {why}"), "not a data-plane path")
                    .with_help("a path on the service's endpoint such as `/indexes/my-index` or `/indexers/my-indexer/search.status`"),
            );
            return None;
        }
        if let Some(r) = resource
            && crate::arm::data_plane::for_resource(r).is_none()
        {
            let (o, l) = range(self.source(), &dp.path);
            self.problems.push(
                Problem::new(
                    DiagKind::Resource,
                    o,
                    l,
                    format!(
                        "`{}` has no data plane amlab can check",
                        crate::arm::resource_types::resource_type(r)
                    ),
                    "data_plane on this step",
                )
                .with_help(format!(
                    "data_plane works on a resource of type {}",
                    crate::arm::data_plane::supported()
                )),
            );
            return None;
        }
        Some(ResolvedDataPlane {
            path,
            api_version: dp.api_version.clone(),
            auth: dp.auth,
        })
    }

    fn step(&mut self, step: &Step) -> Option<ResolvedStep> {
        let resource = self.sub_at(&step.resource);
        if let Some(r) = &resource
            && let Some(why) = crate::arm::path::problem(r)
        {
            let (o, l) = range(self.source(), &step.resource);
            self.problems.push(
                Problem::new(DiagKind::Resource, o, l, format!("after substitution, {why}"), "not a resource id")
                    .with_help("a resource id is `/`-separated names: no `..`, `\\`, `#`, `?` or empty segment"),
            );
        }
        if let Some(r) = &resource
            && !r.starts_with("/subscriptions/")
        {
            let (o, l) = range(self.source(), &step.resource);
            self.problems.push(
                    Problem::new(DiagKind::Resource, o, l, format!("resource `{r}` does not start with `/subscriptions/`"), "after substitution")
                        .with_help("every resource is an ARM id such as `/subscriptions/${subscription}/resourceGroups/...`"),
                );
        }
        let data_plane = match &step.data_plane {
            Some(dp) => Some(self.data_plane(dp, resource.as_deref())?),
            None => None,
        };
        let create = match step.create.as_ref() {
            Some(c) if c.spec.is_some() => {
                let spec = c.spec.as_ref()?;
                let sources = &self.values.file.sources;
                let at = range(&sources.merged, &step.id).0;
                let root = super::spec_step::lab_dir(&self.values.file.path);
                let file = sources.file_at(at).map_or(root, |f| f.path.as_path());
                match super::spec_step::body(file, root, &spec.value, |name| {
                    self.values.param(name)
                }) {
                    Ok(v) => Some(v),
                    Err(super::spec_step::SpecStepError::Step(e)) => {
                        self.fail(spec, e, "this spec");
                        return None;
                    }
                    Err(super::spec_step::SpecStepError::Spec(errors)) => {
                        self.in_specs
                            .extend(super::spec_step::diagnostics(errors, &step.id.value));
                        return None;
                    }
                }
            }
            Some(c) => match c.body.as_ref().map(|b| self.values.sub_value(b)) {
                Some(Ok(v)) => Some(v),
                Some(Err(e)) => {
                    self.fail(&step.id, e, "in this step's body");
                    None
                }
                None => None,
            },
            None => None,
        };
        let wait: Result<Option<ResolvedWait>, ()> = match &step.wait {
            Some(w) => {
                let until = self.query(&w.until);
                let timeout = self.duration(w.timeout.as_ref());
                until
                    .map(|until| Some(ResolvedWait { until, timeout }))
                    .ok_or(())
            }
            None => Ok(None),
        };
        let checks: Vec<Option<ResolvedCheck>> =
            step.expect.iter().map(|c| self.check(c)).collect();
        let checks: Vec<ResolvedCheck> = checks.into_iter().collect::<Option<_>>()?;
        let points = step_points(step);
        let title = self.sub_near(&step.title, &step.id);
        let timeout = self.duration(step.timeout.as_ref());
        Some(ResolvedStep {
            id: step.id.value.clone(),
            title,
            needs: step.needs.iter().map(|n| n.value.clone()).collect(),
            points,
            resource: resource?,
            api_version: step.api_version.clone(),
            create,
            delete: step.delete,
            // A data-plane object goes with its resource: deleted only when asked; a deleting
            // step has nothing of its own to delete.
            teardown: !step.delete
                && step
                    .teardown
                    .unwrap_or(step.create.is_some() && data_plane.is_none()),
            data_plane,
            wait: wait.ok()?,
            checks,
            timeout,
        })
    }
}

/// Checks the `--var`s: each must name a parameter of the lab.
fn check_vars(file: &LabFile, ctx: &ResolveContext) -> Vec<LabDiagnostic> {
    let names: Vec<&str> = file
        .lab
        .params
        .iter()
        .map(|(k, _)| k.value.as_str())
        .collect();
    ctx.vars
        .keys()
        .filter(|v| !names.contains(&v.as_str()))
        .map(|v| {
            let valid = if names.is_empty() {
                format!("{} has no parameters", file.path.display())
            } else {
                format!("parameters of {}: {}", file.path.display(), list(&names))
            };
            let help = match did_you_mean(v, &names) {
                Some(d) => format!("{d}\n{valid}"),
                None if v == "subscription" => {
                    "set the subscription with `--subscription`".to_owned()
                }
                None => valid,
            };
            LabDiagnostic::Unlocated {
                message: format!(
                    "`--var {v}=...` names no parameter of lab `{}`",
                    file.lab.id.value
                ),
                help: Some(help),
            }
        })
        .collect()
}

/// A step's possible points as resolution computes them: none for a deleting step, the sum of
/// its checks' points when any check has its own, else its `points` (default 1).
pub(crate) fn step_points(step: &Step) -> u32 {
    if step.delete {
        0
    } else if step.expect.iter().any(|c| c.points.is_some()) {
        step.expect
            .iter()
            .filter_map(|c| c.points)
            .fold(0u32, u32::saturating_add)
    } else {
        step.points.unwrap_or(1)
    }
}

/// The lab's pass mark, or why it is invalid (a percentage over 100, points over the lab's
/// possible points, points written as a string).
pub(crate) fn pass_mark(lab: &super::types::Lab) -> Result<PassMark, String> {
    let Some(m) = &lab.pass_mark else {
        return Ok(PassMark::AllSteps);
    };
    let possible: u32 = lab.steps.iter().map(step_points).sum();
    match &m.value {
        PassMarkValue::Points(p) if *p > possible => Err(format!(
            "pass mark of {p} points is more than the lab's {possible} possible points"
        )),
        PassMarkValue::Points(p) => Ok(PassMark::Points(*p)),
        PassMarkValue::Percent(t) => match PassMark::parse(t)? {
            PassMark::Points(_) => Err(format!(
                "pass mark \"{t}\": write points as a number (pass_mark: {t}) or a percentage such as \"70%\""
            )),
            other => Ok(other),
        },
    }
}

/// Resolves a lab file (see [`LabFile::resolve`]).
pub(crate) fn resolve(
    file: &LabFile,
    ctx: &ResolveContext,
) -> Result<ResolvedLab, Vec<LabDiagnostic>> {
    let var_problems = check_vars(file, ctx);
    if !var_problems.is_empty() {
        return Err(var_problems);
    }
    let mut r = Resolver {
        values: Values {
            file,
            ctx,
            values: BTreeMap::new(),
            generated: BTreeMap::new(),
            active: HashSet::new(),
            missing: Default::default(),
            expanded: 0,
        },
        problems: Vec::new(),
        in_specs: Vec::new(),
    };
    // The steps pull in the parameters they use (and those their defaults refer to); a
    // parameter nothing needs is valued only when that takes no `--var` and generates nothing,
    // so naming every resource with `--var` is enough.
    let steps: Vec<Option<ResolvedStep>> = file.lab.steps.iter().map(|s| r.step(s)).collect();
    for (name, _) in file.lab.params.iter() {
        if r.values.values.contains_key(&name.value)
            || r.values
                .would_generate_or_fail(&name.value, &mut HashSet::new())
        {
            continue;
        }
        if let Err(e) = r.values.get(&name.value) {
            r.fail(name, e, "no value");
        }
    }
    for (name, _) in file.lab.params.iter() {
        if r.values.missing.contains(&name.value) {
            let message = format!(
                "parameter `{0}` has no value: pass `--var {0}=VALUE`",
                name.value
            );
            r.fail(name, message, "no value");
        }
    }
    let pass_mark = match pass_mark(&file.lab) {
        Ok(pm) => pm,
        Err(e) => {
            if let Some(m) = &file.lab.pass_mark {
                r.fail(m, e, "invalid pass mark");
            }
            PassMark::AllSteps
        }
    };
    if !r.problems.is_empty() || !r.in_specs.is_empty() {
        let mut problems = std::mem::take(&mut r.problems);
        problems.sort_by_key(|p| p.offset);
        problems.dedup_by(|a, b| a.offset == b.offset && a.message == b.message);
        let mut all: Vec<LabDiagnostic> = file.sources.attach(problems);
        all.append(&mut r.in_specs);
        return Err(all);
    }
    let steps: Vec<ResolvedStep> = steps.into_iter().flatten().collect();
    let mut params = r.values.values;
    params.insert("subscription".to_owned(), ctx.subscription.clone());
    let hash = Sha256::digest(file.source.as_bytes());
    Ok(ResolvedLab {
        id: file.lab.id.value.clone(),
        title: file.lab.title.clone(),
        file: file.path.clone(),
        file_hash: hash.iter().map(|b| format!("{b:02x}")).collect(),
        params,
        generated: r.values.generated,
        api_versions: file.lab.api_versions.clone(),
        pass_mark,
        steps,
    })
}
