//! Retries of [`ArmClient::send`] on a scripted transport, in tokio's paused time (delays are
//! measured on the virtual clock; nothing sleeps for real).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::client::{ArmClient, RetryPolicy};
use super::error::ArmError;
use super::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};

/// Answers from a script (the last answer repeats), recording when each request came.
struct Scripted {
    answers: Mutex<VecDeque<Result<HttpResponse, TransportError>>>,
    last: Result<HttpResponse, TransportError>,
    seen: Mutex<Vec<Instant>>,
}

impl Scripted {
    fn new(
        answers: Vec<Result<HttpResponse, TransportError>>,
        last: Result<HttpResponse, TransportError>,
    ) -> Arc<Self> {
        Arc::new(Self {
            answers: Mutex::new(answers.into()),
            last,
            seen: Mutex::new(Vec::new()),
        })
    }

    fn times(&self) -> Vec<Instant> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl Transport for Scripted {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(Instant::now());
        }
        let next = self.answers.lock().ok().and_then(|mut a| a.pop_front());
        next.unwrap_or_else(|| self.last.clone())
    }
}

fn throttled(ms: u64) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse::new(429, None).with_header("retry-after-ms", ms.to_string()))
}

fn status(code: u16) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse::new(code, None))
}

fn dropped() -> Result<HttpResponse, TransportError> {
    Err(TransportError::Connection(
        "connection closed before message completed".into(),
    ))
}

fn client(t: &Arc<Scripted>) -> ArmClient {
    ArmClient::new(t.clone(), "https://management.azure.com")
}

const URL: &str = "https://management.azure.com/subscriptions/s/resourceGroups/rg?api-version=1";

#[tokio::test(start_paused = true)]
async fn throttling_is_retried_past_any_fixed_count_honouring_retry_after() {
    // 20 throttled answers in a row (the old default gave up after 7 attempts).
    let t = Scripted::new((0..20).map(|_| throttled(300)).collect(), status(200));
    let r = client(&t).send(Method::Get, URL, None).await;
    assert_eq!(r.map(|r| r.status).ok(), Some(200));
    let times = t.times();
    assert_eq!(times.len(), 21);
    for pair in times.windows(2) {
        assert_eq!(pair[1] - pair[0], Duration::from_millis(300), "Retry-After");
    }
}

#[tokio::test(start_paused = true)]
async fn retrying_stops_within_the_time_budget() {
    let t = Scripted::new(Vec::new(), status(503));
    let start = Instant::now();
    let budget = Duration::from_secs(60);
    let r = client(&t)
        .with_deadline(start + budget)
        .send(Method::Put, URL, None)
        .await;
    match r {
        Err(ArmError::RetriesExhausted {
            attempts, status, ..
        }) => {
            assert_eq!(status, 503);
            assert!(attempts > 7, "{attempts}");
            assert_eq!(attempts, t.times().len());
        }
        other => panic!("{other:?}"),
    }
    assert!(Instant::now() - start <= budget);
    // Backoff grows (capped at 30 s, with jitter) rather than hammering the server.
    let times = t.times();
    let gaps: Vec<Duration> = times.windows(2).map(|p| p[1] - p[0]).collect();
    assert!(
        gaps.iter().all(|g| *g >= Duration::from_millis(200)),
        "{gaps:?}"
    );
    assert!(gaps.last() > gaps.first(), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn retries_is_an_optional_cap() {
    let t = Scripted::new(Vec::new(), status(500));
    let capped = client(&t).with_retry(RetryPolicy {
        max_retries: Some(2),
        ..RetryPolicy::default()
    });
    let r = capped.send(Method::Get, URL, None).await;
    assert!(
        matches!(r, Err(ArmError::RetriesExhausted { attempts: 3, .. })),
        "{r:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn dropped_connections_are_retried_but_a_silent_server_is_given_up_on() {
    let t = Scripted::new(vec![dropped(), dropped(), dropped()], status(200));
    let r = client(&t).send(Method::Put, URL, None).await;
    assert_eq!(r.map(|r| r.status).ok(), Some(200));

    let silent = Scripted::new(Vec::new(), dropped());
    let r = client(&silent).send(Method::Get, URL, None).await;
    assert!(matches!(r, Err(ArmError::Transport(_))), "{r:?}");
    assert_eq!(silent.times().len(), RetryPolicy::default().max_unanswered);
}

#[tokio::test(start_paused = true)]
async fn a_post_is_sent_again_only_when_the_server_did_not_act() {
    // Throttled or unavailable: not processed, sent again.
    let t = Scripted::new(vec![throttled(10), status(503)], status(200));
    let r = client(&t).send(Method::Post, URL, None).await;
    assert_eq!(r.map(|r| r.status).ok(), Some(200));
    assert_eq!(t.times().len(), 3);
    // A 500 or a lost answer: it may have acted; never sent twice.
    for first in [status(500), dropped()] {
        let t = Scripted::new(vec![first], status(200));
        let r = client(&t).send(Method::Post, URL, None).await;
        assert!(r.map(|r| r.status != 200).unwrap_or(true));
        assert_eq!(t.times().len(), 1);
    }
}
