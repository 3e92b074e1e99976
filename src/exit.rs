//! Process exit codes: the documented contract (docs/src/exit-codes.md).
//!
//! Precedence when several apply: [`INVALID`] > [`INTERRUPTED`] > [`COULD_NOT_CHECK`] > [`CHECK_FAILED`] > [`OK`].

/// Every check passed.
pub const OK: i32 = 0;
/// At least one check failed: the learner's work is wrong.
pub const CHECK_FAILED: i32 = 1;
/// The lab file or the command line is invalid.
pub const INVALID: i32 = 2;
/// amlab could not check: authentication, network, a replay miss, a timeout.
pub const COULD_NOT_CHECK: i32 = 3;
/// Interrupted by Ctrl-C (128 + SIGINT).
pub const INTERRUPTED: i32 = 130;
