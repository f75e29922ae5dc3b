//! The verdict of a pattern compiled as a one-rule `RuleSet`, the way the evaluate
//! function and `auditbridge match` use it, from both of its entry points.

use auditbridge_shared::pattern::Pattern;
use auditbridge_shared::ruleset::RuleSetBuilder;
use serde_json::Value;

/// `Ok(verdict)` when the rule set gives one answer for `event` read as a value and as
/// JSON text; otherwise why not.
pub fn verdict(pattern: &Pattern, event: &Value) -> Result<bool, String> {
    let mut builder = RuleSetBuilder::new();
    builder
        .add("case", pattern)
        .map_err(|error| format!("the rule set refuses the pattern: {error}"))?;
    let set = builder.build();
    let from_value = !set.matches(event).is_empty();
    let from_text = set
        .matches_json(&event.to_string())
        .map(|ids| !ids.is_empty())
        .map_err(|error| format!("the rule set cannot read the event: {error}"))?;
    if from_value != from_text {
        return Err(format!(
            "the rule set says {from_value} for the value but {from_text} for the text"
        ));
    }
    Ok(from_value)
}
