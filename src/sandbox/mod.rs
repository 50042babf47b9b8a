//! The sandbox: a local broker and schema registry with a standard test night, started
//! ([`up`]) and stopped ([`down`]) by one command. The processes it starts are recorded
//! by pid in `DIR/sandbox.json`, so `sandbox down` stops exactly them; commands given no
//! brokers use the running sandbox's ([`running`]).

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub mod state;

use state::io;
pub use state::{
    alive, default_dir, listening, load, ours, running, save, started, SandboxError, State,
};

/// The broker alertctl tests on and the sandbox runs (see `../shared/notes/broker.md`).
pub const BROKER_VERSION: &str = "0.8.1";

/// The standard test night: seed, visits and alerts per visit (see sample-data/README.md).
pub const STANDARD_SEED: u64 = 1;

/// The broker binary: `$NISSHI`, on PATH, or in ~/.cargo/bin.
pub fn find_broker() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NISSHI")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
    {
        return Some(p);
    }
    let path_dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin"));
    path_dirs
        .into_iter()
        .chain(home)
        .map(|d| d.join("nisshi"))
        .find(|p| p.is_file())
}

/// The broker's cargo features for the sandbox: its one storage engine, SQLite. The
/// tests' `scripts/broker install` adds `dynostore` (the in-memory engine), a superset
/// that serves the sandbox too.
pub const SANDBOX_BROKER_FEATURES: &str = "libsql";

/// Install the broker with cargo, once (see the README for how long it takes).
pub fn install_broker() -> Result<PathBuf, SandboxError> {
    let status = Command::new("cargo")
        .args([
            "install",
            &format!("nisshi@{BROKER_VERSION}"),
            "--locked",
            "--ignore-rust-version",
            "--no-default-features",
            "--features",
            SANDBOX_BROKER_FEATURES,
        ])
        .status()
        .map_err(|e| {
            SandboxError::Failed(format!("cannot run cargo to install the broker: {e}"))
        })?;
    if !status.success() {
        return Err(SandboxError::Failed(
            "cargo install nisshi failed (see its output above)".into(),
        ));
    }
    find_broker().ok_or_else(|| {
        SandboxError::Failed("nisshi was installed but is not on PATH nor in ~/.cargo/bin".into())
    })
}

fn free_port() -> Result<u16, SandboxError> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| SandboxError::Failed(format!("no free port: {e}")))?;
    Ok(l.local_addr()
        .map_err(|e| SandboxError::Failed(e.to_string()))?
        .port())
}

/// Start a process detached from the terminal (its own process group), logging to `log`.
fn spawn_detached(cmd: &mut Command, log: &Path) -> Result<u32, SandboxError> {
    let out = std::fs::File::create(log).map_err(io(log))?;
    let err = out.try_clone().map_err(io(log))?;
    let child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|e| SandboxError::Failed(format!("cannot start {:?}: {e}", cmd.get_program())))?;
    Ok(child.id())
}

/// Start the broker in `dir/broker` on a free loopback port; returns (pid, HOST:PORT).
pub fn start_broker(bin: &Path, dir: &Path) -> Result<(u32, String), SandboxError> {
    let data = dir.join("broker");
    std::fs::create_dir_all(&data).map_err(io(&data))?;
    let port = free_port()?;
    let url = format!("tcp://127.0.0.1:{port}");
    let pid = spawn_detached(
        Command::new(bin)
            .current_dir(&data) // its sqlite path is relative to the working directory
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "sqlite://nisshi.db",
                "--group-initial-rebalance-delay",
                "0s",
            ]),
        &data.join("broker.log"),
    )?;
    let addr = format!("127.0.0.1:{port}");
    wait_for(&addr, pid, &data.join("broker.log"))?;
    Ok((pid, addr))
}

/// Start `alertctl registry serve` (this executable) with its store in `dir/registry`;
/// returns (pid, URL).
pub fn start_registry(dir: &Path) -> Result<(u32, String), SandboxError> {
    let data = dir.join("registry");
    let exe = std::env::current_exe()
        .map_err(|e| SandboxError::Failed(format!("cannot find alertctl's own path: {e}")))?;
    let port = free_port()?;
    let addr = format!("127.0.0.1:{port}");
    let log = dir.join("registry.log");
    let pid = spawn_detached(
        Command::new(exe)
            .args(["registry", "serve", "--listen", &addr, "--data"])
            .arg(&data),
        &log,
    )?;
    wait_for(&addr, pid, &log)?;
    Ok((pid, format!("http://{addr}")))
}

fn wait_for(addr: &str, pid: u32, log: &Path) -> Result<(), SandboxError> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if listening(addr) {
            return Ok(());
        }
        if !alive(pid) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut text = String::new();
    let _ = std::fs::File::open(log).and_then(|mut f| f.read_to_string(&mut text));
    let last = text.lines().last().unwrap_or("no output").to_string();
    Err(SandboxError::Failed(format!(
        "process {pid} did not start listening on {addr} ({}: {last})",
        log.display()
    )))
}

/// Stop a process: SIGTERM, then SIGKILL after `grace`.
pub fn stop_pid(pid: u32, grace: Duration) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let deadline = Instant::now() + grace;
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    if alive(pid) {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}

/// Stop the sandbox in `dir`: its processes, then wait until its ports are closed.
pub fn down(dir: &Path) -> Result<Option<State>, SandboxError> {
    let Some(state) = load(dir)? else {
        return Ok(None);
    };
    // A pid recorded days ago may belong to another process now: signal only ours.
    if ours(state.registry_pid, state.registry_started) {
        stop_pid(state.registry_pid, Duration::from_secs(5));
    }
    if ours(state.broker_pid, state.broker_started) {
        stop_pid(state.broker_pid, Duration::from_secs(10));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while (listening(&state.brokers) || listening(&state.registry)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    if listening(&state.brokers) || listening(&state.registry) {
        return Err(SandboxError::Failed(format!(
            "the sandbox's ports are still open ({} {})",
            state.brokers, state.registry
        )));
    }
    let path = dir.join("sandbox.json");
    std::fs::remove_file(&path).map_err(io(&path))?;
    Ok(Some(state))
}

/// How to bring a sandbox up.
#[derive(Debug, Clone)]
pub struct Up {
    /// The sandbox directory.
    pub dir: PathBuf,
    /// Nights of alerts: tonight and the nights before it.
    pub nights: u32,
    /// Visits per night.
    pub visits: u32,
    /// Alerts per visit.
    pub alerts_per_visit: usize,
    /// A topic per night, or Rubin's long-lived per-major topic.
    pub layout: crate::night::Layout,
    /// Rubin schema trees to register too.
    pub schema_dirs: Vec<PathBuf>,
}

/// Start a broker (installing it with cargo the first time) and a registry in
/// `opts.dir`, register the sample schema (and the trees given), and fill tonight's
/// topic (and the nights before) with the standard test night. On a failure after the
/// start, what was started is stopped.
pub fn up(opts: &Up, report: &mut dyn crate::jobs::Report) -> Result<State, crate::Error> {
    use crate::Error;
    let dir = &opts.dir;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    if let Some(s) = load(dir)? {
        if ours(s.broker_pid, s.broker_started) || ours(s.registry_pid, s.registry_started) {
            return Err(Error::failure(format!(
                "a sandbox is already up in {} (alertctl sandbox status, or sandbox down)",
                dir.display()
            )));
        }
    }
    let bin = match find_broker() {
        Some(b) => b,
        None => {
            report.info(&format!("the sandbox's broker (nisshi {BROKER_VERSION}) is not installed; installing it with cargo, once (about 13 minutes on 2 cores)..."));
            install_broker()?
        }
    };
    let (broker_pid, brokers) = start_broker(&bin, dir)?;
    report.info(&format!(
        "broker {} (pid {broker_pid}) on {brokers}",
        bin.display()
    ));
    let (registry_pid, registry) = match start_registry(dir) {
        Ok(r) => r,
        Err(e) => {
            stop_pid(broker_pid, Duration::from_secs(5));
            return Err(e.into());
        }
    };
    report.info(&format!(
        "schema registry (pid {registry_pid}) on {registry}"
    ));
    let tonight = crate::night::day_obs(chrono::Utc::now());
    let sample_major = crate::formats::avro::builtin_sample().id().unwrap_or(0) / 100;
    let state = State {
        broker_pid,
        brokers: brokers.clone(),
        registry_pid,
        registry: registry.clone(),
        topic: opts.layout.place(tonight, sample_major).0,
        layout: matches!(opts.layout, crate::night::Layout::PerMajor { .. })
            .then(|| "per-major".to_string()),
        broker_started: started(broker_pid).unwrap_or(0),
        registry_started: started(registry_pid).unwrap_or(0),
    };
    // Recorded before anything else can fail, so `sandbox down` always finds what runs.
    save(dir, &state)?;
    if let Err(e) = fill(opts, &state, tonight, report) {
        let _ = down(dir);
        return Err(e);
    }
    Ok(state)
}

/// Register the schemas and produce the standard test night(s).
fn fill(
    opts: &Up,
    state: &State,
    tonight: chrono::NaiveDate,
    report: &mut dyn crate::jobs::Report,
) -> Result<(), crate::Error> {
    use crate::jobs::send::{send_alerts, SendOptions, Stamp};
    use crate::jobs::topics::{self, Kind};
    use crate::transport::kafka::admin::Admin;
    use crate::transport::kafka::produce::Producer;
    use crate::transport::registry::client::Client;
    let schema = std::sync::Arc::new(crate::formats::avro::builtin_sample());
    let id = schema.id().expect("the sample schema has a version");
    let client = Client::new(&state.registry, Duration::from_secs(10));
    client.set_mode(Some("alert-packet"), "IMPORT", true)?;
    client.register("alert-packet", &schema.canonical, Some(id), Some(id))?;
    client.set_mode(Some("alert-packet"), "READWRITE", false)?;
    for dir in &opts.schema_dirs {
        let n = client.import_tree(dir, "alert-packet")?.len();
        report.info(&format!(
            "registered {n} schema versions from {}",
            dir.display()
        ));
    }
    // The sandbox's own broker: no profile, no config file.
    let conn = crate::transport::connect::Target::exactly(&state.brokers, Duration::from_secs(10))?;
    let admin = Admin::connect(&conn)?;
    // Oldest night first: a long-lived topic then holds the nights in time order.
    for n in (0..opts.nights).rev() {
        let night = tonight - chrono::Duration::days(i64::from(n));
        let (topic, window) = opts.layout.place(night, id / 100);
        let kind = if window.is_some() {
            Kind::PerMajor
        } else {
            Kind::Night
        };
        topics::ensure(&admin, &topic, kind, None, None, &mut crate::jobs::Quiet)?;
        let config = crate::formats::sample::SampleConfig {
            night,
            seed: STANDARD_SEED,
            alerts_per_visit: opts.alerts_per_visit,
            visits: opts.visits as usize,
            max_history: 10,
            cutout_size: 30,
        };
        let mut producer = Producer::new(&conn, &topic)?;
        let send = SendOptions {
            stamp: Stamp::Auto,
            cadence: None,
            retention_ms: None,
        };
        let alerts = crate::jobs::produce::packets(schema.clone(), id, config);
        let sent = send_alerts(&mut producer, &send, alerts, &|| false, |_| {})?;
        report.info(&format!(
            "{topic}: {} alerts in {} visits (seed {STANDARD_SEED})",
            sent.records, opts.visits
        ));
    }
    Ok(())
}

/// What a sandbox runs, and whether it answers.
#[derive(Debug, Clone)]
pub struct Status {
    /// The recorded state.
    pub state: State,
    /// The broker process is ours and running.
    pub broker_running: bool,
    /// It accepts connections.
    pub broker_answers: bool,
    /// The registry process is ours and running.
    pub registry_running: bool,
    /// It accepts connections.
    pub registry_answers: bool,
    /// Topics and their alerts, when the broker answers.
    pub topics: Vec<(String, i64)>,
}

/// The sandbox in `dir`: what it runs, whether it answers, and its topics.
pub fn status(dir: &Path) -> Result<Option<Status>, crate::Error> {
    use crate::transport::kafka::admin::Admin;
    let Some(s) = load(dir)? else {
        return Ok(None);
    };
    let broker_answers = listening(&s.brokers);
    let mut topics = Vec::new();
    if broker_answers {
        let conn = crate::transport::connect::Target::exactly(&s.brokers, Duration::from_secs(5))?;
        let admin = Admin::connect(&conn)?;
        for t in admin.topic_names()? {
            topics.push((t.clone(), admin.describe(&t)?.messages()));
        }
    }
    Ok(Some(Status {
        broker_running: ours(s.broker_pid, s.broker_started),
        broker_answers,
        registry_running: ours(s.registry_pid, s.registry_started),
        registry_answers: listening(&s.registry),
        topics,
        state: s,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `down` signals a recorded pid only while it is still the process recorded: a pid
    /// that another program has taken since is left alone; the recorded one is stopped.
    #[test]
    fn down_never_signals_a_reused_pid() {
        let dir = tempfile::tempdir().unwrap();
        let mut other = Command::new("sleep").arg("30").spawn().unwrap();
        let pid = other.id();
        let at = started(pid).expect("a live process has a start time");
        let state = |started_at: u64| State {
            broker_pid: pid,
            brokers: "127.0.0.1:1".into(),
            registry_pid: pid,
            registry: "http://127.0.0.1:1".into(),
            topic: "t".into(),
            broker_started: started_at,
            registry_started: started_at,
            layout: None,
        };
        // Recorded with another start time: the pid is someone else's now.
        save(dir.path(), &state(at + 1)).unwrap();
        assert!(!ours(pid, at + 1));
        down(dir.path()).unwrap();
        assert!(other.try_wait().unwrap().is_none(), "a stranger was killed");
        // Recorded with its own start time: stopped.
        save(dir.path(), &state(at)).unwrap();
        assert!(ours(pid, at));
        down(dir.path()).unwrap();
        let status = other.wait().unwrap();
        assert!(!status.success(), "sleep 30 ended by a signal");
        assert!(load(dir.path()).unwrap().is_none());
    }

    /// The start time is read after the command name, which may hold spaces and ')'.
    #[test]
    fn start_time_of_this_process() {
        let me = std::process::id();
        let a = started(me).unwrap();
        assert!(a > 0);
        assert_eq!(
            started(me),
            Some(a),
            "a process's start time does not change"
        );
        assert_eq!(started(u32::MAX), None);
    }
}
