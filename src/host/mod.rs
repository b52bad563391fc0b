//! The driver: runs an Execution, performs the effects it can itself (virtual clock,
//! mocks, in-memory services) and hands the rest (JS handlers) out.
