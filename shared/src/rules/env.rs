//! Queue URLs with `${NAME}` references to environment variables.
//!
//! Queue URLs differ per account and stage, so the rules file names variables and the
//! deployment sets them. The syntax is checked when the file is read; the values are
//! looked up later through a function, so tests never touch the process environment.

/// Looks up an environment variable: `|name| std::env::var(name).ok()` in production,
/// a map in tests. The lifetime lets a lookup borrow (a closure over a local map).
pub type EnvLookup<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// A queue URL as written in the rules file: literal text and `${NAME}` references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueUrlTemplate {
    text: String,
    parts: Vec<UrlPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum UrlPart {
    Literal(String),
    Variable(String),
}

/// Why a template could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// The variable is not set.
    Unset(String),
    /// The variable is set to the empty string (or only whitespace).
    Empty(String),
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResolveError::Unset(name) => write!(f, "environment variable {name} is not set"),
            ResolveError::Empty(name) => write!(f, "environment variable {name} is empty"),
        }
    }
}

impl QueueUrlTemplate {
    /// Reads `text`. `$` not followed by `{` is literal; `${` must be followed by a name
    /// (`[A-Za-z_][A-Za-z0-9_]*`) and `}`. The error is the reason.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            literal.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                return Err(format!(
                    "unterminated \"${{\" in {text:?}: write a variable as ${{NAME}}"
                ));
            };
            let name = &after[..end];
            check_variable_name(name).map_err(|reason| format!("{reason} in {text:?}"))?;
            if !literal.is_empty() {
                parts.push(UrlPart::Literal(std::mem::take(&mut literal)));
            }
            parts.push(UrlPart::Variable(name.to_string()));
            rest = &after[end + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(UrlPart::Literal(literal));
        }
        Ok(QueueUrlTemplate {
            text: text.to_string(),
            parts,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The variables referenced, in order of appearance (repeats included).
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            UrlPart::Variable(name) => Some(name.as_str()),
            UrlPart::Literal(_) => None,
        })
    }

    /// The URL with every variable replaced by its value from `lookup`. Values are
    /// trimmed, since a trailing newline from a secrets file is never part of a URL.
    pub fn resolve(&self, lookup: &EnvLookup<'_>) -> Result<String, ResolveError> {
        let mut url = String::with_capacity(self.text.len());
        for part in &self.parts {
            match part {
                UrlPart::Literal(text) => url.push_str(text),
                UrlPart::Variable(name) => {
                    let value = lookup(name).ok_or_else(|| ResolveError::Unset(name.clone()))?;
                    let value = value.trim();
                    if value.is_empty() {
                        return Err(ResolveError::Empty(name.clone()));
                    }
                    url.push_str(value);
                }
            }
        }
        Ok(url)
    }
}

fn check_variable_name(name: &str) -> Result<(), String> {
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid variable name {name:?} (letters, digits and '_', not starting with a digit)"
        ))
    }
}

/// `Ok` when `url` can be an SQS queue URL: `https://` or `http://` (local endpoints),
/// a host, a path, and no whitespace. SQS itself says whether the queue exists.
pub fn check_queue_url(url: &str) -> Result<(), String> {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Err(format!(
            "queue URL {url:?} must start with https:// (or http:// for a local endpoint)"
        ));
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("queue URL {url:?} contains whitespace"));
    }
    match rest.split_once('/') {
        Some((host, path)) if !host.is_empty() && !path.trim_matches('/').is_empty() => Ok(()),
        _ => Err(format!(
            "queue URL {url:?} must name a host and a queue path, like https://sqs.<region>.amazonaws.com/<account>/<queue>"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn substitutes_every_variable() {
        let template =
            QueueUrlTemplate::parse("https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/alerts")
                .expect("valid");
        assert_eq!(
            template.variables().collect::<Vec<_>>(),
            ["REGION", "ACCOUNT"]
        );
        let lookup = env(&[("REGION", "eu-west-1"), ("ACCOUNT", "123456789012")]);
        assert_eq!(
            template.resolve(&lookup),
            Ok("https://sqs.eu-west-1.amazonaws.com/123456789012/alerts".into())
        );
    }

    #[test]
    fn a_whole_url_from_one_variable_is_trimmed() {
        let template = QueueUrlTemplate::parse("${Q_URL}").expect("valid");
        let lookup = env(&[("Q_URL", "http://127.0.0.1:5000/1/q\n")]);
        assert_eq!(
            template.resolve(&lookup),
            Ok("http://127.0.0.1:5000/1/q".into())
        );
    }

    #[test]
    fn unset_and_empty_variables_are_errors() {
        let template = QueueUrlTemplate::parse("${A}/${B}").expect("valid");
        assert_eq!(
            template.resolve(&env(&[("A", "x")])),
            Err(ResolveError::Unset("B".into()))
        );
        assert_eq!(
            template.resolve(&env(&[("A", " "), ("B", "y")])),
            Err(ResolveError::Empty("A".into()))
        );
        assert_eq!(
            ResolveError::Unset("B".into()).to_string(),
            "environment variable B is not set"
        );
        assert_eq!(
            ResolveError::Empty("A".into()).to_string(),
            "environment variable A is empty"
        );
    }

    #[test]
    fn a_lone_dollar_is_literal() {
        let template = QueueUrlTemplate::parse("https://h/1/q$x").expect("valid");
        assert_eq!(template.variables().count(), 0);
        assert_eq!(template.resolve(&env(&[])), Ok("https://h/1/q$x".into()));
        assert_eq!(template.as_str(), "https://h/1/q$x");
    }

    #[test]
    fn bad_references_are_rejected_with_the_reason() {
        assert_eq!(
            QueueUrlTemplate::parse("${QUEUE"),
            Err(r#"unterminated "${" in "${QUEUE": write a variable as ${NAME}"#.into())
        );
        assert_eq!(
            QueueUrlTemplate::parse("${}"),
            Err(r#"invalid variable name "" (letters, digits and '_', not starting with a digit) in "${}""#.into())
        );
        assert_eq!(
            QueueUrlTemplate::parse("${1X}"),
            Err(r#"invalid variable name "1X" (letters, digits and '_', not starting with a digit) in "${1X}""#.into())
        );
        assert_eq!(
            QueueUrlTemplate::parse("${A-B}"),
            Err(r#"invalid variable name "A-B" (letters, digits and '_', not starting with a digit) in "${A-B}""#.into())
        );
    }

    #[test]
    fn queue_urls_are_checked() {
        for url in [
            "https://sqs.us-east-1.amazonaws.com/123456789012/alerts",
            "http://127.0.0.1:5000/123456789012/alerts.fifo",
        ] {
            assert_eq!(check_queue_url(url), Ok(()), "{url}");
        }
        assert_eq!(
            check_queue_url("sqs.us-east-1.amazonaws.com/1/q"),
            Err(r#"queue URL "sqs.us-east-1.amazonaws.com/1/q" must start with https:// (or http:// for a local endpoint)"#.into())
        );
        assert_eq!(
            check_queue_url("https://h/1/my queue"),
            Err(r#"queue URL "https://h/1/my queue" contains whitespace"#.into())
        );
        assert_eq!(
            check_queue_url("https://sqs.amazonaws.com"),
            Err(r#"queue URL "https://sqs.amazonaws.com" must name a host and a queue path, like https://sqs.<region>.amazonaws.com/<account>/<queue>"#.into())
        );
        assert_eq!(
            check_queue_url("https:///1/q"),
            Err(r#"queue URL "https:///1/q" must name a host and a queue path, like https://sqs.<region>.amazonaws.com/<account>/<queue>"#.into())
        );
    }
}
