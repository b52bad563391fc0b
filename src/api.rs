//! The Rust-level API that the wasm boundary (and native tests) use: parse + validate +
//! build a machine, and run executions through the driver.

use crate::asl::{self, Machine};
use crate::exec::{EffectResult, ExecConfig, Execution, Outcome};
use crate::host::{ClockMode, Driver, HandlerCall};
use crate::parse;
use crate::validate::{self, Diagnostic, Severity, ValidateOptions};
use serde_json::Value;
use std::collections::HashSet;
use std::rc::Rc;

/// A definition as given: JSON text (positions are reported) or an already-parsed value.
pub enum Definition<'a> {
    Text(&'a str),
    Value(&'a Value),
}

/// Every diagnostic for a definition, errors and warnings.
pub fn validate(definition: Definition, options: &ValidateOptions) -> Vec<Diagnostic> {
    match definition {
        Definition::Text(text) => validate::validate_text(text, options),
        Definition::Value(value) => validate::validate(value, None, options),
    }
}

/// Validates and builds a machine; any error-severity diagnostic rejects it.
pub fn compile(
    definition: Definition,
    options: &ValidateOptions,
) -> Result<Rc<Machine>, Vec<Diagnostic>> {
    let (value, diagnostics) = match definition {
        Definition::Text(text) => {
            let diagnostics = validate::validate_text(text, options);
            if diagnostics.iter().any(|d| d.severity == Severity::Error) {
                return Err(diagnostics
                    .into_iter()
                    .filter(|d| d.severity == Severity::Error)
                    .collect());
            }
            match parse::parse_text(text) {
                Ok(parsed) => (parsed.value, diagnostics),
                Err(diagnostic) => return Err(vec![diagnostic]),
            }
        }
        Definition::Value(value) => (value.clone(), validate::validate(value, None, options)),
    };
    let errors: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    asl::build(&value)
}

/// Runs an execution to its end with the virtual clock, answering handler calls with
/// `respond`. For native tests and tools; JS hosts drive the `Driver` themselves.
pub fn run_to_end(
    machine: Rc<Machine>,
    input: impl Into<crate::value::Value>,
    config: ExecConfig,
    handler_keys: &[&str],
    mut respond: impl FnMut(&HandlerCall) -> EffectResult,
) -> (Outcome, Driver) {
    let keys: HashSet<String> = handler_keys.iter().map(|k| k.to_string()).collect();
    let mut driver = Driver::new(
        Execution::start(machine, input, config),
        ClockMode::Virtual,
        keys,
    );
    loop {
        let progress = driver.drive();
        if let Some(outcome) = progress.outcome {
            return (outcome, driver);
        }
        if progress.calls.is_empty() {
            // Nothing runnable, nothing outstanding: the engine is stuck (a bug).
            let outcome = Outcome {
                status: crate::exec::Status::Failed,
                output: None,
                error: Some("Statelab.Internal".into()),
                cause: Some("The execution stopped making progress".into()),
                stop_time: driver.execution().now(),
            };
            return (outcome, driver);
        }
        for call in progress.calls {
            let result = respond(&call);
            driver.resume(call.effect, result);
        }
    }
}
