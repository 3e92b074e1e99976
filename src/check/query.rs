//! JMESPath queries: compiled once at load time, evaluated over resource JSON.
//!
//! Wraps the `jmespath` crate so that a replacement stays inside this module. Compiling also
//! rejects calls to functions JMESPath does not have (the crate itself only notices them when
//! the query runs).

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

/// The functions of the JMESPath specification (what `az --query` accepts).
pub const BUILTIN_FUNCTIONS: &[&str] = &[
    "abs",
    "avg",
    "ceil",
    "contains",
    "ends_with",
    "floor",
    "join",
    "keys",
    "length",
    "map",
    "max",
    "max_by",
    "merge",
    "min",
    "min_by",
    "not_null",
    "reverse",
    "sort",
    "sort_by",
    "starts_with",
    "sum",
    "to_array",
    "to_number",
    "to_string",
    "type",
    "values",
];

/// A compiled JMESPath expression. Cheap to clone, and `Send + Sync`.
#[derive(Clone)]
pub struct Query {
    text: String,
    expr: Arc<jmespath::Expression<'static>>,
}

/// What kind of problem a query has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryErrorKind {
    /// The text is not a JMESPath expression.
    Syntax,
    /// A call to a function JMESPath does not have.
    UnknownFunction {
        /// The function name as written.
        name: String,
    },
    /// Longer, deeper or more fanned out than [`crate::check::query_limits`] allows.
    Limit,
}

/// Why a query does not compile: a message and the byte offset in the query text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at offset {offset})")]
pub struct QueryError {
    /// Byte offset in the query text where the problem is.
    pub offset: usize,
    /// Length in bytes of the offending text (at least 1 when the query is not empty).
    pub len: usize,
    /// What is wrong.
    pub message: String,
    /// Syntax error or unknown function.
    pub kind: QueryErrorKind,
}

impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Query").field(&self.text).finish()
    }
}

impl PartialEq for Query {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Query {
    /// Compiles a JMESPath expression, rejecting syntax errors and unknown functions.
    pub fn compile(text: &str) -> Result<Query, QueryError> {
        if let Err((offset, message)) = super::query_limits::check_text(text) {
            return Err(QueryError {
                offset: offset.min(text.len()),
                len: usize::from(offset < text.len()),
                message,
                kind: QueryErrorKind::Limit,
            });
        }
        let expr = jmespath::compile(text).map_err(|e| {
            let message = match e.reason {
                jmespath::ErrorReason::Parse(m) => m,
                other => other.to_string(),
            };
            let offset = e.offset.min(text.len());
            QueryError {
                offset,
                len: usize::from(offset < text.len()),
                message,
                kind: QueryErrorKind::Syntax,
            }
        })?;
        let mut calls = Vec::new();
        function_calls(expr.as_ast(), text, &mut calls);
        if let Some((offset, name)) = calls
            .into_iter()
            .find(|(_, n)| !BUILTIN_FUNCTIONS.contains(&n.as_str()))
        {
            return Err(QueryError {
                offset,
                len: name.len(),
                message: format!("unknown function `{name}()`"),
                kind: QueryErrorKind::UnknownFunction { name },
            });
        }
        Ok(Query {
            text: text.to_owned(),
            expr: Arc::new(expr),
        })
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates the query over a JSON document. `Err` carries a runtime error message
    /// (for example a wrong argument type).
    pub fn eval(&self, doc: &Value) -> Result<Value, String> {
        let result = self.expr.search(doc).map_err(|e| match e.reason {
            jmespath::ErrorReason::Runtime(r) => r.to_string(),
            other => other.to_string(),
        })?;
        let max = super::query_limits::MAX_RESULT_NODES;
        if !super::query_limits::within(&result, &mut max.clone()) {
            return Err(format!("the query's result holds more than {max} values"));
        }
        serde_json::to_value(&*result).map_err(|e| e.to_string())
    }

    /// JMESPath truthiness of the result (`false`, `null`, `""`, `[]`, `{}` are false).
    pub fn holds(&self, doc: &Value) -> bool {
        matches!(self.eval(doc), Ok(v) if crate::check::compare::truthy(&v))
    }
}

/// Collects (byte offset of the name, name) for every function call in the AST.
fn function_calls(ast: &jmespath::ast::Ast, text: &str, out: &mut Vec<(usize, String)>) {
    use jmespath::ast::Ast;
    match ast {
        Ast::Function { offset, name, args } => {
            // The parser records the offset of `(`; the name ends just before it.
            let before = text.get(..*offset).unwrap_or(text).trim_end();
            let start = if before.ends_with(name.as_str()) {
                before.len() - name.len()
            } else {
                (*offset).min(text.len())
            };
            out.push((start, name.clone()));
            for a in args {
                function_calls(a, text, out);
            }
        }
        Ast::Comparison { lhs, rhs, .. }
        | Ast::Projection { lhs, rhs, .. }
        | Ast::And { lhs, rhs, .. }
        | Ast::Or { lhs, rhs, .. }
        | Ast::Subexpr { lhs, rhs, .. } => {
            function_calls(lhs, text, out);
            function_calls(rhs, text, out);
        }
        Ast::Condition {
            predicate, then, ..
        } => {
            function_calls(predicate, text, out);
            function_calls(then, text, out);
        }
        Ast::Expref { ast, .. } => function_calls(ast, text, out),
        Ast::Flatten { node, .. } | Ast::Not { node, .. } | Ast::ObjectValues { node, .. } => {
            function_calls(node, text, out);
        }
        Ast::MultiList { elements, .. } => {
            for e in elements {
                function_calls(e, text, out);
            }
        }
        Ast::MultiHash { elements, .. } => {
            for kv in elements {
                function_calls(&kv.value, text, out);
            }
        }
        Ast::Identity { .. }
        | Ast::Field { .. }
        | Ast::Index { .. }
        | Ast::Literal { .. }
        | Ast::Slice { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn query_is_send_sync_clone() {
        assert_send_sync::<Query>();
    }

    #[test]
    fn evaluates_az_style_queries() {
        let doc = json!({"name": "mlw-1", "properties": {"provisioningState": "Succeeded",
            "computes": [{"n": "a", "t": "AmlCompute"}, {"n": "b", "t": "ComputeInstance"}]}});
        let q = Query::compile("properties.provisioningState == 'Succeeded'");
        assert!(q.as_ref().is_ok_and(|q| q.holds(&doc)));
        let q = Query::compile("properties.computes[?t=='AmlCompute'].n");
        assert_eq!(q.ok().and_then(|q| q.eval(&doc).ok()), Some(json!(["a"])));
        let q = Query::compile("starts_with(name, 'mlw-')");
        assert_eq!(q.ok().and_then(|q| q.eval(&doc).ok()), Some(json!(true)));
        let q = Query::compile("missing.field");
        assert!(q.as_ref().is_ok_and(|q| !q.holds(&doc)));
        assert!(
            Query::compile("length(name)")
                .ok()
                .and_then(|q| q.eval(&json!({"name": 3})).err())
                .is_some()
        );
    }

    #[test]
    fn results_too_large_to_copy_out_are_errors() {
        let doc = json!({"a": (0..5000).collect::<Vec<_>>()});
        let fan = (0..8).fold("a".to_owned(), |q, _| format!("[{q},{q}]"));
        let q = Query::compile(&fan);
        let e = q.ok().and_then(|q| q.eval(&doc).err());
        assert_eq!(
            e.as_deref(),
            Some("the query's result holds more than 1000000 values")
        );
        assert!(Query::compile("[a,a]").is_ok_and(|q| q.eval(&doc).is_ok()));
    }

    #[test]
    fn syntax_error_has_offset() {
        let e = Query::compile("a.b == 'x").err();
        assert_eq!(e.as_ref().map(|e| e.offset), Some(7));
        assert_eq!(e.map(|e| e.kind), Some(QueryErrorKind::Syntax));
    }

    #[test]
    fn unknown_function_points_at_name() {
        let e = Query::compile("a || lenght(foo)").err();
        assert_eq!(e.as_ref().map(|e| (e.offset, e.len)), Some((5, 6)));
        assert_eq!(
            e.map(|e| e.kind),
            Some(QueryErrorKind::UnknownFunction {
                name: "lenght".into()
            })
        );
        assert!(Query::compile("sort_by(items, &name)[0]").is_ok());
    }
}
