//! Choice rules (JSONPath query language): comparison operators, their `Path` variants,
//! the `Is*` tests, And/Or/Not. Also the small matchers Choice and JSONPath filters need:
//! `StringMatches` globs, RFC 3339 timestamps as AWS (Java's ISO_OFFSET_DATE_TIME) parses
//! them, and a linear-time regular-expression matcher for JSONPath's `=~`.
//!
//! A comparison between values of different types is false, not an error (AWS). A
//! `Variable` that matches nothing is `States.Runtime`, except for `IsPresent`.

use crate::exec::Failure;
use crate::json::as_f64;
use crate::jsonata::case::{lower_char, upper_char};
use crate::path::{select_opt, select_opt_path, select_ref, select_ref_path, Env, Path};
use crate::value::Value;

/// A definition's JSON (the rules as written).
type Json = serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;

/// And/Or/Not nest at most this deep (definitions are far shallower).
const MAX_RULE_DEPTH: usize = 200;

/// The `Next` of the first rule that matches, or `None` (then `Default`, or
/// `States.NoChoiceMatched`, is the executor's business).
pub fn choose<'r>(
    choices: &'r [Json],
    input: &Value,
    env: &Env,
) -> Result<Option<&'r str>, Failure> {
    for rule in choices {
        if evaluate_rule(rule, input, env)? {
            return Ok(rule.get("Next").and_then(Json::as_str));
        }
    }
    Ok(None)
}

/// Whether one Choice rule (a `Choices` element or a nested rule) holds for `input`.
pub fn evaluate_rule(rule: &Json, input: &Value, env: &Env) -> Result<bool, Failure> {
    evaluate_at(rule, input, env, 0)
}

fn evaluate_at(rule: &Json, input: &Value, env: &Env, depth: usize) -> Result<bool, Failure> {
    if depth > MAX_RULE_DEPTH {
        return Err(Failure::runtime("Choice rule nested too deeply"));
    }
    let Json::Object(fields) = rule else {
        return Err(Failure::runtime("A Choice rule must be an object"));
    };
    if let Some(Json::Array(rules)) = fields.get("And") {
        for r in rules {
            if !evaluate_at(r, input, env, depth + 1)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    if let Some(Json::Array(rules)) = fields.get("Or") {
        for r in rules {
            if evaluate_at(r, input, env, depth + 1)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(inner) = fields.get("Not") {
        return Ok(!evaluate_at(inner, input, env, depth + 1)?);
    }
    let Some(Json::String(variable)) = fields.get("Variable") else {
        return Err(Failure::runtime(
            "A Choice rule needs 'Variable' and a comparison operator, or And, Or, Not",
        ));
    };
    let Some((operator, expected)) = fields.iter().find(|(k, _)| OPERATORS.contains(&k.as_str()))
    else {
        return Err(Failure::runtime(format!(
            "The Choice rule for '{variable}' has no comparison operator"
        )));
    };
    if operator == "IsPresent" {
        let present = select_opt(variable, input, env)?.is_some();
        return Ok(Some(present) == expected.as_bool());
    }
    let value = select_variable(variable, input, env)?;
    let (operator, expected) = match operator.strip_suffix("Path") {
        Some(base) => {
            let Json::String(path) = expected else {
                return Ok(false);
            };
            (base, select_variable(path, input, env)?)
        }
        None => (operator.as_str(), Cow::Owned(Value::from(expected))),
    };
    Ok(compare(operator, &value, &expected))
}

/// A rule's `Variable` (or a `...Path` operand): nothing there is AWS's States.Runtime.
/// Borrowed from the input when the path allows (no copy per evaluation).
fn select_variable<'v>(path: &str, input: &'v Value, env: &Env) -> Result<Cow<'v, Value>, Failure> {
    match select_ref(path, input, env) {
        Ok(value) => Ok(value),
        Err(f) if f.error == "States.Runtime" => Err(Failure::runtime(format!(
            "Invalid path '{path}': The choice state's condition path references an invalid value."
        ))),
        Err(f) => Err(f),
    }
}

// ---------------------------------------------------------------------------------------
// Compiled rules: parsed once when the machine is built
// ---------------------------------------------------------------------------------------

/// A Choice rule compiled from its JSON: paths parsed, the operator resolved. Gives what
/// [`evaluate_rule`] gives for the same JSON, failures included (a malformed rule fails
/// when it is evaluated, as before).
#[derive(Clone, Debug)]
pub enum Rule {
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
    IsPresent {
        variable: Path,
        expected: Option<bool>,
    },
    Compare {
        variable: Path,
        operator: Operator,
        expected: Expected,
    },
    /// A rule that cannot be evaluated: this failure when it is.
    Fails(Failure),
}

/// The right-hand side of a comparison.
#[derive(Clone, Debug)]
pub enum Expected {
    Literal(Value),
    /// `...Path` operators.
    Path(Path),
    /// A `...Path` operator whose value is not a string: the comparison is false.
    Never,
}

/// A comparison operator without its `Path` suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    IsNull,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
    BooleanEquals,
    StringMatches,
    Ordered(Family, Relation),
    /// Compares as false (nothing in OPERATORS maps here; kept for completeness).
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    String,
    Numeric,
    Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

impl Operator {
    fn parse(operator: &str) -> Operator {
        match operator {
            "IsNull" => return Operator::IsNull,
            "IsNumeric" => return Operator::IsNumeric,
            "IsString" => return Operator::IsString,
            "IsBoolean" => return Operator::IsBoolean,
            "IsTimestamp" => return Operator::IsTimestamp,
            "BooleanEquals" => return Operator::BooleanEquals,
            "StringMatches" => return Operator::StringMatches,
            _ => {}
        }
        let (family, rest) = if let Some(rest) = operator.strip_prefix("String") {
            (Family::String, rest)
        } else if let Some(rest) = operator.strip_prefix("Numeric") {
            (Family::Numeric, rest)
        } else if let Some(rest) = operator.strip_prefix("Timestamp") {
            (Family::Timestamp, rest)
        } else {
            return Operator::Never;
        };
        let relation = match rest {
            "Equals" => Relation::Equals,
            "LessThan" => Relation::LessThan,
            "GreaterThan" => Relation::GreaterThan,
            "LessThanEquals" => Relation::LessThanEquals,
            "GreaterThanEquals" => Relation::GreaterThanEquals,
            _ => return Operator::Never,
        };
        Operator::Ordered(family, relation)
    }

    fn holds(self, value: &Value, expected: &Value) -> bool {
        let is = |test: bool| Some(test) == expected.as_bool();
        match self {
            Operator::IsNull => is(value.is_null()),
            Operator::IsNumeric => is(value.is_number()),
            Operator::IsString => is(value.is_string()),
            Operator::IsBoolean => is(value.is_boolean()),
            Operator::IsTimestamp => is(value.as_str().and_then(parse_timestamp).is_some()),
            Operator::BooleanEquals => {
                matches!((value, expected), (Value::Bool(a), Value::Bool(b)) if a == b)
            }
            Operator::StringMatches => match (value, expected) {
                (Value::String(s), Value::String(pattern)) => string_matches(s, pattern),
                _ => false,
            },
            Operator::Ordered(family, relation) => {
                let ordering = match family {
                    Family::String => match (value, expected) {
                        (Value::String(a), Value::String(b)) => {
                            Some(a.encode_utf16().cmp(b.encode_utf16()))
                        }
                        _ => None,
                    },
                    Family::Numeric => match (value, expected) {
                        (Value::Number(a), Value::Number(b)) => as_f64(a).partial_cmp(&as_f64(b)),
                        _ => None,
                    },
                    Family::Timestamp => value
                        .as_str()
                        .and_then(parse_timestamp)
                        .zip(expected.as_str().and_then(parse_timestamp))
                        .map(|(a, b)| a.cmp(&b)),
                };
                let Some(ordering) = ordering else {
                    return false;
                };
                match relation {
                    Relation::Equals => ordering == Ordering::Equal,
                    Relation::LessThan => ordering == Ordering::Less,
                    Relation::GreaterThan => ordering == Ordering::Greater,
                    Relation::LessThanEquals => ordering != Ordering::Greater,
                    Relation::GreaterThanEquals => ordering != Ordering::Less,
                }
            }
            Operator::Never => false,
        }
    }
}

impl Rule {
    pub fn compile(rule: &Json) -> Rule {
        compile_at(rule, 0)
    }

    /// Whether the rule holds for `input`.
    pub fn holds(&self, input: &Value, env: &Env) -> Result<bool, Failure> {
        match self {
            Rule::And(rules) => {
                for rule in rules {
                    if !rule.holds(input, env)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Rule::Or(rules) => {
                for rule in rules {
                    if rule.holds(input, env)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Rule::Not(inner) => Ok(!inner.holds(input, env)?),
            Rule::IsPresent { variable, expected } => {
                let present = select_opt_path(variable, input, env)?.is_some();
                Ok(Some(present) == *expected)
            }
            Rule::Compare {
                variable,
                operator,
                expected,
            } => {
                let value = select_variable_path(variable, input, env)?;
                let expected = match expected {
                    Expected::Literal(v) => Cow::Borrowed(v),
                    Expected::Path(path) => select_variable_path(path, input, env)?,
                    Expected::Never => return Ok(false),
                };
                Ok(operator.holds(&value, &expected))
            }
            Rule::Fails(failure) => Err(failure.clone()),
        }
    }
}

fn compile_at(rule: &Json, depth: usize) -> Rule {
    if depth > MAX_RULE_DEPTH {
        return Rule::Fails(Failure::runtime("Choice rule nested too deeply"));
    }
    let Json::Object(fields) = rule else {
        return Rule::Fails(Failure::runtime("A Choice rule must be an object"));
    };
    if let Some(Json::Array(rules)) = fields.get("And") {
        return Rule::And(rules.iter().map(|r| compile_at(r, depth + 1)).collect());
    }
    if let Some(Json::Array(rules)) = fields.get("Or") {
        return Rule::Or(rules.iter().map(|r| compile_at(r, depth + 1)).collect());
    }
    if let Some(inner) = fields.get("Not") {
        return Rule::Not(Box::new(compile_at(inner, depth + 1)));
    }
    let Some(Json::String(variable)) = fields.get("Variable") else {
        return Rule::Fails(Failure::runtime(
            "A Choice rule needs 'Variable' and a comparison operator, or And, Or, Not",
        ));
    };
    let Some((operator, expected)) = fields.iter().find(|(k, _)| OPERATORS.contains(&k.as_str()))
    else {
        return Rule::Fails(Failure::runtime(format!(
            "The Choice rule for '{variable}' has no comparison operator"
        )));
    };
    let variable = Path::new(variable);
    if operator == "IsPresent" {
        return Rule::IsPresent {
            variable,
            expected: expected.as_bool(),
        };
    }
    let (operator, expected) = match operator.strip_suffix("Path") {
        Some(base) => match expected {
            Json::String(path) => (base, Expected::Path(Path::new(path))),
            _ => (base, Expected::Never),
        },
        None => (operator.as_str(), Expected::Literal(Value::from(expected))),
    };
    Rule::Compare {
        variable,
        operator: Operator::parse(operator),
        expected,
    }
}

/// [`select_variable`] with a parsed path.
fn select_variable_path<'v>(
    path: &Path,
    input: &'v Value,
    env: &Env,
) -> Result<Cow<'v, Value>, Failure> {
    match select_ref_path(path, input, env) {
        Ok(value) => Ok(value),
        Err(f) if f.error == "States.Runtime" => Err(Failure::runtime(format!(
            "Invalid path '{}': The choice state's condition path references an invalid value.",
            path.text()
        ))),
        Err(f) => Err(f),
    }
}

const OPERATORS: [&str; 39] = [
    "StringEquals",
    "StringEqualsPath",
    "StringLessThan",
    "StringLessThanPath",
    "StringGreaterThan",
    "StringGreaterThanPath",
    "StringLessThanEquals",
    "StringLessThanEqualsPath",
    "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath",
    "StringMatches",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericLessThan",
    "NumericLessThanPath",
    "NumericGreaterThan",
    "NumericGreaterThanPath",
    "NumericLessThanEquals",
    "NumericLessThanEqualsPath",
    "NumericGreaterThanEquals",
    "NumericGreaterThanEqualsPath",
    "BooleanEquals",
    "BooleanEqualsPath",
    "TimestampEquals",
    "TimestampEqualsPath",
    "TimestampLessThan",
    "TimestampLessThanPath",
    "TimestampGreaterThan",
    "TimestampGreaterThanPath",
    "TimestampLessThanEquals",
    "TimestampLessThanEqualsPath",
    "TimestampGreaterThanEquals",
    "TimestampGreaterThanEqualsPath",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];

/// One comparison (`operator` without its `Path` suffix) of `value` against `expected`.
pub fn compare(operator: &str, value: &Value, expected: &Value) -> bool {
    let is = |test: bool| Some(test) == expected.as_bool();
    match operator {
        "IsNull" => is(value.is_null()),
        "IsNumeric" => is(value.is_number()),
        "IsString" => is(value.is_string()),
        "IsBoolean" => is(value.is_boolean()),
        "IsTimestamp" => is(value.as_str().and_then(parse_timestamp).is_some()),
        "BooleanEquals" => matches!((value, expected), (Value::Bool(a), Value::Bool(b)) if a == b),
        "StringMatches" => match (value, expected) {
            (Value::String(s), Value::String(pattern)) => string_matches(s, pattern),
            _ => false,
        },
        _ => {
            let Some(ordering) = ordering(operator, value, expected) else {
                return false;
            };
            let suffix = operator
                .trim_start_matches("String")
                .trim_start_matches("Numeric")
                .trim_start_matches("Timestamp");
            match suffix {
                "Equals" => ordering == Ordering::Equal,
                "LessThan" => ordering == Ordering::Less,
                "GreaterThan" => ordering == Ordering::Greater,
                "LessThanEquals" => ordering != Ordering::Greater,
                "GreaterThanEquals" => ordering != Ordering::Less,
                _ => false,
            }
        }
    }
}

fn ordering(operator: &str, value: &Value, expected: &Value) -> Option<Ordering> {
    if operator.starts_with("String") {
        // Java's String.compareTo: UTF-16 code units.
        let (Value::String(a), Value::String(b)) = (value, expected) else {
            return None;
        };
        return Some(a.encode_utf16().cmp(b.encode_utf16()));
    }
    if operator.starts_with("Numeric") {
        let (Value::Number(a), Value::Number(b)) = (value, expected) else {
            return None;
        };
        return as_f64(a).partial_cmp(&as_f64(b));
    }
    if operator.starts_with("Timestamp") {
        let a = parse_timestamp(value.as_str()?)?;
        let b = parse_timestamp(expected.as_str()?)?;
        return Some(a.cmp(&b));
    }
    None
}

/// `StringMatches`: `*` matches any run of characters; `\*` and `\\` are literal.
pub fn string_matches(text: &str, pattern: &str) -> bool {
    #[derive(PartialEq)]
    enum P {
        Star,
        Char(char),
    }
    let mut parts = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => parts.push(P::Char(next)),
                None => parts.push(P::Char('\\')),
            },
            '*' => parts.push(P::Star),
            c => parts.push(P::Char(c)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Greedy wildcard matching, backtracking only to the last star: O(n*m).
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match parts.get(p) {
            Some(P::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(P::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    parts[p..].iter().all(|part| *part == P::Star)
}

// ---------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------

/// Nanoseconds since the Unix epoch of a timestamp in AWS's profile of RFC 3339:
/// `YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|±hh:mm)`, with an uppercase `T` and `Z` (AWS's Choice
/// documentation), dates and times validated (no February 30th, no second 60).
pub fn parse_timestamp(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    let mut i = 0usize;
    let digits = |i: &mut usize, n: usize| -> Option<i64> {
        let slice = b.get(*i..*i + n)?;
        if !slice.iter().all(u8::is_ascii_digit) {
            return None;
        }
        *i += n;
        std::str::from_utf8(slice).ok()?.parse().ok()
    };
    let lit = |i: &mut usize, c: u8| -> Option<()> {
        if *b.get(*i)? == c {
            *i += 1;
            Some(())
        } else {
            None
        }
    };
    let year = digits(&mut i, 4)?;
    lit(&mut i, b'-')?;
    let month = digits(&mut i, 2)?;
    lit(&mut i, b'-')?;
    let day = digits(&mut i, 2)?;
    lit(&mut i, b'T')?;
    let hour = digits(&mut i, 2)?;
    lit(&mut i, b':')?;
    let minute = digits(&mut i, 2)?;
    lit(&mut i, b':')?;
    let second = digits(&mut i, 2)?;
    let mut nanos: i64 = 0;
    {
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() && i - start < 9 {
                i += 1;
            }
            let count = i - start;
            if count == 0 {
                return None;
            }
            let fraction: i64 = std::str::from_utf8(&b[start..i]).ok()?.parse().ok()?;
            nanos = fraction * 10i64.pow(9 - count as u32);
        }
    }
    let offset_seconds: i64 = match b.get(i)? {
        b'Z' => {
            i += 1;
            0
        }
        sign @ (b'+' | b'-') => {
            let negative = *sign == b'-';
            i += 1;
            let oh = digits(&mut i, 2)?;
            lit(&mut i, b':')?;
            let om = digits(&mut i, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let total = oh * 3600 + om * 60;
            if negative {
                -total
            } else {
                total
            }
        }
        _ => return None,
    };
    if i != b.len() {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(seconds as i128 * 1_000_000_000 + nanos as i128)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

// ---------------------------------------------------------------------------------------
// Regular expressions (JSONPath `=~`): Java syntax subset, full-string match, Pike VM
// ---------------------------------------------------------------------------------------

/// A compiled regular expression: literals, `.`, classes `[a-z]`, `\d \w \s` (and their
/// negations), groups, `|`, `* + ? {m,n}` (lazy and possessive forms match the same set),
/// `^ $`. Matching is linear in the text (no backtracking), so no input can stall it.
#[derive(Clone, Debug)]
pub struct Regex {
    program: Vec<Inst>,
    case_insensitive: bool,
}

#[derive(Clone, Debug)]
enum Node {
    Char(char),
    Any,
    Class(Class),
    Start,
    End,
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
}

#[derive(Clone, Debug)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

#[derive(Clone, Debug)]
enum ClassItem {
    Range(char, char),
    Digit(bool),
    Word(bool),
    Space(bool),
}

#[derive(Clone, Debug)]
enum Inst {
    Char(char),
    Any,
    Class(Class),
    Split(usize, usize),
    Jmp(usize),
    Start,
    End,
    Match,
}

const MAX_PROGRAM: usize = 20_000;
const MAX_REGEX_DEPTH: usize = 64;

impl Regex {
    pub fn new(pattern: &str, case_insensitive: bool) -> Result<Regex, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let node = parse_alt(&chars, &mut pos, 0)?;
        if pos != chars.len() {
            return Err(format!("Unmatched ')' near index {pos}"));
        }
        let mut program = Vec::new();
        compile(&node, &mut program)?;
        program.push(Inst::Match);
        Ok(Regex {
            program,
            case_insensitive,
        })
    }

    /// Whether the whole of `text` matches (Java's `Matcher.matches()`).
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let n = self.program.len();
        let mut current = Vec::new();
        let mut seen = vec![usize::MAX; n];
        self.add(&mut current, &mut seen, 0, 0, chars.len());
        for (i, c) in chars.iter().enumerate() {
            let mut next = Vec::new();
            for &pc in &current {
                let ok = match &self.program[pc] {
                    Inst::Char(expected) => self.same(*expected, *c),
                    Inst::Any => *c != '\n' && *c != '\r',
                    Inst::Class(class) => self.class_matches(class, *c),
                    _ => false,
                };
                if ok {
                    self.add(&mut next, &mut seen, pc + 1, i + 1, chars.len());
                }
            }
            if next.is_empty() {
                return false;
            }
            current = next;
        }
        current
            .iter()
            .any(|&pc| matches!(self.program[pc], Inst::Match))
    }

    /// Adds `pc` and everything reachable from it without consuming input.
    fn add(&self, list: &mut Vec<usize>, seen: &mut [usize], pc: usize, pos: usize, len: usize) {
        let mut stack = vec![pc];
        while let Some(pc) = stack.pop() {
            if pc >= self.program.len() || seen[pc] == pos {
                continue;
            }
            seen[pc] = pos;
            match &self.program[pc] {
                Inst::Jmp(to) => stack.push(*to),
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::Start => {
                    if pos == 0 {
                        stack.push(pc + 1);
                    }
                }
                Inst::End => {
                    if pos == len {
                        stack.push(pc + 1);
                    }
                }
                _ => list.push(pc),
            }
        }
    }

    fn same(&self, a: char, b: char) -> bool {
        a == b || (self.case_insensitive && lower_char(a) == lower_char(b))
    }

    fn class_matches(&self, class: &Class, c: char) -> bool {
        let test = |c: char| {
            class.items.iter().any(|item| match item {
                ClassItem::Range(lo, hi) => *lo <= c && c <= *hi,
                ClassItem::Digit(neg) => c.is_ascii_digit() != *neg,
                ClassItem::Word(neg) => (c.is_ascii_alphanumeric() || c == '_') != *neg,
                ClassItem::Space(neg) => {
                    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') != *neg
                }
            })
        };
        let mut hit = test(c);
        if !hit && self.case_insensitive {
            hit = test(lower_char(c)) || test(upper_char(c));
        }
        hit != class.negated
    }
}

fn parse_alt(chars: &[char], pos: &mut usize, depth: usize) -> Result<Node, String> {
    if depth > MAX_REGEX_DEPTH {
        return Err("Pattern nested too deeply".into());
    }
    let mut branches = vec![parse_concat(chars, pos, depth)?];
    while chars.get(*pos) == Some(&'|') {
        *pos += 1;
        branches.push(parse_concat(chars, pos, depth)?);
    }
    Ok(if branches.len() == 1 {
        branches.pop().unwrap_or(Node::Concat(Vec::new()))
    } else {
        Node::Alt(branches)
    })
}

fn parse_concat(chars: &[char], pos: &mut usize, depth: usize) -> Result<Node, String> {
    let mut items = Vec::new();
    while let Some(&c) = chars.get(*pos) {
        if c == '|' || c == ')' {
            break;
        }
        *pos += 1;
        let atom = match c {
            '(' => {
                // Non-capturing and other group prefixes: `(?:`.
                if chars.get(*pos) == Some(&'?') && chars.get(*pos + 1) == Some(&':') {
                    *pos += 2;
                }
                let inner = parse_alt(chars, pos, depth + 1)?;
                if chars.get(*pos) != Some(&')') {
                    return Err("Unclosed group".into());
                }
                *pos += 1;
                inner
            }
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '[' => Node::Class(parse_class(chars, pos)?),
            '\\' => parse_escape(chars, pos)?,
            '*' | '+' | '?' => return Err(format!("Dangling meta character '{c}'")),
            c => Node::Char(c),
        };
        let atom = parse_quantifier(chars, pos, atom)?;
        items.push(atom);
    }
    Ok(Node::Concat(items))
}

fn parse_quantifier(chars: &[char], pos: &mut usize, atom: Node) -> Result<Node, String> {
    let (min, max) = match chars.get(*pos) {
        Some('*') => (0, None),
        Some('+') => (1, None),
        Some('?') => (0, Some(1)),
        Some('{') => {
            let close = chars[*pos..]
                .iter()
                .position(|c| *c == '}')
                .ok_or("Unclosed counted closure")?;
            let body: String = chars[*pos + 1..*pos + close].iter().collect();
            let (lo, hi) = match body.split_once(',') {
                Some((lo, "")) => (lo.trim().parse().map_err(|_| "Bad count")?, None),
                Some((lo, hi)) => (
                    lo.trim().parse().map_err(|_| "Bad count")?,
                    Some(hi.trim().parse().map_err(|_| "Bad count")?),
                ),
                None => {
                    let n: u32 = body.trim().parse().map_err(|_| "Bad count")?;
                    (n, Some(n))
                }
            };
            *pos += close;
            (lo, hi)
        }
        _ => return Ok(atom),
    };
    *pos += 1;
    // Lazy (`*?`) and possessive (`*+`) forms accept the same strings in a full match.
    if matches!(chars.get(*pos), Some('?') | Some('+')) {
        *pos += 1;
    }
    if max.is_some_and(|m| m < min) || min > 1000 || max.is_some_and(|m| m > 1000) {
        return Err("Bad repetition count".into());
    }
    Ok(Node::Repeat(Box::new(atom), min, max))
}

fn parse_escape(chars: &[char], pos: &mut usize) -> Result<Node, String> {
    let c = *chars.get(*pos).ok_or("Trailing backslash")?;
    *pos += 1;
    let class = |item| {
        Node::Class(Class {
            negated: false,
            items: vec![item],
        })
    };
    Ok(match c {
        'd' => class(ClassItem::Digit(false)),
        'D' => class(ClassItem::Digit(true)),
        'w' => class(ClassItem::Word(false)),
        'W' => class(ClassItem::Word(true)),
        's' => class(ClassItem::Space(false)),
        'S' => class(ClassItem::Space(true)),
        other => Node::Char(escaped_char(other)),
    })
}

fn escaped_char(c: char) -> char {
    match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        'f' => '\x0c',
        other => other,
    }
}

fn parse_class(chars: &[char], pos: &mut usize) -> Result<Class, String> {
    let mut class = Class {
        negated: false,
        items: Vec::new(),
    };
    if chars.get(*pos) == Some(&'^') {
        class.negated = true;
        *pos += 1;
    }
    let mut first = true;
    loop {
        let c = *chars.get(*pos).ok_or("Unclosed character class")?;
        *pos += 1;
        if c == ']' && !first {
            return Ok(class);
        }
        first = false;
        let lo = if c == '\\' {
            let e = *chars.get(*pos).ok_or("Unclosed character class")?;
            *pos += 1;
            match e {
                'd' => {
                    class.items.push(ClassItem::Digit(false));
                    continue;
                }
                'D' => {
                    class.items.push(ClassItem::Digit(true));
                    continue;
                }
                'w' => {
                    class.items.push(ClassItem::Word(false));
                    continue;
                }
                'W' => {
                    class.items.push(ClassItem::Word(true));
                    continue;
                }
                's' => {
                    class.items.push(ClassItem::Space(false));
                    continue;
                }
                'S' => {
                    class.items.push(ClassItem::Space(true));
                    continue;
                }
                other => escaped_char(other),
            }
        } else {
            c
        };
        if chars.get(*pos) == Some(&'-') && chars.get(*pos + 1).is_some_and(|c| *c != ']') {
            let mut hi = chars[*pos + 1];
            *pos += 2;
            if hi == '\\' {
                hi = escaped_char(*chars.get(*pos).ok_or("Unclosed character class")?);
                *pos += 1;
            }
            if hi < lo {
                return Err("Illegal character range".into());
            }
            class.items.push(ClassItem::Range(lo, hi));
        } else {
            class.items.push(ClassItem::Range(lo, lo));
        }
    }
}

fn compile(node: &Node, program: &mut Vec<Inst>) -> Result<(), String> {
    if program.len() > MAX_PROGRAM {
        return Err("Pattern too large".into());
    }
    match node {
        Node::Char(c) => program.push(Inst::Char(*c)),
        Node::Any => program.push(Inst::Any),
        Node::Class(class) => program.push(Inst::Class(class.clone())),
        Node::Start => program.push(Inst::Start),
        Node::End => program.push(Inst::End),
        Node::Concat(items) => {
            for item in items {
                compile(item, program)?;
            }
        }
        Node::Alt(branches) => {
            let mut jumps = Vec::new();
            for (i, branch) in branches.iter().enumerate() {
                if i + 1 < branches.len() {
                    let split = program.len();
                    program.push(Inst::Split(split + 1, 0));
                    compile(branch, program)?;
                    jumps.push(program.len());
                    program.push(Inst::Jmp(0));
                    let next = program.len();
                    program[split] = Inst::Split(split + 1, next);
                } else {
                    compile(branch, program)?;
                }
            }
            let end = program.len();
            for j in jumps {
                program[j] = Inst::Jmp(end);
            }
        }
        Node::Repeat(inner, min, max) => {
            for _ in 0..*min {
                compile(inner, program)?;
            }
            match max {
                None => {
                    let split = program.len();
                    program.push(Inst::Split(split + 1, 0));
                    compile(inner, program)?;
                    program.push(Inst::Jmp(split));
                    let end = program.len();
                    program[split] = Inst::Split(split + 1, end);
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(program.len());
                        program.push(Inst::Split(0, 0));
                        compile(inner, program)?;
                    }
                    let end = program.len();
                    for s in splits {
                        program[s] = Inst::Split(s + 1, end);
                    }
                }
            }
        }
    }
    if program.len() > MAX_PROGRAM {
        return Err("Pattern too large".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(string_matches("log-2024.txt", "log-*.txt"));
        assert!(string_matches("abc", "*"));
        assert!(string_matches("", "*"));
        assert!(!string_matches("abc", "ab"));
        assert!(string_matches("a*c", "a\\*c"));
        assert!(!string_matches("abc", "a\\*c"));
        assert!(string_matches("a\\b", "a\\\\b"));
        assert!(string_matches("aXbYc", "a*b*c"));
        assert!(!string_matches("aXbY", "a*b*c"));
    }

    #[test]
    fn timestamps() {
        let a = parse_timestamp("2012-10-09T19:00:55Z").unwrap();
        let b = parse_timestamp("2012-10-09T20:00:55+01:00").unwrap();
        assert_eq!(a, b);
        assert!(parse_timestamp("2012-10-09T19:00:55").is_none());
        assert!(parse_timestamp("2016-13-05T21:29:29Z").is_none());
        assert!(parse_timestamp("2016-12-05 21:29:29Z").is_none());
        assert!(parse_timestamp("2016-02-30T21:29:29Z").is_none());
        assert!(parse_timestamp("2016-02-29T21:29:29.123456789Z").is_some());
        assert!(parse_timestamp("2016-02-29t21:29:29z").is_none());
        assert!(parse_timestamp("2016-02-29T21:29Z").is_none());
        assert!(parse_timestamp("2016-02-29T21:29:29+0100").is_none());
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_timestamp("1970-01-01T00:00:01.5Z"),
            Some(1_500_000_000)
        );
    }

    #[test]
    fn regexes() {
        let re = |p: &str| Regex::new(p, false).unwrap();
        assert!(re("a.c").is_match("abc"));
        assert!(!re("a.c").is_match("abcd"));
        assert!(re("[a-c]+\\d{2,3}").is_match("abca123"));
        assert!(re("(foo|bar)baz").is_match("barbaz"));
        assert!(re(".*@example\\.com").is_match("x@example.com"));
        assert!(!re(".*@example\\.com").is_match("x@exampleXcom"));
        assert!(Regex::new("ABC", true).unwrap().is_match("abc"));
        assert!(re("(a*)*b").is_match(&format!("{}b", "a".repeat(10_000))));
        assert!(Regex::new("(", false).is_err());
    }
}
