//! Filter expressions: every form of an expression gets the same answer (fast path or
//! jq), host functions are refused wherever they appear, a looping filter cannot stop
//! the node, a disabled filter is reported when it happens, and `filter check` finds
//! removed fields and literals of the wrong type.

use serde_json::Value;

use crate::support::*;

/// A small night as a wire file (schema 0.1, built in), and its alerts' JSON view.
fn night(dir: &std::path::Path) -> (String, Vec<Value>) {
    let path = dir.join("night.wire");
    run([
        "produce",
        "--visits",
        "2",
        "--alerts-per-visit",
        "60",
        "--night",
        "2024-05-01",
        "--cutout-size",
        "4",
        "--file-format",
        "wire",
        "--out",
        path.to_str().unwrap(),
    ])
    .ok();
    let views = run(["tail", "--file", path.to_str().unwrap()]).json_lines();
    (path.to_str().unwrap().to_string(), views)
}

fn filter(input: &str, args: &[&str]) -> Run {
    let mut all = vec!["filter", "run", "--file", input];
    all.extend_from_slice(args);
    run(all)
}

/// How many alerts a one-filter run passes (no cap).
fn passes(input: &str, expr: &str) -> usize {
    let r = filter(
        input,
        &["--name", "t", "--expr", expr, "--max-per-visit", "0"],
    );
    assert_eq!(r.code, 0, "{expr}: {}", r.stderr);
    r.json_lines().len()
}

/// The answers do not depend on how the expression reads the alert: interpolation,
/// object construction, variables, user definitions, builtins over objects.
#[test]
fn every_form_of_an_expression_gets_the_same_answer() {
    let dir = tempdir();
    let (input, views) = night(dir.path());
    let band_r = views
        .iter()
        .filter(|v| v["diaSource"]["band"] == "r")
        .count();
    assert!(
        band_r > 0 && band_r < views.len(),
        "a mix of bands: {band_r}"
    );
    for e in [
        ".diaSource.band == \"r\"",
        "\"\\(.diaSource.band)\" == \"r\"",
        ".diaSource | {band} | .band == \"r\"",
        "{b: .diaSource.band} | .b == \"r\"",
        ".diaSource as $s | $s.band == \"r\"",
        ".diaSource as {band: $b} | $b == \"r\"",
        "def band: .diaSource.band; band == \"r\"",
        "def is($x): .diaSource.band == $x; is(\"r\")",
        ".diaSource | to_entries | map(select(.key == \"band\")) | .[0].value == \"r\"",
        "[.diaSource[]] | index(\"r\") != null",
    ] {
        assert_eq!(passes(&input, e), band_r, "{e}");
    }
    let fields = views[0]["diaSource"].as_object().unwrap().len();
    assert_eq!(
        passes(&input, &format!("(.diaSource | length) == {fields}")),
        views.len()
    );
    let with_history = views
        .iter()
        .filter(|v| v["prvDiaSources"].as_array().is_some_and(|a| a.len() > 2))
        .count();
    for e in [
        "(.prvDiaSources | length) > 2",
        "[.prvDiaSources[]?.snr] | length > 2",
        "[.prvDiaSources[]? | keys] | length > 2",
        "reduce .prvDiaSources[]? as $p (0; . + 1) > 2",
    ] {
        assert_eq!(passes(&input, e), with_history, "{e}");
    }
}

/// The host-reaching functions, as each is called.
const HOST: &[&str] = &[
    "env",
    "$ENV",
    "input",
    "[inputs]",
    "halt",
    "halt_error(1)",
    "halt_error",
    "debug",
    "stderr",
    "now",
    "(0 | localtime)",
    "(0 | strflocaltime(\"%Y\"))",
    "input_filename",
    "$__prog_args",
    "get_search_list",
];

fn refused(r: &Run, what: &str) {
    assert!(r.stdout.is_empty(), "{what}: wrote {:?}", r.stdout);
    let e = r.one_line_error(1);
    assert!(e.contains("is not available to filters"), "{what}: {e}");
}

#[test]
fn host_functions_are_refused_in_every_position() {
    let dir = tempdir();
    let (input, _) = night(dir.path());
    for call in HOST {
        for expr in [
            call.to_string(),
            format!("\"\\({call})\" | length > 0"),
            format!("def f: {call}; f"),
            format!("select({call})"),
            format!("[.diaSource] | map({call}) | length > 0"),
        ] {
            let r = filter(&input, &["--name", "x", "--expr", &expr]);
            refused(&r, &expr);
        }
        let r = filter(
            &input,
            &["--name", "x", "--expr", "true", "--rank-by", call],
        );
        refused(&r, &format!("--rank-by {call}"));
        let r = filter(
            &input,
            &["--name", "x", "--expr", "true", "--visit-key", call],
        );
        refused(&r, &format!("--visit-key {call}"));
        let toml = dir.path().join("host.toml");
        std::fs::write(
            &toml,
            format!("[[filter]]\nname = \"fine\"\nexpr = \"true\"\n\n[[filter]]\nname = \"bad\"\nexpr = '{call}'\n"),
        )
        .unwrap();
        let r = filter(&input, &["--filters", toml.to_str().unwrap()]);
        refused(&r, &format!("filters.toml with {call}"));
    }
}

/// A loop beside a good filter is refused when the file is compiled; marked unbounded,
/// it runs under the guard, which ends the process before anything is written.
#[test]
fn a_looping_filter_cannot_stop_the_node() {
    let dir = tempdir();
    let (input, views) = night(dir.path());
    let toml = dir.path().join("loop.toml");
    let file = |extra: &str| {
        std::fs::write(
            &toml,
            format!(
                "[[filter]]\nname = \"all\"\nexpr = \"true\"\nmax_per_visit = 0\n\n[[filter]]\nname = \"loop\"\nexpr = '{extra}'\n"
            ),
        )
        .unwrap();
    };
    for expr in [
        "until(false; .)",
        "[limit(1e9; repeat(1))] | length > 0",
        "def f: f; f",
    ] {
        file(expr);
        let r = filter(&input, &["--filters", toml.to_str().unwrap()]);
        assert!(r.stdout.is_empty(), "{expr}");
        let e = r.one_line_error(1);
        assert!(e.contains("unbounded"), "{expr}: {e}");
    }
    // The good filter alone writes every alert.
    std::fs::write(
        &toml,
        "[[filter]]\nname = \"all\"\nexpr = \"true\"\nmax_per_visit = 0\n",
    )
    .unwrap();
    let r = filter(&input, &["--filters", toml.to_str().unwrap()]);
    assert_eq!(r.json_lines().len(), views.len(), "{}", r.stderr);

    // Marked unbounded: the guard ends the process, naming the filter and the alert.
    let out = dir.path().join("out.wire");
    std::fs::write(
        &toml,
        "[[filter]]\nname = \"loop\"\nexpr = 'until(false; .)'\nunbounded = true\n",
    )
    .unwrap();
    let r = filter(
        &input,
        &[
            "--filters",
            toml.to_str().unwrap(),
            "--hard-time",
            "1s",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let e = r.one_line_error(1);
    assert!(
        e.contains("filter loop ran for more than 1.0 s") && e.contains("record 0"),
        "{e}"
    );
    assert!(!out.exists(), "nothing written");
    std::fs::write(
        &toml,
        "[[filter]]\nname = \"grow\"\nexpr = '[limit(1e9; repeat(1))] | length > 0'\nunbounded = true\n",
    )
    .unwrap();
    let r = filter(
        &input,
        &[
            "--filters",
            toml.to_str().unwrap(),
            "--hard-time",
            "120s",
            "--max-memory",
            "50000000",
        ],
    );
    assert!(r.stdout.is_empty());
    let e = r.one_line_error(1);
    assert!(
        e.contains("filter grow held or asked for") && e.contains("--max-memory"),
        "{e}"
    );
    // One evaluation asking for far too much at once.
    let r = filter(
        &input,
        &[
            "--name",
            "big",
            "--expr",
            "\"x\" * 100000000000 | length > 0",
            "--max-memory",
            "50000000",
        ],
    );
    let e = r.one_line_error(1);
    assert!(e.contains("filter big held or asked for"), "{e}");
}

/// A filter over its budget is reported on stderr when it is disabled, and the others go on.
#[test]
fn a_disabled_filter_is_reported_when_it_happens() {
    let dir = tempdir();
    let (input, views) = night(dir.path());
    let toml = dir.path().join("budget.toml");
    std::fs::write(
        &toml,
        "[[filter]]\nname = \"all\"\nexpr = \"true\"\nmax_per_visit = 0\n\n[[filter]]\nname = \"noisy\"\nexpr = 'range(50) | false'\n",
    )
    .unwrap();
    let r = filter(
        &input,
        &[
            "--filters",
            toml.to_str().unwrap(),
            "--max-outputs",
            "10",
            "--strikes",
            "3",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json_lines().len(), views.len(), "the good filter goes on");
    let lines: Vec<&str> = r.stderr.lines().collect();
    let disabled = lines
        .iter()
        .position(|l| l.contains("filter noisy is disabled"))
        .unwrap_or_else(|| panic!("no notice: {}", r.stderr));
    let summary = lines
        .iter()
        .position(|l| l.starts_with("alertctl: filter noisy:"))
        .expect("summary");
    assert!(
        disabled < summary,
        "reported before the summary:\n{}",
        r.stderr
    );
    assert!(lines[summary].contains("DISABLED"), "{}", lines[summary]);
}

/// `filter check` names a field removed between official versions and a string
/// compared with a number; `filter run` says the same once, at the first alert.
#[test]
fn filter_check_finds_removed_fields_and_wrong_literals() {
    let trio = official_trio();
    let dirs = trio.to_str().unwrap();
    let expr = ".MPCORB != null and .diaSource.snr > 5";
    // 9.0 has MPCORB; 10.0 renamed it mpc_orbits.
    let r = run([
        "filter",
        "check",
        "--expr",
        expr,
        "--schema-dir",
        dirs,
        "--schema-version",
        "9.0",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let r = run([
        "filter",
        "check",
        "--expr",
        expr,
        "--schema-dir",
        dirs,
        "--schema-version",
        "10.0",
        "--format",
        "jsonl",
    ]);
    r.one_line_error(1);
    let f = r.json_lines();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0]["kind"].as_str(), f[0]["path"].as_str()),
        (Some("missing"), Some(".MPCORB"))
    );
    // 7.4 -> 8.0 (PyPI's lsst-alert-packet) removed diaSource.psfRa; through a variable too.
    let pypi = pypi_schema_dir();
    let e = ".diaSource as $s | $s.psfRa > 10";
    let ok = run([
        "filter",
        "check",
        "--expr",
        e,
        "--schema-dir",
        pypi.to_str().unwrap(),
        "--schema-version",
        "7.4",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let bad = run([
        "filter",
        "check",
        "--expr",
        e,
        "--schema-dir",
        pypi.to_str().unwrap(),
        "--schema-version",
        "8.0",
        "--format",
        "jsonl",
    ]);
    assert_eq!(bad.code, 1);
    assert_eq!(bad.json_lines()[0]["path"], ".diaSource.psfRa");
    // A string compared with a number.
    let r = run([
        "filter",
        "check",
        "--expr",
        ".diaSource.band == 5",
        "--format",
        "jsonl",
    ]);
    assert_eq!(r.code, 1);
    let f = r.json_lines();
    assert_eq!(
        (f[0]["kind"].as_str(), f[0]["path"].as_str()),
        (Some("type"), Some(".diaSource.band"))
    );
    // filter run warns once per filter and schema id, at start, and runs.
    let dir = tempdir();
    let file = dir.path().join("n.avro");
    run([
        "produce",
        "--visits",
        "2",
        "--alerts-per-visit",
        "20",
        "--cutout-size",
        "4",
        "--out",
        file.to_str().unwrap(),
    ])
    .ok();
    let r = run([
        "filter",
        "run",
        "--name",
        "b",
        "--expr",
        ".diaSource.band == 5",
        "--max-per-visit",
        "0",
        "--file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches(".diaSource.band (string)").count(),
        1,
        "{}",
        r.stderr
    );
}
