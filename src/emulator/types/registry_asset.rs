//! Assets of a user-created ML registry at their ARM paths (`Registry*Containers_*`,
//! `Registry*Versions_*`, ML spec 2025-12-01):
//! `.../registries/{r}/{models|environments|components|codes}/{name}[/versions/{v}]`. They follow
//! the workspace assets' rules ([`super::asset`]): a version validated as in a workspace,
//! immutable, creating its container and keeping its `latestVersion`/`nextVersion`; but their
//! PUT (`Azure-AsyncOperation`) and DELETE (202, `Location`) are long-running, as the spec
//! declares. A workspace asset version reaches a registry by `publish`
//! ([`super::asset_publish`]).

use super::asset::{AssetContainers, AssetSpec, AssetVersions};
use super::{code, component, environment, model};

macro_rules! registry_asset {
    ($spec:ident, $containers:ident, $versions:ident, $kind:literal, $label:literal, $build:path, $immutable:expr) => {
        static $spec: AssetSpec = AssetSpec {
            container_type: concat!("Microsoft.MachineLearningServices/registries/", $kind),
            version_type: concat!(
                "Microsoft.MachineLearningServices/registries/",
                $kind,
                "/versions"
            ),
            label: $label,
            build_version: $build,
            immutable: $immutable,
        };
        /// Containers of this asset kind in registries.
        pub(crate) static $containers: AssetContainers = AssetContainers(&$spec);
        /// Versions of this asset kind in registries.
        pub(crate) static $versions: AssetVersions = AssetVersions(&$spec);
    };
}

registry_asset!(
    MODEL,
    MODEL_CONTAINERS,
    MODEL_VERSIONS,
    "models",
    "Model",
    model::build_version,
    &["modelType", "modelUri"]
);
registry_asset!(
    ENV,
    ENV_CONTAINERS,
    ENV_VERSIONS,
    "environments",
    "Environment",
    environment::build_version,
    &["image", "build", "condaFile", "osType"]
);
registry_asset!(
    COMPONENT,
    COMPONENT_CONTAINERS,
    COMPONENT_VERSIONS,
    "components",
    "Component",
    component::build_version,
    &["componentSpec"]
);
registry_asset!(
    CODE,
    CODE_CONTAINERS,
    CODE_VERSIONS,
    "codes",
    "Code",
    code::build_version,
    &["codeUri"]
);
