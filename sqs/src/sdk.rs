//! [`BatchTransport`] over the AWS SDK: builds SendMessageBatch entries and reads the
//! response back into per-entry outcomes.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};

use crate::delivery::{BatchTransport, CallFailure, Entry, EntryFailure};

/// Code reported for an entry the response lists neither as successful nor as failed;
/// treated as transient, so the entry is sent again.
const UNCONFIRMED: &str = "Unconfirmed";

#[derive(Debug, Clone)]
pub(crate) struct SdkTransport {
    pub client: aws_sdk_sqs::Client,
}

impl BatchTransport for SdkTransport {
    fn send_batch(
        &self,
        queue_url: &str,
        entries: &[Entry<'_>],
    ) -> impl Future<Output = Result<Vec<EntryFailure>, CallFailure>> + Send {
        let request = entries
            .iter()
            .map(build_entry)
            .collect::<Result<Vec<_>, _>>()
            .map(|built| {
                self.client
                    .send_message_batch()
                    .queue_url(queue_url)
                    .set_entries(Some(built))
            });
        let indices: Vec<usize> = entries.iter().map(|e| e.index).collect();
        async move {
            let output = request?.send().await.map_err(|err| CallFailure {
                code: err.code().map(str::to_owned),
                reason: err
                    .message()
                    .map(str::to_owned)
                    .unwrap_or_else(|| DisplayErrorContext(&err).to_string()),
            })?;
            let successful: HashSet<&str> = output.successful().iter().map(|s| s.id()).collect();
            let failed: HashMap<&str, _> = output.failed().iter().map(|f| (f.id(), f)).collect();
            Ok(indices
                .into_iter()
                .filter_map(|index| {
                    let id = index.to_string();
                    match failed.get(id.as_str()) {
                        Some(f) => Some(EntryFailure {
                            index,
                            code: f.code().to_string(),
                            reason: f.message().unwrap_or("no message given").to_string(),
                            sender_fault: f.sender_fault(),
                        }),
                        None if successful.contains(id.as_str()) => None,
                        None => Some(EntryFailure {
                            index,
                            code: UNCONFIRMED.into(),
                            reason:
                                "the response listed the entry neither as successful nor as failed"
                                    .into(),
                            sender_fault: false,
                        }),
                    }
                })
                .collect())
        }
    }
}

fn build_entry(entry: &Entry<'_>) -> Result<SendMessageBatchRequestEntry, CallFailure> {
    let message = entry.message;
    let attributes = message
        .attributes
        .iter()
        .map(|(name, value)| {
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map(|value| (name.clone(), value))
        })
        .collect::<Result<HashMap<_, _>, _>>();
    attributes
        .and_then(|attributes| {
            SendMessageBatchRequestEntry::builder()
                .id(entry.index.to_string())
                .message_body(&message.body)
                .set_message_attributes((!attributes.is_empty()).then_some(attributes))
                .set_message_group_id(message.group_id.clone())
                .set_message_deduplication_id(message.dedup_id.clone())
                .build()
        })
        .map_err(|err| CallFailure {
            code: None,
            reason: format!("could not build entry {}: {err}", entry.index),
        })
}
