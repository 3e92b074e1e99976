//! Evaluates expressions and JSON values of a template in a scope: the bound parameters, the
//! variables (evaluated on first use, cycles refused), the copy loop indexes of the resource
//! being evaluated, and a way to read deployed resources for `reference()`.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::expr::{self, Expr};
use super::{Context, Limits, TemplateError, functions};

/// Reads a resource (its full body as a GET shows it) by id, for `reference()`.
pub(crate) type Lookup<'a> = &'a dyn Fn(&str) -> Option<Value>;

/// What varies from one evaluation to the next: the copy loops being expanded (outermost
/// first: loop name and index) and the resource reader.
#[derive(Clone, Copy)]
pub(crate) struct Frame<'f> {
    /// Copy loop indexes, outermost first.
    pub(crate) copy: &'f [(String, i64)],
    /// Reads deployed resources.
    pub(crate) lookup: Lookup<'f>,
}

fn no_lookup(_: &str) -> Option<Value> {
    None
}

impl Frame<'static> {
    /// A frame outside any copy loop that reads no resources.
    pub(crate) fn plain() -> Self {
        Frame {
            copy: &[],
            lookup: &no_lookup,
        }
    }
}

/// A template's evaluation scope.
pub(crate) struct Evaluator {
    /// The template's `variables` section.
    variables: Map<String, Value>,
    /// Bound parameter values.
    pub(crate) params: Map<String, Value>,
    /// Variables evaluated so far.
    cache: RefCell<BTreeMap<String, Value>>,
    /// Variables being evaluated (a cycle check).
    visiting: RefCell<Vec<String>>,
    /// The deployment's context.
    pub(crate) ctx: Context,
    /// The bounds.
    pub(crate) limits: Limits,
    /// Function calls evaluated so far.
    steps: Cell<u64>,
}

impl Evaluator {
    /// A scope over a template's variables and bound parameters.
    pub(crate) fn new(
        variables: Map<String, Value>,
        params: Map<String, Value>,
        ctx: Context,
        limits: Limits,
    ) -> Self {
        Self {
            variables,
            params,
            cache: RefCell::new(BTreeMap::new()),
            visiting: RefCell::new(Vec::new()),
            ctx,
            limits,
            steps: Cell::new(0),
        }
    }

    /// Counts one evaluation step; fails past [`Limits::max_steps`].
    pub(crate) fn step(&self) -> Result<(), TemplateError> {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        if n > self.limits.max_steps {
            return Err(TemplateError::limit(format!(
                "The template needs more than {} evaluation steps; simplify its expressions.",
                self.limits.max_steps
            )));
        }
        Ok(())
    }

    /// Evaluates a JSON value: every `[...]` string is an expression, recursively.
    pub(crate) fn value(&self, v: &Value, frame: Frame<'_>) -> Result<Value, TemplateError> {
        self.value_at(v, frame, 0)
    }

    fn value_at(&self, v: &Value, frame: Frame<'_>, depth: usize) -> Result<Value, TemplateError> {
        if depth > self.limits.max_depth {
            return Err(TemplateError::limit(format!(
                "The template nests values deeper than {} levels.",
                self.limits.max_depth
            )));
        }
        match v {
            Value::String(s) => self.string(s, frame),
            Value::Array(items) => items
                .iter()
                .map(|x| self.value_at(x, frame, depth + 1))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Object(map) => self.object(map, frame, depth),
            other => Ok(other.clone()),
        }
    }

    fn object(
        &self,
        map: &Map<String, Value>,
        frame: Frame<'_>,
        depth: usize,
    ) -> Result<Value, TemplateError> {
        let mut out = Map::new();
        for (k, x) in map {
            if k == "copy" && x.is_array() {
                for (name, items) in self.property_copies(x, frame)? {
                    out.insert(name, Value::Array(items));
                }
                continue;
            }
            let key = match self.string(k, frame)? {
                Value::String(s) => s,
                other => other.to_string(),
            };
            out.insert(key, self.value_at(x, frame, depth + 1)?);
        }
        Ok(Value::Object(out))
    }

    /// A property `copy` array: each entry makes the array property `name` of `count` items.
    fn property_copies(
        &self,
        copies: &Value,
        frame: Frame<'_>,
    ) -> Result<Vec<(String, Vec<Value>)>, TemplateError> {
        let mut out = Vec::new();
        for c in copies.as_array().into_iter().flatten() {
            let name = c
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| TemplateError::invalid("A property copy needs a 'name' string."))?;
            let count = self.copy_count(c.get("count"), name, frame)?;
            let input = c.get("input").ok_or_else(|| {
                TemplateError::invalid(format!("The property copy '{name}' needs an 'input'."))
            })?;
            let mut items = Vec::with_capacity(count);
            for i in 0..count {
                let mut loops = frame.copy.to_vec();
                loops.push((name.to_owned(), i64::try_from(i).unwrap_or(i64::MAX)));
                let inner = Frame {
                    copy: &loops,
                    lookup: frame.lookup,
                };
                items.push(self.value(input, inner)?);
            }
            out.push((name.to_owned(), items));
        }
        Ok(out)
    }

    /// Evaluates a `copy.count` and checks it against [`Limits::max_copy`].
    pub(crate) fn copy_count(
        &self,
        count: Option<&Value>,
        name: &str,
        frame: Frame<'_>,
    ) -> Result<usize, TemplateError> {
        let raw = match count {
            Some(v) => self.value(v, frame)?,
            None => Value::Null,
        };
        let n = raw
            .as_i64()
            .or_else(|| raw.as_str().and_then(|s| s.parse().ok()));
        match n.and_then(|n| usize::try_from(n).ok()) {
            Some(n) if n <= self.limits.max_copy => Ok(n),
            _ => Err(TemplateError::limit(format!(
                "The copy '{name}' has an invalid copy count '{raw}'. The copy count must be a non-negative integer value and cannot exceed '{}'.",
                self.limits.max_copy
            ))),
        }
    }

    /// Evaluates a string: an expression, an escaped `[[` literal, or a plain string.
    pub(crate) fn string(&self, s: &str, frame: Frame<'_>) -> Result<Value, TemplateError> {
        match expr::expression_text(s) {
            Some(text) => {
                let e = expr::parse(text, self.limits.max_depth)?;
                self.expr(&e, frame)
            }
            None => Ok(Value::String(expr::unescape_literal(s).to_owned())),
        }
    }

    /// Evaluates a parsed expression.
    pub(crate) fn expr(&self, e: &Expr, frame: Frame<'_>) -> Result<Value, TemplateError> {
        self.step()?;
        match e {
            Expr::Str(s) => Ok(Value::String(s.clone())),
            Expr::Int(n) => Ok(Value::from(*n)),
            Expr::Call(name, args) => functions::call(self, frame, name, args),
            Expr::Prop(base, name) => {
                let v = self.expr(base, frame)?;
                property(&v, name)
            }
            Expr::Index(base, index) => {
                let v = self.expr(base, frame)?;
                let i = self.expr(index, frame)?;
                index_of(&v, &i)
            }
        }
    }

    /// The value of variable `name` (evaluated once; a circular reference is an error).
    pub(crate) fn variable(&self, name: &str, frame: Frame<'_>) -> Result<Value, TemplateError> {
        if let Some(v) = self.cache.borrow().get(name) {
            return Ok(v.clone());
        }
        let Some((key, raw)) = self
            .variables
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
        else {
            return Err(TemplateError::invalid(format!(
                "The template variable '{name}' is not found. Please see https://aka.ms/arm-template/#variables for usage details."
            )));
        };
        if self.visiting.borrow().iter().any(|v| v == key) {
            return Err(TemplateError::invalid(format!(
                "The template variable '{key}' has a circular reference to itself."
            )));
        }
        self.visiting.borrow_mut().push(key.clone());
        let plain = Frame {
            copy: &[],
            lookup: frame.lookup,
        };
        let result = self.value(raw, plain);
        self.visiting.borrow_mut().pop();
        let v = result?;
        self.cache.borrow_mut().insert(name.to_owned(), v.clone());
        Ok(v)
    }

    /// Expands the `copy` entries of the `variables` section into named array variables.
    pub(crate) fn expand_variable_copies(&mut self) -> Result<(), TemplateError> {
        let Some(copies) = self.variables.remove("copy") else {
            return Ok(());
        };
        for (name, items) in self.property_copies(&copies, Frame::plain())? {
            self.cache
                .borrow_mut()
                .insert(name.clone(), Value::Array(items));
            self.variables.insert(name, Value::Null);
        }
        Ok(())
    }
}

/// `value.name` (case-insensitive on objects, as ARM).
fn property(v: &Value, name: &str) -> Result<Value, TemplateError> {
    let found = v.as_object().and_then(|o| {
        o.get(name).or_else(|| {
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, x)| x)
        })
    });
    found.cloned().ok_or_else(|| {
        TemplateError::invalid(format!(
            "The language expression property '{name}' doesn't exist, available properties are '{}'.",
            v.as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        ))
    })
}

/// `value[index]`: an array position or an object property.
fn index_of(v: &Value, i: &Value) -> Result<Value, TemplateError> {
    match (v, i) {
        (Value::Array(items), Value::Number(n)) => n
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .and_then(|n| items.get(n))
            .cloned()
            .ok_or_else(|| {
                TemplateError::invalid(format!(
                    "The language expression index '{n}' is out of bounds of an array of {} items.",
                    items.len()
                ))
            }),
        (Value::Object(_), Value::String(name)) => property(v, name),
        _ => Err(TemplateError::invalid(format!(
            "The language expression cannot index a {} with '{i}'.",
            functions::type_name(v)
        ))),
    }
}
