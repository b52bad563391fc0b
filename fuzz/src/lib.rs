//! The fuzz targets' entry points, one function per target. They are shared by the
//! cargo-fuzz binaries (fuzz_targets/*.rs, nightly + libFuzzer) and by the main crate's
//! `tests/fuzz_regressions.rs`, which replays every kept crash input on stable: a fix is
//! proven by the same code path that found the crash.
//!
//! A target "passes" an input when it returns: every error must be a value (diagnostic,
//! failure, JSONata error), never a panic, a hang or a stack overflow.

use arbitrary::{Arbitrary, Unstructured};
use serde_json::{json, Map, Value};
use statelab::api::{self, Definition};
use statelab::exec::rng::Rng;
use statelab::exec::{EffectResult, ExecConfig, Failure};
use statelab::path::Env;
use statelab::validate::{MachineType, ValidateOptions};

/// Splits an input into its first line (an expression, a path) and the rest (JSON).
fn split_line(data: &[u8]) -> Option<(&str, Value)> {
    let text = std::str::from_utf8(data).ok()?;
    let (head, rest) = text.split_once('\n').unwrap_or((text, "null"));
    let input = statelab::parse::parse_text(rest)
        .map(|parsed| parsed.value)
        .unwrap_or(Value::Null);
    Some((head, input))
}

fn options(express: bool) -> ValidateOptions {
    ValidateOptions {
        machine_type: if express {
            MachineType::Express
        } else {
            MachineType::Standard
        },
    }
}

/// Definition text: parse, validate (both machine types), then build what is valid.
pub fn parse_validate(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for express in [false, true] {
        let _ = api::validate(Definition::Text(text), &options(express));
        if let Ok(parsed) = statelab::parse::parse_text(text) {
            // The object path (what a JS object definition takes) must agree it is safe too.
            let _ = api::validate(Definition::Value(&parsed.value), &options(express));
        }
        let _ = api::compile(Definition::Text(text), &options(express));
    }
}

fn context() -> Value {
    json!({
        "Execution": {"Id": "arn:aws:states:us-east-1:111111111111:execution:M:e", "Input": {}},
        "State": {"Name": "S", "EnteredTime": "2024-01-01T00:00:00Z"},
        "Map": {"Item": {"Index": 0, "Value": 1}}
    })
}

fn variables() -> Map<String, Value> {
    let mut vars = Map::new();
    vars.insert("x".into(), json!({"a": [1, 2, {"b": "c"}]}));
    vars.insert("n".into(), json!(3));
    vars
}

/// [`variables`] as the JSONPath evaluator holds them.
fn engine_variables() -> statelab::value::Map {
    variables()
        .into_iter()
        .map(|(k, v)| (k, statelab::value::Value::from(v)))
        .collect()
}

/// First line: a JSONPath (or reference path); the rest: the input JSON. Every path API.
pub fn jsonpath(data: &[u8]) {
    let Some((path, input)) = split_line(data) else {
        return;
    };
    let context = statelab::value::Value::from(context());
    let variables = engine_variables();
    let input = statelab::value::Value::from(input);
    let mut rng = Rng::new(1);
    let mut env = Env {
        context: &context,
        variables: &variables,
        rng: &mut rng,
    };
    let _ = statelab::path::select(path, &input, &env);
    let _ = statelab::path::select_opt(path, &input, &env);
    let _ =
        statelab::path::apply_result_path(Some(path), input.clone(), statelab::value!({"r": 1}));
    let template = json!({"a.$": path, "b": [{"c.$": path}], "d": "x"});
    let _ = statelab::path::apply_template(&template, &input, &mut env);
    // The same text as a Choice rule's Variable and as a template of its own.
    let rule = json!({"Variable": path, "IsPresent": true, "Next": "N"});
    let _ = statelab::choice::evaluate_rule(&rule, &input, &env);
    let rule = json!({"Variable": "$", "StringMatches": path, "Next": "N"});
    let _ = statelab::choice::evaluate_rule(&rule, &input, &env);
    if let Ok(parsed) = statelab::parse::parse_text(path) {
        let _ = statelab::path::apply_template(&parsed.value, &input, &mut env);
        let _ = statelab::choice::evaluate_rule(&parsed.value, &input, &env);
    }
}

/// First line: an intrinsic call (`States.Format(...)`); the rest: the input JSON.
pub fn intrinsic(data: &[u8]) {
    let Some((call, input)) = split_line(data) else {
        return;
    };
    let context = statelab::value::Value::from(context());
    let variables = engine_variables();
    let input = statelab::value::Value::from(input);
    let mut rng = Rng::new(2);
    let mut env = Env {
        context: &context,
        variables: &variables,
        rng: &mut rng,
    };
    let _ = statelab::intrinsic::evaluate(call, &input, &mut env);
    let _ = statelab::intrinsic::evaluate_in_field(call, "f.$", &input, &mut env);
}

/// Budget for fuzzed JSONata: small enough that every input finishes in milliseconds.
fn jsonata_limits() -> statelab::jsonata::Limits {
    statelab::jsonata::Limits {
        max_depth: 200,
        max_steps: 200_000,
    }
}

/// First line: a JSONata expression; the rest: the input JSON. Parse, then evaluate
/// with and without AWS's functions, under a step/depth budget.
pub fn jsonata(data: &[u8]) {
    let Some((expression, input)) = split_line(data) else {
        return;
    };
    let _ = statelab::validate::check_jsonata(expression);
    let Ok(compiled) = statelab::jsonata::compile(expression) else {
        return;
    };
    let mut bindings = variables();
    bindings.insert(
        "states".into(),
        json!({"input": input.clone(), "context": context()}),
    );
    for aws_functions in [true, false] {
        let mut rng = Rng::new(3);
        let mut host = statelab::jsonata::Host {
            now_millis: 1_700_000_000_000,
            rng: &mut rng,
            aws_functions,
        };
        let _ = compiled.evaluate(Some(&input), &bindings, &mut host, &jsonata_limits());
    }
}

// ---------------------------------------------------------------------------------------
// Whole executions from generated definitions
// ---------------------------------------------------------------------------------------

/// A small JSON value.
#[derive(Arbitrary, Debug)]
enum GenValue {
    Null,
    Bool(bool),
    Int(i16),
    Float(f32),
    Text(Pick<8>),
    Array(Vec<GenValue>),
    Object(Vec<(Pick<8>, GenValue)>),
}

/// An index into a fixed list (of keys, paths, expressions), or arbitrary text.
#[derive(Arbitrary, Debug)]
enum Pick<const N: usize> {
    Listed(u8),
    Text(String),
}

impl<const N: usize> Pick<N> {
    fn from<'a>(&'a self, list: &[&'a str]) -> String {
        match self {
            Pick::Listed(i) => list[*i as usize % list.len()].to_string(),
            Pick::Text(text) => text.clone(),
        }
    }
}

const KEYS: &[&str] = &["a", "b", "items", "n", "s", "arr", "__proto__", "x y"];
const PATHS: &[&str] = &[
    "$",
    "$.a",
    "$.items",
    "$.a.b",
    "$.arr[0]",
    "$.arr[-1:]",
    "$..b",
    "$.items[*].a",
    "$.items[?(@.n > 1)]",
    "$.n",
    "$$.Execution.Id",
    "$$.Map.Item.Value",
    "$$.State.RetryCount",
    "$x",
    "$x.a",
    "$.missing",
];
const RESULT_PATHS: &[&str] = &["$", "$.a", "$.r", "$.a.b.c", "$.arr[0]", "$.n"];
const INTRINSICS: &[&str] = &[
    "States.Format('{} and {}', $.a, $.n)",
    "States.StringToJson($.s)",
    "States.JsonToString($)",
    "States.Array($.a, $.n, 1)",
    "States.ArrayPartition($.arr, 2)",
    "States.ArrayContains($.arr, $.n)",
    "States.ArrayRange(1, $.n, 1)",
    "States.ArrayGetItem($.arr, $.n)",
    "States.ArrayLength($.arr)",
    "States.ArrayUnique($.arr)",
    "States.Base64Encode($.s)",
    "States.Base64Decode($.s)",
    "States.Hash($.s, 'SHA-256')",
    "States.JsonMerge($.a, $.b, false)",
    "States.MathRandom(1, $.n)",
    "States.MathAdd($.n, -1)",
    "States.StringSplit($.s, ',')",
    "States.UUID()",
];
const JSONATA: &[&str] = &[
    "$states.input",
    "$states.input.a",
    "$states.result",
    "$states.errorOutput",
    "$count($states.input.arr)",
    "$states.input.n + 1",
    "$x",
    "{'a': $states.input.a, 'u': $uuid(), 'r': $random()}",
    "$map($states.input.arr, function($v) { $v * 2 })",
    "$states.context.Execution.Id",
    "$string($states.input)",
    "$partition([1,2,3,4], 2)",
    "$range(0, 10, 2)",
    "$parse('{\"a\": 1}')",
    "$hash('x', 'SHA-256')",
    "[1..$states.input.n]",
];
const ERRORS: &[&str] = &[
    "States.ALL",
    "States.TaskFailed",
    "States.Timeout",
    "States.Runtime",
    "Custom",
    "States.HeartbeatTimeout",
];
const RESOURCES: &[&str] = &[
    "arn:aws:lambda:us-east-1:111111111111:function:f",
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::sqs:sendMessage",
    "arn:aws:states:::s3:getObject",
    "arn:aws:states:us-east-1:111111111111:activity:a",
    "arn:aws:states:::dynamodb:getItem",
];

/// A generated state machine: a handful of states of every type, nested at most twice.
#[derive(Arbitrary, Debug)]
pub struct GenMachine {
    jsonata: bool,
    states: Vec<GenState>,
    input: GenValue,
    /// What the handlers answer, in turn.
    answers: Vec<GenAnswer>,
    seed: u64,
}

#[derive(Arbitrary, Debug)]
enum GenAnswer {
    Value(GenValue),
    Error(Pick<6>),
}

#[derive(Arbitrary, Debug)]
struct GenState {
    kind: GenKind,
    /// Index of the Next state (modulo the count); `None` ends.
    next: Option<u8>,
    input_path: Option<Pick<16>>,
    output_path: Option<Pick<16>>,
    result_path: Option<Pick<6>>,
    parameters: Option<Vec<(Pick<8>, GenTemplateValue)>>,
    assign: Option<Vec<(Pick<8>, GenTemplateValue)>>,
    output: Option<GenTemplateValue>,
}

#[derive(Arbitrary, Debug)]
enum GenTemplateValue {
    Path(Pick<16>),
    Intrinsic(Pick<18>),
    Jsonata(Pick<16>),
    Literal(GenValue),
}

#[derive(Arbitrary, Debug)]
enum GenKind {
    Pass {
        result: Option<GenValue>,
    },
    Task {
        resource: Pick<7>,
        timeout: Option<u8>,
        heartbeat: Option<u8>,
        retry: Vec<GenRetry>,
        catch: Vec<(Pick<6>, u8)>,
    },
    Choice {
        rules: Vec<GenRule>,
        default: Option<u8>,
    },
    Wait {
        seconds: u16,
        seconds_path: Option<Pick<16>>,
    },
    Succeed,
    Fail {
        error: Option<Pick<6>>,
        cause: Option<String>,
    },
    Parallel {
        branches: Vec<Vec<GenState>>,
    },
    Map {
        items_path: Option<Pick<16>>,
        max_concurrency: Option<u8>,
        iterator: Vec<GenState>,
        tolerated: Option<u8>,
    },
}

#[derive(Arbitrary, Debug)]
struct GenRetry {
    errors: Vec<Pick<6>>,
    interval: Option<u8>,
    max_attempts: Option<u8>,
    backoff: Option<u8>,
    max_delay: Option<u16>,
    jitter: bool,
}

#[derive(Arbitrary, Debug)]
struct GenRule {
    variable: Pick<16>,
    operator: u8,
    operand: GenValue,
    condition: Pick<16>,
    next: u8,
}

const OPERATORS: &[&str] = &[
    "StringEquals",
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThanEqualsPath",
    "BooleanEquals",
    "StringMatches",
    "IsPresent",
    "IsNull",
    "IsNumeric",
    "TimestampLessThan",
    "StringLessThanEqualsPath",
];

impl GenValue {
    fn to_json(&self) -> Value {
        match self {
            GenValue::Null => Value::Null,
            GenValue::Bool(b) => Value::Bool(*b),
            GenValue::Int(n) => json!(n),
            GenValue::Float(f) => serde_json::Number::from_f64(*f as f64)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            GenValue::Text(t) => Value::String(t.from(&[
                "",
                "a,b,c",
                "{\"a\":1}",
                "aGk=",
                "2024-01-01T00:00:00Z",
                "x",
                "1",
                "<script>",
            ])),
            GenValue::Array(items) => Value::Array(items.iter().map(GenValue::to_json).collect()),
            GenValue::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.from(KEYS), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Builds the definition JSON; `depth` counts Parallel/Map nesting.
struct Builder {
    jsonata: bool,
}

impl Builder {
    fn template_value(&self, value: &GenTemplateValue) -> (bool, Value) {
        match value {
            GenTemplateValue::Path(p) => (true, Value::String(p.from(PATHS))),
            GenTemplateValue::Intrinsic(p) => (true, Value::String(p.from(INTRINSICS))),
            GenTemplateValue::Jsonata(p) => {
                (false, Value::String(format!("{{% {} %}}", p.from(JSONATA))))
            }
            GenTemplateValue::Literal(v) => (false, v.to_json()),
        }
    }

    fn template(&self, entries: &[(Pick<8>, GenTemplateValue)]) -> Value {
        let mut map = Map::new();
        for (key, value) in entries {
            let (dynamic, value) = self.template_value(value);
            let key = key.from(KEYS);
            let key = if dynamic && !self.jsonata {
                format!("{key}.$")
            } else {
                key
            };
            map.insert(key, value);
        }
        Value::Object(map)
    }

    fn states(&self, states: &[GenState], depth: usize) -> Value {
        let states = &states[..states.len().min(6)];
        let names: Vec<String> = (0..states.len().max(1)).map(|i| format!("S{i}")).collect();
        let mut out = Map::new();
        if states.is_empty() {
            out.insert("S0".into(), json!({"Type": "Succeed"}));
        }
        for (i, state) in states.iter().enumerate() {
            out.insert(names[i].clone(), self.state(state, &names, depth));
        }
        json!({"StartAt": "S0", "States": out})
    }

    fn state(&self, state: &GenState, names: &[String], depth: usize) -> Value {
        let target = |i: u8| Value::String(names[i as usize % names.len()].clone());
        let mut s = Map::new();
        let terminal = matches!(
            state.kind,
            GenKind::Succeed | GenKind::Fail { .. } | GenKind::Choice { .. }
        );
        match &state.kind {
            GenKind::Pass { result } => {
                s.insert("Type".into(), "Pass".into());
                if let (Some(result), false) = (result, self.jsonata) {
                    s.insert("Result".into(), result.to_json());
                }
            }
            GenKind::Task {
                resource,
                timeout,
                heartbeat,
                retry,
                catch,
            } => {
                s.insert("Type".into(), "Task".into());
                let resource = resource.from(RESOURCES);
                if resource.ends_with("waitForTaskToken") {
                    let token = if self.jsonata {
                        json!("{% $states.context.Task.Token %}")
                    } else {
                        json!("$$.Task.Token")
                    };
                    let key = if self.jsonata {
                        "Arguments"
                    } else {
                        "Parameters"
                    };
                    let field = if self.jsonata { "Token" } else { "Token.$" };
                    s.insert(
                        key.into(),
                        json!({"FunctionName": "f", "Payload": {field: token}}),
                    );
                }
                s.insert("Resource".into(), resource.into());
                if let Some(t) = timeout {
                    s.insert("TimeoutSeconds".into(), json!(*t as u32 + 1));
                }
                if let Some(h) = heartbeat {
                    s.insert("HeartbeatSeconds".into(), json!(*h as u32 + 1));
                }
                let retriers: Vec<Value> = retry
                    .iter()
                    .take(3)
                    .map(|r| {
                        let mut m = Map::new();
                        m.insert(
                            "ErrorEquals".into(),
                            json!(r
                                .errors
                                .iter()
                                .take(3)
                                .map(|e| e.from(ERRORS))
                                .collect::<Vec<_>>()),
                        );
                        if let Some(i) = r.interval {
                            m.insert("IntervalSeconds".into(), json!(i));
                        }
                        if let Some(a) = r.max_attempts {
                            m.insert("MaxAttempts".into(), json!(a % 5));
                        }
                        if let Some(b) = r.backoff {
                            m.insert("BackoffRate".into(), json!(1.0 + (b % 4) as f64 / 2.0));
                        }
                        if let Some(d) = r.max_delay {
                            m.insert("MaxDelaySeconds".into(), json!(d as u32 + 1));
                        }
                        if r.jitter {
                            m.insert("JitterStrategy".into(), "FULL".into());
                        }
                        Value::Object(m)
                    })
                    .collect();
                if !retriers.is_empty() {
                    s.insert("Retry".into(), Value::Array(retriers));
                }
                let catchers: Vec<Value> = catch
                    .iter()
                    .take(3)
                    .map(
                        |(e, next)| json!({"ErrorEquals": [e.from(ERRORS)], "Next": target(*next)}),
                    )
                    .collect();
                if !catchers.is_empty() {
                    s.insert("Catch".into(), Value::Array(catchers));
                }
            }
            GenKind::Choice { rules, default } => {
                s.insert("Type".into(), "Choice".into());
                let choices: Vec<Value> = rules.iter().take(4).map(|r| {
                    if self.jsonata {
                        json!({"Condition": format!("{{% {} %}}", r.condition.from(JSONATA)), "Next": target(r.next)})
                    } else {
                        let operator = OPERATORS[r.operator as usize % OPERATORS.len()];
                        let operand = if operator.ends_with("Path") {
                            Value::String(r.condition.from(PATHS))
                        } else {
                            r.operand.to_json()
                        };
                        json!({"Variable": r.variable.from(PATHS), operator: operand, "Next": target(r.next)})
                    }
                }).collect();
                s.insert("Choices".into(), Value::Array(choices));
                if let Some(d) = default {
                    s.insert("Default".into(), target(*d));
                }
            }
            GenKind::Wait {
                seconds,
                seconds_path,
            } => {
                s.insert("Type".into(), "Wait".into());
                match (seconds_path, self.jsonata) {
                    (Some(p), false) => s.insert("SecondsPath".into(), p.from(PATHS).into()),
                    (Some(p), true) => s.insert(
                        "Seconds".into(),
                        format!("{{% {} %}}", p.from(JSONATA)).into(),
                    ),
                    (None, _) => s.insert("Seconds".into(), json!(seconds)),
                };
            }
            GenKind::Succeed => {
                s.insert("Type".into(), "Succeed".into());
            }
            GenKind::Fail { error, cause } => {
                s.insert("Type".into(), "Fail".into());
                if let Some(e) = error {
                    s.insert("Error".into(), e.from(ERRORS).into());
                }
                if let Some(c) = cause {
                    s.insert("Cause".into(), c.clone().into());
                }
            }
            GenKind::Parallel { branches } => {
                s.insert("Type".into(), "Parallel".into());
                let branches: Vec<Value> = if depth >= 2 {
                    vec![json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})]
                } else {
                    branches
                        .iter()
                        .take(3)
                        .map(|b| self.states(b, depth + 1))
                        .collect()
                };
                s.insert("Branches".into(), Value::Array(branches));
            }
            GenKind::Map {
                items_path,
                max_concurrency,
                iterator,
                tolerated,
            } => {
                s.insert("Type".into(), "Map".into());
                if let Some(p) = items_path {
                    if self.jsonata {
                        s.insert(
                            "Items".into(),
                            format!("{{% {} %}}", p.from(JSONATA)).into(),
                        );
                    } else {
                        s.insert("ItemsPath".into(), p.from(PATHS).into());
                    }
                }
                if let Some(m) = max_concurrency {
                    s.insert("MaxConcurrency".into(), json!(m % 4));
                }
                if let Some(t) = tolerated {
                    s.insert("ToleratedFailurePercentage".into(), json!(t % 101));
                }
                let mut processor = if depth >= 2 {
                    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})
                } else {
                    self.states(iterator, depth + 1)
                };
                processor["ProcessorConfig"] = json!({"Mode": "INLINE"});
                s.insert("ItemProcessor".into(), processor);
            }
        }
        if !terminal {
            match state.next {
                Some(i) => s.insert("Next".into(), target(i)),
                None => s.insert("End".into(), true.into()),
            };
        }
        self.data_fields(state, &mut s);
        Value::Object(s)
    }

    /// The data-flow fields, for the query language of the machine (AWS rejects the
    /// other language's fields, which validation catches and which is fine to fuzz too).
    fn data_fields(&self, state: &GenState, s: &mut Map<String, Value>) {
        let kind = s
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let is = |t: &str| kind == t;
        let flows = !is("Succeed") && !is("Fail") && !is("Choice") && !is("Wait");
        if let Some(assign) = &state.assign {
            if !is("Fail") {
                s.insert("Assign".into(), self.template(assign));
            }
        }
        if self.jsonata {
            if let (Some(output), false) = (&state.output, is("Fail")) {
                let (_, value) = self.template_value(output);
                s.insert("Output".into(), value);
            }
            if let (Some(parameters), true) = (&state.parameters, is("Task") || is("Parallel")) {
                s.insert("Arguments".into(), self.template(parameters));
            }
            return;
        }
        if is("Fail") {
            return;
        }
        if let Some(p) = &state.input_path {
            s.insert("InputPath".into(), p.from(PATHS).into());
        }
        if let Some(p) = &state.output_path {
            s.insert("OutputPath".into(), p.from(PATHS).into());
        }
        if let (Some(p), true) = (&state.result_path, flows) {
            s.insert("ResultPath".into(), p.from(RESULT_PATHS).into());
        }
        if let (Some(parameters), true) = (&state.parameters, flows) {
            let key = if is("Map") {
                "ItemSelector"
            } else {
                "Parameters"
            };
            s.insert(key.into(), self.template(parameters));
        }
    }
}

impl GenMachine {
    /// The definition as JSON (also used to write a readable regression case).
    pub fn definition(&self) -> Value {
        let builder = Builder {
            jsonata: self.jsonata,
        };
        let mut definition = builder.states(&self.states, 0);
        if self.jsonata {
            definition["QueryLanguage"] = "JSONata".into();
        }
        definition
    }
}

/// Runs a generated machine to its end: handlers answer with fixed values in turn, the
/// clock is virtual, and a small transition budget stops loops.
pub fn execution(data: &[u8]) {
    let mut unstructured = Unstructured::new(data);
    let Ok(generated) = GenMachine::arbitrary(&mut unstructured) else {
        return;
    };
    run_generated(&generated);
}

pub fn run_generated(generated: &GenMachine) {
    let definition = generated.definition();
    for express in [false, true] {
        let _ = api::validate(Definition::Value(&definition), &options(express));
    }
    let Ok(machine) = api::compile(Definition::Value(&definition), &options(false)) else {
        return;
    };
    let config = ExecConfig {
        seed: generated.seed,
        max_transitions: 2_000,
        inspect: true,
        ..ExecConfig::default()
    };
    let mut turn = 0usize;
    let answers = &generated.answers;
    let _ = api::run_to_end(
        machine,
        generated.input.to_json(),
        config,
        &["*"],
        |_call| {
            turn += 1;
            match answers.get(turn % answers.len().max(1)) {
                None => EffectResult::ok_json(json!({"ok": true})),
                Some(GenAnswer::Value(v)) => EffectResult::ok_json(v.to_json()),
                Some(GenAnswer::Error(e)) => {
                    EffectResult::Err(Failure::new(e.from(ERRORS), "fuzz"))
                }
            }
        },
    );
}
