//! Tests of loading, lint and resolution through the public API.
