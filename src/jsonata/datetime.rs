//! Dates and integer pictures (a port of jsonata-js's datetime.js): $fromMillis / $toMillis
//! with XPath F&O picture strings (ISO 8601 by default), $formatInteger / $parseInteger.
//! All calendar arithmetic is proleptic Gregorian in UTC, like JS `Date.UTC`.

use super::Err;
use regex_lite::Regex;

const FEW: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];
const ORDINALS: [&str; 20] = [
    "Zeroth",
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
    "Thirteenth",
    "Fourteenth",
    "Fifteenth",
    "Sixteenth",
    "Seventeenth",
    "Eighteenth",
    "Nineteenth",
];
const DECADES: [&str; 9] = [
    "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred",
];
const MAGNITUDES: [&str; 4] = ["Thousand", "Million", "Billion", "Trillion"];
const DAYS: [&str; 8] = [
    "",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAY_MS: f64 = 86_400_000.0;

fn words(num: f64, prev: bool, ord: bool) -> String {
    if num <= 19.0 {
        let i = num.max(0.0) as usize;
        let w = if ord { ORDINALS[i] } else { FEW[i] };
        format!("{}{}", if prev { " and " } else { "" }, w)
    } else if num < 100.0 {
        let tens = (num / 10.0).floor() as usize;
        let rem = num % 10.0;
        let mut w = format!("{}{}", if prev { " and " } else { "" }, DECADES[tens - 2]);
        if rem > 0.0 {
            w.push('-');
            w.push_str(&words(rem, false, ord));
        } else if ord {
            w.pop();
            w.push_str("ieth");
        }
        w
    } else if num < 1000.0 {
        let hundreds = (num / 100.0).floor() as usize;
        let rem = num % 100.0;
        let mut w = format!("{}{} Hundred", if prev { ", " } else { "" }, FEW[hundreds]);
        if rem > 0.0 {
            w.push_str(&words(rem, true, ord));
        } else if ord {
            w.push_str("th");
        }
        w
    } else {
        let mut mag = (num.log10() / 3.0).floor() as usize;
        if mag > MAGNITUDES.len() {
            mag = MAGNITUDES.len();
        }
        let factor = 10f64.powi(mag as i32 * 3);
        let mant = (num / factor).floor();
        let rem = num - mant * factor;
        let mut w = format!(
            "{}{} {}",
            if prev { ", " } else { "" },
            words(mant, false, false),
            MAGNITUDES[mag - 1]
        );
        if rem > 0.0 {
            w.push_str(&words(rem, true, ord));
        } else if ord {
            w.push_str("th");
        }
        w
    }
}

fn word_value(w: &str) -> Option<f64> {
    for (i, x) in FEW.iter().enumerate() {
        if x.eq_ignore_ascii_case(w) {
            return Some(i as f64);
        }
    }
    for (i, x) in ORDINALS.iter().enumerate() {
        if x.eq_ignore_ascii_case(w) {
            return Some(i as f64);
        }
    }
    for (i, x) in DECADES.iter().enumerate() {
        let l = x.to_ascii_lowercase();
        let ieth = format!("{}ieth", &l[..l.len() - 1]);
        if l == w || ieth == w {
            return Some(((i + 2) * 10) as f64);
        }
    }
    if w == "hundredth" {
        return Some(100.0);
    }
    for (i, x) in MAGNITUDES.iter().enumerate() {
        let l = x.to_ascii_lowercase();
        if l == w || format!("{l}th") == w {
            return Some(10f64.powi((i as i32 + 1) * 3));
        }
    }
    None
}

fn all_words() -> Vec<String> {
    let mut v: Vec<String> = FEW
        .iter()
        .chain(ORDINALS.iter())
        .map(|w| w.to_ascii_lowercase())
        .collect();
    for d in DECADES {
        let l = d.to_ascii_lowercase();
        v.push(format!("{}ieth", &l[..l.len() - 1]));
        v.push(l);
    }
    v.push("hundredth".into());
    for m in MAGNITUDES {
        let l = m.to_ascii_lowercase();
        v.push(format!("{l}th"));
        v.push(l);
    }
    v
}

fn words_to_number(text: &str) -> f64 {
    let sep = Regex::new(r",\s|\sand\s|[\s\\-]").ok();
    let parts: Vec<&str> = match &sep {
        Some(r) => r.split(text).collect(),
        None => vec![text],
    };
    let mut segs: Vec<f64> = vec![0.0];
    for p in parts {
        let value = word_value(p).unwrap_or(f64::NAN);
        if value < 100.0 {
            let mut top = segs.pop().unwrap_or(0.0);
            if top >= 1000.0 {
                segs.push(top);
                top = 0.0;
            }
            segs.push(top + value);
        } else {
            let top = segs.pop().unwrap_or(0.0);
            segs.push(top * value);
        }
    }
    segs.iter().sum()
}

const ROMAN: [(f64, &str); 13] = [
    (1000.0, "m"),
    (900.0, "cm"),
    (500.0, "d"),
    (400.0, "cd"),
    (100.0, "c"),
    (90.0, "xc"),
    (50.0, "l"),
    (40.0, "xl"),
    (10.0, "x"),
    (9.0, "ix"),
    (5.0, "v"),
    (4.0, "iv"),
    (1.0, "i"),
];

fn to_roman(mut v: f64) -> String {
    let mut out = String::new();
    if v >= 1e7 {
        return out; // callers reject this (jsonata-js overflows its stack)
    }
    'outer: while v >= 1.0 {
        for (n, s) in ROMAN {
            if v >= n {
                out.push_str(s);
                v -= n;
                continue 'outer;
            }
        }
        break;
    }
    out
}

fn from_roman(r: &str) -> f64 {
    let mut dec = 0.0;
    let mut max = 1.0;
    for c in r.chars().rev() {
        let v = match c {
            'M' => 1000.0,
            'D' => 500.0,
            'C' => 100.0,
            'L' => 50.0,
            'X' => 10.0,
            'V' => 5.0,
            'I' => 1.0,
            _ => f64::NAN,
        };
        if v < max {
            dec -= v;
        } else {
            max = v;
            dec += v;
        }
    }
    dec
}

fn to_letters(mut v: f64, a: char) -> String {
    let mut out = vec![];
    while v > 0.0 {
        let c = ((v - 1.0) % 26.0) as u32 + a as u32;
        out.push(char::from_u32(c).unwrap_or('?'));
        v = ((v - 1.0) / 26.0).floor();
    }
    out.iter().rev().collect()
}

fn from_letters(s: &str, a: char) -> f64 {
    let mut dec = 0.0;
    for (i, c) in s.chars().rev().enumerate() {
        dec += (c as u32 as f64 - a as u32 as f64 + 1.0) * 26f64.powi(i as i32);
    }
    dec
}

#[derive(Clone, Copy, Debug, PartialEq, Default)]
enum Prim {
    #[default]
    Decimal,
    Letters,
    Roman,
    Words,
    Sequence,
}

#[derive(Clone, Copy, Debug, PartialEq, Default)]
enum Case {
    Upper,
    #[default]
    Lower,
    Title,
}

#[derive(Clone, Debug, Default)]
struct IntFmt {
    primary: Prim,
    case: Case,
    ordinal: bool,
    zero: u32,
    mandatory: usize,
    optional: usize,
    regular: bool,
    /// (position, character); one entry when regular
    seps: Vec<(usize, char)>,
    token: String,
    n: i64,
}

const DECIMAL_GROUPS: [u32; 37] = [
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10,
];

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn analyse_int(picture: &str) -> Result<IntFmt, Err> {
    let mut f = IntFmt {
        zero: 0x30,
        ..Default::default()
    };
    let primary = match picture.rfind(';') {
        None => picture,
        Some(i) => {
            if picture[i + 1..].starts_with('o') {
                f.ordinal = true;
            }
            &picture[..i]
        }
    };
    match primary {
        "A" => {
            f.case = Case::Upper;
            f.primary = Prim::Letters;
        }
        "a" => f.primary = Prim::Letters,
        "I" => {
            f.case = Case::Upper;
            f.primary = Prim::Roman;
        }
        "i" => f.primary = Prim::Roman,
        "W" => {
            f.case = Case::Upper;
            f.primary = Prim::Words;
        }
        "Ww" => {
            f.case = Case::Title;
            f.primary = Prim::Words;
        }
        "w" => f.primary = Prim::Words,
        _ => {
            let mut zero: Option<u32> = None;
            let mut seps = vec![];
            let mut pos = 0;
            for c in primary.chars().rev() {
                let cp = c as u32;
                let mut digit = false;
                for g in DECIMAL_GROUPS {
                    if cp >= g && cp <= g + 9 {
                        digit = true;
                        f.mandatory += 1;
                        pos += 1;
                        match zero {
                            None => zero = Some(g),
                            Some(z) if z != g => return Err(Err::new("D3131")),
                            _ => {}
                        }
                        break;
                    }
                }
                if !digit {
                    if c == '#' {
                        pos += 1;
                        f.optional += 1;
                    } else {
                        seps.push((pos, c));
                    }
                }
            }
            if f.mandatory > 0 {
                f.primary = Prim::Decimal;
                f.zero = zero.unwrap_or(0x30);
                let regular = if seps.is_empty() || seps.iter().any(|s| s.1 != seps[0].1) {
                    0
                } else {
                    let idx: Vec<usize> = seps.iter().map(|s| s.0).collect();
                    let factor = idx.iter().copied().fold(idx[0], gcd);
                    if factor > 0 && (1..=idx.len()).all(|i| idx.contains(&(i * factor))) {
                        factor
                    } else {
                        0
                    }
                };
                if regular > 0 {
                    f.regular = true;
                    f.seps = vec![(regular, seps[0].1)];
                } else {
                    f.seps = seps;
                }
            } else {
                f.primary = Prim::Sequence;
                f.token = primary.to_string();
            }
        }
    }
    Ok(f)
}

fn format_int(value: f64, f: &IntFmt) -> Result<String, Err> {
    let neg = value < 0.0;
    let value = value.abs();
    let mut s = match f.primary {
        Prim::Letters => to_letters(value, if f.case == Case::Upper { 'A' } else { 'a' }),
        Prim::Roman => {
            if value >= 1e7 || value.is_nan() {
                return Err(Err::new("U1001"));
            }
            let r = to_roman(value);
            if f.case == Case::Upper {
                r.to_ascii_uppercase()
            } else {
                r
            }
        }
        Prim::Words => {
            let w = words(value, false, f.ordinal);
            match f.case {
                Case::Upper => w.to_ascii_uppercase(),
                Case::Lower => w.to_ascii_lowercase(),
                Case::Title => w,
            }
        }
        Prim::Decimal => {
            let mut s = crate::json::format_number(value);
            let len = s.chars().count();
            if f.mandatory as f64 > super::MAX_TEXT {
                return Err(super::too_large());
            }
            if f.mandatory > len {
                s = format!("{}{}", "0".repeat(f.mandatory - len), s);
            }
            if f.zero != 0x30 {
                s = s
                    .chars()
                    .map(|c| char::from_u32(c as u32 + f.zero - 0x30).unwrap_or(c))
                    .collect();
            }
            let mut chars: Vec<char> = s.chars().collect();
            if f.regular {
                if let Some(&(p, c)) = f.seps.first() {
                    let n = (chars.len().saturating_sub(1)) / p;
                    for ii in (1..=n).rev() {
                        let pos = chars.len() - ii * p;
                        chars.insert(pos, c);
                    }
                }
            } else {
                // JS substr semantics: a negative position keeps only the tail
                for &(p, c) in f.seps.iter().rev() {
                    let len = chars.len() as i64;
                    let pos = len - p as i64;
                    if pos >= 0 {
                        chars.insert(pos as usize, c);
                    } else {
                        let tail = chars.split_off((len + pos).max(0) as usize);
                        chars = std::iter::once(c).chain(tail).collect();
                    }
                }
            }
            let mut s: String = chars.iter().collect();
            if f.ordinal {
                let last = chars.last().copied().unwrap_or('0');
                let prev = if chars.len() > 1 {
                    chars[chars.len() - 2]
                } else {
                    ' '
                };
                let suffix = match last {
                    '1' => "st",
                    '2' => "nd",
                    '3' => "rd",
                    _ => "th",
                };
                s.push_str(if prev == '1' { "th" } else { suffix });
            }
            s
        }
        Prim::Sequence => {
            return Err(Err::new("D3130").val(super::value::V::str(&f.token)));
        }
    };
    if neg {
        s.insert(0, '-');
    }
    Ok(s)
}

pub fn format_integer(value: f64, picture: &str) -> Result<String, Err> {
    let f = analyse_int(picture)?;
    format_int(value.floor(), &f)
}

/// (regex, parser) for one integer format.
fn int_matcher(f: &IntFmt) -> Result<String, Err> {
    let upper = f.case == Case::Upper;
    let occ = if f.n > 0 {
        if f.optional == 0 {
            format!("{{{}}}", f.n)
        } else {
            format!("{{{},{}}}", f.n - f.optional as i64, f.n)
        }
    } else {
        "+".into()
    };
    Ok(match f.primary {
        Prim::Letters => if upper { "[A-Z]+" } else { "[a-z]+" }.into(),
        Prim::Roman => if upper { "[MDCLXVI]+" } else { "[mdclxvi]+" }.into(),
        Prim::Words => {
            let mut w = all_words();
            w.push("and".into());
            w.push("[\\-, ]".into());
            format!("(?:{})+", w.join("|"))
        }
        Prim::Decimal => {
            let mut r = format!("[0-9]{occ}");
            if f.ordinal {
                r.push_str("(?:th|st|nd|rd)");
            }
            r
        }
        Prim::Sequence => return Err(Err::new("D3130").val(super::value::V::str(&f.token))),
    })
}

fn int_parse(f: &IntFmt, value: &str) -> f64 {
    let upper = f.case == Case::Upper;
    match f.primary {
        Prim::Letters => from_letters(value, if upper { 'A' } else { 'a' }),
        Prim::Roman => from_roman(&if upper {
            value.to_string()
        } else {
            value.to_ascii_uppercase()
        }),
        Prim::Words => words_to_number(&value.to_ascii_lowercase()),
        _ => {
            let mut digits = value.to_string();
            if f.ordinal {
                let n = digits.chars().count();
                digits = digits.chars().take(n.saturating_sub(2)).collect();
            }
            if f.regular {
                digits = digits.replace(',', "");
            } else {
                for (_, c) in &f.seps {
                    digits = digits.replace(*c, "");
                }
            }
            if f.zero != 0x30 {
                digits = digits
                    .chars()
                    .map(|c| {
                        (c as u32 + 0x30)
                            .checked_sub(f.zero)
                            .and_then(char::from_u32)
                            .unwrap_or(c)
                    })
                    .collect();
            }
            parse_int_prefix(&digits)
        }
    }
}

/// JS parseInt(s, 10): leading integer, NaN when none.
fn parse_int_prefix(s: &str) -> f64 {
    let t = s.trim_start();
    let (sign, body) = match t.strip_prefix('-') {
        Some(b) => (-1.0, b),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits: String = body.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return f64::NAN;
    }
    sign * super::functions::parse_f64(&digits).unwrap_or(f64::NAN)
}

pub fn parse_integer(value: &str, picture: &str) -> Result<Option<f64>, Err> {
    let f = analyse_int(picture)?;
    int_matcher(&f)?;
    Ok(Some(int_parse(&f, value)))
}

// ---- date/time pictures ----

#[derive(Clone, Debug)]
enum Part {
    Lit(String),
    Marker(Box<Marker>),
}

#[derive(Clone, Debug, Default)]
struct Marker {
    component: char,
    width: Option<(Option<usize>, Option<usize>)>,
    p1: String,
    p2: Option<char>,
    names: Option<Case>,
    int: Option<IntFmt>,
    n: i64,
}

fn default_pres(c: char) -> Option<&'static str> {
    Some(match c {
        'Y' | 'M' | 'D' | 'd' | 'W' | 'w' | 'X' | 'x' | 'H' | 'h' | 'f' => "1",
        'F' | 'P' | 'C' | 'E' => "n",
        'm' | 's' => "01",
        'Z' | 'z' => "01:01",
        _ => return None,
    })
}

fn analyse_dt(picture: &str) -> Result<Vec<Part>, Err> {
    let p: Vec<char> = picture.chars().collect();
    let mut spec = vec![];
    let add_lit = |spec: &mut Vec<Part>, a: usize, b: usize| {
        if b > a {
            let lit: String = p[a..b].iter().collect();
            spec.push(Part::Lit(lit.replace("]]", "]")));
        }
    };
    let (mut start, mut pos) = (0, 0);
    while pos < p.len() {
        if p[pos] == '[' {
            if p.get(pos + 1) == Some(&'[') {
                add_lit(&mut spec, start, pos);
                spec.push(Part::Lit("[".into()));
                pos += 2;
                start = pos;
                continue;
            }
            add_lit(&mut spec, start, pos);
            start = pos;
            pos = match p[start..].iter().position(|c| *c == ']') {
                Some(i) => start + i,
                None => return Err(Err::new("D3135")),
            };
            let marker: String = p[start + 1..pos]
                .iter()
                .filter(|c| !c.is_whitespace())
                .collect();
            let mut m = Marker {
                component: marker.chars().next().unwrap_or('\0'),
                ..Default::default()
            };
            let mc: Vec<char> = marker.chars().collect();
            let pres: String = match mc.iter().rposition(|c| *c == ',') {
                Some(comma) => {
                    let wm: String = mc[comma + 1..].iter().collect();
                    let pw = |s: &str| -> Option<usize> {
                        if s == "*" || s.is_empty() {
                            None
                        } else {
                            let v = parse_int_prefix(s);
                            if v.is_nan() {
                                None
                            } else {
                                Some(v as usize)
                            }
                        }
                    };
                    m.width = Some(match wm.split_once('-') {
                        None => (pw(&wm), None),
                        Some((a, b)) => (pw(a), pw(b)),
                    });
                    // JS substring(1, comma) swaps its bounds when comma is 0 (a marker
                    // that starts with ','): then it is the first character.
                    mc[comma.min(1)..comma.max(1)].iter().collect()
                }
                None => mc.iter().skip(1).collect(),
            };
            let pc: Vec<char> = pres.chars().collect();
            if pc.len() == 1 {
                m.p1 = pres.clone();
            } else if pc.len() > 1 {
                let last = pc[pc.len() - 1];
                if "atco".contains(last) {
                    m.p2 = Some(last);
                    m.p1 = pc[..pc.len() - 1].iter().collect();
                } else {
                    m.p1 = pres.clone();
                }
            } else {
                match default_pres(m.component) {
                    Some(d) => m.p1 = d.into(),
                    None => {
                        return Err(Err::new("D3132").val(super::value::V::str(
                            &m.component.to_string().replace('\0', ""),
                        )))
                    }
                }
            }
            let first = m.p1.chars().next();
            if first == Some('n') {
                m.names = Some(Case::Lower);
            } else if first == Some('N') {
                m.names = Some(if m.p1.chars().nth(1) == Some('n') {
                    Case::Title
                } else {
                    Case::Upper
                });
            } else if "YMDdFWwXxHhmsf".contains(m.component) {
                let mut pat = m.p1.clone();
                if let Some(p2) = m.p2 {
                    pat.push(';');
                    pat.push(p2);
                }
                let mut f = analyse_int(&pat)?;
                if let Some((Some(min), _)) = m.width {
                    if f.mandatory < min {
                        f.mandatory = min;
                    }
                }
                if "YMD".contains(m.component) {
                    m.n = -1;
                    if let Some((_, Some(max))) = m.width {
                        m.n = max as i64;
                        f.mandatory = max;
                    } else {
                        let w = f.mandatory + f.optional;
                        if w >= 2 {
                            m.n = w as i64;
                        }
                    }
                }
                m.int = Some(f);
            }
            if m.component == 'Z' || m.component == 'z' {
                m.int = Some(analyse_int(&m.p1)?);
            }
            spec.push(Part::Marker(Box::new(m)));
            start = pos + 1;
        }
        pos += 1;
    }
    add_lit(&mut spec, start, pos.min(p.len()));
    Ok(spec)
}

// civil date helpers (Howard Hinnant's algorithms)
fn days_from_civil(y: f64, m: f64, d: f64) -> f64 {
    let y = if m <= 2.0 { y - 1.0 } else { y };
    let era = (if y >= 0.0 { y } else { y - 399.0 } / 400.0).floor();
    let yoe = y - era * 400.0;
    let mp = (m + 9.0) % 12.0;
    let doy = ((153.0 * mp + 2.0) / 5.0).floor() + d - 1.0;
    let doe = yoe * 365.0 + (yoe / 4.0).floor() - (yoe / 100.0).floor() + doy;
    era * 146097.0 + doe - 719468.0
}

fn civil_from_days(z: f64) -> (f64, f64, f64) {
    let z = z + 719468.0;
    let era = (if z >= 0.0 { z } else { z - 146096.0 } / 146097.0).floor();
    let doe = z - era * 146097.0;
    let yoe = ((doe - (doe / 1460.0).floor() + (doe / 36524.0).floor() - (doe / 146096.0).floor())
        / 365.0)
        .floor();
    let y = yoe + era * 400.0;
    let doy = doe - (365.0 * yoe + (yoe / 4.0).floor() - (yoe / 100.0).floor());
    let mp = ((5.0 * doy + 2.0) / 153.0).floor();
    let d = doy - ((153.0 * mp + 2.0) / 5.0).floor() + 1.0;
    let m = if mp < 10.0 { mp + 3.0 } else { mp - 9.0 };
    (if m <= 2.0 { y + 1.0 } else { y }, m, d)
}

/// JS Date.UTC(y, monthIndex, d, h, mi, s, ms) with overflow normalisation.
pub fn date_utc(y: f64, mo: f64, d: f64, h: f64, mi: f64, s: f64, ms: f64) -> f64 {
    // like JS, years 0 to 99 mean 1900 to 1999
    let y = if (0.0..=99.0).contains(&y) && y.fract() == 0.0 {
        y + 1900.0
    } else {
        y
    };
    date_utc_raw(y, mo, d, h, mi, s, ms)
}

fn date_utc_raw(y: f64, mo: f64, d: f64, h: f64, mi: f64, s: f64, ms: f64) -> f64 {
    let ym = y + (mo / 12.0).floor();
    let mn = mo.rem_euclid(12.0);
    let days = days_from_civil(ym, mn + 1.0, 1.0) + d - 1.0;
    days * DAY_MS + h * 3_600_000.0 + mi * 60_000.0 + s * 1000.0 + ms
}

#[derive(Clone, Copy)]
struct Dt {
    ms: f64,
    y: f64,
    mo: f64, // 0-based
    d: f64,
    wd: f64, // 0 = Sunday
    h: f64,
    mi: f64,
    s: f64,
    f: f64,
}

fn dt(ms: f64) -> Dt {
    let days = (ms / DAY_MS).floor();
    let rem = ms - days * DAY_MS;
    let (y, m, d) = civil_from_days(days);
    Dt {
        ms,
        y,
        mo: m - 1.0,
        d,
        wd: (days + 4.0).rem_euclid(7.0),
        h: (rem / 3_600_000.0).floor(),
        mi: (rem / 60_000.0).floor() % 60.0,
        s: (rem / 1000.0).floor() % 60.0,
        f: rem % 1000.0,
    }
}

fn start_of_first_week(y: f64, m: f64) -> f64 {
    let (y, m) = (y + (m / 12.0).floor(), m.rem_euclid(12.0));
    let jan1 = date_utc(y, m, 1.0, 0.0, 0.0, 0.0, 0.0);
    let mut dow = dt(jan1).wd;
    if dow == 0.0 {
        dow = 7.0;
    }
    if dow > 4.0 {
        jan1 + (8.0 - dow) * DAY_MS
    } else {
        jan1 - (dow - 1.0) * DAY_MS
    }
}

fn delta_weeks(a: f64, b: f64) -> f64 {
    (b - a) / (DAY_MS * 7.0) + 1.0
}

enum Frag {
    N(f64),
    S(&'static str),
}

fn fragment(t: &Dt, c: char) -> Frag {
    Frag::N(match c {
        'Y' => t.y,
        'M' => t.mo + 1.0,
        'D' => t.d,
        'd' => {
            let today = date_utc(t.y, t.mo, t.d, 0.0, 0.0, 0.0, 0.0);
            let jan1 = date_utc(t.y, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0);
            (today - jan1) / DAY_MS + 1.0
        }
        'F' => {
            if t.wd == 0.0 {
                7.0
            } else {
                t.wd
            }
        }
        'W' => {
            let s1 = start_of_first_week(t.y, 0.0);
            let today = date_utc(t.y, t.mo, t.d, 0.0, 0.0, 0.0, 0.0);
            let mut week = delta_weeks(s1, today);
            if week > 52.0 {
                if today >= start_of_first_week(t.y + 1.0, 0.0) {
                    week = 1.0;
                }
            } else if week < 1.0 {
                week = delta_weeks(start_of_first_week(t.y - 1.0, 0.0), today);
            }
            week.floor()
        }
        'w' => {
            let s1 = start_of_first_week(t.y, t.mo);
            let today = date_utc(t.y, t.mo, t.d, 0.0, 0.0, 0.0, 0.0);
            let mut week = delta_weeks(s1, today);
            if week > 4.0 {
                if today >= start_of_first_week(t.y, t.mo + 1.0) {
                    week = 1.0;
                }
            } else if week < 1.0 {
                week = delta_weeks(start_of_first_week(t.y, t.mo - 1.0), today);
            }
            week.floor()
        }
        'X' => {
            let s = start_of_first_week(t.y, 0.0);
            let e = start_of_first_week(t.y + 1.0, 0.0);
            if t.ms < s {
                t.y - 1.0
            } else if t.ms >= e {
                t.y + 1.0
            } else {
                t.y
            }
        }
        'x' => {
            let s = start_of_first_week(t.y, t.mo);
            let e = start_of_first_week(t.y, t.mo + 1.0);
            if t.ms < s {
                (t.mo - 1.0).rem_euclid(12.0) + 1.0
            } else if t.ms >= e {
                (t.mo + 1.0).rem_euclid(12.0) + 1.0
            } else {
                t.mo + 1.0
            }
        }
        'H' => t.h,
        'h' => {
            let h = t.h % 12.0;
            if h == 0.0 {
                12.0
            } else {
                h
            }
        }
        'P' => return Frag::S(if t.h >= 12.0 { "pm" } else { "am" }),
        'm' => t.mi,
        's' => t.s,
        'f' => t.f,
        'C' | 'E' => return Frag::S("ISO"),
        'Z' | 'z' => return Frag::S(""),
        _ => return Frag::S("undefined"),
    })
}

fn format_component(t: &Dt, m: &Marker, oh: f64, om: f64) -> Result<String, Err> {
    let c = m.component;
    let frag = fragment(t, c);
    if "YMDdFWwXxHhms".contains(c) {
        let mut v = match frag {
            Frag::N(n) => n,
            Frag::S(_) => 0.0,
        };
        if c == 'Y' && m.n != -1 {
            v %= 10f64.powi(m.n as i32);
        }
        if let Some(names) = m.names {
            let mut name = if c == 'M' || c == 'x' {
                MONTHS
                    .get((v - 1.0) as usize)
                    .copied()
                    .unwrap_or("")
                    .to_string()
            } else if c == 'F' {
                DAYS.get(v as usize).copied().unwrap_or("").to_string()
            } else {
                return Err(Err::new("D3133").val(super::value::V::str(&c.to_string())));
            };
            match names {
                Case::Upper => name = name.to_ascii_uppercase(),
                Case::Lower => name = name.to_ascii_lowercase(),
                Case::Title => {}
            }
            if let Some((_, Some(max))) = m.width {
                if name.chars().count() > max {
                    name = name.chars().take(max).collect();
                }
            }
            return Ok(name);
        }
        return format_int(v, m.int.as_ref().unwrap_or(&IntFmt::default()));
    }
    match c {
        'f' => {
            let v = match frag {
                Frag::N(n) => n,
                _ => 0.0,
            };
            format_int(v, m.int.as_ref().unwrap_or(&IntFmt::default()))
        }
        'Z' | 'z' => {
            let f = m.int.clone().unwrap_or_default();
            let offset = oh * 100.0 + om;
            let mut s = if f.regular {
                format_int(offset, &f)?
            } else {
                let nd = f.mandatory;
                if nd == 1 || nd == 2 {
                    let mut s = format_int(oh, &f)?;
                    if om != 0.0 {
                        s.push(':');
                        s.push_str(&format_integer(om, "00")?);
                    }
                    s
                } else if nd == 3 || nd == 4 {
                    format_int(offset, &f)?
                } else {
                    return Err(Err::new("D3134").val(super::value::V::Num(nd as f64)));
                }
            };
            if offset >= 0.0 {
                s.insert(0, '+');
            }
            if c == 'z' {
                s = format!("GMT{s}");
            }
            if offset == 0.0 && m.p2 == Some('t') {
                s = "Z".into();
            }
            Ok(s)
        }
        'P' => {
            let s = match frag {
                Frag::S(s) => s.to_string(),
                _ => String::new(),
            };
            Ok(if m.names == Some(Case::Upper) {
                s.to_ascii_uppercase()
            } else {
                s
            })
        }
        _ => Ok(match frag {
            Frag::S(s) => s.to_string(),
            Frag::N(n) => crate::json::format_number(n),
        }),
    }
}

const ISO_PICTURE: &str = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";

pub fn from_millis(millis: f64, picture: Option<&str>, tz: Option<&str>) -> Result<String, Err> {
    let (mut oh, mut om) = (0.0, 0.0);
    if let Some(tz) = tz {
        let off = parse_int_prefix(tz);
        if !off.is_nan() {
            oh = (off / 100.0).floor();
            om = off % 100.0;
        }
    }
    let spec = analyse_dt(picture.unwrap_or(ISO_PICTURE))?;
    // a JS Date holds whole milliseconds (TimeClip truncates)
    let t = dt((millis + (60.0 * oh + om) * 60_000.0).trunc());
    let mut out = String::new();
    for p in &spec {
        match p {
            Part::Lit(l) => out.push_str(l),
            Part::Marker(m) => out.push_str(&format_component(&t, m, oh, om)?),
        }
    }
    Ok(out)
}

fn regex_escape(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        if ".*+?^${}()|[]\\".contains(c) {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

enum Parse {
    None,
    Int(IntFmt),
    Tz(char, Option<char>),
    Names(Vec<(String, f64)>),
}

pub fn to_millis(s: &str, picture: Option<&str>, now: f64) -> Result<Option<f64>, Err> {
    match picture {
        None => {
            // jsonata-js's (loose) check first: text that passes it but is no valid date
            // gives NaN from Date.parse, i.e. null in JSON
            let check = Regex::new(
                r"^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$",
            );
            if !check.map(|r| r.is_match(s)).unwrap_or(false) {
                return Err(Err::new("D3110").val(super::value::V::str(s)));
            }
            Ok(Some(iso_parse(s).unwrap_or(f64::NAN)))
        }
        Some(p) => parse_dt(s, p, now),
    }
}

fn iso_parse(s: &str) -> Option<f64> {
    let re = Regex::new(
        r"^(\d{4})(?:-([01]\d))?(?:-([0-3]\d))?(?:T([0-2]\d):([0-5]\d):([0-5]\d))?(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$",
    )
    .ok()?;
    // jsonata's check is looser (repeated groups); the common forms are these
    let c = re.captures(s)?;
    if c.get(8).is_some() && c.get(4).is_none() {
        return None; // an offset needs a time (Date.parse gives NaN)
    }
    let num = |i: usize, d: f64| {
        c.get(i)
            .and_then(|m| super::functions::parse_f64(m.as_str()))
            .unwrap_or(d)
    };
    let y = num(1, 0.0);
    let mo = num(2, 1.0);
    let d = num(3, 1.0);
    let h = num(4, 0.0);
    let mi = num(5, 0.0);
    let sec = num(6, 0.0);
    let frac = c
        .get(7)
        .map(|m| {
            let digits: String = m.as_str()[1..]
                .chars()
                .chain("000".chars())
                .take(3)
                .collect();
            super::functions::parse_f64(&digits).unwrap_or(0.0)
        })
        .unwrap_or(0.0);
    if !(1.0..=12.0).contains(&mo) || !(1.0..=31.0).contains(&d) || h > 24.0 {
        return None;
    }
    let mut ms = date_utc_raw(y, mo - 1.0, d, h, mi, sec, frac);
    if let Some(z) = c.get(8) {
        let z = z.as_str();
        if z != "Z" {
            let sign = if z.starts_with('-') { -1.0 } else { 1.0 };
            let digits: String = z[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            let hh: f64 = super::functions::parse_f64(&digits[..2]).unwrap_or(0.0);
            let mm: f64 = super::functions::parse_f64(&digits[2..]).unwrap_or(0.0);
            ms -= sign * (hh * 60.0 + mm) * 60_000.0;
        }
    }
    Some(ms)
}

/// Parsed date/time components by letter (a tiny map; no hashing code in the wasm).
#[derive(Default)]
struct Comps(Vec<(char, f64)>);

impl Comps {
    fn get(&self, c: &char) -> Option<&f64> {
        self.0.iter().find(|(k, _)| k == c).map(|(_, v)| v)
    }
    fn contains_key(&self, c: &char) -> bool {
        self.get(c).is_some()
    }
    fn insert(&mut self, c: char, v: f64) {
        match self.0.iter_mut().find(|(k, _)| *k == c) {
            Some(slot) => slot.1 = v,
            None => self.0.push((c, v)),
        }
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn parse_dt(ts: &str, picture: &str, now: f64) -> Result<Option<f64>, Err> {
    let spec = analyse_dt(picture)?;
    let mut regex = String::from("^");
    let mut parsers: Vec<(char, Parse)> = vec![];
    for p in &spec {
        match p {
            Part::Lit(l) => {
                regex.push('(');
                regex.push_str(&regex_escape(l));
                regex.push(')');
                parsers.push((' ', Parse::None));
            }
            Part::Marker(m) => {
                let c = m.component;
                if c == 'Z' || c == 'z' {
                    let f = m.int.clone().unwrap_or_default();
                    let sep = if f.regular {
                        f.seps.first().map(|s| s.1)
                    } else {
                        None
                    };
                    let mut r = String::new();
                    if c == 'z' {
                        r.push_str("GMT");
                    }
                    r.push_str("[-+][0-9]+");
                    if let Some(sc) = sep {
                        r.push_str(&regex_escape(&sc.to_string()));
                        r.push_str("[0-9]+");
                    }
                    regex.push_str(&format!("({r})"));
                    parsers.push((c, Parse::Tz(c, sep)));
                } else if let Some(f) = &m.int {
                    let mut f = f.clone();
                    f.n = m.n;
                    let r = int_matcher(&f)?;
                    regex.push_str(&format!("({r})"));
                    parsers.push((c, Parse::Int(f)));
                } else {
                    let mut lookup: Vec<(String, f64)> = vec![];
                    let trunc = |n: &str| -> String {
                        match m.width {
                            Some((_, Some(max))) if max > 0 => n.chars().take(max).collect(),
                            _ => n.to_string(),
                        }
                    };
                    if c == 'M' || c == 'x' {
                        for (i, n) in MONTHS.iter().enumerate() {
                            lookup.push((trunc(n), (i + 1) as f64));
                        }
                    } else if c == 'F' {
                        for (i, n) in DAYS.iter().enumerate().skip(1) {
                            lookup.push((trunc(n), i as f64));
                        }
                    } else if c == 'P' {
                        lookup = vec![
                            ("am".into(), 0.0),
                            ("AM".into(), 0.0),
                            ("pm".into(), 1.0),
                            ("PM".into(), 1.0),
                        ];
                    } else {
                        return Err(Err::new("D3133").val(super::value::V::str(&c.to_string())));
                    }
                    regex.push_str("([a-zA-Z]+)");
                    parsers.push((c, Parse::Names(lookup)));
                }
            }
        }
    }
    regex.push('$');
    let re = match Regex::new(&format!("(?i){regex}")) {
        Ok(r) => r,
        Err(_) => return Ok(None),
    };
    let caps = match re.captures(ts) {
        Some(c) => c,
        None => return Ok(None),
    };
    let mut comps = Comps::default();
    for (i, (c, p)) in parsers.iter().enumerate() {
        let text = caps.get(i + 1).map(|m| m.as_str()).unwrap_or("");
        let v = match p {
            Parse::None => continue,
            Parse::Int(f) => int_parse(f, text),
            Parse::Names(l) => match l.iter().find(|(n, _)| n == text) {
                Some((_, v)) => *v,
                None => continue,
            },
            Parse::Tz(cc, sep) => {
                let v = if *cc == 'z' {
                    text.get(3..).unwrap_or("")
                } else {
                    text
                };
                let (oh, om) = match sep {
                    Some(sc) => {
                        let idx = v.find(*sc).unwrap_or(v.len());
                        (
                            parse_int_prefix(&v[..idx]),
                            parse_int_prefix(v.get(idx + sc.len_utf8()..).unwrap_or("")),
                        )
                    }
                    None => {
                        if v.chars().count() - 1 <= 2 {
                            (parse_int_prefix(v), 0.0)
                        } else {
                            (parse_int_prefix(&v[..3]), parse_int_prefix(&v[3..]))
                        }
                    }
                };
                oh * 60.0 + om
            }
        };
        comps.insert(*c, v);
    }
    if comps.is_empty() {
        return Ok(None);
    }
    let mut mask: u32 = 0;
    let shift = |mask: &mut u32, present: bool| {
        *mask <<= 1;
        if present {
            *mask += 1;
        }
    };
    let present = |comps: &Comps, c: char| -> bool {
        comps
            .get(&c)
            .map(|v| *v != 0.0 && !v.is_nan())
            .unwrap_or(false)
    };
    for c in "YXMxWwdD".chars() {
        shift(&mut mask, present(&comps, c));
    }
    let is_type = |t: u32, mask: u32| (!t & mask) == 0 && (t & mask) != 0;
    let date_a = is_type(161, mask);
    let date_b = !date_a && is_type(130, mask);
    let date_c = is_type(84, mask);
    let date_d = !date_c && is_type(72, mask);
    let mut tmask: u32 = 0;
    for c in "PHhmsf".chars() {
        shift(&mut tmask, present(&comps, c));
    }
    let time_a = is_type(23, tmask);
    let time_b = !time_a && is_type(47, tmask);
    let date_comps = if date_b {
        "YD"
    } else if date_c {
        "XxwF"
    } else if date_d {
        "XWF"
    } else {
        "YMD"
    };
    let time_comps = if time_b { "Phmsf" } else { "Hmsf" };
    let now_dt = dt(now);
    let mut start_specified = false;
    let mut end_specified = false;
    for c in date_comps.chars().chain(time_comps.chars()) {
        if !comps.contains_key(&c) {
            if start_specified {
                comps.insert(c, if "MDd".contains(c) { 1.0 } else { 0.0 });
                end_specified = true;
            } else {
                let v = match fragment(&now_dt, c) {
                    Frag::N(n) => n,
                    Frag::S(s) => {
                        if s == "pm" {
                            1.0
                        } else {
                            0.0
                        }
                    }
                };
                comps.insert(c, v);
            }
        } else {
            start_specified = true;
            if end_specified {
                return Err(Err::new("D3136"));
            }
        }
    }
    let g = |c: char| comps.get(&c).copied().unwrap_or(0.0);
    let mut month = if g('M') > 0.0 { g('M') - 1.0 } else { 0.0 };
    let mut day = g('D');
    if date_b {
        let jan1 = date_utc(g('Y'), 0.0, 1.0, 0.0, 0.0, 0.0, 0.0);
        let d = dt(jan1 + (g('d') - 1.0) * DAY_MS);
        month = d.mo;
        day = d.d;
    }
    if date_c || date_d {
        return Err(Err::new("D3136"));
    }
    let mut hour = g('H');
    if time_b {
        hour = if g('h') == 12.0 { 0.0 } else { g('h') };
        if g('P') == 1.0 {
            hour += 12.0;
        }
    }
    let mut ms = date_utc(g('Y'), month, day, hour, g('m'), g('s'), g('f'));
    let tz = comps.get(&'Z').or(comps.get(&'z')).copied().unwrap_or(0.0);
    if tz != 0.0 && !tz.is_nan() {
        ms -= tz * 60_000.0;
    }
    if ms.is_nan() {
        return Ok(None);
    }
    Ok(Some(ms))
}
