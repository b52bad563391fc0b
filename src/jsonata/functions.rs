//! The function library (jsonata-js's functions.js plus AWS Step Functions' additions).

use super::eval::{merge_sort, num_ok, Ctx, R};
use super::regex::Re;
use super::value::{deep_eq, from_json, items, to_json, Arr, Env, Fun, Obj, V};
use super::{datetime, format, hash, Err};
use std::rc::Rc;

/// (name, signature, arity as jsonata-js reports it for the implementation)
const TABLE: &[(&str, &str, u8)] = &[
    ("sum", "<a<n>:n>", 1),
    ("count", "<a:n>", 1),
    ("max", "<a<n>:n>", 1),
    ("min", "<a<n>:n>", 1),
    ("average", "<a<n>:n>", 1),
    ("string", "<x-b?:s>", 1),
    ("substring", "<s-nn?:s>", 3),
    ("substringBefore", "<s-s:s>", 2),
    ("substringAfter", "<s-s:s>", 2),
    ("lowercase", "<s-:s>", 1),
    ("uppercase", "<s-:s>", 1),
    ("length", "<s-:n>", 1),
    ("trim", "<s-:s>", 1),
    ("pad", "<s-ns?:s>", 3),
    ("match", "<s-f<s:o>n?:a<o>>", 3),
    ("contains", "<s-(sf):b>", 2),
    ("replace", "<s-(sf)(sf)n?:s>", 4),
    ("split", "<s-(sf)n?:a<s>>", 3),
    ("join", "<a<s>s?:s>", 2),
    ("formatNumber", "<n-so?:s>", 3),
    ("formatBase", "<n-n?:s>", 2),
    ("formatInteger", "<n-s:s>", 2),
    ("parseInteger", "<s-s:n>", 2),
    ("number", "<(nsb)-:n>", 1),
    ("floor", "<n-:n>", 1),
    ("ceil", "<n-:n>", 1),
    ("round", "<n-n?:n>", 2),
    ("abs", "<n-:n>", 1),
    ("sqrt", "<n-:n>", 1),
    ("power", "<n-n:n>", 2),
    ("random", "<:n>", 0),
    ("boolean", "<x-:b>", 1),
    ("not", "<x-:b>", 1),
    ("map", "<af>", 2),
    ("zip", "<a+>", 0),
    ("filter", "<af>", 2),
    ("single", "<af?>", 2),
    ("reduce", "<afj?:j>", 3),
    ("sift", "<o-f?:o>", 2),
    ("keys", "<x-:a<s>>", 1),
    ("lookup", "<x-s:x>", 2),
    ("append", "<xx:a>", 2),
    ("exists", "<x:b>", 1),
    ("spread", "<x-:a<o>>", 1),
    ("merge", "<a<o>:o>", 1),
    ("reverse", "<a:a>", 1),
    ("each", "<o-f:a>", 2),
    ("error", "<s?:x>", 1),
    ("assert", "<bs?:x>", 2),
    ("type", "<x:s>", 1),
    ("sort", "<af?:a>", 2),
    ("shuffle", "<a:a>", 1),
    ("distinct", "<x:x>", 1),
    ("base64encode", "<s-:s>", 1),
    ("base64decode", "<s-:s>", 1),
    ("encodeUrlComponent", "<s-:s>", 1),
    ("encodeUrl", "<s-:s>", 1),
    ("decodeUrlComponent", "<s-:s>", 1),
    ("decodeUrl", "<s-:s>", 1),
    ("eval", "<sx?:x>", 2),
    ("toMillis", "<s-s?:n>", 2),
    ("fromMillis", "<n-s?s?:s>", 3),
    ("clone", "<(oa)-:o>", 1),
    ("now", "<s?s?:s>", 2),
    ("millis", "<:n>", 0),
];

/// AWS Step Functions' additions (only with `Host::aws_functions`).
const AWS_TABLE: &[(&str, &str, u8)] = &[
    ("partition", "<an:a>", 2),
    ("range", "<nnn?:a>", 3),
    ("hash", "<s-s?:s>", 2),
    ("random", "<n?:n>", 1),
    ("uuid", "<:s>", 0),
    ("parse", "<s-:x>", 1),
];

pub fn signature_of(name: &str, aws: bool) -> Option<(&'static str, &'static str)> {
    if aws {
        // "$eval is not available" in Step Functions: it is simply not bound there, so a
        // call fails like any undefined function (T1006), as AWS reports it.
        if name == "eval" {
            return None;
        }
        if let Some((n, s, _)) = AWS_TABLE.iter().find(|(n, _, _)| *n == name) {
            return Some((n, s));
        }
    }
    TABLE
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(n, s, _)| (*n, *s))
}

pub fn arity(f: &V) -> usize {
    match f {
        V::Fun(f) => match &**f {
            Fun::Lambda { params, .. } => params.len(),
            Fun::Native(name, sig) => AWS_TABLE
                .iter()
                .chain(TABLE.iter())
                .find(|(n, _, _)| n == name)
                .map(|x| x.2 as usize)
                .unwrap_or(sig.arity()),
            Fun::Partial(_, slots) => slots.iter().filter(|s| s.is_none()).count(),
            Fun::Regex(_) => 2,
            Fun::RegexNext(..) => 0,
            Fun::Transform(..) | Fun::Chain(..) => 1,
        },
        _ => 0,
    }
}

pub fn lookup(input: &V, key: &str) -> Option<V> {
    match input {
        V::Arr(a) => {
            let mut out = vec![];
            for item in &a.v {
                match lookup(item, key) {
                    Some(V::Arr(r)) => out.extend(r.v.iter().cloned()),
                    Some(v) => out.push(v),
                    None => {}
                }
            }
            Some(V::seq(out))
        }
        V::Obj(o) => o.get(key).cloned(),
        _ => None,
    }
}

pub fn boolean(v: &Option<V>) -> Option<bool> {
    v.as_ref().map(truthy)
}

fn truthy(v: &V) -> bool {
    match v {
        V::Arr(a) => {
            if a.v.len() == 1 {
                truthy(&a.v[0])
            } else {
                a.v.iter().any(truthy)
            }
        }
        V::Str(s) => !s.is_empty(),
        V::Num(n) => *n != 0.0 && !n.is_nan(),
        V::Obj(o) => !o.is_empty(),
        V::Bool(b) => *b,
        V::Null => false,
        V::Fun(f) => !matches!(**f, Fun::Regex(_) | Fun::RegexNext(..)),
    }
}

pub fn append(a: Option<V>, b: Option<V>) -> Option<V> {
    let a = match a {
        None => return b,
        Some(a) => a,
    };
    let b = match b {
        None => return Some(a),
        Some(b) => b,
    };
    let mut out = match a {
        V::Arr(x) => (*x).clone(),
        other => super::value::seq(vec![other]),
    };
    match b {
        V::Arr(y) => out.v.extend(y.v.iter().cloned()),
        other => out.v.push(other),
    }
    out.cons = false;
    out.keep = false;
    out.tuple = false;
    out.outer = false;
    Some(V::Arr(Rc::new(out)))
}

pub fn cmp_str(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Parses decimal number text (JS syntax: leading zeros allowed) through serde_json's
/// parser, which the crate has anyway (core's float parser would add wasm size).
pub fn parse_f64(s: &str) -> Option<f64> {
    let (sign, body) = match s.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", s.strip_prefix('+').unwrap_or(s)),
    };
    let trimmed = body.trim_start_matches('0');
    let body = if trimmed.is_empty() || !trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        format!("0{trimmed}")
    } else {
        trimmed.to_string()
    };
    serde_json::from_str::<f64>(&format!("{sign}{body}")).ok()
}

/// Shortest round-trip digits and decimal exponent: 123.45 -> ("12345", 3).
pub fn digits_exp(n: f64) -> (String, i32) {
    let sci = format!("{:e}", n.abs());
    let (m, e) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = m.chars().filter(|c| *c != '.').collect();
    (digits, e.parse::<i32>().unwrap_or(0) + 1)
}

/// `Math.abs(v).toFixed(dp)` for a value already rounded to at most `dp` decimals.
pub fn to_fixed(v: f64, dp: usize) -> String {
    let v = v.abs();
    if v == 0.0 {
        return if dp == 0 {
            "0".into()
        } else {
            format!("0.{}", "0".repeat(dp))
        };
    }
    let (digits, point) = digits_exp(v);
    let d: Vec<char> = digits.chars().collect();
    let mut int = String::new();
    let mut frac = String::new();
    for i in 0..point.max(1) {
        let idx = i as isize + if point < 1 { point as isize - 1 } else { 0 };
        int.push(if idx >= 0 {
            d.get(idx as usize).copied().unwrap_or('0')
        } else {
            '0'
        });
        if point < 1 {
            break;
        }
    }
    let start = point.max(0) as usize;
    for i in 0..dp {
        let idx = start as isize + i as isize - if point < 0 { -point as isize } else { 0 };
        frac.push(if idx >= 0 {
            d.get(idx as usize).copied().unwrap_or('0')
        } else {
            '0'
        });
    }
    if dp == 0 {
        int
    } else {
        format!("{int}.{frac}")
    }
}

/// Whether `x` (finite, positive) is above the decimal `digits` × 10^`exp`, exactly.
fn above_decimal(x: f64, digits: &str, exp: i32) -> bool {
    fn mul_small(a: &mut Vec<u32>, m: u32) {
        let mut carry = 0u64;
        for limb in a.iter_mut() {
            let t = *limb as u64 * m as u64 + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry > 0 {
            a.push(carry as u32);
        }
    }
    fn pow(a: &mut Vec<u32>, base: u32, n: i32) {
        for _ in 0..n {
            mul_small(a, base);
        }
    }
    let bits = x.to_bits();
    let (mant, e2) = {
        let e = ((bits >> 52) & 0x7ff) as i32;
        let m = bits & ((1u64 << 52) - 1);
        if e == 0 {
            (m, -1074)
        } else {
            (m | (1u64 << 52), e - 1075)
        }
    };
    let mut l = vec![mant as u32, (mant >> 32) as u32];
    let mut r = vec![0u32];
    for c in digits.bytes() {
        mul_small(&mut r, 10);
        let mut carry = (c - b'0') as u64;
        for limb in r.iter_mut() {
            let t = *limb as u64 + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry > 0 {
            r.push(carry as u32);
        }
    }
    pow(&mut l, 2, e2.max(0));
    pow(&mut r, 2, (-e2).max(0));
    pow(&mut r, 10, exp.max(0));
    pow(&mut l, 10, (-exp).max(0));
    let trim = |v: &mut Vec<u32>| {
        while v.len() > 1 && v.last() == Some(&0) {
            v.pop();
        }
    };
    trim(&mut l);
    trim(&mut r);
    if l.len() != r.len() {
        return l.len() > r.len();
    }
    for i in (0..l.len()).rev() {
        if l[i] != r[i] {
            return l[i] > r[i];
        }
    }
    false
}

/// A number rounded to 15 significant digits, as $string does with toPrecision(15).
fn precision15(n: f64) -> f64 {
    if n == 0.0 || !n.is_finite() {
        return n;
    }
    let (digits, point) = digits_exp(n);
    if digits.len() <= 15 {
        return n;
    }
    // round the decimal digits at the 15th, as toPrecision does on the exact value
    let mut d: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
    let up = if d.len() == 16 && d[15] == 5 {
        // a tie in the shortest digits: the exact binary value decides
        above_decimal(n.abs(), &digits, point - 16)
    } else {
        d[15] >= 5
    };
    d.truncate(15);
    let mut point = point;
    if up {
        let mut i = 14;
        loop {
            if d[i] == 9 {
                d[i] = 0;
                if i == 0 {
                    d.insert(0, 1);
                    d.pop();
                    point += 1;
                    break;
                }
                i -= 1;
            } else {
                d[i] += 1;
                break;
            }
        }
    }
    let text: String = d.iter().map(|x| (x + b'0') as char).collect();
    let sign = if n < 0.0 { "-" } else { "" };
    parse_f64(&format!("{sign}0.{text}e{point}")).unwrap_or(n)
}

pub fn string(_ctx: &mut Ctx, v: &V, pretty: bool) -> Result<String, Err> {
    Ok(match v {
        V::Str(s) => s.to_string(),
        V::Fun(_) => String::new(),
        V::Num(n) if !n.is_finite() => return Err(Err::new("D3001").val(v.clone())),
        other => {
            let other = match other {
                V::Arr(a) if a.outer && !a.v.is_empty() => a.v[0].clone(),
                o => o.clone(),
            };
            check_finite(&other)?;
            let mut out = String::new();
            write_json(&mut out, &other, if pretty { Some(0) } else { None });
            out
        }
    })
}

fn check_finite(v: &V) -> Result<(), Err> {
    match v {
        V::Num(n) if n.is_infinite() => Err(Err::new("D1001").val(v.clone())),
        V::Arr(a) => a.v.iter().try_for_each(check_finite),
        V::Obj(o) => o.values().try_for_each(check_finite),
        _ => Ok(()),
    }
}

/// Text of a value for message templates (`{{{message}}}`).
pub fn to_string(v: &V) -> String {
    match v {
        V::Str(s) => s.to_string(),
        other => {
            let mut out = String::new();
            write_json(&mut out, other, None);
            out
        }
    }
}

fn write_json(out: &mut String, v: &V, indent: Option<usize>) {
    let nl = |out: &mut String, level: usize| {
        if indent.is_some() {
            out.push('\n');
            out.push_str(&"  ".repeat(level));
        }
    };
    let level = indent.unwrap_or(0);
    match v {
        V::Null => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Num(n) => {
            if n.is_finite() {
                out.push_str(&crate::json::format_number(precision15(*n)))
            } else {
                out.push_str("null")
            }
        }
        V::Str(s) => out.push_str(&crate::json::stringify(&serde_json::Value::String(
            s.to_string(),
        ))),
        V::Fun(_) => out.push_str("\"\""),
        V::Arr(a) => {
            out.push('[');
            if a.v.is_empty() {
                out.push(']');
                return;
            }
            for (i, x) in a.v.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, level + 1);
                write_json(out, x, indent.map(|l| l + 1));
            }
            nl(out, level);
            out.push(']');
        }
        V::Obj(o) => {
            out.push('{');
            if o.is_empty() {
                out.push('}');
                return;
            }
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, level + 1);
                out.push_str(&crate::json::stringify(&serde_json::Value::String(
                    k.clone(),
                )));
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, x, indent.map(|l| l + 1));
            }
            nl(out, level);
            out.push('}');
        }
    }
}

#[inline(never)]
fn chars_slice(s: &str, a: usize, b: usize) -> String {
    s.chars().skip(a).take(b.saturating_sub(a)).collect()
}

/// The match object a regex returns: {match, start, end, groups, next}.
pub fn regex_match_obj(re: &std::sync::Arc<Re>, s: &Rc<str>, from: usize) -> Option<V> {
    let (start, end, groups) = re.exec(s, from)?;
    let mut o = Obj::new();
    o.insert("match".into(), V::str(&chars_slice(s, start, end)));
    o.insert("start".into(), V::Num(start as f64));
    o.insert("end".into(), V::Num(end as f64));
    o.insert(
        "groups".into(),
        V::arr(
            groups
                .into_iter()
                .map(|g| V::str(&g.unwrap_or_default()))
                .collect(),
        ),
    );
    o.insert(
        "next".into(),
        V::Fun(Rc::new(Fun::RegexNext(re.clone(), s.clone(), end))),
    );
    Some(V::obj(o))
}

#[inline(never)]
fn arg(args: &[Option<V>], i: usize) -> Option<V> {
    args.get(i).cloned().flatten()
}
#[inline(never)]
fn s_arg(args: &[Option<V>], i: usize) -> Option<Rc<str>> {
    match args.get(i) {
        Some(Some(V::Str(s))) => Some(s.clone()),
        _ => None,
    }
}
#[inline(never)]
fn n_arg(args: &[Option<V>], i: usize) -> Option<f64> {
    match args.get(i) {
        Some(Some(V::Num(n))) => Some(*n),
        _ => None,
    }
}
#[inline(never)]
fn num(n: f64) -> R {
    Ok(Some(V::Num(n)))
}
#[inline(never)]
fn st(s: &str) -> R {
    Ok(Some(V::str(s)))
}
#[inline(never)]
fn list(v: &Option<V>) -> Vec<V> {
    match v {
        None => vec![],
        Some(v) => items(v),
    }
}

/// Calls a function argument with as many of (value, index, array) as it takes.
#[inline(never)]
fn hof(ctx: &mut Ctx, f: &V, a: V, b: V, c: V) -> R {
    let n = arity(f);
    let mut args = vec![Some(a)];
    if n >= 2 {
        args.push(Some(b));
    }
    if n >= 3 {
        args.push(Some(c));
    }
    ctx.call(f, args)
}

#[inline(never)]
fn matcher(ctx: &mut Ctx, m: &V, s: &Rc<str>) -> R {
    let r = match m {
        V::Fun(f) => match &**f {
            Fun::Regex(re) => return Ok(regex_match_obj(re, s, 0)),
            _ => ctx.call(m, vec![Some(V::Str(s.clone()))])?,
        },
        _ => None,
    };
    check_match(r)
}

fn check_match(r: Option<V>) -> R {
    if let Some(v) = &r {
        let ok = match v {
            V::Obj(o) => {
                matches!(o.get("start"), Some(V::Num(_)))
                    || matches!(o.get("groups"), Some(V::Arr(_)))
                    || matches!(o.get("next"), Some(V::Fun(_)))
            }
            _ => false,
        };
        if !ok {
            return Err(Err::new("T1010"));
        }
    }
    Ok(r)
}

#[inline(never)]
fn next_match(ctx: &mut Ctx, m: &V) -> R {
    let next = match m {
        V::Obj(o) => o.get("next").cloned(),
        _ => None,
    };
    match next {
        Some(f @ V::Fun(_)) => {
            let r = ctx.call(&f, vec![])?;
            check_match(r)
        }
        _ => Ok(None),
    }
}

#[inline(never)]
fn field_num(m: &V, k: &str) -> usize {
    match m {
        V::Obj(o) => match o.get(k) {
            Some(V::Num(n)) if *n >= 0.0 => *n as usize,
            _ => 0,
        },
        _ => 0,
    }
}
#[inline(never)]
fn field_str(m: &V, k: &str) -> String {
    match m {
        V::Obj(o) => match o.get(k) {
            Some(V::Str(s)) => s.to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

pub fn call(ctx: &mut Ctx, name: &str, args: Vec<Option<V>>, input: &Option<V>, env: &Env) -> R {
    let a0 = arg(&args, 0);
    if ctx.aws() {
        match name {
            "partition" => {
                let arr = list(&a0);
                let size = n_arg(&args, 1).unwrap_or(0.0);
                if size.is_nan() || size < 1.0 || size.fract() != 0.0 {
                    return Err(Err::new("D3030")
                        .val(V::Num(size))
                        .idx(2)
                        .msg("The size argument of $partition must be a positive integer"));
                }
                let out: Vec<V> = arr
                    .chunks(size as usize)
                    .map(|c| V::arr(c.to_vec()))
                    .collect();
                return Ok(Some(V::arr(out)));
            }
            "range" => {
                let start = n_arg(&args, 0).unwrap_or(0.0);
                let end = n_arg(&args, 1).unwrap_or(0.0);
                let step = n_arg(&args, 2).unwrap_or(1.0);
                if step == 0.0 || !step.is_finite() {
                    return Err(Err::new("D3030")
                        .val(V::Num(step))
                        .idx(3)
                        .msg("The step argument of $range must not be zero"));
                }
                let mut out = vec![];
                let mut x = start;
                while (step > 0.0 && x <= end) || (step < 0.0 && x >= end) {
                    if out.len() >= 1_000_000 {
                        return Err(Err::new("D2014").val(V::Num(out.len() as f64)));
                    }
                    out.push(V::Num(x));
                    x += step;
                }
                return Ok(Some(V::arr(out)));
            }
            "hash" => {
                let s = match s_arg(&args, 0) {
                    Some(s) => s,
                    None => return Ok(None),
                };
                let alg = s_arg(&args, 1)
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "SHA-256".into());
                return match hash::hex(&alg, s.as_bytes()) {
                    Some(h) => st(&h),
                    None => Err(Err::new("D3137").msg(&format!(
                        "Unsupported hash algorithm {alg}; supported: MD5, SHA-1, SHA-256, SHA-384, SHA-512"
                    ))),
                };
            }
            "random" => {
                return match n_arg(&args, 0) {
                    Some(seed) => {
                        let mut r = crate::exec::rng::Rng::new(seed.to_bits());
                        num(r.next_f64())
                    }
                    None => num(ctx.host.rng.next_f64()),
                };
            }
            "uuid" => {
                let u = ctx.host.rng.uuid_v4();
                return st(&u);
            }
            "parse" => {
                let s = match s_arg(&args, 0) {
                    Some(s) => s,
                    None => return Ok(None),
                };
                return match serde_json::from_str::<serde_json::Value>(&s) {
                    Ok(v) => Ok(Some(from_json(&v))),
                    Err(_) => Err(Err::new("D3137").msg(&format!("Unable to parse JSON: {s}"))),
                };
            }
            _ => {}
        }
    }
    match name {
        "sum" | "max" | "min" | "average" => {
            let v = match &a0 {
                None => return Ok(None),
                Some(v) => items(v),
            };
            let nums: Vec<f64> = v.iter().filter_map(|x| x.num()).collect();
            match name {
                "sum" => num(nums.iter().sum()),
                _ if nums.is_empty() => Ok(None),
                "max" => num(nums.iter().cloned().fold(f64::NEG_INFINITY, f64::max)),
                "min" => num(nums.iter().cloned().fold(f64::INFINITY, f64::min)),
                _ => num(nums.iter().sum::<f64>() / nums.len() as f64),
            }
        }
        "count" => num(list(&a0).len() as f64),
        "string" => match &a0 {
            None => Ok(None),
            Some(v) => {
                let pretty = matches!(arg(&args, 1), Some(V::Bool(true)));
                let s = string(ctx, v, pretty)?;
                st(&s)
            }
        },
        "substring" => {
            let s = match s_arg(&args, 0) {
                Some(s) => s,
                None => return Ok(None),
            };
            let chars: Vec<char> = s.chars().collect();
            let len = chars.len() as f64;
            if n_arg(&args, 1).is_none() && n_arg(&args, 2).is_some() {
                return st(""); // JS: slice(undefined, NaN)
            }
            let mut start = n_arg(&args, 1).unwrap_or(0.0);
            if len + start < 0.0 {
                start = 0.0;
            }
            let slice = |a: f64, b: f64| -> String {
                let norm = |x: f64| -> usize {
                    let x = if x.is_nan() { 0.0 } else { x.trunc() };
                    if x < 0.0 {
                        (len + x).max(0.0) as usize
                    } else {
                        x.min(len) as usize
                    }
                };
                let (a, b) = (norm(a), norm(b));
                if a >= b {
                    String::new()
                } else {
                    chars[a..b].iter().collect()
                }
            };
            match n_arg(&args, 2) {
                Some(l) => {
                    if l <= 0.0 {
                        return st("");
                    }
                    let end = if start >= 0.0 {
                        start + l
                    } else {
                        len + start + l
                    };
                    st(&slice(start, end))
                }
                None => st(&slice(start, len)),
            }
        }
        "substringBefore" | "substringAfter" => {
            let s = match s_arg(&args, 0) {
                Some(s) => s,
                None => return Ok(None),
            };
            // JS searches for "undefined" when the second argument is missing
            let t = s_arg(&args, 1).unwrap_or_else(|| Rc::from("undefined"));
            match s.find(&*t) {
                Some(p) if name == "substringBefore" => st(&s[..p]),
                Some(p) => st(&s[p + t.len()..]),
                None => st(&s),
            }
        }
        "lowercase" => Ok(s_arg(&args, 0).map(|s| V::str(&super::case::lower(&s)))),
        "uppercase" => Ok(s_arg(&args, 0).map(|s| V::str(&super::case::upper(&s)))),
        "length" => Ok(s_arg(&args, 0).map(|s| V::Num(s.chars().count() as f64))),
        "trim" => Ok(s_arg(&args, 0).map(|s| {
            let mut out = String::new();
            let mut ws = false;
            for c in s.chars() {
                if matches!(c, ' ' | '\t' | '\n' | '\r') {
                    ws = true;
                } else {
                    if ws {
                        out.push(' ');
                        ws = false;
                    }
                    out.push(c);
                }
            }
            if ws {
                out.push(' ');
            }
            let out = out.strip_prefix(' ').unwrap_or(&out);
            let out = out.strip_suffix(' ').unwrap_or(out);
            V::str(out)
        })),
        "pad" => {
            let s = match s_arg(&args, 0) {
                Some(s) => s,
                None => return Ok(None),
            };
            let width = n_arg(&args, 1).unwrap_or(0.0);
            let ch = match s_arg(&args, 2) {
                Some(c) if !c.is_empty() => c.to_string(),
                _ => " ".into(),
            };
            if width.is_nan() || width.abs() > super::MAX_TEXT {
                return Err(super::too_large());
            }
            let pad_len = width.abs().trunc() as i64 - s.chars().count() as i64;
            if pad_len <= 0 {
                return st(&s);
            }
            let padding: String = ch.chars().cycle().take(pad_len as usize).collect();
            if width > 0.0 {
                st(&format!("{s}{padding}"))
            } else {
                st(&format!("{padding}{s}"))
            }
        }
        "contains" => {
            let s = match s_arg(&args, 0) {
                Some(s) => s,
                None => return Ok(None),
            };
            match arg(&args, 1) {
                Some(V::Str(t)) => Ok(Some(V::Bool(s.contains(&*t)))),
                Some(m) => Ok(Some(V::Bool(matcher(ctx, &m, &s)?.is_some()))),
                None => Ok(Some(V::Bool(false))),
            }
        }
        "match" => {
            let s = match s_arg(&args, 0) {
                Some(s) => s,
                None => return Ok(None),
            };
            let limit = n_arg(&args, 2);
            if let Some(l) = limit {
                if l < 0.0 {
                    return Err(Err::new("D3040").val(V::Num(l)).idx(3));
                }
            }
            let mut out = vec![];
            if limit.map(|l| l > 0.0).unwrap_or(true) {
                let m = arg(&args, 1).unwrap_or(V::Null);
                let mut cur = matcher(ctx, &m, &s)?;
                while let Some(mv) = cur {
                    if let Some(l) = limit {
                        if out.len() as f64 >= l {
                            break;
                        }
                    }
                    let mut o = Obj::new();
                    o.insert("match".into(), V::str(&field_str(&mv, "match")));
                    o.insert("index".into(), V::Num(field_num(&mv, "start") as f64));
                    let groups = match &mv {
                        V::Obj(x) => x.get("groups").cloned().unwrap_or(V::arr(vec![])),
                        _ => V::arr(vec![]),
                    };
                    o.insert("groups".into(), groups);
                    out.push(V::obj(o));
                    cur = next_match(ctx, &mv)?;
                }
            }
            Ok(Some(V::seq(out)))
        }
        "replace" => replace(ctx, &args),
        "split" => {
            let s = match s_arg(&args, 0) {
                Some(s) => s,
                None => return Ok(None),
            };
            let limit = n_arg(&args, 2);
            if let Some(l) = limit {
                if l < 0.0 {
                    return Err(Err::new("D3020").val(V::Num(l)).idx(3));
                }
            }
            let lim = limit.map(|l| l.floor() as usize).unwrap_or(usize::MAX);
            let mut out: Vec<V> = vec![];
            if limit.map(|l| l > 0.0).unwrap_or(true) {
                match arg(&args, 1) {
                    Some(V::Str(sep)) => {
                        if sep.is_empty() {
                            out = s.chars().map(|c| V::str(&c.to_string())).collect();
                        } else {
                            out = s.split(&*sep).map(V::str).collect();
                        }
                        out.truncate(lim);
                    }
                    Some(m) => {
                        let mut cur = matcher(ctx, &m, &s)?;
                        if cur.is_some() {
                            let mut start = 0;
                            let mut count = 0;
                            while let Some(mv) = cur {
                                if count >= lim {
                                    break;
                                }
                                out.push(V::str(&chars_slice(&s, start, field_num(&mv, "start"))));
                                start = field_num(&mv, "end");
                                cur = next_match(ctx, &mv)?;
                                count += 1;
                            }
                            if count < lim {
                                out.push(V::str(&s.chars().skip(start).collect::<String>()));
                            }
                        } else {
                            out.push(V::Str(s.clone()));
                        }
                    }
                    None => {}
                }
            }
            Ok(Some(V::arr(out)))
        }
        "join" => {
            let v = match &a0 {
                None => return Ok(None),
                Some(v) => items(v),
            };
            let sep = s_arg(&args, 1).map(|s| s.to_string()).unwrap_or_default();
            let parts: Vec<String> = v
                .iter()
                .map(|x| match x {
                    V::Str(s) => s.to_string(),
                    _ => String::new(),
                })
                .collect();
            st(&parts.join(&sep))
        }
        "formatNumber" => match n_arg(&args, 0) {
            None => Ok(None),
            Some(n) => {
                let pic = s_arg(&args, 1).map(|s| s.to_string()).unwrap_or_default();
                let opts = match arg(&args, 2) {
                    Some(V::Obj(o)) => Some(o),
                    _ => None,
                };
                st(&format::format_number(n, &pic, opts.as_deref())?)
            }
        },
        "formatBase" => match n_arg(&args, 0) {
            None => Ok(None),
            Some(n) => {
                if !n.is_finite() {
                    return st(&crate::json::format_number(n));
                }
                let v = round_half_even(n, 0.0);
                let radix = n_arg(&args, 1)
                    .map(|r| round_half_even(r, 0.0))
                    .unwrap_or(10.0);
                if !(2.0..=36.0).contains(&radix) {
                    return Err(Err::new("D3100").val(V::Num(radix)));
                }
                st(&to_radix(v, radix as u32))
            }
        },
        "formatInteger" => match n_arg(&args, 0) {
            None => Ok(None),
            Some(n) => {
                let pic = s_arg(&args, 1).map(|s| s.to_string()).unwrap_or_default();
                st(&datetime::format_integer(n, &pic)?)
            }
        },
        "parseInteger" => match s_arg(&args, 0) {
            None => Ok(None),
            Some(s) => {
                let pic = s_arg(&args, 1).map(|s| s.to_string()).unwrap_or_default();
                Ok(datetime::parse_integer(&s, &pic)?.map(V::Num))
            }
        },
        "number" => match &a0 {
            None => Ok(None),
            Some(V::Num(n)) => num(*n),
            Some(V::Bool(b)) => num(if *b { 1.0 } else { 0.0 }),
            Some(V::Str(s)) => match parse_number(s) {
                Some(n) => num(n),
                None => Err(Err::new("D3030").val(V::Str(s.clone())).idx(1)),
            },
            Some(other) => Err(Err::new("D3030").val(other.clone()).idx(1)),
        },
        "floor" => Ok(n_arg(&args, 0).map(|n| V::Num(n.floor()))),
        "ceil" => Ok(n_arg(&args, 0).map(|n| V::Num(n.ceil()))),
        "abs" => Ok(n_arg(&args, 0).map(|n| V::Num(n.abs()))),
        "round" => {
            Ok(n_arg(&args, 0).map(|n| V::Num(round_half_even(n, n_arg(&args, 1).unwrap_or(0.0)))))
        }
        "sqrt" => match n_arg(&args, 0) {
            None => Ok(None),
            Some(n) if n < 0.0 => Err(Err::new("D3060").val(V::Num(n)).idx(1)),
            Some(n) => num(n.sqrt()),
        },
        "power" => match n_arg(&args, 0) {
            None => Ok(None),
            Some(b) => {
                let e = n_arg(&args, 1).unwrap_or(f64::NAN);
                let r = js_pow(b, e);
                if !r.is_finite() {
                    let exp = match n_arg(&args, 1) {
                        Some(e) => crate::json::format_number(e),
                        None => "undefined".into(),
                    };
                    return Err(Err::new("D3061").val(V::Num(b)).text(&exp).idx(1));
                }
                num(r)
            }
        },
        "random" => num(ctx.host.rng.next_f64()),
        // a function passed to a function arrives as a JS closure: falsy there
        "boolean" | "not" => {
            let b = match &a0 {
                Some(V::Fun(_)) => Some(false),
                other => boolean(other),
            };
            Ok(b.map(|b| V::Bool(if name == "not" { !b } else { b })))
        }
        "map" | "filter" => {
            let arr = match &a0 {
                None => return Ok(None),
                Some(v) => items(v),
            };
            let f = arg(&args, 1).unwrap_or(V::Null);
            let whole = a0.clone().unwrap_or(V::Null);
            let mut out = vec![];
            for (i, x) in arr.iter().enumerate() {
                let r = hof(ctx, &f, x.clone(), V::Num(i as f64), whole.clone())?;
                if name == "map" {
                    if let Some(r) = r {
                        out.push(r);
                    }
                } else if boolean(&r) == Some(true) {
                    out.push(x.clone());
                }
            }
            Ok(Some(V::seq(out)))
        }
        "single" => {
            let arr = match &a0 {
                None => return Ok(None),
                Some(v) => items(v),
            };
            let f = arg(&args, 1);
            let whole = a0.clone().unwrap_or(V::Null);
            let mut found: Option<V> = None;
            for (i, x) in arr.iter().enumerate() {
                let ok = match &f {
                    Some(f) => {
                        let r = hof(ctx, f, x.clone(), V::Num(i as f64), whole.clone())?;
                        boolean(&r) == Some(true)
                    }
                    None => true,
                };
                if ok {
                    if found.is_some() {
                        return Err(Err::new("D3138").idx(i));
                    }
                    found = Some(x.clone());
                }
            }
            match found {
                Some(v) => Ok(Some(v)),
                None => Err(Err::new("D3139")),
            }
        }
        "zip" => {
            let arrays: Vec<Vec<V>> = args
                .iter()
                .map(|a| match a {
                    Some(V::Arr(x)) => x.v.clone(),
                    _ => vec![],
                })
                .collect();
            let len = arrays.iter().map(|a| a.len()).min().unwrap_or(0);
            let out: Vec<V> = (0..len)
                .map(|i| V::arr(arrays.iter().map(|a| a[i].clone()).collect()))
                .collect();
            Ok(Some(V::arr(out)))
        }
        "reduce" => {
            let arr = match &a0 {
                None => return Ok(None),
                Some(v) => items(v),
            };
            let f = arg(&args, 1).unwrap_or(V::Null);
            let n = arity(&f);
            if n < 2 {
                return Err(Err::new("D3050").idx(1));
            }
            let init = arg(&args, 2);
            let (mut acc, start) = match init {
                None if !arr.is_empty() => (Some(arr[0].clone()), 1),
                other => (other, 0),
            };
            for (i, x) in arr.iter().enumerate().skip(start) {
                let mut a = vec![acc, Some(x.clone())];
                if n >= 3 {
                    a.push(Some(V::Num(i as f64)));
                }
                if n >= 4 {
                    a.push(a0.clone());
                }
                acc = ctx.call(&f, a)?;
            }
            Ok(acc)
        }
        "sift" | "each" => {
            let o = match &a0 {
                Some(V::Obj(o)) => o.clone(),
                _ => {
                    return if name == "each" {
                        Ok(Some(V::seq(vec![])))
                    } else {
                        Ok(None)
                    }
                }
            };
            let f = arg(&args, 1).unwrap_or(V::Null);
            let whole = V::Obj(o.clone());
            let mut res = Obj::new();
            let mut out = vec![];
            for (k, v) in o.iter() {
                let r = hof(ctx, &f, v.clone(), V::str(k), whole.clone())?;
                if name == "each" {
                    if let Some(r) = r {
                        out.push(r);
                    }
                } else if boolean(&r) == Some(true) {
                    res.insert(k.clone(), v.clone());
                }
            }
            if name == "each" {
                Ok(Some(V::seq(out)))
            } else if res.is_empty() {
                Ok(None)
            } else {
                Ok(Some(V::obj(res)))
            }
        }
        "keys" => {
            let mut keys: Vec<String> = vec![];
            let mut add = |o: &Obj| {
                for k in o.keys() {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            };
            match &a0 {
                Some(V::Obj(o)) => add(o),
                Some(V::Arr(a)) => {
                    for x in &a.v {
                        if let V::Obj(o) = x {
                            add(o);
                        }
                    }
                }
                _ => {}
            }
            Ok(Some(V::seq(keys.iter().map(|k| V::str(k)).collect())))
        }
        "lookup" => {
            let k = s_arg(&args, 1).unwrap_or_else(|| Rc::from(""));
            Ok(a0.as_ref().and_then(|v| lookup(v, &k)))
        }
        "append" => Ok(append(a0, arg(&args, 1))),
        "exists" => Ok(Some(V::Bool(a0.is_some()))),
        "spread" => Ok(a0.map(|v| spread(&v))),
        "merge" => match &a0 {
            None => Ok(None),
            Some(v) => {
                let mut res = Obj::new();
                for x in items(v) {
                    if let V::Obj(o) = x {
                        for (k, y) in o.iter() {
                            res.insert(k.clone(), y.clone());
                        }
                    }
                }
                Ok(Some(V::obj(res)))
            }
        },
        "reverse" => match &a0 {
            None => Ok(None),
            Some(V::Arr(a)) if a.v.len() <= 1 => Ok(a0.clone()),
            Some(v) => {
                let mut x = items(v);
                x.reverse();
                Ok(Some(V::arr(x)))
            }
        },
        "error" => {
            let m = s_arg(&args, 0)
                .map(|s| s.to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "$error() function evaluated".into());
            Err(Err::new("D3137").msg(&m))
        }
        "assert" => {
            if !matches!(a0, Some(V::Bool(true))) {
                let m = s_arg(&args, 1)
                    .map(|s| s.to_string())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "$assert() statement failed".into());
                return Err(Err::new("D3141").msg(&m));
            }
            Ok(None)
        }
        "type" => Ok(a0.map(|v| {
            V::str(match v {
                V::Null => "null",
                V::Num(_) => "number",
                V::Str(_) => "string",
                V::Bool(_) => "boolean",
                V::Arr(_) => "array",
                V::Fun(_) => "function",
                V::Obj(_) => "object",
            })
        })),
        "sort" => {
            let v = match &a0 {
                None => return Ok(None),
                Some(v) => v.clone(),
            };
            let arr = items(&v);
            if arr.len() <= 1 {
                return Ok(Some(v));
            }
            let f = arg(&args, 1);
            let idx: Vec<usize> = (0..arr.len()).collect();
            let sorted = match f {
                None => {
                    let all_num = arr.iter().all(|x| matches!(x, V::Num(_)));
                    let all_str = arr.iter().all(|x| matches!(x, V::Str(_)));
                    if !all_num && !all_str {
                        return Err(Err::new("D3070").idx(1));
                    }
                    merge_sort(idx, &mut |a, b| {
                        Ok(match (&arr[a], &arr[b]) {
                            (V::Num(x), V::Num(y)) => x > y,
                            (V::Str(x), V::Str(y)) => cmp_str(x, y) == std::cmp::Ordering::Greater,
                            _ => false,
                        })
                    })?
                }
                Some(f) => merge_sort(idx, &mut |a, b| {
                    let r = ctx.call(&f, vec![Some(arr[a].clone()), Some(arr[b].clone())])?;
                    Ok(boolean(&r) == Some(true))
                })?,
            };
            Ok(Some(V::arr(
                sorted.into_iter().map(|i| arr[i].clone()).collect(),
            )))
        }
        "shuffle" => {
            let v = match &a0 {
                None => return Ok(None),
                Some(v) => items(v),
            };
            let mut v = v;
            for i in (1..v.len()).rev() {
                let j = (ctx.host.rng.next_f64() * (i + 1) as f64) as usize;
                v.swap(i, j.min(i));
            }
            Ok(Some(V::arr(v)))
        }
        "distinct" => match &a0 {
            None => Ok(None),
            Some(V::Arr(a)) if a.v.len() > 1 => {
                let mut out: Vec<V> = vec![];
                for x in &a.v {
                    if !out.iter().any(|y| deep_eq(x, y)) {
                        out.push(x.clone());
                    }
                }
                let mut r = Arr {
                    v: out,
                    ..Default::default()
                };
                r.seq = a.seq;
                Ok(Some(V::Arr(Rc::new(r))))
            }
            other => Ok(other.clone()),
        },
        "base64encode" => Ok(s_arg(&args, 0).map(|s| {
            // Buffer.from(str, 'binary'): the low byte of each UTF-16 unit
            let bytes: Vec<u8> = s.encode_utf16().map(|u| u as u8).collect();
            V::str(&base64_encode(&bytes))
        })),
        "base64decode" => Ok(s_arg(&args, 0).map(|s| {
            let bytes = base64_decode(&s);
            V::str(&bytes.iter().map(|b| *b as char).collect::<String>())
        })),
        "encodeUrlComponent" | "encodeUrl" => Ok(s_arg(&args, 0).map(|s| {
            let keep = if name == "encodeUrl" {
                ";,/?:@&=+$#-_.!~*'()"
            } else {
                "-_.!~*'()"
            };
            let mut out = String::new();
            for c in s.chars() {
                if c.is_ascii_alphanumeric() || keep.contains(c) {
                    out.push(c);
                } else {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
            }
            V::str(&out)
        })),
        "decodeUrlComponent" | "decodeUrl" => match s_arg(&args, 0) {
            None => Ok(None),
            Some(s) => match url_decode(&s, name == "decodeUrl") {
                Some(d) => st(&d),
                None => Err(Err::new("D3140").val(V::Str(s.clone())).text(name)),
            },
        },
        "eval" => {
            let src = match s_arg(&args, 0) {
                None => return Ok(None),
                Some(s) => s,
            };
            let focus = match arg(&args, 1) {
                Some(V::Arr(a)) if !a.seq => {
                    let mut b = (*a).clone();
                    b.seq = true;
                    b.outer = true;
                    Some(V::Arr(Rc::new(b)))
                }
                Some(v) => Some(v),
                None => input.clone(),
            };
            let ast = match super::parser::parse_limited(&src, ctx.stack_left()) {
                Ok(a) => a,
                Err(e) => {
                    let m = e.finish().message;
                    return Err(Err::new("D3120").val(V::str(&m)));
                }
            };
            match ctx.eval(&ast, &focus, env) {
                Ok(v) => Ok(v),
                Err(e) => {
                    if e.code == "U1001" {
                        return Err(e);
                    }
                    let m = e.finish().message;
                    Err(Err::new("D3121").val(V::str(&m)))
                }
            }
        }
        "toMillis" => match s_arg(&args, 0) {
            None => Ok(None),
            Some(s) => {
                let pic = s_arg(&args, 1).map(|p| p.to_string());
                Ok(
                    datetime::to_millis(&s, pic.as_deref(), ctx.host.now_millis as f64)?
                        .map(V::Num),
                )
            }
        },
        "fromMillis" => match n_arg(&args, 0) {
            None => Ok(None),
            Some(n) => {
                let pic = s_arg(&args, 1).map(|p| p.to_string());
                let tz = s_arg(&args, 2).map(|p| p.to_string());
                st(&datetime::from_millis(n, pic.as_deref(), tz.as_deref())?)
            }
        },
        "now" => {
            let pic = s_arg(&args, 0).map(|p| p.to_string());
            let tz = s_arg(&args, 1).map(|p| p.to_string());
            let now = ctx.host.now_millis as f64;
            st(&datetime::from_millis(now, pic.as_deref(), tz.as_deref())?)
        }
        "millis" => num(ctx.host.now_millis as f64),
        "clone" => match &a0 {
            None => Ok(None),
            Some(v) => {
                let s = string(ctx, v, false)?;
                Ok(serde_json::from_str::<serde_json::Value>(&s)
                    .ok()
                    .map(|j| from_json(&j)))
            }
        },
        _ => Err(Err::new("T1006")),
    }
}

fn spread(v: &V) -> V {
    match v {
        V::Arr(a) => {
            let mut out: Option<V> = Some(V::seq(vec![]));
            for x in &a.v {
                out = append(out, Some(spread(x)));
            }
            out.unwrap_or(V::seq(vec![]))
        }
        V::Obj(o) => V::seq(
            o.iter()
                .map(|(k, x)| {
                    let mut m = Obj::new();
                    m.insert(k.clone(), x.clone());
                    V::obj(m)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn replace(ctx: &mut Ctx, args: &[Option<V>]) -> R {
    let s = match s_arg(args, 0) {
        Some(s) => s,
        None => return Ok(None),
    };
    let pattern = arg(args, 1);
    if matches!(&pattern, Some(V::Str(p)) if p.is_empty()) {
        return Err(Err::new("D3010").val(V::str("")).idx(2));
    }
    let limit = n_arg(args, 3);
    if let Some(l) = limit {
        if l < 0.0 {
            return Err(Err::new("D3011").val(V::Num(l)).idx(4));
        }
    }
    let repl = arg(args, 2).unwrap_or(V::Null);
    let lim = limit.map(|l| l.ceil() as usize).unwrap_or(usize::MAX);
    if limit.map(|l| l <= 0.0).unwrap_or(false) {
        return st(&s);
    }
    match pattern {
        Some(V::Str(p)) => {
            let r = match &repl {
                V::Str(r) => r.to_string(),
                _ => "undefined".to_string(), // JS string concatenation of undefined
            };
            let mut out = String::new();
            let mut rest: &str = &s;
            let mut count = 0;
            while count < lim {
                match rest.find(&*p) {
                    Some(i) => {
                        out.push_str(&rest[..i]);
                        out.push_str(&r);
                        rest = &rest[i + p.len()..];
                        count += 1;
                    }
                    None => break,
                }
            }
            out.push_str(rest);
            st(&out)
        }
        Some(m) => {
            let mut cur = matcher(ctx, &m, &s)?;
            if cur.is_none() {
                return st(&s);
            }
            let chars: Vec<char> = s.chars().collect();
            let mut out = String::new();
            let mut pos = 0usize;
            let mut count = 0;
            while let Some(mv) = cur {
                if count >= lim {
                    break;
                }
                let start = field_num(&mv, "start");
                out.extend(
                    chars[pos.min(chars.len())..start.min(chars.len()).max(pos.min(chars.len()))]
                        .iter(),
                );
                let with = match &repl {
                    V::Str(r) => Some(V::str(&substitute(r, &mv))),
                    f @ V::Fun(_) => ctx.call(f, vec![Some(mv.clone())])?,
                    _ => None,
                };
                match with {
                    Some(V::Str(w)) => out.push_str(&w),
                    other => {
                        let mut e = Err::new("D3012");
                        if let Some(o) = other {
                            e = e.val(o);
                        }
                        return Err(e);
                    }
                }
                pos = start + field_str(&mv, "match").chars().count();
                count += 1;
                cur = next_match(ctx, &mv)?;
            }
            if pos < chars.len() {
                out.extend(chars[pos..].iter());
            }
            st(&out)
        }
        None => st(&s),
    }
}

fn substitute(r: &str, m: &V) -> String {
    let groups: Vec<String> = match m {
        V::Obj(o) => match o.get("groups") {
            Some(V::Arr(a)) => {
                a.v.iter()
                    .map(|g| match g {
                        V::Str(s) => s.to_string(),
                        _ => String::new(),
                    })
                    .collect()
            }
            _ => vec![],
        },
        _ => vec![],
    };
    let whole = field_str(m, "match");
    let rc: Vec<char> = r.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < rc.len() {
        let c = rc[i];
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        match rc.get(i) {
            Some('$') => {
                out.push('$');
                i += 1;
            }
            Some('0') => {
                out.push_str(&whole);
                i += 1;
            }
            _ => {
                let max_digits = if groups.is_empty() {
                    1
                } else {
                    (groups.len() as f64).log10().floor() as usize + 1
                };
                let digits: String = rc[i..]
                    .iter()
                    .take(max_digits)
                    .take_while(|d| d.is_ascii_digit())
                    .collect();
                let mut idx: Option<usize> = digits.parse().ok();
                let mut used = digits.len();
                if max_digits > 1 {
                    if let Some(n) = idx {
                        if n > groups.len() {
                            let d2: String = digits.chars().take(max_digits - 1).collect();
                            idx = d2.parse().ok();
                            used = d2.len();
                        }
                    }
                }
                match idx {
                    Some(n) => {
                        if !groups.is_empty() && n >= 1 {
                            if let Some(g) = groups.get(n - 1) {
                                out.push_str(g);
                            }
                        }
                        i += used;
                    }
                    None => out.push('$'),
                }
            }
        }
    }
    out
}

pub fn round_half_even(arg: f64, precision: f64) -> f64 {
    let shift = |x: f64, p: f64| -> f64 {
        let s = crate::json::format_number(x);
        let (m, e) = match s.split_once('e') {
            Some((m, e)) => (m.to_string(), parse_f64(e).unwrap_or(0.0)),
            None => (s.clone(), 0.0),
        };
        parse_f64(&format!("{}e{}", m, e + p)).unwrap_or(x)
    };
    let p = precision.trunc();
    let a = if p != 0.0 { shift(arg, p) } else { arg };
    let mut r = (a + 0.5).floor();
    let diff = r - a;
    if diff.abs() == 0.5 && (r % 2.0).abs() == 1.0 {
        r -= 1.0;
    }
    if p != 0.0 {
        r = shift(r, -p);
    }
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn js_pow(b: f64, e: f64) -> f64 {
    if e.is_nan() {
        return f64::NAN;
    }
    if (b == 1.0 || b == -1.0) && e.is_infinite() {
        return f64::NAN;
    }
    b.powf(e)
}

fn to_radix(v: f64, radix: u32) -> String {
    let neg = v < 0.0;
    let mut n = v.abs() as u128;
    if n == 0 {
        return "0".into();
    }
    let mut digits = vec![];
    while n > 0 {
        let d = (n % radix as u128) as u32;
        digits.push(std::char::from_digit(d, radix).unwrap_or('0'));
        n /= radix as u128;
    }
    if neg {
        digits.push('-');
    }
    digits.iter().rev().collect()
}

fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let ds = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let decimal_ok = i > ds;
    if decimal_ok {
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let fs = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == fs {
                return None;
            }
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                i += 1;
            }
            let es = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == es {
                return None;
            }
        }
        if i == b.len() {
            let n: f64 = parse_f64(s)?;
            return if n.is_finite() { Some(n) } else { None };
        }
    }
    // 0x.., 0o.., 0b.. (the regex only anchors the start of the first alternative)
    let lower = s.to_ascii_lowercase();
    for (p, r) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = lower.strip_prefix(p) {
            if !rest.is_empty() && rest.chars().all(|c| c.is_digit(r)) {
                return u64::from_str_radix(rest, r).ok().map(|n| n as f64);
            }
        }
    }
    None
}

fn url_decode(s: &str, keep_reserved: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut out: Vec<u8> = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = s.get(i + 1..i + 3)?;
            let v = u8::from_str_radix(h, 16).ok()?;
            if keep_reserved && v < 0x80 && ";/?:@&=+$,#".contains(v as char) {
                out.extend_from_slice(&b[i..i + 3]);
            } else {
                out.push(v);
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.len();
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= n {
                out.push(B64[(v >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> Vec<u8> {
    let mut out = vec![];
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        // Node's decoder also takes the URL alphabet and skips anything else
        let c = match c {
            b'-' => b'+',
            b'_' => b'/',
            c => c,
        };
        let v = match B64.iter().position(|x| *x == c) {
            Some(v) => v as u32,
            None => continue,
        };
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits & 0xff) as u8);
        }
    }
    out
}

#[allow(dead_code)]
fn unused(_: &V) -> serde_json::Value {
    to_json(&V::Null)
}

#[allow(dead_code)]
fn check(v: &V) -> Result<bool, Err> {
    num_ok(v)
}
