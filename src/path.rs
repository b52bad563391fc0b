//! JSONPath as AWS Step Functions implements it: paths (InputPath, OutputPath, ItemsPath,
//! `*Path` fields, Choice `Variable`), reference paths (ResultPath), and payload templates
//! (Parameters, ResultSelector, ItemSelector) with `.$` keys, the context object `$$` and
//! workflow variables `$name`.
//!
//! Pure functions over `serde_json::Value`; failures are AWS's (`States.Runtime` with the
//! cause text AWS gives). AWS evaluates paths with Jayway JsonPath (Jackson provider), so
//! the evaluator below follows Jayway's rules: which paths are *definite* (a definite path
//! gives one value, an indefinite one an array of matches), when a missing property is an
//! error, and the exact wording of its exceptions, which AWS quotes in its causes.
//!
//! Causes are given without AWS's prefix "An error occurred while executing the state
//! 'X' (entered at the event id #N). ": the executor, which knows the state, adds it.
//!
//! Which function for which field (the executor's side):
//! - InputPath, OutputPath, ItemsPath, `*Path` numbers, Wait `SecondsPath`/`TimestampPath`:
//!   [`select`] (a `null` field means `{}`, which is the caller's business);
//! - Parameters, ResultSelector, ItemSelector, JSONPath Assign: [`apply_template`];
//! - ResultPath (also Catch's): [`apply_result_path`];
//! - Fail `ErrorPath`/`CausePath`: [`crate::intrinsic::evaluate_in_field`] when
//!   [`crate::intrinsic::is_intrinsic`], else [`select_in_field`], with the field name
//!   (`"CausePath"`) so that a miss reads as AWS's "specified for the field 'CausePath'";
//! - Choice `IsPresent`, optional lookups: [`select_opt`].
//!
//! Invariants: no panics on any input, no recursion whose depth the input decides (deep
//! scans and template walks use explicit stacks; paths and filters are size-bounded).

use crate::exec::rng::Rng;
use crate::exec::Failure;
use crate::json::{as_f64, format_number, write_string};
use crate::value::{Map, Value};
use serde_json::Number;

/// A definition's JSON (templates are read from the definition as written).
type Json = serde_json::Value;

/// Read access to the workflow variables visible from a state (inner scopes see outer ones).
pub trait Variables {
    fn get_variable(&self, name: &str) -> Option<&Value>;
}

impl Variables for Map {
    fn get_variable(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

/// What a path or template can read besides the state's input.
pub struct Env<'a> {
    /// The context object (`$$`).
    pub context: &'a Value,
    /// Workflow variables (`$name`).
    pub variables: &'a dyn Variables,
    /// For intrinsic functions that need randomness (States.MathRandom, States.UUID).
    pub rng: &'a mut Rng,
}

/// The cause AWS gives when a path is applied to a `null` state input.
pub const NULL_INPUT_CAUSE: &str = "Unable to apply Path transformation to null or empty input.";

/// Filters nest at most this deep (parentheses, `!`); deeper text is rejected, not recursed.
const MAX_FILTER_DEPTH: usize = 64;
/// At most this many tokens and filter terms in one path: the evaluator recurses once per
/// token, so a pathological path must be refused rather than overflow the stack.
const MAX_PATH_PARTS: usize = 500;

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

/// A path for InputPath/OutputPath/ItemsPath/*Path fields/Choice Variable. A definite path
/// gives the value; an indefinite path gives an array of the matches (possibly empty).
/// Nothing at a definite path: `States.Runtime` "Invalid path '$.x' : No results for path:
/// $['x']" (Jayway's message, as AWS quotes it).
pub fn select(path: &str, input: &Value, env: &Env) -> Result<Value, Failure> {
    select_path(&Path::cached(path), input, env)
}

/// [`select`] with a path parsed beforehand.
pub fn select_path(compiled: &Path, input: &Value, env: &Env) -> Result<Value, Failure> {
    let path = compiled.text();
    match evaluate(compiled, input, env) {
        Ok(value) => Ok(value),
        Err(PathError::NullInput) => Err(Failure::runtime(NULL_INPUT_CAUSE)),
        Err(PathError::NotFound(message)) | Err(PathError::Invalid(message)) => Err(
            Failure::runtime(format!("Invalid path '{path}' : {message}")),
        ),
        Err(PathError::UndefinedVariable(name)) => Err(undefined_variable(path, &name)),
    }
}

/// Like [`select`], but `None` when nothing matches (Choice IsPresent, optional fields).
/// A path that is malformed is still an error.
pub fn select_opt(path: &str, input: &Value, env: &Env) -> Result<Option<Value>, Failure> {
    select_opt_path(&Path::cached(path), input, env)
}

/// [`select_opt`] with a path parsed beforehand.
pub fn select_opt_path(
    compiled: &Path,
    input: &Value,
    env: &Env,
) -> Result<Option<Value>, Failure> {
    let path = compiled.text();
    match evaluate(compiled, input, env) {
        Ok(value) => Ok(Some(value)),
        Err(PathError::NotFound(_))
        | Err(PathError::NullInput)
        | Err(PathError::UndefinedVariable(_)) => Ok(None),
        Err(PathError::Invalid(message)) => Err(Failure::runtime(format!(
            "Invalid path '{path}' : {message}"
        ))),
    }
}

/// The cause AWS gives when a payload-template path (`"x.$": "$.a"`) or a Fail state's
/// `ErrorPath`/`CausePath` matches nothing. `field` is the template key with its `.$`
/// (`x.$`), or the field name (`CausePath`).
pub fn not_found_in_input_cause(path: &str, field: &str, input: &Value) -> String {
    format!(
        "The JSONPath '{path}' specified for the field '{field}' could not be found in the input '{}'",
        java_json(input)
    )
}

/// ResultPath: place `result` into `input` at a reference path ("$" replaces; "$.a.b"
/// creates missing intermediate objects). `None` (ResultPath null) keeps the input.
pub fn apply_result_path(
    path: Option<&str>,
    input: Value,
    result: Value,
) -> Result<Value, Failure> {
    let Some(path) = path else {
        return Ok(input);
    };
    let steps = parse_reference_path(path)
        .map_err(|message| Failure::runtime(format!("Invalid path '{path}' : {message}")))?;
    if steps.is_empty() {
        return Ok(result);
    }
    if !reference_path_applies(&steps, &input) {
        return Err(Failure::runtime(format!(
            "Unable to apply ReferencePath {path} to input {}",
            java_json(&input)
        )));
    }
    let mut output = input;
    let mut cursor = &mut output;
    let last = steps.len() - 1;
    let mut result = Some(result);
    for (i, step) in steps.iter().enumerate() {
        match step {
            RefStep::Property(name) => {
                let Some(map) = cursor.as_object_mut() else {
                    break;
                };
                if i == last {
                    map.insert(name.as_str().into(), result.take().unwrap_or(Value::Null));
                    break;
                }
                cursor = map.entry_or_insert_with(name.as_str().into(), Value::empty_object);
            }
            RefStep::Index(index) => {
                let Some(slot) = cursor
                    .as_array_mut()
                    .and_then(|items| items.get_mut(*index))
                else {
                    break;
                };
                if i == last {
                    *slot = result.take().unwrap_or(Value::Null);
                    break;
                }
                cursor = slot;
            }
        }
    }
    Ok(output)
}

/// [`apply_result_path`] for a shared input: builds the output by copying only the
/// members beside the path (the part the result replaces is never copied), so a large
/// input costs nothing when the result goes next to it or over it.
pub fn place_result(path: &str, input: &Value, result: Value) -> Result<Value, Failure> {
    place_result_at(&ReferencePath::new(path), input, result)
}

/// [`place_result`] with the path parsed beforehand.
pub fn place_result_at(
    reference: &ReferencePath,
    input: &Value,
    result: Value,
) -> Result<Value, Failure> {
    let path = reference.text();
    let steps = reference
        .steps
        .as_deref()
        .map_err(|message| Failure::runtime(format!("Invalid path '{path}' : {message}")))?;
    if steps.is_empty() {
        return Ok(result);
    }
    if !reference_path_applies(steps, input) {
        return Err(Failure::runtime(format!(
            "Unable to apply ReferencePath {path} to input {}",
            java_json(input)
        )));
    }
    // The existing node at each depth (`None` where an intermediate object is missing
    // and will be created), then the output is built from the leaf up.
    let mut nodes: Vec<Option<&Value>> = Vec::with_capacity(steps.len());
    let mut cursor = Some(input);
    for step in steps {
        nodes.push(cursor);
        cursor = match (step, cursor) {
            (RefStep::Property(name), Some(Value::Object(map))) => map.get(name),
            (RefStep::Index(index), Some(Value::Array(items))) => items.get(*index),
            _ => None,
        };
    }
    let mut value = result;
    for (step, node) in steps.iter().zip(nodes).rev() {
        value = match (step, node) {
            (RefStep::Property(name), Some(Value::Object(map))) => {
                let mut out = Map::new();
                let mut placed = None;
                for (k, v) in map.iter() {
                    if **k == **name {
                        placed = Some(k.clone());
                        out.insert(k.clone(), Value::Null);
                    } else {
                        out.insert(k.clone(), v.clone());
                    }
                }
                out.insert(placed.unwrap_or_else(|| name.as_str().into()), value);
                Value::object(out)
            }
            (RefStep::Index(index), Some(Value::Array(items))) => {
                let mut out = Vec::with_capacity(items.len());
                let mut value = Some(value);
                for (i, item) in items.iter().enumerate() {
                    match value.take_if(|_| i == *index) {
                        Some(v) => out.push(v),
                        None => out.push(item.clone()),
                    }
                }
                Value::array(out)
            }
            (RefStep::Property(name), _) => {
                let mut out = Map::new();
                out.insert(name.as_str().into(), value);
                Value::object(out)
            }
            // Unreachable after `reference_path_applies`; keep the input unchanged.
            (RefStep::Index(_), _) => return Ok(input.clone()),
        };
    }
    Ok(value)
}

/// Payload template (Parameters, ResultSelector, ItemSelector, ...): keys ending in `.$`
/// take a path, a context path `$$...`, a variable path `$var...`, or an intrinsic call;
/// nested objects and arrays are walked (iteratively: a template of any depth is safe).
pub fn apply_template(template: &Json, input: &Value, env: &mut Env) -> Result<Value, Failure> {
    enum Frame<'t> {
        Object {
            entries: serde_json::map::Iter<'t>,
            out: Map,
            key: &'t str,
        },
        Array {
            items: std::slice::Iter<'t, Json>,
            out: Vec<Value>,
        },
    }
    fn open(value: &Json) -> Option<Frame<'_>> {
        match value {
            Json::Object(map) => Some(Frame::Object {
                entries: map.iter(),
                out: Map::with_capacity(map.len()),
                key: "",
            }),
            Json::Array(items) => Some(Frame::Array {
                items: items.iter(),
                out: Vec::new(),
            }),
            _ => None,
        }
    }

    let Some(root) = open(template) else {
        return Ok(Value::from(template));
    };
    let mut stack = vec![root];
    loop {
        let Some(top) = stack.last_mut() else {
            return Ok(Value::Null);
        };
        // The next child of the innermost container, or its finished value.
        enum Step<'t> {
            Resolved,
            Child(&'t Json),
            Finished(Value),
        }
        let step = match top {
            Frame::Object { entries, out, key } => match entries.next() {
                Some((k, v)) => {
                    if let Some(field) = k.strip_suffix(".$").filter(|f| !f.is_empty()) {
                        let value = resolve_dynamic(k, v, input, env)?;
                        out.insert(field.into(), value);
                        Step::Resolved
                    } else {
                        *key = k;
                        Step::Child(v)
                    }
                }
                None => Step::Finished(Value::object(std::mem::take(out))),
            },
            Frame::Array { items, out } => match items.next() {
                Some(v) => Step::Child(v),
                None => Step::Finished(Value::array(std::mem::take(out))),
            },
        };
        match step {
            Step::Resolved => {}
            Step::Child(child) => match open(child) {
                Some(frame) => stack.push(frame),
                None => push_child(&mut stack, Value::from(child)),
            },
            Step::Finished(done) => {
                stack.pop();
                if stack.is_empty() {
                    return Ok(done);
                }
                push_child(&mut stack, done);
            }
        }
    }

    fn push_child(stack: &mut [Frame<'_>], value: Value) {
        match stack.last_mut() {
            Some(Frame::Object { out, key, .. }) => {
                out.insert((*key).into(), value);
            }
            Some(Frame::Array { out, .. }) => out.push(value),
            None => {}
        }
    }
}

/// A payload template compiled when the machine is built: literal parts become shared
/// values (produced in O(1)), `.$` entries hold their parsed path or intrinsic call.
/// Evaluation gives what [`apply_template`] gives for the same JSON, failures included
/// (they are found at the same entries, in the same order).
#[derive(Clone, Debug)]
pub enum Template {
    /// No `.$` key inside.
    Literal(Value),
    /// Output key (without `.$`) -> its template, in the template's order.
    Object(Vec<(std::rc::Rc<str>, Template)>),
    Array(Vec<Template>),
    /// `"key.$": "$.path"` (also `$$...`, `$var...`); `field` keeps the `.$`.
    Path {
        field: std::rc::Rc<str>,
        path: Path,
        /// The path reads the state input, which AWS refuses when it is null.
        input_only: bool,
    },
    /// `"key.$": "States.X(...)"`.
    Intrinsic {
        field: std::rc::Rc<str>,
        call: crate::intrinsic::Intrinsic,
    },
    /// `"key.$"` with a value that is not a string: this failure when evaluated.
    Fails(Failure),
    /// Nested deeper than [`MAX_COMPILED_DEPTH`]: walked by [`apply_template`] (which
    /// needs no recursion).
    Raw(Json),
}

/// Templates deeper than this are not compiled (evaluation recurses once per level).
const MAX_COMPILED_DEPTH: usize = 64;

impl Template {
    pub fn compile(template: &Json) -> Template {
        compile_template(template, 0)
    }

    /// The template's value for `input`.
    pub fn apply(&self, input: &Value, env: &mut Env) -> Result<Value, Failure> {
        match self {
            Template::Literal(value) => Ok(value.clone()),
            Template::Object(entries) => {
                let mut out = Map::with_capacity(entries.len());
                for (key, template) in entries {
                    out.insert(key.clone(), template.apply(input, env)?);
                }
                Ok(Value::object(out))
            }
            Template::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for template in items {
                    out.push(template.apply(input, env)?);
                }
                Ok(Value::array(out))
            }
            Template::Path {
                field,
                path,
                input_only,
            } => {
                if *input_only && input.is_null() {
                    return Err(Failure::runtime(NULL_INPUT_CAUSE));
                }
                select_in_field_path(path, field, input, env)
            }
            Template::Intrinsic { field, call } => call.evaluate(Some(field), input, env),
            Template::Fails(failure) => Err(failure.clone()),
            Template::Raw(template) => apply_template(template, input, env),
        }
    }
}

fn compile_template(template: &Json, depth: usize) -> Template {
    if depth > MAX_COMPILED_DEPTH {
        return Template::Raw(template.clone());
    }
    match template {
        Json::Object(map) => {
            let mut entries = Vec::with_capacity(map.len());
            let mut literal = true;
            for (key, value) in map {
                if let Some(field) = key.strip_suffix(".$").filter(|f| !f.is_empty()) {
                    literal = false;
                    entries.push((field.into(), compile_dynamic(key, value)));
                } else {
                    let child = compile_template(value, depth + 1);
                    literal &= matches!(child, Template::Literal(_));
                    entries.push((key.as_str().into(), child));
                }
            }
            if literal {
                Template::Literal(Value::from(template))
            } else {
                Template::Object(entries)
            }
        }
        Json::Array(items) => {
            let items: Vec<Template> = items
                .iter()
                .map(|item| compile_template(item, depth + 1))
                .collect();
            if items.iter().all(|t| matches!(t, Template::Literal(_))) {
                Template::Literal(Value::from(template))
            } else {
                Template::Array(items)
            }
        }
        scalar => Template::Literal(Value::from(scalar)),
    }
}

/// One `.$` entry, as [`resolve_dynamic`] evaluates it.
fn compile_dynamic(key: &str, value: &Json) -> Template {
    let Json::String(expression) = value else {
        return Template::Fails(Failure::runtime(format!(
            "The value for the field '{key}' must be a STRING that contains a JSONPath but was an {}",
            json_type_name(value)
        )));
    };
    if crate::intrinsic::is_intrinsic(expression) {
        return Template::Intrinsic {
            field: key.into(),
            call: crate::intrinsic::Intrinsic::new(expression),
        };
    }
    Template::Path {
        field: key.into(),
        path: Path::new(expression),
        input_only: !expression.starts_with("$$") && root_kind(expression) == Some(RootKind::Input),
    }
}

/// A ResultPath parsed once, when the machine is built.
#[derive(Clone, Debug)]
pub struct ReferencePath {
    text: std::rc::Rc<str>,
    steps: Result<Vec<RefStep>, String>,
}

impl ReferencePath {
    pub fn new(text: &str) -> ReferencePath {
        ReferencePath {
            text: text.into(),
            steps: parse_reference_path(text),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The value of one `.$` entry of a template.
fn resolve_dynamic(
    key: &str,
    value: &Json,
    input: &Value,
    env: &mut Env,
) -> Result<Value, Failure> {
    let Json::String(expression) = value else {
        return Err(Failure::runtime(format!(
            "The value for the field '{key}' must be a STRING that contains a JSONPath but was an {}",
            json_type_name(value)
        )));
    };
    if crate::intrinsic::is_intrinsic(expression) {
        return crate::intrinsic::evaluate_in_field(expression, key, input, env);
    }
    if input.is_null()
        && !expression.starts_with("$$")
        && root_kind(expression) == Some(RootKind::Input)
    {
        return Err(Failure::runtime(NULL_INPUT_CAUSE));
    }
    select_in_field(expression, key, input, env)
}

/// A path evaluated for a template field or a Fail state's ErrorPath/CausePath: nothing
/// found gives AWS's "The JSONPath '...' specified for the field '...' could not be found
/// in the input '...'".
pub fn select_in_field(
    path: &str,
    field: &str,
    input: &Value,
    env: &Env,
) -> Result<Value, Failure> {
    select_in_field_path(&Path::cached(path), field, input, env)
}

/// [`select_in_field`] with a path parsed beforehand.
pub fn select_in_field_path(
    compiled: &Path,
    field: &str,
    input: &Value,
    env: &Env,
) -> Result<Value, Failure> {
    let path = compiled.text();
    match evaluate(compiled, input, env) {
        Ok(value) => Ok(value),
        Err(PathError::NotFound(_)) => Err(Failure::runtime(not_found_in_input_cause(
            path, field, input,
        ))),
        Err(PathError::NullInput) => Err(Failure::runtime(NULL_INPUT_CAUSE)),
        Err(PathError::Invalid(message)) => Err(Failure::runtime(format!(
            "Invalid path '{path}' : {message}"
        ))),
        Err(PathError::UndefinedVariable(name)) => Err(undefined_variable(path, &name)),
    }
}

fn undefined_variable(path: &str, name: &str) -> Failure {
    Failure::runtime(format!(
        "Invalid path '{path}' : The variable '${name}' is not defined"
    ))
}

fn json_type_name(value: &Json) -> &'static str {
    match value {
        Json::Null => "NULL",
        Json::Bool(_) => "BOOLEAN",
        Json::Number(_) => "NUMBER",
        Json::String(_) => "STRING",
        Json::Array(_) => "ARRAY",
        Json::Object(_) => "OBJECT",
    }
}

// ---------------------------------------------------------------------------------------
// Errors inside the evaluator
// ---------------------------------------------------------------------------------------

#[derive(Debug)]
enum PathError {
    /// Jayway's PathNotFoundException (its message).
    NotFound(String),
    /// A malformed path or a filter on a primitive (Jayway's InvalidPathException).
    Invalid(String),
    /// The state input is null (AWS refuses before Jayway sees it).
    NullInput,
    /// `$name` with no such variable in scope.
    UndefinedVariable(String),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RootKind {
    Input,
    Context,
    Variable,
}

fn root_kind(path: &str) -> Option<RootKind> {
    let rest = path.strip_prefix('$')?;
    if rest.starts_with('$') {
        Some(RootKind::Context)
    } else if rest.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        Some(RootKind::Variable)
    } else {
        Some(RootKind::Input)
    }
}

fn evaluate(compiled: &Path, input: &Value, env: &Env) -> Result<Value, PathError> {
    let parsed = compiled.parsed()?;
    let document = path_document(parsed, compiled.text(), input, env)?;
    if let Some(found) = parsed.lookup(document) {
        return Ok(found.clone());
    }
    parsed.read(document)
}

/// A path parsed once, when the machine is built: evaluating it costs only the walk
/// (no parsing, no cache lookup). A text that does not parse keeps its error, which
/// evaluation reports as the text-taking functions do.
#[derive(Clone, Debug)]
pub struct Path {
    text: std::rc::Rc<str>,
    parsed: Result<std::rc::Rc<JsonPath>, String>,
}

impl Path {
    pub fn new(text: &str) -> Path {
        Path {
            text: text.into(),
            parsed: JsonPath::parse(text).map(std::rc::Rc::new),
        }
    }

    /// Through the cache of parsed texts (for paths that are not known in advance).
    fn cached(text: &str) -> Path {
        Path {
            text: text.into(),
            parsed: parse_cached(text).map_err(|e| match e {
                PathError::Invalid(message) => message,
                other => format!("{other:?}"),
            }),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    fn parsed(&self) -> Result<&JsonPath, PathError> {
        self.parsed
            .as_deref()
            .map_err(|message| PathError::Invalid(message.clone()))
    }

    /// Whether the path reads the state input (`$...`), not `$$` or a variable.
    pub fn reads_input(&self) -> bool {
        matches!(&self.parsed, Ok(p) if p.root == Root::Input)
    }
}

/// Like [`select`], but borrows the selected value when the path is a plain chain of
/// names and indexes that leads somewhere (InputPath on a large input copies nothing).
/// Everything else (and every failure) goes through [`select`].
pub fn select_ref<'v>(
    path: &str,
    input: &'v Value,
    env: &Env,
) -> Result<std::borrow::Cow<'v, Value>, Failure> {
    select_ref_path(&Path::cached(path), input, env)
}

/// [`select_ref`] with a path parsed beforehand.
pub fn select_ref_path<'v>(
    compiled: &Path,
    input: &'v Value,
    env: &Env,
) -> Result<std::borrow::Cow<'v, Value>, Failure> {
    if let Ok(parsed) = &compiled.parsed {
        // Only paths on the input borrow (a null input finds nothing, as `select` says).
        if parsed.root == Root::Input {
            if let Some(found) = parsed.lookup(input) {
                return Ok(std::borrow::Cow::Borrowed(found));
            }
        }
    }
    select_path(compiled, input, env).map(std::borrow::Cow::Owned)
}

thread_local! {
    /// Parsed paths by their text. A definition holds a fixed set of paths that are
    /// evaluated at every visit of their state; parsing each once makes a visit cost
    /// only the walk. Bounded: cleared when it grows past `MAX_CACHED_PATHS`.
    static PARSED_PATHS: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<JsonPath>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

const MAX_CACHED_PATHS: usize = 4096;

fn parse_cached(path: &str) -> Result<std::rc::Rc<JsonPath>, PathError> {
    if let Some(parsed) = PARSED_PATHS.with(|cache| cache.borrow().get(path).cloned()) {
        return Ok(parsed);
    }
    let parsed = std::rc::Rc::new(JsonPath::parse(path).map_err(PathError::Invalid)?);
    PARSED_PATHS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= MAX_CACHED_PATHS {
            cache.clear();
        }
        cache.insert(path.to_string(), parsed.clone());
    });
    Ok(parsed)
}

/// The document a parsed path reads: the input, the context object or a variable.
fn path_document<'v>(
    parsed: &JsonPath,
    path: &str,
    input: &'v Value,
    env: &'v Env,
) -> Result<&'v Value, PathError> {
    Ok(match &parsed.root {
        Root::Input => {
            if input.is_null() && !parsed.tokens.is_empty() {
                return Err(PathError::NullInput);
            }
            input
        }
        Root::Context => env.context,
        Root::Variable(name) => env
            .variables
            .get_variable(name)
            .ok_or_else(|| PathError::UndefinedVariable(name.clone()))?,
        Root::Current => {
            return Err(PathError::Invalid(format!(
                "Path must start with '$' (not '@'): {path}"
            )))
        }
    })
}

// ---------------------------------------------------------------------------------------
// The path model and parser
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Root {
    Input,
    Context,
    Variable(String),
    /// `@`, the current node inside a filter.
    Current,
}

#[derive(Clone, Debug)]
enum Token {
    /// `.a`, `['a']`, `['a','b']`
    Property(Vec<String>),
    /// `[0]`, `[-1]`, `[0,2]`
    Index(Vec<i64>),
    /// `[1:3]`, `[-1:]`, `[:2]`
    Slice(Option<i64>, Option<i64>),
    /// `.*`, `[*]`
    Wildcard,
    /// `..`
    Scan,
    /// `[?(...)]`
    Filter(Box<Expr>),
    /// `.length()` (Jayway's function), always last.
    Length,
}

/// A parsed JSONPath (`$...`, `$$...`, `$name...`, or `@...` inside filters).
#[derive(Clone, Debug)]
struct JsonPath {
    root: Root,
    tokens: Vec<Token>,
}

impl JsonPath {
    fn parse(text: &str) -> Result<JsonPath, String> {
        let mut parser = Parser::new(text);
        let path = parser.path(0)?;
        parser.skip_ws();
        if !parser.at_end() {
            return Err(format!(
                "Could not parse token starting at position {} of path {text}",
                parser.pos
            ));
        }
        Ok(path)
    }

    /// The value at a path made only of single names and non-negative indexes, when it
    /// exists; `None` sends the caller to [`JsonPath::read`] (which also words the
    /// errors). Same result as `read` wherever it answers.
    fn lookup<'v>(&self, document: &'v Value) -> Option<&'v Value> {
        let mut cursor = document;
        for token in &self.tokens {
            cursor = match (token, cursor) {
                (Token::Property(names), Value::Object(map)) if names.len() == 1 => {
                    map.get(names.first()?)?
                }
                (Token::Index(indexes), Value::Array(items)) if indexes.len() == 1 => {
                    let index = usize::try_from(*indexes.first()?).ok()?;
                    items.get(index)?
                }
                _ => return None,
            };
        }
        Some(cursor)
    }

    fn is_definite(&self) -> bool {
        (0..self.tokens.len()).all(|i| self.token_definite(i))
    }

    fn token_definite(&self, i: usize) -> bool {
        let leaf = i + 1 == self.tokens.len();
        match &self.tokens[i] {
            Token::Property(names) => names.len() == 1 || leaf,
            Token::Index(indexes) => indexes.len() == 1,
            Token::Length => true,
            _ => false,
        }
    }

    fn upstream_definite(&self, i: usize) -> bool {
        (0..i).all(|j| self.token_definite(j))
    }

    /// Jayway's `path.toString()`: `$['a'][0][*]..['b'][?]`.
    fn normalized(&self) -> String {
        let mut out = String::from("$");
        out.push_str(&self.fragments_from(0));
        out
    }

    fn fragments_from(&self, i: usize) -> String {
        self.tokens[i.min(self.tokens.len())..]
            .iter()
            .map(fragment)
            .collect()
    }

    /// Evaluates against `document` as Jayway's `JsonPath.read` does.
    fn read(&self, document: &Value) -> Result<Value, PathError> {
        let mut walker = Walker {
            path: self,
            root: document,
            results: Vec::new(),
        };
        match walker.walk(0, "$".to_string(), document) {
            Ok(()) => {}
            // AWS gives an empty array, not an error, when an indefinite path (a wildcard,
            // slice, filter, ...) meets a missing property on the way.
            Err(PathError::NotFound(_)) if !self.is_definite() => {
                return Ok(Value::array(Vec::new()))
            }
            Err(e) => return Err(e),
        }
        if let Some(Token::Length) = self.tokens.last() {
            // A function path: the function's value, or nothing.
            return walker.results.pop().ok_or_else(|| {
                PathError::NotFound(format!("No results for path: {}", self.normalized()))
            });
        }
        if self.is_definite() {
            return walker.results.pop().ok_or_else(|| {
                PathError::NotFound(format!("No results for path: {}", self.normalized()))
            });
        }
        Ok(Value::array(walker.results))
    }
}

fn fragment(token: &Token) -> String {
    match token {
        Token::Property(names) => {
            let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            format!("[{}]", quoted.join(","))
        }
        Token::Index(indexes) => {
            let parts: Vec<String> = indexes.iter().map(|i| i.to_string()).collect();
            format!("[{}]", parts.join(","))
        }
        Token::Slice(from, to) => format!(
            "[{}:{}]",
            from.map(|f| f.to_string()).unwrap_or_default(),
            to.map(|t| t.to_string()).unwrap_or_default()
        ),
        Token::Wildcard => "[*]".into(),
        Token::Scan => "..".into(),
        Token::Filter(_) => "[?]".into(),
        Token::Length => ".length()".into(),
    }
}

struct Parser<'s> {
    text: &'s str,
    pos: usize,
    /// Tokens and filter terms still allowed (see MAX_PATH_PARTS).
    budget: usize,
}

impl<'s> Parser<'s> {
    fn new(text: &'s str) -> Self {
        Parser {
            text,
            pos: 0,
            budget: MAX_PATH_PARTS,
        }
    }

    fn spend(&mut self) -> Result<(), String> {
        if self.budget == 0 {
            return Err(format!(
                "The path {} has more than {MAX_PATH_PARTS} parts",
                self.text
            ));
        }
        self.budget -= 1;
        Ok(())
    }

    fn rest(&self) -> &'s str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
    }

    fn error(&self, what: &str) -> String {
        format!("{what} at position {} in path {}", self.pos, self.text)
    }

    /// A path from its root to the end of its tokens (inside a filter, up to an operator).
    fn path(&mut self, depth: usize) -> Result<JsonPath, String> {
        self.skip_ws();
        let root = if self.eat("$$") {
            Root::Context
        } else if self.eat("@") {
            Root::Current
        } else if self.eat("$") {
            let starts_name = self.peek().is_some_and(|c| c.is_alphabetic() || c == '_');
            let name_len = if starts_name {
                self.rest()
                    .char_indices()
                    .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
                    .map(|(i, c)| i + c.len_utf8())
                    .last()
                    .unwrap_or(0)
            } else {
                0
            };
            if name_len > 0 && depth == 0 {
                let name = self.rest()[..name_len].to_string();
                self.pos += name_len;
                Root::Variable(name)
            } else {
                Root::Input
            }
        } else {
            return Err(self.error("Path must start with '$' or '@'"));
        };
        let mut tokens = Vec::new();
        loop {
            self.spend()?;
            if self.eat("..") {
                tokens.push(Token::Scan);
                if self.peek() == Some('[') {
                    continue;
                }
                if self.eat("*") {
                    tokens.push(Token::Wildcard);
                    continue;
                }
                let name = self.dot_name();
                if name.is_empty() {
                    return Err(self.error("Path must not end with a '..'"));
                }
                tokens.push(Token::Property(vec![name]));
            } else if self.eat(".") {
                if self.eat("*") {
                    tokens.push(Token::Wildcard);
                    continue;
                }
                let name = self.dot_name();
                if name.is_empty() {
                    return Err(self.error("Path must not end with a '.'"));
                }
                if self.eat("()") {
                    if name != "length" && name != "size" {
                        return Err(
                            self.error(&format!("Function of name: {name} cannot be found"))
                        );
                    }
                    tokens.push(Token::Length);
                    break;
                }
                tokens.push(Token::Property(vec![name]));
            } else if self.peek() == Some('[') {
                tokens.push(self.bracket(depth)?);
            } else {
                break;
            }
        }
        Ok(JsonPath { root, tokens })
    }

    fn dot_name(&mut self) -> String {
        let len = self
            .rest()
            .char_indices()
            .take_while(|(_, c)| {
                !matches!(
                    c,
                    '.' | '[' | '(' | ')' | '=' | '!' | '<' | '>' | '&' | '|' | ','
                ) && !c.is_whitespace()
            })
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(0);
        let name = self.rest()[..len].to_string();
        // `name()` is a function call; leave the parentheses to the caller.
        self.pos += len;
        name
    }

    fn bracket(&mut self, depth: usize) -> Result<Token, String> {
        self.eat("[");
        self.skip_ws();
        let token = if self.eat("*") {
            Token::Wildcard
        } else if self.eat("?") {
            self.skip_ws();
            if !self.eat("(") {
                return Err(self.error("Expected '(' after '?'"));
            }
            let expr = self.expr(depth + 1)?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.error("Expected ')' to close the filter"));
            }
            Token::Filter(Box::new(expr))
        } else if matches!(self.peek(), Some('\'') | Some('"')) {
            let mut names = vec![self.quoted()?];
            loop {
                self.skip_ws();
                if !self.eat(",") {
                    break;
                }
                self.skip_ws();
                names.push(self.quoted()?);
            }
            Token::Property(names)
        } else {
            self.index_or_slice()?
        };
        self.skip_ws();
        if !self.eat("]") {
            return Err(self.error("Expected ']'"));
        }
        Ok(token)
    }

    fn quoted(&mut self) -> Result<String, String> {
        let Some(quote) = self.peek().filter(|c| *c == '\'' || *c == '"') else {
            return Err(self.error("Expected a quoted name"));
        };
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("Unterminated quoted name"));
            };
            self.pos += c.len_utf8();
            // AWS keeps a backslash literally unless it escapes the quote itself.
            if c == '\\' && self.peek() == Some(quote) {
                self.pos += 1;
                out.push(quote);
            } else if c == quote {
                return Ok(out);
            } else {
                out.push(c);
            }
        }
    }

    fn integer(&mut self) -> Option<i64> {
        self.skip_ws();
        let rest = self.rest();
        let len = rest
            .char_indices()
            .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '-'))
            .count();
        let value = rest[..len].parse().ok()?;
        self.pos += len;
        Some(value)
    }

    fn index_or_slice(&mut self) -> Result<Token, String> {
        let first = self.integer();
        self.skip_ws();
        if self.eat(":") {
            let to = self.integer();
            self.skip_ws();
            if self.eat(":") {
                // A step is not part of Jayway's syntax.
                return Err(self.error("Slice steps are not supported"));
            }
            return Ok(Token::Slice(first, to));
        }
        let Some(first) = first else {
            return Err(self.error("Expected an index, a slice, a quoted name, '*' or '?'"));
        };
        let mut indexes = vec![first];
        loop {
            self.skip_ws();
            if !self.eat(",") {
                break;
            }
            match self.integer() {
                Some(i) => indexes.push(i),
                None => return Err(self.error("Expected an index")),
            }
        }
        Ok(Token::Index(indexes))
    }

    // Filter expressions: or := and ('||' and)*; and := unary ('&&' unary)*;
    // unary := '!' unary | '(' or ')' | relation; relation := operand (op operand)?
    fn expr(&mut self, depth: usize) -> Result<Expr, String> {
        if depth > MAX_FILTER_DEPTH {
            return Err(self.error("Filter nested too deeply"));
        }
        let mut left = self.and_expr(depth)?;
        loop {
            self.skip_ws();
            if !self.eat("||") {
                return Ok(left);
            }
            let right = self.and_expr(depth)?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
    }

    fn and_expr(&mut self, depth: usize) -> Result<Expr, String> {
        let mut left = self.unary(depth)?;
        loop {
            self.skip_ws();
            if !self.eat("&&") {
                return Ok(left);
            }
            let right = self.unary(depth)?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, String> {
        if depth > MAX_FILTER_DEPTH {
            return Err(self.error("Filter nested too deeply"));
        }
        self.spend()?;
        self.skip_ws();
        if self.rest().starts_with('!') && !self.rest().starts_with("!=") {
            self.pos += 1;
            let inner = self.unary(depth + 1)?;
            return Ok(Expr::Not(Box::new(inner)));
        }
        if self.peek() == Some('(') {
            self.pos += 1;
            let inner = self.expr(depth + 1)?;
            self.skip_ws();
            if !self.eat(")") {
                return Err(self.error("Expected ')'"));
            }
            return Ok(inner);
        }
        let left = self.operand(depth)?;
        self.skip_ws();
        const OPERATORS: [(&str, Op); 14] = [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=~", Op::Regex),
            ("<", Op::Lt),
            (">", Op::Gt),
            ("nin", Op::Nin),
            ("in", Op::In),
            ("subsetof", Op::SubsetOf),
            ("anyof", Op::AnyOf),
            ("noneof", Op::NoneOf),
            ("size", Op::Size),
            ("empty", Op::Empty),
        ];
        for (text, op) in OPERATORS {
            if self.rest().starts_with(text) {
                let is_word = text.chars().all(|c| c.is_alphabetic());
                let after = self.rest()[text.len()..].chars().next();
                if is_word && after.is_some_and(|c| c.is_alphanumeric()) {
                    continue;
                }
                self.pos += text.len();
                let right = self.operand(depth)?;
                return Ok(Expr::Relation(left, op, right));
            }
        }
        match left {
            Operand::Path(path) => Ok(Expr::Exists(path)),
            Operand::Literal(Value::Bool(b)) => Ok(Expr::Constant(b)),
            _ => Err(self.error("Expected a comparison")),
        }
    }

    fn operand(&mut self, depth: usize) -> Result<Operand, String> {
        self.skip_ws();
        match self.peek() {
            Some('@') | Some('$') => Ok(Operand::Path(Box::new(self.path(depth + 1)?))),
            Some('\'') | Some('"') => Ok(Operand::Literal(Value::from(self.quoted()?))),
            Some('/') => self.regex_literal(),
            Some('[') | Some('{') => self.json_literal(),
            _ => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.eat(word) {
                        return Ok(Operand::Literal(value));
                    }
                }
                let len = self
                    .rest()
                    .char_indices()
                    .take_while(|(_, c)| {
                        c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')
                    })
                    .count();
                let number: f64 = self.rest()[..len]
                    .parse()
                    .map_err(|_| self.error("Expected a value"))?;
                self.pos += len;
                Ok(Operand::Literal(Value::number(number)))
            }
        }
    }

    fn regex_literal(&mut self) -> Result<Operand, String> {
        self.pos += 1;
        let mut pattern = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("Unterminated regular expression"));
            };
            self.pos += c.len_utf8();
            if c == '\\' {
                if let Some(next) = self.peek() {
                    self.pos += next.len_utf8();
                    if next != '/' {
                        pattern.push('\\');
                    }
                    pattern.push(next);
                }
            } else if c == '/' {
                break;
            } else {
                pattern.push(c);
            }
        }
        let flags_len = self
            .rest()
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let flags = &self.rest()[..flags_len];
        let case_insensitive = flags.contains('i');
        self.pos += flags_len;
        let regex = crate::choice::Regex::new(&pattern, case_insensitive)
            .map_err(|e| self.error(&format!("Invalid regular expression: {e}")))?;
        Ok(Operand::Regex(Box::new(regex)))
    }

    fn json_literal(&mut self) -> Result<Operand, String> {
        let mut stream = serde_json::Deserializer::from_str(self.rest()).into_iter::<Json>();
        let value = match stream.next() {
            Some(Ok(value)) => Value::from(value),
            _ => {
                // Jayway also accepts single-quoted strings in list literals.
                let rest = self.rest();
                let end = rest
                    .find(']')
                    .ok_or_else(|| self.error("Unterminated list"))?;
                let inner = &rest[1..end];
                let mut sub = Parser::new(inner);
                let mut items = Vec::new();
                loop {
                    sub.skip_ws();
                    if sub.at_end() {
                        break;
                    }
                    match sub.operand(MAX_FILTER_DEPTH)? {
                        Operand::Literal(v) => items.push(v),
                        _ => return Err(self.error("Expected a literal in the list")),
                    }
                    sub.skip_ws();
                    if !sub.eat(",") {
                        break;
                    }
                }
                self.pos += end + 1;
                return Ok(Operand::Literal(Value::array(items)));
            }
        };
        self.pos += stream.byte_offset();
        Ok(Operand::Literal(value))
    }
}

// ---------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Exists(Box<JsonPath>),
    Constant(bool),
    Relation(Operand, Op, Operand),
}

#[derive(Clone, Debug)]
enum Operand {
    Path(Box<JsonPath>),
    Literal(Value),
    Regex(Box<crate::choice::Regex>),
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Regex,
    In,
    Nin,
    SubsetOf,
    AnyOf,
    NoneOf,
    Size,
    Empty,
}

/// An operand's value: a JSON value or Jayway's "undefined" (a path that found nothing).
enum Operated {
    Undefined,
    Value(Value),
    Regex(crate::choice::Regex),
}

fn eval_filter(expr: &Expr, node: &Value, root: &Value) -> bool {
    match expr {
        Expr::Or(a, b) => eval_filter(a, node, root) || eval_filter(b, node, root),
        Expr::And(a, b) => eval_filter(a, node, root) && eval_filter(b, node, root),
        Expr::Not(inner) => !eval_filter(inner, node, root),
        Expr::Constant(b) => *b,
        Expr::Exists(path) => filter_path(path, node, root).is_some(),
        Expr::Relation(left, op, right) => {
            let left = operand_value(left, node, root);
            let right = operand_value(right, node, root);
            relation(&left, *op, &right)
        }
    }
}

fn filter_path(path: &JsonPath, node: &Value, root: &Value) -> Option<Value> {
    // `$` inside a filter is the document root; `@` the current node.
    let document = match path.root {
        Root::Input => root,
        Root::Current => node,
        Root::Context | Root::Variable(_) => return None,
    };
    if let Ok(value) = path.read(document) {
        return Some(value);
    }
    // `@.x.length` of an array or a string: its length (Jayway spells it `length()`).
    if let Some((Token::Property(names), prefix)) = path.tokens.split_last() {
        if names.len() == 1 && names[0] == "length" {
            let target = JsonPath {
                root: path.root.clone(),
                tokens: prefix.to_vec(),
            };
            return match target.read(document).ok()? {
                Value::Array(items) => Some(Value::from(items.len())),
                Value::String(s) => Some(Value::from(s.encode_utf16().count())),
                _ => None,
            };
        }
    }
    None
}

fn operand_value(operand: &Operand, node: &Value, root: &Value) -> Operated {
    match operand {
        Operand::Literal(v) => Operated::Value(v.clone()),
        Operand::Regex(r) => Operated::Regex((**r).clone()),
        Operand::Path(path) => match filter_path(path, node, root) {
            Some(v) => Operated::Value(v),
            None => Operated::Undefined,
        },
    }
}

/// Jayway's value equality: numbers by value, a number equals a string holding it.
fn loose_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::String(s)) | (Value::String(s), Value::Number(x)) => {
            s.trim().parse::<f64>().is_ok_and(|v| v == as_f64(x))
        }
        _ => json_equals(a, b),
    }
}

/// JSON equality with numbers compared by value (`1 == 1.0`); iterative, so values of any
/// depth are safe.
pub fn json_equals(a: &Value, b: &Value) -> bool {
    let mut pending = vec![(a, b)];
    while let Some((a, b)) = pending.pop() {
        let equal = match (a, b) {
            (Value::Number(x), Value::Number(y)) => as_f64(x) == as_f64(y),
            (Value::Array(x), Value::Array(y)) => {
                pending.extend(x.iter().zip(y.iter()));
                x.len() == y.len()
            }
            (Value::Object(x), Value::Object(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                for (k, v) in x.iter() {
                    match y.get(k) {
                        Some(w) => pending.push((v, w)),
                        None => return false,
                    }
                }
                true
            }
            _ => a == b,
        };
        if !equal {
            return false;
        }
    }
    true
}

fn relation(left: &Operated, op: Op, right: &Operated) -> bool {
    use std::cmp::Ordering;
    let (l, r) = match (left, right) {
        (Operated::Value(l), Operated::Value(r)) => (l, r),
        (Operated::Value(Value::String(s)), Operated::Regex(re)) if matches!(op, Op::Regex) => {
            return re.is_match(s);
        }
        (Operated::Value(v), Operated::Regex(re)) if matches!(op, Op::Regex) => {
            // Jayway matches the regex against the value's text.
            return match v {
                Value::Number(n) => re.is_match(&format_number(as_f64(n))),
                Value::Bool(b) => re.is_match(if *b { "true" } else { "false" }),
                _ => false,
            };
        }
        _ => return matches!(op, Op::Ne),
    };
    let ordering = || -> Option<Ordering> {
        match (l, r) {
            (Value::Number(a), Value::Number(b)) => as_f64(a).partial_cmp(&as_f64(b)),
            (Value::String(a), Value::String(b)) => Some(a.encode_utf16().cmp(b.encode_utf16())),
            _ => None,
        }
    };
    let in_list = |needle: &Value, list: &Value| -> bool {
        match list {
            Value::Array(items) => items.iter().any(|i| loose_equals(needle, i)),
            _ => false,
        }
    };
    match op {
        Op::Eq => loose_equals(l, r),
        Op::Ne => !loose_equals(l, r),
        Op::Lt => ordering() == Some(Ordering::Less),
        Op::Le => matches!(ordering(), Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ordering() == Some(Ordering::Greater),
        Op::Ge => matches!(ordering(), Some(Ordering::Greater | Ordering::Equal)),
        Op::Regex => false,
        Op::In => in_list(l, r),
        Op::Nin => !in_list(l, r),
        Op::SubsetOf => match l {
            Value::Array(items) => items.iter().all(|i| in_list(i, r)),
            _ => false,
        },
        Op::AnyOf => match l {
            Value::Array(items) => items.iter().any(|i| in_list(i, r)),
            _ => false,
        },
        Op::NoneOf => match l {
            Value::Array(items) => !items.iter().any(|i| in_list(i, r)),
            _ => false,
        },
        Op::Size => {
            let size = match l {
                Value::Array(items) => items.len(),
                Value::String(s) => s.encode_utf16().count(),
                _ => return false,
            };
            matches!(r, Value::Number(n) if as_f64(n) == size as f64)
        }
        Op::Empty => {
            let empty = match l {
                Value::Array(items) => items.is_empty(),
                Value::String(s) => s.is_empty(),
                _ => return false,
            };
            matches!(r, Value::Bool(b) if *b == empty)
        }
    }
}

// ---------------------------------------------------------------------------------------
// The evaluator (Jayway's token-by-token walk)
// ---------------------------------------------------------------------------------------

struct Walker<'p, 'd> {
    path: &'p JsonPath,
    root: &'d Value,
    results: Vec<Value>,
}

impl Walker<'_, '_> {
    fn walk(&mut self, i: usize, current: String, model: &Value) -> Result<(), PathError> {
        let Some(token) = self.path.tokens.get(i) else {
            self.results.push(model.clone());
            return Ok(());
        };
        let leaf = i + 1 == self.path.tokens.len();
        let upstream_definite = self.path.upstream_definite(i);
        match token {
            Token::Property(names) => {
                let Value::Object(map) = model else {
                    if !upstream_definite {
                        return Ok(());
                    }
                    return Err(PathError::NotFound(format!(
                        "Expected to find an object with property {} in path {current} but found '{}'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.",
                        fragment(token),
                        java_class(model)
                    )));
                };
                if names.len() > 1 && leaf {
                    let mut merged = Map::new();
                    for name in names {
                        if let Some(v) = map.get(name) {
                            merged.insert(name.as_str().into(), v.clone());
                        }
                    }
                    self.results.push(Value::object(merged));
                    return Ok(());
                }
                let token_definite = self.path.token_definite(i);
                for name in names {
                    let eval_path = format!("{current}['{name}']");
                    match map.get(name) {
                        Some(v) => self.walk(i + 1, eval_path, v)?,
                        None if leaf => {}
                        None if !(upstream_definite && token_definite) => {}
                        None => {
                            return Err(PathError::NotFound(format!(
                                "Missing property in path {eval_path}"
                            )))
                        }
                    }
                }
                Ok(())
            }
            Token::Index(indexes) => {
                let items = self.array_model(i, &current, model)?;
                let Some(items) = items else {
                    return Ok(());
                };
                for index in indexes {
                    let effective = if *index < 0 {
                        items.len() as i64 + index
                    } else {
                        *index
                    };
                    if effective < 0 {
                        continue;
                    }
                    if let Some(v) = items.get(effective as usize) {
                        self.walk(i + 1, format!("{current}[{index}]"), v)?;
                    }
                }
                Ok(())
            }
            Token::Slice(from, to) => {
                let Some(items) = self.array_model(i, &current, model)? else {
                    return Ok(());
                };
                // Jayway's three slice forms, quirks included: `[from:to]` does not wrap a
                // negative `to`, and walks negative indexes from the end.
                let len = items.len() as i64;
                let indexes: Vec<i64> = match (*from, *to) {
                    (from, None) => {
                        let from = from.unwrap_or(0);
                        let from = if from < 0 { len + from } else { from }.max(0);
                        (from..len).collect()
                    }
                    (None, Some(to)) => {
                        let to = if to < 0 { len + to } else { to }.min(len);
                        (0..to).collect()
                    }
                    (Some(from), Some(to)) => {
                        let to = to.min(len);
                        if from >= to || len == 0 {
                            Vec::new()
                        } else {
                            (from..to).collect()
                        }
                    }
                };
                for index in indexes {
                    let effective = if index < 0 { len + index } else { index };
                    if let Some(v) = usize::try_from(effective).ok().and_then(|e| items.get(e)) {
                        self.walk(i + 1, format!("{current}[{index}]"), v)?;
                    }
                }
                Ok(())
            }
            Token::Wildcard => {
                match model {
                    Value::Object(map) => {
                        for (k, v) in map.iter() {
                            self.walk(i + 1, format!("{current}['{k}']"), v)?;
                        }
                    }
                    Value::Array(items) => {
                        for (idx, v) in items.iter().enumerate() {
                            self.walk(i + 1, format!("{current}[{idx}]"), v)?;
                        }
                    }
                    _ => {}
                }
                Ok(())
            }
            Token::Scan => {
                // Pre-order over the node and its descendants, with an explicit stack.
                let mut stack = vec![model];
                let mut nodes = Vec::new();
                while let Some(node) = stack.pop() {
                    nodes.push(node);
                    match node {
                        Value::Object(map) => stack.extend(map.values().rev()),
                        Value::Array(items) => stack.extend(items.iter().rev()),
                        _ => {}
                    }
                }
                if leaf {
                    return Ok(());
                }
                for node in nodes {
                    self.walk(i + 1, format!("{current}.."), node)?;
                }
                Ok(())
            }
            Token::Filter(expr) => {
                match model {
                    Value::Object(_) => {
                        if eval_filter(expr, model, self.root) {
                            self.walk(i + 1, current, model)?;
                        }
                    }
                    Value::Array(items) => {
                        for (idx, item) in items.iter().enumerate() {
                            if eval_filter(expr, item, self.root) {
                                self.walk(i + 1, format!("{current}[{idx}]"), item)?;
                            }
                        }
                    }
                    _ => {
                        if upstream_definite {
                            return Err(PathError::Invalid(format!(
                                "Filter: {} can not be applied to primitives. Current context is: {}",
                                self.path.fragments_from(i),
                                java_to_string(model)
                            )));
                        }
                    }
                }
                Ok(())
            }
            Token::Length => {
                let len = match model {
                    Value::Array(items) => items.len(),
                    Value::Object(map) => map.len(),
                    Value::String(s) => s.encode_utf16().count(),
                    _ => {
                        return Err(PathError::Invalid(format!(
                            "Invalid function: length() can only be applied to an array, an object or a string. Current context is: {}",
                            java_to_string(model)
                        )))
                    }
                };
                self.results.push(Value::from(len));
                Ok(())
            }
        }
    }

    /// Jayway's `checkArrayModel`: the array, `None` to skip, or its exception.
    fn array_model<'v>(
        &self,
        i: usize,
        current: &str,
        model: &'v Value,
    ) -> Result<Option<&'v Vec<Value>>, PathError> {
        let upstream_definite = self.path.upstream_definite(i);
        match model {
            Value::Array(items) => Ok(Some(items)),
            Value::Null if upstream_definite => {
                Err(PathError::NotFound(format!("The path {current} is null")))
            }
            _ if upstream_definite => Err(PathError::NotFound(format!(
                "Filter: {} can only be applied to arrays. Current context is: {}",
                self.path.fragments_from(i),
                java_to_string(model)
            ))),
            _ => Ok(None),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Reference paths (ResultPath)
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum RefStep {
    Property(String),
    Index(usize),
}

fn parse_reference_path(path: &str) -> Result<Vec<RefStep>, String> {
    let parsed = JsonPath::parse(path)?;
    if parsed.root != Root::Input {
        return Err("A reference path must start with '$'".into());
    }
    parsed
        .tokens
        .iter()
        .map(|token| match token {
            Token::Property(names) if names.len() == 1 => Ok(RefStep::Property(names[0].clone())),
            Token::Index(indexes) if indexes.len() == 1 && indexes[0] >= 0 => {
                Ok(RefStep::Index(indexes[0] as usize))
            }
            _ => Err(format!(
                "The path {path} is not a reference path: only names and non-negative indexes are allowed"
            )),
        })
        .collect()
}

fn reference_path_applies(steps: &[RefStep], input: &Value) -> bool {
    let mut cursor = Some(input);
    for step in steps {
        match (step, cursor) {
            // A missing intermediate is created as an object.
            (_, None) => {
                if matches!(step, RefStep::Index(_)) {
                    return false;
                }
            }
            (RefStep::Property(name), Some(Value::Object(map))) => cursor = map.get(name),
            (RefStep::Index(index), Some(Value::Array(items))) => {
                if *index >= items.len() {
                    return false;
                }
                cursor = items.get(*index);
            }
            _ => return false,
        }
    }
    true
}

// ---------------------------------------------------------------------------------------
// Java's view of values (AWS quotes Java objects in some messages and in States.Format)
// ---------------------------------------------------------------------------------------

/// The Java class Jackson maps a JSON value to.
fn java_class(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::String(_) => "java.lang.String",
        Value::Array(_) => "java.util.ArrayList",
        Value::Object(_) => "java.util.LinkedHashMap",
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i32::try_from(i).is_ok() {
                    "java.lang.Integer"
                } else {
                    "java.lang.Long"
                }
            } else if n.is_u64() {
                "java.math.BigInteger"
            } else {
                "java.lang.Double"
            }
        }
    }
}

/// A value as Java's `toString()` prints the Jackson-mapped object: `{a=1, b=[x, y]}`.
/// Iterative, so any depth is safe.
pub fn java_to_string(value: &Value) -> String {
    enum Item<'v> {
        Value(&'v Value),
        Text(&'static str),
        Key(&'v str),
    }
    let mut out = String::new();
    let mut stack = vec![Item::Value(value)];
    while let Some(item) = stack.pop() {
        match item {
            Item::Text(t) => out.push_str(t),
            Item::Key(k) => {
                out.push_str(k);
                out.push('=');
            }
            Item::Value(v) => match v {
                Value::Object(map) => {
                    stack.push(Item::Text("}"));
                    let entries: Vec<_> = map.iter().collect();
                    for (idx, (k, v)) in entries.iter().enumerate().rev() {
                        stack.push(Item::Value(v));
                        stack.push(Item::Key(k));
                        if idx > 0 {
                            stack.push(Item::Text(", "));
                        }
                    }
                    out.push('{');
                }
                Value::Array(items) => {
                    stack.push(Item::Text("]"));
                    for (idx, v) in items.iter().enumerate().rev() {
                        stack.push(Item::Value(v));
                        if idx > 0 {
                            stack.push(Item::Text(", "));
                        }
                    }
                    out.push('[');
                }
                scalar => out.push_str(&java_scalar(scalar)),
            },
        }
    }
    out
}

/// Compact JSON text as AWS (Jackson) writes it: like `JSON.stringify`, except that
/// floating-point numbers print as Java's `Double.toString` (`100.0`, `1.0E21`).
/// Iterative, so any depth is safe.
pub fn java_json(value: &Value) -> String {
    enum Item<'v> {
        Value(&'v Value),
        Text(&'static str),
        Key(&'v str),
    }
    let mut out = String::new();
    let mut stack = vec![Item::Value(value)];
    while let Some(item) = stack.pop() {
        match item {
            Item::Text(t) => out.push_str(t),
            Item::Key(k) => {
                write_string(&mut out, k);
                out.push(':');
            }
            Item::Value(v) => match v {
                Value::Object(map) => {
                    out.push('{');
                    stack.push(Item::Text("}"));
                    let entries: Vec<_> = map.iter().collect();
                    for (idx, (k, v)) in entries.iter().enumerate().rev() {
                        stack.push(Item::Value(v));
                        stack.push(Item::Key(k));
                        if idx > 0 {
                            stack.push(Item::Text(","));
                        }
                    }
                }
                Value::Array(items) => {
                    out.push('[');
                    stack.push(Item::Text("]"));
                    for (idx, v) in items.iter().enumerate().rev() {
                        stack.push(Item::Value(v));
                        if idx > 0 {
                            stack.push(Item::Text(","));
                        }
                    }
                }
                Value::String(s) => write_string(&mut out, s),
                Value::Number(n) => out.push_str(&java_number(n)),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Value::Null => out.push_str("null"),
            },
        }
    }
    out
}

/// A scalar as Java prints it (strings raw, doubles as `Double.toString`).
pub fn java_scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.to_string(),
        Value::Number(n) => java_number(n),
        other => java_json(other),
    }
}

fn java_number(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    java_double(as_f64(n))
}

/// Java's `Double.toString`: decimal between 10^-3 and 10^7, else `d.dddE±n`; always a
/// fractional digit.
pub fn java_double(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if value == 0.0 {
        return if value.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        }
        .into();
    }
    let sci = format!("{:e}", value.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if value < 0.0 { "-" } else { "" };
    let abs = value.abs();
    if (1e-3..1e7).contains(&abs) {
        let point = exponent + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if (point as usize) >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        return format!("{sign}{body}");
    }
    let fraction = if digits.len() > 1 { &digits[1..] } else { "0" };
    format!("{sign}{}.{}E{}", &digits[..1], fraction, exponent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value;

    macro_rules! json {
        ($($t:tt)+) => { value!($($t)+) };
    }

    fn env_with<'a>(context: &'a Value, vars: &'a Map, rng: &'a mut Rng) -> Env<'a> {
        Env {
            context,
            variables: vars,
            rng,
        }
    }

    #[test]
    fn definite_and_indefinite() {
        let ctx = json!({});
        let vars = Map::new();
        let mut rng = Rng::new(1);
        let env = env_with(&ctx, &vars, &mut rng);
        let input = json!({"a": {"b": [1, 2, 3]}, "c": [{"x": 1}, {"x": 5}]});
        assert_eq!(select("$.a.b[1]", &input, &env).unwrap(), json!(2));
        assert_eq!(
            select("$.c[?(@.x > 1)]", &input, &env).unwrap(),
            json!([{"x": 5}])
        );
        assert_eq!(select("$..x", &input, &env).unwrap(), json!([1, 5]));
        assert_eq!(select("$.a.b[-1:]", &input, &env).unwrap(), json!([3]));
        let err = select("$.nope", &input, &env).unwrap_err();
        assert_eq!(
            err.cause.as_deref(),
            Some("Invalid path '$.nope' : No results for path: $['nope']")
        );
        let err = select("$.no.such", &input, &env).unwrap_err();
        assert_eq!(
            err.cause.as_deref(),
            Some("Invalid path '$.no.such' : Missing property in path $['no']")
        );
    }

    #[test]
    fn java_doubles() {
        assert_eq!(java_double(1.1), "1.1");
        assert_eq!(java_double(100.0), "100.0");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(0.0001), "1.0E-4");
        assert_eq!(java_double(-2.5e-10), "-2.5E-10");
        assert_eq!(java_double(0.001), "0.001");
    }

    #[test]
    fn deep_template_does_not_overflow() {
        let mut template = serde_json::json!({"x.$": "$.a"});
        for _ in 0..10_000 {
            template = Json::Array(vec![template]);
        }
        let ctx = json!({});
        let vars = Map::new();
        let mut rng = Rng::new(1);
        let mut env = env_with(&ctx, &vars, &mut rng);
        let out = apply_template(&template, &json!({"a": 1}), &mut env).unwrap();
        let mut depth = 0;
        let mut cursor = &out;
        while let Value::Array(items) = cursor {
            depth += 1;
            cursor = &items[0];
        }
        assert_eq!(depth, 10_000);
        assert_eq!(cursor, &json!({"x": 1}));
        dismantle(out);
        let mut stack = vec![template];
        while let Some(v) = stack.pop() {
            if let Json::Array(items) = v {
                stack.extend(items);
            }
        }
    }

    #[test]
    fn pathological_paths_are_refused() {
        let ctx = json!({});
        let vars = Map::new();
        let mut rng = Rng::new(1);
        let env = env_with(&ctx, &vars, &mut rng);
        let long = format!("${}", ".a".repeat(10_000));
        assert!(select(&long, &json!({}), &env).is_err());
        let filter = format!("$[?({})]", vec!["@.a == 1"; 5_000].join(" && "));
        assert!(select(&filter, &json!([]), &env).is_err());
        let nested = format!("$[?({}@.a{})]", "(".repeat(5_000), ")".repeat(5_000));
        assert!(select(&nested, &json!([]), &env).is_err());
    }

    #[test]
    fn deep_values_compare_without_recursion() {
        let mut a = json!(1);
        let mut b = json!(1.0);
        for _ in 0..100_000 {
            a = Value::array(vec![a]);
            b = Value::array(vec![b]);
        }
        assert!(json_equals(&a, &b));
        dismantle(a);
        dismantle(b);
    }

    /// Drops a deep value without recursion (serde_json's Drop recurses).
    pub(crate) fn dismantle(value: Value) {
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(items) => stack.extend(std::rc::Rc::unwrap_or_clone(items).into_vec()),
                Value::Object(map) => stack.extend(
                    std::rc::Rc::unwrap_or_clone(map)
                        .into_iter()
                        .map(|(_, v)| v),
                ),
                _ => {}
            }
        }
    }
}
