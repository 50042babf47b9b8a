//! `alertctl sandbox`: a local broker and registry with a standard test night.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::{CliError, CliResult};
use crate::kafka::admin::{Admin, TopicSpec, DEFAULT_RETENTION_MS};
use crate::kafka::produce::Producer;
use crate::kafka::send::{send_alerts, SendOptions, Stamp};
use crate::kafka::Connection;
use crate::night;
use crate::packet;
use crate::registry::client::Client;
use crate::sample::{Generator, SampleConfig};
use crate::sandbox::{self, State, STANDARD_SEED};

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
    #[arg(long, value_enum, default_value = "nightly")]
    pub layout: LayoutArg,
    /// Rubin schema trees to register too (alert_packet layout), as Rubin does.
    #[arg(
        long = "schema-dir",
        value_name = "DIR",
        env = "ALERTCTL_SCHEMA_DIR",
        value_delimiter = ':'
    )]
    pub schema_dirs: Vec<PathBuf>,
}

/// The layouts `sandbox up` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LayoutArg {
    /// One topic per night, lsst-YYYY-MM-DD.
    Nightly,
    /// One long-lived topic per schema MAJOR, lsst-alerts-v{major}.
    PerMajor,
}

impl LayoutArg {
    fn layout(self) -> night::Layout {
        match self {
            LayoutArg::Nightly => night::Layout::Nightly,
            LayoutArg::PerMajor => night::Layout::PerMajor {
                pattern: night::PER_MAJOR_PATTERN.into(),
            },
        }
    }
}

fn dir(d: &DirArgs) -> PathBuf {
    d.dir.clone().unwrap_or_else(sandbox::default_dir)
}

/// Run a `sandbox` subcommand.
pub fn exec(cmd: SandboxCommand) -> CliResult {
    match cmd {
        SandboxCommand::Up(a) => up(a),
        SandboxCommand::Status(d) => {
            let dir = dir(&d);
            let Some(s) = sandbox::load(&dir)? else {
                println!("no sandbox in {} (alertctl sandbox up)", dir.display());
                return Ok(());
            };
            let state = |pid: u32, at: u64, addr: &str| match (
                sandbox::ours(pid, at),
                sandbox::listening(addr),
            ) {
                (true, true) => "running",
                (true, false) => "running, not answering",
                (false, _) => "stopped",
            };
            println!("sandbox in {}", dir.display());
            println!(
                "  broker    {:<28} pid {:<7} {}",
                s.brokers,
                s.broker_pid,
                state(s.broker_pid, s.broker_started, &s.brokers)
            );
            println!(
                "  registry  {:<28} pid {:<7} {}",
                s.registry,
                s.registry_pid,
                state(s.registry_pid, s.registry_started, &s.registry)
            );
            if sandbox::listening(&s.brokers) {
                let conn = Connection::resolve(
                    Some(&s.brokers),
                    None,
                    &[],
                    Duration::from_secs(5),
                    std::path::Path::new("/nonexistent"),
                )?;
                let admin = Admin::connect(&conn)?;
                for t in admin.topic_names()? {
                    println!(
                        "  topic     {t:<28} {} alerts",
                        admin.describe(&t)?.messages()
                    );
                }
            }
            Ok(())
        }
        SandboxCommand::Env(d) => {
            let dir = dir(&d);
            let s = sandbox::load(&dir)?.ok_or_else(|| {
                CliError::failure(format!(
                    "no sandbox in {} (alertctl sandbox up)",
                    dir.display()
                ))
            })?;
            println!(
                "export ALERTCTL_BROKERS={} ALERTCTL_REGISTRY={}",
                s.brokers, s.registry
            );
            Ok(())
        }
        SandboxCommand::Down(d) => {
            let dir = dir(&d);
            match sandbox::down(&dir)? {
                Some(s) => eprintln!("alertctl: sandbox stopped: broker pid {} ({}), registry pid {} ({}); nothing listening", s.broker_pid, s.brokers, s.registry_pid, s.registry),
                None => eprintln!("alertctl: no sandbox in {}", dir.display()),
            }
            Ok(())
        }
    }
}

fn up(a: UpArgs) -> CliResult {
    let dir = dir(&a.dir);
    std::fs::create_dir_all(&dir)?;
    if let Some(s) = sandbox::load(&dir)? {
        if sandbox::ours(s.broker_pid, s.broker_started)
            || sandbox::ours(s.registry_pid, s.registry_started)
        {
            return Err(CliError::failure(format!(
                "a sandbox is already up in {} (alertctl sandbox status, or sandbox down)",
                dir.display()
            )));
        }
    }
    let bin = match sandbox::find_broker() {
        Some(b) => b,
        None => {
            eprintln!("alertctl: the sandbox's broker (nisshi {}) is not installed; installing it with cargo, once (about 13 minutes on 2 cores)...", sandbox::BROKER_VERSION);
            sandbox::install_broker()?
        }
    };
    let (broker_pid, brokers) = sandbox::start_broker(&bin, &dir)?;
    eprintln!(
        "alertctl: broker {} (pid {broker_pid}) on {brokers}",
        bin.display()
    );
    let (registry_pid, registry) = match sandbox::start_registry(&dir) {
        Ok(r) => r,
        Err(e) => {
            sandbox::stop_pid(broker_pid, Duration::from_secs(5));
            return Err(e.into());
        }
    };
    eprintln!("alertctl: schema registry (pid {registry_pid}) on {registry}");
    let tonight = night::day_obs(Utc::now());
    let sample_major = crate::schema::builtin_sample().id().unwrap_or(0) / 100;
    let state = State {
        broker_pid,
        brokers: brokers.clone(),
        registry_pid,
        registry: registry.clone(),
        topic: a.layout.layout().place(tonight, sample_major).0,
        layout: (a.layout == LayoutArg::PerMajor).then(|| "per-major".to_string()),
        broker_started: sandbox::started(broker_pid).unwrap_or(0),
        registry_started: sandbox::started(registry_pid).unwrap_or(0),
    };
    // Recorded before anything else can fail, so `sandbox down` always finds what runs.
    sandbox::save(&dir, &state)?;
    let result = fill(&a, &state, tonight);
    if let Err(e) = result {
        let _ = sandbox::down(&dir);
        return Err(e);
    }
    println!(
        "The sandbox is up (in {dir}).
  export ALERTCTL_BROKERS={brokers} ALERTCTL_REGISTRY={registry}    # or: eval \"$(alertctl sandbox env)\"
Try:
{tries}
  alertctl tail bright -e | jq .diaSource.snr
  alertctl replay {topic} --to replay-test --speed 10
  alertctl sandbox down",
        dir = dir.display(),
        topic = state.topic,
        tries = match a.layout {
            LayoutArg::Nightly => "  alertctl tail --night today -n 5 --format table
  alertctl stats --night today
  alertctl filter run --name bright --expr '.diaSource.snr > 20' --night today -e"
                .to_string(),
            LayoutArg::PerMajor => format!(
                "  alertctl topic list                                  # alerts per night
  alertctl tail {t} --night today -e --format table    # tonight's window
  alertctl stats {t} --night yesterday
  alertctl filter run --name bright --expr '.diaSource.snr > 20' --from {t} --night today",
                t = state.topic
            ),
        }
    );
    Ok(())
}

/// Register the schemas and produce the standard test night(s).
fn fill(a: &UpArgs, state: &State, tonight: chrono::NaiveDate) -> CliResult {
    let schema = Arc::new(crate::schema::builtin_sample());
    let id = schema.id().expect("the sample schema has a version");
    let client = Client::new(&state.registry, Duration::from_secs(10));
    client.set_mode(Some("alert-packet"), "IMPORT", true)?;
    client.register("alert-packet", &schema.canonical, Some(id), Some(id))?;
    client.set_mode(Some("alert-packet"), "READWRITE", false)?;
    for dir in &a.schema_dirs {
        let n = client.import_tree(dir, "alert-packet")?.len();
        eprintln!(
            "alertctl: registered {n} schema versions from {}",
            dir.display()
        );
    }
    let conn = Connection::resolve(
        Some(&state.brokers),
        None,
        &[],
        Duration::from_secs(10),
        std::path::Path::new("/nonexistent"),
    )?;
    let admin = Admin::connect(&conn)?;
    let layout = a.layout.layout();
    // Oldest night first: a long-lived topic then holds the nights in time order.
    for n in (0..a.nights).rev() {
        let night = tonight - chrono::Duration::days(i64::from(n));
        let (topic, window) = layout.place(night, id / 100);
        let long_lived = window.is_some();
        admin.create(&TopicSpec {
            name: topic.clone(),
            partitions: if long_lived { 45 } else { 4 },
            replication: 1,
            retention_ms: if long_lived {
                crate::kafka::admin::PER_MAJOR_RETENTION_MS
            } else {
                DEFAULT_RETENTION_MS
            },
            timestamp_type: None,
        })?;
        let mut gen = Generator::new(
            schema.clone(),
            SampleConfig {
                night,
                seed: STANDARD_SEED,
                alerts_per_visit: a.alerts_per_visit,
                visits: a.visits as usize,
                max_history: 10,
                cutout_size: 30,
            },
        );
        let mut producer = Producer::new(&conn, &topic)?;
        let opts = SendOptions {
            stamp: Stamp::Auto,
            cadence: None,
            retention_ms: None,
        };
        let alerts = (0..a.visits).flat_map(|v| gen.visit(v)).map(
            |alert| -> Result<(Vec<u8>, _), CliError> {
                Ok((
                    packet::encode(id, &packet::encode_body(&schema, &alert)?),
                    alert,
                ))
            },
        );
        let sent = send_alerts(&mut producer, &opts, alerts, &|| false, |_| {}, |_| {})?;
        eprintln!(
            "alertctl: {topic}: {} alerts in {} visits (seed {STANDARD_SEED})",
            sent.records, a.visits
        );
    }
    Ok(())
}
