//! Checks of an official schema tree (alert_packet layout) that both tiers run: every
//! version loads, and each sample alert decodes to its alert.json.

#![allow(dead_code)]

use std::path::Path;

use serde_json::Value;

use crate::support::*;

/// `schema show --format json` of one version under `root`.
pub fn show(root: &Path, version: &str) -> Value {
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

/// Check every version under `root` (id MAJOR*100+MINOR, the Rubin root name, a fingerprint and a canonical form);
/// returns how many there are.
pub fn loaded_versions(root: &Path) -> usize {
    let mut loaded = 0;
    for (v, _) in versions(root) {
        let shown = show(root, &v);
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
    loaded
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

/// Decode each version's `sample_data/fakeAlert.avro` under `root` and compare its JSON
/// view with the `alert.json` beside it; returns how many versions were checked.
pub fn fake_alerts_match_their_json(root: &Path) -> usize {
    let mut checked = 0;
    for (v, dir) in versions(root) {
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
        let canonical = show(root, &v)["canonical"].as_str().unwrap().to_string();
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
    checked
}
