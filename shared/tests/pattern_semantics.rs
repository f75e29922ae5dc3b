//! Unit-level behaviour of the pattern module through its public API: wildcards, numeric
//! ranges, array consistency, dotted keys, `$or` expansion, `matches_scalar`, errors.

use auditbridge_shared::pattern::{
    Bound, Dialect, Literal, Matcher, NumericRange, Pattern, Wildcard, MAX_CONJUNCTIONS,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn parse(pattern: Value) -> Pattern {
    Pattern::from_value(&pattern, Dialect::Aws)
        .unwrap_or_else(|e| panic!("pattern {pattern} rejected: {e}"))
}

fn wildcard(source: &str) -> Wildcard {
    let pattern = parse(json!({ "f": [{ "wildcard": source }] }));
    let conjunctions = pattern.conjunctions();
    match conjunctions[0].conditions[0].matchers[0].clone() {
        Matcher::Wildcard(w) => w,
        other => panic!("expected a wildcard, got {other:?}"),
    }
}

#[test]
fn pattern_wildcard_segments_resolve_escapes() {
    assert_eq!(wildcard("a*b*c").segments, ["a", "b", "c"]);
    assert_eq!(wildcard("*/dir/*").segments, ["", "/dir/", ""]);
    assert_eq!(wildcard("abc").segments, ["abc"]);
    assert_eq!(wildcard(r"a\*b").segments, ["a*b"]);
    assert_eq!(wildcard(r"a\\*").segments, [r"a\", ""]);
    assert_eq!(wildcard(r"a\\*").source, r"a\\*");
    assert_eq!(wildcard("").segments, [""]);
}

#[test]
fn pattern_wildcard_matching() {
    let w = wildcard("a*b*c");
    for yes in ["abc", "a-b-c", "abbc", "aXbYbZc"] {
        assert!(w.matches(yes), "{yes}");
    }
    for no in ["ab", "bc", "acb", "xabc", "abcx"] {
        assert!(!w.matches(no), "{no}");
    }
    // Prefix and suffix may not overlap.
    assert!(!wildcard("ab*ba").matches("aba"));
    assert!(wildcard("ab*ba").matches("abba"));
    assert!(wildcard("*").matches(""));
    assert!(wildcard("").matches(""));
    assert!(!wildcard("").matches("x"));
    assert!(wildcard(r"a\*b").matches("a*b"));
    assert!(!wildcard(r"a\*b").matches("axb"));
    // Multi-byte characters are never split.
    assert!(wildcard("é*ü").matches("éaü"));
    assert!(wildcard("*🚀*").matches("go 🚀 now"));
}

#[test]
fn pattern_wildcard_errors_give_aws_positions() {
    let err = Pattern::parse(
        r#"{"f": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}"#,
        Dialect::Aws,
    )
    .unwrap_err();
    assert_eq!(err.path(), "f[0].wildcard");
    assert_eq!(err.reason(), "Consecutive wildcard characters at pos 26");
    let err = Pattern::parse(r#"{"f": [{"wildcard": "a\\b"}]}"#, Dialect::Aws).unwrap_err();
    assert_eq!(err.reason(), "Invalid escape character at pos 2");
}

#[test]
fn pattern_wildcard_complexity_limit() {
    let verdict = |w: &str| Pattern::from_value(&json!({ "f": [{ "wildcard": w }] }), Dialect::Aws);
    assert!(verdict("*:*:*:*:*:event-bus/*").is_err());
    assert!(verdict("*:*:*:*:event-bus/*").is_ok());
    assert!(verdict("arn:aws:events:us-east-1:*:event-bus/*").is_ok());
    assert!(verdict("/Users/*/dir/dir/dir/dir/dir/doc.txt").is_ok());
    // Long literal tails and many stars far apart stay cheap.
    assert!(verdict("a*bcdefghijklmnopqrstuvwxyz*0123456789").is_ok());
    // The same limit applies in the default dialect.
    let default = Pattern::from_value(
        &json!({ "f": [{ "wildcard": "*:*:*:*:*:event-bus/*" }] }),
        Dialect::Default,
    );
    assert!(default.is_err());
}

/// Obviously-correct wildcard matching on chars, for the property test.
fn naive(segments: &[String], text: &[char]) -> bool {
    fn go(pattern: &[Option<char>], text: &[char]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some((None, rest)) => (0..=text.len()).any(|i| go(rest, &text[i..])),
            Some((Some(c), rest)) => text.first() == Some(c) && go(rest, &text[1..]),
        }
    }
    let mut pattern = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            pattern.push(None);
        }
        pattern.extend(segment.chars().map(Some));
    }
    go(&pattern, text)
}

proptest! {
    #[test]
    fn pattern_wildcard_agrees_with_naive_matching(
        segments in proptest::collection::vec("[ab]{0,3}", 1..4),
        text in "[ab]{0,8}",
    ) {
        let w = Wildcard { source: segments.join("*"), segments: segments.clone() };
        let chars: Vec<char> = text.chars().collect();
        prop_assert_eq!(w.matches(&text), naive(&segments, &chars));
    }
}

#[test]
fn pattern_numeric_range_bounds() {
    let range = |lower: Option<(f64, bool)>, upper: Option<(f64, bool)>| NumericRange {
        lower: lower.map(|(value, inclusive)| Bound { value, inclusive }),
        upper: upper.map(|(value, inclusive)| Bound { value, inclusive }),
    };
    let r = range(Some((0.0, false)), Some((5.0, true)));
    assert!(!r.contains(0.0));
    assert!(r.contains(0.000001));
    assert!(r.contains(5.0));
    assert!(!r.contains(5.000001));
    let r = range(None, Some((10.0, false)));
    assert!(r.contains(-1e12) && r.contains(9.99) && !r.contains(10.0));
    let r = range(Some((-3.0, true)), None);
    assert!(r.contains(-3.0) && r.contains(1e12) && !r.contains(-3.1));
}

#[test]
fn pattern_numeric_parses_to_bounds() {
    let numeric = |operand: Value| {
        let p = parse(json!({ "n": [{ "numeric": operand }] }));
        match p.conjunctions()[0].conditions[0].matchers[0] {
            Matcher::Numeric(r) => r,
            ref other => panic!("expected numeric, got {other:?}"),
        }
    };
    let eq = numeric(json!(["=", 301.8]));
    assert_eq!(
        eq.lower,
        Some(Bound {
            value: 301.8,
            inclusive: true
        })
    );
    assert_eq!(eq.upper, eq.lower);
    let r = numeric(json!([">=", 1, "<", 2]));
    assert_eq!(
        r.lower,
        Some(Bound {
            value: 1.0,
            inclusive: true
        })
    );
    assert_eq!(
        r.upper,
        Some(Bound {
            value: 2.0,
            inclusive: false
        })
    );
    assert_eq!(numeric(json!(["<=", 7])).lower, None);
    assert!(numeric(json!(["=", 5e9])).contains(5e9));
}

#[test]
fn pattern_numeric_matches_numbers_only_by_value() {
    let p = parse(json!({ "n": [{ "numeric": [">", 100] }] }));
    assert!(p.matches(&json!({ "n": 101 })));
    assert!(p.matches(&json!({ "n": 100.5 })));
    assert!(p.matches(&json!({ "n": 1e3 })));
    assert!(!p.matches(&json!({ "n": 100 })));
    assert!(!p.matches(&json!({ "n": "300" })));
    assert!(!p.matches(&json!({ "n": null })));
    assert!(p.matches(&json!({ "n": [1, 2, 300] })));
}

#[test]
fn pattern_array_elements_must_be_consistent() {
    let p = parse(json!({ "items": { "id": ["a"], "n": [1] } }));
    assert!(!p.matches(&json!({ "items": [{ "id": "a", "n": 2 }, { "id": "b", "n": 1 }] })));
    assert!(p.matches(&json!({ "items": [{ "id": "b", "n": 2 }, { "id": "a", "n": 1 }] })));
    // Leaves under different arrays are independent.
    let p = parse(json!({ "x": { "id": ["a"] }, "y": { "n": [1] } }));
    assert!(
        p.matches(&json!({ "x": [{ "id": "b" }, { "id": "a" }], "y": [{ "n": 1 }, { "n": 2 }] }))
    );
    // A scalar array's values are alternatives.
    let p = parse(json!({ "tags": ["red"] }));
    assert!(p.matches(&json!({ "tags": ["blue", "red"] })));
    assert!(!p.matches(&json!({ "tags": [] })));
    // Nested arrays: each level must be consistent.
    let p = parse(json!({ "a": { "b": { "x": ["1"], "y": ["2"] } } }));
    assert!(p.matches(&json!({ "a": [{ "b": [{ "x": "0" }, { "x": "1", "y": "2" }] }] })));
    assert!(!p.matches(&json!({ "a": [{ "b": [{ "x": "1" }] }, { "b": [{ "y": "2" }] }] })));
}

#[test]
fn pattern_dotted_keys_both_ways() {
    let dotted = parse(json!({ "detail.state": ["on"] }));
    let nested = parse(json!({ "detail": { "state": ["on"] } }));
    for event in [
        json!({ "detail": { "state": "on" } }),
        json!({ "detail.state": "on" }),
    ] {
        assert!(dotted.matches(&event), "{event}");
        assert!(nested.matches(&event), "{event}");
    }
    assert!(!dotted.matches(&json!({ "detail": { "state": { "x": "on" } } })));
    assert_eq!(
        dotted.conjunctions()[0].conditions[0].path,
        ["detail".to_string(), "state".to_string()]
    );
}

#[test]
fn pattern_conjunctions_expand_or_with_full_paths() {
    let p = parse(json!({
        "source": ["s"],
        "detail": { "$or": [ { "a": ["1"] }, { "b.c": ["2"], "$or": [ { "d": ["3"] }, { "e": ["4"] } ] } ] }
    }));
    let paths: Vec<Vec<String>> = p
        .conjunctions()
        .iter()
        .map(|c| c.conditions.iter().map(|k| k.path.join("/")).collect())
        .collect();
    assert_eq!(
        paths,
        [
            vec!["detail/a", "source"],
            vec!["detail/b/c", "detail/d", "source"],
            vec!["detail/b/c", "detail/e", "source"],
        ]
    );
    assert!(p.matches(&json!({ "source": "s", "detail": { "b": { "c": "2" }, "e": "4" } })));
    assert!(!p.matches(&json!({ "source": "s", "detail": { "b": { "c": "2" } } })));
}

#[test]
fn pattern_conjunction_limit_is_enforced_at_parse_time() {
    let or = |n: usize| Value::Array((0..n).map(|i| json!({ format!("k{i}"): ["v"] })).collect());
    let ok = json!({ "a": { "$or": or(10) }, "b": { "$or": or(10) }, "c": { "$or": or(10) } });
    assert_eq!(parse(ok).conjunctions().len(), MAX_CONJUNCTIONS);
    let too_many =
        json!({ "a": { "$or": or(10) }, "b": { "$or": or(10) }, "c": { "$or": or(11) } });
    let err = Pattern::from_value(&too_many, Dialect::Default).unwrap_err();
    assert_eq!(err.path(), "$");
}

#[test]
fn pattern_matches_scalar_semantics() {
    let exact = Matcher::Exact(Literal::Number(300.0));
    assert!(exact.matches_scalar(&json!(300.0)));
    assert!(exact.matches_scalar(&json!(300)));
    assert!(!exact.matches_scalar(&json!("300")));
    assert!(Matcher::Exact(Literal::Null).matches_scalar(&Value::Null));
    assert!(!Matcher::Exact(Literal::Null).matches_scalar(&json!("")));
    assert!(!Matcher::Exact(Literal::String(String::new())).matches_scalar(&Value::Null));

    let prefix = Matcher::Prefix {
        value: "EventB".into(),
        ignore_case: true,
    };
    assert!(prefix.matches_scalar(&json!("eventbridge")));
    assert!(!prefix.matches_scalar(&json!("event")));
    let suffix = Matcher::Suffix {
        value: ".PNG".into(),
        ignore_case: true,
    };
    assert!(suffix.matches_scalar(&json!("a.png")));
    assert!(!suffix.matches_scalar(&json!("png")));
    assert!(!Matcher::Suffix {
        value: ".PNG".into(),
        ignore_case: false
    }
    .matches_scalar(&json!("a.png")));
    assert!(Matcher::EqualsIgnoreCase("ÄB".into()).matches_scalar(&json!("äb")));

    let contain = Matcher::Contain(vec!["a".into(), "c".into()]);
    assert!(contain.matches_scalar(&json!("abc")));
    assert!(!contain.matches_scalar(&json!("ab")));
    assert!(!contain.matches_scalar(&json!(123)));

    assert!(Matcher::Exists(true).matches_scalar(&Value::Null));
    assert!(!Matcher::Exists(false).matches_scalar(&json!(1)));

    let pattern = parse(json!({ "s": [{ "anything-but": ["x", "y"] }] }));
    let anything_but = &pattern.conjunctions()[0].conditions[0].matchers[0];
    assert!(anything_but.matches_scalar(&Value::Null));
    assert!(anything_but.matches_scalar(&json!(1)));
    assert!(anything_but.matches_scalar(&json!("z")));
    assert!(!anything_but.matches_scalar(&json!("x")));

    let pattern = parse(json!({ "ip": [{ "cidr": "2001:db8::/32" }] }));
    let cidr = &pattern.conjunctions()[0].conditions[0].matchers[0];
    assert!(cidr.matches_scalar(&json!("2001:db8:ffff::1")));
    assert!(!cidr.matches_scalar(&json!("2001:db9::1")));
    assert!(!cidr.matches_scalar(&json!("10.0.0.1")));
    assert!(!cidr.matches_scalar(&json!("not an ip")));
}

#[test]
fn pattern_tencent_array_matches_whole_element() {
    let p = Pattern::from_value(
        &json!({ "list": [{ "array": "{\"name\":\"id\",\"n\":1}" }] }),
        Dialect::Default,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(p.matches(&json!({ "list": [{ "name": "id", "n": 1.0 }] })));
    assert!(!p.matches(&json!({ "list": [{ "name": "id" }, { "n": 1 }] })));
    assert!(!p.matches(&json!({ "list": { "name": "id", "n": 1 } })));
    // An array reached through another array.
    assert!(p.matches(&json!({ "list": [[{ "name": "id", "n": 1 }]] })));
}

#[test]
fn pattern_error_display_and_accessors() {
    let err = Pattern::from_value(
        &json!({ "detail": { "state": [{ "anything-but": null }] } }),
        Dialect::Aws,
    )
    .unwrap_err();
    assert_eq!(err.path(), "detail.state[0].anything-but");
    assert_eq!(
        err.reason(),
        "Value of anything-but must be an array or single string/number value."
    );
    assert_eq!(
        err.to_string(),
        "detail.state[0].anything-but: Value of anything-but must be an array or single string/number value."
    );
    let root = Pattern::parse("[]", Dialect::Default).unwrap_err();
    assert_eq!(root.to_string(), "$: Filter is not an object");
}

#[test]
fn pattern_duplicate_keys_last_one_wins() {
    let p = Pattern::parse(r#"{"a": ["x"], "a": ["y"]}"#, Dialect::Aws)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(p.matches(&json!({ "a": "y" })));
    assert!(!p.matches(&json!({ "a": "x" })));
}
