//! One module per subcommand: its `Args` (flags and help text) and its `run`.

pub mod explain;
pub mod lint;
pub mod match_events;
pub mod normalize;
pub mod run;
pub mod test_pattern;
pub mod validate_rules;
