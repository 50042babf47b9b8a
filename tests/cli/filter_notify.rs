//! Notifications against real local servers: a webhook that answers 429 (with
//! Retry-After) and 500 before it accepts, a rate-limited one whose excess goes into
//! digests, a user's program reading lines, and a webhook that is down for a whole run.
//! Counted: in, passed, delivered, duplicated; nothing lost.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::procs::{cmd, create, send_file};
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
    send_file(&b, &visit, "in23n", &[]);

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

/// E-mail through an SMTP server (aiosmtpd), each message carrying the alert's picture
/// as a PNG attachment; a program started once per alert gets the picture's path.
#[test]
fn e_mail_and_programs_get_each_alert_with_its_picture() {
    use base64::Engine;
    let b = broker_or_return!();
    let dir = tempdir();
    let d = dir.path();
    let visit = d.join("v.avro");
    run([
        "produce",
        "--night",
        "2024-06-02",
        "--seed",
        "24",
        "--visits",
        "1",
        "--alerts-per-visit",
        "20",
        "--cutout-size",
        "16",
        "--out",
        visit.to_str().unwrap(),
    ])
    .ok();
    let passing: BTreeSet<i64> = run(["tail", "--file", visit.to_str().unwrap()])
        .json_lines()
        .iter()
        .filter(|a| a["diaSource"]["snr"].as_f64().unwrap() > 30.0)
        .map(|a| a["diaSourceId"].as_i64().unwrap())
        .collect();
    assert!(!passing.is_empty());
    create(&b, "in24n");
    send_file(&b, &visit, "in24n", &[]);
    let mail = d.join("mail");
    std::fs::create_dir_all(&mail).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/py/smtp.py");
    let mut smtp = Command::new(python())
        .arg(script)
        .arg(&mail)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (scripts/install-test-deps)");
    let mut line = String::new();
    std::io::BufReader::new(smtp.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().parse().expect("the SMTP server's port");
    let got = d.join("exec.jsonl");
    let sink = d.join("sink.py");
    std::fs::write(
        &sink,
        format!(
            "import sys\nwith open({:?}, 'a') as f:\n    f.write(sys.stdin.read())\n",
            got.to_str().unwrap()
        ),
    )
    .unwrap();
    let toml = d.join("filters.toml");
    std::fs::write(
        &toml,
        format!(
            "[[filter]]\nname = \"n24-mail\"\nexpr = '.diaSource.snr > 30'\nmax_per_visit = 0\n\n\
             [[filter.notify]]\nemail = [\"astronomer@example.org\"]\nsmtp = \"127.0.0.1:{port}\"\npicture = true\n\n\
             [[filter.notify]]\nexec = [{:?}, {:?}]\npicture = true\n",
            python(),
            sink.to_str().unwrap()
        ),
    )
    .unwrap();
    let r = run_filters(&b, &toml, "in24n", "g24n");
    let _ = smtp.kill();
    let _ = smtp.wait();
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Every passing alert once by e-mail, its picture attached.
    let mut mailed = BTreeMap::new();
    let id_re = regex::Regex::new(r"diaSource (\d+)").unwrap();
    for e in std::fs::read_dir(&mail).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let subject = text
            .lines()
            .find(|l| l.starts_with("Subject: "))
            .unwrap()
            .to_string();
        let id: i64 = id_re.captures(&subject).unwrap()[1].parse().unwrap();
        *mailed.entry(id).or_insert(0) += 1;
        let b64: String = text
            .split("Content-Disposition: attachment; filename=\"alert.png\"")
            .nth(1)
            .expect("a PNG attachment")
            .lines()
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.starts_with("--"))
            .map(str::trim)
            .collect();
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{subject}");
    }
    assert_eq!(mailed.keys().copied().collect::<BTreeSet<_>>(), passing);
    assert!(mailed.values().all(|&n| n == 1), "{mailed:?}");
    // The program got each alert once, with a picture it can open.
    let text = std::fs::read_to_string(&got).unwrap();
    let mut seen = BTreeSet::new();
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(seen.insert(v["alert"]["diaSourceId"].as_i64().unwrap()));
        let png = std::fs::read(v["picture"].as_str().unwrap()).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
    assert_eq!(seen, passing);
}
