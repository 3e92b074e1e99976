//! Fuzz target: the recording parser (test-proxy JSON as `--replay` reads it, any bytes), then
//! building a replay transport from what parsed and asking it for each recorded request and one
//! it never saw.
#![no_main]

use std::path::Path;

use amlab::fixture::format::RecordingFile;
use amlab::fixture::redact::Redactor;
use amlab::fixture::replay::ReplayTransport;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(file) = RecordingFile::parse(Path::new("fuzz.json"), data) else {
        return;
    };
    let _ = file.to_text();
    let replay = ReplayTransport::from_entries(
        file.entries.iter().map(|e| ("fuzz.json".to_owned(), e)),
        Redactor::new(None),
        "fuzz",
    );
    for entry in &file.entries {
        let body = entry.request_json();
        let _ = replay.respond(&entry.request_method, &entry.request_uri, body.as_ref());
    }
    let _ = replay.respond("GET", "https://management.azure.com/never?api-version=1", None);
});
