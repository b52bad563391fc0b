//! The sans-I/O execution engine: an `Execution` is polled for history events and
//! effects (invoke a task, wait until an instant, ...) and resumed with their results.
//! It does no I/O, owns no clock and never calls JS.

pub mod failure;
pub mod rng;

pub use failure::Failure;
