//! `alertctl sandbox`: a local broker and registry with a standard test night.

use std::path::PathBuf;

use alertctl::jobs::Report;
use alertctl::night::{Layout, PER_MAJOR_PATTERN};
use alertctl::sandbox::{self, status, Up};
use alertctl::Error;

use crate::args::{CmdResult, Ctx};

/// The `sandbox` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SandboxCommand {
    /// Start a broker and a schema registry, and fill tonight's topic with the standard test night.
    #[command(after_help = "\
Examples:
  alertctl sandbox up
  alertctl sandbox up --visits 10 --alerts-per-visit 1000 --nights 2
  alertctl sandbox up --dir ./sandbox && alertctl sandbox status --dir ./sandbox

The broker (nisshi, a Kafka-protocol broker from crates.io) is installed with cargo the
first time (about 13 minutes on 2 cores). The standard test night is seed 1 of the built-in
sample schema: sample-data/README.md says what is in it and how many alerts pass a few
example filters, so you can check your filter's counts.")]
    Up(UpArgs),
    /// Say what the sandbox runs and whether it answers.
    Status(DirArgs),
    /// Print the shell exports that point alertctl at the sandbox: eval "$(alertctl sandbox env)".
    Env(DirArgs),
    /// Stop what `sandbox up` started (by pid); nothing is left listening.
    Down(DirArgs),
}

/// Where the sandbox lives.
#[derive(Debug, clap::Args)]
pub struct DirArgs {
    /// The sandbox directory (default: ~/.local/share/alertctl/sandbox).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Arguments of `sandbox up`.
#[derive(Debug, clap::Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub dir: DirArgs,
    /// Nights of alerts: tonight and the nights before it.
    #[arg(long, default_value_t = 1)]
    pub nights: u32,
    /// Visits per night.
    #[arg(long, default_value_t = 5)]
    pub visits: u32,
    /// Alerts per visit.
    #[arg(long, default_value_t = 500)]
    pub alerts_per_visit: usize,
    /// Topic layout: a topic per night (the design), or Rubin's production layout, one
    /// long-lived 45-partition topic per schema MAJOR (lsst-alerts-v{major}) holding
    /// every night. Commands that use the sandbox's broker follow its layout.
    #[arg(long, value_parser = ["nightly", "per-major"], default_value = "nightly")]
    pub layout: String,
    /// Rubin schema trees to register too (alert_packet layout), as Rubin does.
    #[arg(
        long = "schema-dir",
        value_name = "DIR",
        env = "ALERTCTL_SCHEMA_DIR",
        value_delimiter = ':'
    )]
    pub schema_dirs: Vec<PathBuf>,
}

fn dir(d: &DirArgs) -> PathBuf {
    d.dir.clone().unwrap_or_else(sandbox::default_dir)
}

/// Run a `sandbox` subcommand.
pub fn exec(cmd: SandboxCommand, ctx: &mut Ctx) -> CmdResult {
    match cmd {
        SandboxCommand::Up(a) => up(a, ctx),
        SandboxCommand::Status(d) => {
            let dir = dir(&d);
            let Some(s) = status(&dir)? else {
                return ctx.lines([format!(
                    "no sandbox in {} (alertctl sandbox up)",
                    dir.display()
                )]);
            };
            let state = |running: bool, answers: bool| match (running, answers) {
                (true, true) => "running",
                (true, false) => "running, not answering",
                (false, _) => "stopped",
            };
            let st = &s.state;
            let mut lines = vec![
                format!("sandbox in {}", dir.display()),
                format!(
                    "  broker    {:<28} pid {:<7} {}",
                    st.brokers,
                    st.broker_pid,
                    state(s.broker_running, s.broker_answers)
                ),
                format!(
                    "  registry  {:<28} pid {:<7} {}",
                    st.registry,
                    st.registry_pid,
                    state(s.registry_running, s.registry_answers)
                ),
            ];
            for (t, n) in &s.topics {
                lines.push(format!("  topic     {t:<28} {n} alerts"));
            }
            ctx.lines(lines)
        }
        SandboxCommand::Env(d) => {
            let dir = dir(&d);
            let s = sandbox::load(&dir)?.ok_or_else(|| {
                Error::failure(format!(
                    "no sandbox in {} (alertctl sandbox up)",
                    dir.display()
                ))
            })?;
            ctx.lines([format!(
                "export ALERTCTL_BROKERS={} ALERTCTL_REGISTRY={}",
                s.brokers, s.registry
            )])
        }
        SandboxCommand::Down(d) => {
            let dir = dir(&d);
            match sandbox::down(&dir)? {
                Some(s) => ctx.diag.info(&format!(
                    "sandbox stopped: broker pid {} ({}), registry pid {} ({}); nothing listening",
                    s.broker_pid, s.brokers, s.registry_pid, s.registry
                )),
                None => ctx.diag.info(&format!("no sandbox in {}", dir.display())),
            }
            Ok(())
        }
    }
}

fn up(a: UpArgs, ctx: &mut Ctx) -> CmdResult {
    let dir = dir(&a.dir);
    let per_major = a.layout == "per-major";
    let opts = Up {
        dir: dir.clone(),
        nights: a.nights,
        visits: a.visits,
        alerts_per_visit: a.alerts_per_visit,
        layout: if per_major {
            Layout::PerMajor {
                pattern: PER_MAJOR_PATTERN.into(),
            }
        } else {
            Layout::Nightly
        },
        schema_dirs: a.schema_dirs.clone(),
    };
    let state = sandbox::up(&opts, &mut ctx.diag)?;
    let tries = if per_major {
        format!(
            "  alertctl topic list                                  # alerts per night
  alertctl tail --from {t} --night today -e --format table    # tonight's window
  alertctl stats --from {t} --night yesterday
  alertctl filter run --name bright --expr '.diaSource.snr > 20' --from {t} --night today",
            t = state.topic
        )
    } else {
        "  alertctl tail --night today -n 5 --format table
  alertctl stats --night today
  alertctl filter run --name bright --expr '.diaSource.snr > 20' --night today -e"
            .to_string()
    };
    ctx.lines([format!(
        "The sandbox is up (in {dir}).
  export ALERTCTL_BROKERS={brokers} ALERTCTL_REGISTRY={registry}    # or: eval \"$(alertctl sandbox env)\"
Try:
{tries}
  alertctl tail --from bright -e | jq .diaSource.snr
  alertctl replay --from {topic} --to replay-test --speed 10
  alertctl sandbox down",
        dir = dir.display(),
        brokers = state.brokers,
        registry = state.registry,
        topic = state.topic,
    )])
}
