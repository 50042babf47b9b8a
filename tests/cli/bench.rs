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

/// `bench engine` runs a user's filters over a user's alerts in the engine alone: the
/// row counts every alert, the note says which filter jq answered and how often, and
/// the emitted count is what `filter run` selects.
#[test]
fn the_engine_alone_runs_your_filters_over_your_alerts() {
    let dir = tempdir();
    let night = dir.path().join("night.avro");
    run([
        "produce",
        "--visits",
        "2",
        "--alerts-per-visit",
        "60",
        "--night",
        "2024-05-01",
        "--cutout-size",
        "8",
        "--out",
        night.to_str().unwrap(),
    ])
    .ok();
    let wire = dir.path().join("night.wire");
    run([
        "filter",
        "run",
        "--name",
        "all",
        "--expr",
        "true",
        "--max-per-visit",
        "0",
        "--file",
        night.to_str().unwrap(),
        "--out",
        wire.to_str().unwrap(),
    ])
    .ok();
    let input = run(["tail", "--file", wire.to_str().unwrap()]).json_lines();
    assert_eq!(input.len(), 120);
    let bright = input
        .iter()
        .filter(|v| v["diaSource"]["snr"].as_f64().unwrap_or(0.0) > 10.0)
        .count();
    let toml = dir.path().join("filters.toml");
    std::fs::write(
        &toml,
        r#"
[[filter]]
name = "bright"
expr = '.diaSource.snr > 10'
max_per_visit = 0

[[filter]]
name = "entries"
expr = '(.diaSource | to_entries | length) > 0'
max_per_visit = 0
"#,
    )
    .unwrap();
    let engine = |file: &std::path::Path, filters: &std::path::Path| {
        run([
            "bench",
            "engine",
            "--file",
            file.to_str().unwrap(),
            "--filters",
            filters.to_str().unwrap(),
        ])
    };
    let r = engine(&wire, &toml);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let row = r
        .stdout
        .lines()
        .find(|l| l.contains("2 filters: the engine alone"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(row.split_whitespace().any(|w| w == "120"), "{row}");
    assert!(
        r.stderr
            .contains(&format!("{} alerts emitted in all", bright + 120)),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("jq gave 120 verdicts") && r.stderr.contains("entries 120"),
        "{}",
        r.stderr
    );

    // Bad input: one line, a non-zero exit.
    let empty = dir.path().join("empty.wire");
    std::fs::write(&empty, b"").unwrap();
    let r = engine(&empty, &toml);
    assert!(r.one_line_error(1).contains("is empty"), "{}", r.stderr);
    let r = engine(&wire, &dir.path().join("missing.toml"));
    assert_ne!(r.code, 0);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
}
