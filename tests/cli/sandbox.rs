//! The sandbox, the standard test set's documented counts, and the README walkthrough.

use std::path::Path;
use std::process::Command;

use crate::support::*;

/// Every row of sample-data/README.md's table: the filter passes that many alerts of
/// the standard test night, uncapped and with the default cap.
#[test]
fn the_standard_test_set_has_the_documented_counts() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/README.md"),
    )
    .unwrap();
    let rows: Vec<(String, usize, usize)> = readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let l = l.replace("\\|", "\u{1}");
            let cells: Vec<&str> = l
                .split('|')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            let expr = cells[0].trim_matches('`').replace('\u{1}', "|");
            (expr, cells[1].parse().unwrap(), cells[2].parse().unwrap())
        })
        .collect();
    assert!(rows.len() >= 6, "{rows:?}");
    let dir = tempdir();
    let file = dir.path().join("standard.avro");
    // The documented command, on another night: the counts do not depend on it.
    run([
        "produce",
        "--seed",
        "1",
        "--visits",
        "5",
        "--alerts-per-visit",
        "500",
        "--cutout-size",
        "30",
        "--night",
        "2031-06-15",
        "--out",
        file.to_str().unwrap(),
    ])
    .ok();
    for (expr, uncapped, capped) in rows {
        let count = |extra: &[&str]| {
            let mut args = vec![
                "filter",
                "run",
                "--name",
                "check",
                "--expr",
                expr.as_str(),
                "--file",
                file.to_str().unwrap(),
            ];
            args.extend_from_slice(extra);
            run(&args).json_lines().len()
        };
        assert_eq!(count(&["--max-per-visit", "0"]), uncapped, "{expr}");
        assert_eq!(count(&[]), capped, "{expr} with the default cap");
    }
}

/// Brings a test's sandbox down when the test ends, passed or failed.
struct Down(std::path::PathBuf);

impl Drop for Down {
    fn drop(&mut self) {
        let _ = alertctl::sandbox::down(&self.0);
    }
}

fn sandbox_processes(dir: &Path) -> Option<(u32, u32, String, String)> {
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sandbox.json")).ok()?).ok()?;
    Some((
        state["broker_pid"].as_u64()? as u32,
        state["registry_pid"].as_u64()? as u32,
        state["brokers"].as_str()?.to_string(),
        state["registry"]
            .as_str()?
            .trim_start_matches("http://")
            .to_string(),
    ))
}

/// `sandbox up`, then `tail -e` of tonight's topic shows the test night; `sandbox down`
/// leaves no process and no listening port.
#[test]
fn sandbox_up_tail_down() {
    broker(); // installed, or the test fails
    let dir = tempdir();
    let d = dir.path().join("sbx");
    let _down = Down(d.clone());
    let trio = official_trio();
    let r = run([
        "sandbox",
        "up",
        "--dir",
        d.to_str().unwrap(),
        "--visits",
        "2",
        "--alerts-per-visit",
        "40",
        "--schema-dir",
        trio.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("registered 3 schema versions"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("alertctl tail --night today"),
        "{}",
        r.stdout
    );
    let (bpid, rpid, brokers, registry) = sandbox_processes(&d).expect("state recorded");
    let again = run(["sandbox", "up", "--dir", d.to_str().unwrap()]).one_line_error(1);
    assert!(again.contains("already up"), "{again}");
    let tonight = alertctl::night::topic_name(alertctl::night::day_obs(chrono::Utc::now()));
    let views = alertctl()
        .args(["tail", &tonight, "-e", "-b", &brokers])
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(Run::from(views).json_lines().len(), 80);
    let ids = subject_versions(&format!("http://{registry}"), "alert-packet");
    assert_eq!(
        ids,
        vec![1, 900, 1000, 1100],
        "the sample schema and the Rubin schemas it was given"
    );
    let status = run(["sandbox", "status", "--dir", d.to_str().unwrap()]).ok();
    assert!(
        status.contains("running") && status.contains("80 alerts"),
        "{status}"
    );
    let r = run(["sandbox", "down", "--dir", d.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !alertctl::sandbox::alive(bpid) && !alertctl::sandbox::alive(rpid),
        "processes left"
    );
    assert!(
        !alertctl::sandbox::listening(&brokers) && !alertctl::sandbox::listening(&registry),
        "ports left open"
    );
    assert!(sandbox_processes(&d).is_none());
}

/// Runs the README's `sh` block after `marker` in a fresh directory, with the built
/// alertctl first on PATH and no config file; returns stdout and stderr, failing the
/// test when the block fails.
fn run_readme_block(marker: &str) -> (String, String) {
    broker(); // installed, or the test fails
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find(marker)
        .unwrap_or_else(|| panic!("README has no {marker}"));
    let block = &readme[start..];
    let body = block
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("\n```")
        .next()
        .unwrap();
    assert!(body.contains("sandbox up") && body.contains("sandbox down"));
    let dir = tempdir();
    // As from the clone's directory: the tests' helpers (tests/cli/py) are there.
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
        dir.path().join("tests"),
    )
    .unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_alertctl"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = format!("set -euo pipefail\ntrap 'alertctl sandbox down --dir sandbox >/dev/null 2>&1 || true' ERR\n{body}\n");
    // A walkthrough that waits for something that never comes fails, not hangs.
    let out = Command::new("timeout")
        .args(["600", "bash"])
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env("PATH", path)
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .env_remove("ALERTCTL_BROKERS")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        out.status.success(),
        "the README block {marker} failed:\n{stdout}\n{stderr}"
    );
    assert!(stderr.contains("sandbox stopped"), "{stderr}");
    (stdout, stderr)
}

/// The README's walkthrough, run as written.
#[test]
fn the_readme_walkthrough_runs() {
    let (stdout, _) = run_readme_block("<!-- walkthrough -->");
    assert!(stdout.contains("600 alerts in 3 visits"), "{stdout}");
    assert!(stdout.contains("\"snr\":"), "{stdout}");
    assert!(
        stdout.contains("replay-test") && stdout.contains("bright"),
        "{stdout}"
    );
}

/// The README's science walkthrough, run as written: the five watched sources pass,
/// each saying which entry it matched, at what separation, and the filter's reasons;
/// the field's filter passes some of the night and not all, and says the MOC matched.
#[test]
fn the_readme_science_walkthrough_runs() {
    let (stdout, stderr) = run_readme_block("<!-- science-walkthrough -->");
    assert!(
        stderr.contains("filter watched: 600 seen, 5 passed, 5 emitted"),
        "{stderr}"
    );
    let field: usize = stderr
        .split("filter in-field: 600 seen, ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no in-field count: {stderr}"));
    assert!(field > 0 && field < 600, "{stderr}");
    let headers: Vec<serde_json::Value> = stdout
        .lines()
        .filter(|l| l.starts_with('{') && l.contains("alertctl-filter"))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let watched: Vec<_> = headers
        .iter()
        .filter(|h| h["alertctl-filter"] == "watched")
        .collect();
    let names: std::collections::BTreeSet<&str> = watched
        .iter()
        .map(|h| h["alertctl-watchlist:mine"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["star-0", "star-1", "star-2", "star-3", "star-4"].into(),
        "{stdout}"
    );
    for h in &watched {
        assert_eq!(h["alertctl-watchlist-sep:mine"], "0", "{h}");
        let det: u32 = h["alertctl-reason:detections"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(det >= 1, "{h}");
        let snr: f64 = h["alertctl-reason:snr"].as_str().unwrap().parse().unwrap();
        assert!(snr.is_finite(), "{h}");
    }
    let infield: Vec<_> = headers
        .iter()
        .filter(|h| h["alertctl-filter"] == "in-field")
        .collect();
    assert_eq!(infield.len(), 1, "{stdout}");
    assert_eq!(infield[0]["alertctl-moc:field"], "true", "{stdout}");
}

/// The README's node walkthrough, run as written: a filter added to a running node's
/// file gives what a fresh run gives, and the running filter's program got every alert
/// it passed.
#[test]
fn the_readme_node_walkthrough_runs() {
    // The node's lines are in node.log, which the walkthrough greps to stdout.
    let (stdout, _) = run_readme_block("<!-- node-walkthrough -->");
    assert!(
        stdout.contains("starting faint from the beginning of the input"),
        "{stdout}"
    );
    let num = |text: &str, after: &str| -> usize {
        text.split(after)
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {after:?} in {text}"))
    };
    // Every bright alert of the topic reached both sinks, once each.
    let want = num(&stdout, "\nbright: ");
    assert!(want > 0 && want < 300, "{stdout}");
    assert_eq!(num(&stdout, "in the topic, "), want, "{stdout}");
    assert_eq!(num(&stdout, "handed to tee, "), want, "{stdout}");
    assert!(stdout.contains(&format!("{want} posted")), "{stdout}");
    assert!(stdout.contains("HTTP 429"), "{stdout}");
    assert_eq!(
        stdout
            .matches(&format!("{want} offered, {want} delivered"))
            .count(),
        2,
        "both sinks: {stdout}"
    );
    let faint = num(&stdout, "\nfaint: ");
    assert!(faint > 0, "{stdout}");
    assert_eq!(num(&stdout, "a fresh run: "), faint, "{stdout}");
}

fn decode_png(path: &Path) -> (usize, usize, Vec<u8>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width as usize, info.height as usize, buf)
}

/// `show --png` writes a PNG with the three stamps (each not constant) and a light curve.
#[test]
fn show_draws_three_stamps_and_a_light_curve() {
    let dir = tempdir();
    let file = dir.path().join("n.avro");
    run([
        "produce",
        "--visits",
        "1",
        "--alerts-per-visit",
        "5",
        "--max-history",
        "8",
        "--cutout-size",
        "30",
        "--night",
        "2024-05-01",
        "--seed",
        "4",
        "--out",
        file.to_str().unwrap(),
    ])
    .ok();
    let png_path = dir.path().join("a.png");
    let out = run([
        "show",
        "--file",
        file.to_str().unwrap(),
        "--index",
        "2",
        "--png",
        png_path.to_str().unwrap(),
    ])
    .ok();
    assert!(
        out.contains("diaSourceId") && out.contains("cutoutScience") && out.contains("bytes"),
        "{out}"
    );
    let (w, h, rgb) = decode_png(&png_path);
    // The PNG is the library's picture of that alert (its layout says where things are).
    let view = run([
        "tail",
        "--file",
        file.to_str().unwrap(),
        "--cutouts",
        "keep",
    ])
    .json_lines()
    .swap_remove(2);
    let pic = alertctl::render::picture::alert_view_picture(&view).unwrap();
    assert_eq!((w, h), (pic.width as usize, pic.height as usize));
    assert!(rgb == pic.rgb, "show --png is not the alert's picture");
    let px = |x: i32, y: i32| &rgb[(y as usize * w + x as usize) * 3..][..3];
    let l = &pic.layout;
    assert_eq!((l.stamps.len(), l.colour_bars.len()), (3, 3));
    for (i, s) in l.stamps.iter().enumerate() {
        let values: std::collections::HashSet<u8> = (0..s.h)
            .flat_map(|y| (0..s.w).map(move |x| (s.x + x, s.y + y)))
            .map(|(x, y)| px(x, y)[0])
            .collect();
        assert!(
            values.len() > 10,
            "stamp {i} is (nearly) constant: {} grey levels",
            values.len()
        );
    }
    // The title fits; the light curve has both axes' ticks and its points in band colours.
    assert!(l.title.x + l.title.w < w as i32, "{l:?}");
    let c = l.curve.expect("a light curve");
    assert!(l.flux_ticks.len() >= 3 && !l.mag_ticks.is_empty(), "{l:?}");
    assert!(!l.legend.is_empty());
    let coloured = (c.y..c.y + c.h)
        .flat_map(|y| (c.x..c.x + c.w).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let p = px(x, y);
            p[0] != p[1] || p[1] != p[2]
        });
    assert!(coloured.count() > 50);
    let e = run(["show", "--file", file.to_str().unwrap(), "--index", "99"]).one_line_error(1);
    assert!(e.contains("has no alert 99"), "{e}");
}

/// `show TOPIC@PARTITION:OFFSET` finds the alert on Kafka.
#[test]
fn show_reads_an_alert_from_a_topic() {
    let b = broker();
    let r = kafka_run(
        &b,
        &[
            "produce",
            "--topic",
            "show-test",
            "--alerts-per-visit",
            "4",
            "--partitions",
            "1",
            "--night",
            "2019-09-09",
            "--no-wait",
            "--retention",
            "forever",
            "--cutout-size",
            "8",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let views = kafka_run(&b, &["tail", "--from", "show-test", "-e"]).json_lines();
    let out = kafka_run(&b, &["show", "show-test@0:2"]).ok();
    assert!(out.contains(&views[2]["diaSourceId"].to_string()), "{out}");
    let e = kafka_run(&b, &["show", "show-test@0:99", "--timeout", "2s"]).one_line_error(1);
    assert!(
        e.contains("no record at show-test partition 0 offset 99"),
        "{e}"
    );
}
