//! The runner: apply, check and teardown over a lab's dependency graph, emitting events.

pub mod events;
pub mod result;
