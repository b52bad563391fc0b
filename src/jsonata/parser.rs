//! Tokenizer, Pratt parser and the post-parse pass (jsonata-js's `processAST`): location
//! paths become step lists with predicates/stages, `%` parents are resolved to ancestor
//! labels, lambdas' tail calls become thunks. Positions are character offsets at the end
//! of the token, as jsonata-js reports them.

use super::regex::Re;
use super::signature::Sig;
use super::value::V;
use super::Err;
use std::sync::{Arc, Mutex, MutexGuard};

/// Deepest nesting the parser accepts (deeper input is an error, not a stack overflow).
const MAX_NESTING: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum T {
    #[default]
    End,
    Path,
    Name,
    Wildcard,
    Descendant,
    Parent,
    Variable,
    Str,
    Num,
    Value,
    Regex,
    Binary,
    Unary,
    Function,
    Partial,
    Lambda,
    Condition,
    Transform,
    Block,
    Bind,
    Apply,
    Sort,
    /// An operator token used as a term (`?` placeholder, `and` as a name).
    Operator,
}

#[derive(Debug, Default)]
pub struct Slot {
    pub label: String,
    pub level: i32,
}
pub type SlotRef = Arc<Mutex<Slot>>;

/// The slot behind a `%` (locks cannot be poisoned here: nothing panics).
pub fn lk(s: &SlotRef) -> MutexGuard<'_, Slot> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// A literal in the tree (thread-safe, unlike the evaluator's values).
#[derive(Clone, Debug)]
pub enum Lit {
    Null,
    Bool(bool),
    Num(f64),
    Str(Arc<str>),
}

impl Lit {
    fn from_v(v: V) -> Lit {
        match v {
            V::Bool(b) => Lit::Bool(b),
            V::Num(n) => Lit::Num(n),
            V::Str(s) => Lit::Str(Arc::from(&*s)),
            _ => Lit::Null,
        }
    }
    pub fn to_v(&self) -> V {
        match self {
            Lit::Null => V::Null,
            Lit::Bool(b) => V::Bool(*b),
            Lit::Num(n) => V::Num(*n),
            Lit::Str(s) => V::str(s),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Stage {
    Filter(Box<Node>),
    Index(String),
}

#[derive(Clone, Debug)]
pub struct Group {
    pub pairs: Vec<(Node, Node)>,
    pub pos: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Node {
    pub t: T,
    pub pos: usize,
    /// Name, variable name, operator.
    pub s: String,
    /// Literal value (string, number, true/false/null).
    pub lit: Option<Lit>,
    pub re: Option<Arc<Re>>,
    pub lhs: Option<Box<Node>>,
    pub rhs: Option<Box<Node>>,
    /// Else branch (condition) or delete clause (transform).
    pub els: Option<Box<Node>>,
    /// Block expressions, array items, call arguments, path steps.
    pub exprs: Vec<Node>,
    pub pairs: Vec<(Node, Node)>,
    pub terms: Vec<(bool, Node)>,
    pub procedure: Option<Box<Node>>,
    pub params: Vec<String>,
    pub sig: Option<Arc<Sig>>,
    pub body: Option<Arc<Node>>,
    pub predicate: Vec<Stage>,
    pub stages: Vec<Stage>,
    pub has_stages: bool,
    pub group: Option<Box<Group>>,
    pub keep_array: bool,
    pub keep_singleton: bool,
    pub cons_array: bool,
    pub tuple: bool,
    pub thunk: bool,
    pub focus: Option<String>,
    pub index: Option<String>,
    pub ancestor: Option<SlotRef>,
    pub slot: Option<SlotRef>,
    pub seeking: Vec<SlotRef>,
}

#[derive(Clone, Debug)]
enum Tk {
    Name(String),
    Var(String),
    Op(String),
    Str(String),
    Num(f64),
    Val(V),
    Regex(String, String),
    End,
}

#[derive(Clone, Debug)]
struct Token {
    tk: Tk,
    pos: usize,
}

fn is_op_char(c: char) -> bool {
    "[]{}().,@#;:?+-*/%|=<>^&!~".contains(c)
}

fn bp(op: &str) -> u32 {
    match op {
        "." => 75,
        "[" | "(" | "@" | "#" | ";" | ":" => 80,
        "{" => 70,
        "?" | "|" | ".." => 20,
        "+" | "-" | "&" => 50,
        "*" | "/" | "%" | "**" => 60,
        "=" | "<" | ">" | "^" | "!=" | "<=" | ">=" | "~>" | "in" => 40,
        ":=" => 10,
        "and" => 30,
        "or" => 25,
        _ => 0,
    }
}

fn known_op(op: &str) -> bool {
    matches!(
        op,
        "." | "["
            | "]"
            | "{"
            | "}"
            | "("
            | ")"
            | ","
            | "@"
            | "#"
            | ";"
            | ":"
            | "?"
            | "+"
            | "-"
            | "*"
            | "/"
            | "%"
            | "|"
            | "="
            | "<"
            | ">"
            | "^"
            | "**"
            | ".."
            | ":="
            | "!="
            | "<="
            | ">="
            | "~>"
            | "and"
            | "or"
            | "in"
            | "&"
    )
}

struct Lexer {
    src: Vec<char>,
    pos: usize,
    /// UTF-16 offset of each character (jsonata-js positions count UTF-16 units)
    u16: Vec<usize>,
}

impl Lexer {
    fn p(&self, i: usize) -> usize {
        match self.u16.get(i) {
            Some(p) => *p,
            None => {
                self.u16.last().copied().unwrap_or(0)
                    + i.saturating_sub(self.u16.len().saturating_sub(1))
            }
        }
    }
    fn at(&self, i: usize) -> char {
        self.src.get(i).copied().unwrap_or('\0')
    }
    fn tok(&self, tk: Tk) -> Option<Token> {
        Some(Token {
            tk,
            pos: self.p(self.pos),
        })
    }
    fn scan_regex(&mut self) -> Result<Tk, Err> {
        let start = self.pos;
        let mut depth: i32 = 0;
        let len = self.src.len();
        while self.pos < len {
            let c = self.at(self.pos);
            if c == '/' && depth == 0 {
                let mut bs = 0;
                while self.pos > bs && self.at(self.pos - bs - 1) == '\\' {
                    bs += 1;
                }
                if bs % 2 == 0 {
                    let pattern: String = self.src[start..self.pos].iter().collect();
                    if pattern.is_empty() {
                        return Err(Err::new("S0301").pos(self.p(self.pos)));
                    }
                    self.pos += 1;
                    let fstart = self.pos;
                    while matches!(self.at(self.pos), 'i' | 'm') {
                        self.pos += 1;
                    }
                    let flags: String = self.src[fstart..self.pos].iter().collect();
                    return Ok(Tk::Regex(pattern, flags));
                }
            }
            let prev = if self.pos > 0 {
                self.at(self.pos - 1)
            } else {
                '\0'
            };
            if matches!(c, '(' | '[' | '{') && prev != '\\' {
                depth += 1;
            }
            if matches!(c, ')' | ']' | '}') && prev != '\\' {
                depth -= 1;
            }
            self.pos += 1;
        }
        Err(Err::new("S0302").pos(self.p(self.pos)))
    }

    fn next(&mut self, prefix: bool) -> Result<Option<Token>, Err> {
        let len = self.src.len();
        loop {
            if self.pos >= len {
                return Ok(None);
            }
            while self.pos < len && " \t\n\r\u{b}".contains(self.at(self.pos)) {
                self.pos += 1;
            }
            if self.at(self.pos) == '/' && self.at(self.pos + 1) == '*' {
                let start = self.pos;
                self.pos += 2;
                loop {
                    if self.pos >= len {
                        return Err(Err::new("S0106").pos(self.p(start)));
                    }
                    if self.at(self.pos) == '*' && self.at(self.pos + 1) == '/' {
                        break;
                    }
                    self.pos += 1;
                }
                self.pos += 2;
                continue;
            }
            break;
        }
        if self.pos >= len {
            return Ok(None);
        }
        let c = self.at(self.pos);
        if !prefix && c == '/' {
            self.pos += 1;
            let re = self.scan_regex()?;
            return Ok(self.tok(re));
        }
        let c2 = self.at(self.pos + 1);
        let two: Option<&str> = match (c, c2) {
            ('.', '.') => Some(".."),
            (':', '=') => Some(":="),
            ('!', '=') => Some("!="),
            ('>', '=') => Some(">="),
            ('<', '=') => Some("<="),
            ('*', '*') => Some("**"),
            ('~', '>') => Some("~>"),
            _ => None,
        };
        if let Some(op) = two {
            self.pos += 2;
            return Ok(self.tok(Tk::Op(op.into())));
        }
        if is_op_char(c) {
            self.pos += 1;
            return Ok(self.tok(Tk::Op(c.to_string())));
        }
        if c == '"' || c == '\'' {
            let q = c;
            self.pos += 1;
            let mut s = String::new();
            while self.pos < len {
                let mut ch = self.at(self.pos);
                if ch == '\\' {
                    self.pos += 1;
                    ch = self.at(self.pos);
                    match ch {
                        '"' | '\\' | '/' => s.push(ch),
                        'b' => s.push('\u{8}'),
                        'f' => s.push('\u{c}'),
                        'n' => s.push('\n'),
                        'r' => s.push('\r'),
                        't' => s.push('\t'),
                        'u' => {
                            let hex: String = self
                                .src
                                .iter()
                                .skip(self.pos + 1)
                                .take(4)
                                .collect::<String>();
                            // like jsonata-js: 1 to 4 hex digits pass the check, 4 are consumed
                            if !hex.is_empty() && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                                let cp = u32::from_str_radix(&hex, 16).unwrap_or(0);
                                // surrogate pairs: combine with a following \uXXXX
                                if (0xD800..0xDC00).contains(&cp)
                                    && self.at(self.pos + 5) == '\\'
                                    && self.at(self.pos + 6) == 'u'
                                {
                                    let lo: String =
                                        self.src.iter().skip(self.pos + 7).take(4).collect();
                                    if let Ok(l) = u32::from_str_radix(&lo, 16) {
                                        if (0xDC00..0xE000).contains(&l) {
                                            let full =
                                                0x10000 + ((cp - 0xD800) << 10) + (l - 0xDC00);
                                            s.push(char::from_u32(full).unwrap_or('\u{FFFD}'));
                                            self.pos += 10;
                                            self.pos += 1;
                                            continue;
                                        }
                                    }
                                }
                                s.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                                self.pos += 4;
                            } else {
                                return Err(Err::new("S0104").pos(self.p(self.pos)));
                            }
                        }
                        _ => {
                            let t = if self.pos >= len {
                                String::new()
                            } else {
                                ch.to_string()
                            };
                            return Err(Err::new("S0103").pos(self.p(self.pos)).tok(&t));
                        }
                    }
                } else if ch == q {
                    self.pos += 1;
                    return Ok(self.tok(Tk::Str(s)));
                } else {
                    s.push(ch);
                }
                self.pos += 1;
            }
            return Err(Err::new("S0101").pos(self.p(self.pos)));
        }
        // numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?
        if c.is_ascii_digit() || (c == '-' && c2.is_ascii_digit()) {
            let mut i = self.pos;
            if self.at(i) == '-' {
                i += 1;
            }
            if self.at(i) == '0' {
                i += 1;
            } else {
                while self.at(i).is_ascii_digit() {
                    i += 1;
                }
            }
            if self.at(i) == '.' && self.at(i + 1).is_ascii_digit() {
                i += 1;
                while self.at(i).is_ascii_digit() {
                    i += 1;
                }
            }
            if matches!(self.at(i), 'e' | 'E') {
                let mut j = i + 1;
                if matches!(self.at(j), '+' | '-') {
                    j += 1;
                }
                if self.at(j).is_ascii_digit() {
                    while self.at(j).is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            let text: String = self.src[self.pos..i].iter().collect();
            let n: f64 = super::functions::parse_f64(&text).unwrap_or(f64::NAN);
            if n.is_finite() {
                self.pos = i;
                return Ok(self.tok(Tk::Num(n)));
            }
            return Err(Err::new("S0102").pos(self.p(self.pos)).tok(&text));
        }
        if c == '`' {
            self.pos += 1;
            let rest = &self.src[self.pos..];
            if let Some(end) = rest.iter().position(|x| *x == '`') {
                let name: String = rest[..end].iter().collect();
                self.pos += end + 1;
                return Ok(self.tok(Tk::Name(name)));
            }
            self.pos = len;
            return Err(Err::new("S0105").pos(self.p(self.pos)));
        }
        let mut i = self.pos;
        loop {
            let ch = self.at(i);
            if i >= len || " \t\n\r\u{b}".contains(ch) || is_op_char(ch) {
                if self.at(self.pos) == '$' {
                    let name: String = self.src[self.pos + 1..i].iter().collect();
                    self.pos = i;
                    return Ok(self.tok(Tk::Var(name)));
                }
                let name: String = self.src[self.pos..i].iter().collect();
                self.pos = i;
                return Ok(match name.as_str() {
                    "or" | "in" | "and" => self.tok(Tk::Op(name)),
                    "true" => self.tok(Tk::Val(V::Bool(true))),
                    "false" => self.tok(Tk::Val(V::Bool(false))),
                    "null" => self.tok(Tk::Val(V::Null)),
                    _ => {
                        if self.pos == len && name.is_empty() {
                            None
                        } else {
                            self.tok(Tk::Name(name))
                        }
                    }
                });
            }
            i += 1;
        }
    }
}

struct Parser {
    lex: Lexer,
    tok: Token,
    /// the symbol id of the current token: "(name)", "(literal)", "(regex)", "(end)" or the operator
    id: String,
    depth: usize,
    stack_base: usize,
    /// Stack this parse may use (less than the full budget inside `$eval`).
    stack_limit: usize,
    ancestor_label: usize,
    ancestry: Vec<SlotRef>,
}

/// The token as jsonata-js reports it: numbers, booleans and null are values, not text.
fn tk_err(e: Err, tk: &Tk) -> Err {
    match tk {
        Tk::Num(n) => e.tok_v(V::Num(*n)),
        Tk::Val(v) => e.tok_v(v.clone()),
        other => e.tok(&tk_value(other)),
    }
}

fn tk_value(tk: &Tk) -> String {
    match tk {
        Tk::Name(s) | Tk::Var(s) | Tk::Op(s) | Tk::Str(s) => s.clone(),
        Tk::Num(n) => crate::json::format_number(*n),
        Tk::Val(v) => match v {
            V::Bool(b) => b.to_string(),
            _ => "null".into(),
        },
        Tk::Regex(p, _) => p.clone(),
        Tk::End => "(end)".into(),
    }
}

impl Parser {
    fn advance(&mut self, id: Option<&str>, infix: bool) -> Result<(), Err> {
        if let Some(id) = id {
            if self.id != id {
                let code = if self.id == "(end)" { "S0203" } else { "S0202" };
                return Err(tk_err(Err::new(code).pos(self.tok.pos), &self.tok.tk).val(V::str(id)));
            }
        }
        match self.lex.next(infix)? {
            None => {
                self.tok = Token {
                    tk: Tk::End,
                    pos: self.lex.p(self.lex.src.len()),
                };
                self.id = "(end)".into();
            }
            Some(t) => {
                self.id = match &t.tk {
                    Tk::Name(_) | Tk::Var(_) => "(name)".into(),
                    Tk::Op(o) => {
                        if !known_op(o) {
                            return Err(Err::new("S0204").pos(t.pos).tok(o));
                        }
                        o.clone()
                    }
                    Tk::Str(_) | Tk::Num(_) | Tk::Val(_) => "(literal)".into(),
                    Tk::Regex(..) => "(regex)".into(),
                    Tk::End => "(end)".into(),
                };
                self.tok = t;
            }
        }
        Ok(())
    }

    fn lbp(&self) -> u32 {
        match &self.tok.tk {
            Tk::Op(o) if !matches!(o.as_str(), ";" | ":" | "|" | "**" | "..") => bp(o),
            _ => 0,
        }
    }

    fn too_deep(&self) -> bool {
        let used = self.stack_base.abs_diff(super::stack_addr());
        self.depth > MAX_NESTING || used > self.stack_limit
    }

    fn expression(&mut self, rbp: u32) -> Result<Node, Err> {
        self.depth += 1;
        if self.too_deep() {
            return Err(Err::new("U1001")
                .pos(self.tok.pos)
                .msg("Stack overflow error: the expression is nested too deeply"));
        }
        let saved = self.depth;
        let t = self.tok.clone();
        self.advance(None, true)?;
        let mut left = self.nud(t)?;
        while rbp < self.lbp() {
            self.depth += 1;
            if self.too_deep() {
                return Err(Err::new("U1001")
                    .pos(self.tok.pos)
                    .msg("Stack overflow error: the expression is nested too deeply"));
            }
            let t = self.tok.clone();
            self.advance(None, false)?;
            left = self.led(t, left)?;
        }
        self.depth = saved - 1;
        Ok(left)
    }

    fn node(t: T, pos: usize) -> Node {
        Node {
            t,
            pos,
            ..Default::default()
        }
    }

    /// Prefix position. Sub-parsers are separate functions called through one call site
    /// so that the recursion (one frame per nesting level) stays small in debug builds.
    fn nud(&mut self, tok: Token) -> Result<Node, Err> {
        let pos = tok.pos;
        let (t, s, lit) = match tok.tk {
            Tk::Name(s) => (T::Name, s, None),
            Tk::Var(s) => (T::Variable, s, None),
            Tk::Str(s) => (T::Str, s.clone(), Some(V::str(&s))),
            Tk::Num(n) => (T::Num, String::new(), Some(V::Num(n))),
            Tk::Val(v) => (T::Value, String::new(), Some(v)),
            Tk::Regex(p, f) => {
                let re = Re::new(&p, &f).map_err(|e| e.pos(pos))?;
                let mut n = Self::node(T::Regex, pos);
                n.re = Some(Arc::new(re));
                n.s = p;
                return Ok(n);
            }
            Tk::End => (T::End, "(end)".to_string(), None),
            Tk::Op(op) => {
                let t = match op.as_str() {
                    "and" | "or" | "in" => T::Operator,
                    "*" => T::Wildcard,
                    "**" => T::Descendant,
                    "%" => T::Parent,
                    _ => T::End,
                };
                if t != T::End {
                    (t, op, None)
                } else {
                    let h: fn(&mut Self, String, usize) -> Result<Node, Err> = match op.as_str() {
                        "-" => Self::nud_neg,
                        "(" => Self::nud_block,
                        "[" => Self::nud_array,
                        "{" => Self::nud_object,
                        "|" => Self::nud_transform,
                        _ => return Err(Err::new("S0211").pos(pos).tok(&op)),
                    };
                    return h(self, op, pos);
                }
            }
        };
        let mut n = Self::node(t, pos);
        n.s = s;
        n.lit = lit.map(Lit::from_v);
        Ok(n)
    }

    #[inline(never)]
    fn nud_object(&mut self, op: String, pos: usize) -> Result<Node, Err> {
        let pairs = self.object_pairs()?;
        let mut n = Self::node(T::Unary, pos);
        n.s = op;
        n.pairs = pairs;
        Ok(n)
    }

    #[inline(never)]
    fn proc_dot(
        &mut self,
        _expr: &mut Node,
        lhs: Node,
        rhs: Option<Node>,
        _pos: usize,
    ) -> Result<Node, Err> {
        let lstep = self.process(lhs)?;
        let mut result = if lstep.t == T::Path {
            lstep
        } else {
            let is_parent = lstep.t == T::Parent;
            let slot = lstep.slot.clone();
            let mut p = Node {
                exprs: vec![lstep],
                ..Self::node(T::Path, 0)
            };
            if is_parent {
                if let Some(s) = slot {
                    p.seeking = vec![s];
                }
            }
            p
        };
        let mut rest = self.process(rhs.unwrap_or_default())?;
        if rest.t == T::Path {
            result.exprs.append(&mut rest.exprs);
        } else {
            if !rest.predicate.is_empty() {
                rest.stages = std::mem::take(&mut rest.predicate);
                rest.has_stages = true;
            }
            result.exprs.push(rest);
        }
        for step in result.exprs.iter_mut() {
            if step.t == T::Num || step.t == T::Value {
                return Err(Err::new("S0213")
                    .pos(step.pos)
                    .val(step.lit.as_ref().map(Lit::to_v).unwrap_or(V::Null)));
            }
            if step.t == T::Str {
                step.t = T::Name;
            }
        }
        if result.exprs.iter().any(|s| s.keep_array) {
            result.keep_singleton = true;
        }
        if let Some(first) = result.exprs.first_mut() {
            if first.t == T::Unary && first.s == "[" {
                first.cons_array = true;
            }
        }
        if let Some(last) = result.exprs.last_mut() {
            if last.t == T::Unary && last.s == "[" {
                last.cons_array = true;
            }
        }
        self.resolve_ancestry(&mut result)?;
        Ok(result)
    }

    #[inline(never)]
    fn proc_pred(
        &mut self,
        _expr: &mut Node,
        lhs: Node,
        rhs: Option<Node>,
        pos: usize,
    ) -> Result<Node, Err> {
        let mut result = self.process(lhs)?;
        let is_path = result.t == T::Path;
        let mut predicate = self.process(rhs.unwrap_or_default())?;
        let seeking = std::mem::take(&mut predicate.seeking);
        {
            let step: &mut Node = if is_path {
                match result.exprs.last_mut() {
                    Some(s) => s,
                    None => return Err(Err::new("S0201").pos(pos)),
                }
            } else {
                &mut result
            };
            if step.group.is_some() {
                return Err(Err::new("S0209").pos(pos));
            }
            if !seeking.is_empty() {
                for slot in &seeking {
                    let lvl = lk(slot).level;
                    if lvl == 1 {
                        let mut tmp = std::mem::take(step);
                        let r = self.seek_parent(&mut tmp, slot.clone());
                        *step = tmp;
                        r?;
                    } else {
                        lk(slot).level -= 1;
                    }
                }
                step.seeking.extend(seeking.iter().cloned());
            }
            let stage = Stage::Filter(Box::new(predicate));
            if is_path {
                step.stages.push(stage);
                step.has_stages = true;
            } else {
                step.predicate.push(stage);
            }
        }
        Ok(result)
    }

    #[inline(never)]
    fn proc_group(
        &mut self,
        expr: &mut Node,
        lhs: Node,
        _rhs: Option<Node>,
        pos: usize,
    ) -> Result<Node, Err> {
        let mut result = self.process(lhs)?;
        if result.group.is_some() {
            return Err(Err::new("S0210").pos(pos));
        }
        let mut pairs = vec![];
        for (k, v) in std::mem::take(&mut expr.pairs) {
            pairs.push((self.process(k)?, self.process(v)?));
        }
        result.group = Some(Box::new(Group { pairs, pos }));
        Ok(result)
    }

    #[inline(never)]
    fn proc_sort(
        &mut self,
        expr: &mut Node,
        lhs: Node,
        _rhs: Option<Node>,
        pos: usize,
    ) -> Result<Node, Err> {
        let r = self.process(lhs)?;
        let mut result = if r.t == T::Path {
            r
        } else {
            Node {
                exprs: vec![r],
                ..Self::node(T::Path, 0)
            }
        };
        let mut sort = Self::node(T::Sort, pos);
        for (desc, e) in std::mem::take(&mut expr.terms) {
            let mut e = self.process(e)?;
            push_ancestry(&mut sort, &mut e);
            sort.terms.push((desc, e));
        }
        result.exprs.push(sort);
        self.resolve_ancestry(&mut result)?;
        Ok(result)
    }

    #[inline(never)]
    fn proc_focus(
        &mut self,
        expr: &mut Node,
        lhs: Node,
        rhs: Option<Node>,
        pos: usize,
    ) -> Result<Node, Err> {
        let mut result = self.process(lhs)?;
        let rhs = rhs.unwrap_or_default();
        {
            let step: &mut Node = if result.t == T::Path {
                match result.exprs.last_mut() {
                    Some(s) => s,
                    None => return Err(Err::new("S0201").pos(pos)),
                }
            } else {
                &mut result
            };
            if step.has_stages || !step.predicate.is_empty() {
                return Err(Err::new("S0215").pos(pos));
            }
            if step.t == T::Sort {
                return Err(Err::new("S0216").pos(pos));
            }
            if expr.keep_array {
                step.keep_array = true;
            }
            step.focus = Some(rhs.s.clone());
            step.tuple = true;
        }
        Ok(result)
    }

    #[inline(never)]
    fn proc_index(
        &mut self,
        _expr: &mut Node,
        lhs: Node,
        rhs: Option<Node>,
        _pos: usize,
    ) -> Result<Node, Err> {
        let r = self.process(lhs)?;
        let rhs = rhs.unwrap_or_default();
        let mut result = if r.t == T::Path {
            r
        } else {
            let mut r = r;
            if !r.predicate.is_empty() {
                r.stages = std::mem::take(&mut r.predicate);
                r.has_stages = true;
            }
            Node {
                exprs: vec![r],
                ..Self::node(T::Path, 0)
            }
        };
        if let Some(step) = result.exprs.last_mut() {
            if !step.has_stages {
                step.index = Some(rhs.s.clone());
            } else {
                step.stages.push(Stage::Index(rhs.s.clone()));
            }
            step.tuple = true;
        }
        Ok(result)
    }

    #[inline(never)]
    fn proc_unary(&mut self, expr: &mut Node, pos: usize) -> Result<Node, Err> {
        let mut result = Self::node(T::Unary, pos);
        result.s = expr.s.clone();
        if expr.s == "[" {
            for item in std::mem::take(&mut expr.exprs) {
                let mut v = self.process(item)?;
                push_ancestry(&mut result, &mut v);
                result.exprs.push(v);
            }
        } else if expr.s == "{" {
            for (k, v) in std::mem::take(&mut expr.pairs) {
                let mut k = self.process(k)?;
                push_ancestry(&mut result, &mut k);
                let mut v = self.process(v)?;
                push_ancestry(&mut result, &mut v);
                result.pairs.push((k, v));
            }
        } else {
            let mut e = self.process(expr.lhs.take().map(|b| *b).unwrap_or_default())?;
            if expr.s == "-" && e.t == T::Num {
                if let Some(Lit::Num(n)) = e.lit {
                    e.lit = Some(Lit::Num(-n));
                }
                result = e;
            } else {
                push_ancestry(&mut result, &mut e);
                result.lhs = Some(Box::new(e));
            }
        }
        Ok(result)
    }

    #[inline(never)]
    fn proc_call(&mut self, expr: &mut Node, pos: usize) -> Result<Node, Err> {
        let mut result = Self::node(expr.t, pos);
        for a in std::mem::take(&mut expr.exprs) {
            let mut a = self.process(a)?;
            push_ancestry(&mut result, &mut a);
            result.exprs.push(a);
        }
        let p = self.process(expr.procedure.take().map(|b| *b).unwrap_or_default())?;
        result.procedure = Some(Box::new(p));
        Ok(result)
    }

    #[inline(never)]
    fn proc_condition(&mut self, expr: &mut Node, pos: usize) -> Result<Node, Err> {
        let mut result = Self::node(T::Condition, pos);
        let mut c = self.process(expr.lhs.take().map(|b| *b).unwrap_or_default())?;
        push_ancestry(&mut result, &mut c);
        let mut t = self.process(expr.rhs.take().map(|b| *b).unwrap_or_default())?;
        push_ancestry(&mut result, &mut t);
        if let Some(e) = expr.els.take() {
            let mut e = self.process(*e)?;
            push_ancestry(&mut result, &mut e);
            result.els = Some(Box::new(e));
        }
        result.lhs = Some(Box::new(c));
        result.rhs = Some(Box::new(t));
        Ok(result)
    }

    #[inline(never)]
    fn proc_block(&mut self, expr: &mut Node, pos: usize) -> Result<Node, Err> {
        let mut result = Self::node(T::Block, pos);
        for e in std::mem::take(&mut expr.exprs) {
            let mut part = self.process(e)?;
            push_ancestry(&mut result, &mut part);
            if part.cons_array
                || (part.t == T::Path && part.exprs.first().map(|s| s.cons_array).unwrap_or(false))
            {
                result.cons_array = true;
            }
            result.exprs.push(part);
        }
        Ok(result)
    }

    #[inline(never)]
    fn nud_block(&mut self, op: String, pos: usize) -> Result<Node, Err> {
        let mut exprs = vec![];
        while self.id != ")" {
            exprs.push(self.expression(0)?);
            if self.id != ";" {
                break;
            }
            self.advance(Some(";"), false)?;
        }
        self.advance(Some(")"), true)?;
        Ok(Node {
            s: op,
            exprs,
            ..Self::node(T::Block, pos)
        })
    }

    #[inline(never)]
    fn nud_array(&mut self, op: String, pos: usize) -> Result<Node, Err> {
        let mut a = vec![];
        if self.id != "]" {
            loop {
                let mut item = self.expression(0)?;
                if self.id == ".." {
                    let rpos = self.tok.pos;
                    self.advance(Some(".."), false)?;
                    let rhs = self.expression(0)?;
                    item = Node {
                        s: "..".into(),
                        lhs: Some(Box::new(item)),
                        rhs: Some(Box::new(rhs)),
                        ..Self::node(T::Binary, rpos)
                    };
                }
                a.push(item);
                if self.id != "," {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some("]"), true)?;
        Ok(Node {
            s: op,
            exprs: a,
            ..Self::node(T::Unary, pos)
        })
    }

    #[inline(never)]
    fn nud_transform(&mut self, op: String, pos: usize) -> Result<Node, Err> {
        let pattern = self.expression(0)?;
        self.advance(Some("|"), false)?;
        let update = self.expression(0)?;
        let mut del = None;
        if self.id == "," {
            self.advance(Some(","), false)?;
            del = Some(Box::new(self.expression(0)?));
        }
        self.advance(Some("|"), false)?;
        Ok(Node {
            s: op,
            lhs: Some(Box::new(pattern)),
            rhs: Some(Box::new(update)),
            els: del,
            ..Self::node(T::Transform, pos)
        })
    }

    #[inline(never)]
    fn nud_neg(&mut self, op: String, pos: usize) -> Result<Node, Err> {
        let e = self.expression(70)?;
        Ok(Node {
            s: op,
            lhs: Some(Box::new(e)),
            ..Self::node(T::Unary, pos)
        })
    }

    #[inline(never)]
    fn led_call(&mut self, op: String, pos: usize, left: Node) -> Result<Node, Err> {
        let mut args = vec![];
        let mut partial = false;
        if self.id != ")" {
            loop {
                if self.id == "?" {
                    partial = true;
                    args.push(Node {
                        s: "?".into(),
                        ..Self::node(T::Operator, self.tok.pos)
                    });
                    self.advance(Some("?"), false)?;
                } else {
                    args.push(self.expression(0)?);
                }
                if self.id != "," {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some(")"), true)?;
        if left.t == T::Name && (left.s == "function" || left.s == "\u{3bb}") {
            let mut params = vec![];
            for (i, a) in args.iter().enumerate() {
                if a.t != T::Variable {
                    let tokv = match &a.lit {
                        Some(Lit::Str(s)) => s.to_string(),
                        Some(Lit::Num(n)) => crate::json::format_number(*n),
                        _ => a.s.clone(),
                    };
                    return Err(Err::new("S0208")
                        .pos(a.pos)
                        .tok(&tokv)
                        .val(V::Num((i + 1) as f64)));
                }
                params.push(a.s.clone());
            }
            let mut sig = None;
            if self.id == "<" {
                let sig_pos = self.tok.pos;
                let mut depth = 1;
                let mut text = String::from("<");
                while depth > 0 && self.id != "{" && self.id != "(end)" {
                    self.advance(None, false)?;
                    if self.id == ">" {
                        depth -= 1;
                    } else if self.id == "<" {
                        depth += 1;
                    }
                    text.push_str(&tk_value(&self.tok.tk));
                }
                self.advance(Some(">"), false)?;
                sig = Some(Arc::new(Sig::parse(&text).map_err(|e| {
                    let off = e.position.unwrap_or(0);
                    e.pos(sig_pos + off)
                })?));
            }
            self.advance(Some("{"), false)?;
            let body = self.expression(0)?;
            self.advance(Some("}"), false)?;
            return Ok(Node {
                params,
                sig,
                body: Some(Arc::new(body)),
                ..Self::node(T::Lambda, pos)
            });
        }
        Ok(Node {
            s: op,
            procedure: Some(Box::new(left)),
            exprs: args,
            ..Self::node(if partial { T::Partial } else { T::Function }, pos)
        })
    }

    #[inline(never)]
    fn led_pred(&mut self, _op: String, pos: usize, left: Node) -> Result<Node, Err> {
        if self.id == "]" {
            let mut left = left;
            {
                let mut step = &mut left;
                while step.t == T::Binary && step.s == "[" {
                    step = step.lhs.as_deref_mut().ok_or_else(|| Err::new("S0201"))?;
                }
                step.keep_array = true;
            }
            self.advance(Some("]"), false)?;
            Ok(left)
        } else {
            let r = self.expression(0)?;
            self.advance(Some("]"), true)?;
            Ok(Node {
                s: "[".into(),
                lhs: Some(Box::new(left)),
                rhs: Some(Box::new(r)),
                ..Self::node(T::Binary, pos)
            })
        }
    }

    #[inline(never)]
    fn led_sort(&mut self, op: String, pos: usize, left: Node) -> Result<Node, Err> {
        self.advance(Some("("), false)?;
        let mut terms = vec![];
        loop {
            let mut desc = false;
            if self.id == "<" {
                self.advance(Some("<"), false)?;
            } else if self.id == ">" {
                desc = true;
                self.advance(Some(">"), false)?;
            }
            terms.push((desc, self.expression(0)?));
            if self.id != "," {
                break;
            }
            self.advance(Some(","), false)?;
        }
        self.advance(Some(")"), false)?;
        Ok(Node {
            s: op,
            lhs: Some(Box::new(left)),
            terms,
            ..Self::node(T::Binary, pos)
        })
    }

    #[inline(never)]
    fn led_cond(&mut self, op: String, pos: usize, left: Node) -> Result<Node, Err> {
        let then = self.expression(0)?;
        let mut els = None;
        if self.id == ":" {
            self.advance(Some(":"), false)?;
            els = Some(Box::new(self.expression(0)?));
        }
        Ok(Node {
            s: op,
            lhs: Some(Box::new(left)),
            rhs: Some(Box::new(then)),
            els,
            ..Self::node(T::Condition, pos)
        })
    }

    fn object_pairs(&mut self) -> Result<Vec<(Node, Node)>, Err> {
        let mut a = vec![];
        if self.id != "}" {
            loop {
                let n = self.expression(0)?;
                self.advance(Some(":"), false)?;
                let v = self.expression(0)?;
                a.push((n, v));
                if self.id != "," {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some("}"), true)?;
        Ok(a)
    }

    /// Infix position (see `nud` on the dispatch).
    fn led(&mut self, tok: Token, left: Node) -> Result<Node, Err> {
        let pos = tok.pos;
        let op = match tok.tk {
            Tk::Op(o) => o,
            other => return Err(tk_err(Err::new("S0201").pos(pos), &other)),
        };
        let h: fn(&mut Self, String, usize, Node) -> Result<Node, Err> = match op.as_str() {
            "." | "+" | "-" | "*" | "/" | "%" | "=" | "<" | ">" | "!=" | "<=" | ">=" | "&"
            | "and" | "or" | "in" | "~>" | ":=" | "@" | "#" => Self::led_binary,
            "(" => Self::led_call,
            "[" => Self::led_pred,
            "^" => Self::led_sort,
            "{" => Self::led_group,
            "?" => Self::led_cond,
            _ => return Err(Err::new("S0201").pos(pos).tok(&op)),
        };
        h(self, op, pos, left)
    }

    #[inline(never)]
    fn led_binary(&mut self, op: String, pos: usize, left: Node) -> Result<Node, Err> {
        if op == ":=" && left.t != T::Variable {
            let e = Err::new("S0212").pos(left.pos);
            return Err(match &left.lit {
                Some(l) if left.t != T::Str => e.tok_v(l.to_v()),
                _ => e.tok(&left.s),
            });
        }
        let r = self.expression(if op == ":=" { bp(":=") - 1 } else { bp(&op) })?;
        if (op == "@" || op == "#") && r.t != T::Variable {
            return Err(Err::new("S0214").pos(r.pos).tok(&op));
        }
        let mut n = Self::node(T::Binary, pos);
        n.s = op;
        n.lhs = Some(Box::new(left));
        n.rhs = Some(Box::new(r));
        Ok(n)
    }

    #[inline(never)]
    fn led_group(&mut self, op: String, pos: usize, left: Node) -> Result<Node, Err> {
        let pairs = self.object_pairs()?;
        let mut n = Self::node(T::Binary, pos);
        n.s = op;
        n.lhs = Some(Box::new(left));
        n.pairs = pairs;
        Ok(n)
    }

    // ---- post-parse ----

    fn seek_parent(&mut self, node: &mut Node, slot: SlotRef) -> Result<SlotRef, Err> {
        match node.t {
            T::Name | T::Wildcard => {
                let lvl = {
                    let mut s = lk(&slot);
                    s.level -= 1;
                    s.level
                };
                if lvl == 0 {
                    if let Some(anc) = &node.ancestor {
                        let label = lk(anc).label.clone();
                        lk(&slot).label = label;
                    }
                    node.ancestor = Some(slot.clone());
                    node.tuple = true;
                }
                Ok(slot)
            }
            T::Parent => {
                lk(&slot).level += 1;
                Ok(slot)
            }
            T::Block => {
                if let Some(last) = node.exprs.last_mut() {
                    node.tuple = true;
                    return self.seek_parent(last, slot);
                }
                Ok(slot)
            }
            T::Path => {
                node.tuple = true;
                let mut index = node.steps_len() as isize - 1;
                let mut slot = self.seek_parent(&mut node.exprs[index as usize], slot)?;
                index -= 1;
                while lk(&slot).level > 0 && index >= 0 {
                    slot = self.seek_parent(&mut node.exprs[index as usize], slot)?;
                    index -= 1;
                }
                Ok(slot)
            }
            _ => Err(Err::new("S0217").pos(node.pos).tok(type_name(node.t))),
        }
    }

    fn resolve_ancestry(&mut self, path: &mut Node) -> Result<(), Err> {
        let n = path.exprs.len();
        if n == 0 {
            return Ok(());
        }
        let mut slots = path.exprs[n - 1].seeking.clone();
        if path.exprs[n - 1].t == T::Parent {
            if let Some(s) = &path.exprs[n - 1].slot {
                slots.push(s.clone());
            }
        }
        for mut slot in slots {
            let mut index = n as isize - 2;
            while lk(&slot).level > 0 {
                if index < 0 {
                    path.seeking.push(slot.clone());
                    break;
                }
                let mut si = index as usize;
                index -= 1;
                while index >= 0
                    && path.exprs[si].focus.is_some()
                    && path.exprs[index as usize].focus.is_some()
                {
                    si = index as usize;
                    index -= 1;
                }
                let mut step = std::mem::take(&mut path.exprs[si]);
                let r = self.seek_parent(&mut step, slot);
                path.exprs[si] = step;
                slot = r?;
            }
        }
        Ok(())
    }

    fn process(&mut self, expr: Node) -> Result<Node, Err> {
        self.depth += 1;
        if self.depth > MAX_NESTING * 2
            || self.stack_base.abs_diff(super::stack_addr()) > self.stack_limit
        {
            return Err(Err::new("U1001")
                .pos(expr.pos)
                .msg("Stack overflow error: the expression is nested too deeply"));
        }
        let r = self.process_inner(expr);
        self.depth -= 1;
        r
    }

    /// Dispatches through function pointers so that this frame stays small in debug
    /// builds (the post-parse pass recurses once per nesting level).
    fn process_inner(&mut self, expr: Node) -> Result<Node, Err> {
        let keep_array = expr.keep_array;
        let h: fn(&mut Self, Node) -> Result<Node, Err> = match expr.t {
            T::Binary => Self::p_binary,
            T::Unary => |p, mut e| {
                let pos = e.pos;
                p.proc_unary(&mut e, pos)
            },
            T::Function | T::Partial => |p, mut e| {
                let pos = e.pos;
                p.proc_call(&mut e, pos)
            },
            T::Condition => |p, mut e| {
                let pos = e.pos;
                p.proc_condition(&mut e, pos)
            },
            T::Block => |p, mut e| {
                let pos = e.pos;
                p.proc_block(&mut e, pos)
            },
            T::Lambda => Self::p_lambda,
            T::Transform => Self::p_transform,
            T::Name => |_, e| {
                let mut p = Self::node(T::Path, 0);
                p.keep_singleton = e.keep_array;
                p.exprs.push(e);
                Ok(p)
            },
            T::Parent => Self::p_parent,
            T::Str | T::Num | T::Value | T::Wildcard | T::Descendant | T::Variable | T::Regex => {
                |_, e| Ok(e)
            }
            T::Operator => |p, mut e| {
                if matches!(e.s.as_str(), "and" | "or" | "in") {
                    e.t = T::Name;
                    p.process(e)
                } else if e.s == "?" {
                    Ok(e)
                } else {
                    Err(Err::new("S0201").pos(e.pos).tok(&e.s))
                }
            },
            _ => |_, e| {
                let code = if e.t == T::End { "S0207" } else { "S0206" };
                Err(Err::new(code).pos(e.pos).tok(&e.s))
            },
        };
        let mut result = h(self, expr)?;
        if keep_array {
            result.keep_array = true;
        }
        Ok(result)
    }

    fn p_binary(&mut self, mut expr: Node) -> Result<Node, Err> {
        let pos = expr.pos;
        let lhs = expr.lhs.take().map(|b| *b).unwrap_or_default();
        let rhs = expr.rhs.take().map(|b| *b);
        type Hb = fn(&mut Parser, &mut Node, Node, Option<Node>, usize) -> Result<Node, Err>;
        let h: Hb = match expr.s.as_str() {
            "." => Self::proc_dot,
            "[" => Self::proc_pred,
            "{" => Self::proc_group,
            "^" => Self::proc_sort,
            "@" => Self::proc_focus,
            "#" => Self::proc_index,
            ":=" => Self::proc_bind,
            "~>" => Self::proc_apply,
            _ => Self::proc_binop,
        };
        h(self, &mut expr, lhs, rhs, pos)
    }

    #[inline(never)]
    fn proc_bind(
        &mut self,
        _e: &mut Node,
        lhs: Node,
        rhs: Option<Node>,
        pos: usize,
    ) -> Result<Node, Err> {
        let l = self.process(lhs)?;
        let mut r = self.process(rhs.unwrap_or_default())?;
        let mut result = Self::node(T::Bind, pos);
        result.s = l.s.clone();
        push_ancestry(&mut result, &mut r);
        result.lhs = Some(Box::new(l));
        result.rhs = Some(Box::new(r));
        Ok(result)
    }

    #[inline(never)]
    fn proc_apply(
        &mut self,
        _e: &mut Node,
        lhs: Node,
        rhs: Option<Node>,
        pos: usize,
    ) -> Result<Node, Err> {
        let l = self.process(lhs)?;
        let r = self.process(rhs.unwrap_or_default())?;
        let mut result = Self::node(T::Apply, pos);
        result.keep_array = l.keep_array || r.keep_array;
        result.lhs = Some(Box::new(l));
        result.rhs = Some(Box::new(r));
        Ok(result)
    }

    #[inline(never)]
    fn proc_binop(
        &mut self,
        e: &mut Node,
        lhs: Node,
        rhs: Option<Node>,
        pos: usize,
    ) -> Result<Node, Err> {
        let mut l = self.process(lhs)?;
        let mut r = self.process(rhs.unwrap_or_default())?;
        let mut result = Self::node(T::Binary, pos);
        result.s = e.s.clone();
        push_ancestry(&mut result, &mut l);
        push_ancestry(&mut result, &mut r);
        result.lhs = Some(Box::new(l));
        result.rhs = Some(Box::new(r));
        Ok(result)
    }

    fn p_lambda(&mut self, mut expr: Node) -> Result<Node, Err> {
        let body = match expr.body.take() {
            Some(b) => Arc::try_unwrap(b).unwrap_or_else(|rc| (*rc).clone()),
            None => Node::default(),
        };
        let body = self.process(body)?;
        let body = tail_call_optimize(body);
        let mut n = Self::node(T::Lambda, expr.pos);
        n.params = std::mem::take(&mut expr.params);
        n.sig = expr.sig.take();
        n.body = Some(Arc::new(body));
        Ok(n)
    }

    fn p_transform(&mut self, mut expr: Node) -> Result<Node, Err> {
        let mut result = Self::node(T::Transform, expr.pos);
        result.s = "|".into();
        let l = self.process(expr.lhs.take().map(|b| *b).unwrap_or_default())?;
        result.lhs = Some(Box::new(l));
        let r = self.process(expr.rhs.take().map(|b| *b).unwrap_or_default())?;
        result.rhs = Some(Box::new(r));
        if let Some(d) = expr.els.take() {
            result.els = Some(Box::new(self.process(*d)?));
        }
        Ok(result)
    }

    fn p_parent(&mut self, expr: Node) -> Result<Node, Err> {
        let slot = Arc::new(Mutex::new(Slot {
            label: format!("!{}", self.ancestor_label),
            level: 1,
        }));
        self.ancestor_label += 1;
        self.ancestry.push(slot.clone());
        let mut n = Self::node(T::Parent, expr.pos);
        n.slot = Some(slot);
        Ok(n)
    }
}

fn push_ancestry(result: &mut Node, value: &mut Node) {
    if !value.seeking.is_empty() || value.t == T::Parent {
        let mut slots = value.seeking.clone();
        if value.t == T::Parent {
            if let Some(s) = &value.slot {
                slots.push(s.clone());
            }
        }
        result.seeking.extend(slots);
    }
}

fn tail_call_optimize(mut expr: Node) -> Node {
    if expr.t == T::Function && expr.predicate.is_empty() {
        let pos = expr.pos;
        Node {
            thunk: true,
            body: Some(Arc::new(expr)),
            ..Parser::node(T::Lambda, pos)
        }
    } else if expr.t == T::Condition {
        if let Some(t) = expr.rhs.take() {
            expr.rhs = Some(Box::new(tail_call_optimize(*t)));
        }
        if let Some(e) = expr.els.take() {
            expr.els = Some(Box::new(tail_call_optimize(*e)));
        }
        expr
    } else if expr.t == T::Block {
        if let Some(last) = expr.exprs.pop() {
            expr.exprs.push(tail_call_optimize(last));
        }
        expr
    } else {
        expr
    }
}

pub fn type_name(t: T) -> &'static str {
    match t {
        T::Path => "path",
        T::Name => "name",
        T::Wildcard => "wildcard",
        T::Descendant => "descendant",
        T::Parent => "parent",
        T::Variable => "variable",
        T::Str => "string",
        T::Num => "number",
        T::Value => "value",
        T::Regex => "regex",
        T::Binary => "binary",
        T::Unary => "unary",
        T::Function => "function",
        T::Partial => "partial",
        T::Lambda => "lambda",
        T::Condition => "condition",
        T::Transform => "transform",
        T::Block => "block",
        T::Bind => "bind",
        T::Apply => "apply",
        T::Sort => "sort",
        T::Operator => "operator",
        T::End => "end",
    }
}

impl Node {
    fn steps_len(&self) -> usize {
        self.exprs.len()
    }
}

pub fn parse(src: &str) -> Result<Node, Err> {
    parse_limited(src, super::STACK_BUDGET)
}

/// Parses with at most `stack_limit` bytes of native stack (see `STACK_BUDGET`).
pub fn parse_limited(src: &str, stack_limit: usize) -> Result<Node, Err> {
    let mut p = Parser {
        lex: Lexer {
            src: src.chars().collect(),
            pos: 0,
            u16: {
                let mut v = Vec::with_capacity(src.len() + 1);
                let mut n = 0;
                for c in src.chars() {
                    v.push(n);
                    n += c.len_utf16();
                }
                v.push(n);
                v
            },
        },
        tok: Token {
            tk: Tk::End,
            pos: 0,
        },
        id: String::new(),
        depth: 0,
        stack_base: super::stack_addr(),
        stack_limit,
        ancestor_label: 0,
        ancestry: vec![],
    };
    p.advance(None, false)?;
    let expr = p.expression(0)?;
    if p.id != "(end)" {
        return Err(tk_err(Err::new("S0201").pos(p.tok.pos), &p.tok.tk));
    }
    p.depth = 0;
    let expr = p.process(expr)?;
    if expr.t == T::Parent || !expr.seeking.is_empty() {
        // processed paths and parents carry no position in jsonata-js
        let mut e = Err::new("S0217").tok(type_name(expr.t));
        if !matches!(expr.t, T::Path | T::Parent) {
            e = e.pos(expr.pos);
        }
        return Err(e);
    }
    Ok(expr)
}
