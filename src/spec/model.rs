//! Model specs (custom, mlflow, triton) -> `ModelVersion` bodies.

use serde_json::{Map, Value, json};

use super::error::Problem;
use super::node::{Obj, Values, put};
use super::refs::asset_uri;

/// Translates a model spec. Tags and properties are `fields.Dict()` in the SDK's schema and
/// `Dict[str, str]` in the REST model: non-string values are sent as Python's `str()` of them.
pub(crate) fn translate(root: Obj<'_>) -> Result<(String, Value), Problem> {
    root.only(&[
        "name",
        "version",
        "type",
        "path",
        "description",
        "tags",
        "properties",
        "flavors",
        "stage",
        "job_name",
    ]);
    let name = root.req_str("name");
    let version = root.str("version").unwrap_or_else(|| "1".into());
    let kind = root
        .choice("type", &["custom_model", "mlflow_model", "triton_model"])
        .unwrap_or_else(|| "custom_model".into());
    let path = root.req_str("path");
    let uri = asset_uri(path);
    let mut p = Map::new();
    put(&mut p, "description", root.str("description"));
    p.insert("isAnonymous".into(), json!(false));
    p.insert("isArchived".into(), json!(false));
    p.insert("modelType".into(), json!(kind));
    p.insert("modelUri".into(), json!(uri));
    if let Some(f) = root.get("flavors") {
        p.insert("flavors".into(), f.value.to_json());
    }
    put(&mut p, "stage", root.str("stage"));
    put(&mut p, "jobName", root.str("job_name"));
    p.insert(
        "properties".into(),
        root.str_map_or_empty("properties", Values::Text),
    );
    p.insert("tags".into(), root.str_map_or_empty("tags", Values::Text));
    Ok((
        format!("models/{name}/versions/{version}"),
        json!({ "properties": p }),
    ))
}
