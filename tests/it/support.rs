//! Helpers: an `amlab` command in a scratch working directory with its own emulator state.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The repository root (where `labs/` lives).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared read-only material (`shared/`: azure-specs, corpus, recordings) beside the
/// repository, or beside one of its parent folders (a worktree a level deeper).
pub fn shared() -> PathBuf {
    let root = repo();
    root.ancestors()
        .skip(1)
        .map(|a| a.join("shared"))
        .find(|s| s.is_dir())
        .unwrap_or_else(|| root.join("../shared"))
}

/// A shipped lab file.
pub fn lab(name: &str) -> PathBuf {
    repo().join("labs/dp100").join(name)
}

/// A lab kept for tests under `tests/data/labs/`, stable while the shipped catalog evolves
/// (`workspace.lab.yaml` is the first workspace lab: six steps, eight points).
pub fn test_lab(name: &str) -> PathBuf {
    repo().join("tests/data/labs").join(name)
}

/// Copies the shipped labs' shared setup (`shared/`) and az ml specs (`specs/`) into `dir/` in
/// the sandbox, so a lab written to `dir/` finds them as the shipped lab does.
pub fn lab_folders(sb: &Sandbox, dir: &str) {
    for folder in ["shared", "specs"] {
        for entry in std::fs::read_dir(repo().join("labs/dp100").join(folder)).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_str().unwrap();
            sb.write(
                &format!("{dir}/{folder}/{file}"),
                &std::fs::read_to_string(&path).unwrap(),
            );
        }
    }
}

/// Writes `variant/<name>`: a shipped lab with `from` replaced by `to` once, in the lab file or
/// else in the shared setup it includes (copied to `variant/shared/`) or else in one of the az
/// ml specs it uses (copied to `variant/specs/`); `from` must occur.
pub fn lab_variant(sb: &Sandbox, name: &str, from: &str, to: &str) -> PathBuf {
    let mut text = std::fs::read_to_string(lab(name)).unwrap();
    let mut found = text.contains(from);
    text = text.replacen(from, to, 1);
    for folder in ["shared", "specs"] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(repo().join("labs/dp100").join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let mut copy = std::fs::read_to_string(&path).unwrap();
            if !found && copy.contains(from) {
                copy = copy.replacen(from, to, 1);
                found = true;
            }
            let file = path.file_name().unwrap().to_str().unwrap();
            sb.write(&format!("variant/{folder}/{file}"), &copy);
        }
    }
    assert!(
        found,
        "{from:?} not in {name}, its shared setup nor its specs"
    );
    sb.write(&format!("variant/{name}"), &text)
}

/// A scratch working directory: its own `.amlab/` state, no Azure environment.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `amlab ARGS` run in the sandbox, with fixed parameters so output is stable.
    pub fn amlab(&self, args: &[&str]) -> Command {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("amlab");
        cmd.current_dir(self.path())
            .env_remove("AZURE_SUBSCRIPTION_ID")
            .env("NO_COLOR", "1")
            .env("CI", "true")
            .args(args);
        cmd
    }

    /// Writes a file into the sandbox and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
        path
    }

    /// The emulator state file as JSON.
    pub fn state(&self) -> Value {
        let text = std::fs::read_to_string(self.path().join(".amlab/emulator-state.json"))
            .expect("state file");
        serde_json::from_str(&text).expect("state JSON")
    }

    /// The emulator's request log: (method, path) pairs.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.state()["requests"]
            .as_array()
            .expect("requests array")
            .iter()
            .map(|r| {
                (
                    r["method"].as_str().unwrap_or("").to_owned(),
                    r["path"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }
}

/// stdout of a finished command as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr of a finished command as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `amlab serve` running on a free loopback port; killed on drop.
pub struct Served {
    pub child: std::process::Child,
    pub url: String,
    /// The variables of the `--env-file` it wrote (the emulated service principal; with
    /// `--tls` the proxy and CA bundle too).
    pub env: std::collections::BTreeMap<String, String>,
    _dir: tempfile::TempDir,
}

impl Served {
    /// Starts `amlab serve ARGS --env-file F` and waits for its first line (`listening on URL`).
    pub fn start(args: &[&str]) -> Self {
        use std::io::BufRead;
        let dir = tempfile::tempdir().expect("tempdir");
        let env_file = dir.path().join("serve.env");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_amlab"))
            .arg("serve")
            .args(["--addr", "127.0.0.1:0"])
            .arg("--env-file")
            .arg(&env_file)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn amlab serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = std::io::BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).expect("first line");
        // Keep draining stdout: with the pipe closed, the server's next line (the CA
        // certificate note of --tls) would fail with EPIPE and stop the server.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .expect("listening line")
            .to_owned();
        let env = read_env_file(&env_file);
        Self {
            child,
            url,
            env,
            _dir: dir,
        }
    }

    /// An ARM access token from the server's token endpoint (client credentials with the
    /// secret of the env file), as azure-identity would get one.
    pub fn token(&self) -> String {
        let body = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fmanagement.azure.com%2F.default",
            self.env["AZURE_CLIENT_ID"], self.env["AZURE_CLIENT_SECRET"]
        );
        let path = format!("/{}/oauth2/v2.0/token", self.env["AZURE_TENANT_ID"]);
        let (status, answer) = self.post_form(&path, &body);
        assert_eq!(status, 200, "token endpoint: {answer}");
        answer["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// POST a form to `path` (plain HTTP, or HTTPS trusting the server's CA).
    pub fn post_form(&self, path: &str, body: &str) -> (u16, Value) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let response = self
                .client()
                .post(format!("{}{path}", self.url))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.to_owned())
                .send()
                .await
                .expect("POST");
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        })
    }

    /// GET `path` on the server (HTTP, or HTTPS trusting its CA), returning the JSON body.
    pub fn get(&self, path: &str) -> Value {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let text = self
                .client()
                .get(format!("{}{path}", self.url))
                .send()
                .await
                .expect("GET")
                .text()
                .await
                .expect("body");
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
        })
    }

    /// A client for the server itself: no proxy, trusting its CA when it serves TLS.
    fn client(&self) -> reqwest::Client {
        let mut client = reqwest::Client::builder().no_proxy();
        if let Some(ca) = self.env.get("REQUESTS_CA_BUNDLE") {
            let pem = std::fs::read(ca).expect("CA file");
            client = client.add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("CA"));
        }
        client.build().expect("client")
    }

    /// The server's request log: (method, path, status).
    pub fn requests(&self) -> Vec<(String, String, u16)> {
        self.get("/_emulator/requests")
            .as_array()
            .expect("array")
            .iter()
            .map(|r| {
                (
                    r["method"].as_str().unwrap_or("").to_owned(),
                    r["path"].as_str().unwrap_or("").to_owned(),
                    u16::try_from(r["status"].as_u64().unwrap_or(0)).unwrap_or(0),
                )
            })
            .collect()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `export NAME='VALUE'` lines of an env file written by `amlab serve --env-file`.
pub fn read_env_file(path: &Path) -> std::collections::BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).expect("env file");
    text.lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('\'').to_owned()))
        .collect()
}
