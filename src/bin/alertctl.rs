//! The `alertctl` command: parses arguments and hands them to [`alertctl::commands`].

use clap::Parser;

fn main() {
    let cli = alertctl::commands::Cli::parse();
    std::process::exit(alertctl::commands::run(cli));
}
