//! End-to-end tests of the `alertctl` binary: one test binary, so heavy suites
//! share one build and (later) one broker.

mod support;
