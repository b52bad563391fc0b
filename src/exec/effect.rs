//! What the engine asks its host to do, and what the host answers.

use super::Failure;
use serde_json::Value;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

pub type EffectId = u64;

/// Effect ids are small sequential integers: hashing them with SipHash (std's default)
/// costs more than the map and set operations themselves on every handler call.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// For maps and sets keyed by `EffectId`.
pub type IdBuildHasher = BuildHasherDefault<IdHasher>;

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Run a task: a Lambda function, a service integration, an activity. Shared with
    /// the waiting thread (which keeps it for the result's events): no copy per call.
    Invoke(Rc<Invocation>),
    /// Resume when the clock reaches this instant (ms since epoch): Wait states and
    /// Retry back-off.
    Wait { until: i64 },
}

/// How a Task's Resource is interpreted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` as the Resource.
    LambdaArn { function_name: String, arn: String },
    /// `arn:aws:states:::lambda:invoke` (optionally `.waitForTaskToken`). `written`: the
    /// request's FunctionName as written (name, partial or full ARN, maybe qualified).
    LambdaInvoke {
        function_name: String,
        arn: String,
        written: String,
    },
    /// `arn:aws:states:::SERVICE:ACTION[.sync|.waitForTaskToken]` and `aws-sdk:` forms.
    Service { service: String, action: String },
    /// `arn:aws:states:REGION:ACCOUNT:activity:NAME`.
    Activity { arn: String },
}

/// Its names and kind are shared with the machine (a Task loop makes one per call).
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    pub state_name: Rc<str>,
    pub resource: Rc<str>,
    pub kind: Rc<TaskKind>,
    /// What the task receives: the Lambda payload, or the service request parameters.
    /// The engine's value: JS handlers get its text; services and mocks convert it.
    pub input: crate::value::Value,
    /// `.waitForTaskToken`: the token the host must answer with.
    pub task_token: Option<String>,
    /// `.sync` integration pattern.
    pub sync: bool,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
    pub retry_count: u32,
}

impl Invocation {
    /// The keys a host looks a handler up by, in DESIGN.md's order: state name; Resource
    /// ARN (or the lambda:invoke FunctionName as written); Lambda function name; `*`.
    pub fn handler_keys(&self) -> Vec<String> {
        let mut keys = vec![self.state_name.to_string()];
        match &*self.kind {
            TaskKind::LambdaArn { function_name, .. } => {
                keys.push(self.resource.to_string());
                keys.push(function_name.clone());
            }
            TaskKind::LambdaInvoke {
                function_name,
                written,
                ..
            } => {
                if !written.is_empty() {
                    keys.push(written.clone());
                }
                keys.push(self.resource.to_string());
                keys.push(function_name.clone());
            }
            _ => keys.push(self.resource.to_string()),
        }
        keys.push("*".into());
        keys.dedup();
        keys
    }

    pub fn is_lambda(&self) -> bool {
        matches!(
            *self.kind,
            TaskKind::LambdaArn { .. } | TaskKind::LambdaInvoke { .. }
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum EffectResult {
    /// The engine's value: a JS handler's result is parsed straight into it.
    Ok(crate::value::Value),
    Err(Failure),
    /// A Lambda function's error payload (`{errorType, errorMessage, ...}`), from a
    /// thrown plain object: the engine derives error and cause as Lambda would.
    ErrorPayload(Value),
    /// No function by that name (Lambda.ResourceNotFoundException).
    FunctionNotFound,
}

impl EffectResult {
    /// A result made as serde_json (services, mocks, TestState).
    pub fn ok_json(value: Value) -> EffectResult {
        EffectResult::Ok(crate::value::Value::from(value))
    }
}
