use auditbridge_sqs::{client_from_env, SqsSender};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use normalize_fn::{Config, Handler};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let config =
        Config::from_env().inspect_err(|error| tracing::error!(%error, "invalid configuration"))?;
    let handler = Handler::new(&config, SqsSender::new(client_from_env().await));
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        handler.handle(event)
    }))
    .await
}
