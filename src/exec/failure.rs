//! A failure inside an execution: an AWS error name and an optional cause. Handled by
//! Retry/Catch and reported in history; never a Rust panic or a JS exception.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// AWS's error name, e.g. `States.Runtime`, `States.TaskFailed`, `Lambda.Unknown`.
    pub error: String,
    /// Free text (often JSON text) explaining the error; `None` when AWS gives none.
    pub cause: Option<String>,
}

impl Failure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Failure {
            error: error.into(),
            cause: Some(cause.into()),
        }
    }

    pub fn without_cause(error: impl Into<String>) -> Self {
        Failure {
            error: error.into(),
            cause: None,
        }
    }

    /// `States.Runtime`: the definition asked for something impossible at run time
    /// (a path that matches nothing, a value of the wrong type). Not caught by States.ALL.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Failure::new("States.Runtime", cause)
    }

    /// `States.IntrinsicFailure`: an intrinsic function got arguments it cannot use.
    pub fn intrinsic(cause: impl Into<String>) -> Self {
        Failure::new("States.IntrinsicFailure", cause)
    }

    /// `States.QueryEvaluationError`: a JSONata expression failed or gave a bad value.
    pub fn query_evaluation(cause: impl Into<String>) -> Self {
        Failure::new("States.QueryEvaluationError", cause)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Some(cause) => write!(f, "{}: {}", self.error, cause),
            None => f.write_str(&self.error),
        }
    }
}
