//! Generated rules: the mix of patterns security and platform teams write against
//! CloudAudit envelopes.
//!
//! Two sets: [`portable`] uses only what both auditbridge and the `quamina` crate accept
//! (the peer comparison), [`mixed`] adds what only auditbridge accepts (`$or`,
//! case-folded prefix/suffix, anything-but variants, Tencent's `contain` and bare
//! scalars). Values are drawn from the same [`World`] as the events, so a realistic
//! share of rules fire; the rest name resources, users or windows that never show up.

use serde_json::{json, Value};

use super::events::START_SECONDS;
use super::rng::Rng;
use super::services::{Service, SERVICES};
use super::world::{Account, Kind, World, OFFICE_BLOCKS, REGIONS};

/// One generated rule.
pub struct Rule {
    /// Which template produced it (for the match-rate report).
    pub template: &'static str,
    /// The pattern as JSON text.
    pub pattern: String,
}

/// `count` rules that both engines accept.
pub fn portable(world: &World, count: usize, seed: u64) -> Vec<Rule> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|index| {
            let rule = portable_rule(world, &mut rng);
            scoped(rule, index, world, &mut rng)
        })
        .collect()
}

/// `count` rules of every operator: about a quarter use syntax only auditbridge accepts.
pub fn mixed(world: &World, count: usize, seed: u64) -> Vec<Rule> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|index| {
            let rule = if rng.chance(0.25) {
                extended_rule(world, &mut rng)
            } else {
                portable_rule(world, &mut rng)
            };
            scoped(rule, index, world, &mut rng)
        })
        .collect()
}

/// [`mixed`]'s first `live` rules, then rules of every operator that can never fire
/// on this corpus, each scoped to a tenant whose traffic the corpus does not carry. The
/// set matches exactly what those `live` rules match, whatever `count` is, so it
/// measures what holding rules costs apart from what matching them costs.
pub fn idle_tenants(world: &World, count: usize, live: usize, seed: u64) -> Vec<Rule> {
    let mut rules = mixed(world, live.min(count), seed);
    let mut rng = Rng::new(seed ^ 0x1D1E_7E4A);
    while rules.len() < count {
        let Draft {
            template,
            mut pattern,
        } = if rng.chance(0.25) {
            extended_rule(world, &mut rng)
        } else {
            portable_rule(world, &mut rng)
        };
        set_account(&mut pattern, foreign_account_id(&mut rng));
        rules.push(Rule {
            template,
            pattern: pattern.to_string(),
        });
    }
    rules
}

/// A rule before tenant scoping.
struct Draft {
    template: &'static str,
    pattern: Value,
}

fn rule(template: &'static str, pattern: Value) -> Draft {
    Draft { template, pattern }
}

/// The first rules are the organization's own, written against all its traffic.
const ORGANIZATION_RULES: usize = 50;
/// Share of the later rules written by one tenant for its own account; most such
/// tenants have no traffic in the corpus ([`account_id`]). This lowers the share of
/// rules that fire but not how that count grows: rules are drawn alike, so matches per
/// event grow in proportion to the rule count (about 0.1, 3 and 21 with 10, 1,000 and
/// 10,000 mixed rules; [`idle_tenants`] holds them constant instead). Sets of
/// different sizes are prefixes of one sequence.
const TENANT_SCOPED: f64 = 0.85;

fn scoped(draft: Draft, index: usize, world: &World, rng: &mut Rng) -> Rule {
    let Draft {
        template,
        mut pattern,
    } = draft;
    let has_account = pattern.pointer("/data/userIdentity/accountId").is_some();
    if index >= ORGANIZATION_RULES && !has_account && rng.chance(TENANT_SCOPED) {
        set_account(&mut pattern, account_id(world, rng));
    }
    Rule {
        template,
        pattern: pattern.to_string(),
    }
}

/// Requires `data.userIdentity.accountId` to be `id` (replacing any such condition at
/// the top of the pattern; an `$or` branch naming another account then cannot match).
fn set_account(pattern: &mut Value, id: String) {
    if let Some(root) = pattern.as_object_mut() {
        let data = root.entry("data").or_insert_with(|| json!({}));
        if let Some(data) = data.as_object_mut() {
            let identity = data.entry("userIdentity").or_insert_with(|| json!({}));
            if let Some(identity) = identity.as_object_mut() {
                identity.insert("accountId".into(), json!([id]));
            }
        }
    }
}

fn service(rng: &mut Rng) -> &'static Service {
    // Rules are spread over services more evenly than traffic is.
    if rng.chance(0.5) {
        rng.pick_skewed(SERVICES)
    } else {
        rng.pick(SERVICES)
    }
}

fn source(service: &Service) -> String {
    format!("{}.cloud.tencent", service.product)
}

/// 1 to 4 distinct operation names of `service`, write operations mostly.
fn event_names(service: &Service, rng: &mut Rng) -> Vec<&'static str> {
    let wanted = 1 + rng.below(4);
    let mut names: Vec<&'static str> = Vec::new();
    for _ in 0..wanted * 3 {
        let op = rng.pick(service.ops);
        if (op.write || rng.chance(0.2)) && !names.contains(&op.name) {
            names.push(op.name);
        }
        if names.len() == wanted {
            break;
        }
    }
    if names.is_empty() {
        names.push(service.ops[0].name);
    }
    names
}

fn account<'a>(world: &'a World, rng: &mut Rng) -> &'a Account {
    rng.pick_skewed(&world.accounts)
}

/// An account id: one of the corpus's accounts, or one of the many tenants whose
/// traffic this corpus does not carry.
fn account_id(world: &World, rng: &mut Rng) -> String {
    if rng.chance(0.2) {
        account(world, rng).uin.to_string()
    } else {
        foreign_account_id(rng)
    }
}

/// One of 4,000 tenants with no traffic in the corpus (the corpus's own accounts are
/// numbered below 100,030,000,000).
fn foreign_account_id(rng: &mut Rng) -> String {
    (100_030_000_000 + rng.between(0, 4_000) * 7_919).to_string()
}

fn user_name(world: &World, rng: &mut Rng) -> String {
    let account = account(world, rng);
    if rng.chance(0.85) {
        rng.pick(&account.callers).user_name.clone()
    } else {
        format!("contractor-{}", rng.alnum(5))
    }
}

const PREFIXES: &[&str] = &[
    "Delete",
    "Create",
    "Modify",
    "Terminate",
    "Put",
    "Detach",
    "Attach",
    "Update",
    "Reset",
    "Disable",
    "Stop",
    "Isolate",
    "Destroy",
];

fn portable_rule(world: &World, rng: &mut Rng) -> Draft {
    let service = service(rng);
    let src = source(service);
    let roll = rng.below(100);
    match roll {
        // The bread and butter: these calls on this service.
        0..=39 => {
            let mut pattern =
                json!({"source": [src], "data": {"eventName": event_names(service, rng)}});
            match rng.below(10) {
                0..=2 => pattern["region"] = json!([rng.pick(REGIONS)]),
                3 => pattern["data"]["userIdentity"] = json!({"type": ["Root"]}),
                4 | 5 => {
                    pattern["data"]["userIdentity"] = json!({"accountId": [account_id(world, rng)]})
                }
                6 => pattern["data"]["userIdentity"] = json!({"userName": [user_name(world, rng)]}),
                7 => pattern["data"]["eventType"] = json!(["ConsoleCall"]),
                _ => {}
            }
            rule("exact", pattern)
        }
        40..=47 => rule(
            "prefix",
            json!({"source": [src], "data": {"eventName": [{"prefix": rng.pick(PREFIXES)}], "userIdentity": {"accountId": [account_id(world, rng)]}}}),
        ),
        48..=53 => rule(
            "anything-but",
            json!({"source": [src], "data": {"eventName": event_names(service, rng), "userIdentity": {"userName": [{"anything-but": ["terraform", "ops-bot", user_name(world, rng)]}]}}}),
        ),
        54..=57 => rule(
            "anything-but",
            json!({"source": [src], "region": [{"anything-but": ["ap-guangzhou", "ap-shanghai", "ap-beijing"]}], "data": {"actionType": ["Write"]}}),
        ),
        58..=62 => {
            let start = START_SECONDS + rng.between(0, 30 * 86_400) as i64;
            let end = start + rng.between(3_600, 7 * 86_400) as i64;
            rule(
                "numeric",
                // On `data.eventTime` (seconds): the envelope's `time` is in milliseconds, beyond
                // the ±5e9 AWS allows in a numeric pattern.
                json!({"source": [src], "data": {"eventTime": [{"numeric": [">=", start, "<", end]}], "eventName": event_names(service, rng)}}),
            )
        }
        63..=67 => rule("numeric", numeric_parameter_rule(rng)),
        68..=74 => {
            let block = if rng.chance(0.6) {
                format!("{}.0/24", rng.pick(OFFICE_BLOCKS))
            } else {
                format!("{}.{}.0.0/16", rng.between(1, 223), rng.between(0, 255))
            };
            let mut pattern =
                json!({"data": {"sourceIPAddress": [{"cidr": block}], "actionType": ["Write"]}});
            if rng.chance(0.5) {
                pattern["source"] = json!([src]);
            }
            rule("cidr", pattern)
        }
        75..=78 => {
            let name = user_name(world, rng).to_uppercase();
            rule(
                "equals-ignore-case",
                json!({"data": {"userIdentity": {"userName": [{"equals-ignore-case": name}]}, "actionType": ["Write"]}}),
            )
        }
        79..=81 => rule(
            "suffix",
            json!({"source": ["cos.cloud.tencent"], "data": {"eventName": ["PutObject", "PutObjectACL", "DeleteObject"], "requestParameters": {"Key": [{"suffix": rng.pick(&[".pem", ".env", ".sql", ".key", ".tfstate"])}]}}}),
        ),
        82 => {
            let account = account(world, rng);
            let id = rng.pick(account.pool(Kind::Instance));
            rule(
                "suffix",
                json!({"subject": [{"suffix": format!(":instance/{id}")}]}),
            )
        }
        83..=85 => {
            let account = account(world, rng);
            let region = rng.pick(REGIONS);
            let pattern = match rng.below(3) {
                0 => {
                    json!({"subject": [{"wildcard": format!("qcs::{}:{region}:uin/{}:*", service.product, account.uin)}]})
                }
                1 => {
                    json!({"resource": [{"wildcard": format!("qcs::cvm:*:uin/{}:instance/*", account.uin)}], "data": {"eventName": ["TerminateInstances", "ResetInstance"]}})
                }
                _ => {
                    json!({"data": {"userIdentity": {"userName": [{"wildcard": format!("*{}*", rng.pick(&["admin", "Breakglass", "ci", "bot"]))}]}}, "source": [src]})
                }
            };
            rule("wildcard", pattern)
        }
        86..=88 => {
            let pattern = if rng.chance(0.5) {
                json!({"source": [src], "data": {"eventType": ["ConsoleCall"], "userIdentity": {"sessionContext": {"mfa": [{"exists": false}]}}}})
            } else {
                json!({"source": [src], "data": {"eventName": event_names(service, rng), "requestParameters": {"RequestSource": [{"exists": true}]}}})
            };
            rule("exists", pattern)
        }
        89..=94 => rule("nested", nested_parameter_rule(world, rng)),
        _ => {
            let (key, values) = *rng.pick(super::world::TAGS);
            rule(
                "tags",
                json!({"tags": {key: [rng.pick(values)]}, "data": {"eventName": [{"prefix": rng.pick(PREFIXES)}]}}),
            )
        }
    }
}

/// Numbers inside request parameters: the "too big, too many, too soon" rules.
fn numeric_parameter_rule(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 => {
            json!({"source": ["cvm.cloud.tencent"], "data": {"eventName": ["RunInstances"], "requestParameters": {"InstanceCount": [{"numeric": [">", rng.between(2, 20)]}]}}})
        }
        1 => {
            json!({"source": ["cvm.cloud.tencent"], "data": {"requestParameters": {"InternetAccessible": {"InternetMaxBandwidthOut": [{"numeric": [">=", rng.pick(&[10, 100, 200])]}]}}}})
        }
        2 => {
            json!({"source": ["kms.cloud.tencent"], "data": {"eventName": ["ScheduleKeyDeletion"], "requestParameters": {"PendingWindowInDays": [{"numeric": ["<", rng.between(8, 15)]}]}}})
        }
        3 => {
            json!({"source": ["cdb.cloud.tencent"], "data": {"eventName": ["CreateDBInstance"], "requestParameters": {"Memory": [{"numeric": [">=", rng.pick(&[16000, 64000])]}]}}})
        }
        _ => {
            json!({"source": ["cos.cloud.tencent"], "data": {"requestParameters": {"Content-Length": [{"numeric": [">", rng.between(1, 50) * 1_000_000]}]}}})
        }
    }
}

/// Conditions deep in request parameters, including inside arrays of objects (where
/// fields must match in the same element).
fn nested_parameter_rule(world: &World, rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 | 1 => {
            json!({"source": ["vpc.cloud.tencent"], "data": {"eventName": ["CreateSecurityGroupPolicies", "ModifySecurityGroupPolicies", "ReplaceSecurityGroupPolicy"], "requestParameters": {"SecurityGroupPolicySet": {"Ingress": {"CidrBlock": ["0.0.0.0/0"], "Port": [rng.pick(&["22", "3389", "ALL"])], "Action": ["ACCEPT"]}}}}})
        }
        2 => {
            json!({"source": ["cdb.cloud.tencent"], "data": {"eventName": ["ModifyAccountPrivileges"], "requestParameters": {"GlobalPrivileges": ["ALL"]}}})
        }
        3 => {
            json!({"source": ["cos.cloud.tencent"], "data": {"requestParameters": {"x-cos-acl": ["public-read", "public-read-write"]}}})
        }
        4 => {
            json!({"source": ["cvm.cloud.tencent"], "data": {"eventName": ["RunInstances"], "requestParameters": {"InternetAccessible": {"PublicIpAssigned": [true]}, "Placement": {"ProjectId": [0]}}}})
        }
        _ => {
            let account = account(world, rng);
            json!({"source": ["cvm.cloud.tencent"], "data": {"requestParameters": {"InstanceIds": [rng.pick(account.pool(Kind::Instance))]}}})
        }
    }
}

/// Syntax only auditbridge accepts: AWS operators quamina lacks, and Tencent's.
fn extended_rule(world: &World, rng: &mut Rng) -> Draft {
    let service = service(rng);
    let src = source(service);
    match rng.below(8) {
        0 | 1 => rule(
            "$or",
            json!({"source": [src], "$or": [
                {"data": {"eventName": event_names(service, rng)}},
                {"data": {"userIdentity": {"type": ["Root"]}, "actionType": ["Write"]}},
                {"data": {"sourceIPAddress": [{"cidr": format!("{}.0/24", rng.pick(OFFICE_BLOCKS))}]}, "region": [rng.pick(REGIONS)]}
            ]}),
        ),
        2 => rule(
            "prefix-ignore-case",
            json!({"source": [src], "data": {"eventName": [{"prefix": {"equals-ignore-case": rng.pick(PREFIXES).to_lowercase()}}]}}),
        ),
        3 => rule(
            "suffix-ignore-case",
            json!({"data": {"requestParameters": {"Key": [{"suffix": {"equals-ignore-case": rng.pick(&[".PEM", ".ENV", ".SQL"])}}]}}}),
        ),
        4 => {
            let operand = match rng.below(3) {
                0 => json!({"prefix": "SDK_"}),
                1 => json!({"wildcard": "*Terraform*"}),
                _ => json!({"equals-ignore-case": ["CONSOLE.CLOUD.TENCENT.COM"]}),
            };
            rule(
                "anything-but-variant",
                json!({"source": [src], "data": {"eventName": event_names(service, rng), "userAgent": [{"anything-but": operand}]}}),
            )
        }
        5 => rule(
            "contain",
            json!({"data": {"userAgent": [{"contain": rng.pick(&["Terraform", "TCCLI", "kubernetes"])}], "eventName": [{"prefix": rng.pick(PREFIXES)}]}}),
        ),
        6 => {
            let names = event_names(service, rng);
            rule(
                "bare-scalar",
                json!({"source": src, "data": {"eventName": names[0], "userIdentity": {"accountId": account_id(world, rng)}}}),
            )
        }
        _ => rule(
            "$or",
            json!({"$or": [
                {"source": ["cam.cloud.tencent"], "data": {"eventName": [{"prefix": rng.pick(&["Attach", "Create", "Delete"])}]}},
                {"source": ["cloudaudit.cloud.tencent"], "data": {"eventName": ["StopLogging", "DeleteAuditTrack", "ModifyAuditTrack"]}}
            ], "data": {"userIdentity": {"accountId": [account_id(world, rng)]}}}),
        ),
    }
}
