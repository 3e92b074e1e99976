//! Shared setup (`include:`): a lab's included parameters and steps run as its own; errors in
//! an included file point at that file, line and column; cycles, escapes from the lab's folder
//! and parameter clashes are errors, all reported at once.

use serde_json::Value;

use crate::support::{Sandbox, stderr, stdout};

/// A setup: a resource group and the parameters naming it.
const BASE: &str = "\
description: A resource group.
params:
  suffix:
    default: abc
  location:
    default: eastus
  rg:
    default: rg-${suffix}
steps:
  - id: rg
    title: A resource group
    resource: /subscriptions/${subscription}/resourceGroups/${rg}
    create:
      body: {location: \"${location}\"}
    expect:
      - query: location
        equals: \"${location}\"
";

/// A lab that includes [`BASE`], overrides `location` and needs the included step.
const LAB: &str = "\
id: with-setup
title: A lab with shared setup
include: [shared/base.setup.yaml]
params:
  location:
    default: westeurope
  storage:
    default: st${suffix}
steps:
  - id: storage
    title: A storage account
    needs: [rg]
    resource: /subscriptions/${subscription}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${storage}
    create:
      body:
        location: \"${location}\"
        kind: StorageV2
        sku: {name: Standard_LRS}
    expect:
      - query: location
        equals: westeurope
";

fn report(sb: &Sandbox, name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(sb.path().join(name)).unwrap()).unwrap()
}

#[test]
fn a_lab_runs_the_setup_it_includes_with_its_own_overrides() {
    let sb = Sandbox::new();
    sb.write("labs/with-setup.lab.yaml", LAB);
    sb.write("labs/shared/base.setup.yaml", BASE);

    // Discovery takes the setup for no lab.
    let lint = sb.amlab(&["lint", "labs"]).output().unwrap();
    assert_eq!(lint.status.code(), Some(0), "{}", stderr(&lint));
    assert!(stdout(&lint).contains("with-setup.lab.yaml (with-setup, 2 steps)"));
    assert!(stdout(&lint).contains("1 lab valid"), "{}", stdout(&lint));

    let run = sb
        .amlab(&["run", "labs", "--report", "json=run.json"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let r = report(&sb, "run.json");
    let steps: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["rg", "storage"], "included steps come first");
    // The included step used the lab's `location`, and its check says where it is written.
    let rg = &r["steps"][0]["checks"][0];
    assert_eq!(rg["actual"], "westeurope");
    assert_eq!(rg["file"], "labs/shared/base.setup.yaml");
    assert_eq!(rg["line"], 16);
    assert!(r["steps"][1]["checks"][0].get("file").is_none());

    // Handing a setup file over as a lab is an error that says what it is.
    let direct = sb
        .amlab(&["lint", "labs/shared/base.setup.yaml"])
        .output()
        .unwrap();
    assert_eq!(direct.status.code(), Some(2));
    assert!(
        stderr(&direct).contains("labs/shared/base.setup.yaml: is shared setup, not a lab"),
        "{}",
        stderr(&direct)
    );
}

#[test]
fn errors_in_an_included_file_point_into_that_file() {
    let sb = Sandbox::new();
    sb.write(
        "labs/with-setup.lab.yaml",
        &LAB.replace("equals: westeurope", "equals: westeurope\n        titel: x"),
    );
    sb.write(
        "labs/shared/base.setup.yaml",
        &BASE
            .replace(
                "    title: A resource group\n",
                "    title: A resource group\n    need: [x]\n",
            )
            .replace("query: location", "query: location[")
            .replace("resourceGroups/${rg}", "resourceGroups/${rgg}"),
    );
    let out = sb.amlab(&["lint", "labs"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&out));
}

#[test]
fn an_include_cycle_is_an_error_naming_it() {
    let sb = Sandbox::new();
    sb.write(
        "labs/l.lab.yaml",
        "id: l\ntitle: L\ninclude: [shared/a.setup.yaml]\nsteps: []\n",
    );
    sb.write("labs/shared/a.setup.yaml", "include: [b.setup.yaml]\n");
    sb.write(
        "labs/shared/b.setup.yaml",
        "include: [../shared/a.setup.yaml]\n",
    );
    sb.write(
        "labs/shared/self.setup.yaml",
        "include: [self.setup.yaml]\n",
    );
    sb.write(
        "labs/m.lab.yaml",
        "id: m\ntitle: M\ninclude: [shared/self.setup.yaml]\nsteps: []\n",
    );
    let out = sb.amlab(&["lint", "labs"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("include cycle: labs/shared/a.setup.yaml -> labs/shared/b.setup.yaml -> labs/shared/../shared/a.setup.yaml"),
        "{err}"
    );
    assert!(err.contains("[labs/shared/b.setup.yaml:1:11]"), "{err}");
    assert!(
        err.contains("include cycle: labs/shared/self.setup.yaml -> labs/shared/self.setup.yaml"),
        "{err}"
    );
}

#[test]
fn includes_nest_at_most_eight_deep() {
    let sb = Sandbox::new();
    sb.write(
        "labs/l.lab.yaml",
        "id: l\ntitle: L\ninclude: [s1.setup.yaml]\nsteps: []\n",
    );
    for i in 1..=12 {
        sb.write(
            &format!("labs/s{i}.setup.yaml"),
            &format!("include: [s{}.setup.yaml]\n", i + 1),
        );
    }
    sb.write("labs/s13.setup.yaml", "params: {}\n");
    let out = sb.amlab(&["lint", "labs"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("includes are nested more than 8 deep"),
        "{err}"
    );
    assert!(err.contains("[labs/s8.setup.yaml:1:11]"), "{err}");
}

#[cfg(unix)]
#[test]
fn includes_stay_inside_the_lab_folder_and_every_problem_is_reported() {
    let sb = Sandbox::new();
    let outside = sb.write("secret.setup.yaml", "description: TOP-SECRET-MARKER\n");
    sb.write("labs/other.lab.yaml", "id: other\ntitle: O\nsteps: []\n");
    std::os::unix::fs::symlink(&outside, sb.path().join("labs/link.setup.yaml")).unwrap();
    std::fs::create_dir_all(sb.path().join("labs/dir.setup.yaml")).unwrap();
    sb.write(
        "labs/big.setup.yaml",
        &format!("description: \"{}\"\n", "x".repeat(4 * 1024 * 1024)),
    );
    let lab = format!(
        "id: l\ntitle: L\ninclude:\n  - ../secret.setup.yaml\n  - {}\n  - /etc/passwd\n  - link.setup.yaml\n  - dir.setup.yaml\n  - missing.setup.yaml\n  - other.lab.yaml\n  - big.setup.yaml\n  - \"\"\nsteps: []\n",
        outside.display()
    );
    sb.write("labs/l.lab.yaml", &lab);
    let out = sb.amlab(&["lint", "labs/l.lab.yaml"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("TOP-SECRET-MARKER"), "{err}");
    let expect = [
        (
            "l.lab.yaml:4:5",
            "include `../secret.setup.yaml` is outside the lab's folder",
        ),
        ("l.lab.yaml:5:5", "is an absolute path"),
        (
            "l.lab.yaml:6:5",
            "include `/etc/passwd` is an absolute path",
        ),
        (
            "l.lab.yaml:7:5",
            "include `link.setup.yaml` is outside the lab's folder",
        ),
        (
            "l.lab.yaml:8:5",
            "include `dir.setup.yaml` is not a regular file (a folder)",
        ),
        (
            "l.lab.yaml:9:5",
            "include `missing.setup.yaml` cannot be read",
        ),
        (
            "l.lab.yaml:10:5",
            "include `other.lab.yaml` is not named `*.setup.yaml`",
        ),
        ("l.lab.yaml:11:5", "larger than 4194304 bytes together"),
        ("l.lab.yaml:12:5", "empty include path"),
    ];
    for (at, message) in expect {
        assert!(err.contains(&format!("[labs/{at}]")), "{at} in {err}");
        assert!(err.contains(message), "{message} in {err}");
    }
}

/// A setup defining `location` (and `shared`, both included by two setups below).
fn clash_world(sb: &Sandbox, lab_defines_location: bool) -> std::process::Output {
    sb.write(
        "labs/shared/names.setup.yaml",
        "params:\n  shared:\n    default: s\n",
    );
    sb.write(
        "labs/shared/a.setup.yaml",
        "include: [names.setup.yaml]\nparams:\n  location:\n    default: eastus\n",
    );
    sb.write(
        "labs/shared/b.setup.yaml",
        "include: [names.setup.yaml]\nparams:\n  location:\n    default: westus\nsteps:\n  - id: rg\n    title: RG\n    resource: /subscriptions/${subscription}/resourceGroups/rg-${shared}\n",
    );
    let own = if lab_defines_location {
        "params:\n  location:\n    default: northeurope\n"
    } else {
        ""
    };
    sb.write(
        "labs/l.lab.yaml",
        &format!(
            "id: l\ntitle: L\ninclude: [shared/a.setup.yaml, shared/b.setup.yaml]\n{own}steps:\n  - id: rg\n    title: RG again\n    resource: /subscriptions/${{subscription}}/resourceGroups/rg-${{location}}\n"
        ),
    );
    sb.amlab(&["lint", "labs"]).output().unwrap()
}

#[test]
fn a_parameter_from_two_setups_clashes_unless_the_lab_defines_it() {
    let sb = Sandbox::new();
    let out = clash_world(&sb, false);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    // The clash, at both positions, each naming the other.
    assert!(
        err.contains("parameter `location` is also defined in labs/shared/b.setup.yaml:3:3"),
        "{err}"
    );
    assert!(err.contains("[labs/shared/a.setup.yaml:3:3]"), "{err}");
    assert!(
        err.contains("parameter `location` is also defined in labs/shared/a.setup.yaml:3:3"),
        "{err}"
    );
    assert!(err.contains("[labs/shared/b.setup.yaml:3:3]"), "{err}");
    // A setup included twice (a diamond) is merged once: `shared` does not clash.
    assert!(!err.contains("parameter `shared`"), "{err}");
    // A step id used in a setup and in the lab: an error in both files.
    assert!(
        err.contains("step ids must be unique; `rg` is first used on labs/shared/b.setup.yaml:6:9"),
        "{err}"
    );
    assert!(
        err.contains("`rg` is used again in labs/l.lab.yaml:5:9"),
        "{err}"
    );

    // When the lab defines the parameter, its definition wins and nothing clashes.
    let sb = Sandbox::new();
    let out = clash_world(&sb, true);
    let err = stderr(&out);
    assert!(!err.contains("parameter `location`"), "{err}");
    std::fs::write(
        sb.path().join("labs/l.lab.yaml"),
        std::fs::read_to_string(sb.path().join("labs/l.lab.yaml"))
            .unwrap()
            .replace(
                "  - id: rg\n    title: RG again",
                "  - id: rg2\n    title: RG again",
            ),
    )
    .unwrap();
    let out = sb.amlab(&["explain", "labs/l.lab.yaml"]).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(text.contains("northeurope"), "{text}");
    assert!(
        !text.contains("westus") && !text.contains("eastus"),
        "{text}"
    );
}
