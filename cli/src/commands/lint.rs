//! `auditbridge lint`: rules that are valid but cannot fire as meant, found from the
//! shape of CloudAudit envelopes (the library's `lint` module has the checks and texts).

use std::path::{Path, PathBuf};

use auditbridge_shared::cloudaudit::ActionType;
use auditbridge_shared::lint::{lint_with, Finding, LintOptions, Severity};
use auditbridge_shared::pattern::Dialect;
use auditbridge_shared::rules::{RulesError, RulesFile};

use crate::args::{ActionTypeArg, DialectFlag};
use crate::input;
use crate::output::Stdout;
use crate::status::Outcome;

/// Lint rules files: fields no CloudAudit envelope has, type mismatches, values that
/// cannot occur, reads that are not delivered, rules matching everything, duplicates.
///
/// Prints one finding per line on stdout: `FILE: warning: rule NAME: PATH: message;
/// suggestion`, then `N errors, N warnings` (or `OK: N rules in N files, no findings`).
/// An invalid or unreadable rules file is reported as errors (its lint warnings come
/// once it is valid), and the other files are still linted. Exit status 1 when there are errors, or warnings with `--deny-warnings`;
/// otherwise 0.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  auditbridge lint rules/security.json
  auditbridge lint --deny-warnings rules/*.json
  auditbridge lint --action-types write,read my-rules.json   # reads are delivered too")]
pub struct Args {
    /// Rules files to lint.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,

    #[command(flatten)]
    pub options: LintFlags,

    #[command(flatten)]
    pub dialect: DialectFlag,
}

/// What the deployment delivers, shared with `validate-rules --lint`.
#[derive(Debug, Clone, clap::Args)]
pub struct LintFlags {
    /// The normalize function's `ACTION_TYPES` (default: write): with `read` included,
    /// rules about read-only API names are not reported.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        ignore_case = true,
        value_name = "TYPES"
    )]
    pub action_types: Vec<ActionTypeArg>,
}

impl LintFlags {
    /// Whether `--action-types` was given (`validate-rules` takes it only with `--lint`).
    pub fn given(&self) -> bool {
        !self.action_types.is_empty()
    }

    pub fn options(&self) -> LintOptions {
        if !self.given() {
            // What the normalize function delivers by default.
            return LintOptions::default();
        }
        LintOptions {
            action_types: self
                .action_types
                .iter()
                .map(|arg| match arg {
                    ActionTypeArg::Write => ActionType::Write,
                    ActionTypeArg::Read => ActionType::Read,
                })
                .collect(),
        }
    }
}

/// The findings of one file and how many rules it has (0 when it could not be read).
pub struct Linted {
    pub rules: usize,
    pub findings: Vec<Finding>,
}

/// Lints the file at `path`. An unreadable file is an error (in `Err`, to print as is).
pub fn lint_file(path: &Path, dialect: Dialect, options: &LintOptions) -> Result<Linted, String> {
    let text = input::read_file(path).map_err(|error| format!("{error:#}"))?;
    let errors = |error: RulesError| Linted {
        rules: 0,
        findings: error.problems().iter().map(Finding::from_problem).collect(),
    };
    let file = match RulesFile::parse(&text, dialect) {
        Ok(file) => file,
        Err(error) => return Ok(errors(error)),
    };
    // What only the matcher can tell (a `$or` combination too large) is an error too.
    if let Err(error) = file.clone().compile_patterns_only() {
        return Ok(errors(error));
    }
    Ok(Linted {
        rules: file.rules().len(),
        findings: lint_with(&file, options),
    })
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    input::stdin_at_most_once(args.files.iter().map(PathBuf::as_path))?;
    let mut out = Stdout::new();
    let options = args.options.options();
    let (mut rules, mut errors, mut warnings) = (0, 0u64, 0u64);
    for path in &args.files {
        let name = input::display_name(path);
        match lint_file(path, args.dialect.dialect(), &options) {
            Ok(linted) => {
                rules += linted.rules;
                for finding in &linted.findings {
                    match finding.severity {
                        Severity::Error => errors += 1,
                        Severity::Warning => warnings += 1,
                    }
                    out.line(format!("{name}: {finding}").as_bytes())?;
                }
            }
            Err(message) => {
                errors += 1;
                out.line(format!("{name}: error: {message}").as_bytes())?;
            }
        }
    }
    let summary = if errors + warnings == 0 {
        format!(
            "OK: {} in {}, no findings",
            plural(rules as u64, "rule"),
            plural(args.files.len() as u64, "file")
        )
    } else {
        format!(
            "{}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    };
    out.line(summary.as_bytes())?;
    out.finish()?;
    let failing = errors + if args.deny_warnings { warnings } else { 0 };
    Ok(Outcome::from_failures(failing))
}

/// For `validate-rules --lint`: the findings of a file that validated, one line each.
/// Takes the file already read: reading it again would find stdin (`-`) empty.
pub fn print_findings(
    out: &mut Stdout,
    name: &str,
    file: &RulesFile,
    flags: &LintFlags,
) -> anyhow::Result<()> {
    for finding in lint_with(file, &flags.options()) {
        out.line(format!("{name}: {finding}").as_bytes())?;
    }
    Ok(())
}

fn plural(count: u64, word: &str) -> String {
    format!("{count} {word}{}", if count == 1 { "" } else { "s" })
}
