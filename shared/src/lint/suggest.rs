//! "Did you mean": the known name closest to a misspelt one.
//!
//! Case first, because Tencent's names are camelCase and people type them from memory
//! (`eventname`, `EventName`); then edit distance (optimal string alignment, so a swap of
//! two letters counts once), compared without case, accepting at most one edit per three
//! letters: enough for typos, too little to turn one real field into another.

/// The candidate `name` most likely meant, if any is close enough. Ties go to the
/// earlier candidate.
pub fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<&'a str> {
    if let Some(same) = candidates
        .clone()
        .into_iter()
        .find(|c| c.to_lowercase() == name.to_lowercase())
    {
        return Some(same);
    }
    let wanted = name.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance = strsim::osa_distance(&wanted, &candidate.to_lowercase());
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// AWS EventBridge's envelope names, for rules written for AWS: what this envelope calls
/// the same thing.
pub const AWS_NAMES: &[(&str, &str)] = &[
    ("detail", "data"),
    ("detail-type", "type"),
    ("version", "specversion"),
    ("resources", "resource"),
];

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &[
        "eventName",
        "eventType",
        "eventTime",
        "userIdentity",
        "errorCode",
    ];

    #[test]
    fn case_wins_over_distance() {
        assert_eq!(
            closest("eventname", NAMES.iter().copied()),
            Some("eventName")
        );
        assert_eq!(
            closest("EVENTTYPE", NAMES.iter().copied()),
            Some("eventType")
        );
    }

    #[test]
    fn typos_within_one_edit_in_three_letters() {
        assert_eq!(
            closest("evntName", NAMES.iter().copied()),
            Some("eventName")
        );
        assert_eq!(
            closest("userIdentiy", NAMES.iter().copied()),
            Some("userIdentity")
        );
        assert_eq!(
            closest("errorCdoe", NAMES.iter().copied()),
            Some("errorCode")
        );
        assert_eq!(closest("region", NAMES.iter().copied()), None);
        assert_eq!(closest("x", NAMES.iter().copied()), None);
    }
}
