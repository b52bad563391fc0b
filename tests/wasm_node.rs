//! The crate compiled to wasm32 and run in Node.js by wasm-bindgen-test: the same
//! functions the JS package calls, checked against JavaScript's own behaviour.
#![cfg(target_arch = "wasm32")]

use serde_json::json;
use statelab::json::{format_number, stringify};
use statelab::parse::parse_text;
use statelab::validate::{validate, Severity, ValidateOptions};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

/// What `String(value)` gives in the JS engine we run in.
fn js_to_string(value: f64) -> String {
    js_sys::JSON::stringify(&JsValue::from(js_sys::Array::of1(&JsValue::from_f64(
        value,
    ))))
    .map(String::from)
    .unwrap_or_default()
}

#[wasm_bindgen_test]
fn format_number_matches_the_js_engine() {
    let values = [
        0.0,
        -0.0,
        1.0,
        -1.5,
        0.1 + 0.2,
        1e21,
        1e-7,
        123456789012345680000.0,
        5e-324,
        f64::MAX,
        2f64.powi(53),
        1.0 / 3.0,
        100.0,
        0.000001,
    ];
    for value in values {
        // JSON.stringify([x]) is "[" + String(x) + "]" for finite numbers.
        let expected = js_to_string(value);
        assert_eq!(
            format!("[{}]", format_number(value)),
            expected,
            "for {value:e}"
        );
    }
}

#[wasm_bindgen_test]
fn stringify_matches_json_stringify() {
    let value = json!({"b": [1, 2.5, "x\u{1}\"\\", null, true], "a": {"€": 1e300}});
    let text = stringify(&value);
    let parsed = js_sys::JSON::parse(&text).expect("our output is JSON");
    let again = js_sys::JSON::stringify(&parsed)
        .map(String::from)
        .unwrap_or_default();
    assert_eq!(text, again);
}

#[wasm_bindgen_test]
fn text_that_is_not_json_is_a_diagnostic_with_a_position() {
    let diagnostic = parse_text("{\n  \"StartAt\": \"A\",\n  oops\n}").expect_err("not JSON");
    assert_eq!(diagnostic.code, "INVALID_JSON");
    let range = diagnostic.range.expect("a range");
    assert_eq!(range.start.line, 3);
}

#[wasm_bindgen_test]
fn validate_reports_a_bad_next_and_accepts_a_good_machine() {
    let good = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
    let errors = validate(&good, None, &ValidateOptions::default());
    assert!(
        errors.iter().all(|d| d.severity != Severity::Error),
        "{errors:?}"
    );

    let bad = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}});
    let errors = validate(&bad, None, &ValidateOptions::default());
    assert!(
        errors
            .iter()
            .any(|d| d.severity == Severity::Error && d.path == "/States/A/Next"),
        "{errors:?}"
    );
}

/// The order example (www/examples.js, first cut) through the engine and driver, as wasm.
#[wasm_bindgen_test]
fn an_execution_runs_to_the_end_in_wasm() {
    use statelab::api::{compile, run_to_end, Definition};
    use statelab::exec::{EffectResult, ExecConfig, Status};

    let definition = json!({
        "StartAt": "Check Inventory",
        "States": {
            "Check Inventory": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:check-inventory",
                "InputPath": "$.order",
                "ResultPath": "$.inventory",
                "Next": "Prepare Shipment"
            },
            "Prepare Shipment": {
                "Type": "Pass",
                "Parameters": {"orderId.$": "$.order.id", "inStock.$": "$.inventory.inStock"},
                "OutputPath": "$",
                "End": true
            }
        }
    });
    let machine = compile(Definition::Value(&definition), &ValidateOptions::default())
        .unwrap_or_else(|diagnostics| panic!("{diagnostics:?}"));
    let input = json!({"order": {"id": "order-1", "items": [1, 2]}});
    let mut calls = Vec::new();
    let (outcome, driver) = run_to_end(
        machine,
        input,
        ExecConfig::default(),
        &["Check Inventory"],
        |call| {
            calls.push(call.invocation.input.to_serde());
            EffectResult::ok_json(json!({"inStock": true}))
        },
    );
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(
        outcome.output.map(|v| v.to_serde()),
        Some(json!({"orderId": "order-1", "inStock": true}))
    );
    assert_eq!(calls, vec![json!({"id": "order-1", "items": [1, 2]})]);
    let kinds: Vec<&str> = driver.history().iter().map(|e| e.kind).collect();
    assert_eq!(kinds.first(), Some(&"ExecutionStarted"));
    assert_eq!(kinds.last(), Some(&"ExecutionSucceeded"));
}
