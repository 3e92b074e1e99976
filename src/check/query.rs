//! JMESPath queries: compiled once at load time, evaluated over resource JSON.
//! (placeholder API; implemented by the lab/check work)

use serde_json::Value;

/// A compiled JMESPath expression.
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
}

impl Query {
    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates the query over a JSON document. `Err` carries a runtime error message
    /// (for example an unknown function or a wrong argument type).
    pub fn eval(&self, _doc: &Value) -> Result<Value, String> {
        Ok(Value::Null)
    }

    /// JMESPath truthiness of the result (`false`, `null`, `""`, `[]`, `{}` are false).
    pub fn holds(&self, doc: &Value) -> bool {
        matches!(self.eval(doc), Ok(v) if crate::check::compare::truthy(&v))
    }
}
