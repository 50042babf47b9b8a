//! `alertctl produce`: generated alerts decode with fastavro for every official
//! version, the same seed gives the same alerts, a failed produce leaves an existing
//! file alone, and a tiny producer queue is back-pressure, not an error.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::*;

use crate::procs;

const CUTOUT: &str = "24";

fn interop(args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/interop.py");
    let out = Command::new(python())
        .arg(&script)
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "fastavro/astropy disagree with alertctl:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Produce `visits x alerts` for a version, decode them with alertctl, return the views.
fn produce_and_tail(root: Option<&Path>, version: &str, format: &str, out: &Path) -> Vec<Value> {
    let mut args = vec![
        "produce",
        "--visits",
        "2",
        "--alerts-per-visit",
        "3",
        "--night",
        "2024-05-01",
        "--seed",
        "7",
        "--cutout-size",
        CUTOUT,
        "--max-history",
        "3",
        "--format",
        format,
        "--schema-version",
        version,
        "--out",
        out.to_str().unwrap(),
    ];
    let root_s = root.map(|r| r.to_str().unwrap().to_string());
    if let Some(r) = &root_s {
        args.extend(["--schema-dir", r.as_str()]);
    }
    run(&args).ok();
    let mut tail = vec!["tail", "--file", out.to_str().unwrap()];
    if let Some(r) = &root_s {
        tail.extend(["--schema-dir", r.as_str()]);
    }
    let r = run(&tail);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json_lines()
}

fn alert_avsc(root: &Path, version: &str) -> PathBuf {
    let (major, minor) = version.split_once('.').unwrap();
    root.join(major)
        .join(minor)
        .join(format!("lsst.v{major}_{minor}.alert.avsc"))
}

/// For every official version and the built-in sample schema: generated alerts
/// decode with alertctl, and with fastavro to the same values; cutouts open in astropy.
#[test]
fn generated_alerts_decode_with_fastavro_for_every_version() {
    let dir = tempdir();
    let root = pypi_schema_dir();
    let sample_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/schema");
    let mut cases: Vec<(Option<PathBuf>, String, PathBuf, u32)> = versions(&root)
        .into_iter()
        .map(|(v, _)| {
            let (ma, mi) = v.split_once('.').unwrap();
            let id = ma.parse::<u32>().unwrap() * 100 + mi.parse::<u32>().unwrap();
            (Some(root.clone()), v.clone(), alert_avsc(&root, &v), id)
        })
        .collect();
    cases.push((
        None,
        "0.1".into(),
        sample_root.join("0/1/alertctl.v0_1.alert.avsc"),
        1,
    ));
    assert!(cases.len() >= 16);
    for (root, version, avsc, id) in &cases {
        let wire = dir.path().join(format!("v{version}.wire"));
        let views = produce_and_tail(root.as_deref(), version, "wire", &wire);
        assert_eq!(views.len(), 6, "{version}");
        // Ids unique, two visits.
        let ids: HashSet<String> = views
            .iter()
            .map(|v| v["diaSource"]["diaSourceId"].to_string())
            .collect();
        assert_eq!(ids.len(), 6, "{version}: {ids:?}");
        let visits: HashSet<String> = views
            .iter()
            .map(|v| {
                let s = &v["diaSource"];
                if s.get("visit").is_some() {
                    s["visit"].to_string()
                } else {
                    (s["ccdVisitId"].as_i64().unwrap() / 1000).to_string()
                }
            })
            .collect();
        assert_eq!(visits.len(), 2, "{version}: {visits:?}");
        let jsonl = dir.path().join(format!("v{version}.wire.jsonl"));
        std::fs::write(
            &jsonl,
            views
                .iter()
                .map(|v| v.to_string() + "\n")
                .collect::<String>(),
        )
        .unwrap();
        interop(&[
            "wire",
            avsc.to_str().unwrap(),
            wire.to_str().unwrap(),
            jsonl.to_str().unwrap(),
            &id.to_string(),
            CUTOUT,
        ]);

        let ocf = dir.path().join(format!("v{version}.avro"));
        let views = produce_and_tail(root.as_deref(), version, "ocf", &ocf);
        let jsonl = dir.path().join(format!("v{version}.ocf.jsonl"));
        std::fs::write(
            &jsonl,
            views
                .iter()
                .map(|v| v.to_string() + "\n")
                .collect::<String>(),
        )
        .unwrap();
        interop(&[
            "ocf",
            ocf.to_str().unwrap(),
            jsonl.to_str().unwrap(),
            CUTOUT,
        ]);
    }
}

/// alertctl's Parsing Canonical Form and CRC-64-AVRO fingerprint equal fastavro's for every version.
#[test]
fn canonical_forms_and_fingerprints_match_fastavro() {
    let dir = tempdir();
    let root = pypi_schema_dir();
    let mut lines = String::new();
    for (v, _) in versions(&root) {
        lines += &run([
            "schema",
            "show",
            "--format",
            "json",
            "--version",
            &v,
            "--schema-dir",
            root.to_str().unwrap(),
        ])
        .ok();
    }
    let file = dir.path().join("shown.jsonl");
    std::fs::write(&file, lines).unwrap();
    interop(&["schemas", file.to_str().unwrap(), root.to_str().unwrap()]);
}

/// The same seed and night give byte-identical files; another seed does not.
#[test]
fn produce_is_deterministic_with_a_seed() {
    let dir = tempdir();
    let file = |name: &str, seed: &str| {
        let p = dir.path().join(name);
        run([
            "produce",
            "--visits",
            "2",
            "--alerts-per-visit",
            "4",
            "--night",
            "2024-05-01",
            "--seed",
            seed,
            "--file-format",
            "wire",
            "--out",
            p.to_str().unwrap(),
        ])
        .ok();
        std::fs::read(p).unwrap()
    };
    let (a, b, c) = (file("a", "5"), file("b", "5"), file("c", "6"));
    assert!(a.len() > 8 * 1000);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn a_failed_produce_leaves_the_existing_file_alone() {
    let dir = tempdir();
    let p = dir.path().join("night.avro");
    std::fs::write(&p, b"precious").unwrap();
    let r = run([
        "produce",
        "--schema-version",
        "42.0",
        "--out",
        p.to_str().unwrap(),
    ]);
    let e = r.one_line_error(1);
    assert!(e.contains("42.0"), "{e}");
    assert_eq!(std::fs::read(&p).unwrap(), b"precious");
    // No temporary file is left behind either.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// A queue of one message: the filter waits for room (backpressure), it does not fail.
#[test]
fn a_tiny_producer_queue_is_backpressure_not_an_error() {
    let b = broker_or_return!();
    let dir = tempdir();
    let topic = "tiny-queue-in";
    let r: Run = procs::cmd(
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
    let r: Run = procs::cmd(
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
    let r: Run = procs::cmd(
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
    assert_eq!(procs::count(&b, "tiny-queue-out", &[]), 200);
    let _ = dir;
}
