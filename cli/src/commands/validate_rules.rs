//! `auditbridge validate-rules`: check rules files before deploying them.

use std::path::{Path, PathBuf};

use auditbridge_shared::rules::{RulesError, RulesFile};

use crate::args::DialectFlag;
use crate::input;
use crate::output::Stdout;
use crate::rules_file;
use crate::status::Outcome;

/// Check rules files: every problem in every file, or `OK: N rules in M files`.
///
/// Each problem is printed on stdout as `file: rule name: path: reason` (the path is
/// inside the rule, e.g. `pattern.data.eventName[0].prefix` or `targets[1].queue`), and
/// the exit status is 1. A file that cannot be read is one more problem (`cannot read
/// FILE: reason`, exit status 1), and the other files are still checked. Queue URLs are
/// checked as written: `${VAR}` references are only checked for syntax, so no
/// environment variables are needed.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  auditbridge validate-rules rules/security.json
  auditbridge validate-rules --dialect aws rules/*.json")]
pub struct Args {
    /// Rules files to check.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub dialect: DialectFlag,

    /// Also lint valid files (see `auditbridge lint`); warnings do not change the exit status.
    #[arg(long)]
    pub lint: bool,

    #[command(flatten)]
    pub lint_flags: super::lint::LintFlags,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    if args.lint_flags.given() && !args.lint {
        anyhow::bail!("--action-types is for linting: add --lint");
    }
    input::stdin_at_most_once(args.files.iter().map(PathBuf::as_path))?;
    let mut out = Stdout::new();
    let mut rules = 0;
    let mut problems = 0;
    for path in &args.files {
        match check(path, &args) {
            Ok(file) => {
                rules += file.rules().len();
                if args.lint {
                    let name = input::display_name(path);
                    super::lint::print_findings(&mut out, &name, &file, &args.lint_flags)?;
                }
            }
            Err(lines) => {
                problems += lines.len();
                for line in lines {
                    out.line(line.as_bytes())?;
                }
            }
        }
    }
    if problems == 0 {
        let files = args.files.len();
        let plural = |count: usize, word: &str| {
            format!("{count} {word}{}", if count == 1 { "" } else { "s" })
        };
        out.line(format!("OK: {} in {}", plural(rules, "rule"), plural(files, "file")).as_bytes())?;
    }
    out.finish()?;
    Ok(Outcome::from_failures(problems as u64))
}

/// The checked file, or its problems, one line each.
fn check(path: &Path, args: &Args) -> Result<RulesFile, Vec<String>> {
    // An unreadable file is one more problem to list, not a reason to stop.
    let text = input::read_file(path).map_err(|error| vec![format!("{error:#}")])?;
    let name = input::display_name(path);
    let problems = |error: RulesError| rules_file::problem_lines(&name, &error).collect::<Vec<_>>();
    let file = RulesFile::parse(&text, args.dialect.dialect()).map_err(problems)?;
    // Compiling finds what only the matcher can tell (a `$or` combination too large).
    file.clone().compile_patterns_only().map_err(problems)?;
    tracing::debug!(file = %name, rules = file.rules().len(), "rules file checked");
    Ok(file)
}
