//! `alertctl man`: print or write the man pages.

use std::path::PathBuf;

use clap::CommandFactory;

use super::{stdout, CliResult};

/// Print the alertctl(1) man page, or write a page per command into a directory.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl man | man -l -
  alertctl man --out-dir /usr/local/share/man/man1")]
pub struct Args {
    /// Write alertctl.1 and alertctl-COMMAND.1 for every subcommand into this directory.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Run `alertctl man`.
pub fn exec(args: Args) -> CliResult {
    let cmd = super::Cli::command();
    match args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)?;
            clap_mangen::generate_to(cmd, &dir)?;
        }
        None => {
            let mut out = stdout();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            std::io::Write::flush(&mut out)?;
        }
    }
    Ok(())
}
