//! `run --report`: a backtest. Which rules an exported history would have fired, on
//! which events, and which rules it never fired, so a rule that can never match is found
//! before it is relied on. Also the progress lines for long inputs.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use auditbridge_shared::rules::CompiledRules;

use crate::output::report;
use crate::records::Tally;

/// Example event ids kept per rule.
pub const EXAMPLES: usize = 3;

/// Matches per enabled rule, in file order, with the first few event ids.
pub struct Report {
    index: HashMap<String, usize>,
    rules: Vec<RuleReport>,
    events: u64,
}

struct RuleReport {
    name: String,
    matched: u64,
    examples: Vec<String>,
}

impl Report {
    pub fn new(compiled: &CompiledRules) -> Self {
        let rules: Vec<RuleReport> = compiled
            .rules()
            .iter()
            .map(|rule| RuleReport {
                name: rule.name().to_string(),
                matched: 0,
                examples: Vec::with_capacity(EXAMPLES),
            })
            .collect();
        let index = rules
            .iter()
            .enumerate()
            .map(|(position, rule)| (rule.name.clone(), position))
            .collect();
        Report {
            index,
            rules,
            events: 0,
        }
    }

    /// One event was evaluated; `matched` are the names of the rules it matched.
    pub fn event(&mut self, id: &str, matched: &[String]) {
        self.events += 1;
        for name in matched {
            let Some(rule) = self.index.get(name).and_then(|&i| self.rules.get_mut(i)) else {
                continue;
            };
            rule.matched += 1;
            // Overlapping exports repeat records: one id three times would show one event.
            if rule.examples.len() < EXAMPLES && !rule.examples.iter().any(|known| known == id) {
                rule.examples.push(id.to_string());
            }
        }
    }

    /// ```text
    /// report: 12 events evaluated against 5 rules
    /// rule kms-key-disabled-or-deleted: 2 events, e.g. 5e9e..., 0b9f...
    /// rule audit-trail-stopped: 0 events
    /// rules that matched nothing: audit-trail-stopped
    /// ```
    pub fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
        writeln!(
            out,
            "report: {} evaluated against {}",
            plural(self.events, "event"),
            plural(self.rules.len() as u64, "rule")
        )?;
        for rule in &self.rules {
            write!(out, "rule {}: {}", rule.name, plural(rule.matched, "event"))?;
            if !rule.examples.is_empty() {
                write!(out, ", e.g. {}", rule.examples.join(", "))?;
            }
            writeln!(out)?;
        }
        let silent: Vec<&str> = self
            .rules
            .iter()
            .filter(|rule| rule.matched == 0)
            .map(|rule| rule.name.as_str())
            .collect();
        if silent.is_empty() {
            writeln!(out, "rules that matched nothing: none")
        } else {
            writeln!(out, "rules that matched nothing: {}", silent.join(", "))
        }
    }
}

fn plural(count: u64, word: &str) -> String {
    format!("{count} {word}{}", if count == 1 { "" } else { "s" })
}

/// Progress on stderr while a long input is read: every `every` records, or every
/// [`PROGRESS_INTERVAL`] when that comes first.
pub struct Progress {
    every: u64,
    records: u64,
    matched_events: u64,
    last: Instant,
}

/// At most this long between two progress lines.
pub const PROGRESS_INTERVAL: Duration = Duration::from_secs(2);

/// Records between two progress lines, unless `--progress-every` says otherwise.
pub const PROGRESS_EVERY: u64 = 10_000;

impl Progress {
    /// `Some` when asked for, or for a report when stderr is a terminal (someone is
    /// watching a long backtest).
    pub fn new(forced: bool, reporting: bool, every: u64) -> Option<Self> {
        (forced || (reporting && std::io::stderr().is_terminal())).then(|| Progress {
            every: every.max(1),
            records: 0,
            matched_events: 0,
            last: Instant::now(),
        })
    }

    /// One event matched at least one rule.
    pub fn matched(&mut self) {
        self.matched_events += 1;
    }

    /// One more record was read; `tally` counts them all so far.
    pub fn record(&mut self, tally: &Tally) {
        self.records += 1;
        // The clock is read for every record: a slow feed (`tail -f`, a download) may
        // bring one a minute, and reading it costs some 25 ns against the record's ~25 µs.
        let due =
            self.records.is_multiple_of(self.every) || self.last.elapsed() >= PROGRESS_INTERVAL;
        if due {
            self.last = Instant::now();
            report!(
                "progress: {} records ({}); events matching a rule: {}",
                self.records,
                tally,
                self.matched_events
            );
        }
    }
}
