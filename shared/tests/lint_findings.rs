//! `lint`: every kind of finding, with its exact text, on the fixtures under
//! `tests/fixtures/lint/` (one file per kind), and the example rules linting clean.

mod lint {
    use auditbridge_shared::cloudaudit::ActionType;
    use auditbridge_shared::lint::{lint_text, FindingKind, LintOptions, Severity};
    use auditbridge_shared::pattern::Dialect;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/lint/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Each finding as printed, with its kind.
    fn findings(text: &str, options: &LintOptions) -> Vec<(String, FindingKind)> {
        lint_text(text, Dialect::Default, options)
            .into_iter()
            .map(|f| (f.to_string(), f.kind))
            .collect()
    }

    fn assert_findings(name: &str, expected: &[(&str, FindingKind)]) {
        let got = findings(&fixture(name), &LintOptions::default());
        let expected: Vec<(String, FindingKind)> =
            expected.iter().map(|(t, k)| (t.to_string(), *k)).collect();
        assert_eq!(got, expected, "{name}");
    }

    /// Paths no envelope carries, with did-you-mean for case, typos, AWS names and record fields
    /// written at the top; nothing under the open `requestParameters`/`responseElements`/tags.
    #[test]
    fn lint_unknown_fields_name_the_field_and_the_likely_one() {
        assert_findings(
            "unknown-fields",
            &[
                (
                    r#"warning: rule lowercase-event-name: pattern.data.eventname: no CloudAudit envelope has this field; did you mean data.eventName?"#,
                    FindingKind::UnknownField,
                ),
                (
                    r#"warning: rule record-field-at-top: pattern.eventName: no CloudAudit envelope has this field; did you mean data.eventName?"#,
                    FindingKind::UnknownField,
                ),
                (
                    r#"warning: rule aws-detail: pattern.detail: no CloudAudit envelope has this field; did you mean data?"#,
                    FindingKind::UnknownField,
                ),
                (
                    r#"warning: rule misspelt-user-name: pattern.data.userIdentity.usrName: no CloudAudit envelope has this field; did you mean data.userIdentity.userName?"#,
                    FindingKind::UnknownField,
                ),
                (
                    r#"warning: rule field-below-a-string: pattern.data.eventName.Action: no CloudAudit envelope has this field; data.eventName holds a string, with no fields inside: match it directly"#,
                    FindingKind::UnknownField,
                ),
                (
                    r#"warning: rule session-context: pattern.data.userIdentity.sessionContext.userIP: CloudAudit is not known to write this field; did you mean data.userIdentity.sessionContext.userIp?"#,
                    FindingKind::UnknownField,
                ),
                (
                    r#"warning: rule nothing-close: pattern.data.zzzzzz: no CloudAudit envelope has this field"#,
                    FindingKind::UnknownField,
                ),
            ],
        );
    }

    /// Types CloudAudit never writes there; fields seen with both strings and numbers accept both.
    #[test]
    fn lint_type_mismatches_say_what_cloudaudit_writes() {
        assert_findings(
            "type-mismatches",
            &[
                (
                    r#"warning: rule numbers-on-strings: pattern.data.eventName[0]: {"numeric":[">",0]} never matches: CloudAudit writes data.eventName as a string; compare it as a string (an exact value, prefix or wildcard)"#,
                    FindingKind::TypeMismatch,
                ),
                (
                    r#"warning: rule numbers-on-strings: pattern.data.eventName[1]: 5 never matches: CloudAudit writes data.eventName as a string; write it as a string: "5""#,
                    FindingKind::TypeMismatch,
                ),
                (
                    r#"warning: rule numbers-on-strings: pattern.data.sourceIPAddress[0]: {"numeric":["=",1]} never matches: CloudAudit writes data.sourceIPAddress as a string holding an IP address; compare it as a string (an exact value, prefix or wildcard)"#,
                    FindingKind::TypeMismatch,
                ),
                (
                    r#"warning: rule strings-on-time: pattern.time[0]: {"prefix":"17"} never matches: CloudAudit writes time as a number; compare it with {"numeric": [...]}"#,
                    FindingKind::TypeMismatch,
                ),
                (
                    r#"warning: rule strings-on-time: pattern.time[1]: "1714961587000" never matches: CloudAudit writes time as a number; write it as a number: 1714961587000"#,
                    FindingKind::TypeMismatch,
                ),
                (
                    r#"warning: rule strings-on-time: pattern.time[2]: "yesterday" never matches: CloudAudit writes time as a number; compare it with {"numeric": [...]}"#,
                    FindingKind::TypeMismatch,
                ),
                (
                    r#"warning: rule cidr-not-on-an-ip: pattern.data.errorCode[0]: {"cidr":"10.0.0.0/8"} never matches: CloudAudit writes data.errorCode as a string or a number, not an IP address; did you mean data.sourceIPAddress?"#,
                    FindingKind::TypeMismatch,
                ),
                (
                    r#"warning: rule cidr-not-on-an-ip: pattern.data.userAgent[0]: {"cidr":"10.0.0.0/8"} never matches: CloudAudit writes data.userAgent as a string, not an IP address; did you mean data.sourceIPAddress?"#,
                    FindingKind::TypeMismatch,
                ),
                (
                    r#"warning: rule value-on-an-object: pattern.data[0]: {"exists":true} never matches: data is an object, and patterns match only the values inside it; match a field inside data"#,
                    FindingKind::TypeMismatch,
                ),
                (
                    r#"warning: rule value-on-an-object: pattern.data[1]: {"exists":false} always holds: data is an object, and patterns match only the values inside it; match a field inside data"#,
                    FindingKind::TypeMismatch,
                ),
            ],
        );
    }

    /// `source`/`type` values the normalizer never produces, judged for exact values and operators.
    #[test]
    fn lint_impossible_source_and_type_values() {
        assert_findings(
            "impossible-values",
            &[
                (
                    r#"warning: rule api-endpoint-as-source: pattern.source[0]: "cvm.tencentcloudapi.com" never matches: CloudAudit sources are "<product>.cloud.tencent"; did you mean "cvm.cloud.tencent"?"#,
                    FindingKind::ImpossibleValue,
                ),
                (
                    r#"warning: rule api-endpoint-as-source: pattern.source[1]: "CVM.cloud.tencent" never matches: CloudAudit sources are "<product>.cloud.tencent"; did you mean "cvm.cloud.tencent"?"#,
                    FindingKind::ImpossibleValue,
                ),
                (
                    r#"warning: rule source-operators: pattern.source[0]: {"prefix":"cvm.tencent"} never matches: CloudAudit sources are "<product>.cloud.tencent""#,
                    FindingKind::ImpossibleValue,
                ),
                (
                    r#"warning: rule source-operators: pattern.source[3]: {"suffix":".tencentcloudapi.com"} never matches: CloudAudit sources are "<product>.cloud.tencent""#,
                    FindingKind::ImpossibleValue,
                ),
                (
                    r#"warning: rule short-type: pattern.type[0]: "cvm:ApiCall" never matches: CloudAudit types are "<product>:CloudEvent:ApiCall", "<product>:CloudEvent:ConsoleCall" or "<product>:CloudEvent:MiniProgramCall"; did you mean "cvm:CloudEvent:ApiCall"?"#,
                    FindingKind::ImpossibleValue,
                ),
                (
                    r#"warning: rule short-type: pattern.type[1]: "cvm:CloudEvent:apicall" never matches: CloudAudit types are "<product>:CloudEvent:ApiCall", "<product>:CloudEvent:ConsoleCall" or "<product>:CloudEvent:MiniProgramCall"; did you mean "cvm:CloudEvent:ApiCall"?"#,
                    FindingKind::ImpossibleValue,
                ),
                (
                    r#"warning: rule short-type: pattern.type[3]: "ApiCall" never matches: CloudAudit types are "<product>:CloudEvent:ApiCall", "<product>:CloudEvent:ConsoleCall" or "<product>:CloudEvent:MiniProgramCall""#,
                    FindingKind::ImpossibleValue,
                ),
                (
                    r#"warning: rule type-operators: pattern.type[1]: {"prefix":"cvm:Event"} never matches: CloudAudit types are "<product>:CloudEvent:ApiCall", "<product>:CloudEvent:ConsoleCall" or "<product>:CloudEvent:MiniProgramCall""#,
                    FindingKind::ImpossibleValue,
                ),
            ],
        );
    }

    /// Read-only API names and `actionType` `Read`, while only writes are delivered.
    #[test]
    fn lint_read_only_api_names_when_only_writes_are_delivered() {
        assert_findings(
            "reads",
            &[
                (
                    r#"warning: rule watch-describes: pattern.data.eventName[0]: "DescribeInstances" names a read-only API (Describe...), and only write calls are delivered; if this rule must see reads, deliver them: ACTION_TYPES=Write,Read on the normalize function (auditbridge: --action-types write,read)"#,
                    FindingKind::ReadsNotDelivered,
                ),
                (
                    r#"warning: rule watch-describes: pattern.data.eventName[1]: {"prefix":"List"} names a read-only API (List...), and only write calls are delivered; if this rule must see reads, deliver them: ACTION_TYPES=Write,Read on the normalize function (auditbridge: --action-types write,read)"#,
                    FindingKind::ReadsNotDelivered,
                ),
                (
                    r#"warning: rule watch-describes: pattern.data.eventName[4]: {"prefix":"Get"} names a read-only API (Get...), and only write calls are delivered; if this rule must see reads, deliver them: ACTION_TYPES=Write,Read on the normalize function (auditbridge: --action-types write,read)"#,
                    FindingKind::ReadsNotDelivered,
                ),
                (
                    r#"warning: rule watch-reads: pattern.data.actionType[0]: "Read" never matches: only write calls are delivered; if this rule must see reads, deliver them: ACTION_TYPES=Write,Read on the normalize function (auditbridge: --action-types write,read)"#,
                    FindingKind::ReadsNotDelivered,
                ),
                (
                    r#"warning: rule watch-reads: pattern.data.actionType[1]: {"equals-ignore-case":"read"} never matches: only write calls are delivered; if this rule must see reads, deliver them: ACTION_TYPES=Write,Read on the normalize function (auditbridge: --action-types write,read)"#,
                    FindingKind::ReadsNotDelivered,
                ),
            ],
        );
    }

    /// `[]` (accepted by the default dialect) matches no value, wherever it is written.
    #[test]
    fn lint_empty_lists_never_hold() {
        assert_findings(
            "empty-lists",
            &[
                (
                    r#"warning: rule empty-source: pattern.source: [] lists no value, so this condition never holds and the rule never matches through it; list the values to match, or remove the field"#,
                    FindingKind::EmptyList,
                ),
                (
                    r#"warning: rule one-empty-branch: pattern.$or[0].data.eventName: [] lists no value, so this condition never holds and the rule never matches through it; list the values to match, or remove the field"#,
                    FindingKind::EmptyList,
                ),
            ],
        );
    }

    /// Patterns every envelope matches (and only those: `resource` may be empty, `data.eventName`
    /// is not a top-level field, a real source can be excluded).
    #[test]
    fn lint_patterns_every_envelope_matches() {
        assert_findings(
            "matches-everything",
            &[
                (
                    r#"warning: rule any-source: pattern: matches every CloudAudit event: source [{"exists":true}] holds for all of them; add a condition that selects the events this rule is for, such as source and data.eventName"#,
                    FindingKind::MatchesEverything,
                ),
                (
                    r#"warning: rule empty-prefix-and-any-id: pattern: matches every CloudAudit event: id [{"prefix":""}] and type [{"wildcard":"*"}] hold for all of them; add a condition that selects the events this rule is for, such as source and data.eventName"#,
                    FindingKind::MatchesEverything,
                ),
                (
                    r#"warning: rule one-open-branch: pattern: matches every CloudAudit event: source [{"anything-but":"cvm.tencentcloudapi.com"}] holds for all of them; add a condition that selects the events this rule is for, such as source and data.eventName"#,
                    FindingKind::MatchesEverything,
                ),
                (
                    r#"warning: rule anything-but-a-number: pattern: matches every CloudAudit event: region [{"anything-but":[1,2]}] holds for all of them; add a condition that selects the events this rule is for, such as source and data.eventName"#,
                    FindingKind::MatchesEverything,
                ),
                (
                    r#"warning: rule absent-aws-field: pattern.detail-type: no CloudAudit envelope has this field; did you mean type?"#,
                    FindingKind::UnknownField,
                ),
                (
                    r#"warning: rule absent-aws-field: pattern: matches every CloudAudit event: detail-type [{"exists":false}] holds for all of them; add a condition that selects the events this rule is for, such as source and data.eventName"#,
                    FindingKind::MatchesEverything,
                ),
            ],
        );
    }

    /// Same pattern as an earlier enabled rule, in any key/`$or`/value order: duplicate with the
    /// same targets (in any order), shadowed with others; disabled rules are left out.
    #[test]
    fn lint_duplicate_and_shadowed_rules() {
        assert_findings(
            "duplicates",
            &[
                (
                    r#"warning: rule stop-b: pattern: same pattern and targets as rule stop-a: every match is delivered twice; delete one of the two"#,
                    FindingKind::Duplicate,
                ),
                (
                    r#"warning: rule stop-c: pattern: same pattern as rule stop-a, so both match exactly the same events; merge the targets of stop-c into stop-a and delete stop-c"#,
                    FindingKind::Shadowed,
                ),
                (
                    r#"warning: rule or-order-swapped: pattern: same pattern and targets as rule or-order: every match is delivered twice; delete one of the two"#,
                    FindingKind::Duplicate,
                ),
            ],
        );
    }

    /// Problems of the rules module are errors, and nothing else is reported.
    #[test]
    fn lint_invalid_rules_are_errors() {
        assert_findings(
            "invalid",
            &[
                (
                    r#"error: rule bad-prefix: pattern.source[0].prefix: prefix match pattern must be a string"#,
                    FindingKind::InvalidRule,
                ),
                (
                    r#"error: rules[1]: name: duplicate rule name "bad-prefix" (first used by rules[0])"#,
                    FindingKind::InvalidRule,
                ),
            ],
        );
    }

    #[test]
    fn lint_example_rules_and_a_clean_fixture_have_no_findings() {
        let example = include_str!("../../rules/security.json");
        assert_eq!(findings(example, &LintOptions::default()), vec![]);
        assert_eq!(findings(&fixture("clean"), &LintOptions::default()), vec![]);
    }

    #[test]
    fn lint_read_warnings_go_away_when_reads_are_delivered() {
        let options = LintOptions {
            action_types: vec![ActionType::Write, ActionType::Read],
        };
        assert_eq!(findings(&fixture("reads"), &options), vec![]);
    }

    #[test]
    fn lint_checks_are_warnings_and_rule_problems_errors() {
        for name in [
            "unknown-fields",
            "type-mismatches",
            "impossible-values",
            "reads",
            "matches-everything",
            "duplicates",
        ] {
            for finding in lint_text(&fixture(name), Dialect::Default, &LintOptions::default()) {
                assert_eq!(finding.severity, Severity::Warning, "{finding}");
            }
        }
        let invalid = lint_text(
            &fixture("invalid"),
            Dialect::Default,
            &LintOptions::default(),
        );
        assert!(!invalid.is_empty());
        assert!(invalid
            .iter()
            .all(|f| f.severity == Severity::Error && f.kind == FindingKind::InvalidRule));
    }

    #[test]
    fn lint_the_dialect_decides_what_is_valid() {
        let text = r#"{"rules": [{"name": "bare", "pattern": {"source": "cvm.cloud.tencent"}}]}"#;
        assert_eq!(
            lint_text(text, Dialect::Default, &LintOptions::default()),
            vec![]
        );
        let aws = lint_text(text, Dialect::Aws, &LintOptions::default());
        assert_eq!(
            aws.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec![r#"error: rule bare: pattern.source: "source" must be an object or an array"#]
        );
    }
}
