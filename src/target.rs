//! Targets: turns `--target` into a transport, a base URL and a name for reports.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::arm::auth::{AuthMode, AuthOptions, Credential, Env, TokenCache, build_credential};
use crate::arm::cloud::Cloud;
use crate::arm::live::{LiveOptions, LiveTransport};
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
    /// Which credential signs requests (`None` for the in-process emulator).
    pub credential: Option<String>,
    /// The in-process emulator, when that is the target (recording asks it which secrets it
    /// issued, to prove none is written).
    pub emulator: Option<Arc<Emulator>>,
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
    /// `--auth`.
    pub auth: AuthMode,
    /// `--cloud`.
    pub cloud: Cloud,
    /// `--ca-cert`.
    pub ca_cert: Option<PathBuf>,
    /// `--timeout`: the time limit of one HTTP request (azure and URL targets).
    pub timeout: Duration,
}

/// An emulator without a state file (and so without its lock), for commands that send it
/// nothing that needs the user's emulator world (grading recorded fixtures only).
pub fn open_in_memory_emulator(spec: &TargetSpec) -> Result<Target, CommandError> {
    let emulator = Emulator::open(EmulatorOptions {
        state_path: None,
        fresh: true,
        provisioning_delay: spec.provisioning_delay,
    })
    .map_err(|e| CommandError::Target(e.to_string()))?;
    let emulator = Arc::new(emulator);
    Ok(Target {
        transport: emulator.clone(),
        base: AZURE_PUBLIC.to_owned(),
        name: "emulator".into(),
        memory_key: format!("emulator:{}", spec.state.display()),
        subscription: spec
            .subscription
            .clone()
            .unwrap_or_else(|| EMULATOR_SUBSCRIPTION.to_owned()),
        credential: None,
        emulator: Some(emulator),
    })
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
            let emulator = Arc::new(emulator);
            Ok(Target {
                transport: emulator.clone(),
                base: AZURE_PUBLIC.to_owned(),
                name: "emulator".into(),
                memory_key: format!("emulator:{}", spec.state.display()),
                subscription: spec
                    .subscription
                    .clone()
                    .unwrap_or_else(|| EMULATOR_SUBSCRIPTION.to_owned()),
                credential: None,
                emulator: Some(emulator),
            })
        }
        "azure" => {
            let subscription = spec.subscription.clone().ok_or_else(|| {
                CommandError::Usage(
                    "--target azure needs a subscription: --subscription ID or AZURE_SUBSCRIPTION_ID \
                     (az account show --query id -o tsv prints yours)"
                        .into(),
                )
            })?;
            let env = Env::process();
            let credential = build_credential(spec.auth, &env, &AuthOptions::new(spec.cloud))
                .map_err(|e| CommandError::Target(e.to_string()))?;
            live(
                spec,
                spec.cloud.resource_manager(),
                credential,
                subscription,
                "azure".into(),
            )
        }
        url if url.starts_with("http://") || url.starts_with("https://") => {
            let base = url.trim_end_matches('/').to_owned();
            let env = Env::process();
            // An emulator endpoint accepts any bearer token: with nothing configured, `auto`
            // sends a placeholder instead of asking the Azure CLI for a real token.
            let credential =
                if spec.auth == AuthMode::Auto && spec.auth.resolve(&env) == AuthMode::Cli {
                    Credential::fixed(
                        "amlab-placeholder",
                        "a placeholder token (nothing configured for --auth auto)",
                    )
                } else {
                    build_credential(spec.auth, &env, &AuthOptions::new(spec.cloud))
                        .map_err(|e| CommandError::Target(e.to_string()))?
                };
            let subscription = spec
                .subscription
                .clone()
                .unwrap_or_else(|| EMULATOR_SUBSCRIPTION.to_owned());
            live(spec, &base, credential, subscription, base.clone())
        }
        other => Err(CommandError::Usage(format!(
            "unknown --target `{other}`: expected `emulator`, `azure`, or an http(s):// URL"
        ))),
    }
}

/// A target reached over HTTP with a token from `credential`.
fn live(
    spec: &TargetSpec,
    base: &str,
    credential: Credential,
    subscription: String,
    name: String,
) -> Result<Target, CommandError> {
    let described = credential.describe();
    let tokens = Arc::new(TokenCache::new(credential, spec.cloud.scope()));
    let mut options = LiveOptions::new(base).with_timeout(spec.timeout);
    if let Some(ca) = &spec.ca_cert {
        options = options.with_ca_cert(ca);
    }
    let transport =
        LiveTransport::new(options, tokens).map_err(|e| CommandError::Target(e.to_string()))?;
    Ok(Target {
        transport: Arc::new(transport),
        base: base.to_owned(),
        memory_key: format!("{name}:{subscription}"),
        name,
        subscription,
        credential: Some(described),
        emulator: None,
    })
}
