//! The service's index limits, enforced as the service enforces them and answered in
//! `GET /servicestats` (`limits`), with the values the service answers there in 2025-09-01
//! (learn.microsoft.com/azure/search/search-limits-quotas-capacity, "Index limits"):
//! at most 1000 fields per index (sub-fields of complex fields included), complex fields nested
//! at most 10 deep, at most 100 complex collection fields per index, and at most 3000 objects
//! across all complex collections of one document.

use serde_json::{Value, json};

/// Fields per index, sub-fields included.
pub(crate) const MAX_FIELDS_PER_INDEX: usize = 1000;
/// Depth of complex fields.
pub(crate) const MAX_FIELD_NESTING_DEPTH: usize = 10;
/// `Collection(Edm.ComplexType)` fields per index.
pub(crate) const MAX_COMPLEX_COLLECTION_FIELDS: usize = 100;
/// Objects across all complex collections of one document.
pub(crate) const MAX_COMPLEX_OBJECTS_PER_DOCUMENT: usize = 3000;

/// The `limits` of `GET /servicestats`.
pub(crate) fn stats() -> Value {
    json!({
        "maxFieldsPerIndex": MAX_FIELDS_PER_INDEX,
        "maxFieldNestingDepthPerIndex": MAX_FIELD_NESTING_DEPTH,
        "maxComplexCollectionFieldsPerIndex": MAX_COMPLEX_COLLECTION_FIELDS,
        "maxComplexObjectsInCollectionsPerDocument": MAX_COMPLEX_OBJECTS_PER_DOCUMENT,
    })
}

/// Counts of an index's fields.
#[derive(Debug, Default)]
struct Shape {
    fields: usize,
    depth: usize,
    complex_collections: usize,
}

fn walk(fields: &[Value], depth: usize, shape: &mut Shape) {
    shape.depth = shape.depth.max(depth);
    if depth > MAX_FIELD_NESTING_DEPTH {
        return;
    }
    for f in fields {
        shape.fields += 1;
        if f.get("type").and_then(Value::as_str) == Some("Collection(Edm.ComplexType)") {
            shape.complex_collections += 1;
        }
        if let Some(sub) = f.get("fields").and_then(Value::as_array) {
            walk(sub, depth + 1, shape);
        }
    }
}

/// Checks an index definition against the limits.
pub(crate) fn index(fields: &[Value]) -> Result<(), String> {
    let mut shape = Shape::default();
    walk(fields, 1, &mut shape);
    if shape.depth > MAX_FIELD_NESTING_DEPTH {
        return Err(format!(
            "The index has complex fields nested more than {MAX_FIELD_NESTING_DEPTH} levels deep; that is the limit."
        ));
    }
    if shape.fields > MAX_FIELDS_PER_INDEX {
        return Err(format!(
            "The index has {} fields (sub-fields included); the limit is {MAX_FIELDS_PER_INDEX}.",
            shape.fields
        ));
    }
    if shape.complex_collections > MAX_COMPLEX_COLLECTION_FIELDS {
        return Err(format!(
            "The index has {} complex collection fields; the limit is {MAX_COMPLEX_COLLECTION_FIELDS}.",
            shape.complex_collections
        ));
    }
    Ok(())
}

/// The objects in the complex collections of `value` (an object holding the fields `defs`),
/// nested ones included.
fn complex_objects(value: &Value, defs: &[Value], depth: usize) -> usize {
    if depth > MAX_FIELD_NESTING_DEPTH {
        return 0;
    }
    let mut n = 0;
    for f in defs {
        let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
        let sub = f
            .get("fields")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        match (f.get("type").and_then(Value::as_str), value.get(name)) {
            (Some("Collection(Edm.ComplexType)"), Some(Value::Array(items))) => {
                n += items.len();
                n += items
                    .iter()
                    .map(|i| complex_objects(i, sub, depth + 1))
                    .sum::<usize>();
            }
            (Some("Edm.ComplexType"), Some(obj)) => n += complex_objects(obj, sub, depth + 1),
            _ => {}
        }
    }
    n
}

/// Checks one document (an object with the index's fields `defs`) against the per-document
/// limit.
pub(crate) fn document(doc: &Value, defs: &[Value]) -> Result<(), String> {
    let n = complex_objects(doc, defs, 1);
    if n > MAX_COMPLEX_OBJECTS_PER_DOCUMENT {
        return Err(format!(
            "The document has {n} objects in its complex collections; the limit is {MAX_COMPLEX_OBJECTS_PER_DOCUMENT}."
        ));
    }
    Ok(())
}
