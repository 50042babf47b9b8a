//! End-to-end tests of the `alertctl` binary: one test binary, so heavy suites
//! share one build (and, from the Kafka work on, one broker).

mod compat;
mod copy;
mod docs;
mod errors;
mod filter;
mod interop;
mod kafka;
mod official;
mod registry;
mod sandbox;
mod support;
