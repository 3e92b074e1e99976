//! The learner who did the lab by hand: naming their own resources is enough to check them.

use crate::support::{Sandbox, lab, stdout};

/// The `--var`s naming every resource of lab 04 that `run --var suffix=SUFFIX` created.
pub fn lab04_names(suffix: &str) -> Vec<String> {
    [
        ("resource_group", "rg-dp100-"),
        ("workspace", "mlw-dp100-"),
        ("storage", "stdp100"),
        ("key_vault", "kv-dp100-"),
        ("app_insights", "appi-dp100-"),
        ("compute_instance", "ci"),
    ]
    .iter()
    .flat_map(|(name, prefix)| ["--var".to_owned(), format!("{name}={prefix}{suffix}")])
    .collect()
}

#[test]
fn naming_every_resource_is_enough_without_the_suffix() {
    let sb = Sandbox::new();
    let lab04 = lab("04-compute.lab.yaml");
    let lab04 = lab04.to_str().unwrap();
    let run = sb
        .amlab(&[
            "run",
            lab04,
            "--var",
            "suffix=byhand1",
            "--provisioning-delay",
            "0s",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    // The learner's own machine: nothing remembered.
    std::fs::remove_file(sb.path().join(".amlab/params.json")).unwrap();
    let names = lab04_names("byhand1");
    let mut args = vec!["check", lab04];
    args.extend(names.iter().map(String::as_str));
    let check = sb.amlab(&args).output().unwrap();
    let text = stdout(&check);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{text}{}",
        crate::support::stderr(&check)
    );
    assert!(text.contains("score 20/20"), "{text}");
}
