//! The driver: runs an Execution, performs the effects it can itself (the virtual
//! clock, and later mocks and in-memory services) and hands the rest (JS handlers) out.
//! It records the history. Like the engine, it never calls JS: the wasm boundary asks it
//! to `drive()` and gets back what JS must do.

pub mod mocks;
use crate::exec::history::Reported;
use crate::exec::{
    Effect, EffectId, EffectResult, Execution, Failure, Invocation, Outcome, Step, TaskKind,
};
use crate::services::Services;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::rc::Rc;

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
    pub handler: Rc<str>,
    /// Index of the call's site in `Driver::sites`: what is the same for every call of
    /// this Task state (a host can describe the site once and send only the id after).
    pub site: usize,
    pub invocation: Rc<Invocation>,
}

/// What is the same for every call a Task state makes, with the handler it resolved to.
/// The handler lookup (DESIGN.md order) runs once per site, not once per call.
#[derive(Clone, Debug)]
pub struct CallSite {
    pub state_name: Rc<str>,
    pub resource: Rc<str>,
    /// `lambda`, `lambda:invoke`, `service` or `activity`.
    pub kind: &'static str,
    /// How the resource was read: for lambda:invoke it holds the function named in this
    /// call's request, which takes part in the lookup and may differ from call to call.
    task_kind: Rc<TaskKind>,
    /// The matching handler key; `None`: no JS handler (services, mocks, errors).
    pub handler: Option<Rc<str>>,
}

impl CallSite {
    fn matches(&self, invocation: &Invocation) -> bool {
        // Everything `Invocation::handler_keys` reads. A state's calls share its name,
        // resource and kind (except lambda:invoke's kind): then the pointers say it, without
        // comparing the text (a long ARN, byte by byte in wasm, at every call).
        same_text(&self.state_name, &invocation.state_name)
            && same_text(&self.resource, &invocation.resource)
            && (Rc::ptr_eq(&self.task_kind, &invocation.kind) || self.task_kind == invocation.kind)
    }
}

/// Equal texts: the same pointer, or else the same characters.
fn same_text(a: &Rc<str>, b: &Rc<str>) -> bool {
    Rc::ptr_eq(a, b) || a == b
}

fn kind_name(kind: &TaskKind) -> &'static str {
    match kind {
        TaskKind::LambdaArn { .. } => "lambda",
        TaskKind::LambdaInvoke { .. } => "lambda:invoke",
        TaskKind::Service { .. } => "service",
        TaskKind::Activity { .. } => "activity",
    }
}

type IdSet = HashSet<EffectId, crate::exec::effect::IdBuildHasher>;

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

/// What `Driver::perform` made of a task.
enum Performed {
    /// The driver answered it (mock, in-memory service, error).
    Done(EffectResult),
    /// A JS handler's job: the call site and its handler key.
    Handler(usize, Rc<str>),
}

pub struct Driver {
    execution: Execution,
    clock: ClockMode,
    handler_keys: HashSet<String>,
    /// Every Task call site seen so far (see `CallSite`), and where to find them by state.
    sites: Vec<CallSite>,
    sites_by_state: HashMap<Rc<str>, Vec<usize>>,
    last_site: usize,
    timers: BinaryHeap<Reverse<(i64, EffectId)>>,
    outstanding: IdSet,
    /// How many of the engine's history events the drives have reported (a stepping
    /// drive reports only some of those recorded).
    reported: usize,
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
            sites: Vec::new(),
            sites_by_state: HashMap::new(),
            last_site: 0,
            timers: BinaryHeap::new(),
            outstanding: IdSet::default(),
            reported: 0,
            services: Services::default(),
            mock: None,
            mocks: None,
        }
    }

    pub fn execution(&self) -> &Execution {
        &self.execution
    }

    /// The history as reported so far (every event, unless a stepping drive stopped
    /// short of the last recorded ones).
    pub fn history(&self) -> Reported<'_> {
        Reported::new(self.execution.history(), self.reported)
    }

    /// A call site by the index a `HandlerCall` carries.
    pub fn site(&self, index: usize) -> Option<&CallSite> {
        self.sites.get(index)
    }

    /// The site of an invocation, made (with its handler lookup) on first sight.
    fn site_of(&mut self, invocation: &Invocation) -> usize {
        // A loop calls the same state again and again: try the last site first.
        if self
            .sites
            .get(self.last_site)
            .is_some_and(|s| s.matches(invocation))
        {
            return self.last_site;
        }
        if let Some(candidates) = self.sites_by_state.get(&invocation.state_name) {
            if let Some(&found) = candidates
                .iter()
                .find(|&&i| self.sites[i].matches(invocation))
            {
                self.last_site = found;
                return found;
            }
        }
        let handler = invocation
            .handler_keys()
            .into_iter()
            .find(|k| self.handler_keys.contains(k))
            .map(Rc::from);
        let index = self.sites.len();
        self.sites.push(CallSite {
            state_name: invocation.state_name.clone(),
            resource: invocation.resource.clone(),
            kind: kind_name(&invocation.kind),
            task_kind: invocation.kind.clone(),
            handler,
        });
        self.sites_by_state
            .entry(invocation.state_name.clone())
            .or_default()
            .push(index);
        self.last_site = index;
        index
    }

    /// Runs until JS must act (handler calls), time must pass, or the execution ends.
    pub fn drive(&mut self) -> Progress {
        self.drive_limited(usize::MAX)
    }

    /// Like `drive`, but returns after at most `max_events` history events (stepping).
    pub fn drive_limited(&mut self, max_events: usize) -> Progress {
        let mut progress = Progress::default();
        self.drive_into(max_events, &mut progress);
        progress
    }

    /// `drive_limited` into `progress`, which is cleared first: a host that drives at
    /// every handler call keeps one and reuses its buffers.
    pub fn drive_into(&mut self, max_events: usize, progress: &mut Progress) {
        let first = self.reported;
        self.execution.report_each_run(max_events != usize::MAX);
        progress.calls.clear();
        progress.tokens.clear();
        progress.outcome = None;
        loop {
            // The engine's new events are reported before whatever follows them, at
            // most `max_events` in all: a stepping drive stops there, leaving the rest
            // (and the effects after them) to the next.
            self.report(first, max_events);
            if self.reported - first >= max_events {
                break;
            }
            match self.execution.poll() {
                Step::Recorded => {}
                Step::Effect(id, Effect::Wait { until }) => self.timers.push(Reverse((until, id))),
                Step::Effect(id, Effect::Invoke(invocation)) => match self.perform(&invocation) {
                    Performed::Done(EffectResult::Ok(response))
                        if invocation.task_token.is_some() =>
                    {
                        // The service call went out; the task now waits for its token.
                        self.execution.task_submitted(id, response);
                        self.outstanding.insert(id);
                        if let Some(token) = invocation.task_token.clone() {
                            progress.tokens.push((id, token));
                        }
                    }
                    Performed::Done(result) => self.execution.resume(id, result),
                    Performed::Handler(site, handler) => {
                        self.outstanding.insert(id);
                        progress.calls.push(HandlerCall {
                            effect: id,
                            handler,
                            site,
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
        // Events of the last poll (before Idle or Done).
        self.report(first, max_events);
        progress.events = first..self.reported;
        progress.next_timer = self.next_timer();
    }

    /// Reports the engine's unreported events, up to `max_events` since `first`.
    fn report(&mut self, first: usize, max_events: usize) {
        let recorded = self.execution.history().len();
        let room = max_events.saturating_sub(self.reported - first);
        self.reported += room.min(recorded - self.reported);
    }

    /// Performs the effects the driver can itself, or names the JS handler for the rest.
    fn perform(&mut self, invocation: &Invocation) -> Performed {
        if let Some(mock) = &self.mock {
            return Performed::Done(mock.clone());
        }
        if let Some(result) = self.mocks.as_mut().and_then(|m| m.respond(invocation)) {
            return Performed::Done(result);
        }
        let site = self.site_of(invocation);
        if let Some(handler) = &self.sites[site].handler {
            return Performed::Handler(site, handler.clone());
        }
        if invocation.is_lambda() {
            return Performed::Done(EffectResult::FunctionNotFound);
        }
        // Callbacks included: the driver keeps a token task waiting after the request.
        if let Some(result) = self.services.perform_request(invocation) {
            return Performed::Done(result);
        }
        Performed::Done(EffectResult::Err(Failure::new(
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
            .resume(id, EffectResult::Ok(crate::value::Value::Null));
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
    pub fn task_submitted(&mut self, effect: EffectId, response: crate::value::Value) {
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
                .resume(id, EffectResult::Ok(crate::value::Value::Null));
        }
    }

    pub fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        self.execution.stop(error, cause);
        self.outstanding.clear();
        self.timers.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::ExecConfig;

    /// Pass -> Wait -> Task (a JS handler) -> Succeed, driven until it ends; returns the
    /// event types in the order the drives reported them.
    fn drive_to_end(max_events: usize) -> (Vec<&'static str>, Vec<&'static str>) {
        let definition = serde_json::json!({"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Next": "W"},
            "W": {"Type": "Wait", "Seconds": 5, "Next": "T"},
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "Next": "S"},
            "S": {"Type": "Succeed"}}});
        let machine = crate::asl::build(&definition).expect("a valid machine");
        let execution = Execution::start(machine, crate::value::Value::Null, ExecConfig::default());
        let keys = HashSet::from(["T".to_string()]);
        let mut driver = Driver::new(execution, ClockMode::Virtual, keys);
        let mut reported = Vec::new();
        for _ in 0..100 {
            let progress = driver.drive_limited(max_events);
            assert!(progress.events.len() <= max_events);
            reported.extend(
                driver
                    .history()
                    .range(progress.events.clone())
                    .map(|e| e.kind),
            );
            for call in progress.calls {
                driver.resume(call.effect, EffectResult::Ok(crate::value::Value::Null));
            }
            if progress.outcome.is_some() {
                break;
            }
        }
        let history = driver.history().iter().map(|e| e.kind).collect();
        (reported, history)
    }

    #[test]
    fn every_event_is_reported_once_in_order_whole_or_stepping() {
        let (whole, history) = drive_to_end(usize::MAX);
        assert_eq!(whole, history);
        assert_eq!(whole.first(), Some(&"ExecutionStarted"));
        assert_eq!(whole.last(), Some(&"ExecutionSucceeded"));
        assert!(whole.contains(&"LambdaFunctionSucceeded"), "{whole:?}");
        // One event per drive (stepping): the same events, none lost or repeated.
        let (stepped, stepped_history) = drive_to_end(1);
        assert_eq!(stepped, whole);
        assert_eq!(stepped_history, whole);
    }
}
