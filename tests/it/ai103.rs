//! The AI-103 (Azure AI services and Foundry) catalog under `labs/ai103/`: the whole catalog
//! runs, checks and tears down on the emulator and through `amlab serve`; an empty world earns
//! nothing; each lab catches a realistic learner mistake (a variant of the lab applied with
//! `run`, then `check` with the shipped lab fails exactly the expected checks with their
//! hints); the shipped fixtures replay to the same verdicts.

use serde_json::Value;

use crate::serve::against;
use crate::support::{Sandbox, Served, repo, stdout};

fn catalog() -> String {
    repo().join("labs/ai103").to_str().unwrap().to_owned()
}

fn lab(file: &str) -> String {
    repo()
        .join("labs/ai103")
        .join(file)
        .to_str()
        .unwrap()
        .to_owned()
}

const FAST: [&str; 2] = ["--provisioning-delay", "10ms"];

/// One learner mistake in one lab.
struct Mistake {
    /// The lab file under `labs/ai103/`.
    file: &'static str,
    /// Text of the shipped lab (must occur; the first occurrence is replaced).
    from: &'static str,
    /// What the learner did instead.
    to: &'static str,
    /// The fixture recorded for it under `fixtures/<lab id>/`.
    fixture: &'static str,
    /// The one step that fails.
    step: &'static str,
    /// The titles of the step's failing checks, in order.
    failing: &'static [&'static str],
    /// A substring of the first failing check's hint.
    hint: &'static str,
    /// The score `check` reports: (earned, possible).
    score: (u64, u64),
}

fn read_report(sb: &Sandbox, name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(sb.path().join(name)).unwrap()).unwrap()
}

fn steps_with<'a>(report: &'a Value, status: &str) -> Vec<&'a str> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == status)
        .map(|s| s["id"].as_str().unwrap())
        .collect()
}

/// The titles of the failing checks of `step`, and the first one's hint.
fn failing(report: &Value, step: &str) -> (Vec<String>, String) {
    let s = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == step)
        .unwrap_or_else(|| panic!("no step {step} in {report}"));
    let bad: Vec<&Value> = s["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .collect();
    let titles = bad
        .iter()
        .map(|c| {
            c["title"]
                .as_str()
                .unwrap_or_else(|| c["query"].as_str().unwrap())
                .to_owned()
        })
        .collect();
    let hint = bad
        .first()
        .and_then(|c| c["hint"].as_str())
        .unwrap_or_default()
        .to_owned();
    (titles, hint)
}

fn score(report: &Value) -> (u64, u64) {
    (
        report["score"]["earned"].as_u64().unwrap(),
        report["score"]["possible"].as_u64().unwrap(),
    )
}

fn assert_mistake(m: &Mistake) {
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(lab(m.file)).unwrap();
    assert!(text.contains(m.from), "{:?} not in {}", m.from, m.file);
    let variant = sb.write(
        &format!("variant/{}", m.file),
        &text.replacen(m.from, m.to, 1),
    );
    let run = sb
        .amlab(
            &[
                &[
                    "run",
                    variant.to_str().unwrap(),
                    "--report",
                    "json=run.json",
                ][..],
                &FAST,
            ]
            .concat(),
        )
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", stdout(&run));
    let never_created = steps_with(&read_report(&sb, "run.json"), "skipped")
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let out = sb
        .amlab(
            &[
                &["check", &lab(m.file), "--report", "json=r.json"][..],
                &FAST,
            ]
            .concat(),
        )
        .output()
        .unwrap();
    let terminal = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{terminal}");
    let report = read_report(&sb, "r.json");
    assert!(
        steps_with(&report, "failed").contains(&m.step),
        "{terminal}"
    );
    for id in [
        steps_with(&report, "failed"),
        steps_with(&report, "skipped"),
    ]
    .concat()
    {
        assert!(
            id == m.step || never_created.iter().any(|n| n == id),
            "{id} did not pass: {terminal}"
        );
    }
    assert_eq!(
        steps_with(&report, "error"),
        Vec::<&str>::new(),
        "{terminal}"
    );
    let (titles, hint) = failing(&report, m.step);
    assert_eq!(titles, m.failing, "{terminal}");
    assert!(hint.contains(m.hint), "hint {hint:?} lacks {:?}", m.hint);
    assert!(terminal.contains(&format!("hint: {hint}")), "{terminal}");
    assert_eq!(score(&report), m.score, "{terminal}");
}

/// `check LAB --replay fixtures/<id>/<name>`: (exit code, report).
fn replay(file: &str, id: &str, name: &str) -> (i32, Value) {
    let sb = Sandbox::new();
    let dir = repo().join("fixtures").join(id).join(name);
    assert!(dir.is_dir(), "no fixture {}", dir.display());
    let out = sb
        .amlab(&[
            "check",
            &lab(file),
            "--replay",
            dir.to_str().unwrap(),
            "--report",
            "json=r.json",
        ])
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), read_report(&sb, "r.json"))
}

macro_rules! mistakes {
    ($($name:ident: $m:expr;)*) => {
        $(#[test] fn $name() { assert_mistake(&$m); })*

        /// Every shipped AI-103 lab has a mistake test.
        #[test]
        fn every_ai103_lab_has_a_mistake_test() {
            let tested = [$($m.file),*];
            let mut shipped: Vec<String> = std::fs::read_dir(repo().join("labs/ai103"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".lab.yaml"))
                .collect();
            // The search labs' mistakes are tested with their fixtures in `replay.rs`.
            shipped.retain(|f| !f.starts_with("search-"));
            // The recovery lab's mistake fails two steps: tested below on its own.
            shipped.retain(|f| f != RECOVER);
            shipped.sort();
            assert!(shipped.len() >= 13, "{shipped:?}");
            for f in &shipped {
                assert!(tested.contains(&f.as_str()), "no mistake test for {f}");
            }
        }

        /// The shipped fixtures: the reference replays to full marks, the mistake to the
        /// mistake's exact failing checks and score.
        #[test]
        fn shipped_fixtures_replay_to_their_verdicts() {
            for m in [$($m),*] {
                let text = std::fs::read_to_string(lab(m.file)).unwrap();
                let id = text.lines().find_map(|l| l.strip_prefix("id: ")).unwrap().to_owned();
                let (code, report) = replay(m.file, &id, "reference");
                assert_eq!(code, 0, "{id} reference: {report}");
                let (earned, possible) = score(&report);
                assert_eq!((earned, possible), (m.score.1, m.score.1), "{id}");
                let (code, report) = replay(m.file, &id, m.fixture);
                assert_eq!(code, 1, "{id} {}: {report}", m.fixture);
                assert_eq!(failing(&report, m.step).0, m.failing, "{id} {}", m.fixture);
                assert_eq!(score(&report), m.score, "{id} {}", m.fixture);
            }
        }
    };
}

mistakes! {
    ai_services_single_service_instead_of_multi_service: Mistake {
        file: "01-ai-services.lab.yaml",
        from: "        kind: CognitiveServices\n", to: "        kind: TextAnalytics\n",
        fixture: "single-service", step: "ai-services",
        failing: &["It is a multi-service account"], hint: "multi-service", score: (4, 6),
    };
    security_vault_with_the_rbac_permission_model: Mistake {
        file: "02-ai-services-security.lab.yaml",
        from: "          enableRbacAuthorization: false\n", to: "          enableRbacAuthorization: true\n",
        fixture: "rbac-vault", step: "key-vault",
        failing: &["The vault uses the access policy permission model"], hint: "Vault access policy",
        score: (6, 7),
    };
    monitor_alert_on_the_wrong_operation: Mistake {
        file: "03-monitor.lab.yaml",
        from: "equals: Microsoft.CognitiveServices/accounts/listKeys/action}",
        to: "equals: Microsoft.CognitiveServices/accounts/regenerateKey/action}",
        fixture: "regenerate-key-signal", step: "key-list-alert",
        failing: &["It watches List Keys"], hint: "List Keys (Cognitive Services API Account)", score: (4, 6),
    };
    content_safety_contributor_instead_of_user: Mistake {
        file: "05-content-safety.lab.yaml",
        from: "roleDefinitions/a97b65f3-24c7-4388-baec-2e87135dc908",
        to: "roleDefinitions/25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68",
        fixture: "contributor-role", step: "user-role",
        failing: &["The role is Cognitive Services User"], hint: "Cognitive Services User", score: (7, 9),
    };
    openai_global_standard_instead_of_standard: Mistake {
        file: "06-openai-app.lab.yaml",
        from: "sku: {name: Standard, capacity: 5}", to: "sku: {name: GlobalStandard, capacity: 5}",
        fixture: "global-standard", step: "gpt-4o",
        failing: &["A Standard deployment"], hint: "--sku-name Standard", score: (7, 8),
    };
    rag_with_the_wrong_embedding_model: Mistake {
        file: "07-openai-own-data.lab.yaml",
        from: "model: {format: OpenAI, name: text-embedding-ada-002, version: \"2\"}",
        to: "model: {format: OpenAI, name: text-embedding-3-small, version: \"1\"}",
        fixture: "embedding-3-small", step: "embedding",
        failing: &["It deploys text-embedding-ada-002", "Model version 2"],
        hint: "not text-embedding-3-small", score: (5, 10),
    };
    foundry_project_with_the_mini_model: Mistake {
        file: "08-foundry-project.lab.yaml",
        from: "model: {format: OpenAI, name: gpt-4.1, version",
        to: "model: {format: OpenAI, name: gpt-4.1-mini, version",
        fixture: "mini-model", step: "gpt-41",
        failing: &["It deploys gpt-4.1"], hint: "not gpt-4.1-mini", score: (7, 9),
    };
    compare_models_with_gpt_4o_mini: Mistake {
        file: "09-compare-models.lab.yaml",
        from: "model: {format: OpenAI, name: gpt-4.1-mini, version: \"2025-04-14\"}",
        to: "model: {format: OpenAI, name: gpt-4o-mini, version: \"2024-07-18\"}",
        fixture: "gpt-4o-mini", step: "gpt-41-mini",
        failing: &["It deploys gpt-4.1-mini"], hint: "not gpt-4o-mini", score: (10, 12),
    };
    guardrail_with_medium_violence_threshold: Mistake {
        file: "10-guardrails.lab.yaml",
        from: "{name: Violence, source: Prompt, severityThreshold: Low",
        to: "{name: Violence, source: Prompt, severityThreshold: Medium",
        fixture: "violence-medium", step: "guardrail",
        failing: &["All four categories block from low severity in prompts and completions"],
        hint: "highest blocking level", score: (7, 14),
    };
    keyless_with_local_auth_left_on: Mistake {
        file: "11-keyless-access.lab.yaml",
        from: "          disableLocalAuth: true\n", to: "          disableLocalAuth: false\n",
        fixture: "local-auth-on", step: "openai",
        failing: &["Key authentication is disabled"], hint: "disableLocalAuth=true", score: (3, 8),
    };
    network_rules_allowing_all_networks: Mistake {
        file: "12-network-rules.lab.yaml",
        from: "            defaultAction: Deny\n", to: "            defaultAction: Allow\n",
        fixture: "allow-all", step: "ai-services",
        failing: &["The firewall denies by default"], hint: "Selected networks", score: (4, 6),
    };
    diagnostic_setting_without_request_logs: Mistake {
        file: "14-diagnostic-settings.lab.yaml",
        from: "{category: RequestResponse, enabled: true}", to: "{category: RequestResponse, enabled: false}",
        fixture: "no-request-logs", step: "diagnostic-setting",
        failing: &["Request and response logs are collected"], hint: "RequestResponse", score: (7, 9),
    };
    quota_region_without_the_model: Mistake {
        file: "13-quota-region.lab.yaml",
        from: "    default: eastus2\n", to: "    default: eastus\n",
        fixture: "region-without-model", step: "foundry",
        failing: &["It is in a region with gpt-4o-mini-tts"], hint: "East US 2 or Sweden Central",
        score: (2, 7),
    };
    private_endpoint_waiting_for_approval: Mistake {
        file: "17-private-endpoint.lab.yaml",
        from: "          privateLinkServiceConnections:\n",
        to: "          manualPrivateLinkServiceConnections:\n",
        fixture: "manual-pending", step: "private-endpoint",
        failing: &["Its connection is approved"], hint: "waiting for the resource's owner", score: (8, 12),
    };
    container_with_a_plain_api_key: Mistake {
        file: "18-ai-services-container.lab.yaml",
        from: "{name: ApiKey, secureValue:", to: "{name: ApiKey, value:",
        fixture: "plain-api-key", step: "container-group",
        failing: &["ApiKey and Billing are given as secure values"],
        hint: "--secure-environment-variables", score: (9, 11),
    };
}

#[test]
fn run_check_teardown_the_ai103_catalog_and_soft_delete_what_was_torn_down() {
    let sb = Sandbox::new();
    let labs = catalog();
    // An empty world earns nothing.
    let empty = sb
        .amlab(&[
            "check",
            &labs,
            "--var",
            "suffix=none01",
            "--report",
            "json=empty.json",
        ])
        .output()
        .unwrap();
    assert_eq!(empty.status.code(), Some(1), "{}", stdout(&empty));
    assert_eq!(read_report(&sb, "empty.json")["score"]["earned"], 0);

    let run = sb
        .amlab(&[&["run", &labs, "--report", "json=run.json"][..], &FAST].concat())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let check = sb
        .amlab(&[&["check", &labs, "--report", "json=check.json"][..], &FAST].concat())
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let report = read_report(&sb, "check.json");
    let labs_json = report["labs"].as_array().unwrap();
    assert!(labs_json.len() >= 13, "{}", labs_json.len());
    assert_eq!(report["score"]["earned"], report["score"]["possible"]);

    let teardown = sb
        .amlab(&[&["teardown", &labs][..], &FAST].concat())
        .output()
        .unwrap();
    assert_eq!(teardown.status.code(), Some(0), "{}", stdout(&teardown));
    let state = sb.state();
    assert_eq!(
        state["resources"]
            .as_object()
            .map_or(0, serde_json::Map::len),
        0
    );
    // Every account the catalog made is soft-deleted, not gone.
    let deleted = state["deleted_accounts"]
        .as_object()
        .map_or(0, serde_json::Map::len);
    assert_eq!(deleted, 16, "{}", state["deleted_accounts"]);

    // Running a lab again under the same names meets the soft-deleted account.
    let again = sb
        .amlab(&[&["run", &lab("06-openai-app.lab.yaml")][..], &FAST].concat())
        .output()
        .unwrap();
    let text = stdout(&again);
    assert_ne!(again.status.code(), Some(0), "{text}");
    assert!(text.contains("FlagMustBeSetForRestore"), "{text}");
}

#[test]
fn the_ai103_catalog_runs_checks_and_tears_down_through_serve() {
    let served = Served::start(&[]);
    let sb = Sandbox::new();
    // Every lab, the search labs too: their data plane is served on the server's own address
    // (`/_search/{service}`, the endpoint its answers advertise), so a plain URL target reaches it.
    let mut labs: Vec<String> = std::fs::read_dir(repo().join("labs/ai103"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".lab.yaml"))
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    labs.sort();
    assert!(labs.len() >= 16, "{labs:?}");
    assert!(labs.iter().any(|l| l.contains("/search-")), "{labs:?}");
    let mut written = String::new();
    for mode in ["run", "check", "teardown"] {
        let args: Vec<&str> = std::iter::once(mode)
            .chain(labs.iter().map(String::as_str))
            .chain(["--report", "json=serve.json"])
            .collect();
        let out = against(&sb, &served, &args);
        assert_eq!(out.status.code(), Some(0), "{mode}: {}", stdout(&out));
        written.push_str(&stdout(&out));
        written.push_str(&crate::support::stderr(&out));
        written.push_str(&std::fs::read_to_string(sb.path().join("serve.json")).unwrap());
        let report = read_report(&sb, "serve.json");
        assert_eq!(
            report["labs"].as_array().map(Vec::len),
            Some(labs.len()),
            "{mode}"
        );
        if mode != "teardown" {
            assert_eq!(
                report["score"]["earned"], report["score"]["possible"],
                "{mode}"
            );
        }
    }
    // The search keys amlab listed to reach the data plane never reach the terminal or a report.
    let issued = served.get("/_emulator/secrets");
    let secrets: Vec<&str> = issued
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        secrets.iter().filter(|s| s.len() == 52).count() >= 2,
        "search keys were issued"
    );
    for secret in secrets {
        assert!(!written.contains(secret), "an issued secret leaked");
    }
}

const RECOVER: &str = "16-recover-soft-deleted.lab.yaml";

/// The learner's mistake in the recovery lab: purge the deleted resource, then create it anew.
const PURGE_AND_RECREATE: (&str, &str) = (
    "  - id: recovered\n    title: The resource is recovered from soft delete\n    needs: [deleted]\n    resource: \"${account_id}\"\n    create:\n      body:\n        location: \"${location}\"\n        properties:\n          restore: true\n",
    "  - id: purged\n    title: The learner purges the deleted resource\n    needs: [deleted]\n    resource: \"/subscriptions/${subscription}/providers/Microsoft.CognitiveServices/locations/${location}/resourceGroups/${resource_group}/deletedAccounts/${account}\"\n    delete: true\n\n  - id: recovered\n    title: The resource is recovered from soft delete\n    needs: [purged]\n    resource: \"${account_id}\"\n    create:\n      body:\n        location: \"${location}\"\n        kind: AIServices\n        sku: {name: S0}\n",
);

/// The failing checks of the purge mistake: (step, titles, a substring of the first hint).
const PURGED_FAILS: [(&str, &[&str], &str); 2] = [
    (
        "deployment",
        &["The embedding deployment is there"],
        "purged resource loses them",
    ),
    (
        "recovered",
        &[
            "It keeps its custom subdomain",
            "It keeps its network rules",
        ],
        "instead of purging it",
    ),
];

fn assert_purged_verdict(report: &Value, terminal: &str) {
    let failed = steps_with(report, "failed");
    assert_eq!(failed, ["deployment", "recovered"], "{terminal}");
    assert_eq!(
        steps_with(report, "skipped"),
        Vec::<&str>::new(),
        "{terminal}"
    );
    for (step, titles, hint) in PURGED_FAILS {
        let (got, first_hint) = failing(report, step);
        assert_eq!(got, titles, "{step}: {terminal}");
        assert!(
            first_hint.contains(hint),
            "{step}: {first_hint:?} lacks {hint:?}"
        );
        assert!(
            terminal.is_empty() || terminal.contains(&format!("hint: {first_hint}")),
            "{terminal}"
        );
    }
    assert_eq!(score(report), (5, 9), "{terminal}");
}

#[test]
fn recovery_lab_purged_and_recreated_fails_the_settings_and_the_deployment() {
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(lab(RECOVER)).unwrap();
    let (from, to) = PURGE_AND_RECREATE;
    assert!(text.contains(from), "{from:?} not in {RECOVER}");
    let variant = sb.write(&format!("variant/{RECOVER}"), &text.replacen(from, to, 1));
    let run = sb
        .amlab(&[&["run", variant.to_str().unwrap()][..], &FAST].concat())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", stdout(&run));
    let out = sb
        .amlab(
            &[
                &["check", &lab(RECOVER), "--report", "json=r.json"][..],
                &FAST,
            ]
            .concat(),
        )
        .output()
        .unwrap();
    let terminal = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{terminal}");
    assert_purged_verdict(&read_report(&sb, "r.json"), &terminal);
}

#[test]
fn recovery_lab_fixtures_replay_to_their_verdicts() {
    let id = "ai103-16-recover-soft-deleted";
    let (code, report) = replay(RECOVER, id, "reference");
    assert_eq!(code, 0, "{report}");
    assert_eq!(score(&report), (9, 9));
    let (code, report) = replay(RECOVER, id, "purged");
    assert_eq!(code, 1, "{report}");
    assert_purged_verdict(&report, "");
}

#[test]
fn setup_of_the_recovery_lab_leaves_the_account_soft_deleted_for_the_learner() {
    let sb = Sandbox::new();
    let out = sb
        .amlab(&[&["setup", &lab(RECOVER)][..], &FAST].concat())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        !sb.path().join("config.json").exists(),
        "no workspace: no config.json"
    );
    let state = sb.state();
    let names = |key: &str| -> Vec<String> {
        state[key]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert!(
        names("resources").iter().all(|k| !k.contains("/accounts/")),
        "{:?}",
        names("resources")
    );
    assert_eq!(
        names("deleted_accounts").len(),
        1,
        "{}",
        state["deleted_accounts"]
    );
    // The learner starts from the deleted account: only the resource group is theirs yet.
    let check = sb
        .amlab(&["check", &lab(RECOVER), "--report", "json=r.json"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    let report = read_report(&sb, "r.json");
    assert_eq!(score(&report), (1, 9), "{report}");
    let (titles, hint) = failing(&report, "recovered");
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(
        hint.contains("az cognitiveservices account recover"),
        "{hint}"
    );
}

/// `list` counts a lab's points as `check` does: a deleting step is worth nothing.
#[test]
fn list_counts_the_recovery_lab_as_check_does() {
    let out = Sandbox::new()
        .amlab(&["list", &lab(RECOVER)])
        .output()
        .unwrap();
    let text = stdout(&out);
    let row: Vec<&str> = text
        .lines()
        .find(|l| l.starts_with("ai103-16-recover-soft-deleted"))
        .unwrap_or_else(|| panic!("{text}"))
        .split_whitespace()
        .collect();
    assert_eq!(row[1..3], ["6", "9"], "{text}");
}
