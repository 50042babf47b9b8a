//! End-to-end tests of the `alertctl` binary: one test binary, so heavy suites
//! share one build (and, from the Kafka work on, one broker).

/// The shared test broker; a test fails when nisshi is missing (scripts/test installs it).
macro_rules! broker_or_return {
    () => {
        crate::support::broker()
    };
}

mod archive;
mod bench;
mod command_line;
mod completions;
mod copy;
mod export;
mod export_columns;
mod filter;
mod filter_jq;
mod filter_kafka;
mod filter_node;
mod filter_notify;
mod filter_sky;
mod fuzz_corpus;
mod json_text;
mod library;
mod moc;
mod night_window;
mod official_checks;
mod procs;
mod produce;
mod registry;
mod sandbox;
mod schema;
mod support;
mod tail;
mod topic;
