//! `--record DIR`: every shipped lab (run and check) recorded against the in-process emulator
//! and against `amlab serve`, with a test lab whose datastores carry secrets; no value the
//! emulator issued or stored, and no bearer token, reaches any recording or JSON report.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{Sandbox, Served, lab, stderr, stdout};

/// A JWT-shaped bearer token for the URL target.
const TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJhbWxhYi10ZXN0In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";

/// A test lab: datastores whose credentials carry an account key, a SAS token and a client
/// secret, in the workspace of `03-data` (same suffix).
const SECRETS_LAB: &str = r#"id: test-secrets
title: Datastores with credentials
params:
  suffix: {default: "${random:6}"}
  workspace_id:
    default: "/subscriptions/${subscription}/resourceGroups/rg-dp100-${suffix}/providers/Microsoft.MachineLearningServices/workspaces/mlw-dp100-${suffix}"
steps:
  - id: key-store
    title: A datastore with an account key
    resource: "${workspace_id}/datastores/keystore"
    create:
      body:
        properties:
          datastoreType: AzureBlob
          accountName: stsecret
          containerName: data
          credentials:
            credentialsType: AccountKey
            secrets: {secretsType: AccountKey, key: "a2V5LWZvci10aGUtdGVzdC1kYXRhc3RvcmUta2V5LWZvci10aGUtdGVzdC1kYXRhc3RvcmUta2V5LWZvci10aGU="}
    expect:
      - query: properties.credentials.credentialsType
        equals: AccountKey
  - id: sas-store
    title: A datastore with a SAS token
    resource: "${workspace_id}/datastores/sasstore"
    create:
      body:
        properties:
          datastoreType: AzureBlob
          accountName: stsecret
          containerName: data
          credentials:
            credentialsType: Sas
            secrets: {secretsType: Sas, sasToken: "sv=2022-11-02&ss=b&srt=co&sp=rl&sig=c2FzLXNpZ25hdHVyZS12YWx1ZQ%3D%3D"}
    expect:
      - query: properties.credentials.credentialsType
        equals: Sas
  - id: sp-store
    title: A datastore with a service principal
    resource: "${workspace_id}/datastores/spstore"
    create:
      body:
        properties:
          datastoreType: AzureBlob
          accountName: stsecret
          containerName: data
          credentials:
            credentialsType: ServicePrincipal
            tenantId: "70a036f6-8e4d-4615-bad6-149c02e7720d"
            clientId: "11111111-2222-3333-4444-555555555555"
            secrets: {secretsType: ServicePrincipal, clientSecret: "Zx8Q~client-secret-value-of-the-test"}
    expect:
      - query: properties.credentials.credentialsType
        equals: ServicePrincipal
"#;

const LABS: [&str; 3] = [
    "01-workspace.lab.yaml",
    "03-data.lab.yaml",
    "04-compute.lab.yaml",
];
const LAB_IDS: [&str; 4] = [
    "dp100-01-workspace",
    "dp100-03-data",
    "dp100-04-compute",
    "test-secrets",
];

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Runs and checks every shipped lab, then the secrets lab, recording into `rec/`, with
/// `extra` target flags; returns the paths written (recordings and JSON reports).
fn record_everything(sb: &Sandbox, extra: &[&str], env: &[(&str, &str)]) -> Vec<PathBuf> {
    let secrets_lab = sb.write("secrets/test-secrets.lab.yaml", SECRETS_LAB);
    let shipped: Vec<String> = LABS.iter().map(|l| lab(l).display().to_string()).collect();
    let secrets_lab = secrets_lab.display().to_string();
    let steps: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "run",
            shipped.iter().map(String::as_str).collect(),
            "run.json",
        ),
        (
            "check",
            shipped.iter().map(String::as_str).collect(),
            "check.json",
        ),
        ("run", vec![secrets_lab.as_str()], "run-secrets.json"),
        ("check", vec![secrets_lab.as_str()], "check-secrets.json"),
    ];
    for (mode, labs, report) in steps {
        let report_flag = format!("json={report}");
        let mut args = vec![mode];
        args.extend(labs);
        args.extend([
            "--var",
            "suffix=rec001",
            "--record",
            "rec",
            "--report",
            &report_flag,
        ]);
        args.extend(extra);
        let mut cmd = sb.amlab(&args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{mode}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(stderr(&out).contains("amlab: recorded"), "{}", stderr(&out));
    }
    let mut written = files_under(&sb.path().join("rec"));
    for id in LAB_IDS {
        for mode in ["run", "check"] {
            let p = sb.path().join("rec").join(id).join(format!("{mode}.json"));
            assert!(written.contains(&p), "missing {}", p.display());
        }
    }
    for r in [
        "run.json",
        "check.json",
        "run-secrets.json",
        "check-secrets.json",
    ] {
        written.push(sb.path().join(r));
    }
    written
}

/// The SHA-256 digest of a value, as the emulator's state file keeps secrets.
fn digest(value: &str) -> String {
    use sha2::{Digest, Sha256};
    let hex: String = Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Every secret the emulator issued or was given, as its state file keeps them: digests.
fn state_digests(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with("sha256:") => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| state_digests(i, out)),
        Value::Object(map) => map.values().for_each(|i| state_digests(i, out)),
        _ => {}
    }
}

/// No secret occurs in any written file, given the digests of every secret (each token of
/// each file is hashed and compared); returns the recordings' parsed documents.
fn assert_no_leak(written: &[PathBuf], digests: &[String]) -> Vec<Value> {
    // The secrets lab put its three credentials in the emulator; storage accounts got keys.
    for planted in [
        "a2V5LWZvci10aGUtdGVzdC1kYXRhc3RvcmUta2V5LWZvci10aGUtdGVzdC1kYXRhc3RvcmUta2V5LWZvci10aGU=",
        "Zx8Q~client-secret-value-of-the-test",
    ] {
        assert!(digests.contains(&digest(planted)), "{digests:?}");
    }
    assert!(
        digests.len() >= 5,
        "storage keys and datastore secrets: {digests:?}"
    );
    let token = regex::Regex::new(r"[A-Za-z0-9+/~._\-]+={0,2}").unwrap();
    for path in written {
        let text = std::fs::read_to_string(path).unwrap();
        for m in token.find_iter(&text) {
            assert!(
                !digests.contains(&digest(m.as_str())),
                "{} contains a secret",
                path.display()
            );
        }
    }
    let mut docs = Vec::new();
    for path in written {
        let text = std::fs::read_to_string(path).unwrap();
        for s in [
            TOKEN,
            "test-token",
            "c2FzLXNpZ25hdHVyZS12YWx1ZQ",
            "70a036f6-8e4d-4615-bad6-149c02e7720d",
        ] {
            assert!(!text.contains(s), "{} contains a secret", path.display());
        }
        if path.parent().unwrap().parent().unwrap().ends_with("rec") {
            docs.push(serde_json::from_str(&text).unwrap());
        }
    }
    assert_eq!(docs.len(), 8);
    docs
}

#[test]
fn recording_against_the_emulator_leaks_no_secret() {
    let sb = Sandbox::new();
    let written = record_everything(&sb, &[], &[]);
    // The state file keeps no secret, only digests (issue 12): the check works on those.
    let mut digests = Vec::new();
    state_digests(&sb.state(), &mut digests);
    let docs = assert_no_leak(&written, &digests);
    for doc in &docs {
        assert_eq!(doc["Variables"]["amlab.target"], "emulator");
        assert_eq!(doc["Variables"]["param.suffix"], "rec001");
        // The in-process emulator has no Authorization header to record.
        for e in doc["Entries"].as_array().unwrap() {
            assert!(e["RequestHeaders"].get("Authorization").is_none());
        }
    }
    // The request body of the secrets lab's PUT was recorded, with the secret sanitized.
    let run: Value = serde_json::from_str(
        &std::fs::read_to_string(sb.path().join("rec/test-secrets/run.json")).unwrap(),
    )
    .unwrap();
    let puts: Vec<&Value> = run["Entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["RequestMethod"] == "PUT")
        .collect();
    assert_eq!(puts.len(), 3);
    let key_put = puts
        .iter()
        .find(|e| {
            e["RequestUri"]
                .as_str()
                .unwrap()
                .contains("/datastores/keystore")
        })
        .unwrap();
    assert_eq!(
        key_put["RequestBody"]["properties"]["credentials"]["secrets"]["key"],
        "Sanitized"
    );
}

#[test]
fn recording_against_amlab_serve_leaks_no_secret_nor_token() {
    let served = Served::start(&["--provisioning-delay", "10ms"]);
    let sb = Sandbox::new();
    let token = served.token();
    let written = record_everything(
        &sb,
        &["--target", &served.url, "--auth", "token"],
        &[("AZURE_ACCESS_TOKEN", &token)],
    );
    let mut secrets: Vec<String> =
        serde_json::from_value(served.get("/_emulator/secrets")).unwrap();
    // The token the server issued, whole and by its signature.
    secrets.push(token.rsplit('.').next().unwrap().to_owned());
    secrets.push(token);
    let digests: Vec<String> = secrets.iter().map(|s| digest(s)).collect();
    let docs = assert_no_leak(&written, &digests);
    let mut entries = 0;
    for doc in &docs {
        assert_eq!(doc["Variables"]["amlab.target"], served.url.as_str());
        for e in doc["Entries"].as_array().unwrap() {
            assert_eq!(e["RequestHeaders"]["Authorization"], "Sanitized");
            entries += 1;
        }
    }
    // Every request the server saw was recorded (none got lost between labs).
    let served_requests = served
        .requests()
        .into_iter()
        .filter(|(_, p, _)| !p.starts_with("/_emulator") && !p.contains("/oauth2/"))
        .count();
    assert_eq!(entries, served_requests);
}
