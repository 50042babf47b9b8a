//! Notifications against real local servers: a webhook that answers 429 (with
//! Retry-After) and 500 before it accepts, a rate-limited one whose excess goes into
//! digests, a user's program reading lines, and a webhook that is down for a whole run.
//! Counted: in, passed, delivered, duplicated; nothing lost.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::procs::{cmd, create};
use crate::support::*;

/// A webhook receiver (tests/cli/py/webhook.py) and its port.
fn receiver(out: &Path, n429: u32, n500: u32) -> (Child, u16) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/py/webhook.py");
    let mut c = Command::new(python())
        .arg(script)
        .arg(out)
        .arg(n429.to_string())
        .arg(n500.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 for the webhook receiver");
    let mut line = String::new();
    std::io::BufReader::new(c.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().parse().expect("the receiver's port");
    (c, port)
}

/// The alerts delivered in a file of bodies, each with how many times it came: a JSON
/// body's `alert.diaSourceId`, a digest's ids, or the ids in a chat message's text.
fn ids_in(path: &Path) -> BTreeMap<i64, usize> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let re = regex::Regex::new(r"diaSource (\d+)").unwrap();
    let mut m = BTreeMap::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let ids: Vec<i64> = if let Some(id) = v["alert"]["diaSourceId"].as_i64() {
            vec![id]
        } else if let Some(d) = v["digest"].as_array() {
            d.iter()
                .map(|k| k["diaSourceId"].as_i64().unwrap())
                .collect()
        } else {
            re.captures_iter(v["text"].as_str().unwrap())
                .map(|c| c[1].parse().unwrap())
                .collect()
        };
        for id in ids {
            *m.entry(id).or_default() += 1;
        }
    }
    m
}

fn run_filters(b: &str, toml: &Path, topic: &str, group: &str) -> Run {
    cmd(
        b,
        &[
            "filter",
            "run",
            "--filters",
            toml.to_str().unwrap(),
            "--from",
            topic,
            "--group",
            group,
            "-e",
        ],
    )
    .output()
    .unwrap()
    .into()
}

#[test]
fn every_passing_alert_reaches_every_sink_through_429s_500s_limits_and_a_dead_webhook() {
    let b = broker_or_return!();
    let dir = tempdir();
    let d = dir.path();
    let visit = d.join("v.avro");
    run([
        "produce",
        "--night",
        "2024-06-01",
        "--seed",
        "23",
        "--visits",
        "2",
        "--alerts-per-visit",
        "30",
        "--cutout-size",
        "4",
        "--out",
        visit.to_str().unwrap(),
    ])
    .ok();
    let alerts = run(["tail", "--file", visit.to_str().unwrap()]).json_lines();
    let passing: BTreeSet<i64> = alerts
        .iter()
        .filter(|a| a["diaSource"]["snr"].as_f64().unwrap() > 20.0)
        .map(|a| a["diaSourceId"].as_i64().unwrap())
        .collect();
    assert!(passing.len() > 10, "{}", passing.len());
    create(&b, "in23n");
    let r: Run = cmd(
        &b,
        &[
            "produce",
            "--file",
            visit.to_str().unwrap(),
            "--topic",
            "in23n",
            "--no-wait",
        ],
    )
    .output()
    .unwrap()
    .into();
    assert_eq!(r.code, 0, "{}", r.stderr);

    let (hook_out, limited_out, lines_out) = (
        d.join("hook.jsonl"),
        d.join("limited.jsonl"),
        d.join("lines.jsonl"),
    );
    let (mut hook, hook_port) = receiver(&hook_out, 2, 1);
    let (mut limited, limited_port) = receiver(&limited_out, 0, 0);
    let sink = d.join("sink.py");
    std::fs::write(
        &sink,
        format!(
            "import sys\nwith open({:?}, 'a') as f:\n    for line in sys.stdin:\n        f.write(line)\n        f.flush()\n",
            lines_out.to_str().unwrap()
        ),
    )
    .unwrap();
    let toml = d.join("filters.toml");
    let filter = |hooks: &str| {
        format!(
            "[[filter]]\nname = \"n23-bright\"\nexpr = '.diaSource.snr > 20'\nmax_per_visit = 0\n{hooks}"
        )
    };
    std::fs::write(
        &toml,
        filter(&format!(
            "[[filter.notify]]\nwebhook = \"http://127.0.0.1:{hook_port}/hook/SECRET-TOKEN-23\"\nlink = \"https://example.org/alert/{{id}}\"\n\n\
             [[filter.notify]]\nwebhook = \"http://127.0.0.1:{limited_port}/slack/SECRET-TOKEN-23\"\nshape = \"slack\"\nper_minute = 4\nwindow = \"2s\"\n\n\
             [[filter.notify]]\nexec = [{:?}, {:?}]\nmode = \"lines\"\n",
            python(),
            sink.to_str().unwrap()
        )),
    )
    .unwrap();
    let r = run_filters(&b, &toml, "in23n", "g23n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let _ = (hook.kill(), limited.kill());
    let (got_hook, got_limited, got_lines) =
        (ids_in(&hook_out), ids_in(&limited_out), ids_in(&lines_out));
    let dup = |m: &BTreeMap<i64, usize>| m.values().map(|n| n - 1).sum::<usize>();
    eprintln!(
        "in {}, passed {}; delivered: webhook {} ({} duplicated), limited {} ({} duplicated), lines {} ({} duplicated)",
        alerts.len(),
        passing.len(),
        got_hook.len(),
        dup(&got_hook),
        got_limited.len(),
        dup(&got_limited),
        got_lines.len(),
        dup(&got_lines)
    );
    for (what, got) in [
        ("webhook", &got_hook),
        ("limited", &got_limited),
        ("lines", &got_lines),
    ] {
        let keys: BTreeSet<i64> = got.keys().copied().collect();
        assert_eq!(keys, passing, "{what}: every passing alert, nothing else");
        assert_eq!(dup(got), 0, "{what}: nothing twice");
    }
    // The limited sink: 4 messages a window at most, the rest in digests.
    let limited_text = std::fs::read_to_string(&limited_out).unwrap();
    let digests = limited_text
        .lines()
        .filter(|l| l.contains("(digest)"))
        .count();
    let singles = limited_text.lines().count() - digests;
    assert!(digests >= 1 && singles < passing.len(), "{limited_text}");
    // The failures were said, and no token appears anywhere.
    assert!(r.stderr.contains("HTTP 429"), "{}", r.stderr);
    assert!(!r.stderr.contains("SECRET-TOKEN"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{} offered, {} delivered",
            passing.len(),
            passing.len()
        )),
        "{}",
        r.stderr
    );

    // A webhook down for a whole run: nothing of it is committed, and the next run of
    // the group (the webhook back) delivers every alert.
    let late_out = d.join("late.jsonl");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // closed again: nobody listens
    std::fs::write(
        &toml,
        filter(&format!(
            "[[filter.notify]]\nwebhook = \"http://127.0.0.1:{port}/down\"\n"
        )),
    )
    .unwrap();
    let r = run_filters(&b, &toml, "in23n", "g23n-down");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("failed"), "{}", r.stderr);
    let (mut late, late_port) = receiver(&late_out, 0, 0);
    std::fs::write(
        &toml,
        filter(&format!(
            "[[filter.notify]]\nwebhook = \"http://127.0.0.1:{late_port}/up\"\n"
        )),
    )
    .unwrap();
    let r = run_filters(&b, &toml, "in23n", "g23n-down");
    let _ = late.kill();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got_late = ids_in(&late_out);
    let keys: BTreeSet<i64> = got_late.keys().copied().collect();
    assert_eq!(
        keys, passing,
        "the alerts the dead webhook missed came again"
    );
}
