//! The target's pace for `check --watch`: a transport wrapper that notes the longest delay the
//! target asked for (`Retry-After` on a 429 or 503) during a round, so the next round waits at
//! least that long after the interval.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::arm::client::retry_after;
use crate::arm::transport::{HttpRequest, HttpResponse, Transport, TransportError};

/// The longest delay asked for since it was last taken, shared by every lab's transport.
#[derive(Debug, Default, Clone)]
pub(super) struct Pace(Arc<AtomicU64>);

impl Pace {
    /// Wraps a transport so its throttling responses are noted here.
    pub(super) fn wrap(&self, inner: Arc<dyn Transport>) -> Arc<dyn Transport> {
        Arc::new(Paced {
            inner,
            pace: self.clone(),
        })
    }

    /// The wait before the next round: the interval, or longer if the target asked for it.
    /// Resets what was noted.
    pub(super) fn next_wait(&self, interval: Duration) -> Duration {
        let asked = Duration::from_millis(self.0.swap(0, Ordering::SeqCst));
        interval.max(asked)
    }

    fn note(&self, delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.0.fetch_max(ms, Ordering::SeqCst);
    }
}

struct Paced {
    inner: Arc<dyn Transport>,
    pace: Pace,
}

#[async_trait::async_trait]
impl Transport for Paced {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let response = self.inner.send(request).await?;
        if matches!(response.status, 429 | 503)
            && let Some(delay) = retry_after(&response)
        {
            self.pace.note(delay);
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::transport::Method;

    /// Answers every request with `status` and a `Retry-After` of `seconds`.
    struct Throttling(u16, &'static str);

    #[async_trait::async_trait]
    impl Transport for Throttling {
        async fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
            Ok(HttpResponse::new(self.0, None).with_header("Retry-After", self.1))
        }
    }

    fn send(pace: &Pace, status: u16, seconds: &'static str) {
        let t = pace.wrap(Arc::new(Throttling(status, seconds)));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = rt.block_on(t.send(HttpRequest::new(Method::Get, "http://x/")));
    }

    #[test]
    fn a_throttling_target_lengthens_the_next_wait_once() {
        let pace = Pace::default();
        let interval = Duration::from_secs(5);
        send(&pace, 200, "60");
        assert_eq!(
            pace.next_wait(interval),
            interval,
            "a 200's header is no request"
        );
        send(&pace, 429, "12");
        send(&pace, 503, "9");
        assert_eq!(pace.next_wait(interval), Duration::from_secs(12));
        assert_eq!(pace.next_wait(interval), interval, "taken, then reset");
    }
}
