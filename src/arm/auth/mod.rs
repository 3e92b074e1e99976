//! Credential choice for the live targets (`--auth`): which way amlab gets an ARM access token,
//! built from an injectable environment so the choice is a pure function that tests can drive
//! without touching the process environment.
//!
//! azure_identity 1.0 has no `DefaultAzureCredential`, so amlab picks one credential itself:
//! `--auth auto` takes the first mode whose environment is configured, in the order `token`,
//! `secret`, `workload-identity`, `github-oidc`, `managed-identity` (only when
//! `IDENTITY_ENDPOINT` or `MSI_ENDPOINT` is set), else `cli`. An explicit mode with missing
//! variables is an [`AuthError::Missing`] naming them.
//!
//! A [`Credential`] says which credential was chosen ([`Credential::describe`]) and never prints
//! a secret; [`TokenCache`] sits in front of it, refreshes before expiry and after a 401.
//!
//! Each credential kind lives in its own file: `token` (a fixed bearer token), `secret`
//! (service principal with a client secret), `workload` (federated token file), `github`
//! (GitHub Actions OIDC), `managed` (managed identity), `cli` (Azure CLI). `cache` holds the
//! token cache and the redacting [`Secret`] type, `redirect` an azure_core HTTP client that sends
//! the Entra requests to a stand-in (for tests).

mod cache;
mod cli;
mod github;
mod managed;
mod redirect;
mod secret;
mod token;
mod workload;

#[cfg(test)]
pub(crate) mod test_support;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::TokenCredential;
use azure_core::http::{ClientOptions, HttpClient, Transport};
use azure_core::time::OffsetDateTime;

use super::cloud::Cloud;

pub use cache::{DEFAULT_REFRESH_MARGIN, Secret, TokenCache};
pub use redirect::RedirectHttpClient;
pub use token::FixedTokenCredential;

/// Environment variable names read by the credentials.
pub mod vars {
    /// A bearer token used as is (`--auth token`).
    pub const AZURE_ACCESS_TOKEN: &str = "AZURE_ACCESS_TOKEN";
    /// Directory (tenant) id of a service principal.
    pub const AZURE_TENANT_ID: &str = "AZURE_TENANT_ID";
    /// Application (client) id of a service principal or user-assigned managed identity.
    pub const AZURE_CLIENT_ID: &str = "AZURE_CLIENT_ID";
    /// Client secret of a service principal.
    pub const AZURE_CLIENT_SECRET: &str = "AZURE_CLIENT_SECRET";
    /// Path of a federated token file (Kubernetes workload identity).
    pub const AZURE_FEDERATED_TOKEN_FILE: &str = "AZURE_FEDERATED_TOKEN_FILE";
    /// Overrides the Entra authority host of the chosen cloud (must be `https://`).
    pub const AZURE_AUTHORITY_HOST: &str = "AZURE_AUTHORITY_HOST";
    /// GitHub Actions: where to request an OIDC ID token.
    pub const ACTIONS_ID_TOKEN_REQUEST_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
    /// GitHub Actions: the bearer token for that request.
    pub const ACTIONS_ID_TOKEN_REQUEST_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
    /// App Service (and similar) managed identity endpoint.
    pub const IDENTITY_ENDPOINT: &str = "IDENTITY_ENDPOINT";
    /// Secret header value for `IDENTITY_ENDPOINT`.
    pub const IDENTITY_HEADER: &str = "IDENTITY_HEADER";
    /// Azure ML compute / Cloud Shell managed identity endpoint.
    pub const MSI_ENDPOINT: &str = "MSI_ENDPOINT";
    /// Secret for `MSI_ENDPOINT` (Azure ML compute).
    pub const MSI_SECRET: &str = "MSI_SECRET";
}

/// How amlab gets an ARM access token (`--auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum AuthMode {
    /// The first configured mode: token, secret, workload-identity, github-oidc,
    /// managed-identity (when a managed identity endpoint is set), else cli.
    #[default]
    Auto,
    /// The Azure CLI's signed-in account (`az account get-access-token`).
    Cli,
    /// A service principal with a client secret (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`,
    /// `AZURE_CLIENT_SECRET`).
    Secret,
    /// A federated token file (`AZURE_FEDERATED_TOKEN_FILE`, `AZURE_TENANT_ID`,
    /// `AZURE_CLIENT_ID`).
    WorkloadIdentity,
    /// GitHub Actions OIDC federation (`ACTIONS_ID_TOKEN_REQUEST_URL`,
    /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`).
    GithubOidc,
    /// A managed identity (App Service endpoint or IMDS; `AZURE_CLIENT_ID` picks a
    /// user-assigned one).
    ManagedIdentity,
    /// A bearer token used as is (`AZURE_ACCESS_TOKEN`).
    Token,
}

impl AuthMode {
    /// Every mode, in the order of the `--auth` help.
    pub const ALL: [AuthMode; 7] = [
        AuthMode::Auto,
        AuthMode::Cli,
        AuthMode::Secret,
        AuthMode::WorkloadIdentity,
        AuthMode::GithubOidc,
        AuthMode::ManagedIdentity,
        AuthMode::Token,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            AuthMode::Auto => "auto",
            AuthMode::Cli => "cli",
            AuthMode::Secret => "secret",
            AuthMode::WorkloadIdentity => "workload-identity",
            AuthMode::GithubOidc => "github-oidc",
            AuthMode::ManagedIdentity => "managed-identity",
            AuthMode::Token => "token",
        }
    }

    /// The environment variables the mode cannot work without.
    pub fn required_vars(self) -> &'static [&'static str] {
        use vars::*;
        match self {
            AuthMode::Token => &[AZURE_ACCESS_TOKEN],
            AuthMode::Secret => &[AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET],
            AuthMode::WorkloadIdentity => {
                &[AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID, AZURE_CLIENT_ID]
            }
            AuthMode::GithubOidc => &[
                ACTIONS_ID_TOKEN_REQUEST_URL,
                ACTIONS_ID_TOKEN_REQUEST_TOKEN,
                AZURE_TENANT_ID,
                AZURE_CLIENT_ID,
            ],
            AuthMode::Auto | AuthMode::Cli | AuthMode::ManagedIdentity => &[],
        }
    }

    /// The required variables that `env` lacks.
    pub fn missing_vars(self, env: &Env) -> Vec<&'static str> {
        self.required_vars()
            .iter()
            .copied()
            .filter(|name| env.var(name).is_none())
            .collect()
    }

    /// The concrete mode `self` stands for in `env`: itself, or for `auto` the first
    /// configured mode.
    pub fn resolve(self, env: &Env) -> AuthMode {
        if self != AuthMode::Auto {
            return self;
        }
        let configured = [
            AuthMode::Token,
            AuthMode::Secret,
            AuthMode::WorkloadIdentity,
            AuthMode::GithubOidc,
        ]
        .into_iter()
        .find(|mode| mode.missing_vars(env).is_empty());
        if let Some(mode) = configured {
            return mode;
        }
        if env.var(vars::IDENTITY_ENDPOINT).is_some() || env.var(vars::MSI_ENDPOINT).is_some() {
            return AuthMode::ManagedIdentity;
        }
        AuthMode::Cli
    }
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for AuthMode {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuthMode::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                AuthError::Invalid(format!(
                    "unknown --auth `{s}`: expected one of auto, cli, secret, workload-identity, \
                     github-oidc, managed-identity, token"
                ))
            })
    }
}

/// The environment credentials are built from: the process environment, or a fixed map in
/// tests. An empty value counts as unset.
#[derive(Clone, Default)]
pub struct Env {
    fixed: Option<HashMap<String, String>>,
}

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Self { fixed: None }
    }

    /// A fixed set of variables (nothing else is visible).
    pub fn from_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            fixed: Some(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
        }
    }

    /// The value of a variable; `None` when unset, empty or not Unicode.
    pub fn var(&self, name: &str) -> Option<String> {
        let value = match &self.fixed {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        value.filter(|v| !v.trim().is_empty())
    }

    fn require(&self, mode: AuthMode) -> Result<(), AuthError> {
        let missing = mode.missing_vars(self);
        if missing.is_empty() {
            Ok(())
        } else {
            Err(AuthError::Missing { mode, missing })
        }
    }

    /// A variable `require` has checked.
    fn get(&self, name: &'static str) -> Result<String, AuthError> {
        self.var(name)
            .ok_or(AuthError::Invalid(format!("{name} is not set")))
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: values may be secrets.
        match &self.fixed {
            None => f.write_str("Env(process)"),
            Some(map) => {
                let mut names: Vec<&String> = map.keys().collect();
                names.sort();
                f.debug_tuple("Env").field(&names).finish()
            }
        }
    }
}

/// Why no token could be had. Messages never contain a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// An explicit `--auth` mode lacks environment variables.
    #[error("--auth {mode} needs the environment variable(s) {vars}, which are not set", vars = .missing.join(", "))]
    Missing {
        /// The mode asked for.
        mode: AuthMode,
        /// The variables that are not set.
        missing: Vec<&'static str>,
    },
    /// The credential could not produce a token (its own message, secrets removed).
    #[error("{credential} could not get a token: {message}")]
    Failed {
        /// Which credential ([`Credential::describe`]).
        credential: String,
        /// What it said.
        message: String,
    },
    /// A setting is malformed (an `http://` authority host, an unreadable file...).
    #[error("invalid authentication setting: {0}")]
    Invalid(String),
}

/// Settings for building a credential, apart from the environment.
#[derive(Clone, Default)]
pub struct AuthOptions {
    /// The cloud whose Entra authority the service-principal credentials sign in at.
    pub cloud: Cloud,
    /// HTTP client for the Entra and managed-identity requests (tests redirect them to a
    /// loopback stand-in with [`RedirectHttpClient`]); `None` uses azure_core's default.
    pub http_client: Option<Arc<dyn HttpClient>>,
    /// A directory searched first for the `az` executable (`cli` mode).
    pub az_dir: Option<PathBuf>,
}

impl fmt::Debug for AuthOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthOptions")
            .field("cloud", &self.cloud)
            .field("http_client", &self.http_client.is_some())
            .field("az_dir", &self.az_dir)
            .finish()
    }
}

impl AuthOptions {
    /// Options for a cloud, with azure_core's HTTP client and `az` from `PATH`.
    pub fn new(cloud: Cloud) -> Self {
        Self {
            cloud,
            ..Self::default()
        }
    }

    /// azure_core client options for the Entra credentials: the cloud (or `AZURE_AUTHORITY_HOST`
    /// from `env`) and the injected transport.
    fn client_options(&self, env: &Env) -> Result<ClientOptions, AuthError> {
        let cloud = match env.var(vars::AZURE_AUTHORITY_HOST) {
            Some(host) => {
                if !host.starts_with("https://") {
                    return Err(AuthError::Invalid(format!(
                        "{} must be an https:// URL, not `{host}`",
                        vars::AZURE_AUTHORITY_HOST
                    )));
                }
                let mut custom = CustomConfiguration::default();
                custom.authority_host = host.trim_end_matches('/').to_owned();
                CloudConfiguration::from(custom)
            }
            None => self.cloud.azure_core(),
        };
        Ok(ClientOptions {
            cloud: Some(Arc::new(cloud)),
            transport: self.http_client.clone().map(Transport::new),
            ..ClientOptions::default()
        })
    }
}

/// A chosen credential: where tokens come from, and a description safe to print.
#[derive(Clone)]
pub struct Credential {
    mode: AuthMode,
    auto: bool,
    description: String,
    inner: Arc<dyn TokenCredential>,
    /// Secret values that must never appear in an error message.
    redact: Vec<String>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("mode", &self.mode)
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// Wraps any azure_core credential (a custom one, or one built by hand).
    pub fn new(
        mode: AuthMode,
        description: impl Into<String>,
        inner: Arc<dyn TokenCredential>,
    ) -> Self {
        Self {
            mode,
            auto: false,
            description: description.into(),
            inner,
            redact: Vec::new(),
        }
    }

    /// A credential that always returns `token` (such as a placeholder for `amlab serve`,
    /// which accepts any bearer token).
    pub fn fixed(token: impl Into<String>, description: impl Into<String>) -> Self {
        let token = token.into();
        Self::new(
            AuthMode::Token,
            description,
            Arc::new(FixedTokenCredential::new(token.clone())),
        )
        .redacting(token)
    }

    /// Adds a value that must be removed from error messages.
    fn redacting(mut self, value: impl Into<String>) -> Self {
        let value = value.into();
        crate::secrets::remember(&value);
        if !value.is_empty() {
            self.redact.push(value);
        }
        self
    }

    /// The concrete mode in use (never `auto`).
    pub fn mode(&self) -> AuthMode {
        self.mode
    }

    /// Which credential this is, for the user: kind and non-secret identifiers, such as
    /// `service principal with client secret (AZURE_TENANT_ID=…, AZURE_CLIENT_ID=…)`.
    pub fn describe(&self) -> String {
        if self.auto {
            format!("{} [chosen by --auth auto]", self.description)
        } else {
            self.description.clone()
        }
    }

    /// Asks the credential for a token for `scope`.
    pub(crate) async fn get_token(
        &self,
        scope: &str,
    ) -> Result<(Secret, OffsetDateTime), AuthError> {
        match self.inner.get_token(&[scope], None).await {
            Ok(token) => Ok((
                Secret::new(token.token.secret().to_owned()),
                token.expires_on,
            )),
            Err(e) => Err(AuthError::Failed {
                credential: self.describe(),
                message: self.scrub(&e.to_string()),
            }),
        }
    }

    /// Removes every known secret value from a message.
    pub(crate) fn scrub(&self, message: &str) -> String {
        self.redact.iter().fold(message.to_owned(), |m, secret| {
            m.replace(secret, "<redacted>")
        })
    }
}

/// Builds the credential for `mode` (resolving `auto`) from `env`.
///
/// Errors: [`AuthError::Missing`] when an explicit mode lacks variables, [`AuthError::Invalid`]
/// or [`AuthError::Failed`] when a credential cannot be constructed.
pub fn build_credential(
    mode: AuthMode,
    env: &Env,
    options: &AuthOptions,
) -> Result<Credential, AuthError> {
    let concrete = mode.resolve(env);
    env.require(concrete)?;
    let mut credential = match concrete {
        AuthMode::Token => token::build(env)?,
        AuthMode::Secret => secret::build(env, options)?,
        AuthMode::WorkloadIdentity => workload::build(env, options)?,
        AuthMode::GithubOidc => github::build(env, options)?,
        AuthMode::ManagedIdentity => managed::build(env, options)?,
        AuthMode::Cli | AuthMode::Auto => cli::build(env, options)?,
    };
    credential.auto = mode == AuthMode::Auto;
    Ok(credential)
}

/// Turns an azure_core construction error into an [`AuthError`].
fn construction_error(what: &str, e: &azure_core::Error) -> AuthError {
    AuthError::Failed {
        credential: what.to_owned(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs.iter().copied())
    }

    const SECRET_VARS: [(&str, &str); 3] = [
        ("AZURE_TENANT_ID", "tenant"),
        ("AZURE_CLIENT_ID", "client"),
        ("AZURE_CLIENT_SECRET", "s3cr3t"),
    ];

    #[test]
    fn auto_picks_the_first_configured_mode() {
        let cases: Vec<(Vec<(&str, &str)>, AuthMode)> = vec![
            (vec![], AuthMode::Cli),
            (vec![("AZURE_ACCESS_TOKEN", "t")], AuthMode::Token),
            (SECRET_VARS.to_vec(), AuthMode::Secret),
            (
                [SECRET_VARS.to_vec(), vec![("AZURE_ACCESS_TOKEN", "t")]].concat(),
                AuthMode::Token,
            ),
            (
                vec![
                    ("AZURE_TENANT_ID", "t"),
                    ("AZURE_CLIENT_ID", "c"),
                    ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"),
                ],
                AuthMode::WorkloadIdentity,
            ),
            (
                vec![
                    ("AZURE_TENANT_ID", "t"),
                    ("AZURE_CLIENT_ID", "c"),
                    ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://gh/x?a=1"),
                    ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "r"),
                ],
                AuthMode::GithubOidc,
            ),
            // GitHub OIDC without the ids Azure needs is not configured.
            (
                vec![
                    ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://gh/x?a=1"),
                    ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "r"),
                ],
                AuthMode::Cli,
            ),
            (
                vec![("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi")],
                AuthMode::ManagedIdentity,
            ),
            (
                vec![("MSI_ENDPOINT", "http://127.0.0.1:1/msi")],
                AuthMode::ManagedIdentity,
            ),
            // A partial service principal falls through; AZURE_CLIENT_ID alone is not enough.
            (
                vec![("AZURE_CLIENT_ID", "c"), ("AZURE_CLIENT_SECRET", "s")],
                AuthMode::Cli,
            ),
            // Empty values count as unset.
            (vec![("AZURE_ACCESS_TOKEN", "")], AuthMode::Cli),
        ];
        for (pairs, expected) in cases {
            assert_eq!(
                AuthMode::Auto.resolve(&env(&pairs)),
                expected,
                "environment {pairs:?}"
            );
        }
        // An explicit mode is kept whatever the environment.
        assert_eq!(
            AuthMode::Cli.resolve(&env(&[("AZURE_ACCESS_TOKEN", "t")])),
            AuthMode::Cli
        );
    }

    #[test]
    fn explicit_mode_with_missing_variables_names_them() {
        let err = build_credential(
            AuthMode::Secret,
            &env(&[("AZURE_CLIENT_ID", "c")]),
            &AuthOptions::default(),
        )
        .expect_err("missing variables");
        assert_eq!(
            err,
            AuthError::Missing {
                mode: AuthMode::Secret,
                missing: vec!["AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"],
            }
        );
        let text = err.to_string();
        assert!(text.contains("--auth secret"), "{text}");
        assert!(
            text.contains("AZURE_TENANT_ID, AZURE_CLIENT_SECRET"),
            "{text}"
        );

        let err = build_credential(AuthMode::GithubOidc, &env(&[]), &AuthOptions::default())
            .expect_err("missing variables")
            .to_string();
        for name in [
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_ID",
        ] {
            assert!(err.contains(name), "{err}");
        }
        let err = build_credential(AuthMode::Token, &env(&[]), &AuthOptions::default())
            .expect_err("missing token")
            .to_string();
        assert!(err.contains("AZURE_ACCESS_TOKEN"), "{err}");
        let err = build_credential(
            AuthMode::WorkloadIdentity,
            &env(&[("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c")]),
            &AuthOptions::default(),
        )
        .expect_err("missing file")
        .to_string();
        assert!(err.contains("AZURE_FEDERATED_TOKEN_FILE"), "{err}");
    }

    #[test]
    fn mode_names_round_trip_and_match_clap() {
        use clap::ValueEnum;
        for mode in AuthMode::ALL {
            assert_eq!(mode.to_string().parse::<AuthMode>(), Ok(mode));
            assert_eq!(
                <AuthMode as ValueEnum>::from_str(mode.name(), false),
                Ok(mode)
            );
        }
        assert!("default".parse::<AuthMode>().is_err());
    }

    #[test]
    fn http_authority_host_is_refused() {
        let options = AuthOptions::default();
        let err = build_credential(
            AuthMode::Secret,
            &env(&[
                SECRET_VARS[0],
                SECRET_VARS[1],
                SECRET_VARS[2],
                ("AZURE_AUTHORITY_HOST", "http://127.0.0.1:9"),
            ]),
            &options,
        )
        .expect_err("http authority");
        assert!(err.to_string().contains("https://"), "{err}");
    }

    #[test]
    fn env_and_credential_debug_show_no_values() {
        let e = env(&[("AZURE_CLIENT_SECRET", "s3cr3t-value")]);
        let shown = format!("{e:?}");
        assert!(shown.contains("AZURE_CLIENT_SECRET"), "{shown}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        let cred = build_credential(
            AuthMode::Secret,
            &env(&SECRET_VARS),
            &AuthOptions::default(),
        )
        .expect("secret credential");
        for shown in [format!("{cred:?}"), cred.describe()] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
        }
        assert!(cred.describe().contains("AZURE_CLIENT_ID=client"));
    }
}
