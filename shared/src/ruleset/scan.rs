//! A byte-level JSON cursor for reading one event: skip what no rule looks at, decode
//! only what some rule does.
//!
//! Why not serde: a `DeserializeSeed` over `serde_json` spends most of an event in
//! generic visitor plumbing for keys and values that are thrown away. This cursor skips
//! an unused value with a tight loop (strings eight bytes at a time up to the next `"`,
//! `\` or control character; containers with an explicit stack), so an event costs
//! about one pass over its bytes.
//!
//! The grammar accepted is exactly `serde_json`'s for an ignored value
//! (`serde_json::from_str::<IgnoredAny>`): the same whitespace, number syntax, escape
//! syntax, literals, no trailing commas, nothing after the value. Like it, the cursor
//! does not judge the *content* of skipped values: an out-of-range number or a lone UTF-16
//! surrogate escape in a skipped string is accepted. Values the caller does decode
//! ([`Cursor::read_str`], [`number_value`]) are judged as `serde_json::Value` judges them.
//! Nesting is unbounded while skipping (an explicit stack, no recursion), as with
//! `IgnoredAny`.

use std::borrow::Cow;

use serde_json::Value;

/// Where and why an event is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScanError {
    /// Byte offset of the offending byte (the text's length at end of input).
    pub(crate) offset: usize,
    pub(crate) reason: Cow<'static, str>,
}

type Result<T> = std::result::Result<T, ScanError>;

const EOF_VALUE: &str = "EOF while parsing a value";
const EOF_STRING: &str = "EOF while parsing a string";
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EXPECTED_VALUE: &str = "expected value";
const INVALID_NUMBER: &str = "invalid number";
const INVALID_ESCAPE: &str = "invalid escape";
const LONE_SURROGATE: &str = "lone leading surrogate in hex escape";
const UNEXPECTED_END_OF_HEX: &str = "unexpected end of hex escape";
const CONTROL_CHARACTER: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const EXPECTED_IDENT: &str = "expected ident";
const EXPECTED_COLON: &str = "expected `:`";
const KEY_MUST_BE_STRING: &str = "key must be a string";
const LIST_COMMA_OR_END: &str = "expected `,` or `]`";
const OBJECT_COMMA_OR_END: &str = "expected `,` or `}`";
const TRAILING_CHARACTERS: &str = "trailing characters";
pub(crate) const RECURSION_LIMIT: &str = "recursion limit exceeded";

/// A position in one event's text.
#[derive(Debug)]
pub(crate) struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// The first byte of a value, as [`Cursor::peek_value`] classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    #[cold]
    fn error(&self, offset: usize, reason: &'static str) -> ScanError {
        ScanError {
            offset: offset.min(self.bytes.len()),
            reason: Cow::Borrowed(reason),
        }
    }

    /// Skips whitespace and returns the next byte without consuming it.
    #[inline]
    fn peek_non_ws(&mut self) -> Option<u8> {
        while let Some(&byte) = self.bytes.get(self.pos) {
            match byte {
                b' ' | b'\n' | b'\t' | b'\r' => self.pos += 1,
                _ => return Some(byte),
            }
        }
        None
    }

    /// Skips whitespace and classifies the value that starts here, consuming nothing.
    #[inline]
    pub(crate) fn peek_value(&mut self) -> Result<Start> {
        match self.peek_non_ws() {
            Some(b'{') => Ok(Start::Object),
            Some(b'[') => Ok(Start::Array),
            Some(b'"') => Ok(Start::String),
            Some(b'-' | b'0'..=b'9') => Ok(Start::Number),
            Some(b't') => Ok(Start::True),
            Some(b'f') => Ok(Start::False),
            Some(b'n') => Ok(Start::Null),
            Some(_) => Err(self.error(self.pos, EXPECTED_VALUE)),
            None => Err(self.error(self.pos, EOF_VALUE)),
        }
    }

    /// After the value: only whitespace may follow.
    pub(crate) fn finish(&mut self) -> Result<()> {
        match self.peek_non_ws() {
            None => Ok(()),
            Some(_) => Err(self.error(self.pos, TRAILING_CHARACTERS)),
        }
    }

    /// Consumes the literal `true`, `false` or `null` that [`Self::peek_value`] saw.
    #[inline]
    pub(crate) fn literal(&mut self, start: Start) -> Result<()> {
        let word: &[u8] = match start {
            Start::True => b"true",
            Start::False => b"false",
            _ => b"null",
        };
        for (i, &want) in word.iter().enumerate() {
            match self.bytes.get(self.pos + i) {
                Some(&got) if got == want => {}
                Some(_) => return Err(self.error(self.pos + i, EXPECTED_IDENT)),
                None => return Err(self.error(self.pos + i, EOF_VALUE)),
            }
        }
        self.pos += word.len();
        Ok(())
    }

    /// Consumes a number ([`Start::Number`]) and returns its text.
    #[inline]
    pub(crate) fn number(&mut self) -> Result<&'a str> {
        let start = self.pos;
        let bytes = self.bytes;
        let digit = |pos: usize| bytes.get(pos).is_some_and(u8::is_ascii_digit);
        let mut pos = start;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match bytes.get(pos) {
            Some(b'0') => {
                pos += 1;
                // Only one leading zero.
                if digit(pos) {
                    return Err(self.error(pos, INVALID_NUMBER));
                }
            }
            Some(b'1'..=b'9') => {
                pos += 1;
                while digit(pos) {
                    pos += 1;
                }
            }
            Some(_) => return Err(self.error(pos, INVALID_NUMBER)),
            None => return Err(self.error(pos, EOF_VALUE)),
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if !digit(pos) {
                return Err(self.error(pos, INVALID_NUMBER));
            }
            while digit(pos) {
                pos += 1;
            }
        }
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            if !digit(pos) {
                return Err(self.error(pos, INVALID_NUMBER));
            }
            while digit(pos) {
                pos += 1;
            }
        }
        self.pos = pos;
        self.slice(start, pos)
    }

    fn slice(&self, start: usize, end: usize) -> Result<&'a str> {
        // Both ends sit next to ASCII bytes the grammar placed there, so they are char
        // boundaries; `get` keeps that an error rather than a panic if it ever were not.
        self.text
            .get(start..end)
            .ok_or_else(|| self.error(start, EXPECTED_VALUE))
    }

    /// The end of the run of plain string bytes starting at `from`: the offset of the
    /// next `"` or `\`, which must come before any control character.
    #[inline]
    fn plain_run(&self, from: usize) -> Result<(usize, u8)> {
        let at = string_special(self.bytes, from);
        match self.bytes.get(at) {
            Some(&byte @ (b'"' | b'\\')) => Ok((at, byte)),
            Some(_) => Err(self.error(at, CONTROL_CHARACTER)),
            None => Err(self.error(at, EOF_STRING)),
        }
    }

    /// Skips a string ([`Start::String`]), checking its syntax only.
    #[inline]
    pub(crate) fn skip_str(&mut self) -> Result<()> {
        let mut pos = self.pos + 1;
        loop {
            let (at, byte) = self.plain_run(pos)?;
            if byte == b'"' {
                self.pos = at + 1;
                return Ok(());
            }
            pos = self.skip_escape(at + 1)?;
        }
    }

    /// Checks the escape whose backslash precedes `pos`; returns the offset after it.
    fn skip_escape(&self, pos: usize) -> Result<usize> {
        match self.bytes.get(pos) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(pos + 1),
            Some(b'u') => self.hex4(pos + 1).map(|_| pos + 5),
            Some(_) => Err(self.error(pos, INVALID_ESCAPE)),
            None => Err(self.error(pos, EOF_STRING)),
        }
    }

    fn hex4(&self, pos: usize) -> Result<u16> {
        let mut value = 0u16;
        for i in 0..4 {
            let digit = match self.bytes.get(pos + i) {
                Some(&b) => (b as char)
                    .to_digit(16)
                    .ok_or_else(|| self.error(pos + i, INVALID_ESCAPE))?,
                None => return Err(self.error(pos + i, EOF_STRING)),
            };
            value = (value << 4) | digit as u16;
        }
        Ok(value)
    }

    /// Reads a string ([`Start::String`]): borrowed from the text when it has no escape,
    /// else decoded into `scratch`. Escapes are checked as `serde_json` checks strings it
    /// returns (UTF-16 surrogates must pair).
    #[inline]
    pub(crate) fn read_str<'s>(&mut self, scratch: &'s mut String) -> Result<&'s str>
    where
        'a: 's,
    {
        let start = self.pos + 1;
        let (at, byte) = self.plain_run(start)?;
        if byte == b'"' {
            self.pos = at + 1;
            return self.slice(start, at);
        }
        self.read_escaped(start, at, scratch)
    }

    #[cold]
    fn read_escaped<'s>(
        &mut self,
        start: usize,
        mut at: usize,
        scratch: &'s mut String,
    ) -> Result<&'s str> {
        scratch.clear();
        scratch.push_str(self.slice(start, at)?);
        loop {
            // `at` is a backslash.
            let pos = at + 1;
            let next = match self.bytes.get(pos) {
                Some(&b) => b,
                None => return Err(self.error(pos, EOF_STRING)),
            };
            let after = match next {
                b'"' | b'\\' | b'/' => {
                    scratch.push(next as char);
                    pos + 1
                }
                b'b' => push_then(scratch, '\u{8}', pos + 1),
                b'f' => push_then(scratch, '\u{c}', pos + 1),
                b'n' => push_then(scratch, '\n', pos + 1),
                b'r' => push_then(scratch, '\r', pos + 1),
                b't' => push_then(scratch, '\t', pos + 1),
                b'u' => {
                    let (c, after) = self.unicode_escape(pos + 1)?;
                    push_then(scratch, c, after)
                }
                _ => return Err(self.error(pos, INVALID_ESCAPE)),
            };
            let (end, byte) = self.plain_run(after)?;
            scratch.push_str(self.slice(after, end)?);
            if byte == b'"' {
                self.pos = end + 1;
                return Ok(scratch.as_str());
            }
            at = end;
        }
    }

    /// The character of a `\u` escape whose hex digits start at `pos` (a surrogate pair
    /// takes a second escape), and the offset after it.
    fn unicode_escape(&self, pos: usize) -> Result<(char, usize)> {
        let first = self.hex4(pos)?;
        let after = pos + 4;
        let code = match first {
            0xDC00..=0xDFFF => return Err(self.error(after - 1, LONE_SURROGATE)),
            0xD800..=0xDBFF => {
                if self.bytes.get(after) != Some(&b'\\') || self.bytes.get(after + 1) != Some(&b'u')
                {
                    let bad = if self.bytes.get(after) == Some(&b'\\') {
                        after + 1
                    } else {
                        after
                    };
                    return Err(self.error(bad, UNEXPECTED_END_OF_HEX));
                }
                let second = self.hex4(after + 2)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error(after + 5, LONE_SURROGATE));
                }
                let code = (((first - 0xD800) as u32) << 10 | (second - 0xDC00) as u32) + 0x1_0000;
                return char::from_u32(code)
                    .map(|c| (c, after + 6))
                    .ok_or_else(|| self.error(after + 5, LONE_SURROGATE));
            }
            other => other as u32,
        };
        char::from_u32(code)
            .map(|c| (c, after))
            .ok_or_else(|| self.error(after - 1, LONE_SURROGATE))
    }

    /// Consumes `{` and, if the object is not empty, the opening quote of its first
    /// key is next (not consumed); returns whether there is a first key.
    #[inline]
    pub(crate) fn open_object(&mut self) -> Result<bool> {
        self.pos += 1;
        self.object_key_or_end(true)
    }

    /// After a member's value: `,` then a key (true), or `}` (false).
    #[inline]
    pub(crate) fn next_member(&mut self) -> Result<bool> {
        match self.peek_non_ws() {
            Some(b',') => {
                self.pos += 1;
                self.object_key_or_end(false)
            }
            Some(b'}') => {
                self.pos += 1;
                Ok(false)
            }
            Some(_) => Err(self.error(self.pos, OBJECT_COMMA_OR_END)),
            None => Err(self.error(self.pos, EOF_OBJECT)),
        }
    }

    #[inline]
    fn object_key_or_end(&mut self, may_end: bool) -> Result<bool> {
        match self.peek_non_ws() {
            Some(b'"') => Ok(true),
            Some(b'}') if may_end => {
                self.pos += 1;
                Ok(false)
            }
            Some(_) => Err(self.error(self.pos, KEY_MUST_BE_STRING)),
            None => Err(self.error(self.pos, EOF_OBJECT)),
        }
    }

    /// The `:` after a key.
    #[inline]
    pub(crate) fn colon(&mut self) -> Result<()> {
        match self.peek_non_ws() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.error(self.pos, EXPECTED_COLON)),
            None => Err(self.error(self.pos, EOF_OBJECT)),
        }
    }

    /// Consumes `[`; returns whether an element follows.
    #[inline]
    pub(crate) fn open_array(&mut self) -> Result<bool> {
        self.pos += 1;
        match self.peek_non_ws() {
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            Some(_) => Ok(true),
            None => Err(self.error(self.pos, EOF_LIST)),
        }
    }

    /// After an element: `,` (true, an element follows) or `]` (false).
    #[inline]
    pub(crate) fn next_element(&mut self) -> Result<bool> {
        match self.peek_non_ws() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            Some(_) => Err(self.error(self.pos, LIST_COMMA_OR_END)),
            None => Err(self.error(self.pos, EOF_LIST)),
        }
    }

    /// Skips one value, checking its syntax. `stack` is scratch space for the open
    /// containers (true: object), so depth costs heap, not call stack.
    pub(crate) fn skip_value(&mut self, stack: &mut Vec<bool>) -> Result<()> {
        stack.clear();
        loop {
            match self.peek_value()? {
                Start::String => self.skip_str()?,
                Start::Number => {
                    self.number()?;
                }
                start @ (Start::True | Start::False | Start::Null) => self.literal(start)?,
                Start::Object => {
                    if self.open_object()? {
                        self.skip_str()?;
                        self.colon()?;
                        stack.push(true);
                        continue;
                    }
                }
                Start::Array => {
                    if self.open_array()? {
                        stack.push(false);
                        continue;
                    }
                }
            }
            // A value ended: close every container it ends, until one continues.
            loop {
                let Some(&in_object) = stack.last() else {
                    return Ok(());
                };
                let more = if in_object {
                    self.next_member()?
                } else {
                    self.next_element()?
                };
                if more {
                    if in_object {
                        self.skip_str()?;
                        self.colon()?;
                    }
                    break;
                }
                stack.pop();
            }
        }
    }
}

/// The offset of the first byte at or after `pos` that ends a plain run in a string
/// (`"`, `\\` or a control character), or the length of `bytes`.
///
/// Eight bytes at a time with the "has a zero byte" bit trick (as `serde_json` does):
/// strings in events are short, so this beats calling into `memchr` for each one.
#[inline]
fn string_special(bytes: &[u8], mut pos: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_le_bytes(chunk);
        let control = word.wrapping_sub(ONES * 0x20) & !word;
        let quote = word ^ (ONES * u64::from(b'"'));
        let quote = quote.wrapping_sub(ONES) & !quote;
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let backslash = backslash.wrapping_sub(ONES) & !backslash;
        // The lowest flagged byte is always a true match (borrows only run upwards).
        let found = (control | quote | backslash) & HIGH;
        if found != 0 {
            return pos + (found.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while let Some(&byte) = bytes.get(pos) {
        if byte == b'"' || byte == b'\\' || byte < 0x20 {
            return pos;
        }
        pos += 1;
    }
    bytes.len()
}

fn push_then(scratch: &mut String, c: char, after: usize) -> usize {
    scratch.push(c);
    after
}

/// The `serde_json::Value` of a number's text (from [`Cursor::number`], so its syntax is
/// valid), exactly as `serde_json` makes it: `u64`, else `i64`, else `f64`; an `f64`
/// out of range is an error, as it is for `serde_json::from_str::<Value>`.
pub(crate) fn number_value(text: &str, offset: usize) -> Result<Value> {
    let bytes = text.as_bytes();
    // The common case, a small unsigned integer, without a second parse.
    if bytes.len() <= 19 && bytes.iter().all(u8::is_ascii_digit) {
        let value = bytes
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        return Ok(Value::from(value));
    }
    serde_json::from_str::<Value>(text).map_err(|error| value_error(&error, text, offset))
}

/// A value at a path some `array` matcher looks at, read whole (its syntax already
/// checked by [`Cursor::skip_value`]).
pub(crate) fn whole_value(text: &str, offset: usize) -> Result<Value> {
    serde_json::from_str::<Value>(text).map_err(|error| value_error(&error, text, offset))
}

/// Moves an error of `serde_json` on a piece of the event (at `offset`) to the event.
#[cold]
fn value_error(error: &serde_json::Error, piece: &str, offset: usize) -> ScanError {
    let mut at = 0;
    for (index, line) in piece.split_inclusive('\n').enumerate() {
        if index + 1 == error.line() {
            at += error.column().saturating_sub(1).min(line.len());
            break;
        }
        at += line.len();
    }
    let message = error.to_string();
    // serde_json appends " at line L column C" (relative to the piece): drop it.
    let reason = match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    };
    ScanError {
        offset: offset + at,
        reason: Cow::Owned(reason),
    }
}

/// 1-based line and column (in bytes) of `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = 1 + memchr::memchr_iter(b'\n', before).count();
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}
