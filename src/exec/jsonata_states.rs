//! How states run when their query language is JSONata: Arguments -> (task) -> Output,
//! with Assign, Condition, Items/ItemSelector, and `{% %}` in Wait, Fail and the
//! timeout fields. The JSONPath counterparts live in mod.rs and dataflow.rs; the
//! effect machinery (scheduling tasks, joins, retries) is shared.

use super::query::{self, expression_text, unexpected_type};
use super::{clock, Catcher, Execution, Failure, Flow, Kind, Phase, State, MAX_WAIT_SECONDS};
use super::{Batcher, ItemRead, MapPlan};
use crate::exec::Effect;
use crate::value::{Map as EngineMap, Value as EngineValue};
use serde_json::{json, Map, Value};

// The JSONata engine and `query` work on serde_json values: this file converts at its
// edges (the engine's shared values in, the state's output and assignments out).

/// A JSONata Choice state's decision: the next state (None: there is none), the output
/// and the assigned variables.
type ChoiceOutcome = (Option<usize>, Value, Map<String, Value>);

/// `super::java_long` for a serde_json value.
fn java_long(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn engine(value: Value) -> EngineValue {
    EngineValue::from(value)
}

fn engine_map(map: Map<String, Value>) -> EngineMap {
    map.into_iter()
        .map(|(k, v)| (k, EngineValue::from(v)))
        .collect()
}

/// What `$states` holds for one evaluation.
struct StatesView<'a> {
    input: &'a Value,
    result: Option<&'a Value>,
    error_output: Option<&'a Value>,
    map_item: Option<(usize, &'a Value)>,
    task_token: Option<&'a str>,
}

impl<'a> StatesView<'a> {
    fn input(input: &'a Value) -> Self {
        StatesView {
            input,
            result: None,
            error_output: None,
            map_item: None,
            task_token: None,
        }
    }
}

impl Execution {
    /// Every visible variable (inner scopes override outer ones) plus `$states`.
    fn jsonata_bindings(&self, tid: usize, state: &State, view: &StatesView) -> Map<String, Value> {
        let thread = self.thread(tid);
        let mut chain = Vec::new();
        let mut at = Some(thread.scope);
        while let Some(i) = at {
            chain.push(i);
            at = self.scopes.get(i).and_then(|s| s.parent);
        }
        let mut bindings = Map::new();
        for i in chain.iter().rev() {
            if let Some(scope) = self.scopes.get(*i) {
                for (k, v) in &scope.vars {
                    bindings.insert(k.to_string(), v.to_serde());
                }
            }
        }
        let mut context = self
            .context_object(thread, state, view.task_token)
            .to_serde();
        if let Some((index, value)) = view.map_item {
            context["Map"] = json!({"Item": {"Index": index, "Value": value}});
        }
        let mut states = Map::new();
        states.insert("input".into(), view.input.clone());
        states.insert("context".into(), context);
        if let Some(result) = view.result {
            states.insert("result".into(), result.clone());
        }
        if let Some(error_output) = view.error_output {
            states.insert("errorOutput".into(), error_output.clone());
        }
        bindings.insert("states".into(), Value::Object(states));
        bindings
    }

    fn with_jsonata<T>(
        &mut self,
        bindings: &Map<String, Value>,
        f: impl FnOnce(&mut query::Scope) -> T,
    ) -> T {
        let mut scope = query::Scope {
            bindings,
            now: self.now,
            rng: &mut self.rng,
            cache: &mut self.expressions,
        };
        f(&mut scope)
    }

    pub(super) fn execute_jsonata(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: EngineValue,
    ) -> Flow {
        let plain = raw_input.to_serde();
        match &state.kind {
            Kind::Pass { .. } | Kind::Succeed => self.jsonata_output(tid, state, &plain, None),
            Kind::Task(task) => self.jsonata_task(tid, state, raw_input, &plain, task),
            Kind::Choice { choices, default } => {
                self.jsonata_choice(tid, state, &plain, choices, *default)
            }
            Kind::Wait => self.jsonata_wait(tid, state, &plain),
            Kind::Fail => self.jsonata_fail(tid, state, &plain),
            Kind::Parallel { branches } => {
                let bindings = self.jsonata_bindings(tid, state, &StatesView::input(&plain));
                let arguments = state.arguments.clone();
                let input = plain.clone();
                let effective = self.with_jsonata(&bindings, |scope| match &arguments {
                    Some(a) => scope.template(a, "Arguments"),
                    None => Ok(input),
                });
                match effective {
                    Ok(v) => self.start_parallel(tid, state, raw_input, engine(v), branches.len()),
                    Err(f) => Flow::StateFailed(f),
                }
            }
            Kind::Map(_) => self.jsonata_map(tid, state, raw_input, &plain),
        }
    }

    /// Assign and Output after the state's work; `result` is `$states.result` (tasks,
    /// Map, Parallel). Output defaults to the result, or to the input without one.
    pub(super) fn jsonata_output(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: &Value,
        result: Option<Value>,
    ) -> Flow {
        if let Some(r) = &result {
            self.note_json(tid, "result", r);
        }
        let view = StatesView {
            result: result.as_ref(),
            ..StatesView::input(raw_input)
        };
        let bindings = self.jsonata_bindings(tid, state, &view);
        let outcome = self.with_jsonata(
            &bindings,
            |scope| -> Result<(Value, Map<String, Value>), Failure> {
                let assigned = scope.assign(state.assign.as_ref())?;
                let output = match &state.output {
                    Some(o) => scope.template(o, "Output")?,
                    None => result.clone().unwrap_or_else(|| raw_input.clone()),
                };
                Ok((output, assigned))
            },
        );
        match outcome {
            Ok((output, assigned)) => Flow::ExitAssign(engine(output), engine_map(assigned)),
            Err(f) => Flow::StateFailed(f),
        }
    }

    fn jsonata_task(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: EngineValue,
        plain: &Value,
        task: &crate::asl::Task,
    ) -> Flow {
        let token = task
            .resource
            .ends_with(".waitForTaskToken")
            .then(|| self.rng.uuid_v4());
        let view = StatesView {
            task_token: token.as_deref(),
            ..StatesView::input(plain)
        };
        let bindings = self.jsonata_bindings(tid, state, &view);
        let raw = &state.raw;
        let prepared = self.with_jsonata(
            &bindings,
            |scope| -> Result<(Value, Option<u64>, Option<u64>), Failure> {
                let arguments = match &state.arguments {
                    Some(a) => scope.template(a, "Arguments")?,
                    None => plain.clone(),
                };
                let timeout = positive_seconds(scope, raw.get("TimeoutSeconds"), "TimeoutSeconds")?;
                let heartbeat =
                    positive_seconds(scope, raw.get("HeartbeatSeconds"), "HeartbeatSeconds")?;
                Ok((arguments, timeout, heartbeat))
            },
        );
        if let Ok((arguments, _, _)) = &prepared {
            if state.arguments.is_some() {
                self.note_json(tid, "afterArguments", arguments);
            }
        }
        match prepared {
            Ok((arguments, timeout, heartbeat)) => self.schedule_task(
                tid,
                state,
                raw_input,
                task,
                engine(arguments),
                (timeout, heartbeat),
                token,
            ),
            Err(f) => Flow::StateFailed(f),
        }
    }

    fn jsonata_choice(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: &Value,
        choices: &[Value],
        default: Option<usize>,
    ) -> Flow {
        let bindings = self.jsonata_bindings(tid, state, &StatesView::input(raw_input));
        let machine = self.thread(tid).machine.clone();
        let outcome = self.with_jsonata(&bindings, |scope| -> Result<ChoiceOutcome, Failure> {
            let mut chosen = None;
            for (i, rule) in choices.iter().enumerate() {
                let condition = rule.get("Condition").cloned().unwrap_or(Value::Bool(false));
                let field = format!("Choices[{i}]/Condition");
                match scope.template(&condition, &field)? {
                    Value::Bool(true) => {
                        chosen = Some(rule);
                        break;
                    }
                    Value::Bool(false) => {}
                    other => {
                        let source = condition.as_str().and_then(expression_text);
                        return Err(unexpected_type(&field, source, "boolean", &other));
                    }
                }
            }
            let (next, output_field, assign_field) = match chosen {
                Some(rule) => (
                    rule.get("Next")
                        .and_then(Value::as_str)
                        .and_then(|n| machine.state_index(n)),
                    rule.get("Output").or(state.output.as_ref()),
                    rule.get("Assign").or(state.assign.as_ref()),
                ),
                None => (default, state.output.as_ref(), state.assign.as_ref()),
            };
            let assigned = scope.assign(assign_field)?;
            let output = match output_field {
                Some(o) => scope.template(o, "Output")?,
                None => (*raw_input).clone(),
            };
            Ok((next, output, assigned))
        });
        match outcome {
            Ok((Some(next), output, assigned)) => {
                Flow::Goto(engine(output), engine_map(assigned), next)
            }
            Ok((None, _, _)) => Flow::StateFailed(Failure::new(
                "States.NoChoiceMatched",
                format!(
                    "An error occurred while executing the state '{}' (entered at the event id #{}). Failed to transition out of the state. The state does not point to a next state.",
                    state.name,
                    self.thread(tid).entered_event
                ),
            )),
            Err(f) => Flow::StateFailed(f),
        }
    }

    fn jsonata_wait(&mut self, tid: usize, state: &State, raw_input: &Value) -> Flow {
        let bindings = self.jsonata_bindings(tid, state, &StatesView::input(raw_input));
        let now = self.now;
        let raw = &state.raw;
        let outcome = self.with_jsonata(
            &bindings,
            |scope| -> Result<(i64, Value, Map<String, Value>), Failure> {
                let until = if let Some(seconds) = raw.get("Seconds") {
                    let value = scope.template(seconds, "Seconds")?;
                    let source = seconds.as_str().and_then(expression_text);
                    match java_long(&value).filter(|s| *s >= 0 && value.is_number()) {
                        Some(s) => now + s.saturating_mul(1000),
                        None => return Err(unexpected_type("Seconds", source, "integer", &value)),
                    }
                } else if let Some(timestamp) = raw.get("Timestamp") {
                    let value = scope.template(timestamp, "Timestamp")?;
                    let source = timestamp.as_str().and_then(expression_text);
                    match value.as_str() {
                        Some(text) => clock::parse_iso(text).ok_or_else(|| {
                            Failure::query_evaluation(format!(
                                "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {text}"
                            ))
                        })?,
                        None => return Err(unexpected_type("Timestamp", source, "string", &value)),
                    }
                } else {
                    now
                };
                if (until - now) / 1000 > MAX_WAIT_SECONDS {
                    return Err(Failure::runtime("Wait state delay is too long."));
                }
                let assigned = scope.assign(state.assign.as_ref())?;
                let output = match &state.output {
                    Some(o) => scope.template(o, "Output")?,
                    None => (*raw_input).clone(),
                };
                Ok((until, output, assigned))
            },
        );
        match outcome {
            Ok((until, output, assigned)) if until <= self.now => {
                Flow::ExitAssign(engine(output), engine_map(assigned))
            }
            Ok((until, output, assigned)) => {
                let scope = self.thread(tid).scope;
                if let Some(s) = self.scopes.get_mut(scope) {
                    s.vars.extend(engine_map(assigned));
                }
                self.new_effect(tid, Effect::Wait { until });
                self.thread_mut(tid).phase = Phase::Wait {
                    output: engine(output),
                };
                Flow::Parked
            }
            Err(f) => Flow::StateFailed(f),
        }
    }

    fn jsonata_fail(&mut self, tid: usize, state: &State, raw_input: &Value) -> Flow {
        let bindings = self.jsonata_bindings(tid, state, &StatesView::input(raw_input));
        let raw = &state.raw;
        let outcome = self.with_jsonata(&bindings, |scope| -> Result<Failure, Failure> {
            let mut text = |field: &str| -> Result<Option<String>, Failure> {
                match raw.get(field) {
                    None => Ok(None),
                    Some(v) => match scope.template(v, field)? {
                        Value::String(s) => Ok(Some(s)),
                        other => Err(unexpected_type(
                            field,
                            v.as_str().and_then(expression_text),
                            "string",
                            &other,
                        )),
                    },
                }
            };
            let error = text("Error")?;
            let cause = text("Cause")?;
            Ok(Failure {
                error: error.unwrap_or_default(),
                cause,
            })
        });
        match outcome {
            Ok(f) => Flow::ThreadFailed(f),
            Err(f) => Flow::StateFailed(f),
        }
    }

    fn jsonata_map(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: EngineValue,
        plain: &Value,
    ) -> Flow {
        let bindings = self.jsonata_bindings(tid, state, &StatesView::input(plain));
        let raw = &state.raw;
        let prepared = self.with_jsonata(&bindings, |scope| -> Result<MapPlan, Failure> {
            let mut plan = MapPlan::default();
            if let Some(reader) = raw.get("ItemReader") {
                let params = match reader.get("Arguments") {
                    Some(a) => scope.template(a, "ItemReader/Arguments")?,
                    None => Value::Object(Map::new()),
                };
                let config = match reader.get("ReaderConfig") {
                    Some(c) => scope.template(c, "ItemReader/ReaderConfig")?,
                    None => Value::Null,
                };
                let max_items = config
                    .get("MaxItems")
                    .and_then(java_long)
                    .filter(|n| *n >= 0)
                    .map(|n| n as usize);
                plan.reader = Some(ItemRead {
                    params,
                    config,
                    max_items,
                });
            } else {
                plan.items = match raw.get("Items") {
                    Some(items_field) => match scope.template(items_field, "Items")? {
                        Value::Array(items) => items.into_iter().map(engine).collect(),
                        other => {
                            return Err(unexpected_type(
                                "Items",
                                items_field.as_str().and_then(expression_text),
                                "array",
                                &other,
                            ))
                        }
                    },
                    None => match plain {
                        Value::Array(items) => items.iter().map(EngineValue::from).collect(),
                        other => {
                            return Err(Failure::query_evaluation(format!(
                                "Map state input must be an array but was: {}",
                                crate::json::stringify(other)
                            )))
                        }
                    },
                };
            }
            if let Some(field) = raw.get("MaxConcurrency") {
                let value = scope.template(field, "MaxConcurrency")?;
                plan.max_concurrency = match value.as_i64() {
                    Some(n) if n >= 0 => n as usize,
                    _ => {
                        return Err(unexpected_type(
                            "MaxConcurrency",
                            field.as_str().and_then(expression_text),
                            "integer",
                            &value,
                        ))
                    }
                };
            }
            if let Some(v) = raw.get("ToleratedFailureCount") {
                let value = scope.template(v, "ToleratedFailureCount")?;
                plan.tolerated_count = Some(value.as_f64().ok_or_else(|| {
                    unexpected_type(
                        "ToleratedFailureCount",
                        v.as_str().and_then(expression_text),
                        "number",
                        &value,
                    )
                })?);
            }
            if let Some(v) = raw.get("ToleratedFailurePercentage") {
                let value = scope.template(v, "ToleratedFailurePercentage")?;
                plan.tolerated_percentage = Some(value.as_f64().ok_or_else(|| {
                    unexpected_type(
                        "ToleratedFailurePercentage",
                        v.as_str().and_then(expression_text),
                        "number",
                        &value,
                    )
                })?);
            }
            if let Some(batcher) = raw.get("ItemBatcher") {
                let evaluated = scope.template(batcher, "ItemBatcher")?;
                plan.batcher = Some(Batcher {
                    max_items: evaluated
                        .get("MaxItemsPerBatch")
                        .and_then(java_long)
                        .map(|n| n.max(0) as usize),
                    max_bytes: evaluated
                        .get("MaxInputBytesPerBatch")
                        .and_then(java_long)
                        .map(|n| n.max(0) as usize),
                    input: evaluated.get("BatchInput").map(EngineValue::from),
                });
            }
            Ok(plan)
        });
        match prepared {
            Ok(plan) => {
                let parent = raw_input.clone();
                self.begin_map(tid, state, raw_input, parent, plan)
            }
            Err(f) => Flow::StateFailed(f),
        }
    }

    /// One Map item's input: ItemSelector with `$states.context.Map.Item`, or the item.
    pub(super) fn jsonata_item(
        &mut self,
        owner: usize,
        state: &State,
        parent_input: &EngineValue,
        index: usize,
        item: &EngineValue,
    ) -> Result<EngineValue, Failure> {
        let Some(selector) = state.raw.get("ItemSelector") else {
            return Ok(item.clone());
        };
        let (parent_input, item) = (parent_input.to_serde(), item.to_serde());
        let view = StatesView {
            map_item: Some((index, &item)),
            ..StatesView::input(&parent_input)
        };
        let bindings = self.jsonata_bindings(owner, state, &view);
        self.with_jsonata(&bindings, |scope| scope.template(selector, "ItemSelector"))
            .map(engine)
    }

    /// A JSONata Catcher: Output (default: the error output) and Assign see
    /// `$states.errorOutput`.
    pub(super) fn jsonata_caught(
        &mut self,
        tid: usize,
        state: &State,
        catcher: &Catcher,
        raw_input: &EngineValue,
        error_output: EngineValue,
    ) {
        let (raw_input, error_output) = (&raw_input.to_serde(), error_output.to_serde());
        let view = StatesView {
            error_output: Some(&error_output),
            ..StatesView::input(raw_input)
        };
        let bindings = self.jsonata_bindings(tid, state, &view);
        let outcome = self.with_jsonata(
            &bindings,
            |scope| -> Result<(Value, Map<String, Value>), Failure> {
                let assigned = scope.assign(catcher.assign.as_ref())?;
                let output = match &catcher.output {
                    Some(o) => scope.template(o, "Output")?,
                    None => error_output.clone(),
                };
                Ok((output, assigned))
            },
        );
        match outcome {
            Ok((output, assigned)) => self.exit_state(
                tid,
                state,
                engine(output),
                engine_map(assigned),
                Some(catcher.next),
            ),
            Err(f) => {
                let f = self.runtime_cause(tid, state, f);
                self.emit_evaluation_failed(tid, state, &f);
                self.fail_execution(tid, f);
            }
        }
    }
}

/// TimeoutSeconds / HeartbeatSeconds: a positive integer or an expression giving one.
fn positive_seconds(
    scope: &mut query::Scope,
    field: Option<&Value>,
    name: &str,
) -> Result<Option<u64>, Failure> {
    let Some(field) = field else { return Ok(None) };
    let value = scope.template(field, name)?;
    match value.as_u64() {
        Some(n) if n > 0 => Ok(Some(n)),
        _ => Err(unexpected_type(
            name,
            field.as_str().and_then(expression_text),
            "integer",
            &value,
        )),
    }
}
