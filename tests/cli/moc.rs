//! `alertctl moc from-skymap`: credible regions of synthetic sky maps, flat and
//! multi-order, hold the probability asked within one cell, measured independently of
//! the CDS code (tests/cli/py/sky_reference.py reads both files with astropy alone).

use std::path::Path;
use std::process::Command;

use crate::support::{python, run, tempdir};

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/py/sky_reference.py")
}

fn py(args: &[&str]) -> String {
    let out = Command::new(python())
        .arg(script())
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn credible_regions_hold_the_probability_asked_within_one_cell() {
    let dir = tempdir();
    let d = dir.path().to_str().unwrap();
    py(&["skymaps", d]);
    for map in ["flat", "multi"] {
        for p in [0.5, 0.9] {
            let out = format!("{d}/{map}-{p}.fits");
            let line = run([
                "moc",
                "from-skymap",
                &format!("{d}/{map}.fits"),
                "--credible",
                &p.to_string(),
                "--out",
                &out,
                "--format",
                "jsonl",
            ])
            .ok();
            let r: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
            assert_eq!(r["multi_order"], map == "multi", "{r}");
            let m: serde_json::Value =
                serde_json::from_str(py(&["mass", &format!("{d}/{map}.fits"), &out]).trim())
                    .unwrap();
            let (mass, cell) = (m["mass"].as_f64().unwrap(), m["max_cell"].as_f64().unwrap());
            assert!(
                mass >= p - 1e-12 && mass <= p + cell,
                "{map} {p}: the region holds {mass} (one cell is at most {cell})"
            );
            // A Gaussian of sigma 4 deg: the 90% region is a disc of 8.58 deg, 231 deg2.
            if p == 0.9 {
                let area = r["area_deg2"].as_f64().unwrap();
                assert!((area - 231.3).abs() < 10.0, "{map}: {area} deg2");
            }
        }
    }
    // mocpy reads what it wrote.
    let out = Command::new(python())
        .args([
            "-c",
            &format!("from mocpy import MOC; print(MOC.from_fits('{d}/multi-0.9.fits').sky_fraction * 41252.96125)"),
        ])
        .output()
        .unwrap();
    let area: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!((area - 231.3).abs() < 10.0, "{area}");
}

#[test]
fn what_is_not_a_sky_map_is_refused_with_what_was_expected() {
    let dir = tempdir();
    let bad = dir.path().join("bad.fits");
    std::fs::write(&bad, "hello").unwrap();
    let out = dir.path().join("out.fits");
    let r = run([
        "moc",
        "from-skymap",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let e = r.one_line_error(1);
    assert!(e.contains("expected a HEALPix sky map"), "{e}");
    assert!(!out.exists(), "nothing is written");
    let r = run([
        "moc",
        "from-skymap",
        bad.to_str().unwrap(),
        "--credible",
        "1.5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(r.one_line_error(2).contains("--credible 1.5"));
}
