//! End-to-end tests of the `alertctl` binary: one test binary, so heavy suites
//! share one build (and, from the Kafka work on, one broker).

/// The shared test broker, or return early from a test (outside CI, when nisshi is not installed).
macro_rules! broker_or_return {
    () => {
        match crate::support::broker() {
            Some(b) => b,
            None => return,
        }
    };
}

mod compat;
mod copy;
mod docs;
mod errors;
mod faults;
mod filter;
mod interop;
mod kafka;
mod official;
mod registry;
mod sandbox;
mod support;
mod trust;
