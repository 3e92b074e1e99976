//! The integration tests: one binary of modules, running the real `amlab` binary (assert_cmd).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub,
    missing_docs
)]

mod broken_fixtures;
mod catalog;
mod differential;
mod emulator_state;
mod faults;
mod grade;
mod interrupt;
mod lint;
mod malformed;
mod mistakes;
mod online_teardown;
mod record;
mod replay;
mod reports;
mod run_labs;
mod schema;
mod sdk_proxy;
mod serve;
mod spec_errors;
mod support;
