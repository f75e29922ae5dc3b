//! `auditbridge run`: the whole pipeline on local files: normalize, evaluate, deliver.
//!
//! Deliveries are built by the library's `rules` module exactly as the evaluate function
//! builds them; only where they go differs: printed (the default, no AWS needed) or sent
//! with `--sqs` through `auditbridge_sqs::SqsSender`, the evaluate function's sender.

use std::path::PathBuf;

use anyhow::Context;
use auditbridge_shared::cloudaudit::Normalizer;
use auditbridge_shared::envelope::Envelope;
use auditbridge_shared::outbound::{check_envelope_size, envelope_message, DEFAULT_MAX_BYTES};
use auditbridge_shared::rules::CompiledRules;

use crate::args::{DialectFlag, NormalizeFlags};
use crate::input;
use crate::output::report;
use crate::records::{self, Item, Step, Tally};
use crate::rules_file;
use crate::status::Outcome;

mod print;
mod report;
mod send;
mod summary;

use summary::RuleStats;

/// Run CloudAudit records through the rules: normalize, match, and print or send every
/// delivery.
///
/// Reads records in any form `normalize` accepts. By default each delivery is printed
/// as one JSON line: `{"rule":..,"target":..,"queue":..,"event":..,"body":..}`, plus
/// `"messageGroupId"` for FIFO queues (URLs ending in `.fifo`: a queue still written as an
/// unset `${VARIABLE}` is not known to be one). `body` is the message body: a JSON object or
/// array when the body is one, otherwise the exact text as a JSON string. Queue URLs use
/// the environment variables that are set; references to unset ones are printed as
/// written. With `--sqs`, deliveries are sent instead (standard AWS configuration;
/// `AWS_ENDPOINT_URL_SQS` selects another endpoint), and every referenced variable must be
/// set. A summary per rule goes to stderr. Exit status 1 if any record failed to
/// normalize or any delivery failed.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  auditbridge run --rules rules/security.json samples/audit-history.jsonl
  SECURITY_ALERTS_QUEUE_URL=https://sqs.ap-guangzhou.amazonaws.com/123456789012/alerts \\
  AUDIT_TIMELINE_QUEUE_URL=https://sqs.ap-guangzhou.amazonaws.com/123456789012/timeline.fifo \\
    auditbridge run --sqs --rules rules/security.json export.jsonl")]
pub struct Args {
    /// The rules file.
    #[arg(long, value_name = "FILE")]
    pub rules: PathBuf,

    /// CloudAudit records in any form (`-` for stdin); stdin when none are given.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Send deliveries to their SQS queues instead of printing them.
    #[arg(long)]
    pub sqs: bool,

    #[command(flatten)]
    pub normalize: NormalizeFlags,

    #[command(flatten)]
    pub dialect: DialectFlag,

    /// Backtest: after the summary, per rule how many events matched with up to 3 example
    /// event ids, then the rules that matched nothing (on stderr).
    #[arg(long)]
    pub report: bool,

    /// Progress lines on stderr while reading (default with `--report` when stderr is a
    /// terminal).
    #[arg(long)]
    pub progress: bool,

    /// Records between two progress lines.
    #[arg(long, hide = true, default_value_t = report::PROGRESS_EVERY, value_name = "N")]
    pub progress_every: u64,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    input::rules_and_inputs_share_no_stdin(&args.rules, &args.inputs)?;
    let Some(file) = rules_file::read(&args.rules, args.dialect.dialect())? else {
        return Ok(Outcome::Invalid);
    };
    let env: print::Env = |name| std::env::var(name).ok();
    let unresolved = print::Unresolved::find(&file, env);
    let compiled = if args.sqs {
        file.compile(&env)
    } else {
        print::compile_leniently(file, env)
    };
    let compiled = match compiled {
        Ok(compiled) => compiled,
        Err(error) => {
            rules_file::report(&input::display_name(&args.rules), &error);
            return Ok(Outcome::Invalid);
        }
    };
    tracing::debug!(
        rules = compiled.rules().len(),
        sqs = args.sqs,
        "rules compiled"
    );
    warn_targetless(&input::display_name(&args.rules), &compiled);
    let mut inputs = input::open_all(&args.inputs)?;
    let normalizer = Normalizer::new(args.normalize.options());
    let sink = if args.sqs {
        Sink::Send(send::Sender::from_env().context("setting up SQS")?)
    } else {
        Sink::Print(print::Printer::new(unresolved))
    };
    let mut pipeline = Pipeline {
        compiled: &compiled,
        stats: RuleStats::new(&compiled),
        tally: Tally::default(),
        sink,
        report: args.report.then(|| report::Report::new(&compiled)),
        progress: report::Progress::new(args.progress, args.report, args.progress_every),
    };
    for input in &mut inputs {
        let name = input.name.clone();
        records::for_each(input, &normalizer, |step| match step {
            Step::Record(item) => pipeline.item(&name, item),
            Step::InputWaits => pipeline.input_waits(),
        })?;
    }
    let Pipeline {
        mut stats,
        tally,
        sink,
        report,
        ..
    } = pipeline;
    let delivery_failures = match sink {
        Sink::Print(printer) => printer.finish()?,
        Sink::Send(sender) => sender.finish(&mut stats),
    };
    report!("{tally}");
    stats.print(&compiled);
    if let Some(report) = report {
        // Like `report!`: a stderr nobody reads must not turn the outcome into an error.
        let _ignored = report.write(&mut std::io::stderr().lock());
    }
    Ok(Outcome::from_failures(tally.failed + delivery_failures))
}

/// A backtest of a file the evaluate function would refuse should say so: an enabled
/// rule without targets is counted here but would alert nobody in production, and with
/// no enabled rule at all nothing would.
fn warn_targetless(name: &str, compiled: &CompiledRules) {
    if compiled.rules().is_empty() {
        report!("{name}: warning: no enabled rules, and the evaluate function refuses to start without one");
        return;
    }
    let targetless: Vec<&str> = compiled
        .rules()
        .iter()
        .filter(|rule| rule.targets().is_empty())
        .map(|rule| rule.name())
        .collect();
    if !targetless.is_empty() {
        report!(
            "{name}: warning: enabled rules without targets are counted but deliver nowhere, and the evaluate function refuses to start with them: {}",
            targetless.join(", ")
        );
    }
}

/// Everything one record goes through after normalization, and what it leaves behind.
struct Pipeline<'r> {
    compiled: &'r CompiledRules,
    stats: RuleStats,
    tally: Tally,
    sink: Sink,
    report: Option<report::Report>,
    progress: Option<report::Progress>,
}

impl Pipeline<'_> {
    /// Before the input may keep us waiting: deliveries held back go out now, so a live
    /// feed's alerts are not kept until more records arrive.
    fn input_waits(&mut self) -> anyhow::Result<()> {
        match &mut self.sink {
            Sink::Print(printer) => printer.flush()?,
            Sink::Send(sender) => sender.send_pending(&mut self.stats),
        }
        Ok(())
    }

    fn item(&mut self, input_name: &str, item: Item) -> anyhow::Result<()> {
        self.tally.count(&item);
        if let Some(progress) = &mut self.progress {
            progress.record(&self.tally);
        }
        match item {
            Item::Envelope(envelope) => self.envelope(input_name, &envelope),
            Item::Skipped(_) => Ok(()),
            Item::Failed(message) => {
                report!("{message}");
                Ok(())
            }
        }
    }

    /// Builds the message normalize would send, refuses it as normalize would when it is
    /// too large, and evaluates its body, as the evaluate function evaluates the body it
    /// receives.
    fn envelope(&mut self, input_name: &str, envelope: &Envelope) -> anyhow::Result<()> {
        let message = envelope_message(envelope, false)?;
        let evaluation = check_envelope_size(&message, DEFAULT_MAX_BYTES)
            .map_err(|error| error.to_string())
            .and_then(|()| {
                self.compiled
                    .evaluate(&message.body)
                    .map_err(|error| error.to_string())
            });
        let evaluation = match evaluation {
            Ok(evaluation) => evaluation,
            Err(reason) => {
                report!("{input_name}: event {}: {reason}", envelope.id);
                self.tally.failed += 1;
                return Ok(());
            }
        };
        self.stats.matched(&evaluation);
        if let Some(report) = &mut self.report {
            report.event(&envelope.id, &evaluation.matched);
        }
        if let (Some(progress), false) = (&mut self.progress, evaluation.matched.is_empty()) {
            progress.matched();
        }
        for delivery in evaluation.deliveries {
            self.stats.planned(&delivery);
            match &mut self.sink {
                Sink::Print(printer) => printer.print(&envelope.id, &delivery, &mut self.stats)?,
                Sink::Send(sender) => sender.push(&envelope.id, delivery, &mut self.stats),
            }
        }
        Ok(())
    }
}

/// Where deliveries go.
enum Sink {
    Print(print::Printer),
    Send(send::Sender),
}
