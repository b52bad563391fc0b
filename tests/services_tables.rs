//! Data-driven tests of the in-memory AWS services (`src/services`).
//!
//! Each file in `tests/data/services/*.json` is an array of cases:
//! ```text
//! { "name": "...",
//!   "seed": { ... },                        // Services::seed (optional)
//!   "resource": "arn:aws:states:::dynamodb:putItem", "input": { ... },   // one call
//!   //   or "definition": { ASL }, "input": ...     // a whole execution through the driver
//!   //   or neither: the seed alone, with "seedError": the message Services::seed gives
//!   "expected": value | "error": {"error", "cause"?},
//!   "snapshot": { "dynamodb": ... } }       // optional: the named services' state after
//! ```
//! A call's `expected` ignores `SdkHttpMetadata`/`SdkResponseMetadata` unless it states
//! them; an execution's `expected` is `{status, output?, error?, cause?}`. `snapshot`
//! compares only the services it names. `UPDATE_GOLDEN=1 cargo test --test
//! services_tables` rewrites expectations from the actual results (read the diff).

use serde_json::{json, Map, Value};
use statelab::api;
use statelab::exec::{resource_parts, EffectResult, ExecConfig, Execution, Invocation, TaskKind};
use statelab::host::{ClockMode, Driver};
use statelab::services::Services;
use statelab::validate::ValidateOptions;
use std::collections::HashSet;
use std::path::PathBuf;

const METADATA: [&str; 2] = ["SdkHttpMetadata", "SdkResponseMetadata"];

fn invocation(resource: &str, input: Value) -> Invocation {
    let (service, action) = resource_parts(resource);
    Invocation {
        state_name: "Task".into(),
        resource: resource.into(),
        kind: TaskKind::Service { service, action }.into(),
        input: input.into(),
        task_token: None,
        sync: false,
        timeout_seconds: None,
        heartbeat_seconds: None,
        retry_count: 0,
    }
}

/// One API call: its result (`expected`, `error`) and the services after it.
fn call(case: &Value, services: &mut Services) -> (Value, Value) {
    let resource = case["resource"].as_str().unwrap_or_default();
    let input = case.get("input").cloned().unwrap_or(json!({}));
    match services.perform(&invocation(resource, input)) {
        Some(EffectResult::Ok(value)) => {
            let mut value = value.to_serde();
            let keep = case
                .get("expected")
                .is_some_and(|e| METADATA.iter().any(|m| e.get(m).is_some()));
            if let (Value::Object(map), false) = (&mut value, keep) {
                METADATA.iter().for_each(|m| {
                    map.shift_remove(*m);
                });
            }
            (value, Value::Null)
        }
        Some(EffectResult::Err(f)) => (Value::Null, json!({"error": f.error, "cause": f.cause})),
        other => (
            Value::Null,
            json!({"error": "not performed", "cause": format!("{other:?}")}),
        ),
    }
}

/// A whole execution through the driver, with the services seeded.
fn execute(case: &Value, seed: &Value) -> Result<(Value, Value), String> {
    let machine = api::compile(
        api::Definition::Value(&case["definition"]),
        &ValidateOptions::default(),
    )
    .map_err(|d| format!("invalid definition: {d:?}"))?;
    let input = case.get("input").cloned().unwrap_or(json!({}));
    let config = ExecConfig::default();
    let arns = (config.execution_arn(), config.state_machine_arn());
    let execution = Execution::start(machine, input, config);
    let mut driver = Driver::new(execution, ClockMode::Virtual, HashSet::new());
    driver.services.seed(seed)?;
    driver.services.execution_arn = Some(arns.0);
    driver.services.state_machine_arn = Some(arns.1);
    let progress = driver.drive();
    let outcome = progress
        .outcome
        .ok_or("the execution did not finish without handlers")?;
    let mut result = json!({"status": outcome.status.as_str()});
    for (key, value) in [
        ("output", outcome.output.map(|v| v.to_serde())),
        ("error", outcome.error.map(Value::String)),
        ("cause", outcome.cause.map(Value::String)),
    ] {
        if let Some(value) = value {
            result[key] = value;
        }
    }
    Ok((result, driver.services.snapshot()))
}

fn run_case(case: &Value) -> Result<(Value, Value, Value), String> {
    let seed = case.get("seed").cloned().unwrap_or(json!({}));
    if case.get("seedError").is_some() {
        let error = Services::default().seed(&seed).err();
        return Ok((Value::Null, json!(error), Value::Null));
    }
    if case.get("definition").is_some() {
        let (result, snapshot) = execute(case, &seed)?;
        return Ok((result, Value::Null, snapshot));
    }
    let mut services = Services::default();
    services.seed(&seed)?;
    let (result, error) = call(case, &mut services);
    Ok((result, error, services.snapshot()))
}

/// The parts of `snapshot` for the services `expected` names.
fn named(snapshot: &Value, expected: &Value) -> Value {
    let Value::Object(expected) = expected else {
        return Value::Null;
    };
    Value::Object(
        expected
            .keys()
            .map(|k| (k.clone(), snapshot.get(k).cloned().unwrap_or(Value::Null)))
            .collect::<Map<_, _>>(),
    )
}

/// One case per block, one field per line, each value as compact JSON.
fn format_table(cases: &[Value]) -> String {
    let cases: Vec<String> = cases
        .iter()
        .map(|case| {
            let fields: Vec<String> = case
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("    {}: {v}", Value::String(k.clone())))
                .collect();
            format!("  {{\n{}\n  }}", fields.join(",\n"))
        })
        .collect();
    format!("[\n{}\n]\n", cases.join(",\n"))
}

#[test]
fn service_tables() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/services");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/data/services")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    let mut count = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable table");
        let mut cases: Vec<Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let table = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        for case in cases.iter_mut() {
            count += 1;
            let name = format!("{table}: {}", case["name"].as_str().unwrap_or("?"));
            let (result, error, snapshot) = match run_case(case) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    continue;
                }
            };
            let snapshot = named(&snapshot, case.get("snapshot").unwrap_or(&Value::Null));
            let (expected_key, actual) = if case.get("seedError").is_some() {
                ("seedError", error)
            } else if error.is_null() {
                ("expected", result)
            } else {
                ("error", error)
            };
            let other_key = if expected_key == "expected" {
                "error"
            } else {
                "expected"
            };
            let ok = case.get(expected_key) == Some(&actual)
                && case.get(other_key).is_none()
                && case.get("snapshot").map_or(true, |s| *s == snapshot);
            if ok && !update {
                continue;
            }
            if update {
                if let Value::Object(map) = case {
                    map.shift_remove(other_key);
                    map.insert(expected_key.into(), actual);
                    if map.contains_key("snapshot") {
                        map.insert("snapshot".into(), snapshot);
                    }
                }
                continue;
            }
            failures.push(format!(
                "{name}\n  {expected_key} {}\n  actual   {}\n  snapshot {}",
                case.get(expected_key)
                    .map_or("(none)".into(), Value::to_string),
                actual,
                snapshot
            ));
        }
        if update {
            std::fs::write(&file, format_table(&cases)).expect("writable table");
        }
    }
    assert!(count > 0, "no cases in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
