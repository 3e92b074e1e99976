//! The built-in, stateful ARM emulator for the Azure ML control plane.
//! (API skeleton)

use std::path::PathBuf;
use std::time::Duration;

use crate::arm::transport::{HttpRequest, HttpResponse, Transport, TransportError};

/// How to open the emulator.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    /// State file; `None` keeps the world in memory only.
    pub state_path: Option<PathBuf>,
    /// Start with an empty world (the state file is replaced).
    pub fresh: bool,
    /// How long resources stay `Creating`/`Updating`/`Deleting` before they settle.
    pub provisioning_delay: Duration,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        Self {
            state_path: None,
            fresh: false,
            provisioning_delay: Duration::from_millis(50),
        }
    }
}

/// One request the emulator served.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Status answered.
    pub status: u16,
}

/// Why the emulator could not open its state.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The state file could not be read, written or locked.
    #[error("emulator state {path}: {message}")]
    State {
        /// The state file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// The emulator. Implements [`Transport`].
#[derive(Debug)]
pub struct Emulator {}

impl Emulator {
    /// Opens the emulator, loading (and locking) its state file.
    pub fn open(_options: EmulatorOptions) -> Result<Self, EmulatorError> {
        Ok(Emulator {})
    }

    /// Every request served (this process and, with a state file, earlier ones).
    pub fn requests(&self) -> Vec<RequestRecord> {
        Vec::new()
    }

    /// Every secret value the emulator has issued.
    pub fn secrets(&self) -> Vec<String> {
        Vec::new()
    }
}

#[async_trait::async_trait]
impl Transport for Emulator {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse::new(404, None))
    }
}
