use crate::common::*;

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
    for subcommand in ["normalize", "validate-rules", "test-pattern", "match", "run"] {
        assert!(help.contains(&format!("  {subcommand} ")), "{subcommand} missing:\n{help}");
    }
    assert!(help.contains("Examples:"), "{help}");
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let output = run(auditbridge().args(["normalize", "--no-such-flag"]));
    assert_status(&output, 2);
    assert!(stderr(&output).contains("--no-such-flag"), "{}", stderr(&output));
}

#[test]
fn an_invalid_log_level_is_refused() {
    let output = run(auditbridge().args(["--log-level", "loud=[", "normalize"]));
    assert_status(&output, 2);
    assert!(stderr(&output).starts_with("error: invalid --log-level"), "{}", stderr(&output));
}
