//! `amlab explain`: a lab in words for the learner who does it by hand (insta snapshots).

use crate::support::{Sandbox, repo, stdout};

#[test]
fn explains_lab_04_parameters_resources_and_checks() {
    let out = Sandbox::new()
        .amlab(&["explain", "labs/dp100/04-compute.lab.yaml"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&out));
}

const HIDDEN: &str = r#"id: hidden-demo
title: Hidden checks
params:
  rg: {description: Your resource group.}
steps:
  - id: rg
    title: The resource group
    resource: /subscriptions/${subscription}/resourceGroups/${rg}
    expect:
      - title: In the lab's region
        query: location
        equals: eastus
        points: 2
      - title: Tagged for the course
        query: tags.course
        equals: dp100
        visibility: hidden
        points: 3
      - title: Owned by you
        query: tags.owner
        exists: true
        visibility: none
        points: 1
"#;

#[test]
fn hidden_checks_stay_hidden_unless_revealed() {
    let sb = Sandbox::new();
    sb.write("h.lab.yaml", HIDDEN);
    let out = sb.amlab(&["explain", "h.lab.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(!text.contains("tags.course"), "{text}");
    assert!(!text.contains("dp100"), "{text}");
    insta::assert_snapshot!("hidden", text);
    let out = sb
        .amlab(&["explain", "h.lab.yaml", "--reveal"])
        .output()
        .unwrap();
    insta::assert_snapshot!("revealed", stdout(&out));
}

#[test]
fn a_deleting_step_is_explained_as_the_starting_state() {
    let out = Sandbox::new()
        .amlab(&["explain", "labs/ai103/16-recover-soft-deleted.lab.yaml"])
        .current_dir(repo())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let deleted = text
        .split("\n\n")
        .find(|block| block.trim_start().starts_with("deleted ·"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        deleted.contains("- deleted by the lab's setup (its starting state): nothing to check"),
        "{deleted}"
    );
    assert!(!deleted.contains("the resource exists"), "{deleted}");
}
