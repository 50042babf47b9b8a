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

/// The shared reference data (`../shared` beside the checkout, or $ALERTCTL_SHARED).
pub fn shared() -> PathBuf {
    let dir = std::env::var_os("ALERTCTL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    assert!(
        dir.join("lsst-reference").is_dir(),
        "the shared reference data is missing at {} (set ALERTCTL_SHARED)",
        dir.display()
    );
    dir
}

/// `shared/lsst-reference/alert_packet/schema`: official 9.0, 10.0, 11.0.
pub fn shared_schema_dir() -> PathBuf {
    shared().join("lsst-reference/alert_packet/schema")
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
    alertctl::schema::list_versions(root)
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
