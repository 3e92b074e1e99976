//! Fault injection for `amlab serve`: latency, throttling (429 with `Retry-After`), server
//! errors (500/503), dropped connections (closed without any HTTP response) and a server that
//! stops answering after a number of requests, drawn from a seeded generator so a run can be
//! repeated exactly.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::json;

use crate::arm::transport::HttpResponse;

/// What to inject.
#[derive(Debug, Clone, Copy, Default)]
pub struct FaultOptions {
    /// Added to every response.
    pub latency: Duration,
    /// Fraction of requests answered 429.
    pub throttle: f64,
    /// Fraction of requests answered 500 or 503.
    pub error_rate: f64,
    /// Fraction of requests whose connection is closed without an HTTP response.
    pub drop_rate: f64,
    /// After this many requests, accept every further request but never answer it.
    pub hang_after: Option<u64>,
    /// The delay a 429 asks for.
    pub retry_after: Duration,
}

/// An injected fault: what to do instead of serving a request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this response (429, 500 or 503).
    Respond(HttpResponse),
    /// Close the connection without sending any response.
    Drop,
    /// Never answer (until the server shuts down).
    Hang,
}

/// A seeded source of injected faults.
#[derive(Debug)]
pub struct Faults {
    options: FaultOptions,
    rng: Mutex<fastrand::Rng>,
    seen: AtomicU64,
}

impl Faults {
    /// Faults drawn from `seed`.
    pub fn new(options: FaultOptions, seed: u64) -> Self {
        Self {
            options,
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            seen: AtomicU64::new(0),
        }
    }

    /// The latency to add.
    pub fn latency(&self) -> Duration {
        self.options.latency
    }

    /// A fault to inject instead of serving the request, if one is drawn.
    pub fn draw(&self) -> Option<Fault> {
        let seen = self.seen.fetch_add(1, Ordering::Relaxed);
        if self.options.hang_after.is_some_and(|n| seen >= n) {
            return Some(Fault::Hang);
        }
        let (throttle, error, which, drop) = {
            let mut rng = self
                .rng
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (rng.f64(), rng.f64(), rng.bool(), rng.f64())
        };
        if drop < self.options.drop_rate {
            return Some(Fault::Drop);
        }
        if throttle < self.options.throttle {
            let ms = self.options.retry_after.as_millis();
            let secs = self.options.retry_after.as_secs_f64().ceil();
            return Some(Fault::Respond(
                HttpResponse::new(
                    429,
                    Some(json!({"error": {"code": "TooManyRequests", "message": "The request is being throttled. Retry after the time given by Retry-After."}})),
                )
                .with_header("Retry-After", format!("{secs}"))
                .with_header("retry-after-ms", ms.to_string()),
            ));
        }
        if error < self.options.error_rate {
            let (status, code, message) = if which {
                (
                    500,
                    "InternalServerError",
                    "Encountered internal server error. Please try again.",
                )
            } else {
                (
                    503,
                    "ServiceUnavailable",
                    "The service is temporarily unavailable. Please try again.",
                )
            };
            return Some(Fault::Respond(HttpResponse::new(
                status,
                Some(json!({"error": {"code": code, "message": message}})),
            )));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status of a drawn fault: 0 for a dropped connection, 1 for a hang.
    fn status(f: Option<Fault>) -> Option<u16> {
        f.map(|f| match f {
            Fault::Respond(r) => r.status,
            Fault::Drop => 0,
            Fault::Hang => 1,
        })
    }

    #[test]
    fn same_seed_same_faults_and_rates_hold() {
        let opts = FaultOptions {
            throttle: 0.3,
            error_rate: 0.1,
            drop_rate: 0.1,
            retry_after: Duration::from_millis(100),
            ..Default::default()
        };
        let a: Vec<Option<u16>> = (0..1000)
            .map({
                let f = Faults::new(opts, 7);
                move |_| status(f.draw())
            })
            .collect();
        let b: Vec<Option<u16>> = (0..1000)
            .map({
                let f = Faults::new(opts, 7);
                move |_| status(f.draw())
            })
            .collect();
        assert_eq!(a, b);
        let dropped = a.iter().filter(|s| **s == Some(0)).count();
        let throttled = a.iter().filter(|s| **s == Some(429)).count();
        let errors = a.iter().filter(|s| matches!(s, Some(500 | 503))).count();
        assert!((60..140).contains(&dropped), "{dropped}");
        // Throttling and errors apply to what was not dropped (90%).
        assert!((220..330).contains(&throttled), "{throttled}");
        assert!((30..100).contains(&errors), "{errors}");
    }

    #[test]
    fn throttle_answers_carry_retry_after() {
        let f = Faults::new(
            FaultOptions {
                throttle: 1.0,
                retry_after: Duration::from_millis(1500),
                ..Default::default()
            },
            1,
        );
        let Some(Fault::Respond(r)) = f.draw() else {
            panic!("expected a 429")
        };
        assert_eq!(r.status, 429);
        assert_eq!(r.header("Retry-After"), Some("2"));
        assert_eq!(r.header("retry-after-ms"), Some("1500"));
    }

    #[test]
    fn hang_after_serves_n_requests_then_hangs_forever() {
        let f = Faults::new(
            FaultOptions {
                hang_after: Some(3),
                ..Default::default()
            },
            1,
        );
        let drawn: Vec<Option<u16>> = (0..6).map(|_| status(f.draw())).collect();
        assert_eq!(drawn, [None, None, None, Some(1), Some(1), Some(1)]);
    }

    #[test]
    fn no_faults_by_default() {
        let f = Faults::new(FaultOptions::default(), 1);
        assert!((0..100).all(|_| f.draw().is_none()));
    }
}
