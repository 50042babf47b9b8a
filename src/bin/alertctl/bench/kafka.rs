//! `bench kafka` and `bench mirror`: generated alerts through a broker, and copied
//! between two brokers by alertctl's mirror loop.

use alertctl::jobs::copy::mirror_loop;
use alertctl::jobs::topics::{self, Kind};
use alertctl::jobs::{connect, Quiet, Report};
use alertctl::transport::connect::Target;
use alertctl::transport::kafka::admin::Admin;
use alertctl::transport::kafka::consume::{Start, Tail};
use alertctl::transport::kafka::offsets::OffsetSpec;
use alertctl::transport::kafka::outbox::{Outbox, Retry, Silent};
use alertctl::transport::kafka::produce::Producer;
use alertctl::Error;

use super::{average, kafka_consume, kafka_produce, Generate, Row};

/// A topic of the benchmark's own: 4 partitions, kept until deleted.
fn bench_topic(admin: &Admin, name: &str) -> Result<(), Error> {
    topics::ensure(
        admin,
        name,
        Kind::Copy {
            partitions: 4,
            retention_ms: -1,
        },
        None,
        None,
        &mut Quiet,
    )?;
    Ok(())
}

/// Produce generated alerts to a new topic and consume them back (raw, and decoded).
pub fn kafka(
    target: &Target,
    gen: &Generate,
    n: usize,
    keep: bool,
    report: &mut dyn Report,
) -> Result<Vec<Row>, Error> {
    let conn = connect(target, report)?;
    let admin = Admin::connect(&conn)?;
    let (s, packets) = gen.packets(n)?;
    let topic = format!("bench-{}", std::process::id());
    bench_topic(&admin, &topic)?;
    report.info(&format!(
        "bench kafka: {} alerts of {} ({} bytes each) through {topic} on {}",
        packets.len(),
        s.name,
        average(&packets),
        conn.brokers
    ));
    let rows = vec![
        kafka_produce(&conn, &topic, &packets)?,
        kafka_consume(&conn, &topic, None)?,
        kafka_consume(&conn, &topic, Some(&s))?,
    ];
    if !keep {
        admin.delete(&topic)?;
    }
    Ok(rows)
}

/// Fill a topic on the source brokers, then mirror it to the local ones with alertctl's
/// mirror loop (commit after acknowledgement).
pub fn mirror(
    target: &Target,
    source_brokers: &str,
    gen: &Generate,
    n: usize,
    report: &mut dyn Report,
) -> Result<Vec<Row>, Error> {
    let local = connect(target, report)?;
    let source = target.other_cluster(source_brokers)?;
    let (source_admin, local_admin) = (Admin::connect(&source)?, Admin::connect(&local)?);
    let (s, packets) = gen.packets(n)?;
    let topic = format!("bench-mirror-{}", std::process::id());
    bench_topic(&source_admin, &topic)?;
    let fill = kafka_produce(&source, &topic, &packets)?;
    report.info(&format!(
        "bench mirror: {} alerts of {} ({} bytes each) from {} to {}",
        packets.len(),
        s.name,
        average(&packets),
        source.brokers,
        local.brokers
    ));
    let started = std::time::Instant::now();
    let mut tail = Tail::open(
        &source,
        std::slice::from_ref(&topic),
        None,
        &Start {
            offset: OffsetSpec::Stored,
            group: Some(topic.clone()),
        },
    )?;
    let mut outbox = Outbox::new(Producer::new(&local, &topic)?, Retry::default());
    let (records, bytes) = mirror_loop(
        &mut tail,
        &mut outbox,
        &source_admin,
        &local_admin,
        |t| t.at_end(),
        |_, _, _| {},
        &mut Silent,
    )?;
    let row = Row {
        stage: "mirror (copy, ack, commit)".into(),
        alerts: records as usize,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
        cpu: None,
    };
    tail.close()?;
    source_admin.delete(&topic)?;
    local_admin.delete(&topic)?;
    Ok(vec![fill, row])
}
