//! ARM template deployments evaluated for real: the template language of
//! `Microsoft.Resources/deployments` (parameters, variables, expressions and their functions,
//! `condition`, `copy`, nested resources, `dependsOn` ordering, outputs).
//!
//! One purpose per file: `expr` parses an expression, `eval` evaluates expressions and JSON
//! values in a scope, `functions`/`functions_data`/`functions_scope` hold the template
//! functions, `params` binds parameters, `resources` expands the resources of a template,
//! `order` sorts them by `dependsOn`, `hash` computes `uniqueString` and `guid`. The engine's
//! `deploy` module applies the result through the emulator's own resource handlers.
//!
//! Templates are untrusted: their size, the depth of expressions, copy counts and the number of
//! evaluation steps are bounded by [`Limits`].

use serde_json::Value;

mod eval;
mod expr;
mod functions;
mod functions_data;
mod functions_scope;
mod hash;
mod order;
mod params;
mod resources;
#[cfg(test)]
mod tests;

pub(crate) use hash::template_hash;
pub(crate) use params::is_secure;
pub(crate) use resources::{Instance, Plan};

/// Bounds on an untrusted template.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// The largest template or parameters document (bytes of JSON). ARM's limit is 4 MB.
    pub(crate) max_bytes: usize,
    /// The deepest nesting of an expression.
    pub(crate) max_depth: usize,
    /// The largest `copy` count (ARM's limit is 800).
    pub(crate) max_copy: usize,
    /// The most resources one deployment may create (ARM's limit is 800).
    pub(crate) max_resources: usize,
    /// The most function calls one deployment may evaluate.
    pub(crate) max_steps: u64,
    /// The longest string or array a function may produce.
    pub(crate) max_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_copy: 800,
            max_resources: 800,
            max_steps: 1_000_000,
            max_len: 1024 * 1024,
        }
    }
}

/// What the deployment runs in.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// Subscription id.
    pub(crate) subscription: String,
    /// Resource group name.
    pub(crate) resource_group: String,
    /// The resource group's location.
    pub(crate) location: String,
    /// The deployment's name.
    pub(crate) deployment: String,
    /// The tenant id.
    pub(crate) tenant: String,
}

/// Why a template could not be evaluated: ARM's code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateError {
    /// ARM's error code (`InvalidTemplate`, ...).
    pub(crate) code: &'static str,
    /// What is wrong, in ARM's words where it has them.
    pub(crate) message: String,
}

impl TemplateError {
    /// `InvalidTemplate`: the template or an expression in it is not valid.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self {
            code: "InvalidTemplate",
            message: message.into(),
        }
    }

    /// A bound on untrusted templates was reached (also `InvalidTemplate`, as ARM answers).
    pub(crate) fn limit(message: impl Into<String>) -> Self {
        Self::invalid(message)
    }

    /// Prefixes the message with where the problem is (`resources[2].properties.x`).
    pub(crate) fn at(mut self, path: &str) -> Self {
        if !path.is_empty() && !self.message.starts_with("Deployment template") {
            self.message = format!(
                "Deployment template validation failed at '{path}': {}",
                self.message
            );
        }
        self
    }
}

/// Checks the size of a document against [`Limits::max_bytes`].
pub(crate) fn check_size(what: &str, doc: &Value, limits: &Limits) -> Result<(), TemplateError> {
    let size = serde_json::to_vec(doc).map_or(usize::MAX, |v| v.len());
    if size > limits.max_bytes {
        return Err(TemplateError::limit(format!(
            "The {what} is {size} bytes; the limit is {} bytes.",
            limits.max_bytes
        )));
    }
    Ok(())
}
