//! `Pattern::explain`: the exact plain text people read, and the JSON tools read.

mod explain {
    use auditbridge_shared::cloudaudit::{Normalized, Normalizer};
    use auditbridge_shared::pattern::{Dialect, Pattern};
    use serde_json::{json, Value};

    fn pattern(text: &str) -> Pattern {
        Pattern::parse(text, Dialect::Default).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// The envelope of the published StopInstances record.
    fn stop_instances() -> Value {
        let record = include_str!("fixtures/cloudaudit/cvm-stopinstances-api-write.json");
        let outcomes = Normalizer::default().normalize_text(record);
        let Ok(Normalized::Envelope(envelope)) = &outcomes[0].result else {
            panic!("the sample normalizes: {outcomes:?}")
        };
        serde_json::to_value(envelope).expect("serializes")
    }

    fn example_rule(name: &str) -> Pattern {
        let rules: Value = serde_json::from_str(include_str!("../../rules/security.json")).unwrap();
        let rule = rules["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no rule {name}"));
        Pattern::from_value(&rule["pattern"], Dialect::Default).unwrap()
    }

    #[test]
    fn explain_a_miss_alternative_by_alternative() {
        let explanation = example_rule("instance-or-database-deleted").explain(&stop_instances());
        assert!(!explanation.matched);
        assert_eq!(
            explanation.to_string(),
            r#"no match: none of the 2 alternatives matches
alternative 1 of 2 ($or[0]): no match
  ok    data.apiErrorCode [0,"0","",{"exists":false}]: 0 matches 0
  ok    data.errorCode [0,"0"]: "0" matches "0"
  FAIL  data.eventName ["TerminateInstances"]: "StopInstances": not equal to "TerminateInstances"
  ok    source ["cvm.cloud.tencent"]: "cvm.cloud.tencent" matches "cvm.cloud.tencent"
alternative 2 of 2 ($or[1]): no match
  ok    data.apiErrorCode [0,"0","",{"exists":false}]: 0 matches 0
  ok    data.errorCode [0,"0"]: "0" matches "0"
  FAIL  data.eventName [{"prefix":"Isolate"},{"prefix":"Destroy"},{"prefix":"Terminate"},{"prefix":"OfflineIsolated"},{"wildcard":"Delete*Instance*"},"OfflineCluster"]: "StopInstances": matches none of the 6 alternatives
  FAIL  source ["cdb.cloud.tencent","cynosdb.cloud.tencent","postgres.cloud.tencent","mongodb.cloud.tencent","redis.cloud.tencent","sqlserver.cloud.tencent","mariadb.cloud.tencent","dcdb.cloud.tencent"]: "cvm.cloud.tencent": matches none of the 8 alternatives
"#
        );
    }

    #[test]
    fn explain_a_match_names_the_alternative_that_matched() {
        let mut event = stop_instances();
        event["data"]["eventName"] = json!("TerminateInstances");
        let explanation = example_rule("instance-or-database-deleted").explain(&event);
        assert!(explanation.matched);
        assert_eq!(
            explanation.to_string(),
            r#"match: alternative 1 of 2 ($or[0]) matches
alternative 1 of 2 ($or[0]): match
  ok    data.apiErrorCode [0,"0","",{"exists":false}]: 0 matches 0
  ok    data.errorCode [0,"0"]: "0" matches "0"
  ok    data.eventName ["TerminateInstances"]: "TerminateInstances" matches "TerminateInstances"
  ok    source ["cvm.cloud.tencent"]: "cvm.cloud.tencent" matches "cvm.cloud.tencent"
alternative 2 of 2 ($or[1]): no match
  ok    data.apiErrorCode [0,"0","",{"exists":false}]: 0 matches 0
  ok    data.errorCode [0,"0"]: "0" matches "0"
  ok    data.eventName [{"prefix":"Isolate"},{"prefix":"Destroy"},{"prefix":"Terminate"},{"prefix":"OfflineIsolated"},{"wildcard":"Delete*Instance*"},"OfflineCluster"]: "TerminateInstances" matches {"prefix":"Terminate"}
  FAIL  source ["cdb.cloud.tencent","cynosdb.cloud.tencent","postgres.cloud.tencent","mongodb.cloud.tencent","redis.cloud.tencent","sqlserver.cloud.tencent","mariadb.cloud.tencent","dcdb.cloud.tencent"]: "cvm.cloud.tencent": matches none of the 8 alternatives
"#
        );
    }

    #[test]
    fn explain_says_when_conditions_hold_only_in_different_array_elements() {
        let pattern = pattern(r#"{"data":{"items":{"a":[1],"b":["x"]}}}"#);
        let split = json!({"data":{"items":[{"a":1,"b":"y"},{"a":2,"b":"x"}]}});
        let explanation = pattern.explain(&split);
        assert!(!explanation.matched && explanation.alternatives[0].array_conflict);
        assert_eq!(
            explanation.to_string(),
            r#"no match
  ok    data.items.a [1]: 1 matches 1 (at data.items[0].a)
  ok    data.items.b ["x"]: "x" matches "x" (at data.items[1].b)
  every condition is met, but never all in the same element of the arrays they share (fields under one array element must match in that same element)
"#
        );
        let together = json!({"data":{"items":[{"a":1,"b":"y"},{"a":1,"b":"x"}]}});
        let explanation = pattern.explain(&together);
        assert!(explanation.matched && !explanation.alternatives[0].array_conflict);
        assert_eq!(
            explanation.to_string(),
            r#"match
  ok    data.items.a [1]: 1 matches 1 (at data.items[1].a)
  ok    data.items.b ["x"]: "x" matches "x" (at data.items[1].b)
"#
        );
    }

    #[test]
    fn explain_says_where_an_absence_inside_arrays_holds_or_not() {
        let pattern =
            pattern(r#"{"Ingress":{"CidrBlock":["0.0.0.0/0"],"Description":[{"exists":false}]}}"#);
        let open = json!({"Ingress":[{"CidrBlock":"0.0.0.0/0"},{"CidrBlock":"10.0.0.0/8","Description":"office"}]});
        let explanation = pattern.explain(&open);
        assert!(explanation.matched);
        assert_eq!(
            explanation.to_string(),
            r#"match
  ok    Ingress.CidrBlock ["0.0.0.0/0"]: "0.0.0.0/0" matches "0.0.0.0/0" (at Ingress[0].CidrBlock)
  ok    Ingress.Description [{"exists":false}]: absent from the array elements chosen, as {"exists":false} requires (present only at Ingress[1].Description)
"#
        );
        let described = json!({"Ingress":[{"CidrBlock":"0.0.0.0/0","Description":"lb"}]});
        let explanation = pattern.explain(&described);
        assert!(!explanation.matched && explanation.alternatives[0].array_conflict);
        assert_eq!(
            explanation.to_string(),
            r#"no match
  ok    Ingress.CidrBlock ["0.0.0.0/0"]: "0.0.0.0/0" matches "0.0.0.0/0" (at Ingress[0].CidrBlock)
  ok    Ingress.Description [{"exists":false}]: present only inside arrays (at Ingress[0].Description): absent if other elements are chosen, as {"exists":false} requires
  every condition is met, but never all in the same element of the arrays they share (fields under one array element must match in that same element, and a field {"exists":false} asks for must be missing from the elements the fields before it in key order chose)
"#
        );
    }

    #[test]
    fn explain_gives_the_reason_for_each_kind_of_miss() {
        let pattern = pattern(
            r#"{"data":{"errorCode":[0],"eventName":[{"prefix":"Delete"}],"x":[{"numeric":[">",5]}],"y":[{"exists":false}],"z":["a"],"w":["a"],"v":[{"suffix":"s"}],"u":["a"],"gone":["a"]}}"#,
        );
        let event = json!({"data":{"errorCode":"0","eventName":7,"x":3,"y":"here","z":{"k":1},"w":[],"v":["at","bs2",null],"u":true}});
        assert_eq!(
            pattern.explain(&event).to_string(),
            r#"no match
  FAIL  data.errorCode [0]: "0": a string never equals the number 0
  FAIL  data.eventName [{"prefix":"Delete"}]: 7: {"prefix":"Delete"} needs a string, got a number
  FAIL  data.gone ["a"]: absent: the event has no value at this path
  FAIL  data.u ["a"]: true: a boolean never equals the string "a"
  FAIL  data.v [{"suffix":"s"}]: none of the 3 values here matches
          data.v[0] = "at": does not end with "s"
          data.v[1] = "bs2": does not end with "s"
          data.v[2] = null: {"suffix":"s"} needs a string, got null
  FAIL  data.w ["a"]: no value here: the event has an empty array at this path
  FAIL  data.x [{"numeric":[">",5]}]: 3: outside the range [">",5]
  FAIL  data.y [{"exists":false}]: present, but {"exists":false} requires it absent
  FAIL  data.z ["a"]: no value here: the event has an object at this path, and patterns match only the values inside objects
"#
        );
    }

    #[test]
    fn explain_reasons_for_string_operators() {
        let pattern = pattern(
            r#"{"source":[{"anything-but":{"prefix":"cvm"}}],"tags":{"env":[{"equals-ignore-case":"PROD"}]},"ip":[{"cidr":"10.0.0.0/8"}],"s":[{"contain":["ab","cd"]}],"arr":[{"array":"{\"k\":1}"}],"w":[{"wildcard":"a*z"}],"p":[{"prefix":{"equals-ignore-case":"x"}}]}"#,
        );
        let event = json!({"source":"cvm.cloud.tencent","tags":{"env":"staging"},"ip":"192.168.0.1","s":"abxx","arr":[{"k":2}],"w":"abc","p":"yes"});
        assert_eq!(
            pattern.explain(&event).to_string(),
            r#"no match
  FAIL  arr [{"array":{"k":1}}]: [{"k":2}]: not an array with an element holding {"k":1}
  FAIL  ip [{"cidr":"10.0.0.0/8"}]: "192.168.0.1": not an IP address inside 10.0.0.0/8
  FAIL  p [{"prefix":{"equals-ignore-case":"x"}}]: "yes": does not start with "x" ignoring case
  FAIL  s [{"contain":["ab","cd"]}]: "abxx": does not contain "cd"
  FAIL  source [{"anything-but":{"prefix":"cvm"}}]: "cvm.cloud.tencent": excluded by {"anything-but":{"prefix":"cvm"}}
  FAIL  tags.env [{"equals-ignore-case":"PROD"}]: "staging": not equal to "PROD" ignoring case
  FAIL  w [{"wildcard":"a*z"}]: "abc": does not match the wildcard "a*z"
"#
        );
    }

    #[test]
    fn explain_json_lists_every_value_and_the_one_chosen() {
        let pattern =
            pattern(r#"{"source":["cvm.cloud.tencent"],"data":{"eventName":[{"prefix":"Stop"}]}}"#);
        let event = json!({"source":"cvm.cloud.tencent","data":{"eventName":["StartInstances","StopInstances"]}});
        let json = serde_json::to_value(pattern.explain(&event)).expect("serializes");
        assert_eq!(
            json,
            json!({"matched": true, "alternatives": [{
                "branches": [], "matched": true, "arrayConflict": false,
                "conditions": [
                    {"path": "data.eventName", "matchers": [{"prefix": "Stop"}],
                     "values": [
                        {"at": "data.eventName[0]", "value": "StartInstances", "satisfies": [], "reason": "does not start with \"Stop\""},
                        {"at": "data.eventName[1]", "value": "StopInstances", "satisfies": [0], "reason": "matches {\"prefix\":\"Stop\"}"}
                     ],
                     "met": true, "chosen": 1,
                     "reason": "\"StopInstances\" matches {\"prefix\":\"Stop\"} (at data.eventName[1])"},
                    {"path": "source", "matchers": ["cvm.cloud.tencent"],
                     "values": [{"at": "source", "value": "cvm.cloud.tencent", "satisfies": [0], "reason": "matches \"cvm.cloud.tencent\""}],
                     "met": true, "chosen": 0,
                     "reason": "\"cvm.cloud.tencent\" matches \"cvm.cloud.tencent\""}
                ]
            }]})
        );
    }

    #[test]
    fn explain_labels_nested_or_branches_by_their_place_in_the_pattern() {
        let pattern = pattern(r#"{"$or":[{"a":["1"]},{"b":{"$or":[{"c":["2"]},{"d":["3"]}]}}]}"#);
        let explanation = pattern.explain(&json!({"b": {"d": "3"}}));
        let labels: Vec<Vec<String>> = explanation
            .alternatives
            .iter()
            .map(|a| a.branches.clone())
            .collect();
        assert_eq!(
            labels,
            vec![
                vec!["$or[0]".to_string()],
                vec!["$or[1]".to_string(), "$or[1].b.$or[0]".to_string()],
                vec!["$or[1]".to_string(), "$or[1].b.$or[1]".to_string()],
            ]
        );
        assert!(explanation
            .to_string()
            .starts_with("match: alternative 3 of 3 ($or[1], $or[1].b.$or[1]) matches\n"));
    }

    /// `[]` (default dialect) fails whatever the event holds there, and says why.
    #[test]
    fn explain_an_empty_list() {
        let explanation = pattern(r#"{"a":[],"b":[1]}"#).explain(&json!({"a": 1, "b": 1}));
        assert!(!explanation.matched);
        assert_eq!(
            explanation.to_string(),
            "no match\n  FAIL  a []: the empty list [] has no alternative, so no value matches it\n  ok    b [1]: 1 matches 1\n"
        );
    }
}
