//! Online deployments that take traffic are torn down with their endpoint, as a learner must:
//! the emulator refuses to delete one on its own (HTTP 400, like Azure ML), so a lab that tried
//! would fail its teardown, and the shipped online labs delete the endpoint instead.

use serde_json::Value;

use crate::support::{Sandbox, lab, lab_variant, stdout};

/// The (method, path, status) of every request the emulator served.
fn requests(sb: &Sandbox) -> Vec<(String, String, u64)> {
    sb.state()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r: &Value| {
            (
                r["method"].as_str().unwrap().to_owned(),
                r["path"].as_str().unwrap().to_owned(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_deployment_taking_traffic_goes_with_its_endpoint() {
    let sb = Sandbox::new();
    let fast = ["--provisioning-delay", "10ms"];
    let shipped = lab("15-online-endpoint.lab.yaml");
    let shipped = shipped.to_str().unwrap();
    let run = |path: &str| {
        let out = sb
            .amlab(&[&["run", path][..], &fast].concat())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    };
    let is_blue_delete =
        |(m, p, _): &(String, String, u64)| m == "DELETE" && p.contains("/deployments/blue?");

    // A teardown that deletes `blue` (100% of the traffic) before its endpoint is refused.
    run(shipped);
    let eager = lab_variant(
        &sb,
        "15-online-endpoint.lab.yaml",
        "while it receives traffic.\n    teardown: false",
        "while it receives traffic.\n    teardown: true",
    );
    let out = sb
        .amlab(&[&["teardown", eager.to_str().unwrap()][..], &fast].concat())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("ERROR deployment-blue"), "{text}");
    assert!(
        text.contains("HTTP 400 UserError: You can't delete a deployment that has live traffic allocated to it"),
        "{text}"
    );
    let refused: Vec<_> = requests(&sb).into_iter().filter(is_blue_delete).collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].2, 400);

    // The shipped lab deletes the endpoint, which takes `blue` with it: nothing is left.
    run(shipped);
    let before = requests(&sb).len();
    let out = sb
        .amlab(&[&["teardown", shipped][..], &fast].concat())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let during = &requests(&sb)[before..];
    assert!(!during.iter().any(is_blue_delete), "{during:?}");
    assert!(
        during.iter().any(|(m, p, s)| m == "DELETE"
            && p.contains("/onlineEndpoints/endpoint-")
            && !p.contains("/deployments/")
            && *s == 202),
        "{during:?}"
    );
    let left = sb.state()["resources"]
        .as_object()
        .map_or(0, serde_json::Map::len);
    assert_eq!(left, 0, "{}", sb.state()["resources"]);
}
