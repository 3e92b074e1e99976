//! Fans runner events out to every reporter; remembers the first write error.

use std::sync::Mutex;

use super::events::Event;
use crate::report::Reporter;

/// The reporters, and the first error one of them returned.
type Shared = (Vec<Box<dyn Reporter>>, Option<std::io::Error>);

/// The reporters of a run, shared by the runner's tasks.
pub struct EventSink {
    reporters: Mutex<Shared>,
    reveal: bool,
}

impl EventSink {
    /// A sink feeding these reporters. Results reach them in their visible form
    /// ([`crate::report::visible`]): hidden checks left out, withheld values removed.
    pub fn new(reporters: Vec<Box<dyn Reporter>>) -> Self {
        Self {
            reporters: Mutex::new((reporters, None)),
            reveal: false,
        }
    }

    /// `--reveal`: reporters see every check in full.
    #[must_use]
    pub fn with_reveal(mut self, reveal: bool) -> Self {
        self.reveal = reveal;
        self
    }

    /// Sends one event to every reporter, in order, after turning its results into their
    /// visible form.
    pub fn emit(&self, event: &Event<'_>) {
        use crate::report::visible;
        let reveal = self.reveal;
        match event {
            Event::StepFinished { lab, result } if !reveal => {
                let v = visible::step(result, false);
                self.fan_out(&Event::StepFinished { lab, result: &v });
            }
            Event::LabFinished { result } if !reveal && visible::needs_filtering(result) => {
                let v = visible::lab(result, false);
                self.fan_out(&Event::LabFinished { result: &v });
            }
            Event::RunFinished {
                results,
                interrupted,
            } if !reveal && results.iter().any(visible::needs_filtering) => {
                let v: Vec<_> = results.iter().map(|r| visible::lab(r, false)).collect();
                self.fan_out(&Event::RunFinished {
                    results: &v,
                    interrupted: *interrupted,
                });
            }
            other => self.fan_out(other),
        }
    }

    fn fan_out(&self, event: &Event<'_>) {
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
