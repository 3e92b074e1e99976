//! The lab file format v1: the Rust types that YAML lab files deserialize into.
//!
//! These types are the single source of truth for the format: the JSON Schema
//! (`schema/lab.schema.json`, `amlab schema`) is generated from them with schemars, and every
//! struct rejects unknown fields. Fields whose position matters for diagnostics are
//! [`Spanned`], so lint errors can point at line and column.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
pub use serde_saphyr::Spanned;

/// A lab: an ordered set of steps, each an ARM resource to create and check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "amlab lab",
    description = "An amlab lab definition (format v1)."
)]
pub struct Lab {
    /// Stable identifier, lower-case letters, digits and `-` (for example `dp100-04-compute`).
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Spanned<String>,
    /// Human title shown in reports.
    pub title: String,
    /// What the lab teaches and what it checks (Markdown).
    #[serde(default)]
    pub description: Option<String>,
    /// api-version overrides, keyed by resource provider namespace (`Microsoft.Storage`) or
    /// full resource type (`Microsoft.MachineLearningServices/workspaces/computes`).
    #[serde(default)]
    pub api_versions: BTreeMap<String, String>,
    /// Shared setup files (`*.setup.yaml`) whose parameters and steps this lab includes, paths
    /// relative to this file and inside its folder tree. Their steps come first, in this order;
    /// a parameter this lab defines overrides an included one.
    #[serde(default)]
    #[schemars(with = "Vec<SetupPath>")]
    pub include: Vec<Spanned<String>>,
    /// Parameters: values a learner or CI can set with `--var NAME=VALUE`, referenced as
    /// `${NAME}` in any string of the lab. Built in: `${subscription}` and `${random:N}`
    /// (N random lower-case letters and digits, fixed for the lab on its target).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Param>")]
    pub params: Params,
    /// What a learner needs to pass the lab: a percentage of the possible points such as
    /// `"70%"`, or a number of points such as `12`. Default: every step passed.
    /// `--pass-mark` overrides it.
    #[serde(default)]
    #[schemars(with = "Option<PassMarkValue>")]
    pub pass_mark: Option<Spanned<PassMarkValue>>,
    /// The steps that prepare the exercise (what its `setup.sh` creates, such as the compute
    /// cluster and data assets, or a starting state with a `delete` step), which `amlab setup`
    /// applies before the learner starts. The step holding the workspace (if any) and the
    /// steps it needs are always part of the setup; the steps listed here are added, with the
    /// steps they need.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub setup: Vec<Spanned<String>>,
    /// The steps, run in dependency order (`needs`), concurrently where allowed.
    pub steps: Vec<Step>,
}

/// Shared setup (a `*.setup.yaml` file): parameters and steps that labs include with
/// `include:`. Not a lab: lab discovery (`*.lab.yaml`) never picks it up.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "amlab shared setup",
    description = "Parameters and steps that amlab labs include (format v1)."
)]
pub struct Setup {
    /// What the setup creates (Markdown).
    #[serde(default)]
    pub description: Option<String>,
    /// Further setup files this one includes, relative to this file (see the lab's `include`).
    #[serde(default)]
    #[schemars(with = "Vec<SetupPath>")]
    pub include: Vec<Spanned<String>>,
    /// Parameters, as in a lab; the including lab may override them.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Param>")]
    pub params: Params,
    /// Steps, as in a lab; they come before the including lab's own steps.
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// The path of a shared setup file, relative to the including file: no absolute path, no
/// `..` leaving the lab's folder, named `*.setup.yaml` or `*.setup.yml`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct SetupPath(#[schemars(regex(pattern = r"^[^/\\].*\.setup\.ya?ml$"))] String);

/// A pass mark as written: points (an integer) or a percentage (a string ending in `%`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PassMarkValue {
    /// Points: the lab passes when the learner earns at least this many.
    Points(u32),
    /// A percentage of the possible points, such as `"70%"` or `"87.5%"` (0-100).
    Percent(#[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?%$"))] String),
}

/// What a report shows of a check (`visibility:`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Expected and actual values, the message and the hint (the default).
    #[default]
    Full,
    /// The actual value and the hint, never the expected value.
    Actual,
    /// Only the title and the hint: neither expected nor actual.
    None,
    /// Counted in the score but absent from every report until `--reveal`.
    Hidden,
}

impl Visibility {
    /// Whether the default (`full`), to skip it when serializing.
    pub fn is_full(&self) -> bool {
        *self == Visibility::Full
    }
}

/// A lab parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Default value; may reference other parameters (`rg-dp100-${suffix}`) and `${random:N}`.
    /// A parameter without a default must be given with `--var`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub default: Option<Spanned<String>>,
    /// What the parameter is for.
    #[serde(default)]
    pub description: Option<String>,
}

/// One step: an ARM resource, how to create it, and what to check on it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Identifier, unique in the lab, referenced by other steps' `needs`.
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"))]
    pub id: Spanned<String>,
    /// What the learner should have done, in one line.
    pub title: String,
    /// Steps this one depends on. `run` applies it only after every one of them passed (else
    /// it is `skipped`); `check` scores it whenever their resources exist, even if they failed
    /// a check, and skips it only when a resource it needs does not exist or could not be read.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub needs: Vec<Spanned<String>>,
    /// Points for the step (default 1). If checks carry their own points, the step's points
    /// are their sum and may be omitted.
    #[serde(default)]
    pub points: Option<u32>,
    /// The ARM resource id (path) this step creates and checks, for example
    /// `/subscriptions/${subscription}/resourceGroups/${resource_group}`. A collection path
    /// (ending in a resource type) is read as a list, with `nextLink` pages merged into `value`.
    #[schemars(with = "String")]
    pub resource: Spanned<String>,
    /// api-version for this step's resource, overriding the lab's and the built-in table.
    #[serde(default)]
    pub api_version: Option<String>,
    /// Check (and create) an object of the resource's data plane instead of the resource
    /// itself: a search index, an indexer's status, a document count. The endpoint comes from
    /// the resource (`properties.endpoint`); the credential from its documented key-listing
    /// action or an Entra token. `create`, `wait` and `expect` then apply to the data-plane
    /// object.
    #[serde(default)]
    pub data_plane: Option<DataPlane>,
    /// How `amlab run` creates the resource; steps without it are only checked.
    #[serde(default)]
    pub create: Option<Create>,
    /// `true`: the step deletes its resource (DELETE, waiting until it is gone) instead of
    /// creating it: part of the lab's starting state, such as an AI services account that the
    /// learner must recover from soft delete. `amlab run` and `amlab setup` apply it after the
    /// steps it `needs` (the step that created the resource); `check` and `teardown` do nothing
    /// for it, and the steps that need it are checked as usual. List it under `setup:`; it has
    /// no `create`, `wait`, `expect`, `data_plane` or points.
    #[serde(default)]
    pub delete: bool,
    /// Wait after creating (and, in `check`, before checking) until a query holds.
    #[serde(default)]
    pub wait: Option<Wait>,
    /// The checks: each a JMESPath query over the resource's JSON and one comparison.
    #[serde(default)]
    pub expect: Vec<Check>,
    /// Whether `amlab teardown` deletes this resource (default: true when `create` is set).
    #[serde(default)]
    pub teardown: Option<bool>,
    /// Time limit for the whole step, including long-running operations (default 30m).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Spanned<String>>,
}

/// An object of a resource's data plane (supported: `Microsoft.Search/searchServices`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataPlane {
    /// The object's path on the data-plane endpoint, such as `/indexes/margies-index`,
    /// `/indexers/margies-indexer/search.status` or `/indexes/margies-index/search.stats`.
    #[schemars(with = "String", regex(pattern = r"^/"))]
    pub path: Spanned<String>,
    /// The data plane's api-version (default: `2025-09-01` for Azure AI Search).
    #[serde(default)]
    pub api_version: Option<String>,
    /// How amlab authenticates: `key` (the default: an admin key from the resource's
    /// key-listing action, `POST listAdminKeys`, the one POST check mode sends) or `entra` (a
    /// token for the data plane's scope, `https://search.azure.com/.default`, from the same
    /// credential as ARM; the service must accept Entra ID and the signed-in principal needs a
    /// role that allows the operation, such as Search Service Contributor).
    #[serde(default)]
    pub auth: DataPlaneAuth,
}

/// How a data-plane step authenticates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DataPlaneAuth {
    /// An API key from the resource's key-listing action.
    #[default]
    Key,
    /// A Microsoft Entra ID token for the data plane's scope.
    Entra,
}

/// How a step's resource is created: exactly one of `body` and `spec`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Create {
    /// The ARM request body sent with PUT, as YAML or JSON; strings are templated.
    #[serde(default)]
    pub body: Option<Value>,
    /// An az ml CLI v2 YAML spec (path relative to the lab file) translated to the PUT body as
    /// the Azure ML SDK does (`amlab spec`); `${name}` parameters in its text are substituted
    /// first. References resolve in the workspace named by the lab's `resource_group`,
    /// `workspace` and `location` parameters.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub spec: Option<Spanned<String>>,
}

/// Wait until a query over the resource holds.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Wait {
    /// A JMESPath expression; waiting ends when it is truthy
    /// (for example `properties.provisioningState == 'Succeeded'`).
    #[schemars(with = "String")]
    pub until: Spanned<String>,
    /// How long to wait at most, such as `90s`, `20m` or `1h` (default 30m).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Spanned<String>>,
}

/// A check: a JMESPath `query` over the resource and exactly one comparison.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// A short name for the check (defaults to the query).
    #[serde(default)]
    pub title: Option<String>,
    /// JMESPath expression (the language of `az ... --query`), evaluated on the resource JSON.
    #[schemars(with = "String")]
    pub query: Spanned<String>,
    /// The result equals this value.
    #[serde(default)]
    pub equals: Option<Value>,
    /// The result differs from this value.
    #[serde(default)]
    pub not_equals: Option<Value>,
    /// The result is one of these values.
    #[serde(default, rename = "in")]
    pub one_of: Option<Vec<Value>>,
    /// The result is a string matching this regular expression (unanchored; use `^...$`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub matches: Option<Spanned<String>>,
    /// The result is a number (or string) greater than or equal to this.
    #[serde(default)]
    pub gte: Option<Value>,
    /// The result is a number (or string) less than or equal to this.
    #[serde(default)]
    pub lte: Option<Value>,
    /// `true`: the result is not null; `false`: the result is null (absent).
    #[serde(default)]
    pub exists: Option<bool>,
    /// The result (an array or a string) contains this value.
    #[serde(default)]
    pub contains: Option<Value>,
    /// Compare strings case-insensitively (Azure enum values often are).
    #[serde(default)]
    pub ignore_case: bool,
    /// Shown to the learner when the check fails: what to change and where.
    #[serde(default)]
    pub hint: Option<String>,
    /// Points for this check alone (partial credit).
    #[serde(default)]
    pub points: Option<u32>,
    /// What reports show of this check: `full` (expected and actual, the default), `actual`
    /// (the actual value only), `none` (only the title and hint), `hidden` (counted in the
    /// score, shown in no report until `--reveal`).
    #[serde(default)]
    pub visibility: Visibility,
}

/// The lab's parameters in file order, each name with its position.
#[derive(Debug, Default)]
pub struct Params(pub Vec<(Spanned<String>, Param)>);

impl Params {
    /// Iterates over (name, parameter) in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&Spanned<String>, &Param)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Looks a parameter up by name.
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.0.iter().find(|(k, _)| k.value == name).map(|(_, v)| v)
    }
}

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Params;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of parameter names to {default, description}")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Params, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<Spanned<String>, Param>()? {
                    out.push((k, v));
                }
                Ok(Params(out))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}
