//! The shared tier: tests that read `../shared/lsst-reference/` (ALERTCTL_SHARED), the
//! data that exists only beside this project's own checkouts: the alert_packet 9.0, 10.0
//! and 11.0 tree as copied from GitHub, and 7 real LSST alerts with cutouts as Fink
//! redistributes them. `scripts/test --shared DIR` runs it (`cargo test --test shared`);
//! plain `cargo test` does not build it. Like the default tier, it fails, never skips,
//! when its data is missing.

use base64::Engine;

#[path = "../cli/export_columns.rs"]
mod export_columns;
#[path = "../cli/json_text.rs"]
mod json_text;
#[path = "../cli/official_checks.rs"]
mod official_checks;
#[path = "../cli/support.rs"]
mod support;

use official_checks::*;
use support::*;

/// The GitHub tree's versions load as PyPI's do.
#[test]
fn the_github_tree_loads() {
    assert_eq!(loaded_versions(&shared_schema_dir()), 3);
}

/// The same version from the two trees has the same fingerprint: they are the same
/// files, which is why the default tier may take its 9.0/10.0/11.0 from PyPI.
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

/// The GitHub tree's sample alerts decode to their alert.json.
#[test]
fn the_github_trees_fake_alerts_decode_to_their_alert_json() {
    assert_eq!(fake_alerts_match_their_json(&shared_schema_dir()), 3);
}

/// The 7 real alerts Fink redistributes decode with their cutouts intact.
#[test]
fn real_alerts_decode_with_intact_cutouts() {
    let file = shared().join("lsst-reference/third-party/fink-client/part-2-918301.avro");
    let r = run([
        "tail",
        "--cutouts",
        "keep",
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
            let img = alertctl::formats::sample::fits::read_image(&bytes)
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

/// The JSON text `tail` writes straight from the bytes equals the reference's, byte for
/// byte, on the real alerts (cutouts omitted, sized and kept).
#[test]
fn real_alerts_json_text_equals_the_reference() {
    let file = shared().join("lsst-reference/third-party/fink-client/part-2-918301.avro");
    let mut tally = json_text::Tally::default();
    assert_eq!(json_text::compare_file(&file, &[], &mut tally), 7);
    assert_eq!((tally.fast, tally.declined), (21, 0), "{tally:?}");
}

/// `export`'s Parquet path from the bytes on the real alerts: Fink's schema adds
/// `lc_features`, a map, which no Parquet column of an export holds, so both paths
/// refuse every alert alike, with the same error, and write the same (empty) export.
#[test]
fn real_alerts_parquet_from_the_bytes_refuses_as_the_reference_does() {
    let file = shared().join("lsst-reference/third-party/fink-client/part-2-918301.avro");
    let mut tally = export_columns::Tally::default();
    let mut twins = export_columns::Twins::new();
    assert_eq!(
        export_columns::add_file(&mut twins, &file, &[], &mut tally),
        7
    );
    twins.finish("real alerts");
    assert_eq!(
        (tally.fast, tally.declined_but_added, tally.refused),
        (0, 0, 28),
        "{tally:?}"
    );
}
