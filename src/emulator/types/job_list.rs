//! The query filters of the jobs list (`GET .../workspaces/{ws}/jobs`), as the REST API
//! documents them (`Jobs_List`):
//!
//! - `listViewType`: `ActiveOnly` (the default), `ArchivedOnly` or `All`; archived jobs are
//!   those with `properties.isArchived: true`. Any other value is a 400.
//! - `jobType`: only jobs of that type (`Command`, `Sweep`, ...; case-insensitive).
//! - `tag`: only jobs with that tag key in `properties.tags`.
//! - `properties`: comma-separated `name` or `name=value`; only jobs whose
//!   `properties.properties` has every one.
//! - `scheduleId` (preview api-versions): only jobs a schedule triggered. The emulator's
//!   schedules never trigger a job, so no job matches a `scheduleId`.

use serde_json::Value;

use super::ML_CHECK;
use crate::emulator::error::ArmResult;
use crate::emulator::fields;
use crate::emulator::url::RequestUrl;

/// The accepted `listViewType` values.
const VIEWS: &[&str] = &["ActiveOnly", "ArchivedOnly", "All"];

/// The `listViewType` asked for (`ActiveOnly` when absent); 400 for an unknown value.
pub(crate) fn view(url: &RequestUrl) -> ArmResult<&'static str> {
    match url.query_param("listViewType").filter(|v| !v.is_empty()) {
        Some(v) => ML_CHECK.one_of("listViewType", v, VIEWS),
        None => Ok("ActiveOnly"),
    }
}

/// A query parameter, when given with a non-empty value.
fn param<'a>(url: &'a RequestUrl, name: &str) -> Option<&'a str> {
    url.query_param(name).filter(|v| !v.is_empty())
}

/// Whether job `body` (as a client sees it) belongs in the list `url` asks for.
pub(crate) fn listed(url: &RequestUrl, body: &Value) -> ArmResult<bool> {
    let archived = fields::get(body, "properties.isArchived")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let in_view = match view(url)? {
        "ActiveOnly" => !archived,
        "ArchivedOnly" => archived,
        _ => true,
    };
    if !in_view || param(url, "scheduleId").is_some() {
        return Ok(false);
    }
    if let Some(want) = param(url, "jobType")
        && !fields::get_str(body, "properties.jobType")
            .is_some_and(|t| t.eq_ignore_ascii_case(want))
    {
        return Ok(false);
    }
    if let Some(key) = param(url, "tag")
        && fields::get(body, "properties.tags")
            .and_then(Value::as_object)
            .is_none_or(|tags| !tags.contains_key(key))
    {
        return Ok(false);
    }
    if let Some(wanted) = param(url, "properties")
        && !has_properties(body, wanted)
    {
        return Ok(false);
    }
    Ok(true)
}

/// Whether the job's `properties.properties` (a string map) has every `name` or `name=value`
/// of the comma-separated `wanted`.
fn has_properties(body: &Value, wanted: &str) -> bool {
    let props = fields::get(body, "properties.properties").and_then(Value::as_object);
    wanted
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .all(|item| {
            let (name, value) = match item.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (item, None),
            };
            match (props.and_then(|p| p.get(name)), value) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(have), Some(v)) => have.as_str() == Some(v),
            }
        })
}
