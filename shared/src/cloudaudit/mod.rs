//! CloudAudit records into envelopes. (Being written.)
