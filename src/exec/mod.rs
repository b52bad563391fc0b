//! The sans-I/O execution engine: an `Execution` is polled for history events and
//! effects (invoke a task, wait until an instant) and resumed with their results.
//! It does no I/O, owns no clock and never calls JS.
//!
//! Inside, an execution is a set of *threads*: the top-level machine, each running
//! Parallel branch and each running Map iteration. A thread walks its machine state by
//! state; a Parallel or Map state parks its thread on a *join* until its children end.
//! Threads are run one slice at a time in a deterministic round-robin order.

pub mod clock;
pub mod dataflow;
pub mod effect;
pub mod failure;
pub mod history;
pub mod item_reader;
mod jsonata_states;
pub mod query;
pub mod rng;

pub use effect::{Effect, EffectId, EffectResult, Invocation, TaskKind};
pub use failure::Failure;
pub use history::HistoryEvent;

use crate::asl::{Catcher, Kind, Machine, QueryLanguage, Retrier, State};
use crate::json::stringify;
use crate::path::{Env, Variables};
use crate::value::{Map, Value};
use history::{failure_details, payload_details, shared_payload_details, EventLog, TaskDetails};
use rng::Rng;
use serde_json::json;

/// JSON at the engine's edges (definitions, the host's values, TestState's hooks).
type Json = serde_json::Value;
type JsonMap = serde_json::Map<String, Json>;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

/// AWS's payload limit: 256 KiB of UTF-8 JSON text.
pub const MAX_PAYLOAD_BYTES: usize = 262_144;
/// AWS's limit on all workflow variables of one execution: 10 MiB.
pub const MAX_VARIABLE_BYTES: usize = 10 * 1024 * 1024;
/// AWS's history limit for STANDARD executions.
pub const MAX_HISTORY_EVENTS: u64 = 25_000;
/// AWS runs at most 40 inline Map iterations at once.
const INLINE_MAP_CONCURRENCY: usize = 40;

#[derive(Clone, Debug)]
pub struct ExecConfig {
    pub state_machine_name: String,
    pub execution_name: String,
    pub region: String,
    pub account: String,
    pub role_arn: String,
    /// Start instant, ms since the epoch.
    pub start_time: i64,
    pub seed: u64,
    /// Guard against endless loops: state transitions (Map iterations included).
    pub max_transitions: u64,
    pub express: bool,
    /// Record every stage of every state visit (`Execution::inspections`).
    pub inspect: bool,
    /// TestState (crate::test_state): run one state and stop where AWS's TestState does.
    pub test_state: Option<TestStateHooks>,
}

/// What TestState changes in the engine (see crate::test_state). With these set, a
/// failure that a retrier would retry ends the execution (RETRIABLE) instead of waiting.
#[derive(Clone, Debug, Default)]
pub struct TestStateHooks {
    /// Replaces the whole context object (`$$`, `$states.context`) when given.
    pub context: Option<Json>,
    /// Seeds the top-level variables.
    pub variables: JsonMap,
    /// Attempts already made, for every retrier (stateConfiguration.retrierRetryCount).
    pub retrier_retry_count: u32,
    /// The children's result of the top-level Map/Parallel state (a mock): they are not run.
    pub join_result: Option<EffectResult>,
    /// Task results are mocks: the integration's whole response, not wrapped again
    /// (lambda:invoke's Payload envelope).
    pub mocked_task: bool,
}

/// Why a TestState run stopped on a failure that a retrier would retry.
#[derive(Clone, Debug, PartialEq)]
pub struct Retriable {
    pub failure: Failure,
    pub retry_index: usize,
    pub backoff_seconds: f64,
}

impl Default for ExecConfig {
    fn default() -> Self {
        ExecConfig {
            state_machine_name: "StateMachine".into(),
            execution_name: "execution".into(),
            region: "us-east-1".into(),
            account: "111111111111".into(),
            role_arn: "arn:aws:iam::111111111111:role/StatelabRole".into(),
            start_time: 1_700_000_000_000,
            seed: 0x5eed,
            // Issue 11: the default stops an endless EXPRESS loop in about a second (~4 µs a
            // transition in wasm); DESIGN.md's 1,000,000 took ~4 s. STANDARD machines stop
            // sooner, at AWS's 25,000 history events.
            max_transitions: 250_000,
            express: false,
            inspect: false,
            test_state: None,
        }
    }
}

impl ExecConfig {
    pub fn state_machine_arn(&self) -> String {
        format!(
            "arn:aws:states:{}:{}:stateMachine:{}",
            self.region, self.account, self.state_machine_name
        )
    }

    pub fn execution_arn(&self) -> String {
        let kind = if self.express { "express" } else { "execution" };
        format!(
            "arn:aws:states:{}:{}:{kind}:{}:{}",
            self.region, self.account, self.state_machine_name, self.execution_name
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub status: Status,
    /// The output (the engine's value; `to_serde()` for a `serde_json::Value`).
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Stop instant, ms since the epoch.
    pub stop_time: i64,
}

/// What `Execution::poll` asks of the host. History events are not steps: the engine
/// records them itself (`Execution::history`), and a host that reports them (stepping,
/// streaming) learns of new ones from `Recorded`. Moving each event through a queue to
/// the host cost more than making it.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Threads ran and recorded history events; they come before the steps that follow
    /// (said before an effect, or after every such run: see `report_each_run`).
    Recorded,
    Effect(EffectId, Effect),
    /// Nothing to do until an effect is resumed or the clock advances.
    Idle,
    Done(Outcome),
}

/// One visit of a state, with the value after each data-flow stage (recorded only when
/// `ExecConfig::inspect` is on): what TestState's inspectionData and the playground's
/// data-flow view show.
#[derive(Clone, Debug, PartialEq)]
pub struct Inspection {
    pub state_name: String,
    pub query_language: QueryLanguage,
    pub entered_event_id: u64,
    pub exited_event_id: Option<u64>,
    /// Stage name (AWS's inspectionData names: input, afterInputPath, afterParameters,
    /// result, afterResultSelector, afterResultPath, afterArguments, output, ...) -> value.
    pub stages: JsonMap,
}

/// Stage values gathered while a state runs; free when inspection is off.
#[derive(Default)]
struct Stages {
    on: bool,
    /// A list, not a map: an empty one costs nothing to make and drop at every state.
    values: Vec<(String, Json)>,
}

impl Stages {
    /// Inlined down to the `on` test: every state calls it several times, inspection
    /// off or not.
    #[inline(always)]
    fn put(&mut self, stage: &str, value: &Value) {
        if self.on {
            self.record(stage, value);
        }
    }

    fn record(&mut self, stage: &str, value: &Value) {
        self.values.push((stage.to_string(), value.to_serde()));
    }
}

/// The variables of one scope; inner scopes (branches, iterations) read outer ones.
struct Scope {
    vars: Map,
    parent: Option<usize>,
}

struct ScopeView<'a> {
    scopes: &'a [Scope],
    at: usize,
}

impl Variables for ScopeView<'_> {
    fn get_variable(&self, name: &str) -> Option<&Value> {
        let mut at = Some(self.at);
        while let Some(i) = at {
            let scope = self.scopes.get(i)?;
            if let Some(v) = scope.vars.get(name) {
                return Some(v);
            }
            at = scope.parent;
        }
        None
    }
}

/// Where a thread stands within its current state.
enum Phase {
    /// About to enter the state (emit StateEntered).
    Enter,
    /// Re-run the state after a Retry back-off (no new StateEntered).
    Retry,
    /// Waiting on an effect of a Task state.
    Task {
        effect: EffectId,
        deadline: Option<i64>,
        /// HeartbeatSeconds: the instant by which the next heartbeat must arrive.
        heartbeat_deadline: Option<i64>,
        invocation: Rc<Invocation>,
        raw_input: Value,
    },
    /// Waiting on the clock (Wait state) with the state's output ready.
    Wait { output: Value },
    /// Waiting on a Retry back-off.
    RetryWait,
    /// Waiting for a Map's ItemReader to read its source.
    ItemRead {
        raw_input: Value,
        effective: Value,
        plan: Box<MapPlan>,
        reader: Box<ItemRead>,
    },
    /// Waiting for the children of a Parallel or Map state.
    Join { join: usize, raw_input: Value },
}

struct Thread {
    /// Index in `Execution::inspections` of the current state visit.
    visit: Option<usize>,
    /// Runs inside a distributed Map's child execution: no events in this history.
    silent: bool,
    machine: Rc<Machine>,
    state: usize,
    /// The current state's input (shared while the state runs: a Catch or a Retry reads
    /// it again).
    input: Value,
    phase: Phase,
    /// The effect result (or a failed join's failure) delivered while parked.
    delivered: Option<EffectResult>,
    /// The children's results of a finished join (Parallel/Map).
    joined: Option<Value>,
    scope: usize,
    parent: Option<(usize, usize)>,
    last_event: u64,
    entered_event: u64,
    entered_time: i64,
    retry_attempts: Vec<u32>,
    retry_count: u32,
    map_item: Option<(usize, Value)>,
    /// Set when a distributed Map with a ResultWriter finishes its children.
    map_report: Option<MapReport>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum JoinKind {
    Parallel,
    Map,
}

struct Join {
    owner: usize,
    kind: JoinKind,
    state_name: Rc<str>,
    results: Vec<Value>,
    /// Map: items not started yet (index order); Parallel: branches not started.
    next_to_start: usize,
    total: usize,
    items: Vec<Value>,
    active: Vec<usize>,
    finished: usize,
    max_concurrency: usize,
    /// Parent input for the Parallel branches / Map item selector.
    input: Value,
    failed: bool,
    /// Distributed Map: children are child executions, silent in this history.
    distributed: bool,
    failures: usize,
    tolerated_count: Option<f64>,
    tolerated_percentage: Option<f64>,
    /// ResultWriter: each child's input and which children failed (tolerated).
    report: Option<MapReport>,
    /// Map: the context object for the ItemSelector, built for the first item and
    /// reused (only `Map.Item` changes from item to item).
    item_context: Option<Value>,
}

/// What a distributed Map with a ResultWriter writes about its child executions.
#[derive(Default)]
struct MapReport {
    map_run_arn: String,
    inputs: Vec<Value>,
    failed: Vec<usize>,
}

/// How a Map state will iterate, gathered before it starts.
#[derive(Default)]
pub(crate) struct MapPlan {
    pub(crate) items: Vec<Value>,
    items_from_reader: bool,
    max_concurrency: usize,
    tolerated_count: Option<f64>,
    tolerated_percentage: Option<f64>,
    batcher: Option<Batcher>,
    reader: Option<ItemRead>,
    /// An error AWS reports only after MapStateStarted.
    deferred_failure: Option<Failure>,
}

pub(crate) struct Batcher {
    max_items: Option<usize>,
    max_bytes: Option<usize>,
    input: Option<Value>,
}

pub(crate) struct ItemRead {
    params: Json,
    config: Json,
    max_items: Option<usize>,
}

pub struct Execution {
    config: ExecConfig,
    now: i64,
    rng: Rng,
    input: Value,
    out: VecDeque<Step>,
    history: EventLog,
    /// `poll` returns `Recorded` after every thread run that recorded events (see
    /// `report_each_run`), not only before effects.
    report_each_run: bool,
    next_event_id: u64,
    next_effect_id: EffectId,
    threads: Vec<Option<Thread>>,
    free_threads: Vec<usize>,
    runnable: VecDeque<usize>,
    effects: HashMap<EffectId, usize, effect::IdBuildHasher>,
    joins: Vec<Option<Join>>,
    scopes: Vec<Scope>,
    transitions: u64,
    outcome: Option<Outcome>,
    expressions: query::ExpressionCache,
    inspections: Vec<Inspection>,
    /// TestState: the failure a retrier would have retried (the run stopped there).
    retriable: Option<Retriable>,
    /// TestState: the state the tested state went on to (Choice, Catch, Next).
    test_next_state: Option<String>,
    /// JSON size of all workflow variables (AWS's 10 MiB limit).
    variable_bytes: usize,
}

impl Execution {
    /// Starts an execution: emits ExecutionStarted and readies the first state.
    pub fn start(machine: Rc<Machine>, input: impl Into<Value>, config: ExecConfig) -> Execution {
        let now = config.start_time;
        let input: Value = input.into();
        let mut ex = Execution {
            rng: Rng::new(config.seed),
            config,
            now,
            input: input.clone(),
            out: VecDeque::new(),
            history: EventLog::default(),
            report_each_run: false,
            next_event_id: 1,
            next_effect_id: 1,
            threads: Vec::new(),
            free_threads: Vec::new(),
            runnable: VecDeque::new(),
            effects: HashMap::default(),
            joins: Vec::new(),
            scopes: vec![Scope {
                vars: Map::new(),
                parent: None,
            }],
            transitions: 0,
            outcome: None,
            expressions: query::ExpressionCache::default(),
            inspections: Vec::new(),
            retriable: None,
            test_next_state: None,
            variable_bytes: 0,
        };
        if let Some(hooks) = &ex.config.test_state {
            ex.scopes[0].vars = hooks
                .variables
                .iter()
                .map(|(k, v)| (k.as_str(), Value::from(v)))
                .collect();
        }
        let mut details = shared_payload_details("input");
        details.insert("roleArn".into(), Json::String(ex.config.role_arn.clone()));
        ex.emit_raw_payload(
            0,
            "ExecutionStarted",
            Some("executionStartedEventDetails"),
            HistoryEvent::shared_details(details),
            Some(input.clone()),
        );
        let start = machine.start_at;
        ex.spawn_shared(machine, start, input, 0, None, None, 0);
        ex
    }

    pub fn config(&self) -> &ExecConfig {
        &self.config
    }

    /// Whether `poll` stops after each thread run that recorded events (a host that
    /// reports a number of events at a time, such as stepping) or runs on until an
    /// effect, Idle or Done.
    pub fn report_each_run(&mut self, on: bool) {
        self.report_each_run = on;
    }

    /// Every event recorded so far, in order.
    pub fn history(&self) -> &EventLog {
        &self.history
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// TestState: the state the tested state went on to, when it did not end.
    pub fn test_next_state(&self) -> Option<&str> {
        self.test_next_state.as_deref()
    }

    /// TestState: the failure a retrier would retry, which ended the run.
    pub fn retriable(&self) -> Option<&Retriable> {
        self.retriable.as_ref()
    }

    /// Every state visit so far with its data-flow stages (empty unless `inspect`).
    pub fn inspections(&self) -> &[Inspection] {
        &self.inspections
    }

    fn stages(&self) -> Stages {
        Stages {
            on: self.config.inspect,
            values: Vec::new(),
        }
    }

    /// Merges recorded stages into the thread's current visit.
    #[inline(always)]
    fn note(&mut self, tid: usize, stages: Stages) {
        if stages.on {
            self.note_visit(tid, stages);
        }
    }

    fn note_visit(&mut self, tid: usize, stages: Stages) {
        let visit = self
            .threads
            .get(tid)
            .and_then(Option::as_ref)
            .and_then(|t| t.visit);
        if let Some(inspection) = visit.and_then(|v| self.inspections.get_mut(v)) {
            inspection.stages.extend(stages.values);
        }
    }

    /// `note_one` for a serde_json value (JSONata states).
    fn note_json(&mut self, tid: usize, stage: &str, value: &Json) {
        if self.config.inspect {
            self.note_one(tid, stage, &Value::from(value));
        }
    }

    fn note_one(&mut self, tid: usize, stage: &str, value: &Value) {
        let mut stages = self.stages();
        stages.put(stage, value);
        self.note(tid, stages);
    }

    /// The next thing the host must know or do.
    pub fn poll(&mut self) -> Step {
        loop {
            if let Some(step) = self.out.pop_front() {
                return step;
            }
            if let Some(outcome) = &self.outcome {
                return Step::Done(outcome.clone());
            }
            let Some(tid) = self.runnable.pop_front() else {
                return Step::Idle;
            };
            let recorded = self.history.len();
            self.run_thread(tid);
            // A host that counts events (stepping) hears of them after each thread
            // ran; otherwise only before an effect, which must follow them.
            if self.history.len() != recorded && (self.report_each_run || !self.out.is_empty()) {
                return Step::Recorded;
            }
        }
    }

    /// Delivers the result of an effect. Results for unknown (finished, timed-out or
    /// aborted) effects are ignored, as AWS ignores a late callback.
    pub fn resume(&mut self, id: EffectId, result: EffectResult) {
        let Some(tid) = self.effects.remove(&id) else {
            return;
        };
        if let Some(Some(thread)) = self.threads.get_mut(tid) {
            thread.delivered = Some(result);
            self.runnable.push_back(tid);
        }
    }

    /// Moves the clock forward (never backward). Tasks whose TimeoutSeconds has passed
    /// fail with States.Timeout; a late result for them is ignored.
    pub fn advance_clock(&mut self, to: i64) {
        if to <= self.now {
            return;
        }
        self.now = to;
        let expired: Vec<(EffectId, &'static str)> = self
            .threads
            .iter()
            .flatten()
            .filter(|t| t.delivered.is_none())
            .filter_map(|t| match t.phase {
                Phase::Task {
                    effect,
                    deadline: Some(d),
                    ..
                } if d <= to => Some((effect, "States.Timeout")),
                Phase::Task {
                    effect,
                    heartbeat_deadline: Some(h),
                    ..
                } if h <= to => Some((effect, "States.HeartbeatTimeout")),
                _ => None,
            })
            .collect();
        for (effect, error) in expired {
            self.resume(effect, EffectResult::Err(Failure::without_cause(error)));
        }
    }

    /// `.waitForTaskToken`: the service call of a task went out (the task now waits for
    /// its token): records TaskSubmitted with the service's response.
    pub fn task_submitted(&mut self, id: EffectId, response: Value) {
        let Some(&tid) = self.effects.get(&id) else {
            return;
        };
        let Some(Some(thread)) = self.threads.get(tid) else {
            return;
        };
        let Phase::Task { invocation, .. } = &thread.phase else {
            return;
        };
        let (resource_type, resource) = resource_parts(&invocation.resource);
        let mut details = payload_details("output", response.to_json_text());
        details.insert("resourceType".into(), Json::String(resource_type));
        details.insert("resource".into(), Json::String(resource));
        self.emit(
            tid,
            "TaskSubmitted",
            Some("taskSubmittedEventDetails"),
            details,
        );
    }

    /// SendTaskHeartbeat: pushes the task's heartbeat deadline back.
    pub fn heartbeat(&mut self, id: EffectId) {
        let now = self.now;
        let Some(&tid) = self.effects.get(&id) else {
            return;
        };
        if let Some(Some(thread)) = self.threads.get_mut(tid) {
            if let Phase::Task {
                heartbeat_deadline: Some(h),
                invocation,
                ..
            } = &mut thread.phase
            {
                if let Some(seconds) = invocation.heartbeat_seconds {
                    *h = now + seconds as i64 * 1000;
                }
            }
        }
    }

    /// The earliest instant at which a pending task times out, if any.
    pub fn next_deadline(&self) -> Option<i64> {
        self.threads
            .iter()
            .flatten()
            .filter_map(|t| match t.phase {
                Phase::Task {
                    deadline,
                    heartbeat_deadline,
                    ..
                } if t.delivered.is_none() => match (deadline, heartbeat_deadline) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                },
                _ => None,
            })
            .min()
    }

    /// Stops the execution from outside (StopExecution): ABORTED.
    pub fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        if self.outcome.is_some() {
            return;
        }
        let mut details = JsonMap::new();
        if let Some(c) = &cause {
            details.insert("cause".into(), Json::String(c.clone()));
        }
        if let Some(e) = &error {
            details.insert("error".into(), Json::String(e.clone()));
        }
        let prev = self.next_event_id - 1;
        self.emit_raw(
            prev,
            "ExecutionAborted",
            Some("executionAbortedEventDetails"),
            details,
        );
        self.finish(Outcome {
            status: Status::Aborted,
            output: None,
            error,
            cause,
            stop_time: self.now,
        });
    }

    // ----- events and bookkeeping -------------------------------------------------

    fn emit_raw(
        &mut self,
        previous: u64,
        kind: &'static str,
        key: Option<&'static str>,
        details: JsonMap,
    ) -> u64 {
        self.emit_raw_payload(
            previous,
            kind,
            key,
            HistoryEvent::shared_details(details),
            None,
        )
    }

    /// Like `emit_raw`, with the event's input/output as a shared value (see
    /// `history::shared_payload_details`).
    fn emit_raw_payload(
        &mut self,
        previous: u64,
        kind: &'static str,
        key: Option<&'static str>,
        details: Option<Rc<JsonMap>>,
        payload: Option<Value>,
    ) -> u64 {
        self.push_event(HistoryEvent {
            details,
            payload,
            ..HistoryEvent::new(previous, self.now, kind, key)
        })
    }

    /// A MapIteration* event (`index`, `name`, then `details`) after `previous`.
    fn emit_iteration(
        &mut self,
        previous: u64,
        kind: &'static str,
        key: &'static str,
        iteration: (usize, Rc<str>),
        details: JsonMap,
    ) -> u64 {
        let (index, name) = iteration;
        self.push_event(HistoryEvent {
            details: HistoryEvent::shared_details(details),
            name: Some(name),
            iteration_index: history::event_id(index as u64),
            ..HistoryEvent::new(previous, self.now, kind, Some(key))
        })
    }

    /// Gives the event the next id and records it.
    fn push_event(&mut self, mut event: HistoryEvent) -> u64 {
        let id = self.next_event_id;
        self.next_event_id += 1;
        event.id = history::event_id(id);
        self.history.push(event);
        id
    }

    /// A StateEntered (`input`) or StateExited (`output`, with `assigned` details)
    /// event in the thread's line of history. Built straight into the history (not
    /// through `chain_event`/`push_event`): these are most of a history, and each move of
    /// an event copies it.
    fn emit_state_event(
        &mut self,
        tid: usize,
        kind: &'static str,
        key: &'static str,
        state: &State,
        assigned: Option<Rc<JsonMap>>,
        payload: Value,
    ) -> u64 {
        // As `chain_event`: silent threads record nothing.
        let id = self.next_event_id;
        let previous_event_id = match self.threads.get_mut(tid) {
            Some(Some(thread)) if thread.silent => return 0,
            Some(Some(thread)) => std::mem::replace(&mut thread.last_event, id),
            _ => 0,
        };
        self.next_event_id += 1;
        self.history.push(HistoryEvent {
            id: history::event_id(id),
            details: assigned,
            payload: Some(payload),
            name: Some(state.shared_name.clone()),
            ..HistoryEvent::new(previous_event_id, self.now, kind, Some(key))
        });
        id
    }

    /// Emits an event in a thread's line of history (its previousEventId chain).
    fn emit(
        &mut self,
        tid: usize,
        kind: &'static str,
        key: Option<&'static str>,
        details: JsonMap,
    ) -> u64 {
        self.chain_event(tid, |this, previous| {
            this.emit_raw(previous, kind, key, details)
        })
    }

    /// `emit` with shared details, and the details' `input`/`output` as a shared value
    /// (`history::shared_payload_details`) if any.
    fn emit_payload(
        &mut self,
        tid: usize,
        kind: &'static str,
        key: Option<&'static str>,
        details: Option<Rc<JsonMap>>,
        payload: Option<Value>,
    ) -> u64 {
        self.chain_event(tid, |this, previous| {
            this.emit_raw_payload(previous, kind, key, details, payload)
        })
    }

    /// Appends an event to a thread's line of history: `push` gets the id of the thread's
    /// previous event and returns the new one's. Silent threads (distributed Map children)
    /// record nothing and get 0.
    fn chain_event(&mut self, tid: usize, push: impl FnOnce(&mut Self, u64) -> u64) -> u64 {
        let (previous, silent) = self
            .threads
            .get(tid)
            .and_then(Option::as_ref)
            .map(|t| (t.last_event, t.silent))
            .unwrap_or((0, false));
        if silent {
            return 0;
        }
        let id = push(self, previous);
        if let Some(Some(t)) = self.threads.get_mut(tid) {
            t.last_event = id;
        }
        id
    }

    fn finish(&mut self, outcome: Outcome) {
        self.outcome = Some(outcome);
        self.runnable.clear();
        self.effects.clear();
    }

    fn fail_execution(&mut self, tid: usize, failure: Failure) {
        if self.outcome.is_some() {
            return;
        }
        // A Fail state without Error/Cause: AWS records neither.
        let mut details = failure_details(&failure.error, failure.cause.as_deref());
        if failure.error.is_empty() {
            details.remove("error");
        }
        self.emit(
            tid,
            "ExecutionFailed",
            Some("executionFailedEventDetails"),
            details,
        );
        self.finish(Outcome {
            status: Status::Failed,
            output: None,
            error: Some(failure.error).filter(|e| !e.is_empty()),
            cause: failure.cause,
            stop_time: self.now,
        });
    }

    fn new_effect(&mut self, tid: usize, effect: Effect) -> EffectId {
        let id = self.next_effect_id;
        self.next_effect_id += 1;
        self.effects.insert(id, tid);
        self.out.push_back(Step::Effect(id, effect));
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn spawn(
        &mut self,
        machine: Rc<Machine>,
        state: usize,
        input: Value,
        scope: usize,
        parent: Option<(usize, usize)>,
        map_item: Option<(usize, Value)>,
        last_event: u64,
    ) -> usize {
        self.spawn_shared(machine, state, input, scope, parent, map_item, last_event)
    }

    #[allow(clippy::too_many_arguments)]
    fn spawn_shared(
        &mut self,
        machine: Rc<Machine>,
        state: usize,
        input: Value,
        scope: usize,
        parent: Option<(usize, usize)>,
        map_item: Option<(usize, Value)>,
        last_event: u64,
    ) -> usize {
        let thread = Thread {
            visit: None,
            silent: false,
            machine,
            state,
            input,
            phase: Phase::Enter,
            delivered: None,
            joined: None,
            scope,
            parent,
            last_event,
            entered_event: 0,
            entered_time: self.now,
            retry_attempts: Vec::new(),
            retry_count: 0,
            map_item,
            map_report: None,
        };
        let tid = match self.free_threads.pop() {
            Some(i) => {
                self.threads[i] = Some(thread);
                i
            }
            None => {
                self.threads.push(Some(thread));
                self.threads.len() - 1
            }
        };
        self.runnable.push_back(tid);
        tid
    }

    fn new_root_scope(&mut self) -> usize {
        self.scopes.push(Scope {
            vars: Map::new(),
            parent: None,
        });
        self.scopes.len() - 1
    }

    fn new_scope(&mut self, parent: usize) -> usize {
        self.scopes.push(Scope {
            vars: Map::new(),
            parent: Some(parent),
        });
        self.scopes.len() - 1
    }

    fn context_object(&self, thread: &Thread, state: &State, task_token: Option<&str>) -> Value {
        self.context_object_with(thread, state, task_token, state.uses_execution_input)
    }

    /// The context object; `Execution.Input` (a copy of the whole execution input) only
    /// when the state can read it, so that Map iterations do not copy it per item.
    fn context_object_with(
        &self,
        thread: &Thread,
        state: &State,
        task_token: Option<&str>,
        with_input: bool,
    ) -> Value {
        // TestState's `context` replaces the context object as given.
        if let Some(context) = self
            .config
            .test_state
            .as_ref()
            .and_then(|h| h.context.as_ref())
        {
            return Value::from(context);
        }
        let mut ctx = json!({
            "Execution": {
                "Id": self.config.execution_arn(),
                "Input": null,
                "StartTime": clock::format_iso(self.config.start_time),
                "Name": self.config.execution_name,
                "RoleArn": self.config.role_arn,
            },
            "StateMachine": { "Id": self.config.state_machine_arn(), "Name": self.config.state_machine_name },
            "State": {
                "EnteredTime": clock::format_iso(thread.entered_time),
                "Name": state.name,
            },
        });
        if !self.config.express {
            // Redrive exists for STANDARD executions only.
            ctx["Execution"]["RedriveCount"] = Json::from(0);
        }
        if matches!(
            state.kind,
            Kind::Task(_) | Kind::Parallel { .. } | Kind::Map(_)
        ) {
            ctx["State"]["RetryCount"] = Json::from(thread.retry_count);
        }
        if let Some(token) = task_token {
            ctx["Task"] = json!({ "Token": token });
        }
        let mut ctx = Value::from(ctx);
        if with_input {
            // The execution input is shared, not copied: O(1) whatever its size.
            if let Some(execution) = ctx
                .as_object_mut()
                .and_then(|c| c.get_mut("Execution"))
                .and_then(Value::as_object_mut)
            {
                execution.insert("Input".into(), self.input.clone());
            }
        }
        ctx
    }

    // ----- running threads --------------------------------------------------------

    fn run_thread(&mut self, tid: usize) {
        let Some(Some(thread)) = self.threads.get_mut(tid) else {
            return;
        };
        let machine = thread.machine.clone();
        let index = thread.state;
        let Some(state) = machine.states.get(index) else {
            return;
        };
        let phase = std::mem::replace(&mut thread.phase, Phase::Enter);
        let delivered = thread.delivered.take();
        let flow = match phase {
            Phase::Enter => {
                self.transitions += 1;
                if self.transitions > self.config.max_transitions {
                    let f = Failure::new(
                        "Statelab.MaxTransitionsExceeded",
                        format!(
                            "The execution made more than {} state transitions (the maxTransitions option); it may be an endless loop.",
                            self.config.max_transitions
                        ),
                    );
                    self.fail_execution(tid, f);
                    return;
                }
                if !self.config.express && self.next_event_id > MAX_HISTORY_EVENTS {
                    let f = Failure::runtime(format!(
                        "The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS})."
                    ));
                    self.fail_execution(tid, f);
                    return;
                }
                let input = self.thread(tid).input.clone();
                let id = self.emit_state_event(
                    tid,
                    entered_event(state),
                    "stateEnteredEventDetails",
                    state,
                    None,
                    input,
                );
                let now = self.now;
                let visit = if self.config.inspect {
                    let input = self.thread(tid).input.to_serde();
                    let mut stages = JsonMap::new();
                    stages.insert("input".into(), input);
                    self.inspections.push(Inspection {
                        state_name: state.name.clone(),
                        query_language: state.query_language,
                        entered_event_id: id,
                        exited_event_id: None,
                        stages,
                    });
                    Some(self.inspections.len() - 1)
                } else {
                    None
                };
                // TestState's retrierRetryCount: attempts already made by each retrier.
                let made = self
                    .config
                    .test_state
                    .as_ref()
                    .map_or(0, |h| h.retrier_retry_count);
                let t = self.thread_mut(tid);
                t.visit = visit;
                t.entered_event = id;
                t.entered_time = now;
                // Reused: most states have no retriers, and a new Vec per visit costs.
                t.retry_attempts.clear();
                t.retry_attempts.resize(state.retry.len(), made);
                t.retry_count = made;
                self.execute(tid, state)
            }
            Phase::Retry => self.execute(tid, state),
            Phase::Task {
                invocation,
                raw_input,
                ..
            } => match delivered {
                Some(result) => self.task_done(tid, state, &invocation, raw_input, result),
                None => return,
            },
            Phase::Wait { output, .. } => Flow::Exit(output),
            Phase::RetryWait => {
                self.thread_mut(tid).phase = Phase::Retry;
                self.runnable.push_back(tid);
                return;
            }
            Phase::ItemRead {
                raw_input,
                effective,
                plan,
                reader,
            } => match delivered {
                Some(result) => {
                    self.items_read(tid, state, raw_input, effective, *plan, *reader, result)
                }
                None => return,
            },
            Phase::Join { join, raw_input } => {
                match (self.thread_mut(tid).joined.take(), delivered) {
                    (Some(results), _) => self.join_done(tid, state, join, raw_input, results),
                    // TestState's mock of the children's result.
                    (None, Some(EffectResult::Ok(results))) => {
                        self.join_done(tid, state, join, raw_input, results)
                    }
                    (None, Some(EffectResult::Err(f))) => Flow::StateFailed(f),
                    _ => return,
                }
            }
        };
        self.follow(tid, state, flow);
    }

    fn thread(&self, tid: usize) -> &Thread {
        match self.threads.get(tid) {
            Some(Some(t)) => t,
            _ => unreachable_thread(),
        }
    }

    fn thread_mut(&mut self, tid: usize) -> &mut Thread {
        match self.threads.get_mut(tid) {
            Some(Some(t)) => t,
            _ => unreachable_thread(),
        }
    }

    /// Acts on how a state ended.
    fn follow(&mut self, tid: usize, state: &State, flow: Flow) {
        match flow {
            Flow::Parked => {}
            Flow::Exit(output) => {
                self.exit_state(tid, state, output, Map::new(), normal_next(state))
            }
            Flow::ExitAssign(output, assigned) => {
                self.exit_state(tid, state, output, assigned, normal_next(state))
            }
            Flow::Goto(output, assigned, next) => {
                self.exit_state(tid, state, output, assigned, Some(next))
            }
            Flow::StateFailed(failure) => self.state_failed(tid, state, failure),
            Flow::ThreadFailed(failure) => self.thread_failed(tid, failure),
        }
    }

    fn exit_state(
        &mut self,
        tid: usize,
        state: &State,
        output: Value,
        assigned: Map,
        next: Option<usize>,
    ) {
        // Checked before anything walks the value: a loop that wraps its input a level
        // per state would otherwise grow it until a walk overflows the stack.
        if output.nested_too_deep() || assigned.values().any(Value::nested_too_deep) {
            self.thread_failed(tid, too_deep(&state.name));
            return;
        }
        // From the nodes' cached lengths: O(nodes this state made), not O(payload).
        if output.text_len() > MAX_PAYLOAD_BYTES {
            let f = Failure::new(
                "States.DataLimitExceeded",
                format!("The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.", state.name),
            );
            self.thread_failed(tid, f);
            return;
        }
        if let Some(f) = self.variables_too_large(&assigned) {
            self.thread_failed(tid, f);
            return;
        }
        let mut stages = self.stages();
        stages.put("output", &output);
        if !assigned.is_empty() {
            stages.put("assigned", &Value::object(assigned.clone()));
        }
        self.note(tid, stages);
        let mut details = None;
        if !assigned.is_empty() {
            let mut shown = JsonMap::new();
            for (k, v) in &assigned {
                shown.insert(k.to_string(), Json::String(v.to_json_text()));
            }
            let mut members = JsonMap::new();
            members.insert("assignedVariables".into(), Json::Object(shown));
            members.insert(
                "assignedVariablesDetails".into(),
                json!({"truncated": false}),
            );
            details = Some(Rc::new(members));
            let scope = self.thread(tid).scope;
            if let Some(s) = self.scopes.get_mut(scope) {
                for (name, value) in assigned {
                    let added = value.text_len();
                    let replaced = s
                        .vars
                        .insert(name, value)
                        .map(|old| old.text_len())
                        .unwrap_or(0);
                    self.variable_bytes = (self.variable_bytes + added).saturating_sub(replaced);
                }
            }
        }
        if !matches!(state.kind, Kind::Fail) {
            let id = self.emit_state_event(
                tid,
                exited_event(state),
                "stateExitedEventDetails",
                state,
                details,
                output.clone(),
            );
            let visit = self.thread(tid).visit;
            if let Some(inspection) = visit.and_then(|v| self.inspections.get_mut(v)) {
                inspection.exited_event_id = Some(id);
            }
        }
        let top_level = self.thread(tid).parent.is_none();
        match next {
            Some(next) if self.config.test_state.is_some() && top_level => {
                // TestState runs one state: note where it would go, and stop there.
                let name = self
                    .thread(tid)
                    .machine
                    .states
                    .get(next)
                    .map(|s| s.name.clone());
                self.test_next_state = name;
                self.thread_succeeded(tid, output);
            }
            Some(next) => {
                let t = self.thread_mut(tid);
                t.state = next;
                t.input = output;
                t.phase = Phase::Enter;
                self.runnable.push_back(tid);
            }
            _ => self.thread_succeeded(tid, output),
        }
    }

    /// AWS's variable limits: 256 KiB per variable and per Assign, 10 MiB in all.
    fn variables_too_large(&self, assigned: &Map) -> Option<Failure> {
        if assigned.is_empty() {
            return None;
        }
        let mut batch = 0;
        for (name, value) in assigned {
            let size = value.text_len();
            if size > MAX_PAYLOAD_BYTES {
                return Some(Failure::new(
                    "States.DataLimitExceeded",
                    format!("The variable '{name}' is {size} bytes; a variable may hold at most {MAX_PAYLOAD_BYTES} bytes."),
                ));
            }
            batch += size;
        }
        if batch > MAX_PAYLOAD_BYTES {
            return Some(Failure::new(
                "States.DataLimitExceeded",
                format!("The variables assigned by one state total {batch} bytes; at most {MAX_PAYLOAD_BYTES} bytes may be assigned at once."),
            ));
        }
        let stored = self.variable_bytes;
        if stored + batch > MAX_VARIABLE_BYTES {
            return Some(Failure::new(
                "States.DataLimitExceeded",
                format!("The execution's variables would total {} bytes; the maximum is {MAX_VARIABLE_BYTES} bytes.", stored + batch),
            ));
        }
        None
    }

    fn thread_succeeded(&mut self, tid: usize, output: Value) {
        let Some(thread) = self.threads.get_mut(tid).and_then(Option::take) else {
            return;
        };
        self.free_threads.push(tid);
        match thread.parent {
            None => {
                let details = shared_payload_details("output");
                let prev = thread.last_event;
                self.emit_raw_payload(
                    prev,
                    "ExecutionSucceeded",
                    Some("executionSucceededEventDetails"),
                    HistoryEvent::shared_details(details),
                    Some(output.clone()),
                );
                self.finish(Outcome {
                    status: Status::Succeeded,
                    output: Some(output.clone()),
                    error: None,
                    cause: None,
                    stop_time: self.now,
                });
            }
            Some((join, index)) => {
                self.child_succeeded(join, index, tid, thread.last_event, output)
            }
        }
    }

    fn thread_failed(&mut self, tid: usize, failure: Failure) {
        let Some(thread) = self.threads.get_mut(tid).and_then(Option::take) else {
            return;
        };
        self.free_threads.push(tid);
        match thread.parent {
            None => {
                self.threads[tid] = Some(thread);
                self.fail_execution(tid, failure);
                self.threads[tid] = None;
            }
            Some((join, index)) => self.child_failed(join, index, tid, thread.last_event, failure),
        }
    }

    /// A state failed: Retry, then Catch, else the thread fails.
    fn state_failed(&mut self, tid: usize, state: &State, failure: Failure) {
        self.note_one(
            tid,
            "error",
            &crate::value!({"error": failure.error, "cause": failure.cause}),
        );
        if failure.error == "States.Runtime" {
            // Not retriable and not caught by anything: the execution fails.
            let prefixed = self.runtime_cause(tid, state, failure);
            self.fail_execution(tid, prefixed);
            return;
        }
        let failure = if failure.error == "States.QueryEvaluationError" {
            self.runtime_cause(tid, state, failure)
        } else {
            failure
        };
        if let Some(delay_ms) = self.retry_delay(tid, &state.retry, &failure.error) {
            if self.config.test_state.is_some() && self.thread(tid).parent.is_none() {
                // TestState reports RETRIABLE instead of waiting and running again.
                let retry_index = state
                    .retry
                    .iter()
                    .position(|r| error_matches(&r.error_equals, &failure.error))
                    .unwrap_or(0);
                self.retriable = Some(Retriable {
                    failure: failure.clone(),
                    retry_index,
                    backoff_seconds: delay_ms as f64 / 1000.0,
                });
                self.fail_execution(tid, failure);
                return;
            }
            let until = self.now + delay_ms;
            self.new_effect(tid, Effect::Wait { until });
            self.thread_mut(tid).phase = Phase::RetryWait;
            return;
        }
        let catcher = state
            .catch
            .iter()
            .find(|c| error_matches(&c.error_equals, &failure.error));
        // EvaluationFailed belongs to the state whose expression failed, not to the
        // Parallel or Map a failed branch or iteration reports to.
        let own = failure.cause.as_deref().is_some_and(|c| {
            c.starts_with(&format!(
                "An error occurred while executing the state '{}'",
                state.name
            ))
        });
        if catcher.is_none() && failure.error == "States.QueryEvaluationError" && own {
            self.emit_evaluation_failed(tid, state, &failure);
        }
        match state.kind {
            Kind::Map(_) => {
                self.emit(tid, "MapStateFailed", None, JsonMap::new());
            }
            Kind::Parallel { .. } => {
                self.emit(tid, "ParallelStateFailed", None, JsonMap::new());
            }
            _ => {}
        }
        if let Some(catcher) = catcher {
            self.caught(tid, state, catcher, failure);
            return;
        }
        self.thread_failed(tid, failure);
    }

    fn emit_evaluation_failed(&mut self, tid: usize, state: &State, failure: &Failure) {
        let mut details = failure_details(&failure.error, failure.cause.as_deref());
        let cause = failure.cause.as_deref().unwrap_or_default();
        if let Some(location) = cause
            .split("specified for the field '")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
        {
            details.insert("location".into(), Json::String(location.to_string()));
        }
        details.insert("state".into(), Json::String(state.name.clone()));
        self.emit(
            tid,
            "EvaluationFailed",
            Some("evaluationFailedEventDetails"),
            details,
        );
    }

    fn runtime_cause(&self, tid: usize, state: &State, failure: Failure) -> Failure {
        let entered = self.thread(tid).entered_event;
        let detail = failure.cause.unwrap_or_default();
        if detail.starts_with("An error occurred while executing the state") {
            return Failure::new(failure.error, detail);
        }
        Failure::new(
            failure.error,
            format!("An error occurred while executing the state '{}' (entered at the event id #{entered}). {detail}", state.name),
        )
    }

    fn caught(&mut self, tid: usize, state: &State, catcher: &Catcher, failure: Failure) {
        let error_output = crate::value!({
            "Error": failure.error,
            "Cause": failure.cause.clone().unwrap_or_default(),
        });
        let raw_input = self.thread(tid).input.clone();
        if state.query_language == QueryLanguage::Jsonata {
            return self.jsonata_caught(tid, state, catcher, &raw_input, error_output);
        }
        let outcome = self.with_env(tid, state, None, |env| -> Result<(Value, Map), Failure> {
            let assigned = dataflow::assign(catcher.assign_template.as_ref(), &error_output, env)?;
            Ok((
                dataflow::result_path(&catcher.result_path, &raw_input, error_output)?,
                assigned,
            ))
        });
        match outcome {
            Ok((output, assigned)) => {
                self.exit_state(tid, state, output, assigned, Some(catcher.next))
            }
            Err(f) => {
                let f = self.runtime_cause(tid, state, f);
                self.fail_execution(tid, f);
            }
        }
    }

    /// The back-off before the next attempt, or `None` when no retrier applies any more.
    fn retry_delay(&mut self, tid: usize, retriers: &[Retrier], error: &str) -> Option<i64> {
        let (i, retrier) = retriers
            .iter()
            .enumerate()
            .find(|(_, r)| error_matches(&r.error_equals, error))?;
        let attempts = *self.thread(tid).retry_attempts.get(i)?;
        if attempts >= retrier.max_attempts {
            return None;
        }
        let mut delay = retrier.interval_seconds * retrier.backoff_rate.powi(attempts as i32);
        if let Some(max) = retrier.max_delay_seconds {
            delay = delay.min(max);
        }
        if retrier.jitter_full {
            delay *= self.rng.next_f64();
        }
        let t = self.thread_mut(tid);
        t.retry_attempts[i] += 1;
        t.retry_count += 1;
        Some((delay * 1000.0).round() as i64)
    }

    // ----- state execution -------------------------------------------------------

    fn execute(&mut self, tid: usize, state: &State) -> Flow {
        let raw_input = self.thread(tid).input.clone();
        if state.query_language == QueryLanguage::Jsonata {
            return self.execute_jsonata(tid, state, raw_input);
        }
        match &state.kind {
            Kind::Pass { .. } => self.run_pass(tid, state, raw_input),
            Kind::Task(task) => self.run_task(tid, state, raw_input, task),
            Kind::Choice { default, .. } => self.run_choice(tid, state, raw_input, *default),
            Kind::Wait => self.run_wait(tid, state, raw_input),
            Kind::Succeed => self
                .with_env(tid, state, None, |env| {
                    let effective = dataflow::input_path(state, &raw_input, env)?;
                    dataflow::output_path(state, effective, env)
                })
                .map_or_else(Flow::StateFailed, Flow::Exit),
            Kind::Fail => self.run_fail(tid, state, &raw_input),
            Kind::Parallel { branches } => self.run_parallel(tid, state, raw_input, branches),
            Kind::Map(_) => self.run_map(tid, state, raw_input),
        }
    }

    /// Runs `f` with the state's evaluation environment (context object, variables, rng).
    fn with_env<T>(
        &mut self,
        tid: usize,
        state: &State,
        token: Option<&str>,
        f: impl FnOnce(&mut Env) -> T,
    ) -> T {
        let thread = self.thread(tid);
        let context = if state.uses_context {
            self.context_object(thread, state, token)
        } else {
            Value::Null
        };
        let view = ScopeView {
            scopes: &self.scopes,
            at: thread.scope,
        };
        let mut env = Env {
            context: &context,
            variables: &view,
            rng: &mut self.rng,
        };
        f(&mut env)
    }

    fn run_pass(&mut self, tid: usize, state: &State, raw_input: Value) -> Flow {
        let mut stages = self.stages();
        let outcome = self.with_env(tid, state, None, |env| -> Result<(Value, Map), Failure> {
            let effective = dataflow::effective_input(state, &raw_input, env)?;
            stages.put("afterInputPath", &effective);
            let value = match &state.compiled.result {
                Some(r) => r.clone(),
                None => dataflow::template_ref(state.compiled.parameters.as_ref(), effective, env)?,
            };
            if state.parameters.is_some() {
                stages.put("afterParameters", &value);
            }
            stages.put("result", &value);
            place_result(state, &raw_input, value, env, &mut stages)
        });
        self.note(tid, stages);
        match outcome {
            Ok((output, assigned)) => Flow::ExitAssign(output, assigned),
            Err(f) => Flow::StateFailed(f),
        }
    }

    fn run_choice(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: Value,
        default: Option<usize>,
    ) -> Flow {
        let outcome = self.with_env(
            tid,
            state,
            None,
            |env| -> Result<(Value, Option<usize>, Map), Failure> {
                let effective = dataflow::input_path(state, &raw_input, env)?;
                // The first rule that holds decides (a rule without Next counts as none).
                let mut chosen = None;
                for choice in &state.compiled.choices {
                    if choice.rule.holds(&effective, env)? {
                        chosen = choice.next.as_ref();
                        break;
                    }
                }
                let (next, rule_assign) = match chosen {
                    Some(next) => (next.state, next.assign.as_ref()),
                    None => (default, state.compiled.assign.as_ref()),
                };
                let assigned = dataflow::assign(rule_assign, &effective, env)?;
                Ok((
                    dataflow::output_path(state, effective, env)?,
                    next,
                    assigned,
                ))
            },
        );
        match outcome {
            Ok((output, Some(next), assigned)) => Flow::Goto(output, assigned, next),
            Ok((_, None, _)) => Flow::StateFailed(Failure::new(
                "States.NoChoiceMatched",
                format!("An error occurred while executing the state '{}' (entered at the event id #{}). Failed to transition out of the state. The state does not point to a next state.", state.name, self.thread(tid).entered_event),
            )),
            Err(f) => Flow::StateFailed(f),
        }
    }

    fn run_wait(&mut self, tid: usize, state: &State, raw_input: Value) -> Flow {
        let now = self.now;
        let raw = &state.raw;
        let outcome = self.with_env(
            tid,
            state,
            None,
            |env| -> Result<(Value, i64, Map), Failure> {
                let effective = dataflow::input_path(state, &raw_input, env)?;
                let until = wait_until(raw, &effective, now, env)?;
                let assigned = dataflow::assign(state.compiled.assign.as_ref(), &effective, env)?;
                Ok((
                    dataflow::output_path(state, effective, env)?,
                    until,
                    assigned,
                ))
            },
        );
        match outcome {
            Ok((output, until, assigned)) => {
                if until <= self.now {
                    return Flow::ExitAssign(output, assigned);
                }
                let scope = self.thread(tid).scope;
                if let Some(s) = self.scopes.get_mut(scope) {
                    // Assign takes effect when the state is left; Wait has nothing to
                    // evaluate in between, so applying it now is equivalent.
                    s.vars.extend(assigned);
                }
                self.new_effect(tid, Effect::Wait { until });
                self.thread_mut(tid).phase = Phase::Wait { output };
                Flow::Parked
            }
            Err(f) => Flow::StateFailed(f),
        }
    }

    fn run_fail(&mut self, tid: usize, state: &State, raw_input: &Value) -> Flow {
        let raw = &state.raw;
        let outcome = self.with_env(tid, state, None, |env| -> Result<Failure, Failure> {
            let text =
                |field: &str, path_field: &str, env: &mut Env| -> Result<Option<String>, Failure> {
                    if let Some(v) = raw.get(field).and_then(Json::as_str) {
                        return Ok(Some(v.to_string()));
                    }
                    let Some(p) = raw.get(path_field).and_then(Json::as_str) else {
                        return Ok(None);
                    };
                    let value = if crate::intrinsic::is_intrinsic(p) {
                        crate::intrinsic::evaluate(p, raw_input, env)?
                    } else {
                        crate::path::select_in_field(p, path_field, raw_input, env)?
                    };
                    match value {
                        Value::String(s) => Ok(Some(s.to_string())),
                        other => Ok(Some(other.to_json_text())),
                    }
                };
            let error = text("Error", "ErrorPath", env)?;
            let cause = text("Cause", "CausePath", env)?;
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

    // ----- Task -----------------------------------------------------------------

    fn run_task(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: Value,
        task: &crate::asl::Task,
    ) -> Flow {
        let resource = &*task.resource;
        let raw = &state.raw;
        let token_needed = resource.ends_with(".waitForTaskToken");
        let token = token_needed.then(|| self.rng.uuid_v4());
        let mut stages = self.stages();
        let prepared = self.with_env(
            tid,
            state,
            token.as_deref(),
            |env| -> Result<(Value, Option<u64>, Option<u64>), Failure> {
                let effective = dataflow::effective_input(state, &raw_input, env)?;
                stages.put("afterInputPath", &effective);
                let params =
                    dataflow::template_ref(state.compiled.parameters.as_ref(), effective, env)?;
                if state.parameters.is_some() {
                    stages.put("afterParameters", &params);
                }
                if !task.timed {
                    return Ok((params, None, None));
                }
                let timeout =
                    seconds_field(raw, "TimeoutSeconds", "TimeoutSecondsPath", &raw_input, env)?;
                let heartbeat = seconds_field(
                    raw,
                    "HeartbeatSeconds",
                    "HeartbeatSecondsPath",
                    &raw_input,
                    env,
                )?;
                Ok((params, timeout, heartbeat))
            },
        );
        self.note(tid, stages);
        match prepared {
            Ok((params, timeout, heartbeat)) => self.schedule_task(
                tid,
                state,
                raw_input,
                task,
                params,
                (timeout, heartbeat),
                token,
            ),
            Err(f) => Flow::StateFailed(f),
        }
    }

    /// Emits the scheduling events and hands the task to the host.
    #[allow(clippy::too_many_arguments)]
    fn schedule_task(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: Value,
        task: &crate::asl::Task,
        params: Value,
        (timeout_seconds, heartbeat_seconds): (Option<u64>, Option<u64>),
        token: Option<String>,
    ) -> Flow {
        let retry_count = self.thread(tid).retry_count;
        let resource = &task.resource;
        // Built with the machine, except lambda:invoke's (FunctionName is per call).
        let kind = match &task.kind {
            Some(kind) => kind.clone(),
            None => Rc::new(lambda_invoke_kind(
                params.get("FunctionName").and_then(Value::as_str),
            )),
        };
        let input = match &*kind {
            // A string Payload is the raw request body: Lambda receives its JSON value.
            TaskKind::LambdaInvoke { .. } => match params.get("Payload") {
                Some(Value::String(text)) => {
                    Value::parse(text).unwrap_or_else(|_| Value::String(text.clone()))
                }
                // A null Payload is sent as no payload: the function receives {}
                // (recorded in AWS's TestState responses).
                Some(Value::Null) => Value::empty_object(),
                Some(v) => v.clone(),
                None => Value::Null,
            },
            _ => params.clone(),
        };
        let invocation = Invocation {
            state_name: state.shared_name.clone(),
            resource: resource.clone(),
            input,
            kind,
            task_token: token,
            sync: task.sync,
            timeout_seconds,
            heartbeat_seconds,
            retry_count,
        };
        self.emit_scheduled(tid, &invocation, params, &task.details);
        let deadline = invocation
            .timeout_seconds
            .map(|s| self.now + s as i64 * 1000);
        let heartbeat_deadline = invocation
            .heartbeat_seconds
            .map(|s| self.now + s as i64 * 1000);
        let invocation = Rc::new(invocation);
        let effect = self.new_effect(tid, Effect::Invoke(invocation.clone()));
        self.thread_mut(tid).phase = Phase::Task {
            effect,
            deadline,
            heartbeat_deadline,
            invocation,
            raw_input,
        };
        Flow::Parked
    }

    /// `params`: the task's request (for Activities and Lambda ARNs, its input too),
    /// recorded as the shared value and written as text only when the history is read.
    fn emit_scheduled(
        &mut self,
        tid: usize,
        inv: &Invocation,
        params: Value,
        shared: &TaskDetails,
    ) {
        match &*inv.kind {
            TaskKind::Activity { arn } => {
                let d = shared.scheduled.clone().unwrap_or_else(|| {
                    let mut d = shared_payload_details("input");
                    d.insert("resource".into(), Json::String(arn.clone()));
                    if let Some(t) = inv.timeout_seconds {
                        d.insert("timeoutInSeconds".into(), Json::from(t));
                    }
                    if let Some(h) = inv.heartbeat_seconds {
                        d.insert("heartbeatInSeconds".into(), Json::from(h));
                    }
                    Rc::new(d)
                });
                self.emit_payload(
                    tid,
                    "ActivityScheduled",
                    Some("activityScheduledEventDetails"),
                    Some(d),
                    Some(params),
                );
                let worker = as_map(json!({"workerName": "statelab"}));
                self.emit(
                    tid,
                    "ActivityStarted",
                    Some("activityStartedEventDetails"),
                    worker,
                );
            }
            TaskKind::LambdaArn { .. } => {
                let d = shared.scheduled.clone().unwrap_or_else(|| {
                    let mut d = shared_payload_details("input");
                    d.insert("resource".into(), Json::String(inv.resource.to_string()));
                    if let Some(t) = inv.timeout_seconds {
                        d.insert("timeoutInSeconds".into(), Json::from(t));
                    }
                    Rc::new(d)
                });
                self.emit_payload(
                    tid,
                    "LambdaFunctionScheduled",
                    Some("lambdaFunctionScheduledEventDetails"),
                    Some(d),
                    Some(params),
                );
                self.emit_payload(tid, "LambdaFunctionStarted", None, None, None);
            }
            _ => {
                let (resource_type, resource) = resource_parts(&inv.resource);
                let mut d = JsonMap::new();
                d.insert("resourceType".into(), Json::String(resource_type));
                d.insert("resource".into(), Json::String(resource));
                d.insert("region".into(), Json::String(self.config.region.clone()));
                d.insert("parameters".into(), Json::String(params.to_json_text()));
                if let Some(t) = inv.timeout_seconds {
                    d.insert("timeoutInSeconds".into(), Json::from(t));
                }
                if let Some(h) = inv.heartbeat_seconds {
                    d.insert("heartbeatInSeconds".into(), Json::from(h));
                }
                self.emit(tid, "TaskScheduled", Some("taskScheduledEventDetails"), d);
                self.emit_payload(
                    tid,
                    "TaskStarted",
                    Some("taskStartedEventDetails"),
                    shared.started.clone(),
                    None,
                );
            }
        }
    }

    fn task_done(
        &mut self,
        tid: usize,
        state: &State,
        inv: &Invocation,
        raw_input: Value,
        result: EffectResult,
    ) -> Flow {
        let outcome = match result {
            EffectResult::Ok(value) => Ok(match &*inv.kind {
                // A callback's output is the task result as sent, not a Lambda response;
                // a TestState mock is the whole response too.
                TaskKind::LambdaInvoke { .. }
                    if inv.task_token.is_none()
                        && !self
                            .config
                            .test_state
                            .as_ref()
                            .is_some_and(|h| h.mocked_task) =>
                {
                    Value::from(lambda_invoke_response(
                        value.to_serde(),
                        self.now,
                        &mut self.rng,
                    ))
                }
                _ => value,
            }),
            EffectResult::Err(f) => Err(f),
            EffectResult::ErrorPayload(payload) => Err(lambda_error(inv, &payload)),
            EffectResult::FunctionNotFound => {
                Err(function_not_found(inv, &self.config, &mut self.rng))
            }
        };
        let lambda_arn = matches!(*inv.kind, TaskKind::LambdaArn { .. });
        match outcome {
            Ok(value) => {
                // Parsed or converted within serde_json's nesting limit; AWS's is lower.
                if value.nested_too_deep() {
                    return self.task_failed_event(tid, inv, too_deep(&inv.resource));
                }
                // The events record the value itself (written as text when read).
                if value.text_len() > MAX_PAYLOAD_BYTES {
                    let f = Failure::new(
                        "States.DataLimitExceeded",
                        format!("The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.", inv.resource),
                    );
                    return self.task_failed_event(tid, inv, f);
                }
                let (kind, key) = if matches!(*inv.kind, TaskKind::Activity { .. }) {
                    ("ActivitySucceeded", "activitySucceededEventDetails")
                } else if lambda_arn {
                    (
                        "LambdaFunctionSucceeded",
                        "lambdaFunctionSucceededEventDetails",
                    )
                } else {
                    // Only service integrations record the resource (TaskDetails).
                    ("TaskSucceeded", "taskSucceededEventDetails")
                };
                let details = match &state.kind {
                    Kind::Task(task) => task.details.succeeded.clone(),
                    _ => TaskDetails::new(&inv.resource, Some(&inv.kind), false).succeeded,
                };
                self.emit_payload(tid, kind, Some(key), details, Some(value.clone()));
                self.task_output(tid, state, raw_input, value)
            }
            Err(f) => self.task_failed_event(tid, inv, f),
        }
    }

    fn task_failed_event(&mut self, tid: usize, inv: &Invocation, f: Failure) -> Flow {
        let (resource_type, resource) = resource_parts(&inv.resource);
        if matches!(*inv.kind, TaskKind::Activity { .. }) {
            let timed_out = f.error == "States.Timeout" || f.error == "States.HeartbeatTimeout";
            let (kind, key) = if timed_out {
                ("ActivityTimedOut", "activityTimedOutEventDetails")
            } else {
                ("ActivityFailed", "activityFailedEventDetails")
            };
            self.emit(
                tid,
                kind,
                Some(key),
                failure_details(&f.error, f.cause.as_deref()),
            );
        } else if matches!(*inv.kind, TaskKind::LambdaArn { .. }) {
            let kind = if f.error == "States.Timeout" {
                "LambdaFunctionTimedOut"
            } else {
                "LambdaFunctionFailed"
            };
            let key = if f.error == "States.Timeout" {
                "lambdaFunctionTimedOutEventDetails"
            } else {
                "lambdaFunctionFailedEventDetails"
            };
            self.emit(
                tid,
                kind,
                Some(key),
                failure_details(&f.error, f.cause.as_deref()),
            );
        } else {
            let (kind, key) = if f.error == "States.Timeout" || f.error == "States.HeartbeatTimeout"
            {
                ("TaskTimedOut", "taskTimedOutEventDetails")
            } else {
                ("TaskFailed", "taskFailedEventDetails")
            };
            let mut d = failure_details(&f.error, f.cause.as_deref());
            d.insert("resourceType".into(), Json::String(resource_type));
            d.insert("resource".into(), Json::String(resource));
            self.emit(tid, kind, Some(key), d);
        }
        Flow::StateFailed(f)
    }

    /// ResultSelector -> ResultPath -> OutputPath (+ Assign on the selected result).
    fn task_output(&mut self, tid: usize, state: &State, raw_input: Value, result: Value) -> Flow {
        if state.query_language == QueryLanguage::Jsonata {
            return self.jsonata_output(tid, state, &raw_input.to_serde(), Some(result.to_serde()));
        }
        let mut stages = self.stages();
        stages.put("result", &result);
        let outcome = self.with_env(tid, state, None, |env| -> Result<(Value, Map), Failure> {
            let selected =
                dataflow::template(state.compiled.result_selector.as_ref(), result, env)?;
            if state.result_selector.is_some() {
                stages.put("afterResultSelector", &selected);
            }
            place_result(state, &raw_input, selected, env, &mut stages)
        });
        self.note(tid, stages);
        match outcome {
            Ok((output, assigned)) => Flow::ExitAssign(output, assigned),
            Err(f) => Flow::StateFailed(f),
        }
    }

    // ----- Parallel and Map -------------------------------------------------------

    fn run_parallel(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: Value,
        branches: &[Rc<Machine>],
    ) -> Flow {
        let effective = self.with_env(tid, state, None, |env| -> Result<Value, Failure> {
            let effective = dataflow::input_path(state, &raw_input, env)?;
            dataflow::template(state.compiled.parameters.as_ref(), effective, env)
        });
        match effective {
            Ok(v) => self.start_parallel(tid, state, raw_input, v, branches.len()),
            Err(f) => Flow::StateFailed(f),
        }
    }

    fn start_parallel(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: Value,
        effective: Value,
        branch_count: usize,
    ) -> Flow {
        let branches = vec![(); branch_count];
        self.emit(tid, "ParallelStateStarted", None, JsonMap::new());
        let join = self.new_join(Join {
            owner: tid,
            kind: JoinKind::Parallel,
            state_name: state.shared_name.clone(),
            results: vec![Value::Null; branches.len()],
            next_to_start: 0,
            total: branches.len(),
            items: Vec::new(),
            active: Vec::new(),
            finished: 0,
            max_concurrency: branches.len().max(1),
            input: effective,
            failed: false,
            distributed: false,
            failures: 0,
            tolerated_count: None,
            tolerated_percentage: None,
            report: None,
            item_context: None,
        });
        self.thread_mut(tid).phase = Phase::Join { join, raw_input };
        if branches.is_empty() {
            self.deliver_join(join);
        } else {
            self.start_children(join);
        }
        Flow::Parked
    }

    fn run_map(&mut self, tid: usize, state: &State, raw_input: Value) -> Flow {
        let raw = &state.raw;
        let prepared = self.with_env(tid, state, None, |env| -> Result<(Value, MapPlan), Failure> {
            let effective = dataflow::input_path(state, &raw_input, env)?;
            let mut plan = MapPlan::default();
            if let Some(reader) = raw.get("ItemReader") {
                let params = match reader.get("Parameters") {
                    Some(t) => crate::path::apply_template(t, &effective, env)?.to_serde(),
                    None => Json::Object(JsonMap::new()),
                };
                let config = reader.get("ReaderConfig").cloned().unwrap_or(Json::Null);
                let mut max_items = config.get("MaxItems").and_then(Json::as_u64).map(|n| n as usize);
                if let Some(p) = config.get("MaxItemsPath").and_then(Json::as_str) {
                    let v = crate::path::select(p, &effective, env)?;
                    max_items = java_long(&v).filter(|n| *n >= 0).map(|n| n as usize);
                }
                plan.reader = Some(ItemRead { params, config, max_items });
            } else {
                let items_value = match raw.get("ItemsPath").and_then(Json::as_str) {
                    Some(p) => crate::path::select(p, &effective, env)?,
                    None => effective.clone(),
                };
                let Value::Array(items) = items_value else {
                    let p = raw.get("ItemsPath").and_then(Json::as_str).unwrap_or("$");
                    return Err(Failure::runtime(format!(
                        "Invalid path '{p}': The Map state's ItemsPath must reference a JSON array, but got {}",
                        items_value.to_json_text()
                    )));
                };
                plan.items = Rc::unwrap_or_clone(items).into_vec();
            }
            plan.max_concurrency = raw.get("MaxConcurrency").and_then(Json::as_u64).unwrap_or(0) as usize;
            if let Some(p) = raw.get("MaxConcurrencyPath").and_then(Json::as_str) {
                let v = crate::path::select(p, &effective, env)?;
                plan.max_concurrency = match java_long(&v) {
                    Some(n) if n >= 0 => n as usize,
                    _ => {
                        return Err(Failure::runtime(format!(
                            "The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: {p}",
                            crate::path::java_scalar(&v)
                        )))
                    }
                };
            }
            // AWS checks the tolerance after MapStateStarted: keep its error for then.
            if let Err(f) = tolerance(&mut plan, raw, &effective, env) {
                plan.deferred_failure = Some(f);
            }
            if let Some(batcher) = raw.get("ItemBatcher") {
                let mut count = batcher.get("MaxItemsPerBatch").and_then(Json::as_u64).map(|n| n as usize);
                let mut bytes = batcher.get("MaxInputBytesPerBatch").and_then(Json::as_u64).map(|n| n as usize);
                if let Some(p) = batcher.get("MaxItemsPerBatchPath").and_then(Json::as_str) {
                    count = java_long(&crate::path::select(p, &effective, env)?).map(|n| n.max(0) as usize);
                }
                if let Some(p) = batcher.get("MaxInputBytesPerBatchPath").and_then(Json::as_str) {
                    bytes = java_long(&crate::path::select(p, &effective, env)?).map(|n| n.max(0) as usize);
                }
                let input = match batcher.get("BatchInput") {
                    Some(t) => Some(crate::path::apply_template(t, &effective, env)?),
                    None => None,
                };
                plan.batcher = Some(Batcher { max_items: count, max_bytes: bytes, input });
            }
            Ok((effective, plan))
        });
        match prepared {
            Ok((effective, plan)) => {
                let mut stages = self.stages();
                stages.put("afterInputPath", &effective);
                if plan.reader.is_none() {
                    stages.put("afterItemsPath", &Value::array(plan.items.clone()));
                }
                self.note(tid, stages);
                self.begin_map(tid, state, raw_input, effective, plan)
            }
            Err(f) => Flow::StateFailed(f),
        }
    }

    /// Checks the tolerance, then reads items (ItemReader) or starts the iterations.
    fn begin_map(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: Value,
        effective: Value,
        mut plan: MapPlan,
    ) -> Flow {
        let mut stages = self.stages();
        stages.put("maxConcurrency", &Value::from(plan.max_concurrency));
        if let Some(c) = plan.tolerated_count {
            stages.put("toleratedFailureCount", &Value::number(c));
        }
        if let Some(p) = plan.tolerated_percentage {
            stages.put("toleratedFailurePercentage", &Value::number(p));
        }
        self.note(tid, stages);
        let invalid = if let Some(f) = plan.deferred_failure.take() {
            Some(f)
        } else if plan.tolerated_count.is_some_and(|c| c < 0.0) {
            Some(Failure::runtime(
                "ToleratedFailureCount cannot be negative.",
            ))
        } else if plan
            .tolerated_percentage
            .is_some_and(|p| !(0.0..=100.0).contains(&p))
        {
            Some(Failure::runtime(
                "ToleratedFailurePercentage must be between 0 and 100.",
            ))
        } else {
            None
        };
        if let Some(f) = invalid {
            let length = json!({"length": plan.items.len()});
            self.emit(
                tid,
                "MapStateStarted",
                Some("mapStateStartedEventDetails"),
                as_map(length),
            );
            return Flow::StateFailed(f);
        }
        if let Some(reader) = plan.reader.take() {
            let resource = state
                .raw
                .get("ItemReader")
                .and_then(|r| r.get("Resource"))
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string();
            let kind = task_kind(&resource, &reader.params);
            let invocation = Invocation {
                state_name: state.shared_name.clone(),
                resource: resource.into(),
                kind: Rc::new(kind),
                input: Value::from(reader.params.clone()),
                task_token: None,
                sync: false,
                timeout_seconds: None,
                heartbeat_seconds: None,
                retry_count: 0,
            };
            self.new_effect(tid, Effect::Invoke(Rc::new(invocation)));
            self.thread_mut(tid).phase = Phase::ItemRead {
                raw_input,
                effective,
                plan: Box::new(plan),
                reader: Box::new(reader),
            };
            return Flow::Parked;
        }
        self.start_map(tid, state, raw_input, effective, plan)
    }

    #[allow(clippy::too_many_arguments)]
    fn items_read(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: Value,
        effective: Value,
        mut plan: MapPlan,
        reader: ItemRead,
        result: EffectResult,
    ) -> Flow {
        let distributed = matches!(&state.kind, Kind::Map(m) if m.distributed);
        let items = match result {
            EffectResult::Ok(response) => {
                item_reader::items_from(&response.to_serde(), &reader.config, reader.max_items)
            }
            EffectResult::Err(f) => Err(f),
            _ => Err(Failure::new(
                "States.ItemReaderFailed",
                "The ItemReader could not read its source",
            )),
        };
        match items {
            Ok(items) => {
                plan.items = items.into_iter().map(Value::from).collect();
                plan.items_from_reader = true;
                self.start_map(tid, state, raw_input, effective, plan)
            }
            Err(f) => {
                self.emit(
                    tid,
                    "MapStateStarted",
                    Some("mapStateStartedEventDetails"),
                    as_map(json!({"length": 0})),
                );
                if distributed {
                    let arn = self.map_run_arn(state);
                    self.emit(
                        tid,
                        "MapRunStarted",
                        Some("mapRunStartedEventDetails"),
                        as_map(json!({"mapRunArn": arn})),
                    );
                    self.emit(
                        tid,
                        "MapRunFailed",
                        Some("mapRunFailedEventDetails"),
                        failure_details(&f.error, f.cause.as_deref()),
                    );
                }
                Flow::StateFailed(f)
            }
        }
    }

    fn map_run_arn(&mut self, state: &State) -> String {
        let label = state
            .raw
            .get("Label")
            .and_then(Json::as_str)
            .unwrap_or(&state.name)
            .to_string();
        let id = self.rng.uuid_v4();
        format!(
            "arn:aws:states:{}:{}:mapRun:{}/{label}:{id}",
            self.config.region, self.config.account, self.config.state_machine_name
        )
    }

    fn start_map(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: Value,
        effective: Value,
        plan: MapPlan,
    ) -> Flow {
        let distributed = matches!(&state.kind, Kind::Map(m) if m.distributed);
        let mut items = plan.items;
        if let Some(b) = plan.batcher {
            // Cold (ItemBatcher): item_reader works on serde_json values.
            let input = b.input.as_ref().map(Value::to_serde);
            let plain = items.iter().map(Value::to_serde).collect();
            items = item_reader::batch(plain, b.max_items, b.max_bytes, input.as_ref())
                .into_iter()
                .map(Value::from)
                .collect();
        }
        // AWS reports the length of an ItemReader source as 0: it streams the items.
        let length = if plan.items_from_reader {
            0
        } else {
            items.len()
        };
        self.emit(
            tid,
            "MapStateStarted",
            Some("mapStateStartedEventDetails"),
            as_map(json!({"length": length})),
        );
        let map_run_arn = distributed.then(|| self.map_run_arn(state));
        if let Some(arn) = &map_run_arn {
            self.emit(
                tid,
                "MapRunStarted",
                Some("mapRunStartedEventDetails"),
                as_map(json!({"mapRunArn": arn})),
            );
        }
        let max = plan.max_concurrency;
        let concurrency = if max == 0 {
            INLINE_MAP_CONCURRENCY
        } else {
            max
        };
        let total = items.len();
        let join = self.new_join(Join {
            owner: tid,
            kind: JoinKind::Map,
            state_name: state.shared_name.clone(),
            results: vec![Value::Null; total],
            next_to_start: 0,
            total,
            items,
            active: Vec::new(),
            finished: 0,
            max_concurrency: concurrency,
            input: effective,
            failed: false,
            distributed,
            failures: 0,
            tolerated_count: plan.tolerated_count,
            tolerated_percentage: plan.tolerated_percentage,
            report: match (&map_run_arn, state.raw.contains_key("ResultWriter")) {
                (Some(arn), true) => Some(MapReport {
                    map_run_arn: arn.clone(),
                    inputs: vec![Value::Null; total],
                    failed: Vec::new(),
                }),
                _ => None,
            },
            item_context: None,
        });
        self.thread_mut(tid).phase = Phase::Join { join, raw_input };
        if total == 0 {
            self.deliver_join(join);
        } else {
            self.start_children(join);
        }
        Flow::Parked
    }

    /// TestState with a mock for a top-level Map/Parallel: its children are not run and
    /// the mock is delivered as their result.
    fn test_join_result(&mut self, jid: usize) -> bool {
        let Some(result) = self
            .config
            .test_state
            .as_ref()
            .and_then(|h| h.join_result.clone())
        else {
            return false;
        };
        let Some(Some(join)) = self.joins.get(jid) else {
            return false;
        };
        let owner = join.owner;
        let top_level = matches!(self.threads.get(owner), Some(Some(t)) if t.parent.is_none());
        if !top_level {
            return false;
        }
        self.joins[jid] = None;
        self.thread_mut(owner).delivered = Some(result);
        self.runnable.push_back(owner);
        true
    }

    fn new_join(&mut self, join: Join) -> usize {
        self.joins.push(Some(join));
        self.joins.len() - 1
    }

    /// Starts children until the join's concurrency is used up.
    fn start_children(&mut self, jid: usize) {
        if self.test_join_result(jid) {
            return;
        }
        loop {
            let Some(Some(join)) = self.joins.get_mut(jid) else {
                return;
            };
            if join.failed
                || join.next_to_start >= join.total
                || join.active.len() >= join.max_concurrency
            {
                return;
            }
            let index = join.next_to_start;
            let owner = join.owner;
            let kind = join.kind;
            // Taken out and put back below: copying a Map's input per item is quadratic.
            let join_input = std::mem::take(&mut join.input);
            let join_name = join.state_name.clone();
            let item = join.items.get(index).cloned().unwrap_or(Value::Null);
            let distributed = join.distributed;
            let owner_thread = self.thread(owner);
            let machine = owner_thread.machine.clone();
            let state_index = owner_thread.state;
            let owner_scope = owner_thread.scope;
            let owner_last = owner_thread.last_event;
            let Some(state) = machine.states.get(state_index) else {
                return;
            };
            // Distributed Map children are child executions: they cannot read the
            // parent's variables.
            let scope = if distributed {
                self.new_root_scope()
            } else {
                self.new_scope(owner_scope)
            };
            let tid = match (&state.kind, kind) {
                (Kind::Parallel { branches }, JoinKind::Parallel) => {
                    let Some(branch) = branches.get(index).cloned() else {
                        return;
                    };
                    let start = branch.start_at;
                    let branch_input = join_input.clone();
                    if let Some(Some(j)) = self.joins.get_mut(jid) {
                        j.input = join_input;
                    }
                    self.spawn(
                        branch,
                        start,
                        branch_input,
                        scope,
                        Some((jid, index)),
                        None,
                        owner_last,
                    )
                }
                (Kind::Map(map), JoinKind::Map) => {
                    let parent_input = join_input;
                    let started = if distributed {
                        0
                    } else {
                        self.chain_event(owner, |this, previous| {
                            this.emit_iteration(
                                previous,
                                "MapIterationStarted",
                                "mapIterationStartedEventDetails",
                                (index, join_name),
                                JsonMap::new(),
                            )
                        })
                    };
                    let item_input = if state.query_language == QueryLanguage::Jsonata {
                        self.jsonata_item(owner, state, &parent_input, index, &item)
                    } else {
                        let selector = state
                            .raw
                            .get("ItemSelector")
                            .or_else(|| state.raw.get("Parameters"));
                        match (selector, state.compiled.item_selector.as_ref()) {
                            (Some(sel), Some(compiled)) => {
                                let cached = self
                                    .joins
                                    .get_mut(jid)
                                    .and_then(Option::as_mut)
                                    .and_then(|j| j.item_context.take());
                                let mut context = cached.unwrap_or_else(|| {
                                    let thread = self.thread(owner);
                                    let with_input = crate::asl::mentions_execution_input(sel);
                                    self.context_object_with(thread, state, None, with_input)
                                });
                                set_map_item(&mut context, index, item.clone());
                                let view = ScopeView {
                                    scopes: &self.scopes,
                                    at: owner_scope,
                                };
                                let mut env = Env {
                                    context: &context,
                                    variables: &view,
                                    rng: &mut self.rng,
                                };
                                let selected = compiled.apply(&parent_input, &mut env);
                                if let Some(Some(j)) = self.joins.get_mut(jid) {
                                    j.item_context = Some(context);
                                }
                                selected
                            }
                            _ => Ok(item.clone()),
                        }
                    };
                    if let Some(Some(j)) = self.joins.get_mut(jid) {
                        j.input = parent_input;
                    }
                    let item_input = match item_input {
                        Ok(v) => v,
                        Err(f) => {
                            if let Some(Some(j)) = self.joins.get_mut(jid) {
                                j.failed = true;
                            }
                            self.thread_mut(owner).delivered = Some(EffectResult::Err(f));
                            self.runnable.push_back(owner);
                            return;
                        }
                    };
                    if let Some(Some(j)) = self.joins.get_mut(jid) {
                        if let Some(report) = &mut j.report {
                            if let Some(slot) = report.inputs.get_mut(index) {
                                *slot = item_input.clone();
                            }
                        }
                    }
                    let processor = map.processor.clone();
                    let start = processor.start_at;
                    self.spawn(
                        processor,
                        start,
                        item_input,
                        scope,
                        Some((jid, index)),
                        Some((index, item)),
                        started,
                    )
                }
                _ => return,
            };
            let silent = distributed || self.thread(owner).silent;
            self.thread_mut(tid).silent = silent;
            if let Some(Some(join)) = self.joins.get_mut(jid) {
                join.next_to_start += 1;
                join.active.push(tid);
            }
        }
    }

    fn child_succeeded(
        &mut self,
        jid: usize,
        index: usize,
        tid: usize,
        last_event: u64,
        output: Value,
    ) {
        let Some(Some(join)) = self.joins.get_mut(jid) else {
            return;
        };
        join.active.retain(|t| *t != tid);
        join.results[index] = output;
        join.finished += 1;
        let (kind, owner, name) = (join.kind, join.owner, join.state_name.clone());
        let quiet = join.distributed
            || self
                .threads
                .get(owner)
                .and_then(Option::as_ref)
                .is_some_and(|t| t.silent);
        if kind == JoinKind::Map && !quiet {
            self.emit_iteration(
                last_event,
                "MapIterationSucceeded",
                "mapIterationSucceededEventDetails",
                (index, name),
                JsonMap::new(),
            );
        }
        if let Some(Some(t)) = self.threads.get_mut(owner) {
            t.last_event = last_event;
        }
        let done = self
            .joins
            .get(jid)
            .and_then(Option::as_ref)
            .is_some_and(|j| j.finished == j.total);
        if done {
            self.deliver_join(jid);
        } else {
            self.start_children(jid);
        }
    }

    fn child_failed(
        &mut self,
        jid: usize,
        index: usize,
        tid: usize,
        last_event: u64,
        failure: Failure,
    ) {
        let Some(Some(join)) = self.joins.get_mut(jid) else {
            return;
        };
        join.active.retain(|t| *t != tid);
        if join.failed {
            return;
        }
        let (kind, owner, name, distributed) = (
            join.kind,
            join.owner,
            join.state_name.clone(),
            join.distributed,
        );
        let tolerant = join.tolerated_count.is_some() || join.tolerated_percentage.is_some();
        let quiet = distributed
            || self
                .threads
                .get(owner)
                .and_then(Option::as_ref)
                .is_some_and(|t| t.silent);
        if kind == JoinKind::Map && !quiet {
            self.emit_iteration(
                last_event,
                "MapIterationFailed",
                "mapIterationFailedEventDetails",
                (index, name.clone()),
                failure_details(&failure.error, failure.cause.as_deref()),
            );
        }
        let Some(Some(join)) = self.joins.get_mut(jid) else {
            return;
        };
        let mut failure = failure;
        if kind == JoinKind::Map && (tolerant || distributed) {
            join.failures += 1;
            let over_count = join
                .tolerated_count
                .is_some_and(|c| join.failures as f64 > c);
            let over_percentage = join
                .tolerated_percentage
                .is_some_and(|p| join.failures as f64 * 100.0 / join.total.max(1) as f64 > p);
            if !(over_count || over_percentage || !tolerant) {
                // Tolerated: the item's result is its error output; the Map goes on.
                if let Some(report) = &mut join.report {
                    report.failed.push(index);
                }
                join.results[index] = crate::value!({"Error": failure.error, "Cause": failure.cause.unwrap_or_default()});
                join.finished += 1;
                if let Some(Some(t)) = self.threads.get_mut(owner) {
                    t.last_event = last_event;
                }
                let done = self
                    .joins
                    .get(jid)
                    .and_then(Option::as_ref)
                    .is_some_and(|j| j.finished == j.total);
                if done {
                    self.deliver_join(jid);
                } else {
                    self.start_children(jid);
                }
                return;
            }
            failure = Failure::new(
                "States.ExceedToleratedFailureThreshold",
                "The specified tolerated failure threshold was exceeded",
            );
        }
        let Some(Some(join)) = self.joins.get_mut(jid) else {
            return;
        };
        join.failed = true;
        let others: Vec<usize> = join.active.drain(..).collect();
        if distributed {
            let details = failure_details(&failure.error, failure.cause.as_deref());
            self.emit(
                owner,
                "MapRunFailed",
                Some("mapRunFailedEventDetails"),
                details,
            );
        }
        for other in others {
            self.abort_thread(other, kind, &name);
        }
        if let Some(Some(t)) = self.threads.get_mut(owner) {
            t.last_event = last_event;
            t.delivered = Some(EffectResult::Err(failure));
        }
        self.runnable.push_back(owner);
    }

    fn abort_thread(&mut self, tid: usize, kind: JoinKind, name: &Rc<str>) {
        let Some(thread) = self.threads.get_mut(tid).and_then(Option::take) else {
            return;
        };
        self.free_threads.push(tid);
        self.runnable.retain(|t| *t != tid);
        self.effects.retain(|_, t| *t != tid);
        if let Phase::Join { join, .. } = thread.phase {
            if let Some(Some(j)) = self.joins.get_mut(join) {
                j.failed = true;
                let children: Vec<usize> = j.active.drain(..).collect();
                let (k, n) = (j.kind, j.state_name.clone());
                for c in children {
                    self.abort_thread(c, k, &n);
                }
            }
        }
        if kind == JoinKind::Map {
            if let Some((index, _)) = thread.map_item {
                self.emit_iteration(
                    thread.last_event,
                    "MapIterationAborted",
                    "mapIterationAbortedEventDetails",
                    (index, name.clone()),
                    JsonMap::new(),
                );
            }
        }
    }

    fn deliver_join(&mut self, jid: usize) {
        let Some(join) = self.joins.get_mut(jid).and_then(Option::take) else {
            return;
        };
        if let Some(Some(t)) = self.threads.get_mut(join.owner) {
            t.joined = Some(Value::array(join.results));
            t.map_report = join.report;
        }
        self.runnable.push_back(join.owner);
    }

    /// ResultWriter: writes the child executions' results to S3 as AWS lays them out
    /// (`<Prefix>/<map run id>/manifest.json`, `SUCCEEDED_0.json`, `FAILED_0.json`) through
    /// s3:putObject effects, and returns what the Map outputs instead of the results.
    fn write_results(
        &mut self,
        tid: usize,
        state: &State,
        raw_input: &Value,
        report: MapReport,
        results: Value,
    ) -> Result<Value, Failure> {
        // Cold (distributed Map with a ResultWriter): the files are built as serde_json.
        let results = results.to_serde();
        let writer = state.raw.get("ResultWriter").cloned().unwrap_or(Json::Null);
        let params = match (writer.get("Parameters"), writer.get("Arguments")) {
            (Some(t), _) => self
                .with_env(tid, state, None, |env| {
                    crate::path::apply_template(t, raw_input, env)
                })?
                .to_serde(),
            (None, Some(a)) => a.clone(),
            (None, None) => Json::Null,
        };
        let bucket = params
            .get("Bucket")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let prefix = params
            .get("Prefix")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        let run_id = report
            .map_run_arn
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_string();
        let folder = if prefix.is_empty() {
            run_id
        } else {
            format!("{prefix}/{run_id}")
        };
        let Json::Array(outputs) = results else {
            return Ok(Value::Null);
        };
        let now = clock::format_iso(self.now);
        let (mut succeeded, mut failed) = (Vec::new(), Vec::new());
        for (i, output) in outputs.into_iter().enumerate() {
            let input = report.inputs.get(i).map_or(Json::Null, Value::to_serde);
            let name = self.rng.uuid_v4();
            let mut record = json!({
                "ExecutionArn": format!("{}:{name}", report.map_run_arn.replacen(":mapRun:", ":execution:", 1)),
                "Input": stringify(&input),
                "InputDetails": {"Included": true},
                "Name": name,
                "RedriveCount": 0,
                "StartDate": now,
                "StateMachineArn": report.map_run_arn,
                "StopDate": now,
            });
            if report.failed.contains(&i) {
                record["Status"] = json!("FAILED");
                record["Error"] = output.get("Error").cloned().unwrap_or(Json::Null);
                record["Cause"] = output.get("Cause").cloned().unwrap_or(Json::Null);
                failed.push(record);
            } else {
                record["Status"] = json!("SUCCEEDED");
                record["Output"] = json!(stringify(&output));
                record["OutputDetails"] = json!({"Included": true});
                succeeded.push(record);
            }
        }
        let mut files = Vec::new();
        let mut listing = JsonMap::new();
        for (status, records) in [
            ("FAILED", failed),
            ("PENDING", Vec::new()),
            ("SUCCEEDED", succeeded),
        ] {
            let mut entries = Vec::new();
            if !records.is_empty() {
                let key = format!("{folder}/{status}_0.json");
                let body = stringify(&Json::Array(records));
                entries.push(json!({"Key": key, "Size": body.len()}));
                files.push((key, body));
            }
            listing.insert(status.into(), Json::Array(entries));
        }
        let manifest_key = format!("{folder}/manifest.json");
        let manifest = json!({"DestinationBucket": bucket, "MapRunArn": report.map_run_arn, "ResultFiles": listing});
        files.push((manifest_key.clone(), stringify(&manifest)));
        let resource = writer
            .get("Resource")
            .and_then(Json::as_str)
            .unwrap_or("arn:aws:states:::s3:putObject")
            .to_string();
        for (key, body) in files {
            let input = json!({"Bucket": bucket, "Key": key, "Body": body});
            let invocation = Invocation {
                state_name: state.shared_name.clone(),
                kind: Rc::new(task_kind(&resource, &input)),
                resource: resource.as_str().into(),
                input: Value::from(input),
                task_token: None,
                sync: false,
                timeout_seconds: None,
                heartbeat_seconds: None,
                retry_count: 0,
            };
            // Written, not awaited: the host stores the file (a late answer is ignored).
            let id = self.next_effect_id;
            self.next_effect_id += 1;
            self.out
                .push_back(Step::Effect(id, Effect::Invoke(Rc::new(invocation))));
        }
        Ok(
            crate::value!({"MapRunArn": report.map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}),
        )
    }

    fn join_done(
        &mut self,
        tid: usize,
        state: &State,
        _jid: usize,
        raw_input: Value,
        results: Value,
    ) -> Flow {
        // AWS records MapStateSucceeded; a Parallel state has no such event.
        if let Kind::Map(map) = &state.kind {
            if map.distributed {
                self.emit(tid, "MapRunSucceeded", None, JsonMap::new());
            }
            self.emit(tid, "MapStateSucceeded", None, JsonMap::new());
        }
        let report = self
            .threads
            .get_mut(tid)
            .and_then(Option::as_mut)
            .and_then(|t| t.map_report.take());
        let results = match report {
            Some(report) => match self.write_results(tid, state, &raw_input, report, results) {
                Ok(v) => v,
                Err(f) => return Flow::StateFailed(f),
            },
            None => results,
        };
        self.task_output(tid, state, raw_input, results)
    }
}

/// How a state ended within one run of the thread.
enum Flow {
    /// Waiting for an effect or children; the thread is parked.
    Parked,
    /// Leave the state with this output, to `Next` (or end).
    Exit(Value),
    ExitAssign(Value, Map),
    /// Leave the state to an explicit next state (Choice).
    Goto(Value, Map, usize),
    /// The state failed: Retry/Catch apply.
    StateFailed(Failure),
    /// The thread fails without Retry/Catch (Fail state).
    ThreadFailed(Failure),
}

fn unreachable_thread() -> ! {
    // Thread ids are only handed out by `spawn` and cleared when the thread ends; a
    // missing one means the engine's own bookkeeping is broken.
    panic!("statelab: internal error: a thread id refers to no thread")
}

/// The end of a JSONPath state with a result: Assign (on the result), ResultPath into
/// the raw input, OutputPath.
fn place_result(
    state: &State,
    raw_input: &Value,
    result: Value,
    env: &mut Env,
    stages: &mut Stages,
) -> Result<(Value, Map), Failure> {
    let assigned = dataflow::assign(state.compiled.assign.as_ref(), &result, env)?;
    let output = dataflow::result_path(&state.result_path, raw_input, result)?;
    stages.put("afterResultPath", &output);
    Ok((dataflow::output_path(state, output, env)?, assigned))
}

/// Sets the context object's `Map.Item` (`{Index, Value}`), in place when the object
/// already has one (a Map reuses one context object for all its items).
fn set_map_item(context: &mut Value, index: usize, item: Value) {
    let Some(fields) = context.as_object_mut() else {
        return;
    };
    let item_fields = fields
        .get_mut("Map")
        .and_then(Value::as_object_mut)
        .and_then(|map| map.get_mut("Item"))
        .and_then(Value::as_object_mut);
    if let Some(item_fields) = item_fields {
        if item_fields.contains_key("Index") && item_fields.contains_key("Value") {
            item_fields.insert("Index".into(), Value::from(index));
            item_fields.insert("Value".into(), item);
            return;
        }
    }
    let mut item_fields = Map::new();
    item_fields.insert("Index".into(), Value::from(index));
    item_fields.insert("Value".into(), item);
    let mut map = Map::new();
    map.insert("Item".into(), Value::object(item_fields));
    fields.insert("Map".into(), Value::object(map));
}

/// Where a state goes when it ends normally: nowhere for End states and Succeed.
fn normal_next(state: &State) -> Option<usize> {
    if state.end || matches!(state.kind, Kind::Succeed) {
        None
    } else {
        state.next
    }
}

fn entered_event(state: &State) -> &'static str {
    match state.kind {
        Kind::Pass { .. } => "PassStateEntered",
        Kind::Task(_) => "TaskStateEntered",
        Kind::Choice { .. } => "ChoiceStateEntered",
        Kind::Wait => "WaitStateEntered",
        Kind::Succeed => "SucceedStateEntered",
        Kind::Fail => "FailStateEntered",
        Kind::Parallel { .. } => "ParallelStateEntered",
        Kind::Map(_) => "MapStateEntered",
    }
}

fn exited_event(state: &State) -> &'static str {
    match state.kind {
        Kind::Pass { .. } => "PassStateExited",
        Kind::Task(_) => "TaskStateExited",
        Kind::Choice { .. } => "ChoiceStateExited",
        Kind::Wait => "WaitStateExited",
        Kind::Succeed => "SucceedStateExited",
        Kind::Fail => "FailStateExited",
        Kind::Parallel { .. } => "ParallelStateExited",
        Kind::Map(_) => "MapStateExited",
    }
}

/// Does an ErrorEquals list match this error name? `States.ALL` matches every error but
/// States.Runtime; `States.TaskFailed` matches every error but States.Timeout.
pub fn error_matches(error_equals: &[String], error: &str) -> bool {
    error_equals.iter().any(|e| {
        e == error
            || (e == "States.ALL" && error != "States.Runtime")
            || (e == "States.TaskFailed" && error != "States.Timeout" && error != "States.Runtime")
    })
}

/// ToleratedFailureCount/Percentage and their Path forms (JSONPath Map states).
fn tolerance(
    plan: &mut MapPlan,
    raw: &JsonMap,
    effective: &Value,
    env: &Env,
) -> Result<(), Failure> {
    plan.tolerated_count = raw.get("ToleratedFailureCount").and_then(Json::as_f64);
    plan.tolerated_percentage = raw.get("ToleratedFailurePercentage").and_then(Json::as_f64);
    if let Some(p) = raw.get("ToleratedFailureCountPath").and_then(Json::as_str) {
        let v = crate::path::select(p, effective, env)?;
        plan.tolerated_count = Some(java_long(&v).ok_or_else(|| {
            Failure::runtime(format!(
                "The ToleratedFailureCountPath field refers to value \"{}\" which is not a valid integer: {p}",
                crate::path::java_scalar(&v)
            ))
        })? as f64);
    }
    if let Some(p) = raw
        .get("ToleratedFailurePercentagePath")
        .and_then(Json::as_str)
    {
        let v = crate::path::select(p, effective, env)?;
        let number = v
            .as_f64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()));
        plan.tolerated_percentage = Some(number.ok_or_else(|| {
            Failure::runtime(format!(
                "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float: {p}",
                crate::path::java_scalar(&v)
            ))
        })?);
    }
    Ok(())
}

/// A whole number as Java's Long.parseLong reads it: an integral JSON number, or a string
/// of digits (AWS accepts `"1"` where a count is expected).
pub(crate) fn java_long(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// AWS refuses waits longer than Java's largest int of seconds (about 68 years).
pub(crate) const MAX_WAIT_SECONDS: i64 = i32::MAX as i64;

/// The instant a JSONPath Wait state ends, with AWS's errors for bad values.
fn wait_until(raw: &JsonMap, input: &Value, now: i64, env: &Env) -> Result<i64, Failure> {
    let until = if let Some(seconds) = raw.get("Seconds") {
        now + seconds.as_i64().unwrap_or(0).saturating_mul(1000)
    } else if let Some(ts) = raw.get("Timestamp").and_then(Json::as_str) {
        clock::parse_iso(ts).ok_or_else(|| {
            Failure::runtime(format!(
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {ts}"
            ))
        })?
    } else if let Some(p) = raw.get("SecondsPath").and_then(Json::as_str) {
        let value = crate::path::select_opt(p, input, env)?.ok_or_else(|| {
            Failure::runtime(format!(
                "The SecondsPath parameter does not reference an input value: {p}"
            ))
        })?;
        let seconds = java_long(&value).ok_or_else(|| {
            Failure::runtime(format!(
                "The SecondsPath parameter cannot be parsed as a long value: {p} == {}",
                crate::path::java_scalar(&value)
            ))
        })?;
        if seconds < 0 {
            return Err(Failure::runtime(format!(
                "The SecondsPath parameter references a negative value: {p} == {seconds}"
            )));
        }
        now + seconds.saturating_mul(1000)
    } else if let Some(p) = raw.get("TimestampPath").and_then(Json::as_str) {
        let value = crate::path::select_opt(p, input, env)?.ok_or_else(|| {
            Failure::runtime(format!(
                "The TimestampPath parameter does not reference an input value: {p}"
            ))
        })?;
        value.as_str().and_then(clock::parse_iso).ok_or_else(|| {
            Failure::runtime(format!(
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {p} == {}",
                crate::path::java_scalar(&value)
            ))
        })?
    } else {
        now
    };
    if (until - now) / 1000 > MAX_WAIT_SECONDS {
        return Err(Failure::runtime("Wait state delay is too long."));
    }
    Ok(until)
}

fn seconds_field(
    raw: &JsonMap,
    field: &str,
    path_field: &str,
    input: &Value,
    env: &Env,
) -> Result<Option<u64>, Failure> {
    if let Some(v) = raw.get(field).and_then(Json::as_u64) {
        return Ok(Some(v));
    }
    let Some(p) = raw.get(path_field).and_then(Json::as_str) else {
        return Ok(None);
    };
    let v = crate::path::select(p, input, env)?;
    match v.as_u64() {
        Some(n) if n > 0 => Ok(Some(n)),
        _ => Err(Failure::runtime(format!(
            "The {path_field} parameter does not reference a positive integer: {p} == {}",
            v.to_json_text()
        ))),
    }
}

fn as_map(value: Json) -> JsonMap {
    match value {
        Json::Object(m) => m,
        _ => JsonMap::new(),
    }
}

/// Classifies a Task's Resource ARN.
pub fn task_kind(resource: &str, params: &Json) -> TaskKind {
    let parts: Vec<&str> = resource.split(':').collect();
    if parts.len() >= 7 && parts[2] == "lambda" && parts[5] == "function" {
        return TaskKind::LambdaArn {
            function_name: parts[6].to_string(),
            arn: resource.to_string(),
        };
    }
    if parts.len() >= 7 && parts[2] == "states" && parts[5] == "activity" {
        return TaskKind::Activity {
            arn: resource.to_string(),
        };
    }
    let (service, action) = resource_parts(resource);
    if service == "lambda" && action == "invoke" {
        return lambda_invoke_kind(params.get("FunctionName").and_then(Json::as_str));
    }
    TaskKind::Service { service, action }
}

/// `lambda:invoke`'s kind from the request's FunctionName (per call: it may come from
/// a path).
fn lambda_invoke_kind(written: Option<&str>) -> TaskKind {
    let written = written.unwrap_or_default();
    let (name, arn) = lambda_name_and_arn(written);
    TaskKind::LambdaInvoke {
        function_name: name,
        arn,
        written: written.to_string(),
    }
}

/// A FunctionName as written (name, partial or full ARN) -> (name, full ARN).
fn lambda_name_and_arn(written: &str) -> (String, String) {
    let parts: Vec<&str> = written.split(':').collect();
    if parts.len() >= 7 && parts[0] == "arn" {
        return (parts[6].to_string(), parts[..7].join(":"));
    }
    if parts.len() >= 3 && parts[1] == "function" {
        return (
            parts[2].to_string(),
            format!(
                "arn:aws:lambda:us-east-1:{}:function:{}",
                parts[0], parts[2]
            ),
        );
    }
    let name = parts.first().copied().unwrap_or_default().to_string();
    let arn = format!("arn:aws:lambda:us-east-1:111111111111:function:{name}");
    (name, arn)
}

/// `arn:aws:states:::lambda:invoke.waitForTaskToken` -> ("lambda", "invoke");
/// `arn:aws:states:::aws-sdk:s3:getObject` -> ("aws-sdk:s3", "getObject").
pub fn resource_parts(resource: &str) -> (String, String) {
    let rest = resource.strip_prefix("arn:aws:states:::").or_else(|| {
        let parts: Vec<&str> = resource.splitn(6, ':').collect();
        (parts.len() == 6 && parts[2] == "states" && parts[3].is_empty() && parts[4].is_empty())
            .then(|| parts[5])
    });
    let Some(rest) = rest else {
        let parts: Vec<&str> = resource.split(':').collect();
        let kind = parts.get(2).copied().unwrap_or("unknown").to_string();
        return (kind, resource.to_string());
    };
    let rest = rest.split(".sync").next().unwrap_or(rest);
    let rest = rest.strip_suffix(".waitForTaskToken").unwrap_or(rest);
    match rest.rsplit_once(':') {
        Some((service, action)) => (service.to_string(), action.to_string()),
        None => (rest.to_string(), String::new()),
    }
}

/// What `arn:aws:states:::lambda:invoke` returns around the function's payload.
fn lambda_invoke_response(payload: Json, now: i64, rng: &mut Rng) -> Json {
    let date = clock::format_http_date(now);
    let request_id = rng.uuid_v4();
    // The function's response as its runtime wrote it (recorded AWS data: Python).
    let length = python_dumps(&payload).len().to_string();
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [length],
                "Date": [date],
                "X-Amzn-Trace-Id": ["Root=1-00000000-000000000000000000000000;Sampled=0"],
                "Content-Type": ["application/json"]
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/json",
                "Date": date,
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
                "X-Amzn-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0"
            },
            "HttpStatusCode": 200
        },
        "SdkResponseMetadata": { "RequestId": request_id },
        "StatusCode": 200
    })
}

/// A Lambda function's error payload -> Step Functions' error and cause. With a Lambda
/// ARN as Resource the cause is the payload as the runtime wrote it (recorded AWS data:
/// Python's `json.dumps` spacing); through lambda:invoke it is re-serialised compactly.
fn lambda_error(inv: &Invocation, payload: &Json) -> Failure {
    let error = payload
        .get("errorType")
        .and_then(Json::as_str)
        .unwrap_or("Error")
        .to_string();
    let cause = match *inv.kind {
        TaskKind::LambdaArn { .. } => python_dumps(payload),
        _ => stringify(payload),
    };
    Failure::new(error, cause)
}

fn function_not_found(inv: &Invocation, config: &ExecConfig, rng: &mut Rng) -> Failure {
    let arn = match &*inv.kind {
        TaskKind::LambdaArn { arn, .. } | TaskKind::LambdaInvoke { arn, .. } => arn.clone(),
        _ => inv.resource.to_string(),
    };
    let _ = config;
    Failure::new(
        "Lambda.ResourceNotFoundException",
        format!(
            "Function not found: {arn}:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: {}; Proxy: null)",
            rng.uuid_v4()
        ),
    )
}

/// JSON text with Python's `json.dumps` separators (`", "` and `": "`).
pub fn python_dumps(value: &Json) -> String {
    match value {
        Json::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(python_dumps)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Json::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    let mut key = String::new();
                    crate::json::write_string(&mut key, k);
                    format!("{key}: {}", python_dumps(v))
                })
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        other => stringify(other),
    }
}

/// States.DataLimitExceeded for a value nested deeper than the engine takes.
fn too_deep(what: &str) -> Failure {
    Failure::new(
        "States.DataLimitExceeded",
        format!(
            "The state/task '{what}' returned a result whose objects and arrays are nested more than {} levels deep.",
            crate::json::MAX_NESTING
        ),
    )
}
