//! Resource types: what an ARM resource id says about its type, the api-version pinned for each
//! type, and per-type request quirks (compute DELETE needs `underlyingResourceAction`).

use std::collections::BTreeMap;

/// api-versions pinned per provider namespace (the first matching entry wins; a full type such
/// as `Microsoft.Insights/components` is more specific than its namespace).
const PINNED: &[(&str, &str)] = &[
    ("Microsoft.Resources/resourceGroups", "2024-03-01"),
    ("Microsoft.Resources", "2024-03-01"),
    ("Microsoft.Storage", "2023-05-01"),
    ("Microsoft.KeyVault", "2023-07-01"),
    ("Microsoft.Insights/components", "2020-02-02"),
    ("Microsoft.Insights/activityLogAlerts", "2020-10-01"),
    (
        "Microsoft.Insights/diagnosticSettings",
        "2021-05-01-preview",
    ),
    ("Microsoft.ContainerRegistry", "2023-07-01"),
    ("Microsoft.Authorization", "2022-04-01"),
    ("Microsoft.Search", "2025-05-01"),
    ("Microsoft.MachineLearningServices", "2025-12-01"),
    ("Microsoft.CognitiveServices", "2025-06-01"),
    ("Microsoft.Network", "2024-07-01"),
    ("Microsoft.ContainerInstance", "2025-09-01"),
];

/// The api-version used when nothing else matches.
const FALLBACK: &str = "2024-03-01";

/// The resource type of an ARM id or collection path, such as
/// `Microsoft.MachineLearningServices/workspaces/computes` or `Microsoft.Resources/resourceGroups`.
pub fn resource_type(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(pos) = segments
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("providers"))
    {
        let rest = &segments[pos + 1..];
        if let Some((namespace, rest)) = rest.split_first() {
            let types: Vec<&str> = rest.iter().step_by(2).copied().collect();
            if types.is_empty() {
                return (*namespace).to_owned();
            }
            return format!("{namespace}/{}", types.join("/"));
        }
    }
    match segments.as_slice() {
        [_, _, rg, ..] if rg.eq_ignore_ascii_case("resourceGroups") => {
            "Microsoft.Resources/resourceGroups".into()
        }
        [sub, _] if sub.eq_ignore_ascii_case("subscriptions") => {
            "Microsoft.Resources/subscriptions".into()
        }
        _ => "Microsoft.Resources/resourceGroups".into(),
    }
}

/// Whether the path names a collection (a list) rather than one resource: after the provider
/// namespace, an odd number of segments ends in a type name.
pub fn is_collection(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("providers"))
    {
        Some(pos) => (segments.len() - pos - 2) % 2 == 1,
        None => segments.len() % 2 == 1,
    }
}

/// Chooses the api-version for a path: the step's override, then the lab's overrides (full type,
/// then namespace), then the pinned table.
pub fn api_version_for(
    path: &str,
    step_override: Option<&str>,
    lab_overrides: &BTreeMap<String, String>,
) -> String {
    if let Some(v) = step_override {
        return v.to_owned();
    }
    let ty = resource_type(path);
    let namespace = ty.split('/').next().unwrap_or(&ty).to_owned();
    for key in [&ty, &namespace] {
        if let Some((_, v)) = lab_overrides
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            return v.clone();
        }
    }
    PINNED
        .iter()
        .find(|(k, _)| ty.eq_ignore_ascii_case(k))
        .or_else(|| {
            PINNED
                .iter()
                .find(|(k, _)| namespace.eq_ignore_ascii_case(k))
        })
        .map_or(FALLBACK, |(_, v)| v)
        .to_owned()
}

/// Extra query parameters a DELETE of this type needs.
pub fn delete_query(path: &str) -> Option<&'static str> {
    resource_type(path)
        .eq_ignore_ascii_case("Microsoft.MachineLearningServices/workspaces/computes")
        .then_some("underlyingResourceAction=Delete")
}

#[cfg(test)]
mod tests {
    use super::*;

    const WS: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w";

    #[test]
    fn types_of_paths() {
        assert_eq!(
            resource_type("/subscriptions/s/resourceGroups/rg"),
            "Microsoft.Resources/resourceGroups"
        );
        assert_eq!(
            resource_type(WS),
            "Microsoft.MachineLearningServices/workspaces"
        );
        assert_eq!(
            resource_type(&format!("{WS}/computes/c")),
            "Microsoft.MachineLearningServices/workspaces/computes"
        );
        assert_eq!(
            resource_type(&format!("{WS}/computes")),
            "Microsoft.MachineLearningServices/workspaces/computes"
        );
        assert_eq!(
            resource_type(&format!("{WS}/data/d/versions/1")),
            "Microsoft.MachineLearningServices/workspaces/data/versions"
        );
    }

    #[test]
    fn collections() {
        assert!(!is_collection(WS));
        assert!(is_collection(&format!("{WS}/computes")));
        assert!(!is_collection(&format!("{WS}/computes/c")));
        assert!(!is_collection("/subscriptions/s/resourceGroups/rg"));
        assert!(is_collection("/subscriptions/s/resourceGroups"));
    }

    #[test]
    fn api_versions() {
        let none = BTreeMap::new();
        assert_eq!(api_version_for(WS, None, &none), "2025-12-01");
        assert_eq!(
            api_version_for("/subscriptions/s/resourceGroups/rg", None, &none),
            "2024-03-01"
        );
        assert_eq!(
            api_version_for(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/components/ai",
                None,
                &none
            ),
            "2020-02-02"
        );
        let lab = BTreeMap::from([(
            "Microsoft.MachineLearningServices".to_owned(),
            "2026-07-01".to_owned(),
        )]);
        assert_eq!(api_version_for(WS, None, &lab), "2026-07-01");
        assert_eq!(api_version_for(WS, Some("2024-04-01"), &lab), "2024-04-01");
    }

    #[test]
    fn compute_delete_needs_action() {
        assert_eq!(
            delete_query(&format!("{WS}/computes/c")),
            Some("underlyingResourceAction=Delete")
        );
        assert_eq!(delete_query(WS), None);
    }
}
