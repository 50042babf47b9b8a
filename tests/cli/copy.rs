//! Replay, rewind and mirror on local brokers. Topics are compared partition by
//! partition, record by record (key, headers, value, timestamp).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use alertctl::transport::kafka::consume::{Start, Tail};
use alertctl::transport::kafka::offsets::OffsetSpec;
use alertctl::transport::kafka::Connection;

use crate::procs;
use crate::support::*;

type Rec = (
    Option<Vec<u8>>,
    Vec<(String, Vec<u8>)>,
    Option<Vec<u8>>,
    Option<i64>,
);

/// Every record of a topic, by partition, in offset order.
fn read_all(b: &str, topic: &str) -> BTreeMap<i32, Vec<Rec>> {
    let conn = Connection::resolve(
        Some(b),
        None,
        &[],
        Duration::from_secs(10),
        std::path::Path::new("/nonexistent"),
    )
    .unwrap();
    let mut tail = Tail::open(
        &conn,
        &[topic.to_string()],
        None,
        &Start {
            offset: OffsetSpec::Beginning,
            group: None,
        },
    )
    .unwrap();
    let mut out: BTreeMap<i32, Vec<(i64, Rec)>> = BTreeMap::new();
    let complete = tail
        .read_to_end(|r| {
            out.entry(r.partition)
                .or_default()
                .push((r.offset, (r.key, r.headers, r.payload, r.timestamp_ms)));
            Ok(())
        })
        .unwrap();
    assert!(complete, "{topic} was not read to its end");
    out.into_iter()
        .map(|(p, mut v)| {
            v.sort_by_key(|(o, _)| *o);
            (p, v.into_iter().map(|(_, r)| r).collect())
        })
        .collect()
}

fn count(m: &BTreeMap<i32, Vec<Rec>>) -> usize {
    m.values().map(Vec::len).sum()
}

fn produce(b: &str, extra: &[&str]) {
    produce_alerts(b, "8", extra);
}

/// --speed max reproduces a topic exactly: count, partitions, order, keys, headers, values, timestamps.
#[test]
fn replay_at_max_speed_reproduces_the_night() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--night",
            "2016-01-01",
            "--visits",
            "2",
            "--alerts-per-visit",
            "60",
        ],
    );
    // A filter's output carries a header, so the replay's headers are checked too.
    let r = kafka_run(
        &b,
        &[
            "filter",
            "run",
            "--name",
            "rp-src",
            "--expr",
            "true",
            "--max-per-visit",
            "0",
            "--from",
            "lsst-2016-01-01",
            "-e",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for source in ["lsst-2016-01-01", "rp-src"] {
        let target = format!("{source}-replayed");
        let r = kafka_run(
            &b,
            &[
                "replay", "--from", source, "--to", &target, "--speed", "max",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let (a, c) = (read_all(&b, source), read_all(&b, &target));
        assert_eq!(count(&a), 120);
        assert_eq!(a, c, "{source}: every partition, record by record");
    }
    assert!(read_all(&b, "rp-src-replayed")
        .values()
        .flatten()
        .all(|(_, h, _, _)| h.iter().any(|(k, _)| k == "alertctl-filter")));
}

/// At --speed 100 the 37 s between visits become about 0.37 s, in order.
#[test]
fn replay_at_100x_scales_the_gaps() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--night",
            "2016-02-01",
            "--visits",
            "3",
            "--alerts-per-visit",
            "20",
        ],
    );
    let r = kafka_run(
        &b,
        &[
            "replay",
            "--from",
            "lsst-2016-02-01",
            "--to",
            "rp-100",
            "--speed",
            "100",
            "--timestamp",
            "now",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (src, dst) = (read_all(&b, "lsst-2016-02-01"), read_all(&b, "rp-100"));
    // Same partitions and order: pair each copy with its original.
    let mut pairs: Vec<(i64, i64)> = Vec::new();
    for (p, records) in &src {
        assert_eq!(records.len(), dst[p].len());
        for (o, c) in records.iter().zip(&dst[p]) {
            assert_eq!(o.2, c.2, "same value in the same place");
            pairs.push((o.3.unwrap(), c.3.unwrap()));
        }
    }
    let mut first_copy: BTreeMap<i64, i64> = BTreeMap::new();
    for (orig, copy) in &pairs {
        let e = first_copy.entry(*orig).or_insert(*copy);
        *e = (*e).min(*copy);
    }
    let starts: Vec<i64> = first_copy.values().copied().collect();
    assert_eq!(starts.len(), 3, "three visits, three original times");
    for w in starts.windows(2) {
        let gap = w[1] - w[0];
        assert!(
            (250..=1500).contains(&gap),
            "a 37 s gap at 100x took {gap} ms"
        );
    }
    // Within the copy, order follows the original times.
    let mut sorted = pairs.clone();
    sorted.sort();
    assert!(
        sorted.windows(2).all(|w| w[0].1 <= w[1].1 + 50),
        "copies keep the original order in time"
    );
}

/// --loop replays the reservoir again and again, as a test stream, until stopped.
#[test]
fn replay_loop_is_an_endless_test_stream() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--night",
            "2016-04-01",
            "--visits",
            "2",
            "--alerts-per-visit",
            "10",
        ],
    );
    let mut child = alertctl()
        .args([
            "replay",
            "--from",
            "lsst-2016-04-01",
            "--to",
            "rp-loop",
            "--loop",
            "--interval",
            "100ms",
            "-b",
            &b,
        ])
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("three passes", 60, || count(&read_all(&b, "rp-loop")) >= 60);
    terminate(&mut child);
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(err.contains("passes"), "{err}");
    let copies = read_all(&b, "rp-loop");
    // Every pass copies the same 20 records.
    let mut seen: HashMap<Option<Vec<u8>>, usize> = HashMap::new();
    for r in copies.values().flatten() {
        *seen.entry(r.2.clone()).or_default() += 1;
    }
    assert_eq!(seen.len(), 20);
    assert!(seen.values().all(|n| *n >= 3 - 1));
}

/// Rewind a group to @time, and a filter in that group re-reads from that visit on.
#[test]
fn rewind_to_a_time_and_a_filter_group_rereads_from_there() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--night",
            "2016-03-01",
            "--visits",
            "3",
            "--alerts-per-visit",
            "30",
        ],
    );
    let run_filter = |name: &str| {
        kafka_run(
            &b,
            &[
                "filter",
                "run",
                "--name",
                name,
                "--expr",
                "true",
                "--max-per-visit",
                "0",
                "--from",
                "lsst-2016-03-01",
                "--group",
                "rw",
                "-e",
            ],
        )
    };
    assert_eq!(run_filter("rw-1").code, 0);
    let dry = kafka_run(
        &b,
        &[
            "rewind",
            "--group",
            "rw",
            "--night",
            "2016-03-01",
            "-o",
            "@2016-03-01T23:00:50Z",
            "--dry-run",
        ],
    )
    .json_lines();
    assert_eq!(
        dry.iter().map(|m| m["old"].as_i64().unwrap()).sum::<i64>(),
        90,
        "all read before"
    );
    assert_eq!(
        dry.iter()
            .map(|m| m["high"].as_i64().unwrap() - m["new"].as_i64().unwrap())
            .sum::<i64>(),
        30,
        "the third visit is after 23:00:50"
    );
    // A dry run changes nothing: the group still has nothing to read.
    assert_eq!(run_filter("rw-2").code, 0);
    assert!(read_all(&b, "rw-2").values().all(Vec::is_empty));
    let r = kafka_run(
        &b,
        &[
            "rewind",
            "--group",
            "rw",
            "--night",
            "2016-03-01",
            "-o",
            "@2016-03-01T23:00:30Z",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(run_filter("rw-3").code, 0);
    let visits: HashSet<i64> = kafka_run(&b, &["tail", "--from", "rw-3", "-e"])
        .json_lines()
        .iter()
        .map(|v| v["diaSource"]["visit"].as_i64().unwrap())
        .collect();
    assert_eq!(visits, [2016030100002, 2016030100003].into_iter().collect());
    // A group with a live member is refused.
    let mut live = alertctl()
        .args([
            "tail",
            "--from",
            "lsst-2016-03-01",
            "--group",
            "busy",
            "-b",
            &b,
            "-X",
            "session.timeout.ms=6000",
        ])
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let r = kafka_run(
        &b,
        &[
            "rewind",
            "--group",
            "busy",
            "--night",
            "2016-03-01",
            "-o",
            "beginning",
        ],
    );
    let _ = live.kill();
    let _ = live.wait();
    // The local broker reports groups without members (see broker.md); Apache Kafka lists them.
    if r.code != 0 {
        assert!(r.stderr.contains("is active"), "{}", r.stderr);
    }
}

fn mirror(source: &str, local: &str, topics: &str, group: &str, extra: &[&str]) -> Child {
    alertctl()
        .args([
            "mirror",
            "--source-brokers",
            source,
            "-b",
            local,
            "--topics",
            topics,
            "--group",
            group,
            "--report-every",
            "1s",
        ])
        .args([
            "-X",
            "fetch.wait.max.ms=10",
            "-X",
            "session.timeout.ms=6000",
            "--source-x",
            "fetch.wait.max.ms=10",
            "--source-x",
            "session.timeout.ms=6000",
        ])
        .args(extra)
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A mirror makes a byte-identical copy, and picks up a night topic created after it started.
#[test]
fn mirror_copies_byte_for_byte_and_follows_new_nights() {
    let b = broker_or_return!();
    let local = private_broker();
    produce(
        &b,
        &[
            "--night",
            "2015-01-01",
            "--visits",
            "2",
            "--alerts-per-visit",
            "50",
            "--partitions",
            "3",
        ],
    );
    let mut m = mirror(&b, &local, "lsst-2015-01-0[0-9]", "m1", &[]);
    wait_until("the first night", 30, || {
        count(&read_all(&local, "lsst-2015-01-01")) == 100
    });
    assert_eq!(
        read_all(&b, "lsst-2015-01-01"),
        read_all(&local, "lsst-2015-01-01"),
        "byte-identical, partition by partition"
    );
    produce(
        &b,
        &[
            "--night",
            "2015-01-02",
            "--alerts-per-visit",
            "25",
            "--partitions",
            "2",
        ],
    );
    wait_until("the new night", 60, || {
        kafka_run(&local, &["topic", "list", "--format", "jsonl"])
            .json_lines()
            .iter()
            .any(|t| t["topic"] == "lsst-2015-01-02" && t["messages"] == 25)
    });
    terminate(&mut m);
    assert_eq!(
        read_all(&b, "lsst-2015-01-02"),
        read_all(&local, "lsst-2015-01-02")
    );
    let parts = kafka_run(
        &local,
        &["topic", "describe", "lsst-2015-01-02", "--format", "jsonl"],
    )
    .json_lines();
    assert_eq!(parts.len(), 2, "the source's partition count");
}

/// Two mirrors in one group; one is killed (-9) mid-stream and restarted; the local
/// topic ends with every record. Duplicates are possible (at least once) and counted.
#[test]
fn a_killed_mirror_loses_nothing() {
    let b = broker_or_return!();
    let local = private_broker();
    let r = kafka_run(
        &b,
        &[
            "produce",
            "--no-wait",
            "--retention",
            "forever",
            "--cutout-size",
            "0",
            "--night",
            "2015-02-01",
            "--visits",
            "4",
            "--alerts-per-visit",
            "500",
            "--partitions",
            "4",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let source = read_all(&b, "lsst-2015-02-01");
    let mut one = mirror(&b, &local, "lsst-2015-02-01", "m2", &[]);
    let two = mirror(&b, &local, "lsst-2015-02-01", "m2", &[]);
    wait_until("some progress", 30, || {
        count(&read_all(&local, "lsst-2015-02-01")) > 200
    });
    one.kill().unwrap(); // SIGKILL mid-stream
    one.wait().unwrap();
    let mut one = mirror(&b, &local, "lsst-2015-02-01", "m2", &[]);
    wait_until("every record", 90, || {
        count(&read_all(&local, "lsst-2015-02-01")) >= 2000
    });
    std::thread::sleep(Duration::from_secs(2));
    terminate(&mut one);
    let mut two = two;
    terminate(&mut two);
    let copy = read_all(&local, "lsst-2015-02-01");
    let key = |r: &Rec| (r.0.clone(), r.2.clone());
    let want: HashSet<_> = source.values().flatten().map(key).collect();
    let mut seen: HashMap<_, usize> = HashMap::new();
    for r in copy.values().flatten() {
        *seen.entry(key(r)).or_default() += 1;
    }
    assert!(
        want.iter().all(|k| seen.contains_key(k)),
        "every record arrived"
    );
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    eprintln!(
        "mirror kill -9 test: {} records, {duplicates} duplicates (at least once)",
        count(&copy)
    );
    assert_eq!(count(&copy), 2000 + duplicates);
}

#[test]
fn the_local_broker_killed_and_restarted_mid_mirror_loses_nothing() {
    let _ = broker_or_return!();
    let source = procs::Broker::start();
    let mut local = procs::Broker::start();
    let (s, l) = (source.addr(), local.addr());
    let dir = tempdir();
    procs::create(&s, "in");
    let mut prod = procs::spawn(
        procs::producer(&s, "in", 10, 30, "1s", 2),
        dir.path(),
        "producer",
    );
    let mut mirror = procs::spawn(
        procs::cmd(
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
        procs::count(&l, "in", &["--timeout", "3s"]) >= 30
    });
    local.kill9();
    std::thread::sleep(Duration::from_secs(3));
    local.restart();
    assert_eq!(
        procs::wait_exit(&mut prod, 120),
        0,
        "procs::producer: {}",
        procs::stderr_of(dir.path(), "producer")
    );
    let input = procs::ids(&s, "in", &[]);
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut copied = procs::ids(&l, "in", &[]);
    while !input.keys().all(|k| copied.contains_key(k)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_secs(1));
        copied = procs::ids(&l, "in", &[]);
    }
    assert!(
        mirror.try_wait().unwrap().is_none(),
        "mirror exited: {}",
        procs::stderr_of(dir.path(), "filter0")
    );
    terminate(&mut mirror);
    let dups = procs::nothing_lost(&input, &copied);
    assert!(dups <= 1000, "{dups} duplicates");
    eprintln!(
        "broker kill mid-mirror: {} in, {} copied, {dups} duplicates",
        input.len(),
        copied.values().sum::<usize>()
    );
}
