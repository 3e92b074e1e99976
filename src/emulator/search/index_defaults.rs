//! The defaults the service fills into an index definition it stores, so that an index reads
//! back as the service answers it (learn.microsoft.com/rest/api/searchservice/indexes/create,
//! "Request body" and the `SearchField`, `ScoringProfile`, `HnswParameters` and
//! `VectorSearchCompression` definitions of the 2025-09-01 REST reference).
//!
//! - A simple field shows every attribute: `key` (default false), `retrievable` and `stored`
//!   (default true); `searchable` defaults to true for `Edm.String`, `Collection(Edm.String)`
//!   and vector fields, false otherwise; `filterable` and `facetable` default to true except
//!   for vector fields (and `facetable` for `Edm.GeographyPoint`); `sortable` defaults to true
//!   for single-valued fields, false for collections and vectors. Its analyzers, normalizer,
//!   `dimensions` and `vectorSearchProfile` are `null` when not set, its `synonymMaps` `[]`.
//! - A complex field (`Edm.ComplexType`, `Collection(Edm.ComplexType)`) carries none of those
//!   attributes: only its sub-fields, each filled in the same way.
//! - A scoring profile's `functionAggregation` defaults to `sum`, a function's `interpolation`
//!   to `linear`.
//! - An HNSW algorithm's parameters default to `m` 4, `efConstruction` 400, `efSearch` 500,
//!   `metric` cosine; an exhaustive KNN algorithm's `metric` to cosine.
//! - A compression defaults to `rerankWithOriginalVectors` true, `defaultOversampling` 4.
//!
//! Values the client sets are kept as they are.

use serde_json::{Map, Value, json};

/// Element types of vector fields (`Collection(...)` of them holds an embedding).
const VECTOR_ELEMENTS: &[&str] = &[
    "Edm.Single",
    "Edm.Half",
    "Edm.Int16",
    "Edm.SByte",
    "Edm.Byte",
];

/// Fills the service's defaults into an index definition about to be stored.
pub(crate) fn apply(index: &mut Map<String, Value>) {
    if let Some(fields) = index.get_mut("fields").and_then(Value::as_array_mut) {
        fields.iter_mut().for_each(field);
    }
    let profiles = index
        .get_mut("scoringProfiles")
        .and_then(Value::as_array_mut);
    for p in profiles.into_iter().flatten() {
        scoring_profile(p);
    }
    if let Some(vs) = index.get_mut("vectorSearch") {
        vector_search(vs);
    }
}

/// The kind of a field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Complex,
    Vector,
    Simple { collection: bool, string: bool },
}

fn kind(ty: &str, has_dimensions: bool) -> Kind {
    let (collection, inner) = match ty
        .strip_prefix("Collection(")
        .and_then(|r| r.strip_suffix(')'))
    {
        Some(inner) => (true, inner),
        None => (false, ty),
    };
    if inner == "Edm.ComplexType" {
        Kind::Complex
    } else if collection && (has_dimensions || VECTOR_ELEMENTS.contains(&inner)) {
        Kind::Vector
    } else {
        Kind::Simple {
            collection,
            string: inner == "Edm.String",
        }
    }
}

fn set_default(f: &mut Map<String, Value>, key: &str, value: Value) {
    if f.get(key).is_none_or(Value::is_null) {
        f.insert(key.to_owned(), value);
    }
}

/// One field (and, for a complex field, its sub-fields).
fn field(f: &mut Value) {
    let Some(f) = f.as_object_mut() else {
        return;
    };
    let ty = f.get("type").and_then(Value::as_str).unwrap_or_default();
    let k = kind(ty, f.get("dimensions").is_some_and(|d| !d.is_null()));
    if k == Kind::Complex {
        if let Some(sub) = f.get_mut("fields").and_then(Value::as_array_mut) {
            sub.iter_mut().for_each(field);
        }
        return;
    }
    let geo = ty.ends_with("Edm.GeographyPoint");
    let (searchable, filterable, sortable, facetable) = match k {
        Kind::Vector => (true, false, false, false),
        Kind::Simple { collection, string } => (string, true, !collection, !geo),
        Kind::Complex => unreachable!("handled above"),
    };
    let flags = [
        ("searchable", searchable),
        ("filterable", filterable),
        ("retrievable", true),
        ("stored", true),
        ("sortable", sortable),
        ("facetable", facetable),
        ("key", false),
    ];
    for (name, value) in flags {
        set_default(f, name, json!(value));
    }
    for name in [
        "analyzer",
        "searchAnalyzer",
        "indexAnalyzer",
        "normalizer",
        "dimensions",
        "vectorSearchProfile",
    ] {
        f.entry(name).or_insert(Value::Null);
    }
    set_default(f, "synonymMaps", json!([]));
}

fn scoring_profile(p: &mut Value) {
    let Some(p) = p.as_object_mut() else {
        return;
    };
    set_default(p, "functionAggregation", json!("sum"));
    let functions = p.get_mut("functions").and_then(Value::as_array_mut);
    for f in functions
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
    {
        set_default(f, "interpolation", json!("linear"));
    }
}

fn vector_search(vs: &mut Value) {
    let algorithms = vs.get_mut("algorithms").and_then(Value::as_array_mut);
    for a in algorithms
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
    {
        match a.get("kind").and_then(Value::as_str) {
            Some("hnsw") => {
                let p = a.entry("hnswParameters").or_insert_with(|| json!({}));
                if let Some(p) = p.as_object_mut() {
                    set_default(p, "metric", json!("cosine"));
                    set_default(p, "m", json!(4));
                    set_default(p, "efConstruction", json!(400));
                    set_default(p, "efSearch", json!(500));
                }
            }
            Some("exhaustiveKnn") => {
                let p = a
                    .entry("exhaustiveKnnParameters")
                    .or_insert_with(|| json!({}));
                if let Some(p) = p.as_object_mut() {
                    set_default(p, "metric", json!("cosine"));
                }
            }
            _ => {}
        }
    }
    let compressions = vs.get_mut("compressions").and_then(Value::as_array_mut);
    for c in compressions
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
    {
        set_default(c, "rerankWithOriginalVectors", json!(true));
        set_default(c, "defaultOversampling", json!(4.0));
    }
}
