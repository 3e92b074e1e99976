//! What the blob data plane keeps in the world (and so in the state file): per container its
//! ETag, time and metadata, and per blob its properties, metadata and block lists. The bytes
//! are not here: a blob and each uncommitted block name their payload by its SHA-256 digest,
//! and [`super::payloads`] keeps payloads apart from the JSON state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The data-plane state of one container (the container itself is the ARM resource
/// `Microsoft.Storage/storageAccounts/blobServices/containers`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ContainerData {
    /// The container's ETag (quoted, as sent).
    pub(crate) etag: String,
    /// Last modified (ms since the epoch).
    pub(crate) last_modified_ms: u64,
    /// Its blobs, by name (byte order: the order List Blobs answers in).
    #[serde(default)]
    pub(crate) blobs: BTreeMap<String, Blob>,
    /// Blocks uploaded with Put Block and not committed yet, by blob name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) uncommitted: BTreeMap<String, Vec<Block>>,
}

/// One committed block blob.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Blob {
    /// Size in bytes.
    pub(crate) size: u64,
    /// SHA-256 (hex) of the content: the payload's name.
    pub(crate) payload: String,
    /// ETag (quoted).
    pub(crate) etag: String,
    /// Created (ms since the epoch).
    pub(crate) created_ms: u64,
    /// Last modified (ms since the epoch).
    pub(crate) last_modified_ms: u64,
    /// The content headers (`Content-Type`, ...).
    pub(crate) content: ContentSettings,
    /// User metadata (`x-ms-meta-*`), names as first written.
    #[serde(default)]
    pub(crate) metadata: BTreeMap<String, String>,
    /// The committed block list (empty for a blob written whole by Put Blob).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) blocks: Vec<Block>,
}

/// The standard HTTP properties of a blob.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ContentSettings {
    /// `Content-Type`.
    pub(crate) content_type: Option<String>,
    /// `Content-Encoding`.
    pub(crate) content_encoding: Option<String>,
    /// `Content-Language`.
    pub(crate) content_language: Option<String>,
    /// `Content-Disposition`.
    pub(crate) content_disposition: Option<String>,
    /// `Cache-Control`.
    pub(crate) cache_control: Option<String>,
    /// `Content-MD5` (base64), when the service computed one or the client set one.
    pub(crate) content_md5: Option<String>,
}

/// A block: its id (base64, as sent), size and payload (uncommitted blocks), or its offset in
/// the blob (committed ones: their bytes are the blob's).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Block {
    /// The block id, base64 as the client sent it.
    pub(crate) id: String,
    /// Size in bytes.
    pub(crate) size: u64,
    /// SHA-256 (hex) of an uncommitted block's bytes; empty for a committed block.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) payload: String,
}

impl ContainerData {
    /// Every payload this container refers to.
    pub(crate) fn payloads(&self) -> impl Iterator<Item = &str> {
        self.blobs.values().map(|b| b.payload.as_str()).chain(
            self.uncommitted
                .values()
                .flatten()
                .map(|b| b.payload.as_str()),
        )
    }

    /// Bytes held: committed blobs and uncommitted blocks.
    pub(crate) fn bytes(&self) -> u64 {
        let committed: u64 = self.blobs.values().map(|b| b.size).sum();
        let pending: u64 = self.uncommitted.values().flatten().map(|b| b.size).sum();
        committed + pending
    }
}
