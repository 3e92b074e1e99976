//! What became of each replayed example, judged one way for every suite, and the totals per
//! provider: examples, accepted, rejected with a documented reason, unexplained, mean key-path
//! coverage.

use std::collections::BTreeMap;

use serde_json::Value;

use super::keypaths::coverage;

/// The mean key-path coverage of each provider's accepted answers must not fall below this
/// (the goal; a ratchet: raise it as coverage grows).
pub(super) const COVERAGE_FLOOR: f64 = 0.98;

/// What became of one example.
#[derive(Debug)]
pub(super) enum Outcome {
    /// A documented status; the key-path coverage (`None`: the example shows no body).
    Accepted {
        coverage: Option<f64>,
        missing: Vec<String>,
    },
    /// Why not.
    Rejected(String),
}

/// The statuses an example documents.
pub(super) fn statuses(example: &Value) -> Vec<u16> {
    example["responses"]
        .as_object()
        .map(|m| m.keys().filter_map(|k| k.parse().ok()).collect())
        .unwrap_or_default()
}

/// The body an example documents for `status`, if any.
pub(super) fn documented_body(example: &Value, status: &str) -> Option<Value> {
    example["responses"][status]
        .get("body")
        .filter(|b| !b.is_null())
        .cloned()
}

/// Judges an answer: `status` must be one the example lists; the key paths of the body it
/// documents for `documented` (a status) must be in `answer`.
pub(super) fn judge(example: &Value, status: u16, documented: &str, answer: &Value) -> Outcome {
    if !statuses(example).contains(&status) {
        let b = answer;
        return Outcome::Rejected(format!(
            "answered {status} (not one of {:?}): {}",
            statuses(example),
            b["error"]["message"].as_str().unwrap_or_default()
        ));
    }
    match documented_body(example, documented) {
        None => Outcome::Accepted {
            coverage: None,
            missing: Vec::new(),
        },
        Some(expected) => {
            let (coverage, missing) = coverage(&expected, answer);
            Outcome::Accepted { coverage, missing }
        }
    }
}

/// Totals of one provider.
#[derive(Debug, Default)]
pub(super) struct Totals {
    examples: usize,
    accepted: usize,
    documented: usize,
    unexplained: usize,
    coverage_sum: f64,
    measured: usize,
}

impl Totals {
    pub(super) fn mean(&self) -> f64 {
        if self.measured == 0 {
            1.0
        } else {
            self.coverage_sum / self.measured as f64
        }
    }

    fn add(&mut self, other: &Totals) {
        self.examples += other.examples;
        self.accepted += other.accepted;
        self.documented += other.documented;
        self.unexplained += other.unexplained;
        self.coverage_sum += other.coverage_sum;
        self.measured += other.measured;
    }

    fn line(&self, name: &str) -> String {
        format!(
            "{name:<32} {:>8} {:>8} {:>10} {:>11} {:>8.1}%",
            self.examples,
            self.accepted,
            self.documented,
            self.unexplained,
            self.mean() * 100.0
        )
    }
}

/// The outcomes of every suite, by provider.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// Documented rejections: example label -> reason.
    documented: BTreeMap<String, String>,
    per_provider: BTreeMap<String, Totals>,
    rejected: Vec<String>,
    problems: Vec<String>,
}

impl Tally {
    /// A tally that accepts the rejections `documented` (example label -> reason).
    pub(super) fn new(documented: BTreeMap<String, String>) -> Self {
        Self {
            documented,
            ..Self::default()
        }
    }

    /// Counts the outcome of the example `label` under `provider`.
    #[allow(clippy::print_stdout)]
    pub(super) fn record(&mut self, provider: &str, label: &str, outcome: Outcome) {
        let totals = self.per_provider.entry(provider.to_owned()).or_default();
        totals.examples += 1;
        match outcome {
            Outcome::Accepted { coverage, missing } => {
                totals.accepted += 1;
                if let Some(c) = coverage {
                    totals.coverage_sum += c;
                    totals.measured += 1;
                }
                if !missing.is_empty() {
                    println!("{label} missing {}: {}", missing.len(), missing.join(", "));
                }
            }
            Outcome::Rejected(why) => {
                self.rejected.push(label.to_owned());
                if self.documented.contains_key(label) {
                    totals.documented += 1;
                } else {
                    totals.unexplained += 1;
                    self.problems.push(format!("{provider} {label}: {why}"));
                }
            }
        }
    }

    /// Prints the table; the problems found (unexplained rejections, stale documented ones,
    /// providers below the coverage floor).
    #[allow(clippy::print_stdout)]
    pub(super) fn finish(mut self) -> Vec<String> {
        println!(
            "{:<32} {:>8} {:>8} {:>10} {:>11} {:>9}",
            "provider", "examples", "accepted", "documented", "unexplained", "coverage"
        );
        let mut all = Totals::default();
        for (provider, t) in &self.per_provider {
            println!("{}", t.line(provider));
            all.add(t);
            if t.mean() < COVERAGE_FLOOR {
                self.problems.push(format!(
                    "{provider}: mean key-path coverage {:.3} < {COVERAGE_FLOOR}",
                    t.mean()
                ));
            }
        }
        println!("{}", all.line("TOTAL"));
        for label in self.documented.keys() {
            if !self.rejected.contains(label) {
                self.problems
                    .push(format!("{label} is listed as rejected but is accepted now"));
            }
        }
        self.problems
    }
}
