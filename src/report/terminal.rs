//! The terminal reporter.
