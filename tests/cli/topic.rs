//! `alertctl topic`, `lag` and `stats`: topic admin round trip, a group's lag, and
//! what a topic holds.

use crate::support::*;

fn produce(b: &str, extra: &[&str]) {
    produce_alerts(b, "30", extra);
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
