//! Reading the CloudAudit record fixtures in `tests/fixtures/cloudaudit/`.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;

/// The text of a fixture; panics naming the path when it cannot be read.
pub fn fixture_text(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "cloudaudit",
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A fixture parsed as JSON.
pub fn fixture_value(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}
