//! The driver: runs an Execution, performs the effects it can itself (the virtual
//! clock, and later mocks and in-memory services) and hands the rest (JS handlers) out.
//! It records the history. Like the engine, it never calls JS: the wasm boundary asks it
//! to `drive()` and gets back what JS must do.

pub mod mocks;
use crate::exec::{
    Effect, EffectId, EffectResult, Execution, Failure, HistoryEvent, Invocation, Outcome, Step,
};
use crate::services::Services;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMode {
    /// Waits complete at once; timestamps advance as AWS's would.
    Virtual,
    /// The host owns time and calls `advance_clock` (real or scaled time).
    External,
}

/// A task the host must run with a JS handler.
#[derive(Clone, Debug)]
pub struct HandlerCall {
    pub effect: EffectId,
    /// The handler key that matched (DESIGN.md lookup order).
    pub handler: String,
    pub invocation: Invocation,
}

/// What one `drive()` produced.
#[derive(Debug, Default)]
pub struct Progress {
    /// The history events recorded by this call: `history()[events]`.
    pub events: std::ops::Range<usize>,
    pub calls: Vec<HandlerCall>,
    /// The earliest instant something is waiting for (External clock mode).
    pub next_timer: Option<i64>,
    /// `.waitForTaskToken` tasks the driver submitted itself (in-memory services): the
    /// host answers them with the token (effect id, token).
    pub tokens: Vec<(EffectId, String)>,
    pub outcome: Option<Outcome>,
}

pub struct Driver {
    execution: Execution,
    clock: ClockMode,
    handler_keys: HashSet<String>,
    timers: BinaryHeap<Reverse<(i64, EffectId)>>,
    outstanding: HashSet<EffectId>,
    history: Vec<HistoryEvent>,
    /// The in-memory AWS services this execution uses (seeded by the host).
    pub services: Services,
    /// TestState's mock: every task gets this result instead of running.
    pub mock: Option<EffectResult>,
    /// A MockConfigFile test case: mocked states never reach handlers or services.
    pub mocks: Option<mocks::Mocks>,
}

impl Driver {
    pub fn new(execution: Execution, clock: ClockMode, handler_keys: HashSet<String>) -> Driver {
        Driver {
            execution,
            clock,
            handler_keys,
            timers: BinaryHeap::new(),
            outstanding: HashSet::new(),
            history: Vec::new(),
            services: Services::default(),
            mock: None,
            mocks: None,
        }
    }

    pub fn execution(&self) -> &Execution {
        &self.execution
    }

    pub fn history(&self) -> &[HistoryEvent] {
        &self.history
    }

    /// Runs until JS must act (handler calls), time must pass, or the execution ends.
    pub fn drive(&mut self) -> Progress {
        self.drive_limited(usize::MAX)
    }

    /// Like `drive`, but returns after at most `max_events` history events (stepping).
    pub fn drive_limited(&mut self, max_events: usize) -> Progress {
        let first = self.history.len();
        let mut progress = Progress {
            events: first..first,
            ..Progress::default()
        };
        loop {
            if self.history.len() - first >= max_events {
                break;
            }
            match self.execution.poll() {
                Step::Event(event) => self.history.push(event),
                Step::Effect(id, Effect::Wait { until }) => self.timers.push(Reverse((until, id))),
                Step::Effect(id, Effect::Invoke(invocation)) => match self.perform(&invocation) {
                    Some(EffectResult::Ok(response)) if invocation.task_token.is_some() => {
                        // The service call went out; the task now waits for its token.
                        self.execution.task_submitted(id, response);
                        self.outstanding.insert(id);
                        if let Some(token) = invocation.task_token.clone() {
                            progress.tokens.push((id, token));
                        }
                    }
                    Some(result) => self.execution.resume(id, result),
                    None => {
                        let keys = invocation.handler_keys();
                        let handler = keys
                            .into_iter()
                            .find(|k| self.handler_keys.contains(k))
                            .unwrap_or_default();
                        self.outstanding.insert(id);
                        progress.calls.push(HandlerCall {
                            effect: id,
                            handler,
                            invocation,
                        });
                    }
                },
                Step::Idle => {
                    if !progress.calls.is_empty() || !self.outstanding.is_empty() {
                        break;
                    }
                    if self.clock == ClockMode::Virtual && self.fire_next_timer() {
                        continue;
                    }
                    break;
                }
                Step::Done(outcome) => {
                    progress.outcome = Some(outcome);
                    break;
                }
            }
        }
        progress.events = first..self.history.len();
        progress.next_timer = self.next_timer();
        progress
    }

    /// Effects the driver performs itself; `None` hands the call to a JS handler.
    fn perform(&mut self, invocation: &Invocation) -> Option<EffectResult> {
        if let Some(mock) = &self.mock {
            return Some(mock.clone());
        }
        if let Some(result) = self.mocks.as_mut().and_then(|m| m.respond(invocation)) {
            return Some(result);
        }
        if invocation
            .handler_keys()
            .iter()
            .any(|k| self.handler_keys.contains(k))
        {
            return None;
        }
        if invocation.is_lambda() {
            return Some(EffectResult::FunctionNotFound);
        }
        // Callbacks included: the driver keeps a token task waiting after the request.
        if let Some(result) = self.services.perform_request(invocation) {
            return Some(result);
        }
        Some(EffectResult::Err(Failure::new(
            "Statelab.NoHandler",
            format!(
                "No handler for the Task state '{}' (resource '{}'). Register one under the state name, the resource ARN or \"*\".",
                invocation.state_name, invocation.resource
            ),
        )))
    }

    /// Virtual time: jump to the earliest timer and resume it.
    fn fire_next_timer(&mut self) -> bool {
        let deadline = self.execution.next_deadline();
        let Some(Reverse((until, id))) = self.timers.peek().copied() else {
            if let Some(d) = deadline {
                self.execution.advance_clock(d);
                return true;
            }
            return false;
        };
        if let Some(d) = deadline.filter(|d| *d < until) {
            self.execution.advance_clock(d);
            return true;
        }
        self.timers.pop();
        self.execution.advance_clock(until);
        self.execution
            .resume(id, EffectResult::Ok(serde_json::Value::Null));
        true
    }

    fn next_timer(&self) -> Option<i64> {
        let timer = self.timers.peek().map(|Reverse((t, _))| *t);
        match (timer, self.execution.next_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// A `.waitForTaskToken` handler returned: the task waits for its token now.
    pub fn task_submitted(&mut self, effect: EffectId, response: serde_json::Value) {
        if self.outstanding.contains(&effect) {
            self.execution.task_submitted(effect, response);
        }
    }

    /// SendTaskHeartbeat for an outstanding task.
    pub fn heartbeat(&mut self, effect: EffectId) {
        if self.outstanding.contains(&effect) {
            self.execution.heartbeat(effect);
        }
    }

    /// A handler's result.
    pub fn resume(&mut self, effect: EffectId, result: EffectResult) {
        if self.outstanding.remove(&effect) {
            self.execution.resume(effect, result);
        }
    }

    /// External clock: time has reached `now`; due timers fire, overdue tasks time out.
    pub fn advance_clock(&mut self, now: i64) {
        self.execution.advance_clock(now);
        while let Some(Reverse((until, id))) = self.timers.peek().copied() {
            if until > now {
                break;
            }
            self.timers.pop();
            self.execution
                .resume(id, EffectResult::Ok(serde_json::Value::Null));
        }
    }

    pub fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        self.execution.stop(error, cause);
        self.outstanding.clear();
        self.timers.clear();
    }
}
