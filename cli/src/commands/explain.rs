//! `auditbridge test-pattern --explain`: why the pattern does or does not match, from
//! the library's `Pattern::explain` (plain text, or JSON with `--json`).

use anyhow::Context;
use auditbridge_shared::pattern::Pattern;
use serde_json::Value;

use crate::output::Stdout;
use crate::status::Outcome;

/// Prints the explanation of `pattern` on `event` on stdout: the plain text of
/// [`auditbridge_shared::pattern::Explanation`], or its JSON on one line. The verdict is
/// the reference evaluator's; `test-pattern` has already checked that the compiled rule
/// set agrees.
pub fn print(pattern: &Pattern, event: &Value, json: bool) -> anyhow::Result<Outcome> {
    let explanation = pattern.explain(event);
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
