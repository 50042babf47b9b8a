//! The filter language's sky: watchlists, MOCs and the astronomy functions, each held
//! against an independent reference (tests/cli/py/sky_reference.py: astropy, healpy,
//! numpy; mocpy writes the MOCs as users' tools do), through `alertctl filter eval`,
//! which compiles an expression exactly as a filter's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::support::{python, run, tempdir};

/// Run the reference script's `cmd` into `dir`.
fn reference(args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/py/sky_reference.py");
    let out = Command::new(python())
        .arg(&script)
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "the reference (astropy, healpy, mocpy, scipy: scripts/install-test-deps) failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn eval(args: &[&str]) -> Vec<serde_json::Value> {
    let mut a = vec!["filter", "eval"];
    a.extend_from_slice(args);
    let r = run(&a);
    assert_eq!(r.code, 0, "filter eval failed:\n{}", r.stderr);
    r.json_lines()
}

#[test]
fn watchlist_matches_astropy_exactly_100k_positions_against_100k_cones() {
    let dir = tempdir();
    let d = dir.path().to_str().unwrap();
    reference(&["watchlist", d, "100000", "100000", "1"]);
    let got = eval(&[
        "--watchlist",
        &format!("w={d}/cones.csv"),
        "--expr",
        "[watchlist(\"w\")[] | .name]",
        "--file",
        &format!("{d}/positions.jsonl"),
    ]);
    assert_eq!(got.len(), 100_000);
    let mut got_pairs = BTreeSet::new();
    for (i, names) in got.iter().enumerate() {
        for n in names.as_array().unwrap() {
            got_pairs.insert((i as u64, n.as_str().unwrap().to_string()));
        }
    }
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{d}/truth.json")).unwrap()).unwrap();
    let want: BTreeSet<(u64, String)> = truth["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_u64().unwrap(), p[1].as_str().unwrap().to_string()))
        .collect();
    let missing: Vec<_> = want.difference(&got_pairs).take(5).collect();
    let extra: Vec<_> = got_pairs.difference(&want).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{} pairs from astropy, {} from alertctl; missing {missing:?}, extra {extra:?}",
        want.len(),
        got_pairs.len()
    );
    // The positions within 1e-6" of a radius: inside on the inside, outside on the outside.
    let edges = truth["edges"].as_array().unwrap();
    let right = edges
        .iter()
        .filter(|e| {
            let pair = (e[0].as_u64().unwrap(), e[1].as_str().unwrap().to_string());
            got_pairs.contains(&pair) == e[2].as_bool().unwrap()
        })
        .count();
    assert_eq!(right, edges.len());
    assert_eq!(edges.len(), 10_000);
    // Far from trivial: more than a million pairs, from cones of 0.5" to 1800".
    assert!(want.len() > 1_000_000, "{}", want.len());
}

#[test]
fn moc_membership_matches_healpy_for_mocpy_files_of_depth_8_to_13() {
    let dir = tempdir();
    let d = dir.path().to_str().unwrap();
    reference(&["moc", d, "100000", "2"]);
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(format!("{d}/cases.json")).unwrap()).unwrap();
    assert_eq!(cases.len(), 12, "depths 8..13, MOC 2.0 and NUNIQ FITS each");
    for c in &cases {
        let name = c["name"].as_str().unwrap();
        let got = eval(&[
            "--moc",
            &format!("m={d}/{name}.fits"),
            "--expr",
            "in_moc(\"m\")",
            "--file",
            &format!("{d}/{name}.jsonl"),
        ]);
        let want = c["inside"].as_array().unwrap();
        assert_eq!(got.len(), want.len());
        let wrong = got.iter().zip(want).filter(|(g, w)| g != w).count();
        let inside = want.iter().filter(|w| w.as_bool().unwrap()).count();
        assert_eq!(
            wrong,
            0,
            "{name}: {wrong} of {} positions differ from healpy",
            want.len()
        );
        assert!(
            inside > 10_000 && inside < 90_000,
            "{name}: {inside} inside"
        );
    }
}

/// Numbers within `tol` (relative, and absolute below 1); longitudes compared modulo 360.
fn close(got: &serde_json::Value, want: &serde_json::Value, tol: f64) -> bool {
    match (got, want) {
        (serde_json::Value::Array(a), serde_json::Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(x, y, tol))
        }
        (serde_json::Value::Number(a), serde_json::Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            (a - b).abs() <= tol * b.abs().max(1.0)
        }
        (a, b) => a == b,
    }
}

fn wrap_lon(got: &mut serde_json::Value, want: &serde_json::Value, i: usize) {
    let (g, w) = (got[i].as_f64().unwrap(), want[i].as_f64().unwrap());
    if (g - w).abs() > 180.0 {
        got[i] = serde_json::json!(if g < w { g + 360.0 } else { g - 360.0 });
    }
}

#[test]
fn astronomy_functions_match_astropy_and_numpy_at_edge_values() {
    let dir = tempdir();
    let d = dir.path().to_str().unwrap();
    reference(&["astro", d]);
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(format!("{d}/astro.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // One run per expression, its inputs as lines.
    let mut by_expr: BTreeMap<String, Vec<&serde_json::Value>> = BTreeMap::new();
    for r in &rows {
        by_expr
            .entry(r["expr"].as_str().unwrap().to_string())
            .or_default()
            .push(r);
    }
    let mut compared = 0;
    for (expr, rs) in &by_expr {
        let input: String = rs.iter().map(|r| format!("{}\n", r["in"])).collect();
        let file = dir.path().join("in.jsonl");
        std::fs::write(&file, input).unwrap();
        let got = eval(&["--expr", expr, "--file", file.to_str().unwrap()]);
        assert_eq!(got.len(), rs.len(), "{expr}");
        for (mut g, r) in got.into_iter().zip(rs) {
            let mut w = r["want"].clone();
            if r["lon_at_pole"].as_bool() == Some(true) {
                // A longitude at a pole is any longitude.
                g = serde_json::json!([g[1], g[3], g[4]]);
                w = serde_json::json!([w[1], w[3], w[4]]);
            } else if r["in"].get("ra").is_some() {
                wrap_lon(&mut g, &w, 0);
                wrap_lon(&mut g, &w, 2);
            }
            let tol = r["tol"].as_f64().unwrap();
            assert!(
                close(&g, &w, tol),
                "{expr} on {}:\n got {g}\nwant {w}",
                r["in"]
            );
            compared += 1;
        }
    }
    assert_eq!(compared, rows.len());
    assert!(compared > 50);
}

#[test]
fn bad_watchlists_and_mocs_get_one_line_naming_the_file_and_line() {
    let dir = tempdir();
    let w = dir.path().join("w.csv");
    std::fs::write(&w, "ra,dec,name\n10,20,a\n10,95,b\n").unwrap();
    let r = run([
        "filter",
        "eval",
        "--watchlist",
        &format!("w={}", w.display()),
        "--expr",
        "watchlist(\"w\")",
    ]);
    let e = r.one_line_error(1);
    assert!(e.contains("w.csv line 3") && e.contains("dec 95"), "{e}");
    // A MOC that is not one says what was expected.
    let m = dir.path().join("m.fits");
    std::fs::write(&m, "not a moc at all").unwrap();
    let r = run([
        "filter",
        "eval",
        "--moc",
        &format!("m={}", m.display()),
        "--expr",
        "in_moc(\"m\")",
    ]);
    let e = r.one_line_error(1);
    assert!(e.contains("expected an IVOA MOC"), "{e}");
    // A name no file declares is refused before any input, with what to do.
    let r = run([
        "filter",
        "run",
        "--name",
        "x",
        "--expr",
        "watchlist(\"tns\") | length > 0",
        "--file",
        "/nonexistent.wire",
    ]);
    let e = r.one_line_error(1);
    assert!(
        e.contains("no watchlist tns is declared") && e.contains("--watchlist tns=FILE"),
        "{e}"
    );
    let r = run(["filter", "eval", "--watchlist", "nonsense", "--expr", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("expected NAME=FILE"), "{}", r.stderr);
}
