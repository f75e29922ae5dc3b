//! The compiled `RuleSet` against the reference evaluator (`Pattern::matches`), on random
//! patterns and events drawn from one small vocabulary so that they often meet.

/// Named so that `cargo test ruleset` selects these tests.
#[path = "support/generators.rs"]
mod generators;

mod ruleset {
    use super::generators::*;
    use auditbridge_shared::pattern::{Dialect, Pattern};
    use auditbridge_shared::ruleset::{RuleId, RuleSet, RuleSetBuilder};
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{TestCaseError, TestRunner};
    use serde_json::Value;

    fn build(patterns: &[(Value, Pattern)]) -> RuleSet {
        let mut builder = RuleSetBuilder::new();
        for (i, (_, pattern)) in patterns.iter().enumerate() {
            builder.add(&format!("rule-{i}"), pattern).unwrap();
        }
        builder.build()
    }

    fn expected(patterns: &[(Value, Pattern)], event: &Value) -> Vec<RuleId> {
        patterns
            .iter()
            .enumerate()
            .filter(|(_, (_, p))| p.matches(event))
            .map(|(i, _)| RuleId(i))
            .collect()
    }

    /// Both entry points of the rule set built from `patterns` against the reference
    /// evaluator, on the random events and on events made to match chosen patterns.
    fn agree_with_the_reference(
        patterns: &[(Value, Pattern)],
        random_events: &[Value],
        witnesses: &[(prop::sample::Index, u64)],
    ) -> Result<(), TestCaseError> {
        let rules = build(patterns);
        let made: Vec<Value> = witnesses
            .iter()
            .map(|(which, seed)| {
                witness(&patterns[which.index(patterns.len())].0, &mut Dice(*seed))
            })
            .collect();
        for event in random_events.iter().chain(&made) {
            let want = expected(patterns, event);
            prop_assert_eq!(rules.matches(event), want.clone(), "matches() on {}", event);
            let text = serde_json::to_string(event).unwrap();
            prop_assert_eq!(
                rules.matches_json(&text).unwrap(),
                want,
                "matches_json() on {}",
                text
            );
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

        #[test]
        fn ruleset_agrees_with_the_reference_evaluator(
            patterns in prop::collection::vec(pattern(), 1..10),
            random_events in prop::collection::vec(event(), 0..4),
            witnesses in prop::collection::vec((any::<prop::sample::Index>(), any::<u64>()), 1..6),
        ) {
            agree_with_the_reference(&patterns, &random_events, &witnesses)?;
        }
    }

    proptest! {
        // Each case builds a rule set of dozens of patterns: fewer cases, as many events.
        #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

        /// Dozens of rules over the same few keys and values: index lists long enough
        /// to become decision trees, so that conditions proven by the index and by tree
        /// levels (and only rechecked when the proving leaf sits in an array) are
        /// exercised as well as plain verification.
        #[test]
        fn large_rulesets_agree_with_the_reference_evaluator(
            patterns in prop::collection::vec(pattern(), 16..64),
            random_events in prop::collection::vec(event(), 0..6),
            witnesses in prop::collection::vec((any::<prop::sample::Index>(), any::<u64>()), 4..12),
        ) {
            agree_with_the_reference(&patterns, &random_events, &witnesses)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Some rules with a leaf replaced by `[]` (no alternatives): the rule set drops
        /// exactly the combinations the reference evaluator cannot satisfy.
        #[test]
        fn rules_with_empty_lists_agree_with_the_reference_evaluator(
            patterns in prop::collection::vec(pattern(), 1..10),
            emptied in prop::collection::vec(any::<u64>(), 1..4),
            random_events in prop::collection::vec(event(), 0..4),
            witnesses in prop::collection::vec((any::<prop::sample::Index>(), any::<u64>()), 1..6),
        ) {
            let mut patterns = patterns;
            for seed in emptied {
                let which = (seed % patterns.len() as u64) as usize;
                let json = with_an_empty_list(&patterns[which].0, &mut Dice(seed));
                let pattern = Pattern::from_value(&json, Dialect::Default)
                    .map_err(|e| TestCaseError::fail(format!("{json}: {e}")))?;
                patterns[which] = (json, pattern);
            }
            agree_with_the_reference(&patterns, &random_events, &witnesses)?;
        }
    }

    /// `pattern` with 64 more conditions, on fields no generated event has (`f00` to
    /// `f63`, ranked between the generated keys), each `{"exists": false}`: the same
    /// verdicts, from combinations wider than the matcher's 64 mask bits.
    fn widened((json, _): &(Value, Pattern)) -> (Value, Pattern) {
        let mut wide = json.clone();
        if let Value::Object(fields) = &mut wide {
            for i in 0..64 {
                fields.insert(format!("f{i:02}"), serde_json::json!([{"exists": false}]));
            }
        }
        let pattern = Pattern::from_value(&wide, Dialect::Default).expect("still valid");
        (wide, pattern)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Wide and plain rules together, enough of them for decision trees.
        #[test]
        fn rules_wider_than_64_conditions_agree_with_the_reference_evaluator(
            patterns in prop::collection::vec(pattern(), 1..40),
            widen in prop::collection::vec(any::<bool>(), 40),
            random_events in prop::collection::vec(event(), 0..4),
            witnesses in prop::collection::vec((any::<prop::sample::Index>(), any::<u64>()), 1..6),
        ) {
            let patterns: Vec<(Value, Pattern)> = patterns
                .iter()
                .zip(&widen)
                .map(|(p, &wide)| if wide { widened(p) } else { p.clone() })
                .collect();
            agree_with_the_reference(&patterns, &random_events, &witnesses)?;
        }
    }

    /// The property above is only meaningful if its generators make matching and
    /// non-matching pairs alike, and mostly valid patterns.
    #[test]
    fn generators_produce_a_healthy_share_of_matches() {
        let mut runner = TestRunner::deterministic();
        let raw = object_pattern(2);
        let (mut parsed, mut tried) = (0, 0);
        for _ in 0..500 {
            tried += 1;
            let value = raw.new_tree(&mut runner).unwrap().current();
            parsed += usize::from(Pattern::from_value(&value, Dialect::Default).is_ok());
        }
        assert!(
            parsed * 10 >= tried * 6,
            "only {parsed} of {tried} generated patterns parse"
        );

        let pairs = (pattern(), event(), any::<u64>());
        let (mut matched, mut in_arrays, total) = (0, 0, 2000);
        for i in 0..total {
            let ((json, pattern), random, seed) = pairs.new_tree(&mut runner).unwrap().current();
            // Half random events, half witnesses, as in the property.
            let event = if i % 2 == 0 {
                random
            } else {
                witness(&json, &mut Dice(seed))
            };
            if pattern.matches(&event) {
                matched += 1;
                in_arrays += usize::from(serde_json::to_string(&event).unwrap().contains('['));
            }
        }
        eprintln!("{parsed}/{tried} patterns parse; {matched}/{total} pairs match, {in_arrays} with arrays");
        assert!(
            matched * 100 >= total * 15,
            "only {matched} of {total} pairs match"
        );
        assert!(
            matched * 100 <= total * 85,
            "{matched} of {total} pairs match: too easy"
        );
        assert!(
            in_arrays * 100 >= matched * 10,
            "only {in_arrays} of {matched} matches involve arrays"
        );
    }
}
