//! One raw CloudAudit record into an envelope (or a skip, or an error naming the field).

use serde_json::{Map, Value};

use super::classify;
use super::decode::decode_embedded;
use super::endpoint;
use super::error::{RecordError, RecordLocation};
use super::id::{envelope_id, record_id};
use super::lenient;
use super::qcs::{self, SubjectParts};
use super::redact::redact_tokens;
use super::region::region_of;
use super::tags::tags_of;
use super::time::event_time_millis;
use super::{NormalizeOptions, Normalized};
use crate::envelope::{Envelope, DATA_CONTENT_TYPE, SPEC_VERSION};

/// The call origins EventBridge knows, in their canonical spelling.
const EVENT_TYPES: &[&str] = &["ApiCall", "ConsoleCall", "MiniProgramCall"];

/// Classifies `record` first: records of an action type the options do not pass are
/// skipped without further checks (a malformed read is not worth an error when reads are
/// not wanted). Then `source`, `type` and `time` must be derivable, or the record is an
/// error naming the field; everything else has a fallback.
pub(crate) fn normalize_record(
    record: &Map<String, Value>,
    location: &RecordLocation,
    options: &NormalizeOptions,
) -> Result<Normalized, RecordError> {
    let fail = |field: &str, reason: String| {
        RecordError::field(location, record_id(record), field, reason)
    };

    let action_type =
        classify::action_type(record).map_err(|error| fail(error.field, error.reason))?;
    if !options.action_types.contains(&action_type) {
        return Ok(Normalized::Skipped {
            action_type,
            event_name: lenient::string(record.get("eventName")).map(str::to_owned),
        });
    }

    let product = product_of(record).map_err(|(field, reason)| fail(field, reason))?;
    let event_type = event_type_of(record).map_err(|reason| fail("eventType", reason))?;
    let time =
        event_time_millis(record.get("eventTime")).map_err(|reason| fail("eventTime", reason))?;

    let region = region_of(record);
    let resource = qcs::resource_names(record.get("resources"));
    let mut data = record.clone();
    decode_embedded(&mut data);
    // From the decoded record: `userIdentity` may have been JSON text.
    let account_id = lenient::scalar_text(lenient::at_path(&data, &["userIdentity", "accountId"]))
        .unwrap_or_default();
    let subject = qcs::subject(
        &resource,
        &SubjectParts {
            product: &product,
            region: &region,
            account_id: &account_id,
            resource_name: lenient::string(record.get("resourceName")),
        },
    );

    if options.redact_tokens {
        redact_tokens(&mut data);
    }

    Ok(Normalized::Envelope(Box::new(Envelope {
        specversion: SPEC_VERSION.to_owned(),
        id: envelope_id(record),
        source: format!("{product}.cloud.tencent"),
        event_type: format!("{product}:CloudEvent:{event_type}"),
        subject,
        time,
        region,
        resource,
        datacontenttype: DATA_CONTENT_TYPE.to_owned(),
        tags: tags_of(record.get("tags")),
        data: Value::Object(data),
        extensions: Map::new(),
    })))
}

/// Lower-cased `resourceType`; when it is absent or empty, the first DNS label of
/// `eventSource`. A product must look like an abbreviation (a letter, then
/// `[a-z0-9_-]*`), since it becomes part of `source` and `type`: an `eventSource` that
/// is an IP address (`10.0.0.1:8080`) names no product.
fn product_of(record: &Map<String, Value>) -> Result<String, (&'static str, String)> {
    let (field, product) = match lenient::string(record.get("resourceType")) {
        Some(resource_type) => ("resourceType", resource_type.to_ascii_lowercase()),
        None => match lenient::string(record.get("eventSource")).and_then(endpoint::first_label) {
            Some(label) => ("eventSource", label),
            None => {
                return Err((
                    "resourceType",
                    format!(
                        "no product: resourceType is {} and eventSource is {}",
                        lenient::describe(record.get("resourceType")),
                        lenient::describe(record.get("eventSource"))
                    ),
                ))
            }
        },
    };
    let well_formed = product.starts_with(|c: char| c.is_ascii_lowercase())
        && product.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-' || byte == b'_'
        });
    if well_formed {
        Ok(product)
    } else {
        Err((
            field,
            format!(
                "expected a product abbreviation like \"cvm\", got {}",
                lenient::describe(record.get(field))
            ),
        ))
    }
}

/// `eventType` in its canonical spelling (matched ignoring ASCII case). Anything else is
/// an error: inventing a call origin would mislead rules that filter on it.
fn event_type_of(record: &Map<String, Value>) -> Result<&'static str, String> {
    let found = record.get("eventType");
    lenient::string(found)
        .and_then(|text| {
            EVENT_TYPES
                .iter()
                .copied()
                .find(|known| known.eq_ignore_ascii_case(text))
        })
        .ok_or_else(|| {
            format!(
                "expected ApiCall, ConsoleCall or MiniProgramCall, got {}",
                lenient::describe(found)
            )
        })
}
