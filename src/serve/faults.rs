//! Fault injection for `amlab serve`: latency, throttling (429 with `Retry-After`) and server
//! errors (500/503), drawn from a seeded generator so a run can be repeated exactly.

use std::sync::Mutex;
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
    /// The delay a 429 asks for.
    pub retry_after: Duration,
}

/// A seeded source of injected faults.
#[derive(Debug)]
pub struct Faults {
    options: FaultOptions,
    rng: Mutex<fastrand::Rng>,
}

impl Faults {
    /// Faults drawn from `seed`.
    pub fn new(options: FaultOptions, seed: u64) -> Self {
        Self {
            options,
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
        }
    }

    /// The latency to add.
    pub fn latency(&self) -> Duration {
        self.options.latency
    }

    /// A fault to answer with instead of serving the request, if one is drawn.
    pub fn draw(&self) -> Option<HttpResponse> {
        let (throttle, error, which) = {
            let mut rng = self
                .rng
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (rng.f64(), rng.f64(), rng.bool())
        };
        if throttle < self.options.throttle {
            let ms = self.options.retry_after.as_millis();
            let secs = self.options.retry_after.as_secs_f64().ceil();
            return Some(
                HttpResponse::new(
                    429,
                    Some(json!({"error": {"code": "TooManyRequests", "message": "The request is being throttled. Retry after the time given by Retry-After."}})),
                )
                .with_header("Retry-After", format!("{secs}"))
                .with_header("retry-after-ms", ms.to_string()),
            );
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
            return Some(HttpResponse::new(
                status,
                Some(json!({"error": {"code": code, "message": message}})),
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_faults_and_rates_hold() {
        let opts = FaultOptions {
            throttle: 0.3,
            error_rate: 0.1,
            retry_after: Duration::from_millis(100),
            ..Default::default()
        };
        let a: Vec<Option<u16>> = (0..1000)
            .map({
                let f = Faults::new(opts, 7);
                move |_| f.draw().map(|r| r.status)
            })
            .collect();
        let b: Vec<Option<u16>> = (0..1000)
            .map({
                let f = Faults::new(opts, 7);
                move |_| f.draw().map(|r| r.status)
            })
            .collect();
        assert_eq!(a, b);
        let throttled = a.iter().filter(|s| **s == Some(429)).count();
        let errors = a.iter().filter(|s| matches!(s, Some(500 | 503))).count();
        assert!((250..350).contains(&throttled), "{throttled}");
        assert!((40..100).contains(&errors), "{errors}");
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
        let r = f.draw().unwrap();
        assert_eq!(r.status, 429);
        assert_eq!(r.header("Retry-After"), Some("2"));
        assert_eq!(r.header("retry-after-ms"), Some("1500"));
    }

    #[test]
    fn no_faults_by_default() {
        let f = Faults::new(FaultOptions::default(), 1);
        assert!((0..100).all(|_| f.draw().is_none()));
    }
}
