//! Where records and events come from: named files, or stdin for none or `-`.
//!
//! Every input is opened before any is read, so a mistyped file name stops the command
//! before it has printed (or sent) anything.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The name stdin goes by in messages.
pub const STDIN_NAME: &str = "<stdin>";

/// Read buffer per input: big reads, few syscalls.
const READ_BUFFER_BYTES: usize = 256 * 1024;

/// One opened input and the name messages give it.
pub struct Input {
    pub name: String,
    reader: Box<dyn BufRead>,
}

/// Opens every path (`-` is stdin), or stdin alone when there are none.
pub fn open_all(paths: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    if paths.is_empty() {
        return Ok(vec![Input::stdin()]);
    }
    // Each stdin input holds stdin's lock: a second one would wait for it forever.
    if paths.iter().filter(|path| path.as_os_str() == "-").count() > 1 {
        anyhow::bail!("`-` (stdin) can be given only once");
    }
    paths
        .iter()
        .map(|path| {
            if path.as_os_str() == "-" {
                Ok(Input::stdin())
            } else {
                Input::open(path)
            }
        })
        .collect()
}

impl Input {
    fn stdin() -> Self {
        Input {
            name: STDIN_NAME.to_string(),
            reader: Box::new(io::stdin().lock()),
        }
    }

    fn open(path: &Path) -> anyhow::Result<Self> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        Ok(Input {
            name: path.display().to_string(),
            reader: Box::new(BufReader::with_capacity(READ_BUFFER_BYTES, file)),
        })
    }

    /// Reads the next line (without its line ending) into `line`, reusing its buffer.
    /// Returns `false` at the end of the input.
    pub fn next_line(&mut self, line: &mut Vec<u8>) -> anyhow::Result<bool> {
        line.clear();
        let read = self
            .reader
            .read_until(b'\n', line)
            .with_context(|| format!("cannot read {}", self.name))?;
        if read == 0 {
            return Ok(false);
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        Ok(true)
    }
}

/// The whole of a small file (rules, pattern, event), with its name in any error.
pub fn read_file(path: &Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .context("cannot read stdin as UTF-8 text")?;
        return Ok(text);
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The name a path goes by in messages.
pub fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// What a valid JSON text holds when it is not an object, or `None` for an object.
/// Events are objects: any other value (an array of events on one line, say) would
/// match no rule and hide the events inside it, so commands refuse it instead.
pub fn not_an_object(json: &str) -> Option<&'static str> {
    match json.trim_start().as_bytes().first() {
        Some(b'{') => None,
        Some(b'[') => Some("an array"),
        Some(b'"') => Some("a string"),
        Some(b't' | b'f') => Some("a boolean"),
        Some(b'n') => Some("null"),
        _ => Some("a number"),
    }
}
