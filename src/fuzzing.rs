//! Fuzz targets: each takes arbitrary bytes, as an attacker or a broken producer would
//! send them, and must return (an error is fine) without panicking, in bounded time and
//! memory. `fuzz/` runs them under AFL++ (`scripts/fuzz`); the test
//! `fuzz_corpus_replays` runs every committed seed and past finding through them on
//! every `cargo test`, so a finding, once fixed, stays fixed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::filter::{Budget, Engine, FilterDef, Input};
use crate::packet::json::{to_json, CutoutPolicy};
use crate::schema::{AlertSchema, SchemaStore};

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

fn sample() -> &'static (Arc<AlertSchema>, u32) {
    static SAMPLE: OnceLock<(Arc<AlertSchema>, u32)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let s = crate::schema::builtin_sample();
        let id = s.id().expect("the sample schema has a version");
        (Arc::new(s), id)
    })
}

fn store() -> SchemaStore {
    let (schema, id) = sample();
    let mut store = SchemaStore::new(Vec::new());
    store.insert(*id, AlertSchema::clone(schema));
    store
}

/// A wire packet: the header, the Avro body under the project's sample schema, and the
/// JSON view of what decodes.
pub fn packet(data: &[u8]) {
    let _ = crate::packet::describe(data);
    let mut decoder = crate::packet::Decoder::new(store(), None);
    if let Ok((_, value)) = decoder.decode(data) {
        let _ = to_json(&value, CutoutPolicy::Base64);
        let _ = crate::packet::alert_meta(&value);
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
    let mut store = store();
    if let Ok(reader) = crate::packet::file::VisitReader::open(&path, &mut store, None) {
        // Bounded: a reader must stop at the end of its input, whatever the frames say.
        for alert in reader.take(10_000).flatten() {
            let _ = to_json(&alert.value, CutoutPolicy::Size);
        }
    }
    if let Ok(reader) = crate::packet::file::PacketReader::open(&path) {
        for _ in reader.take(10_000) {}
    }
}

/// A FITS cutout: its header, its image, and the picture `show --png` draws.
pub fn fits(data: &[u8]) {
    let _ = crate::sample::fits::parse_header(data);
    if let Ok(image) = crate::sample::fits::read_image(data) {
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
    if let Ok(s) = crate::schema::load_sources(Path::new("fuzz"), &sources, None) {
        let _ = crate::schema::canonical_form(&s.json);
        let _ = s.fingerprint_hex();
    }
}

/// A registry request body (`POST /subjects/S/versions`): parsed, its schema read, and
/// checked for full compatibility against the sample schema within a deadline.
pub fn registry_body(data: &[u8]) {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(reg) = crate::registry::server::registration(&body) else {
        return;
    };
    let Ok((_, parsed)) = crate::registry::store::schema_key(&reg.schema) else {
        return;
    };
    use crate::schema::compat::{check_level_until, Level, Parsed};
    let (Ok(new), Ok(old)) = (
        Parsed::from_json(&parsed.json),
        Parsed::from_json(&sample().0.json),
    ) else {
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
    if let Ok(defs) = crate::filter::parse_filters(text) {
        let _ = Engine::new(defs, store(), Budget::default());
    }
}

/// A jq expression: compiled for a verdict and for a value, bounded and unbounded.
pub fn jq(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    use crate::filter::analysis::Use;
    use crate::filter::jq::{Options, Program};
    for unbounded in [false, true] {
        for usage in [Use::Truth, Use::Whole] {
            let _ = Program::compile_with(text, Options { unbounded, usage });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under `fuzz/corpus/TARGET/` (the seeds and every past finding) runs
    /// through its target without a panic; each target has seeds.
    #[test]
    fn fuzz_corpus_replays() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        for (name, target) in TARGETS {
            let dir = root.join(name);
            let mut n = 0;
            for entry in
                std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                let r = std::panic::catch_unwind(|| target(&data));
                assert!(r.is_ok(), "{name}: {} panics", path.display());
                n += 1;
            }
            assert!(n > 0, "no seeds for {name} in {}", dir.display());
        }
    }

    /// The projected target really exercises the fast path and the lazy decoder.
    #[test]
    fn the_projected_target_reaches_both_paths() {
        let (schema, id) = sample();
        let mut gen = crate::sample::Generator::new(
            schema.clone(),
            crate::sample::SampleConfig {
                night: chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
                seed: 1,
                alerts_per_visit: 3,
                visits: 1,
                max_history: 3,
                cutout_size: 0,
            },
        );
        let alert = gen.visit(0).remove(0);
        let packet =
            crate::packet::encode(*id, &crate::packet::encode_body(schema, &alert).unwrap());
        let engine = Engine::new(
            vec![
                FilterDef::new("fast", ".diaSource.snr > 5"),
                FilterDef::new("slow", ".diaSource | to_entries | length > 3"),
            ],
            store(),
            Budget::default(),
        )
        .unwrap();
        assert!(engine.projected());
        // Fast: the verdict and both visit keys; the to_entries verdict is jq's.
        assert_eq!(engine.fast_forms(), (3, 4));
        projected(&packet);
    }
}
