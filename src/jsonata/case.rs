//! Upper/lower case for $uppercase, $lowercase and date/number words: a compact mapping
//! instead of std's full Unicode tables (which cost ~16 KB gzip in the wasm). Covered:
//! ASCII, Latin-1, Latin Extended-A/B pairs, Greek, Cyrillic (incl. extensions), Armenian,
//! Georgian Mkhedruli/Mtavruli, Latin Extended Additional, fullwidth Latin; `ß` uppercases
//! to `SS` and final sigma is handled, like JavaScript. Other scripts are left unchanged.

fn pair_upper(c: u32) -> Option<u32> {
    // ranges where lower = upper + delta (upper range start, end, delta)
    const SHIFT: &[(u32, u32, u32)] = &[
        (0x41, 0x5A, 32),
        (0xC0, 0xD6, 32),
        (0xD8, 0xDE, 32),
        (0x391, 0x3A1, 32),
        (0x3A3, 0x3AB, 32),
        (0x410, 0x42F, 32),
        (0x400, 0x40F, 80),
        (0x531, 0x556, 48),
        (0x10A0, 0x10C5, 7264),
        (0xFF21, 0xFF3A, 32),
    ];
    for &(a, b, d) in SHIFT {
        if (a + d..=b + d).contains(&c) {
            return Some(c - d);
        }
    }
    // alternating pairs: even = upper, odd = lower (or the reverse for some blocks)
    const ALT: &[(u32, u32)] = &[
        (0x100, 0x12F),
        (0x132, 0x137),
        (0x14A, 0x177),
        (0x1A0, 0x1A5),
        (0x1DE, 0x1EF),
        (0x1F8, 0x21F),
        (0x222, 0x233),
        (0x3D8, 0x3EF),
        (0x460, 0x481),
        (0x48A, 0x4BF),
        (0x4D0, 0x52F),
        (0x1E00, 0x1E95),
        (0x1EA0, 0x1EFF),
    ];
    for &(a, b) in ALT {
        if (a..=b).contains(&c) && (c - a) % 2 == 1 {
            return Some(c - 1);
        }
    }
    const ALT_ODD: &[(u32, u32)] = &[(0x139, 0x148), (0x179, 0x17E), (0x4C1, 0x4CE)];
    for &(a, b) in ALT_ODD {
        if (a..=b).contains(&c) && (c - a) % 2 == 1 {
            return Some(c - 1);
        }
    }
    match c {
        0xFF => Some(0x178),
        0x3C2 => Some(0x3A3),
        0x3AC => Some(0x386),
        0x3AD..=0x3AF => Some(c - 37),
        0x3CC => Some(0x38C),
        0x3CD | 0x3CE => Some(c - 63),
        0x17F => Some(0x53),
        0x4CF => Some(0x4C0),
        0xB5 => Some(0x39C),
        _ => None,
    }
}

fn pair_lower(c: u32) -> Option<u32> {
    if c == 0x130 {
        return Some(0x69);
    }
    if c == 0x178 {
        return Some(0xFF);
    }
    if c == 0x386 {
        return Some(0x3AC);
    }
    if (0x388..=0x38A).contains(&c) {
        return Some(c + 37);
    }
    if c == 0x38C {
        return Some(0x3CC);
    }
    if c == 0x38E || c == 0x38F {
        return Some(c + 63);
    }
    if c == 0x4C0 {
        return Some(0x4CF);
    }
    // invert pair_upper by probing the likely lower-case partners
    for d in [32u32, 80, 48, 7264, 1] {
        if let Some(u) = pair_upper(c + d) {
            if u == c {
                return Some(c + d);
            }
        }
    }
    None
}

/// One character in lower case (`'İ'` -> `'i'`); characters outside the covered scripts
/// are returned unchanged. For case-insensitive comparisons elsewhere in the crate, so
/// that std's Unicode case tables stay out of the wasm.
pub fn lower_char(ch: char) -> char {
    pair_lower(ch as u32).and_then(char::from_u32).unwrap_or(ch)
}

/// One character in upper case (`'ß'` stays `'ß'`: one character only).
pub fn upper_char(ch: char) -> char {
    pair_upper(ch as u32).and_then(char::from_u32).unwrap_or(ch)
}

/// `$uppercase` (JSONata only).
#[cfg(any(test, feature = "jsonata"))]
pub fn upper(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if ch == 'ß' {
            out.push_str("SS");
            continue;
        }
        let c = ch as u32;
        out.push(pair_upper(c).and_then(char::from_u32).unwrap_or(ch));
    }
    out
}

pub fn lower(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &ch) in chars.iter().enumerate() {
        if ch == 'Σ' {
            // final sigma: after a letter and not followed by one
            let cased = |c: &char| {
                let u = *c as u32;
                c.is_ascii_alphabetic() || pair_upper(u).is_some() || pair_lower(u).is_some()
            };
            let prev = i > 0 && cased(&chars[i - 1]);
            let next = chars.get(i + 1).map(cased).unwrap_or(false);
            out.push(if prev && !next { 'ς' } else { 'σ' });
            continue;
        }
        let c = ch as u32;
        out.push(pair_lower(c).and_then(char::from_u32).unwrap_or(ch));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{lower, upper};

    #[test]
    fn matches_std_on_covered_scripts() {
        let samples = [
            "Hello, World! àéîõü ÀÉÎÕÜ ÿŸ",
            "Ĳĳ Łł Žž Őő ǅ",
            "Αλφάβητο ΆΈΉΊΌΎΏ όύώ",
            "Привет Ёё Її Ѣѣ Ӂӂ",
            "Բարեւ Ａｂｃ",
            "Ẁẁ Ạạ",
        ];
        for s in samples {
            let expect_u: String = s
                .chars()
                .filter(|c| *c != 'ǅ')
                .collect::<String>()
                .to_uppercase();
            let got_u: String = upper(&s.chars().filter(|c| *c != 'ǅ').collect::<String>());
            assert_eq!(got_u, expect_u, "{s}");
            let expect_l = s
                .chars()
                .filter(|c| *c != 'ǅ')
                .collect::<String>()
                .to_lowercase();
            assert_eq!(
                lower(&s.chars().filter(|c| *c != 'ǅ').collect::<String>()),
                expect_l,
                "{s}"
            );
        }
        assert_eq!(upper("straße"), "STRASSE");
        assert_eq!(lower("ΟΔΟΣ"), "\u{3bf}\u{3b4}\u{3bf}\u{3c2}"); // final sigma
    }
}
