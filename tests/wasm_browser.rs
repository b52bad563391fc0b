//! The crate compiled to wasm32 and run in headless Chromium by wasm-bindgen-test
//! (through ChromeDriver): what the playground relies on, in a real browser.
#![cfg(target_arch = "wasm32")]

use serde_json::json;
use statelab::json::format_number;
use statelab::parse::parse_text;
use statelab::validate::{validate, Severity, ValidateOptions};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn runs_in_a_browser() {
    let global = js_sys::global();
    let has_document =
        js_sys::Reflect::has(&global, &JsValue::from_str("document")).unwrap_or(false);
    assert!(has_document, "expected a browser window");
}

#[wasm_bindgen_test]
fn format_number_matches_the_browser() {
    for value in [0.1 + 0.2, 1e21, 1e-7, -123.456, 2f64.powi(60), 1.0 / 3.0] {
        let expected = js_sys::Number::from(value)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default();
        assert_eq!(format_number(value), expected);
    }
}

#[wasm_bindgen_test]
fn a_definition_round_trips_through_parse_and_validate() {
    let text = r#"{
  "StartAt": "Check Inventory",
  "States": {
    "Check Inventory": { "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:check", "Next": "Ship Order" }
  }
}"#;
    let parsed = parse_text(text).expect("valid JSON");
    assert_eq!(parsed.value["StartAt"], json!("Check Inventory"));
    let diagnostics = validate(
        &parsed.value,
        parsed.spans.as_ref(),
        &ValidateOptions::default(),
    );
    assert!(diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.path == "/States/Check Inventory/Next"));
}

#[wasm_bindgen_test]
fn an_execution_runs_in_the_browser() {
    use statelab::api::{compile, run_to_end, Definition};
    use statelab::exec::{EffectResult, ExecConfig, Status};

    let text = r#"{"StartAt": "Ship", "States": {
        "Ship": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "ship", "Payload.$": "$"},
                 "OutputPath": "$.Payload", "End": true}}}"#;
    let machine = compile(Definition::Text(text), &ValidateOptions::default())
        .unwrap_or_else(|diagnostics| panic!("{diagnostics:?}"));
    let (outcome, _) = run_to_end(
        machine,
        json!({"orderId": "o-7"}),
        ExecConfig::default(),
        &["Ship"],
        |call| {
            let order = call.invocation.input.get("orderId").map(|v| v.to_serde());
            EffectResult::ok_json(json!({ "tracking": order }))
        },
    );
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(
        outcome.output.map(|v| v.to_serde()),
        Some(json!({"tracking": "o-7"}))
    );
}
