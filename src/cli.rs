//! The command line (clap): commands, flags and their documentation.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Run and validate hands-on Azure Machine Learning labs.
#[derive(Debug, Parser)]
#[command(name = "amlab", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 every check passed, 1 a check failed, 2 invalid lab or command line, \
3 could not check (auth, network, replay miss, timeout), 130 interrupted."
)]
pub struct Cli {
    /// When to use colours: auto (a terminal without NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colours on a terminal unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply: create or update each step's resource, wait, then check it.
    Run(TargetArgs),
    /// Check only: read-only, never sends PUT, PATCH, DELETE or POST.
    Check(TargetArgs),
    /// Delete what the labs create, in reverse dependency order, waiting for each.
    Teardown(TargetArgs),
    /// Validate lab files without any network; reports all errors at once.
    Lint {
        /// Lab files or directories (searched for *.lab.yaml).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List the labs found, with title, steps and points.
    List {
        /// Lab files or directories (default: labs).
        paths: Vec<PathBuf>,
    },
    /// Print the lab JSON Schema (draft-07).
    Schema,
    /// Translate an az ml CLI v2 YAML spec to its ARM request, as the Azure ML SDK builds it.
    Spec {
        /// The spec file (for example `compute.yml`).
        file: PathBuf,
        /// Workspace context: `subscription`, `resource_group`, `workspace`, `location`
        /// (repeatable).
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
    },
    /// Run the emulator as an HTTP ARM endpoint (for tests, demos and other clients).
    Serve(ServeArgs),
    /// Grade many learners' submissions of one lab into a gradebook (CSV and JSON).
    Grade(GradeArgs),
}

/// Flags of `amlab grade`.
#[derive(Debug, Args)]
pub struct GradeArgs {
    /// The lab file to grade against.
    pub lab: PathBuf,
    /// A folder with one subfolder per learner, each holding a vars.yaml or vars.env that
    /// names the learner's resources (suffix, resource_group, subscription, ...), or the
    /// learner's recorded fixture (`amlab check --record` output), graded by replaying it.
    #[arg(long, value_name = "DIR")]
    pub submissions: PathBuf,
    /// The CSV gradebook to write (atomically); a JSON gradebook is written beside it.
    #[arg(long, default_value = "gradebook.csv", value_name = "PATH")]
    pub gradebook: PathBuf,
    /// Learners checked at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Where the learners' resources are: `emulator`, `azure`, or an http(s):// URL.
    #[arg(long, default_value = "emulator")]
    pub target: String,
    /// Subscription id when a submission names none.
    #[arg(long, env = "AZURE_SUBSCRIPTION_ID")]
    pub subscription: Option<String>,
    /// How to sign in for `azure` and URL targets.
    #[arg(long, value_enum, default_value = "auto")]
    pub auth: crate::arm::auth::AuthMode,
    /// The Azure cloud of `--target azure`.
    #[arg(long, value_enum, default_value = "public")]
    pub cloud: crate::arm::cloud::Cloud,
    /// A PEM CA certificate to trust for an https:// URL target.
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,
    /// Emulator state file.
    #[arg(long, default_value = ".amlab/emulator-state.json")]
    pub state: PathBuf,
    /// Retries of one request on throttling and server errors.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u8).range(0..=20))]
    pub retries: u8,
    /// Pass mark overriding the lab's: a percentage such as 70%, or points such as 12.
    #[arg(long, value_name = "MARK", value_parser = parse_pass_mark)]
    pub pass_mark: Option<crate::lab::PassMark>,
    /// Flag fixture submissions recorded more than DAYS days ago (gradebook `warnings`).
    #[arg(long, value_name = "DAYS")]
    pub max_age: Option<u32>,
    /// With --max-age: a stale fixture is not graded (could_not_check), not just flagged.
    #[arg(long, requires = "max_age")]
    pub strict: bool,
}

/// Flags of `amlab serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port. The first line printed is
    /// `listening on http://HOST:PORT`.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: std::net::SocketAddr,
    /// Emulator state file shared with `amlab run --state` (default: in memory only).
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Start with an empty world.
    #[arg(long)]
    pub fresh: bool,
    /// Added to every response: milliseconds, or a duration such as 100ms.
    #[arg(long, default_value = "0", value_parser = parse_millis)]
    pub latency: std::time::Duration,
    /// Fraction of requests answered 429 with Retry-After.
    #[arg(long, default_value_t = 0.0, value_parser = parse_fraction)]
    pub throttle: f64,
    /// Fraction of requests answered 500 or 503.
    #[arg(long, default_value_t = 0.0, value_parser = parse_fraction)]
    pub error_rate: f64,
    /// Fraction of requests whose connection is closed without any HTTP response.
    #[arg(long, default_value_t = 0.0, value_parser = parse_fraction)]
    pub drop_rate: f64,
    /// Serve this many requests, then accept every further one but never answer it (a server
    /// that stops responding mid-run).
    #[arg(long, value_name = "N")]
    pub hang_after: Option<u64>,
    /// The delay a 429 asks for (sent as `retry-after-ms` and, rounded up, `Retry-After`).
    #[arg(long, default_value = "200", value_parser = parse_millis)]
    pub retry_after: std::time::Duration,
    /// How long resources stay Creating/Deleting: milliseconds, or a duration.
    #[arg(long, default_value = "50", value_parser = parse_millis)]
    pub provisioning_delay: std::time::Duration,
    /// Seed of the fault generator, for repeatable runs.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Serve HTTPS with a certificate made at start, signed by a throwaway local CA.
    #[arg(long)]
    pub tls: bool,
    /// With --tls: where to write the CA certificate clients should trust (`--ca-cert`).
    #[arg(long, default_value = ".amlab/serve-ca.pem", value_name = "PATH")]
    pub ca_out: PathBuf,
    /// Write `export NAME=VALUE` lines that point the Azure SDKs and CLI at this server: the
    /// emulated service principal, and with --tls HTTPS_PROXY and the CA bundle.
    #[arg(long, value_name = "PATH")]
    pub env_file: Option<PathBuf>,
    /// A certificate (PEM) whose key may sign client assertions of the emulated service
    /// principal (certificate credentials); repeatable.
    #[arg(long, value_name = "PATH")]
    pub client_cert: Vec<PathBuf>,
}

/// Parses milliseconds (`100`) or a humantime duration (`100ms`, `2s`).
pub fn parse_millis(s: &str) -> Result<std::time::Duration, String> {
    match s.parse::<u64>() {
        Ok(ms) => Ok(std::time::Duration::from_millis(ms)),
        Err(_) => humantime::parse_duration(s)
            .map_err(|e| format!("`{s}`: {e}; expected milliseconds or a duration such as 100ms")),
    }
}

/// Parses `--pass-mark`: a percentage such as `70%` or points such as `12`.
pub fn parse_pass_mark(s: &str) -> Result<crate::lab::PassMark, String> {
    crate::lab::PassMark::parse(s)
}

/// Parses a request timeout: a humantime duration (`60s`, `500ms`) or milliseconds; not zero.
pub fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let d = parse_millis(s)?;
    if d.is_zero() {
        return Err(format!(
            "`{s}`: the timeout must be longer than zero, such as 60s"
        ));
    }
    Ok(d)
}

/// Parses a fraction between 0 and 1.
pub fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!(
            "`{s}`: expected a fraction between 0 and 1, such as 0.3"
        )),
    }
}

/// Flags shared by run, check and teardown.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Lab files or directories (searched recursively for *.lab.yaml).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Where to run: `emulator` (built in, the default), `azure`, or an http(s):// URL of an
    /// ARM-compatible endpoint such as `amlab serve`.
    #[arg(long, default_value = "emulator")]
    pub target: String,
    /// Azure subscription id.
    #[arg(long, env = "AZURE_SUBSCRIPTION_ID")]
    pub subscription: Option<String>,
    /// How to sign in for `azure` and URL targets: auto picks the first configured of token,
    /// secret, workload-identity, github-oidc, managed-identity, else the Azure CLI.
    #[arg(long, value_enum, default_value = "auto")]
    pub auth: crate::arm::auth::AuthMode,
    /// The Azure cloud of `--target azure`.
    #[arg(long, value_enum, default_value = "public")]
    pub cloud: crate::arm::cloud::Cloud,
    /// A PEM CA certificate to trust for an https:// URL target (such as `amlab serve --tls`).
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,
    /// Set a lab parameter (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Write a report (repeatable): FORMAT=PATH with FORMAT `json`, `junit`, `github` (a Markdown
    /// job summary at PATH, `-` for $GITHUB_STEP_SUMMARY, plus annotations on stdout) or
    /// `classroom` (a GitHub Classroom autograding result).
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    pub reports: Vec<String>,
    /// What a learner needs to pass each lab, overriding the labs' `pass_mark`: a percentage of
    /// the points such as 70%, or points such as 12. Default: every step passed.
    #[arg(long, value_name = "MARK", value_parser = parse_pass_mark)]
    pub pass_mark: Option<crate::lab::PassMark>,
    /// Show checks whose visibility is `hidden`, `none` or `actual` in full in every report.
    #[arg(long)]
    pub reveal: bool,
    /// Concurrent steps at most.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Retries of one request on throttling (429), timeouts and server errors (5xx), with
    /// capped exponential backoff and jitter, honouring Retry-After.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u8).range(0..=20))]
    pub retries: u8,
    /// Time limit of one HTTP request (azure and URL targets), e.g. 60s, 500ms; a request
    /// without an answer by then is retried, then the step fails (exit 3).
    #[arg(long, default_value = "60s", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
    /// Emulator state file.
    #[arg(long, default_value = ".amlab/emulator-state.json")]
    pub state: PathBuf,
    /// Start the emulator empty (forgets its resources and remembered parameters).
    #[arg(long)]
    pub fresh: bool,
    /// Emulator: how long resources stay Creating/Deleting, e.g. 50ms, 2s.
    #[arg(long, default_value = "50ms", value_parser = parse_millis)]
    pub provisioning_delay: std::time::Duration,
    /// Record every exchange of each lab, redacted, to DIR/<lab-id>/<mode>.json (Azure SDK
    /// test-proxy format). Works with every target.
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// Replay recorded fixtures from DIR instead of a target: no network, no emulator state.
    /// Reported as target `replay:DIR`.
    #[arg(long, value_name = "DIR")]
    pub replay: Option<PathBuf>,
    /// With --replay: warn about fixtures recorded more than DAYS days ago.
    #[arg(long, value_name = "DAYS", requires = "replay")]
    pub max_age: Option<u32>,
    /// With --replay --max-age: a stale fixture is an error (exit 3), not a warning.
    #[arg(long, requires = "max_age")]
    pub strict: bool,
    /// No per-step durations in the terminal output.
    #[arg(long, hide = true)]
    pub no_durations: bool,
}
