//! `Config::from_env` reads the real process environment. Alone in its own test binary
//! (own process), so changing the environment cannot race with other tests.

use normalize_fn::{Config, ConfigError};

#[test]
fn from_env_fails_without_events_queue_url_and_reads_it_when_set() {
    std::env::remove_var("EVENTS_QUEUE_URL");
    let error = Config::from_env().expect_err("must fail without EVENTS_QUEUE_URL");
    assert_eq!(error, ConfigError::Missing("EVENTS_QUEUE_URL"));
    assert!(
        error.to_string().contains("EVENTS_QUEUE_URL is not set"),
        "{error}"
    );

    std::env::set_var("EVENTS_QUEUE_URL", "http://127.0.0.1:1/123456789012/events");
    std::env::set_var("MAX_MESSAGE_BYTES", "1000");
    let config = Config::from_env().expect("valid");
    assert_eq!(
        config.events_queue_url,
        "http://127.0.0.1:1/123456789012/events"
    );
    assert_eq!(config.max_message_bytes, 1000);
}
