//! Syntax checks of the small languages inside a definition: JSONPath paths, reference
//! paths, intrinsic function calls (`States.Format(...)`), RFC 3339 timestamps, and a light
//! check of JSONata expressions. Each check returns `Err(reason)` with a human sentence;
//! none of them evaluates anything.

/// What a path may start with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathRoots {
    /// `$$` (the context object).
    pub context: bool,
    /// `$name` (a variable).
    pub variables: bool,
}

pub const ANY_ROOT: PathRoots = PathRoots {
    context: true,
    variables: true,
};

/// A JSONPath as AWS (Jayway) accepts it: `$`, `$.a.b`, `$..a`, `$.a[0]`, `$.a[*]`,
/// `$.a[1:3]`, `$['a b']`, `$.a[?(@.x > 1)]`, `$.a.length()`, `$$.Execution.Id`, `$var.x`.
pub fn check_path(path: &str, roots: PathRoots) -> Result<(), String> {
    let rest = root(path, roots)?;
    segments(rest, false)
}

/// A reference path: a path that names a single node (no `..`, `*`, filters, slices or
/// functions), as ResultPath needs.
pub fn check_reference_path(path: &str, roots: PathRoots) -> Result<(), String> {
    let rest = root(path, roots)?;
    segments(rest, true)
}

fn root(path: &str, roots: PathRoots) -> Result<&str, String> {
    let Some(rest) = path.strip_prefix('$') else {
        return Err("a path must start with '$'".into());
    };
    if let Some(rest) = rest.strip_prefix('$') {
        if !roots.context {
            return Err("the context object ('$$') is not allowed here".into());
        }
        return Ok(rest);
    }
    let name_len = rest
        .char_indices()
        .find(|&(i, c)| !(c == '_' || c.is_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(rest.len(), |(i, _)| i);
    if name_len > 0 {
        if !roots.variables {
            return Err(
                "a variable is not allowed here; expected a path starting with '$.'".into(),
            );
        }
        return Ok(&rest[name_len..]);
    }
    Ok(rest)
}

fn segments(mut rest: &str, reference: bool) -> Result<(), String> {
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("..") {
            if reference {
                return Err("'..' (deep scan) is not allowed in a reference path".into());
            }
            if after.starts_with('[') {
                rest = after;
                continue;
            }
            rest = member(after, false)?;
        } else if let Some(after) = rest.strip_prefix('.') {
            // Jayway (AWS) also accepts `$.[0]` and `$.a.['b']`.
            if after.starts_with('[') {
                rest = after;
                continue;
            }
            rest = member(after, reference)?;
        } else if rest.starts_with('[') {
            rest = bracket(rest, reference)?;
        } else {
            return Err(format!(
                "unexpected '{}'; expected '.', '..' or '['",
                rest.chars().next().unwrap_or(' ')
            ));
        }
    }
    Ok(())
}

/// After a '.': a member name, `*`, or a function call such as `length()`.
fn member(rest: &str, reference: bool) -> Result<&str, String> {
    if let Some(after) = rest.strip_prefix('*') {
        if reference {
            return Err("'*' is not allowed in a reference path".into());
        }
        return Ok(after);
    }
    let end = rest
        .find(['.', '[', ']', '(', ')', '\'', '"'])
        .unwrap_or(rest.len());
    let name = &rest[..end];
    if name.is_empty() {
        return Err("expected a member name after '.'".into());
    }
    if name.chars().any(char::is_whitespace) && name.trim() != name {
        return Err(format!(
            "member name '{name}' has leading or trailing spaces"
        ));
    }
    let after = &rest[end..];
    if let Some(call) = after.strip_prefix('(') {
        if reference {
            return Err("functions are not allowed in a reference path".into());
        }
        let close = call
            .find(')')
            .ok_or_else(|| format!("function '{name}(' is not closed"))?;
        return Ok(&call[close + 1..]);
    }
    if after.starts_with([']', ')', '\'', '"']) {
        return Err(format!("unexpected '{}' after '{name}'", &after[..1]));
    }
    Ok(after)
}

/// `[...]`: `*`, indexes `0`/`-1`/`0,1`, slices `1:3`, quoted names, filters `?(...)`.
fn bracket(rest: &str, reference: bool) -> Result<&str, String> {
    let inner_start = &rest[1..];
    let trimmed = inner_start.trim_start();
    if trimmed.starts_with('?') || trimmed.starts_with('(') {
        if reference {
            return Err("filters are not allowed in a reference path".into());
        }
        let close = matching_bracket(rest)?;
        let inner = rest[1..close].trim();
        let expr = inner.strip_prefix('?').unwrap_or(inner).trim_start();
        if !expr.starts_with('(') || !expr.ends_with(')') {
            return Err("a filter must be written '[?(...)]'".into());
        }
        return Ok(&rest[close + 1..]);
    }
    if trimmed.starts_with('\'') || trimmed.starts_with('"') {
        let close = matching_bracket(rest)?;
        let inner = rest[1..close].trim();
        for name in split_quoted_list(inner)? {
            if name.is_empty() && reference {
                return Err("empty member name".into());
            }
        }
        if reference && inner.contains(',') && split_quoted_list(inner)?.len() > 1 {
            return Err("several members are not allowed in a reference path".into());
        }
        return Ok(&rest[close + 1..]);
    }
    let close = rest
        .find(']')
        .ok_or_else(|| "'[' is not closed by ']'".to_string())?;
    let inner = rest[1..close].trim();
    if inner == "*" {
        if reference {
            return Err("'[*]' is not allowed in a reference path".into());
        }
        return Ok(&rest[close + 1..]);
    }
    if inner.is_empty() {
        return Err("empty '[]'".into());
    }
    let is_int = |s: &str| {
        let s = s.trim();
        let digits = s.strip_prefix('-').unwrap_or(s);
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
    };
    if inner.contains(':') {
        if reference {
            return Err("slices are not allowed in a reference path".into());
        }
        let parts: Vec<&str> = inner.split(':').collect();
        if parts.len() > 3 || parts.iter().any(|p| !p.trim().is_empty() && !is_int(p)) {
            return Err(format!("invalid slice '[{inner}]'"));
        }
        return Ok(&rest[close + 1..]);
    }
    let parts: Vec<&str> = inner.split(',').collect();
    if parts.iter().any(|p| !is_int(p)) {
        return Err(format!(
            "invalid index '[{inner}]'; expected a number, '*', a quoted name or a filter"
        ));
    }
    if reference && (parts.len() > 1) {
        return Err("several indexes are not allowed in a reference path".into());
    }
    Ok(&rest[close + 1..])
}

/// Index of the `]` that closes the `[` at the start of `text`, skipping quoted strings
/// and nested brackets/parentheses.
fn matching_bracket(text: &str) -> Result<usize, String> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '[' | '(' => depth += 1,
            ']' | ')' => {
                depth -= 1;
                if depth == 0 {
                    return if c == ']' {
                        Ok(i)
                    } else {
                        Err("mismatched ')'".into())
                    };
                }
            }
            _ => {}
        }
    }
    Err("'[' is not closed by ']'".into())
}

fn split_quoted_list(inner: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(q @ ('\'' | '"')) = chars.next() else {
            return Err("expected a quoted member name inside '[...]'".into());
        };
        let mut name = String::new();
        let mut closed = false;
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    name.push(n);
                }
            } else if c == q {
                closed = true;
                break;
            } else {
                name.push(c);
            }
        }
        if !closed {
            return Err("unterminated quoted member name".into());
        }
        names.push(name);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Ok(names),
            Some(',') => continue,
            Some(c) => return Err(format!("unexpected '{c}' after a quoted member name")),
        }
    }
}

/// What an intrinsic function argument must be, when it is a literal.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arg {
    Any,
    Number,
    String,
}

/// Name, minimum and maximum argument counts, and literal types of the leading arguments.
fn signature(name: &str) -> Option<(usize, usize, &'static [Arg])> {
    use Arg::*;
    const MANY: usize = usize::MAX;
    Some(match name {
        "States.Format" => (1, MANY, &[String]),
        "States.StringToJson" => (1, 1, &[String]),
        "States.JsonToString" => (1, 1, &[Any]),
        "States.Array" => (0, MANY, &[]),
        "States.ArrayPartition" => (2, 2, &[Any, Number]),
        "States.ArrayContains" => (2, 2, &[]),
        "States.ArrayRange" => (3, 3, &[Number, Number, Number]),
        "States.ArrayGetItem" => (2, 2, &[Any, Number]),
        "States.ArrayLength" => (1, 1, &[]),
        "States.ArrayUnique" => (1, 1, &[]),
        "States.Base64Encode" => (1, 1, &[String]),
        "States.Base64Decode" => (1, 1, &[String]),
        "States.Hash" => (2, 2, &[Any, String]),
        "States.JsonMerge" => (3, 3, &[]),
        "States.MathRandom" => (2, 3, &[Number, Number, Number]),
        "States.MathAdd" => (2, 2, &[Number, Number]),
        "States.StringSplit" => (2, 2, &[String, String]),
        "States.UUID" => (0, 0, &[]),
        _ => return None,
    })
}

/// Maximum nesting of intrinsic function calls (AWS's limit).
pub const MAX_INTRINSIC_NESTING: usize = 10;

/// An intrinsic function call, the whole text: `States.Name(arg, ...)`.
pub fn check_intrinsic(text: &str) -> Result<(), String> {
    let mut p = Intrinsic {
        chars: text.chars().collect(),
        at: 0,
    };
    p.call(1)?;
    if p.at < p.chars.len() {
        return Err(format!(
            "unexpected text after the closing ')': '{}'",
            p.chars[p.at..].iter().collect::<String>()
        ));
    }
    Ok(())
}

/// A `.$` value or a `...Path` field that accepts both: a path or an intrinsic call.
pub fn check_path_or_intrinsic(text: &str) -> Result<(), String> {
    if text.starts_with("States.") {
        return check_intrinsic(text);
    }
    check_path(text, ANY_ROOT)
}

struct Intrinsic {
    chars: Vec<char>,
    at: usize,
}

/// The kind of an argument, as far as the text tells.
enum Literal {
    Number,
    String,
    /// `true`, `false` or `null`.
    Other,
    /// A path or a nested call: its type is known only at run time.
    Dynamic,
}

impl Intrinsic {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|c| c == ' ') {
            self.at += 1;
        }
    }

    fn call(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_INTRINSIC_NESTING {
            return Err(format!(
                "intrinsic functions are nested more than {MAX_INTRINSIC_NESTING} deep"
            ));
        }
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        {
            self.at += 1;
        }
        let name: String = self.chars[start..self.at].iter().collect();
        let Some((min, max, types)) = signature(&name) else {
            return Err(if name.is_empty() {
                "expected an intrinsic function name such as 'States.Format'".to_string()
            } else {
                format!("'{name}' is not an intrinsic function")
            });
        };
        if self.peek() != Some('(') {
            return Err(format!("expected '(' after '{name}'"));
        }
        self.at += 1;
        let mut count = 0usize;
        self.skip_spaces();
        if self.peek() == Some(')') {
            self.at += 1;
        } else {
            loop {
                self.skip_spaces();
                let literal = self.argument(depth)?;
                if let Some(&want) = types.get(count) {
                    match (want, literal) {
                        (Arg::Number, Literal::String) | (Arg::Number, Literal::Other) => {
                            return Err(format!(
                                "argument {} of {name} must be a number or a path",
                                count + 1
                            ))
                        }
                        (Arg::String, Literal::Number) | (Arg::String, Literal::Other) => {
                            return Err(format!(
                                "argument {} of {name} must be a string or a path",
                                count + 1
                            ))
                        }
                        _ => {}
                    }
                }
                count += 1;
                self.skip_spaces();
                match self.peek() {
                    Some(',') => self.at += 1,
                    Some(')') => {
                        self.at += 1;
                        break;
                    }
                    Some(c) => return Err(format!("unexpected '{c}' in the arguments of {name}")),
                    None => return Err(format!("'{name}(' is not closed by ')'")),
                }
            }
        }
        if count < min || count > max {
            let expected = match (min, max) {
                (a, b) if a == b => format!("{a}"),
                (a, usize::MAX) => format!("at least {a}"),
                (a, b) => format!("{a} to {b}"),
            };
            return Err(format!(
                "{name} takes {expected} argument(s), but {count} were given"
            ));
        }
        Ok(())
    }

    /// One argument, and what kind of value it is when the text tells.
    fn argument(&mut self, depth: usize) -> Result<Literal, String> {
        match self.peek() {
            Some('\'') => {
                self.string()?;
                Ok(Literal::String)
            }
            Some('$') => {
                let start = self.at;
                let mut depth_brackets = 0i32;
                let mut quote: Option<char> = None;
                while let Some(c) = self.peek() {
                    if let Some(q) = quote {
                        if c == q {
                            quote = None;
                        }
                    } else if c == '\'' || c == '"' {
                        if depth_brackets == 0 {
                            break;
                        }
                        quote = Some(c);
                    } else if c == '[' || c == '(' {
                        depth_brackets += 1;
                    } else if c == ']' || (c == ')' && depth_brackets > 0) {
                        depth_brackets -= 1;
                    } else if depth_brackets == 0 && (c == ',' || c == ')' || c == ' ') {
                        break;
                    }
                    self.at += 1;
                }
                let path: String = self.chars[start..self.at].iter().collect();
                check_path(&path, ANY_ROOT).map_err(|e| format!("invalid path '{path}': {e}"))?;
                Ok(Literal::Dynamic)
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let start = self.at;
                self.at += 1;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
                {
                    self.at += 1;
                }
                let text: String = self.chars[start..self.at].iter().collect();
                if text.parse::<f64>().is_err() {
                    return Err(format!("invalid number '{text}'"));
                }
                Ok(Literal::Number)
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.at;
                while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
                    self.at += 1;
                }
                let word: String = self.chars[start..self.at].iter().collect();
                match word.as_str() {
                    "true" | "false" | "null" => Ok(Literal::Other),
                    _ => {
                        self.at = start;
                        self.call(depth + 1)?;
                        Ok(Literal::Dynamic)
                    }
                }
            }
            Some(c) => Err(format!("unexpected '{c}'; expected an argument")),
            None => Err("unexpected end; expected an argument".into()),
        }
    }

    /// A single-quoted string; the escapes are `\'`, `\{`, `\}` and `\\`.
    fn string(&mut self) -> Result<(), String> {
        self.at += 1;
        loop {
            match self.peek() {
                None => return Err("unterminated string literal".into()),
                Some('\'') => {
                    self.at += 1;
                    return Ok(());
                }
                Some('\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some('\'' | '{' | '}' | '\\') => self.at += 1,
                        Some(c) => {
                            return Err(format!(
                                "invalid escape '\\{c}' in a string literal; only \\', \\{{, \\}} and \\\\ are allowed"
                            ))
                        }
                        None => return Err("unterminated string literal".into()),
                    }
                }
                Some(_) => self.at += 1,
            }
        }
    }
}

/// An RFC 3339 timestamp as AWS accepts it: `2016-03-14T01:59:00Z`,
/// `2016-03-14T01:59:00.123+01:00`. The `T` and the zone are required.
pub fn check_timestamp(text: &str) -> Result<(), String> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = text.get(from..from + len)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let bad = || format!("'{text}' is not an RFC 3339 timestamp such as 2016-03-14T01:59:00Z");
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        num(0, 4),
        num(5, 2),
        num(8, 2),
        num(11, 2),
        num(14, 2),
        num(17, 2),
    ) else {
        return Err(bad());
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 59 {
        return Err(bad());
    }
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return Err(bad());
        }
    }
    match b.get(at) {
        Some(b'Z' | b'z') if at + 1 == b.len() => Ok(()),
        Some(b'+' | b'-') if at + 6 == b.len() && b[at + 3] == b':' => {
            match (num(at + 1, 2), num(at + 4, 2)) {
                (Some(h), Some(m)) if h <= 23 && m <= 59 => Ok(()),
                _ => Err(bad()),
            }
        }
        _ => Err(bad()),
    }
}

/// The expression inside `{% ... %}` of a JSONata string, or `None` when the string is
/// not meant as an expression. `Err` when it starts like one but is malformed.
pub fn jsonata_expression(text: &str) -> Option<Result<&str, String>> {
    let inner = text.strip_prefix("{%")?;
    Some(
        inner
            .strip_suffix("%}")
            .ok_or_else(|| "a JSONata expression must end with '%}'".to_string()),
    )
}

/// A light syntax check of a JSONata expression: tokens, balanced brackets, operands
/// between operators. Not a parser: `crate::jsonata` is the authority (see
/// `check_jsonata` in the parent module).
#[cfg(test)]
pub fn check_jsonata_light(expr: &str) -> Result<(), String> {
    let tokens = jsonata_tokens(expr)?;
    if tokens.is_empty() {
        return Err("the JSONata expression is empty".into());
    }
    let mut stack: Vec<char> = Vec::new();
    // true when the previous token ended an operand (a value can follow only an operator)
    let mut after_operand = false;
    let mut just_opened = false;
    for tok in &tokens {
        let was_opened = std::mem::replace(&mut just_opened, false);
        match tok {
            Tok::Operand(text) => {
                if after_operand {
                    return Err(format!(
                        "unexpected '{text}' after a value; expected an operator"
                    ));
                }
                after_operand = true;
            }
            Tok::Op(op) => {
                // In operand position: `-` negates; `<`/`>` set a sort order `^(>x)`;
                // `*`, `**`, `%` are wildcards / parent and `?` a partial-application
                // placeholder, all values.
                let prefix = matches!(op.as_str(), "-" | "<" | ">");
                let value = matches!(op.as_str(), "*" | "**" | "%" | "?");
                if !after_operand && !prefix && !value {
                    return Err(format!("unexpected operator '{op}'; expected a value"));
                }
                after_operand = !after_operand && value;
            }
            Tok::Pipe => match stack.last().copied() {
                // `|location|update[,delete]|`: a transform, one value
                Some('|') => {
                    if !after_operand {
                        return Err("unexpected '|'; expected a value".into());
                    }
                    if let Some(top) = stack.last_mut() {
                        *top = '!';
                    }
                    after_operand = false;
                }
                Some('!') => {
                    if !after_operand {
                        return Err("unexpected '|'; expected a value".into());
                    }
                    stack.pop();
                    after_operand = true;
                }
                _ => {
                    if after_operand {
                        return Err("unexpected '|' after a value".into());
                    }
                    stack.push('|');
                    after_operand = false;
                }
            },
            Tok::Open(c) => {
                stack.push(*c);
                after_operand = false;
                just_opened = true;
                continue;
            }
            Tok::Close(c) => {
                // `()`, `[]` and `{}` are fine; `(1 +)` is not.
                if !after_operand && !was_opened {
                    return Err(format!("unexpected '{c}'; expected a value"));
                }
                let open = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(open) {
                    return Err(format!("unexpected '{c}' with no matching '{open}'"));
                }
                after_operand = true;
            }
            Tok::Separator(c) => {
                if !after_operand {
                    return Err(format!("unexpected '{c}'; expected a value"));
                }
                after_operand = false;
            }
        }
    }
    if let Some(open) = stack.pop() {
        return Err(if open == '|' || open == '!' {
            "a transform '|...|...|' is not closed".to_string()
        } else {
            format!("'{open}' is not closed")
        });
    }
    if !after_operand {
        return Err("unexpected end of expression; expected a value".into());
    }
    Ok(())
}

enum Tok {
    Operand(String),
    Op(String),
    Open(char),
    Close(#[allow(dead_code)] char),
    Separator(char),
    /// `|` of a transform `|location|update|`
    Pipe,
}

fn jsonata_tokens(expr: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    // bracket depth, the depth of an open `function(` parameter list, and whether a
    // signature `<...>` may follow
    let mut depth = 0usize;
    let mut params_open: Option<usize> = None;
    let mut signature_next = false;
    let ends_operand = |t: Option<&Tok>| matches!(t, Some(Tok::Operand(_)) | Some(Tok::Close(_)));
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            let mut j = i + 2;
            while j + 1 < chars.len() && !(chars[j] == '*' && chars[j + 1] == '/') {
                j += 1;
            }
            if j + 1 >= chars.len() {
                return Err("comment '/*' is not closed by '*/'".into());
            }
            i = j + 2;
            continue;
        }
        if c == '"' || c == '\'' || c == '`' {
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => {
                        return Err(format!(
                            "string literal is not terminated by a matching {c}"
                        ))
                    }
                    Some('\\') if c != '`' => j += 2,
                    Some(&q) if q == c => break,
                    Some(_) => j += 1,
                }
            }
            tokens.push(Tok::Operand(chars[i..=j].iter().collect()));
            i = j + 1;
            continue;
        }
        if c == '/' && !ends_operand(tokens.last()) {
            // a regular expression literal
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => return Err("regular expression is not terminated by '/'".into()),
                    Some('\\') => j += 2,
                    Some('/') => break,
                    Some(_) => j += 1,
                }
            }
            j += 1;
            while chars.get(j).is_some_and(|c| c.is_ascii_alphabetic()) {
                j += 1;
            }
            tokens.push(Tok::Operand(chars[i..j].iter().collect()));
            i = j;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            while chars.get(j).is_some_and(char::is_ascii_digit) {
                j += 1;
            }
            if chars.get(j) == Some(&'.') && chars.get(j + 1).is_some_and(char::is_ascii_digit) {
                j += 1;
                while chars.get(j).is_some_and(char::is_ascii_digit) {
                    j += 1;
                }
            }
            if matches!(chars.get(j), Some('e' | 'E')) {
                let mut k = j + 1;
                if matches!(chars.get(k), Some('+' | '-')) {
                    k += 1;
                }
                if chars.get(k).is_some_and(char::is_ascii_digit) {
                    j = k;
                    while chars.get(j).is_some_and(char::is_ascii_digit) {
                        j += 1;
                    }
                }
            }
            tokens.push(Tok::Operand(chars[i..j].iter().collect()));
            i = j;
            continue;
        }
        if c == '<' && signature_next {
            // a function signature `function($x)<n-:s>`: skip it
            let mut depth = 0;
            let mut j = i;
            while j < chars.len() {
                match chars[j] {
                    '<' => depth += 1,
                    '>' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            if j >= chars.len() {
                return Err("function signature '<' is not closed by '>'".into());
            }
            i = j + 1;
            signature_next = false;
            continue;
        }
        signature_next = false;
        match c {
            '|' => {
                tokens.push(Tok::Pipe);
                i += 1;
                continue;
            }
            '(' => {
                if matches!(tokens.last(), Some(Tok::Operand(w)) if w == "function" || w == "λ") {
                    params_open = Some(depth);
                }
                depth += 1;
                tokens.push(Tok::Open(c));
                i += 1;
                continue;
            }
            '[' | '{' => {
                depth += 1;
                tokens.push(Tok::Open(c));
                i += 1;
                continue;
            }
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                if c == ')' && params_open == Some(depth) {
                    params_open = None;
                    signature_next = true;
                }
                // `(a; b;)` style trailing separators are fine before a closing bracket.
                if matches!(tokens.last(), Some(Tok::Separator(';'))) {
                    tokens.pop();
                }
                tokens.push(Tok::Close(c));
                i += 1;
                continue;
            }
            ',' | ';' => {
                tokens.push(Tok::Separator(c));
                i += 1;
                continue;
            }
            _ => {}
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        if matches!(
            two.as_str(),
            "!=" | "<=" | ">=" | ":=" | "~>" | ".." | "**" | "??" | "?:"
        ) {
            tokens.push(Tok::Op(two));
            i += 2;
            continue;
        }
        if "+-*/%=<>&.?:@#^".contains(c) {
            tokens.push(Tok::Op(c.to_string()));
            i += 1;
            continue;
        }
        if c == '$' || c == '_' || c.is_alphabetic() || c == 'λ' {
            let mut j = i + 1;
            while chars
                .get(j)
                .is_some_and(|&c| c == '_' || c == '$' || c.is_alphanumeric())
            {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            if matches!(word.as_str(), "and" | "or" | "in") && ends_operand(tokens.last()) {
                tokens.push(Tok::Op(word));
            } else {
                tokens.push(Tok::Operand(word));
            }
            i = j;
            continue;
        }
        return Err(format!("unexpected character '{c}'"));
    }
    Ok(tokens)
}

/// The fields of `$states` an expression reads (`$states.result` -> "result"), in order.
pub fn jsonata_states_fields(expr: &str) -> Vec<String> {
    let Ok(tokens) = jsonata_tokens(expr) else {
        return Vec::new();
    };
    tokens
        .windows(3)
        .filter_map(|w| match w {
            [Tok::Operand(var), Tok::Op(dot), Tok::Operand(field)]
                if var == "$states" && dot == "." =>
            {
                Some(field.trim_matches('`').to_string())
            }
            _ => None,
        })
        .collect()
}

/// AWS evaluates JSONata with no input context: a path that starts with a bare name at
/// the top level (`phone`, `$count(items)`) can never select anything and AWS rejects it
/// ("Reference to 'phone' at the top level is not supported"). Names inside predicates,
/// group-bys, path steps and function bodies are relative to something and are fine.
/// Returns the first such name.
pub fn jsonata_top_level_reference(expr: &str) -> Option<String> {
    let tokens = jsonata_tokens(expr).ok()?;
    // for each open bracket: whether names inside it are relative to a path step
    let mut relative: Vec<bool> = Vec::new();
    let mut prev: Option<&Tok> = None;
    for tok in &tokens {
        let inside = relative.last().copied().unwrap_or(false);
        let after_operand = matches!(prev, Some(Tok::Operand(_)) | Some(Tok::Close(_)));
        let after_step = matches!(prev, Some(Tok::Op(op)) if op == "." || op == "^");
        match tok {
            Tok::Open(c) => {
                // `a[...]`, `a{...}`, `a.[...]`, `a.{...}`, `a.(...)`, `a^(...)` are
                // evaluated against `a`; other brackets keep the context they are in.
                let rel = match c {
                    '[' | '{' => after_operand || after_step || inside,
                    _ => after_step || inside,
                };
                relative.push(rel);
            }
            Tok::Close(_) => {
                relative.pop();
            }
            // names inside a transform are relative to the matched objects
            Tok::Pipe => return None,
            Tok::Operand(text) => {
                let is_name = text.starts_with('`')
                    || text
                        .chars()
                        .next()
                        .is_some_and(|c| c == '_' || c.is_alphabetic());
                let keyword = matches!(
                    text.as_str(),
                    "true" | "false" | "null" | "function" | "λ" | "and" | "or" | "in"
                );
                let after_dot = matches!(prev, Some(Tok::Op(op)) if op == "." );
                if is_name && !keyword && !after_dot && !inside {
                    return Some(text.trim_matches('`').to_string());
                }
            }
            _ => {}
        }
        prev = Some(tok);
    }
    None
}
