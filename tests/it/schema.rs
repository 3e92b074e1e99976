//! The lab JSON Schema: `amlab schema` prints the committed file, and every shipped lab
//! validates against it.

use crate::support::{Sandbox, repo, stdout};

fn committed() -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(repo().join("schema/lab.schema.json")).unwrap()).unwrap()
}

#[test]
fn amlab_schema_prints_the_committed_schema() {
    let out = Sandbox::new().amlab(&["schema"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        printed,
        committed(),
        "schema/lab.schema.json drifted: regenerate with `amlab schema > schema/lab.schema.json`"
    );
    assert_eq!(
        printed["$schema"],
        "http://json-schema.org/draft-07/schema#"
    );
}

fn files_ending(dir: &std::path::Path, suffix: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_ending(&path, suffix, out);
        } else if path.to_string_lossy().ends_with(suffix) {
            out.push(path);
        }
    }
}

fn lab_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    files_ending(dir, ".lab.yaml", out);
}

#[test]
fn every_shipped_setup_validates_against_the_setup_schema() {
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo().join("schema/setup.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("valid draft-07 schema");
    let mut files = Vec::new();
    files_ending(&repo().join("labs"), ".setup.yaml", &mut files);
    assert!(files.len() >= 3, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
        assert!(
            text.starts_with("# yaml-language-server: $schema=../../../schema/setup.schema.json\n")
        );
    }
    // A lab is not a setup, and an include must name a `*.setup.yaml` file.
    assert!(!validator.is_valid(&serde_json::json!({"id": "x", "steps": []})));
    assert!(!validator.is_valid(&serde_json::json!({"include": ["/etc/x.setup.yaml"]})));
    assert!(!validator.is_valid(&serde_json::json!({"include": ["other.lab.yaml"]})));
    assert!(validator.is_valid(&serde_json::json!({"include": ["../x/params.setup.yaml"]})));
}

#[test]
fn every_shipped_lab_validates_against_the_schema() {
    let schema = committed();
    let validator = jsonschema::draft7::new(&schema).expect("valid draft-07 schema");
    let mut files = Vec::new();
    lab_files(&repo().join("labs"), &mut files);
    assert!(files.len() >= 3, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    }
    // And the schema really rejects what the loader rejects.
    let bad: serde_json::Value = serde_json::json!({"id": "x", "title": "t", "steps": [{"id": "a", "title": "A", "resource": "/x", "titel": 1}]});
    assert!(!validator.is_valid(&bad));
}
