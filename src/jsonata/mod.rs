//! Our JSONata engine (JSONata 2.0.6 semantics, as AWS documents): a parser that keeps
//! character positions and a synchronous evaluator bounded by a step and depth budget.
//!
//! Layout: `parser` (tokens, Pratt parser, jsonata-js's post-parse pass), `eval` (the
//! evaluator: paths, tuple streams for `@`/`#`/`%`, lambdas, tail calls as thunks),
//! `functions` (the function library, AWS's additions included), `signature` (function
//! signatures), `datetime` and `format` (pictures for dates, integers and numbers),
//! `regex` (JS RegExp on top of regex-lite), `hash` (AWS's `$hash`), `case` (compact
//! upper/lower case), `value` (the evaluator's values: undefined is `Option::None`,
//! sequences are flagged arrays, functions are values).
//!
//! Invariants: no clock and no randomness of its own (the [`Host`] gives both); no panics
//! on any input; recursion bounded three ways: [`Limits::max_depth`] counts entries into
//! `evaluate` like jsonata-js's test harness (U1001), [`Limits::max_steps`] bounds the
//! work (U1001 "Expression evaluation timeout"), and a native stack budget
//! (`STACK_BUDGET`, measured from the entry point) turns any deeper recursion, in the
//! parser too, into U1001 instead of a stack overflow (2 MiB test threads, 1 MiB wasm).
//!
//! Fidelity: the JSONata 2.0.6 reference suite passes (one case holds a lone UTF-16
//! surrogate, which Rust strings cannot represent). Error codes, positions (UTF-16
//! offsets, end of token), tokens and messages follow jsonata-js; it was checked against
//! jsonata-js itself on the suite and on ~30,000 mutated and generated expressions.
//! Known differences: regex positions count characters (see `regex` for the syntax
//! subset); `$uppercase`/`$lowercase` cover the common bicameral scripts only (`case`);
//! when an array constructor holds several failing items, jsonata-js (async) may report
//! another item's error first; a predicate on an undefined value never yields an
//! undefined array item (jsonata-js can, `[undefined]`, shown as `null`).

//!
//! Two builds (Cargo feature `jsonata`, on by default): without it only `case` and the
//! API types below remain, and [`compile`] answers [`not_in_this_build`]. That is the
//! browser's core module (bench/RESULTS.md, "Size"): js/ loads the full module before
//! anything that uses JSONata reaches the wasm, so callers never see that error there.

pub(crate) mod case;
#[cfg(feature = "jsonata")]
mod datetime;
#[cfg(feature = "jsonata")]
mod error;
#[cfg(feature = "jsonata")]
mod eval;
#[cfg(feature = "jsonata")]
mod format;
#[cfg(feature = "jsonata")]
mod functions;
#[cfg(feature = "jsonata")]
mod hash;
#[cfg(feature = "jsonata")]
mod parser;
#[cfg(feature = "jsonata")]
mod regex;
#[cfg(feature = "jsonata")]
mod signature;
#[cfg(feature = "jsonata")]
mod value;

#[cfg(all(test, feature = "jsonata"))]
mod tests;

use crate::exec::rng::Rng;
#[cfg(feature = "jsonata")]
pub(crate) use error::{too_large, Err, MAX_TEXT};
use std::sync::Arc;
#[cfg(feature = "jsonata")]
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
#[cfg(all(feature = "jsonata", target_arch = "wasm32"))]
pub(crate) const STACK_BUDGET: usize = 640 * 1024;
#[cfg(all(feature = "jsonata", not(target_arch = "wasm32")))]
pub(crate) const STACK_BUDGET: usize = 1400 * 1024;

#[cfg(feature = "jsonata")]
#[inline(never)]
pub(crate) fn stack_addr() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// A compiled expression, reusable across evaluations.
#[derive(Clone)]
pub struct Expression {
    #[cfg(feature = "jsonata")]
    ast: Arc<parser::Node>,
    source: Arc<str>,
}

/// Shows the source text (a derived Debug of the tree would cost wasm size for nothing).
impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expression").field(&&*self.source).finish()
    }
}

/// The error of [`compile`] and [`Expression::evaluate`] in a build without the engine.
pub fn not_in_this_build() -> JsonataError {
    JsonataError {
        code: "JsonataNotLoaded".into(),
        position: None,
        token: None,
        message: "JSONata is not in this build of Statelab (the core module without the \
                  `jsonata` feature); load the full module"
            .into(),
    }
}

#[cfg(not(feature = "jsonata"))]
pub fn compile(_expr: &str) -> Result<Expression, JsonataError> {
    Err(not_in_this_build())
}

#[cfg(not(feature = "jsonata"))]
impl Expression {
    pub fn evaluate(
        &self,
        _input: Option<&serde_json::Value>,
        _bindings: &serde_json::Map<String, serde_json::Value>,
        _host: &mut Host,
        _limits: &Limits,
    ) -> Result<Option<serde_json::Value>, JsonataError> {
        Err(not_in_this_build())
    }
}

#[cfg(feature = "jsonata")]
pub fn compile(expr: &str) -> Result<Expression, JsonataError> {
    match parser::parse(expr) {
        Ok(ast) => Ok(Expression {
            ast: Arc::new(ast),
            source: Arc::from(expr),
        }),
        Err(e) => Err(e.finish()),
    }
}

#[cfg(feature = "jsonata")]
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
