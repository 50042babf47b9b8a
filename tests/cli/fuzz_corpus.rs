//! The fuzz targets (fuzz/src/targets.rs, run under AFL++ by scripts/fuzz) over every
//! committed seed and past finding: a finding, once fixed, stays fixed.

#[allow(dead_code)]
#[path = "../../fuzz/src/targets.rs"]
mod targets;

use std::path::Path;

use alertctl::filter::{Budget, Engine, FilterDef};
use targets::*;

/// Every file under `fuzz/corpus/TARGET/` (the seeds and every past finding) runs
/// through its target without a panic; each target has seeds.
#[test]
fn fuzz_corpus_replays() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (name, target) in TARGETS {
        let dir = root.join(name);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
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
    let mut gen = alertctl::formats::sample::Generator::new(
        schema.clone(),
        alertctl::formats::sample::SampleConfig {
            night: chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
            seed: 1,
            alerts_per_visit: 3,
            visits: 1,
            max_history: 3,
            cutout_size: 0,
        },
    );
    let alert = gen.visit(0).remove(0);
    let packet = alertctl::formats::packet::encode(
        *id,
        &alertctl::formats::packet::encode_body(schema, &alert).unwrap(),
    );
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
