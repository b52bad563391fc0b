//! A fast reader of JSON text into the engine's value, for text on the hot paths:
//! handler results and execution inputs, which js/api.js writes with `JSON.stringify`.
//!
//! It reads what such text holds and declines the rest (returns `None`): any syntax
//! error, nesting near serde_json's limit, a string with control characters. Then
//! [`Value::parse`] reads the text with serde_json, so errors, positions and limits stay
//! serde_json's. Numbers other than plain non-negative integers are read by serde_json's
//! own number parser, so every value is the one serde_json would build.
//!
//! Each array and object it builds also gets what the reader measured of it: how deep it
//! nests, and, when its text is what the engine's writer would write back byte for byte,
//! the length of that text. The engine checks both for every handler result (nesting
//! and payload size limits), and would otherwise walk the value to learn them.

use super::{Array, KeyCache, Map, Meta, Value};
use serde_json::Number;
use std::cell::Cell;
use std::rc::Rc;

/// Nesting the fast reader takes on; deeper text goes to serde_json (its limit is 128).
const MAX_DEPTH: usize = 100;

/// The value of `text`, or `None` when serde_json must read it (see the module docs).
pub(super) fn parse(text: &str) -> Option<Value> {
    let keys = KeyCache::default();
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        keys: &keys,
        rewritten: 0,
    };
    let value = reader.value(0)?;
    reader.skip_whitespace();
    (reader.at == reader.bytes.len()).then_some(value)
}

struct Reader<'t, 'k> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    keys: &'k KeyCache,
    /// How many pieces of text so far the writer would write differently: whitespace,
    /// escapes, numbers other than plain integers, repeated keys. A node during whose
    /// reading this did not move knows its text length (`Reader::measured`).
    rewritten: usize,
}

/// The nesting the reader recorded for a value it built (0 for scalars).
fn nesting_of(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.meta.nesting.get().unwrap_or(0),
        Value::Object(map) => map.meta.nesting.get().unwrap_or(0),
        _ => 0,
    }
}

impl<'t> Reader<'t, '_> {
    /// What the reader knows of the node it has just read from `start` (where
    /// `rewritten` stood at `rewritten_before`): its nesting, and its text length unless
    /// some of that text would be written differently.
    fn measured(&self, start: usize, rewritten_before: usize, nesting: usize) -> Meta {
        let unchanged = self.rewritten == rewritten_before;
        Meta {
            text_len: Cell::new(unchanged.then_some(self.at - start)),
            nesting: Cell::new(Some(nesting)),
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
            self.rewritten += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        self.skip_whitespace();
        match *self.bytes.get(self.at)? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => Some(Value::String(self.string()?)),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            _ => self.number(),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            value
        })
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (start, rewritten) = (self.at, self.rewritten);
        // Past '{', with room for the usual few keys at once (growing an empty Vec goes
        // the slow way).
        self.at += 1;
        let mut map = Map::with_capacity(4);
        let mut deepest = 0;
        self.skip_whitespace();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            map.meta = self.measured(start, rewritten, 1);
            return Some(Value::object(map));
        }
        loop {
            self.skip_whitespace();
            if self.bytes.get(self.at) != Some(&b'"') {
                return None;
            }
            let key = self.key()?;
            self.skip_whitespace();
            if self.bytes.get(self.at) != Some(&b':') {
                return None;
            }
            self.at += 1;
            let value = self.value(depth)?;
            deepest = deepest.max(nesting_of(&value));
            // A repeated key keeps its first place and takes the last value (serde_json).
            if map.insert(key, value).is_some() {
                self.rewritten += 1;
            }
            self.skip_whitespace();
            match self.bytes.get(self.at)? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    map.meta = self.measured(start, rewritten, 1 + deepest);
                    return Some(Value::object(map));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (start, rewritten) = (self.at, self.rewritten);
        self.at += 1; // '['
        let mut items = Vec::new();
        let mut deepest = 0;
        self.skip_whitespace();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            let meta = self.measured(start, rewritten, 1);
            return Some(Value::Array(Rc::new(Array { items, meta })));
        }
        loop {
            let value = self.value(depth)?;
            deepest = deepest.max(nesting_of(&value));
            items.push(value);
            self.skip_whitespace();
            match self.bytes.get(self.at)? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    let meta = self.measured(start, rewritten, 1 + deepest);
                    return Some(Value::Array(Rc::new(Array { items, meta })));
                }
                _ => return None,
            }
        }
    }

    /// The text of a string literal at `at` (its quotes and escapes included), moving
    /// past it; `None` for a control character or a missing closing quote.
    fn string_literal(&mut self) -> Option<(&'t str, bool)> {
        let start = self.at;
        self.at += 1; // '"'
        let mut escaped = false;
        loop {
            match *self.bytes.get(self.at)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    self.at += 2;
                }
                b if b < 0x20 => return None,
                _ => self.at += 1,
            }
        }
        self.at += 1;
        // Quotes and backslashes are ASCII: both ends are character boundaries.
        let text: &'t str = self.text;
        Some((text.get(start..self.at)?, escaped))
    }

    fn string(&mut self) -> Option<Rc<str>> {
        let (literal, escaped) = self.string_literal()?;
        if escaped {
            // Escapes (and their errors) are serde_json's to read.
            self.rewritten += 1;
            return serde_json::from_str::<String>(literal).ok().map(Rc::from);
        }
        Some(Rc::from(&literal[1..literal.len() - 1]))
    }

    fn key(&mut self) -> Option<Rc<str>> {
        let (literal, escaped) = self.string_literal()?;
        if escaped {
            self.rewritten += 1;
            let key = serde_json::from_str::<String>(literal).ok()?;
            return Some(self.keys.key(&key));
        }
        Some(self.keys.key(&literal[1..literal.len() - 1]))
    }

    /// A number in JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        let negative = self.bytes.get(self.at) == Some(&b'-');
        if negative {
            self.at += 1;
        }
        let digits = self.digits();
        if digits == 0 || (digits > 1 && self.bytes[self.at - digits] == b'0') {
            return None;
        }
        let mut integer = !negative;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return None;
            }
            integer = false;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
            integer = false;
        }
        let token = &self.text[start..self.at];
        if integer && digits <= 19 {
            // Up to 19 digits fit in a u64, as serde_json keeps such numbers (the token
            // is only ASCII digits here, so this is `token.parse::<u64>()`, minus checks).
            let n = token
                .bytes()
                .fold(0u64, |n, digit| n * 10 + u64::from(digit - b'0'));
            return Some(Value::Number(n.into()));
        }
        // Floats, negatives and long integers: serde_json's own conversion (and the
        // writer may spell them differently: 1E2, -0).
        self.rewritten += 1;
        let number: Number = token.parse().ok()?;
        Some(Value::Number(number))
    }

    /// Moves past ASCII digits; how many there were.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.bytes.get(self.at) {
            self.at += 1;
        }
        self.at - start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_json's reader makes of `text` (the path `Value::parse` falls back to).
    fn by_serde(text: &str) -> Option<Value> {
        serde_json::from_str::<Value>(text).ok()
    }

    /// The value and how each number is kept (u64, i64 or f64), which equality alone
    /// does not show.
    fn shape(value: &Value) -> String {
        fn walk(value: &Value, out: &mut String) {
            match value {
                Value::Number(n) if n.is_u64() => out.push_str(&format!("u{n}")),
                Value::Number(n) if n.is_i64() => out.push_str(&format!("i{n}")),
                Value::Number(n) => out.push_str(&format!("f{:?}", n.as_f64())),
                Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
                Value::Object(map) => map.iter().for_each(|(k, v)| {
                    out.push_str(k);
                    walk(v, out);
                }),
                other => out.push_str(&other.to_json_text()),
            }
            out.push(';');
        }
        let mut out = value.to_json_text();
        walk(value, &mut out);
        out
    }

    /// The fast reader either declines or agrees with serde_json exactly, and what it
    /// measured of each node is right.
    fn agrees(text: &str) -> bool {
        match (parse(text), by_serde(text)) {
            (None, _) => true,
            (Some(fast), Some(serde)) => {
                measured_right(&fast);
                shape(&fast) == shape(&serde)
            }
            (Some(_), None) => false,
        }
    }

    /// Every node's recorded nesting is its nesting, and a recorded text length is the
    /// length of the text the writer writes for it.
    fn measured_right(value: &Value) {
        fn nesting(value: &Value) -> usize {
            match value {
                Value::Array(items) => 1 + items.iter().map(nesting).max().unwrap_or(0),
                Value::Object(map) => 1 + map.values().map(nesting).max().unwrap_or(0),
                _ => 0,
            }
        }
        let (meta, children): (_, Vec<&Value>) = match value {
            Value::Array(items) => (&items.meta, items.iter().collect()),
            Value::Object(map) => (&map.meta, map.values().collect()),
            _ => return,
        };
        let text = value.to_json_text();
        assert_eq!(
            meta.nesting.get(),
            Some(nesting(value)),
            "nesting of {text}"
        );
        if let Some(len) = meta.text_len.get() {
            assert_eq!(len, text.len(), "text length of {text}");
        }
        children.into_iter().for_each(measured_right);
    }

    #[test]
    fn reads_what_json_stringify_writes() {
        let texts = [
            r#"{"i":1}"#,
            r#"{"a":[1,2,{"b":null}],"c":"x","d":true,"e":false}"#,
            r#" [ 1 , -2 , 3.5 , 1e3 , -0 , 0 , 18446744073709551615 , 99999999999999999999 ] "#,
            r#"{"a":1,"a":2,"b":3}"#,
            r#""é ünïcode ✓""#,
            r#"{"k\"ey":"v\\al\nue","\u00e9":"\ud83d\ude00"}"#,
            r#"[[],{},[[]],""]"#,
            "-1.5e-7",
            "123456789012345678",
        ];
        for text in texts {
            let fast = parse(text).unwrap_or_else(|| panic!("declined {text}"));
            let serde = by_serde(text).unwrap_or_else(|| panic!("serde refused {text}"));
            assert_eq!(shape(&fast), shape(&serde), "{text}");
            measured_right(&fast);
        }
    }

    #[test]
    fn knows_the_text_length_of_what_it_would_write_back() {
        let known = |text: &str| match parse(text) {
            Some(Value::Object(map)) => map.meta.text_len.get(),
            Some(Value::Array(items)) => items.meta.text_len.get(),
            other => panic!("{text}: {other:?}"),
        };
        // Text as the writer writes it: measured while reading.
        for text in [r#"{"i":1}"#, r#"[1,"é",{"a":[]},true,null]"#, "{}", "[]"] {
            assert_eq!(known(text), Some(text.len()), "{text}");
        }
        // Text the writer would write otherwise: left for `text_len` to work out.
        for text in [
            r#"{ "i":1}"#,
            r#"["\u0041"]"#,
            "[1.0]",
            "[-0]",
            r#"{"a":1,"a":2}"#,
            "[1E2]",
        ] {
            assert_eq!(known(text), None, "{text}");
        }
    }

    #[test]
    fn declines_what_is_not_json() {
        let texts = [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "tru",
            "nul",
            "\"abc",
            "\"a\u{1}b\"",
            "[1] 2",
            "NaN",
            "\"\\x\"",
            "1e400",
        ];
        for text in texts {
            assert!(parse(text).is_none(), "accepted {text:?}");
        }
        let deep = "[".repeat(150) + &"]".repeat(150);
        assert!(parse(&deep).is_none());
        assert!(
            Value::parse(&deep).is_err(),
            "serde_json's limit still applies"
        );
    }

    #[test]
    fn never_disagrees_with_serde_json_on_mangled_text() {
        // Deterministic mutations of valid text: every cut, and every byte replaced by
        // each character that matters to JSON's grammar.
        let base = r#"{"a":[1,-2.5e3,"x\"y",true,null,{"b":{}}],"c":0}"#;
        let specials = b"{}[]\",:-+.eE0123456789 \\tnfu\n";
        for cut in 0..=base.len() {
            assert!(agrees(&base[..cut]), "{:?}", &base[..cut]);
        }
        for at in 0..base.len() {
            for &b in specials {
                let mut bytes = base.as_bytes().to_vec();
                bytes[at] = b;
                if let Ok(text) = String::from_utf8(bytes) {
                    assert!(agrees(&text), "{text}");
                }
            }
        }
    }
}
