//! Throwaway timing harness (scan helper); deleted after measuring.
#[path = "../benches/corpus/mod.rs"]
#[allow(dead_code)]
mod corpus;

use std::hint::black_box;
use std::time::Instant;

use auditbridge_shared::pattern::{Dialect, Pattern};
use auditbridge_shared::ruleset::{RuleSet, RuleSetBuilder};
use corpus::world::World;

fn compile(rules: &[corpus::rules::Rule]) -> RuleSet {
    let mut builder = RuleSetBuilder::new();
    for (i, rule) in rules.iter().enumerate() {
        let p = Pattern::parse(&rule.pattern, Dialect::Default).unwrap();
        builder.add(&format!("r{i}"), &p).unwrap();
    }
    builder.build()
}

fn main() {
    let world = World::new(0x00A0_D17B);
    let events = corpus::events::generate(&world, 5000, 0xC10D_A0D1);
    let sets: Vec<(usize, RuleSet)> = [10usize, 1000, 10000]
        .iter()
        .map(|&n| (n, compile(&corpus::rules::portable(&world, n, 0x0005_EC07))))
        .collect();
    let mut best = vec![f64::MAX; sets.len() + 1];
    for _round in 0..7 {
        let t = Instant::now();
        for e in &events {
            black_box(serde_json::from_str::<serde_json::Value>(black_box(e)).is_ok());
        }
        best[0] = best[0].min(t.elapsed().as_secs_f64() * 1e9 / events.len() as f64);
        for (i, (_, set)) in sets.iter().enumerate() {
            let t = Instant::now();
            for e in &events {
                black_box(set.matches_json(black_box(e)).map(|v| v.len()).unwrap_or(0));
            }
            best[i + 1] = best[i + 1].min(t.elapsed().as_secs_f64() * 1e9 / events.len() as f64);
        }
    }
    print!("min ns/event: value_parse {:.0}", best[0]);
    for (i, (n, _)) in sets.iter().enumerate() {
        print!("  rules{n} {:.0}", best[i + 1]);
    }
    println!();
}
