//! JSON helpers shared by every layer: numbers as JavaScript holds them, and text as
//! JavaScript's `JSON.stringify` writes it.
//!
//! Step Functions' payloads are JSON and our host is JavaScript, so a number that is
//! integral must stay an integer (`3`, not `3.0`) and a float must print the way JS
//! prints it (`1e+21`, `0.30000000000000004`).

use serde_json::{Number, Value};
use std::fmt::Write;

/// Objects and arrays nest at most this deep in a payload (the definition parser's limit
/// too). The engine's walks over values (writing, copying, dropping) recurse once per
/// level, so a deeper value would overflow wasm's 1 MiB stack.
pub const MAX_NESTING: usize = crate::parse::MAX_DEPTH;

/// True when objects and arrays in `value` nest deeper than [`MAX_NESTING`]; checked
/// without recursion.
pub fn nested_too_deep(value: &Value) -> bool {
    let mut stack = vec![(value, 0usize)];
    while let Some((item, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match item {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth >= MAX_NESTING {
            return true;
        }
        stack.extend(
            children
                .filter(|child| child.is_array() || child.is_object())
                .map(|child| (child, depth + 1)),
        );
    }
    false
}

/// The largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JSON number from an f64, as an integer when it is integral and exactly representable.
/// Non-finite values have no JSON form; they become `null` like `JSON.stringify` does.
pub fn number(value: f64) -> Value {
    if !value.is_finite() {
        return Value::Null;
    }
    if value.fract() == 0.0 && value.abs() <= MAX_SAFE_INTEGER {
        if value == 0.0 {
            return Value::from(0);
        }
        return Value::from(value as i64);
    }
    Number::from_f64(value)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// The value of a JSON number as an f64 (integers above 2^53 lose precision, as in JS).
pub fn as_f64(number: &Number) -> f64 {
    number.as_f64().unwrap_or(0.0)
}

/// Formats a number exactly as ECMAScript's `Number.prototype.toString()` does.
pub fn format_number(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if value == 0.0 {
        return "0".into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits, like JS; only the layout differs.
    let sci = format!("{:e}", value.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let k = digits.len() as i32;
    let n = exponent + 1; // position of the decimal point relative to the digits
    let sign = if value < 0.0 { "-" } else { "" };
    let body = if k <= n && n <= 21 {
        format!("{}{}", digits, "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{}", "0".repeat((-n) as usize), digits)
    } else {
        let e = n - 1;
        let e_sign = if e >= 0 { "+" } else { "-" };
        if k == 1 {
            format!("{}e{}{}", digits, e_sign, e.abs())
        } else {
            format!("{}.{}e{}{}", &digits[..1], &digits[1..], e_sign, e.abs())
        }
    };
    format!("{sign}{body}")
}

/// Writes a JSON number as JS prints it, without intermediate strings on the common
/// paths (integers; floats whose JS form has no exponent, where Rust's shortest
/// round-trip `Display` agrees with JS).
pub(crate) fn write_number(out: &mut impl Write, n: &Number) {
    if let Some(i) = n.as_i64() {
        let _ = out.write_str(integer_text(i.unsigned_abs(), i < 0, &mut [0; 21]));
        return;
    }
    if let Some(u) = n.as_u64() {
        let _ = out.write_str(integer_text(u, false, &mut [0; 21]));
        return;
    }
    let v = as_f64(n);
    if v != 0.0 && (1e-6..1e21).contains(&v.abs()) {
        let _ = write!(out, "{v}");
    } else {
        let _ = out.write_str(&format_number(v));
    }
}

/// The decimal text of an integer, written into `buffer` (core::fmt's machinery costs
/// several times more, and counters and indexes are written at every state).
pub(crate) fn integer_text(mut magnitude: u64, negative: bool, buffer: &mut [u8; 21]) -> &str {
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if negative {
        at -= 1;
        buffer[at] = b'-';
    }
    // Only ASCII digits and '-' were written.
    std::str::from_utf8(&buffer[at..]).unwrap_or_default()
}

/// Serialises a value compactly, as `JSON.stringify(value)` does (numbers included).
pub fn stringify(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// The length in bytes of `stringify(value)`, computed without building the text (the
/// 256 KiB payload checks run at every state).
pub fn serialized_len(value: &Value) -> usize {
    let mut counter = ByteCounter(0);
    write_value(&mut counter, value);
    counter.0
}

/// A `fmt::Write` that only counts the bytes written to it.
struct ByteCounter(usize);

impl Write for ByteCounter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// Writes `stringify(value)` into `out`.
pub fn write_value(out: &mut impl Write, value: &Value) {
    match value {
        Value::Null => push(out, "null"),
        Value::Bool(b) => push(out, if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            push(out, "[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    push(out, ",");
                }
                write_value(out, item);
            }
            push(out, "]");
        }
        Value::Object(map) => {
            push(out, "{");
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    push(out, ",");
                }
                write_string(out, key);
                push(out, ":");
                write_value(out, item);
            }
            push(out, "}");
        }
    }
}

/// Writing to a `String` or a counter cannot fail.
fn push(out: &mut impl Write, text: &str) {
    let _ = out.write_str(text);
}

/// Writes a JSON string literal with JSON.stringify's escapes. Runs of characters that
/// need no escape are copied whole (payloads are mostly such text).
pub fn write_string(out: &mut impl Write, s: &str) {
    push(out, "\"");
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            b if b < 0x20 => "",
            _ => continue,
        };
        // Multi-byte UTF-8 sequences never contain bytes below 0x80, so `i` is a boundary.
        push(out, &s[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            push(out, escape);
        }
        start = i + 1;
    }
    push(out, &s[start..]);
    push(out, "\"");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_print_as_decimal() {
        for n in [0, 7, -7, 10, 1234567890, i64::MIN, i64::MAX, -1] {
            assert_eq!(
                integer_text(n.unsigned_abs(), n < 0, &mut [0; 21]),
                n.to_string()
            );
        }
        assert_eq!(
            integer_text(u64::MAX, false, &mut [0; 21]),
            u64::MAX.to_string()
        );
        let mut out = String::new();
        write_number(&mut out, &Number::from(-42));
        assert_eq!(out, "-42");
    }

    #[test]
    fn numbers_print_like_javascript() {
        let cases = [
            (1.0, "1"),
            (-0.5, "-0.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (123.456, "123.456"),
            (-1.2345e-10, "-1.2345e-10"),
            (5e-324, "5e-324"),
        ];
        for (value, text) in cases {
            assert_eq!(format_number(value), text, "{value}");
        }
    }

    #[test]
    fn integral_floats_become_integers() {
        assert_eq!(number(3.0), Value::from(3));
        assert_eq!(number(-0.0), Value::from(0));
        assert_eq!(stringify(&number(2.5)), "2.5");
        assert_eq!(number(f64::NAN), Value::Null);
    }

    #[test]
    fn stringify_is_compact_and_keeps_key_order() {
        let v: Value = serde_json::from_str(r#"{"b":1,"a":[true,null,"x\n"]}"#).unwrap();
        assert_eq!(stringify(&v), r#"{"b":1,"a":[true,null,"x\n"]}"#);
        let tricky = Value::String("q\"b\\\u{1}é😀\t".into());
        assert_eq!(stringify(&tricky), r#""q\"b\\\u0001é😀\t""#);
        for value in [v, tricky, number(0.1 + 0.2), number(1e21), Value::Null] {
            assert_eq!(serialized_len(&value), stringify(&value).len());
        }
    }
}
