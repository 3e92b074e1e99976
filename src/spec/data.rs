//! Data asset specs (uri_file, uri_folder, mltable) -> `DataVersionBase` bodies.

use serde_json::{Map, Value, json};

use super::error::Problem;
use super::node::{Obj, Values, put};
use super::refs::asset_uri;

/// Translates a data asset spec.
pub(crate) fn translate(root: Obj<'_>) -> Result<(String, Value), Problem> {
    root.only(&[
        "name",
        "version",
        "type",
        "path",
        "description",
        "tags",
        "properties",
        "datastore",
    ]);
    let name = root.req_str("name");
    let version = root.str("version").unwrap_or_else(|| "1".into());
    let kind = root
        .choice("type", &["uri_file", "uri_folder", "mltable"])
        .unwrap_or_else(|| "uri_folder".into());
    let path = root.req_str("path");
    let uri = asset_uri(path);
    let mut p = Map::new();
    p.insert("dataType".into(), json!(kind));
    p.insert("dataUri".into(), json!(uri));
    put(&mut p, "description", root.str("description"));
    p.insert("isAnonymous".into(), json!(false));
    p.insert("isArchived".into(), json!(false));
    p.insert(
        "properties".into(),
        root.str_map_or_empty("properties", Values::Raw),
    );
    p.insert("tags".into(), root.str_map_or_empty("tags", Values::Raw));
    Ok((
        format!("data/{name}/versions/{version}"),
        json!({ "properties": p }),
    ))
}
