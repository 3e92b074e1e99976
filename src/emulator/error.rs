//! ARM error responses: `{"error": {"code", "message", "details"}}` and the common codes.

use serde_json::{Value, json};

use crate::arm::transport::HttpResponse;

/// An ARM error about to be answered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ArmError {
    /// HTTP status.
    pub(crate) status: u16,
    /// Pascal-case error code.
    pub(crate) code: String,
    /// Human-readable message (never contains a secret).
    pub(crate) message: String,
    /// The field or resource the error is about.
    pub(crate) target: Option<String>,
    /// Nested details.
    pub(crate) details: Vec<Value>,
}

impl ArmError {
    /// An error with a status, a code and a message.
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            target: None,
            details: Vec::new(),
        }
    }

    /// A 400 with a code and message.
    pub(crate) fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// Names the field the error is about.
    pub(crate) fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Adds a detail entry.
    pub(crate) fn with_detail(mut self, code: &str, message: impl Into<String>) -> Self {
        let mut detail = json!({"code": code, "message": message.into()});
        if let (Some(t), Some(obj)) = (&self.target, detail.as_object_mut()) {
            obj.insert("target".into(), Value::String(t.clone()));
        }
        self.details.push(detail);
        self
    }

    /// The ARM error body.
    pub(crate) fn body(&self) -> Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(obj) = error.as_object_mut() {
            if let Some(t) = &self.target {
                obj.insert("target".into(), Value::String(t.clone()));
            }
            obj.insert("details".into(), Value::Array(self.details.clone()));
        }
        json!({ "error": error })
    }

    /// The HTTP response.
    pub(crate) fn into_response(self) -> HttpResponse {
        HttpResponse::new(self.status, Some(self.body()))
            .with_header("Content-Type", "application/json; charset=utf-8")
            .with_header(
                "x-ms-failure-cause",
                if self.status >= 500 {
                    "service"
                } else {
                    "gateway"
                },
            )
    }

    /// 400 `MissingApiVersionParameter`.
    pub(crate) fn missing_api_version() -> Self {
        Self::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    }

    /// 400 `InvalidApiVersionParameter` listing the supported versions.
    pub(crate) fn invalid_api_version(given: &str, supported: &[&str]) -> Self {
        Self::bad_request(
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{given}' is invalid. The supported versions are '{}'.",
                supported.join(",")
            ),
        )
    }

    /// 400 `NoRegisteredProviderFound`: ARM's answer for an api-version a provider type never
    /// had (resource types served by a resource provider, not by ARM itself).
    pub(crate) fn no_registered_provider(type_name: &str, given: &str, supported: &[&str]) -> Self {
        let t = type_name.split_once('/').map_or(type_name, |(_, t)| t);
        Self::bad_request(
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location 'global' and API version '{given}' for type '{t}'. The supported api-versions are '{}'. The supported locations are '{}'.",
                supported.join(", "),
                super::providers::LOCATIONS.join(", ")
            ),
        )
    }

    /// 404 `ResourceGroupNotFound`.
    pub(crate) fn resource_group_not_found(rg: &str) -> Self {
        Self::new(
            404,
            "ResourceGroupNotFound",
            format!("Resource group '{rg}' could not be found."),
        )
    }

    /// 404 `ResourceNotFound` in ARM's wording.
    pub(crate) fn resource_not_found(type_path: &str, name_path: &str, rg: &str) -> Self {
        Self::new(
            404,
            "ResourceNotFound",
            format!(
                "The Resource '{type_path}/{name_path}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
        )
    }

    /// 400 `LocationRequired`.
    pub(crate) fn location_required() -> Self {
        Self::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        )
        .with_target("location")
    }

    /// 400 `InvalidRequestContent` for a body that is not a JSON object.
    pub(crate) fn invalid_body() -> Self {
        Self::bad_request(
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: the body must be a JSON object.",
        )
    }

    /// 405 for a method a resource type does not support.
    pub(crate) fn method_not_allowed(method: &str, type_name: &str) -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            format!(
                "The requested resource does not support http method '{method}' for type '{type_name}'."
            ),
        )
    }
}

/// A shortcut for results of emulator operations.
pub(crate) type ArmResult<T> = Result<T, ArmError>;
