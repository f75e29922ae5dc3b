use anyhow::Context;
use evaluate_fn::{Config, Handler};
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    lambda_runtime::tracing::init_default_subscriber();
    let rules = Config::from_env()
        .and_then(|config| {
            let rules = config.load_rules(&|name| std::env::var(name).ok())?;
            Ok((config, rules))
        })
        .inspect_err(|error| tracing::error!("evaluate cannot start: {error}"))
        .context("evaluate cannot start")?;
    let (config, rules) = rules;
    tracing::info!(rules = rules.rules().len(), source = ?config.rules, "rules compiled");
    let sender = auditbridge_sqs::SqsSender::new(auditbridge_sqs::client_from_env().await)
        .with_max_bytes(config.max_message_bytes);
    let handler = Handler::new(rules, sender);
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        handler.handle(event)
    }))
    .await
    .map_err(|error| anyhow::anyhow!(error))
}
