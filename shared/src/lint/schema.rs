//! The shape of every envelope this project produces: which fields exist, what they
//! hold, which are always there. The facts come from `shared/reference/cloudaudit.md`
//! (the envelope mapping and the record's fields) and from the published records under
//! `tests/fixtures/cloudaudit/`; the normalizer (`cloudaudit/record.rs`) is what makes
//! them true.
//!
//! Three kinds of objects:
//! - closed (the envelope, `data`, `data.userIdentity`): every field is listed, so a field
//!   that is not listed is certainly never there;
//! - partly known (`data.userIdentity.sessionContext`): Tencent does not document it; the
//!   listed fields are those seen in published records, so an unlisted one is reported
//!   only when it looks like a misspelling of a listed one;
//! - open (`requestParameters`, `responseElements`, tags, internal fields): API-specific
//!   or undocumented; nothing below them is checked.

/// What CloudAudit writes at a path (arrays are transparent: the type of the elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// Always a JSON string.
    String,
    /// Always a JSON number.
    Number,
    /// Seen as strings and as numbers (ids, error codes, times of old records).
    StringOrNumber,
    /// A string holding an IP address (or `""`).
    IpAddress,
    /// A string holding a QCS resource name (or `*`, `""`).
    Qcs,
    /// A JSON object: only the values inside it can match.
    Object,
    /// Not known (undocumented internal fields, API-specific parameters).
    Any,
}

impl ValueType {
    /// How messages name the type: "a string", "a number".
    pub fn described(self) -> &'static str {
        match self {
            ValueType::String => "a string",
            ValueType::Number => "a number",
            ValueType::StringOrNumber => "a string or a number",
            ValueType::IpAddress => "a string holding an IP address",
            ValueType::Qcs => "a string holding a QCS resource name",
            ValueType::Object => "an object",
            ValueType::Any => "any value",
        }
    }

    /// Only strings occur here.
    pub fn is_string(self) -> bool {
        matches!(
            self,
            ValueType::String | ValueType::IpAddress | ValueType::Qcs
        )
    }
}

/// What is below a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Children {
    /// A scalar (or an array of scalars): nothing below.
    None,
    /// Exactly these fields.
    Closed(&'static [FieldSchema]),
    /// At least these fields; others are undocumented but possible.
    Known(&'static [FieldSchema]),
    /// Any field.
    Open,
}

/// One field of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSchema {
    pub name: &'static str,
    pub value_type: ValueType,
    /// Present in every envelope, with exactly one scalar value.
    pub always_present: bool,
    pub children: Children,
}

const fn scalar(name: &'static str, value_type: ValueType) -> FieldSchema {
    FieldSchema {
        name,
        value_type,
        always_present: false,
        children: Children::None,
    }
}

const fn always(name: &'static str, value_type: ValueType) -> FieldSchema {
    FieldSchema {
        name,
        value_type,
        always_present: true,
        children: Children::None,
    }
}

const fn open(name: &'static str, value_type: ValueType) -> FieldSchema {
    FieldSchema {
        name,
        value_type,
        always_present: false,
        children: Children::Open,
    }
}

use ValueType::{Any, IpAddress, Number, Object, Qcs, String as Str, StringOrNumber};

/// The envelope's top level (`envelope.rs`). `resource` may be empty and `tags` holds
/// only the record's tags, so neither is always present.
pub const ENVELOPE: &[FieldSchema] = &[
    always("specversion", Str),
    always("id", Str),
    always("source", Str),
    always("type", Str),
    always("subject", Qcs),
    always("time", Number),
    always("region", Str),
    scalar("resource", Qcs),
    always("datacontenttype", Str),
    open("tags", Object),
    FieldSchema {
        name: "data",
        value_type: Object,
        always_present: false,
        children: Children::Closed(DATA),
    },
];

/// `data`: the CloudAudit record (cloudaudit.md's table, its internal fields, and
/// `onlyRecordNotSeen`/`ruleId`, seen in published records). Types follow "types seen
/// in real records": a field seen as both strings and numbers is `StringOrNumber`.
pub const DATA: &[FieldSchema] = &[
    FieldSchema {
        name: "userIdentity",
        value_type: Object,
        always_present: false,
        children: Children::Closed(USER_IDENTITY),
    },
    scalar("eventTime", StringOrNumber),
    scalar("eventType", Str),
    scalar("actionType", Str),
    scalar("eventName", Str),
    scalar("eventSource", Str),
    scalar("resourceType", Str),
    scalar("eventRegion", Str),
    scalar("eventID", Str),
    scalar("requestID", StringOrNumber),
    scalar("eventVersion", StringOrNumber),
    scalar("errorCode", StringOrNumber),
    scalar("errorMessage", Str),
    scalar("apiErrorCode", StringOrNumber),
    scalar("apiErrorMessage", Str),
    open("requestParameters", Any),
    open("responseElements", Any),
    scalar("resources", Qcs),
    scalar("resourceName", Str),
    open("resourceSet", Any),
    scalar("sourceIPAddress", IpAddress),
    scalar("userAgent", Str),
    scalar("httpMethod", Str),
    scalar("apiVersion", Str),
    scalar("sensitiveAction", Str),
    scalar("eventPlatform", Str),
    open("tags", Any),
    // Internal fields: listed by cloudaudit.md or seen in records, meaning undocumented.
    open("@timestamp", Any),
    open("updateEsTime", Any),
    open("authMode", Any),
    open("isRisk", Any),
    open("cliIp", Any),
    open("cloudapi", Any),
    open("auth", Any),
    open("signature", Any),
    open("onlyRecordNotSeen", Any),
    open("ruleId", Any),
];

/// `data.userIdentity`.
pub const USER_IDENTITY: &[FieldSchema] = &[
    scalar("principalId", StringOrNumber),
    scalar("accountId", StringOrNumber),
    scalar("secretId", Str),
    scalar("type", Str),
    scalar("userName", Str),
    FieldSchema {
        name: "sessionContext",
        value_type: Any,
        always_present: false,
        children: Children::Known(SESSION_CONTEXT),
    },
];

/// `data.userIdentity.sessionContext`, as seen in published records.
pub const SESSION_CONTEXT: &[FieldSchema] = &[
    scalar("uin", StringOrNumber),
    scalar("ownerUin", StringOrNumber),
    scalar("appId", StringOrNumber),
    scalar("userIp", IpAddress),
    scalar("token", Str),
    scalar("ua", Str),
    scalar("mfa", StringOrNumber),
    scalar("mfaExpireTime", Str),
    scalar("expireTime", Str),
    scalar("extraInfo", Str),
    scalar("interfaceName", Str),
    scalar("hasPolicyFilter", StringOrNumber),
    scalar("policyFilter", Str),
];

/// Where a path leads in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// A field the schema describes.
    Field(&'static FieldSchema),
    /// Inside an open object: anything may be there.
    Open,
    /// `path[index]` is not among the fields of its object.
    Unknown {
        index: usize,
        /// The fields of that object (empty below a scalar).
        siblings: &'static [FieldSchema],
        /// The object is closed: the field is certainly never there.
        closed: bool,
        /// The field above holds a scalar, so nothing is below it.
        below_scalar: Option<&'static FieldSchema>,
    },
}

/// Looks `path` (keys split at dots) up, from the envelope's top level.
pub fn lookup(path: &[String]) -> Lookup {
    let mut fields = ENVELOPE;
    let mut closed = true;
    let mut current: Option<&'static FieldSchema> = None;
    for (index, key) in path.iter().enumerate() {
        let Some(field) = fields.iter().find(|f| f.name == key) else {
            return Lookup::Unknown {
                index,
                siblings: fields,
                closed,
                below_scalar: None,
            };
        };
        current = Some(field);
        let rest_empty = index + 1 == path.len();
        match field.children {
            Children::Open if !rest_empty => return Lookup::Open,
            Children::None if !rest_empty => {
                return Lookup::Unknown {
                    index: index + 1,
                    siblings: &[],
                    closed: true,
                    below_scalar: Some(field),
                }
            }
            Children::Closed(inner) => {
                fields = inner;
                closed = true;
            }
            Children::Known(inner) => {
                fields = inner;
                closed = false;
            }
            Children::Open | Children::None => {}
        }
    }
    current.map_or(Lookup::Open, Lookup::Field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> Vec<std::string::String> {
        text.split('.').map(str::to_owned).collect()
    }

    #[test]
    fn known_fields_resolve_with_their_types() {
        let Lookup::Field(field) = lookup(&path("data.eventName")) else {
            panic!("data.eventName is known")
        };
        assert_eq!(field.value_type, ValueType::String);
        let Lookup::Field(field) = lookup(&path("time")) else {
            panic!("time is known")
        };
        assert!(field.always_present);
        assert_eq!(
            lookup(&path(
                "data.requestParameters.SecurityGroupPolicySet.Ingress"
            )),
            Lookup::Open
        );
    }

    #[test]
    fn unknown_fields_say_where_and_whether_certainly() {
        assert!(matches!(
            lookup(&path("data.eventname")),
            Lookup::Unknown {
                index: 1,
                closed: true,
                below_scalar: None,
                ..
            }
        ));
        assert!(matches!(
            lookup(&path("data.userIdentity.sessionContext.userIP")),
            Lookup::Unknown {
                index: 3,
                closed: false,
                ..
            }
        ));
        assert!(matches!(
            lookup(&path("data.eventName.x")),
            Lookup::Unknown {
                index: 2,
                below_scalar: Some(_),
                ..
            }
        ));
        assert!(matches!(
            lookup(&path("detail")),
            Lookup::Unknown {
                index: 0,
                closed: true,
                ..
            }
        ));
    }
}
