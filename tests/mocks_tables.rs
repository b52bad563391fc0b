//! Data-driven tests of Step Functions Local mock configs (`statelab::host::mocks`).
//!
//! Each `tests/data/mocks/*.json` holds one mock `config`, the problems `check_config`
//! must report for it (`check`, exact and in order), and `cases`. A case picks a
//! `state_machine` and `test_case`, then either expects `Mocks::from_config` to fail
//! (`error`, the exact message) or runs `steps` in order against one `Mocks`:
//!
//! ```json
//! {"state": "LambdaState", "kind": "lambda:invoke", "repeat": 2, "expect": ...}
//! ```
//!
//! `kind` is `lambda:invoke` (default), `lambda` (a function ARN as the Resource),
//! `service` or `activity`. `expect` is `"unmocked"`, `{"ok": value}`,
//! `{"error": name, "cause": text-or-null}` or `{"error_payload": value}`; instead of
//! `cause`, `cause_contains` checks a part of it. `UPDATE_GOLDEN=1 cargo test --test
//! mocks_tables` rewrites `check` and every `expect` from the actual results (read the
//! diff before committing). Adding a table needs no new code.

use serde_json::{json, Value};
use statelab::exec::{EffectResult, Invocation, TaskKind};
use statelab::host::mocks::{check_config, Mocks};
use std::path::PathBuf;

const FUNCTION: &str = "HelloWorldFunction";
const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:HelloWorldFunction";

fn tables() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/mocks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

fn invocation(step: &Value) -> Invocation {
    let state = step["state"].as_str().unwrap_or_default().to_string();
    let kind = step["kind"].as_str().unwrap_or("lambda:invoke");
    let (resource, kind) = match kind {
        "lambda:invoke" => (
            "arn:aws:states:::lambda:invoke".to_string(),
            TaskKind::LambdaInvoke {
                function_name: FUNCTION.into(),
                arn: FUNCTION_ARN.into(),
            },
        ),
        "lambda" => (
            FUNCTION_ARN.to_string(),
            TaskKind::LambdaArn {
                function_name: FUNCTION.into(),
                arn: FUNCTION_ARN.into(),
            },
        ),
        "service" => (
            "arn:aws:states:::sqs:sendMessage".to_string(),
            TaskKind::Service {
                service: "sqs".into(),
                action: "sendMessage".into(),
            },
        ),
        "activity" => {
            let arn = "arn:aws:states:us-east-1:123456789012:activity:Approve".to_string();
            (arn.clone(), TaskKind::Activity { arn })
        }
        other => panic!("unknown step kind '{other}'"),
    };
    Invocation {
        state_name: state,
        resource,
        kind,
        input: json!({"FunctionName": FUNCTION, "Payload": {}}),
        task_token: None,
        sync: false,
        timeout_seconds: None,
        heartbeat_seconds: None,
        retry_count: 0,
    }
}

fn actual(result: Option<EffectResult>) -> Value {
    match result {
        None => json!("unmocked"),
        Some(EffectResult::Ok(value)) => json!({ "ok": value }),
        Some(EffectResult::Err(failure)) => {
            json!({"error": failure.error, "cause": failure.cause})
        }
        Some(EffectResult::ErrorPayload(payload)) => json!({ "error_payload": payload }),
        Some(EffectResult::FunctionNotFound) => json!("function not found"),
    }
}

fn matches(expected: &Value, actual: &Value) -> bool {
    let Some(part) = expected.get("cause_contains").and_then(Value::as_str) else {
        return expected == actual;
    };
    expected.get("error") == actual.get("error")
        && actual
            .get("cause")
            .and_then(Value::as_str)
            .is_some_and(|cause| cause.contains(part))
}

/// Runs one case; returns its mismatches.
fn run_case(config: &Value, case: &mut Value, update: bool) -> Vec<String> {
    let name = case["name"].as_str().unwrap_or("?").to_string();
    let machine = case["state_machine"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let test_case = case["test_case"].as_str().unwrap_or_default().to_string();
    let mut failures = Vec::new();
    let mut mocks = match Mocks::from_config(config, &machine, &test_case) {
        Ok(mocks) => mocks,
        Err(message) => {
            if update {
                case["error"] = json!(message);
            } else if case["error"] != json!(message) {
                failures.push(format!(
                    "{name}: from_config failed with {message:?}, expected {}",
                    case["error"]
                ));
            }
            return failures;
        }
    };
    if let Some(expected) = case.get("error") {
        failures.push(format!(
            "{name}: from_config succeeded, expected the error {expected}"
        ));
        return failures;
    }
    let Some(steps) = case.get_mut("steps").and_then(Value::as_array_mut) else {
        return failures;
    };
    for (i, step) in steps.iter_mut().enumerate() {
        let call = invocation(step);
        let repeat = step["repeat"].as_u64().unwrap_or(1);
        for round in 0..repeat {
            let got = actual(mocks.respond(&call));
            if update {
                if round == 0 && !matches(&step["expect"], &got) {
                    step["expect"] = got;
                }
                continue;
            }
            if !matches(&step["expect"], &got) {
                failures.push(format!(
                    "{name}: step {i} ({}), round {round}: got {got}, expected {}",
                    call.state_name, step["expect"]
                ));
            }
        }
    }
    failures
}

#[test]
fn mock_tables() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    let mut cases_run = 0;
    for path in tables() {
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut table: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let config = table["config"].clone();
        let problems = json!(check_config(&config));
        if update {
            table["check"] = problems;
        } else if table["check"] != problems {
            failures.push(format!(
                "{file}: check_config gave {problems:#}, expected {:#}",
                table["check"]
            ));
        }
        if let Some(cases) = table.get_mut("cases").and_then(Value::as_array_mut) {
            for case in cases.iter_mut() {
                cases_run += 1;
                for failure in run_case(&config, case, update) {
                    failures.push(format!("{file}: {failure}"));
                }
            }
        }
        if update {
            let text = serde_json::to_string_pretty(&table).unwrap_or_default() + "\n";
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{file}: {e}"));
        }
    }
    assert!(cases_run > 0, "no cases in tests/data/mocks");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
