//! `filter run` over Kafka under the failures an operator meets: the broker killed and
//! restarted, a member joining a loaded group, the filter itself killed, the registry
//! gone. "Nothing lost" is a count in each test.

use std::time::Duration;

use crate::procs::*;
use crate::support::*;

#[test]
fn the_broker_killed_and_restarted_mid_filter_loses_nothing() {
    let _ = broker_or_return!();
    let mut br = Broker::start();
    let b = br.addr();
    let dir = tempdir();
    create(&b, "in");
    let mut prod = spawn(producer(&b, "in", 10, 30, "1s", 1), dir.path(), "producer");
    let mut filt = spawn(filter_cmd(&b, "g1", &[]), dir.path(), "filter0");
    wait_until("some outputs", 60, || {
        count(&b, "out", &["--timeout", "3s"]) >= 30
    });
    br.kill9();
    std::thread::sleep(Duration::from_secs(3));
    br.restart();
    assert_eq!(
        wait_exit(&mut prod, 120),
        0,
        "producer: {}",
        stderr_of(dir.path(), "producer")
    );
    let (input, output) = drain(&b, &mut [&mut filt], dir.path());
    assert_eq!(input.len(), 300);
    let dups = nothing_lost(&input, &output);
    assert!(dups <= 500, "{dups} duplicates");
    eprintln!(
        "broker kill mid-filter: {} in, {} out, {dups} duplicates",
        input.len(),
        output.values().sum::<usize>()
    );
}

/// A second member joins while the first is busy with a backlog: the partitions it
/// takes are committed up to what the first member sent before it gives them up, so
/// their new reader sends almost nothing again (under 1%), and nothing is lost.
#[test]
fn a_member_joining_under_load_ends_no_member_and_loses_nothing() {
    let _ = broker_or_return!();
    let br = Broker::start();
    let b = br.addr();
    let dir = tempdir();
    create(&b, "in");
    let mut prod = spawn(
        producer(&b, "in", 60, 100, "200ms", 3),
        dir.path(),
        "producer",
    );
    let mut first = spawn(filter_cmd(&b, "g3", &[]), dir.path(), "filter0");
    wait_until("some outputs", 60, || {
        count(&b, "out", &["--timeout", "3s"]) >= 400
    });
    let mut second = spawn(filter_cmd(&b, "g3", &[]), dir.path(), "filter1");
    assert_eq!(
        wait_exit(&mut prod, 120),
        0,
        "producer: {}",
        stderr_of(dir.path(), "producer")
    );
    let (input, output) = drain(&b, &mut [&mut first, &mut second], dir.path());
    assert_eq!(input.len(), 6000);
    let dups = nothing_lost(&input, &output);
    let first_err = stderr_of(dir.path(), "filter0");
    eprintln!(
        "member joins: {} in, {} out, {dups} duplicates",
        input.len(),
        output.values().sum::<usize>()
    );
    assert!(!first_err.contains("alertctl: error"), "{first_err}");
    assert!(
        first_err.contains("went to another member"),
        "the second member took no partition: {first_err}"
    );
    assert!(dups * 100 < input.len(), "{dups} duplicates");
}

#[test]
fn a_filter_killed_and_restarted_loses_nothing() {
    let _ = broker_or_return!();
    let br = Broker::start();
    let b = br.addr();
    let dir = tempdir();
    create(&b, "in");
    let mut prod = spawn(producer(&b, "in", 10, 30, "1s", 4), dir.path(), "producer");
    let mut filt = spawn(filter_cmd(&b, "g4", &[]), dir.path(), "dead");
    wait_until("some outputs", 60, || {
        count(&b, "out", &["--timeout", "3s"]) >= 30
    });
    let _ = filt.kill(); // SIGKILL: no commit on the way out
    let _ = filt.wait();
    let mut again = spawn(filter_cmd(&b, "g4", &[]), dir.path(), "filter0");
    assert_eq!(
        wait_exit(&mut prod, 120),
        0,
        "producer: {}",
        stderr_of(dir.path(), "producer")
    );
    let (input, output) = drain(&b, &mut [&mut again], dir.path());
    let dups = nothing_lost(&input, &output);
    assert!(dups <= 500, "{dups} duplicates");
    eprintln!(
        "filter SIGKILL: {} in, {} out, {dups} duplicates",
        input.len(),
        output.values().sum::<usize>()
    );
}

/// The registry goes away while alerts of a schema id it alone knows flow: the filter
/// waits (nothing is committed past those records) and goes on when it is back; with a
/// short --retry-for it stops with one line, and a later run finds everything.
#[test]
fn the_registry_gone_while_a_new_schema_flows_loses_nothing() {
    let _ = broker_or_return!();
    let br = Broker::start();
    let b = br.addr();
    let dir = tempdir();
    let mut reg = Registry::start(dir.path().join("registry"));
    let url = reg.url();
    let schemas = official_trio();
    let r = run([
        "schema",
        "import",
        schemas.to_str().unwrap(),
        "--registry",
        &url,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    reg.stop();
    create(&b, "in");
    let produce = |night: &str| {
        let r: Run = cmd(
            &b,
            &[
                "produce",
                "--topic",
                "in",
                "--visits",
                "2",
                "--alerts-per-visit",
                "30",
                "--no-wait",
                "--timestamp",
                "now",
                "--cutout-size",
                "4",
                "--night",
                night,
                "--schema-dir",
                schemas.to_str().unwrap(),
                "--schema-version",
                "11.0",
            ],
        )
        .output()
        .unwrap()
        .into();
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    produce("2024-05-01");
    let cache = dir.path().join("cache");
    // With the registry away and nothing cached: a short --retry-for gives up in one line.
    let r: Run = filter_cmd(&b, "g5", &["--registry", &url, "--retry-for", "3s", "-e"])
        .env("ALERTCTL_CACHE_DIR", &cache)
        .output()
        .unwrap()
        .into();
    let e = r.one_line_error(1);
    assert!(
        e.contains("still failing") && e.contains("nothing from it on was committed"),
        "{e}"
    );
    assert_eq!(count(&b, "out", &["--timeout", "3s"]), 0);
    // A long-running member waits it out.
    let mut filt = spawn(
        {
            let mut c = filter_cmd(&b, "g5", &["--registry", &url]);
            c.env("ALERTCTL_CACHE_DIR", &cache);
            c
        },
        dir.path(),
        "filter0",
    );
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(
        count(&b, "out", &["--timeout", "3s"]),
        0,
        "nothing decodes without the schema"
    );
    reg.restart();
    produce("2024-05-02");
    let (input, output) = drain(&b, &mut [&mut filt], dir.path());
    assert_eq!(input.len(), 120);
    let dups = nothing_lost(&input, &output);
    assert!(dups <= 500, "{dups} duplicates");
    assert!(stderr_of(dir.path(), "filter0").contains("trying again"));
}
