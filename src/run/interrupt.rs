//! Ctrl-C handling: a flag the runner consults before each new request, and a signal that
//! in-flight steps select on so they end as `skipped` instead of running on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// Shared interrupt state; clones see the same flag.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    inner: Arc<(AtomicBool, Notify)>,
}

impl Interrupt {
    /// Marks the run as interrupted and wakes every waiter.
    pub fn trigger(&self) {
        self.inner.0.store(true, Ordering::SeqCst);
        self.inner.1.notify_waiters();
    }

    /// Whether the run was interrupted.
    pub fn is_triggered(&self) -> bool {
        self.inner.0.load(Ordering::SeqCst)
    }

    /// Completes once the run is interrupted.
    pub async fn triggered(&self) {
        loop {
            let notified = self.inner.1.notified();
            if self.is_triggered() {
                return;
            }
            notified.await;
        }
    }

    /// Triggers on Ctrl-C (SIGINT) until the process ends. Must be called inside a runtime; the
    /// signal handler is registered before this returns, so a Ctrl-C right after is not lost.
    pub fn install_ctrl_c(&self) -> std::io::Result<()> {
        let me = self.clone();
        #[cfg(unix)]
        {
            let mut sigint =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
            tokio::spawn(async move {
                if sigint.recv().await.is_some() {
                    me.trigger();
                }
            });
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                me.trigger();
            }
        });
        Ok(())
    }
}
