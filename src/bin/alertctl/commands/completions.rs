//! `alertctl completions`: print a shell completion script.

use crate::args::{CmdResult, Ctx};

/// Print a shell completion script.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl completions bash > /etc/bash_completion.d/alertctl
  alertctl completions zsh > \"${fpath[1]}/_alertctl\"
  alertctl completions fish > ~/.config/fish/completions/alertctl.fish")]
pub struct Args {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Run `alertctl completions`.
/// `cli` is the whole command tree.
pub fn exec(args: Args, cli: clap::Command, ctx: &mut Ctx) -> CmdResult {
    let mut out = ctx.stdout();
    let mut cli = cli;
    clap_complete::generate(args.shell, &mut cli, "alertctl", &mut out);
    std::io::Write::flush(&mut out)?;
    Ok(())
}
