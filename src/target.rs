//! Targets: turns `--target` into a transport, a base URL and a name for reports.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::arm::transport::Transport;
use crate::emulator::{Emulator, EmulatorOptions};
use crate::error::CommandError;

/// The subscription id the emulator uses when none is given.
pub const EMULATOR_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// The public-cloud Azure Resource Manager endpoint.
pub const AZURE_PUBLIC: &str = "https://management.azure.com";

/// A target ready to use.
pub struct Target {
    /// What requests go through.
    pub transport: Arc<dyn Transport>,
    /// Base URL requests are addressed to.
    pub base: String,
    /// Name in reports: `emulator`, `azure`, or the URL.
    pub name: String,
    /// Key under which generated parameter values are remembered.
    pub memory_key: String,
    /// The subscription id to use.
    pub subscription: String,
}

/// Options for opening a target.
#[derive(Debug, Clone)]
pub struct TargetSpec {
    /// `--target`.
    pub target: String,
    /// `--subscription`.
    pub subscription: Option<String>,
    /// `--state`.
    pub state: PathBuf,
    /// `--fresh`.
    pub fresh: bool,
    /// `--provisioning-delay`.
    pub provisioning_delay: Duration,
}

/// Opens the target named by `spec`.
pub fn open(spec: &TargetSpec) -> Result<Target, CommandError> {
    match spec.target.as_str() {
        "emulator" => {
            let emulator = Emulator::open(EmulatorOptions {
                state_path: Some(spec.state.clone()),
                fresh: spec.fresh,
                provisioning_delay: spec.provisioning_delay,
            })
            .map_err(|e| CommandError::Target(e.to_string()))?;
            Ok(Target {
                transport: Arc::new(emulator),
                base: AZURE_PUBLIC.to_owned(),
                name: "emulator".into(),
                memory_key: format!("emulator:{}", spec.state.display()),
                subscription: spec.subscription.clone().unwrap_or_else(|| EMULATOR_SUBSCRIPTION.to_owned()),
            })
        }
        "azure" => Err(CommandError::Usage(
            "--target azure is not available in this version yet; use the built-in emulator (the default)".into(),
        )),
        url if url.starts_with("http://") || url.starts_with("https://") => Err(CommandError::Usage(format!(
            "--target {url}: URL targets are not available in this version yet; use the built-in emulator (the default)"
        ))),
        other => Err(CommandError::Usage(format!(
            "unknown --target `{other}`: expected `emulator`, `azure`, or an http(s):// URL"
        ))),
    }
}
