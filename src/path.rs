//! JSONPath as AWS Step Functions implements it: paths (InputPath, OutputPath, ItemsPath,
//! `*Path` fields, Choice `Variable`), reference paths (ResultPath), and payload templates
//! (Parameters, ResultSelector, ItemSelector) with `.$` keys, the context object `$$` and
//! workflow variables `$name`.
//!
//! Pure functions over `serde_json::Value`; failures are AWS's (`States.Runtime` with the
//! cause text AWS gives).

use crate::exec::rng::Rng;
use serde_json::{Map, Value};

/// Read access to the workflow variables visible from a state (inner scopes see outer ones).
pub trait Variables {
    fn get_variable(&self, name: &str) -> Option<&Value>;
}

impl Variables for Map<String, Value> {
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
