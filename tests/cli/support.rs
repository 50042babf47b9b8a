//! Helpers shared by the end-to-end tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The alertctl binary under test.
pub fn alertctl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alertctl"))
}

/// What a run of alertctl printed and returned.
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Assert success and return stdout.
    pub fn ok(self) -> String {
        assert_eq!(self.code, 0, "alertctl failed:\n{}", self.stderr);
        self.stdout
    }

    /// Assert a failure whose stderr ends in exactly one error line, no panic; return that line.
    pub fn one_line_error(&self, code: i32) -> String {
        assert_eq!(self.code, code, "exit code; stderr:\n{}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        let errors: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("alertctl: error:"))
            .collect();
        assert_eq!(errors.len(), 1, "one error line expected:\n{}", self.stderr);
        assert_eq!(
            self.stderr.lines().last(),
            Some(errors[0]),
            "the error is the last line:\n{}",
            self.stderr
        );
        errors[0].to_string()
    }

    /// stdout parsed as JSON lines.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }
}

/// Run alertctl with arguments.
pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    alertctl().args(args).output().expect("run alertctl").into()
}

/// The shared reference data of the shared tier (`scripts/test --shared DIR` sets
/// $ALERTCTL_SHARED): real alerts from a community broker, which exist only beside this
/// project's own checkouts. The default tier never reads it.
pub fn shared() -> PathBuf {
    let dir = std::env::var_os("ALERTCTL_SHARED")
        .map(PathBuf::from)
        .expect("the shared tier needs ALERTCTL_SHARED (scripts/test --shared DIR sets it)");
    assert!(
        dir.join("lsst-reference").is_dir(),
        "the shared reference data is missing at {} (ALERTCTL_SHARED)",
        dir.display()
    );
    dir
}

/// `shared/lsst-reference/alert_packet/schema`: official 9.0, 10.0, 11.0 (shared tier).
pub fn shared_schema_dir() -> PathBuf {
    shared().join("lsst-reference/alert_packet/schema")
}

/// Rubin's official 9.0, 10.0 and 11.0 schemas alone, in the alert_packet layout
/// (`DIR/MAJOR/MINOR/*.avsc` and `sample_data/`): a copy of those three versions from
/// PyPI's lsst-alert-packet, for tests that want a small tree of real versions (an
/// import registers three ids, a missing version lists three). Made once per test
/// process.
pub fn official_trio() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("official-9-10-11-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let pypi = pypi_schema_dir();
        for v in ["9/0", "10/0", "11/0"] {
            copy_tree(&pypi.join(v), &dir.join(v));
        }
        dir
    })
    .clone()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from)
        .expect("read the PyPI schema tree")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy a schema file");
        }
    }
}

/// The Python interpreter the interop tests use ($ALERTCTL_PYTHON or python3).
pub fn python() -> String {
    std::env::var("ALERTCTL_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// The schema tree of PyPI's lsst-alert-packet (every version 3.0..11.1). The
/// package is a test dependency (`.ci/run` installs it); without it the test fails.
pub fn pypi_schema_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Command::new(python())
            .args([
                "-c",
                "import lsst.alert.packet, os; print(os.path.join(os.path.dirname(lsst.alert.packet.__file__), 'schema'))",
            ])
            .output()
            .expect("run python3");
        assert!(
            out.status.success(),
            "PyPI's lsst-alert-packet is not installed (pip install lsst-alert-packet fastavro astropy; .ci/run does): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
    .clone()
}

/// Every version directory under a schema root, as `(version string, dir)`, sorted.
pub fn versions(root: &Path) -> Vec<(String, PathBuf)> {
    alertctl::formats::avro::list_versions(root)
        .expect("list versions")
        .into_iter()
        .map(|v| {
            (
                v.to_string(),
                root.join(v.major.to_string()).join(v.minor.to_string()),
            )
        })
        .collect()
}

/// A fresh temporary directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// The broker the Kafka tests share: `$ALERTCTL_TEST_BROKERS` if set, else a nisshi
/// started once for this test binary on an ephemeral loopback port (in-memory
/// storage), which ends when the test binary does. A missing nisshi fails the test, in
/// every environment: `scripts/test` installs it first.
pub fn broker() -> String {
    static BROKER: OnceLock<String> = OnceLock::new();
    BROKER
            .get_or_init(|| {
                if let Ok(b) = std::env::var("ALERTCTL_TEST_BROKERS") {
                    return b;
                }
                let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/broker");
                let found = Command::new(&script)
                    .arg("path")
                    .output()
                    .ok()
                    .filter(|o| o.status.success())
                    .expect(
                        "the test broker (nisshi) is not installed: run scripts/test, which installs it (or scripts/broker install)",
                    );
                let bin = String::from_utf8_lossy(&found.stdout).trim().to_string();
                start_nisshi(&bin)
            })
            .clone()
}

/// A broker of its own, for a test that must not share one (call after `broker()`).
pub fn private_broker() -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/broker");
    let out = Command::new(&script)
        .arg("path")
        .output()
        .expect("scripts/broker path");
    start_nisshi(String::from_utf8_lossy(&out.stdout).trim())
}

fn start_nisshi(bin: &str) -> String {
    use std::process::Stdio;
    static CHILDREN: std::sync::Mutex<Vec<std::process::Child>> = std::sync::Mutex::new(Vec::new());
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The shell stops the broker when our end of its stdin closes: when this test binary exits.
    let script = format!(
        "cd '{}' && '{bin}' broker --listener-url tcp://127.0.0.1:{port} --advertised-listener-url tcp://127.0.0.1:{port} \
         --storage-engine memory://nisshi/ --group-initial-rebalance-delay 0s --silent >broker.log 2>&1 & pid=$!; read _; kill $pid",
        dir.display()
    );
    let child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .spawn()
        .expect("start nisshi");
    CHILDREN.lock().unwrap().push(child);
    let addr = format!("127.0.0.1:{port}");
    for _ in 0..200 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            return addr;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!(
        "nisshi did not start listening on {addr} (see {}/broker.log)",
        dir.display()
    );
}

/// Run alertctl against the shared broker with test-friendly client settings.
pub fn kafka_run(broker: &str, args: &[&str]) -> Run {
    alertctl()
        .args(args)
        .args([
            "-b",
            broker,
            "-X",
            "session.timeout.ms=6000",
            "-X",
            "fetch.wait.max.ms=10",
        ])
        .env_remove("ALERTCTL_PROFILE")
        .env("ALERTCTL_CONFIG", "/nonexistent/alertctl-test-config.toml")
        .output()
        .expect("run alertctl")
        .into()
}

/// Run alertctl against the shared broker for bytes on stdout (`tail --format raw`),
/// which [`Run`]'s text would not keep: its output, once it has succeeded.
pub fn kafka_raw(broker: &str, args: &[&str]) -> std::process::Output {
    let out = alertctl()
        .args(args)
        .args(["-b", broker])
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .output()
        .expect("run alertctl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Produce sample alerts with test-friendly defaults (no wait, kept forever), and
/// cutouts of `cutout` pixels.
pub fn produce_alerts(broker: &str, cutout: &str, extra: &[&str]) {
    let mut args = vec![
        "produce",
        "--no-wait",
        "--retention",
        "forever",
        "--cutout-size",
        cutout,
    ];
    args.extend_from_slice(extra);
    let r = kafka_run(broker, &args);
    assert_eq!(r.code, 0, "produce failed: {}", r.stderr);
}

/// Stop a child process the way an operator would: SIGTERM, then wait for it.
pub fn terminate(child: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Poll `f` until it holds, failing the test after `secs` seconds.
pub fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !f() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}

/// The versions a registry lists for a subject (through `alertctl schema list`).
pub fn subject_versions(registry_url: &str, subject: &str) -> Vec<u64> {
    let subjects = run([
        "schema",
        "list",
        "--format",
        "json",
        "--registry",
        registry_url,
    ])
    .json_lines();
    let entry = subjects
        .iter()
        .find(|s| s["subject"] == subject)
        .unwrap_or_else(|| panic!("{registry_url} lists no subject {subject}: {subjects:?}"));
    entry["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect()
}

/// Run alertctl with a config file (its profile chosen by `default`).
pub fn with_config(config: &Path, args: &[&str]) -> Run {
    alertctl()
        .args(args)
        .env_remove("ALERTCTL_PROFILE")
        .env_remove("ALERTCTL_BROKERS")
        .env("ALERTCTL_CONFIG", config)
        .output()
        .expect("run alertctl")
        .into()
}

/// Write DIR/config.toml: a default profile `rubin` on `broker` with the per-major
/// layout, its topics named `{prefix}-alerts-v{major}`; the file's path, for
/// [`with_config`].
pub fn per_major_config(dir: &Path, broker: &str, prefix: &str) -> std::path::PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default = \"rubin\"\n[profiles.rubin]\nbrokers = \"{broker}\"\nlayout = \"per-major\"\ntopic_pattern = \"{prefix}-alerts-v{{major}}\"\n[profiles.rubin.properties]\n\"fetch.wait.max.ms\" = \"10\"\n"
        ),
    )
    .unwrap();
    config
}
