//! Generated CloudAudit envelopes, as the normalize function emits them.
//!
//! Each event is the `Envelope` (field order as serialized by the real type) around the
//! full record with its embedded JSON strings decoded and tokens redacted, exactly the
//! shape rules are written against (see `reference/cloudaudit.md` §2).

use auditbridge_shared::envelope::{Envelope, DATA_CONTENT_TYPE, SPEC_VERSION};
use serde_json::{json, Map, Value};

use super::rng::Rng;
use super::services::{self, Service, SERVICES};
use super::world::{CallerType, World, INTERNAL_BLOCKS, OFFICE_BLOCKS, USER_AGENTS};

/// 2024-05-01T00:00:00Z: the first event's time.
pub const START_SECONDS: i64 = 1_714_521_600;
/// Mean gap between events; 50,000 events span about a month.
const MEAN_GAP_SECONDS: u64 = 52;

/// `count` envelopes as compact JSON text, the same for the same `(count, seed)`.
pub fn generate(world: &World, count: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut now = START_SECONDS;
    (0..count)
        .map(|_| {
            now += rng.between(0, 2 * MEAN_GAP_SECONDS) as i64;
            let envelope = event(world, now, &mut rng);
            serde_json::to_string(&envelope).unwrap_or_default()
        })
        .collect()
}

fn event(world: &World, now: i64, rng: &mut Rng) -> Envelope {
    let account = rng.pick_skewed(&world.accounts);
    let service: &Service = rng.pick_skewed(SERVICES);
    let op = rng.pick_skewed(service.ops);
    let product = service.product;
    let region = services::region(rng);
    let caller = rng.pick_skewed(&account.callers);
    let event_type = match rng.below(20) {
        0 => "MiniProgramCall",
        1..=5 => "ConsoleCall",
        _ => "ApiCall",
    };
    let source_ip = if rng.chance(0.85) {
        let block = &caller.home_block;
        if INTERNAL_BLOCKS.contains(&block.as_str()) {
            format!("{block}.{}.{}", rng.between(0, 255), rng.between(1, 254))
        } else {
            format!("{block}.{}", rng.between(1, 254))
        }
    } else if rng.chance(0.5) {
        format!("{}.{}", rng.pick(OFFICE_BLOCKS), rng.between(1, 254))
    } else {
        // Somewhere on the internet: what cidr rules are written to catch.
        format!(
            "{}.{}.{}.{}",
            rng.between(1, 223),
            rng.between(0, 255),
            rng.between(0, 255),
            rng.between(1, 254)
        )
    };
    let request_id = rng.uuid();
    let site = services::CallSite {
        account,
        region,
        request_id: &request_id,
    };
    let call = services::call(service, op, &site, rng);

    let product_region = if product == "cam" { "" } else { region };
    let qcs = |name: &str| format!("qcs::{product}:{product_region}:uin/{}:{name}", account.uin);
    let resource: Vec<String> = call.resource_names.iter().map(|name| qcs(name)).collect();
    let subject = resource
        .first()
        .cloned()
        .unwrap_or_else(|| format!("qcs::{product}:{product_region}:uin/{}", account.uin));
    let raw_resources: Vec<String> = call
        .resource_names
        .iter()
        .map(|name| {
            format!(
                "qcs:id/0:{product}:{product_region}:uin/{}:{name}",
                account.uin
            )
        })
        .collect();

    let session_context = match (caller.kind, event_type) {
        (CallerType::AssumedRole, _) => json!({
            "token": "***",
            "roleId": format!("4611686018{}", rng.between(400_000_000, 499_999_999)),
            "roleName": caller.user_name.split(':').next().unwrap_or_default(),
            "uin": caller.principal_id,
            "ownerUin": account.uin,
            "appId": account.app_id,
            "sessionName": caller.user_name.split(':').nth(1).unwrap_or_default(),
        }),
        (_, "ConsoleCall") => {
            let mut context = json!({
                "token": "***",
                "userIp": source_ip,
                "uin": caller.principal_id,
                "ownerUin": account.uin,
                "appId": account.app_id,
            });
            if rng.chance(0.7) {
                context["mfa"] = json!(1);
            }
            context
        }
        _ => json!(""),
    };
    let failed = rng.chance(0.04);
    let user_agent = if event_type == "ConsoleCall" {
        "console.cloud.tencent.com"
    } else {
        rng.pick_skewed(USER_AGENTS)
    };
    let resource_name = call.resource_names.join("|");
    let mut data = Map::new();
    data.insert(
        "userIdentity".into(),
        json!({
            "principalId": caller.principal_id.to_string(),
            "accountId": account.uin.to_string(),
            "secretId": caller.secret_id,
            "type": caller.kind.as_str(),
            "userName": caller.user_name,
            "sessionContext": session_context,
        }),
    );
    data.insert(
        "@timestamp".into(),
        json!(timestamp_text(now, rng.between(0, 999_999))),
    );
    data.insert("eventRegion".into(), json!(region));
    data.insert("eventVersion".into(), json!(2));
    data.insert("errorCode".into(), json!(if failed { 1 } else { 0 }));
    data.insert(
        "errorMessage".into(),
        json!(if failed {
            "AuthFailure.UnauthorizedOperation"
        } else {
            "permission verify"
        }),
    );
    data.insert("requestID".into(), json!(request_id));
    data.insert("eventID".into(), json!(rng.uuid()));
    data.insert("apiVersion".into(), json!("3.0"));
    data.insert("eventType".into(), json!(event_type));
    data.insert(
        "actionType".into(),
        json!(if op.write { "Write" } else { "Read" }),
    );
    data.insert("httpMethod".into(), json!("POST"));
    data.insert(
        "apiErrorCode".into(),
        json!(if failed {
            json!("UnauthorizedOperation")
        } else {
            json!(0)
        }),
    );
    data.insert("apiErrorMessage".into(), json!(""));
    data.insert("userAgent".into(), json!(user_agent));
    data.insert("eventTime".into(), json!(now));
    data.insert(
        "sensitiveAction".into(),
        json!(if op.name.starts_with("Delete") {
            "1"
        } else {
            ""
        }),
    );
    data.insert("eventPlatform".into(), json!("0"));
    data.insert("sourceIPAddress".into(), json!(source_ip));
    data.insert("resourceType".into(), json!(product));
    data.insert("eventName".into(), json!(op.name));
    data.insert(
        "eventSource".into(),
        json!(event_source(product, region, rng)),
    );
    data.insert("requestParameters".into(), call.request);
    data.insert("responseElements".into(), call.response);
    data.insert("resources".into(), json!(raw_resources));
    data.insert("resourceName".into(), json!(resource_name));
    data.insert("tags".into(), json!([""]));

    let mut tags = Map::new();
    if rng.chance(0.45) {
        for (key, values) in &account.tag_values {
            if rng.chance(0.6) {
                tags.insert((*key).into(), json!(rng.pick(values)));
            }
        }
    }

    Envelope {
        specversion: SPEC_VERSION.into(),
        id: data["eventID"].as_str().unwrap_or_default().to_string(),
        source: format!("{product}.cloud.tencent"),
        event_type: format!("{product}:CloudEvent:{event_type}"),
        subject,
        time: now * 1000 + rng.between(0, 999) as i64,
        region: region.into(),
        resource,
        datacontenttype: DATA_CONTENT_TYPE.into(),
        tags,
        data: Value::Object(data),
        extensions: Map::new(),
    }
}

fn event_source(product: &str, region: &str, rng: &mut Rng) -> String {
    if rng.chance(0.7) {
        format!("{product}.tencentcloudapi.com")
    } else {
        format!("{product}.{region}.api.tencentyun.com")
    }
}

/// CloudAudit's `@timestamp` (UTC, microseconds, no zone).
fn timestamp_text(seconds: i64, micros: u64) -> String {
    chrono::DateTime::from_timestamp(seconds, (micros * 1000) as u32)
        .map(|time| time.format("%Y-%m-%dT%H:%M:%S%.6f").to_string())
        .unwrap_or_default()
}
