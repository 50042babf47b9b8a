//! The official Rubin schemas and sample alerts: every version 3.0..11.1 from PyPI's
//! lsst-alert-packet, the 9.0/10.0/11.0 tree in shared/, and 7 real alerts.

use std::path::Path;

use base64::Engine;
use serde_json::Value;

use crate::support::*;

fn show(root: &Path, version: &str) -> Value {
    let out = run([
        "schema",
        "show",
        "--format",
        "json",
        "--version",
        version,
        "--schema-dir",
        root.to_str().unwrap(),
    ])
    .ok();
    serde_json::from_str(&out).unwrap()
}

/// Every version in both trees loads, with id MAJOR*100+MINOR and the Rubin root name.
#[test]
fn every_official_schema_version_loads() {
    let pypi = versions(&pypi_schema_dir());
    let names: Vec<&str> = pypi.iter().map(|(v, _)| v.as_str()).collect();
    for v in [
        "3.0", "4.0", "5.0", "6.0", "6.1", "7.0", "7.4", "8.0", "9.0", "10.0", "11.0", "11.1",
    ] {
        assert!(names.contains(&v), "PyPI tree lacks {v}: {names:?}");
    }
    let mut loaded = 0;
    for root in [pypi_schema_dir(), shared_schema_dir()] {
        for (v, _) in versions(&root) {
            let shown = show(&root, &v);
            let (major, minor) = v.split_once('.').unwrap();
            let id = major.parse::<u64>().unwrap() * 100 + minor.parse::<u64>().unwrap();
            assert_eq!(shown["id"], id, "{v}");
            assert_eq!(shown["version"], v.as_str());
            assert_eq!(shown["name"], format!("lsst.v{major}_{minor}.alert"), "{v}");
            assert_eq!(shown["fingerprint"].as_str().unwrap().len(), 16);
            assert!(shown["canonical"]
                .as_str()
                .unwrap()
                .starts_with("{\"name\":\"lsst.v"));
            loaded += 1;
        }
    }
    assert!(loaded >= 18, "{loaded} versions loaded");
}

/// The same version from the two trees has the same fingerprint (they are the same files).
#[test]
fn both_trees_agree_on_shared_versions() {
    for v in ["9.0", "10.0", "11.0"] {
        assert_eq!(
            show(&pypi_schema_dir(), v)["fingerprint"],
            show(&shared_schema_dir(), v)["fingerprint"],
            "{v}"
        );
    }
}

/// Upstream's sample_data/generate.py for 8.0 overwrites these with the time it ran,
/// so fakeAlert.avro holds a timestamp where alert.json holds 0.
const OVERWRITTEN_BY_GENERATE_PY: [(&str, &str); 2] = [
    ("8.0", ".diaSource.time_processed"),
    ("8.0", ".diaObject.validityStart"),
];

/// Compare the JSON view (every schema field present, nulls included) with an
/// alert.json (nulls left out). Returns the differences.
fn compare(
    version: &str,
    expected: &Value,
    got: &Value,
    canonical: &str,
    path: &str,
    diffs: &mut Vec<String>,
) {
    match (expected, got) {
        (Value::Object(e), Value::Object(g)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match g.get(k) {
                    Some(gv) if OVERWRITTEN_BY_GENERATE_PY.contains(&(version, p.as_str())) => {
                        // A timestamp-micros after 2020.
                        assert!(
                            gv.as_i64().unwrap() > 1_577_836_800_000_000,
                            "{version} {p}: {gv}"
                        );
                    }
                    Some(gv) => compare(version, ev, gv, canonical, &p, diffs),
                    // The view has every field of the schema, so a missing key is one the
                    // schema does not have: upstream's writer dropped it too. Prove it.
                    None => assert!(
                        !canonical.contains(&format!("{{\"name\":\"{k}\",")),
                        "{version} {p} is a schema field but missing from the view"
                    ),
                }
            }
            for (k, gv) in g {
                if !e.contains_key(k) && !gv.is_null() {
                    diffs.push(format!(
                        "{path}.{k}: absent from alert.json, {gv} in the view"
                    ));
                }
            }
        }
        (Value::Array(e), Value::Array(g)) if e.len() == g.len() => {
            for (i, (ev, gv)) in e.iter().zip(g).enumerate() {
                compare(version, ev, gv, canonical, &format!("{path}[{i}]"), diffs);
            }
        }
        (Value::Number(e), Value::Number(g)) => {
            let (e, g) = (e.as_f64().unwrap(), g.as_f64().unwrap());
            // A float32 field shows the shortest decimal of its float32; alert.json may
            // hold digits a float32 cannot keep (3.0's ssObject.orbFitLnL 1343141.0341).
            let g32 = g as f32;
            let is_float32_view = g32.to_string().parse::<f64>() == Ok(g);
            if (e - g).abs() > 1e-9 * e.abs().max(1.0) && !(is_float32_view && e as f32 == g32) {
                diffs.push(format!("{path}: {e} expected, {g} in the view"));
            }
        }
        (e, g) if e == g => {}
        (e, g) => diffs.push(format!("{path}: {e} expected, {g} in the view")),
    }
}

/// Each official fakeAlert.avro decodes, and its JSON view equals the alert.json beside it.
#[test]
fn official_fake_alerts_decode_to_their_alert_json() {
    let mut checked = 0;
    for root in [pypi_schema_dir(), shared_schema_dir()] {
        for (v, dir) in versions(&root) {
            let sample = dir.join("sample_data");
            let expected: Value =
                serde_json::from_str(&std::fs::read_to_string(sample.join("alert.json")).unwrap())
                    .unwrap();
            let r = run([
                "tail",
                "--cutouts",
                "omit",
                "--file",
                sample.join("fakeAlert.avro").to_str().unwrap(),
            ]);
            let views = r.json_lines();
            assert_eq!(views.len(), 1, "{v}: {}", r.stderr);
            let canonical = show(&root, &v)["canonical"].as_str().unwrap().to_string();
            let mut diffs = Vec::new();
            compare(&v, &expected, &views[0], &canonical, "", &mut diffs);
            assert!(
                diffs.is_empty(),
                "{v} ({}):\n{}",
                dir.display(),
                diffs.join("\n")
            );
            checked += 1;
        }
    }
    assert!(checked >= 18);
}

/// The 7 real alerts Fink redistributes decode with their cutouts intact.
#[test]
fn real_alerts_decode_with_intact_cutouts() {
    let file = shared().join("lsst-reference/third-party/fink-client/part-2-918301.avro");
    let r = run([
        "tail",
        "--cutouts",
        "base64",
        "--file",
        file.to_str().unwrap(),
    ]);
    let alerts = r.json_lines();
    assert_eq!(alerts.len(), 7, "{}", r.stderr);
    for a in &alerts {
        assert!(a["diaSource"]["diaSourceId"].as_i64().unwrap() > 0);
        assert_eq!(a["lsst_schema_version"], "lsst.v10_0");
        for (name, sizes) in [
            ("cutoutDifference", 34_560..=34_560),
            ("cutoutScience", 34_560..=34_560),
            ("cutoutTemplate", 43_200..=46_080),
        ] {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(a[name].as_str().unwrap_or_else(|| panic!("{name} missing")))
                .unwrap();
            assert!(
                sizes.contains(&bytes.len()),
                "{name}: {} bytes",
                bytes.len()
            );
            let img = alertctl::sample::fits::read_image(&bytes)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                img.width > 10 && img.height > 10,
                "{name}: {}x{}",
                img.width,
                img.height
            );
            assert_eq!(img.pixels.len(), img.width * img.height);
            assert!(img
                .pixels
                .iter()
                .any(|p| p.is_finite() && *p != img.pixels[0]));
        }
    }
    // With --cutouts size the view carries only the sizes.
    let sized = run(["tail", "--file", file.to_str().unwrap(), "-n", "1"]).json_lines();
    assert_eq!(sized.len(), 1);
    assert_eq!(
        sized[0]["cutoutDifference"],
        serde_json::json!({"bytes": 34_560})
    );
}
