//! --night on Rubin's production layout: a long-lived topic per schema MAJOR, nights
//! read as dayObs windows (by record time, or by observation time on a LogAppendTime
//! topic), with kcat-style envelopes.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use chrono::{Duration, NaiveDate, Utc};
use serde_json::Value;

use crate::support::*;

/// The dayObs of now, as alertctl computes it (UTC-12h).
fn today() -> NaiveDate {
    (Utc::now() - Duration::hours(12)).date_naive()
}

fn source_ids(views: &[Value]) -> BTreeSet<i64> {
    views
        .iter()
        .map(|v| v["diaSource"]["diaSourceId"].as_i64().expect("diaSourceId"))
        .collect()
}

/// The alerts `produce` makes for a night and seed, read back from a file.
fn expected_ids(night: &str, seed: &str, per_visit: &str) -> BTreeSet<i64> {
    let dir = tempdir();
    let f = dir.path().join("night.avro");
    run([
        "produce",
        "--night",
        night,
        "--seed",
        seed,
        "--visits",
        "2",
        "--alerts-per-visit",
        per_visit,
        "--cutout-size",
        "4",
        "--out",
        f.to_str().unwrap(),
    ])
    .ok();
    source_ids(&run(["tail", "--file", f.to_str().unwrap()]).json_lines())
}

/// A per-major topic holding three nights: every command that takes --night reads
/// exactly the middle night (by diaSourceId), from the profile's layout or a named
/// topic; `-o @T1:T2` agrees with the window written as times; `topic list` counts
/// the nights; the envelope has every field and its raw form decodes in fastavro.
#[test]
fn a_per_major_topic_reads_one_night_by_its_window() {
    let b = broker_or_return!();
    let dir = tempdir();
    let config = crate::support::per_major_config(dir.path(), &b, "t13");
    let nights: Vec<String> = (8..=10)
        .rev()
        .map(|back| (today() - Duration::days(back)).to_string())
        .collect();
    for n in &nights {
        let r = with_config(
            &config,
            &[
                "produce",
                "--night",
                n,
                "--seed",
                "13",
                "--visits",
                "2",
                "--alerts-per-visit",
                "30",
                "--cutout-size",
                "4",
                "--no-wait",
                "--timestamp",
                "observation",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let mid = &nights[1];
    let want = expected_ids(mid, "13", "30");
    assert_eq!(want.len(), 60);

    // The topic is Rubin's shape: 45 partitions, a month's retention.
    let listed =
        with_config(&config, &["topic", "list", "--format", "jsonl", "t13-.*"]).json_lines();
    let t = listed
        .iter()
        .find(|t| t["topic"] == "t13-alerts-v0")
        .expect("created");
    assert_eq!(t["partitions"], 45);
    assert_eq!(t["retention_ms"], 2_629_740_000i64);
    for n in &nights {
        assert_eq!(t["nights"][n], 60, "{t}");
    }
    assert_eq!(t["nights"].as_object().unwrap().len(), 3, "{t}");

    // tail, by the profile's layout and by the topic's name.
    for args in [
        vec!["tail", "--night", mid, "-e"],
        vec!["tail", "--from", "t13-alerts-v0", "--night", mid, "-e"],
    ] {
        let r = with_config(&config, &args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let views = r.json_lines();
        assert_eq!(views.len(), 60, "{args:?}");
        assert_eq!(source_ids(&views), want, "{args:?}");
    }
    // -o @T1:T2, the same window written as times.
    let start = format!("{mid}T12:00:00Z");
    let end = format!(
        "{}T12:00:00Z",
        NaiveDate::parse_from_str(mid, "%Y-%m-%d").unwrap() + Duration::days(1)
    );
    let range = format!("@{start}:{end}");
    let r = with_config(
        &config,
        &["tail", "--from", "t13-alerts-v0", "-o", &range, "-e"],
    );
    assert_eq!(source_ids(&r.json_lines()), want, "{}", r.stderr);
    // A window and -o together is a usage error.
    let r = with_config(&config, &["tail", "--night", mid, "-o", "end", "-e"]);
    r.one_line_error(2);

    // stats
    let r = with_config(&config, &["stats", "--night", mid, "--format", "json"]);
    let s: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    assert_eq!(s["alerts"], 60);
    assert_eq!(s["visits"], 2);

    // filter run --night: stops at the window's end by itself.
    let r = with_config(
        &config,
        &[
            "filter",
            "run",
            "--name",
            "t13-mid",
            "--expr",
            "true",
            "--max-per-visit",
            "0",
            "--night",
            mid,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let passed = with_config(&config, &["tail", "--from", "t13-mid", "-e"]).json_lines();
    assert_eq!(source_ids(&passed), want);
    assert_eq!(passed.len(), 60, "nothing twice");

    // replay --night
    let r = with_config(
        &config,
        &[
            "replay",
            "--night",
            mid,
            "--to",
            "t13-replayed",
            "--speed",
            "max",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let replayed = with_config(&config, &["tail", "--from", "t13-replayed", "-e"]).json_lines();
    assert_eq!(replayed.len(), 60);
    assert_eq!(source_ids(&replayed), want);

    // The envelope: every field; headers a map (the filter names itself in one).
    let env = with_config(
        &config,
        &["tail", "--from", "t13-mid", "-e", "--format", "envelope"],
    )
    .json_lines();
    assert_eq!(env.len(), 60);
    for e in &env {
        for k in [
            "topic",
            "partition",
            "offset",
            "timestamp",
            "timestamp_type",
            "key",
            "headers",
            "schema_id",
            "value",
        ] {
            assert!(e.get(k).is_some(), "{k} missing: {e}");
        }
        assert_eq!(e["topic"], "t13-mid");
        assert_eq!(e["timestamp_type"], "CreateTime");
        assert_eq!(e["schema_id"], 1);
        assert_eq!(e["headers"]["alertctl-filter"], "t13-mid", "{e}");
        assert_eq!(
            e["key"].as_str().unwrap(),
            e["value"]["diaObject"]["diaObjectId"].to_string(),
            "keyed by diaObjectId"
        );
    }
    // The raw form: the packets themselves, which fastavro decodes to the same views.
    let raw = with_config(
        &config,
        &[
            "tail",
            "--from",
            "t13-mid",
            "-e",
            "--format",
            "envelope-raw",
        ],
    )
    .json_lines();
    assert_eq!(raw.len(), 60);
    let wire = dir.path().join("env.wire");
    let views = dir.path().join("env.jsonl");
    let mut bytes = Vec::new();
    for (r, e) in raw.iter().zip(&env) {
        assert_eq!(
            (&r["offset"], &r["partition"]),
            (&e["offset"], &e["partition"])
        );
        use base64::Engine;
        let p = base64::engine::general_purpose::STANDARD
            .decode(r["value"].as_str().unwrap())
            .unwrap();
        bytes.extend((p.len() as u32).to_be_bytes());
        bytes.extend(p);
    }
    std::fs::write(&wire, bytes).unwrap();
    std::fs::write(
        &views,
        env.iter()
            .map(|e| e["value"].to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let avsc = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data/schema/0/1/alertctl.v0_1.alert.avsc");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/interop.py");
    let out = Command::new(python())
        .arg(&script)
        .args([
            "wire",
            avsc.to_str().unwrap(),
            wire.to_str().unwrap(),
            views.to_str().unwrap(),
            "1",
            "4",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fastavro: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// On a LogAppendTime topic a night's window is ingest time: alertctl says so once,
/// and --window-by observation selects the night's alerts by midpointMjdTai.
#[test]
fn a_log_append_time_topic_is_windowed_by_observation_on_request() {
    let b = broker_or_return!();
    let r = kafka_run(
        &b,
        &[
            "topic",
            "create",
            "t13-append",
            "--partitions",
            "3",
            "--timestamp-type",
            "log-append",
            "--retention",
            "forever",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (older, night) = (
        (today() - Duration::days(2)).to_string(),
        (today() - Duration::days(1)).to_string(),
    );
    for n in [&older, &night] {
        produce_alerts(
            &b,
            "4",
            &[
                "--topic",
                "t13-append",
                "--night",
                n,
                "--seed",
                "5",
                "--visits",
                "2",
                "--alerts-per-visit",
                "10",
                "--timestamp",
                "observation",
            ],
        );
    }
    let want = expected_ids(&night, "5", "10");
    let env = kafka_run(
        &b,
        &[
            "tail",
            "--from",
            "t13-append",
            "-e",
            "--format",
            "envelope-raw",
        ],
    )
    .json_lines();
    assert_eq!(env.len(), 40);
    assert!(
        env.iter().all(|e| e["timestamp_type"] == "LogAppendTime"),
        "{}",
        env[0]
    );

    // By record timestamp, yesterday's window holds nothing: everything arrived today.
    let r = kafka_run(
        &b,
        &["tail", "--from", "t13-append", "--night", &night, "-e"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json_lines().len(), 0);
    assert_eq!(
        r.stderr.matches("LogAppendTime").count(),
        1,
        "said once: {}",
        r.stderr
    );
    assert!(r.stderr.contains("ingest time"), "{}", r.stderr);
    // By observation time, with a margin that covers the ingest delay: exactly the night.
    let r = kafka_run(
        &b,
        &[
            "tail",
            "--from",
            "t13-append",
            "--night",
            &night,
            "--window-by",
            "observation",
            "--window-margin",
            "3d",
            "-e",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let views = r.json_lines();
    assert_eq!(views.len(), 20);
    assert_eq!(source_ids(&views), want);
    let r = kafka_run(
        &b,
        &[
            "stats",
            "--from",
            "t13-append",
            "--night",
            &night,
            "--window-by",
            "observation",
            "--window-margin",
            "3d",
            "--format",
            "json",
        ],
    );
    let s: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    assert_eq!(s["alerts"], 20);
}
