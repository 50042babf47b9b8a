//! End-to-end against the local Kafka-protocol broker (nisshi): produce, tail, groups,
//! patterns, topic admin, and failures. Each test uses its own topics (nights in
//! distinct years), since the tests share one broker.

use std::collections::HashSet;
use std::time::Instant;

use serde_json::Value;

use crate::support::*;

fn ids(views: &[Value]) -> HashSet<i64> {
    views
        .iter()
        .map(|v| v["diaSourceId"].as_i64().unwrap())
        .collect()
}

fn produce(b: &str, extra: &[&str]) {
    produce_alerts(b, "30", extra);
}

/// 2 visits x 200 alerts with cutouts: `tail -e` returns exactly those 400 alerts,
/// decoded, with the ids the generator wrote; `-n 5` the last five.
#[test]
fn produce_two_visits_and_tail_every_alert() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--night",
            "2020-01-01",
            "--visits",
            "2",
            "--alerts-per-visit",
            "200",
            "--seed",
            "3",
        ],
    );
    let r = kafka_run(&b, &["tail", "--night", "2020-01-01", "-e"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let views = r.json_lines();
    assert_eq!(views.len(), 400);
    assert!(views
        .iter()
        .all(|v| v["cutoutScience"]["bytes"].as_u64().unwrap() > 2880));
    // The same seed and night written to a file hold the same alerts.
    let dir = tempdir();
    let file = dir.path().join("same.avro");
    run([
        "produce",
        "--night",
        "2020-01-01",
        "--visits",
        "2",
        "--alerts-per-visit",
        "200",
        "--seed",
        "3",
        "--cutout-size",
        "30",
        "--out",
        file.to_str().unwrap(),
    ])
    .ok();
    let expected = run(["tail", "--file", file.to_str().unwrap()]).json_lines();
    assert_eq!(ids(&views), ids(&expected));
    assert_eq!(ids(&views).len(), 400);

    let last = kafka_run(&b, &["tail", "--night", "2020-01-01", "-n", "5"]).json_lines();
    assert_eq!(last.len(), 5);
    assert_eq!(ids(&last).len(), 5);
    let visit2 = 2020010100002i64;
    assert!(
        last.iter().all(|v| v["diaSource"]["visit"] == visit2),
        "the last 5 come from the last visit"
    );
}

/// `-o @TIME` starts at the first record at or after TIME: the second visit.
#[test]
fn at_time_picks_the_right_visit() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--night",
            "2020-02-01",
            "--visits",
            "3",
            "--alerts-per-visit",
            "40",
        ],
    );
    // Visit k is observed 37 s after visit k-1, from 23:00 UTC on the night.
    let night_start_ms = chrono::NaiveDate::from_ymd_opt(2020, 2, 1)
        .unwrap()
        .and_hms_opt(23, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    for (at, visits) in [
        (
            night_start_ms + 30_000,
            vec![2020020100002i64, 2020020100003],
        ),
        (night_start_ms + 60_000, vec![2020020100003]),
    ] {
        let spec = format!("@{at}");
        let views =
            kafka_run(&b, &["tail", "--night", "2020-02-01", "-o", &spec, "-e"]).json_lines();
        assert_eq!(views.len(), 40 * visits.len(), "{spec}");
        let seen: HashSet<i64> = views
            .iter()
            .map(|v| v["diaSource"]["visit"].as_i64().unwrap())
            .collect();
        assert_eq!(seen, visits.into_iter().collect(), "{spec}");
    }
    // RFC 3339 works too, and a time after the last record gives nothing.
    let views = kafka_run(
        &b,
        &[
            "tail",
            "--night",
            "2020-02-01",
            "-o",
            "@2020-02-02T12:00:00Z",
            "-e",
        ],
    )
    .json_lines();
    assert!(views.is_empty());
}

/// A consumer group commits what it printed and resumes after it: nothing lost,
/// nothing twice.
#[test]
fn a_group_commits_and_resumes() {
    let b = broker_or_return!();
    let night = ["--night", "2020-03-01"];
    produce(
        &b,
        &[
            night[0],
            night[1],
            "--visits",
            "1",
            "--alerts-per-visit",
            "60",
            "--seed",
            "1",
        ],
    );
    let first = kafka_run(
        &b,
        &["tail", night[0], night[1], "--group", "resumers", "-e"],
    )
    .json_lines();
    assert_eq!(first.len(), 60);
    let again = kafka_run(
        &b,
        &["tail", night[0], night[1], "--group", "resumers", "-e"],
    )
    .json_lines();
    assert!(
        again.is_empty(),
        "a second read of the same group sees nothing new"
    );
    // Alerts of another night (other visit ids, so other alert ids) into the same topic.
    produce(
        &b,
        &[
            "--topic",
            "lsst-2020-03-01",
            "--night",
            "2020-03-02",
            "--visits",
            "1",
            "--alerts-per-visit",
            "50",
        ],
    );
    let second = kafka_run(
        &b,
        &["tail", night[0], night[1], "--group", "resumers", "-e"],
    )
    .json_lines();
    assert_eq!(second.len(), 50);
    assert!(ids(&first).is_disjoint(&ids(&second)));
    // Another group starts from the beginning and sees all 110.
    let other =
        kafka_run(&b, &["tail", night[0], night[1], "--group", "others", "-e"]).json_lines();
    assert_eq!(other.len(), 110);
}

/// A regex tails several night topics, and only those it matches.
#[test]
fn a_regex_tails_several_night_topics() {
    let b = broker_or_return!();
    for (night, n) in [
        ("2019-03-01", "10"),
        ("2019-03-02", "11"),
        ("2019-03-03", "12"),
        ("2019-04-01", "13"),
    ] {
        produce(
            &b,
            &[
                "--night",
                night,
                "--alerts-per-visit",
                n,
                "--partitions",
                "2",
            ],
        );
    }
    let views = kafka_run(&b, &["tail", "--from", "lsst-2019-03-0[1-3]", "-e"]).json_lines();
    assert_eq!(views.len(), 33);
    let views = kafka_run(
        &b,
        &["tail", "--from", "lsst-2019-.*", "-e", "--format", "json"],
    );
    let all: Vec<Value> = serde_json::from_str(&views.stdout).unwrap();
    assert_eq!(all.len(), 46);
    // topic list shows the counts by watermarks, and the nights.
    let listed =
        kafka_run(&b, &["topic", "list", "lsst-2019-.*", "--format", "jsonl"]).json_lines();
    let counts: Vec<(String, i64, u64)> = listed
        .iter()
        .map(|t| {
            (
                t["night"].as_str().unwrap().to_string(),
                t["messages"].as_i64().unwrap(),
                t["partitions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            ("2019-03-01".into(), 10, 2),
            ("2019-03-02".into(), 11, 2),
            ("2019-03-03".into(), 12, 2),
            ("2019-04-01".into(), 13, 2)
        ]
    );
}

/// Garbage in a topic is reported with its partition and offset and does not stop tail.
#[test]
fn a_garbage_record_does_not_stop_tail() {
    let b = broker_or_return!();
    let topic = "garbage-test";
    produce(
        &b,
        &[
            "--topic",
            topic,
            "--alerts-per-visit",
            "10",
            "--partitions",
            "1",
        ],
    );
    {
        use alertctl::transport::kafka::produce::{OutRecord, Producer};
        let conn = alertctl::transport::kafka::Connection::resolve(
            Some(&b),
            None,
            &[],
            std::time::Duration::from_secs(10),
            std::path::Path::new("/nonexistent"),
        )
        .unwrap();
        let mut p = Producer::new(&conn, topic).unwrap();
        for junk in [
            &b"{\"not\": \"avro\"}"[..],
            &[0, 0, 0, 0, 1, 0xff, 0xff][..],
        ] {
            p.send(&OutRecord {
                payload: junk,
                partition: Some(0),
                ..OutRecord::default()
            })
            .unwrap();
        }
        p.flush().unwrap();
    }
    produce(
        &b,
        &["--topic", topic, "--alerts-per-visit", "10", "--seed", "9"],
    );
    let r = kafka_run(&b, &["tail", "--from", topic, "-e"]);
    assert_eq!(r.json_lines().len(), 20, "{}", r.stderr);
    assert!(
        r.stderr.contains("garbage-test/0@10") && r.stderr.contains("JSON text"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("garbage-test/0@11") && r.stderr.contains("truncated"),
        "{}",
        r.stderr
    );
    let e = r.one_line_error(1);
    assert!(e.contains("20 alerts decoded, 2 undecodable"), "{e}");
    // Raw output decodes nothing: every record's bytes pass through, without a warning.
    let raw = alertctl()
        .args(["tail", "--from", topic, "-e", "--format", "raw", "-b", &b])
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    assert!(
        raw.status.success(),
        "{}",
        String::from_utf8_lossy(&raw.stderr)
    );
    let bytes = &raw.stdout;
    assert!(bytes.windows(15).any(|w| w == b"{\"not\": \"avro\"}"));
    assert!(!String::from_utf8_lossy(&raw.stderr).contains("undecodable"));
}

/// With the broker down, every command fails within the timeout, naming the brokers.
#[test]
fn a_down_broker_fails_fast_with_one_line() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    for args in [
        vec!["tail", "--from", "lsst-2020-01-01", "-e"],
        vec!["produce", "--no-wait"],
        vec!["topic", "list"],
        vec!["topic", "create", "x"],
    ] {
        let started = Instant::now();
        let mut a = args.clone();
        a.extend(["--timeout", "2s"]);
        let r = kafka_run(&closed, &a);
        let secs = started.elapsed().as_secs_f64();
        let e = r.one_line_error(1);
        assert!(
            e.contains(&format!(
                "cannot reach the Kafka brokers {closed} within 2s"
            )),
            "{args:?}: {e}"
        );
        assert!(secs < 8.0, "{args:?} took {secs} s");
    }
}

/// A missing topic is named, with the command that lists topics.
#[test]
fn a_missing_topic_is_named() {
    let b = broker_or_return!();
    let e = kafka_run(&b, &["tail", "--from", "no-such-topic", "-e"]).one_line_error(1);
    assert!(
        e.contains("topic no-such-topic does not exist") && e.contains("alertctl topic list"),
        "{e}"
    );
    let e = kafka_run(&b, &["tail", "--from", "no-such-.*", "-e"]).one_line_error(1);
    assert!(e.contains("no topic") && e.contains("/no-such-.*/"), "{e}");
}

/// Topics are created, described, deleted (one only), and night topics expire by name.
#[test]
fn topic_admin_round_trip() {
    // Its own broker: expiring old nights would delete the other tests' topics.
    broker(); // installed, or the test fails
    let b = private_broker();
    kafka_run(&b, &["topic", "create", "admin-a", "--partitions", "3"]).ok();
    kafka_run(&b, &["topic", "create", "admin-b"]).ok();
    let e = kafka_run(&b, &["topic", "create", "admin-a"]).one_line_error(1);
    assert!(e.contains("already exists"), "{e}");
    let parts = kafka_run(&b, &["topic", "describe", "admin-a", "--format", "jsonl"]).json_lines();
    assert_eq!(parts.len(), 3);
    kafka_run(&b, &["topic", "delete", "admin-a"]).ok();
    let names: Vec<String> = kafka_run(&b, &["topic", "list", "admin-.*", "--format", "jsonl"])
        .json_lines()
        .iter()
        .map(|t| t["topic"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        vec!["admin-b".to_string()],
        "deleting one topic leaves the others"
    );
    // Night topics from 1990 are far older than 7 days; tonight's is not.
    kafka_run(&b, &["topic", "create", "--night", "1990-01-01"]).ok();
    kafka_run(&b, &["topic", "create", "--night", "today"]).ok();
    let dry = kafka_run(&b, &["topic", "expire", "--older-than", "7d", "--dry-run"]).json_lines();
    assert!(dry
        .iter()
        .any(|t| t["topic"] == "lsst-1990-01-01" && t["deleted"] == false));
    let tonight = alertctl::night::topic_name(alertctl::night::day_obs(chrono::Utc::now()));
    assert!(!dry.iter().any(|t| t["topic"] == tonight.as_str()));
    kafka_run(&b, &["topic", "expire", "--older-than", "7d"]).ok();
    let left: Vec<String> = kafka_run(&b, &["topic", "list", "--format", "jsonl"])
        .json_lines()
        .iter()
        .map(|t| t["topic"].as_str().unwrap().to_string())
        .collect();
    assert!(!left.contains(&"lsst-1990-01-01".to_string()) && left.contains(&tonight));
}

/// `--format raw` writes a wire visit file that `tail --file` reads back identically.
#[test]
fn raw_output_is_a_wire_file() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--topic",
            "raw-test",
            "--alerts-per-visit",
            "25",
            "--partitions",
            "1",
        ],
    );
    let dir = tempdir();
    let file = dir.path().join("raw.wire");
    let out = alertctl()
        .args([
            "tail", "--from", "raw-test", "-e", "--format", "raw", "-b", &b,
        ])
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(&file, &out.stdout).unwrap();
    let from_file = run(["tail", "--file", file.to_str().unwrap()]).json_lines();
    let from_kafka = kafka_run(&b, &["tail", "--from", "raw-test", "-e"]).json_lines();
    assert_eq!(from_file.len(), 25);
    assert_eq!(from_file, from_kafka);
}

/// `lag` counts what a group has not read; `stats` counts a topic's alerts.
#[test]
fn lag_and_stats_of_a_topic() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--topic",
            "lag-test",
            "--night",
            "2019-10-01",
            "--alerts-per-visit",
            "20",
            "--partitions",
            "2",
        ],
    );
    assert_eq!(
        kafka_run(
            &b,
            &["tail", "--from", "lag-test", "--group", "lagger", "-e"]
        )
        .json_lines()
        .len(),
        20
    );
    let lag = |b: &str| -> i64 {
        kafka_run(b, &["lag", "--group", "lagger"])
            .json_lines()
            .iter()
            .filter(|r| r["topic"] == "lag-test")
            .map(|r| r["lag"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(lag(&b), 0);
    produce(
        &b,
        &[
            "--topic",
            "lag-test",
            "--night",
            "2019-10-02",
            "--alerts-per-visit",
            "10",
        ],
    );
    assert_eq!(lag(&b), 10);
    let stats: serde_json::Value = serde_json::from_str(
        &kafka_run(&b, &["stats", "--from", "lag-test", "--format", "json"]).ok(),
    )
    .unwrap();
    assert_eq!(
        (
            stats["alerts"].as_u64(),
            stats["visits"].as_u64(),
            stats["undecodable"].as_u64()
        ),
        (Some(30), Some(2), Some(0))
    );
    assert!(stats["bytes"].as_u64().unwrap() > 30 * 1000);
}

/// A group member whose output is kept until exit (`--format json` gathers one array)
/// commits nothing it has not written: killed before it writes, its group's lag is the
/// whole topic; a clean run afterwards writes all of it. Raw output passes every
/// record's bytes through, even one that is no alert, as kcat would.
#[test]
fn a_group_commits_only_what_it_wrote() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--topic",
            "kept-test",
            "--night",
            "2019-11-01",
            "--alerts-per-visit",
            "30",
            "--partitions",
            "1",
        ],
    );
    let mut child = alertctl()
        .args([
            "tail",
            "--from",
            "kept-test",
            "--group",
            "keeper",
            "--format",
            "json",
        ])
        .args([
            "-b",
            &b,
            "-X",
            "session.timeout.ms=6000",
            "-X",
            "fetch.wait.max.ms=10",
        ])
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Long enough to read all 30 and for auto-commit (5 s) to have run at least once.
    std::thread::sleep(std::time::Duration::from_secs(8));
    child.kill().unwrap();
    child.wait().unwrap();
    let committed: i64 = kafka_run(&b, &["lag", "--group", "keeper"])
        .json_lines()
        .iter()
        .filter(|r| r["topic"] == "kept-test")
        .map(|r| r["committed"].as_i64().unwrap())
        .sum();
    assert_eq!(
        committed, 0,
        "nothing was written, so nothing may be committed"
    );
    let all = kafka_run(
        &b,
        &[
            "tail",
            "--from",
            "kept-test",
            "--group",
            "keeper",
            "-e",
            "--format",
            "json",
        ],
    )
    .ok();
    let all: Value = serde_json::from_str(&all).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 30);
}
