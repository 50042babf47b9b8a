//! What a sandbox runs, as recorded in `DIR/sandbox.json`: its broker's and registry's
//! pids and addresses. Read by every command given no brokers ([`running`]), so it
//! depends on nothing else of alertctl.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Errors of the sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// Something failed, with what to do.
    #[error("{0}")]
    Failed(String),
    /// I/O.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

pub(super) fn io(path: &Path) -> impl Fn(std::io::Error) -> SandboxError + '_ {
    move |source| SandboxError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a running sandbox is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    /// The broker's pid.
    pub broker_pid: u32,
    /// The broker's address.
    pub brokers: String,
    /// The registry's pid.
    pub registry_pid: u32,
    /// The registry's URL.
    pub registry: String,
    /// The night topic with the standard test night.
    pub topic: String,
    /// When the broker process started (clock ticks after boot, from /proc), so that a
    /// pid reused by another process since is never signalled. 0 in older state files.
    #[serde(default)]
    pub broker_started: u64,
    /// When the registry process started (as `broker_started`).
    #[serde(default)]
    pub registry_started: u64,
    /// The topic layout: `nightly` (also when absent) or `per-major`.
    #[serde(default)]
    pub layout: Option<String>,
}

/// The default sandbox directory: `$XDG_DATA_HOME/alertctl/sandbox` or `~/.local/share/alertctl/sandbox`.
pub fn default_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("alertctl/sandbox")
}

/// The recorded state of the sandbox in `dir`, if any.
pub fn load(dir: &Path) -> Result<Option<State>, SandboxError> {
    let path = dir.join("sandbox.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| SandboxError::Failed(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(&path)(e)),
    }
}

/// Record the state.
pub fn save(dir: &Path, state: &State) -> Result<(), SandboxError> {
    let path = dir.join("sandbox.json");
    let tmp = dir.join(".sandbox.json.tmp");
    std::fs::write(
        &tmp,
        serde_json::to_string_pretty(state).expect("serializable"),
    )
    .map_err(io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io(&path))
}

/// Whether a process is alive (and not a zombie).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.split(") ")
            .nth(1)
            .is_some_and(|rest| rest.starts_with('Z'))
    })
}

/// When process `pid` started, in clock ticks after boot (field 22 of /proc/PID/stat);
/// None if there is no such process. With the pid, this names one process for good.
pub fn started(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count after its last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Whether `pid` is still the process that was recorded as started at `started`: alive,
/// and (when a start time was recorded) started then. A pid reused by another program
/// is not ours.
pub fn ours(pid: u32, started_at: u64) -> bool {
    alive(pid) && (started_at == 0 || started(pid) == Some(started_at))
}

/// Whether something accepts connections at HOST:PORT (or an http:// URL's host:port).
pub fn listening(addr: &str) -> bool {
    let hostport = addr.trim_start_matches("http://").trim_end_matches('/');
    hostport
        .parse()
        .is_ok_and(|a| TcpStream::connect_timeout(&a, Duration::from_millis(300)).is_ok())
}

/// The sandbox in the default directory, when its broker is running.
pub fn running() -> Option<State> {
    let s = load(&default_dir()).ok()??;
    ours(s.broker_pid, s.broker_started).then_some(s)
}
