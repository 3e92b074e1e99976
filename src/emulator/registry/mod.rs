//! System registries: the Azure Machine Learning registries Microsoft publishes to every
//! subscription (`azureml`), present in every emulated world, read-only for learners.
//!
//! The `azureml` registry holds the Responsible AI components the DP-100 notebooks use
//! (`rai_tabular_insight_constructor`, `rai_tabular_erroranalysis`, `rai_tabular_explanation`,
//! `rai_tabular_causal`, `rai_tabular_counterfactual`, `rai_tabular_insight_gather`), with their
//! published interfaces: `azureml.json` beside this file holds each component's spec as
//! Microsoft publishes it in Azure/azureml-assets (`assets/responsibleai/tabular/components/*/
//! spec.yaml`; the commit of each is its `source`). The specs' `code: ../src/` is a code asset of
//! the registry on Azure; here it is left out (nothing runs).
//!
//! The versions (`0.20.0` to `0.22.0`, each with the interface above), their creation dates and
//! the registry's subscription and resource group are this catalogue's, not the service's
//! current ones: `@latest` (`label="latest"`) is the most recently created version, as on Azure,
//! and every component has the same versions, which the RAI notebook relies on (it reads the
//! constructor's latest version and asks for that version of the others).
//!
//! [`data_plane`] answers the registry's discovery and its data plane as the SDK calls them;
//! [`component`] resolves the `azureml://registries/...` references a workspace job makes.

pub mod data_plane;

use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

/// The subscription of the system registries (amlab's placeholder for Microsoft's own).
pub const SYSTEM_SUBSCRIPTION: &str = "6a3a0e3c-55c7-4b7e-9d0e-4d6f1b0a1c2e";
/// The resource group of the system registries.
pub const SYSTEM_RESOURCE_GROUP: &str = "registry-builtin-prod-eastus-01";
/// The primary region of the system registries.
pub const PRIMARY_REGION: &str = "eastus";

/// One published component.
#[derive(Debug, Deserialize)]
pub(crate) struct Component {
    /// Where its interface was read (repository, commit, path).
    #[allow(dead_code)]
    pub(crate) source: String,
    /// Its spec (without `version`), as published.
    pub(crate) spec: Value,
}

impl Component {
    /// Its name.
    pub(crate) fn name(&self) -> &str {
        self.spec["name"].as_str().unwrap_or_default()
    }

    /// The names of its inputs (`inputs`) or outputs (`outputs`).
    pub(crate) fn ports(&self, kind: &str) -> Vec<&str> {
        self.spec[kind]
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }
}

/// A system registry's catalogue.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Catalog {
    /// Its name.
    pub(crate) registry: String,
    /// The versions every component has, oldest first.
    pub(crate) versions: Vec<String>,
    /// Its components.
    pub(crate) components: Vec<Component>,
}

impl Catalog {
    /// The component `name` (case-insensitive, as asset names are on Azure).
    pub(crate) fn component(&self, name: &str) -> Option<&Component> {
        self.components
            .iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
    }

    /// The latest version (the most recently created).
    pub(crate) fn latest(&self) -> &str {
        self.versions.last().map_or("", String::as_str)
    }

    /// Whether `version` is published.
    pub(crate) fn has_version(&self, version: &str) -> bool {
        self.versions.iter().any(|v| v == version)
    }
}

static AZUREML: LazyLock<Catalog> =
    LazyLock::new(|| serde_json::from_str(include_str!("azureml.json")).unwrap_or_default());

/// The system registry `name` (case-insensitive), if there is one.
pub(crate) fn system(name: &str) -> Option<&'static Catalog> {
    let c: &Catalog = &AZUREML;
    c.registry.eq_ignore_ascii_case(name).then_some(c)
}

/// A component a reference resolved to.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// The component.
    pub(crate) component: &'static Component,
    /// Its canonical id (`azureml://registries/{r}/components/{name}/versions/{v}`).
    pub(crate) id: String,
}

/// Resolves `reference` if it is a component of a registry
/// (`azureml://registries/{r}/components/{name}[/versions/{v} | /labels/{label}]`): `None` for
/// any other reference; an error (the message) when the registry, component, version or label
/// does not exist.
pub(crate) fn component(reference: &str) -> Option<Result<Resolved, String>> {
    let rest = strip_prefix_ci(reference.trim(), "azureml://registries/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let (registry, kind) = (parts.first()?, parts.get(1)?);
    if !kind.eq_ignore_ascii_case("components") {
        return None;
    }
    Some(resolve(registry, &parts[2..], reference))
}

fn resolve(registry: &str, parts: &[&str], reference: &str) -> Result<Resolved, String> {
    let catalog = system(registry).ok_or_else(|| {
        format!("Registry '{registry}' of '{reference}' was not found: the only registry whose components a job may name is the system registry 'azureml' (a registry of your own is emulated through ARM only)")
    })?;
    let (name, version) = match parts {
        [name] => (*name, catalog.latest().to_owned()),
        [name, v, version] if v.eq_ignore_ascii_case("versions") => (*name, (*version).to_owned()),
        [name, l, label] if l.eq_ignore_ascii_case("labels") => {
            if !label.eq_ignore_ascii_case("latest") {
                return Err(format!(
                    "Label '{label}' of '{reference}' was not found: the registry's components have the label 'latest'"
                ));
            }
            (*name, catalog.latest().to_owned())
        }
        _ => {
            return Err(format!(
                "'{reference}' is not a registry component reference: use azureml://registries/<registry>/components/<name>/versions/<version> or .../labels/latest"
            ));
        }
    };
    let component = catalog.component(name).ok_or_else(|| {
        format!(
            "Component '{name}' was not found in registry '{}'",
            catalog.registry
        )
    })?;
    if !catalog.has_version(&version) {
        return Err(format!(
            "Version '{version}' of component '{name}' was not found in registry '{}': its versions are {}",
            catalog.registry,
            catalog.versions.join(", ")
        ));
    }
    let id = format!(
        "azureml://registries/{}/components/{}/versions/{version}",
        catalog.registry,
        component.name()
    );
    Ok(Resolved { component, id })
}

/// `s` without `prefix` (ASCII case-insensitive).
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_azureml_catalogue_holds_the_rai_components() {
        let c = system("AzureML").unwrap_or_else(|| panic!("no azureml registry"));
        assert_eq!(c.components.len(), 6);
        assert_eq!(c.latest(), "0.22.0");
        let gather = c
            .component("rai_tabular_insight_gather")
            .unwrap_or_else(|| panic!("no gather"));
        assert!(gather.ports("inputs").contains(&"insight_4"));
        assert_eq!(gather.ports("outputs"), vec!["dashboard", "ux_json"]);
        assert!(
            c.components
                .iter()
                .all(|x| x.source.contains("azureml-assets@"))
        );
        assert!(system("my-registry").is_none());
    }

    #[test]
    fn references_resolve_by_version_and_label() {
        let base = "azureml://registries/azureml/components/rai_tabular_explanation";
        let r = component(&format!("{base}/labels/latest"));
        assert_eq!(
            r.and_then(Result::ok).map(|r| r.id),
            Some(format!("{base}/versions/0.22.0"))
        );
        assert!(matches!(
            component(&format!("{base}/versions/0.21.0")),
            Some(Ok(_))
        ));
        let missing = component(&format!("{base}/versions/9.9.9"));
        assert!(matches!(missing, Some(Err(m)) if m.contains("0.20.0, 0.21.0, 0.22.0")));
        assert!(matches!(
            component("azureml://registries/azureml/components/nope/versions/0.22.0"),
            Some(Err(m)) if m.contains("'nope' was not found")
        ));
        assert!(matches!(
            component("azureml://registries/mine/components/x/versions/1"),
            Some(Err(m)) if m.contains("Registry 'mine'")
        ));
        assert!(component("azureml://registries/azureml/environments/e/versions/1").is_none());
        assert!(component("azureml:my-component:1").is_none());
    }
}
