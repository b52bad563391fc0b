//! JavaScript regular expressions (JSONata's `/pattern/flags`) on top of regex-lite.
//!
//! Translation from JS RegExp syntax to regex-lite syntax:
//! - flags `i` and `m` become inline `(?i)` / `(?m)`; JSONata always matches globally;
//! - `\uHHHH` becomes `\x{HHHH}`, `\/` and other escaped punctuation that regex-lite does
//!   not treat as meta become the plain character (escaped when it is meta);
//! - a `{` that does not start a `{n}`, `{n,}` or `{n,m}` quantifier is a literal `\{`
//!   (JS allows it, regex-lite does not); likewise a stray `}`;
//! - `[^]` (any character) becomes `[\s\S]`, `[]` (nothing) becomes `[^\s\S]`;
//! - `(?<name>...)` named groups are kept (regex-lite supports them).
//!
//! Not supported (regex-lite has no such feature): lookahead/lookbehind `(?=`, `(?!`,
//! `(?<=`, `(?<!` and backreferences `\1`; such patterns are a compile error (S0303 here;
//! jsonata-js would accept them). Differences that remain: `.` also matches `\r`, `\u2028`
//! and `\u2029` (JS does not) and `\s` is ASCII whitespace only.
//!
//! Positions (`start`, `end`) are counted in characters (Unicode scalar values).

use super::Err;
use regex_lite::Regex;

#[derive(Debug)]
pub struct Re {
    re: Regex,
    source: String,
}

fn translate(p: &str) -> Result<String, String> {
    let c: Vec<char> = p.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut in_class = false;
    while i < c.len() {
        let ch = c[i];
        match ch {
            '\\' => {
                let n = match c.get(i + 1) {
                    Some(n) => *n,
                    None => return Err("trailing backslash".into()),
                };
                i += 2;
                match n {
                    'u' => {
                        let hex: String = c.iter().skip(i).take(4).collect();
                        if hex.len() == 4 && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            out.push_str(&format!("\\x{{{hex}}}"));
                            i += 4;
                        } else {
                            out.push('u');
                        }
                    }
                    'x' => {
                        let hex: String = c.iter().skip(i).take(2).collect();
                        if hex.len() == 2 && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            out.push_str(&format!("\\x{{{hex}}}"));
                            i += 2;
                        } else {
                            out.push('x');
                        }
                    }
                    '1'..='9' if !in_class => return Err("backreferences are not supported".into()),
                    '0' => out.push_str("\\x{0}"),
                    'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'b' | 'B' | 'n' | 'r' | 't' | 'f' | 'v' => {
                        if n == 'v' {
                            out.push_str("\\x{b}");
                        } else if n == 'b' && in_class {
                            out.push_str("\\x{8}");
                        } else {
                            out.push('\\');
                            out.push(n);
                        }
                    }
                    _ if n.is_ascii_alphanumeric() => out.push(n),
                    _ => push_lit(&mut out, n),
                }
                continue;
            }
            '[' if !in_class => {
                if c.get(i + 1) == Some(&'^') && c.get(i + 2) == Some(&']') {
                    out.push_str("[\\s\\S]");
                    i += 3;
                    continue;
                }
                if c.get(i + 1) == Some(&']') {
                    out.push_str("[^\\s\\S]");
                    i += 2;
                    continue;
                }
                in_class = true;
                out.push('[');
                if c.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
            }
            '[' => out.push_str("\\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '~' | '-' if in_class => {
                // regex-lite treats `&&`, `~~`, `--` as class set operations
                if ch == '-' {
                    out.push('-');
                } else {
                    out.push('\\');
                    out.push(ch);
                }
            }
            '{' if !in_class => {
                let rest: String = c[i..].iter().collect();
                let ok = rest.find('}').map(|e| {
                    let inner = &rest[1..e];
                    let mut parts = inner.splitn(2, ',');
                    let a = parts.next().unwrap_or("");
                    let b = parts.next();
                    !a.is_empty()
                        && a.chars().all(|d| d.is_ascii_digit())
                        && b.map(|b| b.chars().all(|d| d.is_ascii_digit()))
                            .unwrap_or(true)
                });
                if ok == Some(true) {
                    while i < c.len() && c[i] != '}' {
                        out.push(c[i]);
                        i += 1;
                    }
                    out.push('}');
                } else {
                    out.push_str("\\{");
                }
            }
            '}' if !in_class => out.push_str("\\}"),
            '(' if !in_class && c.get(i + 1) == Some(&'?') => {
                let n2 = c.get(i + 2).copied().unwrap_or('\0');
                let n3 = c.get(i + 3).copied().unwrap_or('\0');
                if n2 == '=' || n2 == '!' || (n2 == '<' && (n3 == '=' || n3 == '!')) {
                    return Err("lookaround is not supported".into());
                }
                out.push('(');
            }
            _ => out.push(ch),
        }
        i += 1;
    }
    Ok(out)
}

fn push_lit(out: &mut String, c: char) {
    if "\\.+*?()|[]{}^$#&-~".contains(c) {
        out.push('\\');
    }
    out.push(c);
}

impl Re {
    pub fn new(pattern: &str, flags: &str) -> Result<Re, Err> {
        let body = translate(pattern).map_err(|m| {
            Err::new("S0303")
                .tok(pattern)
                .msg(&format!("Unsupported regular expression /{pattern}/: {m}"))
        })?;
        let mut prefix = String::new();
        if flags.contains('i') || flags.contains('m') {
            prefix.push_str("(?");
            if flags.contains('i') {
                prefix.push('i');
            }
            if flags.contains('m') {
                prefix.push('m');
            }
            prefix.push(')');
        }
        let re = Regex::new(&format!("{prefix}{body}")).map_err(|e| {
            Err::new("S0303")
                .tok(pattern)
                .msg(&format!("Invalid regular expression /{pattern}/: {e}"))
        })?;
        Ok(Re {
            re,
            source: pattern.to_string(),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The first match at or after character `from`: (start, end, groups) in characters.
    pub fn exec(&self, s: &str, from: usize) -> Option<(usize, usize, Vec<Option<String>>)> {
        let byte_from = s
            .char_indices()
            .nth(from)
            .map(|(b, _)| b)
            .unwrap_or(s.len());
        if from > s.chars().count() {
            return None;
        }
        let caps = self.re.captures_at(s, byte_from)?;
        let m = caps.get(0)?;
        let to_char = |b: usize| s[..b].chars().count();
        let groups = (1..caps.len())
            .map(|i| caps.get(i).map(|g| g.as_str().to_string()))
            .collect();
        Some((to_char(m.start()), to_char(m.end()), groups))
    }
}
