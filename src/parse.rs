//! Definition text -> JSON value, keeping where every key and value stands in the text
//! (JSON pointer -> line/column ranges) so that diagnostics point at the exact place.
//!
//! A small hand-written JSON parser (RFC 8259, strict: no comments, no trailing commas)
//! because serde_json forgets positions and silently keeps the last of duplicate keys.
//! Numbers are handed to serde_json so that they are exactly what `from_str` would give.
//! Nesting is bounded ([`MAX_DEPTH`]): deeper text is a diagnostic, never a stack
//! overflow. Invariant: no input makes this module panic.

use crate::validate::{pointer_token, Diagnostic};
use serde::Serialize;
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

/// A place in the text: 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

/// Where one node of the document stands: its key (for object members) and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeSpan {
    pub key: Option<Range>,
    pub value: Range,
}

/// JSON pointer (e.g. `/States/Check Inventory/Next`) -> span.
pub type SpanMap = HashMap<String, NodeSpan>;

/// A parsed definition: the value, and the spans when it came from text.
#[derive(Clone, Debug)]
pub struct ParsedDefinition {
    pub value: Value,
    pub spans: Option<SpanMap>,
    /// Problems found while parsing that do not stop it, e.g. duplicate keys
    /// (`DUPLICATE_KEY`, error: AWS rejects them). [`crate::validate::validate_text`]
    /// merges them with the validation diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// Objects and arrays nested deeper than this are rejected (`INVALID_JSON`).
pub const MAX_DEPTH: usize = 512;

/// Parses definition text. Text that is not JSON gives an `INVALID_JSON` diagnostic with
/// the position of the problem. Duplicate keys do not stop parsing (the last one wins,
/// as in serde_json); they are listed in [`ParsedDefinition::diagnostics`].
pub fn parse_text(text: &str) -> Result<ParsedDefinition, Diagnostic> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        offset: 0,
        line: 1,
        column: 1,
        spans: SpanMap::new(),
        diagnostics: Vec::new(),
    };
    // A byte order mark is not JSON, but editors add it; AWS's parser skips it too.
    if text.starts_with('\u{feff}') {
        parser.offset = '\u{feff}'.len_utf8();
    }
    parser.skip_whitespace();
    let value = parser.parse_value()?;
    parser.skip_whitespace();
    if parser.offset < parser.bytes.len() {
        return Err(parser.error_here("unexpected text after the JSON value; expected the end"));
    }
    Ok(ParsedDefinition {
        value,
        spans: Some(parser.spans),
        diagnostics: parser.diagnostics,
    })
}

/// An object or array being parsed.
struct Open {
    container: Container,
    pointer: String,
    key: Option<Range>,
    start: Position,
}

enum Container {
    /// The members so far, the first key range of each name, the current member's name.
    Object(Map<String, Value>, HashMap<String, Range>, String),
    Array(Vec<Value>),
}

impl Open {
    fn into_value(self) -> Value {
        match self.container {
            Container::Object(map, _, _) => Value::Object(map),
            Container::Array(items) => Value::Array(items),
        }
    }
}

fn open_meta(open: &Open) -> (String, Option<Range>, Position) {
    (open.pointer.clone(), open.key, open.start)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    offset: usize,
    line: u32,
    column: u32,
    spans: SpanMap,
    diagnostics: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.offset).copied()
    }

    /// Advances over one character (of any UTF-8 length), tracking line and column.
    fn bump(&mut self) -> Option<char> {
        let c = self.text.get(self.offset..)?.chars().next()?;
        self.offset += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    fn error_at(&self, at: Position, what: &str) -> Diagnostic {
        let end = Position {
            line: at.line,
            column: at.column + 1,
        };
        Diagnostic::error(
            "INVALID_JSON",
            format!(
                "The definition is not valid JSON: {what} at line {}, column {}",
                at.line, at.column
            ),
            "",
        )
        .with_range(Some(Range { start: at, end }))
    }

    fn error_here(&self, what: &str) -> Diagnostic {
        let found = match self.text.get(self.offset..).and_then(|s| s.chars().next()) {
            None => "the end of the text".to_string(),
            Some(c) if c.is_control() => format!("{c:?}"),
            Some(c) => format!("'{c}'"),
        };
        self.error_at(self.position(), &format!("{what}, found {found}"))
    }

    /// Parses one value. Iterative (an explicit stack of open objects and arrays), so
    /// that nesting costs heap, not call stack.
    fn parse_value(&mut self) -> Result<Value, Diagnostic> {
        let mut stack: Vec<Open> = Vec::new();
        // the pointer and key range of the value about to be parsed
        let mut pointer = String::new();
        let mut key: Option<Range> = None;
        loop {
            let start = self.position();
            let mut done = match self.peek() {
                Some(b'{') | Some(b'[') => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(self.error_at(
                            start,
                            &format!(
                                "objects and arrays are nested more than {MAX_DEPTH} levels deep"
                            ),
                        ));
                    }
                    let is_object = self.peek() == Some(b'{');
                    self.bump();
                    self.skip_whitespace();
                    let open = Open {
                        container: if is_object {
                            Container::Object(Map::new(), HashMap::new(), String::new())
                        } else {
                            Container::Array(Vec::new())
                        },
                        pointer: std::mem::take(&mut pointer),
                        key: key.take(),
                        start,
                    };
                    let close = if is_object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.bump();
                        let meta = open_meta(&open);
                        Some((open.into_value(), meta))
                    } else {
                        stack.push(open);
                        if let Some(top) = stack.last_mut() {
                            let (p, k) = self.begin_member(top)?;
                            pointer = p;
                            key = k;
                        }
                        continue;
                    }
                }
                Some(b'"') => Some((
                    Value::String(self.parse_string()?),
                    (pointer.clone(), key, start),
                )),
                Some(b'-' | b'0'..=b'9') => {
                    Some((self.parse_number()?, (pointer.clone(), key, start)))
                }
                Some(b't') => Some((
                    self.parse_literal("true", Value::Bool(true))?,
                    (pointer.clone(), key, start),
                )),
                Some(b'f') => Some((
                    self.parse_literal("false", Value::Bool(false))?,
                    (pointer.clone(), key, start),
                )),
                Some(b'n') => Some((
                    self.parse_literal("null", Value::Null)?,
                    (pointer.clone(), key, start),
                )),
                _ => return Err(self.error_here(
                    "expected a JSON value (object, array, string, number, true, false or null)",
                )),
            };
            // Attach finished values to their parents, closing containers as they end.
            while let Some((value, (ptr, k, begin))) = done.take() {
                let end = self.position();
                self.spans.insert(
                    ptr,
                    NodeSpan {
                        key: k,
                        value: Range { start: begin, end },
                    },
                );
                let Some(top) = stack.last_mut() else {
                    return Ok(value);
                };
                match &mut top.container {
                    Container::Object(map, _, member) => {
                        map.insert(std::mem::take(member), value);
                    }
                    Container::Array(items) => items.push(value),
                }
                self.skip_whitespace();
                let is_object = matches!(top.container, Container::Object(..));
                let close = if is_object { b'}' } else { b']' };
                match self.peek() {
                    Some(b',') => {
                        self.bump();
                        self.skip_whitespace();
                        let (p, kr) = self.begin_member(top)?;
                        pointer = p;
                        key = kr;
                    }
                    Some(c) if c == close => {
                        self.bump();
                        if let Some(open) = stack.pop() {
                            let meta = open_meta(&open);
                            done = Some((open.into_value(), meta));
                        }
                    }
                    _ => {
                        return Err(self.error_here(if is_object {
                            "expected ',' or '}' after an object member"
                        } else {
                            "expected ',' or ']' after an array element"
                        }))
                    }
                }
            }
        }
    }

    /// At the start of the next member of `open` (after `{` or `,`): for objects, reads
    /// the key and the `:`. Returns the pointer and key range of the member's value.
    fn begin_member(&mut self, open: &mut Open) -> Result<(String, Option<Range>), Diagnostic> {
        match &mut open.container {
            Container::Array(items) => Ok((format!("{}/{}", open.pointer, items.len()), None)),
            Container::Object(map, first_keys, member) => {
                if self.peek() != Some(b'"') {
                    return Err(self.error_here("expected a member name in double quotes"));
                }
                let key_start = self.position();
                let name = self.parse_string()?;
                let key_range = Range {
                    start: key_start,
                    end: self.position(),
                };
                self.skip_whitespace();
                if self.peek() != Some(b':') {
                    return Err(self.error_here("expected ':' after the member name"));
                }
                self.bump();
                self.skip_whitespace();
                let child = format!("{}/{}", open.pointer, pointer_token(&name));
                if let Some(first) = first_keys.get(&name) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "DUPLICATE_KEY",
                            format!(
                                "Duplicate key '{name}' (first at line {}, column {}); keys of an object must be unique",
                                first.start.line, first.start.column
                            ),
                            child.clone(),
                        )
                        .with_range(Some(key_range)),
                    );
                    // The duplicate replaces the value: forget the spans inside the old one.
                    if map
                        .get(&name)
                        .is_some_and(|old| old.is_object() || old.is_array())
                    {
                        let prefix = format!("{child}/");
                        self.spans.retain(|p, _| !p.starts_with(&prefix));
                    }
                } else {
                    first_keys.insert(name.clone(), key_range);
                }
                *member = name;
                Ok((child, Some(key_range)))
            }
        }
    }

    fn parse_literal(&mut self, word: &str, value: Value) -> Result<Value, Diagnostic> {
        let start = self.position();
        if self
            .bytes
            .get(self.offset..self.offset + word.len())
            .is_some_and(|b| b == word.as_bytes())
        {
            for _ in 0..word.len() {
                self.bump();
            }
            return Ok(value);
        }
        Err(self.error_at(start, &format!("unrecognized token; expected '{word}'")))
    }

    fn parse_number(&mut self) -> Result<Value, Diagnostic> {
        let start_offset = self.offset;
        let start = self.position();
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => {
                self.bump();
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.error_here("leading zeros are not allowed in numbers"));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error_here("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error_here("expected a digit after the decimal point"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error_here("expected a digit in the exponent"));
            }
            self.digits();
        }
        let literal = self.text.get(start_offset..self.offset).unwrap_or("");
        match serde_json::from_str::<Number>(literal) {
            Ok(n) => Ok(Value::Number(n)),
            Err(_) => Err(self.error_at(start, &format!("number {literal} is out of range"))),
        }
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
        }
    }

    fn parse_string(&mut self) -> Result<String, Diagnostic> {
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            let at = self.position();
            let Some(c) = self.bump() else {
                return Err(self.error_here("unterminated string; expected '\"'"));
            };
            match c {
                '"' => return Ok(out),
                '\\' => out.push(self.parse_escape(at)?),
                c if (c as u32) < 0x20 => {
                    return Err(self.error_at(
                        at,
                        &format!(
                            "control character U+{:04X} in a string; it must be escaped",
                            c as u32
                        ),
                    ))
                }
                c => out.push(c),
            }
        }
    }

    fn parse_escape(&mut self, at: Position) -> Result<char, Diagnostic> {
        let Some(c) = self.bump() else {
            return Err(self.error_here("unterminated string; expected '\"'"));
        };
        Ok(match c {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) {
                    if self.peek() != Some(b'\\') || self.bytes.get(self.offset + 1) != Some(&b'u')
                    {
                        return Err(self.error_at(at, "lone leading surrogate in \\u escape"));
                    }
                    self.bump();
                    self.bump();
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error_at(at, "invalid surrogate pair in \\u escape"));
                    }
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    char::from_u32(code).ok_or_else(|| self.error_at(at, "invalid \\u escape"))?
                } else {
                    char::from_u32(high)
                        .ok_or_else(|| self.error_at(at, "lone trailing surrogate in \\u escape"))?
                }
            }
            _ => return Err(self.error_at(at, &format!("invalid escape '\\{c}' in a string"))),
        })
    }

    fn hex4(&mut self) -> Result<u32, Diagnostic> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| (b as char).to_digit(16))
                .ok_or_else(|| self.error_here("expected 4 hexadecimal digits after \\u"))?;
            self.bump();
            code = code * 16 + digit;
        }
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, column: u32) -> Position {
        Position { line, column }
    }

    #[test]
    fn spans_for_keys_and_values() {
        let text = "{\n  \"StartAt\": \"A\",\n  \"States\": {\"Ä\": [1, {\"x\": null}]}\n}";
        let parsed = parse_text(text)
            .map_err(|d| d.message)
            .unwrap_or_else(|m| panic!("{m}"));
        let spans = parsed.spans.unwrap_or_default();
        let start_at = spans["/StartAt"];
        assert_eq!(start_at.key.map(|k| k.start), Some(pos(2, 3)));
        assert_eq!(start_at.value.start, pos(2, 14));
        assert_eq!(start_at.value.end, pos(2, 17));
        let x = spans["/States/Ä/1/x"];
        assert_eq!(x.value.start, pos(3, 29));
        assert_eq!(spans["/States/Ä/0"].key, None);
        assert_eq!(spans[""].value.start, pos(1, 1));
    }

    #[test]
    fn invalid_json_has_position() {
        let d = parse_text("{\n  \"a\": tru }").err();
        let d = d.map(|d| (d.code, d.range.map(|r| r.start)));
        assert_eq!(d, Some(("INVALID_JSON".to_string(), Some(pos(2, 8)))));
        let d = parse_text("not a definition").err().and_then(|d| d.range);
        assert_eq!(d.map(|r| r.start), Some(pos(1, 1)));
        assert!(parse_text("{\"a\":1,}").is_err());
        assert!(parse_text("[1] x").is_err());
        assert!(parse_text("\"\\ud800\"").is_err());
        assert!(parse_text("01").is_err());
    }

    #[test]
    fn deep_nesting_is_a_diagnostic() {
        let text = "[".repeat(100_000);
        let d = parse_text(&text).err().map(|d| d.code);
        assert_eq!(d.as_deref(), Some("INVALID_JSON"));
        let ok = format!("{}{}", "[".repeat(500), "]".repeat(500));
        assert!(parse_text(&ok).is_ok());
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let parsed = parse_text("{\"a\": {\"b\": 1}, \"a\": 2}").ok();
        let diags = parsed.map(|p| p.diagnostics).unwrap_or_default();
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "DUPLICATE_KEY");
        assert_eq!(diags[0].path, "/a");
        assert_eq!(diags[0].range.map(|r| r.start), Some(pos(1, 17)));
    }

    #[test]
    fn numbers_match_serde_json() {
        for n in [
            "0",
            "-0",
            "1.5",
            "1e400",
            "12345678901234567890",
            "-1.25E-3",
        ] {
            let ours = parse_text(n).map(|p| p.value).ok();
            let theirs = serde_json::from_str::<Value>(n).ok();
            assert_eq!(ours, theirs, "{n}");
        }
    }
}
