//! `auditbridge`: the command-line face of the auditbridge library.
//!
//! Everything lives in [`app`]; this file only hands the process over to it.

mod app;
mod args;
mod commands;
mod input;
mod logging;
mod output;
mod records;
mod rules_file;
mod status;

/// Normalizing and matching build and drop many small JSON values per record; mimalloc
/// handles that churn markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    app::main()
}
