//! Tracing to stderr, so diagnostics never mix with results on stdout.

use std::io::IsTerminal;

use anyhow::Context;
use tracing_subscriber::EnvFilter;

/// Level used when neither `--log-level` nor `RUST_LOG` says otherwise: only what
/// deserves attention, so a clean run prints nothing but its results and summary.
const DEFAULT_FILTER: &str = "warn";

/// Installs a stderr subscriber. `--log-level` wins over `RUST_LOG`, which wins over
/// the default; both take `EnvFilter` directives (`debug`, `auditbridge_shared=trace`).
pub fn init(log_level: Option<&str>) -> anyhow::Result<()> {
    let filter = match log_level {
        Some(directives) => {
            if let Some(word) = not_a_level(directives) {
                anyhow::bail!(
                    "invalid --log-level {directives:?}: {word:?} is not a level (error, warn, info, debug, trace, off); name a target as TARGET=LEVEL"
                );
            }
            EnvFilter::try_new(directives)
                .with_context(|| format!("invalid --log-level {directives:?}"))?
        }
        None => {
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER))
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour())
        .with_target(true)
        .try_init()
        .map_err(|error| anyhow::anyhow!(error))
        .context("installing the tracing subscriber")
}

/// The first directive that is a bare word but not a level. `EnvFilter` reads a bare
/// word as a target to log everything of, so a misspelt level (`degub`) would quietly
/// log nothing; `--log-level` asks for `TARGET=LEVEL` instead.
fn not_a_level(directives: &str) -> Option<&str> {
    const LEVELS: [&str; 6] = ["error", "warn", "info", "debug", "trace", "off"];
    directives
        .split(',')
        .map(str::trim)
        .filter(|directive| !directive.is_empty() && !directive.contains(['=', '[']))
        .find(|word| !LEVELS.iter().any(|level| level.eq_ignore_ascii_case(word)))
}

/// Colour codes only for a person at a terminal, not in log files and pipes, and not
/// when `NO_COLOR` is set (<https://no-color.org>).
fn colour() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}
