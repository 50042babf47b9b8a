//! `alertctl registry serve` with clients no one here wrote (Confluent's Python client,
//! lsst-alert-packet's sync script), alertctl's own client and cache, Confluent's
//! error codes, and durability under kill -9.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::support::*;

/// A registry server process, killed when dropped.
struct Registry {
    child: Child,
    url: String,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_registry(data: &Path, extra: &[&str]) -> Registry {
    let mut child = alertctl()
        .args([
            "registry",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data",
            data.to_str().unwrap(),
        ])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start registry");
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Registry { child, url }
}

/// An HTTP call; returns (status, body).
fn http(method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
    let req = ureq::request(method, url);
    let resp = match body {
        Some(b) => req
            .set("Content-Type", "application/vnd.schemaregistry.v1+json")
            .send_string(&b.to_string()),
        None => req.call(),
    };
    match resp {
        Ok(r) => (r.status(), r.into_json().unwrap_or(Value::Null)),
        Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap_or(Value::Null)),
        Err(e) => panic!("{method} {url}: {e}"),
    }
}

fn python_script(name: &str, args: &[&str]) -> Run {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name);
    Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .expect("python3")
        .into()
}

#[test]
fn confluents_python_client_works_against_the_server() {
    let dir = tempdir();
    let reg = start_registry(&dir.path().join("data"), &[]);
    let r = python_script(
        "registry_client.py",
        &[&reg.url, dir.path().to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // The packet Confluent's AvroSerializer wrote decodes with alertctl through the registry.
    let packet = dir.path().join("packet.bin");
    let views = alertctl()
        .args([
            "tail",
            "--file",
            packet.to_str().unwrap(),
            "--registry",
            &reg.url,
        ])
        .env("ALERTCTL_CACHE_DIR", dir.path().join("cache"))
        .output()
        .unwrap();
    let views = Run::from(views).json_lines();
    assert_eq!(views, vec![json!({"a": 7, "b": 42})]);
}

#[test]
fn rubins_sync_flow_then_tail_through_the_server_and_its_cache() {
    let dir = tempdir();
    let reg = start_registry(&dir.path().join("data"), &[]);
    let script = pypi_schema_dir()
        .parent()
        .unwrap()
        .join("bin/syncAllSchemasToRegistry.py");
    let out = Command::new(python())
        .arg(&script)
        .args(["--schema-registry-url", &reg.url])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("SUCCESS: Found confluent:version"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("ERROR"), "{text}");
    // Every official version under alert-packet, with id = version = MAJOR*100+MINOR.
    let packet_versions = subject_versions(&reg.url, "alert-packet");
    assert!(
        packet_versions.contains(&300)
            && packet_versions.contains(&1101)
            && packet_versions.len() >= 15,
        "{packet_versions:?}"
    );
    let v = serde_json::from_str::<Value>(
        &run(["schema", "get", "alert-packet@1101", "--registry", &reg.url]).ok(),
    )
    .unwrap();
    assert_eq!(v["id"], 1101);
    let topic_subject = serde_json::from_str::<Value>(
        &run([
            "schema",
            "get",
            "lsst-alerts-v11.1-value",
            "--registry",
            &reg.url,
        ])
        .ok(),
    )
    .unwrap();
    assert_eq!(
        topic_subject["id"], 1101,
        "the identical schema reuses its id"
    );

    // A packet with id 1101 decodes through the server, then from the cache with the server gone.
    let wire = dir.path().join("v111.wire");
    run([
        "produce",
        "--schema-dir",
        pypi_schema_dir().to_str().unwrap(),
        "--schema-version",
        "11.1",
        "--file-format",
        "wire",
        "--alerts-per-visit",
        "3",
        "--cutout-size",
        "8",
        "--night",
        "2024-05-01",
        "--out",
        wire.to_str().unwrap(),
    ])
    .ok();
    let cache = dir.path().join("cache");
    let tail = |url: &str| -> Run {
        alertctl()
            .args(["tail", "--file", wire.to_str().unwrap(), "--registry", url])
            .env("ALERTCTL_CACHE_DIR", &cache)
            .output()
            .unwrap()
            .into()
    };
    assert_eq!(tail(&reg.url).json_lines().len(), 3);
    assert!(std::fs::read_dir(&cache).unwrap().count() > 0);
    // The registry of a connection profile decodes it too: named with --profile, or
    // the config file's default; without either, id 1101 is unknown.
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.summit]\nbrokers = \"127.0.0.1:1\"\nregistry = \"{}\"\n",
            reg.url
        ),
    )
    .unwrap();
    let by_profile = |extra: &[&str], cache: &str| -> Run {
        alertctl()
            .args(["tail", "--file", wire.to_str().unwrap()])
            .args(extra)
            .env("ALERTCTL_CONFIG", &config)
            .env_remove("ALERTCTL_REGISTRY")
            .env_remove("ALERTCTL_PROFILE")
            .env("ALERTCTL_CACHE_DIR", dir.path().join(cache))
            .output()
            .unwrap()
            .into()
    };
    assert_eq!(
        by_profile(&["--profile", "summit"], "c1")
            .json_lines()
            .len(),
        3
    );
    let unknown = by_profile(&[], "c2");
    assert_ne!(unknown.code, 0);
    assert!(unknown.stderr.contains("1101"), "{}", unknown.stderr);
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.insert_str(0, "default = \"summit\"\n");
    std::fs::write(&config, text).unwrap();
    assert_eq!(by_profile(&[], "c3").json_lines().len(), 3);
    let url = reg.url.clone();
    drop(reg);
    let r = tail(&url);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.json_lines().len(),
        3,
        "decoded from the cache with the registry down"
    );
    std::fs::remove_dir_all(&cache).unwrap();
    let r = tail(&url);
    assert!(
        r.stderr.contains("cannot reach the schema registry"),
        "{}",
        r.stderr
    );
    r.one_line_error(1);
}

#[test]
fn bad_requests_get_confluents_codes() {
    let dir = tempdir();
    let reg = start_registry(&dir.path().join("data"), &["--max-body", "2000"]);
    let u = |p: &str| format!("{}{p}", reg.url);
    let (s, b) = http(
        "POST",
        &u("/subjects/x/versions"),
        Some(json!({"schema": "{\"type\": \"record\", \"name\": \"r\"}"})),
    );
    assert_eq!((s, b["error_code"].as_u64()), (422, Some(42201)), "{b}");
    assert!(
        b["message"].as_str().unwrap().contains("Invalid schema"),
        "{b}"
    );
    let (s, b) = http("GET", &u("/subjects/nope/versions"), None);
    assert_eq!((s, b["error_code"].as_u64()), (404, Some(40401)), "{b}");
    let (s, b) = http("GET", &u("/schemas/ids/999"), None);
    assert_eq!((s, b["error_code"].as_u64()), (404, Some(40403)), "{b}");
    let big =
        json!({"schema": format!("{{\"type\": \"string\", \"doc\": \"{}\"}}", "x".repeat(5000))});
    let (s, _) = http("POST", &u("/subjects/x/versions"), Some(big));
    assert_eq!(s, 413);
    let ok = json!({"schema": "{\"type\": \"record\", \"name\": \"r\", \"fields\": [{\"name\": \"a\", \"type\": \"int\"}]}"});
    assert_eq!(
        http("POST", &u("/subjects/x/versions"), Some(ok.clone())).0,
        200
    );
    let (s, b) = http("GET", &u("/subjects/x/versions/7"), None);
    assert_eq!((s, b["error_code"].as_u64()), (404, Some(40402)), "{b}");
    assert_eq!(
        http("PUT", &u("/mode"), Some(json!({"mode": "READONLY"}))).0,
        200
    );
    let other = json!({"schema": "{\"type\": \"record\", \"name\": \"r\", \"fields\": [{\"name\": \"b\", \"type\": \"int\"}]}"});
    let (s, b) = http("POST", &u("/subjects/y/versions"), Some(other));
    assert_eq!((s, b["error_code"].as_u64()), (422, Some(42205)), "{b}");
    // Reads go on in READONLY.
    assert_eq!(http("GET", &u("/subjects/x/versions/latest"), None).0, 200);
    let (_, types) = http("GET", &u("/schemas/types"), None);
    assert_eq!(types, json!(["AVRO"]));
}

#[test]
fn basic_auth_and_read_only() {
    let dir = tempdir();
    let reg = start_registry(
        &dir.path().join("data"),
        &["--basic-auth", "ops:s3cret", "--read-only"],
    );
    let (s, _) = http("GET", &format!("{}/subjects", reg.url), None);
    assert_eq!(s, 401);
    let with_creds = reg.url.replace("http://", "http://ops:s3cret@");
    assert_eq!(
        run([
            "schema",
            "list",
            "--format",
            "json",
            "--registry",
            &with_creds
        ])
        .ok(),
        ""
    );
    let e = run([
        "schema",
        "register",
        "11.0",
        "--subject",
        "s",
        "--schema-dir",
        official_trio().to_str().unwrap(),
        "--registry",
        &with_creds,
    ])
    .one_line_error(1);
    assert!(e.contains("read-only") && e.contains("42205"), "{e}");
}

/// kill -9 during a burst of registrations: every acknowledged one is there after a restart.
#[test]
fn kill_9_mid_burst_loses_nothing_acknowledged() {
    let dir = tempdir();
    let data = dir.path().join("data");
    let mut reg = start_registry(&data, &["--compatibility", "NONE"]);
    let url = reg.url.clone();
    let acked: Arc<Mutex<Vec<(u32, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (url, acked, stop) = (url.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let client = alertctl::transport::registry::client::Client::new(&url, std::time::Duration::from_secs(2));
                for i in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let schema = json!({"type": "record", "name": format!("r{w}_{i}"), "fields": [{"name": "a", "type": "int"}]}).to_string();
                    match client.register(&format!("burst-{w}"), &schema, None, None) {
                        Ok(id) => acked.lock().unwrap().push((id, schema)),
                        Err(_) => break, // the server is gone
                    }
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 150 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    reg.child.kill().unwrap(); // SIGKILL, mid-burst
    reg.child.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let again = start_registry(&data, &[]);
    let client = alertctl::transport::registry::client::Client::new(
        &again.url,
        std::time::Duration::from_secs(5),
    );
    let mut ids = std::collections::HashSet::new();
    for (id, schema) in &acked {
        let (s, b) = http("GET", &format!("{}/schemas/ids/{id}", again.url), None);
        assert_eq!(s, 200, "acknowledged id {id} lost");
        assert_eq!(b["schema"].as_str().unwrap(), schema);
        assert!(ids.insert(*id), "id {id} given twice");
    }
    // Each acknowledged registration is a version of its subject.
    let versions: usize = (0..3)
        .map(|w| client.versions(&format!("burst-{w}")).unwrap().len())
        .sum();
    assert!(
        versions >= acked.len(),
        "{versions} versions for {} acknowledged",
        acked.len()
    );
}

/// alertctl's own import, then check --subject and bump against the registry.
#[test]
fn import_check_and_bump_against_a_registry() {
    let dir = tempdir();
    let reg = start_registry(&dir.path().join("data"), &[]);
    let trio = official_trio();
    let imported = run([
        "schema",
        "import",
        trio.to_str().unwrap(),
        "--registry",
        &reg.url,
    ])
    .json_lines();
    let ids: Vec<u64> = imported.iter().map(|l| l["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, vec![900, 1000, 1100]);
    let again = serde_json::from_str::<Value>(
        &run([
            "schema",
            "get",
            "lsst-alerts-v10.0-value",
            "--registry",
            &reg.url,
        ])
        .ok(),
    )
    .unwrap();
    assert_eq!(again["id"], 1000);
    // Publish 11.0 under the MAJOR subject; the registry reuses its id.
    let r = run([
        "schema",
        "register",
        "11.0",
        "--subject",
        "lsst-alert-11",
        "--schema-dir",
        trio.to_str().unwrap(),
        "--registry",
        &reg.url,
    ]);
    assert_eq!(serde_json::from_str::<Value>(&r.ok()).unwrap()["id"], 1100);
    let pypi = pypi_schema_dir();
    let bump = |v: &str| -> Value {
        let file = pypi
            .join(v.replace('.', "/"))
            .join(format!("lsst.v{}.alert.avsc", v.replace('.', "_")));
        serde_json::from_str(
            &run([
                "schema",
                "bump",
                file.to_str().unwrap(),
                "--format",
                "json",
                "--registry",
                &reg.url,
            ])
            .ok(),
        )
        .unwrap()
    };
    let b = bump("11.1");
    assert_eq!(
        (
            b["release"].as_str(),
            b["id"].as_u64(),
            b["subject"].as_str()
        ),
        (Some("minor"), Some(1101), Some("lsst-alert-11"))
    );
    let b = bump("10.0");
    assert_eq!(
        (
            b["release"].as_str(),
            b["id"].as_u64(),
            b["subject"].as_str()
        ),
        (Some("major"), Some(1200), Some("lsst-alert-12"))
    );
    // check --subject: 11.1 is FORWARD_TRANSITIVE with the subject; 10.0 is not.
    let p = pypi.to_str().unwrap();
    assert_eq!(
        run([
            "schema",
            "check",
            "11.1",
            "--schema-dir",
            p,
            "--subject",
            "lsst-alert-11",
            "--registry",
            &reg.url
        ])
        .code,
        0
    );
    let r = run([
        "schema",
        "check",
        "10.0",
        "--schema-dir",
        p,
        "--subject",
        "lsst-alert-11",
        "--registry",
        &reg.url,
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("lsst-alert-11@1 reading 10.0")
            && r.stdout.contains("reader int cannot read writer null"),
        "{}",
        r.stdout
    );
}

/// A chain of `depth` records, each with two optional fields of the one before; the
/// innermost field is `leaf`. Checking one against another was exponential in the depth.
fn chain(depth: usize, leaf: &str) -> Value {
    let mut t = json!({"type": "record", "name": "R0", "fields": [{"name": "v", "type": leaf}]});
    for k in 1..=depth {
        t = json!({"type": "record", "name": format!("R{k}"), "fields": [
            {"name": "a", "type": ["null", t], "default": null},
            {"name": "b", "type": ["null", format!("R{}", k - 1)], "default": null},
        ]});
    }
    t
}

/// The depth-30 chain is answered in under 2 s by `schema check` and by the server,
/// and the server answers other requests while it checks.
#[test]
fn a_deep_schema_is_checked_quickly_and_blocks_nothing() {
    let dir = tempdir();
    let (old, new) = (chain(30, "int"), chain(30, "string"));
    let (old_path, new_path) = (dir.path().join("old.avsc"), dir.path().join("new.avsc"));
    std::fs::write(&old_path, old.to_string()).unwrap();
    std::fs::write(&new_path, new.to_string()).unwrap();
    let started = std::time::Instant::now();
    let r = run([
        "schema",
        "check",
        new_path.to_str().unwrap(),
        "--against",
        old_path.to_str().unwrap(),
        "--level",
        "BACKWARD",
    ]);
    let took = started.elapsed();
    assert_eq!(r.code, 1, "incompatible: {}", r.stderr);
    assert!(
        r.stdout.contains("reader string cannot read writer int"),
        "{}",
        r.stdout
    );
    assert!(
        took < std::time::Duration::from_secs(2),
        "schema check took {took:?}"
    );

    let reg = start_registry(&dir.path().join("data"), &[]);
    let url = &reg.url;
    let (status, _) = http(
        "PUT",
        &format!("{url}/config/deep"),
        Some(json!({"compatibility": "BACKWARD"})),
    );
    assert_eq!(status, 200);
    let (status, _) = http(
        "POST",
        &format!("{url}/subjects/deep/versions"),
        Some(json!({"schema": old.to_string()})),
    );
    assert_eq!(status, 200);
    // While the server checks (and refuses) the new chain, other requests are answered.
    let done = Arc::new(AtomicBool::new(false));
    let worst = Arc::new(Mutex::new(std::time::Duration::ZERO));
    let watcher = {
        let (done, worst, url) = (done.clone(), worst.clone(), url.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                let t = std::time::Instant::now();
                let (status, _) = http("GET", &format!("{url}/subjects"), None);
                assert_eq!(status, 200);
                let mut w = worst.lock().unwrap();
                *w = (*w).max(t.elapsed());
            }
        })
    };
    let started = std::time::Instant::now();
    let (status, body) = http(
        "POST",
        &format!("{url}/subjects/deep/versions"),
        Some(json!({"schema": new.to_string()})),
    );
    let took = started.elapsed();
    done.store(true, Ordering::SeqCst);
    watcher.join().unwrap();
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("reader string cannot read writer int"),
        "{body}"
    );
    assert!(
        took < std::time::Duration::from_secs(2),
        "the server took {took:?}"
    );
    let w = *worst.lock().unwrap();
    assert!(
        w < std::time::Duration::from_secs(1),
        "GET /subjects waited {w:?} during the check"
    );
}

/// A raw HTTP/1.1 connection that sends `head` (and maybe part of a body) and then
/// nothing: a slow or stalled client.
fn stalled(addr: &str, head: &str) -> std::net::TcpStream {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s.flush().unwrap();
    s
}

/// 8 connections that send their headers and then stall in the body, and 8 that stall
/// in the middle of their headers, delay no other request: `GET /subjects` is answered
/// within 100 ms every time while they hang.
#[test]
fn stalled_connections_do_not_delay_others() {
    let dir = tempdir();
    let reg = start_registry(&dir.path().join("data"), &[]);
    let addr = reg.url.trim_start_matches("http://").to_string();
    let mut held = Vec::new();
    for i in 0..8 {
        held.push(stalled(
            &addr,
            &format!(
                "POST /subjects/s{i}/versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"schema\": "
            ),
        ));
        held.push(stalled(
            &addr,
            "GET /subjects HTTP/1.1\r\nHost: x\r\nX-Slow: ",
        ));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let mut worst = std::time::Duration::ZERO;
    for _ in 0..10 {
        let started = std::time::Instant::now();
        let (status, body) = http("GET", &format!("{}/subjects", reg.url), None);
        worst = worst.max(started.elapsed());
        assert_eq!((status, body), (200, json!([])));
    }
    assert!(
        worst < std::time::Duration::from_millis(100),
        "GET /subjects took {worst:?} beside 16 stalled connections"
    );
    drop(held);
}

/// SIGTERM while 3 registrations are in flight (their bodies half sent): each of them
/// still gets its answer, the server exits 0, and after a restart all three are there.
#[test]
fn sigterm_finishes_registrations_in_flight() {
    use std::io::{Read, Write};
    let dir = tempdir();
    let data = dir.path().join("data");
    let mut reg = start_registry(&data, &[]);
    let addr = reg.url.trim_start_matches("http://").to_string();
    let bodies: Vec<String> = (0..3)
        .map(|i| {
            json!({"schema": json!({"type": "record", "name": format!("R{i}"),
                "fields": [{"name": "x", "type": "int"}]}).to_string()})
            .to_string()
        })
        .collect();
    let mut conns: Vec<std::net::TcpStream> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let half = b.len() / 2;
            stalled(
                &addr,
                &format!(
                    "POST /subjects/inflight-{i}/versions HTTP/1.1\r\nHost: x\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                    "application/vnd.schemaregistry.v1+json",
                    b.len(),
                    &b[..half]
                ),
            )
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(300));
    Command::new("kill")
        .args(["-TERM", &reg.child.id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // New connections are no longer accepted...
    assert!(
        std::net::TcpStream::connect(&addr).is_err()
            || http("GET", &format!("{}/subjects", reg.url), None).0 != 200,
        "the server stops accepting after SIGTERM"
    );
    // ...but the three in flight finish.
    for (c, b) in conns.iter_mut().zip(&bodies) {
        c.write_all(&b.as_bytes()[b.len() / 2..]).unwrap();
        let mut answer = String::new();
        c.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("\"id\""), "{answer}");
    }
    let status = reg.child.wait().unwrap();
    assert!(status.success(), "exit {status:?}");
    let reg = start_registry(&data, &[]);
    for i in 0..3 {
        let (status, versions) = http(
            "GET",
            &format!("{}/subjects/inflight-{i}/versions", reg.url),
            None,
        );
        assert_eq!((status, versions), (200, json!([1])), "inflight-{i}");
    }
}
