//! Lint: everything about a parsed lab that serde cannot check. Identifiers, `needs` (unknown
//! steps and cycles), queries, comparisons, regexes, durations, `${...}` parameters, points and
//! resource paths. Every problem is collected; none stops the others.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use serde_saphyr::Spanned;

use super::diagnostic::{DiagKind, Problem};
use super::query_literal;
use super::sources::Sources;
use super::span::{Region, ScalarMap, item_start, key_col, range};
use super::suggest::{did_you_mean, list};
use super::template::{self, Ref, Template};
use super::types::{Check, Lab, Step};
use crate::check::compare::{COMPARISON_NAMES, MAX_REGEXES, build_regex, present_comparisons};
use crate::check::query::{BUILTIN_FUNCTIONS, Query, QueryErrorKind};

/// The message of a check without any comparison.
pub(crate) const NO_COMPARISON: &str = "check has no comparison";

/// Lints a lab (merged with the setup it includes: positions are in `sources.merged`); the
/// problems are sorted by position.
pub(crate) fn lint(lab: &Lab, sources: &Sources) -> Vec<Problem> {
    let source = sources.merged.as_str();
    let mut l = Linter {
        lab,
        source,
        sources,
        problems: Vec::new(),
        params: lab.params.iter().map(|(k, _)| k.value.as_str()).collect(),
        rendered: Default::default(),
        regexes: 0,
    };
    l.lab_id();
    l.params();
    l.steps();
    l.needs_cycles();
    if let (Err(e), Some(m)) = (super::resolve::pass_mark(lab), &lab.pass_mark) {
        let (o, len) = range(source, m);
        l.push(Problem::new(DiagKind::Points, o, len, e, "pass mark").with_help(
            "a pass mark is points (pass_mark: 12) or a percentage of the lab's points (pass_mark: \"70%\")",
        ));
    }
    let mut problems = l.problems;
    problems.sort_by(|a, b| (a.offset, &a.message).cmp(&(b.offset, &b.message)));
    problems.dedup_by(|a, b| a.offset == b.offset && a.message == b.message);
    problems
}

/// Where the text of a templated string is in the file.
#[derive(Clone, Copy)]
enum Loc {
    /// A spanned YAML scalar.
    Scalar(ScalarMap),
    /// A string without a span (inside a JSON value, or a plain `String` field): searched for
    /// in a region of the file.
    Search(Region),
}

struct Linter<'a> {
    lab: &'a Lab,
    source: &'a str,
    /// The files the lab is made of, to name where something else is.
    sources: &'a Sources,
    problems: Vec<Problem>,
    params: Vec<&'a str>,
    /// Parameters' static renderings (see [`Linter::try_static_render`]), so parameters that
    /// use each other twice cost linear, not exponential, time.
    rendered: std::cell::RefCell<HashMap<String, Result<String, bool>>>,
    /// `matches` checks seen (at most [`MAX_REGEXES`] are compiled).
    regexes: usize,
}

fn is_id(s: &str, first: impl Fn(char) -> bool, rest: impl Fn(char) -> bool) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(first) && chars.all(rest)
}

/// The regions of the merged text that belong to each step: to the next step of the same
/// file, or the end of the step's file.
fn step_regions(lab: &Lab, sources: &Sources) -> Vec<Region> {
    let source = sources.merged.as_str();
    let starts: Vec<usize> = lab
        .steps
        .iter()
        .map(|s| item_start(source, range(source, &s.id).0))
        .collect();
    let file_end = |at: usize| {
        let i = sources.file_of(at);
        sources.files.get(i + 1).map_or(source.len(), |f| f.base)
    };
    regions(&starts, file_end)
}

fn regions(starts: &[usize], file_end: impl Fn(usize) -> usize) -> Vec<Region> {
    starts
        .iter()
        .enumerate()
        .map(|(i, &start)| {
            let end = file_end(start);
            Region {
                start,
                end: starts
                    .get(i + 1)
                    .copied()
                    .filter(|&e| e > start && e <= end)
                    .unwrap_or(end),
            }
        })
        .collect()
}

impl<'a> Linter<'a> {
    fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    fn at<T>(&self, s: &Spanned<T>) -> (usize, usize) {
        range(self.source, s)
    }

    fn lab_id(&mut self) {
        let id = &self.lab.id;
        let ok = is_id(
            &id.value,
            |c| c.is_ascii_lowercase() || c.is_ascii_digit(),
            |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
        );
        if !ok {
            let (o, l) = self.at(id);
            self.push(
                Problem::new(DiagKind::Id, o, l, format!("invalid lab id `{}`", id.value), "invalid id")
                    .with_help("use lower-case letters, digits and `-`, starting with a letter or digit (for example `dp100-04-compute`)"),
            );
        }
    }

    // ---- parameters -------------------------------------------------------------------------

    fn params(&mut self) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (name, param) in self.lab.params.iter() {
            let (o, l) = self.at(name);
            let n = name.value.as_str();
            if n == "subscription" || n == "random" {
                self.push(
                    Problem::new(
                        DiagKind::Param,
                        o,
                        l,
                        format!("`{n}` is a built-in placeholder and cannot be a parameter"),
                        "reserved name",
                    )
                    .with_help("choose another name"),
                );
            } else if !is_id(
                n,
                |c| c.is_ascii_alphabetic() || c == '_',
                |c| c.is_ascii_alphanumeric() || c == '_' || c == '-',
            ) {
                self.push(
                    Problem::new(
                        DiagKind::Param,
                        o,
                        l,
                        format!("invalid parameter name `{n}`"),
                        "invalid name",
                    )
                    .with_help("use letters, digits, `_` and `-`, starting with a letter or `_`"),
                );
            }
            if seen.insert(n, o).is_some() {
                self.push(Problem::new(
                    DiagKind::Param,
                    o,
                    l,
                    format!("parameter `{n}` is defined twice"),
                    "defined again here",
                ));
            }
            if let Some(default) = &param.default {
                let loc = Loc::Scalar(ScalarMap::of(self.source, default));
                if let Some(t) = self.template(&default.value, loc, true)
                    && self.try_static_render(&t, &mut vec![n.to_owned()]) == Err(true)
                {
                    let (o, l) = self.at(default);
                    let message = template::too_long(usize::MAX).unwrap_or_default();
                    self.push(
                        Problem::new(
                            DiagKind::Param,
                            o,
                            l,
                            format!("parameter `{n}`: {message}"),
                            "expands too far",
                        )
                        .with_help(format!(
                            "a parameter's value is at most {} bytes",
                            template::MAX_EXPANDED_BYTES
                        )),
                    );
                }
            }
        }
        self.param_cycles();
    }

    /// The parameters each parameter's default refers to, with where.
    fn param_graph(&self) -> BTreeMap<&'a str, Vec<(&'a str, usize, usize)>> {
        let mut graph = BTreeMap::new();
        for (name, param) in self.lab.params.iter() {
            let mut edges = Vec::new();
            if let Some(default) = &param.default
                && let Ok(t) = Template::parse(&default.value)
            {
                let map = ScalarMap::of(self.source, default);
                for p in t.placeholders() {
                    if let Ref::Param(r) = &p.reference
                        && let Some(target) = self.params.iter().find(|x| **x == r.as_str())
                    {
                        let (s, l) = p.name_range();
                        edges.push((*target, map.at(s), map.at(s + l) - map.at(s)));
                    }
                }
            }
            graph.entry(name.value.as_str()).or_insert(edges);
        }
        graph
    }

    fn param_cycles(&mut self) {
        let graph = self.param_graph();
        let order: Vec<&str> = self
            .lab
            .params
            .iter()
            .map(|(k, _)| k.value.as_str())
            .collect();
        let cycles = find_cycles(&order, |n| {
            graph
                .get(n)
                .map(|e| e.iter().map(|(t, o, l)| (*t, *o, *l)).collect())
                .unwrap_or_default()
        });
        for (path, o, l) in cycles {
            self.push(
                Problem::new(
                    DiagKind::Param,
                    o,
                    l,
                    format!("parameter cycle: {}", path.join(" -> ")),
                    "closes the cycle",
                )
                .with_help("a parameter's default cannot depend on itself"),
            );
        }
    }

    /// Checks the placeholders of a templated string.
    fn template<'t>(
        &mut self,
        text: &'t str,
        loc: Loc,
        allow_random: bool,
    ) -> Option<Template<'t>> {
        let source = self.source;
        let locate = |start: usize, len: usize| -> (usize, usize) {
            match loc {
                Loc::Scalar(m) => {
                    let o = m.at(start);
                    (o, m.at(start + len).saturating_sub(o).max(1))
                }
                Loc::Search(r) => r
                    .find(source, text.get(start..start + len).unwrap_or(""))
                    .map_or((r.start, 0), |o| (o, len)),
            }
        };
        let t = match Template::parse(text) {
            Ok(t) => t,
            Err(e) => {
                let (o, l) = locate(e.start, e.len);
                self.problems
                    .push(Problem::new(DiagKind::Param, o, l, e.message, "here"));
                return None;
            }
        };
        let mut problems = Vec::new();
        for p in t.placeholders() {
            let (o, l) = locate(p.start, p.end - p.start);
            match &p.reference {
                Ref::Param(name) if !self.params.contains(&name.as_str()) => {
                    let help = match did_you_mean(name, &self.params) {
                        Some(d) => d,
                        None if self.params.is_empty() => {
                            "define it under `params:` (built in: `subscription`, `random:N`)".to_owned()
                        }
                        None => format!(
                            "define it under `params:`; parameters: {} (built in: `subscription`, `random:N`)",
                            list(&self.params)
                        ),
                    };
                    problems.push(
                        Problem::new(DiagKind::Param, o, l, format!("undefined parameter `{name}`"), "not a parameter")
                            .with_help(help),
                    );
                }
                Ref::Random(n) if !allow_random => problems.push(
                    Problem::new(DiagKind::Param, o, l, format!("`${{random:{n}}}` can only be used in a parameter default"), "not allowed here")
                        .with_help(format!("declare a parameter such as `suffix: {{default: \"${{random:{n}}}\"}}` and use `${{suffix}}`, so the value stays the same between commands")),
                ),
                _ => {}
            }
        }
        self.problems.extend(problems);
        Some(t)
    }

    fn template_value(&mut self, v: &Value, region: Region) {
        match v {
            Value::String(s) => {
                self.template(s, Loc::Search(region), false);
            }
            Value::Array(a) => a.iter().for_each(|x| self.template_value(x, region)),
            Value::Object(o) => o.values().for_each(|x| self.template_value(x, region)),
            _ => {}
        }
    }

    // ---- steps ------------------------------------------------------------------------------

    fn steps(&mut self) {
        let regions = step_regions(self.lab, self.sources);
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let all_ids: Vec<&str> = self.lab.steps.iter().map(|s| s.id.value.as_str()).collect();
        for (step, region) in self.lab.steps.iter().zip(regions) {
            let (o, l) = self.at(&step.id);
            let id = step.id.value.as_str();
            if !is_id(
                id,
                |c| c.is_ascii_alphanumeric(),
                |c| c.is_ascii_alphanumeric() || c == '_' || c == '-',
            ) {
                self.push(
                    Problem::new(
                        DiagKind::Id,
                        o,
                        l,
                        format!("invalid step id `{id}`"),
                        "invalid id",
                    )
                    .with_help("use letters, digits, `_` and `-`, starting with a letter or digit"),
                );
            }
            if let Some(first) = ids.get(id) {
                let first = *first;
                let (line, _) = self.sources.line_col(first);
                let same_file = self.sources.file_of(first) == self.sources.file_of(o);
                let where_ = if same_file {
                    format!("line {line}")
                } else {
                    self.sources.describe(first)
                };
                if !same_file {
                    self.push(
                        Problem::new(
                            DiagKind::Id,
                            first,
                            l,
                            format!("duplicate step id `{id}`"),
                            "first used here",
                        )
                        .with_help(format!(
                            "step ids must be unique in a lab and the setup it includes; `{id}` is used again in {}",
                            self.sources.describe(o)
                        )),
                    );
                }
                self.push(
                    Problem::new(
                        DiagKind::Id,
                        o,
                        l,
                        format!("duplicate step id `{id}`"),
                        "used again here",
                    )
                    .with_help(format!(
                        "step ids must be unique; `{id}` is first used on {where_}"
                    )),
                );
            } else {
                ids.insert(id, o);
            }
            for need in &step.needs {
                let (no, nl) = self.at(need);
                if !all_ids.contains(&need.value.as_str()) {
                    let help = did_you_mean(&need.value, &all_ids)
                        .unwrap_or_else(|| format!("steps of this lab: {}", list(&all_ids)));
                    self.push(
                        Problem::new(
                            DiagKind::Needs,
                            no,
                            nl,
                            format!("unknown step `{}`", need.value),
                            "no step has this id",
                        )
                        .with_help(help),
                    );
                }
            }
            self.step(step, region);
        }
        for name in &self.lab.setup {
            let (no, nl) = self.at(name);
            if !all_ids.contains(&name.value.as_str()) {
                let help = did_you_mean(&name.value, &all_ids)
                    .unwrap_or_else(|| format!("steps of this lab: {}", list(&all_ids)));
                self.push(
                    Problem::new(
                        DiagKind::Needs,
                        no,
                        nl,
                        format!("setup names unknown step `{}`", name.value),
                        "no step has this id",
                    )
                    .with_help(help),
                );
            }
        }
    }

    fn step(&mut self, step: &Step, region: Region) {
        let source = self.source;
        let col = key_col(source, range(source, &step.id).0);
        self.template(&step.title, Loc::Search(region), false);
        self.resource(step);
        if let Some(create) = &step.create {
            let body_at = region.find_key(source, "body", None);
            let create_at = region
                .find_key(source, "create", Some(col))
                .unwrap_or(region.start);
            match &create.body {
                Some(_) if create.spec.is_some() => self.push(
                    Problem::new(DiagKind::Check, create_at, 6, "`create` has both `body` and `spec`", "both given")
                        .with_help("keep one: `body:` (the ARM JSON) or `spec:` (an az ml YAML file)"),
                ),
                None if create.spec.is_some() => {}
                Some(body @ Value::Object(_)) => {
                    let body_region = Region { start: body_at.unwrap_or(region.start), end: region.end };
                    self.template_value(body, body_region);
                }
                Some(_) => self.push(
                    Problem::new(DiagKind::Check, body_at.unwrap_or(create_at), 4, "`create.body` must be a mapping (the ARM request body)", "not a mapping"),
                ),
                None => self.push(
                    Problem::new(DiagKind::Check, create_at, 6, "`create` needs a `body` (the ARM request body to PUT) or a `spec`", "no body")
                        .with_help("add `body:` with the resource's JSON, `spec:` with an az ml YAML file, or remove `create` to only check the resource"),
                ),
            }
        }
        if let Some(wait) = &step.wait {
            self.query(&wait.until);
            if let Some(t) = &wait.timeout {
                self.duration(t);
            }
        }
        if let Some(t) = &step.timeout {
            self.duration(t);
        }
        let starts: Vec<usize> = step
            .expect
            .iter()
            .map(|c| item_start(source, range(source, &c.query).0).max(region.start))
            .collect();
        let check_regions = regions(&starts, |_| region.end);
        for (check, cregion) in step.expect.iter().zip(check_regions) {
            self.check(check, cregion);
        }
        self.points(step, region, col);
        self.delete(step, region, col);
    }

    /// A deleting step (`delete: true`) has nothing to create, wait for, check or score.
    fn delete(&mut self, step: &Step, region: Region, col: usize) {
        if !step.delete {
            return;
        }
        let source = self.source;
        let at = |key: &str| region.find_key(source, key, Some(col));
        let delete_at = at("delete").unwrap_or_else(|| range(source, &step.id).0);
        let extra = [
            ("create", step.create.is_some()),
            ("wait", step.wait.is_some()),
            ("expect", !step.expect.is_empty()),
            ("data_plane", step.data_plane.is_some()),
            ("points", step.points.is_some()),
        ];
        for (key, _) in extra.iter().filter(|(_, given)| *given) {
            self.push(
                Problem::new(DiagKind::Check, at(key).unwrap_or(delete_at), key.len(), format!("step `{}` deletes its resource (`delete: true`) and also has `{key}`", step.id.value), "not with `delete`")
                    .with_help("a deleting step only deletes: create the resource in the step it `needs`, and check what the learner does in a later step"),
            );
        }
    }

    fn resource(&mut self, step: &Step) {
        let res = &step.resource;
        let (o, l) = self.at(res);
        let Some(t) = self.template(
            &res.value,
            Loc::Scalar(ScalarMap::of(self.source, res)),
            false,
        ) else {
            return;
        };
        let rendered = self.static_render(&t, &mut Vec::new());
        // The template as written (each placeholder as one plain name), then as rendered with
        // the defaults.
        let dummy: Result<_, std::convert::Infallible> = t.render(|_| Ok("x".to_owned()));
        let written = dummy.map(|r| r.text).unwrap_or_default();
        let why = crate::arm::path::problem(&written)
            .or_else(|| rendered.as_deref().and_then(crate::arm::path::problem));
        if let Some(why) = why {
            self.push(
                Problem::new(DiagKind::Resource, o, l, why, "not a resource id")
                    .with_help("a resource id is `/`-separated names: no `..`, `\\`, `#`, `?` or empty segment"),
            );
        }
        self.data_plane(step, rendered.as_deref());
        let bad = match &rendered {
            Some(r) => !r.starts_with("/subscriptions/"),
            None => !(res.value.starts_with('/') || res.value.starts_with("${")),
        };
        if bad {
            let shown = rendered.as_deref().unwrap_or(&res.value);
            self.push(
                Problem::new(DiagKind::Resource, o, l, format!("resource `{shown}` is not an ARM resource id"), "must start with `/subscriptions/`")
                    .with_help("write the full path, for example `/subscriptions/${subscription}/resourceGroups/${resource_group}`"),
            );
        }
    }

    /// A `data_plane:` path starts with `/` and names no `..` or `#`, on a resource whose type
    /// has a data plane amlab knows (judged on the resource rendered with the defaults).
    fn data_plane(&mut self, step: &Step, rendered: Option<&str>) {
        let Some(dp) = &step.data_plane else {
            return;
        };
        let (o, l) = self.at(&dp.path);
        let path = &dp.path.value;
        let why = if path.starts_with('/') {
            crate::arm::path::problem(path)
        } else {
            Some("it does not start with `/`".to_owned())
        };
        if let Some(why) = why {
            self.push(
                Problem::new(DiagKind::Resource, o, l, format!("data-plane path `{path}`: {why}"), "not a data-plane path")
                    .with_help("a path on the service's endpoint such as `/indexes/my-index` or `/indexers/my-indexer/search.status`"),
            );
        }
        if let Some(r) = rendered
            && crate::arm::data_plane::for_resource(r).is_none()
        {
            let ty = crate::arm::resource_types::resource_type(r);
            self.push(
                Problem::new(
                    DiagKind::Resource,
                    o,
                    l,
                    format!("`{ty}` has no data plane amlab can check"),
                    "data_plane on this step",
                )
                .with_help(format!(
                    "data_plane works on a resource of type {}",
                    crate::arm::data_plane::supported()
                )),
            );
        }
    }

    /// Renders a template with parameter defaults, a dummy subscription and dummy randoms;
    /// `None` when some value is unknown (a parameter without default, an undefined one) or
    /// the result is too long.
    fn static_render(&self, t: &Template<'_>, stack: &mut Vec<String>) -> Option<String> {
        self.try_static_render(t, stack).ok()
    }

    /// [`Self::static_render`], telling an unknown value (`Ok(false)` as error) from a result
    /// longer than [`template::MAX_EXPANDED_BYTES`] (`true`); stops as soon as a part is too
    /// long, so parameters that double each other cost no more than the limit.
    fn try_static_render(&self, t: &Template<'_>, stack: &mut Vec<String>) -> Result<String, bool> {
        let r = t.render(|p| match &p.reference {
            Ref::Subscription => Ok("00000000-0000-0000-0000-000000000000".to_owned()),
            Ref::Random(n) => Ok("x".repeat(*n)),
            Ref::Param(name) => {
                if stack.contains(name) {
                    return Err(false);
                }
                if let Some(done) = self.rendered.borrow().get(name) {
                    return done.clone();
                }
                let default = self
                    .lab
                    .params
                    .get(name)
                    .and_then(|p| p.default.as_ref())
                    .ok_or(false)?;
                let inner = Template::parse(&default.value).map_err(|_| false)?;
                stack.push(name.clone());
                let v = self.try_static_render(&inner, stack);
                stack.pop();
                self.rendered.borrow_mut().insert(name.clone(), v.clone());
                v
            }
        })?;
        match template::too_long(r.text.len()) {
            Some(_) => Err(true),
            None => Ok(r.text),
        }
    }

    fn duration(&mut self, d: &Spanned<String>) {
        if let Err(e) = humantime::parse_duration(d.value.trim()) {
            let (o, l) = self.at(d);
            self.push(
                Problem::new(
                    DiagKind::Duration,
                    o,
                    l,
                    format!("invalid duration `{}`", d.value),
                    e.to_string(),
                )
                .with_help("use a number and a unit, such as `90s`, `20m` or `1h`"),
            );
        }
    }

    fn query(&mut self, q: &Spanned<String>) {
        let map = ScalarMap::of(self.source, q);
        let Some(t) = self.template(&q.value, Loc::Scalar(map), false) else {
            return;
        };
        let mut in_json = Vec::new();
        let rendered: Result<_, std::convert::Infallible> = t.render_after(|p, before| {
            let len = p.end - p.start;
            Ok(
                query_literal::dummy(query_literal::context_after(before), len).unwrap_or_else(
                    || {
                        in_json.push(p.clone());
                        format!("\"{}\"", "_".repeat(len - 2))
                    },
                ),
            )
        });
        let dummy = match rendered {
            Ok(r) => r,
            Err(never) => match never {},
        };
        for p in in_json {
            let name = match &p.reference {
                Ref::Param(n) => n.as_str(),
                _ => "subscription",
            };
            let (o, l) = (map.at(p.start), p.end - p.start);
            self.push(
                Problem::new(DiagKind::Query, o, l, query_literal::not_in_json(name), "not a literal here")
                    .with_help("parameter values enter a query only as literals: in '...', in a JSON string, or bare as a string"),
            );
        }
        let Err(e) = Query::compile(&dummy.text) else {
            return;
        };
        let start = map.at(dummy.source_pos(e.offset));
        let end = map.at(dummy.source_pos(e.offset + e.len));
        let len = end.saturating_sub(start);
        let p = match &e.kind {
            QueryErrorKind::Syntax if t.placeholders().any(|p| (p.start..p.end).contains(&dummy.source_pos(e.offset))) =>
                Problem::new(DiagKind::Query, start, len, format!("invalid JMESPath query `{}`", q.value), e.message)
                    .with_help("a `${...}` outside quotes stands for a string literal (its value never becomes query text), which cannot stand here"),
            QueryErrorKind::Syntax => Problem::new(DiagKind::Query, start, len, format!("invalid JMESPath query `{}`", q.value), e.message)
                .with_help("queries use JMESPath, the language of `az ... --query`; string literals are 'quoted', JSON literals `backticked`"),
            QueryErrorKind::Limit => Problem::new(DiagKind::Query, start, len.max(1), e.message.clone(), "limit reached here")
                .with_help("split the check into several smaller queries"),
            QueryErrorKind::UnknownFunction { name } => {
                let help = did_you_mean(name, BUILTIN_FUNCTIONS)
                    .unwrap_or_else(|| format!("JMESPath functions: {}", BUILTIN_FUNCTIONS.join(", ")));
                Problem::new(DiagKind::Query, start, len, e.message, "unknown function").with_help(help)
            }
        };
        self.push(p);
    }

    fn check(&mut self, check: &Check, region: Region) {
        self.query(&check.query);
        let (qo, ql) = self.at(&check.query);
        let found = present_comparisons(check);
        if found.len() != 1 {
            let message = if found.is_empty() {
                NO_COMPARISON.to_owned()
            } else {
                format!("check has {} comparisons: {}", found.len(), list(&found))
            };
            self.push(
                Problem::new(DiagKind::Check, qo, ql, message, "this check").with_help(format!(
                    "a check needs exactly one of {}",
                    list(COMPARISON_NAMES)
                )),
            );
        }
        if let Some(m) = &check.matches {
            let map = ScalarMap::of(self.source, m);
            self.regexes += 1;
            if self.regexes > MAX_REGEXES {
                let (o, l) = self.at(m);
                if self.regexes == MAX_REGEXES + 1 {
                    self.push(
                        Problem::new(DiagKind::Check, o, l, format!("more than {MAX_REGEXES} `matches` checks in one lab"), "one too many")
                            .with_help("a lab's regular expressions are bounded in number and size, so that compiling them stays quick"),
                    );
                }
            } else if let Some(t) = self.template(&m.value, Loc::Scalar(map), false)
                && let Err(e) = build_regex(&t.render_dummy().text, check.ignore_case)
            {
                let (o, l) = self.at(m);
                let text = e.to_string();
                let label = text
                    .lines()
                    .find_map(|l| l.strip_prefix("error: "))
                    .unwrap_or(&text)
                    .to_owned();
                self.push(Problem::new(
                    DiagKind::Check,
                    o,
                    l,
                    format!("invalid regular expression `{}`", m.value),
                    label,
                ));
            }
        }
        for (name, v) in [("gte", &check.gte), ("lte", &check.lte)] {
            if let Some(v) = v
                && !(v.is_number() || v.is_string())
            {
                let o = region.find_key(self.source, name, None).unwrap_or(qo);
                self.push(
                    Problem::new(
                        DiagKind::Check,
                        o,
                        name.len(),
                        format!("`{name}` needs a number or a string"),
                        "not a number or string",
                    )
                    .with_help("strings compare in dictionary order (ISO dates sort correctly)"),
                );
            }
        }
        let values = [
            &check.equals,
            &check.not_equals,
            &check.gte,
            &check.lte,
            &check.contains,
        ];
        for v in values.into_iter().flatten() {
            self.template_value(v, region);
        }
        if let Some(vs) = &check.one_of {
            vs.iter().for_each(|v| self.template_value(v, region));
        }
        if let Some(h) = &check.hint {
            self.template(h, Loc::Search(region), false);
        }
        if let Some(t) = &check.title {
            self.template(t, Loc::Search(region), false);
        }
    }

    fn points(&mut self, step: &Step, region: Region, col: usize) {
        let sum: Option<u32> = step
            .expect
            .iter()
            .filter_map(|c| c.points)
            .fold(None, |acc, p| Some(acc.unwrap_or(0).saturating_add(p)));
        if let (Some(own), Some(sum)) = (step.points, sum)
            && own != sum
        {
            let o = region
                .find_key(self.source, "points", Some(col))
                .unwrap_or_else(|| range(self.source, &step.id).0);
            self.push(
                    Problem::new(DiagKind::Points, o, 6, format!("step `{}` has {own} points but its checks add up to {sum}", step.id.value), "does not match the checks")
                        .with_help(format!("remove the step's `points` (it defaults to the checks' sum), or set it to {sum}")),
                );
        }
    }

    fn needs_cycles(&mut self) {
        let mut first: HashMap<&str, &Step> = HashMap::new();
        for s in &self.lab.steps {
            first.entry(s.id.value.as_str()).or_insert(s);
        }
        let order: Vec<&str> = self.lab.steps.iter().map(|s| s.id.value.as_str()).collect();
        let source = self.source;
        let cycles = find_cycles(&order, |n| {
            first
                .get(n)
                .map(|s| {
                    s.needs
                        .iter()
                        .filter_map(|need| {
                            let (o, l) = range(source, need);
                            order.iter().find(|x| **x == need.value).map(|t| (*t, o, l))
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
        for (path, o, l) in cycles {
            self.push(
                Problem::new(
                    DiagKind::Needs,
                    o,
                    l,
                    format!("needs cycle: {}", path.join(" -> ")),
                    "closes the cycle",
                )
                .with_help("steps cannot need each other in a circle; remove one of these `needs`"),
            );
        }
    }
}

/// An edge of a dependency graph: target and the position of the reference.
type Edge<'n> = (&'n str, usize, usize);

/// Finds cycles with a depth-first search in `order`; for each edge that closes a cycle
/// returns the cycle (`a -> b -> a`) and the edge's position.
fn find_cycles<'n>(
    order: &[&'n str],
    edges: impl Fn(&str) -> Vec<Edge<'n>>,
) -> Vec<(Vec<&'n str>, usize, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Active,
        Done,
    }
    let mut marks: HashMap<&str, Mark> = HashMap::new();
    let mut found = Vec::new();
    let mut reported: HashSet<(usize, usize)> = HashSet::new();
    for &root in order {
        if marks.contains_key(root) {
            continue;
        }
        // Iterative DFS: a stack of (node, its edges, next edge index).
        let mut stack: Vec<(&str, Vec<Edge<'n>>, usize)> = vec![(root, edges(root), 0)];
        marks.insert(root, Mark::Active);
        while let Some((node, es, i)) = stack.last_mut() {
            let Some(&(target, o, l)) = es.get(*i) else {
                marks.insert(node, Mark::Done);
                stack.pop();
                continue;
            };
            *i += 1;
            match marks.get(target) {
                Some(Mark::Active) => {
                    if reported.insert((o, l)) {
                        let from = stack.iter().position(|(n, _, _)| *n == target).unwrap_or(0);
                        let mut path: Vec<&str> =
                            stack[from..].iter().map(|(n, _, _)| *n).collect();
                        path.push(target);
                        found.push((path, o, l));
                    }
                }
                Some(Mark::Done) => {}
                None => {
                    marks.insert(target, Mark::Active);
                    let e = edges(target);
                    stack.push((target, e, 0));
                }
            }
        }
    }
    found
}
