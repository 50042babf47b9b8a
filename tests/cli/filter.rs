//! Filters end-to-end on the local broker (and offline). Expected results are computed
//! here from the input's JSON view, independently of the filter engine.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::*;

fn produce(b: &str, extra: &[&str]) {
    produce_alerts(b, "12", extra);
}

fn views(b: &str, topic: &str) -> Vec<Value> {
    let r = kafka_run(b, &["tail", "--from", topic, "-e"]);
    assert_eq!(r.code, 0, "tail {topic}: {}", r.stderr);
    r.json_lines()
}

fn visit(v: &Value) -> i64 {
    v["diaSource"]["visit"].as_i64().unwrap()
}

fn id(v: &Value) -> i64 {
    v["diaSourceId"].as_i64().unwrap()
}

fn snr(v: &Value) -> f64 {
    v["diaSource"]["snr"].as_f64().unwrap()
}

/// 3 visits x 300 alerts over 3 partitions (so visits interleave): a cap-20 filter
/// writes exactly min(20, passing) per visit; --rank-by keeps the 20 highest.
#[test]
fn caps_per_visit_and_ranking_over_interleaved_partitions() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--night",
            "2018-01-01",
            "--visits",
            "3",
            "--alerts-per-visit",
            "300",
            "--partitions",
            "3",
        ],
    );
    let input = views(&b, "lsst-2018-01-01");
    assert_eq!(input.len(), 900);
    let mut passing: BTreeMap<i64, Vec<&Value>> = BTreeMap::new();
    for v in input.iter().filter(|v| snr(v) > 30.0) {
        passing.entry(visit(v)).or_default().push(v);
    }
    assert_eq!(passing.len(), 3);

    let r = kafka_run(
        &b,
        &[
            "filter",
            "run",
            "--name",
            "cap20",
            "--expr",
            ".diaSource.snr > 30",
            "--from",
            "lsst-2018-01-01",
            "-e",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = views(&b, "cap20");
    let mut per_visit: BTreeMap<i64, usize> = BTreeMap::new();
    for v in &out {
        assert!(snr(v) > 30.0);
        *per_visit.entry(visit(v)).or_default() += 1;
    }
    for (visit, alerts) in &passing {
        assert_eq!(
            per_visit.get(visit).copied().unwrap_or(0),
            alerts.len().min(20),
            "visit {visit}"
        );
    }

    let r = kafka_run(
        &b,
        &[
            "filter",
            "run",
            "--name",
            "top20",
            "--expr",
            "true",
            "--rank-by",
            ".diaSource.snr",
            "--from",
            "lsst-2018-01-01",
            "-e",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let top = views(&b, "top20");
    assert_eq!(top.len(), 60);
    for v in [2018010100001i64, 2018010100002, 2018010100003] {
        let mut all: Vec<f64> = input.iter().filter(|x| visit(x) == v).map(snr).collect();
        all.sort_by(|a, b| b.total_cmp(a));
        let mut kept: Vec<f64> = top.iter().filter(|x| visit(x) == v).map(snr).collect();
        kept.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(kept, all[..20].to_vec(), "visit {v}: the 20 highest snr");
    }
}

/// A chain of two filters: the second reads the first's output topic.
#[test]
fn filters_chain() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--night",
            "2018-02-01",
            "--visits",
            "2",
            "--alerts-per-visit",
            "150",
        ],
    );
    let input = views(&b, "lsst-2018-02-01");
    let first = [
        "filter",
        "run",
        "--name",
        "chain-a",
        "--expr",
        ".diaSource.snr > 10",
        "--max-per-visit",
        "0",
        "--from",
        "lsst-2018-02-01",
        "-e",
    ];
    assert_eq!(kafka_run(&b, &first).code, 0);
    let second = [
        "filter",
        "run",
        "--name",
        "chain-b",
        "--expr",
        ".diaSource.band == \"r\" or .diaSource.psfFlux > 20000",
        "--max-per-visit",
        "0",
        "--from",
        "chain-a",
        "-e",
    ];
    let r = kafka_run(&b, &second);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected: HashSet<i64> = input
        .iter()
        .filter(|v| {
            snr(v) > 10.0
                && (v["diaSource"]["band"] == "r"
                    || v["diaSource"]["psfFlux"].as_f64().unwrap() > 20000.0)
        })
        .map(id)
        .collect();
    let got: Vec<i64> = views(&b, "chain-b").iter().map(id).collect();
    assert_eq!(got.len(), expected.len());
    assert_eq!(got.into_iter().collect::<HashSet<_>>(), expected);
}

/// A filters file with 10 filters: one consumer, 10 topics, each with the right count.
#[test]
fn ten_filters_in_one_process() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--night",
            "2018-03-01",
            "--visits",
            "2",
            "--alerts-per-visit",
            "200",
        ],
    );
    let input = views(&b, "lsst-2018-03-01");
    let dir = tempdir();
    let file = dir.path().join("filters.toml");
    let mut toml = String::new();
    let mut expected = Vec::new();
    for i in 0..10 {
        let threshold = 5.0 + 4.0 * i as f64;
        let cap = if i % 2 == 0 { 0 } else { 7 };
        toml += &format!("[[filter]]\nname = \"ten-{i}\"\nexpr = \".diaSource.snr > {threshold}\"\nmax_per_visit = {cap}\n\n");
        let mut per_visit: HashMap<i64, usize> = HashMap::new();
        for v in input.iter().filter(|v| snr(v) > threshold) {
            *per_visit.entry(visit(v)).or_default() += 1;
        }
        let n: usize = per_visit
            .values()
            .map(|&c| if cap == 0 { c } else { c.min(cap) })
            .sum();
        expected.push(n);
    }
    std::fs::write(&file, toml).unwrap();
    let r = kafka_run(
        &b,
        &[
            "filter",
            "run",
            "--filters",
            file.to_str().unwrap(),
            "--from",
            "lsst-2018-03-01",
            "-e",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for (i, n) in expected.iter().enumerate() {
        assert_eq!(views(&b, &format!("ten-{i}")).len(), *n, "ten-{i}");
    }
    // --index runs the Nth filter alone.
    let r = kafka_run(
        &b,
        &[
            "filter",
            "run",
            "--filters",
            file.to_str().unwrap(),
            "--index",
            "3",
            "--from",
            "lsst-2018-03-01",
            "-e",
        ],
    );
    assert!(
        r.stderr.contains("filter ten-2:") && !r.stderr.contains("filter ten-1:"),
        "{}",
        r.stderr
    );
}

/// Garbage lands in the dead-letter topic; the rest flows.
#[test]
fn garbage_goes_to_the_dead_letter_topic() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--topic",
            "dl-input",
            "--night",
            "2018-04-01",
            "--alerts-per-visit",
            "30",
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
            Duration::from_secs(10),
            std::path::Path::new("/nonexistent"),
        )
        .unwrap();
        let mut p = Producer::new(&conn, "dl-input").unwrap();
        p.send(&OutRecord {
            payload: b"not an alert",
            ..OutRecord::default()
        })
        .unwrap();
        p.flush().unwrap();
    }
    let r = kafka_run(
        &b,
        &[
            "filter",
            "run",
            "--name",
            "dl-out",
            "--expr",
            "true",
            "--max-per-visit",
            "0",
            "--from",
            "dl-input",
            "--dead-letter",
            "dl-dead",
            "-e",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("dl-input/0@30"), "{}", r.stderr);
    assert_eq!(views(&b, "dl-out").len(), 30);
    // Raw output passes the dead letter's bytes through as they were.
    let raw = kafka_raw(&b, &["tail", "--from", "dl-dead", "-e", "--format", "raw"]);
    assert_eq!(
        raw.stdout, b"\0\0\0\x0cnot an alert",
        "one frame of a wire file"
    );
    let decoded = kafka_run(&b, &["tail", "--from", "dl-dead", "-e"]);
    assert_ne!(
        decoded.code, 0,
        "the dead letter is not an alert, so tail reports it"
    );
    assert!(decoded.stdout.is_empty());
    // The same as a kcat-style envelope: reported where it is, nothing printed.
    let enveloped = kafka_run(
        &b,
        &["tail", "--from", "dl-dead", "-e", "--format", "envelope"],
    );
    assert_eq!(enveloped.code, decoded.code, "{}", enveloped.stderr);
    assert!(enveloped.stdout.is_empty());
    assert!(
        enveloped.stderr.contains("dl-dead/0@0"),
        "{}",
        enveloped.stderr
    );
    let desc = kafka_run(&b, &["topic", "describe", "dl-dead", "--format", "jsonl"]).json_lines();
    assert_eq!(
        desc.iter()
            .map(|p| p["messages"].as_i64().unwrap())
            .sum::<i64>(),
        1
    );
}

/// Two instances of one group share the partitions: nothing twice, nothing lost, even
/// when one is stopped (SIGTERM: it commits what it wrote) and started again.
#[test]
fn two_instances_of_a_group_lose_and_repeat_nothing() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--topic",
            "grp-input",
            "--night",
            "2018-05-01",
            "--visits",
            "4",
            "--alerts-per-visit",
            "100",
            "--partitions",
            "4",
        ],
    );
    let input = views(&b, "grp-input");
    let expected: HashSet<i64> = input.iter().filter(|v| snr(v) > 8.0).map(id).collect();
    let start = || {
        alertctl()
            .args([
                "filter",
                "run",
                "--name",
                "grp-out",
                "--expr",
                ".diaSource.snr > 8",
                "--max-per-visit",
                "0",
                "--from",
                "grp-input",
                "--group",
                "grp",
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
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut a = start();
    let mut c = start();
    // Let both join and work a little, then stop one and start it again.
    std::thread::sleep(Duration::from_secs(3));
    terminate(&mut a);
    let mut a = start();
    let deadline = Instant::now() + Duration::from_secs(60);
    let count = |b: &str| -> i64 {
        kafka_run(b, &["topic", "describe", "grp-out", "--format", "jsonl"])
            .json_lines()
            .iter()
            .map(|p| p["messages"].as_i64().unwrap_or(0))
            .sum()
    };
    while count(&b) < expected.len() as i64 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
    }
    std::thread::sleep(Duration::from_secs(2));
    terminate(&mut a);
    terminate(&mut c);
    let out: Vec<i64> = views(&b, "grp-out").iter().map(id).collect();
    let unique: HashSet<i64> = out.iter().copied().collect();
    assert_eq!(unique, expected, "nothing lost");
    assert_eq!(out.len(), unique.len(), "nothing twice");
}

#[test]
fn offline_filters_refuse_the_host_and_chain_through_files() {
    let dir = tempdir();
    let night = dir.path().join("night.avro");
    run([
        "produce",
        "--visits",
        "2",
        "--alerts-per-visit",
        "120",
        "--night",
        "2024-05-01",
        "--cutout-size",
        "8",
        "--out",
        night.to_str().unwrap(),
    ])
    .ok();
    let input = run(["tail", "--file", night.to_str().unwrap()]).json_lines();
    let e = run([
        "filter",
        "run",
        "--name",
        "x",
        "--expr",
        "$ENV.HOME",
        "--file",
        night.to_str().unwrap(),
    ])
    .one_line_error(1);
    assert!(e.contains("`$ENV` is not available to filters"), "{e}");
    let e = run([
        "filter",
        "run",
        "--name",
        "x",
        "--expr",
        "input",
        "--file",
        night.to_str().unwrap(),
    ])
    .one_line_error(1);
    assert!(e.contains("`input` is not available to filters"), "{e}");
    // Cutouts are byte strings whose length is their size.
    let size = input[0]["cutoutScience"]["bytes"].as_u64().unwrap();
    let r = run([
        "filter",
        "run",
        "--name",
        "c",
        "--expr",
        &format!(".cutoutScience | length == {size}"),
        "--max-per-visit",
        "0",
        "--file",
        night.to_str().unwrap(),
    ]);
    assert_eq!(r.json_lines().len(), input.len(), "{}", r.stderr);
    // A wire file out of one filter is the input of the next.
    let a = dir.path().join("a.wire");
    run([
        "filter",
        "run",
        "--name",
        "a",
        "--expr",
        ".diaSource.snr > 10",
        "--max-per-visit",
        "0",
        "--file",
        night.to_str().unwrap(),
        "--out",
        a.to_str().unwrap(),
    ])
    .ok();
    let chained = run([
        "filter",
        "run",
        "--name",
        "b",
        "--expr",
        ".diaSource.snr > 20",
        "--max-per-visit",
        "0",
        "--file",
        a.to_str().unwrap(),
    ])
    .json_lines();
    assert_eq!(
        chained.len(),
        input.iter().filter(|v| snr(v) > 20.0).count()
    );
    // --drop thins under the same schema id.
    let thin = run([
        "filter",
        "run",
        "--name",
        "t",
        "--expr",
        "true",
        "--drop",
        "cutoutScience,prvDiaSources",
        "--max-per-visit",
        "3",
        "--file",
        night.to_str().unwrap(),
    ])
    .json_lines();
    assert_eq!(thin.len(), 6);
    assert!(thin.iter().all(|v| v["cutoutScience"].is_null()
        && v["prvDiaSources"].is_null()
        && !v["cutoutTemplate"].is_null()));
}

/// Filtering a night older than the default retention: each output takes its input's
/// retention (here forever), so the 2017 alerts, stamped with their observation times,
/// are not past retention on arrival, and all of them are there. An output (or
/// dead-letter) topic that `--from` also matches is refused before anything runs.
#[test]
fn an_old_nights_outputs_keep_its_retention_and_a_self_feeding_filter_is_refused() {
    let b = broker_or_return!();
    produce(
        &b,
        &[
            "--night",
            "2017-06-01",
            "--visits",
            "1",
            "--alerts-per-visit",
            "60",
        ],
    );
    let r = kafka_run(
        &b,
        &[
            "filter",
            "run",
            "--name",
            "old-night-out",
            "--expr",
            "true",
            "--max-per-visit",
            "0",
            "--from",
            "lsst-2017-06-01",
            "-e",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("retention forever"), "{}", r.stderr);
    let listed = kafka_run(&b, &["topic", "list", "--format", "jsonl"]).json_lines();
    let out = listed
        .iter()
        .find(|t| t["topic"] == "old-night-out")
        .unwrap();
    assert_eq!(out["retention_ms"], -1, "{out:?}");
    assert_eq!(views(&b, "old-night-out").len(), 60);

    for (from, extra) in [
        ("lsst-2017-06-01", vec!["--to", "lsst-2017-06-01"]),
        ("^lsst-2017-.*", vec!["--to", "lsst-2017-06-01-bright"]),
        ("lsst-2017-06-01", vec!["--dead-letter", "lsst-2017-06-01"]),
    ] {
        let mut args = vec![
            "filter", "run", "--name", "loop", "--expr", "true", "--from", from, "-e",
        ];
        args.extend(extra);
        let r = kafka_run(&b, &args);
        let e = r.one_line_error(2);
        assert!(e.contains("would read its own output"), "{e}");
    }
    assert!(
        !kafka_run(&b, &["topic", "list", "--format", "jsonl"])
            .ok()
            .contains("lsst-2017-06-01-bright"),
        "nothing is created for a refused run"
    );
}

/// A filter that falls more than --lag-warn records behind its input says so, once.
#[test]
fn a_filter_behind_its_input_says_so_once() {
    let b = broker_or_return!();
    produce_alerts(
        &b,
        "4",
        &[
            "--topic",
            "t15-lag",
            "--visits",
            "1",
            "--alerts-per-visit",
            "3000",
        ],
    );
    let r = kafka_run(
        &b,
        &[
            "filter",
            "run",
            "--name",
            "t15-lag-out",
            "--expr",
            "true",
            "--max-per-visit",
            "0",
            "--from",
            "t15-lag",
            "-e",
            "--lag-warn",
            "100",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("records behind its input").count(),
        1,
        "{}",
        r.stderr
    );
    // With the default (a visit's worth, 10,000), 3,000 behind is no news.
    let r = kafka_run(
        &b,
        &[
            "filter",
            "run",
            "--name",
            "t15-lag-out2",
            "--expr",
            "true",
            "--from",
            "t15-lag",
            "-e",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("behind its input"), "{}", r.stderr);
}
