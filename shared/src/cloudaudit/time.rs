//! `eventTime` into milliseconds since the Unix epoch (UTC).
//!
//! Accepted, and nothing else (a guessed time would put an alert in the wrong place on
//! a timeline):
//! - Unix **seconds** as a JSON integer (2021+ records) or a string of digits
//!   (`"1680513809"`, as DescribeEvents writes `EventTime`);
//! - seconds with a fraction (`1680513809.5`, `"1680513809.5"`), rounded to the
//!   millisecond: unambiguous, so accepted;
//! - `"YYYY-MM-DD HH:MM:SS"` with no zone, which CloudAudit writes in **UTC+8**
//!   (2017/2019 records);
//! - RFC 3339 with an explicit offset (`2017-11-02T11:08:14Z`), unambiguous.
//!
//! Rejected: values beyond 9999-12-31T23:59:59Z (so a millisecond value such as
//! `1680513809000` is an error rather than a date in the year 55000), negative values,
//! and zone-less ISO forms with a `T` (Tencent's internal `@timestamp` uses that form in
//! UTC, so the zone cannot be inferred).

use chrono::{DateTime, NaiveDateTime};
use serde_json::Value;

use super::lenient::describe;

/// 9999-12-31T23:59:59Z: the last second with a four-digit year.
const MAX_SECONDS: u64 = 253_402_300_799;
/// CloudAudit's zone-less times are Beijing time.
const UTC_PLUS_8_MILLIS: i64 = 8 * 3600 * 1000;

/// Milliseconds since the epoch for an `eventTime` value, or why it cannot be read.
pub(crate) fn event_time_millis(value: Option<&Value>) -> Result<i64, String> {
    let parsed = match value {
        Some(Value::Number(number)) => match number.as_u64() {
            Some(seconds) => seconds_to_millis(seconds),
            None => number.as_f64().and_then(fractional_seconds_to_millis),
        },
        Some(Value::String(text)) => text_to_millis(text.trim()),
        _ => None,
    };
    parsed.ok_or_else(|| {
        format!(
            "expected Unix seconds or \"YYYY-MM-DD HH:MM:SS\" (UTC+8), got {}",
            describe(value)
        )
    })
}

fn seconds_to_millis(seconds: u64) -> Option<i64> {
    if seconds > MAX_SECONDS {
        return None;
    }
    i64::try_from(seconds).ok()?.checked_mul(1000)
}

fn fractional_seconds_to_millis(seconds: f64) -> Option<i64> {
    // The range check keeps the float-to-int cast exact and in range.
    if !seconds.is_finite() || seconds < 0.0 || seconds > MAX_SECONDS as f64 {
        return None;
    }
    Some((seconds * 1000.0).round() as i64)
}

fn text_to_millis(text: &str) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|byte| byte.is_ascii_digit()) {
        return seconds_to_millis(text.parse().ok()?);
    }
    if is_decimal(text) {
        return fractional_seconds_to_millis(text.parse().ok()?);
    }
    if let Ok(local) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S") {
        let millis = local
            .and_utc()
            .timestamp_millis()
            .checked_sub(UTC_PLUS_8_MILLIS)?;
        return (0..=MAX_SECONDS as i64 * 1000)
            .contains(&millis)
            .then_some(millis);
    }
    let zoned = DateTime::parse_from_rfc3339(text).ok()?;
    let millis = zoned.timestamp_millis();
    (0..=MAX_SECONDS as i64 * 1000)
        .contains(&millis)
        .then_some(millis)
}

/// Digits, one dot, digits: `1680513809.5`. Rules out `1e9`, `inf`, `NaN`, signs.
fn is_decimal(text: &str) -> bool {
    match text.split_once('.') {
        Some((whole, fraction)) => {
            !whole.is_empty()
                && !fraction.is_empty()
                && whole.bytes().all(|byte| byte.is_ascii_digit())
                && fraction.bytes().all(|byte| byte.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn millis(value: Value) -> Result<i64, String> {
        event_time_millis(Some(&value))
    }

    #[test]
    fn integer_and_numeric_string_seconds() {
        assert_eq!(millis(json!(1680513809)), Ok(1_680_513_809_000));
        assert_eq!(millis(json!("1680513809")), Ok(1_680_513_809_000));
        assert_eq!(millis(json!(" 1680513809 ")), Ok(1_680_513_809_000));
        assert_eq!(millis(json!(0)), Ok(0));
    }

    #[test]
    fn fractional_seconds_round_to_the_millisecond() {
        assert_eq!(millis(json!(1680513809.5)), Ok(1_680_513_809_500));
        assert_eq!(millis(json!("1680513809.25")), Ok(1_680_513_809_250));
        assert_eq!(millis(json!(1680513809.0)), Ok(1_680_513_809_000));
    }

    #[test]
    fn beijing_wall_clock_time_is_utc_plus_8() {
        // 2017-11-02 19:08:14 in UTC+8 is 11:08:14 UTC; `date -u -d @1509620894` agrees.
        assert_eq!(millis(json!("2017-11-02 19:08:14")), Ok(1_509_620_894_000));
        // Midnight Beijing time on 1970-01-02 is 16:00 UTC on 1970-01-01.
        assert_eq!(millis(json!("1970-01-02 00:00:00")), Ok(16 * 3600 * 1000));
    }

    #[test]
    fn rfc3339_with_offset_is_accepted() {
        assert_eq!(millis(json!("2017-11-02T11:08:14Z")), Ok(1_509_620_894_000));
        assert_eq!(
            millis(json!("2017-11-02T19:08:14+08:00")),
            Ok(1_509_620_894_000)
        );
    }

    #[test]
    fn ambiguous_or_impossible_times_are_errors() {
        for bad in [
            json!("yesterday"),
            json!(""),
            json!(null),
            json!(-5),
            json!(1_680_513_809_000_u64),
            json!("1680513809000"),
            json!("0000-00-00 00:00:00"),
            json!("2021-01-15T07:35:59.115042"),
            json!("1969-12-31 23:00:00"),
            json!("1e9"),
            json!(true),
            json!({"t": 1}),
        ] {
            assert!(millis(bad.clone()).is_err(), "{bad} should be rejected");
        }
        assert!(event_time_millis(None).is_err());
    }

    #[test]
    fn error_quotes_the_value() {
        assert_eq!(
            millis(json!("yesterday")),
            Err(
                "expected Unix seconds or \"YYYY-MM-DD HH:MM:SS\" (UTC+8), got \"yesterday\""
                    .to_owned()
            )
        );
    }
}
