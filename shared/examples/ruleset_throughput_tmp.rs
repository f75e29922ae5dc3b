#![recursion_limit = "512"]
// THROWAWAY: throughput sanity check (deleted after use).
use auditbridge_shared::pattern::{Dialect, Pattern};
use auditbridge_shared::ruleset::RuleSetBuilder;
use serde_json::{json, Value};
use std::time::Instant;

fn envelope(i: usize) -> String {
    let v = json!({
      "specversion": "1.0", "id": format!("0b9f4c2e-8d71-4e0a-b5c3-2f1e0d9c8{i:03}"),
      "source": "vpc.cloud.tencent", "type": "vpc:CloudEvent:ConsoleCall",
      "subject": "qcs::vpc:ap-shanghai:uin/100020000000:securitygroup/sg-5k1q8z3w",
      "time": 1715069022000u64, "region": "ap-shanghai",
      "resource": ["qcs::vpc:ap-shanghai:uin/100020000000:securitygroup/sg-5k1q8z3w"],
      "datacontenttype": "application/json;charset=utf-8", "tags": {},
      "data": {
        "userIdentity": {"principalId": "100020000000", "accountId": "100020000000", "secretId": "AKIDexampleROOT000001",
          "type": "Root", "userName": "root",
          "sessionContext": {"token": "***", "userIp": "198.51.100.24", "uin": 100020000000u64, "ownerUin": 100020000000u64, "appId": 1250000000, "mfa": 1}},
        "eventRegion": "ap-shanghai", "eventVersion": 2, "errorCode": "0", "errorMessage": "permission verify",
        "requestID": "0b9f4c2e-8d71-4e0a-b5c3-2f1e0d9c8b7a", "eventID": "0b9f4c2e-8d71-4e0a-b5c3-2f1e0d9c8b7a",
        "apiVersion": "3.0", "eventType": "ConsoleCall", "actionType": "Write", "httpMethod": "POST",
        "apiErrorCode": 0, "apiErrorMessage": "", "userAgent": "SDK_NODEJS_0.2.1", "eventTime": 1715069022,
        "sensitiveAction": "1", "eventPlatform": "0", "sourceIPAddress": "198.51.100.24", "resourceType": "vpc",
        "eventName": format!("Action{}", i % 300), "eventSource": "vpc.ap-shanghai.api.tencentyun.com",
        "requestParameters": {"SecurityGroupId": "sg-5k1q8z3w", "SecurityGroupPolicySet": {"Ingress": [
            {"Protocol": "TCP", "Port": "22", "CidrBlock": "0.0.0.0/0", "Action": "ACCEPT"},
            {"Protocol": "UDP", "Port": "53", "CidrBlock": "10.0.0.0/8", "Action": "DROP"}]},
          "Version": "2017-03-12", "Action": "CreateSecurityGroupPolicies", "RequestSource": "MC"},
        "responseElements": {"RequestId": "0b9f4c2e-8d71-4e0a-b5c3-2f1e0d9c8b7a"},
        "resources": ["qcs::vpc:ap-shanghai:uin/100020000000:securitygroup/sg-5k1q8z3w"],
        "resourceName": "securitygroup/sg-5k1q8z3w", "tags": [""]
      }
    });
    serde_json::to_string(&v).unwrap()
}

fn rule(i: usize) -> String {
    let products = ["vpc", "cvm", "cam", "cos", "cdb"];
    let p = products[i % 5];
    let name = if std::env::var("UNIQUE").is_ok() { format!("Action{i}") } else { format!("Action{}", i % 300) };
    let v = match i % 8 {
        0 => json!({"source": [format!("{p}.cloud.tencent")], "data": {"eventName": [name], "errorCode": ["0"]}}),
        1 => json!({"source": [format!("{p}.cloud.tencent")], "data": {"eventName": [{"prefix": format!("Action{}", i % 30)}], "userIdentity": {"type": [{"anything-but": "Service"}]}}}),
        2 => json!({"data": {"eventName": [name], "sourceIPAddress": [{"prefix": "198.51."}], "eventTime": [{"numeric": [">", 1700000000]}]}}),
        3 => json!({"data": {"eventName": [{"equals-ignore-case": name.to_uppercase()}], "userAgent": [{"wildcard": "SDK_*_0.2.*"}]}}),
        4 => json!({"source": [format!("{p}.cloud.tencent")], "data": {"requestParameters": {"SecurityGroupPolicySet": {"Ingress": {"CidrBlock": ["0.0.0.0/0"], "Action": [format!("ACCEPT{}", i % 50)]}}}}}),
        5 => json!({"data": {"eventName": [name], "$or": [{"apiErrorCode": [0]}, {"errorCode": ["0"]}]}}),
        6 => json!({"data": {"resourceName": [{"suffix": format!("sg-{i}")}], "eventName": [{"exists": true}]}}),
        _ => json!({"source": [format!("{p}.cloud.tencent")], "data": {"eventName": [name], "userIdentity": {"userName": [{"anything-but": ["admin", "ops"]}]}}}),
    };
    serde_json::to_string(&v).unwrap()
}

fn main() {
    let events: Vec<String> = (0..300).map(envelope).collect();
    println!("envelope bytes: {}", events[0].len());
    for &n in &[10usize, 1000, 10000] {
        let t = Instant::now();
        let mut b = RuleSetBuilder::new();
        let mut q = quamina::Quamina::<usize>::new();
        let mut q_ok = 0;
        for i in 0..n {
            let text = rule(i);
            let p = Pattern::parse(&text, Dialect::Default).unwrap();
            b.add(&format!("r{i}"), &p).unwrap();
            if q.add_pattern(i, &text).is_ok() { q_ok += 1; }
        }
        let build_start = Instant::now();
        let rs = b.build();
        let build = build_start.elapsed();
        let _ = t;
        let iters = 20000;
        let t = Instant::now();
        let mut total = 0;
        for k in 0..iters { total += rs.matches_json(&events[k % events.len()]).unwrap().len(); }
        let ours = t.elapsed().as_secs_f64() / iters as f64;
        let t = Instant::now();
        let mut vt = 0;
        for k in 0..iters { let v: Value = serde_json::from_str(&events[k % events.len()]).unwrap(); vt += v.as_object().unwrap().len(); }
        let parse = t.elapsed().as_secs_f64() / iters as f64;
        let parsed: Vec<Value> = events.iter().map(|e| serde_json::from_str(e).unwrap()).collect();
        let t = Instant::now();
        let mut total_v = 0;
        for k in 0..iters { total_v += rs.matches(&parsed[k % parsed.len()]).len(); }
        let ours_v = t.elapsed().as_secs_f64() / iters as f64;
        let qiters = if n >= 10000 { 2000 } else { iters };
        let t = Instant::now();
        let mut qt = 0;
        for k in 0..qiters { qt += q.matches_for_event(events[k % events.len()].as_bytes()).unwrap().len(); }
        let quam = t.elapsed().as_secs_f64() / qiters as f64;
        println!("rules={n} build={:?} matches_json={:.2}us ({:.0} ev/s) matches(Value)={:.2}us from_str::<Value>={:.2}us quamina={:.2}us ({} of {n} patterns accepted) | avg matches {} {} {} {}",
            build, ours*1e6, 1.0/ours, ours_v*1e6, parse*1e6, quam*1e6, q_ok,
            total as f64 / iters as f64, total_v as f64/iters as f64, qt as f64 / qiters as f64, vt);
    }
}
