//! `Pattern::explain` against the reference evaluator (`Pattern::matches`) on random
//! patterns and events. The generators (`support/generators.rs`) are shared with
//! `ruleset_props.rs`: one small vocabulary, so that patterns and events often meet, and
//! witnesses made to match.

#[path = "support/generators.rs"]
mod generators;

mod explain_props {
    use super::generators::*;
    use auditbridge_shared::pattern::{Dialect, Pattern};
    use proptest::prelude::*;
    use serde_json::{json, Value};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

        /// The verdict agrees with `matches`, alternative by alternative with
        /// `conjunctions`, and every condition line agrees with the values it lists.
        #[test]
        fn explain_agrees_with_the_reference_evaluator(
            (json, pattern) in pattern(),
            random in event(),
            seed in any::<u64>(),
        ) {
            let made = witness(&json, &mut Dice(seed));
            for event in [&random, &made] {
                let explanation = pattern.explain(event);
                prop_assert_eq!(explanation.matched, pattern.matches(event), "{} on {}", json, event);
                prop_assert_eq!(
                    explanation.matched,
                    explanation.alternatives.iter().any(|a| a.matched)
                );
                let conjunctions = pattern.conjunctions();
                prop_assert_eq!(explanation.alternatives.len(), conjunctions.len());
                for (alternative, conjunction) in explanation.alternatives.iter().zip(&conjunctions) {
                    let paths: Vec<String> = conjunction.conditions.iter().map(|c| c.path.join(".")).collect();
                    let explained: Vec<String> = alternative.conditions.iter().map(|c| c.path.clone()).collect();
                    prop_assert_eq!(explained, paths);
                    for (condition, original) in alternative.conditions.iter().zip(&conjunction.conditions) {
                        let written: Vec<Value> = original.matchers.iter().map(|m| m.to_json()).collect();
                        prop_assert_eq!(&condition.matchers, &written);
                        // A value satisfies exactly the matchers that match it.
                        for value in condition.values.iter().filter(|v| !v.value.is_array()) {
                            let want: Vec<usize> = original.matchers.iter().enumerate()
                                .filter(|(_, m)| m.matches_scalar(&value.value)).map(|(i, _)| i).collect();
                            prop_assert_eq!(&value.satisfies, &want);
                        }
                        if alternative.matched {
                            prop_assert!(condition.met);
                        }
                        if let Some(chosen) = condition.chosen {
                            prop_assert!(!condition.values[chosen].satisfies.is_empty());
                        }
                    }
                    // Every condition met yet no match happens only with an array conflict.
                    let all_met = alternative.conditions.iter().all(|c| c.met);
                    prop_assert_eq!(alternative.array_conflict, all_met && !alternative.matched);
                }
                // The plain text states the same verdict.
                let text = explanation.to_string();
                prop_assert_eq!(text.starts_with("match"), explanation.matched, "{}", text);
            }
        }

        /// A pattern always matches itself written as `to_json`, re-parsed: the written
        /// form of a matcher is the matcher.
        #[test]
        fn written_matchers_parse_back_to_the_same_matchers((_json, pattern) in pattern()) {
            for conjunction in pattern.conjunctions() {
                for condition in conjunction.conditions {
                    let written = Value::Array(condition.matchers.iter().map(|m| m.to_json()).collect());
                    let reparsed = Pattern::from_value(&json!({"x": written}), Dialect::Default)
                        .map_err(|e| TestCaseError::fail(format!("{written}: {e}")))?;
                    let back = reparsed.conjunctions().remove(0).conditions.remove(0).matchers;
                    prop_assert_eq!(back, condition.matchers.clone(), "{}", written);
                }
            }
        }
    }

    /// Without matching and non-matching pairs alike, and array conflicts, the property
    /// above would prove little.
    #[test]
    fn explain_generators_reach_matches_misses_and_array_conflicts() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let pairs = (pattern(), event(), any::<u64>());
        let (mut matched, mut conflicts, total) = (0, 0, 3000);
        for i in 0..total {
            let ((json, pattern), random, seed) = pairs.new_tree(&mut runner).unwrap().current();
            let event = if i % 2 == 0 {
                random
            } else {
                witness(&json, &mut Dice(seed))
            };
            let explanation = pattern.explain(&event);
            matched += usize::from(explanation.matched);
            conflicts += usize::from(explanation.alternatives.iter().any(|a| a.array_conflict));
        }
        assert!(
            matched * 100 >= total * 15,
            "only {matched} of {total} match"
        );
        assert!(matched * 100 <= total * 85, "{matched} of {total} match");
        assert!(
            conflicts >= 2,
            "only {conflicts} of {total} with an array conflict"
        );
    }
}
