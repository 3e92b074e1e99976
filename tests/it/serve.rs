//! `amlab serve` on loopback, and the URL target talking to it over real HTTP: every shipped lab
//! through run, check and teardown. Injected faults (throttling, errors, drops, hangs) are in
//! `faults.rs`.

use crate::support::{Sandbox, Served, lab, repo, stderr, stdout};

pub fn labs() -> String {
    repo().join("labs/dp100").to_str().unwrap().to_owned()
}

/// `amlab MODE labs --target URL --auth token` in the sandbox.
pub fn against(sb: &Sandbox, served: &Served, args: &[&str]) -> std::process::Output {
    let mut cmd = sb.amlab(args);
    cmd.args(["--target", &served.url, "--auth", "token"])
        .env("AZURE_ACCESS_TOKEN", served.token());
    cmd.output().unwrap()
}

#[test]
fn every_lab_runs_checks_and_tears_down_over_http() {
    let served = Served::start(&[]);
    let sb = Sandbox::new();
    let labs = labs();
    for mode in ["run", "check", "teardown"] {
        let out = against(&sb, &served, &[mode, &labs]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{mode}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("AZURE_ACCESS_TOKEN"),
            "says which credential: {}",
            stderr(&out)
        );
    }
    // Nothing is left: checking again finds every resource missing.
    let out = against(&sb, &served, &["check", &labs]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn check_sends_only_get_and_polling_honours_retry_after() {
    let served = Served::start(&["--provisioning-delay", "400ms"]);
    let sb = Sandbox::new();
    let compute = lab("04-compute.lab.yaml");
    let out = against(&sb, &served, &["run", compute.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let after_run = served.requests();

    // Polling: each long-running operation was polled a handful of times, not busily. The
    // server asks for the remaining delay (retry-after-ms), so one or two polls suffice.
    let mut polls: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (method, path, _) in &after_run {
        if method == "GET"
            && (path.contains("OperationsStatus")
                || path.contains("operationStatuses")
                || path.contains("asyncoperations"))
        {
            *polls.entry(path.split('?').next().unwrap()).or_default() += 1;
        }
    }
    assert!(
        !polls.is_empty(),
        "no long-running operation was polled: {after_run:?}"
    );
    for (op, n) in &polls {
        assert!(*n <= 3, "{op} polled {n} times within a 400 ms operation");
    }

    // The harness signs in first (one POST to the token endpoint); then amlab checks.
    let token = served.token();
    let signed_in = served.requests().len();
    let out = sb
        .amlab(&["check", compute.to_str().unwrap()])
        .args(["--target", &served.url, "--auth", "token"])
        .env("AZURE_ACCESS_TOKEN", token)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let during_check = &served.requests()[signed_in..];
    assert_eq!(during_check.len(), 9, "one GET per step: {during_check:?}");
    assert!(
        during_check.iter().all(|(m, _, _)| m == "GET"),
        "{during_check:?}"
    );
    assert!(
        !during_check
            .iter()
            .any(|(_, p, _)| p.to_ascii_lowercase().contains("list")),
        "no secret-listing action"
    );
}

#[test]
fn a_server_that_always_fails_is_exit_3_with_the_reason() {
    let served = Served::start(&["--error-rate", "1"]);
    let sb = Sandbox::new();
    let out = against(
        &sb,
        &served,
        &[
            "run",
            lab("01-workspace.lab.yaml").to_str().unwrap(),
            "--retries",
            "2",
        ],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("gave up after 3 attempts"), "{text}");
    assert!(
        text.contains("InternalServerError") || text.contains("ServiceUnavailable"),
        "{text}"
    );
    assert!(
        text.contains("SKIP  storage"),
        "dependents are skipped: {text}"
    );
    // Bounded: exactly three attempts at the first step's PUT.
    let puts = served.requests().iter().filter(|r| r.0 == "PUT").count();
    assert_eq!(puts, 3);
}

#[test]
fn requests_without_a_bearer_token_get_401() {
    let served = Served::start(&[]);
    let hostport = served.url.trim_start_matches("http://").to_owned();
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(&hostport).unwrap();
    write!(stream, "GET /subscriptions/s/resourceGroups/rg?api-version=2024-03-01 HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
    assert!(text.contains("\"code\":\"AuthenticationFailed\""), "{text}");
}

#[test]
fn tls_with_the_printed_ca_certificate() {
    let sb = Sandbox::new();
    let ca = sb.path().join("ca.pem");
    let served = Served::start(&["--tls", "--ca-out", ca.to_str().unwrap()]);
    assert!(
        served.url.starts_with("https://127.0.0.1:"),
        "{}",
        served.url
    );
    let pem = std::fs::read_to_string(&ca).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(!pem.contains("PRIVATE KEY"));
    let out = against(
        &sb,
        &served,
        &[
            "run",
            lab("01-workspace.lab.yaml").to_str().unwrap(),
            "--ca-cert",
            ca.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    // Without trusting the CA, the TLS handshake fails: exit 3.
    let out = against(
        &sb,
        &served,
        &[
            "check",
            lab("01-workspace.lab.yaml").to_str().unwrap(),
            "--retries",
            "0",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
}

/// Sends one raw HTTP/1.1 request and returns the response head (status line and headers).
fn raw_head(served: &Served, method: &str, path: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let token = served.token();
    let hostport = served.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(hostport).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text.split_once("\r\n\r\n").unwrap().0.to_owned()
}

#[test]
fn a_compute_put_answers_with_one_content_type() {
    let served = Served::start(&["--provisioning-delay", "0"]);
    let sb = Sandbox::new();
    let compute = lab("04-compute.lab.yaml");
    let out = against(
        &sb,
        &served,
        &["run", compute.to_str().unwrap(), "--var", "suffix=ct1"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let ws = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dp100-ct1\
              /providers/Microsoft.MachineLearningServices/workspaces/mlw-dp100-ct1";
    let body = r#"{"location":"eastus","properties":{"computeType":"AmlCompute","properties":
        {"vmSize":"STANDARD_DS11_V2","vmPriority":"Dedicated","osType":"Linux","scaleSettings":
        {"minNodeCount":0,"maxNodeCount":1,"nodeIdleTimeBeforeScaleDown":"PT2M"}}}}"#;
    for method in ["PUT", "GET"] {
        let head = raw_head(
            &served,
            method,
            &format!("{ws}/computes/cpu-two?api-version=2025-12-01"),
            if method == "PUT" { body } else { "" },
        );
        assert!(head.starts_with("HTTP/1.1 20"), "{head}");
        let content_types = head
            .lines()
            .filter(|l| l.to_ascii_lowercase().starts_with("content-type:"))
            .count();
        assert_eq!(content_types, 1, "{method}: {head}");
    }
}

/// One raw HTTP/1.1 request to `served` with `Host: host` (as a client behind the proxy names
/// the Azure host) and a JSON body: (status, body). Answers here are small and sent with a
/// length (no chunking).
pub fn raw_request(
    served: &Served,
    method: &str,
    host: &str,
    path: &str,
    auth: Option<&str>,
    body: &str,
) -> (u16, String) {
    use std::io::{Read, Write};
    let hostport = served.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(hostport).unwrap();
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

/// `amlab run` of DP-100 lab `lab_file` with `suffix` against `served` (asserting exit 0), then
/// the path (without query) of the first PUT whose path contains `needle`.
pub fn run_lab_then_put_path(
    served: &Served,
    lab_file: &str,
    suffix: &str,
    needle: &str,
) -> String {
    let sb = Sandbox::new();
    let path = lab(lab_file).to_string_lossy().into_owned();
    let var = format!("suffix={suffix}");
    let out = against(&sb, served, &["run", &path, "--var", &var]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    served
        .requests()
        .into_iter()
        .find(|(m, p, _)| m == "PUT" && p.contains(needle))
        .map(|(_, p, _)| p.split('?').next().unwrap_or_default().to_owned())
        .unwrap_or_else(|| panic!("no PUT of {needle}"))
}
