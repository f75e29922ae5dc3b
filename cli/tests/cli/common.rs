//! Running the binary and finding fixtures.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root (examples and samples live there).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

/// A file under `cli/tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A file in the repository, e.g. `rules/security.json`.
pub fn repo_file(relative: &str) -> PathBuf {
    repo_root().join(relative)
}

/// A fresh scratch directory for one test.
pub fn scratch_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("auditbridge-cli")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// The `auditbridge` command with a clean environment: no AWS settings, no RUST_LOG, and
/// no queue variables unless a test sets them.
pub fn auditbridge() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_auditbridge"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("AWS_") || name == "RUST_LOG" || name.ends_with("_QUEUE_URL") {
            command.env_remove(&name);
        }
    }
    command.current_dir(repo_root());
    command
}

/// Runs `command` with `stdin` as its input.
pub fn run_with_stdin(command: &mut Command, stdin: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn auditbridge");
    let mut pipe = child.stdin.take().expect("stdin piped");
    pipe.write_all(stdin).expect("write stdin");
    drop(pipe);
    child.wait_with_output().expect("wait for auditbridge")
}

/// Runs `command` with empty stdin.
pub fn run(command: &mut Command) -> Output {
    command
        .stdin(Stdio::null())
        .output()
        .expect("run auditbridge")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// The exit status, with stderr shown when the assertion fails.
#[track_caller]
pub fn assert_status(output: &Output, expected: i32) {
    assert_eq!(
        output.status.code(),
        Some(expected),
        "exit status; stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every stdout line parsed as JSON.
pub fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect()
}

/// The event id of line `line` of `samples/audit-history.jsonl`.
pub fn sample_event(line: u32) -> String {
    format!("5a1d0c00-0000-4000-8000-{line:012}")
}

/// What the example rules match in the sample history, (line, rule) in file order:
/// `samples/expected-matches.json` (shared with the evaluate function's tests).
pub fn sample_matches() -> Vec<(u32, String)> {
    let path = repo_file("samples/expected-matches.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let file: serde_json::Value = serde_json::from_str(&text).expect("expected-matches.json");
    serde_json::from_value(file["matches"].clone()).expect("matches: [[line, rule], ...]")
}

/// A command fed on stdin while it runs, as `tail -f export | auditbridge ...` feeds it,
/// with its stdout read line by line as the lines come.
pub struct Live {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    lines: std::sync::mpsc::Receiver<String>,
}

/// How long [`Live::next_line`] waits. Not a measure of speed: a command that holds its
/// output back until its input ends would wait for the test forever, and the test for
/// it; this turns that deadlock into a failure.
const LIVE_DEADLOCK_GUARD: std::time::Duration = std::time::Duration::from_secs(60);

impl Live {
    pub fn spawn(command: &mut Command) -> Live {
        use std::io::BufRead;
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn auditbridge");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout piped");
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Live {
            child,
            stdin,
            lines,
        }
    }

    /// Writes `text` to the command's stdin, which stays open.
    pub fn feed(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin.write_all(text.as_bytes()).expect("write stdin");
        stdin.flush().expect("flush stdin");
    }

    /// The next line of stdout, which must come while stdin is still open.
    #[track_caller]
    pub fn next_line(&self) -> String {
        self.lines
            .recv_timeout(LIVE_DEADLOCK_GUARD)
            .expect("a line on stdout before the input ended")
    }

    /// Closes stdin; the exit status and the stdout lines not yet taken.
    pub fn finish(mut self) -> (std::process::ExitStatus, Vec<String>) {
        drop(self.stdin.take());
        let status = self.child.wait().expect("wait for auditbridge");
        (status, self.lines.iter().collect())
    }
}
