//! The JSON reporter (`--report json=PATH`): the fields of DESIGN.md §3, written atomically when
//! the run finishes. One lab gives one lab object; several give `{"labs": [...]}`.

use serde_json::{Value, json};

use super::{Output, Reporter};
use crate::run::events::Event;
use crate::run::result::LabResult;

/// Writes the JSON report to a file.
pub struct JsonReporter {
    out: Output,
}

impl JsonReporter {
    /// A reporter writing to `out`.
    pub fn new(out: Output) -> Self {
        Self { out }
    }
}

/// The JSON document for a run's results.
pub fn document(results: &[LabResult], interrupted: bool) -> Value {
    let labs: Vec<Value> = results
        .iter()
        .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
        .collect();
    let mut doc = match labs.as_slice() {
        [one] => one.clone(),
        _ => {
            let earned: u32 = results.iter().map(|r| r.score.earned).sum();
            let possible: u32 = results.iter().map(|r| r.score.possible).sum();
            json!({ "score": {"earned": earned, "possible": possible}, "labs": labs })
        }
    };
    if interrupted && let Some(obj) = doc.as_object_mut() {
        obj.insert("interrupted".into(), Value::Bool(true));
    }
    doc
}

impl Reporter for JsonReporter {
    fn report(&mut self, event: &Event<'_>) -> std::io::Result<()> {
        if let Event::RunFinished {
            results,
            interrupted,
        } = event
        {
            let mut text = serde_json::to_string_pretty(&document(results, *interrupted))
                .map_err(std::io::Error::other)?;
            text.push('\n');
            self.out.write(text.as_bytes())?;
        }
        Ok(())
    }
}
