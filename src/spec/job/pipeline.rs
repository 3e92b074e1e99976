//! Pipeline jobs. Not translated yet: the SDK registers every inline component as an anonymous
//! component (name `azureml_anonymous`, content-hash version) before the PUT, so the body depends
//! on service calls; amlab reports the spec as unsupported with a clear diagnostic.

use serde_json::{Map, Value};

use super::super::Context;
use super::super::error::Problem;
use super::super::node::Obj;

/// Always fails: pipeline jobs are not supported yet.
pub(crate) fn translate(root: Obj<'_>, _ctx: &Context) -> Result<Map<String, Value>, Problem> {
    let at = root.get("type").unwrap_or(root.node);
    Err(
        Problem::at(at, "pipeline jobs are not supported by `amlab spec` yet")
            .with_help("supported job types: command, sweep, automl"),
    )
}
