//! alertctl: run the Vera C. Rubin (LSST) alert stream.
//!
//! The library holds everything the `alertctl` binary does; the binary parses
//! arguments, makes one library call per command and renders what comes back. The
//! library never prints to the process's stdout or stderr and does not depend on clap:
//! what it renders goes to writers its caller hands it. `docs/architecture.md` draws
//! how the parts fit.
//!
//! * [`formats`] is Avro (schemas, named types, the compiled schema, compatibility, the
//!   JSON view), the Confluent wire format and visit files, sample alerts;
//! * [`transport`] is Kafka (connections, offsets, producing, consuming, topic admin)
//!   and the schema registry (client, store, server);
//! * [`night`] is observing nights, topic layouts, and what a command reads;
//! * [`jobs`] is what commands run: produce, tail, copy (replay, mirror, rewind),
//!   archive, export, get, stats, topics, schemas;
//! * [`filter`] is jq filters over the stream: caps, ranking, many filters over one read;
//! * [`sky`] is what filters ask of the sky: watchlists, MOCs, coordinates, light curves;
//! * [`render`] is the printer layer (formats, tables, envelopes, warnings), pictures,
//!   redaction;
//! * [`sandbox`] is a local broker and registry with a standard test night;
//! * [`error`] is the error a job ends with, with its exit code;
//! * [`workers`] spreads work over threads in order (`--workers N`), for every layer.

#![warn(missing_docs)]

pub mod choice;
pub mod error;
pub mod filter;
pub mod formats;
pub mod jobs;
pub mod night;
pub mod render;
pub mod sandbox;
pub mod sky;
pub mod transport;
pub mod watch;
pub mod workers;

pub use error::{Error, Result};

/// The evaluation guard counts what a filter evaluation holds through the global
/// allocator; the binary installs it, and so do the library's own tests.
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: filter::guard::GuardedAlloc = filter::guard::GuardedAlloc;
