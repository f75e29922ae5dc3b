//! The evaluate handler without the network, and its cold start.
//!
//! ```text
//! cargo bench -p evaluate --bench handler
//! ```
//!
//! - `handler/sqs_batch_10/rules_1000`: one Lambda invocation as the runtime makes it
//!   (`Handler::handle` on a `LambdaEvent<Value>`): an SQS event of 10 envelopes (lines 1
//!   to 10 of `samples/audit-history.jsonl`, as normalize makes them) against 1,000
//!   generated rules, every message built and handed to a sink that discards it. The
//!   response is serialized; metrics lines are off (they would only flood the terminal).
//! - `cold_start/rules_{1000,10000}`: what the function does before its first event:
//!   read a rules file, parse and check it, resolve `${VAR}` queue URLs, compile.
//!
//! Rules are generated deterministically over the fields CloudAudit envelopes carry, a
//! mix of exact, prefix, anything-but, numeric and CIDR conditions; a few per hundred
//! are built from calls the sample events hold, so the batch has matches. Each rule has one or two
//! targets (standard or FIFO; envelope, data or a transformer as input).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use auditbridge_shared::cloudaudit::{NormalizeOptions, Normalized, Normalizer};
use auditbridge_shared::outbound::OutboundMessage;
use auditbridge_shared::rules::{CompiledRules, Dialect, RulesFile};
use auditbridge_sqs::DeliveryError;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use evaluate_fn::{Config, DeliverySink, Handler, RulesSource};
use lambda_common::testing::sqs_event;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};

const SEED: u64 = 0x0E7A_1BA7;

/// Accepts every message and drops it: the handler's work without the network.
struct DiscardSink;

impl DeliverySink for DiscardSink {
    async fn send(
        &self,
        _queue_url: &str,
        messages: &[OutboundMessage],
    ) -> Vec<Result<(), DeliveryError>> {
        black_box(messages);
        vec![Ok(()); messages.len()]
    }
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const SOURCES: [&str; 12] = [
    "vpc.cloud.tencent",
    "cam.cloud.tencent",
    "cvm.cloud.tencent",
    "cdb.cloud.tencent",
    "kms.cloud.tencent",
    "cloudaudit.cloud.tencent",
    "cos.cloud.tencent",
    "clb.cloud.tencent",
    "tke.cloud.tencent",
    "scf.cloud.tencent",
    "redis.cloud.tencent",
    "ssl.cloud.tencent",
];
const VERBS: [&str; 10] = [
    "Create", "Delete", "Modify", "Attach", "Detach", "Update", "Reset", "Bind", "Unbind", "Put",
];
const NOUNS: [&str; 10] = [
    "Instance",
    "Bucket",
    "Policy",
    "Role",
    "Cluster",
    "Key",
    "Listener",
    "Function",
    "Certificate",
    "Namespace",
];
const REGIONS: [&str; 6] = [
    "ap-guangzhou",
    "ap-shanghai",
    "ap-beijing",
    "ap-singapore",
    "na-siliconvalley",
    "eu-frankfurt",
];

/// An event name no sample has, e.g. `ModifyCluster417`.
fn invented_name(rng: &mut Rng, k: usize) -> String {
    format!("{}{}{k}", rng.pick(&VERBS), rng.pick(&NOUNS))
}

/// (source, eventName, source IP) of sample events: rules using them match.
const SAMPLE_CALLS: [(&str, &str, &str); 6] = [
    (
        "vpc.cloud.tencent",
        "CreateSecurityGroupPolicies",
        "198.51.100.0/24",
    ),
    ("cam.cloud.tencent", "AttachUserPolicy", "203.0.113.0/24"),
    ("cvm.cloud.tencent", "TerminateInstances", "203.0.113.0/24"),
    ("cvm.cloud.tencent", "StopInstances", "203.0.113.0/24"),
    ("kms.cloud.tencent", "ScheduleKeyDeletion", "203.0.113.0/24"),
    (
        "cloudaudit.cloud.tencent",
        "ModifyAuditTrack",
        "203.0.113.0/24",
    ),
];

/// The pattern of rule `k`. About 2 in 100 are built from a sample call and match it
/// (unless their anything-but or numeric condition excludes it); the rest use invented
/// values on the same fields, so the matcher has to look at them.
fn pattern(rng: &mut Rng, k: usize) -> Value {
    let sample = rng
        .chance(2)
        .then(|| SAMPLE_CALLS[rng.below(SAMPLE_CALLS.len())]);
    let (source, name, block) = match sample {
        Some((source, name, block)) => (source.to_string(), name.to_string(), block.to_string()),
        None => (
            rng.pick(&SOURCES).to_string(),
            invented_name(rng, k),
            format!("10.{}.{}.0/24", rng.below(256), rng.below(256)),
        ),
    };
    match k % 5 {
        // exact
        0 => json!({
            "source": [source, rng.pick(&SOURCES)],
            "data": {"eventName": [name, invented_name(rng, k + 1)], "errorCode": [0, "0"]}
        }),
        // prefix
        1 => json!({
            "source": [source],
            "data": {"eventName": [{"prefix": name[..name.len().min(6)].to_string()}]}
        }),
        // anything-but
        2 => json!({
            "source": [source],
            "data": {
                "eventName": [name],
                "userIdentity": {"userName": [{"anything-but": ["nobody", format!("svc-{k}")]}]}
            }
        }),
        // numeric
        3 => json!({
            "source": [source],
            "data": {
                "eventName": [name],
                "eventTime": [{"numeric": [">=", 1_700_000_000 + rng.below(15_000_000), "<", 1_800_000_000]}]
            }
        }),
        // cidr
        _ => json!({
            "region": [rng.pick(&REGIONS), "ap-guangzhou", "ap-shanghai"],
            "data": {"sourceIPAddress": [{"cidr": block}], "eventName": [name]}
        }),
    }
}

/// One or two targets; queues named through `${BENCH_QUEUE_HOST}`.
fn targets(rng: &mut Rng, k: usize) -> Value {
    let queue = |fifo: bool, n: usize| {
        let suffix = if fifo { ".fifo" } else { "" };
        format!(
            "${{BENCH_QUEUE_HOST}}/123456789012/bench-{}{suffix}",
            n % 20
        )
    };
    let first = match k % 3 {
        0 => json!({"id": "page", "queue": queue(false, k), "input": {
            "paths": {"who": "$.data.userIdentity.userName", "op": "$.data.eventName", "subject": "$.subject"},
            "template": "{\"severity\": \"high\", \"summary\": \"<who> called <op> on <subject>\", \"rule\": \"<aws.events.rule-name>\"}"
        }}),
        1 => json!({"id": "page", "queue": queue(false, k), "input": "data"}),
        _ => json!({"id": "page", "queue": queue(false, k)}),
    };
    if rng.chance(50) {
        json!([first, {"id": "timeline", "queue": queue(true, k)}])
    } else {
        json!([first])
    }
}

fn rules_file(count: usize) -> String {
    let mut rng = Rng(SEED);
    let rules: Vec<Value> = (0..count)
        .map(|k| {
            json!({
                "name": format!("bench-rule-{k:05}"),
                "pattern": pattern(&mut rng, k),
                "targets": targets(&mut rng, k),
            })
        })
        .collect();
    json!({ "rules": rules }).to_string()
}

fn bench_env(name: &str) -> Option<String> {
    (name == "BENCH_QUEUE_HOST").then(|| "https://sqs.us-east-1.amazonaws.com".to_string())
}

fn config(path: &Path) -> Config {
    Config {
        rules: RulesSource::File(path.to_path_buf()),
        dialect: Dialect::Default,
        max_message_bytes: 262_144,
    }
}

fn load(path: &Path) -> CompiledRules {
    config(path)
        .load_rules(&bench_env)
        .unwrap_or_else(|err| panic!("generated rules do not load: {err}"))
}

/// Lines 1 to 10 of the sample history as normalize puts them on the events queue, in
/// an SQS event.
fn sqs_batch() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../samples/audit-history.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{path}: {err}"));
    let normalizer = Normalizer::new(NormalizeOptions::default());
    let bodies: Vec<String> = normalizer
        .normalize_text(&text)
        .into_iter()
        .filter_map(|outcome| match outcome.result {
            Ok(Normalized::Envelope(envelope)) => Some(envelope),
            _ => None,
        })
        .take(10)
        .map(|envelope| serde_json::to_string(&envelope).expect("serializes"))
        .collect();
    assert_eq!(bodies.len(), 10);
    sqs_event(
        bodies
            .iter()
            .enumerate()
            .map(|(i, body)| (format!("bench-{i}"), body)),
    )
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut paths = Vec::new();
    for count in [1_000, 10_000] {
        let path = dir.path().join(format!("rules-{count}.json"));
        std::fs::write(&path, rules_file(count)).expect("write rules");
        paths.push((count, path));
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime");
    let handler = Handler::new(load(&paths[0].1), DiscardSink).without_metrics();
    let event = sqs_batch();
    let invoke = |payload: Value| {
        runtime.block_on(handler.handle(LambdaEvent::new(payload, Context::default())))
    };

    // What is timed must be real work: matches, deliveries, no failures.
    let direct = runtime.block_on(
        handler.handle_direct(&Value::Array(
            event["Records"]
                .as_array()
                .expect("records")
                .iter()
                .map(|r| r["body"].clone())
                .collect(),
        )),
    );
    let response = invoke(event.clone()).expect("the handler answers");
    assert_eq!(response, json!({"batchItemFailures": []}));
    assert!(direct.delivered > 0 && direct.failed == 0 && direct.errors.is_empty());
    let matches: usize = direct.matched.iter().map(|m| m.rules.len()).sum();
    eprintln!(
        "batch of 10 envelopes, 1000 rules: {} envelopes matched, {matches} matches, {} messages",
        direct.matched.len(),
        direct.delivered
    );

    c.bench_function("handler/sqs_batch_10/rules_1000", |b| {
        b.iter_batched(
            || event.clone(),
            |payload| black_box(invoke(payload)),
            BatchSize::SmallInput,
        )
    });

    for (count, path) in &paths {
        report_phases(*count, path);
        let loaded = load(path);
        assert_eq!(loaded.rules().len(), *count);
        c.bench_function(&format!("cold_start/rules_{count}"), |b| {
            b.iter(|| black_box(load(path)))
        });
    }
}

/// One untimed-by-criterion pass of the cold start, split into its phases, printed so a
/// slow phase can be found (informative only: nothing is asserted on it).
fn report_phases(count: usize, path: &Path) {
    let start = Instant::now();
    let text = std::fs::read_to_string(path).expect("read rules");
    let read = start.elapsed();
    let file = RulesFile::parse(&text, Dialect::Default).expect("valid rules");
    let parsed = start.elapsed();
    let rules = file.compile(&bench_env).expect("compiles");
    let compiled = start.elapsed();
    black_box(rules);
    eprintln!(
        "cold start, {count} rules ({} KiB): read {:.1} ms, parse+check {:.1} ms, resolve+compile {:.1} ms",
        text.len() / 1024,
        read.as_secs_f64() * 1e3,
        (parsed - read).as_secs_f64() * 1e3,
        (compiled - parsed).as_secs_f64() * 1e3,
    );
}

criterion_group! {
    name = handler;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(handler);
