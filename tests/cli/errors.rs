//! Bad input gets one clear line and a non-zero exit, never a panic, and nothing
//! already written is lost.

use std::path::Path;

use crate::support::*;

fn tail_file(path: &Path) -> Run {
    run(["tail", "--file", path.to_str().unwrap()])
}

fn frame(packet: &[u8]) -> Vec<u8> {
    let mut out = (packet.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(packet);
    out
}

/// A wire file of 3 sample alerts (built-in schema, id 1).
fn wire_file(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("ok.wire");
    run([
        "produce",
        "--alerts-per-visit",
        "3",
        "--cutout-size",
        "8",
        "--file-format",
        "wire",
        "--night",
        "2024-05-01",
        "--out",
        p.to_str().unwrap(),
    ])
    .ok();
    p
}

#[test]
fn an_empty_file_is_named_as_empty() {
    let dir = tempdir();
    let p = dir.path().join("empty.avro");
    std::fs::write(&p, b"").unwrap();
    let e = tail_file(&p).one_line_error(1);
    assert!(e.contains("empty.avro is empty"), "{e}");
}

#[test]
fn a_json_file_is_said_to_look_like_json() {
    let dir = tempdir();
    let p = dir.path().join("alert.json");
    std::fs::write(&p, br#"{"diaSourceId": 1231321321, "diaSource": {}}"#).unwrap();
    let e = tail_file(&p).one_line_error(1);
    assert!(
        e.contains("not an alert file") && e.contains("JSON text"),
        "{e}"
    );
}

#[test]
fn random_bytes_are_called_binary_data() {
    let dir = tempdir();
    let p = dir.path().join("noise.bin");
    std::fs::write(
        &p,
        (0..200u32)
            .map(|i| (i * 37 % 251) as u8 | 0x80)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let e = tail_file(&p).one_line_error(1);
    assert!(
        e.contains("binary data") && e.contains("first bytes: 80"),
        "{e}"
    );
}

#[test]
fn a_packet_with_the_wrong_magic_byte_says_what_it_looks_like() {
    let dir = tempdir();
    let good = std::fs::read(wire_file(dir.path())).unwrap();
    // Frame 0: an OCF header where a packet should be; frame 1: JSON; then a good frame.
    let first_len = u32::from_be_bytes(good[..4].try_into().unwrap()) as usize;
    let mut bytes = frame(b"Obj\x01\x04\x14avro.codec\x08null");
    bytes.extend(frame(br#"{"diaSourceId": 5}"#));
    bytes.extend_from_slice(&good[..4 + first_len]);
    let p = dir.path().join("mixed.wire");
    // The file starts with a frame whose byte 4 is 'O', not 0: write a good frame first.
    let mut file = good[..4 + first_len].to_vec();
    file.extend(bytes);
    std::fs::write(&p, &file).unwrap();
    let r = tail_file(&p);
    let e = r.one_line_error(1);
    assert!(e.contains("2 undecodable"), "{e}");
    assert!(
        r.stderr.contains("record 1 (byte") && r.stderr.contains("Object Container File"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("record 2 (byte") && r.stderr.contains("JSON text"),
        "{}",
        r.stderr
    );
    // The good records around the bad ones are still printed.
    assert_eq!(r.json_lines().len(), 2);
}

#[test]
fn a_truncated_file_keeps_what_decoded_and_names_the_frame() {
    let dir = tempdir();
    let good = std::fs::read(wire_file(dir.path())).unwrap();
    let p = dir.path().join("cut.wire");
    std::fs::write(&p, &good[..good.len() - 100]).unwrap();
    let r = tail_file(&p);
    let e = r.one_line_error(1);
    assert!(
        e.contains("truncated frame 2") && e.contains("after 2 alerts decoded"),
        "{e}"
    );
    assert_eq!(r.json_lines().len(), 2);
}

#[test]
fn a_truncated_packet_is_called_truncated() {
    let dir = tempdir();
    let good = std::fs::read(wire_file(dir.path())).unwrap();
    let len = u32::from_be_bytes(good[..4].try_into().unwrap()) as usize;
    let packet = &good[4..4 + len];
    let p = dir.path().join("one.bin");
    std::fs::write(&p, &packet[..len / 3]).unwrap();
    let r = tail_file(&p);
    assert!(r.stderr.contains("truncated packet"), "{}", r.stderr);
    r.one_line_error(1);
    // A 3-byte packet has no room for the header.
    std::fs::write(&p, &packet[..3]).unwrap();
    let r = tail_file(&p);
    assert!(
        r.stderr
            .contains("3 bytes, but the wire-format header alone is 5"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_unknown_schema_id_is_named_with_its_version() {
    let dir = tempdir();
    let mut packet = vec![0u8];
    packet.extend_from_slice(&4242u32.to_be_bytes());
    packet.extend_from_slice(&[2, 4, 6, 8]);
    let p = dir.path().join("unknown.wire");
    std::fs::write(&p, frame(&packet)).unwrap();
    let r = tail_file(&p);
    assert!(
        r.stderr.contains("unknown schema id 4242 (version 42.42)")
            && r.stderr.contains("--schema-dir"),
        "{}",
        r.stderr
    );
    r.one_line_error(1);
}

#[test]
fn a_schema_directory_with_a_missing_type_names_the_type_and_the_file() {
    let dir = tempdir();
    let src = official_trio().join("11/0");
    let dst = dir.path().join("11/0");
    std::fs::create_dir_all(&dst).unwrap();
    for entry in std::fs::read_dir(&src).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".avsc") && !name.contains("diaSource.avsc") {
            std::fs::copy(entry.path(), dst.join(&name)).unwrap();
        }
    }
    let r = run([
        "schema",
        "show",
        "--version",
        "11.0",
        "--schema-dir",
        dir.path().to_str().unwrap(),
    ]);
    let e = r.one_line_error(1);
    assert!(
        e.contains("`lsst.v11_0.diaSource`") && e.contains("lsst.v11_0.alert.avsc"),
        "{e}"
    );
}

#[test]
fn a_missing_version_lists_the_versions_there_are() {
    let r = run([
        "schema",
        "show",
        "--version",
        "12.3",
        "--schema-dir",
        official_trio().to_str().unwrap(),
    ]);
    let e = r.one_line_error(1);
    assert!(
        e.contains("12.3 is not under") && e.contains("9.0, 10.0, 11.0"),
        "{e}"
    );
}

#[test]
fn a_failed_produce_leaves_the_existing_file_alone() {
    let dir = tempdir();
    let p = dir.path().join("night.avro");
    std::fs::write(&p, b"precious").unwrap();
    let r = run([
        "produce",
        "--schema-version",
        "42.0",
        "--out",
        p.to_str().unwrap(),
    ]);
    let e = r.one_line_error(1);
    assert!(e.contains("42.0"), "{e}");
    assert_eq!(std::fs::read(&p).unwrap(), b"precious");
    // No temporary file is left behind either.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
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
