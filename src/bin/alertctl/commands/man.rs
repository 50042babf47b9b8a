//! `alertctl man`: print or write the man pages.

use std::path::PathBuf;

use crate::args::{CmdResult, Ctx};

/// Print or write the man pages.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl man | man -l -
  alertctl man --out-dir /usr/local/share/man/man1")]
pub struct Args {
    /// Write one page per command into this directory instead.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Run `alertctl man`.
/// `cli` is the whole command tree.
pub fn exec(args: Args, cli: clap::Command, ctx: &mut Ctx) -> CmdResult {
    let cmd = cli;
    match args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)?;
            clap_mangen::generate_to(cmd, &dir)?;
        }
        None => {
            let mut out = ctx.stdout();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            std::io::Write::flush(&mut out)?;
        }
    }
    Ok(())
}
