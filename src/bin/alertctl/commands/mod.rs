//! The subcommands, one file each, as cargo's `src/bin/cargo/commands/*.rs`: a clap
//! struct and an `exec` that builds an options struct, makes one library call, and
//! renders the typed report it gets back.

pub mod archive;
pub mod bench;
pub mod completions;
pub mod export;
pub mod filter;
pub mod get;
pub mod lag;
pub mod man;
pub mod mirror;
pub mod moc;
pub mod produce;
pub mod registry;
pub mod replay;
pub mod rewind;
pub mod sandbox;
pub mod schema;
pub mod show;
pub mod stats;
pub mod tail;
pub mod topic;
