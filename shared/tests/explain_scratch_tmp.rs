use auditbridge_shared::cloudaudit::{Normalizer, Normalized};
use auditbridge_shared::pattern::{Dialect, Pattern};
use serde_json::{json, Value};

#[test]
fn show() {
    let rules: Value = serde_json::from_str(include_str!("../../rules/security.json")).unwrap();
    let text = include_str!("fixtures/cloudaudit/cvm-stopinstances-api-write.json");
    let out = Normalizer::default().normalize_text(text);
    let Ok(Normalized::Envelope(env)) = &out[0].result else { panic!() };
    let event = serde_json::to_value(env).unwrap();
    for rule in rules["rules"].as_array().unwrap() {
        let p = Pattern::from_value(&rule["pattern"], Dialect::Default).unwrap();
        println!("=== {}\n{}", rule["name"], p.explain(&event));
    }
    let p = Pattern::parse(r#"{"data":{"items":{"a":[1],"b":["x"]}}, "n": [{"numeric":[">",5]}], "t": [{"exists": false}], "arr": [{"array": "{\"k\":1}"}]}"#, Dialect::Default).unwrap();
    let e = json!({"data":{"items":[{"a":1,"b":"y"},{"a":2,"b":"x"}]}, "n": "7", "t": {"u": 1}, "arr": [{"k":2}]});
    println!("{}", p.explain(&e));
    println!("{}", serde_json::to_string_pretty(&p.explain(&e)).unwrap());
}
