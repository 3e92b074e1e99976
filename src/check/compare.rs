//! Comparisons of a query result against the expected value, with messages for learners.
//! (placeholder API; implemented by the lab/check work)

use serde_json::Value;

/// One comparison with its expected value.
#[derive(Debug, Clone)]
pub enum Comparison {
    /// `equals`
    Equals(Value),
    /// `not_equals`
    NotEquals(Value),
    /// `in`
    In(Vec<Value>),
    /// `matches` (regex)
    Matches(regex::Regex),
    /// `gte`
    Gte(Value),
    /// `lte`
    Lte(Value),
    /// `exists`
    Exists(bool),
    /// `contains`
    Contains(Value),
}

/// The verdict of one comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Whether it held.
    pub passed: bool,
    /// On failure, what was expected and what was found, in words.
    pub message: Option<String>,
}

impl Comparison {
    /// The comparison's name as written in a lab (`equals`, `in`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Comparison::Equals(_) => "equals",
            Comparison::NotEquals(_) => "not_equals",
            Comparison::In(_) => "in",
            Comparison::Matches(_) => "matches",
            Comparison::Gte(_) => "gte",
            Comparison::Lte(_) => "lte",
            Comparison::Exists(_) => "exists",
            Comparison::Contains(_) => "contains",
        }
    }

    /// The expected value as JSON, for reports.
    pub fn expected(&self) -> Value {
        match self {
            Comparison::Equals(v)
            | Comparison::NotEquals(v)
            | Comparison::Gte(v)
            | Comparison::Lte(v)
            | Comparison::Contains(v) => v.clone(),
            Comparison::In(vs) => Value::Array(vs.clone()),
            Comparison::Matches(r) => Value::String(r.as_str().to_owned()),
            Comparison::Exists(b) => Value::Bool(*b),
        }
    }

    /// Evaluates the comparison against the query's result.
    pub fn evaluate(&self, _actual: &Value, _ignore_case: bool) -> Verdict {
        Verdict {
            passed: false,
            message: None,
        }
    }
}

/// JMESPath truthiness.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(_) => true,
    }
}
