//! Fuzz target: ARM response handling. The input is a response body as the wire would carry it
//! (any bytes, JSON or not, as the live transport turns it into a body), with a status and a
//! `Retry-After` drawn from its first bytes; the client's error extraction, `Retry-After` parsing
//! and provisioning-state reading must never panic.
//!
//! (The recorded-fixture parser of record/replay lands with `src/fixture/`; its target belongs
//! there.)
#![no_main]

use amlab::arm::client::{arm_error, retry_after, settled};
use amlab::arm::transport::HttpResponse;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let (head, rest) = data.split_at(data.len().min(2));
    let status = head
        .iter()
        .fold(0u16, |s, b| s.wrapping_mul(256).wrapping_add(u16::from(*b)));
    // The header value: up to the first newline of the rest, the body after it.
    let (header, body) = match rest.iter().position(|b| *b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&[][..], rest),
    };
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(
            serde_json::from_slice::<Value>(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned())),
        )
    };
    let header = String::from_utf8_lossy(header).into_owned();
    let response = HttpResponse::new(status % 1000, body.clone())
        .with_header("Retry-After", header.clone())
        .with_header("retry-after-ms", header);
    let _ = arm_error(&response);
    let _ = retry_after(&response);
    if let Some(doc) = &body {
        let _ = settled(doc);
    }
});
