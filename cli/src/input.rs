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
    reader: BufReader<Box<dyn Read>>,
}

/// Opens every path (`-` is stdin), or stdin alone when there are none.
pub fn open_all(paths: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    if paths.is_empty() {
        return Ok(vec![Input::stdin()]);
    }
    // Each stdin input holds stdin's lock: a second one would wait for it forever.
    stdin_at_most_once(paths.iter().map(PathBuf::as_path))?;
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

/// Refuses `-` (stdin) named twice: stdin can be read only once, and the second reader
/// would find it empty.
pub fn stdin_at_most_once<'p>(paths: impl IntoIterator<Item = &'p Path>) -> anyhow::Result<()> {
    if paths
        .into_iter()
        .filter(|path| path.as_os_str() == "-")
        .count()
        > 1
    {
        anyhow::bail!("`-` (stdin) can be given only once");
    }
    Ok(())
}

/// For commands reading a rules file and then inputs (`open_all`): refuses the rules
/// from stdin when the inputs come from there too, by `-` or by naming no input.
pub fn rules_and_inputs_share_no_stdin(rules: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    if inputs.is_empty() && rules.as_os_str() == "-" {
        anyhow::bail!(
            "`-` (stdin) can be given only once: with the rules from stdin, name the input files"
        );
    }
    stdin_at_most_once(std::iter::once(rules).chain(inputs.iter().map(PathBuf::as_path)))
}

impl Input {
    fn stdin() -> Self {
        Input {
            name: STDIN_NAME.to_string(),
            reader: BufReader::with_capacity(READ_BUFFER_BYTES, Box::new(io::stdin().lock())),
        }
    }

    fn open(path: &Path) -> anyhow::Result<Self> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        // A directory opens like a file and fails only on the first read, after the inputs
        // before it were processed (and their deliveries sent): refuse it with the others.
        if file.metadata().is_ok_and(|metadata| metadata.is_dir()) {
            anyhow::bail!("cannot open {}: it is a directory", path.display());
        }
        Ok(Input {
            name: path.display().to_string(),
            reader: BufReader::with_capacity(READ_BUFFER_BYTES, Box::new(file)),
        })
    }

    /// Whether the next read goes to the operating system, with nothing read ahead: on
    /// a pipe or a terminal (`tail -f export | auditbridge run ...`) it may wait for
    /// more input indefinitely, so results held back should go out first.
    pub fn would_wait(&self) -> bool {
        self.reader.buffer().is_empty()
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

/// The whole of a small file (rules, pattern, event), with its name in any error, and
/// without a leading UTF-8 byte-order mark: some Windows editors write one, and JSON
/// parsers refuse it with a message ("expected value at line 1 column 1") that does not
/// say why.
pub fn read_file(path: &Path) -> anyhow::Result<String> {
    let name = display_name(path);
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {name}"))?;
        bytes
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {name}"))?
    };
    let mut text = String::from_utf8(bytes).map_err(|error| {
        // Everything before the first bad byte is text: count lines and characters in it.
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let line = 1 + valid.matches('\n').count();
        let column = 1 + valid
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count();
        anyhow::anyhow!("cannot read {name}: not UTF-8 text at line {line}, column {column}")
    })?;
    if text.starts_with(BYTE_ORDER_MARK) {
        text.drain(..BYTE_ORDER_MARK.len_utf8());
    }
    Ok(text)
}

/// U+FEFF as the first character of a text: a byte-order mark, not content.
pub const BYTE_ORDER_MARK: char = '\u{feff}';

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
