//! Faults an operator meets, injected against the real broker (the sqlite engine,
//! which survives a restart): the broker killed and restarted mid-run, a group member
//! joining under load, a filter killed and restarted, the registry gone while a new
//! schema id flows, a tiny producer queue. "Nothing lost" is a count: every alert that
//! went in comes out; duplicates are counted and bounded by one batch (500).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// A broker on a fixed port with its data in a directory: it can be killed and started again.
struct Broker {
    bin: String,
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl Broker {
    fn start() -> Broker {
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

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn restart(&mut self) {
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
    fn kill9(&mut self) {
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
fn cmd(b: &str, args: &[&str]) -> Command {
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
fn spawn(mut c: Command, dir: &Path, name: &str) -> Child {
    let err = std::fs::File::create(dir.join(format!("{name}.stderr"))).unwrap();
    c.stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .expect("spawn alertctl")
}

fn stderr_of(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{name}.stderr"))).unwrap_or_default()
}

/// The diaSourceIds in a topic, with how many times each appears.
fn ids(b: &str, topic: &str, extra: &[&str]) -> HashMap<i64, usize> {
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

fn count(b: &str, topic: &str, extra: &[&str]) -> usize {
    ids(b, topic, extra).values().sum()
}

/// Every input id is in the output; returns the duplicates.
fn nothing_lost(input: &HashMap<i64, usize>, output: &HashMap<i64, usize>) -> usize {
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

fn create(b: &str, topic: &str) {
    let r: Run = cmd(
        b,
        &[
            "topic",
            "create",
            topic,
            "--partitions",
            "2",
            "--retention",
            "forever",
        ],
    )
    .output()
    .unwrap()
    .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// Visits of `per_visit` alerts every `cadence`, with the time of sending as timestamps.
fn producer(
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

fn filter_cmd(b: &str, group: &str, extra: &[&str]) -> Command {
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

fn wait_exit(c: &mut Child, secs: u64) -> i32 {
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
fn drain(
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

#[test]
fn the_broker_killed_and_restarted_mid_filter_loses_nothing() {
    let _ = broker_or_return!();
    let mut br = Broker::start();
    let b = br.addr();
    let dir = tempdir();
    create(&b, "in");
    let mut prod = spawn(producer(&b, "in", 10, 30, "1s", 1), dir.path(), "producer");
    let mut filt = spawn(filter_cmd(&b, "g1", &[]), dir.path(), "filter0");
    wait_until("some outputs", 60, || {
        count(&b, "out", &["--timeout", "3s"]) >= 30
    });
    br.kill9();
    std::thread::sleep(Duration::from_secs(3));
    br.restart();
    assert_eq!(
        wait_exit(&mut prod, 120),
        0,
        "producer: {}",
        stderr_of(dir.path(), "producer")
    );
    let (input, output) = drain(&b, &mut [&mut filt], dir.path());
    assert_eq!(input.len(), 300);
    let dups = nothing_lost(&input, &output);
    assert!(dups <= 500, "{dups} duplicates");
    eprintln!(
        "broker kill mid-filter: {} in, {} out, {dups} duplicates",
        input.len(),
        output.values().sum::<usize>()
    );
}

#[test]
fn the_local_broker_killed_and_restarted_mid_mirror_loses_nothing() {
    let _ = broker_or_return!();
    let source = Broker::start();
    let mut local = Broker::start();
    let (s, l) = (source.addr(), local.addr());
    let dir = tempdir();
    create(&s, "in");
    let mut prod = spawn(producer(&s, "in", 10, 30, "1s", 2), dir.path(), "producer");
    let mut mirror = spawn(
        cmd(
            &l,
            &[
                "mirror",
                "--source-brokers",
                &s,
                "--topics",
                "in",
                "--group",
                "m",
                "--retry-for",
                "120s",
            ],
        ),
        dir.path(),
        "filter0",
    );
    wait_until("some copies", 60, || {
        count(&l, "in", &["--timeout", "3s"]) >= 30
    });
    local.kill9();
    std::thread::sleep(Duration::from_secs(3));
    local.restart();
    assert_eq!(
        wait_exit(&mut prod, 120),
        0,
        "producer: {}",
        stderr_of(dir.path(), "producer")
    );
    let input = ids(&s, "in", &[]);
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut copied = ids(&l, "in", &[]);
    while !input.keys().all(|k| copied.contains_key(k)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_secs(1));
        copied = ids(&l, "in", &[]);
    }
    assert!(
        mirror.try_wait().unwrap().is_none(),
        "mirror exited: {}",
        stderr_of(dir.path(), "filter0")
    );
    terminate(&mut mirror);
    let dups = nothing_lost(&input, &copied);
    assert!(dups <= 1000, "{dups} duplicates");
    eprintln!(
        "broker kill mid-mirror: {} in, {} copied, {dups} duplicates",
        input.len(),
        copied.values().sum::<usize>()
    );
}

#[test]
fn a_member_joining_under_load_ends_no_member_and_loses_nothing() {
    let _ = broker_or_return!();
    let br = Broker::start();
    let b = br.addr();
    let dir = tempdir();
    create(&b, "in");
    let mut prod = spawn(
        producer(&b, "in", 16, 40, "500ms", 3),
        dir.path(),
        "producer",
    );
    let mut first = spawn(filter_cmd(&b, "g3", &[]), dir.path(), "filter0");
    wait_until("some outputs", 60, || {
        count(&b, "out", &["--timeout", "3s"]) >= 40
    });
    let mut second = spawn(filter_cmd(&b, "g3", &[]), dir.path(), "filter1");
    assert_eq!(
        wait_exit(&mut prod, 120),
        0,
        "producer: {}",
        stderr_of(dir.path(), "producer")
    );
    let (input, output) = drain(&b, &mut [&mut first, &mut second], dir.path());
    let dups = nothing_lost(&input, &output);
    assert!(dups <= 500, "{dups} duplicates");
    assert!(
        !stderr_of(dir.path(), "filter0").contains("alertctl: error"),
        "{}",
        stderr_of(dir.path(), "filter0")
    );
    eprintln!(
        "member joins: {} in, {} out, {dups} duplicates",
        input.len(),
        output.values().sum::<usize>()
    );
}

#[test]
fn a_filter_killed_and_restarted_loses_nothing() {
    let _ = broker_or_return!();
    let br = Broker::start();
    let b = br.addr();
    let dir = tempdir();
    create(&b, "in");
    let mut prod = spawn(producer(&b, "in", 10, 30, "1s", 4), dir.path(), "producer");
    let mut filt = spawn(filter_cmd(&b, "g4", &[]), dir.path(), "dead");
    wait_until("some outputs", 60, || {
        count(&b, "out", &["--timeout", "3s"]) >= 30
    });
    let _ = filt.kill(); // SIGKILL: no commit on the way out
    let _ = filt.wait();
    let mut again = spawn(filter_cmd(&b, "g4", &[]), dir.path(), "filter0");
    assert_eq!(
        wait_exit(&mut prod, 120),
        0,
        "producer: {}",
        stderr_of(dir.path(), "producer")
    );
    let (input, output) = drain(&b, &mut [&mut again], dir.path());
    let dups = nothing_lost(&input, &output);
    assert!(dups <= 500, "{dups} duplicates");
    eprintln!(
        "filter SIGKILL: {} in, {} out, {dups} duplicates",
        input.len(),
        output.values().sum::<usize>()
    );
}

/// A registry server on a fixed port.
struct Registry {
    data: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Registry {
    fn start(data: PathBuf) -> Registry {
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

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn restart(&mut self) {
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

    fn stop(&mut self) {
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

/// The registry goes away while alerts of a schema id it alone knows flow: the filter
/// waits (nothing is committed past those records) and goes on when it is back; with a
/// short --retry-for it stops with one line, and a later run finds everything.
#[test]
fn the_registry_gone_while_a_new_schema_flows_loses_nothing() {
    let _ = broker_or_return!();
    let br = Broker::start();
    let b = br.addr();
    let dir = tempdir();
    let mut reg = Registry::start(dir.path().join("registry"));
    let url = reg.url();
    let schemas = official_trio();
    let r = run([
        "schema",
        "import",
        schemas.to_str().unwrap(),
        "--registry",
        &url,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    reg.stop();
    create(&b, "in");
    let produce = |night: &str| {
        let r: Run = cmd(
            &b,
            &[
                "produce",
                "--topic",
                "in",
                "--visits",
                "2",
                "--alerts-per-visit",
                "30",
                "--no-wait",
                "--timestamp",
                "now",
                "--cutout-size",
                "4",
                "--night",
                night,
                "--schema-dir",
                schemas.to_str().unwrap(),
                "--schema-version",
                "11.0",
            ],
        )
        .output()
        .unwrap()
        .into();
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    produce("2024-05-01");
    let cache = dir.path().join("cache");
    // With the registry away and nothing cached: a short --retry-for gives up in one line.
    let r: Run = filter_cmd(&b, "g5", &["--registry", &url, "--retry-for", "3s", "-e"])
        .env("ALERTCTL_CACHE_DIR", &cache)
        .output()
        .unwrap()
        .into();
    let e = r.one_line_error(1);
    assert!(
        e.contains("still failing") && e.contains("nothing from it on was committed"),
        "{e}"
    );
    assert_eq!(count(&b, "out", &["--timeout", "3s"]), 0);
    // A long-running member waits it out.
    let mut filt = spawn(
        {
            let mut c = filter_cmd(&b, "g5", &["--registry", &url]);
            c.env("ALERTCTL_CACHE_DIR", &cache);
            c
        },
        dir.path(),
        "filter0",
    );
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(
        count(&b, "out", &["--timeout", "3s"]),
        0,
        "nothing decodes without the schema"
    );
    reg.restart();
    produce("2024-05-02");
    let (input, output) = drain(&b, &mut [&mut filt], dir.path());
    assert_eq!(input.len(), 120);
    let dups = nothing_lost(&input, &output);
    assert!(dups <= 500, "{dups} duplicates");
    assert!(stderr_of(dir.path(), "filter0").contains("trying again"));
}

/// A queue of one message: the filter waits for room (backpressure), it does not fail.
#[test]
fn a_tiny_producer_queue_is_backpressure_not_an_error() {
    let b = broker_or_return!();
    let dir = tempdir();
    let topic = "tiny-queue-in";
    let r: Run = cmd(
        &b,
        &[
            "topic",
            "create",
            topic,
            "--partitions",
            "2",
            "--retention",
            "forever",
        ],
    )
    .output()
    .unwrap()
    .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r: Run = cmd(
        &b,
        &[
            "produce",
            "--topic",
            topic,
            "--visits",
            "2",
            "--alerts-per-visit",
            "100",
            "--no-wait",
            "--timestamp",
            "now",
            "--cutout-size",
            "4",
        ],
    )
    .output()
    .unwrap()
    .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r: Run = cmd(
        &b,
        &[
            "filter",
            "run",
            "--name",
            "tiny",
            "--expr",
            "true",
            "--max-per-visit",
            "0",
            "--from",
            topic,
            "--to",
            "tiny-queue-out",
            "-e",
            "-X",
            "queue.buffering.max.messages=1",
        ],
    )
    .output()
    .unwrap()
    .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(count(&b, "tiny-queue-out", &[]), 200);
    let _ = dir;
}
