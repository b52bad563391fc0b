//! Native timing of the bench workloads (bench/cases.mjs), for profiling the engine
//! without the wasm boundary: `cargo run --release --example bench_native -- a|b10k|b100k|c|d [runs]`
//! (or under `perf record`). Prints the median time of the runs. `TEXT=1`: each run also
//! parses the input from JSON text and writes the output as text, as the wasm entry does.

use serde_json::{json, Map, Value};
use statelab::api::{compile, run_to_end, Definition};
use statelab::exec::{EffectResult, ExecConfig, Status};
use statelab::validate::ValidateOptions;
use std::time::Instant;

fn counter_loop(iterations: u64) -> (Value, Value) {
    let definition = json!({
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": iterations, "Next": "Increment"}], "Default": "Done"},
            "Increment": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
            "Done": {"Type": "Succeed"}
        }
    });
    (definition, json!({"i": 0}))
}

fn inline_map(count: usize) -> (Value, Value) {
    let definition = json!({
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map", "ItemsPath": "$.items",
            "ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Work", "States": {"Work": {
                "Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.index, $.value)"},
                "ResultPath": "$.result", "OutputPath": "$.value", "End": true}}},
            "End": true}}
    });
    (definition, json!({"items": vec![0; count]}))
}

fn payload_of(bytes: usize) -> Value {
    let mut items = Vec::new();
    let mut size = 2;
    let mut i = 0;
    while size < bytes - 120 {
        let item = json!({"id": i, "sku": format!("SKU-{i:06}"), "qty": i % 7, "price": (i % 100) as f64 + 0.99, "tags": ["a", "b"]});
        size += serde_json::to_string(&item).map_or(0, |s| s.len()) + 1;
        items.push(item);
        i += 1;
    }
    Value::Array(items)
}

fn payload_chain(count: usize) -> (Value, Value) {
    let mut states = Map::new();
    for n in 0..count {
        let mut state = json!({
            "Type": "Pass", "InputPath": "$.order",
            "Parameters": {"lines.$": "$.lines", "step.$": "States.MathAdd($.step, 1)"},
            "ResultPath": "$.order", "OutputPath": "$"
        });
        if n + 1 < count {
            state["Next"] = json!(format!("Step{}", n + 1));
        } else {
            state["End"] = json!(true);
        }
        states.insert(format!("Step{n}"), state);
    }
    let definition = json!({"StartAt": "Step0", "States": states});
    let input =
        json!({"order": {"step": 0, "lines": payload_of(200 * 1024)}, "meta": {"source": "bench"}});
    (definition, input)
}

/// (c): Task -> Choice loop; the "handler" answers in Rust (`{i: input.i + 1}`), so this
/// times the engine and driver side of a handler call without the JS boundary.
fn task_loop(iterations: u64) -> (Value, Value) {
    let definition = json!({
        "StartAt": "Increment",
        "States": {
            "Increment": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:increment", "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": iterations, "Next": "Increment"}], "Default": "Done"},
            "Done": {"Type": "Succeed"}
        }
    });
    (definition, json!({"i": 0}))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args.get(1).map(String::as_str).unwrap_or("a");
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let history = std::env::var("HISTORY").is_ok();
    let text = std::env::var("TEXT").is_ok();
    let (definition, input) = match case {
        "a" => counter_loop(10_000),
        "b1k" => inline_map(1_000),
        "b10k" => inline_map(10_000),
        "b100k" => inline_map(100_000),
        "c" => task_loop(10_000),
        "d" => payload_chain(100),
        other => panic!("unknown case {other}"),
    };
    let machine = compile(Definition::Value(&definition), &ValidateOptions::default())
        .unwrap_or_else(|e| panic!("{e:?}"));
    // The engine's value (a clone is O(1)): the runs time the engine, not copying the
    // input (the wasm bench times parsing it from text).
    let input_text = serde_json::to_string(&input).unwrap_or_default();
    let input = statelab::value::Value::from(input);
    let mut times = Vec::new();
    for _ in 0..runs {
        let config = ExecConfig {
            express: true,
            ..ExecConfig::default()
        };
        let started = Instant::now();
        let input = if text {
            statelab::value::Value::parse(&input_text).unwrap_or_else(|e| panic!("{e}"))
        } else {
            input.clone()
        };
        let (outcome, driver) =
            run_to_end(machine.clone(), input, config, &["Increment"], |call| {
                // As the wasm host does: the input goes out as JSON text and the
                // handler's result comes back as text.
                let input = &call.invocation.input;
                std::hint::black_box(input.to_json_text());
                let i = input.get("i").and_then(|v| v.as_i64()).unwrap_or(0);
                let result = format!("{{\"i\":{}}}", i + 1);
                EffectResult::Ok(statelab::value::Value::parse(&result).unwrap_or_default())
            });
        let mut events = driver.history().len();
        if text {
            let written = outcome.output.as_ref().map(|v| v.to_json_text());
            events += written.map_or(0, |t| t.len().min(1));
        }
        if history {
            // Render every event as the host would (HISTORY=1): the lazily written text.
            let rendered: Vec<Value> = driver.history().iter().map(|e| e.to_json()).collect();
            events = rendered.len();
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        drop(driver);
        eprintln!(
            "  run: {:.1} ms, {events} events",
            times.last().unwrap_or(&0.0)
        );
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!("{case}: median {:.2} ms over {runs} runs", times[runs / 2]);
}
