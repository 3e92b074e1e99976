//! Reporters: each output format implements [`Reporter`] and is fed the runner's [`Event`]s.

use crate::run::events::Event;

pub mod json;
pub mod terminal;

/// An output format.
pub trait Reporter: Send {
    /// Handles one event. Reporters that write a file write it when the run finishes.
    fn report(&mut self, event: &Event<'_>) -> std::io::Result<()>;
}
