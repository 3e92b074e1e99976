//! Fault tolerance: the whole catalog through throttling, server errors and dropped connections
//! gives the same verdicts; SIGKILL during a write of the state file or a report leaves no partial
//! file; a server that stops answering mid-run is exit 3 within `--timeout`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::serve::{against, labs};
use crate::support::{Sandbox, Served, lab, repo, stdout};

/// One lab's verdict: (lab id, passed, score, every step's `id=status`).
type Verdict = (String, bool, String, Vec<String>);

/// A server's request log: (method, path, status).
type Log = Vec<(String, String, u16)>;

/// Each lab's verdict in a JSON report.
fn verdicts(report: &serde_json::Value) -> Vec<Verdict> {
    report["labs"]
        .as_array()
        .expect("labs")
        .iter()
        .map(|l| {
            (
                l["lab"]["id"].as_str().unwrap_or("").to_owned(),
                l["passed"].as_bool().unwrap_or(false),
                l["score"].to_string(),
                l["steps"]
                    .as_array()
                    .expect("steps")
                    .iter()
                    .map(|s| format!("{}={}", s["id"], s["status"]))
                    .collect(),
            )
        })
        .collect()
}

/// The whole catalog run then checked against `served` with default flags: the verdicts of
/// both reports, and the server's request log.
fn catalog_round(served: &Served) -> (Vec<Vec<Verdict>>, Log) {
    let sb = Sandbox::new();
    let labs = labs();
    let mut reports = Vec::new();
    for mode in ["run", "check"] {
        let o = against(&sb, served, &[mode, &labs, "--report", "json=r.json"]);
        assert_eq!(o.status.code(), Some(0), "{mode}: {}", stdout(&o));
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(sb.path().join("r.json")).unwrap()).unwrap();
        reports.push(verdicts(&report));
    }
    (reports, served.requests())
}

/// The whole catalog through throttling (30 %), server errors (10 %) and dropped connections
/// (10 %), with the flags a learner has, ten times in a row (concurrently, each against its own
/// server and fault seed): the verdicts are those of a server without faults.
#[test]
fn throttling_errors_and_dropped_connections_do_not_change_the_verdicts() {
    let quick = [
        "--latency",
        "5ms",
        "--provisioning-delay",
        "10ms",
        "--retry-after",
        "20ms",
    ];
    let rounds: Vec<_> = (0..=10u64)
        .map(|i| {
            std::thread::spawn(move || {
                let seed = (42 + i).to_string();
                let mut args = quick.to_vec();
                if i > 0 {
                    args.extend([
                        "--throttle",
                        "0.3",
                        "--error-rate",
                        "0.1",
                        "--drop-rate",
                        "0.1",
                        "--seed",
                        &seed,
                    ]);
                }
                let served = Served::start(&args);
                catalog_round(&served)
            })
        })
        .collect();
    let mut results: Vec<_> = rounds.into_iter().map(|r| r.join().unwrap()).collect();
    let (baseline, clean_log) = results.remove(0);
    assert!(
        clean_log
            .iter()
            .all(|r| r.2 != 429 && r.2 < 500 && r.2 != 0)
    );
    assert!(baseline[0].len() >= 18, "{:?}", baseline[0].len());
    for (round, (verdicts, log)) in results.iter().enumerate() {
        assert_eq!(
            verdicts, &baseline,
            "round {round} differs from the fault-free one"
        );
        assert!(
            log.iter().any(|r| r.2 == 429),
            "round {round}: no throttling"
        );
        assert!(
            log.iter().any(|r| r.2 >= 500),
            "round {round}: no server error"
        );
        assert!(
            log.iter().any(|r| r.2 == 0),
            "round {round}: no dropped connection"
        );
    }
}

/// A learner mistake is still a mistake through the faults.
#[test]
fn a_mistake_through_the_faults_is_still_a_mistake() {
    let served = Served::start(&[
        "--throttle",
        "0.3",
        "--error-rate",
        "0.1",
        "--drop-rate",
        "0.1",
        "--latency",
        "5ms",
        "--provisioning-delay",
        "10ms",
        "--retry-after",
        "20ms",
        "--seed",
        "42",
    ]);
    let sb = Sandbox::new();
    let mistaken = crate::support::lab_variant(
        &sb,
        "04-compute.lab.yaml",
        "minNodeCount: 0",
        "minNodeCount: 1",
    );
    let out = against(&sb, &served, &["run", mistaken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let out = against(
        &sb,
        &served,
        &["check", lab("04-compute.lab.yaml").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("hint: Set the minimum number of nodes to 0"),
        "{}",
        stdout(&out)
    );
}

/// The request log without the harness's sign-in (the token endpoint).
fn arm_requests(served: &Served) -> Vec<(String, String, u16)> {
    served
        .requests()
        .into_iter()
        .filter(|(_, p, _)| !p.contains("/oauth2/"))
        .collect()
}

/// Sends one raw HTTP/1.1 request and returns every byte the server sent before closing.
fn raw_exchange(url: &str, token: &str, request_line: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let hostport = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(hostport).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "{request_line}\r\nHost: {hostport}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    bytes
}

#[test]
fn a_dropped_connection_gets_no_http_response_at_all() {
    let served = Served::start(&["--drop-rate", "1"]);
    let bytes = raw_exchange(
        &served.url,
        &served.token(),
        "GET /subscriptions/s/resourceGroups/rg?api-version=2024-03-01 HTTP/1.1",
    );
    assert!(
        bytes.is_empty(),
        "expected the connection closed without a response, got {:?}",
        String::from_utf8_lossy(&bytes)
    );
    // The request log says so (status 0), and amlab gives up cleanly: exit 3, never a hang.
    assert_eq!(arm_requests(&served)[0].2, 0);
    let sb = Sandbox::new();
    let out = against(
        &sb,
        &served,
        &[
            "check",
            lab("01-workspace.lab.yaml").to_str().unwrap(),
            "--retries",
            "1",
            "--var",
            "suffix=abc123",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("connection"),
        "names the dropped connection: {}",
        stdout(&out)
    );
}

#[test]
fn a_server_that_stops_answering_is_exit_3_within_the_timeout() {
    // Three requests are answered, then the server accepts but never answers.
    let served = Served::start(&["--hang-after", "3"]);
    let sb = Sandbox::new();
    let start = Instant::now();
    let out = against(
        &sb,
        &served,
        &[
            "run",
            lab("01-workspace.lab.yaml").to_str().unwrap(),
            "--timeout",
            "1s",
            "--retries",
            "2",
        ],
    );
    let elapsed = start.elapsed();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("timed out after 1s"), "{text}");
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    let log = arm_requests(&served);
    // Concurrent requests are logged as they end, not as they arrive: count, don't order.
    let answered = log.iter().filter(|r| r.2 != 0).count();
    assert_eq!(answered, 3, "answered three, then hung: {log:?}");
    assert!(log.len() > 3, "later requests were held: {log:?}");
}

#[test]
fn a_bad_timeout_is_a_usage_error() {
    let sb = Sandbox::new();
    let out = sb
        .amlab(&["check", &labs(), "--timeout", "0s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        crate::support::stderr(&out).contains("longer than zero"),
        "{}",
        crate::support::stderr(&out)
    );
}

/// Names of the files in `dir` (empty when it does not exist).
fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A temporary file of an atomic write (`tempfile`'s `.tmp*` or `write_atomic`'s prefix).
fn is_temp(name: &str) -> bool {
    name.starts_with(".tmp") || name.starts_with(".amlab-tmp-")
}

/// Polls `dirs` until a temporary file that was not there before appears (then kills `child`
/// with SIGKILL at once and returns true) or the child exits (false). Deadline: 120 s.
fn kill_during_a_write(child: &mut Child, dirs: &[&Path]) -> bool {
    let before: Vec<BTreeSet<String>> = dirs.iter().map(|d| names(d)).collect();
    // A guard against a hang, not a speed goal: checking 570 labs takes ~20 s of CPU alone and
    // several times that on a loaded machine (120 s was hit under load).
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        for (dir, before) in dirs.iter().zip(&before) {
            if names(dir).iter().any(|n| is_temp(n) && !before.contains(n)) {
                child.kill().unwrap();
                child.wait().unwrap();
                return true;
            }
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        assert!(Instant::now() < deadline, "amlab neither wrote nor exited");
        std::thread::yield_now();
    }
}

/// Every final (non-temporary) JSON file in `dir` parses completely.
fn assert_complete_json(dir: &Path) {
    for name in names(dir) {
        if is_temp(&name) || !name.ends_with(".json") {
            continue;
        }
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            panic!("{name} is partial ({} bytes): {e}", bytes.len());
        }
    }
}

fn spawn(sb: &Sandbox, args: &[&str]) -> Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_amlab"))
        .current_dir(sb.path())
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn sigkill_while_the_state_file_is_written_leaves_no_partial_file() {
    let sb = Sandbox::new();
    let state_dir = sb.path().join(".amlab");
    let labs = labs();
    let mut caught = 0;
    for _ in 0..10 {
        let mut child = spawn(&sb, &["run", &labs, "--provisioning-delay", "0ms"]);
        if kill_during_a_write(&mut child, &[&state_dir]) {
            caught += 1;
        }
        assert_complete_json(&state_dir);
        if caught == 3 {
            break;
        }
    }
    assert_eq!(caught, 3, "no kill landed during a state write");
    // The state left behind is usable: a complete run and check pass on it.
    for mode in ["run", "check"] {
        let out = sb
            .amlab(&[mode, &labs, "--provisioning-delay", "0ms"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{mode}: {}", stdout(&out));
    }
}

#[test]
fn sigkill_while_the_report_is_written_leaves_no_partial_report() {
    // Many labs make a large report (its write takes a while): 30 copies of the catalog.
    let sb = Sandbox::new();
    for entry in std::fs::read_dir(repo().join("labs/dp100")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            // The shared setup and az ml specs the labs use, beside the copies as beside the
            // originals.
            let dir = path.file_name().unwrap().to_string_lossy().into_owned();
            for file in std::fs::read_dir(&path).unwrap() {
                let file = file.unwrap().path();
                let name = file.file_name().unwrap().to_string_lossy().into_owned();
                sb.write(
                    &format!("many/{dir}/{name}"),
                    &std::fs::read_to_string(&file).unwrap(),
                );
            }
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for i in 0..30 {
            let copy = text.replacen("\nid: ", &format!("\nid: copy{i}-"), 1);
            sb.write(&format!("many/{i}-{name}"), &copy);
        }
    }
    let mut caught = false;
    for attempt in 0..10 {
        let out_dir = sb.path().join(format!("out{attempt}"));
        std::fs::create_dir_all(&out_dir).unwrap();
        let report = format!("json=out{attempt}/report.json");
        let mut child = spawn(
            &sb,
            &[
                "check",
                "many",
                "--var",
                "suffix=abc123",
                "--report",
                &report,
            ],
        );
        let killed = kill_during_a_write(&mut child, &[&out_dir]);
        let present = out_dir.join("report.json").exists();
        assert_complete_json(&out_dir);
        if killed {
            // Killed between the temporary file and the rename: no report at all.
            assert!(!present, "a report appeared although the write was killed");
            caught = true;
            break;
        }
        assert!(present, "a finished run wrote its report");
    }
    assert!(caught, "no kill landed during the report write");
}

#[test]
fn ctrl_c_stops_a_server_holding_hung_requests() {
    let mut served = Served::start(&["--hang-after", "0"]);
    let url = served.url.clone();
    let token = served.token();
    let signed_in = served.requests().len();
    // A request the server will never answer, held open on another thread.
    let client = std::thread::spawn(move || {
        raw_exchange(
            &url,
            &token,
            "GET /subscriptions/s/resourceGroups/rg?api-version=2024-03-01 HTTP/1.1",
        )
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while served.requests().len() == signed_in {
        assert!(Instant::now() < deadline, "the request never arrived");
        std::thread::yield_now();
    }
    let pid = served.child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = loop {
        if let Some(status) = served.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "amlab serve did not stop");
        std::thread::yield_now();
    };
    assert_eq!(status.code(), Some(0));
    // The hung request's connection was closed without a response.
    assert!(client.join().unwrap().is_empty());
}
