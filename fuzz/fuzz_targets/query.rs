//! Fuzz target: the query compiler (JMESPath as written in `query:` and `wait.until`), and
//! evaluating a compiled query against an ARM-shaped document.
#![no_main]

use std::sync::OnceLock;

use amlab::check::query::Query;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fn doc() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/computes/c",
            "name": "c",
            "location": "eastus",
            "tags": {"env": "lab"},
            "properties": {
                "provisioningState": "Succeeded",
                "computeType": "AmlCompute",
                "properties": {
                    "vmSize": "STANDARD_DS11_V2",
                    "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 2},
                    "nodes": [1, 2.5, -3, null, true, "x"]
                }
            },
            "value": [{"name": "a", "properties": {"version": 1}}, {"name": "b"}]
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(query) = Query::compile(text) {
        let _ = query.eval(doc());
        let _ = query.holds(doc());
    }
});
