//! Exact envelopes for key fixtures: every envelope field and every change to `data`.

use auditbridge_shared::cloudaudit::{ActionType, NormalizeOptions, Normalized, Normalizer};
use auditbridge_shared::envelope::Envelope;
use serde_json::{json, Value};

#[path = "support/fixtures.rs"]
mod fixtures;
use fixtures::{fixture_text, fixture_value};

/// The one envelope the fixture must produce, serialized as it will travel.
fn envelope_json(name: &str, normalizer: &Normalizer) -> Value {
    let outcomes = normalizer.normalize_text(&fixture_text(name));
    assert_eq!(outcomes.len(), 1, "{name}: {outcomes:?}");
    assert_eq!(outcomes[0].location.to_string(), "line 1");
    match &outcomes[0].result {
        Ok(Normalized::Envelope(envelope)) => {
            serde_json::to_value(envelope.as_ref()).expect("serializes")
        }
        other => panic!("{name}: expected an envelope, got {other:?}"),
    }
}

/// The fixture record with `changes` (field → new value) applied at the top level or,
/// for `userIdentity.sessionContext`, below `userIdentity`.
fn record_with(name: &str, changes: &[(&str, Value)]) -> Value {
    let mut record = fixture_value(name);
    for (field, value) in changes {
        match field.split_once('.') {
            Some((outer, inner)) => record[outer][inner] = value.clone(),
            None => record[*field] = value.clone(),
        }
    }
    record
}

#[test]
fn legacy_2017_cdb_record() {
    let envelope = envelope_json("legacy-2017-cdb-modify-write.json", &Normalizer::default());
    assert_eq!(
        envelope,
        json!({
            "specversion": "1.0",
            "id": "5e9ec3fae7d93fd346cc28d397d4f1db1",
            "source": "cdb.cloud.tencent",
            "type": "cdb:CloudEvent:ApiCall",
            // resources is "*", so the subject is built from resourceName.
            "subject": "qcs::cdb:ap-guangzhou:uin/91000000009:instanceId/cdb-abc123",
            // "2017-11-02 19:08:14" in UTC+8 is 2017-11-02T11:08:14Z.
            "time": 1_509_620_894_000_i64,
            "region": "ap-guangzhou",
            "resource": [],
            "datacontenttype": "application/json;charset=utf-8",
            "tags": {},
            // Objects stay objects, "*" is not JSON text worth decoding: data is the record.
            "data": fixture_value("legacy-2017-cdb-modify-write.json"),
        })
    );
}

#[test]
fn cvm_stop_instances() {
    let envelope = envelope_json("cvm-stopinstances-api-write.json", &Normalizer::default());
    let expected_data = record_with(
        "cvm-stopinstances-api-write.json",
        &[
            (
                "requestParameters",
                json!({"InstanceIds": ["ins-7xk2p9qd", "ins-3mfw8a1c"], "StopType": "SOFT", "Version": "2017-03-12", "Action": "StopInstances", "Region": "ap-guangzhou"}),
            ),
            (
                "responseElements",
                json!({"RequestId": "6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60"}),
            ),
            (
                "resources",
                json!([
                    "qcs:id/0:cvm:ap-guangzhou:uin/100020000000:instance/ins-7xk2p9qd",
                    "qcs:id/0:cvm:ap-guangzhou:uin/100020000000:instance/ins-3mfw8a1c"
                ]),
            ),
        ],
    );
    assert_eq!(
        envelope,
        json!({
            "specversion": "1.0",
            "id": "6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60",
            "source": "cvm.cloud.tencent",
            "type": "cvm:CloudEvent:ApiCall",
            "subject": "qcs::cvm:ap-guangzhou:uin/100020000000:instance/ins-7xk2p9qd",
            "time": 1_714_961_587_000_i64,
            "region": "ap-guangzhou",
            "resource": [
                "qcs::cvm:ap-guangzhou:uin/100020000000:instance/ins-7xk2p9qd",
                "qcs::cvm:ap-guangzhou:uin/100020000000:instance/ins-3mfw8a1c"
            ],
            "datacontenttype": "application/json;charset=utf-8",
            "tags": {},
            "data": expected_data,
        })
    );
    // Serialized in the documented order.
    let text = serde_json::to_string(&envelope_struct("cvm-stopinstances-api-write.json"))
        .expect("serializes");
    assert!(text.starts_with(r#"{"specversion":"1.0","id":"6f2d7d0e-3a57-4c1b-9e0a-1b2c3d4e5f60","source":"cvm.cloud.tencent","type":"cvm:CloudEvent:ApiCall","subject":"#), "{text}");
}

fn envelope_struct(name: &str) -> Envelope {
    let outcomes = Normalizer::default().normalize_text(&fixture_text(name));
    match outcomes.into_iter().next().map(|outcome| outcome.result) {
        Some(Ok(Normalized::Envelope(envelope))) => *envelope,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn cam_mini_program_call() {
    let envelope = envelope_json(
        "cam-attachuserpolicy-miniprogram-write.json",
        &Normalizer::default(),
    );
    let mut expected_data = record_with(
        "cam-attachuserpolicy-miniprogram-write.json",
        &[
            (
                "requestParameters",
                json!({"PolicyId": 1, "AttachUin": 100020000001_u64}),
            ),
            (
                "resources",
                json!(["qcs::cam::uin/100020000000:uin/100020000001"]),
            ),
        ],
    );
    assert_eq!(
        expected_data["responseElements"],
        json!(""),
        "empty text stays empty text"
    );
    expected_data["userIdentity"]["sessionContext"] = json!("");
    assert_eq!(
        envelope,
        json!({
            "specversion": "1.0",
            "id": "c3d2e1f0-aaaa-4bbb-8ccc-000000000042",
            "source": "cam.cloud.tencent",
            "type": "cam:CloudEvent:MiniProgramCall",
            "subject": "qcs::cam::uin/100020000000:uin/100020000001",
            "time": 1_715_155_200_000_i64,
            "region": "ap-guangzhou",
            "resource": ["qcs::cam::uin/100020000000:uin/100020000001"],
            "datacontenttype": "application/json;charset=utf-8",
            "tags": {},
            "data": expected_data,
        })
    );
}

/// The raw record inside the DescribeEvents wrapper, decoded the way the envelope has it.
fn create_audit_track_data(token: &str) -> Value {
    json!({
        "userIdentity": {
            "principalId": "1000000000",
            "accountId": "1000000000",
            "secretId": "xxx",
            "sessionContext": {
                "token": token,
                "ua": "xxx",
                "userIp": "111.111.11.111",
                "uin": 1000000000,
                "ownerUin": 1000000000,
                "appId": 1256196555,
                "expireTime": "2023-04-03 19:23:29",
                "mfa": 1,
                "mfaExpireTime": "0000-00-00 00:00:00",
                "interfaceName": "",
                "hasPolicyFilter": 0,
                "policyFilter": "",
                "extraInfo": "{\"dictId\":2208,\"mfaExpireTime\":\"3000-12-12 00:00:00\",\"sessionUin\":5000}"
            },
            "type": "Root",
            "userName": "root"
        },
        "eventRegion": "ap-guangzhou",
        "eventVersion": 2,
        "errorCode": "0",
        "errorMessage": "",
        "requestID": "008ef803-4549-41fe-a7e6-433122273683",
        "eventID": "008ef803-4549-41fe-a7e6-433122273683",
        "apiVersion": "3.0",
        "eventType": "ConsoleCall",
        "actionType": "Write",
        "httpMethod": "POST",
        "apiErrorCode": 0,
        "apiErrorMessage": "",
        "userAgent": "SDK_NODEJS_0.2.1",
        "eventTime": 1680513809,
        "sourceIPAddress": "111.111.111.111",
        "eventSource": "cloudaudit.ap-guangzhou.api.tencentyun.com",
        "resources": ["*"],
        "resourceName": "",
        "resourceSet": [],
        "requestParameters": {
            "ActionType": "Write",
            "EventNames": ["*"],
            "Name": "qweqwe",
            "ResourceType": "*",
            "Status": 1,
            "Storage": {
                "StorageName": "d0f00ec9-5643-4a11-9022-187621d38714",
                "StoragePrefix": "cloudaudit",
                "StorageRegion": "ap-guangzhou",
                "StorageType": "cls"
            },
            "Version": "2019-03-19"
        },
        "responseElements": {"TrackId": 21915, "RequestId": "008ef803-4549-41fe-a7e6-433122273683"},
        "resourceType": "cloudaudit",
        "eventName": "CreateAuditTrack",
        "sensitiveAction": "1",
        "tags": [""]
    })
}

fn create_audit_track_envelope(token: &str) -> Value {
    json!({
        "specversion": "1.0",
        "id": "008ef803-4549-41fe-a7e6-433122273683",
        "source": "cloudaudit.cloud.tencent",
        "type": "cloudaudit:CloudEvent:ConsoleCall",
        // resources is ["*"] and resourceName "": the account is the subject.
        "subject": "qcs::cloudaudit:ap-guangzhou:uin/1000000000",
        "time": 1_680_513_809_000_i64,
        "region": "ap-guangzhou",
        "resource": [],
        "datacontenttype": "application/json;charset=utf-8",
        "tags": {},
        "data": create_audit_track_data(token),
    })
}

const CREATE_AUDIT_TRACK_TOKEN: &str =
    "xxx--Jqr7dXvw3EBEXWNcJljzbZeJeoIrQx9gafWtHV1Lg9zu7hSpY91LAF414n21D41bpodncbz8u12C-xxx";

#[test]
fn describe_events_wrapper_is_the_raw_record_with_the_token_redacted() {
    let envelope = envelope_json("describeevents-event-wrapper.json", &Normalizer::default());
    assert_eq!(envelope, create_audit_track_envelope("***"));
}

#[test]
fn raw_record_and_wrapper_give_the_same_envelope() {
    let raw = envelope_json(
        "cloudaudit-createaudittrack-console-write.json",
        &Normalizer::default(),
    );
    assert_eq!(raw, create_audit_track_envelope("***"));
}

#[test]
fn redaction_can_be_turned_off() {
    let normalizer = Normalizer::new(NormalizeOptions {
        redact_tokens: false,
        ..NormalizeOptions::default()
    });
    let envelope = envelope_json("describeevents-event-wrapper.json", &normalizer);
    assert_eq!(
        envelope,
        create_audit_track_envelope(CREATE_AUDIT_TRACK_TOKEN)
    );
}

#[test]
fn cos_upper_case_product_numeric_string_time_and_integer_request_id() {
    let envelope = envelope_json(
        "cos-putbucketacl-uppercase-write.json",
        &Normalizer::default(),
    );
    let expected_data = record_with(
        "cos-putbucketacl-uppercase-write.json",
        &[
            (
                "userIdentity.sessionContext",
                json!({"token": "***", "uin": 100020000003_u64, "ownerUin": 100020000000_u64}),
            ),
            (
                "requestParameters",
                json!({"x-cos-acl": "public-read", "Bucket": "examplebucket-1250000000"}),
            ),
        ],
    );
    assert_eq!(
        envelope,
        json!({
            "specversion": "1.0",
            "id": "7301234567",
            "source": "cos.cloud.tencent",
            "type": "cos:CloudEvent:ApiCall",
            // The wildcard name is skipped; the bucket itself is concrete.
            "subject": "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000",
            "time": 1_715_235_600_000_i64,
            "region": "ap-beijing",
            "resource": ["qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000"],
            "datacontenttype": "application/json;charset=utf-8",
            "tags": {"env": "prod", "owner": "backup"},
            "data": expected_data,
        })
    );
}

#[test]
fn legacy_2019_kms_record() {
    let envelope = envelope_json(
        "legacy-2019-kms-scheduledeletion-write.json",
        &Normalizer::default(),
    );
    let expected_data = record_with(
        "legacy-2019-kms-scheduledeletion-write.json",
        &[
            (
                "requestParameters",
                json!({"Action": "ScheduleKeyDeletion", "KeyId": "abc-123", "PendingWindowInDays": 7, "Token": "***"}),
            ),
            (
                "responseElements",
                json!({"DeletionDate": 1561430400, "KeyId": "abc-123"}),
            ),
        ],
    );
    assert_eq!(
        envelope,
        json!({
            "specversion": "1.0",
            "id": "0f3c8a1d2e4b5c6d7e8f9a0b1c2d3e4f5",
            // resourceType is empty: the product is the first label of eventSource.
            "source": "kms.cloud.tencent",
            "type": "kms:CloudEvent:ConsoleCall",
            // The first of the resource names joined by "|".
            "subject": "qcs::kms:ap-shanghai:uin/92000000001:keyId/abc-123",
            // "2019-06-18 10:30:00" UTC+8 = 2019-06-18T02:30:00Z = 1560825000 s.
            "time": 1_560_825_000_000_i64,
            "region": "ap-shanghai",
            "resource": [],
            "datacontenttype": "application/json;charset=utf-8",
            "tags": {},
            "data": expected_data,
        })
    );
}

#[test]
fn tke_several_resources_tokens_in_strings_and_tags_object() {
    let envelope = envelope_json(
        "tke-deletecluster-console-write.json",
        &Normalizer::default(),
    );
    let expected_data = record_with(
        "tke-deletecluster-console-write.json",
        &[
            (
                "userIdentity.sessionContext",
                json!({"token": "***", "userIp": "203.0.113.9", "uin": 100020000009_u64, "mfa": 1, "extraInfo": "{\"roleSession\":\"admin\"}"}),
            ),
            (
                "requestParameters",
                json!({"ClusterId": "cls-7q2x9k1m", "InstanceDeleteMode": "terminate", "Token": "***", "RequestSource": "MC"}),
            ),
            (
                "responseElements",
                json!({"RequestId": "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"}),
            ),
            (
                "resources",
                json!([
                    "qcs:id/1196468:tke:ap-singapore:uin/100020000000:cluster/cls-7q2x9k1m",
                    "qcs:id/1196468:tke:ap-singapore:uin/100020000000:cluster/cls-7q2x9k1m",
                    "qcs:id/1196468:cvm:ap-singapore:uin/100020000000:instance/ins-node0001"
                ]),
            ),
        ],
    );
    assert_eq!(
        expected_data["@timestamp"],
        json!("2024-05-08T09:00:01.000000"),
        "unknown fields are kept"
    );
    assert_eq!(
        envelope,
        json!({
            "specversion": "1.0",
            "id": "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
            "source": "tke.cloud.tencent",
            "type": "tke:CloudEvent:ConsoleCall",
            "subject": "qcs::tke:ap-singapore:uin/100020000000:cluster/cls-7q2x9k1m",
            "time": 1_715_158_800_000_i64,
            "region": "ap-singapore",
            "resource": [
                "qcs::tke:ap-singapore:uin/100020000000:cluster/cls-7q2x9k1m",
                "qcs::cvm:ap-singapore:uin/100020000000:instance/ins-node0001"
            ],
            "datacontenttype": "application/json;charset=utf-8",
            "tags": {"team": "platform"},
            "data": expected_data,
        })
    );
}

#[test]
fn scf_record_without_ids_region_or_resource_type() {
    let envelope = envelope_json(
        "scf-deletefunction-no-ids-write.json",
        &Normalizer::default(),
    );
    let expected_data = record_with(
        "scf-deletefunction-no-ids-write.json",
        &[
            (
                "requestParameters",
                json!({"FunctionName": "nightly-report", "Namespace": "default"}),
            ),
            ("resources", json!(["*"])),
        ],
    );
    assert_eq!(
        expected_data["responseElements"],
        json!("0"),
        "scalar JSON text stays text"
    );
    assert_eq!(
        envelope,
        json!({
            "specversion": "1.0",
            // uuid5(uuid5(NAMESPACE_URL, "urn:auditbridge:cloudaudit-record"), sorted compact
            // record), computed independently with Python's uuid and json modules.
            "id": "2d3a06e4-5c90-5004-9def-2e6ac20aa251",
            "source": "scf.cloud.tencent",
            "type": "scf:CloudEvent:ApiCall",
            "subject": "qcs::scf:ap-chengdu:uin/100020000000",
            "time": 1_715_245_200_000_i64,
            // eventRegion is empty: the region label of the endpoint.
            "region": "ap-chengdu",
            "resource": [],
            "datacontenttype": "application/json;charset=utf-8",
            "tags": {},
            "data": expected_data,
        })
    );
}

#[test]
fn vpc_console_write_decodes_nested_parameters() {
    let envelope = envelope_json(
        "vpc-createsecuritygrouppolicies-console-write.json",
        &Normalizer::default(),
    );
    assert_eq!(envelope["type"], json!("vpc:CloudEvent:ConsoleCall"));
    assert_eq!(
        envelope["subject"],
        json!("qcs::vpc:ap-shanghai:uin/100020000000:securitygroup/sg-5k1q8z3w")
    );
    assert_eq!(envelope["region"], json!("ap-shanghai"));
    assert_eq!(envelope["time"], json!(1_715_069_022_000_i64));
    assert_eq!(
        envelope["data"]["requestParameters"]["SecurityGroupPolicySet"]["Ingress"][0],
        json!({"Protocol": "TCP", "Port": "22", "CidrBlock": "0.0.0.0/0", "Action": "ACCEPT"})
    );
    assert_eq!(
        envelope["data"]["userIdentity"]["sessionContext"],
        json!({"token": "***", "userIp": "198.51.100.24", "uin": 100020000000_u64, "ownerUin": 100020000000_u64, "appId": 1250000000, "mfa": 1})
    );
    assert_eq!(
        envelope["data"]["userIdentity"]["secretId"],
        json!("AKIDexampleROOT000001"),
        "secretId stays"
    );
}

#[test]
fn reads_are_skipped_by_default_and_normalized_when_asked() {
    for (name, event_name) in [
        ("cvm-describeinstances-api-read.json", "DescribeInstances"),
        ("cloudaudit-lookupevents-console-read.json", "LookUpEvents"),
        ("legacy-2019-cdb-describe-read.json", "DescribeDBInstances"),
    ] {
        let outcomes = Normalizer::default().normalize_text(&fixture_text(name));
        assert_eq!(outcomes.len(), 1, "{name}");
        assert_eq!(
            outcomes[0].result,
            Ok(Normalized::Skipped {
                action_type: ActionType::Read,
                event_name: Some(event_name.to_owned())
            }),
            "{name}"
        );
    }
    let both = Normalizer::new(NormalizeOptions {
        action_types: vec![ActionType::Write, ActionType::Read],
        redact_tokens: true,
    });
    let lookup = envelope_json("cloudaudit-lookupevents-console-read.json", &both);
    assert_eq!(lookup["type"], json!("cloudaudit:CloudEvent:ConsoleCall"));
    // eventRegion wins over the endpoint's region.
    assert_eq!(lookup["region"], json!("ap-guangzhou"));
    assert_eq!(lookup["data"]["requestParameters"]["Token"], json!("***"));
    assert_eq!(
        lookup["data"]["requestParameters"]["SecretId"],
        json!("xxx")
    );
    assert_eq!(
        lookup["data"]["updateEsTime"],
        json!(16106961641644206_u64),
        "unknown fields are kept"
    );
    let legacy_read = envelope_json("legacy-2019-cdb-describe-read.json", &both);
    assert_eq!(
        legacy_read["subject"],
        json!("qcs::cdb:ap-guangzhou:uin/92000000001")
    );
    assert_eq!(legacy_read["time"], json!(1_560_826_800_000_i64));
    // Only reads wanted: writes are skipped.
    let reads_only = Normalizer::new(NormalizeOptions {
        action_types: vec![ActionType::Read],
        redact_tokens: true,
    });
    let outcomes = reads_only.normalize_text(&fixture_text("cvm-stopinstances-api-write.json"));
    assert_eq!(
        outcomes[0].result,
        Ok(Normalized::Skipped {
            action_type: ActionType::Write,
            event_name: Some("StopInstances".to_owned())
        })
    );
}

#[test]
fn the_same_record_always_gets_the_same_envelope() {
    for name in [
        "scf-deletefunction-no-ids-write.json",
        "tke-deletecluster-console-write.json",
    ] {
        let first = envelope_json(name, &Normalizer::default());
        let again = envelope_json(name, &Normalizer::default());
        assert_eq!(first, again);
        // Key order in the input does not matter to the generated id.
        let record = fixture_value(name);
        let entries: Vec<String> = record
            .as_object()
            .expect("records are objects")
            .iter()
            .rev()
            .map(|(key, value)| format!("{}:{value}", json!(key)))
            .collect();
        let reordered = format!("{{{}}}", entries.join(","));
        assert_ne!(
            reordered,
            serde_json::to_string(&record).expect("serializes")
        );
        let outcomes = Normalizer::default().normalize_text(&reordered);
        match &outcomes[0].result {
            Ok(Normalized::Envelope(envelope)) => assert_eq!(json!(envelope.id), first["id"]),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn envelopes_round_trip_through_json() {
    let envelope = envelope_struct("tke-deletecluster-console-write.json");
    let text = serde_json::to_string(&envelope).expect("serializes");
    let back: Envelope = serde_json::from_str(&text).expect("parses");
    assert_eq!(back, envelope);
}
