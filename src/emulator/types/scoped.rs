//! Validating a nested object while naming fields by their full path (a job definition inside
//! a schedule is `properties.action.jobDefinition`, a job's is `properties`).

use serde_json::{Value, json};

use super::ML_CHECK;
use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;

/// Checks relative to `prefix`; errors are ML `UserError`s naming the full path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    /// The path of the object being checked.
    pub(crate) prefix: &'a str,
}

impl At<'_> {
    /// The full path of `rel`.
    pub(crate) fn path(&self, rel: &str) -> String {
        if self.prefix.is_empty() {
            rel.to_owned()
        } else {
            format!("{}.{rel}", self.prefix)
        }
    }

    /// An error about `rel`.
    pub(crate) fn error(&self, rel: &str, message: impl Into<String>) -> ArmError {
        ML_CHECK.error(&self.path(rel), message)
    }

    /// "`rel` is required".
    pub(crate) fn missing(&self, rel: &str) -> ArmError {
        ML_CHECK.missing(&self.path(rel))
    }

    /// The non-empty string at `rel`.
    pub(crate) fn req_str<'v>(&self, v: &'v Value, rel: &str) -> ArmResult<&'v str> {
        match fields::get(v, rel) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
            Some(Value::String(_)) | None => Err(self.missing(rel)),
            Some(_) => Err(self.error(rel, format!("{} must be a string", self.path(rel)))),
        }
    }

    /// The optional string at `rel`.
    pub(crate) fn opt_str<'v>(&self, v: &'v Value, rel: &str) -> ArmResult<Option<&'v str>> {
        match fields::get(v, rel) {
            Some(Value::String(s)) => Ok(Some(s)),
            None => Ok(None),
            Some(_) => Err(self.error(rel, format!("{} must be a string", self.path(rel)))),
        }
    }

    /// The object at `rel`, which must be present.
    pub(crate) fn req_object<'v>(&self, v: &'v Value, rel: &str) -> ArmResult<&'v Value> {
        match fields::get(v, rel) {
            Some(o @ Value::Object(_)) => Ok(o),
            None => Err(self.missing(rel)),
            Some(_) => Err(self.error(rel, format!("{} must be an object", self.path(rel)))),
        }
    }

    /// The canonical spelling of `value` in `allowed`.
    pub(crate) fn one_of(
        &self,
        rel: &str,
        value: &str,
        allowed: &[&'static str],
    ) -> ArmResult<&'static str> {
        allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(value))
            .copied()
            .ok_or_else(|| {
                self.error(
                    rel,
                    format!(
                        "{} has an invalid value '{value}'; allowed values are: {}",
                        self.path(rel),
                        allowed.join(", ")
                    ),
                )
            })
    }

    /// A required enum, canonicalized in place.
    pub(crate) fn req_enum(
        &self,
        v: &mut Value,
        rel: &str,
        allowed: &[&'static str],
    ) -> ArmResult<&'static str> {
        let given = self.req_str(v, rel)?.to_owned();
        let canon = self.one_of(rel, &given, allowed)?;
        fields::set(v, rel, json!(canon));
        Ok(canon)
    }

    /// An optional enum with a default, canonicalized in place.
    pub(crate) fn enum_or(
        &self,
        v: &mut Value,
        rel: &str,
        allowed: &[&'static str],
        dflt: &'static str,
    ) -> ArmResult<&'static str> {
        let canon = match self.opt_str(v, rel)? {
            Some(g) => self.one_of(rel, g, allowed)?,
            None => dflt,
        };
        fields::set(v, rel, json!(canon));
        Ok(canon)
    }

    /// An optional integer within `[min, max]`, with a default, set in place.
    pub(crate) fn int_or(
        &self,
        v: &mut Value,
        rel: &str,
        min: i64,
        max: i64,
        dflt: i64,
    ) -> ArmResult<i64> {
        let n = match fields::get(v, rel) {
            None => dflt,
            Some(x) => x
                .as_i64()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    self.error(
                        rel,
                        format!(
                            "{} must be an integer between {min} and {max}",
                            self.path(rel)
                        ),
                    )
                })?,
        };
        fields::set(v, rel, json!(n));
        Ok(n)
    }

    /// An optional ISO 8601 duration with a default, set in place.
    pub(crate) fn duration_or(
        &self,
        v: &mut Value,
        rel: &str,
        dflt: &'static str,
    ) -> ArmResult<()> {
        let d = self.opt_str(v, rel)?.unwrap_or(dflt).to_owned();
        if !super::compute::is_iso_duration(&d) {
            return Err(self.error(
                rel,
                format!(
                    "{} must be an ISO 8601 duration such as {dflt}",
                    self.path(rel)
                ),
            ));
        }
        fields::set(v, rel, json!(d));
        Ok(())
    }
}
