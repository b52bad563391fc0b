//! Step Functions Local's mock configuration file (`MockConfigFile.json`): one test case
//! of one state machine, answering the Task states it mocks.
//!
//! The format, as AWS documents it ("Using mocked service integrations for testing in
//! Step Functions Local", "Configuration file for mocked service integrations"):
//!
//! ```json
//! { "StateMachines": { "<machine>": { "TestCases": { "<case>": { "<state>": "<response>" } } } },
//!   "MockedResponses": { "<response>": { "0": {"Return": ...}, "1-2": {"Throw": {"Error", "Cause"}} } } }
//! ```
//!
//! Semantics kept from Step Functions Local:
//! - Attempt keys count the invocations of a mocked state within one execution, from 0:
//!   the first call, every Retry, every re-entry (a loop back to the state) and every Map
//!   iteration each take the next number. Ranges (`"1-2"`) are inclusive.
//! - "When you mock a Task, you must specify a mocked response for every invocation": an
//!   invocation with no attempt key (past the last one, or in a gap) does not repeat the
//!   last response; the execution fails with `States.Runtime` (which Retry and Catch do
//!   not handle).
//! - Responses are resolved when a state is invoked, not when the file is loaded: an
//!   unused or malformed entry does not stop the test case from running; a malformed entry
//!   that a state uses fails the execution with `States.Runtime` when the state runs.
//!   [`check_config`] lists such problems up front.
//! - Activity states cannot be mocked (`States.Runtime`, Step Functions Local's message).
//!
//! This module does no I/O and knows nothing about JS: the driver asks it first for the
//! states it mocks.

use crate::exec::{EffectResult, Failure, Invocation, TaskKind};
use serde_json::{Map, Value};
use std::collections::HashMap;

const TOP_LEVEL_KEYS: [&str; 2] = ["StateMachines", "MockedResponses"];

/// The mocked responses of one test case, with a per-state invocation counter.
#[derive(Clone, Debug)]
pub struct Mocks {
    state_machine: String,
    test_case: String,
    /// State name -> the responses it uses (or why they cannot be used).
    states: HashMap<String, Result<Responses, String>>,
    /// State name -> invocations so far.
    counts: HashMap<String, u64>,
}

/// One mocked response entry: its attempts in file order.
#[derive(Clone, Debug)]
struct Responses {
    name: String,
    attempts: Vec<Attempt>,
}

#[derive(Clone, Debug)]
struct Attempt {
    first: u64,
    last: u64,
    outcome: Outcome,
}

#[derive(Clone, Debug)]
enum Outcome {
    Return(Value),
    Throw(Failure),
}

impl Mocks {
    /// Picks the test case; errors name what is missing ("no state machine 'X' in the mock
    /// config; it has: A, B").
    pub fn from_config(
        config: &Value,
        state_machine: &str,
        test_case: &str,
    ) -> Result<Mocks, String> {
        let root = config.as_object().ok_or_else(|| {
            format!(
                "the mock config must be a JSON object, not {}",
                kind(config)
            )
        })?;
        let machines = match root.get("StateMachines") {
            Some(Value::Object(machines)) => machines,
            Some(other) => {
                return Err(format!(
                    "StateMachines in the mock config must be an object, not {}",
                    kind(other)
                ))
            }
            None => return Err("the mock config has no StateMachines".into()),
        };
        let machine = machines.get(state_machine).ok_or_else(|| {
            format!(
                "no state machine '{state_machine}' in the mock config; it has: {}",
                names(machines)
            )
        })?;
        let cases = match machine.get("TestCases") {
            Some(Value::Object(cases)) => cases,
            Some(other) => {
                return Err(format!(
                    "TestCases of the state machine '{state_machine}' in the mock config must be an object, not {}",
                    kind(other)
                ))
            }
            None => {
                return Err(format!(
                    "the state machine '{state_machine}' in the mock config has no TestCases"
                ))
            }
        };
        let case = cases.get(test_case).ok_or_else(|| {
            format!(
                "no test case '{test_case}' for the state machine '{state_machine}' in the mock config; it has: {}",
                names(cases)
            )
        })?;
        let case = case.as_object().ok_or_else(|| {
            format!(
                "the test case '{test_case}' of the state machine '{state_machine}' must be an object mapping state names to mocked response names, not {}",
                kind(case)
            )
        })?;
        let responses = root.get("MockedResponses");
        let mut states = HashMap::new();
        for (state, response) in case {
            let resolved = match response.as_str() {
                Some(name) => resolve(responses, name),
                None => Err(format!(
                    "the test case '{test_case}' maps the state '{state}' to {}, not to the name of a mocked response",
                    kind(response)
                )),
            };
            states.insert(state.clone(), resolved);
        }
        Ok(Mocks {
            state_machine: state_machine.to_string(),
            test_case: test_case.to_string(),
            states,
            counts: HashMap::new(),
        })
    }

    /// The state machines a mock config has test cases for, in file order.
    pub fn state_machines(config: &Value) -> Vec<String> {
        match config.get("StateMachines") {
            Some(Value::Object(machines)) => machines.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// The test cases a state machine has in a mock config, in file order (for tools that
    /// run each one).
    pub fn test_cases(config: &Value, state_machine: &str) -> Result<Vec<String>, String> {
        let machines = config
            .get("StateMachines")
            .and_then(Value::as_object)
            .ok_or("the mock config has no StateMachines object")?;
        let machine = machines.get(state_machine).ok_or_else(|| {
            format!(
                "no state machine '{state_machine}' in the mock config; it has: {}",
                names(machines)
            )
        })?;
        let cases = machine
            .get("TestCases")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                format!("the state machine '{state_machine}' in the mock config has no TestCases object")
            })?;
        Ok(cases.keys().cloned().collect())
    }

    pub fn state_machine(&self) -> &str {
        &self.state_machine
    }

    pub fn test_case(&self) -> &str {
        &self.test_case
    }

    /// Whether a state is mocked in this test case.
    pub fn is_mocked(&self, state_name: &str) -> bool {
        self.states.contains_key(state_name)
    }

    /// How many times a mocked state has been invoked so far.
    pub fn invocations(&self, state_name: &str) -> u64 {
        self.counts.get(state_name).copied().unwrap_or(0)
    }

    /// The next response of a mocked state exactly as the file gives it: `Ok(Return)`
    /// verbatim, `Err` for a `Throw` or for a missing or malformed response
    /// (`States.Runtime`). Counts the invocation. `None` if the state is not mocked.
    pub fn respond_raw(&mut self, state_name: &str) -> Option<Result<Value, Failure>> {
        let responses = self.states.get(state_name)?;
        let count = self.counts.entry(state_name.to_string()).or_insert(0);
        let attempt = *count;
        *count = count.saturating_add(1);
        let responses = match responses {
            Ok(responses) => responses,
            Err(problem) => {
                return Some(Err(Failure::runtime(format!(
                    "The state '{state_name}' is mocked by the test case '{}', but {problem}.",
                    self.test_case
                ))))
            }
        };
        let found = responses
            .attempts
            .iter()
            .find(|a| a.first <= attempt && attempt <= a.last);
        Some(match found {
            Some(Attempt {
                outcome: Outcome::Return(value),
                ..
            }) => Ok(value.clone()),
            Some(Attempt {
                outcome: Outcome::Throw(failure),
                ..
            }) => Err(failure.clone()),
            None => Err(Failure::runtime(format!(
                "The mocked response '{}' for the state '{state_name}' has no response for invocation {attempt} (attempt numbers count from 0; it defines {}). Step Functions Local needs a mocked response for every invocation, retries included.",
                responses.name,
                defined_attempts(&responses.attempts)
            ))),
        })
    }

    /// The response for the next invocation of this state (counts invocations itself),
    /// shaped as the engine expects for the task's kind; `None` if the state is not mocked.
    ///
    /// - `arn:aws:states:::lambda:invoke`: the mock's `Return` is the whole Invoke response
    ///   (`{StatusCode, Payload, ...}`); the engine builds that response itself from the
    ///   function's payload, so this answers with `Return.Payload` (`null` when absent) and
    ///   the mock's other fields are dropped. A `FunctionError` field makes it the
    ///   function's error payload, as Lambda reports it.
    ///   With `.waitForTaskToken` the result is the callback's output: `Return` verbatim.
    /// - A Lambda function ARN as the Resource: the state's result is the function's
    ///   payload: `Return.Payload` when `Return` is an Invoke response (an object with a
    ///   `Payload` field), else `Return` itself.
    /// - Other integrations: `Return` verbatim.
    /// - `Throw`: a task failure with its `Error` and `Cause`.
    pub fn respond(&mut self, invocation: &Invocation) -> Option<EffectResult> {
        if !self.is_mocked(&invocation.state_name) {
            return None;
        }
        if matches!(*invocation.kind, TaskKind::Activity { .. }) {
            // Step Functions Local refuses to mock activities, with this failure.
            self.respond_raw(&invocation.state_name);
            return Some(EffectResult::Err(Failure::runtime(
                "Activity state cannot be mocked. Please remove mocks mapped for all activity state in the mock config file.",
            )));
        }
        let value = match self.respond_raw(&invocation.state_name)? {
            Ok(value) => value,
            Err(failure) => return Some(EffectResult::Err(failure)),
        };
        Some(match &*invocation.kind {
            // `.waitForTaskToken`: the task's result is the callback's output, which the
            // mock's Return stands for.
            TaskKind::LambdaInvoke { .. } if invocation.task_token.is_some() => {
                EffectResult::ok_json(value)
            }
            TaskKind::LambdaInvoke { .. } => invoke_response(value, true),
            TaskKind::LambdaArn { .. } => invoke_response(value, false),
            _ => EffectResult::ok_json(value),
        })
    }
}

/// A Lambda Invoke response from a mocked `Return`. `always_wrapped`: lambda:invoke
/// mocks are Invoke responses by definition; for a function ARN only an object with a
/// `Payload` field is one.
fn invoke_response(value: Value, always_wrapped: bool) -> EffectResult {
    let Value::Object(mut response) = value else {
        return EffectResult::ok_json(if always_wrapped { Value::Null } else { value });
    };
    if !always_wrapped && !response.contains_key("Payload") {
        return EffectResult::ok_json(Value::Object(response));
    }
    let payload = response.remove("Payload").unwrap_or(Value::Null);
    if response.get("FunctionError").is_some_and(|e| !e.is_null()) {
        return EffectResult::ErrorPayload(payload);
    }
    EffectResult::ok_json(payload)
}

/// The attempts of a named mocked response, or why it cannot be used.
fn resolve(responses: Option<&Value>, name: &str) -> Result<Responses, String> {
    let Some(Value::Object(responses)) = responses else {
        return Err(format!(
            "the mock config has no MockedResponses object to find '{name}' in"
        ));
    };
    let Some(entry) = responses.get(name) else {
        return Err(format!(
            "no mocked response '{name}' is defined in MockedResponses; it has: {}",
            names(responses)
        ));
    };
    let Value::Object(entry) = entry else {
        return Err(format!(
            "the mocked response '{name}' must be an object of attempt numbers, not {}",
            kind(entry)
        ));
    };
    let mut attempts = Vec::with_capacity(entry.len());
    for (key, response) in entry {
        let (first, last) = parse_attempts(key).map_err(|problem| {
            format!("the mocked response '{name}' has the attempt key '{key}': {problem}")
        })?;
        let outcome = parse_outcome(response).map_err(|problem| {
            format!("the mocked response '{name}' at attempt '{key}' {problem}")
        })?;
        attempts.push(Attempt {
            first,
            last,
            outcome,
        });
    }
    Ok(Responses {
        name: name.to_string(),
        attempts,
    })
}

/// `"3"` -> (3, 3); `"1-2"` -> (1, 2), inclusive.
pub fn parse_attempts(key: &str) -> Result<(u64, u64), String> {
    let key = key.trim();
    let (first, last) = match key.split_once('-') {
        Some((first, last)) => (number(first.trim())?, number(last.trim())?),
        None => {
            let n = number(key)?;
            (n, n)
        }
    };
    if last < first {
        return Err(format!(
            "the range ends ({last}) before it starts ({first})"
        ));
    }
    Ok((first, last))
}

fn number(text: &str) -> Result<u64, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected an invocation number (\"0\") or an inclusive range (\"1-2\")".into());
    }
    text.parse::<u64>()
        .map_err(|_| format!("the number {text} is too large"))
}

fn parse_outcome(response: &Value) -> Result<Outcome, String> {
    let Value::Object(fields) = response else {
        return Err(format!(
            "must be an object with Return or Throw, not {}",
            kind(response)
        ));
    };
    match (fields.get("Return"), fields.get("Throw")) {
        (Some(_), Some(_)) => Err("has both Return and Throw; give exactly one".into()),
        (None, None) => Err("has neither Return nor Throw".into()),
        (Some(value), None) => Ok(Outcome::Return(value.clone())),
        (None, Some(Value::Object(throw))) => {
            let error = match throw.get("Error") {
                Some(Value::String(error)) => error.clone(),
                Some(other) => {
                    return Err(format!(
                        "has a Throw whose Error is {}, not a string",
                        kind(other)
                    ))
                }
                None => return Err("has a Throw without an Error".into()),
            };
            match throw.get("Cause") {
                Some(Value::String(cause)) => {
                    Ok(Outcome::Throw(Failure::new(error, cause.clone())))
                }
                None | Some(Value::Null) => Ok(Outcome::Throw(Failure::without_cause(error))),
                Some(other) => Err(format!(
                    "has a Throw whose Cause is {}, not a string",
                    kind(other)
                )),
            }
        }
        (None, Some(other)) => Err(format!(
            "has a Throw that is {}, not an object with Error and Cause",
            kind(other)
        )),
    }
}

/// "0, 1-2, 3" for an error message.
fn defined_attempts(attempts: &[Attempt]) -> String {
    if attempts.is_empty() {
        return "no attempts".into();
    }
    let mut ranges: Vec<(u64, u64)> = attempts.iter().map(|a| (a.first, a.last)).collect();
    crate::sort::sort(&mut ranges);
    let text: Vec<String> = ranges
        .iter()
        .map(|(first, last)| {
            if first == last {
                first.to_string()
            } else {
                format!("{first}-{last}")
            }
        })
        .collect();
    text.join(", ")
}

fn names(map: &Map<String, Value>) -> String {
    if map.is_empty() {
        return "none".into();
    }
    map.keys().cloned().collect::<Vec<_>>().join(", ")
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON pointer segment (RFC 6901).
fn segment(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// Every structural problem of a whole mock config file, each message starting with the
/// JSON pointer of what it is about. Empty when the file is well formed. Mocked responses
/// that no test case uses are not a problem (AWS's own example has one).
pub fn check_config(config: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Value::Object(root) = config else {
        problems.push(format!(
            "/: the mock config must be a JSON object, not {}",
            kind(config)
        ));
        return problems;
    };
    for key in root.keys() {
        if !TOP_LEVEL_KEYS.contains(&key.as_str()) {
            problems.push(format!(
                "/{}: unknown field '{key}'; a mock config has StateMachines and MockedResponses",
                segment(key)
            ));
        }
    }
    let responses = match root.get("MockedResponses") {
        Some(Value::Object(responses)) => {
            for (name, entry) in responses {
                check_response(name, entry, &mut problems);
            }
            Some(responses)
        }
        Some(other) => {
            problems.push(format!(
                "/MockedResponses: must be an object, not {}",
                kind(other)
            ));
            None
        }
        None => {
            problems.push("/: the mock config has no MockedResponses".into());
            None
        }
    };
    match root.get("StateMachines") {
        Some(Value::Object(machines)) => {
            for (name, machine) in machines {
                check_machine(name, machine, responses, &mut problems);
            }
        }
        Some(other) => problems.push(format!(
            "/StateMachines: must be an object, not {}",
            kind(other)
        )),
        None => problems.push("/: the mock config has no StateMachines".into()),
    }
    problems
}

fn check_machine(
    name: &str,
    machine: &Value,
    responses: Option<&Map<String, Value>>,
    problems: &mut Vec<String>,
) {
    let at = format!("/StateMachines/{}", segment(name));
    let Value::Object(machine) = machine else {
        problems.push(format!(
            "{at}: must be an object with TestCases, not {}",
            kind(machine)
        ));
        return;
    };
    for key in machine.keys() {
        if key != "TestCases" {
            problems.push(format!(
                "{at}/{}: unknown field '{key}'; a state machine has only TestCases",
                segment(key)
            ));
        }
    }
    let cases = match machine.get("TestCases") {
        Some(Value::Object(cases)) => cases,
        Some(other) => {
            problems.push(format!(
                "{at}/TestCases: must be an object, not {}",
                kind(other)
            ));
            return;
        }
        None => {
            problems.push(format!("{at}: has no TestCases"));
            return;
        }
    };
    for (case_name, case) in cases {
        let at = format!("{at}/TestCases/{}", segment(case_name));
        let Value::Object(case) = case else {
            problems.push(format!(
                "{at}: must be an object mapping state names to mocked response names, not {}",
                kind(case)
            ));
            continue;
        };
        for (state, response) in case {
            let at = format!("{at}/{}", segment(state));
            let Some(response) = response.as_str() else {
                problems.push(format!(
                    "{at}: must be the name of a mocked response, not {}",
                    kind(response)
                ));
                continue;
            };
            if let Some(responses) = responses {
                if !responses.contains_key(response) {
                    problems.push(format!(
                        "{at}: the mocked response '{response}' is not defined in MockedResponses; it has: {}",
                        names(responses)
                    ));
                }
            }
        }
    }
}

fn check_response(name: &str, entry: &Value, problems: &mut Vec<String>) {
    let at = format!("/MockedResponses/{}", segment(name));
    let Value::Object(entry) = entry else {
        problems.push(format!(
            "{at}: must be an object of attempt numbers, not {}",
            kind(entry)
        ));
        return;
    };
    if entry.is_empty() {
        problems.push(format!(
            "{at}: defines no attempts; a state that uses it fails when invoked"
        ));
        return;
    }
    let mut ranges: Vec<(u64, u64, &str)> = Vec::new();
    for (key, response) in entry {
        let at = format!("{at}/{}", segment(key));
        match parse_attempts(key) {
            Ok((first, last)) => ranges.push((first, last, key)),
            Err(problem) => problems.push(format!("{at}: bad attempt key '{key}': {problem}")),
        }
        check_outcome(&at, response, problems);
    }
    crate::sort::sort(&mut ranges);
    let mut next = 0u64;
    let mut previous: Option<(u64, &str)> = None;
    for (first, last, key) in ranges {
        if let Some((previous_last, previous_key)) = previous {
            if first <= previous_last {
                problems.push(format!(
                    "{at}: the attempt keys '{previous_key}' and '{key}' overlap"
                ));
            }
        }
        if first > next {
            let missing = if first - 1 == next {
                next.to_string()
            } else {
                format!("{next}-{}", first - 1)
            };
            problems.push(format!(
                "{at}: no response for invocation {missing}; attempt numbers must be consecutive from 0"
            ));
        }
        next = next.max(last.saturating_add(1));
        if previous.map_or(true, |(previous_last, _)| last > previous_last) {
            previous = Some((last, key));
        }
    }
}

fn check_outcome(at: &str, response: &Value, problems: &mut Vec<String>) {
    let Value::Object(fields) = response else {
        problems.push(format!(
            "{at}: must be an object with Return or Throw, not {}",
            kind(response)
        ));
        return;
    };
    for key in fields.keys() {
        if key != "Return" && key != "Throw" {
            problems.push(format!(
                "{at}/{}: unknown field '{key}'; a response has Return or Throw",
                segment(key)
            ));
        }
    }
    match (fields.get("Return"), fields.get("Throw")) {
        (Some(_), Some(_)) => {
            problems.push(format!("{at}: has both Return and Throw; give exactly one"))
        }
        (None, None) => problems.push(format!("{at}: has neither Return nor Throw")),
        (Some(_), None) => {}
        (None, Some(throw)) => check_throw(&format!("{at}/Throw"), throw, problems),
    }
}

fn check_throw(at: &str, throw: &Value, problems: &mut Vec<String>) {
    let Value::Object(throw) = throw else {
        problems.push(format!(
            "{at}: must be an object with Error and Cause, not {}",
            kind(throw)
        ));
        return;
    };
    for key in throw.keys() {
        if key != "Error" && key != "Cause" {
            problems.push(format!(
                "{at}/{}: unknown field '{key}'; a Throw has Error and Cause",
                segment(key)
            ));
        }
    }
    match throw.get("Error") {
        Some(Value::String(_)) => {}
        Some(other) => problems.push(format!("{at}/Error: must be a string, not {}", kind(other))),
        None => problems.push(format!("{at}: has no Error")),
    }
    match throw.get("Cause") {
        Some(Value::String(_)) | None => {}
        Some(other) => problems.push(format!("{at}/Cause: must be a string, not {}", kind(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn invocation(state: &str, kind: TaskKind) -> Invocation {
        Invocation {
            state_name: state.into(),
            resource: "arn:aws:states:::lambda:invoke".into(),
            kind: kind.into(),
            input: crate::value::Value::empty_object(),
            task_token: None,
            sync: false,
            timeout_seconds: None,
            heartbeat_seconds: None,
            retry_count: 0,
        }
    }

    fn service() -> TaskKind {
        TaskKind::Service {
            service: "sqs".into(),
            action: "sendMessage".into(),
        }
    }

    fn config() -> Value {
        json!({
            "StateMachines": {"M": {"TestCases": {
                "T": {"A": "R", "B": "Missing", "C": "Empty"},
                "U": {}
            }}},
            "MockedResponses": {
                "R": {"0": {"Return": 1}, "1-2": {"Throw": {"Error": "E", "Cause": "C"}}},
                "Empty": {}
            }
        })
    }

    #[test]
    fn missing_machine_and_case_are_named() {
        let err = Mocks::from_config(&config(), "X", "T").unwrap_err();
        assert_eq!(err, "no state machine 'X' in the mock config; it has: M");
        let err = Mocks::from_config(&config(), "M", "V").unwrap_err();
        assert_eq!(
            err,
            "no test case 'V' for the state machine 'M' in the mock config; it has: T, U"
        );
        assert!(Mocks::from_config(&json!([]), "M", "T").is_err());
        assert_eq!(Mocks::state_machines(&config()), ["M"]);
        assert_eq!(
            Mocks::test_cases(&config(), "M"),
            Ok(vec!["T".into(), "U".into()])
        );
        assert!(Mocks::test_cases(&config(), "X").is_err());
    }

    #[test]
    fn counts_and_fails_past_the_last_attempt() {
        let mut mocks = Mocks::from_config(&config(), "M", "T").unwrap();
        assert!(mocks.is_mocked("A") && !mocks.is_mocked("Z"));
        let call = invocation("A", service());
        assert_eq!(mocks.respond(&call), Some(EffectResult::ok_json(json!(1))));
        for _ in 0..2 {
            assert_eq!(
                mocks.respond(&call),
                Some(EffectResult::Err(Failure::new("E", "C")))
            );
        }
        let Some(EffectResult::Err(failure)) = mocks.respond(&call) else {
            panic!("expected a failure");
        };
        assert_eq!(failure.error, "States.Runtime");
        assert!(failure.cause.unwrap().contains("invocation 3"));
        assert_eq!(mocks.invocations("A"), 4);
        assert_eq!(mocks.respond(&invocation("Z", service())), None);
    }

    #[test]
    fn unusable_entries_fail_when_the_state_runs() {
        let mut mocks = Mocks::from_config(&config(), "M", "T").unwrap();
        for state in ["B", "C"] {
            let Some(EffectResult::Err(failure)) = mocks.respond(&invocation(state, service()))
            else {
                panic!("expected a failure for {state}");
            };
            assert_eq!(failure.error, "States.Runtime");
        }
    }

    #[test]
    fn lambda_shapes() {
        let config = json!({
            "StateMachines": {"M": {"TestCases": {"T": {"A": "R"}}}},
            "MockedResponses": {"R": {
                "0": {"Return": {"StatusCode": 200, "Payload": {"x": 1}}},
                "1": {"Return": {"y": 2}},
                "2": {"Return": {"StatusCode": 200, "FunctionError": "Unhandled",
                                 "Payload": {"errorType": "Boom", "errorMessage": "m"}}}
            }}
        });
        let invoke = TaskKind::LambdaInvoke {
            function_name: "f".into(),
            arn: "arn".into(),
            written: "f".into(),
        };
        let mut mocks = Mocks::from_config(&config, "M", "T").unwrap();
        let call = invocation("A", invoke);
        assert_eq!(
            mocks.respond(&call),
            Some(EffectResult::ok_json(json!({"x": 1})))
        );
        assert_eq!(
            mocks.respond(&call),
            Some(EffectResult::ok_json(Value::Null))
        );
        assert_eq!(
            mocks.respond(&call),
            Some(EffectResult::ErrorPayload(
                json!({"errorType": "Boom", "errorMessage": "m"})
            ))
        );
        let arn = TaskKind::LambdaArn {
            function_name: "f".into(),
            arn: "arn".into(),
        };
        let mut mocks = Mocks::from_config(&config, "M", "T").unwrap();
        let call = invocation("A", arn);
        assert_eq!(
            mocks.respond(&call),
            Some(EffectResult::ok_json(json!({"x": 1})))
        );
        assert_eq!(
            mocks.respond(&call),
            Some(EffectResult::ok_json(json!({"y": 2})))
        );
    }

    #[test]
    fn activities_cannot_be_mocked() {
        let mut mocks = Mocks::from_config(&config(), "M", "T").unwrap();
        let call = invocation("A", TaskKind::Activity { arn: "a".into() });
        let Some(EffectResult::Err(failure)) = mocks.respond(&call) else {
            panic!("expected a failure");
        };
        assert_eq!(failure.error, "States.Runtime");
    }

    #[test]
    fn attempt_keys() {
        assert_eq!(parse_attempts("0"), Ok((0, 0)));
        assert_eq!(parse_attempts("1-2"), Ok((1, 2)));
        assert_eq!(parse_attempts(" 3 - 3 "), Ok((3, 3)));
        for bad in [
            "",
            "-1",
            "+1",
            "1-",
            "a",
            "2-1",
            "1-2-3",
            "1.0",
            "99999999999999999999",
        ] {
            assert!(parse_attempts(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn check_lists_every_problem() {
        let config = json!({
            "StateMachines": {"M": {"TestCases": {"T": {"A": "Nope", "B": 3}}, "Extra": 1}},
            "MockedResponses": {
                "R": {"0": {"Return": 1, "Throw": {"Error": "E"}}, "x": {"Return": 1},
                      "0-1": {"Throw": {"Cause": 2}}, "3": {"Return": 1}}
            },
            "Other": {}
        });
        let problems = check_config(&config);
        let expected = [
            "/Other: unknown field",
            "/MockedResponses/R/0: has both Return and Throw",
            "/MockedResponses/R/x: bad attempt key 'x'",
            "/MockedResponses/R/0-1/Throw: has no Error",
            "/MockedResponses/R/0-1/Throw/Cause: must be a string",
            "/MockedResponses/R: the attempt keys '0' and '0-1' overlap",
            "/MockedResponses/R: no response for invocation 2",
            "/StateMachines/M/Extra: unknown field",
            "/StateMachines/M/TestCases/T/A: the mocked response 'Nope' is not defined",
            "/StateMachines/M/TestCases/T/B: must be the name of a mocked response",
        ];
        assert_eq!(problems.len(), expected.len(), "{problems:#?}");
        for (problem, start) in problems.iter().zip(expected) {
            assert!(problem.starts_with(start), "{problem} vs {start}");
        }
    }
}
