//! The `alertctl` command: parses arguments and hands them to [`alertctl::commands`].

fn main() {
    match alertctl::commands::parse_args() {
        Ok(cli) => std::process::exit(alertctl::commands::run(cli)),
        Err(code) => std::process::exit(code),
    }
}
