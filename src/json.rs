//! JSON helpers shared by every layer: numbers as JavaScript holds them, and text as
//! JavaScript's `JSON.stringify` writes it.
//!
//! Step Functions' payloads are JSON and our host is JavaScript, so a number that is
//! integral must stay an integer (`3`, not `3.0`) and a float must print the way JS
//! prints it (`1e+21`, `0.30000000000000004`).

use serde_json::{Number, Value};

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

/// Serialises a value compactly, as `JSON.stringify(value)` does (numbers included).
pub fn stringify(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_f64() {
                out.push_str(&format_number(as_f64(n)));
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Writes a JSON string literal with JSON.stringify's escapes.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
