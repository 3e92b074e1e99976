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
    /// Key under which generated parameter values are remembered: what identifies the world
    /// (`world:ID:SUBSCRIPTION` for the emulator, in process or served), else the target.
    pub memory_key: String,
    /// Keys values were remembered under before world ids, still read (never written).
    pub memory_aliases: Vec<String>,
    /// The subscription id to use.
    pub subscription: String,
    /// Which credential signs requests (`None` for the in-process emulator).
    pub credential: Option<String>,
    /// The in-process emulator, when that is the target (recording asks it which secrets it
    /// issued, to prove none is written).
    pub emulator: Option<Arc<Emulator>>,
    /// The tokens of an HTTP target (`None` for the in-process emulator).
    pub tokens: Option<Arc<TokenCache>>,
    /// What the user should know about how the target was opened.
    pub warning: Option<String>,
}

/// The warning for a `--target` URL with a user name or password.
pub const USERINFO_IGNORED: &str = "the user name and password in the --target URL are ignored \
     (amlab authenticates with a bearer token, see --auth) and are never shown or stored";

impl Target {
    /// With `--fresh` on the emulator: writes the emptied state now (opening wrote nothing, so a
    /// command that fails validation leaves the learner's state as it was).
    pub fn commit_fresh(&self) -> Result<(), CommandError> {
        match &self.emulator {
            Some(emulator) => emulator
                .flush()
                .map_err(|e| CommandError::Target(e.to_string())),
            None => Ok(()),
        }
    }
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
    /// `--fresh`: the emulator starts empty in memory; the caller empties the state file with
    /// [`Target::commit_fresh`] once everything is validated.
    pub fresh: bool,
    /// Nothing may be written (`check`, `grade`): the emulator state is loaded, never saved.
    pub read_only: bool,
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
        read_only: false,
        provisioning_delay: spec.provisioning_delay,
    })
    .map_err(|e| CommandError::Target(e.to_string()))?;
    let emulator = Arc::new(emulator);
    Ok(Target {
        transport: emulator.clone(),
        base: AZURE_PUBLIC.to_owned(),
        name: "emulator".into(),
        memory_key: format!("emulator:{}", spec.state.display()),
        memory_aliases: Vec::new(),
        subscription: spec
            .subscription
            .clone()
            .unwrap_or_else(|| EMULATOR_SUBSCRIPTION.to_owned()),
        credential: None,
        emulator: Some(emulator),
        tokens: None,
        warning: None,
    })
}

/// Opens the target named by `spec`.
pub fn open(spec: &TargetSpec) -> Result<Target, CommandError> {
    match spec.target.as_str() {
        "emulator" => {
            let emulator = Emulator::open(EmulatorOptions {
                state_path: Some(spec.state.clone()),
                fresh: spec.fresh,
                read_only: spec.read_only,
                provisioning_delay: spec.provisioning_delay,
            })
            .map_err(|e| CommandError::Target(e.to_string()))?;
            let emulator = Arc::new(emulator);
            let subscription = spec
                .subscription
                .clone()
                .unwrap_or_else(|| EMULATOR_SUBSCRIPTION.to_owned());
            let old_key = format!("emulator:{}", spec.state.display());
            let (memory_key, memory_aliases) = match emulator.world_id() {
                Some(id) => (world_key(&id, &subscription), vec![old_key]),
                None => (old_key, Vec::new()),
            };
            Ok(Target {
                transport: emulator.clone(),
                base: AZURE_PUBLIC.to_owned(),
                name: "emulator".into(),
                memory_key,
                memory_aliases,
                subscription,
                credential: None,
                emulator: Some(emulator),
                tokens: None,
                warning: None,
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
            // A user name and password in the URL are never sent, shown nor stored: the target
            // authenticates with a bearer token, and the URL is its name in reports, in
            // recordings and in `.amlab/params.json`.
            let (url, had_userinfo) = crate::secrets::strip_userinfo(url);
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
            let mut target = live(spec, &base, credential, subscription, base.clone())?;
            if had_userinfo {
                target.warning = Some(USERINFO_IGNORED.to_owned());
            }
            Ok(target)
        }
        other => Err(CommandError::Usage(format!(
            "unknown --target `{other}`: expected `emulator`, `azure`, or an http(s):// URL{}",
            crate::lab::suggest::did_you_mean(other, &["emulator", "azure"])
                .map(|d| format!("; {d}"))
                .unwrap_or_default()
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
    let transport = LiveTransport::new(options, tokens.clone())
        .map_err(|e| CommandError::Target(e.to_string()))?;
    Ok(Target {
        transport: Arc::new(transport),
        base: base.to_owned(),
        memory_key: format!("{name}:{subscription}"),
        memory_aliases: Vec::new(),
        name,
        subscription,
        credential: Some(described),
        emulator: None,
        tokens: Some(tokens),
        warning: None,
    })
}

/// The memory key of an emulator world, served or in process.
fn world_key(id: &str, subscription: &str) -> String {
    format!("world:{id}:{subscription}")
}

/// For a URL target that is `amlab serve`: keys remembered parameters by the world it serves
/// (`GET /_emulator/world`), so a restart on another port finds them again. Other servers
/// keep the URL key.
///
/// A server that cannot be reached keeps the URL key; the error is returned for the caller to
/// give when it needs a remembered value (the steps report the unreachable target themselves).
pub async fn identify_world(target: &mut Target) -> Result<(), String> {
    if target.emulator.is_some() || !target.name.starts_with("http") {
        return Ok(());
    }
    let url = format!("{}/_emulator/world", target.base);
    let request = crate::arm::transport::HttpRequest::new(crate::arm::transport::Method::Get, url);
    let response = target
        .transport
        .send(request)
        .await
        .map_err(|e| format!("{}: {e}", target.name))?;
    let id = response
        .body
        .as_ref()
        .and_then(|b| b.get("id"))
        .and_then(serde_json::Value::as_str)
        .filter(|id| {
            response.status == 200
                && (1..=64).contains(&id.len())
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if let Some(id) = id {
        let old = std::mem::replace(&mut target.memory_key, world_key(id, &target.subscription));
        target.memory_aliases.push(old);
    }
    Ok(())
}

/// Gets the first token before any step, so a credential that cannot sign in (no `az login`,
/// a wrong secret) is one clear error (exit 3) instead of an error on the first step and every
/// other step skipped.
pub async fn authenticate(target: &Target) -> Result<(), CommandError> {
    let Some(tokens) = &target.tokens else {
        return Ok(());
    };
    tokens
        .token()
        .await
        .map(drop)
        .map_err(|e| CommandError::Target(format!("cannot sign in to {}: {e}", target.name)))
}
