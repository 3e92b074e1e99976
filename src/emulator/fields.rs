//! Reading and checking request-body fields by dotted path, with provider-specific error codes.

use serde_json::{Map, Value};

use super::error::ArmError;

/// Looks up a dotted path (`properties.sku.name`); JSON `null` counts as absent.
pub(crate) fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    (!cur.is_null()).then_some(cur)
}

/// A string at a dotted path.
pub(crate) fn get_str<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    get(v, path).and_then(Value::as_str)
}

/// Sets a dotted path, creating objects on the way.
pub(crate) fn set(v: &mut Value, path: &str, new: Value) {
    let mut cur = v;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Some(obj) = cur.as_object_mut() else {
            return;
        };
        if i + 1 == parts.len() {
            obj.insert((*part).to_owned(), new);
            return;
        }
        cur = obj
            .entry((*part).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Sets a dotted path only when it is absent or null.
pub(crate) fn default(v: &mut Value, path: &str, new: Value) {
    if get(v, path).is_none() {
        set(v, path, new);
    }
}

/// Removes a dotted path, returning what was there.
pub(crate) fn take(v: &mut Value, path: &str) -> Option<Value> {
    let (parent, last) = match path.rsplit_once('.') {
        Some((p, l)) => (p, l),
        None => return v.as_object_mut()?.remove(path),
    };
    let mut cur = v;
    for part in parent.split('.') {
        cur = cur.get_mut(part)?;
    }
    cur.as_object_mut()?.remove(last)
}

/// JSON merge patch (RFC 7396): objects merge, `null` removes, anything else replaces.
pub(crate) fn merge(target: &mut Value, patch: &Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(t), Some(p)) => {
            for (k, pv) in p {
                if pv.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), pv);
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

/// Validation with one provider's error code.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Check {
    /// The top-level error code (`UserError`, `InvalidRequestPropertyValue`, ...).
    pub(crate) code: &'static str,
    /// A detail code, when the provider nests one (ML: `ValidationError`).
    pub(crate) detail: Option<&'static str>,
}

impl Check {
    /// An error about `field`.
    pub(crate) fn error(&self, field: &str, message: impl Into<String>) -> ArmError {
        let message = message.into();
        let err = ArmError::bad_request(self.code, message.clone()).with_target(field);
        match self.detail {
            Some(d) => err.with_detail(d, message),
            None => err,
        }
    }

    /// "`field` is required".
    pub(crate) fn missing(&self, field: &str) -> ArmError {
        self.error(field, format!("{field} is required"))
    }

    /// The value at `field`, which must be present.
    pub(crate) fn require<'a>(&self, body: &'a Value, field: &str) -> Result<&'a Value, ArmError> {
        get(body, field).ok_or_else(|| self.missing(field))
    }

    /// The non-empty string at `field`, which must be present.
    pub(crate) fn require_str<'a>(
        &self,
        body: &'a Value,
        field: &str,
    ) -> Result<&'a str, ArmError> {
        match self.require(body, field)? {
            Value::String(s) if !s.trim().is_empty() => Ok(s),
            Value::String(_) => Err(self.missing(field)),
            _ => Err(self.error(field, format!("{field} must be a string"))),
        }
    }

    /// The optional string at `field` (an error if present and not a string).
    pub(crate) fn opt_str<'a>(
        &self,
        body: &'a Value,
        field: &str,
    ) -> Result<Option<&'a str>, ArmError> {
        match get(body, field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.error(field, format!("{field} must be a string"))),
        }
    }

    /// The canonical spelling of `value` in `allowed` (compared case-insensitively).
    pub(crate) fn one_of(
        &self,
        field: &str,
        value: &str,
        allowed: &[&'static str],
    ) -> Result<&'static str, ArmError> {
        allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(value))
            .copied()
            .ok_or_else(|| {
                self.error(
                    field,
                    format!(
                        "{field} has an invalid value '{value}'; allowed values are: {}",
                        allowed.join(", ")
                    ),
                )
            })
    }

    /// A required enum field, canonicalized in place.
    pub(crate) fn require_enum(
        &self,
        body: &mut Value,
        field: &str,
        allowed: &[&'static str],
    ) -> Result<&'static str, ArmError> {
        let value = self.require_str(body, field)?.to_owned();
        let canon = self.one_of(field, &value, allowed)?;
        set(body, field, Value::String(canon.to_owned()));
        Ok(canon)
    }

    /// An optional enum field with a default, canonicalized in place.
    pub(crate) fn enum_or(
        &self,
        body: &mut Value,
        field: &str,
        allowed: &[&'static str],
        dflt: &'static str,
    ) -> Result<&'static str, ArmError> {
        let canon = match self.opt_str(body, field)? {
            Some(v) => self.one_of(field, v, allowed)?,
            None => dflt,
        };
        set(body, field, Value::String(canon.to_owned()));
        Ok(canon)
    }

    /// An optional non-negative integer.
    pub(crate) fn opt_u64(&self, body: &Value, field: &str) -> Result<Option<u64>, ArmError> {
        match get(body, field) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                self.error(field, format!("{field} must be a non-negative integer"))
            }),
        }
    }
}

/// The object at `v`, or an empty one.
pub(crate) fn object_or_empty(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Object(m)) => Value::Object(m.clone()),
        _ => Value::Object(Map::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_and_merge() {
        let mut v = json!({"a": {"b": 1, "c": null}});
        assert_eq!(get(&v, "a.b"), Some(&json!(1)));
        assert_eq!(get(&v, "a.c"), None);
        set(&mut v, "a.d.e", json!("x"));
        assert_eq!(get_str(&v, "a.d.e"), Some("x"));
        merge(&mut v, &json!({"a": {"b": null, "f": 2}}));
        assert_eq!(v, json!({"a": {"c": null, "d": {"e": "x"}, "f": 2}}));
        assert_eq!(take(&mut v, "a.f"), Some(json!(2)));
    }
}
