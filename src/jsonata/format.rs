//! $formatNumber: XPath F&O fn:format-number pictures (a port of jsonata-js).

use super::functions::round_half_even;
use super::value::{Obj, V};
use super::Err;

struct Props {
    decimal: char,
    grouping: char,
    exponent: char,
    minus: String,
    percent: char,
    permille: char,
    zero: char,
    digit: char,
    pattern: char,
}

struct Parts {
    prefix: Vec<char>,
    suffix: Vec<char>,
    active: Vec<char>,
    mantissa: Vec<char>,
    exponent: Option<Vec<char>>,
    integer: Vec<char>,
    fraction: Vec<char>,
    sub: Vec<char>,
}

#[derive(Clone)]
struct Pic {
    int_groups: Vec<usize>,
    regular: usize,
    min_int: usize,
    scaling: usize,
    prefix: String,
    frac_groups: Vec<usize>,
    min_frac: usize,
    max_frac: usize,
    min_exp: usize,
    suffix: String,
    picture: Vec<char>,
}

fn find(h: &[char], c: char, from: usize) -> Option<usize> {
    h.iter().skip(from).position(|x| *x == c).map(|i| i + from)
}
fn rfind(h: &[char], c: char) -> Option<usize> {
    h.iter().rposition(|x| *x == c)
}
fn sub(h: &[char], a: usize, b: usize) -> Vec<char> {
    let a = a.min(h.len());
    let b = b.min(h.len());
    if a >= b {
        vec![]
    } else {
        h[a..b].to_vec()
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

pub fn format_number(value: f64, picture: &str, opts: Option<&Obj>) -> Result<String, Err> {
    let get = |k: &str, d: &str| -> String {
        match opts.and_then(|o| o.get(k)) {
            Some(V::Str(s)) => s.to_string(),
            _ => d.to_string(),
        }
    };
    let ch = |k: &str, d: char| -> char { get(k, &d.to_string()).chars().next().unwrap_or(d) };
    let p = Props {
        decimal: ch("decimal-separator", '.'),
        grouping: ch("grouping-separator", ','),
        exponent: ch("exponent-separator", 'e'),
        minus: get("minus-sign", "-"),
        percent: ch("percent", '%'),
        permille: ch("per-mille", '\u{2030}'),
        zero: ch("zero-digit", '0'),
        digit: ch("digit", '#'),
        pattern: ch("pattern-separator", ';'),
    };
    let family: Vec<char> = (0..10)
        .filter_map(|i| char::from_u32(p.zero as u32 + i))
        .collect();
    let is_digit = |c: char| family.contains(&c);
    let is_active = |c: char| {
        is_digit(c)
            || c == p.decimal
            || c == p.exponent
            || c == p.grouping
            || c == p.digit
            || c == p.pattern
    };
    let pic: Vec<char> = picture.chars().collect();
    let subs: Vec<Vec<char>> = pic.split(|c| *c == p.pattern).map(|s| s.to_vec()).collect();
    if subs.len() > 2 {
        return Err(Err::new("D3080"));
    }
    let split = |s: &Vec<char>| -> Parts {
        let prefix_len = s
            .iter()
            .position(|c| is_active(*c) && *c != p.exponent)
            .unwrap_or(s.len());
        let prefix = s[..prefix_len].to_vec();
        let suffix_start = s
            .iter()
            .rposition(|c| is_active(*c) && *c != p.exponent)
            .map(|i| i + 1)
            .unwrap_or(s.len());
        let suffix = if suffix_start >= prefix_len {
            s[suffix_start..].to_vec()
        } else {
            vec![]
        };
        let active = sub(s, prefix.len(), s.len() - suffix.len());
        let exp_pos = find(s, p.exponent, prefix.len());
        let (mantissa, exponent) = match exp_pos {
            Some(e) if e <= s.len() - suffix.len() => {
                (sub(&active, 0, e), Some(sub(&active, e + 1, active.len())))
            }
            _ => (active.clone(), None),
        };
        let (integer, fraction) = match find(&mantissa, p.decimal, 0) {
            None => (mantissa.clone(), suffix.clone()),
            Some(d) => (sub(&mantissa, 0, d), sub(&mantissa, d + 1, mantissa.len())),
        };
        Parts {
            prefix,
            suffix,
            active,
            mantissa,
            exponent,
            integer,
            fraction,
            sub: s.clone(),
        }
    };
    let parts: Vec<Parts> = subs.iter().map(split).collect();
    for pt in &parts {
        let s = &pt.sub;
        let mut error = None;
        let dpos = find(s, p.decimal, 0);
        if dpos != rfind(s, p.decimal) {
            error = Some("D3081");
        }
        if find(s, p.percent, 0) != rfind(s, p.percent) {
            error = Some("D3082");
        }
        if find(s, p.permille, 0) != rfind(s, p.permille) {
            error = Some("D3083");
        }
        if find(s, p.percent, 0).is_some() && find(s, p.permille, 0).is_some() {
            error = Some("D3084");
        }
        if !pt.mantissa.iter().any(|c| is_digit(*c) || *c == p.digit) {
            error = Some("D3085");
        }
        if pt.active.iter().any(|c| !is_active(*c)) {
            error = Some("D3086");
        }
        match dpos {
            Some(d) => {
                if (d > 0 && s.get(d - 1) == Some(&p.grouping)) || s.get(d + 1) == Some(&p.grouping)
                {
                    error = Some("D3087");
                }
            }
            None => {
                if pt.integer.last() == Some(&p.grouping) {
                    error = Some("D3088");
                }
            }
        }
        if s.windows(2)
            .any(|w| w[0] == p.grouping && w[1] == p.grouping)
        {
            error = Some("D3089");
        }
        if let Some(o) = find(&pt.integer, p.digit, 0) {
            if pt.integer[..o].iter().any(|c| is_digit(*c)) {
                error = Some("D3090");
            }
        }
        if let Some(o) = rfind(&pt.fraction, p.digit) {
            if pt.fraction[o..].iter().any(|c| is_digit(*c)) {
                error = Some("D3091");
            }
        }
        if let Some(e) = &pt.exponent {
            if !e.is_empty()
                && (find(s, p.percent, 0).is_some() || find(s, p.permille, 0).is_some())
            {
                error = Some("D3092");
            }
            if e.is_empty() || e.iter().any(|c| !is_digit(*c)) {
                error = Some("D3093");
            }
        }
        if let Some(code) = error {
            return Err(Err::new(code));
        }
    }
    let analyse = |pt: &Parts| -> Pic {
        let positions = |part: &[char], to_left: bool| -> Vec<usize> {
            let mut out = vec![];
            let mut gp = find(part, p.grouping, 0);
            while let Some(g) = gp {
                let chars: Vec<char> = if to_left {
                    sub(part, 0, g)
                } else {
                    sub(part, g, part.len())
                };
                out.push(
                    chars
                        .iter()
                        .filter(|c| is_digit(**c) || **c == p.digit)
                        .count(),
                );
                gp = find(&pt.integer, p.grouping, g + 1);
            }
            out
        };
        let int_groups = positions(&pt.integer, false);
        let regular = if int_groups.is_empty() {
            0
        } else {
            let f = int_groups.iter().copied().fold(int_groups[0], gcd);
            if f > 0 && (1..=int_groups.len()).all(|i| int_groups.contains(&(i * f))) {
                f
            } else {
                0
            }
        };
        let frac_groups = positions(&pt.fraction, true);
        let mut min_int = pt.integer.iter().filter(|c| is_digit(**c)).count();
        let scaling = min_int;
        let mut min_frac = pt.fraction.iter().filter(|c| is_digit(**c)).count();
        let mut max_frac = pt
            .fraction
            .iter()
            .filter(|c| is_digit(**c) || **c == p.digit)
            .count();
        let exp = pt.exponent.is_some();
        if min_int == 0 && max_frac == 0 {
            if exp {
                min_frac = 1;
                max_frac = 1;
            } else {
                min_int = 1;
            }
        }
        if exp && min_int == 0 && pt.integer.contains(&p.digit) {
            min_int = 1;
        }
        if min_int == 0 && min_frac == 0 {
            min_frac = 1;
        }
        let min_exp = pt
            .exponent
            .as_ref()
            .map(|e| e.iter().filter(|c| is_digit(**c)).count())
            .unwrap_or(0);
        Pic {
            int_groups,
            regular,
            min_int,
            scaling,
            prefix: pt.prefix.iter().collect(),
            frac_groups,
            min_frac,
            max_frac,
            min_exp,
            suffix: pt.suffix.iter().collect(),
            picture: pt.sub.clone(),
        }
    };
    let mut vars: Vec<Pic> = parts.iter().map(analyse).collect();
    if vars.len() == 1 {
        let mut neg = vars[0].clone();
        neg.prefix = format!("{}{}", p.minus, neg.prefix);
        vars.push(neg);
    }
    let pic = if value >= 0.0 { &vars[0] } else { &vars[1] };
    let adjusted = if pic.picture.contains(&p.percent) {
        value * 100.0
    } else if pic.picture.contains(&p.permille) {
        value * 1000.0
    } else {
        value
    };
    let mut mantissa = adjusted;
    let mut exponent: Option<i32> = None;
    if pic.min_exp != 0 {
        let max_m = 10f64.powi(pic.scaling as i32);
        let min_m = 10f64.powi(pic.scaling as i32 - 1);
        let mut e = 0;
        // jsonata-js loops forever on negative numbers here; the sign is in the prefix
        mantissa = mantissa.abs();
        if mantissa != 0.0 && mantissa.is_finite() {
            while mantissa < min_m {
                mantissa *= 10.0;
                e -= 1;
            }
            while mantissa > max_m {
                mantissa /= 10.0;
                e += 1;
            }
        }
        exponent = Some(e);
    }
    let rounded = round_half_even(mantissa, pic.max_frac as f64);
    let make = |v: f64, dp: usize| -> Vec<char> {
        let s = super::functions::to_fixed(v, dp);
        s.chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    family[(c as u8 - b'0') as usize]
                } else {
                    c
                }
            })
            .collect()
    };
    let mut sv = make(rounded, pic.max_frac);
    match find(&sv, '.', 0) {
        None => sv.push(p.decimal),
        Some(i) => sv[i] = p.decimal,
    }
    while sv.first() == Some(&p.zero) {
        sv.remove(0);
    }
    while sv.last() == Some(&p.zero) {
        sv.pop();
    }
    let dpos = find(&sv, p.decimal, 0).unwrap_or(sv.len());
    let pad_left = pic.min_int as i64 - dpos as i64;
    let pad_right = pic.min_frac as i64 - (sv.len() as i64 - dpos as i64 - 1);
    if pad_left > 0 {
        let mut v = vec![p.zero; pad_left as usize];
        v.extend(sv);
        sv = v;
    }
    if pad_right > 0 {
        sv.extend(vec![p.zero; pad_right as usize]);
    }
    let mut dpos = find(&sv, p.decimal, 0).unwrap_or(sv.len());
    if let Some(count) = dpos.saturating_sub(1).checked_div(pic.regular) {
        for g in 1..=count {
            let at = dpos - g * pic.regular;
            sv.insert(at, p.grouping);
        }
    } else {
        for pos in &pic.int_groups {
            let at = dpos.saturating_sub(*pos);
            sv.insert(at, p.grouping);
            dpos += 1;
        }
    }
    let dpos = find(&sv, p.decimal, 0).unwrap_or(sv.len());
    for pos in &pic.frac_groups {
        let at = (pos + dpos + 1).min(sv.len());
        sv.insert(at, p.grouping);
    }
    let dpos = find(&sv, p.decimal, 0);
    if !pic.picture.contains(&p.decimal) || dpos == Some(sv.len().saturating_sub(1)) {
        sv.pop();
    }
    let mut out: String = sv.iter().collect();
    if let Some(e) = exponent {
        let mut se: String = make(e as f64, 0).iter().collect();
        let pad = pic.min_exp as i64 - se.chars().count() as i64;
        if pad > 0 {
            se = format!("{}{}", p.zero.to_string().repeat(pad as usize), se);
        }
        out = format!(
            "{}{}{}{}",
            out,
            p.exponent,
            if e < 0 { p.minus.as_str() } else { "" },
            se
        );
    }
    Ok(format!("{}{}{}", pic.prefix, out, pic.suffix))
}
