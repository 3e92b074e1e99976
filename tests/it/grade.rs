//! `amlab grade`: a class of generated submissions graded against one emulator world.
//!
//! The learners' worlds are made by running variants of the shipped workspace lab with
//! different `--var suffix=` values into one emulator state: correct work, partial work, wrong
//! settings, a learner who did nothing, and submissions that cannot be read. A second class
//! hands in recorded fixtures instead (copies of the shipped ones and recordings made here),
//! graded by replay.

use std::path::Path;

use crate::support::{Sandbox, lab, lab_variant, repo, stdout, test_lab};

const LAB: &str = "workspace.lab.yaml";
const STEPS: &str = "resource-group,storage,key-vault,app-insights,workspace,default-datastore";

/// `amlab run` of `lab_file` with `args`, into the sandbox's emulator state.
fn world(sb: &Sandbox, lab_file: &Path, args: &[&str]) {
    let mut all = vec![
        "run",
        lab_file.to_str().unwrap(),
        "--provisioning-delay",
        "0",
    ];
    all.extend_from_slice(args);
    let out = sb.amlab(&all).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stdout(&out));
}

/// A copy of the shipped lab with one text replaced (a learner's mistake).
fn variant(sb: &Sandbox, name: &str, from: &str, to: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(test_lab(LAB)).unwrap();
    assert!(text.contains(from), "{from}");
    sb.write(name, &text.replacen(from, to, 1))
}

#[test]
fn a_class_of_submissions_into_an_exact_gradebook() {
    let sb = Sandbox::new();
    let shipped = test_lab(LAB);
    let subs = sb.path().join("subs");

    // 20 learners who did the lab right; half name their suffix in YAML, half in .env.
    for i in 1..=20 {
        let suffix = format!("ok{i:02}");
        world(&sb, &shipped, &["--var", &format!("suffix={suffix}")]);
        if i % 2 == 0 {
            sb.write(
                &format!("subs/good-{i:02}/vars.yaml"),
                &format!("suffix: {suffix}\n"),
            );
        } else {
            sb.write(
                &format!("subs/good-{i:02}/vars.env"),
                &format!("# my lab\nsuffix={suffix}\n"),
            );
        }
    }
    // Two learners whose workspace has no Application Insights: 2 of its 3 points; the
    // workspace exists, so its default datastore is still scored: 7/8 meets a 75% pass mark.
    let no_appi = variant(
        &sb,
        "no-appi.lab.yaml",
        "          applicationInsights: \"${app_insights_id}\"\n",
        "",
    );
    for s in ["np1", "np2"] {
        world(&sb, &no_appi, &["--var", &format!("suffix={s}")]);
        sb.write(
            &format!("subs/partial-{s}/vars.yaml"),
            &format!("suffix: {s}\n"),
        );
    }
    // Two learners with a premium key vault: the key vault fails, the workspace is never made
    // (not found), so the datastore that needs it is skipped (3/8).
    let premium = variant(&sb, "premium.lab.yaml", "name: standard}", "name: premium}");
    for s in ["kv1", "kv2"] {
        world(&sb, &premium, &["--var", &format!("suffix={s}")]);
        sb.write(
            &format!("subs/wrong-kv-{s}/vars.yaml"),
            &format!("suffix: {s}\n"),
        );
    }
    // A learner with their own resource group name, and one in another subscription.
    world(
        &sb,
        &shipped,
        &["--var", "suffix=rg1", "--var", "resource_group=my-own-rg"],
    );
    sb.write(
        "subs/own-rg/vars.yaml",
        "suffix: rg1\nresource_group: my-own-rg\n",
    );
    let other_sub = "11111111-2222-3333-4444-555555555555";
    world(
        &sb,
        &shipped,
        &["--var", "suffix=sub1", "--subscription", other_sub],
    );
    sb.write(
        "subs/other-sub/vars.env",
        &format!("suffix=sub1\nsubscription={other_sub}\n"),
    );
    // A learner who did nothing; unreadable and unusable submissions.
    sb.write("subs/did-nothing/vars.yaml", "suffix: nothing\n");
    sb.write("subs/corrupt-yaml/vars.yaml", "suffix: [unclosed\n");
    sb.write(
        "subs/corrupt-env/vars.env",
        "suffix=ab\nthis is not a pair\n",
    );
    sb.write("subs/typo/vars.yaml", "sufix: ok01\n");
    sb.write("subs/recorded/recording.json", "{\"Entries\": []}\n");
    std::fs::create_dir_all(subs.join("empty")).unwrap();

    let out = sb
        .amlab(&[
            "grade",
            shipped.to_str().unwrap(),
            "--submissions",
            "subs",
            "--gradebook",
            "out/grades.csv",
            "--jobs",
            "4",
            "--pass-mark",
            "75%",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let mut expected = format!(
        "learner,score,possible,percent,pass,could_not_check,{STEPS},message,recorded_at,warnings\n"
    );
    expected.push_str(
        "corrupt-env,,8,,,true,,,,,,,subs/corrupt-env/vars.env: line 2: not NAME=VALUE (such as suffix=ab12cd),,\n",
    );
    expected.push_str(
        "corrupt-yaml,,8,,,true,,,,,,,subs/corrupt-yaml/vars.yaml: line 1 column 9: unclosed bracket '[',,\n",
    );
    expected.push_str(
        "did-nothing,0,8,0.0,false,false,failed,skipped,skipped,skipped,skipped,skipped,,,\n",
    );
    expected.push_str(
        "empty,,8,,,true,,,,,,,\"subs/empty: no vars.yaml, vars.yml, vars.env naming the learner's resources, and no recorded fixture (*.json)\",,\n",
    );
    for i in 1..=20 {
        expected.push_str(&format!(
            "good-{i:02},8,8,100.0,true,false,passed,passed,passed,passed,passed,passed,,,\n"
        ));
    }
    expected
        .push_str("other-sub,8,8,100.0,true,false,passed,passed,passed,passed,passed,passed,,,\n");
    expected.push_str("own-rg,8,8,100.0,true,false,passed,passed,passed,passed,passed,passed,,,\n");
    for s in ["np1", "np2"] {
        expected.push_str(&format!(
            "partial-{s},7,8,87.5,true,false,passed,passed,passed,passed,failed,passed,,,\n"
        ));
    }
    expected.push_str(
        "recorded,,8,,,true,,,,,,,subs/recorded: does not name `suffix` (needed to find the learner's resources),,\n",
    );
    expected.push_str(
        "typo,,8,,,true,,,,,,,\"subs/typo/vars.yaml: `sufix` is not a parameter of lab `dp100-01-workspace` (its parameters: subscription, suffix, location, tenant, resource_group, workspace, storage, key_vault, app_insights, rg_id, storage_id, key_vault_id, app_insights_id, workspace_id)\",,\n",
    );
    for s in ["kv1", "kv2"] {
        expected.push_str(&format!(
            "wrong-kv-{s},3,8,37.5,false,false,passed,passed,failed,passed,failed,skipped,,,\n"
        ));
    }
    let csv = std::fs::read_to_string(sb.path().join("out/grades.csv")).unwrap();
    assert_eq!(csv, expected);
    assert_eq!(csv.lines().count() - 1, 32, "32 learners");

    // The JSON gradebook beside it: unknown grades are null, never zero.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("out/grades.json")).unwrap()).unwrap();
    let learners = json["learners"].as_array().unwrap();
    assert_eq!(learners.len(), 32);
    let empty = learners.iter().find(|l| l["learner"] == "empty").unwrap();
    assert_eq!(empty["score"], serde_json::Value::Null);
    assert_eq!(empty["could_not_check"], true);
    let nothing = learners
        .iter()
        .find(|l| l["learner"] == "did-nothing")
        .unwrap();
    assert_eq!(nothing["score"], 0);
    assert_eq!(nothing["could_not_check"], false);
    assert_eq!(json["lab"]["pass_mark"], "75%");

    let text = stdout(&out);
    assert!(
        text.contains("graded 27 of 32 learners of dp100-01-workspace (pass mark 75%): 24 passed, 3 not passed, 5 could not be checked"),
        "{text}"
    );
}

#[test]
fn grading_sends_only_gets() {
    let sb = Sandbox::new();
    let shipped = test_lab(LAB);
    world(&sb, &shipped, &["--var", "suffix=g1"]);
    sb.write("subs/a/vars.yaml", "suffix: g1\n");
    sb.write("subs/b/vars.yaml", "suffix: nobody\n");
    // On the default emulator the state file is read, never written.
    let state = sb.path().join(".amlab/emulator-state.json");
    let before = std::fs::read(&state).unwrap();
    let out = sb
        .amlab(&["grade", shipped.to_str().unwrap(), "--submissions", "subs"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(std::fs::read(&state).unwrap(), before);
    assert!(sb.path().join("gradebook.csv").exists());
    // Served, every request it receives is a GET.
    let served = crate::support::Served::start(&["--state", state.to_str().unwrap()]);
    let out = sb
        .amlab(&[
            "grade",
            shipped.to_str().unwrap(),
            "--submissions",
            "subs",
            "--target",
            &served.url,
            "--auth",
            "token",
        ])
        .env("AZURE_ACCESS_TOKEN", served.token())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Every request but the test's own sign-in at the token endpoint.
    let requests: Vec<_> = served
        .requests()
        .into_iter()
        .filter(|(_, p, _)| !p.contains("/oauth2/"))
        .collect();
    assert!(!requests.is_empty());
    assert!(requests.iter().all(|(m, _, _)| m == "GET"), "{requests:?}");
}

#[test]
fn grading_on_the_emulator_leaves_its_state_alone() {
    let sb = Sandbox::new();
    let shipped = test_lab(LAB);
    world(&sb, &shipped, &["--var", "suffix=g1"]);
    let state = sb.path().join(".amlab/emulator-state.json");
    let before = std::fs::read(&state).unwrap();
    sb.write("subs/a/vars.yaml", "suffix: g1\n");
    let out = sb
        .amlab(&["grade", shipped.to_str().unwrap(), "--submissions", "subs"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        std::fs::read(&state).unwrap() == before,
        "grade wrote the state"
    );
}

#[test]
fn nothing_gradable_is_exit_3_and_bad_arguments_exit_2() {
    let sb = Sandbox::new();
    let shipped = test_lab(LAB);
    sb.write("subs/a/vars.yaml", "");
    std::fs::create_dir_all(sb.path().join("subs/b")).unwrap();
    let out = sb
        .amlab(&["grade", shipped.to_str().unwrap(), "--submissions", "subs"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    let csv = std::fs::read_to_string(sb.path().join("gradebook.csv")).unwrap();
    assert_eq!(
        csv.lines().count(),
        3,
        "the gradebook is still written: {csv}"
    );

    std::fs::create_dir_all(sb.path().join("none")).unwrap();
    let out = sb
        .amlab(&["grade", shipped.to_str().unwrap(), "--submissions", "none"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));

    let out = sb
        .amlab(&[
            "grade",
            shipped.to_str().unwrap(),
            "--submissions",
            "missing",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = sb
        .amlab(&["grade", "nope.lab.yaml", "--submissions", "subs"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Copies the folder `from` into `to` (created), recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dst = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dst);
        } else {
            std::fs::copy(entry.path(), dst).unwrap();
        }
    }
}

const COMPUTE: &str = "dp100-04-compute";
const COMPUTE_STEPS: &str = "resource-group,storage,key-vault,app-insights,workspace,compute-instance,cluster,cluster-update,job";

/// A learner's `amlab check --record subs/<learner>` of the compute lab with `suffix`, after
/// `amlab run` of `world_lab` (when given) with that suffix.
fn recorded(sb: &Sandbox, learner: &str, suffix: &str, world_lab: Option<&Path>) {
    let var = format!("suffix={suffix}");
    if let Some(l) = world_lab {
        world(sb, l, &["--var", &var]);
    }
    let shipped = lab("04-compute.lab.yaml");
    let dir = format!("subs/{learner}");
    let out = sb
        .amlab(&[
            "check",
            shipped.to_str().unwrap(),
            "--var",
            &var,
            "--record",
            &dir,
        ])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stdout(&out));
}

#[test]
fn fixture_submissions_are_replayed_into_an_exact_gradebook() {
    let sb = Sandbox::new();
    let shipped = lab("04-compute.lab.yaml");
    let subs = sb.path().join("subs");
    let fixtures = repo().join("fixtures");

    // Copies of the shipped reference fixture and of each shipped learner mistake.
    for i in 1..=12 {
        copy_dir(
            &fixtures.join(COMPUTE).join("reference"),
            &subs.join(format!("ref-{i:02}")),
        );
    }
    for i in 1..=8 {
        copy_dir(
            &fixtures.join(COMPUTE).join("cluster-min-nodes-1"),
            &subs.join(format!("min-nodes-{i:02}")),
        );
        copy_dir(
            &fixtures
                .join(COMPUTE)
                .join("instance-without-stop-schedule"),
            &subs.join(format!("no-stop-{i:02}")),
        );
    }
    // Recorded here: a learner who did the lab right with their own suffix (so the recorded
    // suffix, not the shipped fixtures' fx0001, finds their resources), one who did nothing,
    // and one whose cluster has low-priority nodes.
    recorded(&sb, "own-suffix", "mine01", Some(&shipped));
    recorded(&sb, "did-nothing", "none01", None);
    let low = lab_variant(
        &sb,
        "04-compute.lab.yaml",
        "vmPriority: Dedicated",
        "vmPriority: LowPriority",
    );
    recorded(&sb, "low-priority", "lp0001", Some(&low));
    // A recording that no longer answers every request the check makes (an entry deleted).
    copy_dir(
        &fixtures.join(COMPUTE).join("reference"),
        &subs.join("edited"),
    );
    let edited = subs.join("edited").join(COMPUTE).join("check.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&edited).unwrap()).unwrap();
    let entries = doc["Entries"].as_array_mut().unwrap();
    let cluster = entries
        .iter()
        .position(|e| {
            e["RequestUri"]
                .as_str()
                .unwrap()
                .contains("/computes/aml-cluster?")
        })
        .unwrap();
    entries.remove(cluster);
    std::fs::write(&edited, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    // A corrupt fixture (truncated JSON), a fixture of another lab, an empty folder.
    copy_dir(
        &fixtures.join(COMPUTE).join("reference"),
        &subs.join("truncated"),
    );
    let truncated = subs.join("truncated").join(COMPUTE).join("check.json");
    let text = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &text[..1000]).unwrap();
    copy_dir(
        &fixtures.join("dp100-01-workspace").join("reference"),
        &subs.join("other-lab"),
    );
    std::fs::create_dir_all(subs.join("empty")).unwrap();

    let out = sb
        .amlab(&[
            "grade",
            shipped.to_str().unwrap(),
            "--submissions",
            "subs",
            "--gradebook",
            "grades.csv",
            "--jobs",
            "4",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let all = "passed,passed,passed,passed,passed";
    let mut expected = format!(
        "learner,score,possible,percent,pass,could_not_check,{COMPUTE_STEPS},message,recorded_at,warnings\n"
    );
    expected.push_str("did-nothing,0,21,0.0,false,false,failed,skipped,skipped,skipped,skipped,skipped,skipped,skipped,skipped,,<t>,\n");
    let rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dp100-fx0001";
    let get = format!(
        "GET {rg}/providers/Microsoft.MachineLearningServices/workspaces/mlw-dp100-fx0001/computes/aml-cluster?api-version=2025-12-01"
    );
    expected.push_str(&format!(
        "edited,,21,,,true,{all},passed,passed,error,skipped,\"cluster-update: replay miss: no recorded response for {get} in subs/edited; closest recorded request (subs/edited/{COMPUTE}/check.json entry 8): {get}; identical, but all 1 recorded response(s) to it were already used\",<t>,\n"
    ));
    expected.push_str(",,21,,,true,,,,,,,,,,\"subs/empty: no vars.yaml, vars.yml, vars.env naming the learner's resources, and no recorded fixture (*.json)\",,\n".replacen(',', "empty,", 1).as_str());
    let min_nodes = format!("15,21,71.4,false,false,{all},passed,failed,failed,failed,,<t>,\n");
    expected.push_str(&format!("low-priority,{min_nodes}"));
    for i in 1..=8 {
        expected.push_str(&format!("min-nodes-{i:02},{min_nodes}"));
    }
    for i in 1..=8 {
        expected.push_str(&format!(
            "no-stop-{i:02},20,21,95.2,false,false,{all},failed,passed,passed,passed,,<t>,\n"
        ));
    }
    expected.push_str(&format!(
        "other-lab,,21,,,true,,,,,,,,,,\"subs/other-lab: no recording of lab `{COMPUTE}` (expected subs/other-lab/{COMPUTE}/check.json, made with `amlab check --record subs/other-lab`)\",,\n"
    ));
    let full = format!("21,21,100.0,true,false,{all},passed,passed,passed,passed,,<t>,\n");
    expected.push_str(&format!("own-suffix,{full}"));
    for i in 1..=12 {
        expected.push_str(&format!("ref-{i:02},{full}"));
    }
    expected.push_str(&format!(
        "truncated,,21,,,true,,,,,,,,,,\"subs/truncated/{COMPUTE}/check.json:26:25: not a test-proxy recording (EOF while parsing a string at line 26 column 25); expected {{\"\"Entries\"\": [...], \"\"Variables\"\": {{...}}}}\",,\n"
    ));
    // Recording times differ per run for the learners recorded here: compared as `<t>`, and the
    // shipped fixtures' times checked below.
    let csv = std::fs::read_to_string(sb.path().join("grades.csv")).unwrap();
    let csv = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
        .unwrap()
        .replace_all(&csv, "<t>")
        .into_owned();
    assert_eq!(csv, expected);
    assert_eq!(csv.lines().count() - 1, 35, "35 learners");

    // The JSON gradebook: replayed learners carry their full result, unknown grades are null.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("grades.json")).unwrap()).unwrap();
    let learner = |name: &str| learner_row(&json, name);
    assert_eq!(learner("ref-01")["result"]["target"], "replay:subs/ref-01");
    assert_eq!(learner("truncated")["score"], serde_json::Value::Null);
    assert_eq!(learner("did-nothing")["score"], 0);
    let shipped_meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            fixtures
                .join(COMPUTE)
                .join("reference")
                .join(COMPUTE)
                .join("check.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        learner("ref-01")["recorded_at"],
        shipped_meta["Variables"]["amlab.recordedAt"]
    );
    assert_eq!(learner("ref-01")["warnings"], serde_json::json!([]));
    assert_eq!(learner("truncated")["recorded_at"], serde_json::Value::Null);

    let text = stdout(&out);
    assert!(
        text.contains("graded 31 of 35 learners of dp100-04-compute (pass mark all steps): 13 passed, 18 not passed, 4 could not be checked"),
        "{text}"
    );
}

/// The JSON gradebook's row of `name`.
fn learner_row(json: &serde_json::Value, name: &str) -> serde_json::Value {
    json["learners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["learner"] == name)
        .unwrap()
        .clone()
}

/// A copy of the shipped reference fixture of the compute lab in `subs/<learner>`, with
/// `edit` applied to its metadata (`Variables`).
fn edited_reference(sb: &Sandbox, learner: &str, edit: impl Fn(&mut serde_json::Value)) {
    let dir = sb.path().join("subs").join(learner);
    copy_dir(
        &repo().join("fixtures").join(COMPUTE).join("reference"),
        &dir,
    );
    let file = dir.join(COMPUTE).join("check.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    edit(&mut doc["Variables"]);
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

#[test]
fn stale_fixtures_and_fixtures_of_another_lab_version_are_flagged() {
    let sb = Sandbox::new();
    let shipped = lab("04-compute.lab.yaml");
    recorded(&sb, "fresh", "fresh1", Some(&shipped));
    edited_reference(&sb, "old", |v| {
        v["amlab.recordedAt"] = "2020-01-01T00:00:00Z".into();
    });
    edited_reference(&sb, "changed", |v| {
        v["amlab.labFileSha256"] = "0".repeat(64).into();
    });
    let grade = |extra: &[&str]| {
        let mut args = vec![
            "grade",
            shipped.to_str().unwrap(),
            "--submissions",
            "subs",
            "--max-age",
            "30",
        ];
        args.extend_from_slice(extra);
        let out = sb.amlab(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(sb.path().join("gradebook.json")).unwrap())
                .unwrap();
        (stdout(&out), json)
    };

    // Flagged, still graded.
    let (text, json) = grade(&[]);
    let fresh = learner_row(&json, "fresh");
    assert_eq!(fresh["score"], 21);
    assert_eq!(fresh["warnings"], serde_json::json!([]));
    assert!(
        time::OffsetDateTime::parse(
            fresh["recorded_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok(),
        "{fresh}"
    );
    let old = learner_row(&json, "old");
    assert_eq!(old["score"], 21);
    assert_eq!(old["recorded_at"], "2020-01-01T00:00:00Z");
    let warning = old["warnings"][0].as_str().unwrap();
    assert!(
        warning.starts_with(&format!("{COMPUTE}/check.json was recorded "))
            && warning.ends_with("days ago (2020-01-01T00:00:00Z), more than --max-age 30"),
        "{warning}"
    );
    let changed = learner_row(&json, "changed");
    assert_eq!(changed["score"], 21);
    assert_eq!(
        changed["warnings"],
        serde_json::json!(["recorded against another version of the lab file (sha256 differs)"])
    );
    assert!(text.contains("2 with warnings"), "{text}");
    assert!(
        text.contains("warning: recorded against another version of the lab file"),
        "{text}"
    );
    let csv = std::fs::read_to_string(sb.path().join("gradebook.csv")).unwrap();
    let changed_line = csv.lines().find(|l| l.starts_with("changed,")).unwrap();
    assert!(
        changed_line
            .ends_with(",recorded against another version of the lab file (sha256 differs)"),
        "{changed_line}"
    );

    // --strict: the stale fixture is not graded; the others are.
    let (text, json) = grade(&["--strict"]);
    let old = learner_row(&json, "old");
    assert_eq!(old["could_not_check"], true);
    assert_eq!(old["score"], serde_json::Value::Null);
    assert!(
        old["message"].as_str().unwrap().starts_with(&format!(
            "stale fixture: {COMPUTE}/check.json was recorded "
        )),
        "{old}"
    );
    assert_eq!(learner_row(&json, "fresh")["score"], 21);
    assert!(text.contains("1 could not be checked"), "{text}");
}
