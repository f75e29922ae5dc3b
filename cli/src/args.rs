//! Flags shared by several subcommands, defined once so they read the same everywhere.

use auditbridge_shared::cloudaudit::{ActionType, NormalizeOptions};
use auditbridge_shared::pattern::Dialect;
use clap::{Args, ValueEnum};

/// `--dialect`: which pattern language patterns and rules are read in.
#[derive(Debug, Clone, Args)]
pub struct DialectFlag {
    /// Pattern language: `default` (AWS's plus Tencent's bare scalars, `contain` and
    /// `array`) or `aws` (exactly what AWS EventBridge accepts).
    #[arg(long, value_enum, default_value_t = DialectArg::Default, value_name = "DIALECT")]
    pub dialect: DialectArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    Default,
    Aws,
}

impl DialectFlag {
    pub fn dialect(&self) -> Dialect {
        match self.dialect {
            DialectArg::Default => Dialect::Default,
            DialectArg::Aws => Dialect::Aws,
        }
    }
}

/// How CloudAudit records become envelopes; the same knobs as the normalize function's
/// `ACTION_TYPES` and `REDACT_TOKENS`.
#[derive(Debug, Clone, Args)]
pub struct NormalizeFlags {
    /// Which records to keep, by `actionType` (comma-separated). The others are skipped
    /// and counted. EventBridge itself only ever sees writes.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "write",
        ignore_case = true,
        value_name = "TYPES"
    )]
    pub action_types: Vec<ActionTypeArg>,

    /// Keep session tokens and STS secret keys (in `sessionContext`, `requestParameters`
    /// and `responseElements`) instead of replacing them with "***".
    #[arg(long)]
    pub no_redact: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActionTypeArg {
    Write,
    Read,
}

impl NormalizeFlags {
    pub fn options(&self) -> NormalizeOptions {
        let mut action_types = Vec::with_capacity(self.action_types.len());
        for arg in &self.action_types {
            let action_type = match arg {
                ActionTypeArg::Write => ActionType::Write,
                ActionTypeArg::Read => ActionType::Read,
            };
            if !action_types.contains(&action_type) {
                action_types.push(action_type);
            }
        }
        NormalizeOptions {
            action_types,
            redact_tokens: !self.no_redact,
        }
    }
}
