//! The command line every command shares: --file, -o, --format and the value parsers
//! mean one thing everywhere; old spellings work with one deprecation line; usage
//! errors exit 2; a closed pipe ends output quietly; secrets never reach stderr;
//! repeated warnings are summarised.

use crate::support::*;

/// A small wire visit file of `n` alerts (built-in schema).
fn visit_file(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let path = dir.join("night.wire");
    run([
        "produce",
        "--visits",
        "1",
        "--alerts-per-visit",
        &n.to_string(),
        "--cutout-size",
        "0",
        "--file-format",
        "wire",
        "--out",
        path.to_str().unwrap(),
    ])
    .ok();
    path
}

/// Every command that reads a visit file reads it with `--file`.
#[test]
fn every_command_that_reads_a_visit_file_takes_file() {
    let dir = tempdir();
    let f = visit_file(dir.path(), 5);
    let f = f.to_str().unwrap();
    assert_eq!(run(["tail", "--file", f]).json_lines().len(), 5);
    let stats: serde_json::Value =
        serde_json::from_str(&run(["stats", "--file", f, "--format", "json"]).ok()).unwrap();
    assert_eq!(stats["alerts"], 5);
    assert!(run(["show", "--file", f, "--index", "2"])
        .ok()
        .contains("diaSourceId"));
    let passed = run([
        "filter",
        "run",
        "--name",
        "all",
        "--expr",
        "true",
        "--max-per-visit",
        "0",
        "--file",
        f,
    ]);
    assert_eq!(passed.json_lines().len(), 5, "{}", passed.stderr);
    // produce sends a visit file with --file (to Kafka): without brokers it gets as far
    // as asking for them, so --file was accepted.
    let r = alertctl()
        .args(["produce", "--file", f])
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .env_remove("ALERTCTL_BROKERS")
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let r: Run = r.into();
    assert!(
        r.one_line_error(1).contains("no Kafka brokers given"),
        "{}",
        r.stderr
    );
}

/// Old spellings keep working for a release, saying so; a filters file given to
/// `--file` is named for what it is, in one line.
#[test]
fn old_spellings_work_with_a_deprecation_line() {
    let dir = tempdir();
    let f = visit_file(dir.path(), 4);
    let f = f.to_str().unwrap();
    let old = run([
        "filter",
        "run",
        "--name",
        "all",
        "--expr",
        "true",
        "--max-per-visit",
        "0",
        "--input",
        f,
    ]);
    assert_eq!(old.json_lines().len(), 4);
    assert!(
        old.stderr.contains("--input is deprecated"),
        "{}",
        old.stderr
    );
    let toml = dir.path().join("filters.toml");
    std::fs::write(&toml, "[[filter]]\nname = \"a\"\nexpr = \"true\"\n").unwrap();
    let e = run([
        "filter",
        "run",
        "--file",
        toml.to_str().unwrap(),
        "--from",
        "x",
    ])
    .one_line_error(2);
    assert!(e.contains("filters files are now --filters"), "{e}");
    let out = dir.path().join("old.wire");
    let r = run([
        "produce",
        "--format",
        "wire",
        "--alerts-per-visit",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("--file-format"), "{}", r.stderr);
    assert_eq!(
        run(["tail", "--file", out.to_str().unwrap()])
            .json_lines()
            .len(),
        2
    );
    // produce has no offset: -o is not its output file any more.
    assert_eq!(run(["produce", "-o", "x.avro"]).code, 2);
    // --cutouts base64 is keep now: the same bytes, and a line saying so.
    let old = run(["tail", "--file", f, "--cutouts", "base64", "-n", "1"]);
    let new = run(["tail", "--file", f, "--cutouts", "keep", "-n", "1"]);
    assert_eq!(old.stdout, new.stdout);
    assert!(
        old.stderr.contains("--cutouts base64 is deprecated"),
        "{}",
        old.stderr
    );
    assert!(new.stderr.is_empty(), "{}", new.stderr);
}

/// The input is --from in every command that reads a topic; the old spellings (a
/// positional TOPIC, rewind's -t, archive's --to DIR) still work, with one line each.
#[test]
fn the_old_input_spellings_say_so_once() {
    let nowhere = ["-b", "127.0.0.1:1", "--timeout", "500ms"];
    for (args, said) in [
        (vec!["tail", "x", "-e"], "a positional TOPIC is deprecated"),
        (vec!["stats", "x"], "a positional TOPIC is deprecated"),
        (
            vec!["replay", "x", "--to", "y"],
            "a positional TOPIC is deprecated",
        ),
        (
            vec!["rewind", "--group", "g", "-t", "x", "-o", "beginning"],
            "--topic/-t is deprecated",
        ),
        (
            vec!["archive", "--from", "x", "--to", "/tmp/a"],
            "archive --to DIR is deprecated",
        ),
    ] {
        let r = run(args.iter().chain(nowhere.iter()));
        assert_eq!(
            r.stderr.matches("is deprecated").count(),
            1,
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(said), "{args:?}: {}", r.stderr);
        // The command went on with the old spelling's meaning: to the brokers, which
        // are not there.
        assert!(r.stderr.contains("127.0.0.1:1"), "{args:?}: {}", r.stderr);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
    }
}

/// A bad offset, night, time, duration or retention is a usage error (exit 2) in
/// every command that takes one, before anything connects anywhere.
#[test]
fn bad_values_exit_2_everywhere() {
    let cases: &[&[&str]] = &[
        &["tail", "--from", "x", "-o", "sometime"],
        &["tail", "--from", "x", "--offset", "@yesterday-ish"],
        &["tail", "--night", "2024-13-45"],
        &[
            "filter", "run", "--name", "a", "--expr", "true", "--from", "x", "-o", "soon",
        ],
        &["replay", "--from", "x", "--to", "y", "-o", "later"],
        &["replay", "--from", "x", "--to", "y", "--until", "@noon"],
        &["replay", "--from", "x", "--to", "y", "--interval", "fast"],
        &["rewind", "--group", "g", "--night", "someday", "-o", "@-1h"],
        &["rewind", "--group", "g", "--from", "x", "-o", "@whenever"],
        &["stats", "--night", "tomorrow-ish"],
        &["topic", "create", "--night", "yesterday-ish"],
        &["topic", "create", "x", "--retention", "a while"],
        &["produce", "--night", "2024-02-30"],
        &["produce", "--cadence", "-5s"],
        &["produce", "--retention", "long"],
        &[
            "mirror",
            "--source-brokers",
            "a:1",
            "--topics",
            "x",
            "--retry-for",
            "ages",
        ],
        &["lag", "--timeout", "1 fortnight"],
        &[
            "filter",
            "run",
            "--name",
            "a",
            "--expr",
            "true",
            "--from",
            "x",
            "--visit-grace",
            "2 s",
        ],
    ];
    for args in cases {
        let r = run(*args);
        assert_eq!(r.code, 2, "{args:?} exit {}: {}", r.code, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{args:?}");
    }
}

/// `-o` is the offset wherever it exists: the same value means the same in tail,
/// filter run and replay (they parse it alike; the value is checked before any broker
/// is asked).
#[test]
fn dash_o_is_an_offset_wherever_it_exists() {
    for cmd in [
        vec!["tail", "--from", "x"],
        vec![
            "filter", "run", "--name", "a", "--expr", "true", "--from", "x",
        ],
        vec!["replay", "--from", "x", "--to", "y"],
    ] {
        for (value, ok) in [
            ("beginning", true),
            ("-5", true),
            ("@-1h", true),
            ("out.avro", false),
        ] {
            let mut args = cmd.clone();
            args.extend(["-o", value, "-b", "127.0.0.1:1", "--timeout", "300ms"]);
            let r = alertctl()
                .args(&args)
                .env("ALERTCTL_CONFIG", "/nonexistent")
                .output()
                .unwrap();
            let code = r.status.code().unwrap();
            // A good offset gets as far as the (absent) broker: exit 1. A bad one: 2.
            assert_eq!(code, if ok { 1 } else { 2 }, "{args:?}");
        }
    }
}

/// `--format` is the output format, one set of names everywhere; raw only for tail.
#[test]
fn format_means_the_output_format() {
    let dir = tempdir();
    let f = visit_file(dir.path(), 3);
    let f = f.to_str().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&run(["tail", "--file", f, "--format", "json"]).ok()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    assert!(run(["stats", "--file", f, "--format", "table"])
        .ok()
        .contains("alerts"));
    assert!(run(["stats", "--file", f, "--format", "text"])
        .ok()
        .contains("alerts"));
    assert!(run(["schema", "list", "--format", "jsonl"]).code == 0);
    let e = run(["stats", "--file", f, "--format", "raw"]);
    assert_eq!(e.code, 2);
    assert!(e.stderr.contains("raw is tail's format"), "{}", e.stderr);
}

/// A reason that repeats record after record is shown a few times, then counted.
#[test]
fn a_repeated_warning_is_summarised() {
    let dir = tempdir();
    let path = dir.path().join("unknown-ids.wire");
    let mut bytes = Vec::new();
    for _ in 0..40 {
        let packet = [0u8, 0, 0, 0x04, 0x4d, 1, 2, 3]; // schema id 1101, not built in
        bytes.extend((packet.len() as u32).to_be_bytes());
        bytes.extend(packet);
    }
    std::fs::write(&path, bytes).unwrap();
    let r = alertctl()
        .args(["tail", "--file", path.to_str().unwrap()])
        .env_remove("ALERTCTL_REGISTRY")
        .env("ALERTCTL_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    let r: Run = r.into();
    let warnings = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("alertctl: warning"))
        .count();
    assert!(warnings <= 5, "{warnings} warning lines:\n{}", r.stderr);
    assert!(r.stderr.contains("40 records in all"), "{}", r.stderr);
    assert!(r.one_line_error(1).contains("40 undecodable"));
}

#[test]
fn usage_errors_exit_2() {
    let r = run(["produce", "--night", "May 1st", "--out", "/nonexistent/x"]);
    let e = r.one_line_error(2);
    assert!(e.contains("`May 1st` is not a night"), "{e}");
    let r = run(["tail", "--file", "x", "--format", "yaml"]);
    assert_eq!(r.code, 2);
    assert!(!r.stderr.contains("panicked"));
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = tempdir();
    let p = dir.path().join("many.avro");
    run([
        "produce",
        "--alerts-per-visit",
        "300",
        "--cutout-size",
        "4",
        "--out",
        p.to_str().unwrap(),
        "--night",
        "2024-05-01",
    ])
    .ok();
    let mut child = alertctl()
        .args(["tail", "--cutouts", "keep", "--file", p.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then drop: the pipe closes
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{err}");
}

/// Passwords never reach stderr: not from a mistyped -X (librdkafka's message repeats
/// the value), not from a registry URL with user info (a password with a `/` in it).
#[test]
fn secrets_never_reach_stderr() {
    let secret = "hunter2-very-secret";
    for args in [
        vec![
            "tail",
            "--from",
            "x",
            "-b",
            "127.0.0.1:1",
            "-e",
            "--timeout",
            "2s",
            "-X",
            "sasl.pasword=hunter2-very-secret",
        ],
        vec![
            "tail",
            "--from",
            "x",
            "-b",
            "127.0.0.1:1",
            "-e",
            "--timeout",
            "2s",
            "-X",
            "sasl.password=hunter2-very-secret",
            "-X",
            "sasl.mechanism=NOPE",
            "-X",
            "security.protocol=SASL_PLAINTEXT",
        ],
        vec![
            "tail",
            "--from",
            "x",
            "-b",
            "127.0.0.1:1",
            "-e",
            "--timeout",
            "2s",
            "-X",
            "sasl.jaas.config=hunter2-very-secret",
        ],
    ] {
        let r = run(&args);
        assert_ne!(r.code, 0);
        assert!(
            !r.stderr.contains(secret) && !r.stdout.contains(secret),
            "{args:?}: {}",
            r.stderr
        );
        r.one_line_error(r.code);
    }
    let dir = tempdir();
    let r = run([
        "schema",
        "list",
        "--registry",
        "http://me:hunter2/very-secret@127.0.0.1:1",
    ]);
    assert_ne!(r.code, 0);
    assert!(
        !r.stderr.contains("very-secret") && !r.stderr.contains("hunter2"),
        "{}",
        r.stderr
    );
    let _ = dir;
}
