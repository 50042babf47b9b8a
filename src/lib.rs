//! alertctl: run the Vera C. Rubin (LSST) alert stream.
//!
//! The library holds everything the `alertctl` binary does; the binary only
//! parses arguments. Modules other than [`commands`] never print.
//!
//! * [`bench`]: measured stages behind `alertctl bench`.
//! * [`packet`]: the Confluent wire format, Avro decoding, the JSON view, visit files.
//! * [`sandbox`]: starting and stopping a local broker and registry.
//! * [`schema`]: Rubin schema versions, multi-file loading, canonical form, ids.
//! * [`picture`]: an alert's cutouts and light curve as a PNG.
//! * [`redact`]: secrets kept out of every printed line.
//! * [`registry`]: a Confluent-compatible registry store and server, and a client with a cache.
//! * [`sample`]: plausible alerts for any schema version, with FITS cutouts.
//! * [`filter`]: jq filters over the stream: caps, ranking, many filters over one decode.
//! * [`kafka`]: connection settings, offsets and times, producing, consuming, topic admin.
//! * [`night`]: observing nights (dayObs), night topic names, MJD.
//! * [`commands`]: one module per subcommand, thin glue over the above.

pub mod archive;
pub mod bench;
pub mod commands;
pub mod export;
pub mod filter;
pub mod fuzzing;
pub mod kafka;
pub mod night;
pub mod packet;
pub mod picture;
pub mod redact;
pub mod registry;
pub mod sample;
pub mod sandbox;
pub mod schema;

/// mimalloc, counting what guarded filter evaluations hold ([`filter::guard`]).
#[global_allocator]
static ALLOCATOR: filter::guard::GuardedAlloc = filter::guard::GuardedAlloc;
