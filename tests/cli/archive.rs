//! The alert archive: `archive` into a directory and into a local S3 server (moto's, from
//! PyPI), `archive verify`, and `get` from the directory, S3 and the topic. Objects are
//! checked byte for byte against the topic's packets, and decoded by fastavro with the
//! archived schema; cutouts are opened by astropy.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine;
use serde_json::Value;

use crate::support::*;

const TOPIC: &str = "lsst-2013-07-01";

/// A stand-in for Rubin's archive service: GET /api/alerts?ID= answers an Avro container
/// file, written by fastavro from the archived packet and schema.
const SERVICE: &str = r#"
import fastavro, gzip, io, json, sys, http.server, urllib.parse
root, port = sys.argv[1], int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        q = urllib.parse.urlparse(self.path)
        ids = urllib.parse.parse_qs(q.query).get("ID")
        if q.path != "/api/alerts" or not ids:
            self.send_error(404); return
        try:
            packet = gzip.open(f"{root}/v1/alerts/{ids[0]}.avro.gz").read()
        except FileNotFoundError:
            self.send_error(404); return
        sid = int.from_bytes(packet[1:5], "big")
        schema = fastavro.parse_schema(json.load(open(f"{root}/v1/schemas/{sid}.json")))
        rec = fastavro.schemaless_reader(io.BytesIO(packet[5:]), schema)
        buf = io.BytesIO()
        fastavro.writer(buf, schema, [rec])
        body = buf.getvalue()
        self.send_response(200)
        self.send_header("Content-Type", "avro/binary")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
"#;

/// Every file under a directory, by path relative to it, with its bytes.
fn objects(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(b), &mut out).unwrap();
    out
}

/// A local S3 server (moto), stopped when dropped.
struct S3 {
    child: Child,
    endpoint: String,
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_s3() -> S3 {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(python())
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto's server (scripts/install-test-deps installs moto[server])");
    let endpoint = format!("http://127.0.0.1:{port}");
    wait_until("moto listens", 30, || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let made = Command::new(python())
        .args([
            "-c",
            &format!("import requests; r = requests.put('{endpoint}/alerts'); assert r.ok, r.text"),
        ])
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    S3 { child, endpoint }
}

fn with_s3(s3: &S3, broker: &str, args: &[&str]) -> Run {
    alertctl()
        .args(args)
        .args(["-b", broker])
        .env("AWS_ENDPOINT", &s3.endpoint)
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("ALERTCTL_CONFIG", "/nonexistent/config.toml")
        .output()
        .unwrap()
        .into()
}

#[test]
fn a_night_archived_to_a_directory_and_to_s3_holds_every_alert() {
    let b = broker_or_return!();
    produce_alerts(
        &b,
        "30",
        &[
            "--night",
            "2013-07-01",
            "--visits",
            "2",
            "--alerts-per-visit",
            "40",
            "--seed",
            "14",
        ],
    );
    // The topic's packets, by place, and the alert ids there.
    let views =
        kafka_run(&b, &["tail", "--from", TOPIC, "-e", "--format", "envelope"]).json_lines();
    let raws = kafka_run(
        &b,
        &["tail", "--from", TOPIC, "-e", "--format", "envelope-raw"],
    )
    .json_lines();
    assert_eq!(views.len(), 80);
    let place = |e: &Value| {
        (
            e["partition"].as_i64().unwrap(),
            e["offset"].as_i64().unwrap(),
        )
    };
    let packets: BTreeMap<(i64, i64), Vec<u8>> = raws
        .iter()
        .map(|e| {
            (
                place(e),
                base64::engine::general_purpose::STANDARD
                    .decode(e["value"].as_str().unwrap())
                    .unwrap(),
            )
        })
        .collect();
    let by_id: BTreeMap<i64, Vec<u8>> = views
        .iter()
        .map(|e| {
            (
                e["value"]["diaSourceId"].as_i64().unwrap(),
                packets[&place(e)].clone(),
            )
        })
        .collect();
    assert_eq!(by_id.len(), 80);

    // Into a directory: one object per alert, each the packet byte for byte, gzipped.
    let dir = tempdir();
    let root = dir.path().join("archive");
    let r = kafka_run(
        &b,
        &[
            "archive",
            "--from",
            TOPIC,
            "--archive",
            root.to_str().unwrap(),
            "-e",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first = objects(&root);
    assert_eq!(
        first.len(),
        81,
        "80 alerts and 1 schema: {:?}",
        first.keys().take(3).collect::<Vec<_>>()
    );
    for (id, packet) in &by_id {
        let obj = &first[&PathBuf::from(format!("v1/alerts/{id}.avro.gz"))];
        assert_eq!(&gunzip(obj), packet, "alert {id}");
    }
    // Twice: the same objects, byte for byte; and into another directory, compressed
    // on three workers: the same objects again.
    for (into, workers) in [(root.clone(), "1"), (dir.path().join("archive-3"), "3")] {
        let r = kafka_run(
            &b,
            &[
                "archive",
                "--from",
                TOPIC,
                "--archive",
                into.to_str().unwrap(),
                "-e",
                "--workers",
                workers,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(objects(&into), first, "--workers {workers}");
    }
    // fastavro decodes every object with the archived schema, to the topic's alert.
    let check = format!(
        r#"
import fastavro, glob, gzip, io, json, os, sys
root = sys.argv[1]
schemas = {{int(os.path.basename(p)[:-5]): fastavro.parse_schema(json.load(open(p))) for p in glob.glob(root + "/v1/schemas/*.json")}}
n = 0
for p in glob.glob(root + "/v1/alerts/*.avro.gz"):
    packet = gzip.open(p).read()
    assert packet[0] == 0, p
    sid = int.from_bytes(packet[1:5], "big")
    alert = fastavro.schemaless_reader(io.BytesIO(packet[5:]), schemas[sid])
    assert str(alert["diaSourceId"]) + ".avro.gz" == os.path.basename(p), p
    n += 1
assert n == {n}, n
"#,
        n = 80
    );
    let out = Command::new(python())
        .args(["-c", &check, root.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fastavro: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = kafka_run(
        &b,
        &[
            "archive",
            "verify",
            "--archive",
            root.to_str().unwrap(),
            "--against",
            TOPIC,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Into S3 (moto), twice; verify; get the same alert from the directory, S3 and the topic.
    let s3 = start_s3();
    for _ in 0..2 {
        let r = with_s3(
            &s3,
            &b,
            &[
                "archive",
                "--from",
                TOPIC,
                "--archive",
                "s3://alerts/rubin/v",
                "-e",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let listed = Command::new(python())
        .args([
            "-c",
            &format!(
                "import boto3; c = boto3.client('s3', endpoint_url='{}', aws_access_key_id='t', aws_secret_access_key='t', region_name='us-east-1'); \
                 keys = [o['Key'] for p in c.get_paginator('list_objects_v2').paginate(Bucket='alerts', Prefix='rubin/v/') for o in p.get('Contents', [])]; print(len(keys))",
                s3.endpoint
            ),
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout).trim(),
        "81",
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let r = with_s3(
        &s3,
        &b,
        &[
            "archive",
            "verify",
            "--archive",
            "s3://alerts/rubin/v",
            "--against",
            TOPIC,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let some: Vec<String> = by_id.keys().step_by(16).map(i64::to_string).collect();
    let mut args = vec!["get"];
    args.extend(some.iter().map(String::as_str));
    let from_dir = run(args
        .iter()
        .copied()
        .chain(["--archive", root.to_str().unwrap()]))
    .json_lines();
    let from_s3 = with_s3(
        &s3,
        &b,
        &[args.clone(), vec!["--archive", "s3://alerts/rubin/v"]].concat(),
    )
    .json_lines();
    let from_topic = kafka_run(&b, &[args.clone(), vec!["--from", TOPIC]].concat()).json_lines();
    assert_eq!(from_dir.len(), some.len());
    let sorted = |mut v: Vec<Value>| {
        v.sort_by_key(|a| a["diaSourceId"].as_i64());
        v
    };
    assert_eq!(sorted(from_dir.clone()), sorted(from_s3));
    assert_eq!(sorted(from_dir.clone()), sorted(from_topic));
    let want: Vec<&Value> = views
        .iter()
        .map(|e| &e["value"])
        .filter(|v| some.contains(&v["diaSourceId"].to_string()))
        .collect();
    assert_eq!(
        sorted(from_dir.clone()),
        sorted(want.into_iter().cloned().collect())
    );

    // From an archive service (Rubin's /api/alerts?ID=, an Avro container by default),
    // here a Python server that fastavro writes the container for.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(python())
        .args(["-c", SERVICE, root.to_str().unwrap(), &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the archive service listens", 30, || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let url = format!("http://127.0.0.1:{port}");
    let from_http = run(args.iter().copied().chain(["--archive", url.as_str()])).json_lines();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(sorted(from_http), sorted(from_dir.clone()));

    // --fits-dir: cutouts astropy opens.
    let fits = dir.path().join("fits");
    run([
        "get",
        &some[0],
        "--archive",
        root.to_str().unwrap(),
        "--fits-dir",
        fits.to_str().unwrap(),
    ])
    .ok();
    let opened = Command::new(python())
        .args(["-c", "import sys, glob; from astropy.io import fits; fs = sorted(glob.glob(sys.argv[1] + '/*.fits')); assert len(fs) == 3, fs; [fits.open(f)[0].data.shape for f in fs]", fits.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        opened.status.success(),
        "astropy: {}",
        String::from_utf8_lossy(&opened.stderr)
    );

    // A missing object is a named gap; a missing id is named.
    let gone = some[1].clone();
    std::fs::remove_file(root.join(format!("v1/alerts/{gone}.avro.gz"))).unwrap();
    let r = kafka_run(
        &b,
        &[
            "archive",
            "verify",
            "--archive",
            root.to_str().unwrap(),
            "--against",
            TOPIC,
        ],
    );
    r.one_line_error(1);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(r.stdout.contains(&gone), "{}", r.stdout);
    let r = run(["get", &gone, "--archive", root.to_str().unwrap()]);
    assert!(r.one_line_error(1).contains(&gone));
}
