//! Indexer runs and their status: `POST /indexers/{name}/run` (202), `POST .../reset` (204),
//! `GET .../status` (`lastResult`, `executionHistory`, newest first).
//!
//! A run reads its data source from the world and reports only what that proves. A blob data
//! source (`azureblob`, `adlsgen2`) must name a storage account the world holds (by
//! `AccountName` with one of its keys, or by `ResourceId`) and an existing container; the
//! emulator stores no blob contents, so such a run succeeds with 0 documents processed. A
//! wrong key, a missing account or container, or a `ResourceId` connection string on a service
//! without a managed identity fails the run (role assignments on the account are not
//! evaluated). Other
//! data source types are not modelled: their runs fail and say so.

use serde_json::{Value, json};

use super::objects::{self, Ctx};
use super::{error, ok};
use crate::arm::transport::{HttpResponse, Method};
use crate::emulator::engine::Engine;
use crate::emulator::ids;

/// The most runs an indexer's history keeps (the service keeps 50).
const HISTORY: usize = 50;

/// `status`, `run` or `reset` of indexer `name`.
pub(crate) fn operation(
    engine: &mut Engine<'_>,
    ctx: &Ctx<'_>,
    name: &str,
    op: &str,
) -> HttpResponse {
    if let Err(refusal) = ctx.require_admin() {
        return refusal;
    }
    let Some(r) = objects::find(engine, ctx.service, "indexers", name).cloned() else {
        return objects::not_found(ctx, "indexers", name);
    };
    match (op, ctx.req.method) {
        ("status", Method::Get) => {
            let history = objects::private(&r)
                .get("history")
                .cloned()
                .unwrap_or_else(|| json!([]));
            let disabled = r.body.get("disabled").and_then(Value::as_bool) == Some(true);
            ok(
                200,
                json!({
                    "@odata.context": format!("https://{}.search.windows.net/$metadata#Microsoft.Azure.Search.V2025_09_01.IndexerExecutionInfo", ctx.service_name()),
                    "name": name,
                    "status": if disabled { "disabled" } else { "running" },
                    "lastResult": history.get(0).cloned().unwrap_or(Value::Null),
                    "executionHistory": history,
                    "limits": {},
                }),
            )
        }
        ("run", Method::Post) => {
            run(engine, ctx, name);
            HttpResponse::new(202, None)
        }
        ("reset", Method::Post) => HttpResponse::new(204, None),
        _ => error(
            404,
            "",
            format!("'{op}' is not an indexer operation (status, run, reset) for this method."),
        ),
    }
}

/// Runs indexer `name` now and records the result.
pub(crate) fn run(engine: &mut Engine<'_>, ctx: &Ctx<'_>, name: &str) {
    let Some(r) = objects::find(engine, ctx.service, "indexers", name).cloned() else {
        return;
    };
    let ds_name = r
        .body
        .get("dataSourceName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let outcome = match objects::find(engine, ctx.service, "datasources", ds_name) {
        Some(ds) => read_source(engine, ctx.service, ds),
        None => Err(format!(
            "This indexer refers to a data source '{ds_name}' that doesn't exist."
        )),
    };
    let now = ids::timestamp(engine.now_ms);
    let result = match outcome {
        Ok(items) => {
            json!({"status": "success", "errorMessage": null, "startTime": now, "endTime": now,
            "errors": [], "warnings": [], "itemsProcessed": items, "itemsFailed": 0,
            "initialTrackingState": null, "finalTrackingState": null})
        }
        Err(message) => {
            json!({"status": "transientFailure", "errorMessage": message, "startTime": now, "endTime": now,
            "errors": [], "warnings": [], "itemsProcessed": 0, "itemsFailed": 0,
            "initialTrackingState": null, "finalTrackingState": null})
        }
    };
    let mut private = objects::private(&r);
    let mut history = private
        .get("history")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    history.insert(0, result);
    history.truncate(HISTORY);
    private["history"] = Value::Array(history);
    objects::set_private(engine, &r.id, private);
}

/// The documents a data source yields (always 0: the emulator holds no blob contents), or why
/// the run fails.
fn read_source(
    engine: &Engine<'_>,
    service: &crate::emulator::world::StoredResource,
    ds: &crate::emulator::world::StoredResource,
) -> Result<u64, String> {
    let kind = ds
        .body
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !matches!(kind, "azureblob" | "adlsgen2") {
        return Err(format!(
            "amlab's emulator does not model data source type '{kind}': nothing was read or indexed."
        ));
    }
    let private = objects::private(ds);
    let conn = ds
        .secrets
        .as_ref()
        .and_then(|s| s.get("connectionString"))
        .or_else(|| private.get("connectionString"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let parts: Vec<(String, String)> = conn
        .split(';')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let part = |k: &str| {
        parts
            .iter()
            .find(|(pk, _)| pk == k)
            .map(|(_, v)| v.as_str())
    };
    let identity =
        crate::emulator::fields::get_str(&service.body, "identity.type").unwrap_or("None");
    if part("resourceid").is_some() && identity == "None" {
        return Err("Credentials provided in the connection string are invalid or have expired: a ResourceId connection string is used with the search service's managed identity, and this service has none.".into());
    }
    let account = match (part("resourceid"), part("accountname")) {
        (Some(id), _) => engine.world.get(id, engine.now_ms).cloned(),
        (None, Some(name)) => engine
            .world
            .resources
            .values()
            .find(|r| {
                r.type_name
                    .eq_ignore_ascii_case("Microsoft.Storage/storageAccounts")
                    && crate::emulator::types::last_segment(&r.id).eq_ignore_ascii_case(name)
                    && r.exists_at(engine.now_ms)
            })
            .cloned(),
        (None, None) => None,
    };
    let Some(account) = account else {
        return Err("Credentials provided in the connection string are invalid or have expired: the storage account it names does not exist.".into());
    };
    if let Some(key) = part("accountkey") {
        let keys = account.secrets.clone().unwrap_or(Value::Null);
        let valid = ["key1", "key2"]
            .iter()
            .any(|k| keys.get(k).and_then(Value::as_str) == Some(key));
        if !valid {
            return Err(
                "Credentials provided in the connection string are invalid or have expired.".into(),
            );
        }
    }
    let container = ds
        .body
        .pointer("/container/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let container_id = format!("{}/blobServices/default/containers/{container}", account.id);
    if engine.world.get(&container_id, engine.now_ms).is_none() {
        return Err(format!(
            "The specified container '{container}' does not exist."
        ));
    }
    Ok(0)
}
