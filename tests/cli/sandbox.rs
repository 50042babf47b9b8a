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
                "--input",
                file.to_str().unwrap(),
            ];
            args.extend_from_slice(extra);
            run(&args).json_lines().len()
        };
        assert_eq!(count(&["--max-per-visit", "0"]), uncapped, "{expr}");
        assert_eq!(count(&[]), capped, "{expr} with the default cap");
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
    if broker().is_none() {
        return;
    }
    let dir = tempdir();
    let d = dir.path().join("sbx");
    let r = run([
        "sandbox",
        "up",
        "--dir",
        d.to_str().unwrap(),
        "--visits",
        "2",
        "--alerts-per-visit",
        "40",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
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

/// The README's walkthrough, run as written.
#[test]
fn the_readme_walkthrough_runs() {
    if broker().is_none() {
        return;
    }
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("<!-- walkthrough -->")
        .expect("README has a walkthrough");
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
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env("PATH", path)
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .env_remove("ALERTCTL_BROKERS")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "the walkthrough failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("600 alerts in 3 visits"), "{stdout}");
    assert!(stdout.contains("\"snr\":"), "{stdout}");
    assert!(
        stdout.contains("replay-test") && stdout.contains("bright"),
        "{stdout}"
    );
    assert!(stderr.contains("sandbox stopped"), "{stderr}");
}
