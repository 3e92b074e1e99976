//! Component specs. Not translated yet (the SDK's `componentSpec` carries the YAML with
//! stringified defaults, a client-side content hash and uploaded code); reported as unsupported.

use serde_json::Value;

use super::error::Problem;
use super::node::Obj;

/// Always fails: components are not supported yet.
pub(crate) fn translate(root: Obj<'_>) -> Result<(String, Value), Problem> {
    let at = root.get("type").unwrap_or(root.node);
    Err(
        Problem::at(at, "components are not supported by `amlab spec` yet")
            .with_help("register components with `az ml component create`, then reference them"),
    )
}
