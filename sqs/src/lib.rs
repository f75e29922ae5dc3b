//! SQS delivery.
