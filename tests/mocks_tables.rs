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
//! `kind` is `lambda:invoke` (default), `lambda:invoke.waitForTaskToken`, `lambda` (a
//! function ARN as the Resource),
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
                written: FUNCTION.into(),
            },
        ),
        "lambda:invoke.waitForTaskToken" => (
            "arn:aws:states:::lambda:invoke.waitForTaskToken".to_string(),
            TaskKind::LambdaInvoke {
                function_name: FUNCTION.into(),
                arn: FUNCTION_ARN.into(),
                written: FUNCTION.into(),
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
    let task_token = resource
        .ends_with(".waitForTaskToken")
        .then(|| "token-1".to_string());
    Invocation {
        state_name: state.into(),
        resource: resource.into(),
        kind: kind.into(),
        input: json!({"FunctionName": FUNCTION, "Payload": {}}).into(),
        task_token,
        sync: false,
        timeout_seconds: None,
        heartbeat_seconds: None,
        retry_count: 0,
    }
}

fn actual(result: Option<EffectResult>) -> Value {
    match result {
        None => json!("unmocked"),
        Some(EffectResult::Ok(value)) => json!({ "ok": value.to_serde() }),
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

/// The AWS docs' LambdaSQSIntegration machine, run by the engine with its mock config:
/// every task goes to the closure (handler key `*`), which asks the mocks.
mod end_to_end {
    use super::*;
    use statelab::api::{compile, run_to_end, Definition};
    use statelab::exec::{ExecConfig, Failure, Outcome, Status};
    use statelab::validate::ValidateOptions;

    fn definition() -> Value {
        json!({
            "Comment": "This state machine is called: LambdaSQSIntegration",
            "StartAt": "LambdaState",
            "States": {
                "LambdaState": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"Payload.$": "$", "FunctionName": "HelloWorldFunction"},
                    "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2,
                               "MaxAttempts": 3, "BackoffRate": 2}],
                    "Next": "SQSState"
                },
                "SQSState": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage",
                    "Parameters": {
                        "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/myQueue",
                        "MessageBody.$": "$"
                    },
                    "End": true
                }
            }
        })
    }

    fn docs_config() -> Value {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/mocks/aws_docs_lambda_sqs.json");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
        let table: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        table["config"].clone()
    }

    struct Run {
        outcome: Outcome,
        mocks: Mocks,
        kinds: Vec<&'static str>,
        /// What each task received, in order: (state name, input).
        inputs: Vec<(String, Value)>,
    }

    fn run(config: &Value, test_case: &str) -> Run {
        let mut mocks = Mocks::from_config(config, "LambdaSQSIntegration", test_case)
            .unwrap_or_else(|e| panic!("{e}"));
        let machine = compile(
            Definition::Value(&definition()),
            &ValidateOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let mut inputs = Vec::new();
        let (outcome, driver) = run_to_end(
            machine,
            json!({"order": 1}),
            ExecConfig::default(),
            &["*"],
            |call| {
                inputs.push((
                    call.invocation.state_name.to_string(),
                    call.invocation.input.to_serde(),
                ));
                let state = &call.invocation.state_name;
                mocks.respond(&call.invocation).unwrap_or_else(|| {
                    EffectResult::Err(Failure::new("Unmocked", state.to_string()))
                })
            },
        );
        let kinds = driver.history().iter().map(|e| e.kind).collect();
        Run {
            outcome,
            mocks,
            kinds,
            inputs,
        }
    }

    #[test]
    fn retry_path_succeeds_on_the_third_retry() {
        let Run {
            outcome,
            mocks,
            kinds,
            ..
        } = run(&docs_config(), "RetryPath");
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        assert_eq!(mocks.invocations("LambdaState"), 4);
        assert_eq!(mocks.invocations("SQSState"), 1);
        assert_eq!(
            outcome.output.map(|v| v.to_serde()),
            Some(json!({
                "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
                "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"
            }))
        );
        let failed = kinds.iter().filter(|k| k.ends_with("Failed")).count();
        assert_eq!(failed, 3, "{kinds:?}");
    }

    #[test]
    fn a_retry_without_a_mocked_response_fails_the_execution() {
        // LambdaMockedResourceNotReady defines only invocation 0; the Retry makes
        // invocation 1, which has none: States.Runtime, which Retry does not handle.
        let mut config = docs_config();
        config["StateMachines"]["LambdaSQSIntegration"]["TestCases"]["NotReady"] =
            json!({"LambdaState": "LambdaMockedResourceNotReady"});
        let Run { outcome, mocks, .. } = run(&config, "NotReady");
        assert_eq!(outcome.status, Status::Failed, "{outcome:?}");
        assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
        let cause = outcome.cause.unwrap_or_default();
        assert!(cause.contains("no response for invocation 1"), "{cause}");
        assert_eq!(mocks.invocations("LambdaState"), 2);
        assert_eq!(mocks.invocations("SQSState"), 0);
    }

    #[test]
    fn happy_path_lambda_result_is_wrapped_by_the_engine() {
        let Run {
            outcome, inputs, ..
        } = run(&docs_config(), "HappyPath");
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        // SQSState sends LambdaState's result: the engine's Invoke response around the
        // mocked Payload (the mock's own StatusCode is not carried over).
        let (state, input) = &inputs[1];
        assert_eq!(state, "SQSState");
        let body = &input["MessageBody"];
        assert_eq!(
            body["Payload"],
            json!({"StatusCode": 200, "body": "Hello from Lambda!"})
        );
        assert!(body.get("SdkHttpMetadata").is_some(), "{body}");
    }

    #[test]
    fn hybrid_path_leaves_sqs_to_the_host() {
        let Run { outcome, kinds, .. } = run(&docs_config(), "HybridPath");
        // SQSState is not mocked in HybridPath: the closure's own answer is used.
        assert_eq!(outcome.error.as_deref(), Some("Unmocked"), "{kinds:?}");
        assert_eq!(outcome.cause.as_deref(), Some("SQSState"));
    }
}
