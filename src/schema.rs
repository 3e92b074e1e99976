//! placeholder until the lab branch lands
/// placeholder
pub fn lab_schema_json() -> String {
    String::new()
}
