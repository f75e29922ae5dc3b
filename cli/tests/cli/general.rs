use crate::common::*;

/// Every subcommand the binary has.
const SUBCOMMANDS: [&str; 6] = [
    "normalize",
    "validate-rules",
    "lint",
    "test-pattern",
    "match",
    "run",
];

#[test]
fn version_names_the_command() {
    let output = run(auditbridge().arg("--version"));
    assert_status(&output, 0);
    assert_eq!(
        stdout(&output),
        format!("auditbridge {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_every_subcommand_with_examples() {
    let output = run(auditbridge().arg("--help"));
    assert_status(&output, 0);
    let help = stdout(&output);
    for subcommand in SUBCOMMANDS {
        assert!(
            help.contains(&format!("  {subcommand} ")),
            "{subcommand} missing:\n{help}"
        );
    }
    assert!(help.contains("Examples:"), "{help}");
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let output = run(auditbridge().args(["normalize", "--no-such-flag"]));
    assert_status(&output, 2);
    assert!(
        stderr(&output).contains("--no-such-flag"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_invalid_log_level_is_refused() {
    let output = run(auditbridge().args(["--log-level", "loud=[", "normalize"]));
    assert_status(&output, 2);
    assert!(
        stderr(&output).starts_with("error: invalid --log-level"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_misspelt_log_level_is_refused_not_read_as_a_target() {
    let output = run(auditbridge().args(["--log-level", "degub", "normalize"]));
    assert_status(&output, 2);
    assert_eq!(
        stderr(&output),
        "error: invalid --log-level \"degub\": \"degub\" is not a level (error, warn, info, debug, trace, off); name a target as TARGET=LEVEL\n"
    );
    for accepted in [
        "DEBUG",
        "warn,auditbridge=trace",
        "auditbridge_shared=debug",
    ] {
        let output = run(auditbridge().args([
            "--log-level",
            accepted,
            "validate-rules",
            "rules/security.json",
        ]));
        assert_status(&output, 0);
    }
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for subcommand in SUBCOMMANDS {
        let output = run(auditbridge().args([subcommand, "--help"]));
        assert_status(&output, 0);
        let help = stdout(&output);
        assert!(
            help.contains(&format!("auditbridge {subcommand} ")),
            "{subcommand}:\n{help}"
        );
        assert!(help.contains("Examples:"), "{subcommand}:\n{help}");
    }
}

#[test]
fn log_level_turns_on_diagnostics_on_stderr_only() {
    let quiet = run(auditbridge().args(["validate-rules", "rules/security.json"]));
    let verbose = run(auditbridge().args([
        "--log-level",
        "debug",
        "validate-rules",
        "rules/security.json",
    ]));
    assert_status(&quiet, 0);
    assert_status(&verbose, 0);
    assert_eq!(stdout(&verbose), stdout(&quiet));
    assert_eq!(stderr(&quiet), "");
    assert!(stderr(&verbose).contains("DEBUG"), "{}", stderr(&verbose));
    // Not a terminal: no colour codes in what a log file or pipe receives.
    assert!(
        !stderr(&verbose).contains('\u{1b}'),
        "{:?}",
        stderr(&verbose)
    );
}
