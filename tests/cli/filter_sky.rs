//! The filter language's sky: watchlists, MOCs and the astronomy functions, each held
//! against an independent reference (tests/cli/py/sky_reference.py: astropy, healpy,
//! numpy; mocpy writes the MOCs as users' tools do), through `alertctl filter eval`,
//! which compiles an expression exactly as a filter's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::support::{python, run, tempdir, wait_until};

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

/// The visit file `produce` makes for a night and seed, and its alerts' JSON views.
fn visit_file(
    dir: &Path,
    name: &str,
    night: &str,
    seed: &str,
) -> (std::path::PathBuf, Vec<serde_json::Value>) {
    let f = dir.join(format!("{name}.avro"));
    run([
        "produce",
        "--night",
        night,
        "--seed",
        seed,
        "--visits",
        "2",
        "--alerts-per-visit",
        "30",
        "--cutout-size",
        "4",
        "--out",
        f.to_str().unwrap(),
    ])
    .ok();
    let views = run(["tail", "--file", f.to_str().unwrap()]).json_lines();
    (f, views)
}

/// A watchlist line for an alert: its own position, radius 1".
fn cone_line(v: &serde_json::Value, name: &str) -> String {
    format!(
        "{},{},{name},1\n",
        v["diaSource"]["ra"], v["diaSource"]["dec"]
    )
}

fn source_id(v: &serde_json::Value) -> i64 {
    v["diaSource"]["diaSourceId"].as_i64().unwrap()
}

/// A past night on a long-lived topic, re-run with a watchlist (the backfill that times
/// out on Lasair): exactly that night's watched alerts come out, each carrying why it
/// passed in its headers (the filter, the nearest entry and its separation, reasons).
#[test]
fn a_past_night_is_backfilled_with_a_watchlist_and_says_why_in_headers() {
    use crate::support::with_config;
    let b = broker_or_return!();
    let dir = tempdir();
    let config = crate::support::per_major_config(dir.path(), &b, "t21");
    let today = (chrono::Utc::now() - chrono::Duration::hours(12)).date_naive();
    let nights: Vec<String> = (5..=7)
        .rev()
        .map(|k| (today - chrono::Duration::days(k)).to_string())
        .collect();
    let mut watch = String::from("ra,dec,name,radius\n");
    let mut want = BTreeSet::new();
    for (i, n) in nights.iter().enumerate() {
        // A seed per night: the generator places a seed's alerts at the same positions,
        // and each night's watched alerts must be told apart by position.
        let seed = format!("21{i}");
        let (_, views) = visit_file(dir.path(), &format!("n{i}"), n, &seed);
        for (k, v) in views.iter().enumerate().filter(|(k, _)| k % 20 == 3) {
            watch.push_str(&cone_line(v, &format!("n{i}-{k}")));
            if i == 1 {
                want.insert(source_id(v));
            }
        }
        // The same alerts, generated into the night's window of the long-lived topic.
        let r = with_config(
            &config,
            &[
                "produce",
                "--night",
                n,
                "--seed",
                &seed,
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
    assert_eq!(want.len(), 3);
    std::fs::write(dir.path().join("watch.csv"), watch).unwrap();
    std::fs::write(
        dir.path().join("science.toml"),
        "[watchlists]\nmine = \"watch.csv\"\n\n[[filter]]\nname = \"t21-watched\"\nexpr = 'watchlist(\"mine\") | length > 0'\nmax_per_visit = 0\nreasons = { snr = \".diaSource.snr\", detections = \"n_detections\" }\n",
    )
    .unwrap();
    let toml = dir.path().join("science.toml");
    let r = with_config(
        &config,
        &[
            "filter",
            "run",
            "--filters",
            toml.to_str().unwrap(),
            "--night",
            &nights[1],
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("filter t21-watched: 60 seen, 3 passed"),
        "{}",
        r.stderr
    );
    let out = with_config(
        &config,
        &[
            "tail",
            "--from",
            "t21-watched",
            "-e",
            "--format",
            "envelope",
        ],
    )
    .json_lines();
    let got: BTreeSet<i64> = out.iter().map(|e| source_id(&e["value"])).collect();
    assert_eq!(got, want);
    for e in &out {
        let h = &e["headers"];
        assert_eq!(h["alertctl-filter"], "t21-watched", "{h}");
        assert!(
            h["alertctl-watchlist:mine"]
                .as_str()
                .unwrap()
                .starts_with("n1-"),
            "{h}"
        );
        let sep: f64 = h["alertctl-watchlist-sep:mine"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(sep < 1e-6, "{h}");
        let snr: f64 = h["alertctl-reason:snr"].as_str().unwrap().parse().unwrap();
        assert!(
            (snr - e["value"]["diaSource"]["snr"].as_f64().unwrap()).abs()
                < 1e-3 * snr.abs().max(1.0),
            "{h}"
        );
        let det: usize = h["alertctl-reason:detections"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let prv = e["value"]["prvDiaSources"].as_array().map_or(0, Vec::len);
        assert_eq!(det, 1 + prv, "{h}");
    }
}

/// A watchlist another process rewrites while a filter runs: the new list is used for
/// the next alerts, a broken one leaves the old list in force (said once, naming the
/// line), and no alert is lost or matched twice (counted).
#[test]
fn a_watchlist_changed_while_filtering_is_reloaded_and_a_broken_one_kept() {
    use crate::procs::{cmd, count, create, spawn, stderr_of};
    let b = broker_or_return!();
    let dir = tempdir();
    let d = dir.path();
    let (v1, a1) = visit_file(d, "v1", "2024-05-01", "1");
    let (v2, a2) = visit_file(d, "v2", "2024-05-02", "2");
    let watch = d.join("watch.csv");
    let lines = |alerts: &[serde_json::Value], every: usize, tag: &str| -> String {
        alerts
            .iter()
            .enumerate()
            .filter(|(k, _)| k % every == 0)
            .map(|(k, v)| cone_line(v, &format!("{tag}{k}")))
            .collect()
    };
    std::fs::write(&watch, lines(&a1, 20, "a")).unwrap(); // 3 of visit file 1
    create(&b, "in21");
    let mut f = spawn(
        cmd(
            &b,
            &[
                "filter",
                "run",
                "--from",
                "in21",
                "--group",
                "g21",
                "--name",
                "out21",
                "--expr",
                "watchlist(\"w\") | length > 0",
                "--max-per-visit",
                "0",
                "--watchlist",
                &format!("w={}", watch.display()),
            ],
        ),
        d,
        "filter",
    );
    let send = |file: &std::path::Path| crate::procs::send_file(&b, file, "in21", &[]);
    let outputs = || count(&b, "out21", &["--timeout", "3s"]);
    send(&v1);
    wait_until("visit file 1's 3 matches", 60, || outputs() == 3);
    // Broken: the old list stays in force for visit file 1 sent again.
    std::fs::write(&watch, format!("{}1,95,bad,1\n", lines(&a2, 15, "b"))).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1200));
    send(&v1);
    wait_until("the old list's 3 more matches", 60, || outputs() == 6);
    // Fixed: visit file 2's 4 entries from the next alerts on.
    std::fs::write(&watch, lines(&a2, 15, "b")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1200));
    send(&v2);
    wait_until("visit file 2's 4 matches", 60, || outputs() == 10);
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(outputs(), 10, "nothing more, nothing twice");
    crate::support::terminate(&mut f);
    let err = stderr_of(d, "filter");
    let broken: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("does not load"))
        .collect();
    assert_eq!(broken.len(), 1, "{err}");
    assert!(
        broken[0].contains("line 5") && broken[0].contains("dec 95"),
        "{err}"
    );
    assert_eq!(
        err.lines()
            .filter(|l| l.contains("reloaded, 4 cones"))
            .count(),
        1,
        "{err}"
    );
}
