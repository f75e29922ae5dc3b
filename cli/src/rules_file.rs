//! Reading a rules file for a subcommand, with every problem reported on stderr.

use std::path::Path;

use auditbridge_shared::pattern::Dialect;
use auditbridge_shared::rules::{RulesError, RulesFile};

use crate::input;
use crate::output::report;

/// The checked rules file at `path`, or `None` after printing its problems on stderr
/// (one line each: `file: rule name: path: reason`). An unreadable file is an error.
pub fn read(path: &Path, dialect: Dialect) -> anyhow::Result<Option<RulesFile>> {
    let text = input::read_file(path)?;
    match RulesFile::parse(&text, dialect) {
        Ok(file) => Ok(Some(file)),
        Err(error) => {
            report(&input::display_name(path), &error);
            Ok(None)
        }
    }
}

/// Prints every problem of `error` on stderr, each prefixed with the file's name.
pub fn report(name: &str, error: &RulesError) {
    for line in problem_lines(name, error) {
        report!("{line}");
    }
}

/// Every problem of `error` as one line: `file: rule name: path: reason`.
pub fn problem_lines<'e>(
    name: &'e str,
    error: &'e RulesError,
) -> impl Iterator<Item = String> + 'e {
    error
        .problems()
        .iter()
        .map(move |problem| format!("{name}: {problem}"))
}
