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

fn main() -> std::process::ExitCode {
    app::main()
}
