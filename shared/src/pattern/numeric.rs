//! Numeric ranges: parsing `{"numeric": [...]}` operands exactly as AWS does, and testing values.

use serde_json::Value;

use super::ast::{Bound, Dialect, NumericRange};

/// AWS (event-ruler's `ComparableNumber`) only handles numbers in ±5e9, inclusive; an
/// open end of a range is implicitly this far away (in the aws dialect's range check;
/// matching, and the default dialect, leave open ends unbounded).
pub(crate) const NUMERIC_LIMIT: f64 = 5e9;

/// The reason AWS gives for a number outside ±5e9.
pub(crate) const OUT_OF_RANGE: &str = "Value must be between -5.0E9 and 5.0E9, inclusive";

/// A failed numeric operand: the index of the offending element (when there is one) and
/// the reason.
pub(crate) type NumericError = (Option<usize>, String);

/// Parses the array operand of `numeric`, following event-ruler's grammar step by step so
/// that every rejection has AWS's reason: `[op, n]` with `op` in `=`, `<`, `<=`, `>`, `>=`,
/// or `[">"|">=", n, "<"|"<=", m]` (lower bound first) with a non-empty range.
///
/// "Non-empty" as AWS checks it in the aws dialect: the bottom strictly below the top,
/// where an open end is ±5e9 (so `[">=", 5, "<=", 5]` and `[">=", 5e9]` are refused,
/// though each holds a number). The default dialect refuses only ranges no number is in
/// (`[">", 5, "<=", 5]`); its open ends are unbounded, as matching has them.
pub(crate) fn parse_numeric(
    items: &[Value],
    dialect: Dialect,
) -> Result<NumericRange, NumericError> {
    let aws = dialect == Dialect::Aws;
    if items.is_empty() {
        return Err((None, "Empty arrays are not allowed".into()));
    }
    let Some(operator) = items[0].as_str() else {
        return Err((
            Some(0),
            format!(
                "Invalid member in numeric match: {}",
                token_text(items.first())
            ),
        ));
    };
    let value = |index: usize, name: &str| -> Result<f64, NumericError> {
        items
            .get(index)
            .and_then(Value::as_f64)
            .ok_or_else(|| (Some(index), format!("Value of {name} must be numeric")))
    };
    match operator {
        "=" => {
            let v = value(1, "equals")?;
            if items.len() > 2 {
                return Err((Some(2), "Too many elements in numeric expression".into()));
            }
            check_limit(v, 1)?;
            let bound = Bound {
                value: v,
                inclusive: true,
            };
            Ok(NumericRange {
                lower: Some(bound),
                upper: Some(bound),
            })
        }
        "<" | "<=" => {
            let top = value(1, operator)?;
            if items.len() > 2 {
                return Err((Some(2), "Too many elements in numeric expression".into()));
            }
            let upper = Bound {
                value: top,
                inclusive: operator == "<=",
            };
            if aws {
                check_order(-NUMERIC_LIMIT, top, 1)?;
            }
            check_limit(top, 1)?;
            Ok(NumericRange {
                lower: None,
                upper: Some(upper),
            })
        }
        ">" | ">=" => {
            let bottom = value(1, operator)?;
            let lower = Bound {
                value: bottom,
                inclusive: operator == ">=",
            };
            if items.len() == 2 {
                if aws {
                    check_order(bottom, NUMERIC_LIMIT, 1)?;
                }
                check_limit(bottom, 1)?;
                return Ok(NumericRange {
                    lower: Some(lower),
                    upper: None,
                });
            }
            let Some(second) = items[2].as_str() else {
                return Err((
                    Some(2),
                    format!("Bad value in numeric range: {}", token_text(items.get(2))),
                ));
            };
            if second != "<" && second != "<=" {
                return Err((Some(2), format!("Bad numeric range operator: {second}")));
            }
            let top = value(3, second)?;
            if items.len() > 4 {
                return Err((Some(4), "Too many terms in numeric range expression".into()));
            }
            let upper = Bound {
                value: top,
                inclusive: second == "<=",
            };
            let point = lower.inclusive && upper.inclusive && bottom == top;
            if aws || !point {
                check_order(bottom, top, 3)?;
            }
            check_limit(bottom, 1)?;
            check_limit(top, 3)?;
            Ok(NumericRange {
                lower: Some(lower),
                upper: Some(upper),
            })
        }
        other => Err((
            Some(0),
            format!("Unrecognized numeric range operator: {other}"),
        )),
    }
}

/// A range whose bottom is not below its top: empty, or (aws dialect) the one number
/// `[">=", 5, "<=", 5]` AWS refuses too.
fn check_order(bottom: f64, top: f64, index: usize) -> Result<(), NumericError> {
    if bottom >= top {
        return Err((Some(index), "Bottom must be less than top".into()));
    }
    Ok(())
}

pub(crate) fn check_limit(v: f64, index: usize) -> Result<(), NumericError> {
    if !(-NUMERIC_LIMIT..=NUMERIC_LIMIT).contains(&v) {
        return Err((Some(index), OUT_OF_RANGE.into()));
    }
    Ok(())
}

/// How Jackson's `getText()` shows a token, for AWS's messages that quote one.
pub(crate) fn token_text(value: Option<&Value>) -> String {
    match value {
        None => "]".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(_)) => "[".into(),
        Some(Value::Object(_)) => "{".into(),
        Some(other) => other.to_string(),
    }
}

impl NumericRange {
    /// Whether `v` lies in the range.
    pub fn contains(&self, v: f64) -> bool {
        let above = match self.lower {
            None => true,
            Some(b) if b.inclusive => v >= b.value,
            Some(b) => v > b.value,
        };
        let below = match self.upper {
            None => true,
            Some(b) if b.inclusive => v <= b.value,
            Some(b) => v < b.value,
        };
        above && below
    }
}
