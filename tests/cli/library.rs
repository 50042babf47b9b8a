//! The pipelines driven through the public library API, as a program that depends on
//! alertctl would drive them: no binary, no command line. Each test checks counts a
//! pipeline must give, against what the generator wrote.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;

use alertctl::filter::pipeline::file::{self, FileRun, Outputs};
use alertctl::filter::pipeline::kafka::{run_job, KafkaRun};
use alertctl::filter::pipeline::Setup;
use alertctl::filter::{Budget, FilterDef};
use alertctl::formats::avro::view::CutoutPolicy;
use alertctl::formats::packet::file::{FileFormat, PacketReader};
use alertctl::formats::sample::SampleConfig;
use alertctl::jobs::produce::{self, Alerts, Sample, SchemaChoice, ToKafka};
use alertctl::jobs::send::Stamp;
use alertctl::jobs::stats::{self, Source};
use alertctl::jobs::tail::{self, Options};
use alertctl::jobs::Collected;
use alertctl::render::printer::{AlertPrinter, RecordFormat};
use alertctl::transport::connect::{SchemaSources, Target};

use crate::support::*;

const NIGHT: (i32, u32, u32) = (2013, 7, 1);

fn night() -> NaiveDate {
    NaiveDate::from_ymd_opt(NIGHT.0, NIGHT.1, NIGHT.2).unwrap()
}

fn sample(visits: usize, per_visit: usize) -> Sample {
    Sample {
        schema: SchemaChoice::default(),
        config: SampleConfig {
            night: night(),
            seed: 5,
            alerts_per_visit: per_visit,
            visits,
            max_history: 4,
            cutout_size: 4,
        },
    }
}

fn never() -> bool {
    false
}

/// produce to a file, stats over it, tail it to JSON lines, and run two filters over it
/// to a wire file per filter: the counts agree with each other at every step.
#[test]
fn a_visit_file_through_produce_stats_tail_and_filters() {
    let dir = tempdir();
    let path = dir.path().join("night.wire");
    let made = produce::to_file(&sample(3, 40), &path, FileFormat::Wire).unwrap();
    assert_eq!((made.records, made.visits), (120, 3));

    let s = stats::run(
        &Source::File(path.clone()),
        &SchemaSources::default(),
        &mut Collected::default(),
    )
    .unwrap();
    assert_eq!((s.summary.alerts, s.summary.per_visit.len()), (120, 3));

    let mut out = Vec::new();
    let mut printer = AlertPrinter::new(&mut out, RecordFormat::Jsonl, &[], None);
    let opts = Options {
        source: tail::Source::File(path.clone()),
        num: None,
        cutouts: CutoutPolicy::Omit,
        schemas: SchemaSources::default(),
        reader: None,
        workers: 2,
    };
    let t = tail::run(&opts, &mut printer, &mut Collected::default(), &never).unwrap();
    drop(printer);
    assert_eq!((t.good, t.bad), (120, 0));
    let views: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(views.len(), 120);
    let bright = views
        .iter()
        .filter(|v| v["diaSource"]["snr"].as_f64().unwrap() > 20.0)
        .count();

    let outdir = dir.path().join("out");
    let run = FileRun {
        setup: Setup {
            sky: Vec::new(),
            defs: vec![
                FilterDef {
                    max_per_visit: 0,
                    ..FilterDef::new("bright", ".diaSource.snr > 20")
                },
                FilterDef {
                    max_per_visit: 5,
                    ..FilterDef::new("first5", "true")
                },
            ],
            budget: Budget::default(),
            schemas: SchemaSources::default(),
        },
        input: path,
        outputs: Outputs::Dir(outdir.clone()),
    };
    let r = file::run(&run, &mut Vec::new(), &mut Collected::default(), &never).unwrap();
    assert_eq!(r.counts.read, 120);
    let count = |name: &str| {
        PacketReader::open(&outdir.join(format!("{name}.wire")))
            .unwrap()
            .count()
    };
    assert_eq!(
        count("bright"),
        bright,
        "the filter keeps what jq on the views selects"
    );
    assert_eq!(count("first5"), 15, "5 per visit, 3 visits");
    let emitted: BTreeMap<&str, u64> = r
        .filters
        .iter()
        .map(|(n, s, _)| (n.as_str(), s.emitted))
        .collect();
    assert_eq!(emitted["first5"], 15);
}

/// produce to Kafka, filter from Kafka to an output topic, and tail that topic: what
/// the filter emitted is what tail reads, and the night's alerts all went through.
#[test]
fn a_night_through_kafka_produce_filter_and_tail() {
    let b = broker_or_return!();
    let target = Target {
        brokers: Some(b.clone()),
        timeout: Duration::from_secs(10),
        ..Target::default()
    };
    let topic = "lib-2013-07-01";
    let sent = produce::to_kafka(
        &ToKafka {
            alerts: Alerts::Sample(sample(2, 50)),
            topic: Some(topic.into()),
            night: night(),
            partitions: Some(2),
            retention_ms: Some(-1),
            stamp: Stamp::Observation,
            cadence: None,
            target: target.clone(),
        },
        &mut Collected::default(),
        &never,
    )
    .unwrap();
    assert_eq!(sent.records, 100);

    let run = KafkaRun {
        setup: Setup {
            sky: Vec::new(),
            defs: vec![FilterDef {
                to: Some("lib-bright".into()),
                max_per_visit: 7,
                ..FilterDef::new("lib-bright", ".diaSource.snr > 10")
            }],
            budget: Budget::default(),
            schemas: SchemaSources::default(),
        },
        from: Some(topic.into()),
        night: None,
        offset: None,
        group: None,
        exit_at_end: true,
        dead_letter: None,
        visit_grace: Duration::from_secs(1),
        visit_timeout: Duration::from_secs(60),
        retry_for: Duration::from_secs(30),
        lag_warn: 0,
        target: target.clone(),
        start: None,
        control: None,
    };
    let (report, result) = run_job(&run, &mut Collected::default(), &never);
    result.unwrap();
    let report = report.unwrap();
    assert_eq!(report.counts.read, 100);
    let (_, stats, _) = &report.filters[0];
    assert!(stats.emitted > 0 && stats.emitted <= 14, "{stats:?}");

    let mut out = Vec::new();
    let mut printer = AlertPrinter::new(&mut out, RecordFormat::Jsonl, &[], None);
    let opts = Options {
        source: tail::Source::Kafka {
            topic: Some("lib-bright".into()),
            night: None,
            windowing: Default::default(),
            offset: None,
            group: None,
            follow: false,
            target,
        },
        num: None,
        cutouts: CutoutPolicy::Size,
        schemas: SchemaSources::default(),
        reader: Some(Arc::new(alertctl::formats::avro::builtin_sample())),
        workers: 1,
    };
    let t = tail::run(&opts, &mut printer, &mut Collected::default(), &never).unwrap();
    assert_eq!(t.good, stats.emitted);
}

/// A program reading every field of each alert of a visit file through the decoder's
/// borrowed values: each alert's ids and time are the owned decode's, its cutouts are
/// the bytes in the packet, and a decoder with a reader schema says to use the owned
/// decode instead.
#[test]
fn every_field_of_a_visit_file_through_borrowed_values() {
    use alertctl::formats::avro::value::Value;
    use alertctl::formats::avro::{builtin_sample, SchemaStore};
    use alertctl::formats::packet::{alert_meta, Decoder};
    let dir = tempdir();
    let path = dir.path().join("night.wire");
    produce::to_file(&sample(2, 25), &path, FileFormat::Wire).unwrap();
    let mut decoder = Decoder::new(SchemaStore::new(Vec::new()), None);
    let schema = builtin_sample();
    let id = schema.id().unwrap_or(1);
    decoder.insert_schema(id, schema.clone());
    let mut n = 0;
    for rec in PacketReader::open(&path).unwrap() {
        let packet = rec.unwrap().packet;
        let (sid, alert) = decoder.decode_borrowed(&packet).unwrap();
        let (_, owned) = decoder.decode(&packet).unwrap();
        let meta = alert_meta(&owned);
        assert_eq!(sid, id);
        assert_eq!(
            alert
                .get(&["diaSource", "diaSourceId"])
                .and_then(Value::as_i64),
            meta.dia_source_id
        );
        assert_eq!(
            alert
                .get(&["diaSource", "midpointMjdTai"])
                .and_then(Value::as_f64),
            meta.mjd
        );
        let stamp = alert.get(&["cutoutScience"]).and_then(Value::as_bytes);
        let stamp = stamp.expect("a science cutout");
        assert!(!stamp.is_empty());
        // Borrowed: the cutout is the packet's own bytes.
        let within = packet.as_ptr_range();
        assert!(within.contains(&stamp.as_ptr()));
        n += 1;
    }
    assert_eq!(n, 50);
    let mut resolving = Decoder::new(SchemaStore::new(Vec::new()), Some(Arc::new(schema)));
    resolving.insert_schema(id, builtin_sample());
    let first = PacketReader::open(&path).unwrap().next().unwrap().unwrap();
    let e = resolving.decode_borrowed(&first.packet).unwrap_err();
    assert!(e.to_string().contains("reader schema"), "{e}");
}
