//! The JSON reporter (`--report json=PATH`).
