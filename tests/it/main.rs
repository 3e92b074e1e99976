//! The integration tests: one binary of modules, running the real `amlab` binary (assert_cmd).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub,
    missing_docs
)]

mod ai103;
mod ai103_containers;
mod arm_deployments;
mod blob_proxy;
mod broken_fixtures;
mod by_hand;
mod catalog;
mod conformance;
mod differential;
mod docs;
mod emulator_state;
mod explain;
mod faults;
mod grade;
mod hostile;
mod hostile_secrets;
mod html_reports;
mod include;
mod interrupt;
mod junit_schema;
mod learner_path;
mod lint;
mod malformed;
mod mistakes;
mod online_teardown;
mod read_only;
mod record;
mod registry;
mod replay;
mod report_paths;
mod reports;
mod run_labs;
mod schema;
mod sdk_proxy;
mod search_labs;
mod serve;
mod setup;
mod shell;
mod spec_errors;
mod support;
mod workspace_api;
