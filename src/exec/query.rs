//! JSONata-mode field evaluation: `{% expression %}` strings anywhere AWS allows them,
//! `$states` (input, result, errorOutput, context) and workflow variables as bindings,
//! and AWS's `States.QueryEvaluationError` causes naming the field.

use super::rng::Rng;
use super::Failure;
use crate::json::stringify;
use crate::jsonata::{self, Expression, Host, Limits};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::rc::Rc;

/// Compiled expressions by source text, so loops do not re-parse them.
#[derive(Default)]
pub struct ExpressionCache {
    compiled: HashMap<String, Rc<Expression>>,
}

/// The expression inside `{% ... %}`, if the whole string is one (trimmed, as AWS
/// quotes it in error messages).
pub fn expression_text(s: &str) -> Option<&str> {
    Some(s.strip_prefix("{%")?.strip_suffix("%}")?.trim())
}

/// What a JSONata expression of a state can see.
pub struct Scope<'a> {
    /// `$states` and every visible variable.
    pub bindings: &'a Map<String, Value>,
    pub now: i64,
    pub rng: &'a mut Rng,
    pub cache: &'a mut ExpressionCache,
}

impl Scope<'_> {
    /// Evaluates one `{% %}` expression for `field` (e.g. `Arguments/FunctionName`).
    pub fn evaluate(&mut self, source: &str, field: &str) -> Result<Value, Failure> {
        let expression = match self.cache.compiled.get(source) {
            Some(e) => e.clone(),
            None => {
                let compiled = jsonata::compile(source).map_err(|e| threw(source, field, &e))?;
                let compiled = Rc::new(compiled);
                self.cache
                    .compiled
                    .insert(source.to_string(), compiled.clone());
                compiled
            }
        };
        let mut host = Host {
            now_millis: self.now,
            rng: self.rng,
            aws_functions: true,
        };
        match expression.evaluate(None, self.bindings, &mut host, &Limits::default()) {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(Failure::query_evaluation(format!(
                "The JSONata expression '{source}' specified for the field '{field}' returned nothing (undefined)."
            ))),
            Err(e) => Err(threw(source, field, &e)),
        }
    }

    /// A field value: a `{% %}` string is evaluated; objects and arrays are walked and
    /// their `{% %}` leaves evaluated; anything else is a literal.
    pub fn template(&mut self, value: &Value, field: &str) -> Result<Value, Failure> {
        match value {
            Value::String(s) => match expression_text(s) {
                Some(source) => self.evaluate(source, field),
                None => Ok(value.clone()),
            },
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.template(item, &format!("{field}[{i}]"))?);
                }
                Ok(Value::Array(out))
            }
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, item) in map {
                    out.insert(key.clone(), self.template(item, &format!("{field}/{key}"))?);
                }
                Ok(Value::Object(out))
            }
            _ => Ok(value.clone()),
        }
    }

    /// `Assign` (when the state has one): every value evaluated against the same
    /// (pre-assignment) bindings.
    pub fn assign(&mut self, assign: Option<&Value>) -> Result<Map<String, Value>, Failure> {
        let Some(assign) = assign else {
            return Ok(Map::new());
        };
        let Value::Object(map) = assign else {
            return Err(Failure::runtime("Assign must be an object"));
        };
        let mut out = Map::new();
        for (name, value) in map {
            out.insert(
                name.clone(),
                self.template(value, &format!("Assign/{name}"))?,
            );
        }
        Ok(out)
    }
}

fn threw(source: &str, field: &str, error: &jsonata::JsonataError) -> Failure {
    Failure::query_evaluation(format!(
        "The JSONata expression '{source}' specified for the field '{field}' threw an error during evaluation. {}: {}",
        error.code, error.message
    ))
}

/// AWS's name for a JSON value's type in "Expected 'array', but was 'string'".
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// "returned an unexpected result type" for a field that needs another type.
pub fn unexpected_type(
    field: &str,
    source: Option<&str>,
    expected: &str,
    value: &Value,
) -> Failure {
    let shown = stringify(value);
    match source {
        Some(source) => Failure::query_evaluation(format!(
            "The JSONata expression '{source}' specified for the field '{field}' returned an unexpected result type. Expected '{expected}', but was '{}' for value: {shown}",
            type_name(value)
        )),
        None => Failure::query_evaluation(format!(
            "The value of the field '{field}' has an unexpected type. Expected '{expected}', but was '{}' for value: {shown}",
            type_name(value)
        )),
    }
}
