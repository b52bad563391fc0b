//! The per-state data flow of JSONPath states: InputPath -> Parameters -> (task) ->
//! ResultSelector -> ResultPath -> OutputPath, plus Assign. Each stage's value is
//! returned so that tools can show it (TestState's inspectionData, the playground).

use super::Failure;
use crate::asl::{PathField, ResultPathField, State};
use crate::path::{self, Env, Template};
use crate::value::{Map, Value};
use std::borrow::Cow;

/// `InputPath`: `$` by default; `null` gives `{}`.
pub fn input_path(state: &State, raw_input: &Value, env: &Env) -> Result<Value, Failure> {
    select_field(&state.input_path, raw_input, env)
}

/// `InputPath` without copying when it selects a part of the input as it is (the
/// common case: `$`, `$.a.b`); payload templates then read it by reference.
pub fn effective_input<'v>(
    state: &State,
    raw_input: &'v Value,
    env: &Env,
) -> Result<Cow<'v, Value>, Failure> {
    match &state.input_path {
        PathField::Default => Ok(Cow::Borrowed(raw_input)),
        PathField::Null => Ok(Cow::Owned(Value::empty_object())),
        PathField::Path(p) if p.text() == "$" => Ok(Cow::Borrowed(raw_input)),
        PathField::Path(p) => path::select_ref_path(p, raw_input, env),
    }
}

/// `OutputPath`: `$` by default; `null` gives `{}`.
pub fn output_path(state: &State, value: Value, env: &Env) -> Result<Value, Failure> {
    match &state.output_path {
        PathField::Default => Ok(value),
        PathField::Path(p) if p.text() == "$" => Ok(value),
        field => select_field(field, &value, env),
    }
}

fn select_field(field: &PathField, value: &Value, env: &Env) -> Result<Value, Failure> {
    match field {
        PathField::Default => Ok(value.clone()),
        PathField::Null => Ok(Value::empty_object()),
        PathField::Path(p) if p.text() == "$" => Ok(value.clone()),
        PathField::Path(p) => path::select_path(p, value, env),
    }
}

/// A payload template over a borrowed input: the input is copied only when there is no
/// template (the input is then the result; a copy is O(1)).
pub fn template_ref(
    template: Option<&Template>,
    input: Cow<Value>,
    env: &mut Env,
) -> Result<Value, Failure> {
    match template {
        Some(t) => t.apply(&input, env),
        None => Ok(input.into_owned()),
    }
}

/// A payload template (Parameters, ResultSelector, ItemSelector) when present.
pub fn template(
    template: Option<&Template>,
    input: Value,
    env: &mut Env,
) -> Result<Value, Failure> {
    match template {
        Some(t) => t.apply(&input, env),
        None => Ok(input),
    }
}

/// `ResultPath` against the state's raw input (which is shared: only what lies beside
/// the result's place is copied).
pub fn result_path(
    field: &ResultPathField,
    raw_input: &Value,
    result: Value,
) -> Result<Value, Failure> {
    match field {
        ResultPathField::Default => Ok(result),
        ResultPathField::Null => Ok(raw_input.clone()),
        ResultPathField::Path(p) => path::place_result_at(p, raw_input, result),
    }
}

/// JSONPath `Assign` (when the state has one): a template whose `$` is the state's result
/// (or its input for states without a result). Returns the new bindings, applied
/// together by the caller.
pub fn assign(assign: Option<&Template>, value: &Value, env: &mut Env) -> Result<Map, Failure> {
    let Some(assign) = assign else {
        return Ok(Map::new());
    };
    match assign.apply(value, env)? {
        Value::Object(map) => Ok(std::rc::Rc::unwrap_or_clone(map)),
        _ => Err(Failure::runtime("Assign must be an object")),
    }
}
