//! Sending alerts to a topic as the stream does: one record per alert, keyed by its
//! object, stamped with its observation time, one visit per cadence. Shared by
//! [`super::produce`] and the sandbox.

use std::time::{Duration, Instant};

use apache_avro::types::Value;

use crate::formats::packet::{alert_meta, AlertMeta};
use crate::transport::kafka::produce::{alert_key, observed_or_now, OutRecord, Producer};
use crate::transport::kafka::KafkaError;

/// How records are stamped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// The observation time, or the time of sending while that is still ahead.
    Auto,
    /// The observation time, always.
    Observation,
    /// The time of sending.
    Now,
}

impl crate::choice::Choice for Stamp {
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        (
            "auto",
            "The observation time, unless it is still in the future (a night not yet observed): then now",
            Stamp::Auto,
        ),
        (
            "observation",
            "The alert's observation time (diaSource midpoint), always",
            Stamp::Observation,
        ),
        ("now", "The time of sending", Stamp::Now),
    ];
}

/// Something the caller may want to tell the user, said at most once per send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The night's observation times are still ahead: records are stamped now.
    Deferred,
    /// The stamps are older than the topic's retention (days): the broker will delete them.
    PastRetention(i64),
    /// The stamps are more than an hour ahead: brokers with
    /// `message.timestamp.after.max.ms` refuse them.
    FarFuture,
}

/// How alerts are sent.
#[derive(Debug, Clone, Copy)]
pub struct SendOptions {
    /// Record timestamps.
    pub stamp: Stamp,
    /// Time from one visit's start to the next (None: back to back).
    pub cadence: Option<Duration>,
    /// The topic's retention (ms; negative: forever), to warn about stamps past it.
    pub retention_ms: Option<i64>,
}

/// What a send did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendCounts {
    /// Records the broker acknowledged.
    pub records: u64,
    /// Their payload bytes.
    pub bytes: u64,
    /// Visits begun.
    pub visits: u64,
}

/// An alert's record timestamp under `stamp`, and what to tell about it, if anything.
pub fn stamp(
    stamp: Stamp,
    meta: &AlertMeta,
    now_ms: i64,
    retention_ms: Option<i64>,
) -> (i64, Option<Notice>) {
    let (ts, mut notice) = match (stamp, meta.mjd) {
        (Stamp::Observation, Some(mjd)) => (crate::night::mjd_to_unix_ms(mjd), None),
        (Stamp::Auto, _) => {
            let (ts, deferred) = observed_or_now(meta, now_ms);
            (ts, deferred.then_some(Notice::Deferred))
        }
        _ => (now_ms, None),
    };
    if notice.is_none() {
        if let Some(r) = retention_ms.filter(|r| *r >= 0 && ts < now_ms.saturating_sub(*r)) {
            notice = Some(Notice::PastRetention(r / 86_400_000));
        } else if ts > now_ms.saturating_add(3_600_000) {
            notice = Some(Notice::FarFuture);
        }
    }
    (ts, notice)
}

/// What happens while alerts are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The first notice (only the first is said).
    Notice(Notice),
    /// This many alerts handed to the producer so far.
    Sent(u64),
}

/// Send `alerts` (wire packet and decoded alert) through `producer`, visit by visit:
/// with a cadence, each new visit waits until the cadence has passed since the last one
/// began. `stop` is asked before each alert and during waits; `on` hears the first
/// notice and the number sent so far. Returns once every record sent is acknowledged,
/// or with the first error (an alert's or a delivery's).
pub fn send_alerts<E: From<KafkaError>>(
    producer: &mut Producer,
    opts: &SendOptions,
    alerts: impl Iterator<Item = Result<(Vec<u8>, Value), E>>,
    stop: &dyn Fn() -> bool,
    mut on: impl FnMut(Event),
) -> Result<SendCounts, E> {
    let (mut visit, mut visit_started, mut visits) = (None, Instant::now(), 0u64);
    let (mut told, mut handed) = (false, 0u64);
    for item in alerts {
        if stop() {
            break;
        }
        let (packet, alert) = item?;
        let meta = alert_meta(&alert);
        if meta.visit != visit {
            if visit.is_some() {
                if let Some(c) = opts.cadence {
                    let until = visit_started + c;
                    while Instant::now() < until && !stop() {
                        producer.poll();
                        std::thread::sleep(Duration::from_millis(50).min(until - Instant::now()));
                    }
                    if stop() {
                        break;
                    }
                }
            }
            visit = meta.visit;
            visit_started = Instant::now();
            visits += 1;
        }
        let now = chrono::Utc::now().timestamp_millis();
        let (ts, said) = stamp(opts.stamp, &meta, now, opts.retention_ms);
        if let (false, Some(n)) = (told, said) {
            on(Event::Notice(n));
            told = true;
        }
        let key = alert_key(&meta);
        producer.send(&OutRecord {
            key: key.as_deref().map(str::as_bytes),
            payload: &packet,
            timestamp_ms: Some(ts),
            ..OutRecord::default()
        })?;
        handed += 1;
        on(Event::Sent(handed));
    }
    let sent = producer.flush()?;
    Ok(SendCounts {
        records: sent.records,
        bytes: sent.bytes,
        visits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn at(mjd: f64) -> AlertMeta {
        AlertMeta {
            mjd: Some(mjd),
            ..AlertMeta::default()
        }
    }

    /// Each mode over past, future and missing observation times, with and without a
    /// retention the stamp is older than: the stamp, and the one notice, are those the
    /// help promises.
    #[test]
    fn stamps_and_notices() {
        let now = 1_714_600_000_000; // 2024-05-01
        let past = at(60_000.0); // 2023-02-25
        let past_ms = crate::night::mjd_to_unix_ms(60_000.0);
        let ahead = at(61_000.0); // 2025-11
        let ahead_ms = crate::night::mjd_to_unix_ms(61_000.0);
        let none = AlertMeta::default();
        assert_eq!(stamp(Stamp::Auto, &past, now, None), (past_ms, None));
        assert_eq!(
            stamp(Stamp::Auto, &ahead, now, None),
            (now, Some(Notice::Deferred))
        );
        assert_eq!(stamp(Stamp::Auto, &none, now, None), (now, None));
        assert_eq!(
            stamp(Stamp::Observation, &ahead, now, None),
            (ahead_ms, Some(Notice::FarFuture))
        );
        assert_eq!(stamp(Stamp::Observation, &none, now, None), (now, None));
        assert_eq!(stamp(Stamp::Now, &past, now, Some(7 * DAY)), (now, None));
        assert_eq!(
            stamp(Stamp::Auto, &past, now, Some(7 * DAY)),
            (past_ms, Some(Notice::PastRetention(7)))
        );
        // Kept forever (-1), or long enough: nothing to say.
        assert_eq!(stamp(Stamp::Auto, &past, now, Some(-1)), (past_ms, None));
        assert_eq!(
            stamp(Stamp::Auto, &past, now, Some(1000 * DAY)),
            (past_ms, None)
        );
        // Extreme clocks saturate instead of overflowing.
        assert_eq!(
            stamp(Stamp::Now, &none, i64::MIN, Some(i64::MAX)).0,
            i64::MIN
        );
        assert_eq!(stamp(Stamp::Now, &none, i64::MAX, None), (i64::MAX, None));
    }
}
