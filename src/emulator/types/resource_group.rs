//! `Microsoft.Resources/resourceGroups`: synchronous PUT, long-running cascading DELETE.

use serde_json::json;

use super::{Built, LocationPolicy, Lro, PutContext, ResourceType};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::route::RESOURCE_GROUP_TYPE;

/// Resource groups.
pub(crate) struct ResourceGroups;

impl ResourceType for ResourceGroups {
    fn type_name(&self) -> &'static str {
        RESOURCE_GROUP_TYPE
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let ok = (1..=90).contains(&name.chars().count())
            && !name.ends_with('.')
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || "-_.()".contains(c));
        if ok {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidResourceGroupName",
                format!(
                    "Resource group name '{name}' is invalid. It must be 1-90 characters of letters, digits, '-', '_', '.', '(' or ')' and must not end with '.'."
                ),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut fields = json!({"properties": {}});
        if let Some(m) = ctx.body.get("managedBy").filter(|v| v.is_string()) {
            fields["managedBy"] = m.clone();
        }
        Ok(Built {
            fields,
            ..Built::default()
        })
    }

    fn delete_lro(&self) -> Lro {
        Lro::Location
    }

    fn delete_missing_status(&self) -> Option<u16> {
        None
    }
}
