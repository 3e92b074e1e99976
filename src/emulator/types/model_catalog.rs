//! The model catalogue and quota of `Microsoft.CognitiveServices`: which model versions a
//! region offers with which deployment type (SKU), and the tokens-per-minute quota each
//! subscription has per region, model and deployment type.
//!
//! Quota is counted the way the service counts it: one pool per subscription, region, model
//! and deployment type, named `OpenAI.{sku}.{model}` (the usage names
//! `GET .../locations/{l}/usages` lists), in units of 1,000 tokens per minute (a deployment's
//! `sku.capacity`). The built-in numbers are a small, illustrative subset of the real catalogue
//! (which differs per subscription and changes monthly); the emulator state overrides them
//! ([`CognitiveSettings`]): a quota of 0 in a region makes a learner pick another region.

use serde_json::{Value, json};

use crate::emulator::world::{CognitiveSettings, World};

/// Deployment types (`sku.name`) the service knows.
pub(crate) const DEPLOYMENT_SKUS: &[&str] = &[
    "Standard",
    "GlobalStandard",
    "DataZoneStandard",
    "GlobalBatch",
    "DataZoneBatch",
    "ProvisionedManaged",
    "GlobalProvisionedManaged",
    "DataZoneProvisionedManaged",
    "DeveloperTier",
];

/// Regions with Global Standard deployments of the common models.
const GLOBAL: &[&str] = &[
    "eastus",
    "eastus2",
    "westus",
    "westus3",
    "northcentralus",
    "southcentralus",
    "swedencentral",
    "westeurope",
    "francecentral",
    "uksouth",
    "japaneast",
    "australiaeast",
    "koreacentral",
    "canadacentral",
    "centralus",
    "germanywestcentral",
    "switzerlandnorth",
    "southeastasia",
    "brazilsouth",
    "centralindia",
];

/// Regions offering the classic Standard (regional) deployment of gpt-4o (the mslearn-openai
/// lab's list).
const GPT4O_STANDARD: &[&str] = &[
    "eastus",
    "eastus2",
    "northcentralus",
    "southcentralus",
    "swedencentral",
    "westus",
    "westus3",
];

/// Regions where the audio models (gpt-4o-mini-tts, gpt-4o-mini-transcribe) are deployable.
const AUDIO: &[&str] = &["eastus2", "swedencentral"];

/// Regions for gpt-5 Global Standard at launch.
const GPT5: &[&str] = &["eastus2", "swedencentral"];

/// One model: its format, name, versions (default first), and per deployment type the regions
/// that offer it and the default quota limit there.
pub(crate) struct Model {
    /// `OpenAI`, `Microsoft`, ...
    pub(crate) format: &'static str,
    /// Model name.
    pub(crate) name: &'static str,
    /// Versions, the default one first.
    pub(crate) versions: &'static [&'static str],
    /// (sku, regions, default limit in thousands of TPM).
    pub(crate) offers: &'static [(&'static str, &'static [&'static str], u64)],
}

/// Regions that had the first-generation (GPT-3) models such as `ada`.
const LEGACY: &[&str] = &["eastus", "southcentralus", "westeurope"];

/// The built-in catalogue.
pub(crate) static MODELS: &[Model] = &[
    // Retired GPT-3 model, kept because the REST specification's examples deploy it.
    Model {
        format: "OpenAI",
        name: "ada",
        versions: &["1"],
        offers: &[("Standard", LEGACY, 120)],
    },
    Model {
        format: "OpenAI",
        name: "gpt-4o",
        versions: &["2024-11-20", "2024-08-06", "2024-05-13"],
        offers: &[
            ("Standard", GPT4O_STANDARD, 30),
            ("GlobalStandard", GLOBAL, 100),
        ],
    },
    Model {
        format: "OpenAI",
        name: "gpt-4o-mini",
        versions: &["2024-07-18"],
        offers: &[
            ("Standard", GPT4O_STANDARD, 30),
            ("GlobalStandard", GLOBAL, 100),
        ],
    },
    Model {
        format: "OpenAI",
        name: "gpt-4.1",
        versions: &["2025-04-14"],
        offers: &[("GlobalStandard", GLOBAL, 100)],
    },
    Model {
        format: "OpenAI",
        name: "gpt-4.1-mini",
        versions: &["2025-04-14"],
        offers: &[("GlobalStandard", GLOBAL, 100)],
    },
    Model {
        format: "OpenAI",
        name: "gpt-5",
        versions: &["2025-08-07"],
        offers: &[("GlobalStandard", GPT5, 150)],
    },
    Model {
        format: "OpenAI",
        name: "text-embedding-ada-002",
        versions: &["2"],
        offers: &[
            ("Standard", GPT4O_STANDARD, 30),
            ("GlobalStandard", GLOBAL, 100),
        ],
    },
    Model {
        format: "OpenAI",
        name: "text-embedding-3-small",
        versions: &["1"],
        offers: &[
            ("Standard", GPT4O_STANDARD, 30),
            ("GlobalStandard", GLOBAL, 100),
        ],
    },
    Model {
        format: "OpenAI",
        name: "gpt-4o-mini-tts",
        versions: &["2025-03-20"],
        offers: &[("GlobalStandard", AUDIO, 20)],
    },
    Model {
        format: "OpenAI",
        name: "gpt-4o-mini-transcribe",
        versions: &["2025-03-20"],
        offers: &[("GlobalStandard", AUDIO, 20)],
    },
    Model {
        format: "Microsoft",
        name: "Phi-4",
        versions: &["7"],
        offers: &[("GlobalStandard", GLOBAL, 1)],
    },
];

/// The catalogue entry of a model (name compared case-insensitively).
pub(crate) fn model(format: &str, name: &str) -> Option<&'static Model> {
    MODELS
        .iter()
        .find(|m| m.format.eq_ignore_ascii_case(format) && m.name.eq_ignore_ascii_case(name))
}

/// The usage (quota pool) name of a model deployed with `sku`: `OpenAI.GlobalStandard.gpt-4o`.
pub(crate) fn usage_name(format: &str, sku: &str, model: &str) -> String {
    format!("{format}.{sku}.{model}")
}

/// The pool's display name, as the service words it in `usages` and `InsufficientQuota`.
pub(crate) fn localized_usage(sku: &str, model: &str) -> String {
    if sku == "Standard" {
        format!("Tokens Per Minute (thousands) - {model}")
    } else {
        format!("Tokens Per Minute (thousands) - {model} - {sku}")
    }
}

/// Whether `location` offers `model` with `sku` (settings first, then the catalogue).
pub(crate) fn offered(settings: &CognitiveSettings, location: &str, sku: &str, m: &Model) -> bool {
    let key = format!("{location}/{sku}/{}", m.name).to_ascii_lowercase();
    if let Some(v) = settings
        .offers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(&key))
        .map(|(_, v)| *v)
    {
        return v;
    }
    m.offers
        .iter()
        .any(|(s, regions, _)| s.eq_ignore_ascii_case(sku) && regions.contains(&location))
}

/// The quota limit of a pool in a region (settings first, then the catalogue; 0 if neither).
pub(crate) fn limit(settings: &CognitiveSettings, location: &str, sku: &str, m: &Model) -> u64 {
    let key = format!("{location}/{}", usage_name(m.format, sku, m.name));
    if let Some(v) = settings
        .quota
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(&key))
        .map(|(_, v)| *v)
    {
        return v;
    }
    if !offered(settings, location, sku, m) {
        return 0;
    }
    m.offers
        .iter()
        .find(|(s, _, _)| s.eq_ignore_ascii_case(sku))
        .map_or(0, |(_, _, l)| *l)
}

/// The deployments of subscription `sub` counting against the pool (`location`, `sku`,
/// model name): (deployment id, capacity). Deployments of soft-deleted accounts are not counted.
pub(crate) fn allocations(
    world: &World,
    now_ms: u64,
    sub: &str,
    location: &str,
    sku: &str,
    model: &str,
) -> Vec<(String, u64)> {
    let prefix = format!("/subscriptions/{}/", sub.to_ascii_lowercase());
    world
        .resources
        .iter()
        .filter(|(k, r)| {
            k.starts_with(&prefix)
                && r.exists_at(now_ms)
                && r.type_name
                    .eq_ignore_ascii_case("Microsoft.CognitiveServices/accounts/deployments")
        })
        .filter(|(_, r)| {
            r.body["sku"]["name"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(sku))
                && r.body["properties"]["model"]["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(model))
                && account_location(world, now_ms, &r.id).as_deref() == Some(location)
        })
        .map(|(_, r)| {
            (
                r.id.clone(),
                r.body["sku"]["capacity"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// The location of the account a deployment id belongs to.
pub(crate) fn account_location(world: &World, now_ms: u64, child_id: &str) -> Option<String> {
    let lower = child_id.to_ascii_lowercase();
    let at = lower.find("/accounts/")? + "/accounts/".len();
    let end = lower[at..].find('/').map_or(lower.len(), |e| at + e);
    world
        .get(&child_id[..end], now_ms)
        .and_then(|a| a.body["location"].as_str().map(str::to_owned))
}

/// The `usages` of a subscription in a region: the account count, then every model pool the
/// region offers (or has quota for), with what is allocated.
pub(crate) fn usages(world: &World, now_ms: u64, sub: &str, location: &str) -> Value {
    let prefix = format!("/subscriptions/{}/", sub.to_ascii_lowercase());
    let accounts = world
        .resources
        .iter()
        .filter(|(k, r)| {
            k.starts_with(&prefix)
                && r.exists_at(now_ms)
                && r.type_name
                    .eq_ignore_ascii_case("Microsoft.CognitiveServices/accounts")
                && r.body["location"].as_str() == Some(location)
        })
        .count();
    let mut value = vec![json!({
        "name": {"value": "AccountCount", "localizedValue": "Cognitive Services total account limit"},
        "currentValue": accounts,
        "limit": 200,
        "unit": "Count"
    })];
    let s = &world.cognitive;
    for m in MODELS {
        for sku in DEPLOYMENT_SKUS {
            let lim = limit(s, location, sku, m);
            if lim == 0 && !offered(s, location, sku, m) {
                continue;
            }
            let used: u64 = allocations(world, now_ms, sub, location, sku, m.name)
                .iter()
                .map(|(_, c)| c)
                .sum();
            value.push(json!({
                "name": {
                    "value": usage_name(m.format, sku, m.name),
                    "localizedValue": localized_usage(sku, m.name)
                },
                "currentValue": used,
                "limit": lim,
                "unit": "Count"
            }));
        }
    }
    json!({"value": value})
}

/// The deployable models of a region for an account kind (`.../locations/{l}/models` when
/// `kind` is `None`, `.../accounts/{a}/models` otherwise).
pub(crate) fn models(
    settings: &CognitiveSettings,
    location: &str,
    account_kind: Option<&str>,
) -> Value {
    let mut value = Vec::new();
    for m in MODELS {
        if m.format != "OpenAI" && account_kind == Some("OpenAI") {
            continue;
        }
        let skus: Vec<Value> = DEPLOYMENT_SKUS
            .iter()
            .filter(|sku| offered(settings, location, sku, m))
            .map(|sku| {
                json!({
                    "name": sku,
                    "usageName": usage_name(m.format, sku, m.name),
                    "capacity": {"default": 10, "maximum": limit(settings, location, sku, m).max(1)}
                })
            })
            .collect();
        if skus.is_empty() {
            continue;
        }
        for (i, v) in m.versions.iter().enumerate() {
            let model = json!({
                "format": m.format,
                "name": m.name,
                "version": v,
                "isDefaultVersion": i == 0,
                "skus": skus,
                "lifecycleStatus": "GenerallyAvailable",
                "capabilities": {"chatCompletion": "true"}
            });
            value.push(match account_kind {
                Some(_) => model,
                None => json!({"kind": "AIServices", "skuName": "S0", "model": model}),
            });
        }
    }
    json!({"value": value})
}
