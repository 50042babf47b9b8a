//! One AFL++ harness for every fuzz target; `ALERTCTL_FUZZ_TARGET` names the one to run
//! (see [`targets::TARGETS`]).

mod targets;

fn main() {
    let name = std::env::var("ALERTCTL_FUZZ_TARGET").unwrap_or_default();
    let Some((_, target)) = targets::TARGETS.iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = targets::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("set ALERTCTL_FUZZ_TARGET to one of: {}", names.join(", "));
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| {
        target(data);
    });
}
