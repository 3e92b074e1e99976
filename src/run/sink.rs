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
    /// visible form and removing every secret from its text ([`crate::report::scrubbed`]).
    pub fn emit(&self, event: &Event<'_>) {
        use crate::report::{scrubbed, visible};
        let reveal = self.reveal;
        match event {
            Event::RunStarted { mode, target, labs } => {
                let target = crate::secrets::scrub(target);
                self.fan_out(&Event::RunStarted {
                    mode: *mode,
                    target: &target,
                    labs: *labs,
                });
            }
            Event::LabStarted { lab, steps } => {
                let lab = scrubbed::info(lab);
                self.fan_out(&Event::LabStarted {
                    lab: &lab,
                    steps: *steps,
                });
            }
            Event::StepStarted { lab, id, title } => {
                let (lab, title) = (scrubbed::info(lab), crate::secrets::scrub(title));
                self.fan_out(&Event::StepStarted {
                    lab: &lab,
                    id,
                    title: &title,
                });
            }
            Event::StepFinished { lab, result } => {
                let v = scrubbed::step(&visible::step(result, reveal));
                let lab = scrubbed::info(lab);
                self.fan_out(&Event::StepFinished {
                    lab: &lab,
                    result: &v,
                });
            }
            Event::LabFinished { result } => {
                let v = scrubbed::lab(&visible::lab(result, reveal));
                self.fan_out(&Event::LabFinished { result: &v });
            }
            Event::RunFinished {
                results,
                interrupted,
            } => {
                let v: Vec<_> = results
                    .iter()
                    .map(|r| scrubbed::lab(&visible::lab(r, reveal)))
                    .collect();
                self.fan_out(&Event::RunFinished {
                    results: &v,
                    interrupted: *interrupted,
                });
            }
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
