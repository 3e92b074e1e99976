//! The request log of `amlab serve`: a ring of the last [`LOG_CAPACITY`] requests, each with a
//! sequence number, its path cut to [`MAX_LOGGED_PATH`] bytes (see
//! [`RequestRecord::new`]). Its memory is bounded whatever clients send: at most
//! `LOG_CAPACITY` entries of at most `MAX_LOGGED_PATH` bytes of path each (about 20 MB).
//!
//! `GET /_emulator/requests` returns the whole ring; `?since=N` only the entries numbered
//! above N (sequence numbers start at 1 and never repeat), so a client that remembers the last
//! number it saw reads each request once. A gap between `N` and the first number returned
//! means the ring dropped older entries.

use std::collections::VecDeque;

use serde::Serialize;

pub use crate::emulator::MAX_LOGGED_PATH;
use crate::emulator::RequestRecord;

/// How many requests the log keeps (the oldest go first).
pub const LOG_CAPACITY: usize = 10_000;

/// One logged request and its sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Logged {
    /// 1 for the first request the server logged, then 2, 3...
    pub seq: u64,
    /// The request.
    #[serde(flatten)]
    pub record: RequestRecord,
}

/// A bounded ring of requests.
#[derive(Debug)]
pub struct RequestLog {
    entries: VecDeque<Logged>,
    capacity: usize,
    last_seq: u64,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self::with_capacity(LOG_CAPACITY)
    }
}

impl RequestLog {
    /// A log keeping the last `capacity` requests (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            capacity: capacity.max(1),
            last_seq: 0,
        }
    }

    /// Logs a request (its path cut to [`MAX_LOGGED_PATH`]), dropping the oldest beyond the
    /// capacity.
    pub fn push(&mut self, method: &str, path: &str, status: u16) {
        self.last_seq += 1;
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(Logged {
            seq: self.last_seq,
            record: RequestRecord::new(method, path, status),
        });
    }

    /// The entries numbered above `since` (all with `0`), oldest first.
    pub fn since(&self, since: u64) -> Vec<Logged> {
        let skip = self.entries.partition_point(|e| e.seq <= since);
        self.entries.iter().skip(skip).cloned().collect()
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing was logged (or kept).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes of method and path kept, for callers proving the log stays bounded.
    pub fn text_bytes(&self) -> usize {
        self.entries
            .iter()
            .map(|e| e.record.method.len() + e.record.path.len())
            .sum()
    }
}

/// The `since` of a `/_emulator/requests` query string (`since=N`); 0 when absent.
pub fn parse_since(query: Option<&str>) -> Result<u64, String> {
    let Some(query) = query else { return Ok(0) };
    for pair in query.split('&') {
        if let Some(value) = pair.strip_prefix("since=") {
            return value
                .parse()
                .map_err(|_| format!("since={value}: expected a request number (0 or more)"));
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_the_last_entries_and_cuts_paths() {
        let mut log = RequestLog::with_capacity(3);
        let huge = format!("/subscriptions/{}", "x".repeat(30_000));
        for i in 0..10 {
            log.push("GET", &format!("{huge}/{i}"), 200);
        }
        assert_eq!(log.len(), 3);
        let seqs: Vec<u64> = log.since(0).iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [8, 9, 10]);
        assert_eq!(log.since(8).len(), 2);
        assert!(log.since(10).is_empty());
        let path = &log.since(9)[0].record.path;
        assert!(path.len() <= MAX_LOGGED_PATH + 40, "{}", path.len());
        assert!(path.ends_with("bytes cut]"), "{}", &path[path.len() - 40..]);
        assert!(log.text_bytes() <= 3 * (MAX_LOGGED_PATH + 43));
    }

    #[test]
    fn since_parses_or_names_the_problem() {
        assert_eq!(parse_since(None), Ok(0));
        assert_eq!(parse_since(Some("since=42")), Ok(42));
        assert_eq!(parse_since(Some("x=1&since=7")), Ok(7));
        assert!(parse_since(Some("since=-1")).is_err());
    }
}
