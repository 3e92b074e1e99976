//! Definitions the data plane accepts, checked as the service checks them: names, an index's
//! fields (exactly one `Edm.String` key, unique names, known types, existing fields kept as they
//! are), a data source's type, credentials and container, a skillset's skills, and an indexer's
//! references to its data source, target index and skillset.
//!
//! Messages are the service's where it is known (`Existing field 'x' cannot be changed.`),
//! otherwise amlab's, saying what is wrong and what would be valid.

use serde_json::Value;

/// Field types of an index (EDM primitive types, collections and complex types).
const FIELD_TYPES: &[&str] = &[
    "Edm.String",
    "Edm.Int32",
    "Edm.Int64",
    "Edm.Double",
    "Edm.Boolean",
    "Edm.DateTimeOffset",
    "Edm.GeographyPoint",
    "Edm.ComplexType",
    "Edm.Single",
    "Edm.Half",
    "Edm.Int16",
    "Edm.SByte",
    "Edm.Byte",
];

/// Data source types.
pub(crate) const DATA_SOURCE_TYPES: &[&str] = &[
    "azureblob",
    "azuretable",
    "azuresql",
    "cosmosdb",
    "adlsgen2",
    "mysql",
    "onelake",
    "sharepoint",
];

/// Why a definition is refused (a 400).
pub(crate) type Invalid = String;

/// Checks an object name: an index name is lower case; every name is 1-128 letters, digits,
/// dashes (and, except for indexes, underscores), starting with a letter or digit.
pub(crate) fn name(collection: &str, name: &str) -> Result<(), Invalid> {
    let index = collection == "indexes";
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().all(|c| {
            c.is_ascii_digit()
                || c == '-'
                || (c.is_ascii_alphabetic() && (!index || c.is_ascii_lowercase()))
                || (!index && c == '_')
        });
    if ok {
        return Ok(());
    }
    let rule = if index {
        "lower-case letters, digits or dashes"
    } else {
        "letters, digits, dashes or underscores"
    };
    Err(format!(
        "The name '{name}' is not valid: it must be 1 to 128 {rule}, starting with a letter or digit."
    ))
}

fn field_type_ok(t: &str) -> bool {
    let inner = t
        .strip_prefix("Collection(")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(t);
    FIELD_TYPES.contains(&inner)
}

/// An index's fields; `old`: the index as it is.
pub(crate) fn index(body: &Value, old: Option<&Value>) -> Result<(), Invalid> {
    let fields = body
        .get("fields")
        .and_then(Value::as_array)
        .filter(|f| !f.is_empty())
        .ok_or("The index must have a non-empty 'fields' array.")?;
    let mut names = Vec::new();
    let mut keys = Vec::new();
    for f in fields {
        let n = f
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or("Every field must have a name.")?;
        let t = f.get("type").and_then(Value::as_str).unwrap_or_default();
        if !field_type_ok(t) {
            return Err(format!(
                "Field '{n}' has an invalid type '{t}'; valid types are {} and Collection(...) of them.",
                FIELD_TYPES.join(", ")
            ));
        }
        if names.contains(&n) {
            return Err(format!("The field name '{n}' is used more than once."));
        }
        names.push(n);
        if f.get("key").and_then(Value::as_bool) == Some(true) {
            keys.push((n, t));
        }
    }
    match keys.as_slice() {
        [(_, "Edm.String")] => {}
        [(n, t)] => {
            return Err(format!(
                "The key field '{n}' must be of type Edm.String, not {t}."
            ));
        }
        [] => {
            return Err(
                "The index must have exactly one key field (\"key\": true); it has none.".into(),
            );
        }
        _ => {
            return Err(
                "The index must have exactly one key field (\"key\": true); it has several.".into(),
            );
        }
    }
    semantic(body, &names)?;
    super::limits::index(fields)?;
    if let Some(old) = old {
        keep_fields(fields, old)?;
    }
    Ok(())
}

/// Every field a semantic configuration names is a field of the index.
fn semantic(body: &Value, names: &[&str]) -> Result<(), Invalid> {
    let configs = body
        .pointer("/semantic/configurations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for c in &configs {
        let cname = c.get("name").and_then(Value::as_str).unwrap_or_default();
        let p = c.get("prioritizedFields").cloned().unwrap_or(Value::Null);
        let mut used: Vec<&Value> = p.get("titleField").into_iter().collect();
        for list in ["prioritizedContentFields", "prioritizedKeywordsFields"] {
            used.extend(p.get(list).and_then(Value::as_array).into_iter().flatten());
        }
        for f in used {
            let n = f
                .get("fieldName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !names.contains(&n) {
                return Err(format!(
                    "The semantic configuration '{cname}' refers to a field '{n}' that is not in the index."
                ));
            }
        }
    }
    Ok(())
}

/// Existing fields stay as they are: new fields may be added, none changed or removed.
fn keep_fields(fields: &[Value], old: &Value) -> Result<(), Invalid> {
    let old_fields = old
        .get("fields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for of in &old_fields {
        let n = of.get("name").and_then(Value::as_str).unwrap_or_default();
        let new = fields
            .iter()
            .find(|f| f.get("name").and_then(Value::as_str) == Some(n));
        let same = |k: &str| {
            new.and_then(|f| f.get(k)) == of.get(k)
                || (k == "key"
                    && new
                        .and_then(|f| f.get(k))
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                        == of.get(k).and_then(Value::as_bool).unwrap_or(false))
        };
        match new {
            None => return Err(format!("Existing field '{n}' cannot be deleted.")),
            Some(_) if !same("type") || !same("key") => {
                return Err(format!("Existing field '{n}' cannot be changed."));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A data source: its type, credentials and container.
pub(crate) fn data_source(body: &Value) -> Result<(), Invalid> {
    let t = body.get("type").and_then(Value::as_str).unwrap_or_default();
    if !DATA_SOURCE_TYPES.contains(&t) {
        return Err(format!(
            "Data source type '{t}' is not valid; valid types are {}.",
            DATA_SOURCE_TYPES.join(", ")
        ));
    }
    let conn = body
        .pointer("/credentials/connectionString")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if conn.trim().is_empty() {
        return Err("The data source must have credentials.connectionString.".into());
    }
    let container = body
        .pointer("/container/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if container.trim().is_empty() {
        return Err("The data source must name its container (container.name).".into());
    }
    Ok(())
}

/// A skillset: a list of skills, each with an `@odata.type`, named uniquely.
pub(crate) fn skillset(body: &Value) -> Result<(), Invalid> {
    let skills = body
        .get("skills")
        .and_then(Value::as_array)
        .ok_or("The skillset must have a 'skills' array.")?;
    let mut names = Vec::new();
    for (i, s) in skills.iter().enumerate() {
        let t = s
            .get("@odata.type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !t.starts_with("#Microsoft.Skills.") {
            return Err(format!(
                "Skill #{} has no valid '@odata.type' (such as '#Microsoft.Skills.Text.KeyPhraseExtractionSkill'); it has '{t}'.",
                i + 1
            ));
        }
        if let Some(n) = s.get("name").and_then(Value::as_str) {
            if names.contains(&n) {
                return Err(format!(
                    "Skill name '{n}' is used more than once in the skillset."
                ));
            }
            names.push(n);
        }
    }
    Ok(())
}

/// The references of an indexer (the names it must find, by collection).
pub(crate) fn indexer_references(body: &Value) -> Result<Vec<(&'static str, String)>, Invalid> {
    let get = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let ds =
        get("dataSourceName").ok_or("The indexer must name its data source (dataSourceName).")?;
    let ix = get("targetIndexName")
        .ok_or("The indexer must name its target index (targetIndexName).")?;
    let mut refs = vec![("datasources", ds), ("indexes", ix)];
    if let Some(sk) = get("skillsetName").filter(|s| !s.is_empty()) {
        refs.push(("skillsets", sk));
    }
    Ok(refs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn index_rules() {
        let ok = json!({"fields": [{"name": "id", "type": "Edm.String", "key": true}, {"name": "n", "type": "Collection(Edm.String)"}]});
        assert!(index(&ok, None).is_ok());
        let no_key = json!({"fields": [{"name": "id", "type": "Edm.String"}]});
        assert!(index(&no_key, None).unwrap_err().contains("none"));
        let int_key = json!({"fields": [{"name": "id", "type": "Edm.Int32", "key": true}]});
        assert!(index(&int_key, None).is_err());
        let changed = json!({"fields": [{"name": "id", "type": "Edm.String", "key": true}, {"name": "n", "type": "Edm.Int32"}]});
        assert_eq!(
            index(&changed, Some(&ok)).unwrap_err(),
            "Existing field 'n' cannot be changed."
        );
        let added = json!({"fields": [{"name": "id", "type": "Edm.String", "key": true}, {"name": "n", "type": "Collection(Edm.String)"}, {"name": "m", "type": "Edm.Double"}]});
        assert!(index(&added, Some(&ok)).is_ok());
        assert!(name("indexes", "Margies").is_err());
        let mut sem = ok.clone();
        sem["semantic"] = json!({"configurations": [{"name": "c", "prioritizedFields": {"titleField": {"fieldName": "title"}}}]});
        assert!(index(&sem, None).unwrap_err().contains("'title'"));
        assert!(name("indexers", "Margies_indexer").is_ok());
    }
}
