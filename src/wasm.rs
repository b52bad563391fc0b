//! The only file that knows JS: wasm-bindgen exports that convert values and errors at
//! the edge. No logic lives here; js/api.js builds the public API on top of it.

use crate::api::{self, Definition};
use crate::asl::Machine;
use crate::exec::{EffectResult, ExecConfig, Execution, Failure, HistoryEvent, Outcome};
use crate::host::{CallSite, ClockMode, Driver, HandlerCall, Progress};
use crate::json::{stringify, write_string, write_value};
use crate::validate::{Diagnostic, MachineType, ValidateOptions};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

// Values cross the boundary as JSON text both ways: js/api.js `JSON.stringify`s what it
// passes and `JSON.parse`s what it gets. V8's JSON is much cheaper than building or
// walking JS objects property by property from wasm, and it keeps the glue small.

/// Parses JSON text that js/api.js made with `JSON.stringify`.
fn parse_json(text: &str) -> Result<Value, JsValue> {
    serde_json::from_str(text)
        .map_err(|e| misuse(&format!("expected a JSON-compatible value: {e}")))
}

/// The same, straight into the engine's value (handler results, on the hot path).
fn parse_engine_value(text: &str) -> Result<crate::value::Value, JsValue> {
    crate::value::Value::parse(text)
        .map_err(|e| misuse(&format!("expected a JSON-compatible value: {e}")))
}

/// A thrown JS error with a message (API misuse).
fn misuse(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

fn options_value(options: &str) -> Result<Map<String, Value>, JsValue> {
    match parse_json(options)? {
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

fn diagnostics_json(diagnostics: &[Diagnostic]) -> String {
    serde_json::to_string(diagnostics).unwrap_or_else(|_| "[]".into())
}

/// `validate(definition, options)`: the definition is the user's JSON text (`is_text`,
/// diagnostics get line/column ranges) or `JSON.stringify` of their object. Returns the
/// diagnostics as JSON text.
#[wasm_bindgen(js_name = validateDefinition)]
pub fn validate_definition(
    definition: &str,
    is_text: bool,
    options: &str,
) -> Result<String, JsValue> {
    let options = validate_options(&options_value(options)?)?;
    let diagnostics = if is_text {
        api::validate(Definition::Text(definition), &options)
    } else {
        api::validate(Definition::Value(&parse_json(definition)?), &options)
    };
    Ok(diagnostics_json(&diagnostics))
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
    // js/api.js parses this into the ValidationError's `diagnostics`.
    let text: JsValue = diagnostics_json(diagnostics).into();
    let _ = js_sys::Reflect::set(&error, &"diagnostics".into(), &text);
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
    /// Throws a ValidationError (with `.diagnostics` as JSON text) for a definition AWS
    /// would reject. `definition` as in `validateDefinition`.
    #[wasm_bindgen(constructor)]
    pub fn new(definition: &str, is_text: bool, options: &str) -> Result<WasmMachine, JsValue> {
        let options = options_value(options)?;
        let validate = validate_options(&options)?;
        let compiled = if is_text {
            api::compile(Definition::Text(definition), &validate)
        } else {
            api::compile(Definition::Value(&parse_json(definition)?), &validate)
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

    /// Starts an execution of the input (JSON text). Options (JSON text): name,
    /// startTime (ms), clock ("virtual"|"external"), handlerKeys (string[]),
    /// maxTransitions, seed, inspect, mocks + testCase, the services' seeds.
    pub fn start(&self, input: &str, options: &str) -> Result<WasmExecution, JsValue> {
        // Straight into the engine's value type (serde_json's parser and errors).
        let input = crate::value::Value::parse(input)
            .map_err(|e| misuse(&format!("expected a JSON-compatible value: {e}")))?;
        let options = options_value(options)?;
        let text_len = input.text_len();
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
        Ok(WasmExecution::new(driver, None))
    }
}

#[wasm_bindgen]
pub struct WasmExecution {
    driver: Driver,
    /// Set for a TestState call: what its response needs.
    test: Option<crate::test_state::TestInfo>,
    /// Scratch memory shared with js/api.js for the handler loop (`resumeIo`, `driveIo`):
    /// JS writes a handler's result (JSON text) into `io_in` and reads the progress from
    /// `io_out` in place. Passing and returning Strings instead cost a malloc, a free and
    /// a TextDecoder call per crossing, more than the rest of the JS side of a call.
    io_in: Vec<u8>,
    io_out: String,
    /// Where `io_out` was when JS last asked (`ioOutput`): JS reads there until it moves.
    io_out_at: usize,
    /// The numbers of a compact progress (`write_compact`), read by JS as a
    /// Float64Array: parsing them from text cost more than the rest of a call's reading.
    /// Its length never changes, so it never moves.
    io_numbers: Vec<f64>,
    /// A drive's progress, kept for its buffers (see `Driver::drive_into`).
    io_progress: Progress,
}

/// A progress with more handler calls than this is written in full (JSON). js/api.js
/// sizes its view of `io_numbers` by it (`NUMBERS_LENGTH`): change both together.
const COMPACT_MAX_CALLS: usize = 64;
/// `io_numbers`: the header (compact?, now, nextTimer, number of calls), then per call
/// its effect id, site, retryCount, timeoutSeconds, heartbeatSeconds and the byte
/// length of its input (in `io_out`). NaN stands for none.
const NUMBERS_HEADER: usize = 4;
const NUMBERS_PER_CALL: usize = 6;

impl WasmExecution {
    fn new(driver: Driver, test: Option<crate::test_state::TestInfo>) -> Self {
        WasmExecution {
            driver,
            test,
            io_in: Vec::new(),
            io_out: String::new(),
            io_out_at: 0,
            io_numbers: vec![0.0; NUMBERS_HEADER + NUMBERS_PER_CALL * COMPACT_MAX_CALLS],
            io_progress: Progress::default(),
        }
    }

    /// The progress of a drive (see `driveIo`), written into `out`.
    fn write_progress(&mut self, out: &mut String, with_events: bool, max_events: f64) {
        let limit = if max_events >= 1.0 {
            max_events as usize
        } else {
            usize::MAX
        };
        // Reused for its buffers (`drive_into` clears it first).
        let mut progress = std::mem::take(&mut self.io_progress);
        self.driver.drive_into(limit, &mut progress);
        self.write_progress_of(out, &progress, with_events);
        self.io_progress = progress;
    }

    /// Writes `progress` for JS: compact (see `write_compact`) or in full (JSON).
    fn write_progress_of(&mut self, out: &mut String, progress: &Progress, with_events: bool) {
        let now = self.driver.execution().now();
        let compact = !with_events
            && progress.tokens.is_empty()
            && progress.outcome.is_none()
            && progress.calls.len() <= COMPACT_MAX_CALLS
            && progress
                .calls
                .iter()
                .all(|c| c.invocation.task_token.is_none());
        if let Some(kind) = self.io_numbers.first_mut() {
            *kind = if compact { 1.0 } else { 0.0 };
        }
        if compact {
            write_compact(out, &mut self.io_numbers, progress, now);
            return;
        }
        let mut o = JsonObject::new(out);
        if with_events {
            let events = self.driver.history().range(progress.events.clone());
            json_array(o.key("events"), events, write_event);
        }
        let driver = &self.driver;
        json_array(o.key("calls"), &progress.calls, |out, call| {
            // Every call's site exists: the driver made it before handing the call out.
            if let Some(site) = driver.site(call.site) {
                write_call(out, call, site);
            }
        });
        o.optional("nextTimer", progress.next_timer);
        o.number("now", now);
        json_array(o.key("tokens"), &progress.tokens, |out, (id, token)| {
            let mut t = JsonObject::new(out);
            t.number("id", id);
            t.str("token", token);
            t.end();
        });
        if let Some(outcome) = &progress.outcome {
            write_outcome(o.key("outcome"), outcome);
        }
        o.end();
    }
}

/// `testState(request, handlerKeys)` (both JSON text): a run driven like an execution
/// (same protocol); `testResponse()` gives AWS's TestState response at the end. A
/// request AWS would reject throws an error with `.code` = AWS's exception name.
#[wasm_bindgen(js_name = testState)]
pub fn test_state(request: &str, handler_keys: &str) -> Result<WasmExecution, JsValue> {
    let request = parse_json(request)?;
    let keys: HashSet<String> = match parse_json(handler_keys)? {
        Value::Array(keys) => keys
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => HashSet::new(),
    };
    match crate::test_state::start(&request, keys) {
        Ok(run) => Ok(WasmExecution::new(run.driver, Some(run.info))),
        Err(rejection) => {
            let error = js_sys::Error::new(&rejection.message);
            error.set_name(&rejection.code);
            let _ = js_sys::Reflect::set(&error, &"code".into(), &rejection.code.as_str().into());
            Err(error.into())
        }
    }
}

/// Writes `{"key":value,...}` into a String, so that the progress of `drive()` needs no
/// intermediate `serde_json::Value` (nor copies of the payloads it holds).
struct JsonObject<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> JsonObject<'a> {
    fn new(out: &'a mut String) -> Self {
        JsonObject { out, empty: true }
    }

    /// Starts a field; the caller writes its value. Keys are our own ASCII names
    /// (and AWS's stage names), which need no escaping.
    fn key(&mut self, key: &str) -> &mut String {
        self.out.push_str(if self.empty { "{\"" } else { ",\"" });
        self.empty = false;
        self.out.push_str(key);
        self.out.push_str("\":");
        self.out
    }

    fn raw(&mut self, key: &str, json: &str) {
        self.key(key).push_str(json);
    }

    fn str(&mut self, key: &str, value: &str) {
        write_string(self.key(key), value);
    }

    fn value(&mut self, key: &str, value: &Value) {
        write_value(self.key(key), value);
    }

    fn engine_value(&mut self, key: &str, value: &crate::value::Value) {
        let out = self.key(key);
        // The length is cached on the value's nodes (the payload check computed it).
        out.reserve(value.text_len());
        value.write(out);
    }

    fn number<N: std::fmt::Display>(&mut self, key: &str, value: N) {
        let out = self.key(key);
        let _ = std::fmt::Write::write_fmt(out, format_args!("{value}"));
    }

    fn optional<N: std::fmt::Display>(&mut self, key: &str, value: Option<N>) {
        match value {
            Some(n) => self.number(key, n),
            None => self.raw(key, "null"),
        }
    }

    fn end(self) {
        self.out.push_str(if self.empty { "{}" } else { "}" });
    }
}

/// Writes `[item,...]`, each item by `write`.
fn json_array<'a, T: 'a>(
    out: &mut String,
    items: impl IntoIterator<Item = &'a T>,
    mut write: impl FnMut(&mut String, &T),
) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(out, item);
    }
    out.push(']');
}

fn write_event(out: &mut String, event: &HistoryEvent) {
    out.push_str(&stringify(&event.to_json()));
}

/// One handler call. js/api.js adds what is the same for every call of the execution
/// (its ARN).
fn write_call(out: &mut String, call: &HandlerCall, site: &CallSite) {
    let inv = &call.invocation;
    let mut o = JsonObject::new(out);
    o.number("id", call.effect);
    o.number("site", call.site);
    o.str("handler", &call.handler);
    o.str("kind", site.kind);
    o.engine_value("input", &inv.input);
    o.str("stateName", &inv.state_name);
    o.str("resource", &inv.resource);
    match &inv.task_token {
        Some(token) => o.str("taskToken", token),
        None => o.raw("taskToken", "null"),
    }
    o.number("retryCount", inv.retry_count);
    o.optional("timeoutSeconds", inv.timeout_seconds);
    o.optional("heartbeatSeconds", inv.heartbeat_seconds);
    o.end();
}

/// `{handler, kind, stateName, resource}` of a call site, for js/api.js's cache.
fn write_site(out: &mut String, site: &CallSite) {
    let mut o = JsonObject::new(out);
    o.str("handler", site.handler.as_deref().unwrap_or(""));
    o.str("kind", site.kind);
    o.str("stateName", &site.state_name);
    o.str("resource", &site.resource);
    o.end();
}

/// The common progress of a Task loop (handler calls, nothing else to report), which
/// js/api.js reads without a JSON parse of its own: the numbers go into `numbers` (see
/// `NUMBERS_HEADER`), the calls' inputs one after the other into `out` as compact JSON.
/// What is the same for every call of a site comes once from `site()`.
fn write_compact(out: &mut String, numbers: &mut [f64], progress: &Progress, now: i64) {
    let none = f64::NAN;
    // numbers[0], compact or not, is `write_progress_of`'s to set.
    let header = [
        now as f64,
        progress.next_timer.map_or(none, |t| t as f64),
        progress.calls.len() as f64,
    ];
    let mut slots = numbers.iter_mut().skip(1);
    // The values first: zip asks its first iterator first, and a slot taken after the
    // values ran out would be lost.
    for (n, slot) in header.into_iter().zip(&mut slots) {
        *slot = n;
    }
    for call in &progress.calls {
        let inv = &call.invocation;
        let start = out.len();
        inv.input.write(out);
        let fields = [
            call.effect as f64,
            call.site as f64,
            f64::from(inv.retry_count),
            inv.timeout_seconds.map_or(none, |s| s as f64),
            inv.heartbeat_seconds.map_or(none, |s| s as f64),
            (out.len() - start) as f64,
        ];
        for (n, slot) in fields.into_iter().zip(&mut slots) {
            *slot = n;
        }
    }
}

fn write_outcome(out: &mut String, outcome: &Outcome) {
    let mut o = JsonObject::new(out);
    o.str("status", outcome.status.as_str());
    if let Some(output) = &outcome.output {
        o.engine_value("output", output);
    }
    if let Some(error) = &outcome.error {
        o.str("error", error);
    }
    if let Some(cause) = &outcome.cause {
        o.str("cause", cause);
    }
    o.str(
        "stopDate",
        &crate::exec::clock::format_iso(outcome.stop_time),
    );
    o.end();
}

#[wasm_bindgen]
impl WasmExecution {
    /// Runs until JS must act and writes what JS must do into the output buffer,
    /// everything ready in one crossing; returns its length in bytes, or `-1 - length`
    /// when the buffer moved (then `ioOutput()` says where it is now). Usually the short
    /// text of `write_compact` (it starts with a digit); otherwise (events, tokens, an
    /// outcome, task-token calls) JSON text of `{events?, calls, nextTimer, now, tokens,
    /// outcome?}`. Events are included only when `with_events` (onEvent streaming,
    /// stepping), and `max_events` >= 1 stops after that many events.
    #[wasm_bindgen(js_name = driveIo)]
    pub fn drive_io(&mut self, with_events: bool, max_events: f64) -> f64 {
        let mut out = std::mem::take(&mut self.io_out);
        out.clear();
        if out.capacity() > 1 << 16 {
            // A large progress (a batch of events, big inputs) is not kept for good.
            out = String::new();
        }
        self.write_progress(&mut out, with_events, max_events);
        let moved = out.as_ptr() as usize != self.io_out_at;
        let len = out.len() as f64;
        self.io_out = out;
        if moved {
            -1.0 - len
        } else {
            len
        }
    }

    /// The address of the output buffer of `driveIo`/`resumeIo` in wasm memory.
    #[wasm_bindgen(js_name = ioOutput)]
    pub fn io_output(&mut self) -> u32 {
        self.io_out_at = self.io_out.as_ptr() as usize;
        self.io_out_at as u32
    }

    /// The address of the numbers of a compact progress (`write_compact`): 4 + 6 * 64
    /// f64s that never move.
    #[wasm_bindgen(js_name = ioNumbers)]
    pub fn io_numbers(&self) -> u32 {
        self.io_numbers.as_ptr() as u32
    }

    /// The address of the input buffer, grown to at least `len` bytes: where JS writes a
    /// handler's result for `resumeIo`. (It moves only when it grows.)
    #[wasm_bindgen(js_name = ioInput)]
    pub fn io_input(&mut self, len: u32) -> u32 {
        if self.io_in.len() < len as usize {
            self.io_in.resize(len as usize, 0);
        }
        self.io_in.as_mut_ptr() as u32
    }

    /// The wasm memory the buffers live in (this execution's module instance).
    #[wasm_bindgen(js_name = ioMemory)]
    pub fn io_memory(&self) -> JsValue {
        wasm_bindgen::memory()
    }

    /// A handler's result, the first `len` bytes of the input buffer (JSON text), then
    /// `driveIo`, in one crossing: the common step of a Task loop. A result that does not
    /// parse fails the task (States.Runtime) as js/api.js does for `resumeOk`.
    #[wasm_bindgen(js_name = resumeIo)]
    pub fn resume_io(&mut self, id: f64, len: u32, with_events: bool, max_events: f64) -> f64 {
        let bytes = self.io_in.get(..len as usize).unwrap_or_default();
        // JS writes UTF-8 (its own writer or TextEncoder), mostly ASCII: checked as such
        // first, which costs a fraction of a full UTF-8 validation for a short result.
        let text = if bytes.is_ascii() {
            // SAFETY: ASCII bytes are valid UTF-8.
            unsafe { std::str::from_utf8_unchecked(bytes) }
        } else {
            std::str::from_utf8(bytes).unwrap_or_default()
        };
        let result = match crate::value::Value::parse(text) {
            Ok(value) => EffectResult::Ok(value),
            Err(e) => EffectResult::Err(Failure::new(
                "States.Runtime",
                format!("The handler's result is not JSON-serialisable: expected a JSON-compatible value: {e}"),
            )),
        };
        self.driver.resume(id as u64, result);
        self.drive_io(with_events, max_events)
    }

    /// What is the same for every call from the site a call names (JSON text of
    /// `{handler, kind, stateName, resource}`); js/api.js asks once per site.
    pub fn site(&self, index: f64) -> Result<String, JsValue> {
        let site = self
            .driver
            .site(index as usize)
            .ok_or_else(|| misuse(&format!("no call site {index}")))?;
        let mut out = String::new();
        write_site(&mut out, site);
        Ok(out)
    }

    /// A handler's result (JSON text).
    #[wasm_bindgen(js_name = resumeOk)]
    pub fn resume_ok(&mut self, id: f64, value: &str) -> Result<(), JsValue> {
        let value = parse_engine_value(value)?;
        self.driver.resume(id as u64, EffectResult::Ok(value));
        Ok(())
    }

    /// A `.waitForTaskToken` handler returned this service response (JSON text):
    /// TaskSubmitted.
    #[wasm_bindgen(js_name = taskSubmitted)]
    pub fn task_submitted(&mut self, id: f64, value: &str) -> Result<(), JsValue> {
        let value = parse_engine_value(value)?;
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

    /// A Lambda function's error payload (a thrown plain object, JSON text).
    #[wasm_bindgen(js_name = resumeErrorPayload)]
    pub fn resume_error_payload(&mut self, id: f64, payload: &str) -> Result<(), JsValue> {
        let payload = parse_json(payload)?;
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

    /// The in-memory services' state after (or during) the run, in the seed's shape
    /// (JSON text).
    pub fn services(&self) -> String {
        stringify(&self.driver.services.snapshot())
    }

    /// The TestState response (JSON text), once the run has ended (`null` otherwise).
    #[wasm_bindgen(js_name = testResponse)]
    pub fn test_response(&self) -> String {
        let execution = self.driver.execution();
        match (&self.test, execution.outcome()) {
            (Some(info), Some(outcome)) => stringify(&info.response(execution, outcome)),
            _ => "null".into(),
        }
    }

    /// Every state visit with its data-flow stages (when started with `inspect`), as
    /// JSON text.
    pub fn inspections(&self) -> String {
        let mut out = String::new();
        let inspections = self.driver.execution().inspections();
        json_array(&mut out, inspections, |out, i| {
            let mut o = JsonObject::new(out);
            o.str("stateName", &i.state_name);
            o.number("enteredEventId", i.entered_event_id);
            if let Some(id) = i.exited_event_id {
                o.number("exitedEventId", id);
            }
            let language = match i.query_language {
                crate::asl::QueryLanguage::JsonPath => "JSONPath",
                crate::asl::QueryLanguage::Jsonata => "JSONata",
            };
            o.str("queryLanguage", language);
            for (stage, value) in &i.stages {
                o.value(stage, value);
            }
            o.end();
        });
        out
    }

    /// The whole history as JSON text.
    pub fn history(&self) -> String {
        let mut out = String::new();
        json_array(&mut out, self.driver.history().iter(), write_event);
        out
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
/// additional functions; input (absent = undefined), bindings, options and the result
/// are JSON text. Undefined comes back as `undefined`; errors are thrown with JSONata's
/// `.code`, `.position` and `.token`.
#[wasm_bindgen(js_name = evaluateJsonata)]
pub fn evaluate_jsonata(
    expression: &str,
    input: Option<String>,
    bindings: &str,
    options: &str,
    now: f64,
    seed: f64,
) -> Result<Option<String>, JsValue> {
    let input = match input {
        Some(text) => Some(parse_json(&text)?),
        None => None,
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
        Ok(Some(value)) => Ok(Some(stringify(&value))),
        Ok(None) => Ok(None),
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
