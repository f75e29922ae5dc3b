//! One module per subcommand: its `Args` (flags and help text) and its `run`.

pub mod normalize;
pub mod test_pattern;
