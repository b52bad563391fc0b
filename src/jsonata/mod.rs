//! Our JSONata engine (JSONata 2.0.6 semantics, as AWS documents): a parser that keeps
//! character positions and a synchronous evaluator bounded by a step and depth budget.
//!
//! Layout: [`parser`] (tokens, Pratt parser, jsonata-js's post-parse pass), [`eval`] (the
//! evaluator: paths, tuples, lambdas, tail calls), [`functions`] (the function library),
//! [`signature`] (function signatures), [`datetime`] and [`format`] (pictures for dates
//! and numbers), [`regex`] (JS RegExp on top of regex-lite), [`hash`] (AWS's `$hash`).
//! Invariants: no clock and no randomness of its own (the [`Host`] gives both), no panics
//! on any input, recursion bounded by [`Limits`] and by the parser's nesting limit.

mod case;
mod datetime;
mod eval;
mod format;
mod functions;
mod hash;
mod parser;
mod regex;
mod signature;
mod value;

#[cfg(test)]
mod tests;

use crate::exec::rng::Rng;
use std::rc::Rc;
use value::V;

/// A JSONata error as jsonata-js reports it: code, character position, token, message.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonataError {
    pub code: String,
    pub position: Option<usize>,
    pub token: Option<String>,
    pub message: String,
}

impl std::fmt::Display for JsonataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for JsonataError {}

/// Evaluation budget: nesting depth of evaluation (jsonata-js's test harness counts
/// entries into `evaluate`) and the total number of evaluation steps.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_steps: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 500,
            max_steps: 10_000_000,
        }
    }
}

/// What the evaluator takes from its host: the clock, randomness, AWS mode.
pub struct Host<'a> {
    pub now_millis: i64,
    pub rng: &'a mut Rng,
    pub aws_functions: bool,
}

/// Native stack the evaluator may use below its entry point, whatever the depth limit:
/// deep recursion becomes U1001 instead of a stack overflow (test threads have 2 MiB,
/// wasm's shadow stack 1 MiB).
#[cfg(target_arch = "wasm32")]
pub(crate) const STACK_BUDGET: usize = 640 * 1024;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) const STACK_BUDGET: usize = 1400 * 1024;

#[inline(never)]
pub(crate) fn stack_addr() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// A compiled expression, reusable across evaluations.
#[derive(Clone)]
pub struct Expression {
    ast: Rc<parser::Node>,
    source: Rc<str>,
}

/// Shows the source text (a derived Debug of the tree would cost wasm size for nothing).
impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expression").field(&&*self.source).finish()
    }
}

pub fn compile(expr: &str) -> Result<Expression, JsonataError> {
    match parser::parse(expr) {
        Ok(ast) => Ok(Expression {
            ast: Rc::new(ast),
            source: Rc::from(expr),
        }),
        Err(e) => Err(e.finish()),
    }
}

impl Expression {
    pub fn evaluate(
        &self,
        input: Option<&serde_json::Value>,
        bindings: &serde_json::Map<String, serde_json::Value>,
        host: &mut Host,
        limits: &Limits,
    ) -> Result<Option<serde_json::Value>, JsonataError> {
        let input = input.map(value::from_json);
        let bindings: Vec<(String, V)> = bindings
            .iter()
            .map(|(k, v)| (k.clone(), value::from_json(v)))
            .collect();
        eval::run(&self.ast, input, bindings, host, limits)
            .map(|r| r.map(|v| value::to_json(&v)))
            .map_err(|e| e.finish())
    }
}

/// The internal error (boxed to keep `Result`s small on deep recursion).
#[derive(Clone, Debug)]
pub(crate) struct Err {
    d: Box<ErrData>,
}

impl std::ops::Deref for Err {
    type Target = ErrData;
    fn deref(&self) -> &ErrData {
        &self.d
    }
}
impl std::ops::DerefMut for Err {
    fn deref_mut(&mut self) -> &mut ErrData {
        &mut self.d
    }
}

/// A code plus the values its message template refers to.
#[derive(Clone, Debug, Default)]
pub(crate) struct ErrData {
    pub code: &'static str,
    pub position: Option<usize>,
    pub token: Option<String>,
    /// The token when it is a number, boolean or null (rendered raw in messages).
    pub token_val: Option<V>,
    pub value: Option<V>,
    pub value2: Option<V>,
    pub index: Option<usize>,
    /// Text for `{{{message}}}`, `{{type}}`, `{{{functionName}}}`, `{{exp}}`.
    pub text: Option<String>,
    pub message: Option<String>,
}

impl Err {
    pub fn new(code: &'static str) -> Err {
        Err {
            d: Box::new(ErrData {
                code,
                ..Default::default()
            }),
        }
    }
    pub fn pos(mut self, p: usize) -> Err {
        self.position = Some(p);
        self
    }
    pub fn tok(mut self, t: &str) -> Err {
        self.token = Some(t.to_string());
        self
    }
    pub fn tok_v(mut self, v: V) -> Err {
        self.token = Some(functions::to_string(&v));
        self.token_val = Some(v);
        self
    }
    pub fn val(mut self, v: V) -> Err {
        self.value = Some(v);
        self
    }
    pub fn val2(mut self, v: V) -> Err {
        self.value2 = Some(v);
        self
    }
    pub fn idx(mut self, i: usize) -> Err {
        self.index = Some(i);
        self
    }
    pub fn text(mut self, t: &str) -> Err {
        self.text = Some(t.to_string());
        self
    }
    pub fn msg(mut self, m: &str) -> Err {
        self.message = Some(m.to_string());
        self
    }

    fn finish(self) -> JsonataError {
        let message = match &self.message {
            Some(m) => m.clone(),
            None => self.render(),
        };
        JsonataError {
            code: self.code.to_string(),
            position: self.position,
            token: self.token.clone(),
            message,
        }
    }
}

impl ErrData {
    fn field(&self, name: &str, raw: bool) -> String {
        let json = |v: &Option<V>| match v {
            None => "undefined".to_string(),
            Some(v) if raw => functions::to_string(v),
            Some(v) => match v {
                V::Fun(_) => "undefined".to_string(),
                _ => crate::json::stringify(&value::to_json(v)),
            },
        };
        let text = |t: &Option<String>| match t {
            None => "undefined".to_string(),
            Some(s) if raw => s.clone(),
            Some(s) => crate::json::stringify(&serde_json::Value::String(s.clone())),
        };
        match name {
            "value" => json(&self.value),
            "value2" => json(&self.value2),
            "token" => match &self.token_val {
                Some(v) if self.token.as_deref() == Some(&functions::to_string(v)) => {
                    functions::to_string(v)
                }
                _ => text(&self.token),
            },
            "exp" => self.text.clone().unwrap_or_else(|| "undefined".into()),
            "index" => self
                .index
                .map(|i| i.to_string())
                .unwrap_or_else(|| "undefined".into()),
            _ => text(&self.text),
        }
    }

    fn render(&self) -> String {
        let tpl = template(self.code);
        let mut out = String::new();
        let mut rest = tpl;
        while let Some(i) = rest.find("{{") {
            out.push_str(&rest[..i]);
            let triple = rest[i..].starts_with("{{{");
            let start = i + if triple { 3 } else { 2 };
            let close = if triple { "}}}" } else { "}}" };
            match rest[start..].find(close) {
                Some(j) => {
                    out.push_str(&self.field(&rest[start..start + j], triple));
                    rest = &rest[start + j + close.len()..];
                }
                None => {
                    rest = &rest[i..];
                    break;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

fn template(code: &str) -> &'static str {
    match code {
        "S0101" => "String literal must be terminated by a matching quote",
        "S0102" => "Number out of range: {{token}}",
        "S0103" => "Unsupported escape sequence: \\{{token}}",
        "S0104" => "The escape sequence \\u must be followed by 4 hex digits",
        "S0105" => "Quoted property name must be terminated with a backquote (`)",
        "S0106" => "Comment has no closing tag",
        "S0201" => "Syntax error: {{token}}",
        "S0202" => "Expected {{value}}, got {{token}}",
        "S0203" => "Expected {{value}} before end of expression",
        "S0204" => "Unknown operator: {{token}}",
        "S0205" => "Unexpected token: {{token}}",
        "S0206" => "Unknown expression type: {{token}}",
        "S0207" => "Unexpected end of expression",
        "S0208" => "Parameter {{value}} of function definition must be a variable name (start with $)",
        "S0209" => "A predicate cannot follow a grouping expression in a step",
        "S0210" => "Each step can only have one grouping expression",
        "S0211" => "The symbol {{token}} cannot be used as a unary operator",
        "S0212" => "The left side of := must be a variable name (start with $)",
        "S0213" => "The literal value {{value}} cannot be used as a step within a path expression",
        "S0214" => "The right side of {{token}} must be a variable name (start with $)",
        "S0215" => "A context variable binding must precede any predicates on a step",
        "S0216" => "A context variable binding must precede the 'order-by' clause on a step",
        "S0217" => "The object representing the 'parent' cannot be derived from this expression",
        "S0301" => "Empty regular expressions are not allowed",
        "S0302" => "No terminating / in regular expression",
        "S0402" => "Choice groups containing parameterized types are not supported",
        "S0401" => "Type parameters can only be applied to functions and arrays",
        "S0500" => "Attempted to evaluate an expression containing syntax error(s)",
        "T0410" => "Argument {{index}} of function {{token}} does not match function signature",
        "T0411" => "Context value is not a compatible type with argument {{index}} of function {{token}}",
        "T0412" => "Argument {{index}} of function {{token}} must be an array of {{type}}",
        "D1001" => "Number out of range: {{value}}",
        "D1002" => "Cannot negate a non-numeric value: {{value}}",
        "T1003" => "Key in object structure must evaluate to a string; got: {{value}}",
        "D1004" => "Regular expression matches zero length string",
        "T1005" => "Attempted to invoke a non-function. Did you mean ${{{token}}}?",
        "T1006" => "Attempted to invoke a non-function",
        "T1007" => "Attempted to partially apply a non-function. Did you mean ${{{token}}}?",
        "T1008" => "Attempted to partially apply a non-function",
        "D1009" => "Multiple key definitions evaluate to same key: {{value}}",
        "D1010" => "Attempted to access the Javascript object prototype",
        "T1010" => "The matcher function argument passed to function {{token}} does not return the correct object structure",
        "T2001" => "The left side of the {{token}} operator must evaluate to a number",
        "T2002" => "The right side of the {{token}} operator must evaluate to a number",
        "T2003" => "The left side of the range operator (..) must evaluate to an integer",
        "T2004" => "The right side of the range operator (..) must evaluate to an integer",
        "D2005" => "The left side of := must be a variable name (start with $)",
        "T2006" => "The right side of the function application operator ~> must be a function",
        "T2007" => "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause",
        "T2008" => "The expressions within an order-by clause must evaluate to numeric or string values",
        "T2009" => "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type",
        "T2010" => "The expressions either side of operator {{token}} must evaluate to numeric or string values",
        "T2011" => "The insert/update clause of the transform expression must evaluate to an object: {{value}}",
        "T2012" => "The delete clause of the transform expression must evaluate to a string or array of strings: {{value}}",
        "T2013" => "The transform expression clones the input object using the $clone() function.  This has been overridden in the current scope by a non-function.",
        "D2014" => "The size of the sequence allocated by the range operator (..) must not exceed 1e6.  Attempted to allocate {{value}}.",
        "D3001" => "Attempting to invoke string function on Infinity or NaN",
        "D3010" => "Second argument of replace function cannot be an empty string",
        "D3011" => "Fourth argument of replace function must evaluate to a positive number",
        "D3012" => "Attempted to replace a matched string with a non-string value",
        "D3020" => "Third argument of split function must evaluate to a positive number",
        "D3030" => "Unable to cast value to a number: {{value}}",
        "D3040" => "Third argument of match function must evaluate to a positive number",
        "D3050" => "The second argument of reduce function must be a function with at least two arguments",
        "D3060" => "The sqrt function cannot be applied to a negative number: {{value}}",
        "D3061" => "The power function has resulted in a value that cannot be represented as a JSON number: base={{value}}, exponent={{exp}}",
        "D3070" => "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function",
        "D3080" => "The picture string must only contain a maximum of two sub-pictures",
        "D3081" => "The sub-picture must not contain more than one instance of the 'decimal-separator' character",
        "D3082" => "The sub-picture must not contain more than one instance of the 'percent' character",
        "D3083" => "The sub-picture must not contain more than one instance of the 'per-mille' character",
        "D3084" => "The sub-picture must not contain both a 'percent' and a 'per-mille' character",
        "D3085" => "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'",
        "D3086" => "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character",
        "D3087" => "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character",
        "D3088" => "The sub-picture must not contain a 'grouping-separator' at the end of the integer part",
        "D3089" => "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character",
        "D3090" => "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'",
        "D3091" => "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'",
        "D3092" => "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'",
        "D3093" => "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'",
        "D3100" => "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}",
        "D3110" => "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}",
        "D3120" => "Syntax error in expression passed to function eval: {{value}}",
        "D3121" => "Dynamic error evaluating the expression passed to function eval: {{value}}",
        "D3130" => "Formatting or parsing an integer as a sequence starting with {{value}} is not supported by this implementation",
        "D3131" => "In a decimal digit pattern, all digits must be from the same decimal group",
        "D3132" => "Unknown component specifier {{value}} in date/time picture string",
        "D3133" => "The 'name' modifier can only be applied to months and days in the date/time picture string, not {{value}}",
        "D3134" => "The timezone integer format specifier cannot have more than four digits",
        "D3135" => "No matching closing bracket ']' in date/time picture string",
        "D3136" => "The date/time picture string is missing specifiers required to parse the timestamp",
        "D3137" => "{{{message}}}",
        "D3138" => "The $single() function expected exactly 1 matching result.  Instead it matched more.",
        "D3139" => "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
        "D3140" => "Malformed URL passed to ${{{functionName}}}(): {{value}}",
        "D3141" => "{{{message}}}",
        "U1001" => "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.",
        "U1002" => "Expression evaluation exceeded the step limit",
        _ => "{{{message}}}",
    }
}
