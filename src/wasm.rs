//! The only file that knows JS: wasm-bindgen exports that convert values and errors at
//! the edge. No logic lives here; js/api.js builds the public API on top of it.

use crate::api::{self, Definition};
use crate::asl::Machine;
use crate::exec::{EffectResult, ExecConfig, Execution, Failure, HistoryEvent, Outcome, TaskKind};
use crate::host::{ClockMode, Driver, HandlerCall};
use crate::validate::{Diagnostic, MachineType, ValidateOptions};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Values cross as JSON text that JS's `JSON.parse` rebuilds: it defines every key as an
/// own property, so a `"__proto__"` key in user data stays a key (setting it on an object,
/// as a serializer does, would replace the object's prototype instead).
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    let Ok(value) = serde_json::to_value(value) else {
        return JsValue::NULL;
    };
    js_sys::JSON::parse(&crate::json::stringify(&value)).unwrap_or(JsValue::NULL)
}

fn from_js(value: JsValue) -> Result<Value, JsValue> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| misuse(&format!("expected a JSON-compatible value: {e}")))
}

/// A thrown JS error with a message (API misuse).
fn misuse(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

fn options_value(options: JsValue) -> Result<Map<String, Value>, JsValue> {
    match from_js(options)? {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        _ => Err(misuse("options must be an object")),
    }
}

fn validate_options(options: &Map<String, Value>) -> Result<ValidateOptions, JsValue> {
    let machine_type = match options.get("type").and_then(Value::as_str) {
        None | Some("STANDARD") => MachineType::Standard,
        Some("EXPRESS") => MachineType::Express,
        Some(other) => {
            return Err(misuse(&format!(
                "options.type must be \"STANDARD\" or \"EXPRESS\", not {other:?}"
            )))
        }
    };
    Ok(ValidateOptions { machine_type })
}

/// `validate(definition, options)`: definition is JSON text or a JS object.
#[wasm_bindgen(js_name = validateDefinition)]
pub fn validate_definition(definition: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let options = validate_options(&options_value(options)?)?;
    let diagnostics = match definition.as_string() {
        Some(text) => api::validate(Definition::Text(&text), &options),
        None => {
            let value = from_js(definition)?;
            api::validate(Definition::Value(&value), &options)
        }
    };
    Ok(to_js(&diagnostics))
}

fn validation_error(diagnostics: &[Diagnostic]) -> JsValue {
    let first = diagnostics
        .first()
        .map(|d| d.message.clone())
        .unwrap_or_default();
    let message = if diagnostics.len() > 1 {
        format!(
            "Invalid state machine definition: {first} (and {} more problems)",
            diagnostics.len() - 1
        )
    } else {
        format!("Invalid state machine definition: {first}")
    };
    let error = js_sys::Error::new(&message);
    error.set_name("ValidationError");
    let _ = js_sys::Reflect::set(&error, &"diagnostics".into(), &to_js(diagnostics));
    let _ = js_sys::Reflect::set(&error, &"code".into(), &"InvalidDefinition".into());
    error.into()
}

#[wasm_bindgen]
pub struct WasmMachine {
    machine: Rc<Machine>,
    express: bool,
    name: String,
}

#[wasm_bindgen]
impl WasmMachine {
    /// Throws a ValidationError (with `.diagnostics`) for a definition AWS would reject.
    #[wasm_bindgen(constructor)]
    pub fn new(definition: JsValue, options: JsValue) -> Result<WasmMachine, JsValue> {
        let options = options_value(options)?;
        let validate = validate_options(&options)?;
        let compiled = match definition.as_string() {
            Some(text) => api::compile(Definition::Text(&text), &validate),
            None => {
                let value = from_js(definition)?;
                api::compile(Definition::Value(&value), &validate)
            }
        };
        let machine = compiled.map_err(|d| validation_error(&d))?;
        let name = options
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("StateMachine")
            .to_string();
        Ok(WasmMachine {
            machine,
            express: validate.machine_type == MachineType::Express,
            name,
        })
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// Starts an execution. Options: name, startTime (ms), clock ("virtual"|"external"),
    /// handlerKeys (string[]), maxTransitions, seed.
    pub fn start(&self, input: JsValue, options: JsValue) -> Result<WasmExecution, JsValue> {
        let input = from_js(input)?;
        let options = options_value(options)?;
        if crate::json::nested_too_deep(&input) {
            let error = js_sys::Error::new(&format!(
                "Input objects and arrays are nested more than {} levels deep",
                crate::json::MAX_NESTING
            ));
            let _ = js_sys::Reflect::set(&error, &"code".into(), &"InvalidExecutionInput".into());
            return Err(error.into());
        }
        let text_len = crate::json::stringify(&input).len();
        if text_len > crate::exec::MAX_PAYLOAD_BYTES {
            let error = js_sys::Error::new(&format!(
                "Input is {text_len} bytes of JSON; the maximum is {} (256 KiB)",
                crate::exec::MAX_PAYLOAD_BYTES
            ));
            let _ = js_sys::Reflect::set(&error, &"code".into(), &"InvalidExecutionInput".into());
            return Err(error.into());
        }
        let mut config = ExecConfig {
            state_machine_name: self.name.clone(),
            express: self.express,
            ..ExecConfig::default()
        };
        if let Some(name) = options.get("name").and_then(Value::as_str) {
            config.execution_name = name.to_string();
        }
        if let Some(start) = options.get("startTime").and_then(Value::as_f64) {
            config.start_time = start as i64;
        }
        if let Some(max) = options.get("maxTransitions").and_then(Value::as_f64) {
            config.max_transitions = max.max(1.0) as u64;
        }
        config.inspect = options
            .get("inspect")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if let Some(seed) = options.get("seed").and_then(Value::as_f64) {
            config.seed = seed as u64;
        }
        let clock = match options.get("clock").and_then(Value::as_str) {
            Some("external") => ClockMode::External,
            _ => ClockMode::Virtual,
        };
        let keys: HashSet<String> = options
            .get("handlerKeys")
            .and_then(Value::as_array)
            .map(|k| {
                k.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let (execution_arn, state_machine_arn) =
            (config.execution_arn(), config.state_machine_arn());
        let execution = Execution::start(self.machine.clone(), input, config);
        let mut driver = Driver::new(execution, clock, keys);
        match (
            options.get("mocks").filter(|m| !m.is_null()),
            options.get("testCase").and_then(Value::as_str),
        ) {
            (None, None) => {}
            (Some(config), Some(case)) => {
                let mocks = crate::host::mocks::Mocks::from_config(config, &self.name, case)
                    .map_err(|e| misuse(&e))?;
                driver.mocks = Some(mocks);
            }
            _ => {
                return Err(misuse(
                    "options.mocks and options.testCase go together: give both",
                ))
            }
        }
        driver.services.execution_arn = Some(execution_arn);
        driver.services.state_machine_arn = Some(state_machine_arn);
        let seed: Map<String, Value> = ["s3", "dynamodb", "sqs", "sns", "eventbridge"]
            .iter()
            .filter_map(|k| {
                options
                    .get(*k)
                    .filter(|v| !v.is_null())
                    .map(|v| (k.to_string(), v.clone()))
            })
            .collect();
        driver
            .services
            .seed(&Value::Object(seed))
            .map_err(|e| misuse(&format!("options.{e}")))?;
        Ok(WasmExecution { driver, test: None })
    }
}

#[wasm_bindgen]
pub struct WasmExecution {
    driver: Driver,
    /// Set for a TestState call: what its response needs.
    test: Option<crate::test_state::TestInfo>,
}

/// `testState(request, handlerKeys)`: a run driven like an execution (same protocol);
/// `testResponse()` gives AWS's TestState response at the end. A request AWS would
/// reject throws an error with `.code` = AWS's exception name.
#[wasm_bindgen(js_name = testState)]
pub fn test_state(request: JsValue, handler_keys: JsValue) -> Result<WasmExecution, JsValue> {
    let request = from_js(request)?;
    let keys: HashSet<String> = match from_js(handler_keys)? {
        Value::Array(keys) => keys
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => HashSet::new(),
    };
    match crate::test_state::start(&request, keys) {
        Ok(run) => Ok(WasmExecution {
            driver: run.driver,
            test: Some(run.info),
        }),
        Err(rejection) => {
            let error = js_sys::Error::new(&rejection.message);
            error.set_name(&rejection.code);
            let _ = js_sys::Reflect::set(&error, &"code".into(), &rejection.code.as_str().into());
            Err(error.into())
        }
    }
}

fn event_json(event: &HistoryEvent) -> Value {
    event.to_json()
}

fn call_json(call: &HandlerCall, config: &ExecConfig) -> Value {
    let inv = &call.invocation;
    let kind = match &inv.kind {
        TaskKind::LambdaArn { .. } => "lambda",
        TaskKind::LambdaInvoke { .. } => "lambda:invoke",
        TaskKind::Service { .. } => "service",
        TaskKind::Activity { .. } => "activity",
    };
    json!({
        "id": call.effect,
        "handler": call.handler,
        "kind": kind,
        "input": inv.input,
        "stateName": inv.state_name,
        "resource": inv.resource,
        "taskToken": inv.task_token,
        "retryCount": inv.retry_count,
        "timeoutSeconds": inv.timeout_seconds,
        "heartbeatSeconds": inv.heartbeat_seconds,
        "executionArn": config.execution_arn(),
    })
}

fn outcome_json(outcome: &Outcome) -> Value {
    let mut out = Map::new();
    out.insert(
        "status".into(),
        Value::String(outcome.status.as_str().into()),
    );
    if let Some(output) = &outcome.output {
        out.insert("output".into(), output.clone());
    }
    if let Some(error) = &outcome.error {
        out.insert("error".into(), Value::String(error.clone()));
    }
    if let Some(cause) = &outcome.cause {
        out.insert("cause".into(), Value::String(cause.clone()));
    }
    out.insert(
        "stopDate".into(),
        Value::String(crate::exec::clock::format_iso(outcome.stop_time)),
    );
    Value::Object(out)
}

#[wasm_bindgen]
impl WasmExecution {
    /// Runs until JS must act. Returns `{events?, calls, nextTimer, now, outcome?}`;
    /// events are included only when `with_events` (onEvent streaming, stepping), and
    /// `max_events` >= 1 stops after that many events.
    pub fn drive(&mut self, with_events: bool, max_events: f64) -> JsValue {
        let limit = if max_events >= 1.0 {
            max_events as usize
        } else {
            usize::MAX
        };
        let progress = self.driver.drive_limited(limit);
        let config = self.driver.execution().config();
        let mut out = Map::new();
        if with_events {
            out.insert(
                "events".into(),
                Value::Array(
                    self.driver.history()[progress.events.clone()]
                        .iter()
                        .map(event_json)
                        .collect(),
                ),
            );
        }
        out.insert(
            "calls".into(),
            Value::Array(
                progress
                    .calls
                    .iter()
                    .map(|c| call_json(c, config))
                    .collect(),
            ),
        );
        out.insert(
            "nextTimer".into(),
            progress.next_timer.map(Value::from).unwrap_or(Value::Null),
        );
        out.insert("now".into(), Value::from(self.driver.execution().now()));
        let tokens: Vec<Value> = progress
            .tokens
            .iter()
            .map(|(id, token)| json!({"id": id, "token": token}))
            .collect();
        out.insert("tokens".into(), Value::Array(tokens));
        if let Some(outcome) = &progress.outcome {
            out.insert("outcome".into(), outcome_json(outcome));
        }
        to_js(&Value::Object(out))
    }

    #[wasm_bindgen(js_name = resumeOk)]
    pub fn resume_ok(&mut self, id: f64, value: JsValue) -> Result<(), JsValue> {
        let value = from_js(value)?;
        self.driver.resume(id as u64, EffectResult::Ok(value));
        Ok(())
    }

    /// A `.waitForTaskToken` handler returned this service response: TaskSubmitted.
    #[wasm_bindgen(js_name = taskSubmitted)]
    pub fn task_submitted(&mut self, id: f64, value: JsValue) -> Result<(), JsValue> {
        let value = from_js(value)?;
        self.driver.task_submitted(id as u64, value);
        Ok(())
    }

    pub fn heartbeat(&mut self, id: f64) {
        self.driver.heartbeat(id as u64);
    }

    #[wasm_bindgen(js_name = resumeError)]
    pub fn resume_error(&mut self, id: f64, error: String, cause: Option<String>) {
        self.driver
            .resume(id as u64, EffectResult::Err(Failure { error, cause }));
    }

    /// A Lambda function's error payload (a thrown plain object).
    #[wasm_bindgen(js_name = resumeErrorPayload)]
    pub fn resume_error_payload(&mut self, id: f64, payload: JsValue) -> Result<(), JsValue> {
        let payload = from_js(payload)?;
        self.driver
            .resume(id as u64, EffectResult::ErrorPayload(payload));
        Ok(())
    }

    #[wasm_bindgen(js_name = advanceClock)]
    pub fn advance_clock(&mut self, now: f64) {
        self.driver.advance_clock(now as i64);
    }

    pub fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        self.driver.stop(error, cause);
    }

    /// The in-memory services' state after (or during) the run, in the seed's shape.
    pub fn services(&self) -> JsValue {
        to_js(&self.driver.services.snapshot())
    }

    /// The TestState response, once the run has ended (`null` otherwise).
    #[wasm_bindgen(js_name = testResponse)]
    pub fn test_response(&self) -> JsValue {
        let execution = self.driver.execution();
        match (&self.test, execution.outcome()) {
            (Some(info), Some(outcome)) => to_js(&info.response(execution, outcome)),
            _ => JsValue::NULL,
        }
    }

    /// Every state visit with its data-flow stages (when started with `inspect`).
    pub fn inspections(&self) -> JsValue {
        let visits: Vec<Value> = self
            .driver
            .execution()
            .inspections()
            .iter()
            .map(|i| {
                let mut out = Map::new();
                out.insert("stateName".into(), Value::String(i.state_name.clone()));
                out.insert("enteredEventId".into(), Value::from(i.entered_event_id));
                if let Some(id) = i.exited_event_id {
                    out.insert("exitedEventId".into(), Value::from(id));
                }
                let language = match i.query_language {
                    crate::asl::QueryLanguage::JsonPath => "JSONPath",
                    crate::asl::QueryLanguage::Jsonata => "JSONata",
                };
                out.insert("queryLanguage".into(), Value::String(language.into()));
                out.extend(i.stages.clone());
                Value::Object(out)
            })
            .collect();
        to_js(&visits)
    }

    pub fn history(&self) -> JsValue {
        let events: Vec<Value> = self.driver.history().iter().map(event_json).collect();
        to_js(&events)
    }

    #[wasm_bindgen(getter, js_name = executionArn)]
    pub fn execution_arn(&self) -> String {
        self.driver.execution().config().execution_arn()
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.driver.execution().config().execution_name.clone()
    }

    #[wasm_bindgen(getter, js_name = startDate)]
    pub fn start_date(&self) -> String {
        crate::exec::clock::format_iso(self.driver.execution().config().start_time)
    }

    #[wasm_bindgen(getter)]
    pub fn now(&self) -> f64 {
        self.driver.execution().now() as f64
    }
}

/// `evaluateJsonata(expression, input, bindings, {maxDepth, maxSteps})` with AWS's
/// additional functions. Undefined comes back as `undefined`; errors are thrown with
/// JSONata's `.code`, `.position` and `.token`.
#[wasm_bindgen(js_name = evaluateJsonata)]
pub fn evaluate_jsonata(
    expression: &str,
    input: JsValue,
    bindings: JsValue,
    options: JsValue,
    now: f64,
    seed: f64,
) -> Result<JsValue, JsValue> {
    let input = if input.is_undefined() {
        None
    } else {
        Some(from_js(input)?)
    };
    let bindings = options_value(bindings)?;
    let options = options_value(options)?;
    let mut limits = crate::jsonata::Limits::default();
    if let Some(depth) = options.get("maxDepth").and_then(Value::as_u64) {
        limits.max_depth = depth as usize;
    }
    if let Some(steps) = options.get("maxSteps").and_then(Value::as_u64) {
        limits.max_steps = steps;
    }
    let mut rng = crate::exec::rng::Rng::new(seed as u64);
    let mut host = crate::jsonata::Host {
        now_millis: now as i64,
        rng: &mut rng,
        aws_functions: true,
    };
    let result = crate::jsonata::compile(expression)
        .and_then(|e| e.evaluate(input.as_ref(), &bindings, &mut host, &limits));
    match result {
        Ok(Some(value)) => Ok(to_js(&value)),
        Ok(None) => Ok(JsValue::UNDEFINED),
        Err(e) => {
            let error = js_sys::Error::new(&format!("{}: {}", e.code, e.message));
            error.set_name("JsonataError");
            let _ = js_sys::Reflect::set(&error, &"code".into(), &e.code.as_str().into());
            if let Some(p) = e.position {
                let _ = js_sys::Reflect::set(&error, &"position".into(), &JsValue::from(p as f64));
            }
            if let Some(t) = &e.token {
                let _ = js_sys::Reflect::set(&error, &"token".into(), &t.as_str().into());
            }
            Err(error.into())
        }
    }
}

// --- Panics -------------------------------------------------------------------------
// On wasm32-unknown-unknown a panic aborts: the instance traps (`unreachable`) and is
// left in an unknown state. js/guard.js catches the trap at every call, reads the
// message recorded here, and instantiates the module afresh; no panic is expected, this
// is the safety net that turns one into a clear `StatelabInternalError`.

thread_local! {
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs when the module is instantiated (and re-instantiated after a trap).
#[wasm_bindgen(start)]
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        LAST_PANIC.with(|slot| {
            if let Ok(mut slot) = slot.try_borrow_mut() {
                *slot = Some(message);
            }
        });
    }));
}

/// The message of the panic that trapped the instance, once (null if none).
#[wasm_bindgen(js_name = takePanicMessage)]
pub fn take_panic_message() -> Option<String> {
    LAST_PANIC.with(|slot| slot.try_borrow_mut().ok().and_then(|mut slot| slot.take()))
}

/// For tests only (not part of the public API): panics, so that the recovery in
/// js/guard.js can be proven without a real bug.
#[wasm_bindgen(js_name = debugPanic)]
pub fn debug_panic(message: &str) {
    panic!("{message}");
}
