//! Routing: what an ARM path addresses (a resource, a collection, an action, an operation).

use super::error::{ArmError, ArmResult};
use super::url::RequestUrl;

/// The type name of resource groups.
pub(crate) const RESOURCE_GROUP_TYPE: &str = "Microsoft.Resources/resourceGroups";

/// A resource addressed by path: subscription, resource group, then provider type/name pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourcePath {
    /// Subscription id.
    pub(crate) subscription: String,
    /// Resource group name as written; empty for a resource at subscription scope
    /// (`/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments/{guid}`).
    pub(crate) resource_group: String,
    /// Provider namespace as written; `None` for the resource group itself.
    pub(crate) namespace: Option<String>,
    /// (type segment, name) pairs as written.
    pub(crate) pairs: Vec<(String, String)>,
    /// For an extension resource (`.../workspaces/w/providers/Microsoft.Authorization/...`):
    /// the resource it extends. `None` for resources directly under the resource group.
    pub(crate) scope: Option<Box<ResourcePath>>,
}

impl ResourcePath {
    /// The full type as written (`ns/type/child`), or the resource-group type.
    pub(crate) fn type_name(&self) -> String {
        match &self.namespace {
            None => RESOURCE_GROUP_TYPE.to_owned(),
            Some(ns) => {
                let mut s = ns.clone();
                for (t, _) in &self.pairs {
                    s.push('/');
                    s.push_str(t);
                }
                s
            }
        }
    }

    /// Whether the resource lives directly under the subscription (no resource group).
    pub(crate) fn at_subscription(&self) -> bool {
        self.resource_group.is_empty() && self.scope.is_none()
    }

    /// The parent path (the resource group for a top-level provider resource; none for a
    /// resource at subscription scope).
    pub(crate) fn parent(&self) -> Option<ResourcePath> {
        match self.pairs.len() {
            0 => None,
            1 if self.scope.is_some() => self.scope.as_deref().cloned(),
            1 if self.at_subscription() => None,
            1 => Some(ResourcePath {
                namespace: None,
                pairs: Vec::new(),
                ..self.clone()
            }),
            n => Some(ResourcePath {
                pairs: self.pairs[..n - 1].to_vec(),
                ..self.clone()
            }),
        }
    }

    /// The last name (the resource group's name for a resource group).
    pub(crate) fn name(&self) -> &str {
        self.pairs
            .last()
            .map_or(self.resource_group.as_str(), |(_, n)| n.as_str())
    }
}

/// What a request addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// An operation-status or operation-result URL.
    Operation {
        /// The path segment naming the kind (`computeOperationsStatus`, `operationresults`, ...).
        kind: String,
        /// The operation id.
        id: String,
    },
    /// `/subscriptions/{sub}/resourcegroups`.
    ResourceGroups {
        /// Subscription id.
        subscription: String,
    },
    /// One resource.
    Resource(ResourcePath),
    /// A collection of a type under a parent: (parent, full type as written).
    Collection(ResourcePath, String),
    /// A POST action on a resource: (resource, action name).
    Action(ResourcePath, String),
    /// `/subscriptions/{sub}/providers/{ns}/{name}`: a subscription-wide list of the type
    /// `ns/name` (GET) or a provider action such as `checkNameAvailability` (POST).
    Subscription {
        /// Subscription id.
        subscription: String,
        /// Provider namespace as written.
        namespace: String,
        /// The type or action name as written.
        name: String,
    },
}

fn invalid_path(url: &RequestUrl) -> ArmError {
    ArmError::new(
        404,
        "InvalidRequestUri",
        format!(
            "The request URI '{}' is not a valid Azure Resource Manager path.",
            url.path
        ),
    )
}

/// Parses the path of `url`; `is_post` decides whether a trailing segment is an action.
pub(crate) fn parse(url: &RequestUrl, is_post: bool) -> ArmResult<Route> {
    // A path with `..` and the like names no resource (and is never normalised here).
    if crate::arm::path::problem(&url.path).is_some() {
        return Err(invalid_path(url));
    }
    let s = &url.segments;
    let eq = |i: usize, v: &str| s.get(i).is_some_and(|x| x.eq_ignore_ascii_case(v));
    if !eq(0, "subscriptions") || s.len() < 3 {
        return Err(invalid_path(url));
    }
    let subscription = s[1].clone();
    if eq(2, "operationresults") && s.len() == 4 {
        return Ok(Route::Operation {
            kind: s[2].clone(),
            id: s[3].clone(),
        });
    }
    if eq(2, "providers") && eq(4, "locations") && s.len() == 8 {
        return Ok(Route::Operation {
            kind: s[6].clone(),
            id: s[7].clone(),
        });
    }
    if eq(2, "providers") && s.len() == 5 {
        return Ok(Route::Subscription {
            subscription,
            namespace: s[3].clone(),
            name: s[4].clone(),
        });
    }
    // A resource at subscription scope: `/subscriptions/{sub}/providers/{ns}/{type}/{name}`
    // (the engine serves it only for types that live there: role assignments).
    if eq(2, "providers") && s.len() == 6 {
        let base = ResourcePath {
            subscription,
            resource_group: String::new(),
            namespace: None,
            pairs: Vec::new(),
            scope: None,
        };
        return Ok(finish(base, s[3].clone(), &s[4..], is_post));
    }
    if !eq(2, "resourcegroups") {
        return Err(invalid_path(url));
    }
    if s.len() == 3 {
        return Ok(Route::ResourceGroups { subscription });
    }
    let rg = ResourcePath {
        subscription,
        resource_group: s[3].clone(),
        namespace: None,
        pairs: Vec::new(),
        scope: None,
    };
    if s.len() == 4 {
        return Ok(Route::Resource(rg));
    }
    if eq(4, "deployments") && s.len() >= 6 {
        // `resourcegroups/{rg}/deployments/{name}/operations[/{id}]`: the spec's path of
        // deployment operations, without `providers/Microsoft.Resources`.
        return Ok(finish(
            rg,
            "Microsoft.Resources".to_owned(),
            &s[4..],
            is_post,
        ));
    }
    if !eq(4, "providers") || s.len() < 7 {
        return Err(invalid_path(url));
    }
    let mut rest = &s[6..];
    let mut rg = rg;
    // An extension resource: `{scope}/providers/{ns}/{type}/{name}`, the scope itself being a
    // provider resource (`ns/type/name` pairs) under the resource group.
    if let Some(k) = (0..rest.len())
        .step_by(2)
        .find(|&k| k > 0 && rest[k].eq_ignore_ascii_case("providers"))
        && rest.len() > k + 2
    {
        let scope = ResourcePath {
            namespace: Some(s[5].clone()),
            pairs: rest[..k]
                .chunks_exact(2)
                .map(|c| (c[0].clone(), c[1].clone()))
                .collect(),
            ..rg.clone()
        };
        rg.scope = Some(Box::new(scope));
        let ns = rest[k + 1].clone();
        rest = &rest[k + 2..];
        return Ok(finish(rg, ns, rest, is_post));
    }
    Ok(finish(rg, s[5].clone(), rest, is_post))
}

/// The route of `{ns}/{rest...}` under `base` (a resource group, or a scope for extensions).
fn finish(base: ResourcePath, ns: String, rest: &[String], is_post: bool) -> Route {
    let pairs: Vec<(String, String)> = rest
        .chunks_exact(2)
        .map(|c| (c[0].clone(), c[1].clone()))
        .collect();
    let path = ResourcePath {
        namespace: Some(ns.clone()),
        pairs,
        ..base
    };
    if rest.len().is_multiple_of(2) {
        return Route::Resource(path);
    }
    let last = rest[rest.len() - 1].clone();
    if is_post && !path.pairs.is_empty() {
        return Route::Action(path, last);
    }
    let parent = if path.pairs.is_empty() {
        match path.scope {
            Some(scope) => *scope,
            None => ResourcePath {
                namespace: None,
                ..path
            },
        }
    } else {
        path
    };
    let mut type_name = if rest.len() == 1 {
        ns
    } else {
        parent.type_name()
    };
    type_name.push('/');
    type_name.push_str(&last);
    Route::Collection(parent, type_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(path: &str, post: bool) -> Route {
        match parse(&RequestUrl::parse(path), post) {
            Ok(r) => r,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn routes() {
        let r = route(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/computes",
            false,
        );
        let Route::Collection(parent, t) = r else {
            panic!("not a collection")
        };
        assert_eq!(t, "Microsoft.MachineLearningServices/workspaces/computes");
        assert_eq!(parent.name(), "w");
        let r = route(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts",
            false,
        );
        let Route::Collection(parent, t) = r else {
            panic!("not a collection")
        };
        assert_eq!(t, "Microsoft.Storage/storageAccounts");
        assert_eq!(parent.namespace, None);
        let r = route(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/listKeys",
            true,
        );
        assert!(matches!(r, Route::Action(_, ref a) if a == "listKeys"));
        let r = route(
            "/subscriptions/s/providers/Microsoft.MachineLearningServices/locations/eastus/computeOperationsStatus/x",
            false,
        );
        assert!(matches!(r, Route::Operation { ref id, .. } if id == "x"));
        assert!(parse(&RequestUrl::parse("/foo"), false).is_err());
    }

    #[test]
    fn extension_resources_keep_their_scope() {
        let ws = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w";
        let r = route(
            &format!("{ws}/providers/Microsoft.Authorization/roleAssignments/g1"),
            false,
        );
        let Route::Resource(p) = r else {
            panic!("not a resource")
        };
        assert_eq!(p.type_name(), "Microsoft.Authorization/roleAssignments");
        assert_eq!(p.name(), "g1");
        let parent = p.parent().unwrap_or_else(|| panic!("no parent"));
        assert_eq!(
            parent.type_name(),
            "Microsoft.MachineLearningServices/workspaces"
        );
        assert_eq!(parent.name(), "w");
        let r = route(
            &format!("{ws}/providers/Microsoft.Authorization/roleAssignments"),
            false,
        );
        let Route::Collection(parent, t) = r else {
            panic!("not a collection")
        };
        assert_eq!(t, "Microsoft.Authorization/roleAssignments");
        assert_eq!(parent.name(), "w");
        let r = route(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/g2",
            false,
        );
        let Route::Resource(p) = r else {
            panic!("not a resource")
        };
        assert!(p.scope.is_none());
        assert_eq!(p.parent().map(|x| x.namespace), Some(None));
    }
}
