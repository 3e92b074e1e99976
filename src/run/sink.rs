//! Fans runner events out to every reporter; remembers the first write error.

use std::sync::Mutex;

use super::events::Event;
use crate::report::Reporter;

/// The reporters, and the first error one of them returned.
type Shared = (Vec<Box<dyn Reporter>>, Option<std::io::Error>);

/// The reporters of a run, shared by the runner's tasks.
pub struct EventSink {
    reporters: Mutex<Shared>,
}

impl EventSink {
    /// A sink feeding these reporters.
    pub fn new(reporters: Vec<Box<dyn Reporter>>) -> Self {
        Self {
            reporters: Mutex::new((reporters, None)),
        }
    }

    /// Sends one event to every reporter, in order.
    pub fn emit(&self, event: &Event<'_>) {
        let mut guard = self
            .reporters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (reporters, first_error) = &mut *guard;
        for r in reporters.iter_mut() {
            if let Err(e) = r.report(event) {
                first_error.get_or_insert(e);
            }
        }
    }

    /// The first error a reporter returned, if any.
    pub fn take_error(&self) -> Option<std::io::Error> {
        self.reporters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1
            .take()
    }
}
