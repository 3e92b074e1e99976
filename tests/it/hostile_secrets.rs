//! Secrets on other paths, and the limits of `amlab serve` (issue 12, items 8-12): tokens a
//! server echoes, passwords in `--target`, secrets in the emulator state file, the bounded
//! request log, and `serve` on an address other than loopback.

use std::io::BufRead;

use crate::support::{Sandbox, stderr};

#[test]
fn serve_on_a_non_loopback_address_needs_allow_remote() {
    let sb = Sandbox::new();
    for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.1:8080"] {
        // Bounded: with the check missing, the server would listen until killed.
        let out = sb
            .amlab(&["serve", "--addr", addr])
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{addr}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("not a loopback address"), "{err}");
        assert!(err.contains("--allow-remote"), "{err}");
        assert!(out.stdout.is_empty(), "nothing listened on {addr}");
    }
}

#[test]
fn allow_remote_listens_and_warns_that_the_inspection_endpoints_are_open() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_amlab"))
        .args(["serve", "--addr", "0.0.0.0:0", "--allow-remote"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut listening = String::new();
    out.read_line(&mut listening).unwrap();
    // The warning comes before the listener is bound; stderr is read to its end once the
    // server is gone, so a missing warning fails instead of waiting.
    let _ = child.kill();
    let _ = child.wait();
    let mut warning = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut warning).unwrap();
    assert!(warning.contains("warning"), "{warning}");
    assert!(warning.contains("/_emulator/secrets"), "{warning}");
    assert!(
        listening.starts_with("listening on http://0.0.0.0:"),
        "{listening}"
    );
}

#[test]
fn loopback_needs_no_flag() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_amlab"))
        .args(["serve", "--addr", "[::1]:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut listening = String::new();
    out.read_line(&mut listening).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        listening.starts_with("listening on http://[::1]:"),
        "{listening}"
    );
}

/// The bearer token of the echo tests: not JWT-shaped, so only knowing it can remove it.
const TOKEN: &str = "amlab-echoed-token-7Qx2Vb9Lm4";

/// A lab of three resource groups a hostile endpoint answers with the caller's token: in a
/// 403 message, in a 500 body, and in a tag a check reads.
const ECHO_LAB: &str = r#"id: echo-lab
title: An endpoint that echoes the token
params:
  groups:
    default: "/subscriptions/${subscription}/resourceGroups"
steps:
  - id: forbidden
    title: A group the token may not read
    resource: "${groups}/rg-forbidden"
    expect:
      - query: location
        equals: eastus
  - id: broken
    title: A group the endpoint fails on
    resource: "${groups}/rg-broken"
    # A 500 is retried for as long as the step's time budget allows: keep it short here.
    timeout: 2s
    expect:
      - query: location
        equals: eastus
  - id: echoed
    title: A group whose tag holds the token
    resource: "${groups}/rg-echo"
    expect:
      - query: tags.note
        equals: quiet
"#;

/// An ARM endpoint that echoes the bearer token it receives; stops with the runtime.
struct EchoArm {
    url: String,
    _runtime: tokio::runtime::Runtime,
}

impl EchoArm {
    fn start() -> Self {
        use axum::http::{HeaderMap, StatusCode, Uri};
        use axum::response::IntoResponse;
        async fn handle(uri: Uri, headers: HeaderMap) -> axum::response::Response {
            let token = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .trim_start_matches("Bearer ")
                .to_owned();
            let path = uri.path();
            let json = |status: StatusCode, body: serde_json::Value| {
                (
                    status,
                    [("content-type", "application/json"), ("retry-after", "0")],
                    body.to_string(),
                )
                    .into_response()
            };
            if path.ends_with("/rg-forbidden") {
                json(
                    StatusCode::FORBIDDEN,
                    serde_json::json!({"error": {"code": "AuthorizationFailed", "message":
                        format!("The client with token {token} does not have authorization")}}),
                )
            } else if path.ends_with("/rg-broken") {
                json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    serde_json::json!({"error": {"code": "InternalServerError", "message":
                        format!("failed while handling token={token}")}}),
                )
            } else {
                json(
                    StatusCode::OK,
                    serde_json::json!({"id": path, "name": "rg-echo", "location": "eastus",
                        "tags": {"note": format!("seen {token}")},
                        "properties": {"provisioningState": "Succeeded"}}),
                )
            }
        }
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(handle);
        runtime.spawn(async move { axum::serve(listener, app).await });
        Self {
            url,
            _runtime: runtime,
        }
    }
}

/// Every file under `dir`, as text (nothing when `dir` does not exist: `check` writes no
/// `.amlab/`).
fn all_text(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    if !dir.exists() {
        return out;
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_text(&path));
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            out.push((path, text));
        }
    }
    out
}

#[test]
fn an_echoed_token_reaches_no_output() {
    let arm = EchoArm::start();
    let sb = Sandbox::new();
    let lab = sb.write("echo.lab.yaml", ECHO_LAB);
    let out = sb
        .amlab(&["check", lab.to_str().unwrap(), "--target", &arm.url])
        .args(["--auth", "token", "--report", "json=out/report.json"])
        .args([
            "--report",
            "junit=out/junit.xml",
            "--report",
            "github=out/summary.md",
        ])
        .args(["--report", "classroom=out/classroom.json", "--reveal"])
        .env("AZURE_ACCESS_TOKEN", TOKEN)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let (stdout, stderr) = (crate::support::stdout(&out), stderr(&out));
    // The run itself went as it should: the 403 and the 500 are errors, the tag a failure.
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.path().join("out/report.json")).unwrap())
            .unwrap();
    let steps = &report["steps"];
    assert_eq!(steps[0]["status"], "error", "{report}");
    assert_eq!(steps[1]["status"], "error", "{report}");
    assert_eq!(steps[2]["status"], "failed", "{report}");
    assert!(
        steps[0]["message"]
            .as_str()
            .unwrap()
            .contains("AuthorizationFailed"),
        "{report}"
    );
    assert_eq!(
        steps[2]["checks"][0]["actual"], "seen Sanitized",
        "{report}"
    );
    assert!(
        stdout.contains("::error"),
        "GitHub annotations on stdout: {stdout}"
    );
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        assert!(!text.contains(TOKEN), "{name}: {text}");
    }
    let files = all_text(&sb.path().join("out"));
    assert_eq!(files.len(), 4);
    for (path, text) in files {
        assert!(!text.contains(TOKEN), "{}: {text}", path.display());
    }
}

#[test]
fn an_echoed_token_reaches_no_gradebook() {
    let arm = EchoArm::start();
    let sb = Sandbox::new();
    let lab = sb.write("echo.lab.yaml", ECHO_LAB);
    sb.write("subs/ada/vars.env", "");
    let out = sb
        .amlab(&["grade", lab.to_str().unwrap(), "--submissions", "subs"])
        .args(["--gradebook", "out/grades.csv", "--target", &arm.url])
        .args(["--auth", "token"])
        .env("AZURE_ACCESS_TOKEN", TOKEN)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let (stdout, stderr) = (crate::support::stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    // The gradebook's lock file (empty) stays beside it.
    let files: Vec<_> = all_text(&sb.path().join("out"))
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e != "lock"))
        .collect();
    assert_eq!(files.len(), 2, "the CSV and the JSON gradebook");
    let json = files
        .iter()
        .find(|(p, _)| p.extension().unwrap() == "json")
        .unwrap();
    assert!(json.1.contains("AuthorizationFailed"), "{}", json.1);
    assert!(json.1.contains("seen Sanitized"), "{}", json.1);
    let outputs = [("stdout".into(), stdout), ("stderr".into(), stderr)];
    for (path, text) in files.iter().chain(&outputs) {
        assert!(!text.contains(TOKEN), "{}: {text}", path.display());
    }
}

#[test]
fn a_password_in_the_target_url_is_never_shown_nor_stored() {
    let arm = EchoArm::start();
    let sb = Sandbox::new();
    let lab = sb.write("echo.lab.yaml", ECHO_LAB);
    let hostport = arm.url.trim_start_matches("http://");
    let target = format!("http://ada:hunter2-pass@{hostport}");
    let out = sb
        .amlab(&["check", lab.to_str().unwrap(), "--target", &target])
        .args(["--auth", "token", "--report", "json=out/report.json"])
        .args(["--record", "out/rec"])
        .env("AZURE_ACCESS_TOKEN", TOKEN)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let (stdout, stderr) = (crate::support::stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("user name and password in the --target URL are ignored"),
        "{stderr}"
    );
    // Prose survives the scrubber: only a token is a secret.
    assert!(
        stderr.contains("with a bearer token, see --auth"),
        "{stderr}"
    );
    let report = std::fs::read_to_string(sb.path().join("out/report.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(doc["target"], arm.url.as_str(), "{report}");
    let recording = std::fs::read_to_string(sb.path().join("out/rec/echo-lab/check.json"))
        .unwrap_or_else(|e| panic!("{e}\n{stderr}"));
    assert!(recording.contains(&arm.url), "{recording}");
    let mut outputs = all_text(&sb.path().join("out"));
    outputs.extend(all_text(&sb.path().join(".amlab")));
    outputs.push(("stdout".into(), stdout));
    outputs.push(("stderr".into(), stderr));
    for (path, text) in &outputs {
        assert!(!text.contains("hunter2-pass"), "{}: {text}", path.display());
        assert!(!text.contains("ada:"), "{}: {text}", path.display());
        // The token the endpoint echoed is not in the recording either.
        assert!(!text.contains(TOKEN), "{}: {text}", path.display());
    }
}

/// Sends `n` pipelined GETs with `path_len`-byte paths on one connection (no token: each is
/// answered 401 and logged), reading the answers on another thread; returns once all came.
fn flood(served: &crate::support::Served, n: usize, path_len: usize) {
    use std::io::{Read, Write};
    let hostport = served.url.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&hostport).unwrap();
    let mut reader = stream.try_clone().unwrap();
    let drain = std::thread::spawn(move || {
        let mut sink = Vec::new();
        reader.read_to_end(&mut sink).map(|_| sink.len())
    });
    let filler = "a".repeat(path_len);
    for i in 0..n {
        let close = if i + 1 == n {
            "Connection: close\r\n"
        } else {
            ""
        };
        write!(
            stream,
            "GET /subscriptions/{i}/{filler} HTTP/1.1\r\nHost: {hostport}\r\n{close}\r\n"
        )
        .unwrap();
    }
    stream.flush().unwrap();
    let answered = drain.join().unwrap().unwrap();
    assert!(
        answered > n * 100,
        "every request was answered ({answered} bytes)"
    );
}

#[test]
fn the_serve_request_log_stays_bounded_under_huge_paths() {
    let served = crate::support::Served::start(&[]);
    // More requests than the ring keeps (10,000), each with a 30 KB path.
    let n = 10_050;
    flood(&served, n, 30_000);
    let all = served.get("/_emulator/requests");
    let entries = all.as_array().unwrap();
    assert_eq!(entries.len(), 10_000, "the documented ring size");
    assert_eq!(entries[0]["seq"], 51, "the oldest 50 were dropped");
    assert_eq!(entries[9_999]["seq"], 10_050);
    let bytes: usize = entries
        .iter()
        .map(|e| e["path"].as_str().unwrap().len())
        .sum();
    // 2 KiB of path at most per entry, marked as cut; 300 MB were sent.
    assert!(bytes <= 10_000 * (2048 + 32), "{bytes} bytes of paths kept");
    let last = entries[9_999]["path"].as_str().unwrap();
    assert!(last.ends_with("bytes cut]"), "{}", &last[last.len() - 40..]);
    assert!(
        last.starts_with("/subscriptions/10049/aaa"),
        "{}",
        &last[..40]
    );
    // A cursor returns only what came after it.
    let newer = served.get("/_emulator/requests?since=10048");
    let seqs: Vec<u64> = newer
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [10_049, 10_050]);
}

#[test]
fn serve_refuses_a_body_over_4_mib_with_an_arm_error() {
    use std::io::{Read, Write};
    let served = crate::support::Served::start(&[]);
    let token = served.token();
    let hostport = served.url.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&hostport).unwrap();
    let body = format!("{{\"location\": \"{}\"}}", "x".repeat(5 * 1024 * 1024));
    // The server may answer and close before the whole body is sent: a failed write is fine.
    let _ = write!(
        stream,
        "PUT /subscriptions/s/resourceGroups/rg?api-version=2021-04-01 HTTP/1.1\r\nHost: {hostport}\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    assert!(
        text.starts_with("HTTP/1.1 413"),
        "{}",
        &text[..text.len().min(300)]
    );
    assert!(text.contains("\"code\":\"RequestTooLarge\""), "{text}");
    assert!(text.contains("4194304 bytes"), "{text}");
    let log = served.requests();
    assert_eq!(log.last().map(|r| r.2), Some(413), "{log:?}");
}

#[test]
fn a_datastore_key_or_sas_a_lab_puts_never_reaches_the_state_file() {
    let sb = Sandbox::new();
    // An account key and a SAS token as a learner would paste them (base64, URL-encoded).
    let key = format!("{}UExBTlRFRA==", "a1B2".repeat(19));
    let sas = "sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01&sig=UExBTlRFRC1TQVM%3D";
    for (kind, field, value) in [
        ("AccountKey", "key", key.as_str()),
        ("Sas", "sasToken", sas),
    ] {
        let lab = crate::support::lab_variant(
            &sb,
            "03-data.lab.yaml",
            "credentialsType: None",
            &format!(
                "credentialsType: {kind}\n            secrets: {{secretsType: {kind}, {field}: \"{value}\"}}"
            ),
        );
        let out = sb
            .amlab(&["run", lab.to_str().unwrap(), "--var", "suffix=abc123"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            crate::support::stdout(&out)
        );
        let state = std::fs::read_to_string(sb.path().join(".amlab/emulator-state.json")).unwrap();
        assert!(
            state.contains(&format!("\"secretsType\": \"{kind}\"")),
            "{state}"
        );
        assert!(state.contains("sha256:"), "the secret is kept as a digest");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(sb.path().join(".amlab/emulator-state.json")).unwrap();
            assert_eq!(meta.permissions().mode() & 0o077, 0, "owner only");
        }
        for (path, text) in all_text(&sb.path().join(".amlab")) {
            assert!(
                !text.contains(value),
                "{kind} in {}: {text}",
                path.display()
            );
            assert!(!text.contains("UExBTlRFR"), "{kind} in {}", path.display());
        }
    }
}
