//! The ARM layer: the [`transport::Transport`] trait, the [`client::ArmClient`] above every
//! transport, resource-type knowledge and errors; the live transport ([`live`]) with its
//! credential choice ([`auth`]) and Azure clouds ([`cloud`]).

pub mod auth;
pub mod client;
pub mod cloud;
pub mod data_plane;
pub mod error;
pub mod live;
pub mod path;
pub mod resource_types;
#[cfg(test)]
mod retry_tests;
pub mod transport;
