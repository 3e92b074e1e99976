//! `Microsoft.Insights/components`: synchronous PUT returning `AppId` and `InstrumentationKey`.

use serde_json::json;

use super::{Built, LocationPolicy, PutContext, ResourceType, TENANT_ID};
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields::{self, Check};
use crate::emulator::ids;

const CHECK: Check = Check {
    code: "BadRequest",
    detail: None,
};

/// Application Insights components.
pub(crate) struct Components;

impl ResourceType for Components {
    fn type_name(&self) -> &'static str {
        "Microsoft.Insights/components"
    }

    fn location_policy(&self) -> LocationPolicy {
        LocationPolicy::Required
    }

    fn validate_name(&self, name: &str) -> ArmResult<()> {
        let ok = (1..=260).contains(&name.len()) && !name.contains(['%', '&', '\\', '?', '/']);
        if ok {
            Ok(())
        } else {
            Err(ArmError::bad_request(
                "InvalidResourceName",
                format!("The resource name '{name}' is invalid."),
            ))
        }
    }

    fn build(&self, ctx: &PutContext<'_>) -> ArmResult<Built> {
        let mut input = ctx.body.clone();
        let kind = CHECK.require_str(&input, "kind")?.to_owned();
        CHECK.require_enum(&mut input, "properties.Application_Type", &["web", "other"])?;
        let existing = ctx.existing.map(|e| &e.body);
        let keep = |path: &str, fresh: String| {
            existing
                .and_then(|b| fields::get_str(b, path))
                .map_or(fresh, str::to_owned)
        };
        let app_id = keep("properties.AppId", ids::guid());
        let ikey = keep("properties.InstrumentationKey", ids::guid());
        let created = keep("properties.CreationDate", ids::timestamp(ctx.now_ms));
        let location = ctx.location.unwrap_or_default();
        let mut props = fields::object_or_empty(input.get("properties"));
        fields::default(&mut props, "Flow_Type", json!("Bluefield"));
        fields::default(&mut props, "Request_Source", json!("rest"));
        fields::default(&mut props, "RetentionInDays", json!(90));
        fields::default(&mut props, "SamplingPercentage", json!(100));
        fields::default(&mut props, "DisableIpMasking", json!(false));
        fields::default(&mut props, "HockeyAppId", json!(""));
        fields::default(&mut props, "HockeyAppToken", json!(""));
        fields::default(&mut props, "IngestionMode", json!("ApplicationInsights"));
        fields::default(
            &mut props,
            "publicNetworkAccessForIngestion",
            json!("Enabled"),
        );
        fields::default(&mut props, "publicNetworkAccessForQuery", json!("Enabled"));
        fields::set(&mut props, "ApplicationId", json!(ctx.name));
        fields::set(&mut props, "AppId", json!(app_id));
        fields::set(&mut props, "InstrumentationKey", json!(ikey));
        fields::set(
            &mut props,
            "ConnectionString",
            json!(format!(
                "InstrumentationKey={ikey};IngestionEndpoint=https://{location}-0.in.applicationinsights.azure.com/"
            )),
        );
        fields::set(&mut props, "CreationDate", json!(created));
        fields::set(&mut props, "TenantId", json!(TENANT_ID));
        Ok(Built {
            fields: json!({"kind": kind, "properties": props}),
            ..Built::default()
        })
    }

    fn put_status(&self, _created: bool) -> u16 {
        200
    }

    /// `Components_UpdateTags`: a PATCH whose body is only `tags` (a `TagsResource`); the
    /// component keeps its properties.
    fn supports_patch(&self) -> bool {
        true
    }
}
