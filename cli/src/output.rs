//! Results go to stdout through one locked, buffered writer; a reader that goes away
//! (`auditbridge normalize big.jsonl | head`) ends the command quietly. Messages go to
//! stderr through [`report!`], which outlives a stderr reader that went away.

use std::fmt;
use std::io::{self, BufWriter, StdoutLock, Write};

/// `eprintln!` for messages about the run (bad records, summaries, errors), except that
/// a stderr nobody reads any more (`2>&1 >out.jsonl | head`) does not stop the command:
/// `eprintln!` panics then, losing the rest of the input's results. The line is dropped.
macro_rules! report {
    ($($arg:tt)*) => {
        $crate::output::report_line(format_args!($($arg)*))
    };
}
pub(crate) use report;

/// See [`report!`].
pub fn report_line(line: fmt::Arguments<'_>) {
    let _ignored = writeln!(io::stderr().lock(), "{line}");
}

/// Buffered, locked stdout. Flush with [`Stdout::finish`]; dropping it unflushed loses
/// nothing either (BufWriter flushes on drop) but hides the error.
pub struct Stdout {
    writer: BufWriter<StdoutLock<'static>>,
}

/// Output buffer size: large enough that a stream of small envelopes costs one write
/// syscall per many lines.
const BUFFER_BYTES: usize = 64 * 1024;

impl Stdout {
    pub fn new() -> Self {
        Stdout {
            writer: BufWriter::with_capacity(BUFFER_BYTES, io::stdout().lock()),
        }
    }

    /// Writes `bytes` followed by a newline.
    pub fn line(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.write_all(bytes)?;
        self.writer.write_all(b"\n")
    }

    /// Writes out what is buffered, e.g. before the input may keep us waiting.
    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    /// Flushes everything written so far.
    pub fn finish(mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Whether the error (anywhere in its cause chain) is a write to a closed pipe, which
/// means our reader stopped reading: not a failure worth reporting.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io_error| io_error.kind() == io::ErrorKind::BrokenPipe)
    })
}
