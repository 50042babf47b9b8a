//! The `alertctl` binary: parses the arguments, runs the command the library holds, and
//! exits with its code. Commands live in [`commands`], one file each, as cargo's do;
//! developer benchmarks in [`bench`].

mod args;
mod bench;
mod cli;
mod commands;

/// mimalloc, counting what guarded filter evaluations hold
/// ([`alertctl::filter::guard`]).
#[global_allocator]
static ALLOCATOR: alertctl::filter::guard::GuardedAlloc = alertctl::filter::guard::GuardedAlloc;

fn main() {
    std::process::exit(cli::main());
}
