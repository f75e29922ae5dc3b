//! `auditbridge test-pattern --explain`: why the pattern does or does not match, from
//! the library's `Pattern::explain` (plain text, or JSON with `--json`).

use anyhow::Context;
use auditbridge_shared::pattern::{Dialect, Pattern};
use serde_json::Value;

use crate::output::Stdout;
use crate::status::Outcome;

/// Prints the explanation of `pattern_text` (already known to be valid) on `event`.
/// `matched` is the compiled rule set's verdict, the one production gives; the
/// explanation is computed by the reference evaluator, and the two are tested to agree,
/// but should they ever differ, stderr says so rather than leaving a contradiction
/// unremarked.
pub fn print(
    pattern_text: &str,
    dialect: Dialect,
    event: &Value,
    matched: bool,
    json: bool,
) -> anyhow::Result<Outcome> {
    let pattern = Pattern::parse(pattern_text, dialect).context("the pattern was valid a moment ago")?;
    let explanation = pattern.explain(event);
    if explanation.matched != matched {
        eprintln!(
            "note: the compiled rule set says {}, the reference evaluator says {}: please report this",
            verdict(matched),
            verdict(explanation.matched)
        );
    }
    let mut out = Stdout::new();
    if json {
        let text = serde_json::to_string(&explanation).context("serializing the explanation")?;
        out.line(text.as_bytes())?;
    } else {
        for line in explanation.to_string().lines() {
            out.line(line.as_bytes())?;
        }
    }
    out.finish()?;
    Ok(Outcome::Success)
}

fn verdict(matched: bool) -> &'static str {
    if matched {
        "match"
    } else {
        "no match"
    }
}
