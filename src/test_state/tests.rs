//! TestState without JS: statuses, nextState, mocks and rejections.

use super::run;
use crate::exec::{EffectResult, Failure};
use serde_json::{json, Value};

fn test(request: Value) -> Value {
    match run(&request, &[], |_| {
        EffectResult::Err(Failure::without_cause("NoHandler"))
    }) {
        Ok(response) => response,
        Err(rejection) => json!({"exception": rejection.code, "message": rejection.message}),
    }
}

#[test]
fn pass_state_reports_output_and_next_state() {
    let response = test(json!({
        "definition": {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r", "Next": "After"},
        "input": {"x": 1},
        "inspectionLevel": "DEBUG",
    }));
    assert_eq!(response["status"], "SUCCEEDED");
    assert_eq!(response["nextState"], "After");
    assert_eq!(response["output"], r#"{"x":1,"r":{"a":1}}"#);
    assert_eq!(response["inspectionData"]["result"], r#"{"a": 1}"#);
}

#[test]
fn choice_reports_the_chosen_branch() {
    let response = test(json!({
        "definition": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}], "Default": "Small"},
        "input": {"n": 5},
    }));
    assert_eq!(response["status"], "SUCCEEDED");
    assert_eq!(response["nextState"], "Big");
    assert!(response.get("inspectionData").is_none());
}

#[test]
fn retriable_and_caught_errors() {
    let task = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f"},
        "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 2, "IntervalSeconds": 2, "BackoffRate": 3}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}], "End": true});
    let mock = json!({"errorOutput": {"error": "Boom", "cause": "why"}});
    let retriable = test(
        json!({"definition": task, "mock": mock, "inspectionLevel": "DEBUG",
        "stateConfiguration": {"retrierRetryCount": 1}}),
    );
    assert_eq!(retriable["status"], "RETRIABLE");
    assert_eq!(retriable["error"], "Boom");
    assert_eq!(retriable["inspectionData"]["errorDetails"]["retryIndex"], 0);
    assert_eq!(
        retriable["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"],
        6
    );
    assert!(retriable.get("nextState").is_none());
    let caught = test(
        json!({"definition": task, "mock": mock, "inspectionLevel": "DEBUG",
        "stateConfiguration": {"retrierRetryCount": 2}}),
    );
    assert_eq!(caught["status"], "CAUGHT_ERROR");
    assert_eq!(caught["nextState"], "Handler");
    assert_eq!(caught["output"], r#"{"Error":"Boom","Cause":"why"}"#);
    assert_eq!(caught["inspectionData"]["errorDetails"]["catchIndex"], 0);
}

#[test]
fn variables_and_context_are_seeded() {
    let response = test(json!({
        "definition": {"Type": "Pass", "Parameters": {"v.$": "$myVar", "c.$": "$$.Execution.Name"}, "End": true},
        "variables": "{\"myVar\": 7}",
        "context": {"Execution": {"Name": "mine"}},
    }));
    assert_eq!(response["output"], r#"{"v":7,"c":"mine"}"#);
}

#[test]
fn rejections_use_aws_exception_names() {
    let pass_mock = test(json!({"definition": {"Type": "Pass", "End": true},
        "mock": {"result": "{}"}}));
    assert_eq!(pass_mock["exception"], "ValidationException");
    let map = test(
        json!({"definition": {"Type": "Map", "ItemProcessor": {"StartAt": "P",
        "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}),
    );
    assert_eq!(map["exception"], "InvalidDefinition");
    let missing = test(
        json!({"definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        "stateName": "B"}),
    );
    assert_eq!(missing["message"], "State not found in definition");
}

#[test]
fn map_mock_replaces_the_iterations() {
    let response = test(json!({
        "definition": {"Type": "Map", "ItemProcessor": {"StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": true}}}, "ToleratedFailureCount": 0, "End": true},
        "input": [1, 2],
        "mock": {"result": "[\"a\", \"b\"]"},
        "stateConfiguration": {"mapIterationFailureCount": 1},
    }));
    assert_eq!(response["status"], "FAILED");
    assert_eq!(response["error"], "States.ExceedToleratedFailureThreshold");
}

#[test]
fn inspection_shows_the_variables_after_assign() {
    let response = test(json!({
        "definition": {"Type": "Pass", "Assign": {"b.$": "$.x"}, "End": true},
        "input": {"x": 2},
        "variables": {"a": 1},
        "inspectionLevel": "DEBUG",
    }));
    assert_eq!(
        response["inspectionData"]["variables"],
        r#"{"a": 1, "b": 2}"#
    );
}

#[test]
fn a_catcher_back_to_the_state_itself_does_not_run_it_again() {
    let mut calls = 0;
    let request = json!({
        "definition": {"StartAt": "Call", "States": {"Call": {"Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Call"}], "End": true}}},
        "stateName": "Call",
    });
    let response = run(&request, &["f"], |_| {
        calls += 1;
        EffectResult::Err(Failure::without_cause("Boom"))
    });
    let response = response.unwrap_or_default();
    assert_eq!(calls, 1);
    assert_eq!(response["status"], "CAUGHT_ERROR");
    assert_eq!(response["nextState"], "Call");
}
