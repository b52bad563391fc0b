//! Statelab: Amazon States Language (AWS Step Functions) state machines, run anywhere.
//!
//! Module map (see ARCHITECTURE.md):
//! - [`api`]: validate, compile and run: the entry points for hosts.
//! - [`parse`]: definition text -> JSON value with line/column spans.
//! - [`validate`]: JSON value -> diagnostics (AWS's CreateStateMachine rules).
//! - [`asl`]: the typed model the executor runs.
//! - [`path`], [`intrinsic`], [`choice`]: JSONPath-mode data flow.
//! - [`jsonata`]: the JSONata engine for JSONata-mode states.
//! - [`exec`]: the sans-I/O execution engine (effects out, results in).
//! - [`host`]: the driver that performs effects (virtual clock, mocks, services).
//! - [`services`]: in-memory AWS services.
//! - [`test_state`]: AWS's TestState API (one state, mocks, inspectionData).
//! - [`json`]: numbers and text as JavaScript has them.
//! - `wasm`: the wasm-bindgen boundary (wasm32 only).

pub mod api;
pub mod asl;
pub mod choice;
pub mod exec;
pub mod host;
pub mod intrinsic;
pub mod json;
pub mod jsonata;
pub mod parse;
pub mod path;
pub mod services;
pub mod sort;
pub mod test_state;
pub mod validate;
pub mod value;

#[cfg(target_arch = "wasm32")]
mod wasm;
