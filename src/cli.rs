//! The command line (clap): commands, flags and their documentation.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Run and validate hands-on Azure Machine Learning labs.
#[derive(Debug, Parser)]
#[command(name = "amlab", version = env!("AMLAB_VERSION"), about, long_about = None, propagate_version = true)]
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
    Run(RunArgs),
    /// Check only: read-only, never sends PUT, PATCH, DELETE or POST.
    Check(CheckArgs),
    /// Delete what the labs create, in reverse dependency order, waiting for each.
    Teardown(TargetArgs),
    /// Prepare what an exercise's setup script creates (resource group, workspace, the
    /// lab's `setup:` steps such as compute, data assets or a deleted account to recover) and,
    /// for an Azure ML lab, write the `config.json` that the SDK's `MLClient.from_config()` reads.
    Setup(SetupArgs),
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
    /// Explain a lab for doing it by hand: its parameters, the resources it expects (ids as
    /// templates) and each check in words with its points. No network, no state.
    Explain {
        /// Lab files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Show checks whose visibility is `hidden` too.
        #[arg(long)]
        reveal: bool,
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
    /// Print a shell completion script (for example `source <(amlab completions bash)`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff; for example `amlab man > amlab.1 && man -l amlab.1`).
    Man {
        /// A subcommand: print its page (`amlab-check(1)`) instead of amlab's.
        command: Option<String>,
    },
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
    /// Also write the class as one self-contained HTML page (atomically): score distribution,
    /// pass rate per step and per check, who could not be checked, each learner's detail.
    /// `-` writes it to standard output (the summary then goes to standard error).
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
    /// Learners checked at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Where the learners' resources are: `emulator`, `azure`, or an http(s):// URL.
    #[arg(long, default_value = "emulator")]
    pub target: String,
    /// Subscription id when a submission names none.
    #[arg(long, env = "AZURE_SUBSCRIPTION_ID")]
    pub subscription: Option<String>,
    /// Set a lab parameter for every learner (repeatable); a learner's own values win.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Time limit of one HTTP request (azure and URL targets), such as 60s or 500ms.
    #[arg(long, default_value = "60s", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
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
    /// At most this many retries of one request (default: as many as each step's time budget
    /// allows, as for `check`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub retries: Option<u8>,
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
    /// `listening on http://HOST:PORT`. An address other than loopback needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: std::net::SocketAddr,
    /// Listen on an address other than loopback (such as 0.0.0.0). Anyone who can reach it can
    /// read the emulator's secrets at `/_emulator/secrets` and every request at
    /// `/_emulator/requests`: no token is checked there.
    #[arg(long)]
    pub allow_remote: bool,
    /// Emulator state file shared with `amlab run --state` (default: in memory only).
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Start with an empty world.
    #[arg(long)]
    pub fresh: bool,
    /// Added to every response, such as 100ms.
    #[arg(long, default_value = "0ms", value_parser = parse_duration)]
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
    #[arg(long, default_value = "200ms", value_parser = parse_duration)]
    pub retry_after: std::time::Duration,
    /// How long resources stay Creating/Deleting, such as 50ms or 2s.
    #[arg(long, default_value = "50ms", value_parser = parse_duration)]
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

/// Parses a duration with its unit (`500ms`, `5s`, `2m`, `1h`); a bare number other than `0` is
/// rejected, since `5` could mean 5 ms or 5 s.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    if t == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    if t.parse::<f64>().is_ok() {
        return Err(format!(
            "`{s}` has no unit: write {t}s for seconds or {t}ms for milliseconds (units: ms, s, m, h)"
        ));
    }
    humantime::parse_duration(t)
        .map_err(|e| format!("`{s}`: {e}; expected a duration such as 500ms, 5s or 2m"))
}

/// Parses `--pass-mark`: a percentage such as `70%` or points such as `12`.
pub fn parse_pass_mark(s: &str) -> Result<crate::lab::PassMark, String> {
    crate::lab::PassMark::parse(s)
}

/// Parses a request timeout: a duration with its unit (`60s`, `500ms`); not zero.
pub fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let d = parse_duration(s)?;
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

/// Flags of `amlab run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The target and the labs.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Scoring.
    #[command(flatten)]
    pub scoring: ScoringArgs,
}

/// Flags of `amlab setup`.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The target and the lab (one).
    #[command(flatten)]
    pub target: TargetArgs,
    /// Where to write the workspace's `config.json` (atomically; only for a lab with an
    /// Azure ML workspace).
    #[arg(long, default_value = "config.json", value_name = "PATH")]
    pub config: PathBuf,
}

/// Flags of `amlab check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The target and the labs.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Scoring.
    #[command(flatten)]
    pub scoring: ScoringArgs,
    /// Check only this step (repeatable); the other steps are left out of the score.
    #[arg(long = "step", value_name = "ID")]
    pub steps: Vec<String>,
    /// Check again every --interval, showing what changed, until every check passes (exit 0)
    /// or Ctrl-C (exit 130).
    #[arg(long, conflicts_with_all = ["replay", "record"])]
    pub watch: bool,
    /// With --watch: the time between rounds (at least; a target that throttles slows it).
    #[arg(long, default_value = "5s", value_parser = parse_timeout, requires = "watch")]
    pub interval: std::time::Duration,
}

/// Flags of `run` and `check` about scoring (teardown scores nothing).
#[derive(Debug, Default, Args)]
pub struct ScoringArgs {
    /// What a learner needs to pass each lab, overriding the labs' `pass_mark`: a percentage of
    /// the points such as 70%, or points such as 12 (at most the lab's points). Default: every
    /// step passed.
    #[arg(long, value_name = "MARK", value_parser = parse_pass_mark)]
    pub pass_mark: Option<crate::lab::PassMark>,
    /// Show checks whose visibility is `hidden`, `none` or `actual` in full in every report.
    #[arg(long)]
    pub reveal: bool,
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
    /// job summary at PATH, `github` alone for $GITHUB_STEP_SUMMARY, plus annotations on stdout)
    /// `classroom` (a GitHub Classroom autograding result) or `html` (one self-contained page to
    /// read or print). PATH `-` is standard output (one
    /// report at a time; the terminal report then goes to stderr).
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    pub reports: Vec<String>,
    /// Only what did not pass, and the summary: a lab whose steps all passed is one line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Concurrent steps at most.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// At most this many retries of one request. By default a request is retried on throttling
    /// (429), timeouts (408), server errors (5xx) and dropped connections for as long as the
    /// step's time budget allows, with capped exponential backoff and jitter, honouring
    /// Retry-After; a server that gives no answer 8 times in a row is given up on.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub retries: Option<u8>,
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
    #[arg(long, default_value = "50ms", value_parser = parse_duration)]
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
