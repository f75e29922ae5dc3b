//! Behaviour of `RuleSet` on chosen cases; `ruleset_props.rs` covers random ones.

/// Named so that `cargo test ruleset` selects these tests.
mod ruleset {
    use auditbridge_shared::pattern::{Dialect, ObjectPattern, Pattern};
    use auditbridge_shared::ruleset::{RuleId, RuleSet, RuleSetBuilder, RuleSetErrorKind};
    use serde_json::{json, Value};

    fn pattern(value: Value) -> Pattern {
        Pattern::from_value(&value, Dialect::Default).unwrap()
    }

    /// `{}` (the parser refuses it) stands for the empty pattern, built directly: it has
    /// one conjunction with no condition, so it matches every event.
    fn rules(patterns: &[Value]) -> (RuleSet, Vec<Pattern>) {
        let parsed: Vec<Pattern> = patterns
            .iter()
            .map(|p| match p {
                Value::Object(map) if map.is_empty() => Pattern {
                    root: ObjectPattern::default(),
                },
                _ => pattern(p.clone()),
            })
            .collect();
        let mut builder = RuleSetBuilder::new();
        for (i, p) in parsed.iter().enumerate() {
            assert_eq!(builder.add(&format!("r{i}"), p).unwrap(), RuleId(i));
        }
        (builder.build(), parsed)
    }

    /// Both entry points, checked against each other and against the reference evaluator.
    fn matched(set: &RuleSet, patterns: &[Pattern], event: &Value) -> Vec<usize> {
        let from_value = set.matches(event);
        let from_json = set.matches_json(&event.to_string()).unwrap();
        assert_eq!(from_value, from_json, "matches vs matches_json on {event}");
        let reference: Vec<RuleId> = (0..patterns.len())
            .filter(|&i| patterns[i].matches(event))
            .map(RuleId)
            .collect();
        assert_eq!(from_value, reference, "ruleset vs reference on {event}");
        from_value.into_iter().map(|id| id.0).collect()
    }

    /// Four sibling arrays of 20 elements, each element holding a different 3 of the 6
    /// fields a rule wants together in one element of every array: counting what each
    /// element offers gives 20^4 incomparable combinations. The rule set must still
    /// decide such an event (a record's request parameters are the caller's to shape)
    /// without trying them all, and right.
    #[test]
    fn many_incomparable_choices_in_sibling_arrays_are_decided() {
        let fields = ["p0", "p1", "p2", "p3", "p4", "p5"];
        let mut triples = Vec::new();
        for a in 0..6 {
            for b in a + 1..6 {
                for c in b + 1..6 {
                    triples.push(json!({fields[a]: 1, fields[b]: 1, fields[c]: 1}));
                }
            }
        }
        let wanted: serde_json::Map<String, Value> = fields
            .iter()
            .map(|f| ((*f).to_string(), json!([1])))
            .collect();
        let arrays = ["s0", "s1", "s2", "s3"];
        let rule: serde_json::Map<String, Value> = arrays
            .iter()
            .map(|s| ((*s).to_string(), Value::Object(wanted.clone())))
            .collect();
        let set = {
            let mut builder = RuleSetBuilder::new();
            builder.add("all", &pattern(json!({"a": rule}))).unwrap();
            builder.build()
        };
        let event = |complete: bool| {
            let mut elements = triples.clone();
            if complete {
                elements.push(Value::Object(
                    fields
                        .iter()
                        .map(|f| ((*f).to_string(), json!(1)))
                        .collect(),
                ));
            }
            let a: serde_json::Map<String, Value> = arrays
                .iter()
                .map(|s| ((*s).to_string(), Value::Array(elements.clone())))
                .collect();
            json!({ "a": a })
        };
        for (complete, expected) in [(false, vec![]), (true, vec![RuleId(0)])] {
            let event = event(complete);
            assert_eq!(set.matches(&event), expected, "complete: {complete}");
            assert_eq!(set.matches_json(&event.to_string()).unwrap(), expected);
        }
    }

    #[test]
    fn duplicate_names_are_rejected() {
        let mut builder = RuleSetBuilder::new();
        let p = pattern(json!({"a": ["x"]}));
        assert_eq!(builder.add("alpha", &p).unwrap(), RuleId(0));
        assert_eq!(builder.add("beta", &p).unwrap(), RuleId(1));
        let error = builder.add("alpha", &p).unwrap_err();
        assert_eq!(error.name(), "alpha");
        assert_eq!(
            error.kind(),
            &RuleSetErrorKind::DuplicateName { first: RuleId(0) }
        );
        assert!(error.to_string().contains("alpha"), "{error}");
        let set = builder.build();
        assert_eq!(set.len(), 2);
        assert_eq!(set.name(RuleId(1)), "beta");
    }

    /// More conditions in one combination than the matcher has mask bits (64): those
    /// satisfied inside arrays get bits per event, in wider masks past 64 of them, and
    /// past 1,024 the exact search decides. Same verdicts as the reference every way.
    #[test]
    fn conjunctions_of_more_than_64_conditions_match_like_the_reference() {
        let fields = |prefix: &str, count: usize, value: Value| -> serde_json::Map<String, Value> {
            (0..count)
                .map(|i| (format!("{prefix}{i:03}"), value.clone()))
                .collect()
        };
        let values = |prefix: &str, range: std::ops::Range<usize>| -> Value {
            Value::Object(
                range
                    .map(|i| (format!("{prefix}{i:03}"), json!("v")))
                    .collect(),
            )
        };
        // 100 conditions, all under one array: 100 in play.
        let in_one_element = json!({"items": fields("k", 100, json!(["v"]))});
        // 70 plain ones beside 2 under an array, and 66 beside an absence under one.
        let mut beside_array = fields("top", 70, json!(["v"]));
        beside_array.insert("items".into(), json!({"id": ["a"], "n": [1]}));
        let mut beside_absence = fields("top", 66, json!(["v"]));
        beside_absence.insert(
            "Ingress".into(),
            json!({"CidrBlock": ["0.0.0.0/0"], "Description": [{"exists": false}]}),
        );
        // 70 under one array and an absence ranked after them: 71 in play.
        let mut with_late_absence = fields("k", 70, json!(["v"]));
        with_late_absence.insert("zz".into(), json!([{"exists": false}]));
        // 1,100 under one array: more in play than the widest masks (1,024) hold.
        let widest = json!({"items": fields("w", 1100, json!(["v"]))});
        let (set, patterns) = rules(&[
            in_one_element,
            Value::Object(beside_array),
            Value::Object(beside_absence),
            json!({"items": with_late_absence}),
            widest,
        ]);

        let tops = values("top", 0..70);
        let with = |extra: Value| {
            let mut event = tops.clone();
            for (k, v) in extra.as_object().unwrap() {
                event[k] = v.clone();
            }
            event
        };
        let items = |elements: Vec<Value>| with(json!({ "items": elements }));
        let whole = values("k", 0..100);
        // Rule 3 wants the first 70 of them in one element, and no `zz` beside.
        assert_eq!(matched(&set, &patterns, &items(vec![whole])), vec![0, 3]);
        // The same fields split over two elements: no element holds them all.
        let split = vec![values("k", 0..50), values("k", 50..100)];
        assert_eq!(matched(&set, &patterns, &items(split)), Vec::<usize>::new());
        assert_eq!(
            matched(&set, &patterns, &items(vec![json!({"id": "a", "n": 1})])),
            vec![1]
        );
        assert_eq!(
            matched(
                &set,
                &patterns,
                &items(vec![json!({"id": "a", "n": 2}), json!({"id": "b", "n": 1})])
            ),
            Vec::<usize>::new()
        );
        let open = json!({"CidrBlock": "0.0.0.0/0"});
        let described = json!({"CidrBlock": "10.0.0.0/8", "Description": "office"});
        assert_eq!(
            matched(
                &set,
                &patterns,
                &with(json!({"Ingress": [open, described]}))
            ),
            vec![2]
        );
        let open_described = json!({"CidrBlock": "0.0.0.0/0", "Description": "why"});
        assert_eq!(
            matched(&set, &patterns, &with(json!({"Ingress": [open_described]}))),
            Vec::<usize>::new()
        );
        // `zz` in another element than the one the 70 chose: absent there.
        let first70 = values("k", 0..70);
        let mut first70_zz = first70.clone();
        first70_zz["zz"] = json!(1);
        assert_eq!(
            matched(
                &set,
                &patterns,
                &items(vec![first70.clone(), json!({"zz": 1})])
            ),
            vec![3]
        );
        assert_eq!(
            matched(&set, &patterns, &items(vec![first70_zz])),
            Vec::<usize>::new()
        );
        let all_w = values("w", 0..1100);
        assert_eq!(matched(&set, &patterns, &items(vec![all_w])), vec![4]);
        let split_w = vec![values("w", 0..600), values("w", 600..1100)];
        assert_eq!(
            matched(&set, &patterns, &items(split_w)),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn rules_that_match_nothing_and_an_empty_set() {
        let (set, patterns) = rules(&[
            json!({"source": ["nowhere"]}),
            json!({"detail": {"x": [{"numeric": [">", 10]}]}}),
        ]);
        for event in [
            json!({"source": "cvm.cloud.tencent", "detail": {"x": 3}}),
            json!({"detail": {"x": "11"}}),
            json!({}),
        ] {
            assert!(matched(&set, &patterns, &event).is_empty(), "{event}");
        }
        let empty = RuleSetBuilder::new().build();
        assert!(empty.is_empty());
        assert!(empty.matches(&json!({"a": 1})).is_empty());
        assert!(empty.matches_json(r#"{"a": 1}"#).unwrap().is_empty());
    }

    #[test]
    fn many_rules_sharing_an_anchor_value() {
        // Every rule shares `source`; each has its own eventName, some share one.
        let patterns: Vec<Value> = (0..500)
            .map(|i| {
                json!({
                    "source": ["cvm.cloud.tencent"],
                    "data": {"eventName": [format!("Op{}", i % 250)]}
                })
            })
            .collect();
        let (set, parsed) = rules(&patterns);
        let event = json!({"source": "cvm.cloud.tencent", "data": {"eventName": "Op7"}});
        assert_eq!(matched(&set, &parsed, &event), vec![7, 257]);
        let other_source = json!({"source": "cam.cloud.tencent", "data": {"eventName": "Op7"}});
        assert!(matched(&set, &parsed, &other_source).is_empty());
    }

    #[test]
    fn conditions_under_one_array_must_match_in_the_same_element() {
        let (set, patterns) = rules(&[
            json!({"items": {"id": ["a"], "n": [1]}}),
            json!({"items": {"id": ["b"], "n": [1]}}),
            json!({"items": {"id": ["a"]}, "top": [true]}),
        ]);
        let event = json!({"items": [{"id": "a", "n": 2}, {"id": "b", "n": 1}], "top": true});
        assert_eq!(matched(&set, &patterns, &event), vec![1, 2]);
        // Different arrays do not constrain each other.
        let nested = json!({"items": [{"id": ["x", "a"], "n": [2, 1]}]});
        assert_eq!(matched(&set, &patterns, &nested), vec![0]);
    }

    #[test]
    fn exists_false_only_rules_are_checked_on_every_event() {
        let (set, patterns) = rules(&[
            json!({"errorCode": [{"exists": false}]}),
            json!({"a": {"b": [{"exists": false}]}, "c": [{"exists": false}]}),
            json!({}),
        ]);
        assert_eq!(matched(&set, &patterns, &json!({"x": 1})), vec![0, 1, 2]);
        assert_eq!(
            matched(&set, &patterns, &json!({"errorCode": 0})),
            vec![1, 2]
        );
        assert_eq!(
            matched(&set, &patterns, &json!({"a": {"b": null}})),
            vec![0, 2]
        );
        // An object or an empty array has no leaf: still absent.
        assert_eq!(
            matched(&set, &patterns, &json!({"errorCode": {}, "c": []})),
            vec![0, 1, 2]
        );
    }

    /// Conditions on one path are judged in the order written: an `{"exists": false}`
    /// after an `array` condition looks only in the element the `array` chose. (Keys
    /// `"a"` and `"a.b"` are read in that order; the `$or` branch comes after the outer
    /// field.) Found by fuzzing against the reference: the set used to reorder such
    /// conditions, and to share one conjunction between two rules that differ only in
    /// that order.
    #[test]
    fn an_absence_after_an_array_condition_on_the_same_path_looks_in_its_element() {
        let (set, patterns) = rules(&[
            json!({"a": {"b": [{"array": {"id": 1}}]}, "a.b": [{"exists": false}]}),
            json!({"a.b": [{"exists": false}], "$or": [{"a": {"b": [{"array": {"id": 1}}]}}, {"zz": [1]}]}),
            json!({"a.b": [{"array": {"id": 1}}], "$or": [{"a": {"b": [{"exists": false}]}}, {"zz": [1]}]}),
        ]);
        // The element `[{"id": 1}]` holds no leaf at a.b; the other element does.
        let nested = json!({"a": {"b": [[{"id": 1}], [0]]}});
        assert_eq!(matched(&set, &patterns, &nested), vec![0, 2]);
        // With the leaf in the chosen element, absence fails whatever the order.
        let same_element = json!({"a": {"b": [[{"id": 1}, 0]]}});
        assert_eq!(matched(&set, &patterns, &same_element), Vec::<usize>::new());
        // With no array of arrays, absence means no leaf at all: both orders agree.
        let flat = json!({"a": {"b": [{"id": 1}]}});
        assert_eq!(matched(&set, &patterns, &flat), vec![0, 1, 2]);
    }

    /// A condition that holds by absence (its field has no leaf) can still hold the other
    /// way, by an `array` in one element, and that choice leaves out the leaf of an
    /// absence ranked after it in another element. Found by fuzzing: the set took the
    /// absence and never the element.
    #[test]
    fn a_condition_absent_anyway_may_still_choose_an_element_for_a_later_absence() {
        let (set, patterns) = rules(&[json!({
            "items": {"k272": [{"exists": false}]},
            "items.k156": [{"array": "{\"n\":1}"}, {"exists": false}]
        })]);
        let apart = json!({"items": [{"k156": [{"n": 1}]}, {"k272": ""}]});
        assert_eq!(matched(&set, &patterns, &apart), vec![0]);
        let together = json!({"items": [{"k156": [{"n": 1}], "k272": ""}]});
        assert_eq!(matched(&set, &patterns, &together), Vec::<usize>::new());
    }

    #[test]
    fn a_rule_with_every_operator() {
        let every = json!({
            "exact": ["v", 300, true, null],
            "prefix": [{"prefix": "pre"}],
            "prefix_ci": [{"prefix": {"equals-ignore-case": "PRE"}}],
            "suffix": [{"suffix": ".png"}],
            "suffix_ci": [{"suffix": {"equals-ignore-case": ".PNG"}}],
            "eic": [{"equals-ignore-case": "Alice"}],
            "wildcard": [{"wildcard": "a*b*c"}],
            "but": [{"anything-but": ["x", "y"]}],
            "but_prefix": [{"anything-but": {"prefix": "tmp"}}],
            "numeric": [{"numeric": [">", 0, "<=", 5]}],
            "present": [{"exists": true}],
            "absent": [{"exists": false}],
            "ip": [{"cidr": "10.0.0.0/24"}],
            "text": [{"contain": ["foo", "bar"]}],
            "list": [{"array": "{\"name\":\"id\"}"}]
        });
        let good = json!({
            "exact": 300.0, "prefix": "prefix", "prefix_ci": "PREfix", "suffix": "a.png",
            "suffix_ci": "A.PnG", "eic": "aLICE", "wildcard": "a-b-c", "but": "z",
            "but_prefix": "final", "numeric": 5, "present": null, "ip": "10.0.0.9",
            "text": "barfoo", "list": [{"name": "x"}, {"name": "id", "more": 1}]
        });
        let (set, patterns) = rules(&[every]);
        assert_eq!(matched(&set, &patterns, &good), vec![0]);
        let breakers = [
            ("exact", json!("300")),
            ("prefix", json!("xpre")),
            ("prefix_ci", json!("pr")),
            ("suffix", json!("a.PNG")),
            ("suffix_ci", json!("png")),
            ("eic", json!("alic")),
            ("wildcard", json!("a-b")),
            ("but", json!("x")),
            ("but_prefix", json!("tmp1")),
            ("numeric", json!(0)),
            ("absent", json!(1)),
            ("ip", json!("10.0.1.9")),
            ("text", json!("foo")),
            ("list", json!([{"name": "x"}])),
        ];
        for (key, value) in breakers {
            let mut event = good.clone();
            event[key] = value;
            assert!(
                matched(&set, &patterns, &event).is_empty(),
                "{key} should break the match"
            );
            let mut missing = good.clone();
            missing.as_object_mut().unwrap().remove(key);
            let expect_match = key == "absent";
            assert_eq!(
                !matched(&set, &patterns, &missing).is_empty(),
                expect_match,
                "without {key}"
            );
        }
        let mut without_present = good.clone();
        without_present.as_object_mut().unwrap().remove("present");
        assert!(matched(&set, &patterns, &without_present).is_empty());
    }

    #[test]
    fn dotted_keys_in_events_and_patterns_meet() {
        let (set, patterns) = rules(&[
            json!({"detail": {"state": ["on"]}}),
            json!({"detail.state": ["on"]}),
            json!({"detail": {"a.b": {"c": [1]}}}),
        ]);
        assert_eq!(
            matched(&set, &patterns, &json!({"detail.state": "on"})),
            vec![0, 1]
        );
        assert_eq!(
            matched(&set, &patterns, &json!({"detail": {"state": "on"}})),
            vec![0, 1]
        );
        assert_eq!(
            matched(&set, &patterns, &json!({"detail.a": {"b.c": 1}})),
            vec![2]
        );
        assert!(matched(&set, &patterns, &json!({"detail": {"state.x": "on"}})).is_empty());
    }

    #[test]
    fn invalid_json_is_an_event_error() {
        let (set, _) = rules(&[json!({"a": ["x"]})]);
        for text in [
            r#"{"a": "x""#,
            r#"{"a": "x"} trailing"#,
            "",
            r#"{"b": [1, ]}"#,
            r#"{"b": "\q"}"#,
        ] {
            let error = set.matches_json(text).unwrap_err();
            assert!(error.line() >= 1, "{text}: {error}");
            assert!(
                error.to_string().starts_with("event is not valid JSON"),
                "{error}"
            );
            assert!(serde_json::from_str::<Value>(text).is_err());
        }
        let error = set.matches_json("{\n\"a\": tru}").unwrap_err();
        assert_eq!((error.line(), error.column()), (2, 9), "{error}");
    }

    #[test]
    fn non_object_events() {
        let (set, patterns) = rules(&[
            json!({}),
            json!({"a": ["x"]}),
            json!({"a": [{"exists": false}]}),
        ]);
        for event in [
            json!(5),
            json!("x"),
            json!(null),
            json!([]),
            json!([1, "x"]),
        ] {
            assert_eq!(matched(&set, &patterns, &event), vec![0, 2], "{event}");
        }
        // Arrays are transparent, at the top level too.
        assert_eq!(
            matched(&set, &patterns, &json!([{"a": "x"}, 2])),
            vec![0, 1]
        );
    }

    #[test]
    fn duplicate_keys_in_event_text_follow_serde_json_last_wins() {
        let (set, _) = rules(&[
            json!({"a": ["x"]}),
            json!({"a": ["y"]}),
            json!({"o": {"k": [1]}}),
            json!({"o": {"k": [2]}}),
        ]);
        for text in [
            r#"{"a": "x", "a": "y"}"#,
            r#"{"a": "y", "a": "x"}"#,
            r#"{"a": ["x", "y"], "a": {"z": 1}}"#,
            r#"{"o": {"k": 1}, "o": {"k": 2}}"#,
            r#"{"o": {"k": 1, "k": 2}, "o.k": 1}"#,
            r#"{"a": "x", "o": {"k": 1, "k": 2}, "a": "y", "a": "x"}"#,
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                set.matches_json(text).unwrap(),
                set.matches(&value),
                "{text}"
            );
        }
    }

    #[test]
    fn escaped_keys_and_values_are_decoded() {
        let (set, patterns) = rules(&[json!({"k\"ey": {"é": ["\u{1F600}\n"]}})]);
        let text = r#"{"k\"ey": {"\u00e9": "\ud83d\ude00\n"}}"#;
        assert_eq!(set.matches_json(text).unwrap(), vec![RuleId(0)]);
        assert_eq!(
            matched(&set, &patterns, &serde_json::from_str(text).unwrap()),
            vec![0]
        );
    }

    #[test]
    fn a_rule_set_is_reusable_across_threads_and_events() {
        let (set, patterns) = rules(&[
            json!({"n": [{"numeric": [">=", 10]}]}),
            json!({"s": [{"prefix": "ab"}]}),
        ]);
        let set = std::sync::Arc::new(set);
        let handles: Vec<_> = (0..4)
        .map(|t| {
            let set = set.clone();
            std::thread::spawn(move || {
                (0..200)
                    .map(|i| {
                        let event = json!({"n": (i + t) % 20, "s": if i % 2 == 0 { "abc" } else { "b" }});
                        set.matches(&event).len()
                    })
                    .sum::<usize>()
            })
        })
        .collect();
        let expected: Vec<usize> = (0..4)
            .map(|t| {
                (0..200)
                    .map(|i| {
                        let event =
                            json!({"n": (i + t) % 20, "s": if i % 2 == 0 { "abc" } else { "b" }});
                        patterns.iter().filter(|p| p.matches(&event)).count()
                    })
                    .sum()
            })
            .collect();
        let got: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(got, expected);
    }

    /// Matching keeps per-thread buffers between calls, shared by every rule set, and
    /// resets what the previous event left in them. Rule sets of different sizes taken
    /// in turn on one thread, with an unreadable event in between, must each answer as
    /// they would alone.
    #[test]
    fn rule_sets_taken_in_turn_on_one_thread_do_not_see_each_others_events() {
        let many: Vec<Value> = (0..40)
            .map(|i| json!({"k": [format!("v{}", i % 8)], "n": [{"numeric": [">", i]}]}))
            .collect();
        let (large, large_patterns) = rules(&many);
        let (small, small_patterns) = rules(&[
            json!({"k": ["v3"]}),
            json!({"n": [{"numeric": ["<", 5]}], "k": [{"prefix": "v"}]}),
        ]);
        for i in 0..30 {
            let event = json!({"k": format!("v{}", i % 8), "n": i});
            let from_large = matched(&large, &large_patterns, &event);
            assert!(large.matches_json("{\"k\": ").is_err());
            let from_small = matched(&small, &small_patterns, &event);
            // And the large set again, after the small one ran on its buffers.
            assert_eq!(matched(&large, &large_patterns, &event), from_large);
            assert_eq!(from_small, matched(&small, &small_patterns, &event));
        }
        // The events above match both sets somewhere, or the test proves nothing.
        let event = json!({"k": "v3", "n": 4});
        assert_eq!(matched(&small, &small_patterns, &event), vec![0, 1]);
        assert_eq!(matched(&large, &large_patterns, &event), vec![3]);
    }
}
