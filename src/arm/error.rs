//! Errors of the ARM layer: what went wrong talking to Azure Resource Manager (or a stand-in).

use std::time::Duration;

use super::transport::TransportError;

/// An ARM call that did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ArmError {
    /// ARM answered with an error status; code and message come from its error body.
    #[error("{method} {path}: HTTP {status} {code}: {message}")]
    Http {
        /// Method of the failed request.
        method: &'static str,
        /// Resource path.
        path: String,
        /// HTTP status.
        status: u16,
        /// ARM error code (`ResourceNotFound`, `InvalidRequestContent`, ...).
        code: String,
        /// ARM error message.
        message: String,
    },
    /// A long-running operation ended Failed or Canceled.
    #[error("operation on {path} ended {status}: {code}: {message}")]
    OperationFailed {
        /// Resource path.
        path: String,
        /// Terminal status (`Failed`, `Canceled`).
        status: String,
        /// Error code from the operation.
        code: String,
        /// Error message from the operation.
        message: String,
    },
    /// No HTTP response (after retries for retryable transport errors).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Retries were exhausted on throttling or server errors.
    #[error(
        "{method} {path}: gave up after {attempts} attempts, last HTTP {status} {code}: {message}"
    )]
    RetriesExhausted {
        /// Method of the failed request.
        method: &'static str,
        /// Resource path.
        path: String,
        /// Attempts made.
        attempts: usize,
        /// Last status.
        status: u16,
        /// Last ARM error code.
        code: String,
        /// Last ARM error message.
        message: String,
    },
    /// The step's time limit passed.
    #[error("timed out after {}", humantime::format_duration(*.0))]
    Timeout(Duration),
    /// A resource path with `..`, `\`, `#`, `?` or an empty segment. Never reaches the
    /// transport (a URL parser would normalise it).
    #[error("{path}: {message}; refused before sending")]
    InvalidPath {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// A write was attempted by a read-only (check) client. Never reaches the transport.
    #[error("refused to send {0} in read-only check mode")]
    ReadOnly(&'static str),
    /// ARM answered with something that is not what the protocol says.
    #[error("unexpected response from {path}: {message}")]
    Protocol {
        /// Resource path.
        path: String,
        /// What was wrong.
        message: String,
    },
}

impl ArmError {
    /// The HTTP status, when ARM answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ArmError::Http { status, .. } | ArmError::RetriesExhausted { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }
}
