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

/// Starts `amlab serve ARGS` and reads its `listening on URL` line.
pub fn serve(args: &[&str]) -> Served {
    let mut child = Command::new(amlab())
        .args(["serve", "--addr", "127.0.0.1:0"])
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
    Served { child, url }
}

/// Runs `amlab ARGS` in `dir` against a URL target's token, returns its wall time; panics
/// unless it exits with `expect`.
pub fn timed_exit(dir: &Path, args: &[&str], expect: i32) -> Duration {
    let start = Instant::now();
    let status = Command::new(amlab())
        .current_dir(dir)
        .args(args)
        .env("AZURE_ACCESS_TOKEN", "bench")
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
        .collect()
}
