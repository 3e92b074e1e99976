//! Hostile input (issue 12): learners' submissions and lab files tried as an attacker would.
//!
//! Each case asserts the safe outcome: an injected learner still fails, no byte of a file
//! outside the submission or lab folder reaches any output, hostile labs are exit 2 at
//! file:line:col, hostile submissions are `could_not_check` while the others are graded, and
//! nothing panics, aborts or hangs (every command runs under a timeout).

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::support::{Sandbox, lab, stderr, stdout};

/// Every command here finishes well within this; a hang fails the test instead of blocking it.
const LIMIT: Duration = Duration::from_secs(60);

/// `amlab ARGS` in the sandbox, bounded by [`LIMIT`].
fn run(sb: &Sandbox, args: &[&str]) -> Output {
    sb.amlab(args).timeout(LIMIT).output().unwrap()
}

/// stdout and stderr together.
fn all_output(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

/// The gradebook row of `learner`.
fn row<'a>(json: &'a serde_json::Value, learner: &str) -> &'a serde_json::Value {
    json["learners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["learner"] == learner)
        .unwrap_or_else(|| panic!("no row for {learner}: {json}"))
}

fn gradebook(sb: &Sandbox, name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(sb.path().join(name)).unwrap()).unwrap()
}

// ---- 1. query injection ----------------------------------------------------------------------

#[test]
fn a_query_injection_in_vars_does_not_raise_the_grade() {
    let sb = Sandbox::new();
    let shipped = lab("20-mlops-github.lab.yaml");
    let out = run(
        &sb,
        &[
            "run",
            shipped.to_str().unwrap(),
            "--provisioning-delay",
            "0",
            "--var",
            "suffix=inj1",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    // The learners name a service principal that has no role in their resource group: the
    // role check fails (10 of 13 points), whatever the value tries to add to the query.
    sb.write(
        "subs/honest/vars.yaml",
        "suffix: inj1\nsp_object_id: 11111111-2222-4333-8444-555555555555\n",
    );
    sb.write(
        "subs/injected/vars.yaml",
        "suffix: inj1\nsp_object_id: \"x'] || `[1]` || value[?'x\"\n",
    );
    let out = run(
        &sb,
        &[
            "grade",
            shipped.to_str().unwrap(),
            "--submissions",
            "subs",
            "--gradebook",
            "g.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let json = gradebook(&sb, "g.json");
    for learner in ["honest", "injected"] {
        let r = row(&json, learner);
        assert_eq!(
            (&r["score"], &r["possible"]),
            (&serde_json::json!(10), &serde_json::json!(13)),
            "{learner}: {r}"
        );
    }
}

// ---- 2. hostile submissions ------------------------------------------------------------------

/// A unique string planted in files outside the submission and lab folders; it must reach no
/// output.
const MARKER: &str = "HOSTILE-MARKER-5e1f0c";

#[cfg(unix)]
#[test]
fn hostile_submissions_are_could_not_check_and_the_others_are_graded() {
    use std::os::unix::fs::symlink;
    let sb = Sandbox::new();
    let shipped = crate::support::test_lab("workspace.lab.yaml");
    let out = run(
        &sb,
        &[
            "run",
            shipped.to_str().unwrap(),
            "--provisioning-delay",
            "0",
            "--var",
            "suffix=ok1",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let secret = sb.write(
        "outside/credentials",
        &format!("{MARKER}\nsuffix={MARKER}\n"),
    );
    let fixture = sb.write(
        "outside/fx/check.json",
        &format!("{{\"Entries\": [], \"Variables\": {{\"suffix\": \"{MARKER}\"}}}}\n"),
    );
    sb.write("subs/good/vars.yaml", "suffix: ok1\n");
    let subs = sb.path().join("subs");
    for name in [
        "secret-link",
        "other-learner",
        "zero",
        "fifo",
        "big",
        "fixture-link",
        "dir",
    ] {
        std::fs::create_dir_all(subs.join(name)).unwrap();
    }
    symlink(&secret, subs.join("secret-link/vars.env")).unwrap();
    symlink("../good/vars.yaml", subs.join("other-learner/vars.yaml")).unwrap();
    symlink("/dev/zero", subs.join("zero/vars.env")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(subs.join("fifo/vars.env"))
        .status()
        .unwrap();
    assert!(fifo.success());
    sb.write(
        "subs/big/vars.env",
        &format!("suffix=ok1\n#{}\n", "x".repeat(200_000)),
    );
    symlink(&fixture, subs.join("fixture-link/check.json")).unwrap();
    std::fs::create_dir_all(subs.join("dir/vars.yaml")).unwrap();

    let out = run(
        &sb,
        &[
            "grade",
            shipped.to_str().unwrap(),
            "--submissions",
            "subs",
            "--gradebook",
            "g.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let csv = std::fs::read_to_string(sb.path().join("g.csv")).unwrap();
    let json_text = std::fs::read_to_string(sb.path().join("g.json")).unwrap();
    for text in [&csv, &json_text, &all_output(&out)] {
        assert!(
            !text.contains(MARKER),
            "a byte of an outside file leaked: {text}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    let good = row(&json, "good");
    assert_eq!(
        (&good["score"], &good["could_not_check"]),
        (&serde_json::json!(8), &serde_json::json!(false))
    );
    for (learner, reason) in [
        ("secret-link", "outside"),
        ("other-learner", "outside"),
        ("zero", "outside"),
        ("fifo", "not a regular file (a FIFO)"),
        ("big", "larger than 65536 bytes"),
        ("fixture-link", "outside"),
        ("dir", "not a regular file (a folder)"),
    ] {
        let r = row(&json, learner);
        assert_eq!(r["could_not_check"], true, "{learner}: {r}");
        assert_eq!(r["score"], serde_json::Value::Null, "{learner}: {r}");
        let message = r["message"].as_str().unwrap();
        assert!(message.contains(reason), "{learner}: {message}");
    }
}

// ---- 4. files a lab names --------------------------------------------------------------------

/// A lab in `lab/` whose steps' `create.spec` are `specs` (one step each).
fn spec_lab(sb: &Sandbox, specs: &[&str]) -> std::path::PathBuf {
    let mut text = String::from(
        "id: hostile\ntitle: Hostile\nparams:\n  resource_group: {default: rg-h}\n  workspace: {default: mlw-h}\n  location: {default: eastus}\nsteps:\n",
    );
    for (i, spec) in specs.iter().enumerate() {
        text.push_str(&format!(
            "  - id: s{i}\n    title: S{i}\n    resource: /subscriptions/${{subscription}}/resourceGroups/rg-h/providers/Microsoft.MachineLearningServices/workspaces/mlw-h/environments/e{i}/versions/1\n    create:\n      spec: \"{spec}\"\n"
        ));
    }
    sb.write("lab/hostile.lab.yaml", &text)
}

#[cfg(unix)]
#[test]
fn files_a_lab_names_stay_in_its_folder() {
    let sb = Sandbox::new();
    sb.write(
        "outside/secret.yml",
        &format!("name: {MARKER}\nversion: 1\nimage: x\n"),
    );
    sb.write(
        "outside/conda.yml",
        &format!("name: {MARKER}\ndependencies: [{MARKER}]\n"),
    );
    sb.write(
        "lab/specs/env.yml",
        "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\nversion: 1\nimage: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04\nconda_file: ../../outside/conda.yml\n",
    );
    sb.write(
        "lab/specs/big.yml",
        &format!("name: e\n#{}\n", "x".repeat(1_100_000)),
    );
    std::os::unix::fs::symlink(
        sb.path().join("outside/secret.yml"),
        sb.path().join("lab/specs/link.yml"),
    )
    .unwrap();
    let lab_file = spec_lab(
        &sb,
        &[
            "/etc/passwd",
            "/dev/zero",
            "/dev/stdin",
            "../outside/secret.yml",
            "specs/link.yml",
            "specs/env.yml",
            "specs/big.yml",
        ],
    );
    let out = sb
        .amlab(&["lint", lab_file.to_str().unwrap()])
        .timeout(LIMIT)
        .write_stdin(format!("{MARKER}\n"))
        .output()
        .unwrap();
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(!text.contains(MARKER), "{text}");
    assert!(!text.contains("root:"), "/etc/passwd leaked: {text}");
    // Each at the lab's `spec:` (file:line:col), the conda file at the spec's `conda_file:`.
    for (line, why) in [
        (12, "is outside the folder"),
        (17, "is outside the folder"),
        (22, "is outside the folder"),
        (27, "is outside the folder"),
        (32, "is outside the folder"),
        (42, "larger than 1048576 bytes"),
    ] {
        let at = format!("hostile.lab.yaml:{line}:13]");
        assert!(text.contains(&at), "{at} in {text}");
        assert!(text.contains(why), "{why} in {text}");
    }
    assert!(text.contains("env.yml:5:13]"), "{text}");
    assert!(text.contains("cannot read conda file"), "{text}");
}

// ---- 7. resource limits ----------------------------------------------------------------------

/// A lab with one resource-group step whose checks are `checks` (YAML list items) and extra
/// `params` lines.
fn limits_lab(sb: &Sandbox, params: &str, checks: &str) -> std::path::PathBuf {
    sb.write(
        "lab/limits.lab.yaml",
        &format!(
            "id: limits\ntitle: Limits\nparams:\n  rg: {{default: rg-l}}\n{params}steps:\n  - id: rg\n    title: RG\n    resource: /subscriptions/${{subscription}}/resourceGroups/${{rg}}\n    expect:\n{checks}"
        ),
    )
}

/// `amlab lint` of `lab_file`: exit 2, and the output.
fn lint_fails(sb: &Sandbox, lab_file: &Path) -> String {
    let out = run(sb, &["lint", lab_file.to_str().unwrap()]);
    let text = all_output(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        &text[..text.len().min(4000)]
    );
    text
}

#[test]
fn a_query_nested_20000_deep_is_exit_2_at_its_place() {
    let sb = Sandbox::new();
    let deep = format!("{}name{}", "(".repeat(20_000), ")".repeat(20_000));
    let lab_file = limits_lab(
        &sb,
        "",
        &format!("      - query: \"{deep}\"\n        exists: true\n"),
    );
    let text = lint_fails(&sb, &lab_file);
    assert!(
        text.contains("query nested deeper than 100 levels"),
        "{}",
        &text[..2000]
    );
    assert!(text.contains("/limits.lab.yaml:10:"), "{}", &text[..2000]);
}

#[test]
fn a_query_that_copies_a_document_2_to_the_10_times_is_exit_2() {
    let sb = Sandbox::new();
    let fan = (0..10).fold("@".to_owned(), |q, _| format!("[{q},{q}]"));
    assert!(fan.len() < 8000);
    let lab_file = limits_lab(
        &sb,
        "",
        &format!("      - query: \"length({fan})\"\n        gte: 0\n"),
    );
    let text = lint_fails(&sb, &lab_file);
    assert!(text.contains("copy values more than 256 times"), "{text}");
    assert!(text.contains("/limits.lab.yaml:10:"), "{text}");
}

#[test]
fn parameters_that_double_40_times_are_exit_2_at_once() {
    let sb = Sandbox::new();
    let mut params = String::new();
    for i in 0..40 {
        params.push_str(&format!(
            "  p{i}: {{default: \"${{p{}}}${{p{}}}\"}}\n",
            i + 1,
            i + 1
        ));
    }
    params.push_str("  p40: {default: \"ab\"}\n");
    // The same with empty values: no size ever grows, only the number of substitutions.
    for i in 0..40 {
        params.push_str(&format!(
            "  e{i}: {{default: \"${{e{}}}${{e{}}}\"}}\n",
            i + 1,
            i + 1
        ));
    }
    params.push_str("  e40: {default: \"\"}\n");
    let lab_file = limits_lab(
        &sb,
        &params,
        "      - query: \"name == '${p0}${e0}'\"\n        equals: true\n",
    );
    let text = lint_fails(&sb, &lab_file);
    assert!(
        text.contains("parameter `p0`: after substitution this is longer than 65536 bytes"),
        "{text}"
    );
    assert!(text.contains("/limits.lab.yaml:5:"), "{text}");
    // `check` stops at the same place instead of building 2^40 bytes.
    let out = run(&sb, &["check", lab_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
}

#[test]
fn a_lab_that_expands_to_hundreds_of_megabytes_is_exit_2() {
    let sb = Sandbox::new();
    // 64 KB of parameter, named 13,000 times in a body: 800 MB once substituted.
    let params = format!("  big: {{default: \"{}\"}}\n", "x".repeat(60_000));
    let mut text = std::fs::read_to_string(limits_lab(
        &sb,
        &params,
        "      - query: name\n        exists: true\n",
    ))
    .unwrap();
    text.push_str("    create:\n      body:\n        tags:\n");
    for i in 0..13_000 {
        text.push_str(&format!("          t{i}: \"${{big}}\"\n"));
    }
    let lab_file = sb.write("lab/limits.lab.yaml", &text);
    assert!(text.len() < 600_000);
    let out = run(&sb, &["check", lab_file.to_str().unwrap()]);
    let all = all_output(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        &all[..all.len().min(3000)]
    );
    assert!(
        all.contains("more than 33554432 bytes over the lab"),
        "{}",
        &all[..all.len().min(3000)]
    );
    assert!(
        all.len() < 100_000,
        "output is bounded: {} bytes",
        all.len()
    );
}

#[test]
fn three_thousand_oversized_regexes_are_refused_quickly() {
    let sb = Sandbox::new();
    let mut checks = String::new();
    for _ in 0..3000 {
        checks.push_str("      - query: name\n        matches: \"(\\\\w{100}){100}\"\n");
    }
    let lab_file = limits_lab(&sb, "", &checks);
    let text = lint_fails(&sb, &lab_file);
    assert!(
        text.contains("more than 200 `matches` checks in one lab"),
        "{}",
        &text[..2000]
    );
    assert!(text.contains("exceeds size limit"), "{}", &text[..2000]);
    // Quick enough: bounded by the test's timeout (`run`).
}

// ---- 6. resource ids -------------------------------------------------------------------------

#[test]
fn resource_ids_that_leave_their_path_are_exit_2_at_their_place() {
    let sb = Sandbox::new();
    let mut text = String::from("id: ids\ntitle: Ids\nparams:\n  up: {default: \"..\"}\nsteps:\n");
    let bad = [
        "/subscriptions/${subscription}/../../_emulator/secrets",
        "/subscriptions/${subscription}/resourceGroups/..\\\\..\\\\_emulator",
        "/subscriptions/${subscription}/resourceGroups/rg#",
        "/subscriptions/${subscription}/resourceGroups/rg?x=1",
        "/subscriptions/${subscription}//rg",
        "/subscriptions/${subscription}/resourceGroups/${up}",
    ];
    for (i, r) in bad.iter().enumerate() {
        text.push_str(&format!(
            "  - id: s{i}\n    title: S\n    resource: \"{r}\"\n"
        ));
    }
    let lab_file = sb.write("lab/ids.lab.yaml", &text);
    let out = lint_fails(&sb, &lab_file);
    for (i, why) in [
        "a `.` or `..` segment",
        "a `\\`",
        "a `#` or `?`",
        "a `#` or `?`",
        "an empty segment",
        "a `.` or `..` segment",
    ]
    .iter()
    .enumerate()
    {
        let at = format!("/ids.lab.yaml:{}:15]", 8 + 3 * i);
        assert!(out.contains(&at), "{at} in {out}");
        assert!(out.contains(why), "{why} in {out}");
    }
}

#[test]
fn a_learner_whose_values_leave_the_resource_path_is_could_not_check() {
    let sb = Sandbox::new();
    let shipped = crate::support::test_lab("workspace.lab.yaml");
    let out = run(
        &sb,
        &[
            "run",
            shipped.to_str().unwrap(),
            "--provisioning-delay",
            "0",
            "--var",
            "suffix=ok1",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    sb.write("subs/good/vars.yaml", "suffix: ok1\n");
    sb.write(
        "subs/climber/vars.yaml",
        "suffix: ok1\nresource_group: \"rg-dp100-ok1/../../../_emulator/secrets\"\n",
    );
    let out = run(
        &sb,
        &[
            "grade",
            shipped.to_str().unwrap(),
            "--submissions",
            "subs",
            "--gradebook",
            "g.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let json = gradebook(&sb, "g.json");
    assert_eq!(row(&json, "good")["score"], 8);
    let climber = row(&json, "climber");
    assert_eq!(climber["could_not_check"], true, "{climber}");
    let message = climber["message"].as_str().unwrap();
    assert!(message.contains("a `.` or `..` segment"), "{message}");
}

// ---- 3. two grades -----------------------------------------------------------------------------

/// `from` copied to `to`, recursively.
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

/// Locks `path` (created) as another amlab process would; held while the file lives.
fn hold_lock(path: &Path) -> std::fs::File {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .unwrap();
    file.try_lock().unwrap();
    file
}

#[test]
fn a_gradebook_being_written_is_not_interleaved_and_fixtures_need_no_state_lock() {
    let sb = Sandbox::new();
    let shipped = lab("04-compute.lab.yaml");
    let reference = crate::support::repo().join("fixtures/dp100-04-compute/reference");
    copy_dir(&reference, &sb.path().join("subs/ref-1"));
    copy_dir(&reference, &sb.path().join("subs/ref-2"));
    // Another grade holds the emulator state (the default one): fixtures do not need it.
    let _state = hold_lock(&sb.path().join(".amlab/emulator-state.json.lock"));
    let args = [
        "grade",
        shipped.to_str().unwrap(),
        "--submissions",
        "subs",
        "--gradebook",
        "g.csv",
    ];
    let out = run(&sb, &args);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let csv = std::fs::read_to_string(sb.path().join("g.csv")).unwrap();
    let json = gradebook(&sb, "g.json");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert_eq!(json["learners"].as_array().map(Vec::len), Some(2));

    // Another grade is writing this gradebook: this one stops (exit 3) and writes neither file.
    let _book = hold_lock(&sb.path().join("g.csv.lock"));
    copy_dir(&reference, &sb.path().join("subs/ref-3"));
    let out = run(&sb, &args);
    assert_eq!(out.status.code(), Some(3), "{}", all_output(&out));
    assert!(
        stderr(&out).contains("is being written by another amlab grade"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(sb.path().join("g.csv")).unwrap(),
        csv
    );
    assert_eq!(gradebook(&sb, "g.json"), json);
}

// ---- 5. secrets in excerpts --------------------------------------------------------------------

#[test]
fn error_excerpts_mask_the_secrets_on_their_lines() {
    let sb = Sandbox::new();
    sb.write(
        "lab/ds.yml",
        &format!(
            "$schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json\nname: ds\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  account_key: {MARKER}-A\n  sas_tokn: \"?sv=1&sig={MARKER}-B\"\n"
        ),
    );
    let out = run(&sb, &["spec", "lab/ds.yml"]);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("ds.yml:8:3"), "{text}");
    assert!(!text.contains(MARKER), "{text}");
    assert!(text.contains("account_key: ****"), "{text}");

    // A lab's own excerpt: the line of a body's password, and the spec it names.
    let lab_text = format!(
        "id: s\ntitle: S\nparams:\n  resource_group: {{default: rg}}\n  workspace: {{default: ws}}\n  location: {{default: eastus}}\nsteps:\n  - id: a\n    title: A\n    resource: /subscriptions/${{subscription}}/resourceGroups/rg\n    create:\n      body:\n        properties: {{adminPassword: \"{MARKER}-C ${{nope}}\"}}\n  - id: b\n    title: B\n    resource: /subscriptions/${{subscription}}/resourceGroups/rg\n    create:\n      spec: ds.yml\n"
    );
    let lab_file = sb.write("lab/s.lab.yaml", &lab_text);
    let text = lint_fails(&sb, &lab_file);
    assert!(text.contains("undefined parameter `nope`"), "{text}");
    assert!(text.contains("ds.yml:8:3"), "{text}");
    assert!(!text.contains(MARKER), "{text}");
}
