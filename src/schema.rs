//! The JSON Schema of the lab format, generated from [`crate::lab::types::Lab`].
//!
//! Draft-07, because editors (the YAML language server behind VS Code) validate with it. The
//! generated text is committed as `schema/lab.schema.json`; a unit test fails when it drifts
//! (run the tests with `AMLAB_BLESS=1` to rewrite it).

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::lab::types::{Lab, Setup};

/// The lab JSON Schema (draft-07) as a JSON value.
pub fn lab_schema() -> Value {
    let schema = SchemaSettings::draft07()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<Lab>();
    schema.to_value()
}

/// The JSON Schema (draft-07) of shared setup files (`*.setup.yaml`, see
/// [`crate::lab::types::Setup`]).
pub fn setup_schema() -> Value {
    let schema = SchemaSettings::draft07()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<Setup>();
    schema.to_value()
}

/// The setup JSON Schema as pretty-printed JSON with a trailing newline (what
/// `schema/setup.schema.json` holds).
pub fn setup_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&setup_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// The lab JSON Schema as pretty-printed JSON with a trailing newline (what `amlab schema`
/// prints and `schema/lab.schema.json` holds).
pub fn lab_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&lab_schema()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"# yaml-language-server: $schema=../../schema/lab.schema.json
id: dp100-04-compute
title: Work with compute
params:
  location: {default: eastus}
  suffix: {default: "${random:6}"}
  resource_group: {default: "rg-dp100-${suffix}"}
steps:
  - id: rg
    title: A resource group
    resource: /subscriptions/${subscription}/resourceGroups/${resource_group}
    create:
      body: {location: "${location}"}
    expect:
      - query: properties.provisioningState
        equals: Succeeded
  - id: cluster
    title: A compute cluster that scales to zero
    needs: [rg]
    points: 2
    resource: /subscriptions/${subscription}/resourceGroups/${resource_group}/providers/Microsoft.MachineLearningServices/workspaces/w/computes/c
    wait: {until: "properties.provisioningState == 'Succeeded'", timeout: 20m}
    expect:
      - query: properties.properties.scaleSettings.minNodeCount
        equals: 0
        points: 1
      - query: properties.properties.vmSize
        in: [STANDARD_DS11_V2]
        ignore_case: true
        points: 1
"#;

    fn schema_path(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schema/{name}"))
    }

    fn assert_committed(name: &str, generated: &str) {
        let path = schema_path(name);
        if std::env::var("AMLAB_BLESS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, generated).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "schema/{name} is out of date: run `AMLAB_BLESS=1 cargo test --lib schema`"
        );
    }

    #[test]
    fn committed_schema_is_up_to_date() {
        assert_committed("lab.schema.json", &lab_schema_json());
    }

    #[test]
    fn committed_setup_schema_is_up_to_date() {
        assert_committed("setup.schema.json", &setup_schema_json());
        let schema = setup_schema();
        assert_eq!(schema["additionalProperties"], false);
        assert!(schema["properties"]["id"].is_null(), "a setup has no id");
        assert!(schema["properties"]["include"].is_object());
    }

    #[test]
    fn schema_is_draft07_and_strict() {
        let schema = lab_schema();
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(schema["additionalProperties"], false);
        assert!(schema["definitions"]["Step"].is_object());
    }

    #[test]
    fn sample_lab_validates_and_unknown_field_does_not() {
        let validator = jsonschema::validator_for(&lab_schema()).unwrap();
        let good: Value = serde_saphyr::from_str(SAMPLE).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&good)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        // The sample is also a valid lab for amlab itself.
        assert!(crate::lab::load_source(std::path::Path::new("sample.lab.yaml"), SAMPLE).is_ok());
        let bad: Value =
            serde_saphyr::from_str(&SAMPLE.replace("title: Work", "titel: Work")).unwrap();
        assert!(!validator.is_valid(&bad));
    }
}
