//! Definition -> diagnostics: every rule AWS enforces at CreateStateMachine, each problem
//! reported with a stable code, a JSON pointer and (for text input) a line/column range.

use crate::parse::{Range, SpanMap};
use serde::Serialize;
use serde_json::Value;

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

const STATE_TYPES: [&str; 8] = [
    "Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// Validates a definition; all problems are reported, not just the first.
pub fn validate(
    definition: &Value,
    spans: Option<&SpanMap>,
    options: &ValidateOptions,
) -> Vec<Diagnostic> {
    let _ = options;
    let mut out = Vec::new();
    validate_machine(definition, "", &mut out);
    if let Some(spans) = spans {
        for d in &mut out {
            if d.range.is_none() {
                d.range = spans.get(&d.path).map(|s| s.value);
            }
        }
    }
    out
}

fn validate_machine(machine: &Value, at: &str, out: &mut Vec<Diagnostic>) {
    let Some(obj) = machine.as_object() else {
        out.push(Diagnostic::error(
            "INVALID_TYPE",
            "A state machine must be a JSON object",
            at,
        ));
        return;
    };
    let states = obj.get("States").and_then(Value::as_object);
    if states.is_none() {
        out.push(Diagnostic::error(
            "MISSING_FIELD",
            "The field 'States' is required and must be an object",
            at,
        ));
    }
    match obj.get("StartAt") {
        None => out.push(Diagnostic::error(
            "MISSING_FIELD",
            "The field 'StartAt' is required",
            at,
        )),
        Some(Value::String(start)) => {
            if let Some(states) = states {
                if !states.contains_key(start) {
                    out.push(Diagnostic::error(
                        "UNKNOWN_START_AT",
                        format!("StartAt '{start}' does not name a state"),
                        format!("{at}/StartAt"),
                    ));
                }
            }
        }
        Some(_) => out.push(Diagnostic::error(
            "INVALID_TYPE",
            "StartAt must be a string",
            format!("{at}/StartAt"),
        )),
    }
    let Some(states) = states else { return };
    for (name, state) in states {
        let here = format!("{at}/States/{}", pointer_token(name));
        let Some(state) = state.as_object() else {
            out.push(Diagnostic::error(
                "INVALID_TYPE",
                format!("State '{name}' must be an object"),
                here,
            ));
            continue;
        };
        match state.get("Type").and_then(Value::as_str) {
            None => out.push(Diagnostic::error(
                "MISSING_FIELD",
                format!("State '{name}' has no 'Type'"),
                here.clone(),
            )),
            Some(t) if !STATE_TYPES.contains(&t) => out.push(Diagnostic::error(
                "UNKNOWN_STATE_TYPE",
                format!(
                    "State '{name}' has unknown Type '{t}'; expected one of {}",
                    STATE_TYPES.join(", ")
                ),
                format!("{here}/Type"),
            )),
            Some(_) => {}
        }
        if let Some(Value::String(next)) = state.get("Next") {
            if !states.contains_key(next) {
                let names: Vec<&str> = states.keys().map(String::as_str).collect();
                out.push(Diagnostic::error(
                    "UNKNOWN_NEXT",
                    format!(
                        "Next target '{next}' does not exist; states are: {}",
                        names.join(", ")
                    ),
                    format!("{here}/Next"),
                ));
            }
        }
        for nested in ["Branches"] {
            if let Some(Value::Array(branches)) = state.get(nested) {
                for (i, b) in branches.iter().enumerate() {
                    validate_machine(b, &format!("{here}/{nested}/{i}"), out);
                }
            }
        }
        for nested in ["ItemProcessor", "Iterator"] {
            if let Some(b) = state.get(nested) {
                validate_machine(b, &format!("{here}/{nested}"), out);
            }
        }
    }
}
