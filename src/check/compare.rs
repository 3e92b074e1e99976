//! Comparisons of a query result against the expected value, with messages for learners.
//!
//! Numbers compare numerically (`0 == 0.0`), `ignore_case` applies to every string compared
//! (also inside `in`, `contains` and nested arrays or objects), and a failed comparison says
//! what was expected and what was found, such as `expected 0, got 1`.

use std::cmp::Ordering;

use serde_json::Value;

use crate::lab::types::Check;

/// The comparisons a check can make, as written in a lab.
pub const COMPARISON_NAMES: &[&str] = &[
    "equals",
    "not_equals",
    "in",
    "matches",
    "gte",
    "lte",
    "exists",
    "contains",
];

/// The largest compiled `matches` regex and its lazy DFA cache (the `regex` crate's defaults
/// are 10 MiB and 2 MiB); with [`MAX_REGEXES`] this bounds a lab's total regex compile work.
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;

/// The most `matches` checks a lab may have.
pub const MAX_REGEXES: usize = 200;

/// Compiles a `matches` pattern within [`REGEX_SIZE_LIMIT`].
pub fn build_regex(pattern: &str, ignore_case: bool) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(ignore_case)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
}

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

impl Verdict {
    fn pass() -> Self {
        Verdict {
            passed: true,
            message: None,
        }
    }

    fn fail(message: String) -> Self {
        Verdict {
            passed: false,
            message: Some(message),
        }
    }

    fn when(passed: bool, message: impl FnOnce() -> String) -> Self {
        if passed {
            Self::pass()
        } else {
            Self::fail(message())
        }
    }
}

/// Why a check's comparison cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComparisonError {
    /// None or several of the comparisons are set.
    #[error("a check needs exactly one of {}, found {}", list(COMPARISON_NAMES), found_text(.0))]
    NotExactlyOne(Vec<&'static str>),
    /// The `matches` pattern is not a valid regular expression.
    #[error("invalid regular expression: {0}")]
    Regex(String),
    /// `gte` or `lte` is neither a number nor a string.
    #[error("`{0}` needs a number or a string")]
    NotOrderable(&'static str),
}

fn list(names: &[&str]) -> String {
    names.join(", ")
}

fn found_text(found: &[&str]) -> String {
    if found.is_empty() {
        "none".to_owned()
    } else {
        found.join(" and ")
    }
}

/// The names of the comparisons set on a check, in [`COMPARISON_NAMES`] order.
pub fn present_comparisons(check: &Check) -> Vec<&'static str> {
    let set = [
        check.equals.is_some(),
        check.not_equals.is_some(),
        check.one_of.is_some(),
        check.matches.is_some(),
        check.gte.is_some(),
        check.lte.is_some(),
        check.exists.is_some(),
        check.contains.is_some(),
    ];
    COMPARISON_NAMES
        .iter()
        .zip(set)
        .filter_map(|(n, s)| s.then_some(*n))
        .collect()
}

/// Applies `f` to every string in a JSON value (not to object keys).
pub fn map_strings(v: &Value, f: &mut dyn FnMut(&str) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(f(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| map_strings(x, f)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), map_strings(x, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

impl Comparison {
    /// The comparison of a check, with its expected values as written.
    pub fn from_check(check: &Check) -> Result<Comparison, ComparisonError> {
        Self::from_check_with(check, &mut |s| s.to_owned(), &mut |s| s.to_owned())
    }

    /// The comparison of a check, with `template` applied to every expected string and
    /// `pattern` to the `matches` pattern first; used to substitute `${...}` parameters (into a
    /// pattern as escaped literal text).
    pub fn from_check_with(
        check: &Check,
        template: &mut dyn FnMut(&str) -> String,
        pattern: &mut dyn FnMut(&str) -> String,
    ) -> Result<Comparison, ComparisonError> {
        let found = present_comparisons(check);
        if found.len() != 1 {
            return Err(ComparisonError::NotExactlyOne(found));
        }
        let mut t = |v: &Value| map_strings(v, template);
        let orderable = |name: &'static str, v: Value| match v {
            Value::Number(_) | Value::String(_) => Ok(v),
            _ => Err(ComparisonError::NotOrderable(name)),
        };
        Ok(if let Some(v) = &check.equals {
            Comparison::Equals(t(v))
        } else if let Some(v) = &check.not_equals {
            Comparison::NotEquals(t(v))
        } else if let Some(vs) = &check.one_of {
            Comparison::In(vs.iter().map(&mut t).collect())
        } else if let Some(m) = &check.matches {
            let re = build_regex(&pattern(&m.value), check.ignore_case)
                .map_err(|e| ComparisonError::Regex(e.to_string()))?;
            Comparison::Matches(re)
        } else if let Some(v) = &check.gte {
            Comparison::Gte(orderable("gte", t(v))?)
        } else if let Some(v) = &check.lte {
            Comparison::Lte(orderable("lte", t(v))?)
        } else if let Some(b) = check.exists {
            Comparison::Exists(b)
        } else if let Some(v) = &check.contains {
            Comparison::Contains(t(v))
        } else {
            return Err(ComparisonError::NotExactlyOne(Vec::new()));
        })
    }

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
    pub fn evaluate(&self, actual: &Value, ignore_case: bool) -> Verdict {
        let got = show(actual);
        match self {
            Comparison::Equals(e) => Verdict::when(values_equal(actual, e, ignore_case), || {
                format!("expected {}, got {got}", show(e))
            }),
            Comparison::NotEquals(e) => {
                Verdict::when(!values_equal(actual, e, ignore_case), || {
                    format!("expected a value other than {}, got {got}", show(e))
                })
            }
            Comparison::In(es) => Verdict::when(
                es.iter().any(|e| values_equal(actual, e, ignore_case)),
                || {
                    format!(
                        "expected one of {}, got {got}",
                        show(&Value::Array(es.clone()))
                    )
                },
            ),
            Comparison::Matches(re) => {
                let text = match actual {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                };
                let matched = text.is_some_and(|t| {
                    if ignore_case {
                        build_regex(re.as_str(), true)
                            .map_or_else(|_| re.is_match(&t), |ci| ci.is_match(&t))
                    } else {
                        re.is_match(&t)
                    }
                });
                Verdict::when(matched, || {
                    format!("expected a value matching {}, got {got}", re.as_str())
                })
            }
            Comparison::Gte(e) => order(actual, e, ignore_case, ">=", |o| o != Ordering::Less),
            Comparison::Lte(e) => order(actual, e, ignore_case, "<=", |o| o != Ordering::Greater),
            Comparison::Exists(true) => {
                Verdict::when(!actual.is_null(), || format!("expected a value, got {got}"))
            }
            Comparison::Exists(false) => Verdict::when(actual.is_null(), || {
                format!("expected no value (null), got {got}")
            }),
            Comparison::Contains(e) => {
                let held = match (actual, e) {
                    (Value::Array(items), _) => {
                        items.iter().any(|i| values_equal(i, e, ignore_case))
                    }
                    (Value::String(s), Value::String(needle)) => {
                        if ignore_case {
                            s.to_lowercase().contains(&needle.to_lowercase())
                        } else {
                            s.contains(needle.as_str())
                        }
                    }
                    _ => false,
                };
                Verdict::when(held, || match actual {
                    Value::Array(_) | Value::String(_) => {
                        format!("expected a value containing {}, got {got}", show(e))
                    }
                    _ => format!(
                        "expected an array or a string containing {}, got {got}",
                        show(e)
                    ),
                })
            }
        }
    }
}

/// `gte` / `lte`: numbers numerically, strings lexicographically (ISO dates sort right).
fn order(
    actual: &Value,
    expected: &Value,
    ignore_case: bool,
    op: &str,
    ok: impl Fn(Ordering) -> bool,
) -> Verdict {
    let ordering = match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => None,
        },
        (Value::String(a), Value::String(b)) if ignore_case => {
            Some(a.to_lowercase().cmp(&b.to_lowercase()))
        }
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    };
    match ordering {
        Some(o) => Verdict::when(ok(o), || {
            format!(
                "expected a value {op} {}, got {}",
                show(expected),
                show(actual)
            )
        }),
        None => {
            let kind = if expected.is_number() {
                "number"
            } else {
                "string"
            };
            Verdict::fail(format!(
                "expected a {kind} {op} {}, got {}",
                show(expected),
                show(actual)
            ))
        }
    }
}

/// JSON equality with numbers compared by value and optional case-insensitive strings.
pub fn values_equal(a: &Value, b: &Value, ignore_case: bool) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::String(x), Value::String(y)) => {
            if ignore_case {
                x.to_lowercase() == y.to_lowercase()
            } else {
                x == y
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(x, y)| values_equal(x, y, ignore_case))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, xv)| y.get(k).is_some_and(|yv| values_equal(xv, yv, ignore_case)))
        }
        _ => a == b,
    }
}

/// A value as compact JSON for messages, shortened when long.
pub fn show(v: &Value) -> String {
    const MAX: usize = 200;
    let s = v.to_string();
    if s.chars().count() > MAX {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        s
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(c: &Comparison, actual: Value, ignore_case: bool) -> (bool, Option<String>) {
        let v = c.evaluate(&actual, ignore_case);
        (v.passed, v.message)
    }

    fn re(p: &str) -> Comparison {
        Comparison::Matches(regex::Regex::new(p).unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn equals() {
        let c = Comparison::Equals(json!(0));
        assert_eq!(eval(&c, json!(0.0), false), (true, None));
        assert_eq!(
            eval(&c, json!(1), false),
            (false, Some("expected 0, got 1".into()))
        );
        let c = Comparison::Equals(json!("STANDARD_DS11_V2"));
        assert!(eval(&c, json!("Standard_DS11_v2"), true).0);
        assert_eq!(
            eval(&c, json!("Standard_DS11_v2"), false).1.as_deref(),
            Some("expected \"STANDARD_DS11_V2\", got \"Standard_DS11_v2\"")
        );
        assert_eq!(
            eval(&c, Value::Null, false).1.as_deref(),
            Some("expected \"STANDARD_DS11_V2\", got null")
        );
        assert!(
            eval(
                &Comparison::Equals(json!({"a": [1, "X"]})),
                json!({"a": [1.0, "x"]}),
                true
            )
            .0
        );
    }

    #[test]
    fn not_equals() {
        let c = Comparison::NotEquals(json!("Failed"));
        assert!(eval(&c, json!("Succeeded"), false).0);
        assert_eq!(
            eval(&c, json!("failed"), true).1.as_deref(),
            Some("expected a value other than \"Failed\", got \"failed\"")
        );
    }

    #[test]
    fn one_of() {
        let c = Comparison::In(vec![json!("Dedicated")]);
        assert!(eval(&c, json!("dedicated"), true).0);
        assert_eq!(
            eval(&c, json!("LowPriority"), false).1.as_deref(),
            Some("expected one of [\"Dedicated\"], got \"LowPriority\"")
        );
    }

    #[test]
    fn matches() {
        let c = re(r"^ci\d+$");
        assert!(eval(&c, json!("ci42"), false).0);
        assert!(eval(&c, json!("CI42"), true).0);
        assert_eq!(
            eval(&c, json!("x"), false).1.as_deref(),
            Some("expected a value matching ^ci\\d+$, got \"x\"")
        );
        assert!(!eval(&c, Value::Null, false).0);
        assert!(eval(&re(r"^\d+$"), json!(4), false).0);
    }

    #[test]
    fn gte_lte() {
        let c = Comparison::Gte(json!(2));
        assert!(eval(&c, json!(2.0), false).0);
        assert_eq!(
            eval(&c, json!(1), false).1.as_deref(),
            Some("expected a value >= 2, got 1")
        );
        assert_eq!(
            eval(&c, json!("3"), false).1.as_deref(),
            Some("expected a number >= 2, got \"3\"")
        );
        let c = Comparison::Lte(json!("2025-01-01"));
        assert!(eval(&c, json!("2024-12-31T10:00:00Z"), false).0);
        assert_eq!(
            eval(&c, json!("2025-02-01"), false).1.as_deref(),
            Some("expected a value <= \"2025-01-01\", got \"2025-02-01\"")
        );
    }

    #[test]
    fn exists() {
        assert!(eval(&Comparison::Exists(true), json!(0), false).0);
        assert_eq!(
            eval(&Comparison::Exists(true), Value::Null, false)
                .1
                .as_deref(),
            Some("expected a value, got null")
        );
        assert!(eval(&Comparison::Exists(false), Value::Null, false).0);
        assert_eq!(
            eval(&Comparison::Exists(false), json!("x"), false)
                .1
                .as_deref(),
            Some("expected no value (null), got \"x\"")
        );
    }

    #[test]
    fn contains() {
        let c = Comparison::Contains(json!("Env"));
        assert!(eval(&c, json!(["env", "team"]), true).0);
        assert!(!eval(&c, json!(["env", "team"]), false).0);
        assert!(eval(&c, json!("my-env-1"), true).0);
        assert_eq!(
            eval(&c, json!("abc"), false).1.as_deref(),
            Some("expected a value containing \"Env\", got \"abc\"")
        );
        assert_eq!(
            eval(&c, json!(3), false).1.as_deref(),
            Some("expected an array or a string containing \"Env\", got 3")
        );
        assert!(eval(&Comparison::Contains(json!(1)), json!([1.0, 2]), false).0);
    }

    #[test]
    fn long_values_are_shortened() {
        let long = "x".repeat(500);
        let msg = eval(&Comparison::Equals(json!("a")), json!(long), false).1;
        assert!(msg.is_some_and(|m| m.ends_with('…') && m.len() < 260));
    }
}
