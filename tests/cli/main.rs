//! End-to-end tests of the `alertctl` binary: one test binary, so heavy suites
//! share one build (and, from the Kafka work on, one broker).

/// The shared test broker; a test fails when nisshi is missing (scripts/test installs it).
macro_rules! broker_or_return {
    () => {
        crate::support::broker()
    };
}

mod archive;
mod compat;
mod contract;
mod copy;
mod docs;
mod errors;
mod export;
mod faults;
mod filter;
mod fuzz_corpus;
mod interop;
mod kafka;
mod night;
mod official;
mod official_checks;
mod production;
mod registry;
mod sandbox;
mod support;
mod trust;
