//! The integration tests: one binary of modules, running the real `amlab` binary (assert_cmd).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub,
    missing_docs
)]

mod emulator_state;
mod faults;
mod interrupt;
mod lint;
mod malformed;
mod mistakes;
mod run_labs;
mod schema;
mod serve;
mod support;
