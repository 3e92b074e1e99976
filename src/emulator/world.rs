//! The emulated world: every resource, operation, issued secret and served request.
//!
//! This is plain data (serialized as the state file); the rules live in the engine and the
//! resource types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::RequestRecord;
use super::blob::model::ContainerData;

/// The state-file format version.
pub(crate) const STATE_VERSION: u32 = 1;

/// How many request records are kept.
pub(crate) const REQUEST_LOG_CAP: usize = 10_000;

/// Everything the emulator knows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct World {
    /// Format version, always [`STATE_VERSION`].
    pub(crate) version: u32,
    /// Resources by lower-cased id.
    pub(crate) resources: BTreeMap<String, StoredResource>,
    /// Long-running operations by id.
    pub(crate) operations: BTreeMap<String, Operation>,
    /// Every secret value issued or stored, in order.
    pub(crate) secrets: Vec<String>,
    /// The last [`REQUEST_LOG_CAP`] requests served.
    pub(crate) requests: Vec<RequestRecord>,
    /// What identifies this world wherever it is served from (random, made with the world;
    /// absent in state files written before it existed). Remembered parameters are keyed by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) world_id: Option<String>,
    /// The blob data plane: per container (lower-cased ARM id), its blobs' properties and block
    /// lists (their bytes are payloads kept outside this file: see `super::blob::payloads`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) blobs: BTreeMap<String, ContainerData>,
    /// Counts blob-plane changes (makes every ETag distinct).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(crate) blob_seq: u64,
    /// Soft-deleted Cognitive Services accounts by lower-cased deleted-account id
    /// (`/subscriptions/{s}/providers/Microsoft.CognitiveServices/locations/{l}/resourceGroups/{g}/deletedAccounts/{n}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) deleted_accounts: BTreeMap<String, DeletedAccount>,
    /// Model quota and region availability overrides (see `types::model_catalog`).
    #[serde(default, skip_serializing_if = "CognitiveSettings::is_empty")]
    pub(crate) cognitive: CognitiveSettings,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A soft-deleted Cognitive Services account: what a restore brings back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeletedAccount {
    /// The account as it was (settled body, keys).
    pub(crate) account: StoredResource,
    /// Its child resources (deployments, projects, policies, connections) as they were.
    #[serde(default)]
    pub(crate) children: Vec<StoredResource>,
    /// When it was deleted (ms since the epoch).
    pub(crate) deleted_ms: u64,
    /// When the service purges it by itself (ms since the epoch).
    pub(crate) purge_ms: u64,
}

/// Per-subscription model quota and availability the emulator is told to use instead of its
/// built-in catalog: keys are `{location}/{usage name}` (`eastus2/OpenAI.GlobalStandard.gpt-4o`)
/// for quota limits, `{location}/{sku}/{model}` for availability (lower-case location).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CognitiveSettings {
    /// Quota limits (units of 1,000 tokens per minute) overriding the catalog's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) quota: BTreeMap<String, u64>,
    /// Whether a model is offered with a SKU in a region, overriding the catalog.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) offers: BTreeMap<String, bool>,
}

impl CognitiveSettings {
    /// Whether nothing is overridden.
    pub(crate) fn is_empty(&self) -> bool {
        self.quota.is_empty() && self.offers.is_empty()
    }
}

/// A new world id: 16 random lower-case letters and digits.
pub(crate) fn new_world_id() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..16)
        .map(|_| char::from(CHARS[fastrand::usize(..CHARS.len())]))
        .collect()
}

impl Default for World {
    fn default() -> Self {
        Self {
            version: STATE_VERSION,
            resources: BTreeMap::new(),
            operations: BTreeMap::new(),
            secrets: Vec::new(),
            requests: Vec::new(),
            world_id: Some(new_world_id()),
            blobs: BTreeMap::new(),
            blob_seq: 0,
            deleted_accounts: BTreeMap::new(),
            cognitive: CognitiveSettings::default(),
        }
    }
}

/// A transition a resource is going through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Phase {
    /// Being created.
    Creating,
    /// Being updated.
    Updating,
    /// Being deleted; gone once the transition ends.
    Deleting,
}

impl Phase {
    /// The `provisioningState` shown while the transition runs.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Phase::Creating => "Creating",
            Phase::Updating => "Updating",
            Phase::Deleting => "Deleting",
        }
    }
}

/// A transition with its end time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Transition {
    /// What is happening.
    pub(crate) phase: Phase,
    /// When it ends (ms since the epoch).
    pub(crate) until_ms: u64,
    /// Merged over the settled body while the transition runs (e.g. `provisioningState`).
    pub(crate) overlay: Value,
}

/// One stored resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredResource {
    /// The id as the creator wrote it.
    pub(crate) id: String,
    /// The full type, e.g. `Microsoft.MachineLearningServices/workspaces/computes`.
    pub(crate) type_name: String,
    /// The settled ARM body (without secrets).
    pub(crate) body: Value,
    /// Secret material only POST actions reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) secrets: Option<Value>,
    /// A running transition, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) transition: Option<Transition>,
    /// Creation order, for stable listing.
    pub(crate) seq: u64,
}

impl StoredResource {
    /// The transition still running at `now_ms`.
    pub(crate) fn active_transition(&self, now_ms: u64) -> Option<&Transition> {
        self.transition.as_ref().filter(|t| now_ms < t.until_ms)
    }

    /// Whether the resource exists at `now_ms` (a finished delete means gone).
    pub(crate) fn exists_at(&self, now_ms: u64) -> bool {
        !matches!(&self.transition, Some(t) if t.phase == Phase::Deleting && now_ms >= t.until_ms)
    }
}

/// How an operation answers its status URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum OperationStyle {
    /// `Azure-AsyncOperation`: 200 with `{"status": ...}`.
    AsyncOperation,
    /// `Location`: 202 while running, then the final result.
    Location,
}

/// One long-running operation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Operation {
    /// Operation id (GUID).
    pub(crate) id: String,
    /// The resource it acts on (as written).
    pub(crate) resource_id: String,
    /// How it answers.
    pub(crate) style: OperationStyle,
    /// Whether it deletes the resource (the final Location result is then empty).
    pub(crate) deletes: bool,
    /// Started (ms since the epoch).
    pub(crate) start_ms: u64,
    /// Ends (ms since the epoch).
    pub(crate) until_ms: u64,
    /// The status-URL path (with query), relative to the origin.
    pub(crate) path: String,
}

impl World {
    /// Looks a resource up by id (case-insensitive), if it exists at `now_ms`.
    pub(crate) fn get(&self, id: &str, now_ms: u64) -> Option<&StoredResource> {
        self.resources
            .get(&id.to_ascii_lowercase())
            .filter(|r| r.exists_at(now_ms))
    }

    /// Removes resources whose deletion finished; true if any was removed.
    pub(crate) fn purge_deleted(&mut self, now_ms: u64) -> bool {
        let before = self.resources.len();
        self.resources.retain(|_, r| r.exists_at(now_ms));
        before != self.resources.len()
    }

    /// Lower-cased ids of `id` and everything under it.
    pub(crate) fn subtree(&self, id: &str) -> Vec<String> {
        let key = id.to_ascii_lowercase();
        let prefix = format!("{key}/");
        self.resources
            .keys()
            .filter(|k| **k == key || k.starts_with(&prefix))
            .cloned()
            .collect()
    }

    /// The next creation sequence number.
    pub(crate) fn next_seq(&self) -> u64 {
        self.resources
            .values()
            .map(|r| r.seq)
            .max()
            .map_or(1, |m| m + 1)
    }

    /// A fresh blob-plane ETag: `"0x8D..."`, distinct for every change in this world.
    pub(crate) fn next_blob_etag(&mut self, now_ms: u64) -> String {
        self.blob_seq += 1;
        format!("\"0x8D{:X}{:04X}\"", now_ms, self.blob_seq & 0xFFFF)
    }

    /// Records a secret value (once).
    pub(crate) fn remember_secret(&mut self, value: &str) {
        if !value.is_empty() && !self.secrets.iter().any(|s| s == value) {
            self.secrets.push(value.to_owned());
        }
    }

    /// Appends to the request log, keeping the last [`REQUEST_LOG_CAP`] entries.
    pub(crate) fn log_request(&mut self, record: RequestRecord) {
        self.requests.push(record);
        if self.requests.len() > REQUEST_LOG_CAP {
            let excess = self.requests.len() - REQUEST_LOG_CAP;
            self.requests.drain(..excess);
        }
    }
}
