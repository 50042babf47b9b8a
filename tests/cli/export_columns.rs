//! `export`'s Parquet rows built straight from the bytes
//! ([`alertctl::jobs::export::Exporter::try_add_bytes`]) against the reference path
//! (decode to values, build the view, read it with `arrow_json`): the same bodies
//! exported both ways give the same files, byte for byte, and the same manifest; and
//! the ids, visit, time and band `stats` and `tail --night` read from the bytes
//! ([`alertctl::formats::packet::meta_from_bytes`]) against the decoded alert's. Over
//! generated schemas of every type with edge values and corrupted bodies, every official
//! schema's generated alerts and sample packets, the fuzz corpus, and (shared tier) real
//! alerts.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use alertctl::formats::avro::{AlertSchema, SchemaStore};
use alertctl::formats::packet::{self, Decoder};
use alertctl::jobs::export::{Exporter, Format, Manifest, Options, Source};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value as Json};

use crate::json_text::{corrupt, schema_of, Gen};

/// What the two paths did.
#[derive(Debug, Default)]
pub struct Tally {
    /// Bodies added straight from their bytes.
    pub fast: usize,
    /// Bodies the fast path declined, then added by the reference.
    pub declined_but_added: usize,
    /// Bodies neither path could add (the reference's error, the same on both sides).
    pub refused: usize,
    /// Bodies whose ids, visit, time and band were read from the bytes (each equal to
    /// the decoded alert's).
    pub meta_fast: usize,
}

/// The ids, visit, time and band read straight from a body against the decoded alert's.
fn check_meta(
    decoder: &Decoder,
    id: u32,
    schema: &AlertSchema,
    body: &[u8],
    reference: &Result<apache_avro::types::Value, packet::PacketError>,
    tally: &mut Tally,
    what: &str,
) {
    let want = reference.as_ref().map(|v| {
        (
            packet::alert_meta(v),
            packet::field_str(v, &["diaSource"], &["band", "filterName"]),
        )
    });
    let same = |a: &(packet::AlertMeta, Option<String>),
                b: &(packet::AlertMeta, Option<String>)| {
        let bits = |m: &packet::AlertMeta| m.mjd.map(f64::to_bits);
        a.0.dia_source_id == b.0.dia_source_id
            && a.0.dia_object_id == b.0.dia_object_id
            && a.0.visit == b.0.visit
            && bits(&a.0) == bits(&b.0)
            && a.1 == b.1
    };
    if let Some(fast) = packet::meta_from_bytes(schema, body) {
        tally.meta_fast += 1;
        match &want {
            Ok(w) => assert!(
                same(&fast, w),
                "{what}: from the bytes {fast:?}, decoded {w:?}"
            ),
            Err(e) => panic!("{what}: read {fast:?} from a body the reference refuses: {e}"),
        }
    }
    match (decoder.meta_body(id, schema, body), &want) {
        (Ok(a), Ok(w)) => assert!(same(&a, w), "{what}: {a:?} against {w:?}"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
        (a, b) => panic!("{what}: meta {a:?}, decoded {:?}", b.as_ref().err()),
    }
}

/// One export written both ways, with every option combination.
pub struct Twins {
    pairs: Vec<(Exporter, Exporter)>,
    dirs: Vec<(tempfile::TempDir, tempfile::TempDir)>,
    decoder: Decoder,
}

impl Twins {
    /// Exporters for cutouts kept and omitted, by band and not, on one worker.
    pub fn new() -> Twins {
        Twins::with_workers(1)
    }

    /// [`Twins::new`] with `workers` (more than one: each file is encoded on a thread).
    pub fn with_workers(workers: usize) -> Twins {
        let mut pairs = Vec::new();
        let mut dirs = Vec::new();
        for cutouts in [true, false] {
            for by_band in [false, true] {
                let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
                let opts = |dir: &Path| Options {
                    out: dir.to_path_buf(),
                    format: Format::Parquet,
                    cutouts,
                    by_band,
                    workers,
                };
                pairs.push((
                    Exporter::create(opts(a.path()), Source::default()).unwrap(),
                    Exporter::create(opts(b.path()), Source::default()).unwrap(),
                ));
                dirs.push((a, b));
            }
        }
        Twins {
            pairs,
            dirs,
            decoder: Decoder::new(SchemaStore::new(Vec::new()), None),
        }
    }

    /// Add one body to every pair: from its bytes (else the reference) on one side, by
    /// the reference on the other; both sides must agree on whether it was added, and
    /// on the error when it was not.
    pub fn add(
        &mut self,
        id: u32,
        schema: &AlertSchema,
        body: &[u8],
        tally: &mut Tally,
        what: &str,
    ) {
        let reference = self.decoder.decode_body(id, schema, body);
        check_meta(&self.decoder, id, schema, body, &reference, tally, what);
        for ((fast, slow), (a, b)) in self.pairs.iter_mut().zip(&self.dirs) {
            // An error names a file in its own export directory.
            let (a, b) = (
                a.path().display().to_string(),
                b.path().display().to_string(),
            );
            let fast_err =
                |e: alertctl::jobs::export::ExportError| e.to_string().replace(&a, "OUT");
            let slow_err =
                |e: alertctl::jobs::export::ExportError| e.to_string().replace(&b, "OUT");
            let by_bytes = fast.try_add_bytes(None, id, schema, body);
            let (fast_result, took_bytes) = match by_bytes {
                Ok(true) => (Ok(()), true),
                Ok(false) => match &reference {
                    Ok(v) => (fast.add(None, id, schema, v).map_err(fast_err), false),
                    Err(e) => (Err(e.to_string()), false),
                },
                Err(e) => (Err(fast_err(e)), false),
            };
            let slow_result = match &reference {
                Ok(v) => slow.add(None, id, schema, v).map_err(slow_err),
                Err(e) => Err(e.to_string()),
            };
            assert_eq!(fast_result, slow_result, "{what}");
            if took_bytes {
                assert!(
                    reference.is_ok(),
                    "{what}: added from the bytes a body the reference refuses: {:?}",
                    reference.as_ref().err()
                );
                tally.fast += 1;
            } else if fast_result.is_ok() {
                tally.declined_but_added += 1;
            } else {
                tally.refused += 1;
            }
        }
    }

    /// Finish every pair; the files and manifests must be equal, byte for byte.
    /// Returns the files compared.
    pub fn finish(self, what: &str) -> usize {
        let mut files = 0;
        for ((fast, slow), (a, b)) in self.pairs.into_iter().zip(&self.dirs) {
            let (mf, ms): (Result<Manifest, _>, Result<Manifest, _>) =
                (fast.finish(), slow.finish());
            match (mf, ms) {
                (Ok(mut mf), Ok(mut ms)) => {
                    // The manifests name their own directories nowhere; compare whole.
                    mf.source = Source::default();
                    ms.source = Source::default();
                    assert_eq!(mf, ms, "{what}: manifests differ");
                }
                (mf, ms) => assert_eq!(
                    mf.map(|_| ()).map_err(|e| e.to_string()),
                    ms.map(|_| ()).map_err(|e| e.to_string()),
                    "{what}"
                ),
            }
            let (fa, fb) = (tree(a.path()), tree(b.path()));
            assert_eq!(
                fa.keys().collect::<Vec<_>>(),
                fb.keys().collect::<Vec<_>>(),
                "{what}: different files"
            );
            for (k, bytes) in &fa {
                assert!(bytes == &fb[k], "{what}: {k} differs");
            }
            files += fa.len();
        }
        files
    }
}

/// Every file under `dir`, by its path relative to it.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A generated alert-shaped schema: a `diaSource` with the fields night and band come
/// from (of varying types, sometimes absent), a generated record of every type but
/// maps (no Parquet column holds a map), and the cutout fields in their varying forms.
fn alert_schema(g: &mut Gen) -> Json {
    g.new_schema();
    let pick =
        |g: &mut Gen, options: &[Json]| options[g.rng.random_range(0..options.len())].clone();
    let mjd = pick(
        g,
        &[
            json!("double"),
            json!("float"),
            json!(["null", "double"]),
            json!("long"),
            json!(["double", "null"]),
        ],
    );
    let ids = [
        json!("long"),
        json!("int"),
        json!(["null", "long"]),
        json!("string"),
    ];
    let mut ds = vec![json!({"name": "diaSourceId", "type": pick(g, &ids)})];
    for name in ["diaObjectId", "visit", "ccdVisitId"] {
        if g.rng.random_bool(0.5) {
            ds.push(json!({"name": name, "type": pick(g, &ids)}));
        }
    }
    if g.rng.random_bool(0.8) {
        ds.push(json!({"name": "midpointMjdTai", "type": mjd}));
    } else {
        ds.push(json!({"name": "midPointTai", "type": mjd}));
    }
    let band_types = [
        json!("string"),
        json!(["null", "string"]),
        json!({"type": "enum", "name": g.name("Band"), "symbols": ["u", "g", "r"]}),
        json!("bytes"),
        json!("float"),
        json!(["null", "double"]),
    ];
    for name in ["band", "filterName"] {
        if g.rng.random_bool(0.6) {
            ds.push(json!({"name": name, "type": pick(g, &band_types)}));
        }
    }
    let ds = json!({"type": "record", "name": g.name("DiaSource"), "fields": ds});
    let mut fields = vec![json!({"name": "alertId", "type": "long"})];
    if g.rng.random_bool(0.5) {
        let object = json!({"type": "record", "name": g.name("DiaObject"), "fields": [
            {"name": "diaObjectId", "type": pick(g, &ids)}
        ]});
        fields.push(json!({"name": "diaObject", "type": ["null", object]}));
    }
    fields.extend([
        json!({"name": "diaSource", "type": if g.rng.random_bool(0.2) { json!(["null", ds]) } else { ds }}),
        json!({"name": "body", "type": g.record(1)}),
    ]);
    for c in ["cutoutDifference", "cutoutScience", "cutoutTemplate"] {
        match g.rng.random_range(0..4) {
            0 => {}
            1 => fields.push(json!({"name": c, "type": "bytes"})),
            _ => fields.push(json!({"name": c, "type": ["null", "bytes"]})),
        }
    }
    json!({"type": "record", "name": g.name("Alert"), "fields": fields})
}

/// Generated schemas of every type (maps only in some), random values with edge values,
/// and the same bodies corrupted: the two paths write the same files and say the same
/// errors, and the fast path takes every intact body of a schema with columns.
#[test]
fn parquet_from_the_bytes_equals_the_reference_over_generated_schemas() {
    let mut g = Gen::new(2309, false);
    g.extended = true;
    let mut intact = Tally::default();
    let mut corrupted = Tally::default();
    let mut files = 0;
    for s in 0..80 {
        // The last schemas may hold maps: no Parquet column holds one, and a body's
        // decoding error still comes before that.
        g.maps = s >= 60;
        let json = alert_schema(&mut g);
        let schema = schema_of(&json);
        let mut twins = Twins::new();
        for v in 0..6 {
            let value = g.value(&json);
            let body = packet::encode_body(&schema, &value).unwrap();
            twins.add(
                1,
                &schema,
                &body,
                &mut intact,
                &format!("schema {s} value {v}"),
            );
            for (i, bad) in corrupt(&mut g.rng, &body).into_iter().enumerate() {
                twins.add(
                    1,
                    &schema,
                    &bad,
                    &mut corrupted,
                    &format!("schema {s} value {v} corrupted {i}"),
                );
            }
        }
        files += twins.finish(&format!("schema {s}"));
    }
    eprintln!("parquet columns: intact {intact:?}; corrupted {corrupted:?}; {files} files");
    assert_eq!(intact.declined_but_added, 0, "{intact:?}");
    assert!(intact.meta_fast >= 80 * 6 / 2, "{intact:?}");
    assert!(
        intact.fast > 0 && corrupted.fast > 100 && corrupted.refused > 100,
        "{corrupted:?}"
    );
    assert!(files > 100, "{files} files");
}

/// A batch of more rows than one write (1,024) goes out in the same batches both ways,
/// and a body the fast path declines between bodies it takes keeps its place; each file
/// encoded on a thread of its own (two workers).
#[test]
fn parquet_from_the_bytes_keeps_order_across_batches_and_declines() {
    let schema = alertctl::formats::avro::builtin_sample();
    let mut gen = alertctl::formats::sample::Generator::new(
        Arc::new(AlertSchema::clone(&schema)),
        alertctl::formats::sample::SampleConfig {
            night: chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
            seed: 5,
            alerts_per_visit: 700,
            visits: 2,
            max_history: 2,
            cutout_size: 4,
        },
    );
    let mut twins = Twins::with_workers(2);
    let mut tally = Tally::default();
    for visit in 0..2 {
        for (i, alert) in gen.visit(visit).into_iter().enumerate() {
            let body = packet::encode_body(&schema, &alert).unwrap();
            twins.add(
                1,
                &schema,
                &body,
                &mut tally,
                &format!("visit {visit} alert {i}"),
            );
            if i % 300 == 7 {
                // A cut body: the fast path declines, the reference refuses it.
                twins.add(1, &schema, &body[..body.len() / 2], &mut tally, "cut");
            }
        }
    }
    assert_eq!(tally.fast, 4 * 1400, "{tally:?}");
    assert!(tally.refused > 0, "{tally:?}");
    assert!(twins.finish("two visits") >= 4);
}

/// Every official schema version: generated alerts (with cutouts) and the sample
/// packets of `sample_data`, all taken from their bytes.
#[test]
fn parquet_from_the_bytes_equals_the_reference_on_every_official_version() {
    let root = crate::support::pypi_schema_dir();
    let mut tally = Tally::default();
    let mut versions = 0;
    for v in alertctl::formats::avro::list_versions(&root).unwrap() {
        let schema = Arc::new(alertctl::formats::avro::load_version(&root, v).unwrap());
        let mut gen = alertctl::formats::sample::Generator::new(
            schema.clone(),
            alertctl::formats::sample::SampleConfig {
                night: chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
                seed: u64::from(v.id()),
                alerts_per_visit: 6,
                visits: 1,
                max_history: 5,
                cutout_size: 8,
            },
        );
        let mut twins = Twins::new();
        for alert in gen.visit(0) {
            let body = packet::encode_body(&schema, &alert).unwrap();
            twins.add(v.id(), &schema, &body, &mut tally, &format!("{v:?}"));
        }
        let sample = root
            .join(v.major.to_string())
            .join(v.minor.to_string())
            .join("sample_data/fakeAlert.avro");
        if sample.exists() {
            add_file(&mut twins, &sample, std::slice::from_ref(&root), &mut tally);
        }
        twins.finish(&format!("{v:?}"));
        versions += 1;
    }
    assert!(versions >= 15, "{versions} versions");
    assert_eq!(
        (tally.declined_but_added, tally.refused),
        (0, 0),
        "{tally:?}"
    );
    assert!(tally.fast >= versions * 4 * 6, "{tally:?}");
}

/// Every record of a visit file into `twins`; returns how many.
pub fn add_file(
    twins: &mut Twins,
    path: &Path,
    dirs: &[std::path::PathBuf],
    tally: &mut Tally,
) -> usize {
    let mut decoder = Decoder::new(SchemaStore::new(dirs.to_vec()), None);
    let mut raw = packet::file::PacketReader::open(path).unwrap();
    let container = raw.container_schema().cloned();
    let mut n = 0;
    for rec in raw.by_ref() {
        let rec = rec.unwrap();
        let (id, body) = packet::split(&rec.packet).unwrap();
        let (id, schema) = match &container {
            Some(s) => (s.id().unwrap_or(0), s.clone()),
            None => (id, decoder.schema(id).unwrap()),
        };
        twins.add(
            id,
            &schema,
            body,
            tally,
            &format!("{}#{}", path.display(), rec.index),
        );
        n += 1;
    }
    n
}

/// The fuzz corpus's packets, and the same corrupted: the two paths write the same
/// files, and refuse the same bodies with the same errors.
#[test]
fn parquet_from_the_bytes_equals_the_reference_on_the_fuzz_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/packet");
    let schema = alertctl::formats::avro::builtin_sample();
    let mut tally = Tally::default();
    let mut twins = Twins::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        if let Ok((_, body)) = packet::split(&data) {
            twins.add(1, &schema, body, &mut tally, "fuzz corpus");
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(data.len() as u64);
            for bad in corrupt(&mut rng, body) {
                twins.add(1, &schema, &bad, &mut tally, "fuzz corpus, corrupted");
            }
        }
    }
    twins.finish("fuzz corpus");
    assert!(tally.fast > 0 && tally.refused > 0, "{tally:?}");
}
