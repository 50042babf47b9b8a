//! `filter run --filters FILE` as a node that follows its file: filters added, changed
//! and removed during the night, the others never pausing, nothing lost or duplicated.

use std::collections::HashMap;
use std::time::Duration;

use crate::procs::{cmd, create_with, ids, send_file, spawn, stderr_of};
use crate::support::*;

fn visit(dir: &std::path::Path, name: &str, night: &str, seed: &str) -> std::path::PathBuf {
    let f = dir.join(format!("{name}.avro"));
    run([
        "produce",
        "--night",
        night,
        "--seed",
        seed,
        "--visits",
        "1",
        "--alerts-per-visit",
        "60",
        "--cutout-size",
        "4",
        "--out",
        f.to_str().unwrap(),
    ])
    .ok();
    f
}

/// A node following `file`, reading `topic` as `group`; its stderr is `node` in `dir`.
fn node(
    b: &str,
    file: &std::path::Path,
    topic: &str,
    group: &str,
    dir: &std::path::Path,
) -> std::process::Child {
    let file = file.to_str().unwrap();
    let args = [
        "filter",
        "run",
        "--filters",
        file,
        "--from",
        topic,
        "--group",
        group,
    ];
    spawn(cmd(b, &args), dir, "node")
}

/// As on a live night: records stamped as they are sent ("now" is a time).
fn send(b: &str, file: &std::path::Path, topic: &str) {
    send_file(b, file, topic, &["--timestamp", "now"]);
}

const BRIGHT: &str =
    "[[filter]]\nname = \"n22-bright\"\nexpr = '.diaSource.snr > 20'\nmax_per_visit = 0\n";
const FAINT: &str =
    "\n[[filter]]\nname = \"n22-faint\"\nexpr = '.diaSource.snr <= 20'\nmax_per_visit = 7\n";
/// Two filters from now: one capped per visit; one whose "visit" is the whole input
/// (a constant visit key), whose 3 were used up before it was added.
const NOW: &str = "\n[[filter]]\nname = \"n22-now\"\nexpr = 'true'\nmax_per_visit = 3\nstart = \"now\"\n\n[[filter]]\nname = \"n22-now-once\"\nexpr = 'true'\nmax_per_visit = 3\nvisit_key = '\"all\"'\nstart = \"now\"\n";

/// What a fresh run of one filter over the whole input gives (diaSourceId → times).
fn fresh(b: &str, name: &str, expr: &str, cap: &str) -> HashMap<i64, usize> {
    let to = format!("{name}-fresh");
    let r: Run = cmd(
        b,
        &[
            "filter",
            "run",
            "--name",
            &to,
            "--expr",
            expr,
            "--max-per-visit",
            cap,
            "--from",
            "in22",
            "-e",
        ],
    )
    .output()
    .unwrap()
    .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    ids(b, &to, &[])
}

/// A filter added to a running node mid-night gives what a fresh run over the same
/// input gives; one starting "now" sends only what passed after it was added, its
/// visit capped as if it had run all along; a broken file changes nothing (one line);
/// a removed filter stops; and the filter that ran all along has no gap and no
/// duplicate (counted).
#[test]
fn filters_added_and_removed_while_a_node_runs_lose_and_duplicate_nothing() {
    let b = broker_or_return!();
    let dir = tempdir();
    let d = dir.path();
    let v: Vec<_> = (1..=4)
        .map(|i| {
            visit(
                d,
                &format!("v{i}"),
                &format!("2024-05-0{i}"),
                &format!("22{i}"),
            )
        })
        .collect();
    // One partition: "the first 7 of a visit" is then the same in every run (on two,
    // it depends on how the reads of the partitions interleave).
    create_with(&b, "in22", 1);
    let file = d.join("filters.toml");
    std::fs::write(&file, BRIGHT).unwrap();
    let mut node = node(&b, &file, "in22", "g22", d);
    let total = |t: &str| ids(&b, t, &["--timeout", "3s"]).values().sum::<usize>();
    let bright_in = |files: &[&std::path::PathBuf]| -> usize {
        files
            .iter()
            .map(|f| {
                run(["tail", "--file", f.to_str().unwrap()])
                    .json_lines()
                    .iter()
                    .filter(|a| a["diaSource"]["snr"].as_f64().unwrap() > 20.0)
                    .count()
            })
            .sum()
    };
    // What the faint filter passes of some visit files: at most 7 of each visit.
    let faint_in = |files: &[&std::path::PathBuf]| -> usize {
        files
            .iter()
            .map(|f| {
                run(["tail", "--file", f.to_str().unwrap()])
                    .json_lines()
                    .iter()
                    .filter(|a| a["diaSource"]["snr"].as_f64().unwrap() <= 20.0)
                    .count()
                    .min(7)
            })
            .sum()
    };
    let faint_want = faint_in(&[&v[0], &v[1], &v[2]]);
    send(&b, &v[0], "in22");
    let want1 = bright_in(&[&v[0]]);
    wait_until("visit 1 through n22-bright", 60, || {
        total("n22-bright") == want1
    });
    // Added: a filter from the night's beginning (the default).
    std::fs::write(&file, format!("{BRIGHT}{FAINT}")).unwrap();
    wait_until("the node to start n22-faint", 30, || {
        stderr_of(d, "node").contains("starting n22-faint from the beginning of the input")
    });
    send(&b, &v[1], "in22");
    let want2 = bright_in(&[&v[0], &v[1]]);
    wait_until("visit 2 through n22-bright", 60, || {
        total("n22-bright") == want2
    });
    let faint_2 = faint_in(&[&v[0], &v[1]]);
    wait_until("n22-faint over visits 1 and 2", 60, || {
        total("n22-faint") == faint_2
    });
    // Broken: nothing changes, one line says why.
    std::fs::write(&file, format!("{BRIGHT}{FAINT}[[filter]\n")).unwrap();
    wait_until("the node to refuse the broken file", 30, || {
        stderr_of(d, "node").contains("does not parse")
    });
    // Added: a filter from now.
    std::fs::write(&file, format!("{BRIGHT}{FAINT}{NOW}")).unwrap();
    wait_until("the node to start n22-now", 30, || {
        stderr_of(d, "node").contains("starting n22-now, n22-now-once from 20")
    });
    std::thread::sleep(Duration::from_millis(1500));
    send(&b, &v[2], "in22");
    let want3 = bright_in(&[&v[0], &v[1], &v[2]]);
    wait_until("visit 3 through n22-bright", 60, || {
        total("n22-bright") == want3
    });
    wait_until("n22-faint over visits 1 to 3", 60, || {
        total("n22-faint") == faint_want
    });
    wait_until("n22-now over visit 3", 60, || total("n22-now") == 3);
    // Removed: n22-faint stops; the others go on.
    std::fs::write(&file, format!("{BRIGHT}{NOW}")).unwrap();
    wait_until("the node to stop n22-faint", 30, || {
        stderr_of(d, "node").contains("filter n22-faint stopped: it left the filters file")
    });
    send(&b, &v[3], "in22");
    let want4 = bright_in(&[&v[0], &v[1], &v[2], &v[3]]);
    wait_until("visit 4 through n22-bright", 60, || {
        total("n22-bright") == want4
    });
    wait_until("n22-now over visits 3 and 4", 60, || total("n22-now") == 6);
    std::thread::sleep(Duration::from_secs(2));
    terminate(&mut node);
    let err = stderr_of(d, "node");

    // The filter that ran all along: every passing alert once, as a fresh run.
    let bright = ids(&b, "n22-bright", &[]);
    let bright_fresh = fresh(&b, "n22-bright", ".diaSource.snr > 20", "0");
    assert_eq!(bright.values().sum::<usize>(), want4, "{err}");
    assert_eq!(bright, bright_fresh, "no gap, no duplicate");
    assert!(bright.values().all(|&n| n == 1));
    // The added one: what a fresh run over the same input (visits 1 to 3) gives.
    let faint = ids(&b, "n22-faint", &[]);
    let faint_fresh = fresh(&b, "n22-faint", ".diaSource.snr <= 20", "7");
    let fresh_1_to_3: HashMap<i64, usize> = {
        let later: std::collections::HashSet<i64> = run(["tail", "--file", v[3].to_str().unwrap()])
            .json_lines()
            .iter()
            .map(|a| a["diaSourceId"].as_i64().unwrap())
            .collect();
        faint_fresh
            .into_iter()
            .filter(|(id, _)| !later.contains(id))
            .collect()
    };
    assert_eq!(faint.values().sum::<usize>(), faint_want, "{err}");
    assert_eq!(faint, fresh_1_to_3);
    // The ones from now: three of visit 3 and three of visit 4, none of the visits
    // before they were added; and none at all for the one whose cap of 3 for the whole
    // input was used up before it was added (capped as if it had run all along).
    let now = ids(&b, "n22-now", &[]);
    let of = |f: &std::path::PathBuf| -> std::collections::HashSet<i64> {
        run(["tail", "--file", f.to_str().unwrap()])
            .json_lines()
            .iter()
            .map(|a| a["diaSourceId"].as_i64().unwrap())
            .collect()
    };
    let (s3, s4) = (of(&v[2]), of(&v[3]));
    assert_eq!(now.values().sum::<usize>(), 6, "{err}");
    assert_eq!(now.keys().filter(|id| s3.contains(id)).count(), 3);
    assert_eq!(now.keys().filter(|id| s4.contains(id)).count(), 3);
    assert_eq!(total("n22-now-once"), 0, "{err}");
    assert_eq!(
        err.lines().filter(|l| l.contains("does not parse")).count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("filter n22-faint: ")
            && err.contains("DISABLED: removed from the filters file"),
        "{err}"
    );
}

/// A filters file rewritten in steps (truncated and written again, a part of it and
/// then all of it, over and over for seconds) is never acted on halfway: the node
/// reads it only once it has settled. Before, a node that looked between the steps
/// stopped the filter missing from the part, and started it again afresh (duplicates).
#[test]
fn a_filters_file_met_halfway_through_its_writing_changes_nothing() {
    let b = broker_or_return!();
    let dir = tempdir();
    let d = dir.path();
    let v1 = visit(d, "w1", "2024-05-01", "231");
    let v2 = visit(d, "w2", "2024-05-02", "232");
    create_with(&b, "in23", 1);
    let a = "[[filter]]\nname = \"n23-a\"\nexpr = '.diaSource.snr > 20'\nmax_per_visit = 0\n";
    let both = format!(
        "{a}\n[[filter]]\nname = \"n23-b\"\nexpr = '.diaSource.snr <= 20'\nmax_per_visit = 0\n"
    );
    let file = d.join("filters.toml");
    std::fs::write(&file, &both).unwrap();
    let mut node = node(&b, &file, "in23", "g23", d);
    let snrs = |files: &[&std::path::PathBuf]| -> Vec<f64> {
        files
            .iter()
            .flat_map(|f| run(["tail", "--file", f.to_str().unwrap()]).json_lines())
            .map(|a| a["diaSource"]["snr"].as_f64().unwrap())
            .collect()
    };
    let total = |t: &str| ids(&b, t, &["--timeout", "3s"]).values().sum::<usize>();
    send(&b, &v1, "in23");
    let s1 = snrs(&[&v1]);
    let (a1, b1) = (
        s1.iter().filter(|s| **s > 20.0).count(),
        s1.iter().filter(|s| **s <= 20.0).count(),
    );
    wait_until("visit 1 through both filters", 60, || {
        total("n23-a") == a1 && total("n23-b") == b1
    });
    // Six seconds of a writer at work: the node looks about six times.
    let until = std::time::Instant::now() + Duration::from_secs(6);
    while std::time::Instant::now() < until {
        std::fs::write(&file, a).unwrap();
        std::thread::sleep(Duration::from_millis(40));
        std::fs::write(&file, &both).unwrap();
        std::thread::sleep(Duration::from_millis(40));
    }
    std::thread::sleep(Duration::from_millis(1500));
    send(&b, &v2, "in23");
    let s2 = snrs(&[&v1, &v2]);
    let (a2, b2) = (
        s2.iter().filter(|s| **s > 20.0).count(),
        s2.iter().filter(|s| **s <= 20.0).count(),
    );
    wait_until("visit 2 through both filters", 60, || {
        total("n23-a") == a2 && total("n23-b") >= b2
    });
    std::thread::sleep(Duration::from_secs(1));
    terminate(&mut node);
    let err = stderr_of(d, "node");
    for said in ["stopped", "starting", "does not parse"] {
        assert!(
            !err.contains(said),
            "the node acted on a half-written file: {err}"
        );
    }
    let out_b = ids(&b, "n23-b", &[]);
    assert_eq!(out_b.values().sum::<usize>(), b2, "{err}");
    assert!(out_b.values().all(|&n| n == 1), "no duplicate: {err}");
}
