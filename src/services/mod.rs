//! In-memory AWS services with the request and response shapes of Step Functions'
//! service integrations. Their state lives in the driver for one execution and can be
//! seeded from options and read back after a run.

pub mod s3;

use crate::exec::{EffectResult, Failure, Invocation, TaskKind};

/// Every in-memory service one execution can use.
#[derive(Clone, Debug, Default)]
pub struct Services {
    pub s3: s3::S3,
}

impl Services {
    /// Performs a service task if one of our services implements it; `None` when the
    /// service is not simulated (the caller reports that).
    pub fn perform(&mut self, invocation: &Invocation) -> Option<EffectResult> {
        let TaskKind::Service { service, action } = &invocation.kind else {
            return None;
        };
        let service = service.strip_prefix("aws-sdk:").unwrap_or(service);
        match service {
            "s3" => Some(self.s3.call(action, &invocation.input)),
            _ => None,
        }
    }
}

/// An API a simulated service does not implement: a clear failure naming it.
pub fn unsupported(service: &str, action: &str) -> EffectResult {
    EffectResult::Err(Failure::new(
        "Statelab.UnsupportedIntegration",
        format!("The in-memory {service} service does not implement {action}; register a handler for this resource"),
    ))
}
