//! The ARM layer: the [`transport::Transport`] trait and the ARM client above every transport.

pub mod transport;
