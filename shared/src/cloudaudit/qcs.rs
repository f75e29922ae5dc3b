//! QCS resource names (`qcs:project:service:region:account:resource`) for the envelope's
//! `subject` and `resource`.
//!
//! CloudAudit writes them with a project segment (`qcs:id/1196468:cvm:…`) that rules
//! should not have to know, so it is dropped (`qcs::cvm:…`), as EventBridge does.
//! A name is **concrete** when it names one resource: it starts with `qcs:` and neither
//! is nor ends with the wildcard `*` (`qcs::cam::uin/1:uin/*` names a pattern, not a
//! resource). Strings that are not QCS names are left to `data` only.

use serde_json::Value;

/// Every concrete QCS name in a record's `resources`, normalized, in order, without
/// duplicates. `resources` may be a string holding a JSON array, an array, a single
/// name, `"*"`, `"[\"*\"]"` or `""`; anything unreadable yields no names.
pub(crate) fn resource_names(resources: Option<&Value>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut push = |raw: &str| {
        if let Some(name) = normalize(raw) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    };
    match resources {
        Some(Value::String(text)) => {
            let text = text.trim();
            if text.starts_with('[') {
                if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) {
                    items.iter().filter_map(Value::as_str).for_each(&mut push);
                }
            } else {
                push(text);
            }
        }
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).for_each(&mut push),
        _ => {}
    }
    names
}

/// A concrete QCS name with its project segment dropped and `\/` unescaped; `None` for
/// wildcards, empty strings and non-QCS text.
pub(crate) fn normalize(raw: &str) -> Option<String> {
    let name = raw.trim().replace("\\/", "/");
    if !name.starts_with("qcs:") || !is_concrete(&name) {
        return None;
    }
    let mut parts = name.splitn(3, ':');
    let (Some(scheme), Some(project), Some(rest)) = (parts.next(), parts.next(), parts.next())
    else {
        return Some(name);
    };
    if project.starts_with("id/") {
        Some(format!("{scheme}::{rest}"))
    } else {
        Some(name)
    }
}

/// Not empty and not a wildcard (`*`, `instance/*`, `uin/*`).
pub(crate) fn is_concrete(part: &str) -> bool {
    let part = part.trim();
    !part.is_empty() && !part.ends_with('*')
}

/// What the envelope's `subject` is built from when `resources` names nothing.
pub(crate) struct SubjectParts<'a> {
    pub product: &'a str,
    pub region: &'a str,
    /// `userIdentity.accountId`; empty when the record has none.
    pub account_id: &'a str,
    /// `resourceName`, possibly several joined by `|`.
    pub resource_name: Option<&'a str>,
}

/// The first concrete resource name; else `qcs::${product}:${region}:uin/${accountId}:`
/// followed by the first concrete part of `resourceName`; else the account itself,
/// `qcs::${product}:${region}:uin/${accountId}`. Without an account id the account
/// segment is left empty, as QCS does for segments that do not apply.
pub(crate) fn subject(resource_names: &[String], parts: &SubjectParts<'_>) -> String {
    if let Some(first) = resource_names.first() {
        return first.clone();
    }
    let account = if parts.account_id.is_empty() {
        String::new()
    } else {
        format!("uin/{}", parts.account_id)
    };
    let base = format!("qcs::{}:{}:{account}", parts.product, parts.region);
    let first_resource = parts.resource_name.and_then(|names| {
        names
            .split('|')
            .map(str::trim)
            .find(|name| is_concrete(name))
    });
    match first_resource {
        Some(name) if name.starts_with("qcs:") => normalize(name).unwrap_or(base),
        Some(name) => format!("{base}:{name}"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn project_segment_is_dropped_and_slashes_unescaped() {
        assert_eq!(
            normalize("qcs:id/1196468:cvm:ap-guangzhou:uin/100015007673:instance/ins-in511g92")
                .as_deref(),
            Some("qcs::cvm:ap-guangzhou:uin/100015007673:instance/ins-in511g92")
        );
        assert_eq!(
            normalize(r"qcs:id\/0:cvm:ap-guangzhou:uin\/1:instance\/ins-1").as_deref(),
            Some("qcs::cvm:ap-guangzhou:uin/1:instance/ins-1")
        );
        assert_eq!(
            normalize("qcs::cam::uin/1:uin/2").as_deref(),
            Some("qcs::cam::uin/1:uin/2")
        );
    }

    #[test]
    fn wildcards_and_non_qcs_text_are_not_names() {
        for raw in [
            "*",
            "",
            "  ",
            "qcs::cam::uin/1:uin/*",
            "ins-123",
            "instance/ins-1",
        ] {
            assert_eq!(normalize(raw), None, "{raw}");
        }
    }

    #[test]
    fn resources_in_every_shape() {
        let cvm = "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1".to_owned();
        let cvm2 = "qcs::cvm:ap-guangzhou:uin/1:instance/ins-2".to_owned();
        assert_eq!(
            resource_names(Some(&json!("[\"qcs:id/0:cvm:ap-guangzhou:uin/1:instance/ins-1\",\"qcs:id/0:cvm:ap-guangzhou:uin/1:instance/ins-2\"]"))),
            vec![cvm.clone(), cvm2.clone()]
        );
        assert_eq!(
            resource_names(Some(&json!([
                "*",
                "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1",
                7,
                "qcs:id/3:cvm:ap-guangzhou:uin/1:instance/ins-1"
            ]))),
            vec![cvm.clone()]
        );
        assert_eq!(
            resource_names(Some(&json!("qcs::cvm:ap-guangzhou:uin/1:instance/ins-1"))),
            vec![cvm]
        );
        for empty in [
            json!("*"),
            json!("[\"*\"]"),
            json!(""),
            json!("[broken"),
            json!(null),
            json!({"a": 1}),
            json!([]),
        ] {
            assert!(resource_names(Some(&empty)).is_empty(), "{empty}");
        }
        assert!(resource_names(None).is_empty());
    }

    fn parts<'a>(resource_name: Option<&'a str>, account_id: &'a str) -> SubjectParts<'a> {
        SubjectParts {
            product: "cdb",
            region: "ap-guangzhou",
            account_id,
            resource_name,
        }
    }

    #[test]
    fn subject_prefers_resources_then_resource_name_then_account() {
        let names = vec!["qcs::cvm:ap-guangzhou:uin/1:instance/ins-1".to_owned()];
        assert_eq!(subject(&names, &parts(Some("instance/x"), "1")), names[0]);
        assert_eq!(
            subject(&[], &parts(Some("instanceId/cdb-abc123"), "91000000009")),
            "qcs::cdb:ap-guangzhou:uin/91000000009:instanceId/cdb-abc123"
        );
        assert_eq!(
            subject(&[], &parts(Some("*|instance/a|instance/b"), "1")),
            "qcs::cdb:ap-guangzhou:uin/1:instance/a"
        );
        assert_eq!(
            subject(&[], &parts(Some("*"), "1")),
            "qcs::cdb:ap-guangzhou:uin/1"
        );
        assert_eq!(
            subject(&[], &parts(Some(""), "1")),
            "qcs::cdb:ap-guangzhou:uin/1"
        );
        assert_eq!(subject(&[], &parts(None, "")), "qcs::cdb:ap-guangzhou:");
        assert_eq!(
            subject(
                &[],
                &parts(
                    Some("qcs:id/2:cdb:ap-guangzhou:uin/1:instanceId/cdb-1"),
                    "1"
                )
            ),
            "qcs::cdb:ap-guangzhou:uin/1:instanceId/cdb-1"
        );
    }
}
