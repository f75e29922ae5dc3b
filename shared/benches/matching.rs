//! Event-pattern matching: auditbridge's `RuleSet` against the `quamina` crate and
//! against the cost of merely parsing each event, on one generated CloudAudit corpus.
//!
//! ```text
//! cargo bench -p auditbridge-shared --bench matching
//! AUDITBRIDGE_BENCH_EVENTS=5000 cargo bench -p auditbridge-shared --bench matching   # quick sanity run
//! ```
//!
//! Groups (one iteration = one event, so criterion's elements/s is events/s):
//! - `parse_floor`: `serde_json::from_str::<Value>`; a matcher that builds a DOM first
//!   cannot beat it.
//! - `auditbridge/{10,1000,10000}` and `quamina/{..}`: the same portable rules (only
//!   operators both engines accept) over the same events.
//! - `auditbridge_mixed/{..}`: auditbridge on rules of every operator it accepts.
//! - `auditbridge_idle/10000`: the 10 mixed rules plus 9,990 rules of tenants absent
//!   from the corpus. It matches exactly what `auditbridge_mixed/10` matches, so the
//!   difference is what holding rules costs, apart from matching them (a diagnostic;
//!   the goals are measured on the sets above).
//! - `compile/{1000,10000}`: parse and compile the mixed rules into a `RuleSet`.
//!
//! Before anything is timed, both engines must report the same rule set for every event
//! (an unequal comparison is worthless) and the mixed rule set must agree with the
//! reference evaluator on a sample; the run aborts otherwise. At the end, the goals are
//! printed as ratios of this run's criterion estimates, then measured again with the
//! matchers taken in turn (best of 7 passes over all events each), which keeps the
//! machine's drift out of the ratios.
//!
//! `AUDITBRIDGE_BENCH_PASS=mixed/10000` (or `portable/…`, `mixed/…`, `idle/10000`, any
//! count) skips all of that: it builds that one rule set, matches the corpus once in
//! [`counted_pass`] and exits, for instruction-level tools. `scripts/bench-instructions`
//! runs it under callgrind, whose counts do not drift with the machine.

mod corpus;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use auditbridge_shared::pattern::{Dialect, Pattern};
use auditbridge_shared::ruleset::{RuleSet, RuleSetBuilder};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use quamina::{MatcherBuildMode, Quamina, QuaminaBuilder};
use serde_json::Value;

use corpus::rules::Rule;
use corpus::world::World;

const RULE_COUNTS: [usize; 3] = [10, 1_000, 10_000];
/// Size of the idle-tenants set (`auditbridge_idle`).
const IDLE_COUNT: usize = 10_000;
const COMPILE_COUNTS: [usize; 2] = [1_000, 10_000];
const DEFAULT_EVENTS: usize = 50_000;
const WORLD_SEED: u64 = 0x00A0_D17B;
const EVENT_SEED: u64 = 0xC10D_A0D1;
const PORTABLE_SEED: u64 = 0x0005_EC07;
const MIXED_SEED: u64 = 0x0000_B1E5;
/// Events the mixed rule set is checked against the reference evaluator on.
const REFERENCE_SAMPLE: usize = 300;

type Failure = String;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("matching bench aborted: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Failure> {
    let started = SystemTime::now();
    let event_count = match std::env::var("AUDITBRIDGE_BENCH_EVENTS") {
        Ok(text) => text
            .parse::<usize>()
            .ok()
            .filter(|count| *count > 0)
            .ok_or_else(|| {
                format!("AUDITBRIDGE_BENCH_EVENTS must be a positive integer, got {text:?}")
            })?,
        Err(_) => DEFAULT_EVENTS,
    };
    let quick = event_count < DEFAULT_EVENTS;

    let world = World::new(WORLD_SEED);
    let events = corpus::events::generate(&world, event_count, EVENT_SEED);
    report_corpus(&events);
    if let Ok(set) = std::env::var("AUDITBRIDGE_BENCH_PASS") {
        return single_pass(&world, &events, &set);
    }

    let mut portable = Vec::new();
    for count in RULE_COUNTS {
        let rules = corpus::rules::portable(&world, count, PORTABLE_SEED);
        let engines = Engines::build(&rules, &events[0])?;
        check_engines_agree(&engines, &rules, &events)?;
        portable.push((count, engines));
    }
    if std::env::var_os("AUDITBRIDGE_BENCH_PROFILE").is_some() {
        profile_by_template(&world, &events)?;
    }
    let mut mixed = Vec::new();
    for count in RULE_COUNTS {
        let rules = corpus::rules::mixed(&world, count, MIXED_SEED);
        let ruleset = compile(&rules)?;
        check_against_reference(&ruleset, &rules, &events)?;
        report_match_rates("auditbridge_mixed", count, &rules, &events, |event| {
            ruleset
                .matches_json(event)
                .map(|ids| ids.into_iter().map(|id| id.0).collect())
                .map_err(|error| error.to_string())
        })?;
        mixed.push((count, rules, ruleset));
    }
    let idle_rules = corpus::rules::idle_tenants(&world, IDLE_COUNT, RULE_COUNTS[0], MIXED_SEED);
    let idle = compile(&idle_rules)?;
    check_against_reference(&idle, &idle_rules, &events)?;
    report_match_rates(
        "auditbridge_idle",
        IDLE_COUNT,
        &idle_rules,
        &events,
        |event| {
            idle.matches_json(event)
                .map(|ids| ids.into_iter().map(|id| id.0).collect())
                .map_err(|error| error.to_string())
        },
    )?;

    let output = criterion_output_directory();
    let mut criterion = Criterion::default()
        .output_directory(&output)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(if quick { 300 } else { 1_000 }))
        .measurement_time(Duration::from_secs(if quick { 1 } else { 4 }))
        .configure_from_args();
    let ran = RefCell::new(Vec::<String>::new());
    let mut measured: Vec<(String, f64)> = Vec::new();
    let mark = |id: String| ran.borrow_mut().push(id);

    {
        let mut group = criterion.benchmark_group("parse_floor");
        group.throughput(Throughput::Elements(1));
        mark("parse_floor/serde_json_value".into());
        group.bench_function("serde_json_value", |b| {
            let mut next = Cycle::new(events.len());
            b.iter(|| {
                black_box(serde_json::from_str::<Value>(black_box(&events[next.step()])).is_ok())
            })
        });
        group.finish();
        snapshot(&output, &ran.borrow(), &mut measured, started);
    }
    {
        let mut group = criterion.benchmark_group("auditbridge");
        group.throughput(Throughput::Elements(1));
        for (count, engines) in &portable {
            mark(format!("auditbridge/{count}"));
            group.bench_with_input(
                BenchmarkId::from_parameter(count),
                &engines.ruleset,
                |b, ruleset| {
                    let mut next = Cycle::new(events.len());
                    b.iter(|| black_box(ruleset.matches_json(black_box(&events[next.step()]))))
                },
            );
        }
        group.finish();
        snapshot(&output, &ran.borrow(), &mut measured, started);
    }
    {
        let mut group = criterion.benchmark_group("quamina");
        group.throughput(Throughput::Elements(1));
        for (count, engines) in &portable {
            let Ok(quamina) = &engines.quamina else {
                continue;
            };
            mark(format!("quamina/{count}"));
            group.bench_with_input(BenchmarkId::from_parameter(count), quamina, |b, quamina| {
                let mut next = Cycle::new(events.len());
                b.iter(|| {
                    black_box(quamina.matches_for_event(black_box(events[next.step()].as_bytes())))
                })
            });
        }
        group.finish();
        snapshot(&output, &ran.borrow(), &mut measured, started);
    }
    {
        let mut group = criterion.benchmark_group("auditbridge_mixed");
        group.throughput(Throughput::Elements(1));
        for (count, _, ruleset) in &mixed {
            mark(format!("auditbridge_mixed/{count}"));
            group.bench_with_input(BenchmarkId::from_parameter(count), ruleset, |b, ruleset| {
                let mut next = Cycle::new(events.len());
                b.iter(|| black_box(ruleset.matches_json(black_box(&events[next.step()]))))
            });
        }
        group.finish();
        snapshot(&output, &ran.borrow(), &mut measured, started);
    }
    {
        let mut group = criterion.benchmark_group("auditbridge_idle");
        group.throughput(Throughput::Elements(1));
        mark(format!("auditbridge_idle/{IDLE_COUNT}"));
        group.bench_with_input(
            BenchmarkId::from_parameter(IDLE_COUNT),
            &idle,
            |b, ruleset| {
                let mut next = Cycle::new(events.len());
                b.iter(|| black_box(ruleset.matches_json(black_box(&events[next.step()]))))
            },
        );
        group.finish();
        snapshot(&output, &ran.borrow(), &mut measured, started);
    }
    {
        let mut group = criterion.benchmark_group("compile");
        group.sample_size(10).sampling_mode(SamplingMode::Flat);
        for count in COMPILE_COUNTS {
            let Some((_, rules, _)) = mixed.iter().find(|(n, _, _)| *n == count) else {
                continue;
            };
            let named: Vec<(String, &str)> = rules
                .iter()
                .enumerate()
                .map(|(index, rule)| (format!("rule-{index}"), rule.pattern.as_str()))
                .collect();
            mark(format!("compile/{count}"));
            group.bench_with_input(BenchmarkId::from_parameter(count), &named, |b, named| {
                b.iter(|| black_box(compile_named(named).map(|ruleset| ruleset.len())))
            });
        }
        group.finish();
        snapshot(&output, &ran.borrow(), &mut measured, started);
    }
    criterion.final_summary();

    summarize(&measured, event_count);

    // The same goals from contenders measured in turn, so that all see the same machine.
    let mut contenders: Vec<Contender> = vec![(
        "parse_floor/serde_json_value".into(),
        Box::new(|event| usize::from(serde_json::from_str::<Value>(event).is_ok())),
    )];
    for (count, engines) in &portable {
        let ruleset = &engines.ruleset;
        contenders.push((
            format!("auditbridge/{count}"),
            Box::new(|e| matched(ruleset, e)),
        ));
        if let (1_000, Ok(quamina)) = (count, &engines.quamina) {
            contenders.push((
                format!("quamina/{count}"),
                Box::new(|e| {
                    quamina
                        .matches_for_event(e.as_bytes())
                        .map_or(0, |m| m.len())
                }),
            ));
        }
    }
    for (count, _, ruleset) in &mixed {
        contenders.push((
            format!("auditbridge_mixed/{count}"),
            Box::new(|e| matched(ruleset, e)),
        ));
    }
    contenders.push((
        format!("auditbridge_idle/{IDLE_COUNT}"),
        Box::new(|e| matched(&idle, e)),
    ));
    let rounds = if quick { 3 } else { INTERLEAVED_ROUNDS };
    let best = interleave(&contenders, &events, rounds);
    println!(
        "\ninterleaved: each contender over all {event_count} events in turn, best of {rounds} rounds (ns/event):"
    );
    print_table(&best);
    print_goals(&best);
    Ok(())
}

/// Rounds of [`interleave`] in a full run.
const INTERLEAVED_ROUNDS: usize = 7;
/// Events matched untimed before each of [`interleave`]'s passes.
const WARM_UP_EVENTS: usize = 5_000;

/// A name and one event's work (the result goes to `black_box`).
type Contender<'a> = (String, Box<dyn Fn(&str) -> usize + 'a>);

fn matched(ruleset: &RuleSet, event: &str) -> usize {
    ruleset.matches_json(event).map_or(0, |ids| ids.len())
}

/// ns per event of each contender: `rounds` times, each contender in turn over every
/// event, keeping its fastest pass. Criterion measures groups minutes apart, and this
/// machine's speed drifts by a fifth or more over minutes, which is enough to move a
/// ratio of two groups by as much; taken in turn, contenders share the drift, and the
/// fastest pass is the one least disturbed (disturbances only add time).
fn interleave(contenders: &[Contender], events: &[String], rounds: usize) -> Vec<(String, f64)> {
    let mut best = vec![f64::INFINITY; contenders.len()];
    // The previous contender's pass evicted this one's rule data from the caches; a
    // criterion sample starts warm, so each pass does too.
    let warm_up = &events[..events.len().min(WARM_UP_EVENTS)];
    for _ in 0..rounds {
        for ((_, work), best) in contenders.iter().zip(&mut best) {
            for event in warm_up {
                black_box(work(black_box(event)));
            }
            let started = Instant::now();
            for event in events {
                black_box(work(black_box(event)));
            }
            let ns = started.elapsed().as_nanos() as f64 / events.len() as f64;
            *best = best.min(ns);
        }
    }
    contenders
        .iter()
        .map(|(id, _)| id.clone())
        .zip(best)
        .collect()
}

/// Events matched before [`counted_pass`], so that it starts with the per-thread
/// buffers grown and the rule data touched, as every event of a long run does.
const SINGLE_PASS_WARM_UP: usize = 200;

/// `AUDITBRIDGE_BENCH_PASS`: one rule set named `portable/N`, `mixed/N` or `idle/N`,
/// one pass over the events in [`counted_pass`].
fn single_pass(world: &World, events: &[String], set: &str) -> Result<(), Failure> {
    let bad =
        || format!("AUDITBRIDGE_BENCH_PASS must be portable/N, mixed/N or idle/N, got {set:?}");
    let (kind, count) = set.split_once('/').ok_or_else(bad)?;
    let count: usize = count.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
    let rules = match kind {
        "portable" => corpus::rules::portable(world, count, PORTABLE_SEED),
        "mixed" => corpus::rules::mixed(world, count, MIXED_SEED),
        "idle" => corpus::rules::idle_tenants(world, count, RULE_COUNTS[0], MIXED_SEED),
        _ => return Err(bad()),
    };
    let ruleset = compile(&rules)?;
    for event in &events[..events.len().min(SINGLE_PASS_WARM_UP)] {
        black_box(matched(&ruleset, black_box(event)));
    }
    let started = Instant::now();
    let matches = counted_pass(&ruleset, events);
    let ns = started.elapsed().as_nanos() as f64 / events.len() as f64;
    println!(
        "single pass {set}: {} events, {:.2} matches/event, {ns:.0} ns/event",
        events.len(),
        matches as f64 / events.len() as f64
    );
    Ok(())
}

/// Matches every event once; kept out of line so that a profiler can count exactly
/// this (`--toggle-collect=*counted_pass*`).
#[inline(never)]
fn counted_pass(ruleset: &RuleSet, events: &[String]) -> usize {
    events
        .iter()
        .map(|event| matched(ruleset, black_box(event)))
        .sum()
}

/// Where the time goes at 10,000 rules: each template's share of the portable set
/// compiled alone, timed over the corpus once (a diagnostic, not a criterion benchmark).
fn profile_by_template(world: &World, events: &[String]) -> Result<(), Failure> {
    let rules = corpus::rules::portable(world, 10_000, PORTABLE_SEED);
    let mut templates: Vec<&str> = rules.iter().map(|rule| rule.template).collect();
    templates.sort_unstable();
    templates.dedup();
    let time = |subset: &[Rule]| -> Result<(f64, f64), Failure> {
        let ruleset = compile(subset)?;
        let started = Instant::now();
        let mut matches = 0usize;
        for event in events {
            matches += ruleset
                .matches_json(event)
                .map_err(|error| error.to_string())?
                .len();
        }
        let per_event = started.elapsed().as_nanos() as f64 / events.len() as f64;
        Ok((per_event, matches as f64 / events.len() as f64))
    };
    println!(
        "profile: portable/10000 split by template, each compiled alone (ns/event, matches/event):"
    );
    let (floor, _) = time(&rules[..1])?;
    println!("  (one rule)            {floor:>8.0} ns");
    for template in templates {
        let subset: Vec<Rule> = rules
            .iter()
            .filter(|rule| rule.template == template)
            .map(|rule| Rule {
                template: rule.template,
                pattern: rule.pattern.clone(),
            })
            .collect();
        let (ns, matches) = time(&subset)?;
        println!(
            "  {template:<20} {:>5} rules {ns:>8.0} ns {matches:>6.2} matches",
            subset.len()
        );
    }
    let (ns, matches) = time(&rules)?;
    println!(
        "  (all)                {:>5} rules {ns:>8.0} ns {matches:>6.2} matches",
        rules.len()
    );
    Ok(())
}

/// Walks the corpus round-robin: each iteration matches the next event, so every
/// engine sees the whole corpus (and pays the same cache misses), not one hot event.
struct Cycle {
    next: usize,
    len: usize,
}

impl Cycle {
    fn new(len: usize) -> Cycle {
        Cycle { next: 0, len }
    }

    fn step(&mut self) -> usize {
        let current = self.next;
        self.next = if current + 1 == self.len {
            0
        } else {
            current + 1
        };
        current
    }
}

/// Both engines loaded with the same portable rules (rule `i` is id `i` in each).
struct Engines {
    ruleset: RuleSet,
    /// `Err` says why quamina could not run this set (it panicked building it).
    quamina: Result<Quamina<usize>, String>,
}

/// quamina's default arena budget (10 MB) rejects 1,000 of these rules (cidr rules
/// grow large automata); the peer gets all the memory it asks for.
const QUAMINA_ARENA_BYTES: usize = 1 << 31;

impl Engines {
    fn build(rules: &[Rule], probe_event: &str) -> Result<Engines, Failure> {
        let started = Instant::now();
        let ruleset = compile(rules)?;
        let ours = started.elapsed();
        let started = Instant::now();
        let quamina = build_quamina(rules, probe_event)?;
        let theirs = started.elapsed();
        let mode = match &quamina {
            Ok(quamina) => format!("{:?}", quamina.matcher_build_mode()),
            Err(reason) => reason.clone(),
        };
        println!(
            "compile (one-off) of {} portable rules: auditbridge {:.1} ms, quamina {:.1} ms ({mode})",
            rules.len(),
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3
        );
        Ok(Engines { ruleset, quamina })
    }
}

/// quamina in its fastest mode that works: `BuiltForSpeed` (wildcards become DFAs),
/// else its default `BuiltForComfort`. quamina 0.7 builds its automaton lazily on the
/// first match and can panic there, so each attempt is probed with one event.
fn build_quamina(
    rules: &[Rule],
    probe_event: &str,
) -> Result<Result<Quamina<usize>, String>, Failure> {
    let mut failures = Vec::new();
    for mode in [
        MatcherBuildMode::BuiltForSpeed,
        MatcherBuildMode::BuiltForComfort,
    ] {
        let mut quamina = QuaminaBuilder::new()
            .with_arena_byte_budget(QUAMINA_ARENA_BYTES)
            .build()
            .map_err(|error| format!("quamina builder: {error}"))?;
        quamina.set_matcher_build_mode(mode);
        for (index, rule) in rules.iter().enumerate() {
            quamina.add_pattern(index, &rule.pattern).map_err(|error| {
                format!(
                    "quamina rejects portable rule {index} {}: {error}",
                    rule.pattern
                )
            })?;
        }
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let probe = std::panic::catch_unwind(AssertUnwindSafe(|| {
            quamina.matches_for_event(probe_event.as_bytes())
        }));
        std::panic::set_hook(quiet);
        match probe {
            Ok(_) => return Ok(Ok(quamina)),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_string()))
                    .unwrap_or_default();
                failures.push(format!("{mode:?} panicked: {message}"));
            }
        }
    }
    Ok(Err(format!("quamina unavailable: {}", failures.join("; "))))
}

fn compile(rules: &[Rule]) -> Result<RuleSet, Failure> {
    let named: Vec<(String, &str)> = rules
        .iter()
        .enumerate()
        .map(|(index, rule)| (format!("rule-{index}"), rule.pattern.as_str()))
        .collect();
    compile_named(&named)
}

fn compile_named(named: &[(String, &str)]) -> Result<RuleSet, Failure> {
    let mut builder = RuleSetBuilder::new();
    for (name, text) in named {
        let pattern = Pattern::parse(text, Dialect::Default)
            .map_err(|error| format!("{name} {text}: {error}"))?;
        builder
            .add(name, &pattern)
            .map_err(|error| format!("{name}: {error}"))?;
    }
    Ok(builder.build())
}

fn report_corpus(events: &[String]) {
    let total: usize = events.iter().map(String::len).sum();
    let min = events.iter().map(String::len).min().unwrap_or(0);
    let max = events.iter().map(String::len).max().unwrap_or(0);
    println!(
        "corpus: {} events, {:.1} MB, mean {} bytes/event (min {min}, max {max})",
        events.len(),
        total as f64 / 1e6,
        total / events.len().max(1),
    );
}

/// Aborts unless both engines report exactly the same rules for every event.
fn check_engines_agree(
    engines: &Engines,
    rules: &[Rule],
    events: &[String],
) -> Result<(), Failure> {
    let report = || {
        report_match_rates("portable", rules.len(), rules, events, |event| {
            engines
                .ruleset
                .matches_json(event)
                .map(|ids| ids.into_iter().map(|id| id.0).collect())
                .map_err(|error| error.to_string())
        })
    };
    let quamina = match &engines.quamina {
        Ok(quamina) => quamina,
        Err(reason) => {
            println!(
                "NOTE: no quamina comparison with {} rules: {reason}",
                rules.len()
            );
            return report();
        }
    };
    let mut disagreements = Vec::new();
    for (index, event) in events.iter().enumerate() {
        let ours: Vec<usize> = engines
            .ruleset
            .matches_json(event)
            .map_err(|error| format!("auditbridge rejects event {index}: {error}"))?
            .into_iter()
            .map(|id| id.0)
            .collect();
        let mut theirs = quamina
            .matches_for_event(event.as_bytes())
            .map_err(|error| format!("quamina rejects event {index}: {error}"))?;
        theirs.sort_unstable();
        theirs.dedup();
        if ours != theirs {
            disagreements.push((index, ours, theirs));
        }
    }
    if !disagreements.is_empty() {
        eprintln!(
            "WARNING: auditbridge and quamina disagree on {} of {} events with {} rules; first ones:",
            disagreements.len(),
            events.len(),
            rules.len()
        );
        for (index, ours, theirs) in disagreements.iter().take(5) {
            let event: Value =
                serde_json::from_str(&events[*index]).map_err(|error| error.to_string())?;
            let differing = ours
                .iter()
                .filter(|id| !theirs.contains(id))
                .chain(theirs.iter().filter(|id| !ours.contains(id)));
            for rule in differing {
                let reference = Pattern::parse(&rules[*rule].pattern, Dialect::Default)
                    .map(|pattern| pattern.matches(&event))
                    .map_err(|error| error.to_string())?;
                eprintln!(
                    "  event {index} id {}: rule {rule} {} — auditbridge {}, quamina {}, reference evaluator {reference}",
                    event["id"],
                    rules[*rule].pattern,
                    ours.contains(rule),
                    theirs.contains(rule),
                );
            }
        }
        return Err("the engines disagree, so comparing their speed would be worthless".into());
    }
    report()
}

/// Aborts unless the compiled mixed set agrees with the reference evaluator (and with
/// its own `matches` on a parsed value) on a sample of events.
fn check_against_reference(
    ruleset: &RuleSet,
    rules: &[Rule],
    events: &[String],
) -> Result<(), Failure> {
    let patterns = rules
        .iter()
        .map(|rule| {
            Pattern::parse(&rule.pattern, Dialect::Default).map_err(|error| error.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let step = (events.len() / REFERENCE_SAMPLE).max(1);
    for index in (0..events.len()).step_by(step) {
        let event: Value =
            serde_json::from_str(&events[index]).map_err(|error| error.to_string())?;
        let fast: Vec<usize> = ruleset
            .matches_json(&events[index])
            .map_err(|error| format!("auditbridge rejects event {index}: {error}"))?
            .into_iter()
            .map(|id| id.0)
            .collect();
        let from_value: Vec<usize> = ruleset.matches(&event).into_iter().map(|id| id.0).collect();
        let reference: Vec<usize> = patterns
            .iter()
            .enumerate()
            .filter(|(_, pattern)| pattern.matches(&event))
            .map(|(id, _)| id)
            .collect();
        if fast != reference || from_value != reference {
            let wrong: Vec<String> = reference
                .iter()
                .filter(|id| !fast.contains(id))
                .chain(fast.iter().filter(|id| !reference.contains(id)))
                .take(3)
                .map(|id| rules[*id].pattern.clone())
                .collect();
            return Err(format!(
                "RuleSet ({} mixed rules) disagrees with the reference evaluator on event {index} ({}): matches_json {fast:?}, matches {from_value:?}, reference {reference:?}; rules involved: {wrong:?}",
                rules.len(),
                event["id"]
            ));
        }
    }
    Ok(())
}

fn report_match_rates(
    label: &str,
    count: usize,
    rules: &[Rule],
    events: &[String],
    engine: impl Fn(&str) -> Result<Vec<usize>, String>,
) -> Result<(), Failure> {
    let mut fired = vec![0usize; rules.len()];
    let mut matched_events = 0usize;
    let mut total_matches = 0usize;
    for event in events {
        let ids = engine(event)?;
        if !ids.is_empty() {
            matched_events += 1;
        }
        total_matches += ids.len();
        for id in ids {
            fired[id] += 1;
        }
    }
    let mut by_template: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (rule, hits) in rules.iter().zip(&fired) {
        let entry = by_template.entry(rule.template).or_default();
        entry.0 += 1;
        entry.1 += usize::from(*hits > 0);
    }
    let templates: Vec<String> = by_template
        .iter()
        .map(|(name, (total, live))| format!("{name} {live}/{total}"))
        .collect();
    println!(
        "{label}/{count}: {:.1}% of events match at least one rule, {:.2} matches/event, {:.1}% of rules fire (fired/total by template: {})",
        100.0 * matched_events as f64 / events.len().max(1) as f64,
        total_matches as f64 / events.len().max(1) as f64,
        100.0 * fired.iter().filter(|hits| **hits > 0).count() as f64 / rules.len().max(1) as f64,
        templates.join(", ")
    );
    Ok(())
}

/// Criterion's default is `<target>/criterion`; name it here so the summary can read
/// this run's estimates back. The bench binary lives in `<target>/<profile>/deps/`.
fn criterion_output_directory() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .nth(3)
                .map(|target| target.join("criterion"))
        })
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// ns per iteration of one benchmark, if it was measured by this run.
fn mean_ns(output: &std::path::Path, id: &str, since: SystemTime) -> Option<f64> {
    let path = output.join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path)
        .and_then(|meta| meta.modified())
        .ok()?;
    if modified < since {
        return None;
    }
    let estimates: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    // What criterion prints as "time": the slope of linear sampling, else the mean.
    estimates["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| estimates["mean"]["point_estimate"].as_f64())
}

/// Reads the estimates of benchmarks measured since the last call, right after their
/// group finished, before any other run of this bench can overwrite the files.
fn snapshot(
    output: &std::path::Path,
    ran: &[String],
    measured: &mut Vec<(String, f64)>,
    since: SystemTime,
) {
    for id in ran {
        if !measured.iter().any(|(done, _)| done == id) {
            if let Some(ns) = mean_ns(output, id, since) {
                measured.push((id.clone(), ns));
            }
        }
    }
}

/// The table and the three goals as ratios, from this run's estimates.
fn summarize(measured: &[(String, f64)], event_count: usize) {
    println!("\nsummary ({event_count} events; one iteration = one event; point estimates):");
    print_table(measured);
    print_goals(measured);
}

/// One row per benchmark, compile times last.
fn print_table(measured: &[(String, f64)]) {
    println!("| benchmark | ns/event | events/s |");
    println!("|---|---:|---:|");
    let (compiles, events): (Vec<_>, Vec<_>) = measured
        .iter()
        .partition(|(id, _)| id.starts_with("compile/"));
    for (id, ns) in events {
        println!("| {id} | {ns:.0} | {:.0} |", 1e9 / ns);
    }
    for (id, ns) in compiles {
        println!("| {id} | {:.1} ms per compile | |", ns / 1e6);
    }
}

/// The goals as ratios of `measured` (those it has the figures for).
fn print_goals(measured: &[(String, f64)]) {
    let estimate = |id: &str| {
        measured
            .iter()
            .find(|(done, _)| done == id)
            .map(|(_, ns)| *ns)
    };
    let ratio = |a: &str, b: &str| Some(estimate(a)? / estimate(b)?);
    if let Some(r) = ratio("quamina/1000", "auditbridge/1000") {
        println!("goal 1a: auditbridge/1000 is {r:.2}x quamina/1000 events/s (goal >= 2)");
    }
    if let Some(r) = ratio("parse_floor/serde_json_value", "auditbridge/1000") {
        println!("goal 1b: auditbridge/1000 is {r:.2}x parse_floor events/s (goal > 1)");
    }
    if let Some(r) = ratio("auditbridge/10000", "auditbridge/10") {
        println!("goal 2: auditbridge/10000 costs {r:.2}x auditbridge/10 per event (goal <= 1.5)");
    }
    if let Some(r) = ratio("auditbridge_mixed/10000", "auditbridge_mixed/10") {
        println!("        auditbridge_mixed/10000 costs {r:.2}x auditbridge_mixed/10 per event");
    }
    if let Some(r) = ratio("auditbridge_idle/10000", "auditbridge_mixed/10") {
        println!("        (diagnostic) auditbridge_idle/10000, the same matches as auditbridge_mixed/10, costs {r:.2}x it per event");
    }
    if let Some(ns) = estimate("compile/10000") {
        println!(
            "goal 3: 10,000 mixed rules compile in {:.1} ms (goal well under 1000 ms)",
            ns / 1e6
        );
    }
}
