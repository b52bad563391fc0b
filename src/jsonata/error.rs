//! The engine's internal error (a code plus the values its message refers to) and
//! jsonata-js's message templates, rendered into a [`JsonataError`] at the API.

use super::value::{self, V};
use super::{functions, JsonataError};

/// Longest string the engine builds from a number in the expression ($pad widths,
/// picture widths): beyond it, an error instead of exhausting memory.
pub(crate) const MAX_TEXT: f64 = 10_000_000.0;

/// The error for a result over [`MAX_TEXT`] (jsonata-js runs out of memory or stack).
pub(crate) fn too_large() -> Err {
    Err::new("U1001").msg("Result too large: a string or sequence would exceed the engine's limit")
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

    pub(super) fn finish(self) -> JsonataError {
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

/// Message templates by code, one per line ("<code><message>"), as in jsonata-js. A
/// single text keeps the wasm smaller than a `match` over 100 string arms.
const TEMPLATES: &str = "\
S0101String literal must be terminated by a matching quote\n\
S0102Number out of range: {{token}}\n\
S0103Unsupported escape sequence: \\{{token}}\n\
S0104The escape sequence \\u must be followed by 4 hex digits\n\
S0105Quoted property name must be terminated with a backquote (`)\n\
S0106Comment has no closing tag\n\
S0201Syntax error: {{token}}\n\
S0202Expected {{value}}, got {{token}}\n\
S0203Expected {{value}} before end of expression\n\
S0204Unknown operator: {{token}}\n\
S0205Unexpected token: {{token}}\n\
S0206Unknown expression type: {{token}}\n\
S0207Unexpected end of expression\n\
S0208Parameter {{value}} of function definition must be a variable name (start with $)\n\
S0209A predicate cannot follow a grouping expression in a step\n\
S0210Each step can only have one grouping expression\n\
S0211The symbol {{token}} cannot be used as a unary operator\n\
S0212The left side of := must be a variable name (start with $)\n\
S0213The literal value {{value}} cannot be used as a step within a path expression\n\
S0214The right side of {{token}} must be a variable name (start with $)\n\
S0215A context variable binding must precede any predicates on a step\n\
S0216A context variable binding must precede the 'order-by' clause on a step\n\
S0217The object representing the 'parent' cannot be derived from this expression\n\
S0301Empty regular expressions are not allowed\n\
S0302No terminating / in regular expression\n\
S0402Choice groups containing parameterized types are not supported\n\
S0401Type parameters can only be applied to functions and arrays\n\
S0500Attempted to evaluate an expression containing syntax error(s)\n\
T0410Argument {{index}} of function {{token}} does not match function signature\n\
T0411Context value is not a compatible type with argument {{index}} of function {{token}}\n\
T0412Argument {{index}} of function {{token}} must be an array of {{type}}\n\
D1001Number out of range: {{value}}\n\
D1002Cannot negate a non-numeric value: {{value}}\n\
T1003Key in object structure must evaluate to a string; got: {{value}}\n\
D1004Regular expression matches zero length string\n\
T1005Attempted to invoke a non-function. Did you mean ${{{token}}}?\n\
T1006Attempted to invoke a non-function\n\
T1007Attempted to partially apply a non-function. Did you mean ${{{token}}}?\n\
T1008Attempted to partially apply a non-function\n\
D1009Multiple key definitions evaluate to same key: {{value}}\n\
D1010Attempted to access the Javascript object prototype\n\
T1010The matcher function argument passed to function {{token}} does not return the correct object structure\n\
T2001The left side of the {{token}} operator must evaluate to a number\n\
T2002The right side of the {{token}} operator must evaluate to a number\n\
T2003The left side of the range operator (..) must evaluate to an integer\n\
T2004The right side of the range operator (..) must evaluate to an integer\n\
D2005The left side of := must be a variable name (start with $)\n\
T2006The right side of the function application operator ~> must be a function\n\
T2007Type mismatch when comparing values {{value}} and {{value2}} in order-by clause\n\
T2008The expressions within an order-by clause must evaluate to numeric or string values\n\
T2009The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type\n\
T2010The expressions either side of operator {{token}} must evaluate to numeric or string values\n\
T2011The insert/update clause of the transform expression must evaluate to an object: {{value}}\n\
T2012The delete clause of the transform expression must evaluate to a string or array of strings: {{value}}\n\
T2013The transform expression clones the input object using the $clone() function.  This has been overridden in the current scope by a non-function.\n\
D2014The size of the sequence allocated by the range operator (..) must not exceed 1e6.  Attempted to allocate {{value}}.\n\
D3001Attempting to invoke string function on Infinity or NaN\n\
D3010Second argument of replace function cannot be an empty string\n\
D3011Fourth argument of replace function must evaluate to a positive number\n\
D3012Attempted to replace a matched string with a non-string value\n\
D3020Third argument of split function must evaluate to a positive number\n\
D3030Unable to cast value to a number: {{value}}\n\
D3040Third argument of match function must evaluate to a positive number\n\
D3050The second argument of reduce function must be a function with at least two arguments\n\
D3060The sqrt function cannot be applied to a negative number: {{value}}\n\
D3061The power function has resulted in a value that cannot be represented as a JSON number: base={{value}}, exponent={{exp}}\n\
D3070The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function\n\
D3080The picture string must only contain a maximum of two sub-pictures\n\
D3081The sub-picture must not contain more than one instance of the 'decimal-separator' character\n\
D3082The sub-picture must not contain more than one instance of the 'percent' character\n\
D3083The sub-picture must not contain more than one instance of the 'per-mille' character\n\
D3084The sub-picture must not contain both a 'percent' and a 'per-mille' character\n\
D3085The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'\n\
D3086The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character\n\
D3087The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character\n\
D3088The sub-picture must not contain a 'grouping-separator' at the end of the integer part\n\
D3089The sub-picture must not contain two adjacent instances of the 'grouping-separator' character\n\
D3090The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'\n\
D3091The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'\n\
D3092A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'\n\
D3093The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'\n\
D3100The radix of the formatBase function must be between 2 and 36.  It was given {{value}}\n\
D3110The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}\n\
D3120Syntax error in expression passed to function eval: {{value}}\n\
D3121Dynamic error evaluating the expression passed to function eval: {{value}}\n\
D3130Formatting or parsing an integer as a sequence starting with {{value}} is not supported by this implementation\n\
D3131In a decimal digit pattern, all digits must be from the same decimal group\n\
D3132Unknown component specifier {{value}} in date/time picture string\n\
D3133The 'name' modifier can only be applied to months and days in the date/time picture string, not {{value}}\n\
D3134The timezone integer format specifier cannot have more than four digits\n\
D3135No matching closing bracket ']' in date/time picture string\n\
D3136The date/time picture string is missing specifiers required to parse the timestamp\n\
D3137{{{message}}}\n\
D3138The $single() function expected exactly 1 matching result.  Instead it matched more.\n\
D3139The $single() function expected exactly 1 matching result.  Instead it matched 0.\n\
D3140Malformed URL passed to ${{{functionName}}}(): {{value}}\n\
D3141{{{message}}}\n\
U1001Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.\n\
U1002Expression evaluation exceeded the step limit\n";

fn template(code: &str) -> &'static str {
    for line in TEMPLATES.split('\n') {
        if line.len() > 5 && line.starts_with(code) && line.is_char_boundary(5) {
            return &line[5..];
        }
    }
    "{{{message}}}"
}
