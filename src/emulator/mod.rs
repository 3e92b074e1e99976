//! The built-in, stateful ARM emulator for the Azure ML control plane.
//!
//! [`Emulator`] implements [`Transport`]: it answers ARM requests for resource groups, the
//! workspace dependencies (storage, key vault, Application Insights, container registry) and the
//! Azure ML resources a DP-100 lab touches, with ARM's envelopes, errors, long-running
//! operations and paging. Its world can persist in a JSON state file between processes.
//!
//! Layout: `engine` applies the generic ARM rules; `types/` holds one file per resource type
//! behind a small trait; `world` is the data, `persist` the state file, `clock` the time source.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::arm::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};

mod api_versions;
pub mod blob;
mod clock;
mod engine;
mod error;
mod fields;
pub(crate) mod ids;
mod persist;
mod providers;
pub mod registry;
mod route;
mod sealed;
mod search;
mod template;
mod types;
mod url;
mod world;

#[cfg(test)]
mod catalog_tests;
#[cfg(test)]
mod tests;

pub use blob::{BearerCheck, BlobRequest, BlobResponse};
pub use clock::{Clock, ManualClock, SystemClock};
pub use providers::{SUBSCRIPTION_ID, TENANT_ID};

/// The object id of the emulated service principal: the `oid` of the tokens `amlab serve`
/// issues to it, and the caller amlab's own in-process data-plane steps act as (what its role
/// assignments allow on a search service's data plane).
pub const SERVICE_PRINCIPAL_OBJECT_ID: &str = "6f0a1ab0-0000-4000-8000-0000000000b1";

use blob::payloads::Payloads;
use persist::StateFile;
use world::World;

pub(crate) use types::job_log;

/// The default number of items in one page of a list response.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// How to open the emulator.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    /// State file; `None` keeps the world in memory only.
    pub state_path: Option<PathBuf>,
    /// Start with an empty world (the state file is replaced at the first save or
    /// [`Emulator::flush`]; opening writes nothing).
    pub fresh: bool,
    /// Load the state file without locking it and never write it: changes and the request log
    /// stay in memory (what `check` and `grade` use).
    pub read_only: bool,
    /// How long resources stay `Creating`/`Updating`/`Deleting` before they settle.
    pub provisioning_delay: Duration,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        Self {
            state_path: None,
            fresh: false,
            read_only: false,
            provisioning_delay: Duration::from_millis(50),
        }
    }
}

/// One request the emulator served.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Path and query (cut to [`MAX_LOGGED_PATH`] bytes by [`RequestRecord::new`]).
    pub path: String,
    /// Status answered.
    pub status: u16,
}

/// The longest path a request log keeps; a longer one is cut there and marked
/// `...[N bytes cut]`.
pub const MAX_LOGGED_PATH: usize = 2048;

impl RequestRecord {
    /// A record of a request, its method and path cut to [`MAX_LOGGED_PATH`] bytes (a client
    /// sending huge paths cannot grow a log beyond its entry count times that), with the value
    /// of a SAS signature (`sig=`) replaced by `REDACTED`: a SAS URL's signature is its secret.
    pub fn new(method: &str, path: &str, status: u16) -> Self {
        Self {
            method: cut(method, 16),
            path: cut(&redact_sas(path), MAX_LOGGED_PATH),
            status,
        }
    }
}

/// `path` with the value of every `sig` query parameter replaced by `REDACTED`.
pub fn redact_sas(path: &str) -> String {
    let Some((base, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("sig") => format!("{k}=REDACTED"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

/// `s` cut to at most `max` bytes (on a character boundary), with a marker saying how much
/// was left out.
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...[{} bytes cut]", &s[..end], s.len() - end)
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

/// The mutable part, behind one mutex.
#[derive(Debug)]
struct Inner {
    world: World,
    file: Option<StateFile>,
    /// Blob bytes (outside the state file: see [`blob::payloads`]).
    payloads: Payloads,
    /// Requests were logged since the last save.
    unsaved_log: bool,
}

/// The emulator. Implements [`Transport`]; `Send + Sync`, usable from many tasks at once.
#[derive(Debug)]
pub struct Emulator {
    inner: Mutex<Inner>,
    clock: Arc<dyn Clock>,
    delay: Duration,
    page_size: usize,
    blob_limits: blob::Limits,
}

impl Emulator {
    /// Opens the emulator, loading (and locking) its state file.
    pub fn open(options: EmulatorOptions) -> Result<Self, EmulatorError> {
        Self::open_with_clock(options, Arc::new(SystemClock))
    }

    /// Opens the emulator with a custom clock (tests advance a [`ManualClock`] instead of sleeping).
    pub fn open_with_clock(
        options: EmulatorOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, EmulatorError> {
        let payloads = match &options.state_path {
            Some(path) if options.fresh && !options.read_only => {
                Payloads::beside(path, false).fresh()
            }
            Some(path) if !options.fresh => Payloads::beside(path, options.read_only),
            _ => Payloads::in_memory(),
        };
        let (file, world) = match &options.state_path {
            Some(_) if options.fresh && options.read_only => (None, World::default()),
            Some(path) if options.read_only => (None, StateFile::snapshot(path)?),
            Some(path) => {
                let (file, world) = StateFile::open(path, options.fresh)?;
                (Some(file), world)
            }
            None => (None, World::default()),
        };
        Ok(Self {
            inner: Mutex::new(Inner {
                world,
                file,
                payloads,
                unsaved_log: false,
            }),
            clock,
            delay: options.provisioning_delay,
            page_size: DEFAULT_PAGE_SIZE,
            blob_limits: blob::Limits::default(),
        })
    }

    /// Sets the page size of list responses (at least 1); longer lists get a `nextLink`.
    #[must_use]
    pub fn with_page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Sets the size limits of the blob data plane (a blob, a world's total).
    #[must_use]
    pub fn with_blob_limits(mut self, limits: blob::Limits) -> Self {
        self.blob_limits = limits;
        self
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every request served (this process and, with a state file, earlier ones).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.lock().world.requests.clone()
    }

    /// What identifies this world (see the state file's `world_id`); `None` for a state file
    /// written before world ids existed and opened read-only.
    pub fn world_id(&self) -> Option<String> {
        self.lock().world.world_id.clone()
    }

    /// Every secret value the emulator has issued or stored.
    pub fn secrets(&self) -> Vec<String> {
        self.lock().world.secrets.clone()
    }

    /// Whether an online endpoint named `name` (any case) exists in `region` now: what the
    /// host of its scoring URI (`{name}.{region}.inference.ml.azure.com`) names.
    pub fn has_online_endpoint(&self, name: &str, region: &str) -> bool {
        self.find_endpoint(
            "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
            name,
            region,
        )
        .is_some()
    }

    /// The id of the endpoint of `type_name` (online or batch endpoints) named `name` in
    /// `region`: what a scoring host `{name}.{region}.inference.ml.azure.com` stands for.
    pub fn find_endpoint(&self, type_name: &str, name: &str, region: &str) -> Option<String> {
        let now_ms = self.clock.now_ms();
        let inner = self.lock();
        inner
            .world
            .resources
            .values()
            .find(|r| {
                r.exists_at(now_ms)
                    && r.type_name.eq_ignore_ascii_case(type_name)
                    && r.id
                        .rsplit('/')
                        .next()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                    && r.body["location"]
                        .as_str()
                        .is_some_and(|l| l.replace(' ', "").eq_ignore_ascii_case(region))
            })
            .map(|r| r.id.clone())
    }

    /// Sets the quota limit (thousands of tokens per minute) of a model pool in a region, such as
    /// (`eastus2`, `OpenAI.GlobalStandard.gpt-4o`, 0), over the built-in catalogue. Saved in the
    /// state file's `cognitive.quota` (where it can also be written by hand).
    pub fn set_model_quota(&self, location: &str, usage_name: &str, limit: u64) {
        let mut inner = self.lock();
        let key = format!("{}/{usage_name}", location.to_ascii_lowercase());
        inner.world.cognitive.quota.insert(key, limit);
        if let Some(file) = &inner.file {
            let _ = file.save(&inner.world);
        }
    }

    /// Says whether a region offers a model with a deployment type (`sku`), over the built-in
    /// catalogue. Saved in the state file's `cognitive.offers`.
    pub fn set_model_offer(&self, location: &str, sku: &str, model: &str, offered: bool) {
        let mut inner = self.lock();
        let key = format!("{}/{sku}/{model}", location.to_ascii_lowercase());
        inner.world.cognitive.offers.insert(key, offered);
        if let Some(file) = &inner.file {
            let _ = file.save(&inner.world);
        }
    }

    /// Saves the state file now (it is also saved after every change and when dropped).
    pub fn flush(&self) -> Result<(), EmulatorError> {
        let mut inner = self.lock();
        if let Some(file) = &inner.file {
            file.save(&inner.world)?;
        }
        inner.unsaved_log = false;
        Ok(())
    }

    /// Serves one request synchronously (what [`Transport::send`] does).
    pub fn handle(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let url = url::RequestUrl::parse(&request.url);
        let now_ms = self.clock.now_ms();
        let delay_ms = u64::try_from(self.delay.as_millis()).unwrap_or(u64::MAX);
        let mut inner = self.lock();
        let mut engine = engine::Engine {
            world: &mut inner.world,
            now_ms,
            delay_ms,
            page_size: self.page_size,
            changed: false,
        };
        let response = match search::service_name(&url) {
            Some(name) => match search::handle(&mut engine, request, &url, &name) {
                Some(r) => r,
                None => {
                    return Err(TransportError::Connection(format!(
                        "could not resolve host {name}{}: no search service of that name exists",
                        search::DOMAIN
                    )));
                }
            },
            None => engine.handle(request, &url),
        };
        let mut changed = engine.changed;
        if changed && request.method == Method::Put && (200..300).contains(&response.status) {
            changed |= self.write_job_log(&mut inner, now_ms, response.body.as_ref());
        }
        if changed {
            let Inner {
                world, payloads, ..
            } = &mut *inner;
            changed |= blob::forget_orphans(world, payloads, now_ms);
        }
        inner.world.log_request(RequestRecord::new(
            request.method.as_str(),
            &url.path_and_query,
            response.status,
        ));
        Self::settle(&mut inner, changed)
            .map_err(|e| TransportError::Unavailable(e.to_string()))?;
        Ok(response)
    }

    /// After a PUT that wrote a job: writes the job's log into its workspace's artifact store,
    /// as the service does (see [`types::job_log`]). Whether it wrote.
    fn write_job_log(
        &self,
        inner: &mut Inner,
        now_ms: u64,
        body: Option<&serde_json::Value>,
    ) -> bool {
        let Some(job) = body else {
            return false;
        };
        let Inner {
            world, payloads, ..
        } = inner;
        let mut ctx = blob::Ctx {
            world,
            payloads,
            now_ms,
            changed: false,
            limits: self.blob_limits,
        };
        types::job_log::write(&mut ctx, job);
        ctx.changed
    }

    /// Saves the state after a change (then removes the blob payloads nothing refers to any
    /// more), or notes that the request log has unsaved entries.
    fn settle(inner: &mut Inner, changed: bool) -> Result<(), EmulatorError> {
        if !changed {
            inner.unsaved_log = true;
            return Ok(());
        }
        if let Some(file) = &inner.file {
            file.save(&inner.world)?;
        }
        inner.unsaved_log = false;
        let Inner {
            world, payloads, ..
        } = inner;
        payloads.sweep(&blob::referenced(world));
        Ok(())
    }

    /// Serves one request of the blob data plane of an emulated storage account
    /// (`https://{account}.blob.core.windows.net/...`); `None` when the URL is not a blob
    /// endpoint. `bearer` checks Entra tokens (see [`BearerCheck`]).
    pub fn blob(&self, request: &BlobRequest, bearer: BearerCheck<'_>) -> Option<BlobResponse> {
        let now_ms = self.clock.now_ms();
        let mut inner = self.lock();
        let Inner {
            world, payloads, ..
        } = &mut *inner;
        let mut ctx = blob::Ctx {
            world,
            payloads,
            now_ms,
            changed: false,
            limits: self.blob_limits,
        };
        let mut response = blob::handle(&mut ctx, request, bearer)?;
        let changed = ctx.changed;
        let path = request
            .url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("/");
        inner
            .world
            .log_request(RequestRecord::new(&request.method, path, response.status));
        if let Err(e) = Self::settle(&mut inner, changed) {
            response = blob::unavailable(&e.to_string());
        }
        Some(response)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let inner = self.lock();
        if inner.unsaved_log
            && let Some(file) = &inner.file
        {
            // Best effort: the log of read-only requests; every change was saved already.
            let _ = file.save(&inner.world);
        }
    }
}

#[async_trait::async_trait]
impl Transport for Emulator {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.handle(&request)
    }
}
