//! Which role assignments a list answers (`RoleAssignments_ListForScope`,
//! `ListForResourceGroup`, `ListForSubscription`, `ListForResource`): those at, above and
//! below the listed scope, narrowed by `$filter`. As documented for the operation
//! (learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope): `atScope()`
//! keeps the assignments at or above the scope; `principalId eq '{id}'` and
//! `assignedTo('{id}')` keep the principal's at, above or below it (the emulator models no
//! group membership, so `assignedTo` is the principal's own); `atScope() and
//! assignedTo('{id}')` combines both. Any other filter is a 400.

use serde_json::Value;

use crate::emulator::error::{ArmError, ArmResult};
use crate::emulator::fields;
use crate::emulator::url::RequestUrl;

/// A parsed `$filter`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Filter {
    /// Only at or above the scope.
    at_scope: bool,
    /// Only this principal's (lower-case).
    principal: Option<String>,
}

/// The value of `name('...')` or `name eq '...'` in `text`, if `text` is that shape.
fn quoted_arg<'a>(text: &'a str, head: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(head)?.trim_start();
    let rest = rest.strip_prefix('\'')?;
    let end = rest.find('\'')?;
    let tail = rest[end + 1..].trim();
    (tail.is_empty() || tail == ")").then(|| &rest[..end])
}

fn invalid(filter: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidFilter",
        format!(
            "The filter '{filter}' is not supported. Supported filters: atScope(), principalId eq '{{id}}', assignedTo('{{id}}'), atScope() and assignedTo('{{id}}')."
        ),
    )
}

/// Parses the list's `$filter` (none: every assignment at, above and below the scope).
pub(super) fn parse(url: &RequestUrl) -> ArmResult<Filter> {
    let Some(raw) = url.query_param("$filter").filter(|f| !f.trim().is_empty()) else {
        return Ok(Filter::default());
    };
    let mut filter = Filter::default();
    for part in raw.split(" and ").map(str::trim) {
        if part == "atScope()" && !filter.at_scope {
            filter.at_scope = true;
            continue;
        }
        let id = quoted_arg(part, "principalId eq").or_else(|| quoted_arg(part, "assignedTo("));
        match id {
            Some(id) if filter.principal.is_none() && !id.is_empty() => {
                filter.principal = Some(id.to_ascii_lowercase());
            }
            _ => return Err(invalid(raw)),
        }
    }
    Ok(filter)
}

/// The scope a list request names: its path before `/providers/Microsoft.Authorization/`.
pub(super) fn listed_scope(url: &RequestUrl) -> String {
    let lower = url.path.to_ascii_lowercase();
    let cut = lower
        .rfind("/providers/microsoft.authorization/")
        .unwrap_or(lower.len());
    lower[..cut].trim_end_matches('/').to_owned()
}

/// Whether the assignment `body` belongs in the list of `scope` under `filter`.
pub(super) fn keeps(filter: &Filter, scope: &str, body: &Value) -> bool {
    let own = fields::get_str(body, "properties.scope")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let at_or_above = own == scope || scope.starts_with(&format!("{own}/"));
    let below = own.starts_with(&format!("{scope}/"));
    let principal_ok = filter.principal.as_deref().is_none_or(|p| {
        fields::get_str(body, "properties.principalId").is_some_and(|x| x.eq_ignore_ascii_case(p))
    });
    principal_ok && (at_or_above || (!filter.at_scope && below))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(filter: &str) -> RequestUrl {
        RequestUrl::parse(&format!(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter={filter}"
        ))
    }

    #[test]
    fn filters_parse_or_are_refused() {
        assert_eq!(parse(&url("")).ok(), Some(Filter::default()));
        let f = parse(&url("atScope()%20and%20assignedTo('AB')"));
        assert_eq!(
            f.ok(),
            Some(Filter {
                at_scope: true,
                principal: Some("ab".into())
            })
        );
        let f = parse(&url("principalId%20eq%20'x'"));
        assert_eq!(f.ok().and_then(|f| f.principal), Some("x".into()));
        for bad in [
            "name%20eq%20'x'",
            "atScope()%20and%20atScope()",
            "assignedTo('')",
        ] {
            assert!(parse(&url(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_at_above_and_below() {
        let scope = listed_scope(&url(""));
        assert_eq!(scope, "/subscriptions/s/resourcegroups/rg");
        let at = |s: &str| serde_json::json!({"properties": {"scope": s, "principalId": "p"}});
        let all = Filter::default();
        let at_scope = Filter {
            at_scope: true,
            principal: None,
        };
        let above = at("/subscriptions/s");
        let below = at("/subscriptions/s/resourceGroups/rg/providers/X/y/z");
        let sibling = at("/subscriptions/s/resourceGroups/rg2");
        assert!(keeps(&all, &scope, &above) && keeps(&all, &scope, &below));
        assert!(keeps(&at_scope, &scope, &above) && !keeps(&at_scope, &scope, &below));
        assert!(!keeps(&all, &scope, &sibling));
    }
}
