//! The JSON text `tail` writes straight from the bytes ([`alertctl::formats::avro::json`])
//! against the reference path (decode to values, build the view, serialize it), byte for
//! byte: over generated schemas of every Avro type (logical types and references to
//! named types among them) with edge values, their bodies
//! corrupted, every official schema's generated alerts and sample packets, the fuzz
//! corpus, and (shared tier) real alerts. The archive's id read from the bytes, against
//! the decoded alert's.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use alertctl::formats::avro::view::{to_json, CutoutPolicy};
use alertctl::formats::avro::{AlertSchema, SchemaStore};
use alertctl::formats::packet::file::VisitReader;
use alertctl::formats::packet::{self, Decoder};
use apache_avro::types::Value;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value as Json};

use crate::support::*;

const POLICIES: [CutoutPolicy; 3] = [CutoutPolicy::Omit, CutoutPolicy::Size, CutoutPolicy::Keep];

/// What the two paths did over some bodies.
#[derive(Debug, Default)]
pub struct Tally {
    /// Bodies the fast path wrote (each equal to the reference's text).
    pub fast: usize,
    /// Bodies the fast path declined (the reference then speaks).
    pub declined: usize,
    /// Of those, ones the reference decoded.
    pub declined_but_decoded: usize,
}

/// Compare the two paths on one body under every policy; panics on a difference.
pub fn compare(schema: &AlertSchema, body: &[u8], tally: &mut Tally, what: &str) {
    let decoder = Decoder::new(SchemaStore::new(Vec::new()), None);
    let reference = decoder.decode_body(1, schema, body);
    borrowed_equals_the_reference(schema, body, reference.as_ref().ok(), what);
    for policy in POLICIES {
        let want = reference
            .as_ref()
            .map(|v| serde_json::to_vec(&to_json(v, policy)).unwrap());
        let mut fast = Vec::new();
        let wrote = match schema.json_plan() {
            Some((graph, plan)) => plan.write(graph, body, policy, &mut fast).is_ok(),
            None => false,
        };
        if wrote {
            tally.fast += 1;
            match &want {
                Ok(want) => assert!(
                    fast == *want,
                    "{what} ({policy:?}): the fast path wrote\n{}\nthe reference\n{}",
                    String::from_utf8_lossy(&fast),
                    String::from_utf8_lossy(want)
                ),
                Err(e) => panic!(
                    "{what} ({policy:?}): the fast path wrote {} where the reference fails: {e}",
                    String::from_utf8_lossy(&fast)
                ),
            }
        } else {
            assert!(fast.is_empty(), "{what}: a declined write left output");
            tally.declined += 1;
            tally.declined_but_decoded += usize::from(want.is_ok());
        }
        // The door every command uses gives the reference's text, or its error.
        let mut door = Vec::new();
        match (
            decoder.write_json_body(1, schema, body, policy, &mut door),
            &want,
        ) {
            (Ok(()), Ok(want)) => assert_eq!(&door, want, "{what}"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
            (a, b) => panic!("{what}: write_json {a:?}, reference {:?}", b.as_ref().err()),
        }
    }
}

/// The values borrowed from the bytes ([`alertctl::formats::avro::value`]) against the
/// reference's: a body decodes exactly when the JSON text writer accepts it (the
/// writer's checks are the reference's, less its leniencies), and then to the
/// reference's values, logical types as their underlying type and floats by their
/// bits. Its errors are the decoder's own, through the one door too.
fn borrowed_equals_the_reference(
    schema: &AlertSchema,
    body: &[u8],
    reference: Option<&Value>,
    what: &str,
) {
    let mine = schema.decode_borrowed(body);
    if let Some((graph, plan)) = schema.json_plan() {
        assert_eq!(
            mine.is_ok(),
            plan.accepts(graph, body),
            "{what}: borrowed {:?}",
            mine.as_ref().err()
        );
    }
    if let Ok(alert) = &mine {
        let reference = reference
            .unwrap_or_else(|| panic!("{what}: borrowed values where the reference fails"));
        assert_eq!(
            plain(alert.to_avro()),
            plain(reference.clone()),
            "{what}: borrowed values differ"
        );
    }
    // Through the decoder's door, with the packet's header.
    let mut store = SchemaStore::new(Vec::new());
    store.insert(7, schema.clone());
    let mut decoder = Decoder::new(store, None);
    let p = packet::encode(7, body);
    match (decoder.decode_borrowed(&p), &mine) {
        (Ok((7, a)), Ok(b)) => assert_eq!(plain(a.to_avro()), plain(b.to_avro()), "{what}"),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("{what}: door {:?}, decode {:?}", a.err(), b.as_ref().err()),
    }
}

/// A reference value with its logical types as their underlying type and its floats
/// as their bits (so NaN equals itself), for comparing.
fn plain(v: Value) -> Value {
    match v {
        Value::Date(i) | Value::TimeMillis(i) => Value::Int(i),
        Value::TimeMicros(i)
        | Value::TimestampMillis(i)
        | Value::TimestampMicros(i)
        | Value::TimestampNanos(i)
        | Value::LocalTimestampMillis(i)
        | Value::LocalTimestampMicros(i)
        | Value::LocalTimestampNanos(i) => Value::Long(i),
        Value::Float(f) => Value::String(format!("f32 {:08x}", f.to_bits())),
        Value::Double(f) => Value::String(format!("f64 {:016x}", f.to_bits())),
        Value::Union(i, v) => Value::Union(i, Box::new(plain(*v))),
        Value::Array(items) => Value::Array(items.into_iter().map(plain).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, v)| (k, plain(v))).collect()),
        Value::Record(fields) => {
            Value::Record(fields.into_iter().map(|(k, v)| (k, plain(v))).collect())
        }
        v => v,
    }
}

/// Every record of a visit file, through [`compare`]; returns how many.
pub fn compare_file(path: &Path, dirs: &[std::path::PathBuf], tally: &mut Tally) -> usize {
    let store = SchemaStore::new(dirs.to_vec());
    let mut decoder = Decoder::new(store, None);
    let mut raw = packet::file::PacketReader::open(path).unwrap();
    let container = raw.container_schema().cloned();
    let mut n = 0;
    for rec in raw.by_ref() {
        let rec = rec.unwrap();
        let (id, body) = packet::split(&rec.packet).unwrap();
        let schema = match &container {
            Some(s) => s.clone(),
            None => decoder.schema(id).unwrap(),
        };
        compare(
            &schema,
            body,
            tally,
            &format!("{}#{}", path.display(), rec.index),
        );
        n += 1;
    }
    // And through the reader tail uses.
    let mut reader = VisitReader::open(path, &mut decoder).unwrap();
    let mut seen = 0;
    loop {
        let batch = reader.next_json_batch(3, CutoutPolicy::Keep, 2);
        if batch.is_empty() {
            break;
        }
        for r in batch {
            assert_eq!(r.unwrap().0, seen);
            seen += 1;
        }
    }
    assert_eq!(seen, n);
    n
}

/// Random schemas of every Avro type and random values of them, with edge values.
pub struct Gen {
    pub rng: rand_chacha::ChaCha8Rng,
    names: usize,
    /// Whether schemas may hold maps.
    pub maps: bool,
    /// Whether schemas may hold logical types and references to named types defined
    /// earlier.
    pub extended: bool,
    /// The named types defined so far in this schema, by name.
    defs: std::collections::HashMap<String, Json>,
    /// How many references to named types, and logical types, were generated.
    pub made: (usize, usize),
}

impl Gen {
    /// A generator from `seed`; `maps`: whether its schemas may hold maps.
    pub fn new(seed: u64, maps: bool) -> Gen {
        Gen {
            rng: rand_chacha::ChaCha8Rng::seed_from_u64(seed),
            names: 0,
            maps,
            extended: false,
            defs: std::collections::HashMap::new(),
            made: (0, 0),
        }
    }

    /// A name defined earlier, or a logical type, in place of a schema (extended only).
    fn extended_schema(&mut self) -> Option<Json> {
        if !self.extended || !self.rng.random_bool(0.15) {
            return None;
        }
        const LOGICAL: [(&str, &str); 9] = [
            ("int", "date"),
            ("int", "time-millis"),
            ("long", "time-micros"),
            ("long", "timestamp-millis"),
            ("long", "timestamp-micros"),
            ("long", "timestamp-nanos"),
            ("long", "local-timestamp-millis"),
            ("long", "local-timestamp-micros"),
            ("long", "no-such-logical-type"),
        ];
        if !self.defs.is_empty() && self.rng.random_bool(0.7) {
            let mut names: Vec<&String> = self.defs.keys().collect();
            names.sort();
            let name = json!(names[self.rng.random_range(0..names.len())]);
            self.made.0 += 1;
            return Some(name);
        }
        self.made.1 += 1;
        let (t, l) = LOGICAL[self.rng.random_range(0..LOGICAL.len())];
        Some(json!({"type": t, "logicalType": l}))
    }

    /// Start a new schema: its names are its own.
    pub fn new_schema(&mut self) {
        self.defs.clear();
    }

    /// Remember a named type's definition, for references and values.
    fn define(&mut self, schema: Json) -> Json {
        if let Some(name) = schema["name"].as_str() {
            self.defs.insert(name.to_string(), schema.clone());
        }
        schema
    }

    /// A new name of a named type.
    pub fn name(&mut self, kind: &str) -> String {
        self.names += 1;
        format!("{kind}{}", self.names)
    }

    /// A random schema of every Avro type (no nested unions, no repeated union kinds).
    fn schema(&mut self, depth: usize) -> Json {
        if let Some(s) = self.extended_schema() {
            return s;
        }
        let leaf = depth >= 4;
        match self.rng.random_range(0..if leaf { 10 } else { 15 }) {
            0 => json!("null"),
            1 => json!("boolean"),
            2 => json!("int"),
            3 => json!("long"),
            4 | 5 => json!("float"),
            6 => json!("double"),
            7 => json!("bytes"),
            8 => json!("string"),
            9 => {
                let n = self.rng.random_range(1..5);
                let symbols: Vec<String> = (0..n).map(|i| format!("S{i}_x")).collect();
                let name = self.name("E");
                self.define(json!({"type": "enum", "name": name, "symbols": symbols}))
            }
            10 => {
                let name = self.name("F");
                let size = self.rng.random_range(0..6);
                self.define(json!({"type": "fixed", "name": name, "size": size}))
            }
            11 => json!({"type": "array", "items": self.schema(depth + 1)}),
            12 if self.maps => json!({"type": "map", "values": self.schema(depth + 1)}),
            13 => {
                let mut branches = vec![json!("null")];
                let defined = self.defs.clone();
                let other = self.schema(depth + 1);
                if other != json!("null") && other.get(0).is_none() && !other.is_array() {
                    branches.push(other);
                } else {
                    self.defs = defined; // what it defined is not in the schema
                }
                if self.rng.random_bool(0.3) {
                    branches.reverse();
                }
                json!(branches)
            }
            _ => self.record(depth + 1),
        }
    }

    /// A random record schema.
    pub fn record(&mut self, depth: usize) -> Json {
        if depth == 0 {
            self.new_schema();
        }
        let n = self.rng.random_range(1..7);
        let fields: Vec<Json> = (0..n)
            .map(|i| json!({"name": format!("f{i}"), "type": self.schema(depth)}))
            .collect();
        let name = self.name("R");
        self.define(json!({"type": "record", "name": name, "fields": fields}))
    }

    fn f32(&mut self) -> f32 {
        const EDGE: [f32; 11] = [
            0.0,
            -0.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
            1e-45,
            f32::MAX,
            9.999999e-6,
            1e13,
            0.1,
        ];
        match self.rng.random_range(0..3) {
            0 => EDGE[self.rng.random_range(0..EDGE.len())],
            // -30255.5625, exact in f32, lies halfway between two shortest forms.
            1 if self.rng.random_bool(0.1) => f32::from_bits(0xc6ec_5f20),
            1 => f32::from_bits(self.rng.random()),
            _ => self.rng.random_range(-1e6f32..1e6),
        }
    }

    fn f64(&mut self) -> f64 {
        const EDGE: [f64; 9] = [
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            60431.958333333336,
        ];
        match self.rng.random_range(0..3) {
            0 => EDGE[self.rng.random_range(0..EDGE.len())],
            1 => f64::from_bits(self.rng.random()),
            _ => self.rng.random_range(-1e6..1e6),
        }
    }

    fn string(&mut self) -> String {
        const EDGE: [&str; 5] = [
            "",
            "\"\\\n\t\u{0}\u{1f}\u{7f}",
            "é😀/</script>",
            "\u{2028}",
            "a b",
        ];
        if self.rng.random_bool(0.5) {
            EDGE[self.rng.random_range(0..EDGE.len())].to_string()
        } else {
            let n = self.rng.random_range(0..12);
            (0..n)
                .map(|_| char::from(self.rng.random_range(0x20u8..0x7f)))
                .collect()
        }
    }

    /// A random value of `schema`.
    pub fn value(&mut self, schema: &Json) -> Value {
        if let Some(branches) = schema.as_array() {
            let i = self.rng.random_range(0..branches.len());
            return Value::Union(i as u32, Box::new(self.value(&branches[i])));
        }
        let kind = schema.as_str().or_else(|| schema["type"].as_str()).unwrap();
        if let Some(def) = self.defs.get(kind).cloned() {
            return self.value(&def);
        }
        let mut n = || self.rng.random_range(-100_000i64..100_000);
        match (kind, schema["logicalType"].as_str()) {
            ("int", Some("date")) => return Value::Date(n() as i32),
            ("int", Some("time-millis")) => return Value::TimeMillis(n() as i32),
            ("long", Some("time-micros")) => return Value::TimeMicros(n()),
            ("long", Some("timestamp-millis")) => return Value::TimestampMillis(n()),
            ("long", Some("timestamp-micros")) => return Value::TimestampMicros(n()),
            ("long", Some("timestamp-nanos")) => return Value::TimestampNanos(n()),
            ("long", Some("local-timestamp-millis")) => return Value::LocalTimestampMillis(n()),
            ("long", Some("local-timestamp-micros")) => return Value::LocalTimestampMicros(n()),
            _ => {}
        }
        match kind {
            "null" => Value::Null,
            "boolean" => Value::Boolean(self.rng.random()),
            "int" => Value::Int(match self.rng.random_range(0..4) {
                0 => i32::MIN,
                1 => i32::MAX,
                2 => self.rng.random_range(-100..100),
                _ => self.rng.random(),
            }),
            "long" => Value::Long(match self.rng.random_range(0..4) {
                0 => i64::MIN,
                1 => i64::MAX,
                2 => self.rng.random_range(-100..100),
                _ => self.rng.random(),
            }),
            "float" => Value::Float(self.f32()),
            "double" => Value::Double(self.f64()),
            "bytes" => {
                let n = self.rng.random_range(0..40);
                Value::Bytes((0..n).map(|_| self.rng.random()).collect())
            }
            "string" => Value::String(self.string()),
            "enum" => {
                let symbols = schema["symbols"].as_array().unwrap();
                let i = self.rng.random_range(0..symbols.len());
                Value::Enum(i as u32, symbols[i].as_str().unwrap().to_string())
            }
            "fixed" => {
                let n = schema["size"].as_u64().unwrap() as usize;
                Value::Fixed(n, (0..n).map(|_| self.rng.random()).collect())
            }
            "array" => {
                let n = self.rng.random_range(0..5);
                Value::Array((0..n).map(|_| self.value(&schema["items"])).collect())
            }
            "map" => {
                let n = self.rng.random_range(0..5);
                Value::Map(
                    (0..n)
                        .map(|_| (self.string(), self.value(&schema["values"])))
                        .collect(),
                )
            }
            "record" => Value::Record(
                schema["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| {
                        (
                            f["name"].as_str().unwrap().to_string(),
                            self.value(&f["type"]),
                        )
                    })
                    .collect(),
            ),
            other => panic!("{other}"),
        }
    }
}

/// A schema from its JSON.
pub fn schema_of(json: &Json) -> AlertSchema {
    alertctl::formats::avro::load::from_json_str(&json.to_string(), Path::new("generated")).unwrap()
}

/// Corrupted copies of a body: cut short, a byte changed, a byte added.
pub fn corrupt(rng: &mut impl Rng, body: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for _ in 0..3 {
        if !body.is_empty() {
            out.push(body[..rng.random_range(0..body.len())].to_vec());
            let mut b = body.to_vec();
            let i = rng.random_range(0..b.len());
            b[i] = rng.random();
            out.push(b);
        }
    }
    let mut b = body.to_vec();
    b.push(rng.random());
    out.push(b);
    out
}

/// Generated schemas of every type, random values with edge values, and the same
/// bodies corrupted: wherever the fast path writes, it writes the reference's bytes,
/// and it writes every intact body.
#[test]
fn json_text_equals_the_reference_over_generated_schemas_and_values() {
    let mut g = Gen::new(23, true);
    g.extended = true;
    let mut intact = Tally::default();
    let mut corrupted = Tally::default();
    for s in 0..400 {
        let json = g.record(0);
        let schema = schema_of(&json);
        for v in 0..5 {
            let value = g.value(&json);
            let body = packet::encode_body(&schema, &value).unwrap();
            compare(
                &schema,
                &body,
                &mut intact,
                &format!("schema {s} value {v}"),
            );
            for (i, bad) in corrupt(&mut g.rng, &body).into_iter().enumerate() {
                compare(
                    &schema,
                    &bad,
                    &mut corrupted,
                    &format!("schema {s} value {v} corrupted {i}"),
                );
            }
        }
    }
    eprintln!(
        "json text: intact {intact:?}; corrupted {corrupted:?}; (references, logical types) {:?}",
        g.made
    );
    assert!(g.made.0 > 50 && g.made.1 > 100, "{:?}", g.made);
    assert_eq!(intact.declined, 0, "the fast path declined intact bodies");
    assert!(
        corrupted.fast > 1000 && corrupted.declined > 1000,
        "{corrupted:?}"
    );
}

/// A recursive schema (a linked list) goes through the shape guard first: deep
/// nesting is refused by both paths alike, shallow nesting written alike. The second
/// list's values are `null`-or-`int` unions, which a record writes in place: at the
/// guard's depth too, both paths agree.
#[test]
fn json_text_of_a_recursive_schema_keeps_the_guard() {
    let plain = json!({"type": "record", "name": "Node", "fields": [
        {"name": "v", "type": "int"},
        {"name": "next", "type": ["null", "Node"]}
    ]});
    let nullable = json!({"type": "record", "name": "Node", "fields": [
        {"name": "v", "type": ["null", "int"]},
        {"name": "next", "type": ["null", "Node"]}
    ]});
    // The reference's recursion (values, views, their drops) needs more than a test
    // thread's stack at a depth of 100 in a debug build.
    let tallies = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut tallies = Vec::new();
            for (json, link, end) in [
                (plain, &[2u8, 2][..], &[2u8, 0][..]), // v = 1, then branch 1 (Node) or null
                (nullable, &[2, 2, 2][..], &[2, 2, 0][..]), // v = branch 1, 1, then as above
            ] {
                let schema = schema_of(&json);
                let mut tally = Tally::default();
                for depth in [0usize, 1, 5, 48, 49, 50, 51, 200] {
                    let mut body = Vec::new();
                    for _ in 0..depth {
                        body.extend_from_slice(link);
                    }
                    body.extend_from_slice(end);
                    compare(&schema, &body, &mut tally, &format!("depth {depth}"));
                }
                tallies.push(tally);
            }
            tallies
        })
        .unwrap()
        .join()
        .unwrap();
    // Up to 48 links nest within the guard's 100 levels (a record and a union each);
    // past that both paths refuse, with the guard's error.
    for tally in tallies {
        assert_eq!((tally.fast, tally.declined), (4 * 3, 4 * 3), "{tally:?}");
        assert_eq!(tally.declined_but_decoded, 0);
    }
}

/// Every official schema version: generated alerts (with cutouts) and the sample
/// packets of `sample_data`.
#[test]
fn json_text_equals_the_reference_on_every_official_version() {
    let root = pypi_schema_dir();
    let dirs = vec![root.clone()];
    let mut tally = Tally::default();
    let mut versions = 0;
    for v in alertctl::formats::avro::list_versions(&root).unwrap() {
        let schema = Arc::new(alertctl::formats::avro::load_version(&root, v).unwrap());
        let mut gen = alertctl::formats::sample::Generator::new(
            schema.clone(),
            alertctl::formats::sample::SampleConfig {
                night: chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
                seed: u64::from(v.id()),
                alerts_per_visit: 4,
                visits: 1,
                max_history: 5,
                cutout_size: 8,
            },
        );
        let mut store = SchemaStore::new(Vec::new());
        store.insert(v.id(), AlertSchema::clone(&schema));
        let mut decoder = Decoder::new(store, None);
        for alert in gen.visit(0) {
            let body = packet::encode_body(&schema, &alert).unwrap();
            compare(&schema, &body, &mut tally, &format!("{v:?}"));
            // The archive's id, read from the bytes, is the decoded alert's.
            let p = packet::encode(v.id(), &body);
            let fast = alertctl::jobs::archive::id_from_bytes(&mut decoder, &p);
            let slow = alertctl::jobs::archive::identify_by_value(&mut decoder, &p).unwrap();
            assert_eq!(fast, Some(slow), "{v:?}");
            for cut in [p.len() - 1, p.len() / 2, 9] {
                assert_eq!(
                    alertctl::jobs::archive::id_from_bytes(&mut decoder, &p[..cut]),
                    None,
                    "{v:?} cut at {cut}"
                );
            }
        }
        let sample = root
            .join(v.major.to_string())
            .join(v.minor.to_string())
            .join("sample_data/fakeAlert.avro");
        if sample.exists() {
            compare_file(&sample, &dirs, &mut tally);
        }
        versions += 1;
    }
    assert!(versions >= 15, "{versions} versions");
    assert_eq!(tally.declined, 0, "{tally:?}");
}

/// The fuzz corpus's packets: the fast path writes the reference's text or declines.
#[test]
fn json_text_equals_the_reference_on_the_fuzz_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/packet");
    let schema = alertctl::formats::avro::builtin_sample();
    let mut tally = Tally::default();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        if let Ok((_, body)) = packet::split(&data) {
            compare(&schema, body, &mut tally, "fuzz corpus");
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(data.len() as u64);
            for bad in corrupt(&mut rng, body) {
                compare(&schema, &bad, &mut tally, "fuzz corpus, corrupted");
            }
        }
    }
    assert!(tally.fast > 0, "{tally:?}");
}
