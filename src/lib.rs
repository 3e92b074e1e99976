//! amlab: run and validate hands-on Azure Machine Learning labs.
//!
//! A lab is a YAML file of steps (ARM resources to create and check); amlab runs it against the
//! built-in ARM emulator, the real Azure Resource Manager, or recorded fixtures, through one code
//! path above the [`arm::transport::Transport`] trait.

pub mod arm;
pub mod check;
pub mod emulator;
pub mod exit;
pub mod lab;
pub mod report;
pub mod run;
pub mod schema;

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    exit::OK
}
