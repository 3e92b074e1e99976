//! The SDK's client-side content hashes: Python's `json.dumps(d, sort_keys=True)` reproduced
//! byte for byte, and `hash_dict` (SHA-256 of that text, first 32 hex digits as a UUID), which
//! names anonymous components (`azureml_anonymous/versions/<hash>`) and fills
//! `client_component_hash`.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::node::python_float;

/// `str(UUID(sha256(json.dumps(value, sort_keys=True)).hexdigest()[:32]))`.
pub(crate) fn hash_dict(value: &Value) -> String {
    let mut text = String::new();
    dumps(value, &mut text);
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `json.dumps(value, sort_keys=True)` with Python's defaults (`", "` and `": "` separators,
/// ASCII-only output, floats as `repr`).
pub(crate) fn dumps(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_f64() {
                out.push_str(&python_float(n.as_f64().unwrap_or_default()));
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dumps(v, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                string(k, out);
                out.push_str(": ");
                dumps(&map[k.as_str()], out);
            }
            out.push('}');
        }
    }
}

/// A JSON string as Python's `ensure_ascii` encoder writes it.
fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dumps_like_python() {
        let mut s = String::new();
        dumps(
            &json!({"b": [1, 2.5, 1e-05, true, null], "a": "é\n\"x\"", "c": {"z": 1.0, "y": {}}}),
            &mut s,
        );
        assert_eq!(
            s,
            r#"{"a": "\u00e9\n\"x\"", "b": [1, 2.5, 1e-05, true, null], "c": {"y": {}, "z": 1.0}}"#
        );
    }

    #[test]
    fn hash_of_an_inline_pipeline_step_matches_the_sdk() {
        // Computed by azure-ai-ml 1.35.2's `_get_anonymous_hash()` for step `a` of the
        // corpus's cli/schedules/simple-pipeline-job.yml.
        let d = json!({
            "command": "echo hello ${{inputs.hello_string}}",
            "environment": "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
            "inputs": {"hello_string": {"type": "string"}},
            "is_deterministic": true,
            "type": "command"
        });
        assert_eq!(hash_dict(&d), "d777d5da-79c0-7f35-44fb-26f745b151bb");
    }
}
