//! `--replay DIR`: the shipped fixtures replay to their exact scores; a replay gives the same
//! report as the live run it was recorded from; editing a recorded value flips exactly the check
//! that reads it; a miss exits 3 naming the closest request; stale fixtures warn or fail.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::{Sandbox, lab, repo, stderr, stdout};

fn fixture(lab_id: &str, name: &str) -> PathBuf {
    repo().join("fixtures").join(lab_id).join(name)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `amlab check LAB --replay DIR --report json=r.json`: (exit code, report, stdout).
fn replay_check(sb: &Sandbox, lab_file: &str, dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![
        "check",
        lab_file,
        "--replay",
        dir.to_str().unwrap(),
        "--report",
        "json=r.json",
    ];
    args.extend(extra);
    let out = sb.amlab(&args).output().unwrap();
    let code = out.status.code().unwrap();
    let report = std::fs::read_to_string(sb.path().join("r.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(Value::Null);
    (code, report, format!("{}{}", stdout(&out), stderr(&out)))
}

/// (step id, query) of every failed check, and the hints shown.
fn failed_checks(report: &Value) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    for step in report["steps"].as_array().unwrap() {
        for c in step["checks"].as_array().unwrap() {
            if c["passed"] == false {
                out.push((
                    step["id"].as_str().unwrap().to_owned(),
                    c["query"].as_str().unwrap().to_owned(),
                    c["hint"].as_str().map(str::to_owned),
                ));
            }
        }
    }
    out
}

fn statuses(report: &Value) -> Vec<(String, String)> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

struct Expected {
    lab: &'static str,
    id: &'static str,
    fixture: &'static str,
    exit: i32,
    score: (u32, u32),
    failed: &'static [(&'static str, &'static str, Option<&'static str>)],
    skipped: &'static [&'static str],
}

const SHIPPED: &[Expected] = &[
    Expected {
        lab: "01-workspace.lab.yaml",
        id: "dp100-01-workspace",
        fixture: "reference",
        exit: 0,
        score: (17, 17),
        failed: &[],
        skipped: &[],
    },
    Expected {
        lab: "01-workspace.lab.yaml",
        id: "dp100-01-workspace",
        fixture: "storage-v1",
        exit: 1,
        score: (3, 17),
        // The learner stopped at the storage account: the workspace does not exist (its checks
        // fail), and the steps that need it are skipped.
        failed: &[
            (
                "storage",
                "kind",
                Some(
                    "The workspace's default datastores need a general-purpose v2 (StorageV2) account.",
                ),
            ),
            (
                "workspace",
                "properties.provisioningState",
                Some(
                    "The workspace is not ready yet; wait for the deployment to finish in the portal, then check again.",
                ),
            ),
            (
                "workspace",
                "properties.storageAccount",
                Some(
                    "Create the workspace with the storage account of this lab (az ml workspace create --storage-account ...).",
                ),
            ),
            (
                "workspace",
                "properties.applicationInsights",
                Some("Associate an Application Insights component with the workspace."),
            ),
        ],
        skipped: &["default-datastore", "data", "automl-job"],
    },
    Expected {
        lab: "03-data.lab.yaml",
        id: "dp100-03-data",
        fixture: "reference",
        exit: 0,
        score: (18, 18),
        failed: &[],
        skipped: &[],
    },
    Expected {
        lab: "03-data.lab.yaml",
        id: "dp100-03-data",
        fixture: "missing-datastore",
        exit: 1,
        score: (12, 18),
        failed: &[
            (
                "datastore",
                "properties.datastoreType",
                Some("Create a datastore of type \"Azure Blob Storage\"."),
            ),
            (
                "datastore",
                "properties.containerName",
                Some("Choose the blob container training-data when you create the datastore."),
            ),
            ("datastore", "properties.accountName", None),
        ],
        skipped: &["data-folder", "data-assets"],
    },
    Expected {
        lab: "04-compute.lab.yaml",
        id: "dp100-04-compute",
        fixture: "reference",
        exit: 0,
        score: (21, 21),
        failed: &[],
        skipped: &[],
    },
    Expected {
        lab: "04-compute.lab.yaml",
        id: "dp100-04-compute",
        fixture: "cluster-min-nodes-1",
        exit: 1,
        score: (15, 21),
        // The cluster exists, so the steps that need it are scored: the learner never updated
        // it to two nodes nor ran the job.
        failed: &[
            (
                "cluster",
                "properties.properties.scaleSettings.minNodeCount",
                Some("Set the minimum number of nodes to 0 so the idle cluster costs nothing."),
            ),
            (
                "cluster-update",
                "properties.properties.scaleSettings.maxNodeCount",
                Some(
                    "Update the cluster's maximum number of nodes to 2 (az ml compute update --max-instances 2).",
                ),
            ),
            (
                "job",
                "properties.status",
                Some(
                    "Run the notebook's training job on the cluster and wait until it is Completed (studio > Jobs).",
                ),
            ),
            (
                "job",
                "properties.displayName",
                Some(
                    "Set display_name=\"diabetes-train-cluster\" on the job (the studio shows it in the job list).",
                ),
            ),
            (
                "job",
                "properties.experimentName",
                Some(
                    "Set experiment_name=\"diabetes-training\" on the job, so it is listed under that experiment in the studio (Jobs).",
                ),
            ),
            (
                "job",
                "properties.computeId",
                Some("Submit the job with compute=\"aml-cluster\"."),
            ),
        ],
        skipped: &[],
    },
    Expected {
        lab: "04-compute.lab.yaml",
        id: "dp100-04-compute",
        fixture: "instance-without-stop-schedule",
        exit: 1,
        score: (20, 21),
        failed: &[(
            "compute-instance",
            "properties.properties.schedules.computeStartStop[?action=='Stop' && status=='Enabled'] | [0].cron.expression",
            Some(
                "Add a schedule that stops the instance every day at 6 PM (Compute > your instance > Schedules).",
            ),
        )],
        skipped: &[],
    },
    Expected {
        lab: KM,
        id: "ai103-search-01-knowledge-mining",
        fixture: "reference",
        exit: 0,
        score: (12, 12),
        failed: &[],
        skipped: &[],
    },
    Expected {
        lab: KM,
        id: "ai103-search-01-knowledge-mining",
        fixture: "indexer-without-skillset",
        exit: 1,
        score: (11, 12),
        failed: &[(
            "indexer",
            "skillsetName",
            Some(
                "Attach the skillset margies-skillset to the indexer, or the documents are not enriched.",
            ),
        )],
        skipped: &[],
    },
    Expected {
        lab: KM,
        id: "ai103-search-01-knowledge-mining",
        fixture: "data-source-on-another-account",
        exit: 1,
        score: (10, 12),
        // The data source names a storage account that does not exist: the indexer's run (on
        // the data plane) failed.
        failed: &[(
            "indexer-run",
            "lastResult.status",
            Some(
                "Look at the indexer's execution history in the portal; a failed run names the data source, credential or container it could not read.",
            ),
        )],
        skipped: &[],
    },
    Expected {
        lab: SEM,
        id: "ai103-search-09-semantic-ranker",
        fixture: "reference",
        exit: 0,
        score: (7, 7),
        failed: &[],
        skipped: &[],
    },
    Expected {
        lab: SEM,
        id: "ai103-search-09-semantic-ranker",
        fixture: "semantic-ranker-off",
        exit: 1,
        score: (5, 7),
        failed: &[(
            "semantic-plan",
            "properties.semanticSearch",
            Some(
                "Turn on the semantic ranker: the search service > Settings > Semantic ranker > Free (az search service update --semantic-search free).",
            ),
        )],
        skipped: &[],
    },
];

/// The knowledge-mining lab (AI-103), from `labs/dp100/` where [`lab`] looks.
const KM: &str = "../ai103/search-01-knowledge-mining.lab.yaml";

/// The semantic ranker lab (AI-103).
const SEM: &str = "../ai103/search-09-semantic-ranker.lab.yaml";

#[test]
fn shipped_fixtures_replay_to_their_expected_scores() {
    // Every shipped lab has a reference fixture and at least one mistake.
    for id in [
        "dp100-01-workspace",
        "dp100-03-data",
        "dp100-04-compute",
        "ai103-search-01-knowledge-mining",
    ] {
        let n = SHIPPED.iter().filter(|e| e.id == id).count();
        assert!(
            n >= 2
                && SHIPPED
                    .iter()
                    .any(|e| e.id == id && e.fixture == "reference")
        );
    }
    for e in SHIPPED {
        let sb = Sandbox::new();
        let dir = fixture(e.id, e.fixture);
        let (code, report, text) = replay_check(&sb, lab(e.lab).to_str().unwrap(), &dir, &[]);
        let what = format!("{}/{}", e.id, e.fixture);
        assert_eq!(code, e.exit, "{what}: {text}");
        assert_eq!(
            report["score"],
            json!({"earned": e.score.0, "possible": e.score.1}),
            "{what}"
        );
        assert_eq!(
            report["target"],
            format!("replay:{}", dir.display()),
            "{what}"
        );
        let expected: Vec<(String, String, Option<String>)> = e
            .failed
            .iter()
            .map(|(s, q, h)| ((*s).to_owned(), (*q).to_owned(), h.map(str::to_owned)))
            .collect();
        assert_eq!(failed_checks(&report), expected, "{what}");
        for (_, _, hint) in &expected {
            if let Some(h) = hint {
                assert!(text.contains(&format!("hint: {h}")), "{what}: {text}");
            }
        }
        let skipped: Vec<String> = statuses(&report)
            .into_iter()
            .filter(|(_, s)| s == "skipped")
            .map(|(id, _)| id)
            .collect();
        assert_eq!(skipped, e.skipped, "{what}");
        // Replay touches no emulator state and remembers nothing.
        assert!(!sb.path().join(".amlab").exists(), "{what}");
    }
}

#[test]
fn replay_gives_the_same_report_as_the_live_run() {
    for file in [
        "01-workspace.lab.yaml",
        "03-data.lab.yaml",
        "04-compute.lab.yaml",
    ] {
        let sb = Sandbox::new();
        let path = lab(file).display().to_string();
        let run = sb
            .amlab(&["run", &path, "--var", "suffix=same01"])
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
        let live = sb
            .amlab(&[
                "check",
                &path,
                "--var",
                "suffix=same01",
                "--record",
                "rec",
                "--report",
                "json=live.json",
            ])
            .output()
            .unwrap();
        assert_eq!(live.status.code(), Some(0), "{}", stdout(&live));
        // The recording carries the suffix: no --var needed to replay it.
        let (code, replayed, text) = replay_check(&sb, &path, &sb.path().join("rec"), &[]);
        assert_eq!(code, 0, "{text}");
        let mut live = read_json(&sb.path().join("live.json"));
        let mut replayed = replayed;
        for doc in [&mut live, &mut replayed] {
            doc.as_object_mut().unwrap().remove("target");
            for step in doc["steps"].as_array_mut().unwrap() {
                step.as_object_mut().unwrap().remove("duration_ms");
            }
        }
        assert_eq!(replayed, live, "{file}");
    }
}

/// A copy of a fixture directory, with its check recording as JSON.
fn copy_fixture(sb: &Sandbox, lab_id: &str, name: &str) -> (PathBuf, PathBuf, Value) {
    let dir = sb.path().join("copy");
    let file = dir.join(lab_id).join("check.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let src = fixture(lab_id, name).join(lab_id).join("check.json");
    std::fs::copy(&src, &file).unwrap();
    let doc = read_json(&file);
    (dir, file, doc)
}

#[test]
fn editing_a_recorded_value_flips_exactly_the_check_that_reads_it() {
    let cases = [
        (
            "/computes/aml-cluster?",
            "/ResponseBody/properties/properties/scaleSettings/minNodeCount",
            json!(1),
            "cluster",
            "properties.properties.scaleSettings.minNodeCount",
        ),
        (
            "/computes/cifx0001?",
            "/ResponseBody/properties/properties/state",
            json!("Stopped"),
            "compute-instance",
            "properties.properties.state",
        ),
    ];
    let path = lab("04-compute.lab.yaml").display().to_string();
    for (uri, pointer, value, step, query) in cases {
        let sb = Sandbox::new();
        let (dir, file, mut doc) = copy_fixture(&sb, "dp100-04-compute", "reference");
        // Every recorded read of the resource (two steps read the cluster, concurrently, so
        // which of them gets which recorded response is not fixed).
        for e in doc["Entries"].as_array_mut().unwrap() {
            if e["RequestUri"].as_str().unwrap().contains(uri) {
                *e.pointer_mut(pointer).unwrap() = value.clone();
            }
        }
        std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        let (code, report, text) = replay_check(&sb, &path, &dir, &[]);
        assert_eq!(code, 1, "{text}");
        let failed: Vec<(String, String)> = failed_checks(&report)
            .into_iter()
            .map(|(s, q, _)| (s, q))
            .collect();
        assert_eq!(failed, vec![(step.to_owned(), query.to_owned())]);
        // The steps that need the cluster still find it: they are scored, and pass.
        assert_eq!(report["score"], json!({"earned": 20, "possible": 21}));
    }
}

#[test]
fn a_replay_miss_exits_3_and_names_the_closest_request() {
    let sb = Sandbox::new();
    let (dir, file, mut doc) = copy_fixture(&sb, "dp100-04-compute", "reference");
    // Every recorded read of the cluster was made with another api-version.
    for e in doc["Entries"].as_array_mut().unwrap() {
        let uri = e["RequestUri"].as_str().unwrap().to_owned();
        if uri.contains("/computes/aml-cluster?") {
            e["RequestUri"] =
                json!(uri.replace("api-version=2025-12-01", "api-version=2024-10-01"));
        }
    }
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let path = lab("04-compute.lab.yaml").display().to_string();
    let (code, report, text) = replay_check(&sb, &path, &dir, &[]);
    assert_eq!(code, 3, "{text}");
    let errors: Vec<(String, String)> = statuses(&report)
        .into_iter()
        .filter(|(_, s)| s != "passed")
        .collect();
    // The cluster's read misses; the update and the job need it, so they are skipped.
    assert_eq!(
        errors,
        vec![
            ("cluster".to_owned(), "error".to_owned()),
            ("cluster-update".to_owned(), "skipped".to_owned()),
            ("job".to_owned(), "skipped".to_owned())
        ]
    );
    assert!(text.contains("replay miss: no recorded response for GET /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dp100-fx0001/providers/Microsoft.MachineLearningServices/workspaces/mlw-dp100-fx0001/computes/aml-cluster?api-version=2025-12-01"), "{text}");
    assert!(text.contains("closest recorded request ("), "{text}");
    assert!(text.contains("check.json entry "), "{text}");
    assert!(
        text.contains("differs in query api-version: requested 2025-12-01, recorded 2024-10-01"),
        "{text}"
    );

    // Other resource names: the closest request differs in its path.
    let (code, _, text) = replay_check(
        &sb,
        &path,
        &fixture("dp100-04-compute", "reference"),
        &["--var", "suffix=other1"],
    );
    assert_eq!(code, 3, "{text}");
    assert!(
        text.contains("differs in path: requested /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dp100-other1"),
        "{text}"
    );
}

#[test]
fn stale_fixtures_warn_and_strict_refuses() {
    let sb = Sandbox::new();
    let (dir, file, mut doc) = copy_fixture(&sb, "dp100-01-workspace", "reference");
    doc["Variables"]["amlab.recordedAt"] = json!("2020-01-01T00:00:00Z");
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let path = lab("01-workspace.lab.yaml").display().to_string();

    let (code, _, text) = replay_check(&sb, &path, &dir, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("stale"), "no --max-age, no warning: {text}");

    let (code, report, text) = replay_check(&sb, &path, &dir, &["--max-age", "30"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("amlab: warning: stale fixture:"), "{text}");
    assert!(
        text.contains("recorded at")
            || text.contains("days ago (2020-01-01T00:00:00Z), more than --max-age 30"),
        "{text}"
    );
    assert_eq!(report["score"], json!({"earned": 17, "possible": 17}));

    std::fs::remove_file(sb.path().join("r.json")).unwrap();
    let (code, report, text) = replay_check(&sb, &path, &dir, &["--max-age", "30", "--strict"]);
    assert_eq!(code, 3, "{text}");
    assert!(
        text.contains("stale fixture:") && text.contains("(--strict)"),
        "{text}"
    );
    assert_eq!(report, Value::Null, "nothing was checked");

    // A fresh enough fixture passes under --strict.
    let (code, _, text) = replay_check(&sb, &path, &dir, &["--max-age", "100000", "--strict"]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn replay_flags_conflict_with_a_target_and_with_record() {
    let sb = Sandbox::new();
    let path = lab("01-workspace.lab.yaml").display().to_string();
    let dir = fixture("dp100-01-workspace", "reference")
        .display()
        .to_string();
    let out = sb
        .amlab(&["check", &path, "--replay", &dir, "--record", "rec"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--record"), "{}", stderr(&out));
    let out = sb
        .amlab(&["check", &path, "--replay", &dir, "--target", "azure"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("drop --target azure"),
        "{}",
        stderr(&out)
    );
    let out = sb
        .amlab(&["check", &path, "--replay", "no-such-dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("no-such-dir"), "{}", stderr(&out));
}

#[test]
fn distinct_e_mail_addresses_stay_distinct_through_redaction() {
    // The learner's monitor e-mails someone other than the address the lab is checked with.
    let sb = Sandbox::new();
    let lab_file = lab("18-monitoring.lab.yaml");
    let lab_file = lab_file.to_str().unwrap();
    let run = sb
        .amlab(&[
            "run",
            lab_file,
            "--var",
            "suffix=em0001",
            "--var",
            "alert_email=someone-else@contoso.com",
            "--provisioning-delay",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let check = |extra: &[&str]| {
        let mut args = vec![
            "check",
            lab_file,
            "--var",
            "suffix=em0001",
            "--var",
            "alert_email=me@contoso.com",
            "--report",
            "json=r.json",
        ];
        args.extend_from_slice(extra);
        let out = sb.amlab(&args).output().unwrap();
        (
            out.status.code().unwrap(),
            read_json(&sb.path().join("r.json")),
        )
    };
    let (code, live) = check(&["--record", "rec"]);
    assert_eq!(code, 1);
    let alert = "properties.action.monitorDefinition.alertNotificationSettings.emailNotificationSettings.emails";
    let failed: Vec<String> = failed_checks(&live).into_iter().map(|f| f.1).collect();
    assert_eq!(failed, [alert]);

    // Neither address reaches the recording, yet they stay two different placeholders.
    let text =
        std::fs::read_to_string(sb.path().join("rec/dp100-18-monitoring/check.json")).unwrap();
    assert!(!text.contains("contoso.com"), "an address leaked");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let param = doc["Variables"]["param.alert_email"].as_str().unwrap();
    assert!(param.ends_with("@example.com"), "{param}");
    assert!(text.matches("@example.com").count() > 1);

    // So the replay fails the same check, as the live check did.
    let (code, replayed, out) = replay_check(&sb, lab_file, &sb.path().join("rec"), &[]);
    assert_eq!(code, 1, "{out}");
    let failed: Vec<String> = failed_checks(&replayed).into_iter().map(|f| f.1).collect();
    assert_eq!(failed, [alert]);
}

#[test]
fn replay_uses_every_recorded_value_not_only_random_suffixes() {
    // Recorded with values given on the command line: the learner's own resource group and
    // e-mail address. The replay needs none of them again.
    let sb = Sandbox::new();
    let lab_file = lab("18-monitoring.lab.yaml");
    let lab_file = lab_file.to_str().unwrap();
    let vars = [
        "--var",
        "suffix=rv0001",
        "--var",
        "resource_group=my-own-rg",
        "--var",
        "alert_email=me@contoso.com",
    ];
    let mut run = vec!["run", lab_file, "--provisioning-delay", "0"];
    run.extend_from_slice(&vars);
    let out = sb.amlab(&run).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let mut check = vec!["check", lab_file, "--record", "rec"];
    check.extend_from_slice(&vars);
    let out = sb.amlab(&check).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let (code, report, text) = replay_check(&sb, lab_file, &sb.path().join("rec"), &[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(report["score"]["earned"], report["score"]["possible"]);

    // A --var given now still wins, and what is named after it follows: another suffix
    // names other resources, which were never recorded.
    let (code, _, text) = replay_check(
        &sb,
        lab_file,
        &sb.path().join("rec"),
        &["--var", "suffix=zz9999"],
    );
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("resourceGroups/rg-dp100-zz9999?"), "{text}");
}
