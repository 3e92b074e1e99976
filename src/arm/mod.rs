//! The ARM layer: the [`transport::Transport`] trait, the [`client::ArmClient`] above every
//! transport, resource-type knowledge and errors.

pub mod client;
pub mod error;
pub mod resource_types;
pub mod transport;
