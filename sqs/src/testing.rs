//! Support for tests against an SQS-compatible server (moto in `scripts/test`).
//!
//! Tests needing SQS must fail, never skip, when no server is configured: [`TestSqs::from_env`]
//! panics with a message saying how to provide one. Queue names are unique per call, so
//! tests can run in parallel against one server without seeing each other's messages.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_sqs::config::retry::RetryConfig;
use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};

/// The environment variable naming the server's endpoint, e.g. `http://127.0.0.1:5000`.
pub const ENDPOINT_VARIABLE: &str = "AUDITBRIDGE_TEST_SQS_ENDPOINT";

static QUEUE_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A message as received, with everything a test may want to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    pub message_id: String,
    pub body: String,
    /// String message attributes.
    pub attributes: BTreeMap<String, String>,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
}

/// A connection to the test server.
#[derive(Debug, Clone)]
pub struct TestSqs {
    client: aws_sdk_sqs::Client,
    endpoint: String,
}

impl TestSqs {
    /// Connects to the server named by `AUDITBRIDGE_TEST_SQS_ENDPOINT`.
    ///
    /// # Panics
    /// When the variable is unset or empty: a test that needs SQS must not pass silently.
    pub fn from_env() -> TestSqs {
        match std::env::var(ENDPOINT_VARIABLE) {
            Ok(endpoint) if !endpoint.trim().is_empty() => TestSqs::new(endpoint.trim()),
            _ => panic!(
                "{ENDPOINT_VARIABLE} is not set: this test needs an SQS-compatible server. \
                 Run it through scripts/test, or start one with \
                 `.venv/bin/moto_server -H 127.0.0.1 -p 5xxx` and export \
                 {ENDPOINT_VARIABLE}=http://127.0.0.1:5xxx"
            ),
        }
    }

    /// Connects to the server at `endpoint`.
    pub fn new(endpoint: &str) -> TestSqs {
        TestSqs {
            client: client_for_endpoint(endpoint),
            endpoint: endpoint.trim_end_matches('/').to_string(),
        }
    }

    /// A client for the server, with fake credentials and quick retries.
    pub fn client(&self) -> aws_sdk_sqs::Client {
        self.client.clone()
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Creates a standard queue named `{prefix}-{unique}` and returns its URL.
    pub async fn create_queue(&self, prefix: &str) -> String {
        self.create(&unique_name(prefix, ""), BTreeMap::new()).await
    }

    /// Creates a FIFO queue without content-based deduplication (every message must carry
    /// a deduplication id) and returns its URL.
    pub async fn create_fifo_queue(&self, prefix: &str) -> String {
        let attributes = BTreeMap::from([
            (QueueAttributeName::FifoQueue, "true".to_string()),
            (
                QueueAttributeName::ContentBasedDeduplication,
                "false".to_string(),
            ),
        ]);
        self.create(&unique_name(prefix, ".fifo"), attributes).await
    }

    /// Creates a standard queue whose messages move to a new dead-letter queue after
    /// `max_receive_count` receives; returns `(queue URL, dead-letter queue URL)`.
    pub async fn create_queue_with_dlq(
        &self,
        prefix: &str,
        max_receive_count: u32,
    ) -> (String, String) {
        let dlq_url = self
            .create(&unique_name(&format!("{prefix}-dlq"), ""), BTreeMap::new())
            .await;
        let dlq_arn = self
            .client
            .get_queue_attributes()
            .queue_url(&dlq_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap_or_else(|err| {
                panic!(
                    "GetQueueAttributes {dlq_url}: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(&err)
                )
            })
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .unwrap_or_else(|| panic!("the server returned no QueueArn for {dlq_url}"));
        let redrive = format!(
            r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"{max_receive_count}"}}"#
        );
        let attributes = BTreeMap::from([(QueueAttributeName::RedrivePolicy, redrive)]);
        let url = self.create(&unique_name(prefix, ""), attributes).await;
        (url, dlq_url)
    }

    /// A URL in the server's URL form for a queue that does not exist.
    pub fn nonexistent_queue_url(&self) -> String {
        format!(
            "{}/123456789012/{}",
            self.endpoint,
            unique_name("missing", "")
        )
    }

    /// Receives (and deletes) every message currently in the queue, with all attributes.
    ///
    /// Stops at the first empty receive: moto answers consistently, unlike real SQS short
    /// polling. Deleting is what lets a FIFO queue hand out the next message of a group.
    pub async fn receive_all(&self, queue_url: &str) -> Vec<ReceivedMessage> {
        let mut received = Vec::new();
        loop {
            let output = self
                .client
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(0)
                .message_attribute_names("All")
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send()
                .await
                .unwrap_or_else(|err| {
                    panic!(
                        "ReceiveMessage {queue_url}: {}",
                        aws_sdk_sqs::error::DisplayErrorContext(&err)
                    )
                });
            let messages = output.messages();
            if messages.is_empty() {
                return received;
            }
            for message in messages {
                if let Some(handle) = message.receipt_handle() {
                    self.client
                        .delete_message()
                        .queue_url(queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .unwrap_or_else(|err| {
                            panic!(
                                "DeleteMessage {queue_url}: {}",
                                aws_sdk_sqs::error::DisplayErrorContext(&err)
                            )
                        });
                }
                let system = message.attributes();
                let system_attribute =
                    |name: MessageSystemAttributeName| system.and_then(|a| a.get(&name).cloned());
                received.push(ReceivedMessage {
                    message_id: message.message_id().unwrap_or_default().to_string(),
                    body: message.body().unwrap_or_default().to_string(),
                    attributes: message
                        .message_attributes()
                        .map(|attributes| {
                            attributes
                                .iter()
                                .filter_map(|(name, value)| {
                                    Some((name.clone(), value.string_value()?.to_string()))
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    group_id: system_attribute(MessageSystemAttributeName::MessageGroupId),
                    dedup_id: system_attribute(MessageSystemAttributeName::MessageDeduplicationId),
                });
            }
        }
    }

    async fn create(&self, name: &str, attributes: BTreeMap<QueueAttributeName, String>) -> String {
        let mut request = self.client.create_queue().queue_name(name);
        for (attribute, value) in attributes {
            request = request.attributes(attribute, value);
        }
        let output = request.send().await.unwrap_or_else(|err| {
            panic!(
                "CreateQueue {name} at {}: {}",
                self.endpoint,
                aws_sdk_sqs::error::DisplayErrorContext(&err)
            )
        });
        output
            .queue_url()
            .unwrap_or_else(|| panic!("CreateQueue {name}: the server returned no QueueUrl"))
            .to_string()
    }
}

/// An SQS client for `endpoint` with fake credentials, region `us-east-1`, and retries
/// quick enough for tests (two attempts, 1 ms apart).
pub fn client_for_endpoint(endpoint: &str) -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "test",
            "test",
            None,
            None,
            "auditbridge-tests",
        ))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// `{prefix}-{pid}-{counter}-{nanos}{suffix}`, within SQS's 80 characters.
fn unique_name(prefix: &str, suffix: &str) -> String {
    let counter = QUEUE_COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let unique = format!("-{}-{counter}-{nanos}{suffix}", std::process::id());
    let room = 80 - unique.len();
    let prefix: String = prefix
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(room)
        .collect();
    format!("{prefix}{unique}")
}
