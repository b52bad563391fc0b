//! Function signatures (`<s-n?:s>`): parsed into a regex over one letter per argument,
//! as jsonata-js does, and used to validate (and complete from the context) arguments.

use super::value::{Arr, V};
use super::Err;
use regex_lite::Regex;
use std::rc::Rc;

#[derive(Debug, Default, Clone)]
struct Param {
    regex: String,
    typ: String,
    context: bool,
    context_re: Option<Regex>,
    subtype: Option<String>,
}

#[derive(Debug)]
pub struct Sig {
    params: Vec<Param>,
    re: Regex,
}

pub fn symbol(v: &Option<V>) -> char {
    match v {
        None => 'm',
        Some(V::Fun(_)) => 'f',
        Some(V::Str(_)) => 's',
        Some(V::Num(_)) => 'n',
        Some(V::Bool(_)) => 'b',
        Some(V::Null) => 'l',
        Some(V::Arr(_)) => 'a',
        Some(V::Obj(_)) => 'o',
    }
}

fn close(chars: &[char], start: usize, open: char, close: char) -> usize {
    let mut depth = 1;
    let mut p = start;
    while p < chars.len() {
        p += 1;
        let c = chars.get(p).copied().unwrap_or('\0');
        if c == close {
            depth -= 1;
            if depth == 0 {
                break;
            }
        } else if c == open {
            depth += 1;
        }
    }
    p
}

impl Sig {
    pub fn parse(sig: &str) -> Result<Sig, Err> {
        let chars: Vec<char> = sig.chars().collect();
        let mut params: Vec<Param> = vec![];
        let mut param = Param::default();
        let mut pos = 1;
        while pos < chars.len() {
            let c = chars[pos];
            if c == ':' {
                break;
            }
            match c {
                's' | 'n' | 'b' | 'l' | 'o' | 'a' | 'f' | 'j' | 'x' => {
                    param.regex = match c {
                        'a' | 'x' => "[asnblfom]".into(),
                        'f' => "f".into(),
                        'j' => "[asnblom]".into(),
                        _ => format!("[{c}m]"),
                    };
                    param.typ = c.to_string();
                    params.push(std::mem::take(&mut param));
                }
                '-' => {
                    if let Some(prev) = params.last_mut() {
                        prev.context = true;
                        prev.context_re = Regex::new(&prev.regex).ok();
                        prev.regex.push('?');
                    }
                }
                '?' | '+' => {
                    if let Some(prev) = params.last_mut() {
                        prev.regex.push(c);
                    }
                }
                '(' => {
                    let end = close(&chars, pos, '(', ')');
                    let choice: String = chars[pos + 1..end.min(chars.len())].iter().collect();
                    if choice.contains('<') {
                        return Err(Err::new("S0402").pos(pos).val(V::str(&choice)));
                    }
                    param.regex = format!("[{choice}m]");
                    param.typ = format!("({choice})");
                    pos = end;
                    params.push(std::mem::take(&mut param));
                }
                '<' => {
                    let prev_t = params.last().map(|p| p.typ.clone()).unwrap_or_default();
                    if prev_t == "a" || prev_t == "f" {
                        let end = close(&chars, pos, '<', '>');
                        if let Some(prev) = params.last_mut() {
                            prev.subtype =
                                Some(chars[pos + 1..end.min(chars.len())].iter().collect());
                        }
                        pos = end;
                    } else {
                        return Err(Err::new("S0401").pos(pos).val(V::str(&prev_t)));
                    }
                }
                _ => {}
            }
            pos += 1;
        }
        let re_str = format!(
            "^{}$",
            params
                .iter()
                .map(|p| format!("({})", p.regex))
                .collect::<String>()
        );
        let re = Regex::new(&re_str).map_err(|_| Err::new("S0401"))?;
        Ok(Sig { params, re })
    }

    pub fn arity(&self) -> usize {
        self.params.len()
    }

    pub fn validate(&self, args: &[Option<V>], context: &Option<V>) -> Result<Vec<Option<V>>, Err> {
        let supplied: String = args.iter().map(symbol).collect();
        let caps = match self.re.captures(&supplied) {
            Some(c) => c,
            None => return Err(self.validation_error(args, &supplied)),
        };
        let mut out = vec![];
        let mut ai = 0;
        for (i, p) in self.params.iter().enumerate() {
            let m = caps.get(i + 1).map(|m| m.as_str()).unwrap_or("");
            if m.is_empty() {
                if p.context && p.context_re.is_some() {
                    let ct = symbol(context).to_string();
                    if p.context_re
                        .as_ref()
                        .map(|r| r.is_match(&ct))
                        .unwrap_or(false)
                    {
                        out.push(context.clone());
                    } else {
                        return Err(Err::new("T0411")
                            .idx(ai + 1)
                            .val(context.clone().unwrap_or(V::Null)));
                    }
                } else {
                    out.push(args.get(ai).cloned().flatten());
                    ai += 1;
                }
            } else {
                for single in m.chars() {
                    let arg = args.get(ai).cloned().flatten();
                    if p.typ == "a" {
                        if single == 'm' {
                            out.push(None);
                        } else {
                            let mut ok = true;
                            if let Some(st) = &p.subtype {
                                if single != 'a' && m != st {
                                    ok = false;
                                } else if single == 'a' {
                                    if let Some(V::Arr(a)) = &arg {
                                        if let Some(first) = a.v.first() {
                                            let it = symbol(&Some(first.clone()));
                                            if !st.starts_with(it) {
                                                ok = false;
                                            } else {
                                                ok =
                                                    a.v.iter()
                                                        .all(|x| symbol(&Some(x.clone())) == it);
                                            }
                                        }
                                    }
                                }
                            }
                            if !ok {
                                let ty = match p.subtype.as_deref() {
                                    Some("a") => Some("arrays"),
                                    Some("b") => Some("booleans"),
                                    Some("f") => Some("functions"),
                                    Some("n") => Some("numbers"),
                                    Some("o") => Some("objects"),
                                    Some("s") => Some("strings"),
                                    _ => None,
                                };
                                let mut e =
                                    Err::new("T0412").idx(ai + 1).val(arg.unwrap_or(V::Null));
                                if let Some(t) = ty {
                                    e = e.text(t);
                                }
                                return Err(e);
                            }
                            if single != 'a' {
                                out.push(arg.map(|v| {
                                    V::Arr(Rc::new(Arr {
                                        v: vec![v],
                                        ..Default::default()
                                    }))
                                }));
                            } else {
                                out.push(arg);
                            }
                        }
                    } else {
                        out.push(arg);
                    }
                    ai += 1;
                }
            }
        }
        Ok(out)
    }

    fn validation_error(&self, args: &[Option<V>], bad: &str) -> Err {
        let mut partial = String::from("^");
        let mut good_to = 0;
        for p in &self.params {
            partial.push_str(&p.regex);
            match Regex::new(&partial).ok().and_then(|r| r.find(bad)) {
                None => break,
                Some(m) => good_to = m.end(),
            }
        }
        let mut e = Err::new("T0410").idx(good_to + 1);
        if let Some(Some(v)) = args.get(good_to) {
            e = e.val(v.clone());
        }
        e
    }
}
