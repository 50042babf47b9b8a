//! Fuzz targets: each takes arbitrary bytes, as an attacker or a broken producer would
//! send them, and must return (an error is fine) without panicking, in bounded time and
//! memory. They use only alertctl's public API. This crate runs them under AFL++
//! (`scripts/fuzz`); the test `fuzz_corpus::fuzz_corpus_replays` (tests/cli) includes
//! this file and runs every committed seed and past finding through them on every
//! `cargo test`, so a finding, once fixed, stays fixed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use alertctl::filter::{Budget, Engine, FilterDef, Input};
use alertctl::formats::avro::view::{to_json, CutoutPolicy};
use alertctl::formats::avro::{AlertSchema, SchemaStore};

/// A fuzz target: a name (the `fuzz/corpus/NAME` folder) and its function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target.
pub const TARGETS: &[Target] = &[
    ("packet", packet),
    ("projected", projected),
    ("file", file),
    ("fits", fits),
    ("schema_dir", schema_dir),
    ("registry_body", registry_body),
    ("filters_toml", filters_toml),
    ("jq", jq),
];

pub fn sample() -> &'static (Arc<AlertSchema>, u32) {
    static SAMPLE: OnceLock<(Arc<AlertSchema>, u32)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let s = alertctl::formats::avro::builtin_sample();
        let id = s.id().expect("the sample schema has a version");
        (Arc::new(s), id)
    })
}

pub fn store() -> SchemaStore {
    let (schema, id) = sample();
    let mut store = SchemaStore::new(Vec::new());
    store.insert(*id, AlertSchema::clone(schema));
    store
}

/// A wire packet: the header, the Avro body under the project's sample schema, and the
/// JSON view of what decodes.
pub fn packet(data: &[u8]) {
    let _ = alertctl::formats::packet::describe(data);
    let mut decoder = alertctl::formats::packet::Decoder::new(store(), None);
    if let Ok((_, value)) = decoder.decode(data) {
        let _ = to_json(&value, CutoutPolicy::Keep);
        let _ = alertctl::formats::packet::alert_meta(&value);
    }
}

/// The filter engine on a packet: the projected (fast-path) decoder, the lazy full
/// decode for a jq-only filter, visit caps and ranking.
pub fn projected(data: &[u8]) {
    thread_local! {
        static ENGINE: std::cell::RefCell<Option<Engine>> = const { std::cell::RefCell::new(None) };
    }
    ENGINE.with(|cell| {
        let mut cell = cell.borrow_mut();
        let engine = cell.get_or_insert_with(|| {
            let mut ranked = FilterDef::new("ranked", ".diaSource.snr > 5");
            ranked.rank_by = Some(".diaSource.psfFlux".into());
            ranked.max_per_visit = 3;
            let defs = vec![
                FilterDef::new(
                    "fast",
                    "(.diaSource.snr > 5 and ([.prvDiaSources[]?.psfFlux] | length) > 1) or .diaObject == null",
                ),
                FilterDef::new("slow", ".diaSource | to_entries | length > 3"),
                ranked,
            ];
            Engine::new(defs, store(), Budget::default()).expect("the fuzz filters compile")
        });
        let input = Input {
            packet: bytes::Bytes::copy_from_slice(data),
            key: None,
            topic: "",
            partition: 0,
            timestamp_ms: Some(0),
            offset: 0,
        };
        let _ = engine.process(&input);
        let _ = engine.finish();
    });
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("alertctl-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir.join(name)
}

/// A visit file: OCF or framed wire, whichever its first bytes say, read to the end.
pub fn file(data: &[u8]) {
    let path = scratch("input");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let mut decoder = alertctl::formats::packet::Decoder::new(store(), None);
    if let Ok(reader) = alertctl::formats::packet::file::VisitReader::open(&path, &mut decoder) {
        // Bounded: a reader must stop at the end of its input, whatever the frames say.
        for alert in reader.take(10_000).flatten() {
            let _ = to_json(&alert.value, CutoutPolicy::Size);
        }
    }
    if let Ok(reader) = alertctl::formats::packet::file::PacketReader::open(&path) {
        for _ in reader.take(10_000) {}
    }
}

/// A FITS cutout: its header, its image, and the picture `show --png` draws.
pub fn fits(data: &[u8]) {
    let _ = alertctl::formats::sample::fits::parse_header(data);
    if let Ok(image) = alertctl::formats::sample::fits::read_image(data) {
        let _ = image;
    }
}

/// A schema directory's files (the input split at NUL bytes, one file each), loaded as
/// one Rubin schema version.
pub fn schema_dir(data: &[u8]) {
    let sources: Vec<(PathBuf, String)> = data
        .split(|b| *b == 0)
        .take(16)
        .enumerate()
        .map(|(i, text)| {
            (
                PathBuf::from(format!("lsst.v7_0.type{i}.avsc")),
                String::from_utf8_lossy(text).into_owned(),
            )
        })
        .collect();
    if let Ok(s) = alertctl::formats::avro::load_sources(Path::new("fuzz"), &sources, None) {
        let _ = alertctl::formats::avro::canonical::canonical_form(&s.json);
        let _ = s.fingerprint_hex();
    }
}

/// A registry request body (`POST /subjects/S/versions`): parsed, its schema read, and
/// checked for full compatibility against the sample schema within a deadline.
pub fn registry_body(data: &[u8]) {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(reg) = alertctl::transport::registry::server::registration(&body) else {
        return;
    };
    let Ok((_, parsed)) = alertctl::transport::registry::store::schema_key(&reg.schema) else {
        return;
    };
    use alertctl::formats::avro::compat::{check_level_until, Level, Parsed};
    let (Ok(new), Ok(old)) = (Parsed::of(&parsed), Parsed::of(&sample().0)) else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(2);
    let _ = check_level_until(
        Level::FullTransitive,
        &new,
        &[("sample".into(), old)],
        Some(deadline),
    );
}

/// A filters file: parsed, and every filter compiled into an engine.
pub fn filters_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(defs) = alertctl::filter::parse_filters(text) {
        let _ = Engine::new(defs, store(), Budget::default());
    }
}

/// A jq expression: compiled for a verdict and for a value, bounded and unbounded.
pub fn jq(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    use alertctl::filter::jq::analysis::Use;
    use alertctl::filter::jq::{Options, Program};
    for unbounded in [false, true] {
        for usage in [Use::Truth, Use::Whole] {
            let _ = Program::compile_with(text, Options { unbounded, usage });
        }
    }
}
