//! What rule names and target ids may look like.
//!
//! Both travel in SQS message attributes, logs and idempotency keys, and people type
//! them on the command line, so they are kept to a small, unambiguous alphabet.

/// Rule names: 2 to 60 characters.
pub const RULE_NAME_LENGTH: std::ops::RangeInclusive<usize> = 2..=60;
/// Target ids: 1 to 64 characters (EventBridge's limit for target ids).
pub const TARGET_ID_LENGTH: std::ops::RangeInclusive<usize> = 1..=64;

/// `Ok` when `name` is a valid rule name: 2–60 ASCII letters, digits, `_` and `-`,
/// starting with a letter. The error is the reason, for a [`super::RuleProblem`].
pub fn check_rule_name(name: &str) -> Result<(), String> {
    let length = name.chars().count();
    if !RULE_NAME_LENGTH.contains(&length) {
        return Err(format!(
            "rule name {name:?} must be {} to {} characters long, not {length}",
            RULE_NAME_LENGTH.start(),
            RULE_NAME_LENGTH.end()
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(format!("rule name {name:?} must start with a letter"));
    }
    if let Some(bad) = name.chars().find(|&c| !is_name_char(c)) {
        return Err(format!(
            "rule name {name:?} may contain only letters, digits, '_' and '-', not {bad:?}"
        ));
    }
    Ok(())
}

/// `Ok` when `id` is a valid target id: 1–64 ASCII letters, digits, `_`, `-` and `.`
/// (the characters EventBridge allows in target ids).
pub fn check_target_id(id: &str) -> Result<(), String> {
    let length = id.chars().count();
    if !TARGET_ID_LENGTH.contains(&length) {
        return Err(format!(
            "target id {id:?} must be {} to {} characters long, not {length}",
            TARGET_ID_LENGTH.start(),
            TARGET_ID_LENGTH.end()
        ));
    }
    if let Some(bad) = id.chars().find(|&c| !is_name_char(c) && c != '.') {
        return Err(format!(
            "target id {id:?} may contain only letters, digits, '_', '-' and '.', not {bad:?}"
        ));
    }
    Ok(())
}

/// The id of a target that has none: `target-<index>`, its position in `targets`
/// (0-based, as in problem paths like `targets[0]`).
pub fn default_target_id(index: usize) -> String {
    format!("target-{index}")
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_rule_names() {
        for name in ["ab", "sg-opened-to-world", "Rule_2", &"a".repeat(60)] {
            assert_eq!(check_rule_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn invalid_rule_names_say_why() {
        assert_eq!(
            check_rule_name("a"),
            Err(r#"rule name "a" must be 2 to 60 characters long, not 1"#.into())
        );
        assert_eq!(
            check_rule_name(&"a".repeat(61)),
            Err(format!(
                "rule name {:?} must be 2 to 60 characters long, not 61",
                "a".repeat(61)
            ))
        );
        assert_eq!(
            check_rule_name("1abc"),
            Err(r#"rule name "1abc" must start with a letter"#.into())
        );
        assert_eq!(
            check_rule_name("-abc"),
            Err(r#"rule name "-abc" must start with a letter"#.into())
        );
        assert_eq!(
            check_rule_name("sg.open"),
            Err(
                r#"rule name "sg.open" may contain only letters, digits, '_' and '-', not '.'"#
                    .into()
            )
        );
        assert_eq!(
            check_rule_name("sg öffnen"),
            Err(
                r#"rule name "sg öffnen" may contain only letters, digits, '_' and '-', not ' '"#
                    .into()
            )
        );
    }

    #[test]
    fn target_ids() {
        for id in ["a", "page", "timeline.v2", "1", &"x".repeat(64)] {
            assert_eq!(check_target_id(id), Ok(()), "{id}");
        }
        assert_eq!(
            check_target_id(""),
            Err(r#"target id "" must be 1 to 64 characters long, not 0"#.into())
        );
        assert_eq!(
            check_target_id("a/b"),
            Err(
                r#"target id "a/b" may contain only letters, digits, '_', '-' and '.', not '/'"#
                    .into()
            )
        );
        assert_eq!(default_target_id(2), "target-2");
        assert_eq!(check_target_id(&default_target_id(9)), Ok(()));
    }
}
