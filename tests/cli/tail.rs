//! `alertctl tail` over Kafka and visit files: every alert of a night, offsets and
//! times, groups that commit what they printed, regexes, raw output, SCRAM-SHA-512 over
//! TLS; and bad input, which gets one clear line while the rest flows.

use std::collections::HashSet;
use std::time::Instant;

use serde_json::Value;

use crate::support::*;

use std::path::Path;
use std::process::Command;

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
    let raw = kafka_raw(&b, &["tail", "--from", topic, "-e", "--format", "raw"]);
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

fn tail_file(path: &Path) -> Run {
    run(["tail", "--file", path.to_str().unwrap()])
}

fn frame(packet: &[u8]) -> Vec<u8> {
    let mut out = (packet.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(packet);
    out
}

/// A wire file of 3 sample alerts (built-in schema, id 1).
fn wire_file(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("ok.wire");
    run([
        "produce",
        "--alerts-per-visit",
        "3",
        "--cutout-size",
        "8",
        "--file-format",
        "wire",
        "--night",
        "2024-05-01",
        "--out",
        p.to_str().unwrap(),
    ])
    .ok();
    p
}

#[test]
fn an_empty_file_is_named_as_empty() {
    let dir = tempdir();
    let p = dir.path().join("empty.avro");
    std::fs::write(&p, b"").unwrap();
    let e = tail_file(&p).one_line_error(1);
    assert!(e.contains("empty.avro is empty"), "{e}");
}

#[test]
fn a_json_file_is_said_to_look_like_json() {
    let dir = tempdir();
    let p = dir.path().join("alert.json");
    std::fs::write(&p, br#"{"diaSourceId": 1231321321, "diaSource": {}}"#).unwrap();
    let e = tail_file(&p).one_line_error(1);
    assert!(
        e.contains("not an alert file") && e.contains("JSON text"),
        "{e}"
    );
}

#[test]
fn random_bytes_are_called_binary_data() {
    let dir = tempdir();
    let p = dir.path().join("noise.bin");
    std::fs::write(
        &p,
        (0..200u32)
            .map(|i| (i * 37 % 251) as u8 | 0x80)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let e = tail_file(&p).one_line_error(1);
    assert!(
        e.contains("binary data") && e.contains("first bytes: 80"),
        "{e}"
    );
}

#[test]
fn a_packet_with_the_wrong_magic_byte_says_what_it_looks_like() {
    let dir = tempdir();
    let good = std::fs::read(wire_file(dir.path())).unwrap();
    // Frame 0: an OCF header where a packet should be; frame 1: JSON; then a good frame.
    let first_len = u32::from_be_bytes(good[..4].try_into().unwrap()) as usize;
    let mut bytes = frame(b"Obj\x01\x04\x14avro.codec\x08null");
    bytes.extend(frame(br#"{"diaSourceId": 5}"#));
    bytes.extend_from_slice(&good[..4 + first_len]);
    let p = dir.path().join("mixed.wire");
    // The file starts with a frame whose byte 4 is 'O', not 0: write a good frame first.
    let mut file = good[..4 + first_len].to_vec();
    file.extend(bytes);
    std::fs::write(&p, &file).unwrap();
    let r = tail_file(&p);
    let e = r.one_line_error(1);
    assert!(e.contains("2 undecodable"), "{e}");
    assert!(
        r.stderr.contains("record 1 (byte") && r.stderr.contains("Object Container File"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("record 2 (byte") && r.stderr.contains("JSON text"),
        "{}",
        r.stderr
    );
    // The good records around the bad ones are still printed.
    assert_eq!(r.json_lines().len(), 2);
}

#[test]
fn a_truncated_file_keeps_what_decoded_and_names_the_frame() {
    let dir = tempdir();
    let good = std::fs::read(wire_file(dir.path())).unwrap();
    let p = dir.path().join("cut.wire");
    std::fs::write(&p, &good[..good.len() - 100]).unwrap();
    let r = tail_file(&p);
    let e = r.one_line_error(1);
    assert!(
        e.contains("truncated frame 2") && e.contains("after 2 alerts decoded"),
        "{e}"
    );
    assert_eq!(r.json_lines().len(), 2);
}

#[test]
fn a_truncated_packet_is_called_truncated() {
    let dir = tempdir();
    let good = std::fs::read(wire_file(dir.path())).unwrap();
    let len = u32::from_be_bytes(good[..4].try_into().unwrap()) as usize;
    let packet = &good[4..4 + len];
    let p = dir.path().join("one.bin");
    std::fs::write(&p, &packet[..len / 3]).unwrap();
    let r = tail_file(&p);
    assert!(r.stderr.contains("truncated packet"), "{}", r.stderr);
    r.one_line_error(1);
    // A 3-byte packet has no room for the header.
    std::fs::write(&p, &packet[..3]).unwrap();
    let r = tail_file(&p);
    assert!(
        r.stderr
            .contains("3 bytes, but the wire-format header alone is 5"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_unknown_schema_id_is_named_with_its_version() {
    let dir = tempdir();
    let mut packet = vec![0u8];
    packet.extend_from_slice(&4242u32.to_be_bytes());
    packet.extend_from_slice(&[2, 4, 6, 8]);
    let p = dir.path().join("unknown.wire");
    std::fs::write(&p, frame(&packet)).unwrap();
    let r = tail_file(&p);
    assert!(
        r.stderr.contains("unknown schema id 4242 (version 42.42)")
            && r.stderr.contains("--schema-dir"),
        "{}",
        r.stderr
    );
    r.one_line_error(1);
}

/// SASL_SSL with SCRAM-SHA-512 against nisshi with a self-signed certificate made
/// here: the right password reads the stream, under a group prefixed with the
/// account name; a wrong one fails with one line that does not contain it.
#[test]
fn scram_over_tls_reads_with_the_right_password_only() {
    let _ = broker_or_return!(); // nisshi is installed
    let nisshi = String::from_utf8(
        Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/broker"))
            .arg("path")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    let dir = tempdir();
    let d = dir.path();
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
        ])
        .arg(d.join("key.pem"))
        .arg("-out")
        .arg(d.join("cert.pem"))
        .output()
        .expect("openssl (scripts/install-test-deps installs it)");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let start = |secure: bool| {
        let mut c = Command::new(&nisshi);
        c.current_dir(d).args([
            "broker",
            "--listener-url",
            &format!("tcp://{addr}"),
            "--advertised-listener-url",
            &format!("tcp://{addr}"),
            "--storage-engine",
            "sqlite://nisshi.db",
            "--group-initial-rebalance-delay",
            "0s",
            "--silent",
        ]);
        if secure {
            c.args(["--cert", "cert.pem", "--key", "key.pem", "--authentication"]);
        }
        let child = c
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        wait_until("nisshi listens", 20, || {
            std::net::TcpStream::connect(&addr).is_ok()
        });
        child
    };
    // Users are made on a plaintext broker (nisshi's user tool speaks plaintext only),
    // then the same storage is served over TLS with authentication required.
    let mut plain = start(false);
    let made = Command::new(&nisshi)
        .args([
            "user",
            "create",
            "--broker",
            &format!("tcp://{addr}"),
            "alerce",
            "correct-horse-42",
        ])
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    produce_alerts(
        &addr,
        "4",
        &[
            "--topic",
            "t13-secure",
            "--visits",
            "1",
            "--alerts-per-visit",
            "12",
        ],
    );
    terminate(&mut plain);
    wait_until("nisshi stops", 20, || {
        std::net::TcpStream::connect(&addr).is_err()
    });
    let mut secure = start(true);

    let config = d.join("config.toml");
    let profile = |password: &str| {
        format!(
            "default = \"rubin\"\n[profiles.rubin]\nbrokers = \"{addr}\"\ngroup_prefix = \"username\"\n[profiles.rubin.properties]\n\"security.protocol\" = \"SASL_SSL\"\n\"sasl.mechanism\" = \"SCRAM-SHA-512\"\n\"sasl.username\" = \"alerce\"\n\"sasl.password\" = \"{password}\"\n\"ssl.ca.location\" = \"{}\"\n",
            d.join("cert.pem").display()
        )
    };
    std::fs::write(&config, profile("correct-horse-42")).unwrap();
    let r = with_config(
        &config,
        &[
            "tail",
            "--from",
            "t13-secure",
            "--group",
            "readers",
            "-e",
            "--timeout",
            "10s",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json_lines().len(), 12);
    assert!(
        r.stderr.contains("alerce-readers"),
        "the group is prefixed: {}",
        r.stderr
    );
    let lag = with_config(&config, &["lag"]);
    assert!(
        lag.json_lines()
            .iter()
            .any(|l| l["group"] == "alerce-readers" && l["lag"] == 0),
        "{}{}",
        lag.stdout,
        lag.stderr
    );

    std::fs::write(&config, profile("wrong-battery-7")).unwrap();
    let r = with_config(
        &config,
        &["tail", "--from", "t13-secure", "-e", "--timeout", "5s"],
    );
    let e = r.one_line_error(1);
    assert!(
        !r.stderr.contains("wrong-battery-7") && !r.stdout.contains("wrong-battery-7"),
        "{}",
        r.stderr
    );
    assert!(e.contains("refused") && e.contains("SASL"), "{e}");
    terminate(&mut secure);
}

/// `--workers N` writes the same JSON lines as one worker, in the same order, from a
/// file (wire and container) and from Kafka, and a group commits what it printed.
#[test]
fn workers_print_what_one_worker_prints_in_order() {
    let b = broker_or_return!();
    let dir = tempdir();
    let gen = |out: &std::path::Path, format: &str| {
        run([
            "produce",
            "--night",
            "2020-02-02",
            "--visits",
            "3",
            "--alerts-per-visit",
            "300",
            "--seed",
            "5",
            "--cutout-size",
            "6",
            "--file-format",
            format,
            "--out",
            out.to_str().unwrap(),
        ])
        .ok();
    };
    for (name, format) in [("v.wire", "wire"), ("v.avro", "ocf")] {
        let file = dir.path().join(name);
        gen(&file, format);
        let f = file.to_str().unwrap();
        let one = run([
            "tail",
            "--file",
            f,
            "--format",
            "jsonl",
            "--cutouts",
            "size",
        ])
        .ok();
        for w in ["2", "3", "0"] {
            let many = run([
                "tail",
                "--file",
                f,
                "--format",
                "jsonl",
                "--cutouts",
                "size",
                "--workers",
                w,
            ])
            .ok();
            assert!(many == one, "{name}: --workers {w} printed otherwise");
        }
        assert_eq!(one.lines().count(), 900);
    }
    let file = dir.path().join("v.wire");
    crate::procs::send_file(&b, &file, "t-workers", &[]);
    let one = kafka_run(&b, &["tail", "--from", "t-workers", "-e"]);
    let many = kafka_run(&b, &["tail", "--from", "t-workers", "-e", "--workers", "3"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(many.code, 0, "{}", many.stderr);
    let sorted = |s: &str| {
        let mut v: Vec<&str> = s.lines().collect();
        v.sort();
        v.join("\n")
    };
    assert_eq!(sorted(&many.stdout), sorted(&one.stdout));
    assert_eq!(one.stdout.lines().count(), 900);
    // kcat-style envelopes wrap the same views, with one worker or several.
    let envelopes = |workers: &str| {
        let r = kafka_run(
            &b,
            &[
                "tail",
                "--from",
                "t-workers",
                "-e",
                "--format",
                "envelope",
                "--workers",
                workers,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let env = envelopes("1");
    assert_eq!(sorted(&envelopes("3")), sorted(&env));
    let normal = |l: &str| serde_json::from_str::<serde_json::Value>(l).unwrap();
    let mut wrapped: Vec<String> = env
        .lines()
        .map(|l| {
            let e = normal(l);
            assert_eq!(e["topic"], "t-workers", "{l:.200}");
            assert!(e["offset"].is_i64() && e["partition"].is_i64(), "{l:.200}");
            assert!(e["schema_id"].is_u64(), "{l:.200}");
            e["value"].to_string()
        })
        .collect();
    let mut views: Vec<String> = one.stdout.lines().map(|l| normal(l).to_string()).collect();
    wrapped.sort();
    views.sort();
    assert_eq!(wrapped.len(), 900);
    assert!(
        wrapped == views,
        "an envelope's value is not the alert's view"
    );
    // A group member with workers commits what it printed: a second run prints nothing.
    let g = kafka_run(
        &b,
        &[
            "tail",
            "--from",
            "t-workers",
            "-e",
            "-G",
            "gw",
            "--workers",
            "2",
        ],
    );
    assert_eq!(g.stdout.lines().count(), 900, "{}", g.stderr);
    let again = kafka_run(
        &b,
        &[
            "tail",
            "--from",
            "t-workers",
            "-e",
            "-G",
            "gw",
            "--workers",
            "2",
        ],
    );
    assert_eq!(again.stdout.lines().count(), 0, "{}", again.stderr);
}
