//! One export that reaches the whole JSONata engine, so that the linker keeps it.
use statelab::exec::rng::Rng;
use statelab::jsonata::{compile, Host, Limits};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_name = probeJsonata)]
pub fn probe_jsonata(expr: &str, input: &str) -> Option<String> {
    let input: serde_json::Value = serde_json::from_str(input).ok()?;
    let mut rng = Rng::new(1);
    let mut host = Host { now_millis: 0, rng: &mut rng, aws_functions: true };
    let out = compile(expr).ok()?.evaluate(Some(&input), &serde_json::Map::new(), &mut host, &Limits::default()).ok()?;
    out.map(|v| v.to_string())
}
