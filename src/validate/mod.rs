//! Definition -> diagnostics: every rule AWS enforces at CreateStateMachine, each problem
//! reported with a stable code, a JSON pointer and (for text input) a line/column range.
//!
//! Architecture invariant: validation reads a `serde_json::Value` and never fails or
//! panics; every problem becomes a [`Diagnostic`] and all of them are reported. Ranges come
//! only from the [`SpanMap`] built by the parser (never from searching the text).
//!
//! - `mod.rs`: the public types, the walk over machines (scopes, transitions,
//!   reachability) and the per-state rules;
//! - `task.rs`, `choice.rs`, `wait_fail.rs`, `map.rs`: the rules of each state type;
//! - `fields.rs`: the field tables per state type and query language;
//! - `syntax.rs`: paths, reference paths, intrinsic functions, timestamps, JSONata shape.
//!
//! Codes: [`CODES`] lists every code validation can emit, with its severity and the rule
//! it reports (errors are what AWS rejects; warnings are what AWS accepts but is likely a
//! mistake). tests/validation_rules.rs checks that each has a failing and a passing
//! definition in tests/validation/rules/, and that no other code appears in the source.

mod choice;
mod fields;
mod map;
mod syntax;
mod task;
mod wait_fail;

use crate::parse::{parse_text, Range, SpanMap};
use fields::{FieldSet, QueryLanguage, StateType};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use syntax::{PathRoots, ANY_ROOT};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code, e.g. `INVALID_JSON`, `MISSING_FIELD`, `UNKNOWN_NEXT`.
    pub code: String,
    pub message: String,
    /// JSON pointer to the offending node.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<Range>,
}

impl Diagnostic {
    pub fn error(code: &str, message: impl Into<String>, path: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: code.into(),
            message: message.into(),
            path: path.into(),
            range: None,
        }
    }

    pub fn warning(code: &str, message: impl Into<String>, path: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, path)
        }
    }

    pub fn with_range(mut self, range: Option<Range>) -> Self {
        self.range = range;
        self
    }
}

/// Which query languages a rule has to be tested in: `Both` when it is checked in both
/// (each has its own fields and syntax), `Any` when the query language plays no part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Languages {
    Any,
    Both,
    JSONPath,
    JSONata,
}

/// One diagnostic code: its severity, the query languages its rule applies in, and what it
/// reports.
#[derive(Clone, Copy, Debug)]
pub struct Code {
    pub code: &'static str,
    pub severity: Severity,
    pub languages: Languages,
    pub rule: &'static str,
}

const fn error(code: &'static str, languages: Languages, rule: &'static str) -> Code {
    Code {
        code,
        severity: Severity::Error,
        languages,
        rule,
    }
}

const fn warning(code: &'static str, languages: Languages, rule: &'static str) -> Code {
    Code {
        code,
        severity: Severity::Warning,
        languages,
        rule,
    }
}

/// Every code `validate`, `validate_text` and `validate_state` can emit.
pub const CODES: &[Code] = {
    use Languages::*;
    &[
        error("INVALID_JSON", Any, "the text is not JSON"),
        error("DUPLICATE_KEY", Any, "an object has the same key twice"),
        error("DEFINITION_TOO_LARGE", Any, "the definition is over 1 MB"),
        error(
            "NESTING_TOO_DEEP",
            Any,
            "JSON or Parallel/Map nesting beyond the limits",
        ),
        error("INVALID_TYPE", Both, "a field has the wrong JSON type"),
        error(
            "INVALID_VALUE",
            Both,
            "a value is out of range or not one of the allowed values",
        ),
        error("MISSING_FIELD", Both, "a required field is missing"),
        error(
            "UNKNOWN_FIELD",
            Both,
            "a field no state or object of this kind has",
        ),
        error(
            "DUPLICATE_FIELD",
            JSONPath,
            "'x' and 'x.$' in the same template",
        ),
        error("FIELD_NOT_SUPPORTED", Both, "a field of another state type"),
        error(
            "FIELD_NOT_SUPPORTED_IN_QUERY_LANGUAGE",
            Both,
            "a field of the other query language (InputPath in JSONata, Arguments in JSONPath)",
        ),
        error(
            "EXCLUSIVE_FIELDS",
            Both,
            "two fields of which only one may be given",
        ),
        error(
            "INVALID_QUERY_LANGUAGE",
            JSONata,
            "a JSONPath state in a JSONata state machine",
        ),
        error("UNKNOWN_STATE_TYPE", Any, "Type is not a state type"),
        error(
            "INVALID_STATE_NAME",
            Any,
            "a state name that is empty or over 80 characters",
        ),
        error(
            "DUPLICATE_STATE_NAME",
            Any,
            "two states with the same name anywhere in the definition",
        ),
        error("EMPTY_STATES", Any, "States has no state"),
        error(
            "UNKNOWN_START_AT",
            Any,
            "StartAt names no state of its scope",
        ),
        error(
            "UNKNOWN_NEXT",
            Both,
            "Next, Default or a Catch Next names no state of its scope",
        ),
        error("NEXT_AND_END", Any, "a state with both Next and End"),
        error(
            "MISSING_NEXT_OR_END",
            Any,
            "a state with neither Next nor End",
        ),
        error("MISSING_END_STATE", Any, "a scope without a terminal state"),
        error(
            "UNREACHABLE_STATE",
            Any,
            "a state no transition leads to (AWS: MISSING_TRANSITION_TARGET)",
        ),
        error(
            "STATES_ALL_NOT_ALONE",
            Both,
            "States.ALL with other error names",
        ),
        error(
            "STATES_ALL_NOT_LAST",
            Both,
            "a retrier or catcher with States.ALL that is not the last",
        ),
        error(
            "INVALID_CHOICE_RULE",
            JSONPath,
            "a Choice rule without exactly one comparison or Condition",
        ),
        error(
            "INVALID_PATH",
            JSONPath,
            "a path, reference path or intrinsic function that does not parse",
        ),
        error(
            "INVALID_TIMESTAMP",
            Both,
            "a timestamp that is not RFC 3339",
        ),
        error(
            "INVALID_JSONATA",
            JSONata,
            "a {% %} string that is not a JSONata expression",
        ),
        error(
            "UNSUPPORTED_JSONATA_EXPRESSION",
            JSONata,
            "a JSONata expression AWS refuses (a top-level field reference)",
        ),
        error(
            "INVALID_VARIABLE_NAME",
            Both,
            "an Assign key that is not a variable name",
        ),
        error(
            "INVALID_RESOURCE",
            Any,
            "a Resource that is not an ARN AWS knows",
        ),
        error(
            "UNSUPPORTED_IN_EXPRESS",
            Any,
            "activities, .sync or .waitForTaskToken in an EXPRESS machine",
        ),
        error(
            "INVALID_LABEL",
            Any,
            "a Map Label that is empty, too long or has a forbidden character",
        ),
        error("DUPLICATE_LABEL", Any, "two Map states with the same Label"),
        warning(
            "CHOICE_WITHOUT_DEFAULT",
            Both,
            "a Choice state without Default fails when no rule matches",
        ),
        warning(
            "RETRIER_NEVER_USED",
            Any,
            "a retrier whose errors earlier retriers already match",
        ),
        warning(
            "CATCHER_NEVER_USED",
            Both,
            "a catcher whose errors earlier catchers already catch",
        ),
        warning(
            "ERROR_NEVER_RAISED",
            Any,
            "a Task retrier or catcher for errors a Task never raises",
        ),
        warning("EMPTY_BRANCHES", Any, "a Parallel state without branches"),
        warning(
            "MISSING_DOLLAR_SUFFIX",
            JSONPath,
            "\"a\": \"$.x\" in a template passes the text on",
        ),
        warning(
            "MISSING_PATH_SUFFIX",
            JSONPath,
            "a path as the value of a field that takes literals (StringEquals, Error) instead of its ...Path twin",
        ),
        warning(
            "PASS_RESULT_IS_STATIC",
            JSONPath,
            "a path (or a '.$' key) in a Pass state's Result, which is passed on literally",
        ),
        warning(
            "STATES_FIELD_UNAVAILABLE",
            JSONata,
            "$states.result or $states.errorOutput where the state never sets it",
        ),
        warning(
            "DOLLAR_SUFFIX_IN_JSONATA",
            JSONata,
            "\"a.$\" in a JSONata template is a literal key",
        ),
    ]
};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MachineType {
    #[default]
    Standard,
    Express,
}

#[derive(Clone, Debug, Default)]
pub struct ValidateOptions {
    pub machine_type: MachineType,
}

/// JSON pointer escaping of one reference token (RFC 6901).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// AWS's limit on the size of a definition (UTF-8 bytes).
pub const MAX_DEFINITION_BYTES: usize = 1024 * 1024;
/// AWS's limit on the length of a state name (characters).
pub const MAX_STATE_NAME_CHARS: usize = 80;
/// Nesting of Parallel/Map scopes beyond which we stop descending (a diagnostic, not a
/// stack overflow). Far above anything AWS accepts in practice.
pub const MAX_SCOPE_DEPTH: usize = 64;

/// Whether these diagnostics reject the definition (any error-severity one).
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// Parses and validates definition text: `INVALID_JSON` when it is not JSON, otherwise
/// the parser's diagnostics (duplicate keys) followed by the validation's.
pub fn validate_text(text: &str, options: &ValidateOptions) -> Vec<Diagnostic> {
    if text.len() > MAX_DEFINITION_BYTES {
        // AWS refuses it whatever it holds; do not spend time and memory on it.
        return vec![size_diagnostic(text.len())];
    }
    let parsed = match parse_text(text) {
        Ok(parsed) => parsed,
        Err(diagnostic) => return vec![diagnostic],
    };
    let mut out = parsed.diagnostics;
    out.extend(validate_inner(
        &parsed.value,
        parsed.spans.as_ref(),
        options,
        false,
    ));
    out
}

fn size_diagnostic(bytes: usize) -> Diagnostic {
    Diagnostic::error(
        "DEFINITION_TOO_LARGE",
        format!(
            "The definition is {bytes} bytes; the maximum is {MAX_DEFINITION_BYTES} bytes (1 MB)"
        ),
        "",
    )
}

/// Validates a definition; all problems are reported, not just the first.
pub fn validate(
    definition: &Value,
    spans: Option<&SpanMap>,
    options: &ValidateOptions,
) -> Vec<Diagnostic> {
    validate_inner(definition, spans, options, true)
}

fn validate_inner(
    definition: &Value,
    spans: Option<&SpanMap>,
    options: &ValidateOptions,
    check_size: bool,
) -> Vec<Diagnostic> {
    let mut ctx = Ctx {
        spans,
        options,
        out: Vec::new(),
        state_names: HashMap::new(),
        labels: HashMap::new(),
        state_order: HashMap::new(),
    };
    let (bytes, depth) = measure(definition);
    if check_size && bytes > MAX_DEFINITION_BYTES {
        ctx.out.push(size_diagnostic(bytes));
    }
    if depth > crate::parse::MAX_DEPTH {
        // The rule walks below recurse over the value: refuse before they do.
        ctx.error(
            "NESTING_TOO_DEEP",
            format!(
                "Objects and arrays are nested {depth} levels deep; the maximum is {}",
                crate::parse::MAX_DEPTH
            ),
            "",
        );
        return ctx.out;
    }
    let Some(root) = definition.as_object() else {
        ctx.error(
            "INVALID_TYPE",
            format!(
                "A state machine definition must be a JSON object, not {}",
                type_name(definition)
            ),
            "",
        );
        return ctx.out;
    };
    let top_ql = match root.get("QueryLanguage") {
        Some(Value::String(s)) if s == "JSONata" => QueryLanguage::JSONata,
        _ => QueryLanguage::JSONPath,
    };
    ctx.machine(root, "", Scope::Top, top_ql, 0);
    ctx.report_duplicate_names();
    let mut out = ctx.out;
    if spans.is_some() {
        // In text order, as an editor or a compiler lists them.
        crate::sort::sort_by_key(&mut out, |d| {
            d.range
                .map_or((u32::MAX, u32::MAX), |r| (r.start.line, r.start.column))
        });
    }
    out
}

/// Validates one state on its own, as the TestState API receives it: the state's fields
/// and nested machines are checked, but not whether its `Next`/`Default`/`Catch` targets
/// exist (there is no machine around it). Paths are relative to the state object.
pub fn validate_state(
    state: &Value,
    spans: Option<&SpanMap>,
    options: &ValidateOptions,
) -> Vec<Diagnostic> {
    let mut ctx = Ctx {
        spans,
        options,
        out: Vec::new(),
        state_names: HashMap::new(),
        labels: HashMap::new(),
        state_order: HashMap::new(),
    };
    let (_, depth) = measure(state);
    if depth > crate::parse::MAX_DEPTH {
        ctx.error(
            "NESTING_TOO_DEEP",
            format!(
                "Objects and arrays are nested {depth} levels deep; the maximum is {}",
                crate::parse::MAX_DEPTH
            ),
            "",
        );
        return ctx.out;
    }
    match state.as_object() {
        Some(obj) => ctx.state("state", obj, "", QueryLanguage::JSONPath, Scope::Top, 0),
        None => ctx.error(
            "INVALID_TYPE",
            format!("A state must be a JSON object, not {}", type_name(state)),
            "",
        ),
    }
    ctx.report_duplicate_names();
    ctx.out
}

/// The approximate size of the value as compact JSON text (bytes) and its nesting
/// depth, computed without recursion (the value may come from anywhere).
fn measure(value: &Value) -> (usize, usize) {
    let mut bytes = 0usize;
    let mut max_depth = 0usize;
    let mut todo: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((v, depth)) = todo.pop() {
        max_depth = max_depth.max(depth);
        match v {
            Value::Null => bytes += 4,
            Value::Bool(b) => bytes += if *b { 4 } else { 5 },
            Value::Number(n) => bytes += n.to_string().len(),
            Value::String(s) => bytes += s.len() + 2,
            Value::Array(items) => {
                bytes += 2 + items.len().saturating_sub(1);
                todo.extend(items.iter().map(|i| (i, depth + 1)));
            }
            Value::Object(map) => {
                bytes += 2 + map.len().saturating_sub(1);
                for (k, item) in map {
                    bytes += k.len() + 3;
                    todo.push((item, depth + 1));
                }
            }
        }
    }
    (bytes, max_depth)
}

/// Where a set of states lives: the top level, a Parallel branch, or a Map's processor.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scope {
    Top,
    Branch,
    MapProcessor { distributed: bool },
}

struct Ctx<'a> {
    spans: Option<&'a SpanMap>,
    options: &'a ValidateOptions,
    out: Vec<Diagnostic>,
    /// State name -> pointers of every state with that name (names are unique across the
    /// whole definition, nested scopes included).
    state_names: HashMap<String, Vec<String>>,
    /// Map Label -> pointers (labels are unique in the definition).
    labels: HashMap<String, Vec<String>>,
    /// State pointer -> position in document order (depth first).
    state_order: HashMap<String, usize>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn child(at: &str, key: &str) -> String {
    format!("{at}/{}", pointer_token(key))
}

/// The names, comma-separated; long lists are cut after 20 names.
fn quote_list<'b>(names: impl Iterator<Item = &'b String>) -> String {
    const SHOWN: usize = 20;
    let names: Vec<&str> = names.map(String::as_str).collect();
    match names.len() {
        0 => "(none)".to_string(),
        n if n > SHOWN => format!("{} and {} more", names[..SHOWN].join(", "), n - SHOWN),
        _ => names.join(", "),
    }
}

/// An integer value in `min..=max`, or why not.
fn int_in(v: &Value, min: i64, max: i64) -> Result<i64, String> {
    let n = v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    });
    match n {
        Some(n) if n >= min && n <= max => Ok(n),
        Some(n) => Err(format!("{n} is out of range; expected {min} to {max}")),
        None if v.is_number() => Err(format!("{v} is not an integer")),
        None => Err(format!("expected an integer, got {}", type_name(v))),
    }
}

const MAX_SECONDS: i64 = 99_999_999;

impl Ctx<'_> {
    fn push(&mut self, severity: Severity, code: &str, message: String, path: &str, key: bool) {
        let range = self.spans.and_then(|spans| {
            let span = spans.get(path)?;
            Some(match (key, span.key) {
                (false, _) => span.value,
                (true, Some(key)) => key,
                // The root (or an array element) has no key: point at its first character
                // rather than at the whole value.
                (true, None) => Range {
                    start: span.value.start,
                    end: crate::parse::Position {
                        line: span.value.start.line,
                        column: span.value.start.column + 1,
                    },
                },
            })
        });
        self.out.push(Diagnostic {
            severity,
            code: code.to_string(),
            message,
            path: path.to_string(),
            range,
        });
    }

    /// An error about the value at `path` (the range covers the value).
    fn error(&mut self, code: &str, message: impl Into<String>, path: &str) {
        self.push(Severity::Error, code, message.into(), path, false);
    }

    /// An error about the member at `path` itself, e.g. a missing field of the object at
    /// `path` or a field that is not allowed: the range covers the member's key.
    fn error_key(&mut self, code: &str, message: impl Into<String>, path: &str) {
        self.push(Severity::Error, code, message.into(), path, true);
    }

    fn warning(&mut self, code: &str, message: impl Into<String>, path: &str) {
        self.push(Severity::Warning, code, message.into(), path, false);
    }

    fn warning_key(&mut self, code: &str, message: impl Into<String>, path: &str) {
        self.push(Severity::Warning, code, message.into(), path, true);
    }

    fn missing(&mut self, field: &str, what: &str, at: &str) {
        self.error_key(
            "MISSING_FIELD",
            format!("The field '{field}' is required in {what}"),
            at,
        );
    }

    // ---------------------------------------------------------------- machines

    fn machine(
        &mut self,
        obj: &Map<String, Value>,
        at: &str,
        scope: Scope,
        ql: QueryLanguage,
        depth: usize,
    ) {
        if depth > MAX_SCOPE_DEPTH {
            self.error(
                "NESTING_TOO_DEEP",
                format!(
                    "Parallel and Map states are nested more than {MAX_SCOPE_DEPTH} levels deep"
                ),
                at,
            );
            return;
        }
        let what = match scope {
            Scope::Top => "the state machine",
            Scope::Branch => "a Parallel branch",
            Scope::MapProcessor { .. } => "a Map ItemProcessor",
        };
        for (key, value) in obj {
            let here = child(at, key);
            match (key.as_str(), scope) {
                ("StartAt" | "States" | "Comment", _) => {}
                ("Version" | "TimeoutSeconds" | "QueryLanguage", Scope::Top) => {}
                ("ProcessorConfig", Scope::MapProcessor { .. }) => {}
                _ => {
                    self.error_key(
                        "UNKNOWN_FIELD",
                        format!(
                            "The field '{key}' is not supported in {what}; expected {}",
                            match scope {
                                Scope::Top =>
                                    "StartAt, States, Comment, Version, TimeoutSeconds, QueryLanguage",
                                Scope::Branch => "StartAt, States, Comment",
                                Scope::MapProcessor { .. } =>
                                    "StartAt, States, Comment, ProcessorConfig",
                            }
                        ),
                        &here,
                    );
                    continue;
                }
            }
            match key.as_str() {
                "Comment" | "Version" => self.expect_string(value, &here),
                "TimeoutSeconds" => {
                    if let Err(e) = int_in(value, 0, MAX_SECONDS) {
                        self.error("INVALID_VALUE", format!("TimeoutSeconds: {e}"), &here);
                    }
                }
                "QueryLanguage" => self.query_language(value, &here),
                _ => {}
            }
        }
        let mut missing = Vec::new();
        if !obj.contains_key("States") {
            missing.push("States");
        }
        if !obj.contains_key("StartAt") {
            missing.push("StartAt");
        }
        if !missing.is_empty() {
            self.error_key(
                "MISSING_FIELD",
                format!(
                    "These fields are required in {what}: [{}]",
                    missing.join(", ")
                ),
                at,
            );
        }
        let states = match obj.get("States") {
            Some(Value::Object(states)) => Some(states),
            Some(other) => {
                self.error(
                    "INVALID_TYPE",
                    format!(
                        "States must be an object of states, not {}",
                        type_name(other)
                    ),
                    &child(at, "States"),
                );
                None
            }
            None => None,
        };
        if let Some(states) = states {
            if states.is_empty() {
                self.error(
                    "EMPTY_STATES",
                    "States must contain at least one state",
                    &child(at, "States"),
                );
            }
        }
        match obj.get("StartAt") {
            Some(Value::String(start)) => {
                if let Some(states) = states {
                    if !states.contains_key(start) {
                        let names = quote_list(states.keys());
                        self.error(
                            "UNKNOWN_START_AT",
                            format!("StartAt '{start}' does not name a state of {what}; states are: {names}"),
                            &child(at, "StartAt"),
                        );
                    }
                }
            }
            Some(other) => self.error(
                "INVALID_TYPE",
                format!("StartAt must be a string, not {}", type_name(other)),
                &child(at, "StartAt"),
            ),
            None => {}
        }
        let Some(states) = states else { return };
        // Register this scope's names before descending, so that nested scopes can tell
        // "in another scope" from "nowhere".
        for name in states.keys() {
            let here = child(&child(at, "States"), name);
            self.state_names.entry(name.clone()).or_default().push(here);
        }
        for (name, state) in states {
            let here = child(&child(at, "States"), name);
            let order = self.state_order.len();
            self.state_order.insert(here.clone(), order);
            self.state_name(name, &here);
            match state.as_object() {
                Some(state) => self.state(name, state, &here, ql, scope, depth),
                None => self.error(
                    "INVALID_TYPE",
                    format!("State '{name}' must be an object, not {}", type_name(state)),
                    &here,
                ),
            }
        }
        self.transitions(obj, states, at, what);
    }

    fn state_name(&mut self, name: &str, at: &str) {
        let chars = name.chars().count();
        if chars == 0 {
            self.error_key("INVALID_STATE_NAME", "A state name must not be empty", at);
        } else if chars > MAX_STATE_NAME_CHARS {
            self.error_key(
                "INVALID_STATE_NAME",
                format!(
                    "State name '{name}' is {chars} characters long; the maximum is {MAX_STATE_NAME_CHARS}"
                ),
                at,
            );
        }
    }

    fn report_duplicate_names(&mut self) {
        let mut dups: Vec<(String, Vec<String>)> = self
            .state_names
            .iter()
            .filter(|(_, at)| at.len() > 1)
            .map(|(n, at)| (n.clone(), at.clone()))
            .collect();
        crate::sort::sort(&mut dups);
        for (name, mut places) in dups {
            // The first in document order is the original; the others are duplicates.
            crate::sort::sort_by_key(&mut places, |p| {
                self.state_order.get(p).copied().unwrap_or(usize::MAX)
            });
            for place in &places[1..] {
                self.error_key(
                    "DUPLICATE_STATE_NAME",
                    format!(
                        "Duplicate state name '{name}': state names must be unique in the whole state machine (also defined at {})",
                        places[0]
                    ),
                    place,
                );
            }
        }
        let mut labels: Vec<(String, Vec<String>)> = self
            .labels
            .iter()
            .filter(|(_, at)| at.len() > 1)
            .map(|(n, at)| (n.clone(), at.clone()))
            .collect();
        crate::sort::sort(&mut labels);
        for (label, places) in labels {
            for place in &places[1..] {
                // AWS lists DUPLICATE_LABEL_NAME among the errors of
                // ValidateStateMachineDefinition.
                self.error(
                    "DUPLICATE_LABEL",
                    format!(
                        "Map Label '{label}' is already used at {}; labels must be unique",
                        places[0]
                    ),
                    place,
                );
            }
        }
    }

    /// `Next`/`Default`/`Choices[].Next`/`Catch[].Next` targets exist in this scope; a
    /// terminal state exists; every state is reachable from StartAt.
    fn transitions(
        &mut self,
        machine: &Map<String, Value>,
        states: &Map<String, Value>,
        at: &str,
        what: &str,
    ) {
        let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut has_terminal = false;
        // For messages about unknown targets, computed once per scope.
        let names = quote_list(states.keys());
        let by_lowercase: HashMap<String, &String> = states
            .keys()
            .map(|k| (crate::jsonata::case::lower(k), k))
            .collect();
        for (name, state) in states {
            let here = child(&child(at, "States"), name);
            let Some(state) = state.as_object() else {
                continue;
            };
            let ty = state.get("Type").and_then(Value::as_str).unwrap_or("");
            if matches!(ty, "Succeed" | "Fail") || state.get("End") == Some(&Value::Bool(true)) {
                has_terminal = true;
            }
            let mut targets: Vec<(String, &Value)> = Vec::new();
            if ty != "Choice" {
                if let Some(next) = state.get("Next") {
                    targets.push((child(&here, "Next"), next));
                }
            } else {
                if let Some(d) = state.get("Default") {
                    targets.push((child(&here, "Default"), d));
                }
                if let Some(Value::Array(rules)) = state.get("Choices") {
                    for (i, rule) in rules.iter().enumerate() {
                        if let Some(next) = rule.get("Next") {
                            targets.push((format!("{here}/Choices/{i}/Next"), next));
                        }
                    }
                }
            }
            if let Some(Value::Array(catchers)) = state.get("Catch") {
                for (i, catcher) in catchers.iter().enumerate() {
                    if let Some(next) = catcher.get("Next") {
                        targets.push((format!("{here}/Catch/{i}/Next"), next));
                    }
                }
            }
            for (path, target) in targets {
                let Value::String(target) = target else {
                    continue; // reported by the field checks
                };
                let field = if path.ends_with("/Default") {
                    "Default"
                } else {
                    "Next"
                };
                if states.contains_key(target) {
                    edges.entry(name.as_str()).or_default().push(target);
                    continue;
                }
                let elsewhere = self
                    .state_names
                    .get(target)
                    .is_some_and(|places| !places.is_empty());
                let message = if elsewhere {
                    format!(
                        "{field} target '{target}' is not in the same scope: a state can only go to states of {what}; states are: {names}"
                    )
                } else {
                    let hint = by_lowercase
                        .get(&crate::jsonata::case::lower(target))
                        .map(|close| format!(" (did you mean '{close}'?)"))
                        .unwrap_or_default();
                    format!("{field} target '{target}' does not exist; states are: {names}{hint}")
                };
                self.error("UNKNOWN_NEXT", message, &path);
            }
        }
        if states.is_empty() {
            return;
        }
        if !has_terminal {
            self.error_key(
                "MISSING_END_STATE",
                format!("{what} has no terminal state: no state has \"End\": true and there is no Succeed or Fail state"),
                if at.is_empty() { "" } else { at },
            );
            return;
        }
        let Some(Value::String(start)) = machine.get("StartAt") else {
            return;
        };
        // Like AWS: with a StartAt that names no state, no state is reachable.
        let mut seen: HashSet<&str> = HashSet::new();
        let mut todo: Vec<&str> = Vec::new();
        if states.contains_key(start) {
            todo.push(start.as_str());
        }
        while let Some(s) = todo.pop() {
            if !seen.insert(s) {
                continue;
            }
            if let Some(next) = edges.get(s) {
                todo.extend(next.iter().copied());
            }
        }
        for name in states.keys() {
            if !seen.contains(name.as_str()) {
                self.error_key(
                    "UNREACHABLE_STATE",
                    format!("State '{name}' is not reachable from StartAt '{start}': no Next, Default or Catch leads to it"),
                    &child(&child(at, "States"), name),
                );
            }
        }
    }

    fn query_language(&mut self, value: &Value, at: &str) {
        match value.as_str() {
            Some("JSONPath" | "JSONata") => {}
            _ => self.error(
                "INVALID_VALUE",
                format!("QueryLanguage must be \"JSONPath\" or \"JSONata\", not {value}"),
                at,
            ),
        }
    }

    // ---------------------------------------------------------------- states

    fn state(
        &mut self,
        name: &str,
        state: &Map<String, Value>,
        at: &str,
        top_ql: QueryLanguage,
        scope: Scope,
        depth: usize,
    ) {
        let ty = match state.get("Type") {
            None => {
                self.missing("Type", &format!("state '{name}'"), at);
                return;
            }
            Some(Value::String(t)) => match StateType::parse(t) {
                Some(ty) => ty,
                None => {
                    self.error(
                        "UNKNOWN_STATE_TYPE",
                        format!(
                            "State '{name}' has unknown Type '{t}'; expected one of Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map"
                        ),
                        &child(at, "Type"),
                    );
                    return;
                }
            },
            Some(other) => {
                self.error(
                    "INVALID_TYPE",
                    format!("Type must be a string, not {}", type_name(other)),
                    &child(at, "Type"),
                );
                return;
            }
        };
        let ql = match state.get("QueryLanguage") {
            Some(v @ Value::String(s)) => {
                self.query_language(v, &child(at, "QueryLanguage"));
                match s.as_str() {
                    "JSONata" => QueryLanguage::JSONata,
                    "JSONPath" => {
                        // A distributed Map runs its processor as child executions, which
                        // may use JSONPath under a JSONata parent.
                        let child_machine =
                            matches!(scope, Scope::MapProcessor { distributed: true });
                        if top_ql == QueryLanguage::JSONata && !child_machine {
                            self.error(
                                "INVALID_QUERY_LANGUAGE",
                                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for the whole state machine",
                                &child(at, "QueryLanguage"),
                            );
                        }
                        QueryLanguage::JSONPath
                    }
                    _ => top_ql,
                }
            }
            Some(other) => {
                self.query_language(other, &child(at, "QueryLanguage"));
                top_ql
            }
            None => top_ql,
        };
        let allowed = FieldSet::of(ty, ql);
        for key in state.keys() {
            if allowed.contains(key) {
                continue;
            }
            let here = child(at, key);
            if let Some(other) = FieldSet::of(ty, ql.other())
                .contains(key)
                .then_some(ql.other())
            {
                self.error_key(
                    "FIELD_NOT_SUPPORTED_IN_QUERY_LANGUAGE",
                    format!(
                        "The field '{key}' is not supported in a {} state that uses {}; it is a {} field{}",
                        ty.name(),
                        ql.name(),
                        other.name(),
                        fields::replacement_hint(key, ql)
                    ),
                    &here,
                );
            } else if fields::known_somewhere(key) {
                self.error_key(
                    "FIELD_NOT_SUPPORTED",
                    format!(
                        "The field '{key}' is not supported by a {} state; expected one of: {}",
                        ty.name(),
                        allowed.list()
                    ),
                    &here,
                );
            } else {
                self.error_key(
                    "UNKNOWN_FIELD",
                    format!(
                        "Unknown field '{key}' in state '{name}'; a {} state ({}) accepts: {}",
                        ty.name(),
                        ql.name(),
                        allowed.list()
                    ),
                    &here,
                );
            }
        }
        if let Some(c) = state.get("Comment") {
            self.expect_string(c, &child(at, "Comment"));
        }
        self.next_end(name, ty, state, at);
        self.io_fields(ql, state, at);
        match ty {
            StateType::Pass => self.pass_result(state, at),
            StateType::Task => self.task(state, at, ql),
            StateType::Choice => self.choice(name, state, at, ql),
            StateType::Wait => self.wait(name, state, at, ql),
            StateType::Succeed => {}
            StateType::Fail => self.fail(state, at, ql),
            StateType::Parallel => self.parallel(name, state, at, top_ql, depth),
            StateType::Map => self.map(name, state, at, ql, top_ql, depth),
        }
        if matches!(ty, StateType::Task | StateType::Parallel | StateType::Map) {
            self.retry(state, at);
            self.catch(state, at, ql);
        }
        if ql == QueryLanguage::JSONata {
            self.states_fields(ty, state, at);
        }
    }

    /// `$states.result` exists only in the Output and Assign of a Task, Parallel or Map
    /// state (after it succeeded), `$states.errorOutput` only in a catcher's Output and
    /// Assign; elsewhere they are undefined.
    fn states_fields(&mut self, ty: StateType, state: &Map<String, Value>, at: &str) {
        let with_result = matches!(ty, StateType::Task | StateType::Parallel | StateType::Map);
        for (field, value) in state {
            let here = child(at, field);
            match field.as_str() {
                // Nested machines: their states are checked on their own.
                "Branches" | "ItemProcessor" | "Iterator" => {}
                "Catch" => {
                    let Value::Array(catchers) = value else {
                        continue;
                    };
                    for (i, catcher) in catchers.iter().enumerate() {
                        let Value::Object(catcher) = catcher else {
                            continue;
                        };
                        for (key, v) in catcher {
                            let at_c = child(&format!("{here}/{i}"), key);
                            let place = format!("a catcher's {key}");
                            self.states_fields_in(v, &at_c, false, true, &place);
                        }
                    }
                }
                "Output" | "Assign" => {
                    let place = format!("the {field} of a {} state", ty.name());
                    self.states_fields_in(value, &here, with_result, false, &place);
                }
                _ => {
                    let place = format!("the {field} of a {} state", ty.name());
                    self.states_fields_in(value, &here, false, false, &place);
                }
            }
        }
    }

    fn states_fields_in(&mut self, v: &Value, at: &str, result: bool, error: bool, place: &str) {
        let mut todo = vec![(v, at.to_string())];
        while let Some((v, here)) = todo.pop() {
            match v {
                Value::String(s) => {
                    let Some(Ok(expr)) = syntax::jsonata_expression(s) else {
                        continue;
                    };
                    for field in syntax::jsonata_states_fields(expr) {
                        let (available, needs) = match field.as_str() {
                            "result" => (
                                result,
                                "the Output and Assign of Task, Parallel and Map states",
                            ),
                            "errorOutput" => (error, "the Output and Assign of a catcher"),
                            _ => continue,
                        };
                        if !available {
                            self.warning(
                                "STATES_FIELD_UNAVAILABLE",
                                format!("$states.{field} is not set in {place}: it exists only in {needs}; here it is undefined"),
                                &here,
                            );
                        }
                    }
                }
                Value::Object(map) => {
                    todo.extend(map.iter().map(|(k, item)| (item, child(&here, k))));
                }
                Value::Array(items) => {
                    todo.extend(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| (item, format!("{here}/{i}"))),
                    );
                }
                _ => {}
            }
        }
    }

    fn next_end(&mut self, name: &str, ty: StateType, state: &Map<String, Value>, at: &str) {
        if matches!(ty, StateType::Choice | StateType::Succeed | StateType::Fail) {
            return; // Next/End there are reported as unsupported fields
        }
        let next = state.get("Next");
        let end = state.get("End");
        if let Some(n) = next {
            if !n.is_string() {
                self.error(
                    "INVALID_TYPE",
                    format!("Next must be a state name (a string), not {}", type_name(n)),
                    &child(at, "Next"),
                );
            }
        }
        let end_true = match end {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.error(
                    "INVALID_TYPE",
                    format!("End must be true or false, not {}", type_name(other)),
                    &child(at, "End"),
                );
                false
            }
        };
        match (next.is_some(), end_true) {
            (true, true) => self.error_key(
                "NEXT_AND_END",
                format!("State '{name}' has both 'Next' and 'End': true; a state either goes to Next or ends"),
                &child(at, "End"),
            ),
            (false, false) => self.error_key(
                "MISSING_NEXT_OR_END",
                format!(
                    "State '{name}' has neither 'Next' nor 'End': true; a {} state must have exactly one of them",
                    ty.name()
                ),
                at,
            ),
            _ => {}
        }
    }

    fn expect_string(&mut self, value: &Value, at: &str) {
        if !value.is_string() {
            // The field is the last token of the pointer (unescaped).
            let field = at.rsplit('/').next().unwrap_or("");
            let field = field.replace("~1", "/").replace("~0", "~");
            self.error(
                "INVALID_TYPE",
                format!("{field} must be a string, not {}", type_name(value)),
                at,
            );
        }
    }

    /// InputPath, OutputPath, ResultPath, Parameters, ResultSelector, Result, Arguments,
    /// Output, Assign: the data-flow fields common to several state types.
    fn io_fields(&mut self, ql: QueryLanguage, state: &Map<String, Value>, at: &str) {
        for field in ["InputPath", "OutputPath"] {
            if let Some(v) = state.get(field) {
                self.nullable_path(v, &child(at, field), field, ANY_ROOT);
            }
        }
        if let Some(v) = state.get("ResultPath") {
            self.result_path(v, &child(at, "ResultPath"));
        }
        for field in ["Parameters", "ResultSelector"] {
            if let Some(v) = state.get(field) {
                if field == "ResultSelector" {
                    self.expect_object(v, &child(at, field), field);
                }
                self.payload_template(v, &child(at, field));
            }
        }
        if ql == QueryLanguage::JSONata {
            for field in ["Arguments", "Output"] {
                if let Some(v) = state.get(field) {
                    if field == "Arguments" && !(v.is_object() || is_jsonata_string(v)) {
                        self.error(
                            "INVALID_TYPE",
                            format!(
                                "Arguments must be an object or a JSONata expression string \"{{% ... %}}\", not {}",
                                type_name(v)
                            ),
                            &child(at, field),
                        );
                    }
                    self.jsonata_template(v, &child(at, field));
                }
            }
        }
        if let Some(v) = state.get("Assign") {
            self.assign(v, &child(at, "Assign"), ql);
        }
    }

    fn expect_object(&mut self, v: &Value, at: &str, field: &str) {
        if !v.is_object() {
            self.error(
                "INVALID_TYPE",
                format!("{field} must be an object, not {}", type_name(v)),
                at,
            );
        }
    }

    fn nullable_path(&mut self, v: &Value, at: &str, field: &str, roots: PathRoots) {
        match v {
            Value::Null => {}
            Value::String(p) => {
                if let Err(e) = syntax::check_path(p, roots) {
                    self.error(
                        "INVALID_PATH",
                        format!("{field} '{p}' is not a valid JSONPath: {e}"),
                        at,
                    );
                }
            }
            other => self.error(
                "INVALID_TYPE",
                format!(
                    "{field} must be a JSONPath string or null, not {}",
                    type_name(other)
                ),
                at,
            ),
        }
    }

    fn path_field(&mut self, v: &Value, at: &str, field: &str) {
        match v {
            Value::String(p) => {
                if let Err(e) = syntax::check_path(p, ANY_ROOT) {
                    self.error(
                        "INVALID_PATH",
                        format!("{field} '{p}' is not a valid JSONPath: {e}"),
                        at,
                    );
                }
            }
            other => self.error(
                "INVALID_TYPE",
                format!(
                    "{field} must be a JSONPath string, not {}",
                    type_name(other)
                ),
                at,
            ),
        }
    }

    fn result_path(&mut self, v: &Value, at: &str) {
        match v {
            Value::Null => {}
            Value::String(p) => {
                let roots = PathRoots {
                    context: false,
                    variables: false,
                };
                if let Err(e) = syntax::check_reference_path(p, roots) {
                    self.error(
                        "INVALID_PATH",
                        format!("ResultPath '{p}' is not a valid reference path (such as $.result): {e}"),
                        at,
                    );
                }
            }
            other => self.error(
                "INVALID_TYPE",
                format!(
                    "ResultPath must be a reference path string or null, not {}",
                    type_name(other)
                ),
                at,
            ),
        }
    }

    /// A JSONPath payload template (Parameters, ResultSelector, ItemSelector, Assign,
    /// Credentials...): keys ending in `.$` hold a path or an intrinsic function.
    fn payload_template(&mut self, v: &Value, at: &str) {
        match v {
            Value::Object(map) => {
                for (key, value) in map {
                    let here = child(at, key);
                    if let Some(plain) = key.strip_suffix(".$") {
                        if map.contains_key(plain) {
                            self.error_key(
                                "DUPLICATE_FIELD",
                                format!("The fields '{plain}' and '{key}' both produce the field '{plain}'; keep one of them"),
                                &here,
                            );
                        }
                        self.dollar_value(key, value, &here);
                    } else {
                        self.literal_path_warning(key, value, &here);
                        self.payload_template(value, &here);
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.payload_template(item, &format!("{at}/{i}"));
                }
            }
            _ => {}
        }
    }

    /// `"name": "$.x"` passes the text "$.x" on: almost always `"name.$"` was meant.
    fn literal_path_warning(&mut self, key: &str, value: &Value, at: &str) {
        let Value::String(text) = value else { return };
        if looks_like_path(text)
            || (text.starts_with("States.") && syntax::check_intrinsic(text).is_ok())
        {
            self.warning(
                "MISSING_DOLLAR_SUFFIX",
                format!("'{key}' is the literal string '{text}'; to evaluate it, name the field '{key}.$'"),
                at,
            );
        }
    }

    /// A Pass state's Result is passed on as written (AWS: PASS_RESULT_IS_STATIC): a path in
    /// it, or a key ending in `.$`, was almost always meant for Parameters.
    fn pass_result(&mut self, state: &Map<String, Value>, at: &str) {
        let Some(result) = state.get("Result") else {
            return;
        };
        let mut todo = vec![(result, child(at, "Result"))];
        while let Some((value, here)) = todo.pop() {
            match value {
                Value::String(text) if looks_like_path(text) => self.warning(
                    "PASS_RESULT_IS_STATIC",
                    format!("Result is passed on as written: '{text}' stays text; to take data from the input use Parameters (\"name.$\": \"{text}\") or InputPath"),
                    &here,
                ),
                Value::Object(map) => {
                    for (key, item) in map {
                        let at_key = child(&here, key);
                        if key.ends_with(".$") {
                            self.warning_key(
                                "PASS_RESULT_IS_STATIC",
                                format!("Result is passed on as written: the key '{key}' keeps its '.$' and its value is not evaluated; use Parameters to evaluate paths"),
                                &at_key,
                            );
                            continue; // one warning for the key and its value
                        }
                        todo.push((item, at_key));
                    }
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        todo.push((item, format!("{here}/{i}")));
                    }
                }
                _ => {}
            }
        }
    }

    fn dollar_value(&mut self, key: &str, value: &Value, at: &str) {
        let problem = match value {
            Value::String(s) => syntax::check_path_or_intrinsic(s).err(),
            other => Some(format!("it is {}", type_name(other))),
        };
        if let Some(e) = problem {
            self.error(
                "INVALID_PATH",
                format!(
                    "The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call: {e}"
                ),
                at,
            );
        }
    }

    /// A JSONata template (Arguments, Output, Assign values...): strings `{% ... %}` are
    /// expressions; everything else is literal.
    fn jsonata_template(&mut self, v: &Value, at: &str) {
        match v {
            Value::String(s) => self.jsonata_string(s, at),
            Value::Object(map) => {
                for (key, value) in map {
                    let here = child(at, key);
                    if let Some(plain) = key.strip_suffix(".$") {
                        self.warning_key(
                            "DOLLAR_SUFFIX_IN_JSONATA",
                            format!("In JSONata a '.$' suffix has no meaning: this field is named '{key}' literally; name it '{plain}' and use a {{% ... %}} expression"),
                            &here,
                        );
                    }
                    self.jsonata_template(value, &here);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.jsonata_template(item, &format!("{at}/{i}"));
                }
            }
            _ => {}
        }
    }

    fn jsonata_string(&mut self, s: &str, at: &str) {
        match syntax::jsonata_expression(s) {
            None => {}
            Some(Err(e)) => self.error("INVALID_JSONATA", format!("'{s}': {e}"), at),
            Some(Ok(expr)) => {
                if let Some(e) = check_jsonata(expr) {
                    self.error(
                        "INVALID_JSONATA",
                        format!("The JSONata expression '{}' is not valid: {e}", expr.trim()),
                        at,
                    );
                } else if let Some(name) = syntax::jsonata_top_level_reference(expr) {
                    self.error(
                        "UNSUPPORTED_JSONATA_EXPRESSION",
                        format!(
                            "Reference to '{name}' at the top level is not supported: JSONata in Step Functions has no input context; use $states.input.{name} or a variable"
                        ),
                        at,
                    );
                }
            }
        }
    }

    fn assign(&mut self, v: &Value, at: &str, ql: QueryLanguage) {
        let Value::Object(map) = v else {
            if ql == QueryLanguage::JSONata && is_jsonata_string(v) {
                if let Value::String(s) = v {
                    self.jsonata_string(s, at);
                }
                return;
            }
            self.error(
                "INVALID_TYPE",
                format!(
                    "Assign must be an object of variable names to values, not {}",
                    type_name(v)
                ),
                at,
            );
            return;
        };
        for (key, value) in map {
            let here = child(at, key);
            let name = match ql {
                QueryLanguage::JSONPath => key.strip_suffix(".$").unwrap_or(key),
                QueryLanguage::JSONata => key.as_str(),
            };
            if let Err(e) = variable_name(name) {
                self.error_key(
                    "INVALID_VARIABLE_NAME",
                    format!("'{name}' is not a valid variable name: {e}"),
                    &here,
                );
            }
            match ql {
                QueryLanguage::JSONPath => {
                    if key.ends_with(".$") {
                        if map.contains_key(name) {
                            self.error_key(
                                "DUPLICATE_FIELD",
                                format!("The variables '{name}' and '{key}' both assign '{name}'; keep one of them"),
                                &here,
                            );
                        }
                        self.dollar_value(key, value, &here);
                    } else {
                        self.payload_template(value, &here);
                    }
                }
                QueryLanguage::JSONata => self.jsonata_template(value, &here),
            }
        }
    }
}

/// What a Resource ARN is used for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ResourceUse {
    Task,
    ItemReader,
    ResultWriter,
}

/// A string that is a JSONPath (`$.x`, `$$.x`, `$[0]`) rather than ordinary text.
fn looks_like_path(text: &str) -> bool {
    ["$.", "$$.", "$["].iter().any(|p| text.starts_with(p))
        && syntax::check_path(text, ANY_ROOT).is_ok()
}

fn is_jsonata_string(v: &Value) -> bool {
    matches!(v, Value::String(s) if s.starts_with("{%"))
}

/// A variable name: letters, digits and underscores, not starting with a digit, at most
/// 80 characters.
fn variable_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err("it is empty".into());
    };
    if !(first == '_' || first.is_alphabetic()) {
        return Err("it must start with a letter or '_'".into());
    }
    if let Some(c) = name.chars().find(|&c| !(c == '_' || c.is_alphanumeric())) {
        return Err(format!("it contains '{c}'; use letters, digits and '_'"));
    }
    if name.chars().count() > 80 {
        return Err("it is longer than 80 characters".into());
    }
    if name == "states" {
        return Err("'states' is reserved ($states)".into());
    }
    Ok(())
}

/// Checks a JSONata expression (the text inside `{% %}`) with our JSONata parser;
/// `Some(reason)` when it does not compile (with JSONata's code and position).
pub fn check_jsonata(expr: &str) -> Option<String> {
    if expr.trim().is_empty() {
        return Some("the JSONata expression is empty".into());
    }
    crate::jsonata::compile(expr)
        .err()
        .map(|e| match e.position {
            Some(p) => format!("{} at character {p}", e),
            None => e.to_string(),
        })
}

#[cfg(test)]
mod tests;
