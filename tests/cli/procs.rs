//! Processes the end-to-end tests start, kill and restart: brokers of their own,
//! registries, commands in the background; and counting what came through.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// A broker on a fixed port with its data in a directory: it can be killed and started again.
pub struct Broker {
    bin: String,
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl Broker {
    pub fn start() -> Broker {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/broker");
        let out = Command::new(&script)
            .arg("path")
            .output()
            .expect("scripts/broker path");
        assert!(
            out.status.success(),
            "nisshi is not installed: scripts/broker install"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut b = Broker {
            bin: String::from_utf8_lossy(&out.stdout).trim().to_string(),
            dir: tempdir(),
            port,
            child: None,
        };
        b.restart();
        b
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn restart(&mut self) {
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("broker.log"))
            .unwrap();
        let child = Command::new(&self.bin)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args([
                "--storage-engine",
                "sqlite://nisshi.db",
                "--group-initial-rebalance-delay",
                "0s",
                "--silent",
            ])
            .current_dir(self.dir.path())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start nisshi");
        self.child = Some(child);
        wait_until("the broker to listen", 30, || {
            std::net::TcpStream::connect(self.addr()).is_ok()
        });
    }

    /// SIGKILL, as a crash does.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// alertctl against `b`, with test-friendly client settings.
pub fn cmd(b: &str, args: &[&str]) -> Command {
    let mut c = alertctl();
    c.args(args)
        .args([
            "-b",
            b,
            "-X",
            "session.timeout.ms=6000",
            "-X",
            "fetch.wait.max.ms=10",
        ])
        .env_remove("ALERTCTL_PROFILE")
        .env("ALERTCTL_CONFIG", "/nonexistent/alertctl-test-config.toml");
    c
}

/// Start a command in the background, its stderr to a file in `dir`.
pub fn spawn(mut c: Command, dir: &Path, name: &str) -> Child {
    let err = std::fs::File::create(dir.join(format!("{name}.stderr"))).unwrap();
    c.stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .expect("spawn alertctl")
}

pub fn stderr_of(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{name}.stderr"))).unwrap_or_default()
}

/// The diaSourceIds in a topic, with how many times each appears.
pub fn ids(b: &str, topic: &str, extra: &[&str]) -> HashMap<i64, usize> {
    let mut args = vec!["tail", "--from", topic, "-e"];
    args.extend_from_slice(if extra.is_empty() {
        &["--timeout", "20s"]
    } else {
        extra
    });
    // The test reads topics with every schema it may meet (the filters under test do not).
    let r: Run = cmd(b, &args)
        .env("ALERTCTL_SCHEMA_DIR", official_trio())
        .output()
        .expect("tail")
        .into();
    if r.stderr.contains("does not exist") {
        return HashMap::new(); // not created yet
    }
    assert_eq!(r.code, 0, "tail {topic}: {}", r.stderr);
    let mut m = HashMap::new();
    for v in r.json_lines() {
        *m.entry(v["diaSourceId"].as_i64().unwrap()).or_default() += 1;
    }
    m
}

pub fn count(b: &str, topic: &str, extra: &[&str]) -> usize {
    ids(b, topic, extra).values().sum()
}

/// Every input id is in the output; returns the duplicates.
pub fn nothing_lost(input: &HashMap<i64, usize>, output: &HashMap<i64, usize>) -> usize {
    let missing: HashSet<&i64> = input.keys().filter(|k| !output.contains_key(k)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} alerts lost",
        missing.len(),
        input.len()
    );
    let extra: Vec<&i64> = output.keys().filter(|k| !input.contains_key(k)).collect();
    assert!(
        extra.is_empty(),
        "outputs that were never input: {}",
        extra.len()
    );
    output.values().sum::<usize>() - output.len()
}

pub fn create(b: &str, topic: &str) {
    create_with(b, topic, 2);
}

/// Create `topic` with `partitions` partitions, kept forever.
pub fn create_with(b: &str, topic: &str, partitions: u32) {
    let partitions = partitions.to_string();
    let r: Run = cmd(
        b,
        &[
            "topic",
            "create",
            topic,
            "--partitions",
            &partitions,
            "--retention",
            "forever",
        ],
    )
    .output()
    .unwrap()
    .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// Send a visit file's alerts to `topic` (`produce --file`), with `extra` arguments.
pub fn send_file(b: &str, file: &Path, topic: &str, extra: &[&str]) {
    let r: Run = cmd(
        b,
        &[
            &["produce", "--file", file.to_str().unwrap()],
            &["--topic", topic, "--no-wait"][..],
            extra,
        ]
        .concat(),
    )
    .output()
    .unwrap()
    .into();
    assert_eq!(r.code, 0, "produce --file to {topic}: {}", r.stderr);
}

/// Visits of `per_visit` alerts every `cadence`, with the time of sending as timestamps.
pub fn producer(
    b: &str,
    topic: &str,
    visits: u32,
    per_visit: u32,
    cadence: &str,
    seed: u32,
) -> Command {
    let (v, n, s) = (visits.to_string(), per_visit.to_string(), seed.to_string());
    cmd(
        b,
        &[
            "produce",
            "--topic",
            topic,
            "--visits",
            &v,
            "--alerts-per-visit",
            &n,
            "--cadence",
            cadence,
            "--timestamp",
            "now",
            "--cutout-size",
            "4",
            "--seed",
            &s,
        ],
    )
}

pub fn filter_cmd(b: &str, group: &str, extra: &[&str]) -> Command {
    let mut args = vec![
        "filter",
        "run",
        "--name",
        "all",
        "--expr",
        "true",
        "--max-per-visit",
        "0",
        "--from",
        "in",
        "--to",
        "out",
        "--group",
        group,
    ];
    if !extra.contains(&"--retry-for") {
        args.extend_from_slice(&["--retry-for", "120s"]);
    }
    args.extend_from_slice(extra);
    cmd(b, &args)
}

pub fn wait_exit(c: &mut Child, secs: u64) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(s) = c.try_wait().unwrap() {
            return s.code().unwrap_or(-1);
        }
        assert!(Instant::now() < deadline, "still running after {secs} s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Wait until `out` holds every id of `in`, then stop the filters; returns (in, out).
pub fn drain(
    b: &str,
    filters: &mut [&mut Child],
    dir: &Path,
) -> (HashMap<i64, usize>, HashMap<i64, usize>) {
    let input = ids(b, "in", &[]);
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let out = ids(b, "out", &[]);
        if input.keys().all(|k| out.contains_key(k)) || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    for (i, f) in filters.iter_mut().enumerate() {
        assert!(
            f.try_wait().unwrap().is_none(),
            "filter {i} exited early: {}",
            stderr_of(dir, &format!("filter{i}"))
        );
        terminate(f);
    }
    (input, ids(b, "out", &[]))
}

/// A registry server on a fixed port.
pub struct Registry {
    data: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Registry {
    pub fn start(data: PathBuf) -> Registry {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut r = Registry {
            data,
            port,
            child: None,
        };
        r.restart();
        r
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn restart(&mut self) {
        let listen = format!("127.0.0.1:{}", self.port);
        let child = alertctl()
            .args([
                "registry",
                "serve",
                "--listen",
                &listen,
                "--data",
                self.data.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start registry");
        self.child = Some(child);
        wait_until("the registry to listen", 30, || {
            std::net::TcpStream::connect(&listen).is_ok()
        });
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}
