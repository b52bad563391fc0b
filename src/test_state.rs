//! AWS's TestState API: run one state (given alone, or picked from a machine by
//! `stateName`) and answer like AWS: status SUCCEEDED / FAILED / RETRIABLE /
//! CAUGHT_ERROR, output, error, cause, nextState and inspectionData.
//!
//! The state runs through the ordinary engine: it is wrapped in a small machine where
//! its `Next` becomes `End` (the real `Next` is remembered for `nextState`) and every
//! other target (Choice rules, Catch) is a stub Succeed state so that the machine is
//! valid; the engine stops as the state leaves, naming the state it would go to
//! (`Execution::test_next_state`). `ExecConfig::test_state` holds the few engine
//! hooks TestState needs (context, variables, retry counts, RETRIABLE, Map/Parallel
//! mocks). Like the engine, this module never calls JS; Task handlers go through the
//! `Driver` exactly as for executions.

use crate::api::{self, Definition};
use crate::exec::{
    python_dumps, EffectResult, ExecConfig, Execution, Failure, Outcome, Status, TestStateHooks,
};
use crate::host::{ClockMode, Driver};
use crate::validate::{MachineType, ValidateOptions};
use serde_json::{json, Map, Value};
use std::collections::HashSet;

mod shapes;
#[cfg(test)]
mod tests;

/// The name AWS gives a state tested on its own.
const SINGLE_STATE_NAME: &str = "StateName";

/// A request AWS would reject: the exception name (`.code` in JS) and its message.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    pub code: String,
    pub message: String,
}

fn validation(message: impl Into<String>) -> Rejection {
    Rejection {
        code: "ValidationException".into(),
        message: message.into(),
    }
}

fn invalid_definition(message: impl Into<String>) -> Rejection {
    Rejection {
        code: "InvalidDefinition".into(),
        message: message.into(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Info,
    Debug,
    Trace,
}

/// A TestState call in progress: drive `driver` like an execution's, then ask `info`
/// for the response.
pub struct TestRun {
    pub driver: Driver,
    pub info: TestInfo,
}

/// What the response needs besides the execution: the state and how to report it.
pub struct TestInfo {
    state: Value,
    /// The variables the request seeded.
    variables: Map<String, Value>,
    real_next: Option<String>,
    level: Level,
    jsonata: bool,
}

/// `variables` and `context`: AWS takes JSON text; JS callers may pass objects too.
fn json_field(request: &Map<String, Value>, key: &str) -> Result<Option<Value>, Rejection> {
    match request.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => serde_json::from_str(text)
            .map(Some)
            .map_err(|_| validation(format!("{key} must be valid JSON"))),
        Some(other) => Ok(Some(other.clone())),
    }
}

/// Starts a TestState call. `handler_keys` are the JS handlers available to Task states.
pub fn start(request: &Value, handler_keys: HashSet<String>) -> Result<TestRun, Rejection> {
    let Some(request) = request.as_object() else {
        return Err(validation("The request must be an object"));
    };
    let definition = match request.get("definition") {
        Some(Value::String(text)) => serde_json::from_str::<Value>(text).map_err(|e| {
            invalid_definition(format!(
                "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: {e}'"
            ))
        })?,
        Some(value @ Value::Object(_)) => value.clone(),
        _ => return Err(validation("definition is required")),
    };
    let level = match request.get("inspectionLevel").and_then(Value::as_str) {
        None | Some("INFO") => Level::Info,
        Some("DEBUG") => Level::Debug,
        Some("TRACE") => Level::Trace,
        Some(other) => {
            return Err(validation(format!(
                "1 validation error detected: Value '{other}' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"
            )))
        }
    };
    let state_name = request.get("stateName").and_then(Value::as_str);
    if state_name == Some("") {
        return Err(validation(
            "Invalid length for parameter stateName, value: 0, valid min length: 1",
        ));
    }
    let options = ValidateOptions {
        machine_type: MachineType::Express,
    };
    let (name, state, machine_language) = state_under_test(definition, state_name, &options)?;
    let kind = state
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mock = request.get("mock").and_then(Value::as_object);
    let is_join = kind == "Map" || kind == "Parallel";
    check_state_for_request(request, &name, &state, mock.is_some())?;
    let (machine_value, real_next) = wrap(&name, &state, machine_language);
    let machine = api::compile(Definition::Value(&machine_value), &options)
        .map_err(|d| definition_rejection(&d))?;
    if is_join && mock.is_none() {
        return Err(invalid_definition("TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]"));
    }
    // A JS value, as for executions (AWS's JSON text is parsed by the caller).
    let input = request.get("input").cloned().unwrap_or_else(|| json!({}));
    let context = json_field(request, "context")?;
    if let Some(context) = &context {
        check_context(context)?;
    }
    let variables = match json_field(request, "variables")? {
        None => Map::new(),
        Some(Value::Object(vars)) => vars,
        Some(_) => return Err(validation("variables must be a JSON object")),
    };
    let configuration = request
        .get("stateConfiguration")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let retrier_retry_count = configuration
        .get("retrierRetryCount")
        .and_then(Value::as_u64)
        .unwrap_or(0) as u32;
    let mock_result = match mock {
        None => None,
        Some(mock) => Some(mock_result(mock, &state, kind, &input, &configuration)?),
    };
    let mut hooks = TestStateHooks {
        context,
        variables: variables.clone(),
        retrier_retry_count,
        join_result: None,
        mocked_task: false,
    };
    let mut task_mock = None;
    if is_join {
        hooks.join_result = mock_result;
    } else {
        hooks.mocked_task = mock_result.is_some();
        task_mock = mock_result;
    }
    let config = ExecConfig {
        state_machine_name: "TestStateMachine".into(),
        execution_name: "TestStateExecution".into(),
        express: true,
        inspect: true,
        // The state itself: the engine stops before the next one (test_next_state).
        max_transitions: 1,
        test_state: Some(hooks),
        ..ExecConfig::default()
    };
    let execution_arn = config.execution_arn();
    let state_machine_arn = config.state_machine_arn();
    let mut driver = Driver::new(
        Execution::start(machine, input, config),
        ClockMode::Virtual,
        handler_keys,
    );
    driver.services.execution_arn = Some(execution_arn);
    driver.services.state_machine_arn = Some(state_machine_arn);
    driver.mock = task_mock;
    Ok(TestRun {
        driver,
        info: TestInfo {
            variables,
            jsonata: state_is_jsonata(&state, &machine_value),
            state,
            real_next,
            level,
        },
    })
}

/// The state under test, its name, and the QueryLanguage of its machine.
fn state_under_test(
    definition: Value,
    state_name: Option<&str>,
    options: &ValidateOptions,
) -> Result<(String, Value, Option<Value>), Rejection> {
    let Some(name) = state_name else {
        return Ok((SINGLE_STATE_NAME.to_string(), definition, None));
    };
    api::compile(Definition::Value(&definition), options).map_err(|d| definition_rejection(&d))?;
    let (state, language) = find_state(&definition, name, None)
        .ok_or_else(|| validation("State not found in definition"))?;
    Ok((name.to_string(), state, language))
}

/// What AWS rejects about the state for this request before running it.
fn check_state_for_request(
    request: &Map<String, Value>,
    name: &str,
    state: &Value,
    mocked: bool,
) -> Result<(), Rejection> {
    let kind = state
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if mocked {
        if !matches!(kind, "Task" | "Map" | "Parallel") {
            return Err(validation(format!(
                "State type '{kind}' is not supported when a mock is specified"
            )));
        }
        if request.get("revealSecrets").and_then(Value::as_bool) == Some(true) {
            return Err(validation(
                "TestState does not support RevealSecrets when a mock is specified.",
            ));
        }
    }
    // AWS's schema rejects an empty Branches list (here before the mock is looked at).
    let no_branches = state
        .get("Branches")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty);
    if kind == "Parallel" && no_branches {
        return Err(invalid_definition(format!(
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/{name}/Branches'"
        )));
    }
    Ok(())
}

/// A state by name anywhere in a machine (nested Map and Parallel machines included),
/// with the QueryLanguage its machine gives it.
fn find_state(
    machine: &Value,
    name: &str,
    language: Option<&Value>,
) -> Option<(Value, Option<Value>)> {
    let language = machine.get("QueryLanguage").or(language);
    let states = machine.get("States")?.as_object()?;
    if let Some(state) = states.get(name) {
        return Some((state.clone(), language.cloned()));
    }
    for state in states.values() {
        let mut children: Vec<&Value> = Vec::new();
        children.extend(state.get("ItemProcessor").or_else(|| state.get("Iterator")));
        if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
            children.extend(branches);
        }
        let inner = state.get("QueryLanguage").or(language);
        if let Some(found) = children
            .into_iter()
            .find_map(|m| find_state(m, name, inner))
        {
            return Some(found);
        }
    }
    None
}

fn state_is_jsonata(state: &Value, machine: &Value) -> bool {
    let language = state
        .get("QueryLanguage")
        .or_else(|| machine.get("QueryLanguage"))
        .and_then(Value::as_str);
    language == Some("JSONata")
}

fn definition_rejection(diagnostics: &[crate::validate::Diagnostic]) -> Rejection {
    let message = diagnostics
        .first()
        .map(|d| {
            format!(
                "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: {} at {}'",
                d.message, d.path
            )
        })
        .unwrap_or_else(|| "Invalid State Machine Definition".into());
    invalid_definition(message)
}

/// The machine that runs the state: its Next becomes End; other targets are stubs.
fn wrap(name: &str, state: &Value, language: Option<Value>) -> (Value, Option<String>) {
    let mut state = state.clone();
    let mut real_next = None;
    let mut targets: Vec<String> = Vec::new();
    if let Some(map) = state.as_object_mut() {
        if let Some(Value::String(next)) = map.remove("Next") {
            real_next = Some(next);
            map.insert("End".into(), Value::Bool(true));
        }
        if let Some(Value::Array(choices)) = map.get("Choices") {
            for choice in choices {
                if let Some(next) = choice.get("Next").and_then(Value::as_str) {
                    targets.push(next.to_string());
                }
            }
        }
        if let Some(default) = map.get("Default").and_then(Value::as_str) {
            targets.push(default.to_string());
        }
        if let Some(Value::Array(catchers)) = map.get("Catch") {
            for catcher in catchers {
                if let Some(next) = catcher.get("Next").and_then(Value::as_str) {
                    targets.push(next.to_string());
                }
            }
        }
    }
    let mut states = Map::new();
    states.insert(name.to_string(), state);
    for target in targets {
        states
            .entry(target)
            .or_insert_with(|| json!({"Type": "Succeed"}));
    }
    let mut machine = Map::new();
    if let Some(language) = language {
        machine.insert("QueryLanguage".into(), language);
    }
    machine.insert("StartAt".into(), Value::String(name.to_string()));
    machine.insert("States".into(), Value::Object(states));
    (Value::Object(machine), real_next)
}

/// AWS's checks of a mocked Context object.
fn check_context(context: &Value) -> Result<(), Rejection> {
    let Some(map) = context.as_object() else {
        return Err(validation(
            "Invalid Context object provided: the Context object must be a JSON object",
        ));
    };
    if map.contains_key("Map") {
        return Err(validation("Invalid Context object provided: 'Map' field is not supported when mocking a Context object"));
    }
    let allowed: &[(&str, &[(&str, &str)])] = &[
        (
            "Execution",
            &[
                ("Id", "string"),
                ("Input", "any"),
                ("Name", "string"),
                ("RoleArn", "string"),
                ("StartTime", "string"),
                ("RedriveCount", "number"),
                ("RedriveTime", "string"),
            ],
        ),
        (
            "State",
            &[
                ("EnteredTime", "string"),
                ("Name", "string"),
                ("RetryCount", "number"),
            ],
        ),
        ("StateMachine", &[("Id", "string"), ("Name", "string")]),
        ("Task", &[("Token", "string")]),
    ];
    for (section, value) in map {
        let Some((_, fields)) = allowed.iter().find(|(s, _)| s == section) else {
            return Err(validation(format!(
                "Invalid Context object provided: Field '{section}' is not allowed"
            )));
        };
        let Some(value) = value.as_object() else {
            return Err(validation(format!(
                "Invalid Context object provided: {section} must be an object"
            )));
        };
        for (field, v) in value {
            let Some((_, kind)) = fields.iter().find(|(f, _)| f == field) else {
                return Err(validation(format!(
                    "Invalid Context object provided: Field '{field}' is not allowed"
                )));
            };
            let ok = match *kind {
                "string" => v.is_string(),
                "number" => v.is_number(),
                _ => true,
            };
            if !ok {
                return Err(validation(format!(
                    "Invalid Context object provided: {section}.{field} must be a {kind}"
                )));
            }
        }
    }
    Ok(())
}

/// The mock as the result the engine receives (a task's result, or the children's).
fn mock_result(
    mock: &Map<String, Value>,
    state: &Value,
    kind: &str,
    input: &Value,
    configuration: &Map<String, Value>,
) -> Result<EffectResult, Rejection> {
    if let Some(error) = mock.get("errorOutput") {
        let text = |k: &str| error.get(k).and_then(Value::as_str).map(str::to_string);
        return Ok(EffectResult::Err(Failure {
            error: text("error").unwrap_or_default(),
            cause: text("cause"),
        }));
    }
    let text = match mock.get("result") {
        Some(Value::String(text)) => text.clone(),
        Some(other) => crate::json::stringify(other),
        None => return Err(validation("A mock must have a result or an errorOutput")),
    };
    let result: Value =
        serde_json::from_str(&text).map_err(|_| validation("Mocked result must be valid JSON"))?;
    if kind == "Task" {
        let mode = mock.get("fieldValidationMode").and_then(Value::as_str);
        let resource = state
            .get("Resource")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if mode != Some("NONE") {
            if let Some(problem) = shapes::check(resource, &result) {
                return Err(validation(problem));
            }
        }
        return Ok(EffectResult::ok_json(result));
    }
    let Value::Array(items) = &result else {
        return Err(validation("Mocked result must be an array."));
    };
    if kind == "Parallel" {
        let branches = state
            .get("Branches")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if items.len() != branches {
            return Err(validation(
                "Mocked result must contain the same number of items as number of Parallel branches.",
            ));
        }
        return Ok(EffectResult::ok_json(result));
    }
    // Map: stateConfiguration.mapIterationFailureCount iterations failed.
    let failures = configuration
        .get("mapIterationFailureCount")
        .and_then(Value::as_u64);
    if let Some(failures) = failures {
        let iterations = map_iterations(state, input).unwrap_or(items.len());
        if failures as usize > iterations {
            return Err(validation("Map iteration failure count must be less than or equal to the number of Map iterations"));
        }
        let tolerated_count = state.get("ToleratedFailureCount").and_then(Value::as_f64);
        let tolerated_percentage = state
            .get("ToleratedFailurePercentage")
            .and_then(Value::as_f64);
        let exceeded = match (tolerated_count, tolerated_percentage) {
            (None, None) => false,
            (count, percentage) => {
                let over_count = count.map_or(true, |c| failures as f64 > c);
                let over_percentage = percentage.map_or(true, |p| {
                    iterations > 0 && failures as f64 * 100.0 / iterations as f64 > p
                });
                over_count && over_percentage
            }
        };
        if exceeded {
            return Ok(EffectResult::Err(Failure::new(
                "States.ExceedToleratedFailureThreshold",
                "The specified tolerated failure threshold was exceeded",
            )));
        }
    }
    Ok(EffectResult::ok_json(result))
}

/// How many iterations a Map would run, when its items are plainly in the input.
fn map_iterations(state: &Value, input: &Value) -> Option<usize> {
    if let Some(items) = state.get("Items").and_then(Value::as_str) {
        let path = items
            .trim()
            .strip_prefix("{%")?
            .strip_suffix("%}")?
            .trim()
            .strip_prefix("$states.input")?;
        let mut at = input;
        for key in path.split('.').filter(|k| !k.is_empty()) {
            at = at.get(key)?;
        }
        return at.as_array().map(Vec::len);
    }
    match state.get("ItemsPath").and_then(Value::as_str) {
        None | Some("$") => input.as_array().map(Vec::len),
        Some(path) => {
            let mut at = input;
            for key in path.strip_prefix("$.")?.split('.') {
                at = at.get(key)?;
            }
            at.as_array().map(Vec::len)
        }
    }
}

/// The stages AWS shows in inspectionData for a state: `(stage, fallback)`, where the
/// fallback stage stands in when the state has no such field (AWS shows the value that
/// passed through unchanged: afterParameters = afterInputPath, afterResultSelector =
/// result).
fn shown_stages(
    kind: &str,
    jsonata: bool,
    has_result: bool,
) -> &'static [(&'static str, &'static str)] {
    match (jsonata, kind) {
        (true, "Task") => &[("input", ""), ("afterArguments", ""), ("result", "")],
        (true, _) => &[("input", "")],
        (false, "Pass") if has_result => &[
            ("input", ""),
            ("result", ""),
            ("afterResultSelector", "result"),
            ("afterResultPath", ""),
        ],
        (false, "Pass") => &[
            ("input", ""),
            ("afterInputPath", ""),
            ("afterParameters", "afterInputPath"),
            ("afterResultSelector", "afterParameters"),
            ("afterResultPath", ""),
        ],
        (false, "Task") => &[
            ("input", ""),
            ("afterInputPath", ""),
            ("afterParameters", "afterInputPath"),
            ("result", ""),
            ("afterResultSelector", "result"),
            ("afterResultPath", ""),
        ],
        (false, "Map") => &[
            ("input", ""),
            ("afterInputPath", ""),
            ("afterItemsPath", ""),
            ("afterResultSelector", "result"),
            ("afterResultPath", ""),
        ],
        (false, "Parallel") => &[
            ("input", ""),
            ("afterResultSelector", "result"),
            ("afterResultPath", ""),
        ],
        (false, _) => &[("input", ""), ("afterInputPath", "")],
    }
}

const NUMBER_STAGES: &[&str] = &[
    "maxConcurrency",
    "toleratedFailureCount",
    "toleratedFailurePercentage",
];

impl TestInfo {
    /// The TestState response once the run has ended.
    pub fn response(&self, execution: &Execution, outcome: &Outcome) -> Value {
        let inspections = execution.inspections();
        let visit = inspections.first();
        let stages = visit.map(|v| &v.stages);
        let stage = |k: &str| stages.and_then(|s| s.get(k));
        let failure = stage("error");
        let reached = execution.test_next_state().map(str::to_string);
        let mut out = Map::new();
        let mut details = Map::new();
        let error_name = failure
            .and_then(|f| f.get("error"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let status = if let Some(retriable) = execution.retriable() {
            details.insert("retryIndex".into(), Value::from(retriable.retry_index));
            details.insert(
                "retryBackoffIntervalSeconds".into(),
                crate::json::number(retriable.backoff_seconds),
            );
            insert_failure(
                &mut out,
                &retriable.failure.error,
                retriable.failure.cause.as_deref(),
            );
            "RETRIABLE"
        } else if outcome.status == Status::Failed && reached.is_none() {
            if let Some(error) = &outcome.error {
                out.insert("error".into(), Value::String(error.clone()));
            }
            if let Some(cause) = &outcome.cause {
                out.insert("cause".into(), Value::String(cause.clone()));
            }
            "FAILED"
        } else if let (Some(error), Some(next)) = (&error_name, &reached) {
            let cause = failure.and_then(|f| f.get("cause")).and_then(Value::as_str);
            if let Some(index) = self.catch_index(error) {
                details.insert("catchIndex".into(), Value::from(index));
            }
            insert_failure(&mut out, error, cause);
            out.insert("nextState".into(), Value::String(next.clone()));
            if let Some(output) = stage("output") {
                out.insert(
                    "output".into(),
                    Value::String(crate::json::stringify(output)),
                );
            }
            "CAUGHT_ERROR"
        } else if outcome.status == Status::Failed {
            // The state succeeded but the step after it failed (e.g. the transition limit).
            if let Some(next) = &reached {
                out.insert("nextState".into(), Value::String(next.clone()));
            }
            if let Some(output) = stage("output") {
                out.insert(
                    "output".into(),
                    Value::String(crate::json::stringify(output)),
                );
            }
            "SUCCEEDED"
        } else {
            let final_output = outcome.output.as_ref().map(|v| v.to_serde());
            let output = stage("output").or(final_output.as_ref());
            if let Some(output) = output {
                out.insert(
                    "output".into(),
                    Value::String(crate::json::stringify(output)),
                );
            }
            if let Some(next) = reached.or_else(|| self.real_next.clone()) {
                out.insert("nextState".into(), Value::String(next));
            }
            "SUCCEEDED"
        };
        out.insert("status".into(), Value::String(status.into()));
        if self.level >= Level::Debug {
            let mut data = Map::new();
            let kind = self
                .state
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let has_result = self.state.get("Result").is_some();
            if let Some(stages) = stages {
                let mut shown: Map<String, Value> = Map::new();
                for (name, fallback) in shown_stages(kind, self.jsonata, has_result) {
                    let value = stages
                        .get(*name)
                        .or_else(|| shown.get(*fallback))
                        .or_else(|| stages.get(*fallback))
                        .or_else(|| {
                            // States without InputPath (or that the engine does not
                            // inspect) show their input as afterInputPath.
                            (*name == "afterInputPath" && self.state.get("InputPath").is_none())
                                .then(|| stages.get("input"))
                                .flatten()
                        })
                        .cloned();
                    if let Some(v) = value {
                        data.insert((*name).into(), Value::String(python_dumps(&v)));
                        shown.insert((*name).into(), v);
                    }
                }
                for name in NUMBER_STAGES {
                    if let Some(v) = stages.get(*name) {
                        data.insert((*name).into(), v.clone());
                    }
                }
            }
            if !details.is_empty() {
                data.insert("errorDetails".into(), Value::Object(details));
            }
            // AWS: the workflow variables after the state, the request's and its Assign's.
            let mut variables = self.variables.clone();
            if let Some(Value::Object(assigned)) = stage("assigned") {
                variables.extend(assigned.clone());
            }
            if !variables.is_empty() {
                let text = python_dumps(&Value::Object(variables));
                data.insert("variables".into(), Value::String(text));
            }
            out.insert("inspectionData".into(), Value::Object(data));
        }
        Value::Object(out)
    }

    fn catch_index(&self, error: &str) -> Option<usize> {
        self.state
            .get("Catch")
            .and_then(Value::as_array)?
            .iter()
            .position(|c| {
                let equals: Vec<String> = c
                    .get("ErrorEquals")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                crate::exec::error_matches(&equals, error)
            })
    }
}

fn insert_failure(out: &mut Map<String, Value>, error: &str, cause: Option<&str>) {
    out.insert("error".into(), Value::String(error.to_string()));
    if let Some(cause) = cause {
        out.insert("cause".into(), Value::String(cause.to_string()));
    }
}

/// Runs a TestState call to its end, answering handler calls with `respond` (native
/// callers and tests; JS drives `TestRun::driver` itself).
pub fn run(
    request: &Value,
    handler_keys: &[&str],
    mut respond: impl FnMut(&crate::host::HandlerCall) -> EffectResult,
) -> Result<Value, Rejection> {
    let keys = handler_keys.iter().map(|k| k.to_string()).collect();
    let mut run = start(request, keys)?;
    loop {
        let progress = run.driver.drive();
        if let Some(outcome) = progress.outcome {
            return Ok(run.info.response(run.driver.execution(), &outcome));
        }
        if progress.calls.is_empty() {
            let outcome = Outcome {
                status: Status::Failed,
                output: None,
                error: Some("Statelab.Internal".into()),
                cause: Some("The state stopped making progress".into()),
                stop_time: run.driver.execution().now(),
            };
            return Ok(run.info.response(run.driver.execution(), &outcome));
        }
        for call in progress.calls {
            let result = respond(&call);
            run.driver.resume(call.effect, result);
        }
    }
}
