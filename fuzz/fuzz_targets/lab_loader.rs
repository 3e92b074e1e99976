//! Fuzz target: the lab loader (YAML with budgets, the lab types, lint) and, for a lab that
//! loads, resolution (templating, parameters, query compilation). Any input must give a lab or
//! located diagnostics, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match amlab::lab::load_source(Path::new("fuzz.lab.yaml"), text) {
        Ok(file) => {
            let ctx = amlab::lab::ResolveContext {
                subscription: "00000000-0000-0000-0000-000000000000".into(),
                ..Default::default()
            };
            let _ = file.resolve(&ctx);
        }
        Err(errors) => {
            // Rendering positions must stay inside the source.
            let _ = errors.render(false);
        }
    }
});
