//! Producing records, with every delivery accounted for.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::error::{KafkaError as RdError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer as _, ProducerContext};
use rdkafka::ClientContext;

use super::{Connection, KafkaError, Result};

/// The key alertctl gives an alert's record: its diaObjectId (else its diaSourceId), so
/// one object's alerts land in one partition, in order.
pub fn alert_key(meta: &crate::formats::packet::AlertMeta) -> Option<String> {
    meta.dia_object_id
        .or(meta.dia_source_id)
        .map(|k| k.to_string())
}

/// An alert's record timestamp: its observation time, unless that is still after
/// `now_ms` (a night not yet observed: brokers refuse timestamps far ahead), then
/// `now_ms`. The flag says whether the observation time was set aside.
pub fn observed_or_now(meta: &crate::formats::packet::AlertMeta, now_ms: i64) -> (i64, bool) {
    match meta.mjd.map(crate::night::mjd_to_unix_ms) {
        Some(t) if t <= now_ms => (t, false),
        Some(_) => (now_ms, true),
        None => (now_ms, false),
    }
}

/// Counts deliveries and keeps the first failure.
#[derive(Default)]
pub struct DeliveryCounter {
    delivered: AtomicU64,
    failed: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl ClientContext for DeliveryCounter {}

impl ProducerContext for DeliveryCounter {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: Self::DeliveryOpaque) {
        match result {
            Ok(_) => {
                self.delivered.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, _)) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                let mut first = self.first_error.lock().expect("not poisoned");
                first.get_or_insert_with(|| e.to_string());
            }
        }
    }
}

/// One record to send.
#[derive(Debug, Clone, Default)]
pub struct OutRecord<'a> {
    /// The key (alertctl uses diaObjectId, so one object's alerts stay in order).
    pub key: Option<&'a [u8]>,
    /// The value: a wire-format packet.
    pub payload: &'a [u8],
    /// CreateTime in Unix ms (None: the producer's clock).
    pub timestamp_ms: Option<i64>,
    /// A fixed partition (None: by key).
    pub partition: Option<i32>,
    /// Headers.
    pub headers: Vec<(&'a str, &'a [u8])>,
}

/// Totals of a producer's work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Records handed to the producer.
    pub records: u64,
    /// Their payload bytes.
    pub bytes: u64,
}

/// A producer: to one topic by default, to any with [`Producer::send_to`].
pub struct Producer {
    inner: BaseProducer<DeliveryCounter>,
    topic: String,
    timeout: Duration,
    sent: Sent,
    /// Records sent, delivered and failed at the last flush: each flush accounts for
    /// what was sent since.
    settled: (u64, u64, u64),
}

/// How long to sleep when no delivery report is waiting (in a flush, or while the
/// local queue is full).
const REPORT_WAIT: Duration = Duration::from_millis(1);

impl Producer {
    /// A producer for `topic`: idempotent (no duplicates or reordering on retries),
    /// acks from all in-sync replicas, records up to 10 MiB.
    pub fn new(conn: &Connection, topic: &str) -> Result<Producer> {
        let inner: BaseProducer<DeliveryCounter> = conn
            .client_config(&[
                ("enable.idempotence", "true"),
                ("acks", "all"),
                ("linger.ms", "5"),
                ("message.max.bytes", "10485760"),
            ])
            .create_with_context(DeliveryCounter::default())?;
        Ok(Producer {
            inner,
            topic: topic.to_string(),
            timeout: conn.timeout,
            sent: Sent::default(),
            settled: (0, 0, 0),
        })
    }

    /// The topic records go to.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Queue one record to the producer's topic, waiting while the local queue is full
    /// (bounded by the timeout).
    pub fn send(&mut self, rec: &OutRecord<'_>) -> Result<()> {
        let topic = std::mem::take(&mut self.topic);
        let r = self.send_to(&topic, rec);
        self.topic = topic;
        r
    }

    /// Queue one record to `topic` (one producer serves any number of topics, and one
    /// flush waits for all of them).
    pub fn send_to(&mut self, topic: &str, rec: &OutRecord<'_>) -> Result<()> {
        let mut headers = OwnedHeaders::new_with_capacity(rec.headers.len());
        for (k, v) in &rec.headers {
            headers = headers.insert(Header {
                key: k,
                value: Some(*v),
            });
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            let mut r: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(topic)
                .payload(rec.payload)
                .headers(headers.clone());
            if let Some(k) = rec.key {
                r = r.key(k);
            }
            if let Some(ts) = rec.timestamp_ms {
                r = r.timestamp(ts);
            }
            if let Some(p) = rec.partition {
                r = r.partition(p);
            }
            match self.inner.send(r) {
                Ok(()) => break,
                Err((RdError::MessageProduction(RDKafkaErrorCode::QueueFull), _))
                    if Instant::now() < deadline =>
                {
                    if !self.serve_reports() {
                        std::thread::sleep(REPORT_WAIT);
                    }
                }
                Err((e, _)) => return Err(e.into()),
            }
        }
        self.inner.poll(Duration::ZERO);
        self.sent.records += 1;
        self.sent.bytes += rec.payload.len() as u64;
        Ok(())
    }

    /// Records delivered and records failed so far, as the delivery reports served say.
    fn reported(&self) -> (u64, u64) {
        let ctx = self.inner.context();
        (
            ctx.delivered.load(Ordering::Relaxed),
            ctx.failed.load(Ordering::Relaxed),
        )
    }

    /// Serve the delivery reports waiting, without blocking; whether there were any.
    fn serve_reports(&self) -> bool {
        let before = self.reported();
        loop {
            let n = self.reported();
            // One report (a batch of records) per poll.
            self.inner.poll(Duration::ZERO);
            if self.reported() == n {
                return n != before;
            }
        }
    }

    /// Records delivered (acknowledged) so far.
    pub fn delivered(&self) -> u64 {
        self.reported().0
    }

    /// Serve delivery reports without blocking.
    pub fn poll(&self) {
        self.inner.poll(Duration::ZERO);
    }

    /// Wait until every record sent since the last flush is delivered or failed; an
    /// error if any failed, or some were still undelivered after the timeout with no
    /// progress. Each flush accounts for what was sent since the one before, so after a
    /// failure the records can be sent again and flushed again.
    pub fn flush(&mut self) -> Result<Sent> {
        let (s0, d0, f0) = self.settled;
        let counts = |p: &Self| {
            let (delivered, failed) = p.reported();
            (delivered - d0, failed - f0)
        };
        let want = self.sent.records - s0;
        // Keep waiting while deliveries progress; give up after a timeout without any.
        let mut last = (u64::MAX, Instant::now());
        // Not rdkafka's `flush`: it polls in steps of 100 ms, each waited out in full
        // (its `poll` returns at the deadline, not at the first report), so every flush
        // with a record in flight took at least 100 ms, and a shorter step spins for the
        // rest of each millisecond. Ask for what lingers to be sent now, then serve the
        // reports as they come, sleeping a millisecond when none is waiting.
        let _ = self.inner.flush(Duration::ZERO);
        loop {
            if !self.serve_reports() && self.inner.in_flight_count() > 0 {
                std::thread::sleep(REPORT_WAIT);
            }
            let (delivered, failed) = counts(self);
            let done = delivered + failed;
            if done >= want || self.inner.in_flight_count() == 0 {
                break;
            }
            if done != last.0 {
                last = (done, Instant::now());
            } else if last.1.elapsed() > self.timeout {
                break;
            }
        }
        let (delivered, failed) = counts(self);
        let (all_delivered, all_failed) = self.reported();
        self.settled = (self.sent.records, all_delivered, all_failed);
        if delivered < want {
            let ctx = self.inner.context();
            let first = ctx.first_error.lock().expect("not poisoned").take();
            return Err(KafkaError::Delivery {
                failed: want - delivered,
                sent: want,
                topic: self.topic.clone(),
                first_error: first.unwrap_or_else(|| {
                    format!(
                        "not acknowledged within {}s ({failed} failed)",
                        self.timeout.as_secs_f64()
                    )
                }),
            });
        }
        Ok(self.sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::packet::AlertMeta;

    #[test]
    fn keys_and_timestamps_of_alerts() {
        let now = crate::night::mjd_to_unix_ms(60_000.5);
        let past = AlertMeta {
            dia_object_id: Some(7),
            dia_source_id: Some(9),
            mjd: Some(60_000.0),
            ..AlertMeta::default()
        };
        assert_eq!(alert_key(&past).as_deref(), Some("7"));
        assert_eq!(
            observed_or_now(&past, now),
            (crate::night::mjd_to_unix_ms(60_000.0), false)
        );
        let future = AlertMeta {
            dia_source_id: Some(9),
            mjd: Some(60_001.0),
            ..AlertMeta::default()
        };
        assert_eq!(
            alert_key(&future).as_deref(),
            Some("9"),
            "no object id: the source id"
        );
        assert_eq!(observed_or_now(&future, now), (now, true));
        assert_eq!(observed_or_now(&AlertMeta::default(), now), (now, false));
    }
}
