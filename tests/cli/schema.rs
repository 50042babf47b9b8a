//! `alertctl schema`: every official version loads and its sample alert decodes to its
//! alert.json; compatibility agrees with Apache Avro's own checker; check and bump
//! verdicts and exit codes; a broken schema tree names the type and the file.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use alertctl::formats::avro::compat::{incompatibilities, Parsed};

use crate::support::*;

use crate::official_checks::*;

fn check(new: &str, against: &str, level: &str) -> (i32, Value) {
    let root = pypi_schema_dir();
    let r = run([
        "schema",
        "check",
        new,
        "--against",
        against,
        "--level",
        level,
        "--format",
        "json",
        "--schema-dir",
        root.to_str().unwrap(),
    ]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    (r.code, serde_json::from_str(&r.stdout).unwrap())
}

/// 10.0 -> 11.0 and 7.0 -> 7.1 are forward compatible but not backward; 7.4 -> 8.0 is neither.
#[test]
fn the_official_history() {
    for (new, old, forward, backward) in [
        ("11.0", "10.0", true, false),
        ("7.1", "7.0", true, false),
        ("8.0", "7.4", false, false),
        ("11.1", "11.0", true, true),
    ] {
        let (code, report) = check(new, old, "FORWARD");
        assert_eq!(
            (code == 0, report["compatible"].as_bool().unwrap()),
            (forward, forward),
            "{new} forward {old}: {report}"
        );
        let (code, report) = check(new, old, "BACKWARD");
        assert_eq!(
            (code == 0, report["compatible"].as_bool().unwrap()),
            (backward, backward),
            "{new} backward {old}: {report}"
        );
    }
    // 10.0 -> 11.0 made ["null","int"] fields plain int. Of the 22, the 12 in ssObject
    // are not part of the alert record; the other 10 stop 11.0 from reading 10.0 packets.
    let (_, report) = check("11.0", "10.0", "BACKWARD");
    let fields: BTreeSet<String> = report["checks"][0]["incompatibilities"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|i| assert_eq!(i["message"], "reader int cannot read writer null"))
        .map(|i| {
            i["path"]
                .as_str()
                .unwrap()
                .rsplit('.')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let expected: BTreeSet<String> = ["psfNdata", "trailNdata", "dipoleNdata", "bboxSize"]
        .into_iter()
        .map(String::from)
        .chain(["u", "g", "r", "i", "z", "y"].map(|b| format!("{b}_psfFluxNdata")))
        .collect();
    assert_eq!(fields, expected);
}

#[test]
fn check_exit_codes_and_the_default_history() {
    let root = pypi_schema_dir();
    let dir = root.to_str().unwrap();
    // Without --against: every earlier version of the same MAJOR (11.1 against 11.0).
    let r = run(["schema", "check", "11.1", "--schema-dir", dir]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("11.1 is compatible at FORWARD_TRANSITIVE with 11.0"),
        "{}",
        r.stdout
    );
    // 7.4 at FORWARD_TRANSITIVE against 7.0..7.3.
    let r = run([
        "schema",
        "check",
        "7.4",
        "--schema-dir",
        dir,
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["checks"].as_array().unwrap().len(), 4);
    // A file that is one part of a version directory loads with its siblings.
    let file = root.join("11/0/lsst.v11_0.alert.avsc");
    let r = run([
        "schema",
        "check",
        file.to_str().unwrap(),
        "--against",
        "10.0",
        "--schema-dir",
        dir,
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        run([
            "schema",
            "check",
            "8.0",
            "--against",
            "7.4",
            "--schema-dir",
            dir
        ])
        .code,
        1
    );
    let e = run(["schema", "check", "missing.avsc", "--against", "10.0"]).one_line_error(2);
    assert!(e.contains("missing.avsc"), "{e}");
    assert_eq!(
        run(["schema", "check", "11.0", "--level", "SIDEWAYS"]).code,
        2
    );
}

#[test]
fn bump_says_minor_or_major() {
    let trio = official_trio();
    let root = pypi_schema_dir();
    let bump = |new: &Path| -> Value {
        let r = run([
            "schema",
            "bump",
            new.to_str().unwrap(),
            "--format",
            "json",
            "--schema-dir",
            trio.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        serde_json::from_str(&r.stdout).unwrap()
    };
    // 11.1 is a MINOR release after 11.0; 8.0's alert would need a new MAJOR.
    let minor = bump(&root.join("11/1/lsst.v11_1.alert.avsc"));
    assert_eq!(
        (
            minor["release"].as_str(),
            minor["version"].as_str(),
            minor["id"].as_u64()
        ),
        (Some("minor"), Some("11.1"), Some(1101))
    );
    assert_eq!(minor["subject"], "lsst-alert-11");
    let major = bump(&root.join("8/0/lsst.v8_0.alert.avsc"));
    assert_eq!(
        (
            major["release"].as_str(),
            major["version"].as_str(),
            major["id"].as_u64()
        ),
        (Some("major"), Some("12.0"), Some(1200))
    );
}

/// Random schemas and mutations of them, for the oracle test.
struct Gen {
    rng: ChaCha8Rng,
    names: usize,
}

const PRIMS: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

impl Gen {
    fn name(&mut self, prefix: &str) -> String {
        self.names += 1;
        format!("{prefix}{}", self.names)
    }

    fn ty(&mut self, depth: u32) -> Value {
        let pick = if depth >= 2 {
            self.rng.random_range(0..3)
        } else {
            self.rng.random_range(0..9)
        };
        match pick {
            0 | 1 => json!(PRIMS[self.rng.random_range(1..8)]),
            2 => {
                let mut b: Vec<&str> = Vec::new();
                if self.rng.random_bool(0.6) {
                    b.push("null");
                }
                while b.len() < 2 + usize::from(self.rng.random_bool(0.3)) {
                    let p = PRIMS[self.rng.random_range(1..8)];
                    if !b.contains(&p) {
                        b.push(p);
                    }
                }
                json!(b)
            }
            3 => json!({"type": "array", "items": self.ty(depth + 1)}),
            4 => json!({"type": "map", "values": self.ty(depth + 1)}),
            5 => {
                let n = self.rng.random_range(1..4);
                let symbols = &["A", "B", "C", "D"][..n + 1];
                let mut e = json!({"type": "enum", "name": self.name("E"), "symbols": symbols});
                if self.rng.random_bool(0.3) {
                    e["default"] = json!("A");
                }
                e
            }
            6 => {
                let size = [4, 8][self.rng.random_range(0..2)];
                json!({"type": "fixed", "name": self.name("X"), "size": size})
            }
            _ => self.record(depth + 1),
        }
    }

    fn default_for(ty: &Value) -> Option<Value> {
        match ty {
            Value::String(p) => Some(match p.as_str() {
                "boolean" => json!(false),
                "int" | "long" => json!(0),
                "float" | "double" => json!(0.0),
                "bytes" | "string" => json!(""),
                _ => json!(null),
            }),
            Value::Array(b) if b[0] == "null" => Some(json!(null)),
            _ => None,
        }
    }

    fn field(&mut self, i: usize, depth: u32) -> Value {
        let ty = self.ty(depth);
        let mut f = json!({"name": format!("f{i}"), "type": ty.clone()});
        if self.rng.random_bool(0.4) {
            if let Some(d) = Self::default_for(&ty) {
                f["default"] = d;
            }
        }
        f
    }

    fn record(&mut self, depth: u32) -> Value {
        let n = self.rng.random_range(1..4);
        let fields: Vec<Value> = (0..n).map(|i| self.field(i, depth)).collect();
        json!({"type": "record", "name": self.name("R"), "fields": fields})
    }

    /// Change one random place of a schema in a way that matters to compatibility.
    fn mutate(&mut self, v: &mut Value) {
        let mut spots = Vec::new();
        collect(v, &mut Vec::new(), &mut spots);
        let path = spots[self.rng.random_range(0..spots.len())].clone();
        let node = path.iter().fold(&mut *v, |n, k| match k {
            Key::I(i) => &mut n[*i],
            Key::S(s) => &mut n[s.as_str()],
        });
        let promotions = [
            ("int", "long"),
            ("long", "int"),
            ("int", "double"),
            ("float", "double"),
            ("double", "float"),
            ("string", "bytes"),
            ("bytes", "string"),
            ("long", "float"),
            ("int", "string"),
        ];
        match node {
            Value::String(p) if PRIMS.contains(&p.as_str()) => {
                let (from, to) = promotions[self.rng.random_range(0..promotions.len())];
                *node = if p == from || self.rng.random_bool(0.5) {
                    json!(to)
                } else {
                    json!(["null", p.clone()])
                };
            }
            Value::Array(branches) => {
                if self.rng.random_bool(0.5) && branches.len() > 1 {
                    let i = self.rng.random_range(0..branches.len());
                    branches.remove(i);
                } else {
                    let p = PRIMS[self.rng.random_range(1..8)];
                    if !branches.iter().any(|b| b == p) {
                        branches.push(json!(p));
                    }
                }
            }
            Value::Object(o) => match o.get("type").and_then(Value::as_str).unwrap_or("") {
                "record" => match self.rng.random_range(0..5) {
                    0 => {
                        let n = o["fields"].as_array().unwrap().len();
                        let mut f = json!({"name": format!("f{n}"), "type": "int"});
                        if self.rng.random_bool(0.5) {
                            f["default"] = json!(7);
                        }
                        o.get_mut("fields").unwrap().as_array_mut().unwrap().push(f);
                    }
                    1 => {
                        o.get_mut("fields").unwrap().as_array_mut().unwrap().pop();
                    }
                    2 => {
                        let fields = o.get_mut("fields").unwrap().as_array_mut().unwrap();
                        if let Some(f) = fields.first_mut() {
                            let old = f["name"].clone();
                            f["name"] = json!("renamed");
                            if self.rng.random_bool(0.5) {
                                f["aliases"] = json!([old]);
                            }
                        }
                    }
                    3 => {
                        let old = o["name"].clone();
                        o.insert("name".into(), json!(format!("{}x", old.as_str().unwrap())));
                        if self.rng.random_bool(0.5) {
                            o.insert("aliases".into(), json!([old]));
                        }
                    }
                    _ => {
                        let fields = o.get_mut("fields").unwrap().as_array_mut().unwrap();
                        if let Some(f) = fields.last_mut() {
                            f.as_object_mut().unwrap().remove("default");
                        }
                    }
                },
                "enum" => {
                    let symbols = o.get_mut("symbols").unwrap().as_array_mut().unwrap();
                    match self.rng.random_range(0..3) {
                        0 if symbols.len() > 1 => {
                            symbols.pop();
                        }
                        1 => symbols.push(json!("Z")),
                        _ => {
                            o.insert("default".into(), json!("A"));
                        }
                    }
                }
                "fixed" => {
                    let size = o["size"].as_u64().unwrap();
                    o.insert("size".into(), json!(size + 4));
                }
                "array" | "map" => {
                    let t = std::mem::replace(node, json!(null));
                    *node = json!(["null", t]);
                }
                _ => {}
            },
            _ => {}
        }
    }
}

#[derive(Clone)]
enum Key {
    I(usize),
    S(String),
}

/// Every place in a schema a mutation can act on.
fn collect(v: &Value, path: &mut Vec<Key>, out: &mut Vec<Vec<Key>>) {
    match v {
        Value::String(_) => out.push(path.clone()),
        Value::Array(b) => {
            out.push(path.clone());
            for (i, x) in b.iter().enumerate() {
                path.push(Key::I(i));
                collect(x, path, out);
                path.pop();
            }
        }
        Value::Object(o) => {
            out.push(path.clone());
            for key in ["items", "values"] {
                if let Some(x) = o.get(key) {
                    path.push(Key::S(key.into()));
                    collect(x, path, out);
                    path.pop();
                }
            }
            if let Some(Value::Array(fields)) = o.get("fields") {
                for (i, f) in fields.iter().enumerate() {
                    path.extend([Key::S("fields".into()), Key::I(i), Key::S("type".into())]);
                    collect(&f["type"], path, out);
                    path.truncate(path.len() - 3);
                }
            }
        }
        _ => {}
    }
}

/// alertctl's checker and Apache Avro's Python checker agree on generated pairs.
#[test]
fn the_checker_agrees_with_apache_avro() {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(2024),
        names: 0,
    };
    let mut pairs = Vec::new();
    while pairs.len() < 600 {
        let base = g.record(0);
        let mut other = base.clone();
        for _ in 0..g.rng.random_range(1..4) {
            g.mutate(&mut other);
        }
        let (r, w) = if g.rng.random_bool(0.5) {
            (base, other)
        } else {
            (other, base)
        };
        // Both sides must be valid Avro (no nested unions, no duplicate branches).
        let valid =
            |s: &Value| apache_avro::Schema::parse(s).is_ok() && Parsed::from_json(s).is_ok();
        if valid(&r) && valid(&w) {
            pairs.push((r, w));
        }
    }
    let dir = tempdir();
    let file = dir.path().join("pairs.jsonl");
    std::fs::write(
        &file,
        pairs
            .iter()
            .map(|(r, w)| json!({"reader": r, "writer": w}).to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/avro_compat.py");
    let out = Command::new(python())
        .arg(&script)
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "the avro package is a test dependency (pip install avro): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<Option<bool>> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(theirs.len(), pairs.len());
    let rejected = theirs.iter().filter(|t| t.is_none()).count();
    assert!(
        rejected * 20 < pairs.len(),
        "Python's avro rejected {rejected} of {} pairs",
        pairs.len()
    );
    let mut disagreements = Vec::new();
    let (mut yes, mut no) = (0, 0);
    for ((r, w), avro_says) in pairs.iter().zip(&theirs) {
        let Some(avro_says) = avro_says else { continue };
        let found = incompatibilities(
            &Parsed::from_json(r).unwrap(),
            &Parsed::from_json(w).unwrap(),
        );
        let ours = found.is_empty();
        if ours {
            yes += 1
        } else {
            no += 1
        }
        if ours != *avro_says {
            disagreements.push(format!(
                "avro {avro_says}, alertctl {ours} {found:?}\n  reader {r}\n  writer {w}"
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} pairs disagree:\n{}",
        disagreements.len(),
        pairs.len(),
        disagreements[..disagreements.len().min(5)].join("\n")
    );
    // The generator makes both kinds, so agreement means something.
    assert!(yes > 100 && no > 100, "{yes} compatible, {no} incompatible");
}

/// Every version of PyPI's tree loads, with id MAJOR*100+MINOR and the Rubin root name.
#[test]
fn every_official_schema_version_loads() {
    let pypi = versions(&pypi_schema_dir());
    let names: Vec<&str> = pypi.iter().map(|(v, _)| v.as_str()).collect();
    for v in [
        "3.0", "4.0", "5.0", "6.0", "6.1", "7.0", "7.4", "8.0", "9.0", "10.0", "11.0", "11.1",
    ] {
        assert!(names.contains(&v), "PyPI tree lacks {v}: {names:?}");
    }
    assert!(loaded_versions(&pypi_schema_dir()) >= 12);
}

/// Each official fakeAlert.avro decodes, and its JSON view equals the alert.json beside it.
#[test]
fn official_fake_alerts_decode_to_their_alert_json() {
    assert!(fake_alerts_match_their_json(&pypi_schema_dir()) >= 12);
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
