//! The deterministic benchmark corpus: CloudAudit envelopes and the rules run over them.
//!
//! Everything is derived from fixed seeds, so every run (and every engine in a run)
//! sees byte-for-byte the same events and rules.

pub mod events;
pub mod rng;
pub mod rules;
pub mod services;
pub mod world;
