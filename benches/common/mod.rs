//! Helpers shared by the benchmarks: `amlab serve` on a free port, timing `amlab` runs, the
//! shipped labs and the server's request log.

#![allow(dead_code, clippy::print_stdout, missing_docs, unreachable_pub)]

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `amlab serve` on a free loopback port; killed on drop.
pub struct Served {
    child: Child,
    pub url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The release `amlab` binary cargo built for the benchmark.
pub fn amlab() -> &'static str {
    env!("CARGO_BIN_EXE_amlab")
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped DP-100 labs directory.
pub fn labs() -> String {
    repo().join("labs/dp100").to_string_lossy().into_owned()
}

/// The ARM token of the last server started (the URL target authenticates with it).
static TOKEN: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// Starts `amlab serve ARGS` and reads its `listening on URL` line, then signs in at its token
/// endpoint with the service principal of its `--env-file`.
pub fn serve(args: &[&str]) -> Served {
    let env_file = std::env::temp_dir().join(format!("amlab-bench-{}.env", std::process::id()));
    let mut child = Command::new(amlab())
        .args(["serve", "--addr", "127.0.0.1:0", "--env-file"])
        .arg(&env_file)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("amlab serve");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let url = line.trim().trim_start_matches("listening on ").to_owned();
    let env = std::fs::read_to_string(&env_file).expect("env file");
    let _ = std::fs::remove_file(&env_file);
    let var = |name: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("export {name}=")))
            .map(|v| v.trim_matches('\'').to_owned())
            .expect("variable in env file")
    };
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fmanagement.azure.com%2F.default",
        var("AZURE_CLIENT_ID"),
        var("AZURE_CLIENT_SECRET")
    );
    let answer = http(
        &url,
        "POST",
        &format!("/{}/oauth2/v2.0/token", var("AZURE_TENANT_ID")),
        &form,
    );
    let token: serde_json::Value = serde_json::from_str(&answer).expect("token JSON");
    *TOKEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = token["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();
    Served { child, url }
}

/// One plain HTTP/1.1 exchange; returns the body.
fn http(url: &str, method: &str, path: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let hostport = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(hostport).expect("connect");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut text = String::new();
    stream.read_to_string(&mut text).expect("read");
    text.split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned()
}

/// Runs `amlab ARGS` in `dir` against a URL target's token, returns its wall time; panics
/// unless it exits with `expect`.
pub fn timed_exit(dir: &Path, args: &[&str], expect: i32) -> Duration {
    let start = Instant::now();
    let status = Command::new(amlab())
        .current_dir(dir)
        .args(args)
        .env(
            "AZURE_ACCESS_TOKEN",
            TOKEN
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .as_str(),
        )
        .env("CI", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("amlab");
    let elapsed = start.elapsed();
    assert_eq!(status.code(), Some(expect), "amlab {args:?}: {status}");
    elapsed
}

/// [`timed_exit`] expecting success.
pub fn timed(dir: &Path, args: &[&str]) -> Duration {
    timed_exit(dir, args, 0)
}

/// The median of some durations.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One request of the server's log.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub status: u16,
}

/// `GET /_emulator/requests` of a server.
pub fn requests(served: &Served) -> Vec<Logged> {
    use std::io::{Read, Write};
    let hostport = served.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(hostport).expect("connect");
    write!(
        stream,
        "GET /_emulator/requests HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut text = String::new();
    stream.read_to_string(&mut text).expect("read");
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let log: serde_json::Value = serde_json::from_str(body).expect("request log JSON");
    log.as_array()
        .expect("array")
        .iter()
        .map(|r| Logged {
            method: r["method"].as_str().unwrap_or("").to_owned(),
            path: r["path"].as_str().unwrap_or("").to_owned(),
            status: u16::try_from(r["status"].as_u64().unwrap_or(0)).unwrap_or(0),
        })
        // The benchmark's own sign-in is not traffic of the run measured.
        .filter(|r| !r.path.contains("/oauth2/"))
        .collect()
}
