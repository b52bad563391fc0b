//! Data-driven tests of the JSONPath-mode data flow (`path`, `intrinsic`, `choice`).
//!
//! Each table in `tests/data/paths/*.json` is an array of cases; one small runner per
//! table. A case has `expected` (a value) or `error` (`{error, cause}`). Optional
//! `context` (`$$`), `variables` (`$name`) and `seed` (the execution's RNG) apply to all.
//! `UPDATE_GOLDEN=1 cargo test --test path_tables` rewrites the hand-written tables'
//! expectations from the actual results (read the diff before committing).
//!
//! `choice_conformance.json` and `pass_conformance.json` hold cases recorded against AWS
//! (see `tests/data/paths/README.md`); they are never rewritten.

use serde_json::{json, Map, Value};
use statelab::exec::rng::Rng;
use statelab::exec::Failure;
use statelab::path::Env;
use statelab::value::{Map as EngineMap, Value as EngineValue};

// The tables hold serde_json values; the engine works on its shared `value::Value`.
// These wrappers convert at the call, so the runners below read as before.

fn engine_context(context: &Value) -> EngineValue {
    EngineValue::from(context)
}

fn engine_variables(variables: &Map<String, Value>) -> EngineMap {
    variables
        .iter()
        .map(|(k, v)| (k.as_str(), EngineValue::from(v)))
        .collect()
}

fn select(path: &str, input: &Value, env: &Env) -> Result<Value, Failure> {
    statelab::path::select(path, &EngineValue::from(input), env).map(|v| v.to_serde())
}

fn select_opt(path: &str, input: &Value, env: &Env) -> Result<Option<Value>, Failure> {
    statelab::path::select_opt(path, &EngineValue::from(input), env)
        .map(|v| v.map(|v| v.to_serde()))
}

fn select_in_field(path: &str, field: &str, input: &Value, env: &Env) -> Result<Value, Failure> {
    statelab::path::select_in_field(path, field, &EngineValue::from(input), env)
        .map(|v| v.to_serde())
}

fn apply_result_path(path: Option<&str>, input: Value, result: Value) -> Result<Value, Failure> {
    statelab::path::apply_result_path(path, EngineValue::from(input), EngineValue::from(result))
        .map(|v| v.to_serde())
}

/// Evaluates the template both ways, as JSON and compiled (as the engine runs it), and
/// checks that they agree.
fn apply_template(template: &Value, input: &Value, env: &mut Env) -> Result<Value, Failure> {
    let input = EngineValue::from(input);
    let walked = statelab::path::apply_template(template, &input, env);
    let compiled = statelab::path::Template::compile(template).apply(&input, env);
    // Intrinsics with randomness (States.UUID, MathRandom) draw from the rng twice.
    if !format!("{template}").contains("Random") && !format!("{template}").contains("UUID") {
        assert_eq!(walked, compiled, "compiled template differs: {template}");
    }
    walked.map(|v| v.to_serde())
}

mod intrinsic {
    use super::*;
    pub use statelab::intrinsic::is_intrinsic;
    pub fn evaluate(call: &str, input: &Value, env: &mut Env) -> Result<Value, Failure> {
        statelab::intrinsic::evaluate(call, &EngineValue::from(input), env).map(|v| v.to_serde())
    }
}

mod choice {
    use super::*;
    pub use statelab::choice::{parse_timestamp, Regex};
    pub fn choose<'r>(
        choices: &'r [Value],
        input: &Value,
        env: &Env,
    ) -> Result<Option<&'r str>, Failure> {
        for rule in choices {
            // Compares the compiled rule with the JSON one (the result is not used:
            // `choose` stops at the first match).
            let _ = evaluate_rule(rule, input, env);
        }
        statelab::choice::choose(choices, &EngineValue::from(input), env)
    }
    /// Evaluates the rule both ways, as JSON and compiled (as the engine runs it), and
    /// checks that they agree.
    pub fn evaluate_rule(rule: &Value, input: &Value, env: &Env) -> Result<bool, Failure> {
        let input = EngineValue::from(input);
        let walked = statelab::choice::evaluate_rule(rule, &input, env);
        let compiled = statelab::choice::Rule::compile(rule).holds(&input, env);
        assert_eq!(walked, compiled, "compiled rule differs: {rule}");
        walked
    }
}
use std::path::PathBuf;

fn data_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/paths")
        .join(name)
}

fn load(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(data_file(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// JSON equality with numbers compared by value (`1 == 1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn failure_json(f: &Failure) -> Value {
    json!({"error": f.error, "cause": f.cause})
}

/// Runs every case of a table through `run`, compares, and reports all mismatches at once.
fn run_table(name: &str, run: impl Fn(&Value, &mut Env) -> Result<Value, Failure>) {
    let mut cases = load(name);
    // Tables recorded against AWS are the reference; they are never rewritten.
    let update =
        std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") && !name.contains("conformance");
    let mut failures = Vec::new();
    for (i, case) in cases.iter_mut().enumerate() {
        let context = case.get("context").cloned().unwrap_or(json!({}));
        let variables = match case.get("variables") {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        };
        let mut rng = Rng::new(case.get("seed").and_then(Value::as_u64).unwrap_or(1));
        let mut env = Env {
            context: &engine_context(&context),
            variables: &engine_variables(&variables),
            rng: &mut rng,
        };
        let actual = run(case, &mut env);
        let label = case
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{i}"));
        let ok = match (&actual, case.get("expected"), case.get("error")) {
            (Ok(v), Some(expected), None) => same(v, expected),
            (Err(f), None, Some(expected)) => same(&failure_json(f), expected),
            _ => false,
        };
        if ok {
            continue;
        }
        if update {
            if let Value::Object(fields) = case {
                fields.remove("expected");
                fields.remove("error");
                match &actual {
                    Ok(v) => fields.insert("expected".into(), v.clone()),
                    Err(f) => fields.insert("error".into(), failure_json(f)),
                };
            }
            continue;
        }
        failures.push(format!(
            "{name} {label}: expected {} / error {}, got {:?}",
            case.get("expected")
                .map(Value::to_string)
                .unwrap_or_default(),
            case.get("error").map(Value::to_string).unwrap_or_default(),
            actual
        ));
    }
    if update {
        let text = serde_json::to_string_pretty(&cases).unwrap_or_default();
        std::fs::write(data_file(name), text + "\n").unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn str_field<'c>(case: &'c Value, key: &str) -> &'c str {
    case.get(key).and_then(Value::as_str).unwrap_or_default()
}

#[test]
fn select_table() {
    run_table("select.json", |case, env| {
        let input = case.get("input").unwrap_or(&Value::Null);
        let path = str_field(case, "path");
        if case.get("optional") == Some(&Value::Bool(true)) {
            return select_opt(path, input, env).map(|v| v.unwrap_or(json!("<absent>")));
        }
        select(path, input, env)
    });
}

#[test]
fn result_path_table() {
    run_table("result_path.json", |case, _env| {
        let input = case.get("input").cloned().unwrap_or(Value::Null);
        let result = case.get("result").cloned().unwrap_or(Value::Null);
        apply_result_path(case.get("path").and_then(Value::as_str), input, result)
    });
}

#[test]
fn template_table() {
    run_table("template.json", |case, env| {
        let input = case.get("input").unwrap_or(&Value::Null);
        apply_template(case.get("template").unwrap_or(&Value::Null), input, env)
    });
}

#[test]
fn intrinsic_table() {
    run_table("intrinsic.json", |case, env| {
        let input = case.get("input").unwrap_or(&Value::Null);
        let expr = str_field(case, "expr");
        assert!(intrinsic::is_intrinsic(expr), "not an intrinsic: {expr}");
        intrinsic::evaluate(expr, input, env)
    });
}

#[test]
fn choice_table() {
    run_table("choice.json", |case, env| {
        let input = case.get("input").unwrap_or(&Value::Null);
        if let Some(Value::Array(choices)) = case.get("choices") {
            return choice::choose(choices, input, env).map(|next| json!(next));
        }
        choice::evaluate_rule(case.get("rule").unwrap_or(&Value::Null), input, env).map(Value::Bool)
    });
}

/// The Choice-operator executions recorded against AWS: each is one rule on one input.
#[test]
fn choice_conformance() {
    run_table("choice_conformance.json", |case, env| {
        let input = case.get("input").unwrap_or(&Value::Null);
        choice::evaluate_rule(case.get("rule").unwrap_or(&Value::Null), input, env).map(Value::Bool)
    });
}

/// Single-Pass-state executions recorded against AWS (mostly intrinsic functions):
/// InputPath -> Parameters -> ResultPath -> OutputPath on the execution input.
#[test]
fn pass_conformance() {
    run_table("pass_conformance.json", |case, _env| {
        let input = case.get("input").cloned().unwrap_or(Value::Null);
        let context = json!({
            "Execution": {"Input": input.clone(), "Name": "execution"},
            "StateMachine": {"Name": "state-machine"},
            "State": {"Name": "State_0", "RetryCount": 0},
        });
        let variables = Map::new();
        let mut rng = Rng::new(7);
        let mut env = Env {
            context: &engine_context(&context),
            variables: &engine_variables(&variables),
            rng: &mut rng,
        };
        let effective = select(str_field(case, "input_path"), &input, &env)?;
        let template = case.get("template").unwrap_or(&Value::Null);
        let result = apply_template(template, &effective, &mut env)?;
        let placed = apply_result_path(
            case.get("result_path").and_then(Value::as_str),
            input.clone(),
            result,
        )?;
        select(str_field(case, "output_path"), &placed, &env)
    });
}

/// Whole executions recorded against AWS whose states are only Pass, Choice, Succeed and
/// Fail: a minimal driver runs them through this crate's data-flow functions. Causes are
/// compared without AWS's "An error occurred while executing the state ..." prefix (the
/// executor adds it); `<json-input:N>` in a recorded cause stands for any text.
#[test]
fn machine_conformance() {
    let mut failures = Vec::new();
    let cases = load("machine_conformance.json");
    for case in &cases {
        let name = str_field(case, "name");
        let input = case.get("input").cloned().unwrap_or(json!({}));
        let outcome = run_machine(case.get("definition").unwrap_or(&Value::Null), input);
        let expected = case.get("expected").unwrap_or(&Value::Null);
        let ok = match (&outcome, str_field(expected, "status")) {
            (Ok(output), "SUCCEEDED") => {
                same(output, expected.get("output").unwrap_or(&Value::Null))
            }
            (Err(f), "FAILED") => {
                let error_ok = match expected.get("error") {
                    Some(Value::String(e)) => &f.error == e,
                    _ => f.error.is_empty(),
                };
                let cause_ok = match expected.get("cause") {
                    Some(Value::String(c)) => masked_equals(c, f.cause.as_deref().unwrap_or("")),
                    _ => f.cause.as_deref().unwrap_or("").is_empty(),
                };
                error_ok && cause_ok
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{name}: expected {expected}, got {outcome:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn masked_equals(expected: &str, actual: &str) -> bool {
    match expected.split_once("<json-input:1>") {
        Some((before, after)) => {
            actual.starts_with(before)
                && actual.ends_with(after)
                && actual.len() >= before.len() + after.len()
        }
        None => expected == actual,
    }
}

fn run_machine(definition: &Value, input: Value) -> Result<Value, Failure> {
    let states = definition.get("States").cloned().unwrap_or(json!({}));
    let mut current = str_field(definition, "StartAt").to_string();
    let mut data = input.clone();
    let context = json!({"Execution": {"Input": input, "Name": "execution"}, "StateMachine": {"Name": "machine"}});
    let variables = Map::new();
    let mut rng = Rng::new(3);
    for _ in 0..100 {
        let state = states.get(&current).cloned().unwrap_or(Value::Null);
        let mut env = Env {
            context: &engine_context(&context),
            variables: &engine_variables(&variables),
            rng: &mut rng,
        };
        let path_field = |key: &str| -> Option<Option<String>> {
            match state.get(key) {
                None => Some(Some("$".into())),
                Some(Value::Null) => Some(None),
                Some(Value::String(s)) => Some(Some(s.clone())),
                _ => None,
            }
        };
        let input_path = path_field("InputPath").flatten();
        let effective = match &input_path {
            Some(p) => select(p, &data, &env)?,
            None => json!({}),
        };
        let kind = str_field(&state, "Type").to_string();
        let next_state = match kind.as_str() {
            "Pass" => {
                let result = match (state.get("Parameters"), state.get("Result")) {
                    (Some(template), _) => apply_template(template, &effective, &mut env)?,
                    (None, Some(result)) => result.clone(),
                    (None, None) => effective.clone(),
                };
                let result_path = path_field("ResultPath").flatten();
                data = apply_result_path(result_path.as_deref(), data, result)?;
                state
                    .get("Next")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            }
            "Choice" => {
                let choices = state
                    .get("Choices")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let next = choice::choose(&choices, &effective, &env)?
                    .map(str::to_string)
                    .or_else(|| {
                        state
                            .get("Default")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    });
                data = effective;
                match next {
                    Some(n) => Some(n),
                    None => return Err(Failure::new("States.NoChoiceMatched", "")),
                }
            }
            "Succeed" => {
                data = effective;
                None
            }
            "Fail" => {
                let mut pick = |value: &str, path: &str| -> Result<Option<String>, Failure> {
                    if let Some(v) = state.get(value).and_then(Value::as_str) {
                        return Ok(Some(v.to_string()));
                    }
                    let Some(expr) = state.get(path).and_then(Value::as_str) else {
                        return Ok(None);
                    };
                    let v = if intrinsic::is_intrinsic(expr) {
                        intrinsic::evaluate(expr, &data, &mut env)?
                    } else {
                        select_in_field(expr, path, &data, &env)?
                    };
                    Ok(v.as_str().map(str::to_string))
                };
                let error = pick("Error", "ErrorPath")?;
                let cause = pick("Cause", "CausePath")?;
                return Err(Failure {
                    error: error.unwrap_or_default(),
                    cause,
                });
            }
            other => panic!("unsupported state type {other}"),
        };
        if kind != "Choice" {
            let output_path = path_field("OutputPath").flatten();
            data = match output_path {
                Some(p) => select(&p, &data, &env)?,
                None => json!({}),
            };
        } else if let Some(Some(p)) = path_field("OutputPath") {
            data = select(&p, &data, &env)?;
        }
        match next_state {
            Some(n) if state.get("End") != Some(&Value::Bool(true)) => current = n,
            _ => return Ok(data),
        }
    }
    Err(Failure::new("Test.Loop", "too many transitions"))
}

/// Random text through every entry point: errors are fine, panics are not.
#[test]
fn random_text_never_panics() {
    const ALPHABET: &[&str] = &[
        "$", "$$", "@", ".", "..", "[", "]", "(", ")", "?", "*", ",", ":", "'", "\"", "\\", "-",
        "0", "1", "9", "a", "b", "x", " ", "=", "==", "!", "<", ">=", "&&", "||", "=~", "/", "{",
        "}", "in", "nin", "length()", "States.", "Format", "Array", "é", "😀", "\n",
    ];
    let mut rng = Rng::new(42);
    let input = json!({"a": [1, {"b": "x"}, null], "b": {"a": 1.5, "x": [[]]}, "x": "s"});
    let context = json!({"Execution": {"Id": "e"}});
    let variables: Map<String, Value> = [("x".to_string(), json!([1, 2]))].into_iter().collect();
    for _ in 0..5_000 {
        let len = rng.range_i64(0, 24) as usize;
        let text: String = (0..len)
            .map(|_| ALPHABET[rng.range_i64(0, ALPHABET.len() as i64 - 1) as usize])
            .collect();
        let mut inner = Rng::new(1);
        let mut env = Env {
            context: &engine_context(&context),
            variables: &engine_variables(&variables),
            rng: &mut inner,
        };
        let _ = select(&text, &input, &env);
        let _ = select_opt(&text, &input, &env);
        let _ = apply_result_path(Some(&text), input.clone(), json!(1));
        let _ = intrinsic::evaluate(&text, &input, &mut env);
        for name in [
            "Format",
            "Array",
            "ArrayRange",
            "StringSplit",
            "Hash",
            "MathRandom",
        ] {
            let call = format!("States.{name}({text})");
            let _ = intrinsic::evaluate(&call, &input, &mut env);
        }
        let template = json!({"k.$": text.clone(), "n": [{"m.$": text.clone()}]});
        let _ = apply_template(&template, &input, &mut env);
        for operator in [
            "StringMatches",
            "TimestampEquals",
            "IsPresent",
            "NumericEqualsPath",
        ] {
            let rule = json!({"Variable": "$.x", operator: text.clone()});
            let _ = choice::evaluate_rule(&rule, &input, &env);
            let rule = json!({"Variable": text.clone(), operator: "$.a"});
            let _ = choice::evaluate_rule(&rule, &input, &env);
        }
        let _ = choice::parse_timestamp(&text);
        if let Ok(re) = choice::Regex::new(&text, false) {
            let _ = re.is_match(&text);
        }
    }
}
