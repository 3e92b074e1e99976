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
