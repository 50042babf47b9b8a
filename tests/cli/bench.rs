//! `bench night` drives a scaled night through producer, central broker, mirror, local
//! broker, filters and a consumer, and accounts for every alert at every stage.

use serde_json::Value;

use crate::support::*;

#[test]
fn a_scaled_night_goes_through_every_stage_and_is_measured() {
    let central = broker_or_return!();
    let local = private_broker();
    let dir = tempdir();
    let json = dir.path().join("night.json");
    let r = kafka_run(
        &local,
        &[
            "bench",
            "night",
            "--source-brokers",
            &central,
            "--scale",
            "0.01",
            "--visits",
            "2",
            "--cadence",
            "1s",
            "--filters",
            "3",
            "--cutout-size",
            "8",
            "--json",
            json.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("latency p50"), "{}", r.stdout);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let stages = doc["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 4);
    let alerts = |i: usize| stages[i]["alerts"].as_u64().unwrap();
    // 2 visits of 100: produced, mirrored and filtered, every one.
    assert_eq!((alerts(0), alerts(1), alerts(2)), (200, 200, 200), "{doc}");
    // The consumer gets at most 20 per visit per filter, and some.
    assert!(alerts(3) > 0 && alerts(3) <= 2 * 3 * 20, "{doc}");
    assert_eq!(doc["latency_ms"]["count"].as_u64(), Some(alerts(3)));
    let (p50, p98, max) = (
        doc["latency_ms"]["p50"].as_i64().unwrap(),
        doc["latency_ms"]["p98"].as_i64().unwrap(),
        doc["latency_ms"]["max"].as_i64().unwrap(),
    );
    assert!(
        0 <= p50 && p50 <= p98 && p98 <= max && max < 60_000,
        "{doc}"
    );
    assert!(json.with_extension("png").is_file());
    // Each stage's lag, sampled every second.
    let lag = doc["lag"].as_array().unwrap();
    assert!(!lag.is_empty(), "{doc}");
    assert!(lag
        .iter()
        .all(|s| s["mirror"].as_u64().unwrap() <= 200 && s["filters"].as_u64().unwrap() <= 200));
    assert!(r.stdout.contains("mirror lag"), "{}", r.stdout);
}
