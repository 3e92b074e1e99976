//! `--record DIR` and `--replay DIR` for run, check and teardown: the per-lab recorders and
//! replay transports, the fixtures' parameters and age, and writing the recordings.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::arm::transport::Transport;
use crate::cli::TargetArgs;
use crate::error::CommandError;
use crate::fixture::lab_replay::LabReplay;
use crate::fixture::metadata::{Metadata, now_rfc3339};
use crate::fixture::recorder::{Recorder, Recording, write_recordings};
use crate::fixture::redact::{Redactor, SUBSCRIPTION_PLACEHOLDER};
use crate::fixture::store::FixtureStore;
use crate::lab::ResolvedLab;
use crate::run::events::Mode;

/// The fixtures of `--replay DIR`.
pub(super) struct Replay {
    dir: PathBuf,
    store: FixtureStore,
    /// The subscription replayed requests use (`--subscription`, else the all-zero GUID).
    pub(super) subscription: String,
    max_age: Option<u32>,
    strict: bool,
}

impl Replay {
    /// Loads `--replay DIR`, if given.
    pub(super) fn open(args: &TargetArgs) -> Result<Option<Self>, CommandError> {
        let Some(dir) = &args.replay else {
            return Ok(None);
        };
        if args.target != "emulator" {
            return Err(CommandError::Usage(format!(
                "--replay replays recorded fixtures instead of a target; drop --target {}",
                args.target
            )));
        }
        let store = FixtureStore::load(dir).map_err(|e| CommandError::Target(e.to_string()))?;
        Ok(Some(Self {
            dir: dir.clone(),
            store,
            subscription: args
                .subscription
                .clone()
                .unwrap_or_else(|| SUBSCRIPTION_PLACEHOLDER.to_owned()),
            max_age: args.max_age,
            strict: args.strict,
        }))
    }

    /// The name in reports: `replay:DIR`.
    pub(super) fn name(&self) -> String {
        format!("replay:{}", self.dir.display())
    }

    /// The replay of one lab; warns about (or, with `--strict`, refuses) stale fixtures.
    pub(super) fn lab(
        &self,
        lab: &str,
        mode: Mode,
        stderr: &mut dyn Write,
    ) -> Result<LabReplay, CommandError> {
        let replay = self
            .store
            .lab_replay(lab, mode.as_str(), &self.subscription)
            .map_err(|e| CommandError::Target(e.to_string()))?;
        if let Some(max) = self.max_age {
            for message in replay.stale(time::OffsetDateTime::now_utc(), max, Path::new("")) {
                if self.strict {
                    return Err(CommandError::Target(format!(
                        "stale fixture: {message} (--strict)"
                    )));
                }
                writeln!(stderr, "amlab: warning: stale fixture: {message}")?;
            }
        }
        Ok(replay)
    }
}

/// The recorders of `--record DIR`, one per lab.
pub(super) struct Record {
    dir: PathBuf,
    labs: Vec<(Arc<Recorder>, Metadata)>,
}

impl Record {
    /// Prepares recording into `dir`.
    pub(super) fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            labs: Vec::new(),
        }
    }

    /// Wraps a lab's transport in a recorder of its own.
    pub(super) fn wrap(
        &mut self,
        inner: Arc<dyn Transport>,
        authenticated: bool,
        lab: &ResolvedLab,
        mode: Mode,
        target: &str,
    ) -> Arc<dyn Transport> {
        let recorder = Arc::new(Recorder::new(inner, authenticated));
        self.labs.push((
            recorder.clone(),
            Metadata {
                amlab_version: env!("CARGO_PKG_VERSION").to_owned(),
                lab_id: lab.id.clone(),
                lab_file_sha256: lab.file_hash.clone(),
                target: target.to_owned(),
                api_versions: Vec::new(),
                recorded_at: now_rfc3339(),
                mode: mode.as_str().to_owned(),
                params: lab.params.clone(),
            },
        ));
        recorder
    }

    /// Writes one recording per lab (redacted, scanned; `known` are secrets the target issued).
    pub(super) fn finish(
        self,
        subscription: &str,
        known: &[String],
        stderr: &mut dyn Write,
    ) -> Result<(), CommandError> {
        let recordings: Vec<Recording> = self
            .labs
            .into_iter()
            .map(|(recorder, metadata)| Recording {
                metadata,
                entries: recorder.take_entries(),
            })
            .collect();
        let counts: Vec<usize> = recordings.iter().map(|r| r.entries.len()).collect();
        // Every secret the process knows (the token, a client secret, keys it was sent or
        // given) is redacted wherever an endpoint echoed it, and the scan refuses any left.
        let mut redactor = Redactor::new(Some(subscription));
        let mut known = known.to_vec();
        for secret in crate::secrets::known() {
            redactor.add_secret(&secret);
            known.push(secret);
        }
        let written = write_recordings(&self.dir, recordings, &redactor, &known)
            .map_err(|e| CommandError::Target(e.to_string()))?;
        for (path, n) in written.iter().zip(counts) {
            writeln!(
                stderr,
                "amlab: recorded {} to {}",
                crate::report::count(n, "exchange", "exchanges"),
                path.display()
            )?;
        }
        Ok(())
    }
}
