//! Soft delete of Cognitive Services accounts, and the provider's reads that are not resources
//! under a resource group: `deletedAccounts` (list, get, purge), `locations/{l}/usages`,
//! `locations/{l}/models`, and an account's `models` and `usages`.
//!
//! A deleted account (directly or with its resource group) is kept, with its children and keys,
//! under `/subscriptions/{s}/providers/Microsoft.CognitiveServices/locations/{l}/resourceGroups/{g}/deletedAccounts/{n}`
//! until it is purged (DELETE there, long-running with `Azure-AsyncOperation`), restored (PUT
//! of the account with `properties.restore: true`) or its retention (48 hours) ends.

use serde_json::{Value, json};

use super::cognitive_account::TYPE as ACCOUNT;
use super::model_catalog;
use crate::arm::transport::{HttpResponse, Method};
use crate::emulator::api_versions;
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::ids;
use crate::emulator::url::RequestUrl;
use crate::emulator::world::{DeletedAccount, Operation, OperationStyle, World};

/// How long the service keeps a deleted account before purging it itself.
const RETENTION_MS: u64 = 48 * 3600 * 1000;

/// The deleted-account id of an account id.
fn deleted_id(account_id: &str, location: &str) -> Option<String> {
    let parts: Vec<&str> = account_id.split('/').collect();
    let sub = parts.get(2)?;
    let rg = parts.get(4)?;
    let name = parts.last()?;
    Some(format!(
        "/subscriptions/{sub}/providers/Microsoft.CognitiveServices/locations/{location}/resourceGroups/{rg}/deletedAccounts/{name}"
    ))
}

/// Keeps every account among the lower-cased ids `keys` (about to be deleted) as soft-deleted,
/// with its children.
pub(crate) fn keep(world: &mut World, keys: &[String], now_ms: u64) {
    let accounts: Vec<String> = keys
        .iter()
        .filter(|k| {
            world
                .resources
                .get(*k)
                .is_some_and(|r| r.type_name.eq_ignore_ascii_case(ACCOUNT))
        })
        .cloned()
        .collect();
    for key in accounts {
        let Some(account) = world.resources.get(&key).cloned() else {
            continue;
        };
        let location = account.body["location"]
            .as_str()
            .unwrap_or("global")
            .to_owned();
        let Some(id) = deleted_id(&account.id, &location) else {
            continue;
        };
        let prefix = format!("{key}/");
        let children = world
            .resources
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, r)| {
                let mut c = r.clone();
                c.transition = None;
                c
            })
            .collect();
        let mut account = account;
        account.transition = None;
        world.deleted_accounts.insert(
            id.to_ascii_lowercase(),
            DeletedAccount {
                account,
                children,
                deleted_ms: now_ms,
                purge_ms: now_ms + RETENTION_MS,
            },
        );
    }
}

/// Forgets deleted accounts whose retention ended; true if any was.
pub(crate) fn expire(world: &mut World, now_ms: u64) -> bool {
    let before = world.deleted_accounts.len();
    world.deleted_accounts.retain(|_, d| now_ms < d.purge_ms);
    before != world.deleted_accounts.len()
}

/// The soft-deleted account named `name` in resource group `rg` (any location).
pub(crate) fn find(
    world: &World,
    sub: &str,
    rg: &str,
    name: &str,
) -> Option<(String, DeletedAccount)> {
    let head = format!("/subscriptions/{}/", sub.to_ascii_lowercase());
    let tail = format!(
        "/resourcegroups/{}/deletedaccounts/{}",
        rg.to_ascii_lowercase(),
        name.to_ascii_lowercase()
    );
    world
        .deleted_accounts
        .iter()
        .find(|(k, _)| k.starts_with(&head) && k.ends_with(&tail))
        .map(|(k, d)| (k.clone(), d.clone()))
}

/// What a client sees of a deleted account.
fn view(key: &str, d: &DeletedAccount) -> Value {
    let mut body = d.account.body.clone();
    let id = deleted_id(&d.account.id, body["location"].as_str().unwrap_or("global"))
        .unwrap_or_else(|| key.to_owned());
    body["id"] = json!(id);
    body["properties"]["deletionDate"] = json!(ids::timestamp(d.deleted_ms));
    body["properties"]["scheduledPurgeDate"] = json!(ids::timestamp(d.purge_ms));
    if let Some(p) = body.as_object_mut() {
        p.remove(super::PRIVATE_KEY);
    }
    body
}

/// The reads answered here.
enum Read {
    /// `GET /subscriptions/{s}/providers/Microsoft.CognitiveServices/deletedAccounts`.
    ListDeleted(String),
    /// `GET|DELETE .../locations/{l}/resourceGroups/{g}/deletedAccounts/{n}`.
    Deleted(String, String),
    /// `GET .../locations/{l}/usages` (subscription, location).
    Usages(String, String),
    /// `GET .../locations/{l}/models`.
    Models(String),
    /// `GET .../accounts/{a}/models` or `/usages` (account id, which).
    AccountList(String, &'static str),
}

fn classify(url: &RequestUrl) -> Option<Read> {
    let s: Vec<String> = url
        .segments
        .iter()
        .map(|x| x.to_ascii_lowercase())
        .collect();
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    let w = &url.segments;
    match s.as_slice() {
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.cognitiveservices",
            "deletedaccounts",
        ] => Some(Read::ListDeleted(w[1].clone())),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.cognitiveservices",
            "locations",
            _,
            "resourcegroups",
            _,
            "deletedaccounts",
            _,
        ] => Some(Read::Deleted(w[1].clone(), format!("/{}", w.join("/")))),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.cognitiveservices",
            "locations",
            l,
            "usages",
        ] => Some(Read::Usages(w[1].clone(), (*l).to_owned())),
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.cognitiveservices",
            "locations",
            l,
            "models",
        ] => Some(Read::Models((*l).to_owned())),
        [
            "subscriptions",
            _,
            "resourcegroups",
            _,
            "providers",
            "microsoft.cognitiveservices",
            "accounts",
            _,
            which @ ("models" | "usages"),
        ] => {
            let which = if *which == "models" {
                "models"
            } else {
                "usages"
            };
            Some(Read::AccountList(format!("/{}", w[..8].join("/")), which))
        }
        _ => None,
    }
}

/// Answers the request when it is one of this file's routes, `None` otherwise. Returns whether
/// the world changed with the answer.
pub(crate) fn answer(
    world: &mut World,
    now_ms: u64,
    delay_ms: u64,
    method: Method,
    url: &RequestUrl,
) -> Option<(ArmResult<HttpResponse>, bool)> {
    let read = classify(url)?;
    Some(serve(world, now_ms, delay_ms, method, url, read))
}

fn json_response(body: Value) -> HttpResponse {
    HttpResponse::new(200, Some(body))
        .with_header("Content-Type", "application/json; charset=utf-8")
}

fn serve(
    world: &mut World,
    now_ms: u64,
    delay_ms: u64,
    method: Method,
    url: &RequestUrl,
    read: Read,
) -> (ArmResult<HttpResponse>, bool) {
    let version = match url.query_param("api-version") {
        Some(v) if !v.is_empty() => v.to_owned(),
        _ => return (Err(ArmError::missing_api_version()), false),
    };
    if !api_versions::accepts(ACCOUNT, &version) {
        let supported = api_versions::supported(ACCOUNT);
        return (
            Err(ArmError::no_registered_provider(
                ACCOUNT, &version, &supported,
            )),
            false,
        );
    }
    let purge = matches!(read, Read::Deleted(..)) && method == Method::Delete;
    if method != Method::Get && !purge {
        return (
            Err(ArmError::method_not_allowed(method.as_str(), ACCOUNT)),
            false,
        );
    }
    match read {
        Read::ListDeleted(sub) => {
            let head = format!("/subscriptions/{}/", sub.to_ascii_lowercase());
            let value: Vec<Value> = world
                .deleted_accounts
                .iter()
                .filter(|(k, _)| k.starts_with(&head))
                .map(|(k, d)| view(k, d))
                .collect();
            (Ok(json_response(json!({"value": value}))), false)
        }
        Read::Deleted(sub, path) => {
            let key = path.to_ascii_lowercase();
            let Some(d) = world.deleted_accounts.get(&key).cloned() else {
                let name = path.rsplit('/').next().unwrap_or_default();
                return (
                    Err(ArmError::new(
                        404,
                        "ResourceNotFound",
                        format!(
                            "The resource 'Microsoft.CognitiveServices/deletedAccounts/{name}' could not be found."
                        ),
                    )),
                    false,
                );
            };
            if !purge {
                return (Ok(json_response(view(&key, &d))), false);
            }
            world.deleted_accounts.remove(&key);
            let op = purge_operation(world, now_ms, delay_ms, &sub, &d, &version);
            let resp = HttpResponse::new(202, None)
                .with_header("Azure-AsyncOperation", url.absolute(&op))
                .with_header("Retry-After", delay_ms.div_ceil(1000).to_string());
            (Ok(resp), true)
        }
        Read::Usages(sub, location) => (
            Ok(json_response(model_catalog::usages(
                world, now_ms, &sub, &location,
            ))),
            false,
        ),
        Read::Models(location) => (
            Ok(json_response(model_catalog::models(
                &world.cognitive,
                &location,
                None,
            ))),
            false,
        ),
        Read::AccountList(account_id, which) => {
            let Some(account) = world.get(&account_id, now_ms) else {
                let name = account_id.rsplit('/').next().unwrap_or_default();
                return (
                    Err(ArmError::new(
                        404,
                        "ResourceNotFound",
                        format!(
                            "The Resource 'Microsoft.CognitiveServices/accounts/{name}' was not found."
                        ),
                    )),
                    false,
                );
            };
            let location = account.body["location"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let kind = account.body["kind"].as_str().unwrap_or_default().to_owned();
            let sub = account_id.split('/').nth(2).unwrap_or_default().to_owned();
            let body = if which == "models" {
                model_catalog::models(&world.cognitive, &location, Some(&kind))
            } else {
                model_catalog::usages(world, now_ms, &sub, &location)
            };
            (Ok(json_response(body)), false)
        }
    }
}

/// Registers the purge as an operation and returns its status path.
fn purge_operation(
    world: &mut World,
    now_ms: u64,
    delay_ms: u64,
    sub: &str,
    d: &DeletedAccount,
    version: &str,
) -> String {
    let id = ids::guid();
    let location = d.account.body["location"].as_str().unwrap_or("global");
    let path = format!(
        "/subscriptions/{sub}/providers/Microsoft.CognitiveServices/locations/{location}/operationStatuses/{id}?api-version={version}"
    );
    world.operations.insert(
        id.clone(),
        Operation {
            id,
            resource_id: d.account.id.clone(),
            style: OperationStyle::AsyncOperation,
            deletes: true,
            start_ms: now_ms,
            until_ms: now_ms + delay_ms,
            path: path.clone(),
        },
    );
    path
}
